#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Everything the patch set adds is visible in the running kernel's BTF, under
# the names `tcpopt feature` probes for.

load lib

# The dump once for the file's tests, each grepping it: under TCG a dump
# takes seconds, and a here-string of its megabytes per name took 10-14 s
# a test.
setup_file() {
	export BTF_DUMP=$BATS_FILE_TMPDIR/vmlinux.btf.txt
	bpftool btf dump file /sys/kernel/btf/vmlinux >"$BTF_DUMP"
}

@test "TCP_BPF_DELACK_SEGS is in BTF as 1009" {
	run grep -cw "'TCP_BPF_DELACK_SEGS' val=1009" "$BTF_DUMP"
	assert_success
	assert_output 1
}

@test "the MPTCP cb flag and callback ops are in BTF with their values" {
	for pair in BPF_SOCK_OPS_MPTCP_CB_FLAG:128 BPF_SOCK_OPS_ALL_CB_FLAGS:255 \
		    BPF_SOCK_OPS_MPTCP_CREATED_CB:16 BPF_SOCK_OPS_MPTCP_ESTABLISHED_CB:17 \
		    BPF_SOCK_OPS_MPTCP_CLOSED_CB:18 \
		    BPF_SOCK_OPS_MPTCP_SUBFLOW_ESTABLISHED_CB:19 \
		    BPF_SOCK_OPS_MPTCP_SUBFLOW_CLOSED_CB:20 \
		    BPF_SOCK_OPS_MPTCP_ADDR_ANNOUNCED_CB:21 \
		    BPF_SOCK_OPS_MPTCP_ADDR_REMOVED_CB:22 \
		    BPF_SOCK_OPS_MPTCP_LOCAL_ADDR_ADDED_CB:23 \
		    BPF_SOCK_OPS_MPTCP_LOCAL_ADDR_REMOVED_CB:24; do
		run grep -c "'${pair%:*}' val=${pair#*:}\$" "$BTF_DUMP"
		assert_success
		assert_output 1
	done
}

@test "the MPTCP sockops kfuncs and struct bpf_mptcp_info are in BTF" {
	for f in bpf_mptcp_sock_ops_get_info bpf_mptcp_sock_ops_subflow_connect \
		 bpf_mptcp_sock_ops_pm_claim bpf_mptcp_sock_ops_get_local_addr \
		 bpf_mptcp_sock_ops_get_subflow bpf_mptcp_sock_ops_subflow_close; do
		run grep -c "FUNC '$f' " "$BTF_DUMP"
		assert_success
		assert_output 1
	done
	run grep -c "STRUCT 'bpf_mptcp_info' size=44 " "$BTF_DUMP"
	assert_success
	assert_output 1
}

@test "tcpopt feature finds the patch set in this kernel" {
	local tcpopt=${TCPOPT:-$KTEST_DIR/../../tcpopt/tcpopt}
	assert [ -x "$tcpopt" ]
	run "$tcpopt" -j feature
	assert_success
	for f in delack_segs mptcp_sockops mptcp_subflow_kfunc mptcp_bpf_pm; do
		assert_jq --arg f "$f" '[.[] | select(.feature == $f)][0] |
			.supported == true and .provided_by == "tcpopt-kernel"'
	done
}
