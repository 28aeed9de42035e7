#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# User-written sockops programs ("option add object"): attached, seen on the
# wire, listed, counted, replaced and removed like the built-in options.

load lib/common
load lib/conn

PORT=5004
HELLO=$TOP/build/examples/hello_opt.bpf.o

setup() {
	conn_setup
	# "make" builds it (make check does)
	assert [ -f "$HELLO" ]
}

teardown() {
	cleanup_all
}

# build_object NAME SOURCE: compile a small BPF object for the test.
build_object() {
	printf '%s\n' "$2" >"$BATS_TEST_TMPDIR/$1.bpf.c"
	clang -g -O2 -target bpf -I/usr/include/"$(gcc -print-multiarch)" \
		-c "$BATS_TEST_TMPDIR/$1.bpf.c" -o "$BATS_TEST_TMPDIR/$1.bpf.o"
}

TWO_PROGS='
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 8);
	 __type(key, __u32); __type(value, __u32); } stats SEC(".maps");
SEC("sockops") int first(struct bpf_sock_ops *s) { return 1; }
SEC("sockops") int second(struct bpf_sock_ops *s) { return 1; }
char LICENSE[] SEC("license") = "GPL";'

@test "object: hello_opt writes its option on the SYN; del removes it" {
	run tcpopt -j option add object "$HELLO" cgroup "$CG_C"
	assert_success
	assert_equal "$(jq -r '[.option, .instance, .params.label, .params.file, .attached] | join(" ")' <<<"$output")" \
		"object hello_opt hello_opt $HELLO true"
	run bpftool -j cgroup show "$(cgroup2_root)/$CG_C"
	assert_success
	assert_equal "$(jq -r '.[0].name' <<<"$output")" hello_opt
	handshake 192.0.2.2
	# kind 254, length 6, ExID 0x4845, "hi"
	assert_equal "$(find_exp "$SYN" 254 4845)" fe0648456869
	assert_equal "$(find_exp "$ACK" 254 4845)" ""
	# Its own "stats" map, in tcpopt's layout, shows in tcpopt stats.
	run tcpopt -j stats option object hello_opt cgroup "$CG_C"
	assert_success
	assert_equal "$(jq -r '.[0] | "\(.option) \(.instance) \(.sent) \(.no_room) \(.error)"' <<<"$output")" \
		"object hello_opt 1 0 0"
	run tcpopt -j option del object hello_opt cgroup "$CG_C"
	assert_success
	assert_equal "$(jq -r '.[0] | "\(.option) \(.instance)"' <<<"$output")" "object hello_opt"
	pinned_nothing "$CG_C"
	handshake 192.0.2.2
	assert [ -n "$SYN" ]
	assert_equal "$(find_exp "$SYN" 254 4845)" ""
}

@test "object: on the server it goes on the SYN-ACK (IPv6)" {
	tcpopt option add object "$HELLO" name hello6 cgroup "$CG_S"
	handshake 2001:db8::2
	assert_equal "$(find_exp "$SYN" 254 4845)" ""
	assert_equal "$(find_exp "$SYNACK" 254 4845)" fe0648456869
	assert_equal "$(stat_of object hello6 sent "$CG_S")" 1
}

@test "object: beside a built-in option, both on the wire; list shows both" {
	tcpopt option add uto 120s cgroup "$CG_C"
	tcpopt option add object "$HELLO" cgroup "$CG_C"
	handshake 192.0.2.2
	assert_equal "$(find_option "$SYN" 28)" 1c040078
	assert_equal "$(find_exp "$SYN" 254 4845)" fe0648456869
	run tcpopt option list cgroup "$CG_C"
	assert_success
	assert_line --regexp "^/$CG_C +object +hello_opt +label hello_opt file $HELLO +yes"
	assert_line --regexp "^/$CG_C +uto +- +timeout 2min min 100s max 1h +yes +syn +accept"
	run tcpopt -j option flush cgroup "$CG_C"
	assert_success
	assert_equal "$(jq -r '[.[] | .option] | sort | join(" ")' <<<"$output")" "object uto"
	pinned_nothing "$CG_C"
}

@test "object: an identical add is a no-op, a different one needs replace" {
	tcpopt option add object "$HELLO" cgroup "$CG_C"
	link=$(tcpopt -j option show object hello_opt cgroup "$CG_C" | jq .link_id)
	tcpopt option add object "$HELLO" cgroup "$CG_C"
	build_object copy "$(cat "$TOP/bpf/examples/hello_opt.bpf.c")"
	run tcpopt option add object "$BATS_TEST_TMPDIR/copy.bpf.o" name hello_opt cgroup "$CG_C"
	assert_failure 1
	assert_output --partial "object hello_opt is already attached to cgroup /$CG_C"
	tcpopt option add object "$BATS_TEST_TMPDIR/copy.bpf.o" name hello_opt replace cgroup "$CG_C"
	run tcpopt -j option show object hello_opt cgroup "$CG_C"
	assert_success
	assert_equal "$(jq -r .params.file <<<"$output")" "$BATS_TEST_TMPDIR/copy.bpf.o"
	# the same link, the new program
	assert_equal "$(jq -r .link_id <<<"$output")" "$link"
	handshake 192.0.2.2
	assert_equal "$(find_exp "$SYN" 254 4845)" fe0648456869
}

