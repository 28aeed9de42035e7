#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Operations: "tcpopt save" and an idempotent "tcpopt -b" restore, the
# systemd unit and example, bash completion, "make install"/"uninstall",
# and usage text, man pages and completion agreeing on every keyword.
#
# Other suites may run at the same time: every test here saves, flushes
# and restores only its own cgroups.

load lib/common

bats_require_minimum_version 1.5.0

setup() {
	TAG=$(test_tag)
	CGA=$TAG-a
	# A path that needs quoting in a batch file.
	CGB="$TAG-b sp\"q"
	F=$BATS_TEST_TMPDIR/tcpopt.conf
	CLEANUP_PINDIRS=()
}

teardown() {
	local d
	for d in "${CLEANUP_PINDIRS[@]}"; do
		rm -rf "$d"
	done
	cleanup_all
}

cgroup_id() {
	stat -c %i "$(cgroup2_root)/$1"
}

# list_of CGROUP...: "option list -j" of those cgroups, without the ids
# that a new attachment changes (link and program), sorted.
list_of() {
	local ids="" cg
	for cg in "$@"; do
		ids+="$(cgroup_id "$cg"),"
	done
	tcpopt -j option list |
		jq -S --argjson ids "[${ids%,}]" \
			'map(select(.cgroup_id as $i | $ids | index($i))) |
			 map(del(.link_id, .prog_id)) | sort_by([.cgroup_id, .option, .instance])'
}

# sockops programs attached to a cgroup, as bpftool sees them.
sockops_count() {
	# Nothing attached: bpftool prints nothing at all.
	bpftool -j cgroup show "$(cgroup2_root)/$1" |
		jq -s '[.[][] | select(.attach_type == "sock_ops" or .attach_type == "cgroup_sock_ops")] | length'
}

two_attachments() {
	make_cgroup "$CGA"
	make_cgroup "$CGB"
	tcpopt option add uto 2min cgroup "$CGA"
	tcpopt option add uto 90s min 10s max 2h dport 443 sport 8080 dst 2001:db8::/32 \
		src 192.0.2.0/24 every ignore cgroup "$CGB"
}

# assert_lines FILE LINE...: FILE has each LINE, whole.
assert_lines() {
	local f=$1 line
	shift
	for line in "$@"; do
		assert grep -Fxq -- "$line" "$f"
	done
}

# Only this test's lines (and the header) of a full save.
own_lines() {
	grep -e '^#' -e "$TAG" "$1"
}

@test "save: a header, then one 'option add' per attachment, defaults left out" {
	require_root
	two_attachments
	run tcpopt save "$F"
	assert_success
	assert_output ""
	head -n1 "$F" | grep -q '^# tcpopt state, written by "tcpopt save" (tcpopt '
	assert grep -Fxq "option add uto 2min cgroup /$CGA" "$F"
	assert grep -Fxq 'option add uto 90s min 10s max 2h dport 443 sport 8080 dst 2001:db8::/32 src 192.0.2.0/24 every ignore cgroup "/'"$TAG"'-b sp\"q"' "$F"
	assert_equal "$(grep -c "$TAG" "$F")" 2
	assert_equal "$(stat -c %a "$F")" 644
	# Standard output, and one cgroup only.
	run tcpopt save - cgroup "$CGA"
	assert_success
	assert_line --index 0 --partial "# tcpopt state"
	assert_equal "$(grep -vc '^#' <<<"$output")" 1
	assert_line "option add uto 2min cgroup /$CGA"
}

@test "save -j: the commands as a JSON document" {
	require_root
	two_attachments
	run tcpopt -j save cgroup "$CGB"
	assert_success
	assert_equal "$(jq -r '.commands | length' <<<"$output")" 1
	assert_equal "$(jq -r '.commands[0]' <<<"$output")" \
		'option add uto 90s min 10s max 2h dport 443 sport 8080 dst 2001:db8::/32 src 192.0.2.0/24 every ignore cgroup "/'"$TAG"'-b sp\"q"'
	assert_equal "$(jq -c .skipped <<<"$output")" "[]"
	assert_equal "$(jq -r 'has("file")' <<<"$output")" false
	run tcpopt -j save "$F" cgroup "$CGA"
	assert_success
	assert_equal "$(jq -r .file <<<"$output")" "$F"
	assert grep -Fxq "option add uto 2min cgroup /$CGA" "$F"
}

