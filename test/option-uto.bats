#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The User Timeout option (RFC 5482) end to end: two namespaces over veth,
# a real connection, the option read from a capture, its effect read from
# the peer's socket.

load lib/common
load lib/conn

PORT=5001

setup() {
	conn_setup
}

teardown() {
	cleanup_all
}

@test "uto: the SYN carries kind 28 and the server applies RFC 5482 3.1 (IPv4)" {
	tcpopt option add uto 120s cgroup "$CG_C"
	tcpopt option add uto 1s min 1s max 10min cgroup "$CG_S"
	handshake 192.0.2.2
	# kind 28, length 4, G=0, 120 seconds
	assert_equal "$(find_option "$SYN" 28)" "1c040078"
	assert_equal "$(find_option "$SYNACK" 28)" "1c040001"
	# USER_TIMEOUT = min(U_LIMIT, max(ADV_UTO, REMOTE_UTO, L_LIMIT))
	assert_equal "$(jq -r .user_timeout_ms <<<"$SERVER_REPORT")" 120000
	assert_equal "$(jq -r .user_timeout_ms <<<"$CLIENT_REPORT")" 120000
	run tcpopt -j option show uto cgroup "$CG_S"
	assert_success
	assert_equal "$(jq -r '.stats.received, .stats.applied, .stats.malformed' <<<"$output" | tr '\n' ' ')" "1 1 0 "
}

@test "uto: the same over IPv6" {
	tcpopt option add uto 45s cgroup "$CG_C"
	tcpopt option add uto 1s min 1s cgroup "$CG_S"
	handshake 2001:db8::2
	assert_equal "$(find_option "$SYN" 28)" "1c04002d"
	assert_equal "$(jq -r .user_timeout_ms <<<"$SERVER_REPORT")" 45000
}

@test "uto: the receiver's max (U_LIMIT) caps the peer's request" {
	tcpopt option add uto 10min cgroup "$CG_C"
	tcpopt option add uto 1s min 1s max 90s cgroup "$CG_S"
	handshake 192.0.2.2
	assert_equal "$(find_option "$SYN" 28)" "1c040258"
	assert_equal "$(jq -r .user_timeout_ms <<<"$SERVER_REPORT")" 90000
}

@test "uto: above 32767 s the G bit carries minutes" {
	tcpopt option add uto 10h max 12h cgroup "$CG_C"
	tcpopt option add uto 1s min 1s cgroup "$CG_S"
	handshake 192.0.2.2
	# G=1, 600 minutes = 0x8258
	assert_equal "$(find_option "$SYN" 28)" "1c048258"
	# the server's default U_LIMIT (1h) applies
	assert_equal "$(jq -r .user_timeout_ms <<<"$SERVER_REPORT")" 3600000
	assert_equal "$(jq -r .user_timeout_ms <<<"$CLIENT_REPORT")" 36000000
}

@test "uto: with syncookies the server reads the option from the first ACK" {
	ip netns exec "$NS_S" sysctl -qw net.ipv4.tcp_syncookies=2
	tcpopt option add uto 100s cgroup "$CG_C"
	tcpopt option add uto 1s min 1s cgroup "$CG_S"
	handshake 192.0.2.2
	assert_equal "$(find_option "$SYN" 28)" "1c040064"
	assert_equal "$(find_option "$ACK" 28)" "1c040064"
	assert_equal "$(jq -r .user_timeout_ms <<<"$SERVER_REPORT")" 100000
}

@test "uto: after del no option is on the wire and nothing is pinned" {
	tcpopt option add uto 120s cgroup "$CG_C"
	tcpopt option del uto cgroup "$CG_C"
	run tcpopt -j option list cgroup "$CG_C"
	assert_success
	assert_equal "$(jq length <<<"$output")" 0
	assert_no_pins "$CG_C"
	handshake 192.0.2.2
	assert [ -n "$SYN" ]
	assert_equal "$(find_option "$SYN" 28)" ""
	assert_equal "$(jq -r .user_timeout_ms <<<"$SERVER_REPORT")" 0
}

