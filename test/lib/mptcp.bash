# SPDX-License-Identifier: GPL-2.0
# MPTCP test network: two namespaces joined by two veth pairs (two paths).
#   path 0: veth0  192.0.2.1/24    <-> 192.0.2.2/24     2001:db8:1::1/64 <-> ::2
#   path 1: veth1  198.51.100.1/24 <-> 198.51.100.2/24  2001:db8:2::1/64 <-> ::2
# $NS_C is the client side (.1), $NS_S the server side (.2).  Everything is
# registered in the cleanup arrays of common.bash: call cleanup_all from
# teardown().

make_mptcp_pair() {
	local ns i
	add_netns_pair
	for i in 0 1; do
		ip -n "$NS_C" link add "veth$i" type veth peer name "veth$i" netns "$NS_S"
	done
	for ns in "$NS_C" "$NS_S"; do
		ip -n "$ns" link set lo up
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0 net.mptcp.enabled=1
	done
	ip -n "$NS_C" addr add 192.0.2.1/24 dev veth0
	ip -n "$NS_S" addr add 192.0.2.2/24 dev veth0
	ip -n "$NS_C" addr add 198.51.100.1/24 dev veth1
	ip -n "$NS_S" addr add 198.51.100.2/24 dev veth1
	ip -n "$NS_C" addr add 2001:db8:1::1/64 dev veth0 nodad
	ip -n "$NS_S" addr add 2001:db8:1::2/64 dev veth0 nodad
	ip -n "$NS_C" addr add 2001:db8:2::1/64 dev veth1 nodad
	ip -n "$NS_S" addr add 2001:db8:2::2/64 dev veth1 nodad
	for ns in "$NS_C" "$NS_S"; do
		ip -n "$ns" link set veth0 up
		ip -n "$ns" link set veth1 up
	done
}

# start_server NS ADDR PORT: the echo server, listening when this returns.
start_server() {
	local ns=$1 addr=$2 port=$3 out
	out=$(mktemp)
	CLEANUP_FILES+=("$out")
	ip netns exec "$ns" "$HELPERS/mptcp_server" "$addr" "$port" >"$out" &
	CLEANUP_PIDS+=($!)
	for _ in $(seq 100); do
		grep -q listening "$out" && return 0
		sleep 0.05
	done
	echo "mptcp_server did not start" >&2
	return 1
}

# start_client NS ADDR PORT COUNT: COUNT connections held open; their
# tokens are in $CLIENT_OUT (one per line) when this returns.  With
# CLIENT_CGROUP set, the client runs in that cgroup.
start_client() {
	local ns=$1 addr=$2 port=$3 count=${4:-1}
	CLIENT_OUT=$(mktemp)
	CLEANUP_FILES+=("$CLIENT_OUT")
	if [ -n "${CLIENT_CGROUP:-}" ]; then
		in_cgroup "$CLIENT_CGROUP" "$ns" "$HELPERS/mptcp_client" "$addr" "$port" "$count" >"$CLIENT_OUT" &
	else
		ip netns exec "$ns" "$HELPERS/mptcp_client" "$addr" "$port" "$count" >"$CLIENT_OUT" &
	fi
	CLIENT_PID=$!
	CLEANUP_PIDS+=($!)
	for _ in $(seq 400); do
		[ "$(wc -l <"$CLIENT_OUT")" -ge "$count" ] && return 0
		kill -0 "$CLIENT_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "mptcp_client: $(wc -l <"$CLIENT_OUT") of $count connections" >&2
	return 1
}

# genl_listeners NS: generic netlink sockets of NS that joined a group.
genl_listeners() {
	ip netns exec "$1" awk '$2 == 16 && $4 != "00000000"' /proc/net/netlink | wc -l
}

# start_listener OUT NS CMD...: CMD, an event listener of NS (tcpopt
# monitor or pm run, ip mptcp monitor), in the background, output in OUT;
# sets BG_PID.  Returns once it has joined a generic netlink group, so
# that no event made afterwards is missed.
start_listener() {
	local out=$1 ns=$2 before
	shift 2
	before=$(genl_listeners "$ns")
	CLEANUP_FILES+=("$out" "$out.err")
	"$@" >"$out" 2>"$out.err" &
	BG_PID=$!
	CLEANUP_PIDS+=($!)
	for _ in $(seq 200); do
		[ "$(genl_listeners "$ns")" -gt "$before" ] && return 0
		kill -0 "$BG_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "$* did not subscribe: $(cat "$out.err")" >&2
	return 1
}