@test "save: the path manager of a namespace (type, limits) comes back with -b" {
	require_root
	ns=$(test_tag)-pm
	ip netns add "$ns"
	CLEANUP_NETNS+=("$ns")
	tcpopt -n "$ns" pm set limits subflows 3 add_addr_accepted 2
	run tcpopt -n "$ns" save "$F"
	assert_success
	assert_lines "$F" "pm set kernel" "pm set limits subflows 3 add_addr_accepted 2"
	# pm lines come before the options
	assert_equal "$(grep -v '^#' "$F" | head -n1)" "pm set kernel"
	tcpopt -n "$ns" pm set limits subflows 0 add_addr_accepted 0
	tcpopt -n "$ns" pm set userspace
	run tcpopt -n "$ns" -b "$F"
	assert_success
	run tcpopt -n "$ns" -j pm show
	assert_success
	assert_equal "$(jq -r '.path_manager, .limits.subflows, .limits.add_addr_accepted' <<<"$output" | tr '\n' ' ')" "kernel 3 2 "
	# the userspace PM is saved as such (and has no limits to save)
	tcpopt -n "$ns" pm set userspace
	run tcpopt -n "$ns" save -
	assert_success
	assert_line "pm set userspace"
	refute_line --partial "pm set limits"
}

@test "save -> flush -> restore gives back the same 'option list -j'" {
	require_root
	two_attachments
	# Several options, and several instances of one, on one cgroup.
	CGC=$TAG-c
	make_cgroup "$CGC"
	tcpopt option add uto 1min cgroup "$CGC"
	tcpopt option add exp 0x4e2a 0102 cgroup "$CGC"
	tcpopt option add exp 0x4e2b 0a0b0c kind 253 every dport 80 cgroup "$CGC"
	before=$(list_of "$CGA" "$CGB" "$CGC")
	assert_equal "$(jq length <<<"$before")" 5
	tcpopt save "$BATS_TEST_TMPDIR/all.conf"
	own_lines "$BATS_TEST_TMPDIR/all.conf" > "$F"
	assert_equal "$(grep -c "$TAG" "$F")" 5
	for cg in "$CGA" "$CGB" "$CGC"; do
		tcpopt option flush cgroup "$cg"
	done
	assert_equal "$(list_of "$CGA" "$CGB" "$CGC")" "[]"
	assert_equal "$(sockops_count "$CGA")" 0
	assert_equal "$(sockops_count "$CGC")" 0
	run tcpopt -b "$F"
	assert_success
	assert_equal "$(list_of "$CGA" "$CGB" "$CGC")" "$before"
	assert_equal "$(sockops_count "$CGA")" 1
	assert_equal "$(sockops_count "$CGB")" 1
	# one driver runs the three options of CGC
	assert_equal "$(sockops_count "$CGC")" 1
}

@test "-b -: the commands of standard input run one by one; with -j a document each" {
	require_root
	make_cgroup "$CGA"
	run bash -c "printf '%s\n' '# from a pipe' 'option add uto 2min cgroup /$CGA' \
		'option add exp 0x0001 0x02 cgroup /$CGA' 'option set uto 3min cgroup /$CGA' \
		'option list cgroup /$CGA' 'option del exp 1 cgroup /$CGA' | '$TCPOPT' -j -b -"
	assert_success
	# add, add, set, list, del: five documents
	run jq -s -c 'map(if type == "array" then map(.option) else .option end)' <<<"$output"
	assert_success
	assert_output '["uto","exp","uto",["exp","uto"],["exp"]]'
	run tcpopt -j option list cgroup "$CGA"
	assert_success
	assert_jq 'length == 1 and .[0].option == "uto" and .[0].params.timeout_ms == 180000'
	# a failing line stops it there, named "-"
	run bash -c "printf '%s\n' 'option del uto cgroup /$CGA' 'option del uto cgroup /$CGA' \
		'option add uto 1min cgroup /$CGA' | '$TCPOPT' -b -"
	assert_failure 1
	assert_line "tcpopt: batch: -:2: command failed"
	run tcpopt -j option list cgroup "$CGA"
	assert_success
	assert_output "[]"
}

