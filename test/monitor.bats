#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# MPTCP events over generic netlink: tcpopt monitor, text and JSON lines.  Two namespaces joined by two veth pairs
# (test/lib/mptcp.bash), real MPTCP connections from
# test/helpers/mptcp_{server,client}.c.

load lib/mptcp-suite

# ip_events FILE: the events of an "ip mptcp monitor" output in tcpopt's
# names, with their tokens in decimal, sorted ("created 1234", ...).
# iproute2 6.1 names the listener events by number only.
ip_events() {
	sed -n 's/^\[ *\([A-Z_]*\( [0-9]*\)\{0,1\}\)\] *\(token=\([0-9a-f]*\)\)\{0,1\}.*/\1:\4/p' "$1" |
		while IFS=: read -r ev token; do
			case $ev in
			SF_ESTABLISHED) ev=sub_established ;;
			SF_CLOSED) ev=sub_closed ;;
			SF_PRIO) ev=sub_priority ;;
			"UNKNOWN 15") ev=listener_created ;;
			"UNKNOWN 16") ev=listener_closed ;;
			*) ev=${ev,,} ;;
			esac
			echo "$ev${token:+ $((16#$token))}"
		done | sort
}

@test "monitor -j: one valid JSON object per line for every event type; ip mptcp monitor and the wire agree" {
	# with the patch set "pm set fullmesh" attaches a BPF path manager
	# instead (test/kernel); these test the endpoints
	require_feature '!mptcp_bpf_pm'
	"$TCPOPT" -n "$NS_C" pm set fullmesh >/dev/null
	"$TCPOPT" -n "$NS_S" pm set limits subflows 8 add_addr_accepted 8
	ip -n "$NS_S" mptcp endpoint add 198.51.100.2 signal
	start_bg_tcpopt "$OUT/monc" -n "$NS_C" -j monitor
	MONC=$BG_PID
	start_bg_tcpopt "$OUT/mons" -n "$NS_S" -j monitor
	MONS=$BG_PID
	# the kernel's own reader beside it
	start_listener "$OUT/ipmon" "$NS_S" ip -n "$NS_S" mptcp monitor
	IPMON=$BG_PID
	start_capture "$NS_S" "$OUT/all.pcap" "tcp port $PORT" any
	start_server "$NS_S" 0.0.0.0 $PORT
	SERVER_PID=${CLEANUP_PIDS[-1]}
	start_client "$NS_C" 192.0.2.2 $PORT 1
	wait_for 5 mesh_pairs_are "$NS_C" 4
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
	# Listener events came with Linux 6.2: where "tcpopt feature" says the
	# kernel lacks them, none may come.
	listener="listener_closed listener_created "
	if has_feature mptcp_listener_events; then
		wait_for 5 grep -q '"listener_closed"' "$OUT/mons"
	else
		listener=
		sleep 1
	fi
	stop_capture
	stop_bg "$MONC"
	assert_equal "$BG_STATUS" 0
	stop_bg "$MONS"
	assert_equal "$BG_STATUS" 0
	stop_bg "$IPMON" TERM
	# ip mptcp monitor saw the same events, with the same tokens (it
	# names the listener events only by number)
	run ip_events "$OUT/ipmon"
	assert_success
	ipev=$output
	run jq -r '.event + (if .token then " \(.token)" else "" end)' "$OUT/mons"
	assert_success
	assert_equal "$ipev" "$(sort <<<"$output")"
	# MP_PRIO on the wire: the client's subflows from 198.51.100.1, each
	# with the backup bit, as many as the server reported
	run mptcp_on_wire "$OUT/all.pcap" "tcp.options.mptcp.subtype == 5" ip.src backup.flag
	assert_success
	assert [ "${#lines[@]}" -ge 1 ]
	assert_equal "$(sort -u <<<"$output")" "198.51.100.1 1"
	assert_equal "${#lines[@]}" "$(grep -c '"sub_priority"' "$OUT/mons")"
	# Every line parses on its own.
	while read -r line; do
		run jq -e 'type == "object" and (.event | type) == "string"' <<<"$line"
		assert_success
	done < <(cat "$OUT/monc" "$OUT/mons")
	run sh -c "cat '$OUT/monc' '$OUT/mons' | jq -r .event | sort -u | tr '\n' ' '"
	assert_success
	assert_output "announced closed created established ${listener}removed sub_closed sub_established sub_priority "
	run jq -s -e '[.[] | select(.event == "established")][0] |
		.server_side == false and .saddr == "192.0.2.1" and .daddr == "192.0.2.2" and .dport == 5001' "$OUT/monc"
	assert_success
	run jq -s -e '[.[] | select(.event == "sub_priority")][0] | .backup == true and .daddr == "198.51.100.1"' "$OUT/mons"
	assert_success
}