@test "object: prog picks one of several programs; stats of another layout show as -" {
	build_object two "$TWO_PROGS"
	run tcpopt option add object "$BATS_TEST_TMPDIR/two.bpf.o" cgroup "$CG_C"
	assert_failure 2
	assert_output "tcpopt: option: object-two: the object must hold exactly one sockops program (name it with \"prog\")"
	pinned_nothing "$CG_C"
	tcpopt option add object "$BATS_TEST_TMPDIR/two.bpf.o" prog second cgroup "$CG_C"
	run tcpopt -j option show object two cgroup "$CG_C"
	assert_success
	assert_equal "$(jq -r '.params.prog, .attached' <<<"$output" | tr '\n' ' ')" "second true "
	run bpftool -j cgroup show "$(cgroup2_root)/$CG_C"
	assert_success
	assert_equal "$(jq -r '.[0].name' <<<"$output")" second
	# Its "stats" is a hash of 32-bit values: not read as counters.
	run tcpopt -j stats option object cgroup "$CG_C"
	assert_success
	assert_equal "$(jq -r '.[0] | "\(.instance) \(.sent) \(.error)"' <<<"$output")" "two null null"
	run tcpopt stats option object cgroup "$CG_C"
	assert_success
	assert_line --index 1 --regexp "^/$CG_C +object +two +- +- +- +- +- +- +- +- +- +- +- +-$"
}

@test "object: bad input is refused and pins nothing" {
	run --separate-stderr tcpopt option add object "$BATS_TEST_TMPDIR/none.bpf.o" cgroup "$CG_C"
	assert_failure 1
	assert_equal "$stderr" "tcpopt: option: object: cannot read \"$BATS_TEST_TMPDIR/none.bpf.o\": No such file or directory"
	echo "not an ELF" >"$BATS_TEST_TMPDIR/junk.bpf.o"
	run --separate-stderr tcpopt option add object "$BATS_TEST_TMPDIR/junk.bpf.o" cgroup "$CG_C"
	assert_failure 1
	assert_equal "${stderr%%:*}" "tcpopt"
	want="tcpopt: option: cannot open the BPF object $BATS_TEST_TMPDIR/junk.bpf.o: "
	assert_equal "${stderr:0:${#want}}" "$want"
	run --separate-stderr tcpopt option add object "$HELLO" prog nope cgroup "$CG_C"
	assert_failure 2
	assert_equal "$stderr" 'tcpopt: option: no program "nope" in the object'
	run --separate-stderr tcpopt option add object "$HELLO" dport 80 cgroup "$CG_C"
	assert_failure 2
	assert_equal "$stderr" 'tcpopt: option: unknown keyword "dport" (choose from: cgroup, replace, prog, name)'
	run --separate-stderr tcpopt option add object "$HELLO" name a.b cgroup "$CG_C"
	assert_failure 2
	assert_equal "$stderr" "tcpopt: option: object: invalid label \"a.b\" (letters, digits, '_' and '-' only)"
	run --separate-stderr tcpopt option add object cgroup "$CG_C"
	assert_failure 2
	assert_equal "$stderr" 'tcpopt: option: object: missing FILE'
	pinned_nothing "$CG_C"
	tcpopt option add object "$HELLO" cgroup "$CG_C"
	run --separate-stderr tcpopt option set object hello_opt cgroup "$CG_C"
	assert_failure 2
	assert_equal "$stderr" 'tcpopt: option: object cannot be changed in place (add it again with "replace")'
	run --separate-stderr tcpopt option del object other cgroup "$CG_C"
	assert_failure 1
	assert_equal "$stderr" "tcpopt: option: object other is not attached to cgroup /$CG_C"
}

@test "object: the attachment outlives the file it came from" {
	cp "$HELLO" "$BATS_TEST_TMPDIR/gone.bpf.o"
	tcpopt option add object "$BATS_TEST_TMPDIR/gone.bpf.o" cgroup "$CG_C"
	rm "$BATS_TEST_TMPDIR/gone.bpf.o"
	handshake 192.0.2.2
	assert_equal "$(find_exp "$SYN" 254 4845)" fe0648456869
	run tcpopt -j option list cgroup "$CG_C"
	assert_success
	assert_equal "$(jq -r '.[0].params.file' <<<"$output")" "$BATS_TEST_TMPDIR/gone.bpf.o"
	tcpopt option del object gone cgroup "$CG_C"
	pinned_nothing "$CG_C"
}
