#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Mechanisms every object shares, seen from the command line: error texts
# (libbpf's codes included), output that grows instead of cutting, and
# warnings that reach -j output.

load lib/common

teardown() {
	cleanup_all
}

@test "codebase: libbpf's error codes are words, not \"Unknown error 4001\"" {
	require_root
	local cg
	cg=$(test_tag)
	make_cgroup "$cg"
	run --separate-stderr tcpopt option add object /etc/passwd cgroup "/$cg"
	assert_failure 1
	assert_equal "$stderr" "tcpopt: option: cannot open the BPF object /etc/passwd: BPF object format invalid"
	run --separate-stderr tcpopt -j option add object /etc/passwd cgroup "/$cg"
	assert_failure 1
	assert_equal "$(jq -r .error <<<"$output")" \
		"cannot open the BPF object /etc/passwd: BPF object format invalid"
	# Nothing was attached.
	run tcpopt -j option list cgroup "/$cg"
	assert_success
	assert_equal "$(jq length <<<"$output")" 0
}
