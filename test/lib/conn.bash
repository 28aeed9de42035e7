# SPDX-License-Identifier: GPL-2.0
# One real connection between $NS_C/$CG_C and $NS_S/$CG_S (see common.bash)
# with a capture of its handshake; a peer crafted with scapy.  Load after
# lib/common; the suite sets PORT, CG_C, CG_S and PCAP.

# conn_setup: root, $NS_C/$NS_S, the cgroups $CG_C/$CG_S, $PCAP.
conn_setup() {
	require_root
	make_netns_pair
	TAG=$(test_tag)
	CG_C=$TAG-cli
	CG_S=$TAG-srv
	make_cgroup "$CG_C"
	make_cgroup "$CG_S"
	PCAP=$BATS_TEST_TMPDIR/cap.pcap
}

# serve ADDR [tcpprobe options...]: a server in the server's cgroup and
# namespace; its reports go to $BATS_TEST_TMPDIR/srv.out.
serve() {
	local addr=$1
	shift
	rm -f "$BATS_TEST_TMPDIR/srv.out" "$BATS_TEST_TMPDIR/srv.err"
	in_cgroup "$CG_S" "$NS_S" "$HELPERS/tcpprobe" server "$addr" $PORT "$@" \
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
	local i
	for i in $(seq "$1"); do
		serve 192.0.2.2
		if [ -n "${2:-}" ]; then
			run in_cgroup "$CG_C" "$NS_C" taskset -c "$2" "$HELPERS/tcpprobe" client 192.0.2.2 $PORT
		else
			run connect 192.0.2.2
		fi
		assert_success
		server_report >/dev/null
	done
}

# handshake ADDR [SERVER-OPTS...] [-- CLIENT-OPTS...]: one connection with a
# capture; sets SYN, SYNACK, ACK (the options of the handshake's three
# segments, hex), CLIENT_REPORT and SERVER_REPORT.
handshake() {
	local addr=$1 srv=() cli=()
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
	SYN=$(tcp_options "$PCAP" "tcp.flags.syn==1 && tcp.flags.ack==0" | head -n1)
	SYNACK=$(tcp_options "$PCAP" "tcp.flags.syn==1 && tcp.flags.ack==1" | head -n1)
	ACK=$(tcp_options "$PCAP" "tcp.flags==0x010 && tcp.dstport==$PORT" | head -n1)
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
