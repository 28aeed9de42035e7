#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The raw RFC 6994 experimental option end to end: the bytes on the wire,
# the peer's count of what it received, filters, malformed peers, bad input.

load lib/common
load lib/conn

PORT=5003

setup() {
	conn_setup
}

teardown() {
	cleanup_all
}

@test "exp: SYN, SYN-ACK and first ACK carry the option; the peer counts it (IPv4)" {
	tcpopt option add exp 0x4e2a 0xdeadbeef cgroup "$CG_C"
	tcpopt option add exp 0x4e2a 0x0102 cgroup "$CG_S"
	handshake 192.0.2.2
	# kind 254, length 8, ExID 0x4e2a, 4 bytes of data
	assert_equal "$(find_exp "$SYN" 254 4e2a)" fe084e2adeadbeef
	assert_equal "$(find_exp "$SYNACK" 254 4e2a)" fe064e2a0102
	assert_equal "$(find_exp "$ACK" 254 4e2a)" fe084e2adeadbeef
	run tcpopt -j option show exp 0x4e2a cgroup "$CG_S"
	assert_success
	assert_equal "$(jq -r '.stats | "\(.sent) \(.received) \(.malformed) \(.no_room) \(.error)"' <<<"$output")" "1 1 0 0 0"
	run tcpopt -j option show exp 0x4e2a cgroup "$CG_C"
	assert_success
	assert_equal "$(jq -r '.stats | "\(.sent) \(.received) \(.malformed)"' <<<"$output")" "2 1 0"
}

@test "exp: the same over IPv6, ExID given in decimal" {
	tcpopt option add exp 20010 cafe cgroup "$CG_C"
	tcpopt option add exp 0x4e2a 0x cgroup "$CG_S"
	handshake 2001:db8::2
	assert_equal "$(find_exp "$SYN" 254 4e2a)" fe064e2acafe
	# no data: the bare 4-byte option
	assert_equal "$(find_exp "$SYNACK" 254 4e2a)" fe044e2a
	assert_equal "$(stat_of exp 0x4e2a received "$CG_S")" 1
}

@test "exp: kind 253 and an ExID the peer does not have: on the wire, not counted" {
	tcpopt option add exp 0xbeef 0x11 kind 253 cgroup "$CG_C"
	tcpopt option add exp 0xbeee 0x22 kind 253 cgroup "$CG_S"
	handshake 192.0.2.2
	assert_equal "$(find_exp "$SYN" 253 beef)" fd05beef11
	assert_equal "$(find_exp "$SYN" 254 beef)" ""
	assert_equal "$(stat_of exp 0xbeee received "$CG_S")" 0
	assert_equal "$(stat_of exp 0xbeee malformed "$CG_S")" 0
}

@test "exp: with syncookies the server counts the option of the first ACK" {
	ip netns exec "$NS_S" sysctl -qw net.ipv4.tcp_syncookies=2
	tcpopt option add exp 0x4e2a 0xaabb cgroup "$CG_C"
	tcpopt option add exp 0x4e2a 0x cgroup "$CG_S"
	handshake 192.0.2.2
	assert_equal "$(find_exp "$ACK" 254 4e2a)" fe064e2aaabb
	assert_equal "$(stat_of exp 0x4e2a received "$CG_S")" 1
}

@test "exp: ignore leaves the peer's options unread" {
	tcpopt option add exp 0x4e2a 0xaabb cgroup "$CG_C"
	tcpopt option add exp 0x4e2a 0x ignore cgroup "$CG_S"
	handshake 192.0.2.2
	assert_equal "$(find_exp "$SYN" 254 4e2a)" fe064e2aaabb
	assert_equal "$(stat_of exp 0x4e2a received "$CG_S")" 0
}

@test "exp: every puts the option on every segment" {
	tcpopt option add exp 0x4e2a 0x0a0b0c0d every cgroup "$CG_C"
	tcpopt option add exp 0x4e2a 0x every cgroup "$CG_S"
	bulk_transfer
	assert_every_segment fe084e2a0a0b0c0d find_exp 254 4e2a
	# The server parsed them all, not only the SYN's.  It parses what TCP
	# processes: segments waiting in a busy socket's backlog with the same
	# options are merged and parsed once, so 200 KB (13 segments) fell to
	# 10 under ASan; 2 MB (60-70 segments) keeps the check clear of that.
	received=$(stat_of exp 0x4e2a received "$CG_S")
	echo "received $received of $TOTAL" >&3
	assert [ "$received" -gt 10 ]
}

@test "exp: filters decide on the wire: dport, dst on the sender; sport, src, dst on the receiver; IPv4, IPv6, v4-mapped" {
	filters_on_the_wire "exp 0x4e2a 0x01" "exp 0x4e2a 0x" "exp 0x4e2a" find_exp 254 4e2a
}

