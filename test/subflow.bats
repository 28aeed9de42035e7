#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# MPTCP subflows over generic netlink: subflow open/close (userspace PM)
# and list (sock_diag).  Two namespaces joined by two veth pairs
# (test/lib/mptcp.bash), real MPTCP connections from
# test/helpers/mptcp_{server,client}.c.

load lib/mptcp-suite

@test "subflow open/close (userspace PM): both ends, MP_JOIN on the wire, ss, events on the peer" {
	"$TCPOPT" -n "$NS_C" pm set userspace
	"$TCPOPT" -n "$NS_S" pm set limits subflows 8
	start_bg_tcpopt "$OUT/mon" -n "$NS_S" -j monitor
	start_capture "$NS_S" "$OUT/path1.pcap" "tcp port $PORT" veth1
	start_server "$NS_S" 0.0.0.0 $PORT
	start_client "$NS_C" 192.0.2.2 $PORT 1
	token=$(cat "$CLIENT_OUT")
	run "$TCPOPT" -n "$NS_S" -j subflow list
	assert_success
	stoken=$(jq '.[0].token' <<<"$output")
	# backup where the kernel can (the refusal is tested below)
	backup=false
	if has_feature mptcp_subflow_backup; then
		backup=true
	fi
	run "$TCPOPT" -n "$NS_C" subflow open token "$token" raddr 198.51.100.2 port $PORT \
		laddr 198.51.100.1 lport 40000 $([ "$backup" = false ] || echo backup) id 9
	assert_success
	assert_output ""
	# No laddr: the route's source towards raddr through dev.
	run "$TCPOPT" -n "$NS_C" subflow open token "$token" raddr 192.0.2.2 port $PORT dev veth1
	assert_success
	wait_for 5 subflows_are "$NS_C" 3
	run "$TCPOPT" -n "$NS_C" -j subflow list token "$token"
	assert_success
	assert_jq '[.[0].subflows[] | select(.lport == 40000)] | length == 1 and
		.[0].laddr == "198.51.100.1" and .[0].raddr == "198.51.100.2" and .[0].backup == '"$backup"' and
		.[0].loc_id == 9'
	assert_jq '[.[0].subflows[] | select(.laddr == "198.51.100.1" and .raddr == "192.0.2.2")] | length == 1'
	wait_for 5 subflows_are "$NS_S" 3
	run "$TCPOPT" -n "$NS_S" -j subflow list
	assert_success
	assert_jq '[.[0].subflows[] | select(.rport == 40000)] | length == 1 and
		.[0].peer_backup == '"$backup"' and .[0].laddr == "198.51.100.2" and .[0].rem_id == 9'
	# ss: the client's connection has two subflows beside the first
	run ip netns exec "$NS_C" ss -Mni
	assert_success
	assert_output --regexp "subflows:2 .*token:$(printf '%x' "$token") "
	# The wire: the SYN of the subflow asked for is an MP_JOIN with the
	# server's token, address id 9 and the backup bit where it was asked.
	stop_capture
	run mptcp_on_wire "$OUT/path1.pcap" \
		"tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.srcport == 40000" subtype recvtok addrid backup.flag
	assert_success
	assert_output "1 $stoken 9 $([ "$backup" = true ] && echo 1 || echo 0)"
	run "$TCPOPT" -n "$NS_C" subflow close token "$token" laddr 198.51.100.1 lport 40000 \
		raddr 198.51.100.2 port $PORT
	assert_success
	wait_for 5 subflows_are "$NS_C" 2
	wait_for 5 subflows_are "$NS_S" 2
	run "$TCPOPT" -n "$NS_S" -j subflow list
	assert_success
	assert_jq '[.[0].subflows[] | select(.rport == 40000)] == []'
	run ip netns exec "$NS_C" ss -Mni
	assert_success
	assert_output --regexp "subflows:1 .*token:$(printf '%x' "$token") "
	wait_for 5 grep -q '"sub_closed"' "$OUT/mon"
	stop_bg "$BG_PID"
	assert_equal "$BG_STATUS" 0
	run jq -s -e '[.[] | select(.event == "sub_established" and .dport == 40000 and .backup == '"$backup"' and
		.rem_id == 9)] | length == 1' "$OUT/mon"
	assert_success
	run jq -s -e '[.[] | select(.event == "sub_closed" and .dport == 40000)] | length == 1' "$OUT/mon"
	assert_success
}

