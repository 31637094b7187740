// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <limits.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <test_progs.h>
#include "copy_from_user_remote.skel.h"
#include "verifier_copy_from_user_remote.skel.h"

#define SECRET_SIZE 64
#define SENTINEL 0xa5

static long page_size;

/* A forked process whose memory the tests read. It runs setup(), which may
 * report addresses through the info pipe, then blocks until the test closes
 * the control pipe.
 */
struct target {
	pid_t pid;
	int ctl;
	int info;
};

typedef void (*target_setup_fn)(void *arg, int info_fd);

static int target_start(struct target *t, target_setup_fn setup, void *arg)
{
	int ctl[2], info[2];
	char c;

	if (pipe(ctl))
		return -errno;
	if (pipe(info)) {
		close(ctl[0]);
		close(ctl[1]);
		return -errno;
	}
	t->pid = fork();
	if (t->pid < 0)
		return -errno;
	if (t->pid == 0) {
		close(ctl[1]);
		close(info[0]);
		if (setup)
			setup(arg, info[1]);
		while (read(ctl[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(ctl[0]);
	close(info[1]);
	t->ctl = ctl[1];
	t->info = info[0];
	return 0;
}

static int target_recv(struct target *t, void *data, size_t len)
{
	char *p = data;
	ssize_t n;

	while (len) {
		n = read(t->info, p, len);
		if (n <= 0)
			return -EIO;
		p += n;
		len -= n;
	}
	return 0;
}

static void target_stop(struct target *t)
{
	close(t->ctl);
	close(t->info);
	waitpid(t->pid, NULL, 0);
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
	return n == (ssize_t)len ? 0 : -errno;
}

/* Runs one of the syscall programs, reading @size bytes at @addr of @pid into
 * skel->bss->buf, prefilled with SENTINEL. Returns the helper's result.
 */
static long run_read(struct copy_from_user_remote *skel,
		     struct bpf_program *prog, pid_t pid, const void *addr,
		     __u32 size)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	int err;

	memset(skel->bss->buf, SENTINEL, sizeof(skel->bss->buf));
	skel->bss->target_pid = pid;
	skel->bss->target_addr = (__u64)(unsigned long)addr;
	skel->bss->read_size = size;
	skel->bss->read_ret = 1;
	err = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);
	if (!ASSERT_OK(err, "prog_test_run") ||
	    !ASSERT_OK(opts.retval, "prog retval"))
		return -1000;
	return skel->bss->read_ret;
}

static bool all_bytes(const char *buf, size_t len, unsigned char val)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)buf[i] != val)
			return false;
	return true;
}

static void expect_error(struct copy_from_user_remote *skel, pid_t pid,
			 const void *addr, __u32 size, long err,
			 const char *name)
{
	long ret = run_read(skel, skel->progs.read_remote, pid, addr, size);

	ASSERT_EQ(ret, err, name);
	ASSERT_TRUE(all_bytes(skel->bss->buf, size, 0), "dst zeroed on error");
	ASSERT_TRUE(all_bytes(skel->bss->buf + size,
			      sizeof(skel->bss->buf) - size, SENTINEL),
		    "bytes past size untouched");
}

/* seed: a fentry.s program on write(2) reads a secret the child holds. */
static char secret_src[SECRET_SIZE];

static void seed_setup(void *arg, int fd)
{
	void *addr = secret_src;

	snprintf(secret_src, sizeof(secret_src), "secret of pid %d", getpid());
	report(fd, &addr, sizeof(addr));
}

static void subtest_seed(struct copy_from_user_remote *skel)
{
	char expected[SECRET_SIZE];
	struct bpf_link *link;
	struct target t;
	void *addr;
	ssize_t n;
	int fd;

	if (!ASSERT_OK(target_start(&t, seed_setup, NULL), "target_start"))
		return;
	if (!ASSERT_OK(target_recv(&t, &addr, sizeof(addr)), "target_recv"))
		goto out;
	if (!ASSERT_OK(read_with_pvr(t.pid, addr, expected, sizeof(expected)),
		       "process_vm_readv"))
		goto out;
	/* The parent's copy stayed empty: the child wrote after fork(). */
	ASSERT_NEQ(memcmp(expected, secret_src, sizeof(expected)), 0,
		   "child's own secret");

	skel->bss->target_pid = t.pid;
	skel->bss->target_addr = (__u64)(unsigned long)addr;
	skel->bss->filter_tid = syscall(SYS_gettid);
	skel->bss->hits = 0;
	fd = open("/dev/null", O_WRONLY);
	if (!ASSERT_OK_FD(fd, "open /dev/null"))
		goto out;
	/* Nothing but this write(2) runs on this thread while attached. */
	link = bpf_program__attach(skel->progs.read_on_write);
	if (!link) {
		close(fd);
		ASSERT_OK_PTR(link, "attach fentry.s");
		goto out;
	}
	n = write(fd, "x", 1);
	bpf_link__destroy(link);
	close(fd);

	ASSERT_EQ(n, 1, "write");
	ASSERT_EQ(skel->bss->hits, 1, "program ran once");
	ASSERT_EQ(skel->bss->read_ret, SECRET_SIZE, "helper returns size");
	ASSERT_OK(memcmp(skel->bss->secret, expected, sizeof(expected)),
		  "secret equals process_vm_readv");
out:
	target_stop(&t);
}