@test "exp: a filtered-out receiver writes nothing either (SYN-ACK)" {
	tcpopt option add exp 0x4e2a 0x01 cgroup "$CG_C"
	tcpopt option add exp 0x4e2a 0x02 src 198.51.100.0/24 cgroup "$CG_S"
	handshake 192.0.2.2
	assert_equal "$(find_exp "$SYN" 254 4e2a)" fe054e2a01
	assert_equal "$(find_exp "$SYNACK" 254 4e2a)" ""
	tcpopt option set exp 0x4e2a src 192.0.2.2 cgroup "$CG_S"
	handshake 192.0.2.2
	assert_equal "$(find_exp "$SYNACK" 254 4e2a)" fe054e2a02
}

@test "exp: replace swaps the data in the same link" {
	tcpopt option add exp 0x4e2a 0x01 cgroup "$CG_C"
	run tcpopt -j option show exp 0x4e2a cgroup "$CG_C"
	assert_success
	link=$(jq .link_id <<<"$output")
	run tcpopt option add exp 0x4e2a 0x0203 cgroup "$CG_C"
	assert_failure 1
	run tcpopt option add exp 0x4e2a 0x0203 kind 253 cgroup "$CG_C" replace
	assert_success
	run tcpopt -j option show exp 0x4e2a cgroup "$CG_C"
	assert_success
	assert_equal "$(jq -r '[.link_id, .params.data, .params.kind] | join(" ")' <<<"$output")" "$link 0x0203 253"
	handshake 192.0.2.2
	assert_equal "$(find_exp "$SYN" 253 4e2a)" fd064e2a0203
	assert_equal "$(find_exp "$SYN" 254 4e2a)" ""
}

@test "exp: several ExIDs on one cgroup, each its own attachment" {
	tcpopt option add exp 0x0001 0x11 cgroup "$CG_C"
	tcpopt option add exp 0x0002 0x2222 cgroup "$CG_C"
	run tcpopt -j option list cgroup "$CG_C"
	assert_success
	assert_equal "$(jq -r '[.[] | .option + " " + .instance + " " + (.params.exid | tostring)] | sort | join(",")' <<<"$output")" \
		"exp 0x0001 1,exp 0x0002 2"
	handshake 192.0.2.2
	assert_equal "$(find_exp "$SYN" 254 0001)" fe05000111
	assert_equal "$(find_exp "$SYN" 254 0002)" fe0600022222
	run tcpopt option add exp 0x0001 0x12 cgroup "$CG_C"
	assert_failure 1
	assert_output --partial "exp 0x0001 is already attached to cgroup /$CG_C as \"exp 0x0001 0x11\""
	tcpopt option del exp 1 cgroup "$CG_C"
	run tcpopt -j option list cgroup "$CG_C"
	assert_success
	assert_equal "$(jq -r '.[].instance' <<<"$output")" 0x0002
	handshake 192.0.2.2
	assert_equal "$(find_exp "$SYN" 254 0001)" ""
	assert_equal "$(find_exp "$SYN" 254 0002)" fe0600022222
	run tcpopt option del exp 0x0001 cgroup "$CG_C"
	assert_failure 1
	assert_output "tcpopt: option: exp 0x0001 is not attached to cgroup /$CG_C"
}

@test "exp: list, show and set agree; an identical add is a no-op" {
	tcpopt option add exp 0x4e2a 0xdeadbeef kind 253 sport 80 every cgroup "$CG_C"
	run tcpopt -j option show exp 0x4e2a cgroup "$CG_C"
	assert_success
	assert_equal "$(jq -r '[.option, .instance, .params.exid, .params.kind, .params.data, .params.length, .where, .filter.sport] | join(" ")' <<<"$output")" \
		"exp 0x4e2a 20010 253 0xdeadbeef 8 every 80"
	tcpopt option add exp 0x4e2a 0xdeadbeef kind 253 sport 80 every cgroup "$CG_C"
	tcpopt option set exp 0x4e2a 0x00 kind 254 cgroup "$CG_C"
	run tcpopt -j option show exp 0x4e2a cgroup "$CG_C"
	assert_success
	assert_equal "$(jq -r '[.params.kind, .params.data, .params.length, .where] | join(" ")' <<<"$output")" \
		"254 0x00 5 every"
	run tcpopt option list cgroup "$CG_C"
	assert_success
	assert_line --index 1 --regexp "^/$CG_C +exp +0x4e2a +exid 0x4e2a kind 254 data 0x00 length 5 +every +accept +probe +sport 80 +yes$"
}

# A crafted peer's options: counted as malformed, the connection made.
malformed_case() {
	tcpopt option add exp 0x4e2a 0x cgroup "$CG_S"
	craft_peer "$1" ""
	# established: the server reported its socket
	assert_equal "$(jq -r .role <<<"$SERVER_REPORT")" server
	assert_equal "$(stat_of exp 0x4e2a malformed "$CG_S")" "$2"
	assert_equal "$(stat_of exp 0x4e2a received "$CG_S")" "$3"
}

@test "exp: a crafted well-formed option is counted as received" {
	malformed_case fe064e2a0102 0 1
}

@test "exp: a kind 254 option of length 3 is malformed" {
	malformed_case fe034e 1 0
}

@test "exp: a kind 254 option of length 2 is malformed" {
	malformed_case fe02 1 0
}

@test "exp: a zero ExID is malformed" {
	malformed_case fe0600000102 1 0
}

