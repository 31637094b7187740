// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpf_misc.h"

char _license[] SEC("license") = "GPL";

/* Large enough for a read spanning two pages, and a map value of more than
 * 16 KiB: global data lives in an array map value.
 */
#define BUF_SIZE (5 * 4096)
#define SECRET_SIZE 64

/* Set by user space before a run. */
int target_pid;
const void *target_addr;
__u32 read_size;
int filter_tid;

/* Results. */
long read_ret;
int hits;
char buf[BUF_SIZE];
char secret[SECRET_SIZE];

SEC("fentry.s/" SYS_PREFIX "sys_write")
int BPF_PROG(read_on_write)
{
	if ((__u32)bpf_get_current_pid_tgid() != filter_tid)
		return 0;

	read_ret = bpf_copy_from_user_remote(secret, sizeof(secret),
					     target_addr, target_pid);
	hits++;
	return 0;
}

SEC("syscall")
int read_remote(void *ctx)
{
	__u32 size = read_size;

	if (size > sizeof(buf))
		return -E2BIG;
	barrier_var(size);
	read_ret = bpf_copy_from_user_remote(buf, size, target_addr,
					     target_pid);
	return 0;
}

SEC("syscall")
int read_stack_max(void *ctx)
{
	char stack_buf[512];

	read_ret = bpf_copy_from_user_remote(stack_buf, sizeof(stack_buf),
					     target_addr, target_pid);
	__builtin_memcpy(buf, stack_buf, sizeof(stack_buf));
	return 0;
}
