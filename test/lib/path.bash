# SPDX-License-Identifier: GPL-2.0
# A client and a server with a router between them (test/path.bats): three
# namespaces, $NS_C - $NS_R - $NS_S, the router forwarding.  The middlebox
# (TCPOPTSTRIP, an nftables drop) goes in the router.  Load after
# lib/common and lib/conn (serve, connect, handshake work unchanged on
# $NS_C/$NS_S).
#
#   client veth0 192.0.2.1/24     2001:db8::1/64
#   router veth0 192.0.2.254/24   2001:db8::fe/64
#          veth1 198.51.100.254/24 2001:db8:1::fe/64
#   server veth0 198.51.100.2/24  2001:db8:1::2/64

SRV4=198.51.100.2
SRV6=2001:db8:1::2

make_netns_routed() {
	local tag ns
	tag=$(test_tag)
	NS_C=${tag}c
	NS_R=${tag}r
	NS_S=${tag}s
	for ns in "$NS_C" "$NS_R" "$NS_S"; do
		ip netns add "$ns"
		CLEANUP_NETNS+=("$ns")
		ip -n "$ns" link set lo up
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0
	done
	ip -n "$NS_C" link add veth0 type veth peer name veth0 netns "$NS_R"
	ip -n "$NS_S" link add veth0 type veth peer name veth1 netns "$NS_R"
	ip netns exec "$NS_R" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	ip -n "$NS_C" addr add 192.0.2.1/24 dev veth0
	ip -n "$NS_C" addr add 2001:db8::1/64 dev veth0 nodad
	ip -n "$NS_R" addr add 192.0.2.254/24 dev veth0
	ip -n "$NS_R" addr add 2001:db8::fe/64 dev veth0 nodad
	ip -n "$NS_R" addr add 198.51.100.254/24 dev veth1
	ip -n "$NS_R" addr add 2001:db8:1::fe/64 dev veth1 nodad
	ip -n "$NS_S" addr add $SRV4/24 dev veth0
	ip -n "$NS_S" addr add $SRV6/64 dev veth0 nodad
	ip -n "$NS_C" link set veth0 up
	ip -n "$NS_R" link set veth0 up
	ip -n "$NS_R" link set veth1 up
	ip -n "$NS_S" link set veth0 up
	ip -n "$NS_C" route add default via 192.0.2.254
	ip -n "$NS_C" -6 route add default via 2001:db8::fe
	ip -n "$NS_S" route add default via 198.51.100.254
	ip -n "$NS_S" -6 route add default via 2001:db8:1::fe
}

# path_setup: root, the three namespaces, $CG_C/$CG_S, $PCAP (server side).
path_setup() {
	require_root
	make_netns_routed
	conn_cgroups
	PCAP=$BATS_TEST_TMPDIR/srv.pcap
}

# strip_in_router KIND: the router strips that option kind (as NOPs) from
# every TCP segment it forwards, both ways.
strip_in_router() {
	ip netns exec "$NS_R" iptables -t mangle -A FORWARD -p tcp \
		-j TCPOPTSTRIP --strip-options "$1"
}

# drop_syn_in_router KIND: the router drops the SYNs that carry that kind.
drop_syn_in_router() {
	ip netns exec "$NS_R" nft -f - <<-EOF
		table inet t {
			chain f { type filter hook forward priority 0; }
		}
	EOF
	ip netns exec "$NS_R" nft add rule inet t f tcp flags syn tcp option "$1" exists drop
}

# echo_of HEX: the echo (kind 253, ExID 0x4543) of one packet's options.
echo_of() {
	find_exp "$1" 253 4543
}

# echo_bits NAME...: the echo's bits of options: uto (bit 0), or an ExID
# (bit 1 + ExID % 15), as 4 hex digits.
echo_bits() {
	local v=0 w
	for w in "$@"; do
		case $w in
		uto) v=$((v | 1)) ;;
		*) v=$((v | 1 << (1 + w % 15))) ;;
		esac
	done
	printf '%04x' "$v"
}

# path_row CGROUP DST: the destination's row of "path list -j" (null if none).
path_row() {
	"$TCPOPT" -j path list dst "$2" cgroup "$1" | jq -c '.[0]'
}
