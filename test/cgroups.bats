#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# How option list, stats and save name the cgroup of an attachment (by its
# id: lib/cgroup.c): nested cgroups, paths with spaces, a cgroup removed
# while its link holds it, cgroups made and removed while a batch runs.
# Each test runs twice: with kernfs file handles, and without
# CAP_DAC_READ_SEARCH, where tcpopt walks the tree into a table instead.

load lib/common

setup() {
	require_root
	TAG=$(test_tag)
	make_cgroup "$TAG"
	GONE_IDS=()
}

teardown() {
	local i id

	# Deepest first: a cgroup with children cannot be removed.
	for ((i = ${#CLEANUP_CGROUPS[@]} - 1; i > 0; i--)); do
		"$TCPOPT" option flush cgroup "${CLEANUP_CGROUPS[i]}" >/dev/null 2>&1
		rmdir "$(cgroup2_root)/${CLEANUP_CGROUPS[i]}" 2>/dev/null
	done
	# Attachments of removed cgroups: only this test's ("option flush
	# deleted" would take other suites' too).
	for id in "${GONE_IDS[@]}"; do
		rm -rf "/sys/fs/bpf/tcpopt/$id"
	done
	if [ ${#GONE_IDS[@]} -gt 0 ] && ! ls /sys/fs/bpf/tcpopt | grep -q '^[0-9]'; then	# lint: negation (a condition)
		rm -f /sys/fs/bpf/tcpopt/tcpopt_writers
	fi
	cleanup_all
}

# tcpopt as root without CAP_DAC_READ_SEARCH: open_by_handle_at() refused.
tcpopt_walk() {
	setpriv --bounding-set=-dac_read_search "$TCPOPT" "$@"
}

cgroup_id() {
	stat -c %i "$(cgroup2_root)/$1"
}

# The "cgroup" of the row with cgroup_id $1 in the JSON array on stdin.
name_of() {
	jq -r --argjson id "$1" '[.[] | select(.cgroup_id == $id) | .cgroup] | unique | join(",")'
}

check_nested_and_spaces() {
	local run_tcpopt=$1 outer inner

	outer=$(cgroup_id "$TAG/a b")
	inner=$(cgroup_id "$TAG/a b/c  d")
	run $run_tcpopt -j option list
	assert_success
	assert_equal "$(name_of "$outer" <<<"$output")" "/$TAG/a b"
	assert_equal "$(name_of "$inner" <<<"$output")" "/$TAG/a b/c  d"
	run $run_tcpopt -j stats
	assert_success
	assert_equal "$(name_of "$outer" <<<"$output")" "/$TAG/a b"
	assert_equal "$(name_of "$inner" <<<"$output")" "/$TAG/a b/c  d"
	run $run_tcpopt option list
	assert_success
	assert_line --regexp "^/$TAG/a b/c  d +uto +timeout 31s "
	run $run_tcpopt save - cgroup "$TAG/a b/c  d"
	assert_success
	assert_line "option add uto 31s cgroup \"/$TAG/a b/c  d\""
}

@test "cgroups: nested cgroups and paths with spaces, named alike by list, stats and save" {
	make_cgroup "$TAG/a b"
	make_cgroup "$TAG/a b/c  d"
	tcpopt option add uto 30s cgroup "$TAG/a b"
	tcpopt option add uto 31s cgroup "$TAG/a b/c  d"
	check_nested_and_spaces tcpopt
	check_nested_and_spaces tcpopt_walk
}

check_deleted() {
	local run_tcpopt=$1 id=$2

	run $run_tcpopt -j option list
	assert_success
	assert_equal "$(name_of "$id" <<<"$output")" "(deleted)"
	assert_equal "$(jq --argjson id "$id" '.[] | select(.cgroup_id == $id) | .attached' <<<"$output")" false
	run $run_tcpopt option list
	assert_success
	assert_line --regexp '^\(deleted\) +uto +timeout 30s .* no$'
	run $run_tcpopt -j stats
	assert_success
	assert_equal "$(name_of "$id" <<<"$output")" "(deleted)"
	run $run_tcpopt -j save
	assert_success
	assert_equal "$(jq -c --argjson id "$id" '.skipped[] | select(.cgroup_id == $id)' <<<"$output")" \
		'{"cgroup_id":'"$id"',"option":"uto","reason":"the cgroup no longer exists"}'
}

@test "cgroups: a cgroup removed while its link holds it shows as (deleted) in list, stats and save" {
	local id

	make_cgroup "$TAG/gone"
	make_cgroup "$TAG/kept"
	id=$(cgroup_id "$TAG/gone")
	tcpopt option add uto 30s cgroup "$TAG/gone"
	tcpopt option add uto 40s cgroup "$TAG/kept"
	GONE_IDS+=("$id")
	rmdir "$(cgroup2_root)/$TAG/gone"
	check_deleted tcpopt "$id"
	check_deleted tcpopt_walk "$id"
	run tcpopt -j option list
	assert_success
	assert_equal "$(name_of "$(cgroup_id "$TAG/kept")" <<<"$output")" "/$TAG/kept"
}

# One batch from a FIFO: "old" named, then "new" made and "old" removed
# between two of its commands; the second list must see both changes.
check_batch() {
	local run_tcpopt=$1 fifo=$BATS_TEST_TMPDIR/batch out=$BATS_TEST_TMPDIR/out pid old new w rc

	make_cgroup "$TAG/old"
	old=$(cgroup_id "$TAG/old")
	mkfifo "$fifo"
	$run_tcpopt -j -b "$fifo" >"$out" 2>&1 &
	pid=$!
	CLEANUP_PIDS+=("$pid")
	exec {w}>"$fifo"	# not fd 3: bats writes its TAP there
	echo "option add uto 30s cgroup $TAG/old" >&"$w"
	echo "option list" >&"$w"
	for _ in $(seq 100); do
		[ "$(wc -l <"$out")" -ge 2 ] && break
		sleep 0.05
	done
	make_cgroup "$TAG/new"
	new=$(cgroup_id "$TAG/new")
	GONE_IDS+=("$old")
	rmdir "$(cgroup2_root)/$TAG/old"
	echo "option add uto 31s cgroup $TAG/new" >&"$w"
	echo "option list" >&"$w"
	exec {w}>&-
	rc=0
	wait "$pid" || rc=$?
	assert_equal "$rc" 0
	run jq -sc '.[1]' "$out"
	assert_success
	assert_equal "$(name_of "$old" <<<"$output")" "/$TAG/old"
	run jq -sc '.[3]' "$out"
	assert_success
	assert_equal "$(name_of "$old" <<<"$output")" "(deleted)"
	assert_equal "$(name_of "$new" <<<"$output")" "/$TAG/new"
	rm -f "$fifo"
}

@test "cgroups: a batch sees the cgroups made and removed while it runs" {
	check_batch tcpopt
	tcpopt option flush cgroup "$TAG/new"
	rmdir "$(cgroup2_root)/$TAG/new"
	check_batch tcpopt_walk
}
