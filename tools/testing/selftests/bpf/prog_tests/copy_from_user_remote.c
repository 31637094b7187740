// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <dirent.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <linux/userfaultfd.h>
#include <test_progs.h>
#include "cap_helpers.h"
#include "copy_from_user_remote.skel.h"

#define SECRET_SIZE 64
#define SENTINEL 0xa5
/* The name of a thread that triggers a hook program (see the programs). */
#define TRIGGER_COMM "cfur_trigger"
/* How long to wait for a target to report something. */
#define TARGET_TIMEOUT_MS 10000

static long page_size;

/* A forked process whose memory the tests read. It runs setup(), which may
 * report addresses through the info pipe, then waits to be killed.
 */
struct target {
	pid_t pid;
	int info;
};

typedef void (*target_setup_fn)(void *arg, int info_fd);

static int target_start(struct target *t, target_setup_fn setup, void *arg)
{
	int info[2], err;

	if (pipe(info))
		return -errno;
	t->pid = fork();
	if (t->pid < 0) {
		err = -errno;
		close(info[0]);
		close(info[1]);
		return err;
	}
	if (t->pid == 0) {
		close(info[0]);
		if (setup)
			setup(arg, info[1]);
		for (;;)
			pause();
	}
	close(info[1]);
	t->info = info[0];
	return 0;
}

/* Reads len bytes the target reported; -ETIMEDOUT if they do not come
 * within timeout_ms.
 */
static int target_recv_within(struct target *t, void *data, size_t len,
			      int timeout_ms)
{
	struct pollfd pfd = { .fd = t->info, .events = POLLIN };
	char *p = data;
	ssize_t n;

	while (len) {
		if (poll(&pfd, 1, timeout_ms) != 1)
			return -ETIMEDOUT;
		n = read(t->info, p, len);
		if (n <= 0)
			return -EIO;
		p += n;
		len -= n;
	}
	return 0;
}

static int target_recv(struct target *t, void *data, size_t len)
{
	return target_recv_within(t, data, len, TARGET_TIMEOUT_MS);
}

static __u64 now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

static bool reap_within(pid_t pid, int timeout_ms)
{
	__u64 start = now_us();

	do {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return true;
		usleep(10000);
	} while (now_us() - start < timeout_ms * 1000ULL);
	return false;
}

/* Kills the target and reaps it. A target that does not exit in time is
 * stuck in exit_mmap(), waiting for an mmap_lock a read left held.
 */
static void target_stop(struct target *t)
{
	kill(t->pid, SIGKILL);
	close(t->info);
	ASSERT_TRUE(reap_within(t->pid, TARGET_TIMEOUT_MS),
		    "target exits after SIGKILL");
}

static void report(int fd, const void *data, size_t len)
{
	if (write(fd, data, len) != (ssize_t)len)
		_exit(1);
}

static int read_with_pvr(pid_t pid, const void *addr, void *dst, size_t len)
{
	struct iovec local = { .iov_base = dst, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)addr, .iov_len = len };
	ssize_t n;

	n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	if (n == (ssize_t)len)
		return 0;
	return n < 0 ? -errno : -EFAULT;
}

/* Runs one of the syscall programs, reading @size bytes at @addr of @pid into
 * skel->bss->buf, prefilled with SENTINEL. Returns the helper's result, or
 * -1000 if the program did not run. No ASSERT_*: forked children use it.
 */
static long run_read_raw(struct copy_from_user_remote *skel,
			 struct bpf_program *prog, pid_t pid,
			 const void *addr, __u32 size)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);

	memset(skel->bss->buf, SENTINEL, sizeof(skel->bss->buf));
	skel->bss->target_pid = pid;
	skel->bss->target_addr = (__u64)(unsigned long)addr;
	skel->bss->read_size = size;
	skel->bss->read_ret = 1;
	if (bpf_prog_test_run_opts(bpf_program__fd(prog), &opts) ||
	    opts.retval)
		return -1000;
	return skel->bss->read_ret;
}

static long run_read(struct copy_from_user_remote *skel,
		     struct bpf_program *prog, pid_t pid, const void *addr,
		     __u32 size)
{
	long ret = run_read_raw(skel, prog, pid, addr, size);

	ASSERT_NEQ(ret, -1000, "syscall program ran");
	return ret;
}

static bool all_bytes(const char *buf, size_t len, unsigned char val)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)buf[i] != val)
			return false;
	return true;
}

static void check_error(struct copy_from_user_remote *skel, long ret,
			__u32 size, long err, const char *name)
{
	ASSERT_EQ(ret, err, name);
	ASSERT_TRUE(all_bytes(skel->bss->buf, size, 0), "dst zeroed on error");
	ASSERT_TRUE(all_bytes(skel->bss->buf + size,
			      sizeof(skel->bss->buf) - size, SENTINEL),
		    "bytes past size untouched");
}

static void expect_error(struct copy_from_user_remote *skel, pid_t pid,
			 const void *addr, __u32 size, long err,
			 const char *name)
{
	long ret = run_read(skel, skel->progs.read_remote, pid, addr, size);

	check_error(skel, ret, size, err, name);
}

/* Reads @size bytes at @addr of @pid with the helper and checks them against
 * process_vm_readv(), which must succeed.
 */
static void expect_same_as_pvr(struct copy_from_user_remote *skel, pid_t pid,
			       const void *addr, __u32 size, const char *name)
{
	static char expected[sizeof(skel->bss->buf)];
	long ret;

	if (!ASSERT_LE(size, sizeof(expected), name) ||
	    !ASSERT_OK(read_with_pvr(pid, addr, expected, size),
		       "process_vm_readv"))
		return;
	ret = run_read(skel, skel->progs.read_remote, pid, addr, size);
	ASSERT_EQ(ret, size, name);
	ASSERT_OK(memcmp(skel->bss->buf, expected, size), name);
	ASSERT_TRUE(all_bytes(skel->bss->buf + size,
			      sizeof(skel->bss->buf) - size, SENTINEL),
		    "bytes past size untouched");
}

/* The words of a test region: every 8-byte word differs from every other,
 * so that a read from the wrong page or offset cannot pass.
 */
static __u64 region_word(size_t i)
{
	return 0x6366757200000000ULL ^ (i * 0x9e3779b97f4a7c15ULL);
}

struct region {
	void *addr;
	size_t len;
	/* A page the target unmaps, and one it makes PROT_NONE, or -1. */
	long unmapped;
	long prot_none;
};

/* The child writes the region's words after fork(), so that the parent's copy
 * (never touched: zeros) differs from the one the helper must read; then it
 * makes the holes.
 */
