// SPDX-License-Identifier: GPL-2.0
// Runs the benchmark's paths (path_list.hpp). Each performs a batch of
// reads, all at one address or following a chain, and reports how long the
// batch took.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <sys/types.h>

#include "path_list.hpp"

namespace cfur::bench {

struct Batch {
	pid_t pid = 0;
	std::uint64_t addr = 0;
	std::uint32_t size = 0;
	std::uint32_t reads = 0;
	bool chase = false;
};

struct BatchResult {
	double ns = 0;			 // wall time of the whole batch
	std::uint32_t done = 0;		 // reads completed
	int error = 0;			 // 0 or the first negative errno
	std::uint64_t last = 0;		 // address of the last read
	std::span<const std::byte> data; // the last read's bytes (valid until the next batch)
};

class Paths {
public:
	// Loads each BPF object this kernel can run, on its own; the paths of
	// the others are skipped with a reason. Throws std::runtime_error if
	// BPF needs privileges this process lacks.
	Paths();
	~Paths();
	Paths(const Paths &) = delete;
	Paths &operator=(const Paths &) = delete;

	// Why a path cannot run here, or nothing if it can.
	std::optional<std::string> skip_reason(PathId id) const;

	// Runs a batch; the target's /proc/PID/mem is opened on first use.
	BatchResult run(PathId id, const Batch &b);

private:
	struct Impl;
	std::unique_ptr<Impl> impl_;
};

} // namespace cfur::bench
