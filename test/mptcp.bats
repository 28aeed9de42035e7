#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# tcpopt mptcp: the TCP sockets of a cgroup's unmodified programs become
# MPTCP (fmod_ret on update_socket_protocol).  Two namespaces joined by veth
# (make_netns_pair), client and server each in a cgroup of its own; the
# protocol read back from the socket (SO_PROTOCOL), from ss -M on both
# ends and from the SYN on the wire.  The tests that need the hook skip on
# a kernel without it (this host's refuses BPF tracing programs: they run in
# the VM, make check-kernel), where the refusal is tested instead.

bats_require_minimum_version 1.5.0

load lib/common

PORT=8080

setup() {
	require_root
	make_netns_pair
	OUT=$BATS_TEST_TMPDIR
	CG_C=$(test_tag)mc
	CG_S=$(test_tag)ms
	make_cgroup "$CG_C"
	make_cgroup "$CG_S"
}

teardown() {
	local cg
	for cg in "${CLEANUP_CGROUPS[@]}"; do
		"$TCPOPT" mptcp disable cgroup "$cg" >/dev/null 2>&1
	done
	cleanup_all
}

# proto_in CGROUP FAMILY TYPE PROTO [FAMILY TYPE PROTO]...: SO_PROTOCOL of
# a socket made there with socket(FAMILY, TYPE, PROTO), names as in
# Python's socket module; one line a socket, all made by one process (a
# python under TCG takes seconds to start).
proto_in() {
	local cg=$1
	shift
	in_cgroup "$cg" "$NS_C" "$PYTHON" -c '
import socket, sys
a = sys.argv[1:]
for i in range(0, len(a), 3):
    s = socket.socket(getattr(socket, a[i]),
                      eval(a[i + 1], vars(socket)), eval(a[i + 2], vars(socket)))
    print(s.getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL))' "$@"
}

# enable_both: the upgrade in the client's and the server's cgroups (the
# kernel has it, or the test skips).
enable_both() {
	require_feature mptcp_upgrade
	"$TCPOPT" mptcp enable cgroup "/$CG_C" >/dev/null
	"$TCPOPT" mptcp enable cgroup "/$CG_S" >/dev/null
}

# mptcp_stats CGROUP: its counters as JSON.
mptcp_stats() {
	"$TCPOPT" -j mptcp show cgroup "/$1" | jq -c '.[0].stats'
}

# The unmodified server: python's http.server, in the server's cgroup.
start_http_server() {
	local log=$OUT/http.log
	CLEANUP_FILES+=("$log")
	in_cgroup "$CG_S" "$NS_S" "$PYTHON" -m http.server --bind "$1" $PORT \
		--directory "$OUT" >"$log" 2>&1 &
	CLEANUP_PIDS+=($!)
	for _ in $(seq 100); do
		ip netns exec "$NS_S" ss -Hltn "sport = :$PORT" | grep -q . && return 0
		sleep 0.05
	done
	echo "http.server did not start: $(cat "$log")" >&2
	return 1
}

# hold_connection CGROUP ADDR: python's create_connection, held open;
# returns once connected.
hold_connection() {
	local out=$OUT/hold.$RANDOM
	CLEANUP_FILES+=("$out")
	in_cgroup "$1" "$NS_C" "$PYTHON" -c '
import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
print(s.getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL), flush=True)
time.sleep(60)' "$2" $PORT >"$out" &
	HOLD_PID=$!
	CLEANUP_PIDS+=($!)
	for _ in $(seq 100); do
		[ -s "$out" ] && { HOLD_PROTO=$(cat "$out"); return 0; }
		sleep 0.05
	done
	echo "create_connection did not connect" >&2
	return 1
}

# mptcp_conns NS: established MPTCP sockets of the netns (ss -M).
mptcp_conns() {
	ip netns exec "$1" ss -HMn state established | wc -l
}

# syn_mptcp_options FILE: the MPTCP option (kind 30) of each SYN, hex.
syn_mptcp_options() {
	local opts
	while read -r opts; do
		find_option "$opts" 30
	done < <(tcp_options "$1" 'tcp.flags.syn == 1 && tcp.flags.ack == 0')
}

