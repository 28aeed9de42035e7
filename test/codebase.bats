#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Mechanisms every object shares, seen from the command line: error texts
# (libbpf's codes included), output that grows instead of cutting, and
# warnings that reach -j output.

load lib/common
load lib/mptcp

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

@test "codebase: a table cell over 256 characters is printed whole (a deep cgroup)" {
	require_root
	local tag parent leaf want
	tag=$(test_tag)
	# /TAG-aaa...a/bbb...b: a path of 300 characters and more.
	parent=$tag-$(printf 'a%.0s' $(seq 150))
	leaf=$parent/$(printf 'b%.0s' $(seq 150))
	make_cgroup "$leaf"
	CLEANUP_CGROUPS+=("$parent")	# after its child
	run tcpopt option add uto 30s cgroup "/$leaf"
	assert_success
	run tcpopt option list cgroup "/$leaf"
	assert_success
	assert_line --index 0 --regexp '^CGROUP +OPTION'
	want=/$leaf
	assert [ ${#want} -gt 300 ]
	assert_line --index 1 --regexp "^$want +uto "
	run tcpopt -j option list cgroup "/$leaf"
	assert_success
	assert_equal "$(jq -r '.[0].cgroup' <<<"$output")" "$want"
}

# The table layer alone, for what no command prints yet: 40 columns.
OUTPUT_WIDE='
#include <stdio.h>
#include "output.h"
int main(void)
{
	struct onode *arr = out_new_array(), *row, *o;
	char key[16], val[400];
	int i;

	row = out_push_object(arr);
	for (i = 0; i < 40; i++) {
		snprintf(key, sizeof(key), "c%02d", i);
		out_uint(row, key, (unsigned)i);
	}
	o = out_add_object(row, "params");
	for (i = 0; i < 300; i++)
		val[i] = (char)(i % 26 + 97);
	val[300] = 0;
	out_str(o, "long", val);
	out_render(arr, stdout);
	return 0;
}'

@test "codebase: a table of 40 columns keeps them all, cells whole" {
	local bin=$BATS_TEST_TMPDIR/output_wide
	printf '%s\n' "$OUTPUT_WIDE" >"$bin.c"
	# The output layer needs only the layers below it.
	run cc -std=gnu11 -D_GNU_SOURCE -I"$TOP/lib" -I"$TOP/lib/uapi" -o "$bin" "$bin.c" \
		"$TOP/lib/output.c" "$TOP/lib/json.c" "$TOP/lib/xalloc.c"
	assert_success
	run "$bin"
	assert_success
	assert_equal "${#lines[@]}" 2
	assert_equal "$(wc -w <<<"${lines[0]}")" 41
	assert_line --index 0 --regexp '^C00 +C01 .* C39 +PARAMS$'
	assert_equal "$(awk '{ print $41, length($42) }' <<<"${lines[1]}")" "long 300"
	assert_equal "$(awk '{ print $40 }' <<<"${lines[1]}")" 39
}

@test "codebase: a warning reaches -j output in its document's \"warnings\" (pm set fullmesh falls back)" {
	require_root
	require_feature '!mptcp_bpf_pm'
	local cg want
	make_mptcp_pair
	cg=/$(test_tag)w
	make_cgroup "${cg#/}"
	want="no BPF path manager in this kernel (see \"tcpopt feature\": mptcp_bpf_pm); used the in-kernel path manager's fullmesh endpoints, for the whole network namespace, not cgroup $cg"
	run --separate-stderr tcpopt -n "$NS_C" -j pm set fullmesh cgroup "$cg"
	assert_success
	assert_equal "$stderr" "tcpopt: pm: $want"
	# One document: what was done, and the warning with it.
	assert_equal "${#lines[@]}" 1
	assert_equal "$(jq '.endpoints | length' <<<"$output")" 4
	assert_equal "$(jq -c .warnings <<<"$output")" "$(jq -nc --arg w "$want" '[$w]')"
	# The same warning in text mode: stderr only, stdout the table.
	run --separate-stderr tcpopt -n "$NS_C" pm set fullmesh cgroup "$cg"
	assert_success
	assert_equal "$stderr" "tcpopt: pm: $want"
	refute_output --partial warning
}

@test "codebase: messages go through err_str() and err_usage/err_run/err_warn, not strerror() or a bare fprintf(stderr)" {
	# strerror() says "Unknown error 4001" for libbpf's codes; a bare
	# fprintf(stderr) never reaches -j output.  The front end (tcpopt.c)
	# speaks before -j is known; lib/errors.c is where the messages are
	# made, lib/xalloc.c says "out of memory" with no memory to make one.
	run grep -n 'strerror(' -r "$TOP/lib" "$TOP/tcpopt" --include='*.c' --exclude=errors.c
	assert_failure 1
	assert_output ""
	run grep -n -E '(^|[^a-z_])f(printf|puts)\(.*stderr|perror\(' -r "$TOP/lib" "$TOP/tcpopt" --include='*.c' \
		--exclude=errors.c --exclude=xalloc.c --exclude=tcpopt.c
	assert_failure 1
	assert_output ""
}

@test "codebase: one name per thing: no function name is defined in two files of lib/ and tcpopt/" {
	# usage() is each object's own help text, by convention (iproute2).
	local f dups
	dups=$(for f in "$TOP"/lib/*.c "$TOP"/tcpopt/*.c; do
		sed -n -E 's/^(static )?[a-z_][^(=;]*[ *]([a-z_0-9]+)\(.*/\2/p' "$f" | sort -u
	done | grep -vx usage | sort | uniq -d)
	assert_equal "$dups" ""
	# The check sees the definitions: it finds do_option and out_render.
	run sed -n -E 's/^(static )?[a-z_][^(=;]*[ *]([a-z_0-9]+)\(.*/\2/p' \
		"$TOP/tcpopt/option.c" "$TOP/lib/output.c"
	assert_success
	assert_line do_option
	assert_line out_render
}

@test "codebase: one parser for ExIDs and tokens: decimal or 0x hex, whole word, in range, in all three places" {
	require_root
	local ns w
	ns=$(test_tag)n
	ip netns add "$ns"
	CLEANUP_NETNS+=("$ns")
	# exp's instance word (option_exp.c)
	for w in 0x4e2a 0X4E2A 20010 0x0001 65535; do
		run tcpopt -n "$ns" -j stats option exp "$w"
		assert_success
		assert_output "[]"
	done
	for w in 0x10000 65536 0x 0xg1 -1 1x 0x4e2a0000000000000001; do
		run --separate-stderr tcpopt -n "$ns" stats option exp "$w"
		assert_failure 2
		assert_equal "$stderr" "tcpopt: stats: exp: invalid ExID \"$w\" (1 to 0xffff, decimal or 0x-prefixed hex)"
	done
	# the family's "exid" keyword (option_words.c)
	for w in 0x10000 0 0x0 0xz; do
		run --separate-stderr tcpopt -n "$ns" option add cc cubic exid "$w"
		assert_failure 2
		assert_equal "$stderr" "tcpopt: option: invalid exid \"$w\" (1 to 0xffff, decimal or 0x-prefixed hex)"
	done
	# MPTCP tokens (lib/mptcp.c): 32 bits
	# (accepted: the value reaches the lookup, which finds no connection)
	for w in 0xffffffff:4294967295 0XdeadBEEF:3735928559 4294967295:4294967295 0x01:1; do
		run --separate-stderr tcpopt -n "$ns" subflow list token "${w%:*}"
		assert_failure 1
		assert_equal "$stderr" "tcpopt: subflow: no MPTCP connection with token ${w#*:}"
	done
	for w in 0x100000000 4294967296 0x 0xq -5; do
		run --separate-stderr tcpopt -n "$ns" subflow list token "$w"
		assert_failure 2
		assert_equal "$stderr" "tcpopt: subflow: invalid token \"$w\""
	done
}

@test "codebase: a config pinned by another tcpopt version (other abi) is refused the same way by show, add, set and save" {
	require_root
	local cg id dir value
	cg=$(test_tag)
	make_cgroup "$cg"
	run tcpopt option add uto 30s cgroup "/$cg"
	assert_success
	run tcpopt -j option show uto cgroup "/$cg"
	assert_success
	id=$(jq .cgroup_id <<<"$output")
	dir=/sys/fs/bpf/tcpopt/$id/uto
	# The slot's config: type, pad, then tcpopt_common, abi first.
	run bpftool -j map lookup pinned "$dir/config" key 0 0 0 0
	assert_success
	value=$(jq -r '.value | .[8:12] = ["0xff","0xff","0xff","0xff"] | join(" ")' <<<"$output")
	run bpftool map update pinned "$dir/config" key 0 0 0 0 value $value
	assert_success
	run tcpopt -j option show uto cgroup "/$cg"
	assert_success
	assert_equal "$(jq -c '[.params, .attached]' <<<"$output")" '[null,true]'
	run tcpopt option show uto cgroup "/$cg"
	assert_success
	assert_output --partial "(unreadable config)"
	run --separate-stderr tcpopt option add uto 30s cgroup "/$cg"
	assert_failure 1
	assert_equal "$stderr" "tcpopt: option: uto is already attached to cgroup /$cg, config unreadable (use \"replace\")"
	run --separate-stderr tcpopt option set uto 40s cgroup "/$cg"
	assert_failure 1
	assert_equal "$stderr" "tcpopt: option: cannot read the config of $dir: pinned by another tcpopt version (re-add it with \"replace\")"
	run --separate-stderr tcpopt save cgroup "/$cg"
	assert_failure 1
	assert_equal "$stderr" "tcpopt: save: cannot save uto on cgroup /$cg: cannot read its config: pinned by another tcpopt version"
}

@test "codebase: the add-an-option recipe of option.h holds: an option is its option_NAME.c, a table line, a bats file" {
	local names n
	run tcpopt option help
	assert_success
	names=$(sed -n '/NAME \[ VALUE \] \[ OPTS \] := {/,$ s/^ \{11\}\([a-z]\+\) .*/\1/p' <<<"$output")
	assert_equal "$(wc -w <<<"$names")" 6
	# The table: a line per option, in the order of the usage, nothing else.
	run sed -n 's/^\t&\([a-z_]*\)_desc,$/\1/p' "$TOP/tcpopt/option_kinds.c"
	assert_success
	assert_equal "$output" "$names"
	run sed -n -E 's/^(static )?[a-z_][^(=;]*[ *]([a-z_0-9]+)\(.*/\2/p' "$TOP/tcpopt/option_kinds.c"
	assert_success
	assert_output ""
	for n in $names; do
		run grep -c "^const struct opt_desc ${n}_desc = {\$" "$TOP/tcpopt/option_$n.c"
		assert_success
		assert_output 1
		assert [ -f "$TOP/test/option-$n.bats" ]
	done
	# A new tcpopt/*.c file needs no Makefile edit.
	run grep -c '^CLI_SRCS := $(wildcard tcpopt/\*\.c)$' "$TOP/Makefile"
	assert_success
	assert_output 1
	# .summary was never read: gone, not set six times.
	run grep -l '\.summary = ' "$TOP"/tcpopt/option*.c
	assert_failure 1
}

@test "codebase: lib/ in layers: xalloc, json, errors, output, utils each include only those below it" {
	local layers=(xalloc json errors output utils) i f inc bad=()
	for ((i = 0; i < ${#layers[@]}; i++)); do
		for f in "$TOP/lib/${layers[i]}.c" "$TOP/lib/${layers[i]}.h"; do
			assert [ -f "$f" ]
			for inc in $(sed -n 's/^#include "\(.*\)"$/\1/p' "$f"); do
				case " ${layers[*]:0:i+1} " in
				*" ${inc%.h} "*) ;;
				*) bad+=("${f#"$TOP"/}: $inc") ;;
				esac
			done
		done
	done
	assert_equal "${bad[*]}" ""
	# The check sees the includes: json.c's of xalloc.h.
	run sed -n 's/^#include "\(.*\)"$/\1/p' "$TOP/lib/json.c"
	assert_success
	assert_line xalloc.h
}

@test "codebase: the pin tree's lock is lib/state.h and libbpf_quiet() lib/attach.h, not bpffs.h; bpffs needs neither" {
	local decl='^(int|void) (state_lock|state_unlock|state_lock_cgroup|pin_remove_attachment|libbpf_quiet)\('
	run grep -E "$decl" "$TOP/lib/bpffs.h"
	assert_failure 1
	run grep -ohE "$decl" "$TOP/lib/state.h"
	assert_success
	assert_equal "${lines[*]}" "int state_lock( void state_unlock( int state_lock_cgroup( int pin_remove_attachment("
	run grep -ohE "$decl" "$TOP/lib/attach.h"
	assert_success
	assert_output "void libbpf_quiet("
	# state sits above bpffs (it mounts bpffs before it locks), not beside it.
	run grep -E '^#include "(state|attach)\.h"$' "$TOP/lib/bpffs.c" "$TOP/lib/bpffs.h"
	assert_failure 1
	run grep -c '^#include "bpffs.h"$' "$TOP/lib/state.c"
	assert_success
	assert_output 1
}