@test "uto: a cut path aborts the connection after the negotiated timeout" {
	tcpopt option add uto 3s min 1s cgroup "$CG_C"
	tcpopt option add uto 1s min 1s cgroup "$CG_S"
	go=$BATS_TEST_TMPDIR/go
	serve 192.0.2.2 --go-file "$go"
	in_cgroup "$CG_C" "$NS_C" "$HELPERS/tcpprobe" client 192.0.2.2 $PORT --hold 30 >/dev/null &
	CLEANUP_PIDS+=($!)
	for _ in $(seq 100); do
		[ -s "$BATS_TEST_TMPDIR/srv.out" ] && break
		sleep 0.05
	done
	assert_equal "$(jq -r .user_timeout_ms < "$BATS_TEST_TMPDIR/srv.out")" 3000
	# The client can no longer answer: the server's data goes unacknowledged.
	ip -n "$NS_C" route add blackhole 192.0.2.2/32
	touch "$go"
	wait "$SERVER_PID"
	result=$(tail -n1 "$BATS_TEST_TMPDIR/srv.out")
	assert_equal "$(jq -r .error <<<"$result")" ETIMEDOUT
	elapsed=$(jq -r .elapsed_ms <<<"$result")
	# Without the option Linux would retry for about 15 minutes.
	assert [ "$elapsed" -ge 2500 ]
	assert [ "$elapsed" -le 9000 ]
}

@test "uto: every puts the option on every segment; set syn takes it back to the handshake" {
	tcpopt option add uto 120s every cgroup "$CG_C"
	bulk_transfer
	assert_every_segment 1c040078 find_option 28
	tcpopt option set uto syn cgroup "$CG_C"
	bulk_transfer
	# the SYN and the connecting side's first ACK, nothing after
	count_carrying 1c040078 find_option 28
	assert [ "$TOTAL" -gt 10 ]
	assert_equal "$WITH" 2
}

@test "uto: filters decide on the wire: dport, dst on the sender; sport, src, dst on the receiver; IPv4, IPv6, v4-mapped" {
	filters_on_the_wire "uto 120s" "uto 1s min 1s" uto find_option 28
}

@test "uto: ignore keeps the local timeout and counts the refusal; set accept and set ignore switch" {
	tcpopt option add uto 120s cgroup "$CG_C"
	tcpopt option add uto 2s min 1s ignore cgroup "$CG_S"
	handshake 192.0.2.2
	assert_equal "$(jq -r .user_timeout_ms <<<"$SERVER_REPORT")" 2000
	run tcpopt -j option show uto cgroup "$CG_S"
	assert_success
	assert_equal "$(jq -r '.stats.refused, .stats.applied' <<<"$output" | paste -sd' ')" "1 0"
	tcpopt option set uto accept cgroup "$CG_S"
	handshake 192.0.2.2
	assert_equal "$(jq -r .user_timeout_ms <<<"$SERVER_REPORT")" 120000
	run tcpopt -j option show uto cgroup "$CG_S"
	assert_success
	assert_equal "$(jq -r '.stats.refused, .stats.applied, .params.timeout_ms' <<<"$output" | paste -sd' ')" "1 1 2000"
	tcpopt option set uto ignore cgroup "$CG_S"
	handshake 192.0.2.2
	assert_equal "$(jq -r .user_timeout_ms <<<"$SERVER_REPORT")" 2000
	assert_equal "$(stat_of uto refused "$CG_S")" 2
}

@test "uto: the receiver's min (L_LIMIT) wins over a shorter request" {
	tcpopt option add uto 120s cgroup "$CG_C"
	tcpopt option add uto 1s min 5min cgroup "$CG_S"
	handshake 192.0.2.2
	assert_equal "$(find_option "$SYN" 28)" "1c040078"
	# max(ADV_UTO 1s, REMOTE_UTO 120s, L_LIMIT 5min), under the default U 1h
	assert_equal "$(jq -r .user_timeout_ms <<<"$SERVER_REPORT")" 300000
	assert_equal "$(stat_of uto applied "$CG_S")" 1
}