@test "mptcp enable: socket() of a cgroup's processes gives MPTCP for TCP by 0, by name, with flags, IPv6, in a child cgroup; not UDP, UNIX, or outside" {
	require_feature mptcp_upgrade
	run "$TCPOPT" -j mptcp enable cgroup "/$CG_C"
	assert_success
	assert_jq --arg cg "/$CG_C" '.cgroup == $cg and .family == "all" and .attached == true and
		.stats == {"upgraded": 0, "named_tcp": 0, "skipped_family": 0}'
	# TCP by 0, by name, with flags, IPv6; then UDP and UNIX, untouched
	run proto_in "$CG_C" AF_INET SOCK_STREAM 0  AF_INET SOCK_STREAM IPPROTO_TCP \
		AF_INET 'SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC' 0  AF_INET6 SOCK_STREAM 0 \
		AF_INET SOCK_DGRAM 0  AF_UNIX SOCK_STREAM 0
	assert_success
	assert_equal "${lines[*]}" "262 262 262 262 17 0"
	mkdir "$(cgroup2_root)/$CG_C/child"
	CLEANUP_CGROUPS=("$CG_C/child" "${CLEANUP_CGROUPS[@]}")
	run proto_in "$CG_C/child" AF_INET SOCK_STREAM 0
	assert_success
	assert_output 262
	# the cgroup next door, and the root: untouched
	run proto_in "$CG_S" AF_INET SOCK_STREAM 0
	assert_success
	assert_output 6
	run ip netns exec "$NS_C" "$PYTHON" -c 'import socket; print(socket.socket().getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL))'
	assert_success
	assert_output 6
	run mptcp_stats "$CG_C"
	assert_success
	assert_output '{"upgraded":5,"named_tcp":1,"skipped_family":0}'
	run "$TCPOPT" mptcp show
	assert_success
	assert_line --regexp "^/$CG_C +all +yes +upgraded 5 named_tcp 1 skipped_family 0$"
}

@test "mptcp enable: python's create_connection to python's http.server is MPTCP on both ends (ss -M, MP_CAPABLE on the SYN); outside the cgroup plain TCP" {
	enable_both
	start_http_server 0.0.0.0
	start_capture "$NS_S" "$OUT/cap.pcap" "tcp port $PORT"
	hold_connection "$CG_C" 192.0.2.2
	assert_equal "$HOLD_PROTO" 262
	run mptcp_conns "$NS_C"
	assert_success
	assert_output 1
	run mptcp_conns "$NS_S"
	assert_success
	assert_output 1
	# The same program from the root cgroup: a TCP socket.
	in_root() { ip netns exec "$NS_C" "$PYTHON" -c '
import socket
s = socket.create_connection(("192.0.2.2", '$PORT'))
print(s.getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL))'; }
	run in_root
	assert_success
	assert_output 6
	stop_capture
	run syn_mptcp_options "$OUT/cap.pcap"
	assert_success
	# MP_CAPABLE on the SYN (kind 30, length 4, subtype 0 version 1)
	assert_line --index 0 --regexp '^1e0401'
	# Two connections, told apart by their source port (a SYN may be sent
	# again under emulation): the first's SYNs carry MPTCP, the second's not.
	# One pass of tshark (seconds under TCG): "mptcp PORT" or "tcp PORT"
	# for each SYN, by whether it carries kind 30.
	syn_ports() {
		tshark -r "$OUT/cap.pcap" -Y "tcp.flags.syn == 1 && tcp.flags.ack == 0" \
			-T fields -e tcp.srcport -e tcp.option_kind 2>/dev/null |
			awk -F '\t' '{ print ("," $2 "," ~ /,30,/ ? "mptcp " : "tcp ") $1 }' | sort -u
	}
	run syn_ports
	assert_success
	assert_equal "${#lines[@]}" 2
	assert_line --index 0 --regexp '^mptcp [0-9]+$'
	assert_line --index 1 --regexp '^tcp [0-9]+$'
	assert [ "${lines[0]#mptcp }" != "${lines[1]#tcp }" ]
	# create_connection takes its protocol from getaddrinfo: IPPROTO_TCP
	run mptcp_stats "$CG_C"
	assert_success
	assert_output '{"upgraded":1,"named_tcp":1,"skipped_family":0}'
	# the server's listener and what it accepted
	run mptcp_stats "$CG_S"
	assert_success
	assert_output '{"upgraded":1,"named_tcp":0,"skipped_family":0}'
}

