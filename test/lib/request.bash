# SPDX-License-Identifier: GPL-2.0
# Shared by the suites of the request options (cc, iw, delack): a client
# cgroup in $NS_C and a server cgroup in $NS_S, one connection at a time,
# the handshake's options read from a capture, the sockets' state from
# tcpprobe's reports.  Load after lib/common.

PORT=5001

request_setup() {
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

# The server's first report (once it has exited).
server_report() {
	wait "$SERVER_PID"
	head -n1 "$BATS_TEST_TMPDIR/srv.out"
}

# handshake ADDR [server options] [-- client options]: one connection with
# a capture; sets SYN, SYNACK, ACK (the options of the handshake's three
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

# find_exp HEX KIND EXID: the RFC 6994 option of that kind and ExID (4 hex
# digits) in one packet's options, as hex; nothing if absent.
find_exp() {
	local hex=$1 kind=$2 exid=$3 k len opt
	while [ ${#hex} -ge 2 ]; do
		k=$((16#${hex:0:2}))
		case $k in
		0) return 0 ;;
		1) hex=${hex:2}; continue ;;
		esac
		[ ${#hex} -ge 4 ] || return 0
		len=$((16#${hex:2:2}))
		[ "$len" -ge 2 ] || return 0
		opt=${hex:0:$((len * 2))}
		if [ "$k" -eq "$kind" ] && [ "${opt:4:4}" = "$exid" ]; then
			echo "$opt"
			return 0
		fi
		hex=${hex:$((len * 2))}
	done
}

# counter OPTION CGROUP COUNTER: one counter of an attachment.
counter() {
	"$TCPOPT" -j option show "$1" cgroup "$2" | jq -r ".stats.$3"
}

# crafted_syn SYN_OPTS [ACK_OPTS]: a handshake made by scapy from an
# address no socket owns, to the server; the connection must complete.
# The server's report is left in REPORT.
crafted_syn() {
	local synopts=$1 ackopts=${2:-}
	ip -n "$NS_S" neigh replace 192.0.2.50 dev veth0 \
		lladdr "$(ip -n "$NS_C" -j link show veth0 | jq -r '.[0].address')"
	serve 192.0.2.2
	run ip netns exec "$NS_C" "$PYTHON" "$TOP/test/helpers/craft.py" --iface veth0 \
		--src 192.0.2.50 --dst 192.0.2.2 --dport $PORT \
		--syn-opts "$synopts" --ack-opts "$ackopts"
	assert_success
	assert_equal "$(jq -r .synack <<<"$output")" true
	REPORT=$(server_report)
	[ -n "$REPORT" ]
}

# bad_input ARGS...: "tcpopt option add ARGS" fails as a usage error, one
# line on stderr, and pins nothing on the client cgroup.
bad_input() {
	local cgid
	run --separate-stderr "$TCPOPT" option add "$@" cgroup "$CG_C"
	assert_equal "$status" 2
	assert_equal "$output" ""
	assert_equal "$(wc -l <<<"$stderr")" 1
	[[ "$stderr" == "tcpopt: option: "* ]]
	cgid=$(stat -c %i "$(cgroup2_root)/$CG_C")
	[ ! -e "/sys/fs/bpf/tcpopt/$cgid" ]
}
