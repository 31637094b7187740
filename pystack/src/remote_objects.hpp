// SPDX-License-Identifier: GPL-2.0
// CPython objects of another process, read through a Memory: strings,
// ints, dicts and instance attributes. Used off the sampling path, once
// per target or thread: to check a layout against the live interpreter,
// and for Python's thread names (threading._active).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "offsets.hpp"
#include "versions.hpp"
#include "walker.hpp"

namespace pystack {

class PyObjects {
public:
	PyObjects(Memory &mem, pid_t pid, const PyOffsets &o, const VersionSpec &v)
		: mem_(mem), pid_(pid), o_(o), v_(v)
	{
	}

	// size bytes at addr; false if they cannot be read
	bool read(void *dst, std::size_t size, std::uint64_t addr);
	std::optional<std::uint64_t> word(std::uint64_t addr);
	std::optional<std::uint32_t> word32(std::uint64_t addr);
	// A compact str's text in UTF-8, if it has at most max_length
	// characters (4096 by default).
	std::optional<std::string> str(std::uint64_t obj, std::uint64_t max_length = 4096);
	// An int of up to 63 bits.
	std::optional<std::int64_t> integer(std::uint64_t obj);
	// A dict's (key, value) pairs, in insertion order.
	std::vector<std::pair<std::uint64_t, std::uint64_t>> items(std::uint64_t dict);
	// dict[key] for a str key.
	std::optional<std::uint64_t> get(std::uint64_t dict, const std::string &key);
	// obj.name, for instances of classes (their values or their __dict__).
	std::optional<std::uint64_t> attribute(std::uint64_t obj, const std::string &name);

private:
	std::optional<std::uint64_t> lookup(std::uint64_t keys, std::uint64_t values,
					    std::uint64_t first_value, std::uint64_t max_values,
					    const std::string &name);

	// Reads and bytes one PyObjects reads at most: a target that forges
	// its dicts (65536 entries of 65536 each, long strings) costs this
	// much and no more.
	static constexpr std::uint64_t kReadBudget = 1 << 16;
	static constexpr std::uint64_t kByteBudget = 16 << 20;

	std::uint64_t reads_ = 0, bytes_ = 0;
	Memory &mem_;
	pid_t pid_;
	PyOffsets o_;
	const VersionSpec &v_;
};

} // namespace pystack