@test "option flush without a cgroup removes every attachment (in a bpffs of the test's own)" {
	require_root
	make_cgroup "$CGA"
	make_cgroup "$TAG-f"
	private_bpffs
	run priv "$TCPOPT" option add uto 2min cgroup "$CGA"
	assert_success
	run priv "$TCPOPT" option add exp 0x0001 0x02 cgroup "$TAG-f"
	assert_success
	# the machine's bpffs has none of it
	assert [ ! -e "/sys/fs/bpf/tcpopt/$(cgroup_id "$CGA")" ]
	assert_equal "$(sockops_count "$CGA")" 1
	run priv "$TCPOPT" -j option list
	assert_success
	assert_jq --arg a "/$CGA" --arg f "/$TAG-f" 'map(.cgroup) | sort == ([$a, $f] | sort)'
	run priv "$TCPOPT" -j option flush
	assert_success
	assert_jq 'map(.option) | sort == ["exp", "uto"]'
	run priv "$TCPOPT" -j option list
	assert_success
	assert_output "[]"
	assert_equal "$(sockops_count "$CGA")" 0
	assert_equal "$(sockops_count "$TAG-f")" 0
	# nothing to flush is not an error
	run priv "$TCPOPT" option flush
	assert_success
	assert_output ""
}

@test "restore twice: the second run changes nothing and attaches nothing new" {
	require_root
	two_attachments
	tcpopt save "$BATS_TEST_TMPDIR/all.conf"
	own_lines "$BATS_TEST_TMPDIR/all.conf" > "$F"
	links=$(tcpopt -j option list | jq -S '[.[] | {cgroup, link_id, prog_id}]')
	run tcpopt -b "$F"
	assert_success
	run tcpopt -b "$F"
	assert_success
	assert_output ""
	# Same links and programs: nothing was re-attached or duplicated.
	assert_equal "$(tcpopt -j option list | jq -S '[.[] | {cgroup, link_id, prog_id}]')" "$links"
	assert_equal "$(sockops_count "$CGA")" 1
	assert_equal "$(sockops_count "$CGB")" 1
	# An identical add with -j still describes the attachment.
	run tcpopt -j option add uto 2min cgroup "$CGA"
	assert_success
	assert_equal "$(jq -r .params.timeout_ms <<<"$output")" 120000
}

@test "restore: a conflicting line fails, names its line and both values, changes nothing" {
	require_root
	two_attachments
	link=$(tcpopt -j option show uto cgroup "$CGA" | jq .link_id)
	mkdir -p "$(cgroup2_root)/$TAG-c"
	CLEANUP_CGROUPS+=("$TAG-c")
	cat > "$F" <<-EOF
	# a comment, then the conflict on line 3
	option add uto 2min cgroup /$CGA
	option add uto 3min cgroup /$CGA
	option add uto 1min cgroup /$TAG-c
	EOF
	run tcpopt -b "$F"
	assert_failure 1
	assert_line "tcpopt: option: uto is already attached to cgroup /$CGA as \"uto 2min\", not \"uto 3min\" (use \"replace\" to change it)"
	assert_line "tcpopt: batch: $F:3: command failed"
	assert_equal "$(tcpopt -j option show uto cgroup "$CGA" | jq -c '[.link_id, .params.timeout_ms]')" "[$link,120000]"
	# The batch stopped there: line 4 did not run.
	assert_equal "$(list_of "$TAG-c")" "[]"
	# Limits given or left to their defaults are different configs:
	# only the first follows the timeout on "set".
	run tcpopt option add uto 2min min 100s max 1h cgroup "$CGA"
	assert_failure 1
	assert_output --partial 'as "uto 2min", not "uto 2min min 100s max 1h"'
	# "replace" takes the new values.
	run tcpopt option add uto 3min cgroup "$CGA" replace
	assert_success
	assert_equal "$(tcpopt -j option show uto cgroup "$CGA" | jq .params.timeout_ms)" 180000
}

