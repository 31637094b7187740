// SPDX-License-Identifier: GPL-2.0
/*
 * The kfunc bpf_copy_from_user_pid(): a BPF program reads another process's
 * memory, named by pid, as process_vm_readv(2) does; for the kernels people
 * run (Debian 12's 6.1 and later), which have no bpf_copy_from_user_remote()
 * helper.
 *
 * It is registered for BPF_PROG_TYPE_SYSCALL programs only. Those run from
 * BPF_PROG_RUN, in the process context of the task that asked, with no
 * mmap_lock held (but in a bpf_find_vma() callback: kmod/README.md), so the
 * kfunc may take the target's mmap_lock and sleep.
 * Other program types may run with an mmap_lock held (a task_vma iterator,
 * a tracepoint inside mm code), which only a verifier rule could exclude,
 * and a module cannot add one.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/sched/coredump.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/uaccess.h>
#include <linux/userfaultfd_k.h>
#include <uapi/linux/magic.h>

#include "copy_from_user_pid.h"

#ifndef CONFIG_DEBUG_INFO_BTF_MODULES
#error "a kfunc needs module BTF: this kernel lacks CONFIG_DEBUG_INFO_BTF_MODULES"
#endif
/*
 * Without it preemptible() is 0 and rcu_read_lock() leaves no trace: the
 * kfunc could not tell an RCU read-side section (called_by_asker()).
 */
#ifndef CONFIG_PREEMPT_COUNT
#error "the kfunc needs CONFIG_PREEMPT_COUNT to see where it may not sleep"
#endif

/*
 * Before 6.4 there is no __bpf_kfunc: 6.1's kfuncs are plain global
 * functions. Before 6.9 there is no BTF_KFUNCS_START.
 */
#ifndef __bpf_kfunc
#define __bpf_kfunc
#endif
#ifndef BTF_KFUNCS_START
#define BTF_KFUNCS_START BTF_SET8_START
#define BTF_KFUNCS_END BTF_SET8_END
#endif

/*
 * The pages get_user_pages_remote() is asked for at a time: an on-stack
 * array, like PVM_MAX_PP_ARRAY_COUNT in mm/process_vm_access.c.
 */
#define COPY_PAGES 16

/* 6.5 dropped the vmas argument of get_user_pages_remote() (see Kbuild). */
static long gup_remote(struct mm_struct *mm, unsigned long addr, long nr,
		       unsigned int gup_flags, struct page **pages, int *locked)
{
#ifdef GUP_REMOTE_HAS_VMAS
	return get_user_pages_remote(mm, addr, nr, gup_flags, pages, NULL,
				     locked);
#else
	return get_user_pages_remote(mm, addr, nr, gup_flags, pages, locked);
#endif
}

/*
 * The address as the target's mm sees it: x86's LAM tags are per mm, and
 * 6.4 added untagged_addr_remote(), a macro, for that; before, there is no
 * tagging on x86 and untagged_addr() is the address itself.
 */
static unsigned long untag(struct mm_struct *mm, unsigned long addr)
{
#ifdef untagged_addr_remote
	return untagged_addr_remote(mm, addr);
#else
	return untagged_addr(addr);
#endif
}

/*
 * Could GUP get the pages of vma, faulted in? Not without VM_READ; not
 * VM_IO, VM_PFNMAP or VM_MIXEDMAP ones, which may have no struct page; not
 * memfd_secret's (its vma_is_secretmem() is not exported: its file system's
 * magic says it).
 */
static bool pages_gettable(struct vm_area_struct *vma)
{
	if (!(vma->vm_flags & VM_READ) ||
	    (vma->vm_flags & (VM_IO | VM_PFNMAP | VM_MIXEDMAP)))
		return false;
	return !vma->vm_file ||
	       file_inode(vma->vm_file)->i_sb->s_magic != SECRETMEM_MAGIC;
}

