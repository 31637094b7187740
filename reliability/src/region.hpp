// SPDX-License-Identifier: GPL-2.0
// Memory laid out the same way in every process of these tools: pages at a
// fixed address holding pattern_at(addr), mapped from a memfd so that a page
// mapped again holds the pattern at once.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cfur::rel {

inline constexpr std::uint64_t kRegionBase = 0x5a5a00000000ULL;
inline constexpr std::size_t kPage = 4096;

class PatternFile {
public:
	// A memfd of `pages` pages whose byte at offset o is
	// pattern_at(kRegionBase + o). Throws std::system_error.
	explicit PatternFile(std::size_t pages);
	~PatternFile();
	PatternFile(const PatternFile &) = delete;
	PatternFile &operator=(const PatternFile &) = delete;

	// Maps pages [first, first + count) at kRegionBase + first * kPage
	// (MAP_FIXED over whatever is there). Returns false on failure.
	bool map(std::size_t first, std::size_t count, int prot) const;
	std::size_t pages() const { return pages_; }

private:
	int fd_ = -1;
	std::size_t pages_;
};

inline std::uint64_t page_addr(std::size_t page)
{
	return kRegionBase + page * kPage;
}

// Reads the page's first byte, so that this process has it mapped: the
// pages BPF_F_COPY_NOWAIT reads (it faults nothing in; a page of the
// pattern file a process has not touched is -EAGAIN to it). A child does
// not inherit what its parent touched of a shared mapping.
inline void touch_page(std::size_t page)
{
	(void)*reinterpret_cast<volatile const std::uint8_t *>(page_addr(page));
}

} // namespace cfur::rel
