#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# tcpopt stats: per-attachment counters summed over the CPUs, after real
# connections; filters; reset; table and JSON.  Every command names a
# cgroup: other suites' attachments may exist at the same time.

load lib/common
load lib/conn

PORT=5005

setup() {
	conn_setup
}

teardown() {
	cleanup_all
}

@test "stats: counts after real connections, one row per attachment (JSON)" {
	tcpopt option add uto 120s cgroup "$CG_C"
	tcpopt option add exp 0x4e2a 0x0102 cgroup "$CG_C"
	tcpopt option add uto 1s min 1s cgroup "$CG_S"
	tcpopt option add exp 0x4e2a 0x cgroup "$CG_S"
	connections 3
	run tcpopt -j stats cgroup "$CG_S"
	assert_success
	assert_equal "$(jq length <<<"$output")" 2
	# every counter is a key of the row
	assert_equal "$(jq -r '.[] | select(.option == "uto") | keys_unsorted | join(" ")' <<<"$output")" \
		"cgroup cgroup_id option sent received applied refused unsupported malformed no_room error"
	assert_equal "$(jq -r '.[] | select(.option == "exp") | keys_unsorted | join(" ")' <<<"$output")" \
		"cgroup cgroup_id option instance sent received applied refused unsupported malformed no_room error"
	uto=$(jq -c '.[] | select(.option == "uto")' <<<"$output")
	assert_equal "$(jq -r '"\(.cgroup) \(.sent) \(.received) \(.applied) \(.malformed) \(.error)"' <<<"$uto")" \
		"/$CG_S 3 3 3 0 0"
	exp=$(jq -c '.[] | select(.option == "exp")' <<<"$output")
	assert_equal "$(jq -r '"\(.instance) \(.sent) \(.received) \(.malformed)"' <<<"$exp")" "0x4e2a 3 3 0"
	# The client wrote both on each SYN and first ACK, and read the SYN-ACKs.
	run tcpopt -j stats cgroup "$CG_C"
	assert_success
	assert_equal "$(jq -r 'sort_by(.option) | map("\(.option) \(.sent) \(.received)") | join(",")' <<<"$output")" \
		"exp 6 3,uto 6 3"
}

@test "stats: the counters of every CPU are summed" {
	[ "$(nproc)" -ge 2 ] || skip "needs two CPUs"
	tcpopt option add exp 0x4e2a 0x01 cgroup "$CG_C"
	connections 2 0
	connections 3 1
	cgid=$(stat -c %i "$(cgroup2_root)/$CG_C")
	# The SYNs were written on both CPUs ...
	run bpftool -j map dump pinned "/sys/fs/bpf/tcpopt/$cgid/exp-0x4e2a/stats"
	assert_success
	per_cpu=$(jq -r '.[].formatted | select(.key == 0) | [.values[].value] | map(select(. > 0)) | length' <<<"$output")
	assert_equal "$per_cpu" 2
	# ... and stats shows their sum: 5 SYNs and 5 first ACKs.
	assert_equal "$(stat_of exp 0x4e2a sent "$CG_C")" 10
}

@test "stats: option and cgroup filters; the text table" {
	tcpopt option add uto 120s cgroup "$CG_C"
	tcpopt option add exp 0x0001 0x01 cgroup "$CG_C"
	tcpopt option add exp 0x0002 0x02 cgroup "$CG_C"
	tcpopt option add exp 0x0001 0x cgroup "$CG_S"
	connections 1
	run tcpopt -j stats option exp cgroup "$CG_C"
	assert_success
	assert_equal "$(jq -r 'map(.instance) | sort | join(" ")' <<<"$output")" "0x0001 0x0002"
	run tcpopt -j stats option exp 2 cgroup "$CG_C"
	assert_success
	assert_equal "$(jq -r 'map("\(.instance) \(.sent)") | join(",")' <<<"$output")" "0x0002 2"
	run tcpopt -j stats option uto cgroup "$CG_C"
	assert_success
	assert_equal "$(jq -r 'map(.option) | join(" ")' <<<"$output")" "uto"
	run tcpopt -j stats option exp
	assert_success
	assert_jq --arg c "/$CG_C" --arg s "/$CG_S" \
		'map(select(.cgroup == $c or .cgroup == $s)) | length == 3 and all(.option == "exp")'
	run tcpopt stats option uto cgroup "$CG_C"
	assert_success
	assert_line --index 0 --regexp "^CGROUP +OPTION +SENT +RECEIVED +APPLIED +REFUSED +UNSUPPORTED +MALFORMED +NO ROOM +ERROR$"
	assert_line --index 1 --regexp "^/$CG_C +uto +2 +0 +0 +0 +0 +0 +0 +0$"
	# no attachment: an empty list, not an error
	tcpopt option flush cgroup "$CG_S"
	run tcpopt -j stats cgroup "$CG_S"
	assert_success
	assert_equal "$output" "[]"
}