# start_bg_tcpopt OUT -n NS ARGS...: start_listener for "tcpopt -n NS ARGS...".
start_bg_tcpopt() {
	start_listener "$1" "$3" "$TCPOPT" "${@:2}"
}

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds.
wait_for() {
	local tries=$(( $1 * 10 ))
	shift
	for _ in $(seq "$tries"); do
		"$@" && return 0
		sleep 0.1
	done
	"$@"
}

# stop_bg PID [SIGNAL]: SIGINT (or SIGNAL), then wait for it; its exit
# status is in $BG_STATUS.
stop_bg() {
	kill -"${2:-INT}" "$1" 2>/dev/null
	BG_STATUS=0
	wait "$1" || BG_STATUS=$?
}

# mptcp_setup: the setup() of the MPTCP suites: root, an MPTCP kernel, the
# two-path pair, $OUT for the test's files.
mptcp_setup() {
	require_root
	require_feature mptcp
	make_mptcp_pair
	OUT=$BATS_TEST_TMPDIR
}

# subflow_pairs NS: "laddr>raddr" of every subflow of the netns, sorted.
subflow_pairs() {
	"$TCPOPT" -n "$1" -j subflow list | jq -r '.[].subflows[] | "\(.laddr)>\(.raddr)"' | sort
}

# count_subflows NS: subflows of the first connection of the netns.
count_subflows() {
	"$TCPOPT" -n "$1" -j subflow list | jq '.[0].subflows | length'
}

subflows_are() {
	[ "$(count_subflows "$1")" = "$2" ]	# lint: bare-test (a predicate for wait_for)
}

# mesh_pairs NS: the distinct "laddr>raddr" pairs of the netns's subflows.
# Debian 12's 6.1 in-kernel full mesh opens some pairs twice or three
# times (make check-kernels saw it; the upstream bug is mptcp_net-next
# issue 435): the mesh is complete when every pair is there.
mesh_pairs() {
	subflow_pairs "$1" | uniq
}

mesh_pairs_are() {
	[ "$(mesh_pairs "$1" | wc -l)" = "$2" ]	# lint: bare-test (a predicate for wait_for)
}

# events_seen FILE EVENT N: FILE (monitor -j output) holds N EVENT lines.
events_seen() {
	[ "$(grep -c "\"event\":\"$2\"" "$1")" -eq "$3" ]	# lint: bare-test (a predicate for wait_for)
}

# mptcp_on_wire FILE FILTER FIELD...: the FIELDs (tcp.options.mptcp.X
# given as X, others in full: tcp.srcport) of each packet in FILE that
# matches the tshark display FILTER, one line each, separated by spaces
# (fields a packet lacks left out).
# An independent reader of the MPTCP options: MP_JOIN (subtype 1),
# ADD_ADDR (3), MP_PRIO (5).
mptcp_on_wire() {
	local file=$1 filter=$2 f args=() rc=0
	shift 2
	for f in "$@"; do
		case $f in
		tcp.* | ip.* | ipv6.* | frame.*) ;;
		*) f=tcp.options.mptcp.$f ;;
		esac
		args+=(-e "$f")
	done
	tshark -r "$file" -Y "$filter" -T fields -E separator=' ' "${args[@]}" \
		2>"$file.err" >"$file.out" || rc=$?
	grep -v '^Running as user' "$file.err" >&2
	tr -s ' ' <"$file.out" | sed 's/^ //; s/ $//'
	return $rc
}

# subflows_by_token NS FILE: "N" per token of FILE (one token a line), in order.
subflows_by_token() {
	"$TCPOPT" -n "$1" -j subflow list |
		jq -r --rawfile t "$2" '($t | split("\n") | map(select(length > 0) | tonumber)) as $want |
			(map({key: (.token | tostring), value: (.subflows | length)}) | from_entries) as $n |
			$want[] | ($n[tostring] // 0)'
}

# all_have NS FILE N: every connection of FILE (tokens) has N subflows.
all_have() {
	[ "$(subflows_by_token "$1" "$2" | sort -u)" = "$3" ]	# lint: bare-test (a predicate for wait_for)
}
