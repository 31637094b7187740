// SPDX-License-Identifier: GPL-2.0
#include "region.hpp"

#include <cerrno>
#include <system_error>
#include <vector>

#include <sys/mman.h>
#include <unistd.h>

#include "contract.hpp"

namespace cfur::rel {

PatternFile::PatternFile(std::size_t pages) : pages_(pages)
{
	fd_ = memfd_create("cfur-pattern", MFD_CLOEXEC);
	if (fd_ < 0)
		throw std::system_error(errno, std::generic_category(), "memfd_create");
	std::vector<std::uint8_t> data(pages * kPage);
	for (std::size_t i = 0; i < data.size(); ++i)
		data[i] = pattern_at(kRegionBase + i);
	if (write(fd_, data.data(), data.size()) != static_cast<ssize_t>(data.size())) {
		int err = errno;
		close(fd_);
		throw std::system_error(err, std::generic_category(), "writing the pattern file");
	}
}

PatternFile::~PatternFile()
{
	if (fd_ >= 0)
		close(fd_);
}

bool PatternFile::map(std::size_t first, std::size_t count, int prot) const
{
	void *want = reinterpret_cast<void *>(page_addr(first));
	void *p = mmap(want, count * kPage, prot, MAP_SHARED | MAP_FIXED, fd_,
		       static_cast<off_t>(first * kPage));
	return p == want;
}

} // namespace cfur::rel