@test "exp: an option running past the header is malformed" {
	# MSS, then our option claiming 20 bytes in an 8-byte option area
	malformed_case 020405b4fe144e2a 1 0
}

@test "exp: a kind with no room for its length is malformed" {
	# 3 NOPs then a lone kind byte: the list ends inside the option
	malformed_case 010101fe 1 0
}

@test "exp: a short option before ours hides nothing" {
	malformed_case fe03000101fe064e2a0102 1 1
}

@test "exp: malformed options from an IPv6 peer are counted too" {
	tcpopt option add exp 0x4e2a 0x cgroup "$CG_S"
	# a zero ExID, then ours with a length that runs past the header
	craft_peer fe0400000101fe144e2a "" 2001:db8::2
	assert_equal "$(jq -r .role <<<"$SERVER_REPORT")" server
	assert_equal "$(stat_of exp 0x4e2a malformed "$CG_S")" 2
	assert_equal "$(stat_of exp 0x4e2a received "$CG_S")" 0
	# the server's own option still went on its SYN-ACK
	assert_equal "$(find_exp "$SYNACK_OPTS" 254 4e2a)" fe044e2a
}

# bad_input ARGS... MESSAGE: refused with one line on stderr, exit 2, nothing pinned.
bad_input() {
	local msg=${*: -1}
	run --separate-stderr tcpopt option add exp "${@:1:$#-1}" cgroup "$CG_C"
	assert_failure 2
	assert_equal "$output" ""
	assert_equal "$stderr" "tcpopt: option: exp: $msg"
	assert_no_pins "$CG_C"
}

@test "exp: bad input is refused and pins nothing" {
	bad_input 0x4e2a 0xabc 'invalid data "0xabc": an odd number of hex digits'
	bad_input 0x4e2a xyz0 'invalid data "xyz0": not hex digits'
	bad_input 0x4e2a "0x$(printf '%074d' 0)" 'data of 37 bytes is too long (36 at most: the option space is 40 bytes)'
	bad_input 0 0x01 'ExID 0 is not an ExID (1 to 0xffff)'
	bad_input 0x0000 0x01 'ExID 0 is not an ExID (1 to 0xffff)'
	bad_input 0x10000 0x01 'invalid ExID "0x10000" (1 to 0xffff, decimal or 0x-prefixed hex)'
	bad_input 0x4e2a 0x01 kind 252 'invalid kind "252" (253 or 254, the RFC 6994 experimental kinds)'
	bad_input 0x4e2a 0x01 kind 30 'invalid kind "30" (253 or 254, the RFC 6994 experimental kinds)'
	bad_input 0x4e2a 'missing data (hex; "0x" for none)'
	# "ac" reads as the keyword "accept", not as data: refused, not misread
	bad_input 0x4e2a ac 'missing data (hex; "0x" for none)'
	run --separate-stderr tcpopt option add exp
	assert_failure 2
	assert_equal "$stderr" "tcpopt: option: exp: missing ExID"
	run --separate-stderr tcpopt -j option add exp 0 0x cgroup "$CG_C"
	assert_failure 2
	assert_jq '.error == "exp: ExID 0 is not an ExID (1 to 0xffff)"'
}

@test "exp: 36 bytes of data, the most an option holds, goes on an ACK without timestamps" {
	data=$(printf '%02x' $(seq 1 36))
	tcpopt option add exp 0x4e2a "$data" cgroup "$CG_C"
	tcpopt option add exp 0x4e2a 0x cgroup "$CG_S"
	handshake 192.0.2.2
	# 40 bytes never fit a SYN beside MSS, SACK-permitted, timestamps
	# and window scale: skipped there, counted, the connection made.
	assert_equal "$(find_exp "$SYN" 254 4e2a)" ""
	assert_equal "$(jq -r .role <<<"$CLIENT_REPORT")" client
	# nor the first ACK, beside timestamps (12 bytes): counted once
	# each, and not tried again on the data that follows
	assert_equal "$(find_exp "$ACK" 254 4e2a)" ""
	assert_equal "$(stat_of exp 0x4e2a no_room "$CG_C")" 2
	assert_equal "$(stat_of exp 0x4e2a sent "$CG_C")" 0
	# Without timestamps the first ACK has the whole option space: the
	# longest encoding goes out, 40 bytes, and the peer reads it.
	ip netns exec "$NS_C" sysctl -qw net.ipv4.tcp_timestamps=0
	handshake 192.0.2.2
	assert_equal "$(find_exp "$SYN" 254 4e2a)" ""
	assert_equal "$(find_exp "$ACK" 254 4e2a)" "fe284e2a$data"
	assert_equal "$(tcp_options "$PCAP" "tcp.flags==0x010 && tcp.dstport==$PORT" | head -n1)" "fe284e2a$data"
	assert_equal "$(stat_of exp 0x4e2a sent "$CG_C")" 1
	assert_equal "$(stat_of exp 0x4e2a no_room "$CG_C")" 3
	assert_equal "$(stat_of exp 0x4e2a received "$CG_S")" 1
	assert_equal "$(stat_of exp 0x4e2a malformed "$CG_S")" 0
}
