// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"

char _license[] SEC("license") = "GPL";

/* More than 1 MiB, so that a read into it spans many of the helper's page
 * batches; global data lives in an array map value.
 */
#define BUF_SIZE (1088 * 1024)
#define SECRET_SIZE 64

/* The thread that triggers a hook program names itself so (the name does
 * not depend on the pid namespace it runs in).
 */
#define TRIGGER_COMM "cfur_trigger"

/* Set by user space before a run. */
int target_pid;
__u64 target_addr;
__u32 read_size;

/* hold_mmap_lock: set once it holds the lock; it lets go when user space
 * sets release, or at hold_until_ns (bpf_ktime_get_ns()) at the latest.
 */
int held;
int release;
__u64 hold_until_ns;

/* Results. */
long read_ret;
int hits;
char buf[BUF_SIZE];
char secret[SECRET_SIZE];

/* The read of the programs attached to hooks, on the triggering thread. */
static __always_inline void read_secret(void)
{
	char comm[sizeof(TRIGGER_COMM)];

	if (bpf_get_current_comm(comm, sizeof(comm)) ||
	    bpf_strncmp(comm, sizeof(comm), TRIGGER_COMM))
		return;
	read_ret = bpf_copy_from_user_remote(secret, sizeof(secret),
					     (const void *)target_addr,
					     target_pid);
	hits++;
}

SEC("fentry.s/" SYS_PREFIX "sys_write")
int BPF_PROG(read_on_write)
{
	read_secret();
	return 0;
}

SEC("uprobe.s//proc/self/exe:copy_from_user_remote_uprobe_trigger")
int read_on_uprobe(void *ctx)
{
	read_secret();
	return 0;
}

SEC("lsm.s/file_open")
int BPF_PROG(read_on_file_open, struct file *file)
{
	read_secret();
	return 0;
}

SEC("syscall")
int read_remote(void *ctx)
{
	__u32 size = read_size;

	if (size > sizeof(buf))
		return 1;
	barrier_var(size);
	read_ret = bpf_copy_from_user_remote(buf, size,
					     (const void *)target_addr,
					     target_pid);
	return 0;
}

/* The whole 512 byte stack as the destination. Written in assembly because
 * the compiler refuses a 512 byte stack object even when nothing else is
 * spilled; a helper copies the result out to buf.
 */
SEC("syscall")
__naked int read_stack_max(void)
{
	asm volatile ("r1 = %[target_addr] ll;"
		      "r3 = *(u64 *)(r1 + 0);"
		      "r1 = %[target_pid] ll;"
		      "r4 = *(u32 *)(r1 + 0);"
		      "r6 = r10;"
		      "r6 += -512;"
		      "r1 = r6;"
		      "r2 = 512;"
		      "call %[bpf_copy_from_user_remote];"
		      "r7 = r0;"
		      "r1 = %[buf] ll;"
		      "r2 = 512;"
		      "r3 = r6;"
		      "call %[bpf_probe_read_kernel];"
		      "r1 = %[read_ret] ll;"
		      "*(u64 *)(r1 + 0) = r7;"
		      "r0 = 0;"
		      "exit;"
		      :
		      : __imm_addr(target_addr), __imm_addr(target_pid),
			__imm_addr(buf), __imm_addr(read_ret),
			__imm(bpf_copy_from_user_remote),
			__imm(bpf_probe_read_kernel)
		      : __clobber_all);
}

/* A callback, so that each call loads release anew. */
static int spin(__u64 i, void *ctx)
{
	return release || bpf_ktime_get_ns() > hold_until_ns;
}

/* Holds the iterated task's mmap_lock, busy, until told to let go. Not
 * sleepable: bpf_iter_run_prog() calls might_fault() for a sleepable
 * program, which lockdep reports as a second mmap_lock taken under this one.
 */
SEC("iter/task_vma")
int hold_mmap_lock(struct bpf_iter__task_vma *ctx)
{
	int i;

	if (!ctx->vma || held)
		return 0;
	held = 1;
	bpf_for(i, 0, 1 << 20) {
		bpf_loop(1 << 20, spin, NULL, 0);
		if (spin(0, NULL))
			break;
	}
	return 0;
}
