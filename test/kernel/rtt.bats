#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Real round-trip times, which the host (no netem) cannot make: netem in the
# guest delays what the client sends by the whole RTT, so that a capture on
# the server's side sees the server's own ACK delays undistorted.
#  - delack timeout FRACTION of the receiver's smoothed RTT, within its
#    min/max, measured on the wire at 40 and 160 ms;
#  - delack segs over an RTT: data segments per ACK;
#  - the BPF path managers over paths of different RTTs: subflows made and
#    data carried on each.

load ../lib/common
load lib

CG_C=ktest-rtt-c	# the data sender, who asks
CG_S=ktest-rtt-s	# the receiver, who applies
PORT=5201

setup() {
	netns_setup
	make_cgroup "$CG_C"
	make_cgroup "$CG_S"
}

teardown() {
	failure_dump
	"$TCPOPT" pm del cgroup "/$CG_C" 2>/dev/null || true
	cleanup_all
	netns_teardown
}

# delay DEV MS: netem on the client's DEV, so that the RTT over it is MS
delay() {
	ip netns exec "$NS_A" tc qdisc add dev "$1" root netem delay "${2}ms" limit 100000
}

# trickle: the client sends 30 one-byte segments 50 ms apart to a server that
# does not read (a reading one ACKs what it drains at once); prints the
# median delay, in ms, of the server's ACK of each of the last 10, as
# tshark measures it (tcp.analysis.ack_rtt) in a capture on its side.
trickle() {
	local cap=$BATS_TEST_TMPDIR/trickle.pcap dump
	ip netns exec "$NS_B" tcpdump -Z root -i veth-b1 -nn -U -s 128 -w "$cap" \
		"tcp port $PORT" 2>"$cap.log" 3>&- &
	dump=$!
	CLEANUP_PIDS+=("$dump")
	wait_for "$cap.log" "listening on"
	bg in_cgroup "$CG_S" "$NS_B" python3 -c '
import socket, sys, time
s = socket.create_server(("192.0.2.2", int(sys.argv[1])))
print("listening", flush=True)
c, _ = s.accept()
time.sleep(4)
' "$PORT" >"$BATS_TEST_TMPDIR/server" 3>&-
	wait_for "$BATS_TEST_TMPDIR/server" listening
	in_cgroup "$CG_C" "$NS_A" python3 -c '
import socket, sys, time
s = socket.create_connection(("192.0.2.2", int(sys.argv[1])))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
for _ in range(30):
    s.send(b"x")
    time.sleep(0.05)
time.sleep(0.5)
s.close()
' "$PORT" 3>&-
	sleep 0.5
	kill -INT "$dump"
	wait "$dump" || true	# lint: or-true (tcpdump ends on SIGINT)
	tshark -r "$cap" -Y "tcp.srcport == $PORT && tcp.analysis.ack_rtt" \
		-T fields -e tcp.analysis.ack_rtt 2>/dev/null | tail -n 10 |
		awk '{ print int($1 * 1000 + 0.5) }' | sort -n | sed -n 5p
}

# acked_delay RTT TIMEOUT [SERVER_ARGS...]: the client asks for TIMEOUT,
# the server applies it within SERVER_ARGS; prints the measured ACK delay
acked_delay() {
	local rtt=$1 timeout=$2
	shift 2
	delay veth-a1 "$rtt"
	if [ "$timeout" != - ]; then
		"$TCPOPT" option add delack timeout "$timeout" cgroup "/$CG_C" >/dev/null
	fi
	"$TCPOPT" option add delack "$@" cgroup "/$CG_S" >/dev/null
	trickle
}

# within MS LOW HIGH WHAT: assert LOW <= MS <= HIGH, saying what it was
within() {
	echo "$4: ACK delay $1 ms (expected $2..$3)" >&3
	assert [ "$1" -ge "$2" ]
	assert [ "$1" -le "$3" ]
}

@test "delack: the default delay at 40 ms RTT is the kernel's (~40 ms), not a fraction" {
	within "$(acked_delay 40 -)" 30 60 "RTT 40 ms, no request"
}

@test "delack timeout 0.25 at 40 ms RTT: the receiver ACKs after ~10 ms" {
	within "$(acked_delay 40 0.25)" 7 16 "RTT 40 ms, timeout 0.25 (10 ms)"
	assert_equal "$("$TCPOPT" -j option show delack cgroup "/$CG_S" | jq .stats.applied)" 1
}

@test "delack timeout 0.1 at 160 ms RTT: ~16 ms, the same fraction of a longer RTT" {
	within "$(acked_delay 160 0.1)" 12 24 "RTT 160 ms, timeout 0.1 (16 ms)"
}

@test "delack timeout 0.5 at 160 ms RTT, the receiver's max 25ms: clamped to 25 ms" {
	within "$(acked_delay 160 0.5 max 25ms)" 22 32 "RTT 160 ms, timeout 0.5 (80 ms), max 25 ms"
}

@test "delack timeout 0.1 at 40 ms RTT, the receiver's min 20ms: raised to 20 ms" {
	within "$(acked_delay 40 0.1 min 20ms)" 17 28 "RTT 40 ms, timeout 0.1 (4 ms), min 20 ms"
}

