#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# tcpopt stats export: the counters in Prometheus' text format, checked by
# promtool and served by Debian's prometheus-node-exporter (started here, in
# a namespace of its own, on 127.0.0.1), after real connections; the file
# replaced atomically; bad input.  Other suites' attachments may exist at
# the same time: only this test's cgroups are compared.

load lib/common
load lib/conn

PORT=5006
# The families every export has: build_info, 12 option, 6 pm and 3 mptcp counters.
FAMILIES=22

setup() {
	conn_setup
	# Where node_exporter (as nobody) may read: not below bats' 0700 tmpdir.
	DIR=$(mktemp -d /tmp/tcpopt-export.XXXXXX)
	chmod 0755 "$DIR"
	PROM=$DIR/tcpopt.prom
	CLEANUP_PINDIRS=()
}

teardown() {
	local d
	cleanup_all
	for d in "${CLEANUP_PINDIRS[@]}"; do
		rm -rf "$d"
	done
	rm -rf "$DIR"
}

cgroup_id() {
	stat -c %i "$(cgroup2_root)/$1"
}

# gone_cgroup NAME: a cgroup with uto attached, then removed: its
# attachment stays, as "(deleted)", until its pins are removed.
gone_cgroup() {
	make_cgroup "$1"
	tcpopt option add uto 30s cgroup "$1"
	CLEANUP_PINDIRS+=("/sys/fs/bpf/tcpopt/$(cgroup_id "$1")")
	IDS+=("$(cgroup_id "$1")")
	rmdir "$(cgroup2_root)/$1"
}

# expected_samples ID...: the samples "stats export" owes the rows of
# "tcpopt -j stats" of those cgroup ids, every numeric key but cgroup_id a
# counter, label values escaped as the format wants; sorted.
expected_samples() {
	local ids
	ids=$(IFS=,; echo "$*")
	tcpopt -j stats | jq -r --argjson ids "[$ids]" '
		def esc: gsub("\\\\"; "\\\\") | gsub("\""; "\\\"") | gsub("\n"; "\\n");
		.[] | select(.cgroup_id as $i | $ids | index($i)) as $r |
		$r | to_entries[] | select(.key != "cgroup_id" and (.value | type) == "number") |
		"tcpopt_option_\(.key)_total{cgroup=\"\($r.cgroup | esc)\",cgroup_id=\"\($r.cgroup_id)\",option=\"\($r.option | esc)\",option_instance=\"\($r.instance // "" | esc)\"} \(.value)"' |
		sort
}

# samples_of FILE ID...: the tcpopt option samples of those cgroup ids, sorted.
samples_of() {
	local file=$1 re
	shift
	re=$(IFS='|'; echo "$*")
	grep -E "^tcpopt_option_[a-z_]+_total\{.*cgroup_id=\"($re)\"" "$file" | sort
}

# attachments: uto and exp on both sides, the client's cgroup with a name
# that needs escaping (quote, backslash, a byte that is not UTF-8; the
# kernel takes no newline in a cgroup's name), three connections, two
# deleted cgroups; sets IDS.
attachments() {
	local weird="$TAG-c\"l\\i nt"$'\xff'
	make_cgroup "$weird"
	CG_C=$weird
	tcpopt option add uto 120s cgroup "$CG_C"
	tcpopt option add exp 0x4e2a 0x0102 cgroup "$CG_C"
	tcpopt option add uto 1s min 1s cgroup "$CG_S"
	tcpopt option add exp 0x4e2a 0x cgroup "$CG_S"
	connections 3
	IDS=("$(cgroup_id "$CG_C")" "$(cgroup_id "$CG_S")")
	gone_cgroup "$TAG-gone1"
	gone_cgroup "$TAG-gone2"
}

