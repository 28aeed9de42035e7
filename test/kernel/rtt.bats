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

# delay DEV MS [NETEM...]: netem on the client's DEV, so that the RTT over it
# is MS; NETEM (default "limit 100000") e.g. "rate 20mbit limit 40" makes a
# path of that rate with a short queue (a longer one would add to its RTT)
delay() {
	local dev=$1 ms=$2
	shift 2
	[ $# -gt 0 ] || set -- limit 100000
	ip netns exec "$NS_A" tc qdisc add dev "$dev" root netem delay "${ms}ms" "$@"
}

# trickle: the client sends 30 one-byte segments 100 ms apart to a server
# that does not read (a reading one ACKs what it drains at once); prints the
# median delay, in ms, of the server's ACK of each of the last 10, as
# tshark measures it (tcp.analysis.ack_rtt) in a capture on its side.  The
# first 16 are ACKed at once (quick-ACK mode); after them each waits for the
# delayed-ACK timer, which the kernel bounds by the receiver's srtt (here
# the handshake's: it sends no data): the default delay at 40 ms RTT is
# 41-48 ms under TCG.  At 50 ms apart the next segment often came before
# that timer and was ACKed at once with the one before (its delay: 0 ms).
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
time.sleep(6)
' "$PORT" >"$BATS_TEST_TMPDIR/server" 3>&-
	wait_for "$BATS_TEST_TMPDIR/server" listening
	in_cgroup "$CG_C" "$NS_A" python3 -c '
import socket, sys, time
s = socket.create_connection(("192.0.2.2", int(sys.argv[1])))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
for _ in range(30):
    s.send(b"x")
    time.sleep(0.1)
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

# within MS LOW HIGH WHAT: assert LOW <= MS <= HIGH, saying what it was.
# The bounds: the kernel arms the delayed-ACK timer in jiffies (HZ=250: 4
# ms), rounding the timeout up, and fires it up to a jiffy late; under TCG
# the emulated receiver adds a few ms more.  So a timeout T is seen as
# T..T+8 ms, and up to ~14 ms over T on a loaded machine.  Measured on
# 2026-12-01 (the first two runs beside a kernel build):
#                  50 ms apart   100 ms apart
#   default            0          58, 54
#   0.25 at 40        16          16, 15
#   0.1 at 160        25          22, 22
#   max 25            32          30, 33
#   min 20            24          24, 26
# Each bound also keeps out what a broken request gives: the default (~45
# or ~160 ms), the unclamped 80 ms, the 8 ms floor.
within() {
	echo "$4: ACK delay $1 ms (expected $2..$3)" >&3
	assert [ "$1" -ge "$2" ]
	assert [ "$1" -le "$3" ]
}

@test "delack: the default delay at 40 ms RTT is the kernel's (~40 ms), not a fraction" {
	within "$(acked_delay 40 -)" 30 65 "RTT 40 ms, no request"
}

@test "delack timeout 0.25 at 40 ms RTT: the receiver ACKs after ~10 ms" {
	within "$(acked_delay 40 0.25)" 8 24 "RTT 40 ms, timeout 0.25 (10 ms)"
	assert_equal "$("$TCPOPT" -j option show delack cgroup "/$CG_S" | jq .stats.applied)" 1
}

@test "delack timeout 0.1 at 160 ms RTT: ~16 ms, the same fraction of a longer RTT" {
	within "$(acked_delay 160 0.1)" 14 32 "RTT 160 ms, timeout 0.1 (16 ms)"
}

@test "delack timeout 0.5 at 160 ms RTT, the receiver's max 25ms: clamped to 25 ms" {
	within "$(acked_delay 160 0.5 max 25ms)" 23 40 "RTT 160 ms, timeout 0.5 (80 ms), max 25 ms"
}

@test "delack timeout 0.1 at 40 ms RTT, the receiver's min 20ms: raised to 20 ms" {
	within "$(acked_delay 40 0.1 min 20ms)" 18 34 "RTT 40 ms, timeout 0.1 (4 ms), min 20 ms"
}

# MSS over veth (MTU 1500) with timestamps: 1500 - 20 - 20 - 12
MSS=1448

# per_ack SEGS: a 2 MB transfer over a 40 ms RTT, the client asking for
# delack segs SEGS (0: nothing); prints, from a capture on the server's
# side, "TOTAL N1 N2 N8 MOST MEAN": the server's ACKs, how many acknowledge
# exactly 1, 2 and 8 full segments more than the one before, the most
# frequent count among those of more than one segment, and the data
# segments per ACK; then "SEGS:ACKS" pairs, for the log.  The receiver
# ACKs when the SEGS-th full segment is in (the kernel's default: the
# 2nd); the ACKs of one segment are quick ACKs (the start, and each time
# the emulated receiver falls idle: as many with or without segs), the
# odd ones the delayed-ACK timer's at the end of a burst.
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
	tshark -r "$cap" -T fields -e tcp.srcport -e tcp.len -e tcp.ack 2>/dev/null |
		awk -v p="$PORT" -v mss=$MSS '
		$1 != p && $2 > 0 { data++ }
		$1 == p && $3 > last { d = $3 - last; last = $3
			if (d % mss == 0) hist[d / mss]++
			acks++ }
		END {
			for (s in hist) if (s > 1 && hist[s] > best) { best = hist[s]; most = s }
			printf "%d %d %d %d %d %.2f", acks, hist[1], hist[2], hist[8], most,
				data / acks
			for (s = 1; s <= 16; s++) if (hist[s]) printf " %d:%d", s, hist[s]
			printf "\n"
		}'
}

