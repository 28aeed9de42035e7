# SPDX-License-Identifier: GPL-2.0
# One real connection between $NS_C/$CG_C and $NS_S/$CG_S (see common.bash)
# with a capture of its handshake; a peer crafted with scapy.  Load after
# lib/common; the suite sets PORT, CG_C, CG_S and PCAP.

# conn_cgroups: $TAG, the client's cgroup $CG_C and the server's $CG_S.
conn_cgroups() {
	TAG=$(test_tag)
	CG_C=$TAG-cli
	CG_S=$TAG-srv
	make_cgroup "$CG_C"
	make_cgroup "$CG_S"
}

# conn_setup: root, $NS_C/$NS_S, the cgroups $CG_C/$CG_S, $PCAP.
conn_setup() {
	require_root
	make_netns_pair
	conn_cgroups
	PCAP=$BATS_TEST_TMPDIR/cap.pcap
}

# pinned_nothing CGROUP: no pin of tcpopt's and no program on the cgroup.
pinned_nothing() {
	assert_no_pins "$1"
	run bpftool -j cgroup show "$(cgroup2_root)/$1"
	assert_success
	assert_equal "$(jq length <<<"${output:-[]}")" 0
}

# serve ADDR [tcpprobe options...]: a server in the server's cgroup and
# namespace; its reports go to $BATS_TEST_TMPDIR/srv.out.  It listens on
# ADDR, or on $LISTEN_ADDR when set (":" for a dual-stack listener).
serve() {
	local addr=$1
	shift
	rm -f "$BATS_TEST_TMPDIR/srv.out" "$BATS_TEST_TMPDIR/srv.err"
	in_cgroup "$CG_S" "$NS_S" "$HELPERS/tcpprobe" server "${LISTEN_ADDR:-$addr}" $PORT "$@" \
		>"$BATS_TEST_TMPDIR/srv.out" 2>"$BATS_TEST_TMPDIR/srv.err" &
	CLEANUP_PIDS+=($!)
	SERVER_PID=$!
	for _ in $(seq 100); do
		grep -q listening "$BATS_TEST_TMPDIR/srv.err" 2>/dev/null && return 0
		sleep 0.02
	done
	return 1
}

# connect ADDR [tcpprobe options...]: the client in its cgroup and namespace.
connect() {
	local addr=$1
	shift
	in_cgroup "$CG_C" "$NS_C" "$HELPERS/tcpprobe" client "$addr" $PORT "$@"
}

server_report() {
	wait "$SERVER_PID"
	head -n1 "$BATS_TEST_TMPDIR/srv.out"
}

# connections N [CPU]: N connections to 192.0.2.2, the client pinned to
# CPU if given.
connections() {
	local i client=(connect 192.0.2.2)
	if [ -n "${2:-}" ]; then
		client=(in_cgroup "$CG_C" "$NS_C" taskset -c "$2" "$HELPERS/tcpprobe" client 192.0.2.2 $PORT)
	fi
	for i in $(seq "$1"); do
		serve 192.0.2.2
		run "${client[@]}"
		assert_success
		server_report >/dev/null
	done
}

# handshake ADDR [SERVER-OPTS...] [-- CLIENT-OPTS...]: one connection with a
# capture; sets SYN, SYNACK, ACK (the options of the handshake's three
# segments, hex), CLIENT_REPORT and SERVER_REPORT.
handshake() {
	local addr=$1 srv=() cli=() segs
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		srv+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	cli=("$@")
	start_capture "$NS_S" "$PCAP" "tcp port $PORT"
	serve "$addr" "${srv[@]}"
	run connect "$addr" "${cli[@]}"
	assert_success
	CLIENT_REPORT=$(head -n1 <<<"$output")
	SERVER_REPORT=$(server_report)
	stop_capture
	if [ -z "$SERVER_REPORT" ]; then
		echo "the server reported nothing: $(cat "$BATS_TEST_TMPDIR/srv.err")" >&2
		tshark -r "$PCAP" 2>/dev/null >&2
		return 1
	fi
	# one tshark for the three (it takes a third of a second to start)
	segs=$(tshark -r "$PCAP" -T fields -e tcp.flags -e tcp.dstport -e tcp.options 2>/dev/null |
		tr -d ':')
	SYN=$(awk -F'\t' '$1 == "0x0002" { print $3; exit }' <<<"$segs")
	SYNACK=$(awk -F'\t' '$1 == "0x0012" { print $3; exit }' <<<"$segs")
	ACK=$(awk -F'\t' -v port=$PORT '$1 == "0x0010" && $2 == port { print $3; exit }' <<<"$segs")
}