@test "stats export: promtool finds no problem; every counter of 'tcpopt -j stats' is a sample of the same value" {
	attachments
	run tcpopt stats export "$PROM"
	assert_success
	assert_output ""
	run promtool check metrics <"$PROM"
	assert_success
	assert_output ""
	expected=$(expected_samples "${IDS[@]}")
	# 4 attachments with traffic, 2 deleted: 12 counters each
	assert_equal "$(wc -l <<<"$expected")" 72
	assert_equal "$(samples_of "$PROM" "${IDS[@]}")" "$expected"
	# Counted after real connections: the server parsed and applied the
	# client's UTO on each SYN, in the escaped cgroup's name too.
	grep -Fx "tcpopt_option_applied_total{cgroup=\"/$CG_S\",cgroup_id=\"${IDS[1]}\",option=\"uto\",option_instance=\"\"} 3" "$PROM"
	grep -Fx "tcpopt_option_sent_total{cgroup=\"/$TAG-c\\\"l\\\\i nt"$'\xef\xbf\xbd'"\",cgroup_id=\"${IDS[0]}\",option=\"exp\",option_instance=\"0x4e2a\"} 6" "$PROM"
	# The deleted cgroups: the same name, told apart by their ids.
	assert_equal "$(grep -c "^tcpopt_option_sent_total{cgroup=\"(deleted)\",cgroup_id=\"\(${IDS[2]}\|${IDS[3]}\)\"" "$PROM")" 2
	# Each family once, HELP before TYPE before its samples.
	assert_equal "$(grep -c '^# TYPE tcpopt_[a-z_]* counter$' "$PROM")" $((FAMILIES - 1))
	assert_equal "$(grep -c '^# HELP tcpopt_' "$PROM")" $FAMILIES
	grep -Fx "tcpopt_build_info{version=\"$(tcpopt -V | awk '{ print $2 }')\"} 1" "$PROM"
	run awk '/^# HELP/ { h = $3 } /^# TYPE/ { if ($3 != h || seen[$3]++) bad++; t = $3 }
		!/^#/ { n = $1; sub(/\{.*/, "", n); if (n != t) bad++ } END { print bad + 0 }' "$PROM"
	assert_success
	assert_output 0
	# "-" is standard output, the same document.
	run tcpopt stats export -
	assert_success
	assert_equal "$output" "$(cat "$PROM")"
	# -j with FILE: what was written.
	run tcpopt -j stats export "$PROM"
	assert_success
	assert jq -e --argjson n "$(grep -vc '^#' "$PROM")" --argjson a "$(tcpopt -j stats | jq length)" \
		'.file != null and .samples == $n and .attachments >= $a' <<<"$output"
}

@test "stats export: node_exporter's textfile collector serves the same values as 'tcpopt -j stats'" {
	attachments
	run tcpopt stats export "$PROM"
	assert_success
	NS_M=$(test_tag)m
	ip netns add "$NS_M"
	CLEANUP_NETNS+=("$NS_M")
	ip -n "$NS_M" link set lo up
	# Its own namespace: no port of the machine's (nor of a system
	# node_exporter) is in use there.  Run as nobody, as Debian runs it
	# as a user of its own: the file must be readable by others.
	bg ip netns exec "$NS_M" setpriv --reuid=nobody --regid=nogroup --clear-groups \
		prometheus-node-exporter --web.listen-address=127.0.0.1:9100 \
		--collector.disable-defaults --collector.textfile \
		--collector.textfile.directory="$DIR" 2>"$BATS_TEST_TMPDIR/exporter.log"
	exporter=$!
	for _ in $(seq 100); do
		ip netns exec "$NS_M" curl -sf -o "$BATS_TEST_TMPDIR/metrics" \
			http://127.0.0.1:9100/metrics && break
		sleep 0.05
	done
	assert_equal "$(ip netns exec "$NS_M" ss -Hltn | awk '{ print $4 }')" "127.0.0.1:9100"
	run ip netns exec "$NS_M" curl -sf http://127.0.0.1:9100/metrics
	assert_success
	served=$output
	grep -Fx 'node_textfile_scrape_error 0' <<<"$served"
	assert grep -q "^node_textfile_mtime_seconds{file=\"$PROM\"} " <<<"$served"
	expected=$(expected_samples "${IDS[@]}")
	assert [ -n "$expected" ]
	assert_equal "$(samples_of <(echo "$served") "${IDS[@]}")" "$expected"
	assert grep -q '^tcpopt_option_received_total{.*option="uto".*} 3$' <<<"$served"
	# Stop what was started, and see it gone.
	kill "$exporter"
	wait "$exporter" || true	# lint: or-true (killed: its status is the signal's)
	run kill -0 "$exporter"
	assert_failure
	assert_equal "$(ip netns exec "$NS_M" ss -Hltn | wc -l)" 0
}

