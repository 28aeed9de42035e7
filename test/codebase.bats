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

@test "codebase: save keeps every line past its first allocation (xgrow)" {
	require_root
	local tag i cg
	tag=$(test_tag)
	# 18 lines: more than the 16 a growing array starts with.  Two
	# cgroups, since a cgroup holds 16 built-in options at most.
	make_cgroup "$tag-a"
	make_cgroup "$tag-b"
	for i in $(seq 1 18); do
		cg=$tag-a
		[ "$i" -le 9 ] || cg=$tag-b
		run tcpopt option add exp "$(printf '0x%04x' $((0x200 + i)))" 0x01 cgroup "/$cg"
		assert_success
	done
	run tcpopt save
	assert_success
	assert_equal "$(grep -c "^option add exp .* cgroup /$tag-[ab]\$" <<<"$output")" 18
	# Sorted, each once: the last ExID is there.
	assert_output --partial "option add exp 0x0212 0x01"
	run tcpopt -j save
	assert_success
	assert_equal "$(jq --arg t "/$tag-" '[.commands[] | select(contains("cgroup " + $t))] | length' <<<"$output")" 18
}