# A peer's malformed options: counted, and the connection still made.
malformed_case() {
	tcpopt option add uto 2s min 1s cgroup "$CG_S"
	craft_peer "$1" "$2"
	# The server kept its own timeout: nothing was taken from the junk.
	assert_equal "$(jq -r .user_timeout_ms <<<"$SERVER_REPORT")" 2000
	run tcpopt -j option show uto cgroup "$CG_S"
	assert_success
	assert_equal "$(jq -r .stats.malformed <<<"$output")" 1
	assert_equal "$(jq -r .stats.applied <<<"$output")" 0
}

@test "uto: a peer's option with a wrong length is counted as malformed" {
	malformed_case 1c0300 ""
}

@test "uto: a peer's option longer than 4 bytes is counted as malformed" {
	malformed_case 1c06000a0000 ""
}

@test "uto: a peer's zero timeout is counted as malformed" {
	malformed_case 1c040000 ""
}

@test "uto: an option list that runs past the header is counted as malformed" {
	# MSS, then a UTO claiming 20 bytes in an 8-byte option area
	malformed_case 020405b41c140078 ""
}

@test "uto: list, show and set agree in JSON" {
	tcpopt option add uto 30s min 10s max 5min sport 80 src 192.0.2.0/24 every cgroup "$CG_C"
	run tcpopt -j option list cgroup "$CG_C"
	assert_success
	assert_jq .
	assert_equal "$(jq -r '.[0].option' <<<"$output")" uto
	assert_equal "$(jq -r '.[0].cgroup' <<<"$output")" "/$CG_C"
	assert_equal "$(jq -r '.[0].params.timeout_ms' <<<"$output")" 30000
	assert_equal "$(jq -r '.[0].params.min_ms' <<<"$output")" 10000
	assert_equal "$(jq -r '.[0].params.max_ms' <<<"$output")" 300000
	assert_equal "$(jq -r '.[0].where' <<<"$output")" every
	assert_equal "$(jq -r '.[0].filter.sport' <<<"$output")" 80
	assert_equal "$(jq -r '.[0].filter.src' <<<"$output")" 192.0.2.0/24
	assert_equal "$(jq -r '.[0].attached' <<<"$output")" true
	tcpopt option set uto 40s syn cgroup "$CG_C"
	run tcpopt -j option show uto cgroup "$CG_C"
	assert_success
	assert_equal "$(jq -r '.params.timeout_ms, .params.min_ms, .where' <<<"$output" | tr '\n' ' ')" "40000 10000 syn "
	# The text table shows the same.
	run tcpopt option list cgroup "$CG_C"
	assert_success
	assert_line --index 1 --regexp "^/$CG_C +uto +timeout 40s min 10s max 5min +syn +accept +probe +sport 80 src 192.0.2.0/24 +yes$"
	# show as text: a line per field
	run tcpopt option show uto cgroup "$CG_C"
	assert_success
	assert_line --regexp '^option +uto$'
	assert_line --regexp "^cgroup +/$CG_C$"
	assert_line --regexp '^params +timeout 40s min 10s max 5min$'
	assert_line --regexp '^filter +sport 80 src 192\.0\.2\.0/24$'
	assert_line --regexp '^stats +sent 0 received 0 '
	# -s: the list carries each attachment's counters too
	run tcpopt -j option list cgroup "$CG_C"
	assert_success
	assert_jq 'length == 1 and all(has("stats") | not)'
	run tcpopt -s -j option list cgroup "$CG_C"
	assert_success
	assert_jq '.[0].stats | has("sent") and has("no_room") and has("error")'
	run tcpopt -s option list cgroup "$CG_C"
	assert_success
	assert_line --index 0 --regexp ' STATS$'
	assert_line --index 1 --regexp ' sent 0 received 0 applied 0 .*error 0 .*fallback 0$'
	# -p: the same JSON, indented
	run tcpopt -p option list cgroup "$CG_C"
	assert_success
	assert_jq 'length == 1 and .[0].option == "uto" and .[0].params.timeout_ms == 40000'
	assert_line --index 0 '['
	assert_line --index 1 '    {'
	assert [ "${#lines[@]}" -gt 10 ]
}