static void fill_setup(void *arg, int fd)
{
	struct region *r = arg;
	__u64 *words = r->addr;
	size_t i;

	for (i = 0; i < r->len / sizeof(*words); i++)
		words[i] = region_word(i);
	if (r->unmapped >= 0 &&
	    munmap(r->addr + r->unmapped * page_size, page_size))
		_exit(1);
	if (r->prot_none >= 0 &&
	    mprotect(r->addr + r->prot_none * page_size, page_size, PROT_NONE))
		_exit(1);
	report(fd, "f", 1);
}

static int region_target_start(struct target *t, struct region *r,
			       size_t len)
{
	char c;
	int err;

	r->len = len;
	r->addr = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r->addr == MAP_FAILED)
		return -errno;
	err = target_start(t, fill_setup, r);
	if (!err)
		err = target_recv(t, &c, 1);
	if (err) {
		if (t->pid > 0)
			target_stop(t);
		munmap(r->addr, len);
	}
	return err;
}

/* fentry, uprobe, lsm: programs attached to hooks read a secret a child
 * holds.
 */
static char secret_src[SECRET_SIZE];

static void seed_setup(void *arg, int fd)
{
	void *addr = secret_src;

	snprintf(secret_src, sizeof(secret_src), "secret of pid %d", getpid());
	report(fd, &addr, sizeof(addr));
}

/* Attaches @prog, runs @trigger on this thread, named TRIGGER_COMM for the
 * time, and detaches. The program reads SECRET_SIZE bytes at @addr of @pid
 * into skel->bss->secret.
 */
static int run_hook(struct copy_from_user_remote *skel, struct bpf_program *prog,
		    pid_t pid, const void *addr, void (*trigger)(void))
{
	struct bpf_link *link;
	char comm[16] = {};

	skel->bss->target_pid = pid;
	skel->bss->target_addr = (__u64)(unsigned long)addr;
	skel->bss->hits = 0;
	skel->bss->read_ret = 1;
	link = bpf_program__attach(prog);
	if (!ASSERT_OK_PTR(link, "attach"))
		return -1;
	prctl(PR_GET_NAME, comm);
	prctl(PR_SET_NAME, TRIGGER_COMM);
	trigger();
	prctl(PR_SET_NAME, comm);
	bpf_link__destroy(link);
	return 0;
}

/* Runs the fentry.s program (the caller checks that it ran); no ASSERT_*:
 * forked children use it.
 */
static void trigger_write(void)
{
	int fd = open("/dev/null", O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return;
	n = write(fd, "x", 1);
	(void)n;
	close(fd);
}

/* The uprobe.s program is attached here. */
static noinline void copy_from_user_remote_uprobe_trigger(void)
{
	asm volatile ("");
}

static void trigger_open(void)
{
	int fd = open("/dev/null", O_RDONLY);

	if (ASSERT_OK_FD(fd, "open"))
		close(fd);
}

static void hook_reads_secret(struct copy_from_user_remote *skel,
			      struct bpf_program *prog, void (*trigger)(void))
{
	char expected[SECRET_SIZE];
	struct target t;
	void *addr;

	if (!ASSERT_OK(target_start(&t, seed_setup, NULL), "target_start"))
		return;
	if (!ASSERT_OK(target_recv(&t, &addr, sizeof(addr)), "target_recv") ||
	    !ASSERT_OK(read_with_pvr(t.pid, addr, expected, sizeof(expected)),
		       "process_vm_readv"))
		goto out;
	/* The parent's copy stayed empty: the child wrote after fork(). */
	ASSERT_NEQ(memcmp(expected, secret_src, sizeof(expected)), 0,
		   "child's own secret");
	if (run_hook(skel, prog, t.pid, addr, trigger))
		goto out;
	ASSERT_EQ(skel->bss->hits, 1, "program ran once");
	ASSERT_EQ(skel->bss->read_ret, SECRET_SIZE, "helper returns size");
	ASSERT_OK(memcmp(skel->bss->secret, expected, sizeof(expected)),
		  "secret equals process_vm_readv");
out:
	target_stop(&t);
}

static void subtest_fentry(struct copy_from_user_remote *skel)
{
	hook_reads_secret(skel, skel->progs.read_on_write, trigger_write);
}

static void subtest_uprobe(struct copy_from_user_remote *skel)
{
	hook_reads_secret(skel, skel->progs.read_on_uprobe,
			  copy_from_user_remote_uprobe_trigger);
}

/* Whether the BPF LSM is active; true if securityfs cannot tell. */
static bool bpf_lsm_active(void)
{
	char lsms[256] = {};
	int fd = open("/sys/kernel/security/lsm", O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return true;
	n = read(fd, lsms, sizeof(lsms) - 1);
	close(fd);
	return n <= 0 || strstr(lsms, "bpf");
}

/* The lsm.s program loads in an instance of its own, so that a kernel
 * without the BPF LSM fails this subtest only.
 */
static void subtest_lsm(void)
{
	struct copy_from_user_remote *skel;
	struct bpf_program *prog;

	if (!bpf_lsm_active()) {
		printf("%s:SKIP:the BPF LSM is not active (lsm= lacks bpf)\n", __func__);
		test__skip();
		return;
	}
	skel = copy_from_user_remote__open();
	if (!ASSERT_OK_PTR(skel, "open"))
		return;
	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, prog == skel->progs.read_on_file_open);
	if (ASSERT_OK(copy_from_user_remote__load(skel), "load lsm.s"))
		hook_reads_secret(skel, skel->progs.read_on_file_open, trigger_open);
	copy_from_user_remote__destroy(skel);
}

/* sizes: small reads, and page crossings, equal what process_vm_readv reads. */
static void subtest_sizes(struct copy_from_user_remote *skel)
{
	const struct {
		long off;
		long size;
	} cases[] = {
		{ 0, 1 },
		{ 3, 4 },
		{ 8, 8 },
		{ 64, 64 },
		{ 0, page_size },
		{ page_size - 100, 200 },
		{ 2 * page_size + 7, 3 * page_size },
	};
	static char expected[512];
	struct region r = { .unmapped = -1, .prot_none = -1 };
	struct target t;
	char name[64];
	unsigned int i;
	long ret;

	if (!ASSERT_OK(region_target_start(&t, &r, 8 * page_size),
		       "region target"))
		return;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(name, sizeof(name), "size %ld at offset %ld",
			 cases[i].size, cases[i].off);
		expect_same_as_pvr(skel, t.pid, r.addr + cases[i].off,
				   cases[i].size, name);
	}

	/* The largest stack buffer a program can have. */
	if (ASSERT_OK(read_with_pvr(t.pid, r.addr + 100, expected, 512),
		      "process_vm_readv")) {
		ret = run_read(skel, skel->progs.read_stack_max, t.pid,
			       r.addr + 100, 512);
		ASSERT_EQ(ret, 512, "size 512 into the stack");
		ASSERT_OK(memcmp(skel->bss->buf, expected, 512),
			  "stack buffer contents");
	}
	target_stop(&t);
	munmap(r.addr, r.len);
}

