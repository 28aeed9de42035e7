# SPDX-License-Identifier: GPL-2.0
# Assertions beside bats-assert's, for the host suites (lib/common) and the
# VM suites (test/kernel/lib).

# assert_jq [JQ-OPTION...] FILTER: FILTER is true of $output (jq -e).
assert_jq() {
	local filter=${*: -1}
	if ! jq -e "$@" <<<"$output" >/dev/null 2>&1; then
		batslib_print_kv_single_or_multi 8 filter "$filter" output "$output" |
			batslib_decorate "jq filter is not true of the output" | fail
	fi
}

# assert_wait PID: the background job PID (a child of this shell: "run"
# cannot wait for it) ended with status 0.
assert_wait() {
	local rc=0
	wait "$1" || rc=$?
	[ "$rc" -eq 0 ] || fail "process $1 ended with status $rc"
}