/*
 * Gets up to nr pages at addr in mm, mmap_lock held (*locked = 1), and
 * never more than the VMA at addr holds, so that what the lock protects is
 * looked at once for all of them (as bpf_copy_from_user_remote() does in
 * the series).
 *
 * With BPF_F_COPY_NOWAIT, FOLL_NOFAULT: only pages the target has mapped
 * now, no fault at all. FOLL_NOWAIT alone would not do: it still reads a
 * file page in, synchronously, with the target's mmap_lock held (readahead,
 * a FUSE daemon that may never answer). A readable page that is not mapped
 * is then -EAGAIN.
 *
 * Without it, FOLL_NOWAIT in a userfaultfd range whose read faults go to
 * its handler (missing or minor mode; write-protect mode holds no read),
 * which may never come while the caller is in an RCU Tasks Trace read-side
 * section: GUP stops, lock held, at the first page that would wait. Anywhere else GUP
 * faults pages in as for process_vm_readv(): it drops the lock before it
 * waits for I/O and then returns with *locked = 0.
 *
 * Returns the number of pages got, -EAGAIN (BPF_F_COPY_NOWAIT and the first
 * page is not mapped), -EFAULT (it cannot be read).
 */
static long get_pages(struct mm_struct *mm, unsigned long addr, long nr,
		      struct page **pages, int *locked, u64 flags)
{
	unsigned long start = untag(mm, addr) & PAGE_MASK;
	struct vm_area_struct *vma = vma_lookup(mm, start);
	unsigned int gup_flags = 0;
	long got;

	if (!vma)
		return -EFAULT;
	nr = min_t(long, nr, (vma->vm_end - start) >> PAGE_SHIFT);
	if (flags & BPF_F_COPY_NOWAIT)
		gup_flags = FOLL_NOWAIT | FOLL_NOFAULT;
	else if (userfaultfd_missing(vma) || userfaultfd_minor(vma))
		gup_flags = FOLL_NOWAIT;
	got = gup_remote(mm, addr, nr, gup_flags, pages, locked);
	if (got > 0)
		return got;
	/*
	 * With BPF_F_COPY_NOWAIT: 0, GUP would wait; -EFAULT from a VMA whose
	 * pages it could get, FOLL_NOFAULT kept it from faulting one in.
	 * Anything else fails for good.
	 */
	if ((flags & BPF_F_COPY_NOWAIT) &&
	    (!got || (got == -EFAULT && pages_gettable(vma))))
		return -EAGAIN;
	return -EFAULT;
}

/*
 * Copies size bytes at addr in mm to dst, a batch of pages at a time: take
 * mmap_lock, get the pages, drop the lock, copy from the pages outside it
 * and put them. No FOLL_FORCE: page protections are honoured. A read of more
 * than one batch is not atomic against munmap() or mprotect() in the
 * target, as with process_vm_readv(). Returns 0 when all size bytes were
 * copied; -EAGAIN when BPF_F_COPY_NOWAIT forbids a wait or a fault; else -EFAULT: a
 * page that cannot be read, one in a userfaultfd range that is not there
 * yet, or a fatal signal for the caller.
 */
static int copy_from_mm(struct mm_struct *mm, unsigned long addr, void *dst,
			u32 size, u64 flags)
{
	struct page *pages[COPY_PAGES];
	unsigned long off = offset_in_page(addr);
	long nr, got, i;
	int locked;
	u32 n;

	while (size) {
		nr = min_t(unsigned long, COPY_PAGES,
			   DIV_ROUND_UP(off + size, PAGE_SIZE));
		if (flags & BPF_F_COPY_NOWAIT) {
			if (!mmap_read_trylock(mm))
				return -EAGAIN;
		} else if (mmap_read_lock_killable(mm)) {
			return -EFAULT;
		}
		locked = 1;
		got = get_pages(mm, addr, nr, pages, &locked, flags);
		if (locked)
			mmap_read_unlock(mm);
		if (got < 0)
			return got;
		for (i = 0; i < got; i++) {
			n = min_t(u32, size, PAGE_SIZE - off);
			memcpy_from_page(dst, pages[i], off, n);
			put_page(pages[i]);
			dst += n;
			addr += n;
			size -= n;
			off = 0;
		}
		cond_resched();
	}
	return 0;
}

