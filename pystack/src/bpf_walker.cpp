// SPDX-License-Identifier: GPL-2.0
// The BPF walkers: one BPF_PROG_RUN per sample of bpf/stack_walker.c
// (bpf_copy_from_user_remote), of its WALK_WITH_KFUNC build
// (bpf_copy_from_user_pid, the module's kfunc) or of its WALK_WITH_TASK
// build (bpf_task_from_pid + bpf_copy_from_user_task). The targets, threads and
// frames maps are mmap()ed and the symbols ring buffer is consumed from
// its mapping: a sample costs one system call.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>

#include "proc_ns.hpp"
#include "walker.hpp"
// the skeletons name struct py_layout, py_walk_config and py_sample_hdr
#include "stack_walker.skel.h"
#include "stack_walker_kfunc.skel.h"
#include "stack_walker_task.skel.h"

#include "helper_probe.hpp"
#include "skel_ptr.hpp"
#include "strf.hpp"

namespace pystack {
namespace {

// An mmap()ed BPF_F_MMAPABLE array map, unmapped when it goes.
template <typename T>
class MappedArray {
public:
	MappedArray() = default;
	MappedArray(bpf_map *map, const char *walker)
	{
		std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
		std::size_t stride = (sizeof(T) + 7) & ~std::size_t{7};
		static_assert(sizeof(T) % 8 == 0, "array map values are 8-byte strides");
		size_ = bpf_map__max_entries(map);
		len_ = (size_ * stride + page - 1) / page * page;
		void *p = mmap(nullptr, len_, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(map), 0);
		if (p == MAP_FAILED)
			throw std::runtime_error(
				cfur::strf("mapping the %s walker's %s map failed: %s", walker,
					   bpf_map__name(map), std::strerror(errno)));
		data_ = static_cast<T *>(p);
	}
	MappedArray(MappedArray &&o) noexcept { *this = std::move(o); }
	MappedArray &operator=(MappedArray &&o) noexcept
	{
		std::swap(data_, o.data_);
		std::swap(len_, o.len_);
		std::swap(size_, o.size_);
		return *this;
	}
	~MappedArray()
	{
		if (data_)
			munmap(data_, len_);
	}
	T *data() const { return data_; }
	std::size_t size() const { return size_; }

private:
	T *data_ = nullptr;
	std::size_t len_ = 0, size_ = 0;
};

struct RingBufferDeleter {
	void operator()(ring_buffer *rb) const { ring_buffer__free(rb); }
};

// Thread states from /proc, after the walk, for the threads whose state
// the BPF walk did not know: every thread for the kfunc walker on 6.1
// (no bpf_task_from_pid()), and for any BPF walker the threads of a target
// in a pid namespace of its own (the id CPython records is that
// namespace's; bpf_task_from_pid() takes the initial one's, and the walk
// refuses a task of another process). What --idle and --mode cpu need, at
// one pread per such thread and sample, as the user-space walkers pay.
class ProcStates {
public:
	explicit ProcStates(bool cpu_mode) : cpu_mode_(cpu_mode), proc_(make_proc_sched(true)) {}

