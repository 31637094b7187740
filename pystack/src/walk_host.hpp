// SPDX-License-Identifier: GPL-2.0
// bpf/stack_walk.h in user space: what it expects of its includer (reads
// through a Memory, the maps as vectors, the code-object cache as a hash
// map, the ring buffer as a list, bpf_loop() as a loop), and HostWalker,
// the Walker around it. Included by each user-space walker's file, inside
// an anonymous namespace, with WALK_EVERY_READ defined or not: the walk's
// state is that file's, so one walker of each kind at a time.
// Include walk_host_deps.hpp first, outside the namespace.

using walk_reader_t = __s32; // the pid

struct HostState {
	Memory *mem = nullptr;
	SchedSource *sched = nullptr;
	std::vector<py_target> targets;
	std::vector<py_thread> threads;
	std::vector<py_frame> frames;
	struct KeyHash {
		std::size_t operator()(const py_code_key &k) const
		{
			return std::hash<__u64>()(k.code ^ (static_cast<__u64>(k.pid) << 48));
		}
	};
	struct KeyEq {
		bool operator()(const py_code_key &a, const py_code_key &b) const
		{
			return a.code == b.code && a.pid == b.pid;
		}
	};
	std::unordered_map<py_code_key, py_code_val, KeyHash, KeyEq> cache;
	std::size_t max_code = 0;
	std::vector<py_symbol> sent;
};

HostState *host;
py_walk_config walk_cfg;
py_sample_hdr hdr;

int reader_open(__s32 pid, walk_reader_t *r)
{
	*r = pid;
	return 0;
}

void reader_close(walk_reader_t) {}

long read_remote(void *dst, __u32 size, __u64 addr, walk_reader_t pid)
{
	return host->mem->read(dst, size, addr, pid);
}

__u64 load64(const char *p)
{
	__u64 v;
	std::memcpy(&v, p, sizeof(v));
	return v;
}

__u32 load32(const char *p)
{
	__u32 v;
	std::memcpy(&v, p, sizeof(v));
	return v;
}

template <typename T>
T *slot(std::vector<T> &v, __u32 i)
{
	return i < v.size() ? &v[i] : nullptr;
}

py_target *target_at(__u32 i)
{
	return slot(host->targets, i);
}
py_thread *thread_at(__u32 i)
{
	return slot(host->threads, i);
}
py_frame *frame_at(__u32 i)
{
	return slot(host->frames, i);
}

py_code_val *code_lookup(const py_code_key *key)
{
	auto it = host->cache.find(*key);
	return it == host->cache.end() ? nullptr : &it->second;
}

// A full cache starts again, as an LRU map would evict.
void code_store(const py_code_key *key, const py_code_val *val)
{
	if (host->cache.size() >= host->max_code && !host->cache.count(*key))
		host->cache.clear();
	host->cache[*key] = *val;
}

long symbol_output(const py_symbol *s)
{
	host->sent.push_back(*s);
	return 0;
}

// tid: as CPython records it, in the target's own pid namespace
int task_sched(__u64 tid, pid_t pid, py_sched *s)
{
	return host->sched->sched(pid, tid_here(pid, tid), *s);
}

// bpf_loop(): callback(i, ctx) for i below n, until it returns nonzero.
template <typename F, typename Ctx>
long bpf_loop(__u32 n, F callback, Ctx *ctx, __u64)
{
	__u32 i = 0;
	while (i < n && !callback(i++, ctx))
		;
	return i;
}

#include "stack_walk.h"

class HostWalker final : public Walker {
public:
	HostWalker(const char *name, bool per_sample, const WalkSettings &s,
		   std::unique_ptr<Memory> mem, std::unique_ptr<SchedSource> sched)
		: name_(name), per_sample_(per_sample), mem_(std::move(mem)), sched_(std::move(sched))
	{
		if (host)
			throw std::logic_error(std::string("only one ") + name + " walker at a time");
		host = &state_;
		state_.mem = mem_.get();
		state_.sched = sched_.get();
		state_.threads.resize(s.max_threads);
		state_.frames.resize(s.max_frames);
		state_.max_code = s.max_code;
		max_targets_ = s.max_targets;
		walk_cfg = {s.max_threads, s.max_frames, s.max_depth, s.retries, s.cpu_mode, 1};
		hdr = {};
		next_sym = 0;
		std::memset(code_slots, 0, sizeof(code_slots));
	}
	~HostWalker() override { host = nullptr; }
	HostWalker(const HostWalker &) = delete;
	HostWalker &operator=(const HostWalker &) = delete;

	const char *name() const override { return name_; }
	bool symbols_per_sample() const override { return per_sample_; }
	bool checks_consistency() const override { return sched_->knows_switches(); }

	void set_targets(const std::vector<Target> &targets) override
	{
		if (targets.size() > max_targets_)
			throw std::runtime_error("more targets than --max-targets");
		state_.targets.assign(targets.size(), py_target{});
		for (std::size_t i = 0; i < targets.size(); i++) {
			state_.targets[i].pid = targets[i].pid;
			state_.targets[i].layout = targets[i].layout;
		}
		hdr.ntargets = static_cast<__u32>(targets.size());
	}

	SampleView sample() override
	{
		std::uint64_t before = mem_->calls() + sched_->calls();
		state_.sent.clear();
		walk_sample();
		syscalls_ += mem_->calls() + sched_->calls() - before;
		return {&hdr,
			state_.targets,
			{state_.threads.data(), hdr.nthreads},
			{state_.frames.data(), hdr.nframes},
			state_.sent};
	}

private:
	const char *name_;
	bool per_sample_;
	std::unique_ptr<Memory> mem_;
	std::unique_ptr<SchedSource> sched_;
	HostState state_;
	std::size_t max_targets_ = 0;
};