/*
 * May the caller read mm, the mm of task? __ptrace_may_access() for
 * PTRACE_MODE_ATTACH_REALCREDS, which process_vm_readv() asks for, without
 * the LSM hook: neither ptrace_may_access() nor
 * security_ptrace_access_check() is exported (Yama, SELinux, AppArmor are
 * not asked). The caller's real uid and gid must be the target's real,
 * effective and saved ones, else the caller needs CAP_SYS_PTRACE in the
 * target's user namespace; and the target must be dumpable, else the caller
 * needs CAP_SYS_PTRACE in the user namespace of its mm.
 */
static bool may_read(struct task_struct *task, struct mm_struct *mm)
{
	const struct cred *cred = current_cred(), *tcred;
	bool ok;

	if (mm == current->mm || same_thread_group(task, current))
		return true;
	rcu_read_lock();
	tcred = __task_cred(task);
	ok = (uid_eq(cred->uid, tcred->euid) &&
	      uid_eq(cred->uid, tcred->suid) && uid_eq(cred->uid, tcred->uid) &&
	      gid_eq(cred->gid, tcred->egid) &&
	      gid_eq(cred->gid, tcred->sgid) &&
	      gid_eq(cred->gid, tcred->gid)) ||
	     ns_capable(tcred->user_ns, CAP_SYS_PTRACE);
	rcu_read_unlock();
	if (!ok)
		return false;
	/*
	 * Dumpability read after the credentials, as ptrace does: pairs with
	 * the write barrier in commit_creds().
	 */
	smp_rmb();
	return get_dumpable(mm) == SUID_DUMP_USER ||
	       ns_capable(mm->user_ns, CAP_SYS_PTRACE);
}

/*
 * The task with pid nr in the caller's active pid namespace, with a
 * reference, or NULL. find_task_by_vpid() is not exported; find_pid_ns()
 * and pid_task() are, and want RCU.
 */
static struct task_struct *get_task_by_vpid(s32 nr)
{
	struct pid_namespace *ns;
	struct task_struct *task = NULL;

	rcu_read_lock();
	ns = task_active_pid_ns(current);
	if (ns)
		task = pid_task(find_pid_ns(nr, ns), PIDTYPE_PID);
	if (task)
		get_task_struct(task);
	rcu_read_unlock();
	return task;
}

/*
 * The mm of the task with pid nr, pinned, if the caller may read it; checked
 * as mm_access() does, under the target's exec_update_lock, so that an exec
 * cannot change its mm and credentials between get_task_mm() and the check.
 * ERR_PTR(-ESRCH): no such task, a kernel thread, an exited task; -EPERM:
 * no access; -EAGAIN: an exec holds the lock and flags forbid waiting;
 * -EFAULT: a fatal signal while waiting for it.
 */
static struct mm_struct *get_target_mm(s32 nr, u64 flags)
{
	struct rw_semaphore *exec_lock;
	struct task_struct *task;
	struct mm_struct *mm;

	task = get_task_by_vpid(nr);
	if (!task)
		return ERR_PTR(-ESRCH);
	exec_lock = &task->signal->exec_update_lock;
	if (flags & BPF_F_COPY_NOWAIT) {
		if (!down_read_trylock(exec_lock)) {
			mm = ERR_PTR(-EAGAIN);
			goto out;
		}
	} else if (down_read_killable(exec_lock)) {
		mm = ERR_PTR(-EFAULT);
		goto out;
	}
	mm = get_task_mm(task);
	if (!mm) {
		mm = ERR_PTR(-ESRCH);
	} else if (!may_read(task, mm)) {
		mmput_async(mm);
		mm = ERR_PTR(-EPERM);
	}
	up_read(exec_lock);
out:
	put_task_struct(task);
	return mm;
}

/*
 * Is this call made by the task that asked, in a context that may sleep?
 * The checks after it are about current. A syscall program runs in the
 * process context of the task that called BPF_PROG_RUN, but the verifiers
 * of 6.1 and 6.12 let callbacks it sets up call a sleepable kfunc too:
 *
 * - a bpf_timer callback runs in softirq context, in whichever task was
 *   interrupted;
 * - a bpf_wq callback (6.10+) runs in a kworker: a kernel thread with
 *   every capability, in the initial pid namespace, on behalf of no one;
 * - a bpf_for_each_map_elem() callback over a hash map runs under
 *   rcu_read_lock(), where the kfunc must not sleep: with preemptible RCU
 *   that shows only in rcu_preempt_depth(), without it in preempt_count.
 */