# two_events FILE WORD...: "monitor WORD... count 2" in $NS_C, into FILE,
# while one client connects; $lines are what it printed: two events.
two_events() {
	local out=$1
	shift
	start_bg_tcpopt "$out" -n "$NS_C" monitor "$@" count 2
	start_client "$NS_C" 192.0.2.2 $PORT 1
	assert_wait "$BG_PID"
	run cat "$out"
	assert_success
	assert_equal "${#lines[@]}" 2
}

@test "monitor: text one line per event; count and timeout end it; mptcp is the events' kind" {
	start_server "$NS_S" 0.0.0.0 $PORT
	two_events "$OUT/mon"
	assert_line --index 0 --regexp '^created +token [0-9]+ server_side no loc_id 0 rem_id 0 saddr 192\.0\.2\.1 sport [0-9]+ daddr 192\.0\.2\.2 dport 5001$'
	assert_line --index 1 --regexp '^established +token [0-9]+ '
	# "mptcp" names the only kind of events there is: the same lines
	two_events "$OUT/mon2" mptcp
	assert_line --index 0 --regexp '^created +token [0-9]+ server_side no '
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

# timed CMD...: run CMD; its status in ELAPSED_STATUS, its output in
# $OUT/timed.out, how long it took in ELAPSED_MS.
timed() {
	local t0 t1
	t0=$(date +%s%N)
	ELAPSED_STATUS=0
	"$@" >"$OUT/timed.out" 2>&1 || ELAPSED_STATUS=$?
	t1=$(date +%s%N)
	ELAPSED_MS=$(( (t1 - t0) / 1000000 ))
}

@test "monitor timeout: never ends early, not much later, with events coming or not" {
	start_server "$NS_S" 0.0.0.0 $PORT
	# quiet: nothing comes
	timed "$TCPOPT" -n "$NS_C" monitor timeout 2s
	assert_equal "$ELAPSED_STATUS" 0
	echo "monitor timeout 2s, quiet: $ELAPSED_MS ms" >&3
	assert [ "$ELAPSED_MS" -ge 2000 ]
	assert [ "$ELAPSED_MS" -lt 3000 ]
	# busy: connections come and go all along; they do not push it back
	# (each client is killed: its status is not this test's business)
	( set +e
	  for _ in $(seq 15); do
		ip netns exec "$NS_C" "$HELPERS/mptcp_client" 192.0.2.2 $PORT 1 >/dev/null 2>&1 &
		sleep 0.2
		kill $!
		wait $!
	  done
	  exit 0 ) &
	BUSY=$!
	CLEANUP_PIDS+=($BUSY)
	timed ip netns exec "$NS_C" "$TCPOPT" -j monitor timeout 2s
	assert_equal "$ELAPSED_STATUS" 0
	echo "monitor timeout 2s, busy: $ELAPSED_MS ms, $(wc -l <"$OUT/timed.out") events" >&3
	assert [ "$ELAPSED_MS" -ge 2000 ]
	assert [ "$ELAPSED_MS" -lt 3000 ]
	assert [ "$(grep -c '"event":"created"' "$OUT/timed.out")" -ge 3 ]
	assert_wait "$BUSY"
}