/* batches: reads across the helper's batches of 16 pages, up to more than
 * 1 MiB into a map value, with unaligned starts and ends.
 */
static void subtest_batches(struct copy_from_user_remote *skel)
{
	const long buf_size = sizeof(skel->bss->buf);
	const struct {
		long off;
		long size;
	} cases[] = {
		{ 0, 16 * page_size },
		{ 0, 17 * page_size },
		{ page_size - 8, 16 * page_size },
		{ page_size / 2 + 3, 17 * page_size },
		{ 5 * page_size + 11, 33 * page_size - 22 },
		{ 1234, 1024 * 1024 + 3000 },
		{ 3 * page_size + 5, buf_size },
	};
	struct region r = { .unmapped = -1, .prot_none = -1 };
	struct target t;
	char name[64];
	unsigned int i;
	__u64 word;

	if (!ASSERT_OK(region_target_start(&t, &r, buf_size + 8 * page_size),
		       "region target"))
		return;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(name, sizeof(name), "size %ld at offset %ld",
			 cases[i].size, cases[i].off);
		expect_same_as_pvr(skel, t.pid, r.addr + cases[i].off,
				   cases[i].size, name);
		/* The words are the target's, in place. */
		memcpy(&word, skel->bss->buf + (-cases[i].off & 7), sizeof(word));
		ASSERT_EQ(word, region_word((cases[i].off + 7) / 8), "first word");
	}
	target_stop(&t);
	munmap(r.addr, r.len);
}

/* batch_holes: a hole in a later batch fails the whole read. */
static void subtest_batch_holes(struct copy_from_user_remote *skel)
{
	/* In the target only: the parent's copy is whole. */
	struct region r = { .unmapped = 20, .prot_none = 40 };
	struct target t;

	if (!ASSERT_OK(region_target_start(&t, &r, 48 * page_size),
		       "region target"))
		return;
	expect_same_as_pvr(skel, t.pid, r.addr + 3, 20 * page_size - 3,
			   "ends right before the hole");
	expect_error(skel, t.pid, r.addr + page_size + 100, 20 * page_size,
		     -EFAULT, "unmapped page in the second batch");
	expect_error(skel, t.pid, r.addr + 21 * page_size + 3, 20 * page_size,
		     -EFAULT, "PROT_NONE page in the second batch");
	expect_error(skel, t.pid, r.addr + 4 * page_size, 16 * page_size + 1,
		     -EFAULT, "last byte in an unmapped page");
	target_stop(&t);
	munmap(r.addr, r.len);
}

/* size_zero: returns 0 without looking at pid or address. */
static void subtest_size_zero(struct copy_from_user_remote *skel)
{
	long ret = run_read(skel, skel->progs.read_remote, -1, NULL, 0);

	ASSERT_EQ(ret, 0, "size 0 returns 0");
	ASSERT_TRUE(all_bytes(skel->bss->buf, sizeof(skel->bss->buf), SENTINEL),
		    "dst untouched");
}

/* esrch: pids with no task or no user address space. */
static char proc_state(pid_t pid, unsigned int *flags)
{
	char path[64], stat[512], *p;
	unsigned int f = 0;
	char state = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, stat, sizeof(stat) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	stat[n] = 0;
	/* After the command: state ppid pgrp session tty_nr tpgid flags. */
	p = strrchr(stat, ')');
	if (!p || sscanf(p + 1, " %c %*d %*d %*d %*d %*d %u", &state, &f) != 2)
		return 0;
	if (flags)
		*flags = f;
	return state;
}

static bool pid_in_use(pid_t pid)
{
	return kill(pid, 0) == 0 || errno != ESRCH;
}

#define PF_KTHREAD 0x00200000

/* A kernel thread visible here, or -1. */
static pid_t find_kthread(void)
{
	unsigned int flags;
	struct dirent *d;
	pid_t pid = -1;
	DIR *dir;

	dir = opendir("/proc");
	if (!dir)
		return -1;
	while (pid < 0 && (d = readdir(dir))) {
		pid_t p = atoi(d->d_name);

		if (p > 0 && proc_state(p, &flags) && (flags & PF_KTHREAD))
			pid = p;
	}
	closedir(dir);
	return pid;
}

static void subtest_esrch(struct copy_from_user_remote *skel)
{
	const void *addr = secret_src;
	siginfo_t info;
	int tries;
	long ret;
	pid_t pid;

	expect_error(skel, 0, addr, 8, -ESRCH, "pid 0");
	expect_error(skel, -1, addr, 8, -ESRCH, "pid -1");
	expect_error(skel, INT_MIN, addr, 8, -ESRCH, "pid INT_MIN");

	pid = fork();
	if (!ASSERT_GE(pid, 0, "fork"))
		return;
	if (pid == 0)
		_exit(0);
	/* A zombie until reaped: wait for its exit without reaping it. */
	if (ASSERT_OK(waitid(P_PID, pid, &info, WEXITED | WNOWAIT), "waitid"))
		expect_error(skel, pid, addr, 8, -ESRCH, "zombie");
	ASSERT_EQ(waitpid(pid, NULL, 0), pid, "reap");

	/* A reaped pid can be reused at any time: only a read with the pid
	 * unused before and after it says anything.
	 */
	for (tries = 0; tries < 10; tries++) {
		if (pid_in_use(pid))
			goto next;
		ret = run_read(skel, skel->progs.read_remote, pid, addr, 8);
		if (pid_in_use(pid))
			goto next;
		check_error(skel, ret, 8, -ESRCH, "reaped child");
		break;
next:
		pid = fork();
		if (!ASSERT_GE(pid, 0, "fork"))
			return;
		if (pid == 0)
			_exit(0);
		waitpid(pid, NULL, 0);
	}
	ASSERT_LT(tries, 10, "a reaped pid stayed unused during a read");
}

/* kthread: a kernel thread has no user address space. */
static void subtest_kthread(struct copy_from_user_remote *skel)
{
	pid_t kthread = find_kthread();

	if (kthread < 0) {
		printf("%s:SKIP:no kernel thread visible in /proc\n", __func__);
		test__skip();
		return;
	}
	expect_error(skel, kthread, secret_src, 8, -ESRCH, "kernel thread");
}