# client_segments: the options (hex) of each client-to-server segment in
# $PCAP, up to the client's FIN: the last ACK, sent by a TIME-WAIT socket,
# goes out without any socket's BPF programs (as resets do).
client_segments() {
	local fin
	fin=$(tshark -r "$PCAP" -Y "tcp.flags.fin==1 && tcp.dstport==$PORT" -T fields \
		-e frame.number 2>/dev/null | head -n1)
	[ -n "$fin" ] || return 1
	tcp_options "$PCAP" "tcp.dstport==$PORT && frame.number <= $fin"
}

# bulk_transfer [ADDR]: the client sends 2 MB to a draining server (at
# 192.0.2.2 by default), captured on the server's side; both must succeed.
# 2 MB is 60-70 segments: backlog coalescing (segments merged before the
# programs parse them) cannot bring a per-segment count near 10.
bulk_transfer() {
	local addr=${1:-192.0.2.2}
	start_capture "$NS_S" "$PCAP" "tcp dst port $PORT"
	serve "$addr" --drain
	run connect "$addr" --send 2000000
	assert_success
	assert_wait "$SERVER_PID"
	stop_capture
}

# bpf_stats_on: count the runs of every BPF program (run_cnt) for this
# test; the machine's setting comes back in cleanup_all.
bpf_stats_on() {
	BPF_STATS_WAS=$(sysctl -n kernel.bpf_stats_enabled)
	sysctl -qw kernel.bpf_stats_enabled=1
}

# sockops_runs CGROUP: how many times the programs attached to CGROUP have
# run (after bpf_stats_on).
sockops_runs() {
	local id n=0 runs
	for id in $(bpftool -j cgroup show "$(cgroup2_root)/$1" | jq '.[].id'); do
		runs=$(bpftool -j prog show id "$id" | jq '.run_cnt // 0')
		n=$((n + runs))
	done
	echo "$n"
}

# assert_every_segment WANT FINDER ARGS...: after bulk_transfer, each of
# the client's segments up to its FIN carries exactly WANT ("" for none),
# as "FINDER OPTS ARGS..." finds it, and there were more than 10.
assert_every_segment() {
	count_carrying "$@"
	assert [ "$TOTAL" -gt 10 ]
	assert_equal "$WITH" "$TOTAL"
}

# count_carrying WANT FINDER ARGS...: over client_segments, how many
# segments there are (TOTAL) and in how many "FINDER OPTS ARGS..." gives
# exactly WANT (WITH).
count_carrying() {
	local want=$1 finder=$2 opts
	shift 2
	TOTAL=0 WITH=0
	while read -r opts; do
		TOTAL=$((TOTAL + 1))
		if [ "$("$finder" "$opts" "$@")" = "$want" ]; then
			WITH=$((WITH + 1))
		fi
	done < <(client_segments)
}

# assert_sends FINDER ARGS...: the last handshake's SYN carries the option
# "FINDER SYN ARGS..." finds; refute_sends: it does not (there was a SYN).
assert_sends() {
	[ -n "$SYN" ] || fail "no SYN in the capture"
	[ -n "$("$1" "$SYN" "${@:2}")" ] || fail "the SYN lacks it ($*): $SYN"
}

refute_sends() {
	[ -n "$SYN" ] || fail "no SYN in the capture"
	[ -z "$("$1" "$SYN" "${@:2}")" ] || fail "the SYN has it ($*): $SYN"
}