@test "delack segs over a 40 ms RTT: ACKs of 2 full segments by default, of 8 with segs 8, of 1 with segs 1" {
	local dflt eight one
	delay veth-a1 40
	dflt=($(per_ack 0))
	eight=($(per_ack 8))
	one=($(per_ack 1))
	echo "ACKs at 40 ms RTT (total, of 1, 2, 8 segments, most frequent of 2+, data segments" \
		"per ACK, SEGS:ACKS): default ${dflt[*]}; segs 8 ${eight[*]}; segs 1 ${one[*]}" >&3
	# One run (under load): default 737 = 323 of 1, 412 of 2; segs 8 429 =
	# 322 of 1, 102 of 8, 1 of 2; segs 1 1287 = 1285 of 1.  2 MB are 1381
	# segments: hundreds of ACKs at the least.
	assert [ "${dflt[0]}" -ge 100 ]
	assert [ "${eight[0]}" -ge 100 ]
	assert [ "${one[0]}" -ge 100 ]
	# the default: every second segment, never after 8
	assert_equal "${dflt[4]}" 2
	assert [ $(( dflt[2] * 100 )) -ge $(( dflt[0] * 5 )) ]
	assert [ $(( dflt[3] * 100 )) -le $(( dflt[0] * 1 )) ]
	# segs 8: after 8, those of 2 gone
	assert_equal "${eight[4]}" 8
	assert [ "${eight[3]}" -ge 20 ]
	assert [ $(( eight[2] * 100 )) -le $(( eight[0] * 2 )) ]
	# segs 1: each segment
	assert [ $(( one[1] * 100 )) -ge $(( one[0] * 80 )) ]
	assert [ $(( one[2] * 100 )) -le $(( one[0] * 2 )) ]
}

# bulk_mptcp ADDR [BYTES]: an MPTCP client of CG_C sends BYTES (default 8
# MB) to a server in NS_B and holds the connection; leaves the client's
# subflow list (JSON) in $BATS_TEST_TMPDIR/subflows once all is acknowledged
bulk_mptcp() {
	local bytes=${2:-8000000}
	ip -n "$NS_B" mptcp limits set subflows 8 add_addr_accepted 8
	bg in_b python3 "$KTEST_DIR/bulk.py" server 0.0.0.0 "$PORT" --mptcp \
		>"$BATS_TEST_TMPDIR/server" 3>&-
	wait_for "$BATS_TEST_TMPDIR/server" listening
	bg in_cgroup "$CG_C" "$NS_A" python3 "$KTEST_DIR/bulk.py" client "$1" "$PORT" \
		"$bytes" --mptcp --hold 8 3>&-
	for _ in $(seq 300); do
		"$TCPOPT" -n "$NS_A" -j subflow list >"$BATS_TEST_TMPDIR/subflows"
		if jq -e '.[0].subflows | length > 0 and (map(.bytes_acked) | add) >= '"$bytes" \
			"$BATS_TEST_TMPDIR/subflows" >/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	cat "$BATS_TEST_TMPDIR/subflows" >&2
	return 1
}

# The default scheduler sends on the subflow that empties its queue first:
# over an unlimited veth the fast path never fills, and the slow one carried
# 1 byte of 8 MB.  The fast path is a 20 Mbit/s one here, its netem
# holding 30 packets (those of its 10 ms included: a longer queue would
# lift its RTT to the other's), so that once it is full the 50 ms path
# carries data too.  One run: to 198.51.100.2 2.9 and 3.4 MB at 50 ms, to
# 192.0.2.2 1.3 MB at 40 ms (a queue of 40) and 0.4 MB at 21 ms.
@test "fullmesh over a 10 ms 20 Mbit/s path and a 50 ms path: 4 subflows, each path carries data" {
	path_add 2 198.51.100 2001:db8:2
	ip -n "$NS_B" mptcp endpoint add 198.51.100.2 dev veth-b2 signal
	delay veth-a1 10 rate 20mbit limit 30
	delay veth-a2 50
	"$TCPOPT" -n "$NS_A" pm set fullmesh cgroup "/$CG_C" >/dev/null
	bulk_mptcp 192.0.2.2
	jq -r '.[0].subflows[] | "\(.laddr) -> \(.raddr): rtt \(.rtt_us / 1000 | floor) ms, \(.bytes_acked) bytes"' \
		"$BATS_TEST_TMPDIR/subflows" >&3
	run jq '.[0].subflows | length' "$BATS_TEST_TMPDIR/subflows"
	assert_success
	assert_output 4
	# the client's route to 192.0.2.2 leaves by veth-a1 (10 ms), to
	# 198.51.100.2 by veth-a2 (50 ms), whatever the source address
	run jq '[.[0].subflows[] | select(.raddr == "192.0.2.2" and .rtt_us < 45000 and .bytes_acked >= 100000)] | length' \
		"$BATS_TEST_TMPDIR/subflows"
	assert_success
	assert [ "$output" -ge 1 ]
	run jq '[.[0].subflows[] | select(.raddr == "198.51.100.2" and .rtt_us >= 45000 and .rtt_us < 120000 and .bytes_acked >= 100000)] | length' \
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