/* efault: ranges that cannot be read in full. */
static void subtest_efault(struct copy_from_user_remote *skel)
{
	char *base;
	struct target t;

	/* Pages: 0 rw, 1 PROT_NONE, 2 unmapped, 3 rw, 4 unmapped. */
	base = mmap(NULL, 5 * page_size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!ASSERT_NEQ(base, MAP_FAILED, "mmap"))
		return;
	memset(base, 1, 5 * page_size);
	if (!ASSERT_OK(mprotect(base + page_size, page_size, PROT_NONE),
		       "mprotect") ||
	    !ASSERT_OK(munmap(base + 2 * page_size, page_size),
		       "munmap page 2") ||
	    !ASSERT_OK(munmap(base + 4 * page_size, page_size),
		       "munmap page 4"))
		goto out_unmap;
	if (!ASSERT_OK(target_start(&t, NULL, NULL), "target_start"))
		goto out_unmap;

	/* The readable page really is readable. */
	ASSERT_EQ(run_read(skel, skel->progs.read_remote, t.pid, base, 64), 64,
		  "readable page");

	expect_error(skel, t.pid, NULL, 64, -EFAULT, "NULL");
	expect_error(skel, t.pid, base + 2 * page_size, 64, -EFAULT,
		     "unmapped page");
	expect_error(skel, t.pid, base + page_size, 64, -EFAULT,
		     "PROT_NONE page");
	expect_error(skel, t.pid, base + page_size - 32, 64, -EFAULT,
		     "runs into a PROT_NONE page");
	expect_error(skel, t.pid, base + 4 * page_size - 32, 64, -EFAULT,
		     "runs off the end of a mapping");
#if defined(__x86_64__)
	expect_error(skel, t.pid, (void *)0xffffffff81000000UL, 64, -EFAULT,
		     "kernel address");
	/* Non-canonical with 4- and with 5-level page tables. */
	expect_error(skel, t.pid, (void *)0x0100000000000000UL, 64, -EFAULT,
		     "non-canonical address");
#endif
	target_stop(&t);
out_unmap:
	munmap(base, 5 * page_size);
}

/* not_present: pages never touched by the target are faulted in. */
static bool page_present(pid_t pid, const void *addr)
{
	char path[64];
	__u64 entry = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return true;
	if (pread(fd, &entry, sizeof(entry),
		  (unsigned long)addr / page_size * sizeof(entry)) !=
	    sizeof(entry))
		entry = 1ULL << 63;
	close(fd);
	return entry >> 63;
}

static void not_present_setup(void *arg, int fd)
{
	int file_fd = *(int *)arg;
	void *maps[2];

	maps[0] = mmap(NULL, page_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	maps[1] = mmap(NULL, page_size, PROT_READ, MAP_PRIVATE, file_fd, 0);
	report(fd, maps, sizeof(maps));
}

static void subtest_not_present(struct copy_from_user_remote *skel)
{
	char path[] = "/tmp/copy_from_user_remote.XXXXXX";
	char *contents;
	struct target t;
	void *maps[2];
	long ret, i;
	int fd;

	contents = malloc(page_size);
	if (!ASSERT_OK_PTR(contents, "malloc"))
		return;
	for (i = 0; i < page_size; i++)
		contents[i] = 'a' + i % 26;
	fd = mkstemp(path);
	if (!ASSERT_OK_FD(fd, "mkstemp"))
		goto out_free;
	unlink(path);
	if (!ASSERT_EQ(write(fd, contents, page_size), page_size, "write file"))
		goto out_close;
	/* Drop it from the page cache where possible, so the read does I/O. */
	fsync(fd);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);

	if (!ASSERT_OK(target_start(&t, not_present_setup, &fd),
		       "target_start"))
		goto out_close;
	if (!ASSERT_OK(target_recv(&t, maps, sizeof(maps)), "target_recv") ||
	    !ASSERT_NEQ(maps[0], MAP_FAILED, "anon mmap") ||
	    !ASSERT_NEQ(maps[1], MAP_FAILED, "file mmap"))
		goto out_stop;

	ASSERT_FALSE(page_present(t.pid, maps[0]),
		     "anon page not present before");
	ret = run_read(skel, skel->progs.read_remote, t.pid, maps[0],
		       page_size);
	ASSERT_EQ(ret, page_size, "untouched anonymous page");
	ASSERT_TRUE(all_bytes(skel->bss->buf, page_size, 0), "reads as zeros");

	ASSERT_FALSE(page_present(t.pid, maps[1]),
		     "file page not present before");
	ret = run_read(skel, skel->progs.read_remote, t.pid, maps[1],
		       page_size);
	ASSERT_EQ(ret, page_size, "untouched private file mapping");
	ASSERT_OK(memcmp(skel->bss->buf, contents, page_size),
		  "reads file contents");
out_stop:
	target_stop(&t);
out_close:
	close(fd);
out_free:
	free(contents);
}

/* thread: a non-leader thread's tid names the same address space. */
static long thread_marker;

static void *thread_fn(void *arg)
{
	pid_t tid = syscall(SYS_gettid);

	report(*(int *)arg, &tid, sizeof(tid));
	for (;;)
		pause();
	return NULL;
}

static void thread_setup(void *arg, int fd)
{
	static int report_fd;
	pthread_t thread;

	thread_marker = 0x7461736b;
	report_fd = fd;
	if (pthread_create(&thread, NULL, thread_fn, &report_fd))
		_exit(1);
	/* leader_exited: the leader leaves, the other thread stays. */
	if (arg)
		syscall(SYS_exit, 0);
}

static void subtest_thread(struct copy_from_user_remote *skel)
{
	struct target t;
	pid_t tid;
	long ret;

	if (!ASSERT_OK(target_start(&t, thread_setup, NULL), "target_start"))
		return;
	if (!ASSERT_OK(target_recv(&t, &tid, sizeof(tid)), "target_recv"))
		goto out;
	ASSERT_NEQ(tid, t.pid, "tid differs from pid");
	ret = run_read(skel, skel->progs.read_remote, tid,
		       (void *)&thread_marker, sizeof(thread_marker));
	ASSERT_EQ(ret, sizeof(thread_marker), "read by tid");
	ASSERT_EQ(*(long *)skel->bss->buf, 0x7461736b, "marker read by tid");
out:
	target_stop(&t);
}

/* leader_exited: the helper answers as process_vm_readv() does for a thread
 * group whose leader has exited while another thread lives.
 */
