#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# stats export of a BPF path manager's counters (tcpopt pm set, the patch
# set's kernel): after a real MPTCP connection, the tcpopt_pm_*_total
# samples are the counters of "pm show -j", and promtool finds no problem.

load lib

setup() {
	netns_setup
	ip -n "$NS_B" mptcp limits set subflows 8 add_addr_accepted 8
}

teardown() {
	[ -n "${CLIENT_PID:-}" ] && kill "$CLIENT_PID" 2>/dev/null
	[ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null
	"$TCPOPT" pm del 2>/dev/null || true
	netns_teardown
}

@test "stats export: a BPF path manager's counters, the values of pm show -j" {
	run "$TCPOPT" -j pm set ndiffports 3
	assert_success
	id=$(jq .cgroup_id <<<"$output")
	mptcp_server 5020
	mptcp_client 192.0.2.2 5020 3
	wait_subflows "$NS_A" 5020 3
	mptcp_finish
	CLIENT_PID= SERVER_PID=
	run "$TCPOPT" stats export -
	assert_success
	metrics=$output
	run promtool check metrics <<<"$metrics"
	assert_success
	assert_output ""
	expected=$("$TCPOPT" -j pm show | jq -r '.bpf[] as $r | $r.stats | to_entries[] |
		"tcpopt_pm_\(.key)_total{cgroup=\"\($r.cgroup)\",cgroup_id=\"\($r.cgroup_id)\",path_manager=\"\($r.path_manager)\"} \(.value)"' |
		sort)
	assert_equal "$(wc -l <<<"$expected")" 6
	assert_equal "$(grep '^tcpopt_pm_' <<<"$metrics" | sort)" "$expected"
	# The connection's two additional subflows, counted.
	grep -Fx "tcpopt_pm_established_total{cgroup=\"/\",cgroup_id=\"$id\",path_manager=\"ndiffports\"} 2" <<<"$metrics"
	grep -Fx "tcpopt_pm_claimed_total{cgroup=\"/\",cgroup_id=\"$id\",path_manager=\"ndiffports\"} 1" <<<"$metrics"
}