@test "stats: reset zeroes the chosen attachments only" {
	tcpopt option add uto 1s min 1s cgroup "$CG_S"
	tcpopt option add exp 0x4e2a 0x cgroup "$CG_S"
	tcpopt option add exp 0x4e2a 0x01 cgroup "$CG_C"
	connections 2
	run tcpopt -j stats reset option uto cgroup "$CG_S"
	assert_success
	assert_equal "$(jq -r 'map("\(.cgroup) \(.option)") | join(",")' <<<"$output")" "/$CG_S uto"
	assert_equal "$(stat_of uto sent "$CG_S")" 0
	assert_equal "$(stat_of exp sent "$CG_S")" 2
	assert_equal "$(stat_of exp received "$CG_S")" 2
	# the counting goes on from zero
	connections 1
	assert_equal "$(stat_of uto sent "$CG_S")" 1
	run tcpopt stats reset cgroup "$CG_S"
	assert_success
	assert_output ""
	run tcpopt -j stats cgroup "$CG_S"
	assert_success
	assert_jq 'length == 2 and all(.sent == 0 and .received == 0)'
	# the client's were not touched
	assert_equal "$(stat_of exp sent "$CG_C")" 6
}

@test "stats show and reset without a filter: every attachment (in a bpffs of the test's own)" {
	private_bpffs
	for args in "uto 120s cgroup $CG_C" "exp 0x4e2a 0x01 cgroup $CG_C" "uto 1s min 1s cgroup $CG_S"; do
		run priv "$TCPOPT" option add $args
		assert_success
	done
	connections 2
	# "show" is the default command; no filter: all three
	run priv "$TCPOPT" -j stats show
	assert_success
	assert_jq 'length == 3'
	shown=$output
	run priv "$TCPOPT" -j stats
	assert_success
	assert_equal "$(jq -c 'map(del(.sent, .received))' <<<"$output")" "$(jq -c 'map(del(.sent, .received))' <<<"$shown")"
	assert_jq --arg c "/$CG_C" --arg s "/$CG_S" 'map("\(.cgroup) \(.option) \(.sent)") | sort ==
		(["\($c) exp 4", "\($c) uto 4", "\($s) uto 2"] | sort)'
	run priv "$TCPOPT" -j stats reset
	assert_success
	assert_jq 'length == 3'
	run priv "$TCPOPT" -j stats
	assert_success
	assert_jq 'length == 3 and all(.sent == 0 and .received == 0 and .applied == 0)'
	# and the text table, a row each
	run priv "$TCPOPT" stats show
	assert_success
	assert_equal "${#lines[@]}" 4
	assert_line --index 0 --regexp '^CGROUP +OPTION +SENT '
}

@test "stats: bad input and nothing to reset" {
	run --separate-stderr tcpopt stats option nosuch
	assert_failure 2
	assert_equal "${stderr%%, cc*}" 'tcpopt: stats: unknown option "nosuch" (choose from: uto, exp, object'
	run --separate-stderr tcpopt stats bogus
	assert_failure 2
	assert_equal "$stderr" 'tcpopt: stats: unknown command "bogus" (choose from: show, reset, export, help)'
	run --separate-stderr tcpopt stats option exp 0 cgroup "$CG_C"
	assert_failure 2
	assert_equal "$stderr" 'tcpopt: stats: exp: ExID 0 is not an ExID (1 to 0xffff)'
	run --separate-stderr tcpopt stats cgroup "$CG_C/nonexistent"
	assert_failure 1
	assert_equal "${stderr%% (*}" "tcpopt: stats: unknown cgroup \"$CG_C/nonexistent\""
	run --separate-stderr tcpopt stats reset option uto cgroup "$CG_C"
	assert_failure 1
	assert_equal "$stderr" "tcpopt: stats: nothing attached matches"
	run --separate-stderr tcpopt -j stats reset option uto cgroup "$CG_C"
	assert_failure 1
	assert_jq '.error == "nothing attached matches"'
}