@test "save: bad input is a usage error; a failed save leaves the old file alone" {
	require_root
	make_cgroup "$CGA"
	tcpopt option add uto 2min cgroup "$CGA"
	run tcpopt save "$F" bogus
	assert_failure 2
	assert_output 'tcpopt: save: unknown keyword "bogus" (choose from: cgroup)'
	run tcpopt save cgroup
	assert_failure 2
	assert_output 'tcpopt: save: missing value after "cgroup"'
	run tcpopt save cgroup "/$TAG-none"
	assert_failure 1
	assert_output --partial "unknown cgroup \"/$TAG-none\""
	run tcpopt save "$BATS_TEST_TMPDIR/no/such/dir"
	assert_failure 1
	assert_output "tcpopt: save: cannot write \"$BATS_TEST_TMPDIR/no/such/dir\": No such file or directory"
	# An attachment that cannot be written back: the save fails, names
	# it, and the file keeps its content (no temporary left either).
	echo "old" > "$F"
	pins=/sys/fs/bpf/tcpopt/$(cgroup_id "$CGA")
	mkdir "$pins/bogus"
	CLEANUP_PINDIRS+=("$pins/bogus")
	run tcpopt save "$F" cgroup "$CGA"
	assert_failure 1
	assert_output --partial "cannot save bogus on cgroup /$CGA: not an option this tcpopt knows"
	assert_equal "$(cat "$F")" old
	assert_equal "$(ls "$BATS_TEST_TMPDIR" | grep -c 'tcpopt.conf.')" 0
	run --separate-stderr tcpopt -j save "$F" cgroup "$CGA"
	assert_failure 1
	assert_jq '.error | test("cannot save bogus")'
}

@test "save: an attachment whose cgroup is gone is skipped, with a warning" {
	require_root
	make_cgroup "$CGA"
	tcpopt option add uto 2min cgroup "$CGA"
	id=$(cgroup_id "$CGA")
	CLEANUP_PINDIRS+=("/sys/fs/bpf/tcpopt/$id")
	rmdir "$(cgroup2_root)/$CGA"
	run tcpopt save "$F"
	assert_success
	assert_output --partial "tcpopt: save: skipped uto on cgroup id $id: the cgroup no longer exists"
	# none: grep says so with status 1
	run grep -c "$TAG" "$F"
	assert_failure 1
	assert_output 0
	run tcpopt -j save "$F"
	assert_success
	assert_equal "$(jq -c --argjson id "$id" '[.skipped[] | select(.cgroup_id == $id) | .option]' <<<"$output")" '["uto"]'
}

@test "tcpopt.conf.example: every example line restores (in throwaway cgroups)" {
	require_root
	local n=0 line
	assert grep -q '^#option add' "$TOP/systemd/tcpopt.conf.example"
	while IFS= read -r line; do
		n=$((n + 1))
		make_cgroup "$TAG-ex$n"
		sed -E "s|cgroup [^ ]+\$|cgroup /$TAG-ex$n|" <<<"$line" > "$F"
		run tcpopt -b "$F"
		assert_success
		assert_equal "$(list_of "$TAG-ex$n" | jq length)" 1
	done < <(sed -n 's/^#\(option add .*\)/\1/p' "$TOP/systemd/tcpopt.conf.example")
	assert [ "$n" -ge 3 ]
}

