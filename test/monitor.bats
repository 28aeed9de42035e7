#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# MPTCP events over generic netlink: tcpopt monitor, text and JSON lines.  Two namespaces joined by two veth pairs
# (test/lib/mptcp.bash), real MPTCP connections from
# test/helpers/mptcp_{server,client}.c.

bats_require_minimum_version 1.5.0

load lib/common
load lib/mptcp

PORT=5001

setup() {
	mptcp_setup
}

teardown() {
	cleanup_all
}

@test "monitor -j: one valid JSON object per line for every event type" {
	"$TCPOPT" -n "$NS_C" pm set fullmesh >/dev/null
	"$TCPOPT" -n "$NS_S" pm set limits subflows 8 add_addr_accepted 8
	ip -n "$NS_S" mptcp endpoint add 198.51.100.2 signal
	start_bg_tcpopt "$OUT/monc" -n "$NS_C" -j monitor
	MONC=$BG_PID
	start_bg_tcpopt "$OUT/mons" -n "$NS_S" -j monitor
	MONS=$BG_PID
	start_server "$NS_S" 0.0.0.0 $PORT
	SERVER_PID=${CLEANUP_PIDS[-1]}
	start_client "$NS_C" 192.0.2.2 $PORT 1
	wait_for 5 subflows_are "$NS_C" 4
	# MP_PRIO: the peer reports sub_priority.
	id=$("$TCPOPT" -n "$NS_C" -j pm show | jq '.endpoints[] | select(.address == "198.51.100.1") | .id')
	ip -n "$NS_C" mptcp endpoint change id "$id" backup
	wait_for 5 grep -q '"sub_priority"' "$OUT/mons"
	# REMOVE_ADDR: the client reports removed, its subflows to it close.
	ip -n "$NS_S" mptcp endpoint delete id 1
	wait_for 5 grep -q '"removed"' "$OUT/monc"
	kill "$CLIENT_PID"
	wait_for 5 grep -q '"closed"' "$OUT/monc"
	kill "$SERVER_PID"
	wait_for 5 grep -q '"listener_closed"' "$OUT/mons"
	stop_bg "$MONC"
	assert_equal "$BG_STATUS" 0
	stop_bg "$MONS"
	assert_equal "$BG_STATUS" 0
	# Every line parses on its own.
	while read -r line; do
		run jq -e 'type == "object" and (.event | type) == "string"' <<<"$line"
		assert_success
	done < <(cat "$OUT/monc" "$OUT/mons")
	run sh -c "cat '$OUT/monc' '$OUT/mons' | jq -r .event | sort -u | tr '\n' ' '"
	assert_success
	assert_output "announced closed created established listener_closed listener_created removed sub_closed sub_established sub_priority "
	run jq -s -e '[.[] | select(.event == "established")][0] |
		.server_side == false and .saddr == "192.0.2.1" and .daddr == "192.0.2.2" and .dport == 5001' "$OUT/monc"
	assert_success
	run jq -s -e '[.[] | select(.event == "sub_priority")][0] | .backup == true and .daddr == "198.51.100.1"' "$OUT/mons"
	assert_success
}

@test "monitor: text one line per event; count and timeout end it" {
	start_server "$NS_S" 0.0.0.0 $PORT
	start_bg_tcpopt "$OUT/mon" -n "$NS_C" monitor count 2
	start_client "$NS_C" 192.0.2.2 $PORT 1
	wait "$BG_PID"
	run cat "$OUT/mon"
	assert_success
	assert_equal "${#lines[@]}" 2
	assert_line --index 0 --regexp '^created +token [0-9]+ server_side no loc_id 0 rem_id 0 saddr 192\.0\.2\.1 sport [0-9]+ daddr 192\.0\.2\.2 dport 5001$'
	assert_line --index 1 --regexp '^established +token [0-9]+ '
	run timeout 5 "$TCPOPT" -n "$NS_C" monitor timeout 300ms
	assert_success
	assert_output ""
	run "$TCPOPT" -n "$NS_C" monitor count 0
	assert_failure 2
	run "$TCPOPT" -n "$NS_C" monitor timeout soon
	assert_failure 2
	assert_output 'tcpopt: monitor: invalid timeout "soon" (e.g. 500ms, 5s)'
}