# filters_on_the_wire CLIENT SERVER NAME FINDER ARGS...: an option's
# filters decide on real connections.  On the client, the option's sender,
# dport and dst, seen on its SYN; on the server, its receiver, sport, src
# and dst, seen in its "received" counter; IPv4, IPv6 and v4-mapped (a v6
# socket to ::ffff:192.0.2.2, a dual-stack listener taking IPv4), and
# "any" to clear each.  CLIENT and SERVER are the "option add" words of
# each end without filters ("uto 120s", "uto 1s min 1s"); NAME names the
# attachment in set and stats ("uto", "exp 0x4e2a"); FINDER ARGS finds
# the option in a segment's options ("find_option 28").
filters_on_the_wire() {
	local cli=$1 srv=$2 name=$3
	shift 3
	# the sender: dport
	tcpopt option add $cli dport $((PORT + 1)) cgroup "$CG_C"
	handshake 192.0.2.2
	refute_sends "$@"
	tcpopt option set $name dport $PORT cgroup "$CG_C"
	handshake 192.0.2.2
	assert_sends "$@"
	# dst: IPv4 mismatch and match, another family, IPv6 mismatch and match
	tcpopt option set $name dport any dst 198.51.100.0/24 cgroup "$CG_C"
	handshake 192.0.2.2
	refute_sends "$@"
	tcpopt option set $name dst 192.0.2.0/24 cgroup "$CG_C"
	handshake 192.0.2.2
	assert_sends "$@"
	handshake 2001:db8::2
	refute_sends "$@"
	tcpopt option set $name dst 2001:db8:ffff::/48 cgroup "$CG_C"
	handshake 2001:db8::2
	refute_sends "$@"
	tcpopt option set $name dst 2001:db8::/64 cgroup "$CG_C"
	handshake 2001:db8::2
	assert_sends "$@"
	# a v6 socket to a v4-mapped address matches IPv4 prefixes
	tcpopt option set $name dst 192.0.2.0/24 cgroup "$CG_C"
	LISTEN_ADDR=192.0.2.2 handshake ::ffff:192.0.2.2
	assert_sends "$@"
	tcpopt option set $name dst 198.51.100.0/24 cgroup "$CG_C"
	LISTEN_ADDR=192.0.2.2 handshake ::ffff:192.0.2.2
	refute_sends "$@"
	tcpopt option set $name dst any cgroup "$CG_C"
	handshake 2001:db8::2
	assert_sends "$@"

	# the receiver: sport
	tcpopt option add $srv sport $((PORT + 1)) cgroup "$CG_S"
	handshake 192.0.2.2
	assert_equal "$(stat_of $name received "$CG_S")" 0
	tcpopt option set $name sport $PORT cgroup "$CG_S"
	handshake 192.0.2.2
	assert_equal "$(stat_of $name received "$CG_S")" 1
	# src and dst of a dual-stack listener's IPv4 (v4-mapped) connection
	tcpopt option set $name sport any src 198.51.100.0/24 cgroup "$CG_S"
	LISTEN_ADDR=:: handshake 192.0.2.2
	assert_equal "$(stat_of $name received "$CG_S")" 1
	tcpopt option set $name src 192.0.2.0/24 cgroup "$CG_S"
	LISTEN_ADDR=:: handshake 192.0.2.2
	assert_equal "$(stat_of $name received "$CG_S")" 2
	tcpopt option set $name src any dst 192.0.2.1/32 cgroup "$CG_S"
	LISTEN_ADDR=:: handshake 192.0.2.2
	assert_equal "$(stat_of $name received "$CG_S")" 3
	# IPv6: match, then a mismatch of the same family
	tcpopt option set $name dst 2001:db8::1/128 cgroup "$CG_S"
	handshake 2001:db8::2
	assert_equal "$(stat_of $name received "$CG_S")" 4
	tcpopt option set $name dst 2001:db8::99/128 cgroup "$CG_S"
	handshake 2001:db8::2
	assert_equal "$(stat_of $name received "$CG_S")" 4
}

# find_exp HEX KIND EXID: the experimental option of that kind and ExID
# (4 hex digits) in one packet's options, nothing if absent.
find_exp() {
	local opt
	while read -r opt; do
		if [ $((16#${opt:0:2})) -eq "$2" ] && [ "${opt:4:4}" = "$3" ]; then
			echo "$opt"
			return 0
		fi
	done < <(tcp_option_list "$1")
}

# stat_of OPTION [INSTANCE] COUNTER CGROUP: one counter, from "stats -j".
stat_of() {
	local cg=${*: -1} counter=${*: -2:1}
	"$TCPOPT" -j stats option "${@:1:$#-2}" cgroup "$cg" | jq -r ".[0].$counter"
}

# craft_peer SYNOPTS ACKOPTS [ADDR]: a handshake made by scapy from
# 192.0.2.50 (or 2001:db8::50) in the client's namespace, with those option
# bytes; asserts the server answered.  Then the server's report is read.
craft_peer() {
	local synopts=$1 ackopts=$2 dst=${3:-192.0.2.2} src
	if [[ $dst == *:* ]]; then
		src=2001:db8::50
		ip -n "$NS_S" neigh replace $src dev veth0 \
			lladdr "$(ip -n "$NS_C" -j link show veth0 | jq -r '.[0].address')"
		# scapy resolves the server's MAC itself (neighbour solicitation):
		# wait until the server answers them.
		for _ in $(seq 50); do
			ip netns exec "$NS_C" ping -6 -c1 -W1 "$dst" >/dev/null 2>&1 &&
				[ -z "$(ip -n "$NS_S" -6 addr show dev veth0 tentative)" ] && break
			sleep 0.1
		done
	else
		src=192.0.2.50
		# Nobody owns 192.0.2.50: the client's kernel will not reset
		# the handshake that scapy makes in its name.
		ip -n "$NS_S" neigh replace $src dev veth0 \
			lladdr "$(ip -n "$NS_C" -j link show veth0 | jq -r '.[0].address')"
	fi
	serve "$dst"
	run ip netns exec "$NS_C" "$PYTHON" "$TOP/test/helpers/craft.py" --iface veth0 \
		--src $src --dst "$dst" --dport $PORT \
		--syn-opts "$synopts" --ack-opts "$ackopts"
	assert_success
	assert_equal "$(jq -r .synack <<<"$output")" true
	SYNACK_OPTS=$(jq -r .synack_options <<<"$output")
	SERVER_REPORT=$(server_report)
}