/* sizes: reads of several sizes equal what process_vm_readv returns. */
static void flip_setup(void *arg, int fd)
{
	unsigned char *p = *(unsigned char **)arg;
	long i;

	/* Make the child's copy differ from the parent's. */
	for (i = 0; i < 6 * page_size; i++)
		p[i] ^= 0x5a;
	report(fd, "f", 1);
}

static void subtest_sizes(struct copy_from_user_remote *skel)
{
	const struct {
		long off;
		__u32 size;
	} cases[] = {
		{ 0, 1 },
		{ 3, 4 },
		{ 8, 8 },
		{ 64, 64 },
		{ 0, 4096 },
		{ 4096 - 100, 200 }, /* spans two pages */
		{ 0, sizeof(skel->bss->buf) }, /* a 20 KiB map value */
	};
	static char expected[5 * 4096];
	unsigned char *region;
	struct target t;
	char name[64];
	unsigned int i;
	long ret;

	region = mmap(NULL, 6 * page_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!ASSERT_NEQ(region, MAP_FAILED, "mmap"))
		return;
	for (i = 0; i < 6 * page_size; i++)
		region[i] = i * 7 + 13;
	if (!ASSERT_OK(target_start(&t, flip_setup, &region), "target_start"))
		goto out_unmap;
	if (!ASSERT_OK(target_recv(&t, name, 1), "child flipped its copy"))
		goto out_stop;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(name, sizeof(name), "size %u at offset %ld",
			 cases[i].size, cases[i].off);
		if (!ASSERT_OK(read_with_pvr(t.pid, region + cases[i].off,
					     expected, cases[i].size),
			       "process_vm_readv"))
			break;
		ret = run_read(skel, skel->progs.read_remote, t.pid,
			       region + cases[i].off, cases[i].size);
		ASSERT_EQ(ret, cases[i].size, name);
		ASSERT_OK(memcmp(skel->bss->buf, expected, cases[i].size),
			  name);
		ASSERT_NEQ(memcmp(skel->bss->buf, region + cases[i].off,
				  cases[i].size),
			   0, "read the child, not the parent");
	}

	/* The largest stack buffer a program can have. */
	if (ASSERT_OK(read_with_pvr(t.pid, region + 100, expected, 512),
		      "process_vm_readv")) {
		ret = run_read(skel, skel->progs.read_stack_max, t.pid,
			       region + 100, 512);
		ASSERT_EQ(ret, 512, "size 512 into the stack");
		ASSERT_OK(memcmp(skel->bss->buf, expected, 512),
			  "stack buffer contents");
	}
out_stop:
	target_stop(&t);
out_unmap:
	munmap(region, 6 * page_size);
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
static bool is_zombie(pid_t pid)
{
	char path[64], stat[256], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	n = read(fd, stat, sizeof(stat) - 1);
	close(fd);
	if (n <= 0)
		return false;
	stat[n] = 0;
	p = strrchr(stat, ')');
	return p && p[1] == ' ' && p[2] == 'Z';
}

static pid_t find_kthreadd(void)
{
	char comm[32] = {};
	int fd, n;

	fd = open("/proc/2/comm", O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, comm, sizeof(comm) - 1);
	close(fd);
	return n > 0 && !strncmp(comm, "kthreadd\n", 9) ? 2 : -1;
}

