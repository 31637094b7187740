// SPDX-License-Identifier: GPL-2.0
#include "target.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <numeric>
#include <random>
#include <system_error>
#include <thread>
#include <vector>

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace cfur::bench {

struct Target::Shared {
	std::atomic<int> churn{0};
	std::atomic<int> ready{0};
	std::atomic<std::uint64_t> churn_ops{0};
	TargetLayout layout;
};

namespace {

[[noreturn]] void throw_errno(const char *what)
{
	throw std::system_error(errno, std::generic_category(), what);
}

void *map_anon(std::size_t len)
{
	void *p = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? nullptr : p;
}

// Maps, touches and unmaps 16 pages until told to stop; the mmap_lock is
// taken for writing twice per round.
void churn_loop(std::atomic<int> &churn, std::atomic<std::uint64_t> &ops)
{
	const std::size_t len = 16 * 4096;
	for (;;) {
		if (!churn.load(std::memory_order_relaxed)) {
			usleep(1000);
			continue;
		}
		void *p = map_anon(len);
		if (p) {
			static_cast<volatile char *>(p)[0] = 1;
			munmap(p, len);
			ops.fetch_add(1, std::memory_order_relaxed);
		}
	}
}

// The child: lays out the buffer and the chain in its own memory, publishes
// the addresses, starts the churn threads and waits to be killed.
[[noreturn]] void run_child(Target::Shared *sh, unsigned churn_threads)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	auto *buffer = static_cast<std::uint8_t *>(map_anon(kBufferSize));
	auto *nodes = static_cast<std::uint8_t *>(map_anon(kChaseNodes * 4096));
	if (!buffer || !nodes)
		_exit(1);
	for (std::size_t i = 0; i < kBufferSize; ++i)
		buffer[i] = pattern_byte(i);

	// Node k lives on page k at a varying cache line; the chain visits the
	// pages in a fixed shuffled order and closes into a cycle.
	std::array<std::size_t, kChaseNodes> order;
	std::iota(order.begin(), order.end(), 0);
	std::shuffle(order.begin(), order.end(), std::mt19937(42));
	auto node = [&](std::size_t k) { return nodes + k * 4096 + (k * kNodeSize) % 4096; };
	for (std::size_t i = 0; i < kChaseNodes; ++i) {
		std::uint8_t *cur = node(order[i]);
		std::uint64_t next =
			reinterpret_cast<std::uintptr_t>(node(order[(i + 1) % kChaseNodes]));
		std::memset(cur, static_cast<int>(order[i]), kNodeSize);
		std::memcpy(cur, &next, sizeof(next));
		sh->layout.chain[i] = reinterpret_cast<std::uintptr_t>(cur);
	}
	sh->layout.buffer = reinterpret_cast<std::uintptr_t>(buffer);

	std::vector<std::thread> threads;
	for (unsigned i = 0; i < churn_threads; ++i)
		threads.emplace_back(churn_loop, std::ref(sh->churn), std::ref(sh->churn_ops));
	sh->ready.store(1);
	for (;;)
		pause();
}

} // namespace

Target::Target(unsigned churn_threads)
{
	void *p = mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		       -1, 0);
	if (p == MAP_FAILED)
		throw_errno("mmap");
	shared_ = new (p) Shared();
	pid_ = fork();
	if (pid_ < 0) {
		int err = errno;
		release();
		throw std::system_error(err, std::generic_category(), "fork");
	}
	if (pid_ == 0)
		run_child(shared_, churn_threads);
	for (int i = 0; i < 10000 && !shared_->ready.load(); ++i) {
		if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
			pid_ = -1;
			break;
		}
		usleep(1000);
	}
	if (!shared_->ready.load()) {
		release(); // the constructor throws: the destructor will not run
		throw std::system_error(ECHILD, std::generic_category(),
					"the target process did not start");
	}
	layout_ = shared_->layout;
}

Target::~Target()
{
	release();
}

void Target::release()
{
	if (pid_ > 0) {
		kill(pid_, SIGKILL);
		waitpid(pid_, nullptr, 0);
		pid_ = -1;
	}
	if (shared_) {
		shared_->~Shared();
		munmap(shared_, sizeof(Shared));
		shared_ = nullptr;
	}
}

void Target::set_churn(bool on)
{
	shared_->churn.store(on ? 1 : 0);
}

std::uint64_t Target::churn_ops() const
{
	return shared_->churn_ops.load();
}

} // namespace cfur::bench