@test "mptcp enable: curl (IPPROTO_TCP by name) and nc fetch from http.server over MPTCP, IPv4 and IPv6" {
	enable_both
	echo "served over mptcp" >"$OUT/index.txt"
	start_http_server ::
	before=$(ip netns exec "$NS_S" nstat -az MPTcpExtMPCapableSYNRX | awk '/MPCapableSYNRX/ { print $2 }')
	run in_cgroup "$CG_C" "$NS_C" curl -sS --max-time 5 "http://192.0.2.2:$PORT/index.txt"
	assert_success
	assert_output "served over mptcp"
	run in_cgroup "$CG_C" "$NS_C" curl -sS --max-time 5 "http://[2001:db8::2]:$PORT/index.txt"
	assert_success
	assert_output "served over mptcp"
	run in_cgroup "$CG_C" "$NS_C" sh -c "printf 'GET /index.txt HTTP/1.0\r\n\r\n' | nc -N -w 5 192.0.2.2 $PORT"
	assert_success
	assert_output --partial "served over mptcp"
	# the server saw three MP_CAPABLE SYNs
	after=$(ip netns exec "$NS_S" nstat -az MPTcpExtMPCapableSYNRX | awk '/MPCapableSYNRX/ { print $2 }')
	assert_equal $((after - before)) 3
	run mptcp_stats "$CG_C"
	assert_success
	assert_output '{"upgraded":3,"named_tcp":3,"skipped_family":0}'
}

@test "mptcp disable: new sockets are TCP again, a connection made before stays MPTCP; disabling twice fails" {
	enable_both
	start_http_server 0.0.0.0
	hold_connection "$CG_C" 192.0.2.2
	assert_equal "$HOLD_PROTO" 262
	run "$TCPOPT" mptcp disable cgroup "/$CG_C"
	assert_success
	assert_output ""
	run proto_in "$CG_C" AF_INET SOCK_STREAM 0
	assert_success
	assert_output 6
	run mptcp_conns "$NS_C"
	assert_success
	assert_output 1
	assert [ ! -e "/sys/fs/bpf/tcpopt/$(stat -c %i "$(cgroup2_root)/$CG_C")/mptcp" ]
	run "$TCPOPT" -j mptcp show cgroup "/$CG_C"
	assert_success
	assert_output '[]'
	run "$TCPOPT" mptcp disable cgroup "/$CG_C"
	assert_failure 1
	assert_output "tcpopt: mptcp: MPTCP is not enabled on cgroup /$CG_C"
}

@test "mptcp enable again: the same is a no-op, another family changes in place (link and counters kept)" {
	require_feature mptcp_upgrade
	"$TCPOPT" mptcp enable cgroup "/$CG_C" >/dev/null
	proto_in "$CG_C" AF_INET6 SOCK_STREAM 0 >/dev/null
	link=$("$TCPOPT" -j mptcp show | jq '.[0].link_id')
	run "$TCPOPT" -j mptcp enable cgroup "/$CG_C"
	assert_success
	assert_jq --argjson l "$link" '.link_id == $l and .stats.upgraded == 1'
	run "$TCPOPT" -j mptcp enable family ipv4 cgroup "/$CG_C"
	assert_success
	assert_jq --argjson l "$link" '.link_id == $l and .family == "ipv4" and .stats.upgraded == 1'
	run proto_in "$CG_C" AF_INET6 SOCK_STREAM 0
	assert_success
	assert_output 6
	run proto_in "$CG_C" AF_INET SOCK_STREAM 0
	assert_success
	assert_output 262
	run mptcp_stats "$CG_C"
	assert_success
	assert_output '{"upgraded":2,"named_tcp":0,"skipped_family":1}'
	run "$TCPOPT" -j mptcp enable family ipv6 cgroup "/$CG_C"
	assert_success
	assert_jq '.family == "ipv6"'
	run proto_in "$CG_C" AF_INET SOCK_STREAM 0
	assert_success
	assert_output 6
}