static void subtest_esrch(struct copy_from_user_remote *skel)
{
	const void *addr = secret_src;
	pid_t pid, kthreadd;
	int i;

	expect_error(skel, 0, addr, 8, -ESRCH, "pid 0");
	expect_error(skel, -1, addr, 8, -ESRCH, "pid -1");
	expect_error(skel, INT_MIN, addr, 8, -ESRCH, "pid INT_MIN");

	pid = fork();
	if (!ASSERT_GE(pid, 0, "fork"))
		return;
	if (pid == 0)
		_exit(0);
	for (i = 0; i < 1000 && !is_zombie(pid); i++)
		usleep(1000);
	if (ASSERT_TRUE(is_zombie(pid), "child is a zombie"))
		expect_error(skel, pid, addr, 8, -ESRCH, "zombie");
	ASSERT_EQ(waitpid(pid, NULL, 0), pid, "reap");
	expect_error(skel, pid, addr, 8, -ESRCH, "reaped child");

	kthreadd = find_kthreadd();
	if (ASSERT_EQ(kthreadd, 2, "pid 2 is kthreadd"))
		expect_error(skel, kthreadd, addr, 8, -ESRCH, "kernel thread");
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
	expect_error(skel, t.pid, (void *)0xffffffff81000000UL, 64, -EFAULT,
		     "kernel address");
	expect_error(skel, t.pid, (void *)0x0000800000000000UL, 64, -EFAULT,
		     "non-canonical address");
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

/* pidns: pids are resolved in the caller's pid namespace. */
struct pidns_result {
	long outside_ret;
	long local_ret;
	long local_value;
	pid_t local_pid;
};

static long pidns_marker;

static int pidns_child(struct copy_from_user_remote *skel, pid_t outside,
		       struct pidns_result *res)
{
	pidns_marker = 0x6e73;
	res->local_pid = getpid();
	res->outside_ret = run_read(skel, skel->progs.read_remote, outside,
				    (void *)&pidns_marker,
				    sizeof(pidns_marker));
	res->local_ret = run_read(skel, skel->progs.read_remote, getpid(),
				  (void *)&pidns_marker, sizeof(pidns_marker));
	res->local_value = *(long *)skel->bss->buf;
	return 0;
}

static void subtest_pidns(struct copy_from_user_remote *skel)
{
	struct pidns_result *res;
	struct target t;
	pid_t pid, inner;
	int status;

	res = mmap(NULL, sizeof(*res), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!ASSERT_NEQ(res, MAP_FAILED, "mmap"))
		return;
	memset(res, 0, sizeof(*res));
	if (!ASSERT_OK(target_start(&t, NULL, NULL), "target_start"))
		goto out_unmap;

	pid = fork();
	if (!ASSERT_GE(pid, 0, "fork"))
		goto out_stop;
	if (pid == 0) {
		if (unshare(CLONE_NEWPID))
			_exit(2);
		inner = fork();
		if (inner < 0)
			_exit(3);
		if (inner == 0)
			_exit(pidns_child(skel, t.pid, res));
		if (waitpid(inner, &status, 0) != inner || !WIFEXITED(status))
			_exit(4);
		_exit(WEXITSTATUS(status));
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid, "waitpid");
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "child in new pidns");
	ASSERT_EQ(res->local_pid, 1, "child is pid 1 in its namespace");
	ASSERT_EQ(res->outside_ret, -ESRCH, "pid from outside the namespace");
	ASSERT_EQ(res->local_ret, sizeof(pidns_marker), "namespace-local pid");
	ASSERT_EQ(res->local_value, 0x6e73,
		  "value read by namespace-local pid");
out_stop:
	target_stop(&t);
out_unmap:
	munmap(res, sizeof(*res));
}

void test_copy_from_user_remote(void)
{
	struct copy_from_user_remote *skel;

	page_size = sysconf(_SC_PAGESIZE);
	skel = copy_from_user_remote__open_and_load();
	if (!ASSERT_OK_PTR(skel, "open_and_load"))
		return;

	if (test__start_subtest("seed"))
		subtest_seed(skel);
	if (test__start_subtest("sizes"))
		subtest_sizes(skel);
	if (test__start_subtest("size_zero"))
		subtest_size_zero(skel);
	if (test__start_subtest("esrch"))
		subtest_esrch(skel);
	if (test__start_subtest("efault"))
		subtest_efault(skel);
	if (test__start_subtest("not_present"))
		subtest_not_present(skel);
	if (test__start_subtest("thread"))
		subtest_thread(skel);
	if (test__start_subtest("pidns"))
		subtest_pidns(skel);

	copy_from_user_remote__destroy(skel);
}

void test_verifier_copy_from_user_remote(void)
{
	RUN_TESTS(verifier_copy_from_user_remote);
}