static void expect_same_answer_as_pvr(struct copy_from_user_remote *skel,
				      pid_t pid, const char *name)
{
	long expected = 0, ret;
	int err;

	err = read_with_pvr(pid, &thread_marker, &expected, sizeof(expected));
	ret = run_read(skel, skel->progs.read_remote, pid, &thread_marker,
		       sizeof(thread_marker));
	if (err) {
		check_error(skel, ret, sizeof(thread_marker), err, name);
		return;
	}
	ASSERT_EQ(ret, sizeof(thread_marker), name);
	ASSERT_EQ(*(long *)skel->bss->buf, expected, name);
}

static void subtest_leader_exited(struct copy_from_user_remote *skel)
{
	struct target t;
	pid_t tid;
	int i;

	if (!ASSERT_OK(target_start(&t, thread_setup, (void *)1),
		       "target_start"))
		return;
	if (!ASSERT_OK(target_recv(&t, &tid, sizeof(tid)), "target_recv"))
		goto out;
	for (i = 0; i < TARGET_TIMEOUT_MS && proc_state(t.pid, NULL) != 'Z'; i++)
		usleep(1000);
	if (!ASSERT_EQ(proc_state(t.pid, NULL), 'Z', "leader has exited") ||
	    !ASSERT_TRUE(pid_in_use(tid), "thread lives"))
		goto out;
	expect_same_answer_as_pvr(skel, t.pid, "exited leader's pid");
	ASSERT_EQ(skel->bss->read_ret, -ESRCH, "exited leader: no mm");
	expect_same_answer_as_pvr(skel, tid, "living thread's tid");
	ASSERT_EQ(skel->bss->read_ret, sizeof(thread_marker),
		  "living thread: read");
out:
	target_stop(&t);
}

/* pidns: pids are resolved in the pid namespace of the current task. */
struct pidns_result {
	int unshare_errno;
	int fork_errno;
	pid_t local_pid;
	long outside_ret;
	long local_ret;
	long local_value;
	long hook_ret;
	long hook_value;
	long hook_outside_ret;
	int hook_hits;
};

static long pidns_marker;

/* Runs fn(skel, arg, res) in a child that is pid 1 of a new pid namespace
 * or, without fork_inside, in a child that did unshare(CLONE_NEWPID) and
 * stays in its active namespace; res is in memory shared with it, and fn
 * sets res->local_pid to its getpid(). Returns res, to be freed with
 * munmap(), or NULL if fn could not run (skipped or failed, said so).
 */
static struct pidns_result *
run_in_pidns(struct copy_from_user_remote *skel,
	     void (*fn)(struct copy_from_user_remote *, pid_t,
			struct pidns_result *),
	     pid_t arg, bool fork_inside)
{
	struct pidns_result *res;
	pid_t pid, inner;
	int status;

	res = mmap(NULL, sizeof(*res), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!ASSERT_NEQ(res, MAP_FAILED, "mmap"))
		return NULL;
	memset(res, 0, sizeof(*res));
	pid = fork();
	if (!ASSERT_GE(pid, 0, "fork"))
		goto fail;
	if (pid == 0) {
		if (unshare(CLONE_NEWPID)) {
			res->unshare_errno = errno;
			_exit(0);
		}
		if (!fork_inside) {
			fn(skel, arg, res);
			_exit(0);
		}
		inner = fork();
		if (inner < 0) {
			res->fork_errno = errno;
			_exit(0);
		}
		if (inner == 0) {
			fn(skel, arg, res);
			_exit(0);
		}
		waitpid(inner, &status, 0);
		_exit(0);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid, "waitpid");
	if (res->unshare_errno == EPERM) {
		printf("%s:SKIP:unshare(CLONE_NEWPID): %s\n", __func__,
		       strerror(res->unshare_errno));
		test__skip();
		goto fail;
	}
	if (ASSERT_EQ(res->unshare_errno, 0, "unshare(CLONE_NEWPID)") &&
	    ASSERT_EQ(res->fork_errno, 0, "fork in the new namespace") &&
	    ASSERT_EQ(res->local_pid, fork_inside ? 1 : pid,
		      fork_inside ? "child is pid 1 in its namespace" :
				    "unshare() keeps the caller's pid"))
		return res;
fail:
	munmap(res, sizeof(*res));
	return NULL;
}

static void pidns_syscall_child(struct copy_from_user_remote *skel,
				pid_t outside, struct pidns_result *res)
{
	pidns_marker = 0x6e73;
	res->local_pid = getpid();
	res->outside_ret = run_read_raw(skel, skel->progs.read_remote, outside,
					&pidns_marker, sizeof(pidns_marker));
	res->local_ret = run_read_raw(skel, skel->progs.read_remote, getpid(),
				      &pidns_marker, sizeof(pidns_marker));
	res->local_value = *(long *)skel->bss->buf;
}

static void subtest_pidns(struct copy_from_user_remote *skel)
{
	struct pidns_result *res;
	struct target t;

	if (!ASSERT_OK(target_start(&t, NULL, NULL), "target_start"))
		return;
	res = run_in_pidns(skel, pidns_syscall_child, t.pid, true);
	if (res) {
		ASSERT_EQ(res->outside_ret, -ESRCH,
			  "pid from outside the namespace");
		ASSERT_EQ(res->local_ret, sizeof(pidns_marker),
			  "namespace-local pid");
		ASSERT_EQ(res->local_value, 0x6e73,
			  "value read by namespace-local pid");
		munmap(res, sizeof(*res));
	}
	target_stop(&t);
}

/* pidns_hook: a program attached to a hook resolves the pid in the namespace
 * of the task that hit the hook, not in the loader's: there, pid 1 is the
 * child itself, here it is init.
 */
static void pidns_hook_child(struct copy_from_user_remote *skel,
			     pid_t outside, struct pidns_result *res)
{
	pidns_marker = 0x686f6f6b;
	res->local_pid = getpid();
	prctl(PR_SET_NAME, TRIGGER_COMM);
	skel->bss->target_pid = 1;
	skel->bss->target_addr = (__u64)(unsigned long)&pidns_marker;
	skel->bss->hits = 0;
	trigger_write();
	res->hook_ret = skel->bss->read_ret;
	res->hook_value = *(long *)skel->bss->secret;
	skel->bss->target_pid = outside;
	trigger_write();
	res->hook_outside_ret = skel->bss->read_ret;
	res->hook_hits = skel->bss->hits;
}

