# SPDX-License-Identifier: GPL-2.0
# Shared by the suites of the request options (cc, iw, delack): a client
# cgroup in $NS_C and a server cgroup in $NS_S, one connection at a time,
# the handshake's options read from a capture, the sockets' state from
# tcpprobe's reports (lib/conn.bash).  Load after lib/common.

load lib/conn

PORT=5001

request_setup() {
	conn_setup
}

# The request suites' setup and teardown (option-cc, -iw, -delack load this
# library only); a suite defines one again after loading it to change it.
setup() {
	request_setup
}

teardown() {
	cleanup_all
}

# counter OPTION CGROUP COUNTER: one counter of an attachment.
counter() {
	"$TCPOPT" -j option show "$1" cgroup "$2" | jq -r ".stats.$3"
}

# crafted_syn SYN_OPTS [ACK_OPTS]: a handshake made by scapy from an
# address no socket owns, to the server; the connection must complete.
# The server's report is left in REPORT.
crafted_syn() {
	craft_peer "$1" "${2:-}"
	REPORT=$SERVER_REPORT
	assert [ -n "$REPORT" ]
}

# bad_input ARGS...: "tcpopt option add ARGS" fails as a usage error, one
# line on stderr, and pins nothing on the client cgroup.
bad_input() {
	run --separate-stderr "$TCPOPT" option add "$@" cgroup "$CG_C"
	assert_equal "$status" 2
	assert_equal "$output" ""
	assert_equal "$(wc -l <<<"$stderr")" 1
	assert_equal "${stderr:0:16}" "tcpopt: option: "
	assert_no_pins "$CG_C"
}