	// Fills in each thread's state; in --mode cpu, drops the idle ones (the
	// walk in BPF could not skip them). Returns the threads kept.
	std::size_t apply(py_target *targets, std::size_t ntargets, py_thread *threads, std::size_t n)
	{
		std::size_t kept = 0;
		for (std::size_t i = 0; i < n; i++) {
			py_thread &t = threads[i];
			py_sched s{};
			pid_t pid = t.target < ntargets ? targets[t.target].pid : 0;
			// the id CPython records is its own pid namespace's
			if (t.state == PY_STATE_UNKNOWN && pid &&
			    proc_->sched(pid, tid_here(pid, t.native_tid), s) == 0)
				t.state = static_cast<__u8>(s.state);
			if (cpu_mode_ && t.state == PY_STATE_IDLE) {
				if (t.target < ntargets && targets[t.target].nthreads)
					targets[t.target].nthreads--;
				continue;
			}
			threads[kept++] = t;
		}
		return kept;
	}
	std::uint64_t calls() const { return proc_->calls(); }

private:
	bool cpu_mode_;
	std::unique_ptr<SchedSource> proc_;
};

template <typename Skel>
class BpfWalker final : public Walker {
public:
	// The thread states the walk could not know come from /proc if the
	// sample needs them (ProcStates).
	BpfWalker(const char *name, const WalkSettings &s) : name_(name)
	{
		using Clock = std::chrono::steady_clock;
		auto ms = [](Clock::time_point a, Clock::time_point b) {
			return std::chrono::duration<double, std::milli>(b - a).count();
		};
		if (s.need_state)
			proc_states_.emplace(s.cpu_mode);
		auto t0 = Clock::now();
		skel_.reset(Skel::open());
		if (!skel_)
			throw std::runtime_error(
				cfur::strf("opening the %s walker's BPF skeleton failed: %s", name,
					   std::strerror(errno)));
		skel_->rodata->walk_cfg = {s.max_threads, s.max_frames, s.max_depth,
					   s.retries,	  s.cpu_mode,	in_initial_pid_ns()};
		bpf_map__set_max_entries(skel_->maps.targets, s.max_targets);
		bpf_map__set_max_entries(skel_->maps.threads, s.max_threads);
		bpf_map__set_max_entries(skel_->maps.frames, s.max_frames);
		bpf_map__set_max_entries(skel_->maps.code_cache, s.max_code);
		auto t1 = Clock::now();
		if (int err = Skel::load(skel_.get()))
			throw std::runtime_error(
				cfur::strf("loading the %s walker's BPF program failed: "
					   "%s (the verifier's log is above; BPF "
					   "needs root%s)",
					   name, std::strerror(-err),
					   std::string(name) == "task" ? "; the task walker needs Linux 6.8 "
									 "or later"
								       : ""));
		auto t2 = Clock::now();
		fd_ = bpf_program__fd(skel_->progs.walk_stacks);
		targets_ = MappedArray<py_target>(skel_->maps.targets, name);
		threads_ = MappedArray<py_thread>(skel_->maps.threads, name);
		frames_ = MappedArray<py_frame>(skel_->maps.frames, name);
		rb_.reset(ring_buffer__new(bpf_map__fd(skel_->maps.symbols), on_symbol, this, nullptr));
		if (!rb_)
			throw std::runtime_error(
				cfur::strf("opening the %s walker's ring buffer failed: %s", name,
					   std::strerror(errno)));
		bpf_prog_info info{};
		__u32 len = sizeof(info);
		if (bpf_prog_get_info_by_fd(fd_, &info, &len) != 0)
			info.verified_insns = 0; // unknown: the summary says 0
		auto t3 = Clock::now();
		startup_.ms = ms(t0, t3);
		startup_.verified_insns = info.verified_insns;
		startup_.detail = cfur::strf("open %.1f ms, load and verify %.1f ms (%u instructions "
					     "verified), mmap and ring buffer %.1f ms",
					     ms(t0, t1), ms(t1, t2), info.verified_insns, ms(t2, t3));
	}

	const char *name() const override { return name_; }

	void set_targets(const std::vector<Target> &targets) override
	{
		if (targets.size() > targets_.size())
			throw std::runtime_error("more targets than --max-targets");
		for (std::size_t i = 0; i < targets.size(); i++) {
			py_target &t = targets_.data()[i];
			t = {};
			t.pid = targets[i].pid;
			t.layout = targets[i].layout;
		}
		skel_->bss->hdr.ntargets = static_cast<__u32>(targets.size());
	}