static void subtest_pidns_hook(struct copy_from_user_remote *skel)
{
	struct pidns_result *res;
	struct bpf_link *link;
	struct target t;

	if (!ASSERT_OK(target_start(&t, NULL, NULL), "target_start"))
		return;
	link = bpf_program__attach(skel->progs.read_on_write);
	if (!ASSERT_OK_PTR(link, "attach fentry.s"))
		goto out_stop;
	res = run_in_pidns(skel, pidns_hook_child, t.pid, true);
	if (res) {
		ASSERT_EQ(res->hook_hits, 2, "program ran twice");
		ASSERT_EQ(res->hook_ret, SECRET_SIZE,
			  "pid 1 in the child's namespace");
		ASSERT_EQ(res->hook_value, 0x686f6f6b,
			  "pid 1 there is the child, not init");
		ASSERT_EQ(res->hook_outside_ret, -ESRCH,
			  "the loader's pid for the target, in the child's namespace");
		munmap(res, sizeof(*res));
	}
	bpf_link__destroy(link);
out_stop:
	target_stop(&t);
}

/* A target with one page in a userfaultfd range, just above a plain one
 * (two VMAs). Its handler reports the first fault's address and then fills
 * the page, after a delay, or never.
 */
struct uffd_report {
	void *region;	/* the userfaultfd page; the plain one is below */
	int uffd_errno;	/* userfaultfd() failed: not offered here */
	int err;	/* setting it up failed */
};

#define UFFD_FILL 0x75
#define UFFD_HANDLER_DELAY_US 100000