@test "stats export: a reader never sees a part of the file while it is replaced again and again" {
	local i
	# About 1 KB per exp instance: a file of several writes (two cgroups:
	# a cgroup holds 16 built-in options at most).
	make_cgroup "$TAG-many1"
	make_cgroup "$TAG-many2"
	for i in $(seq 1 20); do
		tcpopt option add exp "$(printf '0x%04x' $((0x100 + i)))" 0x01 \
			cgroup "$TAG-many$(( (i - 1) / 10 + 1 ))"
	done
	run tcpopt stats export "$PROM"
	assert_success
	assert [ "$(stat -c %s "$PROM")" -gt 16384 ]
	mine=$(grep -c "cgroup=\"/$TAG-many[12]\"" "$PROM")
	# The family the exporter writes last.
	last=$(grep '^# TYPE ' "$PROM" | tail -n1 | cut -d' ' -f3)
	assert_equal "$last" tcpopt_mptcp_skipped_family_total
	assert_equal "$mine" 240
	# The reader: each copy it takes must be whole: every family, every
	# sample of this test's cgroup (other suites' attachments may come
	# and go), the last family last, a newline at the end.  It counts the
	# copies that are not, and keeps the first.
	(
		reads=0 bad=0 snap=$BATS_TEST_TMPDIR/snap
		while [ ! -e "$DIR/stop" ]; do
			reads=$((reads + 1))
			why=
			if ! cp "$PROM" "$snap" 2>/dev/null; then
				why="cannot copy"
			elif [ "$(grep -c '^# HELP tcpopt_' "$snap")" -ne $FAMILIES ]; then
				why="families missing"
			elif [ "$(grep -c "cgroup=\"/$TAG-many[12]\"" "$snap")" -ne "$mine" ]; then
				why="samples missing"
			elif ! tail -n1 "$snap" | grep -qE "^(# TYPE $last counter\$|$last\\{)"; then
				why="the last family is not last"
			elif [ -n "$(tail -c1 "$snap")" ]; then
				why="no newline at the end"
			fi
			if [ -n "$why" ]; then
				[ "$bad" -eq 0 ] && cp "$snap" "$BATS_TEST_TMPDIR/bad" 2>/dev/null &&
					echo "$why" >"$BATS_TEST_TMPDIR/why"
				bad=$((bad + 1))
			fi
		done
		echo "$reads $bad" >"$BATS_TEST_TMPDIR/reader"
	) &
	reader=$!
	CLEANUP_PIDS+=("$reader")
	for i in $(seq 200); do
		tcpopt stats export "$PROM" || break
	done
	touch "$DIR/stop"
	wait "$reader"
	assert_equal "$i" 200
	read -r reads bad <"$BATS_TEST_TMPDIR/reader"
	echo "# reads $reads, bad $bad" >&3
	assert [ "$reads" -ge 40 ]
	if [ "$bad" -ne 0 ]; then
		echo "the first bad copy ($(cat "$BATS_TEST_TMPDIR/why"), $(wc -c <"$BATS_TEST_TMPDIR/bad") bytes," \
			"$(grep -c "cgroup=\"/$TAG-many[12]\"" "$BATS_TEST_TMPDIR/bad") samples of $mine) ends with:" \
			"$(tail -n3 "$BATS_TEST_TMPDIR/bad")" >&2
	fi
	assert_equal "$bad" 0
	# No temporary file is left behind.
	assert_equal "$(ls -A "$DIR" | grep -v '^stop$')" "tcpopt.prom"
}

@test "stats export: bad input is one line and exit 2; a failed write exits 1 and leaves the old file" {
	cd "$DIR"
	run --separate-stderr tcpopt stats export a.prom b.prom
	assert_failure 2
	assert_equal "$stderr" 'tcpopt: stats: unexpected argument "b.prom"'
	assert_output ""
	run --separate-stderr tcpopt stats export ""
	assert_failure 2
	assert_equal "$stderr" 'tcpopt: stats: empty file name ("-" is stdout)'
	run --separate-stderr tcpopt -j stats export a.prom b.prom
	assert_failure 2
	assert_jq '.error == "unexpected argument \"b.prom\""'
	assert_equal "$(ls -A)" ""
	run --separate-stderr tcpopt stats export "$DIR/nosuch/x.prom"
	assert_failure 1
	assert_equal "$stderr" "tcpopt: stats: cannot write \"$DIR/nosuch/x.prom\": No such file or directory"
	# A directory in FILE's place: the rename fails, nothing is left.
	mkdir "$DIR/d.prom"
	run --separate-stderr tcpopt stats export "$DIR/d.prom"
	assert_failure 1
	assert_equal "$stderr" "tcpopt: stats: cannot write \"$DIR/d.prom\": Is a directory"
	assert_equal "$(ls -A "$DIR")" "d.prom"
	rmdir "$DIR/d.prom"
	# A directory that cannot be written (read-only, in a mount namespace
	# of this command's own): the old file stays as it was.
	echo old >"$PROM"
	run --separate-stderr unshare -m sh -c 'mount --bind -o ro "$1" "$1" && exec "$2" stats export "$3"' \
		sh "$DIR" "$TCPOPT" "$PROM"
	assert_failure 1
	assert_equal "$stderr" "tcpopt: stats: cannot write \"$PROM\": Read-only file system"
	assert_equal "$(cat "$PROM")" old
	assert_equal "$(ls -A "$DIR")" "tcpopt.prom"
}
