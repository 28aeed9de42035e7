# SPDX-License-Identifier: GPL-2.0
# The preamble of the MPTCP suites (monitor, pm, pm-agent, subflow): the
# libraries, the port, and a setup/teardown of the two-path test network
# (lib/mptcp.bash) that a suite may define again after loading this.
#   load lib/mptcp-suite

load "$(dirname "${BASH_SOURCE[0]}")/common"
load "$(dirname "${BASH_SOURCE[0]}")/mptcp"

PORT=5001

setup() {
	mptcp_setup
}

teardown() {
	cleanup_all
}