@test "mptcp: save writes it, -b restores it after a disable, twice changes nothing" {
	require_feature mptcp_upgrade
	"$TCPOPT" mptcp enable cgroup "/$CG_C" >/dev/null
	"$TCPOPT" mptcp enable family ipv6 cgroup "/$CG_S" >/dev/null
	run "$TCPOPT" save - cgroup "/$CG_C"
	assert_success
	assert_line "mptcp enable cgroup /$CG_C"
	"$TCPOPT" save "$OUT/saved" cgroup "/$CG_S"
	CLEANUP_FILES+=("$OUT/saved")
	run grep -v '^#' "$OUT/saved"
	assert_success
	assert_output "mptcp enable family ipv6 cgroup /$CG_S"
	before=$("$TCPOPT" -j mptcp show cgroup "/$CG_S" | jq -c '.[0] | del(.link_id, .prog_id)')
	"$TCPOPT" mptcp disable cgroup "/$CG_S"
	run "$TCPOPT" -b "$OUT/saved"
	assert_success
	run "$TCPOPT" -j mptcp show cgroup "/$CG_S"
	assert_success
	assert_equal "$(jq -c '.[0] | del(.link_id, .prog_id)' <<<"$output")" "$before"
	link=$(jq '.[0].link_id' <<<"$output")
	run "$TCPOPT" -b "$OUT/saved"
	assert_success
	run "$TCPOPT" -j mptcp show cgroup "/$CG_S"
	assert_success
	assert_equal "$(jq '.[0].link_id' <<<"$output")" "$link"
	run proto_in "$CG_S" AF_INET6 SOCK_STREAM 0
	assert_success
	assert_output 262
}

@test "mptcp enable on a kernel without the hook: one line naming mptcp_upgrade, exit 1, nothing pinned" {
	require_no_feature mptcp_upgrade
	run --separate-stderr "$TCPOPT" mptcp enable cgroup "/$CG_C"
	assert_failure 1
	assert_equal "$stderr" 'tcpopt: mptcp: this kernel lets no BPF program choose the protocol of new sockets (see "tcpopt feature": mptcp_upgrade)'
	assert_output ""
	run --separate-stderr "$TCPOPT" -j mptcp enable family ipv4 cgroup "/$CG_C"
	assert_failure 1
	assert_jq '.error | test("mptcp_upgrade")'
	assert [ ! -e "/sys/fs/bpf/tcpopt/$(stat -c %i "$(cgroup2_root)/$CG_C")" ]
	run "$TCPOPT" -j mptcp show
	assert_success
	assert_output '[]'
	# the sockets stay what they were
	run proto_in "$CG_C" AF_INET SOCK_STREAM 0
	assert_success
	assert_output 6
}

@test "mptcp bad input: unknown cgroup, disable of nothing, bad family, stray words" {
	run "$TCPOPT" mptcp enable cgroup /nosuch-i18
	assert_failure 1
	assert_output --regexp '^tcpopt: mptcp: unknown cgroup "/nosuch-i18" \(no .*\)$'
	run "$TCPOPT" mptcp disable cgroup "/$CG_C"
	assert_failure 1
	assert_output "tcpopt: mptcp: MPTCP is not enabled on cgroup /$CG_C"
	run "$TCPOPT" mptcp enable family ipx cgroup "/$CG_C"
	assert_failure 2
	assert_output 'tcpopt: mptcp: invalid family "ipx" (all, ipv4, ipv6)'
	run "$TCPOPT" mptcp enable listen
	assert_failure 2
	assert_output --partial 'unknown keyword "listen"'
	run "$TCPOPT" mptcp show cgroup
	assert_failure 2
	run "$TCPOPT" mptcp show cgroup /nosuch-i18
	assert_failure 1
	run "$TCPOPT" -j mptcp show cgroup "/$CG_C"
	assert_success
	assert_output '[]'
	assert [ ! -e "/sys/fs/bpf/tcpopt/$(stat -c %i "$(cgroup2_root)/$CG_C")" ]
}