@test "subflow list: the text table, a row per connection and its subflows under it" {
	"$TCPOPT" -n "$NS_C" pm set userspace
	"$TCPOPT" -n "$NS_S" pm set limits subflows 8
	start_server "$NS_S" 0.0.0.0 $PORT
	start_client "$NS_C" 192.0.2.2 $PORT 1
	token=$(cat "$CLIENT_OUT")
	# The backup column says yes where the kernel takes the flag (6.1
	# does not: "subflow open backup" is refused there, tested apart).
	local backup=() shown=no
	if has_feature mptcp_subflow_backup; then
		backup=(backup)
		shown=yes
	fi
	run "$TCPOPT" -n "$NS_C" subflow open token "$token" raddr 198.51.100.2 port $PORT \
		laddr 198.51.100.1 lport 40001 "${backup[@]}" id 5
	assert_success
	wait_for 5 subflows_are "$NS_C" 2
	run "$TCPOPT" -n "$NS_C" subflow list
	assert_success
	assert_equal "${#lines[@]}" 5
	# The connection's byte counters: mptcp_info has them since Linux 6.5
	# (tcpopt-subflow(8)); without them the columns are left out.
	local bytes_h= bytes_v=
	if kernel_at_least 6 5; then
		bytes_h=' +BYTES SENT +BYTES RECEIVED'
		bytes_v=' +[0-9]+ +[0-9]+'
	fi
	assert_line --index 0 --regexp "^TOKEN +LADDR +LPORT +RADDR +RPORT +STATE +FALLBACK$bytes_h\$"
	assert_line --index 1 --regexp "^$token +192\.0\.2\.1 +[0-9]+ +192\.0\.2\.2 +$PORT +established +no$bytes_v\$"
	assert_line --index 2 --regexp '^    LADDR +LPORT +RADDR +RPORT +LOC ID +REM ID +BACKUP +PEER BACKUP +JOIN +STATE +RTT +CWND +BYTES ACKED +BYTES RECEIVED$'
	assert_line --regexp "^    192\.0\.2\.1 +[0-9]+ +192\.0\.2\.2 +$PORT +0 +0 +no +no +no +established +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+$"
	assert_line --regexp "^    198\.51\.100\.1 +40001 +198\.51\.100\.2 +$PORT +5 +[0-9]+ +$shown +no +yes +established +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+$"
	# one connection: the same table
	run "$TCPOPT" -n "$NS_C" subflow list token "$token"
	assert_success
	assert_equal "${#lines[@]}" 5
}

