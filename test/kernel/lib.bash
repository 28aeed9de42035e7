# SPDX-License-Identifier: GPL-2.0
# Shared setup for the kernel tests: they run as root inside the test VM
# (kernel/vm-run), where /run/netns, /sys/fs/bpf and the cgroup2 root are
# private to the VM.  Only documentation addresses are used.

load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load
load "$(dirname "${BASH_SOURCE[0]}")/../lib/assert"

KTEST_OBJ=${KTEST_OBJ:?KTEST_OBJ: directory of the compiled test BPF objects}
KTEST_DIR=$BATS_TEST_DIRNAME
TCPOPT=${TCPOPT:-$KTEST_DIR/../../tcpopt/tcpopt}
NS_A=ktest-a	# client
NS_B=ktest-b	# server
PIN=/sys/fs/bpf/ktest
CGROUP=/sys/fs/cgroup

in_a() { ip netns exec "$NS_A" "$@"; }
in_b() { ip netns exec "$NS_B" "$@"; }

# One path: veth-a1 192.0.2.1 / 2001:db8:1::1 <-> veth-b1 192.0.2.2 / 2001:db8:1::2
netns_setup() {
	ip netns add "$NS_A"
	ip netns add "$NS_B"
	ip -n "$NS_A" link set lo up
	ip -n "$NS_B" link set lo up
	path_add 1 192.0.2 2001:db8:1
}

# path_add N V4PREFIX V6PREFIX: another veth pair between the namespaces
path_add() {
	local n=$1 v4=$2 v6=$3
	ip link add "veth-a$n" netns "$NS_A" type veth peer name "veth-b$n" netns "$NS_B"
	ip -n "$NS_A" addr add "$v4.1/24" dev "veth-a$n"
	ip -n "$NS_B" addr add "$v4.2/24" dev "veth-b$n"
	ip -n "$NS_A" addr add "$v6::1/64" dev "veth-a$n" nodad
	ip -n "$NS_B" addr add "$v6::2/64" dev "veth-b$n" nodad
	ip -n "$NS_A" link set "veth-a$n" up
	ip -n "$NS_B" link set "veth-b$n" up
}

netns_teardown() {
	ip netns del "$NS_A" 2>/dev/null || true
	ip netns del "$NS_B" 2>/dev/null || true
}

# bpf_load NAME: load $KTEST_OBJ/NAME.bpf.o as a sockops program, pin it and
# its maps under $PIN, attach it to the cgroup2 root (every process here).
bpf_load() {
	local name=$1
	mkdir -p "$PIN"
	bpftool prog load "$KTEST_OBJ/$name.bpf.o" "$PIN/$name" type sockops \
		pinmaps "$PIN/$name-maps"
	bpftool cgroup attach "$CGROUP" sock_ops pinned "$PIN/$name"
}

bpf_unload() {
	local name=$1
	bpftool cgroup detach "$CGROUP" sock_ops pinned "$PIN/$name" 2>/dev/null || true
	rm -rf "$PIN"
}

# le32 N: N as four little-endian bytes for bpftool
le32() {
	local v=$(( $1 & 0xffffffff ))
	printf '%d %d %d %d' $(( v & 255 )) $(( (v >> 8) & 255 )) \
		$(( (v >> 16) & 255 )) $(( (v >> 24) & 255 ))
}

# map_set NAME MAP KEY VALUE (32-bit key and value)
map_set() {
	bpftool map update pinned "$PIN/$1-maps/$2" key $(le32 "$3") value $(le32 "$4")
}

# map_get NAME MAP KEY: the 32-bit value, as a signed decimal
map_get() {
	local bytes v
	bytes=$(bpftool -j map lookup pinned "$PIN/$1-maps/$2" key $(le32 "$3") |
		jq -r '.value | reverse | join(" ")')
	v=0
	for b in $bytes; do v=$(( (v << 8) | b )); done
	(( v >= 0x80000000 )) && v=$(( v - 0x100000000 ))
	echo "$v"
}

# wait_for FILE PATTERN: wait (up to 10 s) until FILE contains PATTERN
wait_for() {
	local i
	for i in $(seq 100); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "timed out waiting for '$2' in $1" >&2
	return 1
}

# subflows NS PORT: established TCP subflows in NS towards remote port PORT
subflows() {
	ip netns exec "$1" ss -Htn state established "( dport = :$2 )" | wc -l
}

# wait_subflows NS PORT N: wait (up to 20 s) for exactly N subflows
wait_subflows() {
	local i n
	for i in $(seq 200); do
		n=$(subflows "$1" "$2")
		[ "$n" -eq "$3" ] && return 0
		sleep 0.1
	done
	echo "expected $3 subflows in $1 to port $2, found $n:" >&2
	ip netns exec "$1" ss -Htn state established "( dport = :$2 )" >&2
	return 1
}

# mptcp_server PORT [V6]: an MPTCP bulk receiver on all addresses of NS_B
mptcp_server() {
	local any=0.0.0.0
	[ -n "${2:-}" ] && any=::
	in_b python3 "$KTEST_DIR/bulk.py" server "$any" "$1" --mptcp \
		>"$BATS_TEST_TMPDIR/server.out" 3>&- &
	SERVER_PID=$!
	wait_for "$BATS_TEST_TMPDIR/server.out" listening
}

# mptcp_client ADDR PORT HOLD: send a little, keep the connection HOLD s
mptcp_client() {
	in_a python3 "$KTEST_DIR/bulk.py" client "$1" "$2" 100000 --mptcp \
		--hold "$3" 3>&- &
	CLIENT_PID=$!
}

mptcp_finish() {
	wait "$CLIENT_PID"
	wait "$SERVER_PID"
	assert grep -qx 100000 "$BATS_TEST_TMPDIR/server.out"
}

# count_sf NS FILTER: established TCP subflows in NS that match the ss FILTER
count_sf() {
	ip netns exec "$1" ss -Htn state established "$2" | wc -l
}

# now_ms: a monotonic-enough clock for latencies, in milliseconds
now_ms() {
	echo $(( $(date +%s%N) / 1000000 ))
}

# wait_sf_since T0 NS FILTER N: wait (up to 10 s after T0, in ms) for exactly
# N subflows in NS matching FILTER; prints the ms from T0 it took
wait_sf_since() {
	local t0=$1 ns=$2 filter=$3 want=$4 n t
	while :; do
		n=$(count_sf "$ns" "$filter")
		t=$(now_ms)
		if [ "$n" -eq "$want" ]; then
			echo $(( t - t0 ))
			return 0
		fi
		if [ $(( t - t0 )) -gt 10000 ]; then
			echo "expected $want subflows in $ns ($filter), found $n:" >&2
			ip netns exec "$ns" ss -Htn state established "$filter" >&2
			return 1
		fi
		sleep 0.02
	done
}

# failure_dump: from teardown, when the test failed, what the kernel saw:
# its log, and the MPTCP counters and sockets of both namespaces
failure_dump() {
	local ns
	[ -z "${BATS_TEST_COMPLETED:-}" ] || return 0
	{
		echo "--- kernel log"
		dmesg | tail -n 40
		for ns in "$NS_A" "$NS_B"; do
			ip netns list | grep -qw "$ns" || continue
			echo "--- $ns: MPTCP counters"
			ip netns exec "$ns" nstat -asz 2>/dev/null | awk '$1 ~ /^MPTcp/ && $2 != 0'
			echo "--- $ns: sockets"
			ip netns exec "$ns" ss -tniMa 2>/dev/null
		done
	} >&2
}