@test "uto: adding twice is refused unless replace; replace swaps in place" {
	tcpopt option add uto 30s cgroup "$CG_C"
	link1=$(tcpopt -j option show uto cgroup "$CG_C" | jq .link_id)
	run tcpopt option add uto 60s cgroup "$CG_C"
	assert_failure 1
	assert_output --partial "uto is already attached to cgroup /$CG_C"
	tcpopt option add uto 60s cgroup "$CG_C" replace
	run tcpopt -j option show uto cgroup "$CG_C"
	assert_success
	assert_equal "$(jq -r .params.timeout_ms <<<"$output")" 60000
	# Same link, new program: never a moment without the option.
	assert_equal "$(jq -r .link_id <<<"$output")" "$link1"
	assert_equal "$(tcpopt -j option list cgroup "$CG_C" | jq length)" 1
}

@test "uto: a failed add pins nothing" {
	run tcpopt option add uto 30s min 1min max 10s cgroup "$CG_C"
	assert_failure 2
	assert_output "tcpopt: option: min 1min is above max 10s"
	pinned_nothing "$CG_C"
}

@test "uto: del, set and show of an option that is not attached fail" {
	for cmd in "del uto" "show uto" "set uto 5s"; do
		run tcpopt option $cmd cgroup "$CG_C"
		assert_failure 1
		assert_output "tcpopt: option: uto is not attached to cgroup /$CG_C"
	done
}

@test "uto: the attachment outlives tcpopt and a deleted cgroup shows as such" {
	tcpopt option add uto 30s cgroup "$CG_C"
	# the driver of the cgroup's built-in options
	run bpftool -j cgroup show "$(cgroup2_root)/$CG_C"
	assert_success
	assert_equal "$(jq -r '.[0].name' <<<"$output")" tcpopt
	rmdir "$(cgroup2_root)/$CG_C"
	run tcpopt -j option list
	assert_success
	entry=$(jq -c '.[] | select(.cgroup == "(deleted)")' <<<"$output")
	assert [ -n "$entry" ]
	assert_equal "$(jq -r .attached <<<"$entry")" false
	run tcpopt -j option flush deleted
	assert_success
	assert_jq --arg cg "$CG_C" 'length >= 1 and all(.cgroup == "(deleted)")'
	run tcpopt -j option list
	assert_success
	assert_equal "$(jq '[.[] | select(.cgroup == "(deleted)")] | length' <<<"$output")" 0
}

@test "uto: concurrent adds cannot corrupt the state (lock)" {
	make_cgroup "$TAG-other"
	# (each add on CG_C but one fails: already attached, differently)
	pids=() replacing=()
	for i in $(seq 8); do
		"$TCPOPT" option add uto $((i * 10))s cgroup "$CG_C" 2>/dev/null &
		pids+=($!)
		"$TCPOPT" option add uto $((i * 10))s cgroup "$CG_S" replace &
		replacing+=($!)
	done
	failed=0
	for pid in "${pids[@]}"; do
		wait "$pid" || failed=$((failed + 1))
	done
	assert_equal "$failed" 7
	for pid in "${replacing[@]}"; do
		assert_wait "$pid"
	done
	run tcpopt -j option list cgroup "$CG_C"
	assert_success
	assert_equal "$(jq length <<<"$output")" 1
	run tcpopt -j option list cgroup "$CG_S"
	assert_success
	assert_equal "$(jq length <<<"$output")" 1
	assert_equal "$(jq '.[0].attached' <<<"$output")" true
	# no staging directory is left behind, and one link per cgroup
	for cg in "$CG_C" "$CG_S"; do
		cgid=$(stat -c %i "$(cgroup2_root)/$cg")
		assert_equal "$(ls "/sys/fs/bpf/tcpopt/$cgid")" uto
		assert_equal "$(bpftool -j cgroup show "$(cgroup2_root)/$cg" | jq length)" 1
	done
}