@test "make install DESTDIR= installs binary, man pages, completion, units, example; uninstall removes them" {
	local d=$BATS_TEST_TMPDIR/stage
	run make -s -C "$TOP" install DESTDIR="$d" PREFIX=/usr
	assert_success
	assert [ -x "$d/usr/sbin/tcpopt" ]
	run "$d/usr/sbin/tcpopt" -V
	assert_success
	assert_output --regexp '^tcpopt [0-9]'
	for m in "$TOP"/man8/*.8; do
		assert cmp "$m" "$d/usr/share/man/man8/${m##*/}"
	done
	assert [ -f "$d/usr/share/man/man8/tcpopt.8" ]
	assert [ -f "$d/usr/share/man/man8/tcpopt-save.8" ]
	assert cmp "$TOP/completion/tcpopt.bash" "$d/usr/share/bash-completion/completions/tcpopt"
	assert cmp "$TOP/systemd/tcpopt.conf.example" "$d/usr/share/doc/tcpopt/examples/tcpopt.conf.example"
	unit=$d/usr/lib/systemd/system/tcpopt.service
	for u in tcpopt.service tcpopt-metrics.service tcpopt-metrics.timer; do
		assert_equal "$(stat -c %a "$d/usr/lib/systemd/system/$u")" 644
		# none: grep says so with status 1
		run grep -c @ "$d/usr/lib/systemd/system/$u"
		assert_failure 1
		assert_output 0
	done
	assert grep -Fxq 'ExecStart=/usr/sbin/tcpopt -batch /etc/tcpopt/tcpopt.conf' "$unit"
	assert grep -Fxq 'ExecStart=/usr/sbin/tcpopt stats export /var/lib/prometheus/node-exporter/tcpopt.prom' \
		"$d/usr/lib/systemd/system/tcpopt-metrics.service"
	# Installed, not enabled; nothing written outside the prefix.
	assert_equal "$(cd "$d" && find . -type f | sort | tr '\n' ' ')" \
		"$(cd "$d" && find ./usr -type f | sort | tr '\n' ' ')"
	# The completion loads and registers itself.
	run bash -c "source '$d/usr/share/bash-completion/completions/tcpopt' && complete -p tcpopt"
	assert_success
	assert_output "complete -F _tcpopt tcpopt"
	# The units are valid for systemd (with the staged binary in ExecStart).
	for u in tcpopt.service tcpopt-metrics.service tcpopt-metrics.timer; do
		sed "s|/usr/sbin/tcpopt|$d/usr/sbin/tcpopt|" "$d/usr/lib/systemd/system/$u" > "$BATS_TEST_TMPDIR/$u"
	done
	run systemd-analyze verify --man=no "$BATS_TEST_TMPDIR/tcpopt.service" \
		"$BATS_TEST_TMPDIR/tcpopt-metrics.service" "$BATS_TEST_TMPDIR/tcpopt-metrics.timer"
	assert_success
	refute_output
	run make -s -C "$TOP" uninstall DESTDIR="$d" PREFIX=/usr
	assert_success
	assert_equal "$(find "$d" -type f | wc -l)" 0
	assert [ ! -e "$d/usr/share/doc/tcpopt" ]
}

@test "tcpopt-metrics: every 15 s, the export into node_exporter's directory" {
	t=$TOP/systemd/tcpopt-metrics.timer
	s=$TOP/systemd/tcpopt-metrics.service
	# systemd's default accuracy (1 min) would stretch the 15 s
	assert_lines "$t" 'OnUnitActiveSec=15s' 'OnBootSec=15s' 'AccuracySec=1s' \
		'WantedBy=timers.target'
	assert_lines "$s" 'Type=oneshot' \
		'ConditionPathIsDirectory=/var/lib/prometheus/node-exporter' \
		'ReadWritePaths=/var/lib/prometheus/node-exporter'
	# Activated by its timer only.
	run grep -c '^\[Install\]' "$s"
	assert_failure 1
	assert_output 0
	# Its command, run as it is written but into a directory of this
	# test, writes metrics that promtool accepts.
	require_root
	cmd=$(sed -n 's|^ExecStart=@SBINDIR@/tcpopt ||p' "$s")
	assert_equal "$cmd" "stats export /var/lib/prometheus/node-exporter/tcpopt.prom"
	run tcpopt ${cmd/\/var\/lib\/prometheus\/node-exporter/$BATS_TEST_TMPDIR}
	assert_success
	run promtool check metrics <"$BATS_TEST_TMPDIR/tcpopt.prom"
	assert_success
	assert_output ""
}

