// SPDX-License-Identifier: GPL-2.0
/*
 * proginfo: what the kernel says of loaded BPF programs, for the bench.
 *
 *   proginfo ID...
 *
 * Prints one JSON array, per program id: the instructions the verifier
 * processed to accept it (verified_insns, Linux 5.16: what a load waits
 * for), its size after the verifier's rewrites (xlated_insns) and its JIT
 * image in bytes.  Debian 12's bpftool does not show verified_insns.  Raw
 * bpf(2): the bench's tools link no library.  Exit status 1 if a program
 * cannot be read (its entry is null).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <sys/syscall.h>

static int prog_fd(__u32 id)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.prog_id = id;
	return (int)syscall(__NR_bpf, BPF_PROG_GET_FD_BY_ID, &attr, sizeof(attr));
}

static int prog_info(int fd, struct bpf_prog_info *info)
{
	union bpf_attr attr;

	memset(info, 0, sizeof(*info));
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = fd;
	attr.info.info_len = sizeof(*info);
	attr.info.info = (__u64)(unsigned long)info;
	return (int)syscall(__NR_bpf, BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr));
}

int main(int argc, char **argv)
{
	struct bpf_prog_info info;
	int i, fd, rc = 0;
	char *end;
	unsigned long id;

	if (argc < 2) {
		fprintf(stderr, "usage: proginfo ID...\n");
		return 2;
	}
	printf("[");
	for (i = 1; i < argc; i++) {
		errno = 0;
		id = strtoul(argv[i], &end, 10);
		fd = errno || *end || !id || id > 0xffffffffUL ? -1 : prog_fd((__u32)id);
		if (fd < 0 || prog_info(fd, &info)) {
			fprintf(stderr, "proginfo: program %s: %s\n", argv[i],
				fd < 0 && errno == 0 ? "invalid id" : strerror(errno));
			printf("%snull", i > 1 ? "," : "");
			rc = 1;
		} else {
			printf("%s{\"id\":%u,\"verified_insns\":%u,\"xlated_insns\":%u,\"jited_bytes\":%u}",
			       i > 1 ? "," : "", info.id, info.verified_insns,
			       info.xlated_prog_len / 8, info.jited_prog_len);
		}
		if (fd >= 0)
			close(fd);
	}
	printf("]\n");
	return rc;
}
