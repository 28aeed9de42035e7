#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Middleboxes: a client and a server with a router between them
# (lib/path.bash).  The echo (kind 253, ExID 0x4543) says which options
# arrived; a router that strips kind 254 shows as stripped options, one
# that drops SYNs carrying kind 254 as a blackhole that the client falls
# back from within one SYN timeout and then avoids until the expiry; a
# server without tcpopt is unanswered, never stripped.  Then the path
# object's commands, the policy words, and bad input.

load lib/common
load lib/conn
load lib/path

PORT=5012

setup() {
	path_setup
}

teardown() {
	cleanup_all
}

# The client's four options (uto is kind 28, the others kind 254) and the
# server's uto; ExID 0x00aa's bit is 1 + 170 % 15 = 6.
four_options() {
	tcpopt option add uto 30s cgroup "$CG_C"
	tcpopt option add cc reno cgroup "$CG_C"
	tcpopt option add iw 10 cgroup "$CG_C"
	tcpopt option add exp 0x00aa 0x01 cgroup "$CG_C"
}

# option_kinds HEX: the kinds of one packet's options, in order.
option_kinds() {
	tcp_option_list "$1" | while read -r o; do echo $((16#${o:0:2})); done | paste -sd' '
}

# connect_syns DST: one connection to DST, captured on the client: $output
# is connect's report, $syns the options of each SYN it sent, a line each.
connect_syns() {
	start_capture "$NS_C" "$BATS_TEST_TMPDIR/cli.pcap" "tcp port $PORT"
	serve "$1"
	run connect "$1"
	assert_success
	stop_capture
	syns=$(tcp_options "$BATS_TEST_TMPDIR/cli.pcap" "tcp.flags.syn==1 && tcp.flags.ack==0")
}

# counters CGROUP OPTION [INSTANCE]: "stripped unanswered blackholed fallback".
counters() {
	local cg=$1
	shift
	"$TCPOPT" -j stats option "$@" cgroup "$cg" |
		jq -r '.[0] | "\(.stripped) \(.unanswered) \(.blackholed) \(.fallback)"'
}

@test "path: no middlebox: the echo on the SYN-ACK and the first ACK, nothing stripped (IPv4)" {
	four_options
	tcpopt option add uto 30s cgroup "$CG_S"
	handshake $SRV4
	# The SYN-ACK: seen = uto, cc (0x4343: bit 15), iw (0x4957: 11),
	# exp (6); sent = the server's uto.  The ACK: the SYN-ACK's uto
	# seen, and its sent returned.
	assert_equal "$(echo_of "$SYNACK")" "fd084543$(echo_bits uto 0x4343 0x4957 0x00aa)0001"
	assert_equal "$(echo_of "$ACK")" "fd08454300010001"
	assert_equal "$(echo_of "$SYN")" ""
	for o in uto cc iw "exp 0x00aa"; do
		assert_equal "$(counters "$CG_C" $o)" "0 0 0 0"
	done
	assert_equal "$(counters "$CG_S" uto)" "0 0 0 0"
	row=$(path_row "$CG_C" $SRV4)
	assert_equal "$(jq -r '"\(.dst) \(.state) \(.connections) \(.answered) \(.unanswered) \(.stripped) \(.stripped_options | length)"' <<<"$row")" \
		"$SRV4 ok 1 1 0 0 0"
	# The listener keeps no destination.
	assert_equal "$(tcpopt -j path list cgroup "$CG_S" | jq length)" 0
}

@test "path: no middlebox: the same over IPv6" {
	four_options
	tcpopt option add uto 30s cgroup "$CG_S"
	handshake $SRV6
	assert_equal "$(echo_of "$SYNACK")" "fd084543$(echo_bits uto 0x4343 0x4957 0x00aa)0001"
	assert_equal "$(echo_of "$ACK")" "fd08454300010001"
	for o in uto cc iw "exp 0x00aa"; do
		assert_equal "$(counters "$CG_C" $o)" "0 0 0 0"
	done
	row=$(path_row "$CG_C" $SRV6)
	assert_equal "$(jq -r '"\(.dst) \(.state) \(.answered) \(.stripped)"' <<<"$row")" "$SRV6 ok 1 0"
}

@test "path: TCPOPTSTRIP of kind 254: cc, iw and exp stripped, uto not; both ends count it" {
	four_options
	tcpopt option add uto 30s cgroup "$CG_S"
	tcpopt option add exp 0x00bb 0x02 cgroup "$CG_S"
	strip_in_router 254
	handshake $SRV4
	# On the server's side of the router: no kind 254 left in the SYN.
	assert_equal "$(find_option "$SYN" 254)" ""
	assert_equal "$(find_option "$SYN" 28)" 1c04001e
	# The server saw the uto only, and says so in kind 253, which the
	# router lets through.
	assert_equal "$(echo_of "$SYNACK")" "fd084543$(echo_bits uto)$(echo_bits uto 0x00bb)"
	for o in cc iw "exp 0x00aa"; do
		assert_equal "$(counters "$CG_C" $o)" "1 0 0 0"
	done
	assert_equal "$(counters "$CG_C" uto)" "0 0 0 0"
	# The server's exp went out in its SYN-ACK and was stripped too.
	assert_equal "$(counters "$CG_S" exp 0x00bb)" "1 0 0 0"
	assert_equal "$(counters "$CG_S" uto)" "0 0 0 0"
	row=$(path_row "$CG_C" $SRV4)
	assert_equal "$(jq -r '"\(.state) \(.stripped) \(.stripped_options | sort | join(","))"' <<<"$row")" \
		"stripping 1 cc,exp-0x00aa,iw"
}

@test "path: a server without tcpopt is unanswered, never stripped, even through TCPOPTSTRIP" {
	four_options
	handshake $SRV4
	assert_equal "$(echo_of "$SYNACK")" ""
	# No echo came: none goes back either.
	assert_equal "$(echo_of "$ACK")" ""
	for o in uto cc iw "exp 0x00aa"; do
		assert_equal "$(counters "$CG_C" $o)" "0 1 0 0"
	done
	strip_in_router 254
	handshake $SRV4
	for o in uto cc iw "exp 0x00aa"; do
		assert_equal "$(counters "$CG_C" $o)" "0 2 0 0"
	done
	row=$(path_row "$CG_C" $SRV4)
	assert_equal "$(jq -r '"\(.state) \(.answered) \(.unanswered) \(.stripped)"' <<<"$row")" \
		"unanswered 0 2 0"
}

@test "path: a server with tcpopt but a client without: the server counts unanswered" {
	tcpopt option add exp 0x00bb 0x02 cgroup "$CG_S"
	handshake $SRV4
	assert [ -n "$(echo_of "$SYNACK")" ]
	assert_equal "$(counters "$CG_S" exp 0x00bb)" "0 1 0 0"
}

@test "path: SYNs with kind 254 dropped: fallback within one SYN timeout, blackhole, none sent, probe after the expiry" {
	four_options
	tcpopt option add uto 30s cgroup "$CG_S"
	tcpopt path set expire 3s cgroup "$CG_C"
	drop_syn_in_router 254
	bg timeout 30 "$TCPOPT" -j monitor path count 3 >"$BATS_TEST_TMPDIR/mon"
	MON=$!
	sleep 0.5
	# 1: the SYN with the options is dropped, the one sent again
	# without them after the first timeout (1 s) makes the connection.
	connect_syns $SRV4
	ms=$(jq -r .connect_ms <<<"$output")
	[ "$ms" -ge 900 ] && [ "$ms" -lt 2500 ] || fail "connected in $ms ms"
	assert_equal "$(wc -l <<<"$syns")" 2
	assert [ -n "$(find_option "$(sed -n 1p <<<"$syns")" 254)" ]
	assert_equal "$(find_option "$(sed -n 2p <<<"$syns")" 254)" ""
	assert_equal "$(find_option "$(sed -n 2p <<<"$syns")" 28)" ""
	row=$(path_row "$CG_C" $SRV4)
	assert_equal "$(jq -r '"\(.state) \(.fallbacks) \(.blackholed)"' <<<"$row")" "blackhole 1 1"
	assert [ "$(jq -r .blackhole_left_ms <<<"$row")" -gt 1000 ]
	for o in uto cc iw "exp 0x00aa"; do
		assert_equal "$(counters "$CG_C" $o)" "0 0 1 1"
	done
	# 2: a blackhole: no option on the SYN, made at once.
	handshake $SRV4
	assert_equal "$(jq -r .total_retrans <<<"$CLIENT_REPORT")" 0
	assert [ "$(jq -r .connect_ms <<<"$CLIENT_REPORT")" -lt 500 ]
	# Only the kernel's own: MSS, SACK permitted, timestamps, window scale.
	assert_equal "$(option_kinds "$SYN")" "2 4 8 3"
	assert_equal "$(find_option "$SYN" 254)" ""
	assert_equal "$(find_option "$SYN" 28)" ""
	assert_equal "$(counters "$CG_C" cc)" "0 0 1 2"
	# 3: past the expiry the SYN carries the options again: dropped,
	# and the fallback once more.
	sleep 3
	assert_equal "$(jq -r .state <<<"$(path_row "$CG_C" $SRV4)")" expired
	connect_syns $SRV4
	assert [ -n "$(find_option "$(sed -n 1p <<<"$syns")" 254)" ]
	assert_equal "$(find_option "$(sed -n 2p <<<"$syns")" 254)" ""
	row=$(path_row "$CG_C" $SRV4)
	assert_equal "$(jq -r '"\(.state) \(.fallbacks) \(.blackholed)"' <<<"$row")" "blackhole 2 2"
	# The monitor saw new -> blackhole -> probe -> blackhole.
	wait "$MON"
	assert_equal "$(jq -r '"\(.event) \(.previous) \(.state) \(.dst)"' "$BATS_TEST_TMPDIR/mon" | paste -sd,)" \
		"path new blackhole $SRV4,path blackhole probe $SRV4,path probe blackhole $SRV4"
	assert_equal "$(jq -r .cgroup "$BATS_TEST_TMPDIR/mon" | sort -u)" "/$CG_C"
}

@test "path: policy always stays on a retransmitted SYN and a blackhole's; probe does not" {
	tcpopt option add cc reno cgroup "$CG_C"
	tcpopt option add uto 30s path always cgroup "$CG_C"
	tcpopt option add uto 30s cgroup "$CG_S"
	drop_syn_in_router 254
	connect_syns $SRV4
	assert_equal "$(wc -l <<<"$syns")" 2
	assert_equal "$(find_option "$(sed -n 2p <<<"$syns")" 254)" ""
	assert_equal "$(find_option "$(sed -n 2p <<<"$syns")" 28)" 1c04001e
	assert_equal "$(counters "$CG_C" cc)" "0 0 1 1"
	# The uto went on both SYNs, and the server's echo saw it.
	assert_equal "$(counters "$CG_C" uto)" "0 0 0 0"
	handshake $SRV4
	assert [ "$(jq -r .connect_ms <<<"$CLIENT_REPORT")" -lt 500 ]
	assert_equal "$(find_option "$SYN" 254)" ""
	assert_equal "$(find_option "$SYN" 28)" 1c04001e
	assert_equal "$(jq -r .state <<<"$(path_row "$CG_C" $SRV4)")" blackhole
}

@test "path: policy off takes no part: not counted, not in the echo, no echo of its own" {
	tcpopt option add cc reno path off cgroup "$CG_C"
	tcpopt option add iw 10 cgroup "$CG_C"
	tcpopt option add exp 0x00bb 0x02 path off cgroup "$CG_S"
	tcpopt option add uto 30s cgroup "$CG_S"
	strip_in_router 254
	handshake $SRV4
	# The server's sent: its uto only (the off exp went, and was stripped).
	assert_equal "$(echo_of "$SYNACK")" "fd084543$(echo_bits)$(echo_bits uto)"
	assert_equal "$(counters "$CG_C" cc)" "0 0 0 0"
	assert_equal "$(counters "$CG_C" iw)" "1 0 0 0"
	assert_equal "$(counters "$CG_S" exp 0x00bb)" "0 0 0 0"
	# A listener whose options are all off sends no echo; a client
	# whose options are all off keeps no destination.
	tcpopt option del uto cgroup "$CG_S"
	tcpopt option del iw cgroup "$CG_C"
	tcpopt path flush cgroup "$CG_C"
	handshake $SRV4
	assert_equal "$(echo_of "$SYNACK")" ""
	assert_equal "$(tcpopt -j path list cgroup "$CG_C" | jq length)" 0
}

@test "path: the policy in show, list, set and save, restored by -b" {
	tcpopt option add uto 30s path always cgroup "$CG_C"
	tcpopt option add exp 0x00aa 0x01 path off cgroup "$CG_C"
	tcpopt option add cc reno path probe cgroup "$CG_C"
	run tcpopt -j option list cgroup "$CG_C"
	assert_success
	assert_equal "$(jq -r 'map("\(.option)=\(.path)") | sort | join(" ")' <<<"$output")" \
		"cc=probe exp=off uto=always"
	run tcpopt option list cgroup "$CG_C"
	assert_success
	assert_line --index 0 --regexp ' PATH '
	tcpopt option set uto path probe cgroup "$CG_C"
	assert_equal "$(tcpopt -j option show uto cgroup "$CG_C" | jq -r .path)" probe
	tcpopt option set uto path always cgroup "$CG_C"
	tcpopt path set expire 10min prefix4 24 cgroup "$CG_C"
	run tcpopt save cgroup "$CG_C"
	assert_success
	assert_line "option add uto 30s path always cgroup /$CG_C"
	assert_line "option add exp 0x00aa 0x01 path off cgroup /$CG_C"
	assert_line "option add cc reno cgroup /$CG_C"
	assert_line "path set expire 10min prefix4 24 cgroup /$CG_C"
	# Restored on a clean slate: the same state, and again: a no-op.
	grep -v '^#' <<<"$output" >"$BATS_TEST_TMPDIR/saved"
	before=$(tcpopt -j option list cgroup "$CG_C" | jq -c 'map(del(.link_id, .prog_id)) | sort_by(.option)')
	tcpopt option flush cgroup "$CG_C"
	tcpopt -b "$BATS_TEST_TMPDIR/saved"
	tcpopt -b "$BATS_TEST_TMPDIR/saved"
	after=$(tcpopt -j option list cgroup "$CG_C" | jq -c 'map(del(.link_id, .prog_id)) | sort_by(.option)')
	assert_equal "$after" "$before"
	assert_equal "$(tcpopt -j path show cgroup "$CG_C" | jq -r '.[0] | "\(.expire_ms) \(.prefix4) \(.prefix6)"')" \
		"600000 24 128"
}

@test "path: set, show, list by prefix, flush" {
	tcpopt option add uto 30s cgroup "$CG_C"
	tcpopt option add uto 30s cgroup "$CG_S"
	run tcpopt -j path show cgroup "$CG_C"
	assert_success
	assert_equal "$(jq -r '.[0] | "\(.cgroup) \(.expire_ms) \(.prefix4) \(.prefix6) \(.destinations)"' <<<"$output")" \
		"/$CG_C 3600000 32 128 0"
	handshake $SRV4
	handshake $SRV6
	run tcpopt -j path list cgroup "$CG_C"
	assert_success
	assert_equal "$(jq -r 'map(.dst) | sort | join(" ")' <<<"$output")" "$SRV4 $SRV6"
	assert_equal "$(tcpopt -j path list dst 2001:db8::/32 cgroup "$CG_C" | jq -r 'map(.dst) | join(" ")')" "$SRV6"
	assert_equal "$(tcpopt -j path dst 198.51.100.0/24 cgroup "$CG_C" | jq -r 'map(.dst) | join(" ")')" "$SRV4"
	run tcpopt path list cgroup "$CG_C"
	assert_success
	assert_line --index 0 --regexp '^CGROUP +DST +STATE +CONNS +ANSWERED +UNANSWERED +STRIPPED +FALLBACKS +BLACKHOLED +STRIPPED OPTIONS +QUIET +LAST$'
	assert_line --regexp "^/$CG_C +$SRV4 +ok +1 +1 +0 +0 +0 +0 +- +- +[0-9]+(ms|s)$"
	# A new grouping: the memory starts again, by /24 and /64.
	tcpopt path set prefix4 24 prefix6 64 cgroup "$CG_C"
	assert_equal "$(tcpopt -j path list cgroup "$CG_C" | jq length)" 0
	handshake $SRV4
	handshake $SRV6
	assert_equal "$(tcpopt -j path list cgroup "$CG_C" | jq -r 'map(.dst) | sort | join(" ")')" \
		"198.51.100.0/24 2001:db8:1::/64"
	assert_equal "$(tcpopt -j path show cgroup "$CG_C" | jq -r '.[0].destinations')" 2
	run tcpopt -j path flush dst 198.51.100.0/24 cgroup "$CG_C"
	assert_success
	assert_equal "$(jq -r 'map(.dst) | join(" ")' <<<"$output")" "198.51.100.0/24"
	assert_equal "$(tcpopt -j path list cgroup "$CG_C" | jq -r 'map(.dst) | join(" ")')" "2001:db8:1::/64"
	tcpopt path flush cgroup "$CG_C"
	assert_equal "$(tcpopt -j path list cgroup "$CG_C" | jq length)" 0
	# The last option gone, a new one starts with an empty memory.
	handshake $SRV4
	tcpopt option del uto cgroup "$CG_C"
	tcpopt option add uto 30s cgroup "$CG_C"
	assert_equal "$(tcpopt -j path list cgroup "$CG_C" | jq length)" 0
	assert_equal "$(tcpopt -j path show cgroup "$CG_C" | jq -r '.[0].prefix4')" 32
}

# bad NAME ARGS...: "tcpopt ARGS" is a usage error of one line, output
# nothing, and changes neither the options, the memory nor its settings.
bad() {
	local before after
	before=$(state_of)
	run --separate-stderr "$TCPOPT" "$@"
	assert_equal "$status" 2
	assert_equal "$output" ""
	assert_equal "$(wc -l <<<"$stderr")" 1
	[[ "$stderr" == "tcpopt: "* ]] || fail "stderr: $stderr"
	after=$(state_of)
	assert_equal "$after" "$before"
}

state_of() {
	"$TCPOPT" -j option list cgroup "$CG_C" | jq -c 'map(del(.link_id, .prog_id))'
	"$TCPOPT" -j path list cgroup "$CG_C" | jq -c 'map(del(.last_ms, .first_ms, .answered_ms))'
	"$TCPOPT" -j path show cgroup "$CG_C"
}

@test "path: bad input: one line, exit 2, nothing changed" {
	tcpopt option add uto 30s cgroup "$CG_C"
	tcpopt option add uto 30s cgroup "$CG_S"
	tcpopt path set expire 5min cgroup "$CG_C"
	handshake $SRV4
	bad path list dst bogus cgroup "$CG_C"
	assert_equal "$stderr" 'tcpopt: path: invalid dst "bogus" (an IPv4 or IPv6 address or prefix)'
	bad path list dst 198.51.100.2/8 cgroup "$CG_C"
	bad path flush dst 2001:db8::1/129 cgroup "$CG_C"
	bad path flush dst
	bad path frob
	assert_equal "$stderr" 'tcpopt: path: unknown command "frob" (choose from: list, show, set, flush, help)'
	bad path list frob
	bad path set
	bad path set cgroup "$CG_C"
	bad path set expire 0 cgroup "$CG_C"
	assert_equal "$stderr" 'tcpopt: path: invalid expire "0" (whole seconds, 1s to 30d)'
	bad path set expire 1.5s cgroup "$CG_C"
	bad path set expire 31d cgroup "$CG_C"
	bad path set expire 10s prefix4 33 cgroup "$CG_C"
	assert_equal "$stderr" 'tcpopt: path: invalid prefix4 "33" (1 to 32)'
	bad path set prefix6 0 cgroup "$CG_C"
	bad path set prefix4 abc cgroup "$CG_C"
	bad monitor path rcvbuf 65536
	bad monitor path mptcp
	bad option add cc reno path maybe cgroup "$CG_C"
	assert_equal "$stderr" 'tcpopt: option: invalid path "maybe" (probe, always or off)'
	bad option set uto path sometimes cgroup "$CG_C"
	bad option add exp 0x4543 0x kind 253 cgroup "$CG_C"
	assert_equal "$stderr" "tcpopt: option: exp: kind 253 ExID 0x4543 is tcpopt's echo"
	bad option add cc reno exid 0x4543 kind 253 cgroup "$CG_C"
	# Not a usage error: a cgroup without options has no memory to set.
	make_cgroup "$TAG-bare"
	run --separate-stderr "$TCPOPT" path set expire 10s cgroup "$TAG-bare"
	assert_equal "$status" 1
	assert_equal "$stderr" "tcpopt: path: cgroup /$TAG-bare has no built-in option: its driver keeps the memory (see \"tcpopt option add\")"
}

@test "path: monitor path -j: one JSON line per change, ended by count or timeout" {
	tcpopt option add uto 30s cgroup "$CG_C"
	tcpopt option add uto 30s cgroup "$CG_S"
	# A change nobody read: queued in the ring, not news to a monitor
	# started later.
	handshake $SRV6
	bg timeout 20 "$TCPOPT" -j monitor path count 1 >"$BATS_TEST_TMPDIR/mon"
	MON=$!
	sleep 0.5
	handshake $SRV4
	wait "$MON"
	run jq -c . "$BATS_TEST_TMPDIR/mon"
	assert_success
	assert_equal "${#lines[@]}" 1
	assert_equal "$(jq -r '"\(.event) \(.cgroup) \(.dst) \(.previous) \(.state) \(.cgroup_id > 0) \(.boottime_ns > 0)"' <<<"$output")" \
		"path /$CG_C $SRV4 new ok true true"
	# No change, no line: the same answer again says nothing.
	bg timeout 20 "$TCPOPT" -j monitor path timeout 2s >"$BATS_TEST_TMPDIR/mon"
	MON=$!
	sleep 0.5
	handshake $SRV4
	wait "$MON"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/mon")" ""
	# The text form: the event's name, then its fields.
	bg timeout 20 "$TCPOPT" monitor path count 1 >"$BATS_TEST_TMPDIR/mon"
	MON=$!
	sleep 0.5
	tcpopt path flush cgroup "$CG_C"
	handshake $SRV4
	wait "$MON"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/mon")" "path   cgroup /$CG_C dst $SRV4 state ok previous new"
}