@test "subflow bad input at run time: wrong PM type, unknown token, wrong family, no such interface" {
	start_server "$NS_S" 0.0.0.0 $PORT
	start_client "$NS_C" 192.0.2.2 $PORT 1
	token=$(cat "$CLIENT_OUT")
	# Wrong PM type: the client still runs the in-kernel PM.
	run "$TCPOPT" -n "$NS_C" subflow open token "$token" raddr 198.51.100.2 port $PORT
	assert_failure 1
	assert_output --regexp '^tcpopt: subflow: open failed: .*userspace PM not selected$'
	"$TCPOPT" -n "$NS_C" pm set userspace
	# A connection made now is the userspace PM's.
	start_client "$NS_C" 192.0.2.2 $PORT 1
	token=$(cat "$CLIENT_OUT")
	# Unknown token.
	bad=$(( (token + 1) % 4294967296 ))
	run "$TCPOPT" -n "$NS_C" subflow open token "$bad" raddr 198.51.100.2 port $PORT
	assert_failure 1
	assert_output 'tcpopt: subflow: open failed: invalid token'
	run "$TCPOPT" -n "$NS_C" -j subflow close token "$bad" laddr 192.0.2.1 lport 1 raddr 192.0.2.2 port $PORT
	assert_failure 1
	assert_line --index 0 'tcpopt: subflow: close failed: invalid token'
	run jq -e '.error == "close failed: invalid token"' <<<"${lines[1]}"
	assert_success
	run "$TCPOPT" -n "$NS_C" subflow list token "$bad"
	assert_failure 1
	assert_output "tcpopt: subflow: no MPTCP connection with token $bad"
	# Wrong family: an IPv6 local address towards an IPv4 peer.
	run "$TCPOPT" -n "$NS_C" subflow open token "$token" raddr 192.0.2.2 port $PORT laddr 2001:db8:2::1
	assert_failure 1
	assert_output 'tcpopt: subflow: open failed: families mismatch'
	# No such interface: refused before any request.
	run "$TCPOPT" -n "$NS_C" subflow open token "$token" raddr 192.0.2.2 port $PORT dev nosuch0
	assert_failure 2
	assert_output 'tcpopt: subflow: no such interface "nosuch0"'
	# The kernel's own refusal of a well-formed request.
	run "$TCPOPT" -n "$NS_C" subflow close token "$token" laddr 192.0.2.1 lport 1 raddr 192.0.2.2 port $PORT
	assert_failure 1
	assert_output 'tcpopt: subflow: close failed: subflow not found'
	# Nothing happened to the connection.
	run "$TCPOPT" -n "$NS_C" -j subflow list token "$token"
	assert_success
	assert_jq '.[0].subflows | length == 1'
}

@test "subflow bad input: usage errors exit 2 with one line" {
	run "$TCPOPT" -n "$NS_C" subflow open token abc raddr 192.0.2.2 port 1
	assert_failure 2
	assert_output 'tcpopt: subflow: invalid token "abc"'
	run "$TCPOPT" -n "$NS_C" subflow open token 1 raddr 192.0.2.2
	assert_failure 2
	assert_output 'tcpopt: subflow: missing "port"'
	run "$TCPOPT" -n "$NS_C" subflow open token 1 raddr 192.0.2.300 port 1
	assert_failure 2
	assert_output 'tcpopt: subflow: invalid address "192.0.2.300"'
	run "$TCPOPT" -n "$NS_C" subflow close token 1 raddr 192.0.2.2 port 1 laddr 192.0.2.1
	assert_failure 2
	assert_output 'tcpopt: subflow: missing "lport"'
	run "$TCPOPT" -n "$NS_C" subflow close token 1 raddr 192.0.2.2 port 1 laddr 192.0.2.1 lport 2 backup
	assert_failure 2
	assert_output 'tcpopt: subflow: "backup" does not go with this command'
	run "$TCPOPT" -n "$NS_C" subflow list token
	assert_failure 2
	run "$TCPOPT" -n "$NS_C" -j subflow frobnicate
	assert_failure 2
	run jq -e '.error | startswith("unknown command \"frobnicate\"")' <<<"${lines[1]}"
	assert_success
}

@test "subflow open backup: refused up front where the kernel would drop the flag" {
	require_feature '!mptcp_subflow_backup'
	"$TCPOPT" -n "$NS_C" pm set userspace
	"$TCPOPT" -n "$NS_S" pm set limits subflows 8
	start_server "$NS_S" 0.0.0.0 $PORT
	start_client "$NS_C" 192.0.2.2 $PORT 1
	token=$(cat "$CLIENT_OUT")
	run --separate-stderr "$TCPOPT" -n "$NS_C" subflow open token "$token" \
		raddr 198.51.100.2 port $PORT laddr 198.51.100.1 backup
	assert_failure 1
	assert_equal "$output" ""
	assert_equal "$stderr" 'tcpopt: subflow: subflow open backup needs the kernel feature mptcp_subflow_backup (upstream Linux), which this kernel lacks (see "tcpopt feature")'
	# nothing was opened
	sleep 1
	run "$TCPOPT" -n "$NS_C" -j subflow list token "$token"
	assert_success
	assert_jq '.[0].subflows | length == 1'
}