static void uffd_setup(void *arg, int fd)
{
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct uffdio_api api = { .api = UFFD_API };
	struct uffd_report rep = {};
	bool fill = arg;
	struct uffd_msg msg;
	struct uffdio_copy copy;
	void *page;
	int uffd;

	page = mmap(NULL, page_size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	rep.region = mmap(NULL, 2 * page_size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (rep.region != MAP_FAILED)
		rep.region += page_size;
	uffd = syscall(__NR_userfaultfd, O_CLOEXEC);
	if (uffd < 0)
		rep.uffd_errno = errno;
	reg.range.start = (unsigned long)rep.region;
	reg.range.len = page_size;
	if (uffd >= 0 &&
	    (page == MAP_FAILED || rep.region == MAP_FAILED ||
	     ioctl(uffd, UFFDIO_API, &api) || ioctl(uffd, UFFDIO_REGISTER, &reg)))
		rep.err = errno;
	report(fd, &rep, sizeof(rep));
	if (rep.uffd_errno || rep.err)
		return;
	/* The first fault: report its address, then fill the page or not. */
	if (read(uffd, &msg, sizeof(msg)) != sizeof(msg))
		_exit(1);
	report(fd, &msg.arg.pagefault.address, sizeof(__u64));
	if (!fill)
		return;
	usleep(UFFD_HANDLER_DELAY_US);
	memset(page, UFFD_FILL, page_size);
	copy.dst = (unsigned long)rep.region;
	copy.src = (unsigned long)page;
	copy.len = page_size;
	copy.mode = 0;
	if (ioctl(uffd, UFFDIO_COPY, &copy))
		_exit(1);
}

static bool uffd_target_start(struct target *t, bool fill,
			      struct uffd_report *rep)
{
	if (!ASSERT_OK(target_start(t, uffd_setup, (void *)fill),
		       "target_start"))
		return false;
	if (!ASSERT_OK(target_recv(t, rep, sizeof(*rep)), "target_recv"))
		goto fail;
	if (rep->uffd_errno) {
		printf("%s:SKIP:userfaultfd(): %s\n", __func__,
		       strerror(rep->uffd_errno));
		test__skip();
		goto fail;
	}
	if (ASSERT_EQ(rep->err, 0, "userfaultfd set up in the target"))
		return true;
fail:
	target_stop(t);
	return false;
}

/* A copy of the skeleton with read_remote alone, loaded. */
static struct copy_from_user_remote *load_read_remote_only(char *log,
							   size_t log_size)
{
	struct copy_from_user_remote *skel;
	struct bpf_program *prog;

	skel = copy_from_user_remote__open();
	if (!skel)
		return NULL;
	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, prog == skel->progs.read_remote);
	if (log)
		bpf_program__set_log_buf(skel->progs.read_remote, log, log_size);
	if (copy_from_user_remote__load(skel)) {
		copy_from_user_remote__destroy(skel);
		return NULL;
	}
	return skel;
}

/* How long the map of a closed sleepable program takes to be freed: one
 * RCU Tasks Trace grace period and more. -1 if it is not gone in 10 s.
 */
static long map_free_ms(void)
{
	struct copy_from_user_remote *skel;
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	__u64 start;
	int fd;

	skel = load_read_remote_only(NULL, 0);
	if (!ASSERT_OK_PTR(skel, "load a second instance"))
		return -1;
	if (!ASSERT_OK(bpf_map_get_info_by_fd(bpf_map__fd(skel->maps.bss),
					      &info, &len), "map info")) {
		copy_from_user_remote__destroy(skel);
		return -1;
	}
	copy_from_user_remote__destroy(skel);
	start = now_us();
	while (now_us() - start < 10000000) {
		fd = bpf_map_get_fd_by_id(info.id);
		if (fd < 0 && errno == ENOENT)
			return (now_us() - start) / 1000;
		if (fd >= 0)
			close(fd);
		usleep(10000);
	}
	return -1;
}

/* uffd: a page of a userfaultfd range that is not there fails the read at
 * once; the reader never waits for the target's handler, which a hostile
 * target need never run, also when the read starts in the plain VMA below
 * it. Meanwhile RCU Tasks Trace grace periods complete: a sleepable
 * program's map is freed while a reader keeps reading.
 */
#define UFFD_MAX_READ_US 2000000
#define GRACE_MAX_MS 5000

struct uffd_reader {
	struct copy_from_user_remote *skel;
	pid_t pid;
	void *addr;
	bool stop;
	bool wrong;
	long wrong_ret;
	int reads;
	__u64 max_us;
};

static void *uffd_reader_fn(void *arg)
{
	struct uffd_reader *r = arg;
	__u64 start, took;
	long ret;

	do {
		/* Every other read runs from the plain page into the range. */
		start = now_us();
		ret = run_read_raw(r->skel, r->skel->progs.read_remote, r->pid,
				   r->reads % 2 ? r->addr + 100 : r->addr - 32,
				   64);
		took = now_us() - start;
		if (took > r->max_us)
			r->max_us = took;
		if (ret != -EFAULT || !all_bytes(r->skel->bss->buf, 64, 0)) {
			r->wrong = true;
			r->wrong_ret = ret;
		}
		r->reads++;
	} while (!READ_ONCE(r->stop));
	return NULL;
}

static bool join_within(pthread_t thread, int seconds)
{
	struct timespec deadline;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += seconds;
	return pthread_timedjoin_np(thread, NULL, &deadline) == 0;
}

static void subtest_uffd(struct copy_from_user_remote *skel)
{
	/* Static: a reader that never returns must not outlive its data. */
	static struct uffd_reader r;
	struct uffd_report rep;
	pthread_t reader;
	struct target t;
	bool joined;
	__u64 fault;

	if (!uffd_target_start(&t, false, &rep))
		return;
	r = (struct uffd_reader){ .skel = skel, .pid = t.pid, .addr = rep.region };
	if (!ASSERT_OK(pthread_create(&reader, NULL, uffd_reader_fn, &r),
		       "pthread_create")) {
		target_stop(&t);
		return;
	}
	usleep(100000);
	ASSERT_LT(map_free_ms(), GRACE_MAX_MS,
		  "a sleepable program's map is freed while a reader faces the page");
	WRITE_ONCE(r.stop, true);
	joined = join_within(reader, TARGET_TIMEOUT_MS / 1000);
	ASSERT_TRUE(joined, "the reader returns without the handler");
	ASSERT_EQ(target_recv_within(&t, &fault, sizeof(fault), 200),
		  -ETIMEDOUT, "the handler saw no fault");
	target_stop(&t);
	if (!joined) {
		/* The target's exit released its userfaultfd. */
		if (!join_within(reader, TARGET_TIMEOUT_MS / 1000))
			pthread_detach(reader);
		return;
	}
	ASSERT_GT(r.reads, 0, "reads made");
	ASSERT_FALSE(r.wrong, "every read is -EFAULT with dst zeroed");
	if (r.wrong)
		printf("%s: a read returned %ld\n", __func__, r.wrong_ret);
	ASSERT_LT(r.max_us, UFFD_MAX_READ_US, "no read waited");
}

/* uffd_filled: a page of the range that the handler did fill reads as it
 * put it there.
 */
static void subtest_uffd_filled(struct copy_from_user_remote *skel)
{
	struct uffd_report rep;
	struct target t;
	long ret;

	if (!uffd_target_start(&t, true, &rep))
		return;
	/* The target fills the page on its first fault: make one. */
	ret = read_with_pvr(t.pid, rep.region, skel->bss->buf, 1);
	ASSERT_OK(ret, "process_vm_readv waits for the handler");
	ret = run_read(skel, skel->progs.read_remote, t.pid, rep.region + 100,
		       64);
	ASSERT_EQ(ret, 64, "read of a page the handler filled");
	ASSERT_TRUE(all_bytes(skel->bss->buf, 64, UFFD_FILL),
		    "the handler's bytes");
	target_stop(&t);
}

/* caps: the helper reads any process the caller's pid namespace can name,
 * as process_vm_readv() with ptrace rights would: CAP_BPF alone, which
 * loads a syscall program, is not enough; CAP_PERFMON is needed too.
 */
static void subtest_caps(void)
{
	const __u64 all = (1ULL << (CAP_LAST_CAP + 1)) - 1;
	struct copy_from_user_remote *skel;
	char log[8192] = {};
	__u64 old;

	if (!ASSERT_OK(cap_disable_effective(all & ~(1ULL << CAP_BPF), &old),
		       "keep CAP_BPF alone"))
		return;
	skel = load_read_remote_only(log, sizeof(log));
	ASSERT_NULL(skel, "load with CAP_BPF alone");
	ASSERT_HAS_SUBSTR(log,
			  "program of this type cannot use helper bpf_copy_from_user_remote#212",
			  "the verifier's message");
	copy_from_user_remote__destroy(skel);
	if (ASSERT_OK(cap_enable_effective(1ULL << CAP_PERFMON, NULL),
		      "add CAP_PERFMON")) {
		skel = load_read_remote_only(NULL, 0);
		ASSERT_OK_PTR(skel, "load with CAP_BPF and CAP_PERFMON");
		copy_from_user_remote__destroy(skel);
	}
	ASSERT_OK(cap_enable_effective(old, NULL), "restore capabilities");
}

/* pidns_unshare: unshare(CLONE_NEWPID) without a fork changes only the
 * namespace of the task's future children; its own pids, and the helper's,
 * still resolve in its active namespace, for the syscall and the hooked
 * form.
 */
static void pidns_unshare_child(struct copy_from_user_remote *skel,
				pid_t unused, struct pidns_result *res)
{
	pidns_marker = 0x756e73;
	res->local_pid = getpid();
	res->local_ret = run_read_raw(skel, skel->progs.read_remote, getpid(),
				      &pidns_marker, sizeof(pidns_marker));
	res->local_value = *(long *)skel->bss->buf;
	prctl(PR_SET_NAME, TRIGGER_COMM);
	skel->bss->target_pid = getpid();
	skel->bss->target_addr = (__u64)(unsigned long)&pidns_marker;
	skel->bss->hits = 0;
	trigger_write();
	res->hook_ret = skel->bss->read_ret;
	res->hook_value = *(long *)skel->bss->secret;
	res->hook_hits = skel->bss->hits;
}

static void subtest_pidns_unshare(struct copy_from_user_remote *skel)
{
	struct pidns_result *res;
	struct bpf_link *link;

	link = bpf_program__attach(skel->progs.read_on_write);
	if (!ASSERT_OK_PTR(link, "attach fentry.s"))
		return;
	res = run_in_pidns(skel, pidns_unshare_child, 0, false);
	if (res) {
		ASSERT_EQ(res->local_ret, sizeof(pidns_marker), "syscall: own pid");
		ASSERT_EQ(res->local_value, 0x756e73, "syscall: own value");
		ASSERT_EQ(res->hook_hits, 1, "the hook ran");
		ASSERT_EQ(res->hook_ret, SECRET_SIZE, "hook: own pid");
		ASSERT_EQ(res->hook_value, 0x756e73, "hook: own value");
		munmap(res, sizeof(*res));
	}
	bpf_link__destroy(link);
}

/* lock_killable: a reader that waits for the target's mmap_lock, held by a
 * task_vma iterator and wanted by a writer in the target, returns at once on
 * SIGKILL, with -EFAULT and dst zeroed.
 */
#define REAP_MAX_MS 2000
/* The longest the iterator holds the lock if nobody tells it to let go:
 * well under the soft lockup and RCU stall thresholds (20 s and 21 s),
 * as it spins in a non-sleepable program.
 */
#define HOLD_MAX_NS (8 * 1000000000ULL)

static void *mmap_writer_fn(void *arg)
{
	void *p;

	for (;;) {
		p = mmap(NULL, page_size, PROT_READ,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p != MAP_FAILED)
			munmap(p, page_size);
	}
	return NULL;
}

static void writer_setup(void *arg, int fd)
{
	pthread_t writer;
	int err;

	err = pthread_create(&writer, NULL, mmap_writer_fn, NULL);
	report(fd, &err, sizeof(err));
}

static void *iter_reader_fn(void *arg)
{
	char out[64];
	int fd = (long)arg;

	while (read(fd, out, sizeof(out)) > 0)
		;
	return NULL;
}

static bool wait_state(pid_t pid, char state, int timeout_ms)
{
	int i;

	for (i = 0; i < timeout_ms / 10; i++) {
		if (proc_state(pid, NULL) == state)
			return true;
		usleep(10000);
	}
	return false;
}

/* Returns the reader's pid if it is still to be reaped, else 0. */
static pid_t kill_blocked_reader(struct copy_from_user_remote *skel,
				 pid_t target)
{
	pid_t reader;

	reader = fork();
	if (!ASSERT_GE(reader, 0, "fork the reader"))
		return 0;
	if (reader == 0)
		_exit(run_read_raw(skel, skel->progs.read_remote, target,
				   &page_size, 64) == -1000);
	/* Killable sleep: 'D', as in mmap_read_lock_killable(). */
	ASSERT_TRUE(wait_state(reader, 'D', TARGET_TIMEOUT_MS),
		    "the reader waits for mmap_lock");
	kill(reader, SIGKILL);
	if (!ASSERT_TRUE(reap_within(reader, REAP_MAX_MS),
			 "the killed reader is reaped at once"))
		return reader;
	ASSERT_EQ(skel->bss->read_ret, -EFAULT, "the killed read fails");
	ASSERT_TRUE(all_bytes(skel->bss->buf, 64, 0), "dst zeroed");
	return 0;
}

static void subtest_lock_killable(struct copy_from_user_remote *skel)
{
	DECLARE_LIBBPF_OPTS(bpf_iter_attach_opts, opts);
	union bpf_iter_link_info linfo = {};
	struct bpf_link *link = NULL;
	int iter_fd = -1, err;
	struct timespec now;
	pid_t reader = 0;
	pthread_t holder;
	bool joined;
	struct target t;

	/* The holder spins on one CPU; the reader and the writer need another. */
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		printf("%s:SKIP:needs 2 CPUs online\n", __func__);
		test__skip();
		return;
	}
	if (!ASSERT_OK(target_start(&t, writer_setup, NULL), "target_start"))
		return;
	if (!ASSERT_OK(target_recv(&t, &err, sizeof(err)), "target_recv") ||
	    !ASSERT_OK(err, "the target's writer thread"))
		goto out_target;

	clock_gettime(CLOCK_MONOTONIC, &now);
	skel->bss->hold_until_ns = now.tv_sec * 1000000000ULL + now.tv_nsec +
				   HOLD_MAX_NS;
	skel->bss->release = 0;
	skel->bss->held = 0;
	linfo.task.pid = t.pid;
	opts.link_info = &linfo;
	opts.link_info_len = sizeof(linfo);
	link = bpf_program__attach_iter(skel->progs.hold_mmap_lock, &opts);
	if (!ASSERT_OK_PTR(link, "attach the task_vma iterator"))
		goto out_target;
	iter_fd = bpf_iter_create(bpf_link__fd(link));
	if (!ASSERT_GE(iter_fd, 0, "bpf_iter_create"))
		goto out_link;
	if (!ASSERT_OK(pthread_create(&holder, NULL, iter_reader_fn,
				      (void *)(long)iter_fd), "pthread_create"))
		goto out_link;
	for (err = 0; !READ_ONCE(skel->bss->held) && err < 1000; err++)
		usleep(10000);
	if (ASSERT_TRUE(READ_ONCE(skel->bss->held),
			"the iterator holds the target's mmap_lock"))
		reader = kill_blocked_reader(skel, t.pid);
	WRITE_ONCE(skel->bss->release, 1);
	joined = join_within(holder, TARGET_TIMEOUT_MS / 1000);
	if (!ASSERT_TRUE(joined, "the iterator returns once released"))
		pthread_detach(holder);
	if (reader)
		ASSERT_TRUE(reap_within(reader, TARGET_TIMEOUT_MS),
			    "the reader exits once the lock is free");
out_link:
	if (iter_fd >= 0)
		close(iter_fd);
	bpf_link__destroy(link);
out_target:
	target_stop(&t);
}