@test "tcpopt.service: oneshot restore of /etc/tcpopt/tcpopt.conf after bpffs and cgroup2" {
	u=$TOP/systemd/tcpopt.service
	assert_lines "$u" 'Type=oneshot' 'RemainAfterExit=yes' \
		'ConditionPathExists=/etc/tcpopt/tcpopt.conf' \
		'ExecStart=@SBINDIR@/tcpopt -batch /etc/tcpopt/tcpopt.conf'
	assert grep -q '^RequiresMountsFor=.*/sys/fs/bpf' "$u"
	assert grep -q '^RequiresMountsFor=.*/sys/fs/cgroup' "$u"
	assert grep -q '^Before=.*network-pre.target' "$u"
}

# ---- completion ----

# comp LINE: what completion offers at the end of LINE.
comp() {
	(
		# shellcheck source=/dev/null
		source "$TOP/completion/tcpopt.bash"
		COMP_LINE=$1
		COMP_POINT=${#1}
		COMP_WORDS=("$TCPOPT")
		_tcpopt
		printf '%s\n' "${COMPREPLY[@]}"
	) | sort
}

# walk LINE DEPTH: every word completion offers below LINE (not values).
walk() {
	local line=$1 depth=$2 w
	for w in $(comp "$line" | grep -v '^/'); do
		echo "$w"
		[[ " $line " == *" $w "* ]] && continue
		((depth < 3)) && walk "$line$w " $((depth + 1))
	done
}

# Lower-case words of a usage text: tcpopt's keywords.
usage_words() {
	grep -oE '(^|[][{}| ])[a-z][a-z0-9_-]*' | tr -d '][{}| ' |
		grep -vxE 'tcpopt|where|help|'"$1" | sort -u
}

# Lower-case words of a man page's SYNOPSIS, troff removed.
man_words() {
	sed -n '/^\.SH SYNOPSIS/,/^\.SH /p' "$1" | sed '1d;$d' |
		grep -vE '^\.(ad|in|ti|sp|br|nf|fi|PP)( |$)' |
		sed -E 's/^\.[A-Za-z]+ ?//; s/\\f[BIRP]//g; s/\\-/-/g; s/"//g' |
		usage_words "$2"
}

@test "completion: objects, commands, option names, keywords, cgroup paths, files" {
	cd "$BATS_TEST_TMPDIR"
	comp 'tcpopt ' | grep -qx option
	comp 'tcpopt ' | grep -qx save
	comp 'tcpopt ' | grep -qx help
	comp 'tcpopt -' | grep -qx -- -json
	comp 'tcpopt -' | grep -qx -- -b
	assert_equal "$(comp 'tcpopt option ' | tr '\n' ' ')" "add del flush list set show "
	assert_equal "$(comp 'tcpopt opt a' | tr '\n' ' ')" "add "
	# Option names only, no keyword, before the name.
	comp 'tcpopt -j option add ' | grep -qx uto
	run comp 'tcpopt -j option add '
	assert_success
	refute_line cgroup
	refute_line every
	comp 'tcpopt option add uto 2min ' | grep -qx min
	comp 'tcpopt option add uto 2min ' | grep -qx every
	comp 'tcpopt option add uto 2min ' | grep -qx replace
	# A used keyword is not offered again; a keyword's value is not a keyword.
	run comp 'tcpopt option add uto 2min every '
	assert_success
	refute_line every
	run comp 'tcpopt option add uto 2min dport '
	assert_success
	assert_output ""
	# "del NAME" takes no option values.
	assert_equal "$(comp 'tcpopt option del uto ' | tr '\n' ' ')" "cgroup "
	touch "$BATS_TEST_TMPDIR/restore-me.conf"
	assert_equal "$(comp 'tcpopt -b rest')" "restore-me.conf"
	assert_equal "$(comp 'tcpopt save rest')" "restore-me.conf"
	comp 'tcpopt stats ' | grep -qx export
	assert_equal "$(comp 'tcpopt stats export rest')" "restore-me.conf"
	# An IPv6 prefix is one word, not split at its colons.
	comp 'tcpopt option add uto 2min dst 2001:db8::/32 ' | grep -qx sport
	# The path object and monitor path (test/path.bats).
	assert_equal "$(comp 'tcpopt path ' | tr '\n' ' ')" "flush list set show "
	assert_equal "$(comp 'tcpopt path list ' | tr '\n' ' ')" "cgroup dst "
	assert_equal "$(comp 'tcpopt path set ' | tr '\n' ' ')" "cgroup expire prefix4 prefix6 "
	assert_equal "$(comp 'tcpopt monitor path ' | tr '\n' ' ')" "count timeout "
	comp 'tcpopt option add uto 2min ' | grep -qx path
	comp 'tcpopt option add uto 2min path ' | grep -qx always
}

@test "completion: cgroup paths come from the cgroup2 mount" {
	require_root
	make_cgroup "$TAG-comp/inner"
	cd "$BATS_TEST_TMPDIR"
	assert_equal "$(comp "tcpopt option add uto 2min cgroup $TAG-co")" "/$TAG-comp/"
	assert_equal "$(comp "tcpopt option list cgroup /$TAG-comp/")" "/$TAG-comp/inner/"
	assert_equal "$(comp "tcpopt save cgroup /$TAG-comp/in")" "/$TAG-comp/inner/"
}

@test "keywords: usage text, man pages and completion list the same words" {
	local problems=()
	cd "$BATS_TEST_TMPDIR"
	objects=$(tcpopt help | sed -n 's/.*OBJECT := {\(.*\)}.*/\1/p' | tr -d '|')
	assert [ -n "$objects" ]
	assert_equal "$(comp 'tcpopt ' | grep -vx help | tr '\n' ' ')" \
		"$(printf '%s\n' $objects | sort | tr '\n' ' ')"
	# Every object of the usage is in tcpopt(8) and has its own page
	# whose SYNOPSIS has the words of its usage, as completion offers
	# them.  Every difference is listed, then the test fails.
	man_objects=$(man_words "$TOP/man8/tcpopt.8" none)
	for obj in $objects; do
		grep -qx "$obj" <<<"$man_objects" || problems+=("tcpopt(8) does not list object $obj")
		usage=$(tcpopt "$obj" help | usage_words "$obj")
		[ -n "$usage" ] || problems+=("no keywords in \"tcpopt $obj help\"")
		completion=$(walk "tcpopt $obj " 0 | grep -vx help | sort -u)
		[ "$usage" = "$completion" ] ||
			problems+=("tcpopt $obj: usage and completion differ: $(diff <(echo "$usage") <(echo "$completion") | grep '^[<>]' | tr '\n' ' ')")
		if [ ! -f "$TOP/man8/tcpopt-$obj.8" ]; then
			problems+=("no man8/tcpopt-$obj.8")
			continue
		fi
		man=$(man_words "$TOP/man8/tcpopt-$obj.8" "$obj")
		[ "$usage" = "$man" ] ||
			problems+=("tcpopt $obj: usage (<) and tcpopt-$obj(8) (>) differ: $(diff <(echo "$usage") <(echo "$man") | grep '^[<>]' | tr '\n' ' ')")
	done
	[ ${#problems[@]} -eq 0 ] || fail "$(printf '%s\n' "${problems[@]}")"
}