# per_ack SEGS: a 2 MB transfer over a 40 ms RTT, the client asking for
# delack segs SEGS (0: nothing); prints data segments per ACK of the server,
# counted in a capture on its side
per_ack() {
	local cap=$BATS_TEST_TMPDIR/bulk-$1.pcap dump
	in_a ethtool -K veth-a1 tso off gso off >/dev/null
	in_b ethtool -K veth-b1 gro off >/dev/null
	if [ "$1" != 0 ]; then
		"$TCPOPT" option add delack segs "$1" replace cgroup "/$CG_C" >/dev/null
	fi
	"$TCPOPT" option add delack replace cgroup "/$CG_S" >/dev/null
	ip netns exec "$NS_B" tcpdump -Z root -i veth-b1 -nn -U -s 96 -B 16384 -w "$cap" \
		"tcp port $PORT" 2>"$cap.log" 3>&- &
	dump=$!
	CLEANUP_PIDS+=("$dump")
	wait_for "$cap.log" "listening on"
	bg in_cgroup "$CG_S" "$NS_B" python3 "$KTEST_DIR/bulk.py" server 192.0.2.2 "$PORT" \
		--rcvlowat 1000000 >"$BATS_TEST_TMPDIR/server-$1" 3>&-
	wait_for "$BATS_TEST_TMPDIR/server-$1" listening
	in_cgroup "$CG_C" "$NS_A" python3 "$KTEST_DIR/bulk.py" client 192.0.2.2 "$PORT" 2000000 3>&-
	wait_for "$BATS_TEST_TMPDIR/server-$1" 2000000
	sleep 1
	kill -INT "$dump"
	wait "$dump" || true	# lint: or-true (tcpdump ends on SIGINT)
	tshark -r "$cap" -T fields -e tcp.srcport -e tcp.len 2>/dev/null |
		awk -v p="$PORT" '$1 != p && $2 > 0 { data++ } $1 == p { acks++ }
			END { printf "%.2f %d %d\n", data / acks, data, acks }'
}

@test "delack segs over a 40 ms RTT: about 2 segments per ACK by default, 8 with segs 8, 1 with segs 1" {
	local dflt eight one
	delay veth-a1 40
	dflt=($(per_ack 0))
	eight=($(per_ack 8))
	one=($(per_ack 1))
	echo "data segments per ACK (data, ACKs) at 40 ms RTT: default ${dflt[*]};" \
		"segs 8 ${eight[*]}; segs 1 ${one[*]}" >&3
	assert awk -v r="${dflt[0]}" 'BEGIN { exit !(r >= 1.6 && r <= 2.4) }'
	assert awk -v r="${eight[0]}" 'BEGIN { exit !(r >= 4) }'
	assert awk -v r="${one[0]}" 'BEGIN { exit !(r <= 1.2) }'
}

# bulk_mptcp ADDR: an MPTCP client of CG_C sends 8 MB to a server in NS_B
# and holds the connection; leaves the client's subflow list (JSON) in
# $BATS_TEST_TMPDIR/subflows once all is acknowledged
bulk_mptcp() {
	ip -n "$NS_B" mptcp limits set subflows 8 add_addr_accepted 8
	bg in_b python3 "$KTEST_DIR/bulk.py" server 0.0.0.0 "$PORT" --mptcp \
		>"$BATS_TEST_TMPDIR/server" 3>&-
	wait_for "$BATS_TEST_TMPDIR/server" listening
	bg in_cgroup "$CG_C" "$NS_A" python3 "$KTEST_DIR/bulk.py" client "$1" "$PORT" \
		8000000 --mptcp --hold 8 3>&-
	for _ in $(seq 300); do
		"$TCPOPT" -n "$NS_A" -j subflow list >"$BATS_TEST_TMPDIR/subflows"
		if jq -e '.[0].subflows | length > 0 and (map(.bytes_acked) | add) >= 8000000' \
			"$BATS_TEST_TMPDIR/subflows" >/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	cat "$BATS_TEST_TMPDIR/subflows" >&2
	return 1
}

@test "fullmesh over paths of 10 and 50 ms RTT: 4 subflows, each path carries data" {
	path_add 2 198.51.100 2001:db8:2
	ip -n "$NS_B" mptcp endpoint add 198.51.100.2 dev veth-b2 signal
	delay veth-a1 10
	delay veth-a2 50
	"$TCPOPT" -n "$NS_A" pm set fullmesh cgroup "/$CG_C" >/dev/null
	bulk_mptcp 192.0.2.2
	jq -r '.[0].subflows[] | "\(.laddr) -> \(.raddr): rtt \(.rtt_us / 1000 | floor) ms, \(.bytes_acked) bytes"' \
		"$BATS_TEST_TMPDIR/subflows" >&3
	run jq '.[0].subflows | length' "$BATS_TEST_TMPDIR/subflows"
	assert_success
	assert_output 4
	# the subflows leaving by veth-a1 see ~10 ms, those by veth-a2 ~50 ms
	run jq '[.[0].subflows[] | select(.rtt_us < 30000 and .bytes_acked >= 100000)] | length' \
		"$BATS_TEST_TMPDIR/subflows"
	assert_success
	assert [ "$output" -ge 1 ]
	run jq '[.[0].subflows[] | select(.rtt_us >= 40000 and .rtt_us < 120000 and .bytes_acked >= 100000)] | length' \
		"$BATS_TEST_TMPDIR/subflows"
	assert_success
	assert [ "$output" -ge 1 ]
}

@test "ndiffports 3 over a 20 ms RTT: 3 subflows of that RTT over one address pair, each carrying data" {
	delay veth-a1 20
	"$TCPOPT" pm set ndiffports 3 cgroup "/$CG_C" >/dev/null
	bulk_mptcp 192.0.2.2
	jq -r '.[0].subflows[] | "\(.laddr):\(.lport) -> \(.raddr): rtt \(.rtt_us / 1000 | floor) ms, \(.bytes_acked) bytes"' \
		"$BATS_TEST_TMPDIR/subflows" >&3
	run jq '.[0].subflows | length == 3 and
		all(.[]; .laddr == "192.0.2.1" and .rtt_us >= 15000 and .rtt_us < 80000 and .bytes_acked > 0)' \
		"$BATS_TEST_TMPDIR/subflows"
	assert_success
	assert_output true
}