void test_copy_from_user_remote(void)
{
	struct copy_from_user_remote *skel;

	page_size = getpagesize();
	skel = copy_from_user_remote__open();
	if (!ASSERT_OK_PTR(skel, "open"))
		return;
	/* subtest_lsm loads the lsm.s program in an instance of its own. */
	bpf_program__set_autoload(skel->progs.read_on_file_open, false);
	if (!ASSERT_OK(copy_from_user_remote__load(skel), "load")) {
		copy_from_user_remote__destroy(skel);
		return;
	}

	if (test__start_subtest("fentry"))
		subtest_fentry(skel);
	if (test__start_subtest("uprobe"))
		subtest_uprobe(skel);
	if (test__start_subtest("lsm"))
		subtest_lsm();
	if (test__start_subtest("sizes"))
		subtest_sizes(skel);
	if (test__start_subtest("batches"))
		subtest_batches(skel);
	if (test__start_subtest("batch_holes"))
		subtest_batch_holes(skel);
	if (test__start_subtest("size_zero"))
		subtest_size_zero(skel);
	if (test__start_subtest("esrch"))
		subtest_esrch(skel);
	if (test__start_subtest("kthread"))
		subtest_kthread(skel);
	if (test__start_subtest("efault"))
		subtest_efault(skel);
	if (test__start_subtest("not_present"))
		subtest_not_present(skel);
	if (test__start_subtest("thread"))
		subtest_thread(skel);
	if (test__start_subtest("leader_exited"))
		subtest_leader_exited(skel);
	if (test__start_subtest("pidns"))
		subtest_pidns(skel);
	if (test__start_subtest("pidns_hook"))
		subtest_pidns_hook(skel);
	if (test__start_subtest("pidns_unshare"))
		subtest_pidns_unshare(skel);
	if (test__start_subtest("uffd"))
		subtest_uffd(skel);
	if (test__start_subtest("uffd_filled"))
		subtest_uffd_filled(skel);
	if (test__start_subtest("caps"))
		subtest_caps();
	if (test__start_subtest("lock_killable"))
		subtest_lock_killable(skel);

	copy_from_user_remote__destroy(skel);
}