static bool called_by_asker(void)
{
	if (!in_task() || (current->flags & PF_KTHREAD))
		return false;
	return preemptible() && !rcu_preempt_depth();
}

#ifdef __bpf_kfunc_start_defs
__bpf_kfunc_start_defs();
#endif

/**
 * bpf_copy_from_user_pid() - Read another process's memory
 * @dst: Where to copy to
 * @dst__sz: How many bytes to copy
 * @user_addr: The address in the target process to copy from
 * @pid: The target's pid in the caller's pid namespace
 * @flags: 0 or BPF_F_COPY_NOWAIT
 *
 * The caller (the task running the program) needs CAP_PERFMON (or
 * CAP_SYS_ADMIN) and ptrace access to the target, as process_vm_readv()
 * checks it minus the LSM hook. A read is all or nothing.
 *
 * Return: 0 when all @dst__sz bytes were copied; else, with @dst zeroed,
 * -ESRCH (no such task, a kernel thread, an exited task), -EFAULT (a page
 * that cannot be read, a userfaultfd page that is not there, a fatal
 * signal), -EAGAIN (BPF_F_COPY_NOWAIT and the read would wait or fault),
 * -EPERM (no privilege or no access to the target) or -EINVAL (unknown
 * @flags; a context that may not sleep, or a kernel thread's).
 */
__bpf_kfunc int bpf_copy_from_user_pid(void *dst, u32 dst__sz, u64 user_addr,
				       s32 pid, u64 flags)
{
	struct mm_struct *mm;
	int ret;

	if (unlikely(flags & ~BPF_F_COPY_ALL)) {
		ret = -EINVAL;
		goto fail;
	}
	if (unlikely(!called_by_asker())) {
		ret = -EINVAL;
		goto fail;
	}
	if (!perfmon_capable()) {
		ret = -EPERM;
		goto fail;
	}
	if (unlikely(!dst__sz))
		return 0;
	if (pid <= 0) {
		ret = -ESRCH;
		goto fail;
	}
	mm = get_target_mm(pid, flags);
	if (IS_ERR(mm)) {
		ret = PTR_ERR(mm);
		goto fail;
	}
	ret = copy_from_mm(mm, user_addr, dst, dst__sz, flags);
	/*
	 * If the target exited meanwhile, this is the last reference: leave
	 * exit_mmap() to a worker, not to the task running the program.
	 */
	mmput_async(mm);
	if (likely(!ret))
		return 0;
fail:
	memset(dst, 0, dst__sz);
	return ret;
}

#ifdef __bpf_kfunc_end_defs
__bpf_kfunc_end_defs();
#endif

BTF_KFUNCS_START(copy_from_user_pid_ids)
BTF_ID_FLAGS(func, bpf_copy_from_user_pid, KF_SLEEPABLE)
BTF_KFUNCS_END(copy_from_user_pid_ids)

static const struct btf_kfunc_id_set copy_from_user_pid_set = {
	.owner = THIS_MODULE,
	.set = &copy_from_user_pid_ids,
};

static int __init copy_from_user_pid_init(void)
{
	int err;

	/*
	 * Without its own BTF the module's kfunc set cannot be registered,
	 * and 6.1's register_btf_kfunc_id_set() then only warns and returns
	 * 0: refuse to load instead.
	 */
	if (!THIS_MODULE->btf_data_size) {
		pr_err("the module has no BTF (built without the kernel's vmlinux); rebuild it as kmod/README.md says\n");
		return -ENOENT;
	}
	err = register_btf_kfunc_id_set(BPF_PROG_TYPE_SYSCALL,
					&copy_from_user_pid_set);
	if (err)
		pr_err("cannot register bpf_copy_from_user_pid: %d\n", err);
	return err;
}

/*
 * Nothing to undo: the kfunc set goes with the module's BTF, and every
 * loaded program that calls the kfunc holds a reference to the module.
 */
static void __exit copy_from_user_pid_exit(void)
{
}

module_init(copy_from_user_pid_init);
module_exit(copy_from_user_pid_exit);

MODULE_DESCRIPTION(
	"bpf_copy_from_user_pid(): read another process's memory from a BPF syscall program");
MODULE_LICENSE("GPL");