	SampleView sample() override
	{
		bpf_test_run_opts opts{};
		opts.sz = sizeof(opts);
		syscalls_++;
		if (bpf_prog_test_run_opts(fd_, &opts) != 0)
			throw std::runtime_error(cfur::strf("BPF_PROG_RUN of the %s walker failed: %s",
							    name_, std::strerror(errno)));
		sent_.clear();
		ring_buffer__consume(rb_.get());
		const py_sample_hdr &h = skel_->bss->hdr;
		std::size_t nthreads = std::min<std::size_t>(h.nthreads, threads_.size());
		if (proc_states_) {
			std::uint64_t before = proc_states_->calls();
			nthreads = proc_states_->apply(targets_.data(), h.ntargets, threads_.data(),
						       nthreads);
			syscalls_ += proc_states_->calls() - before;
		}
		return {&h,
			{targets_.data(), h.ntargets},
			{threads_.data(), nthreads},
			{frames_.data(), std::min<std::size_t>(h.nframes, frames_.size())},
			sent_};
	}

private:
	static int on_symbol(void *ctx, void *data, std::size_t size)
	{
		auto *self = static_cast<BpfWalker *>(ctx);
		if (size >= sizeof(py_symbol))
			self->sent_.push_back(*static_cast<const py_symbol *>(data));
		return 0;
	}

	const char *name_;
	std::optional<ProcStates> proc_states_;
	cfur::SkelPtr<Skel> skel_;
	int fd_ = -1;
	MappedArray<py_target> targets_;
	MappedArray<py_thread> threads_;
	MappedArray<py_frame> frames_;
	std::unique_ptr<ring_buffer, RingBufferDeleter> rb_;
	std::vector<py_symbol> sent_;
};

} // namespace

std::unique_ptr<Walker> make_bpf_walker(const WalkSettings &s)
{
	if (!cfur::kernel_has_remote_helper())
		throw std::runtime_error("this kernel has no bpf_copy_from_user_remote (or BPF needs root "
					 "here): boot the patched kernel (make pystack-demo does), or "
					 "use --walker task, austin or pvm");
	return std::make_unique<BpfWalker<stack_walker>>("bpf", s);
}

std::unique_ptr<Walker> make_kfunc_walker(const WalkSettings &s)
{
	if (!cfur::kernel_has_kfunc_module())
		throw std::runtime_error(
			cfur::strf("the kfunc walker needs copy_from_user_pid.ko, and %s "
				   "is absent: load it (insmod copy_from_user_pid.ko, or "
				   "dkms install; kmod/README.md), or use --walker auto",
				   cfur::kKfuncModuleBtf));
	return std::make_unique<BpfWalker<stack_walker_kfunc>>("kfunc", s);
}

std::unique_ptr<Walker> make_task_walker(const WalkSettings &s)
{
	return std::make_unique<BpfWalker<stack_walker_task>>("task", s);
}

std::unique_ptr<Walker> make_walker(const std::string &name, const WalkSettings &s)
{
	if (name == "auto") {
		std::string pick = pick_walker(cfur::kernel_has_remote_helper(),
					       cfur::kernel_has_kfunc_module());
		if (pick != "task")
			return make_walker(pick, s);
		// the task walker needs 6.8 (__arg_trusted); before, auto goes on
		// with the walk from user space rather than stopping
		try {
			return make_task_walker(s);
		} catch (const std::runtime_error &e) {
			std::cerr << "pystack: note: " << e.what()
				  << "; --walker auto samples with the austin walker instead\n";
			return make_walker("austin", s);
		}
	}
	if (name == "bpf")
		return make_bpf_walker(s);
	if (name == "kfunc")
		return make_kfunc_walker(s);
	if (name == "task")
		return make_task_walker(s);
	if (name == "austin")
		return make_austin_walker(s, make_process_memory(), make_proc_sched(s.need_state));
	if (name == "pvm")
		return make_pvm_walker(s, make_process_memory(), make_proc_sched(s.need_state));
	throw std::invalid_argument("no walker " + name);
}

} // namespace pystack
