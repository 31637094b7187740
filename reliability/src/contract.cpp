// SPDX-License-Identifier: GPL-2.0
#include "contract.hpp"

#include <cerrno>

#include "strf.hpp"

namespace cfur::rel {

const char *outcome_name(Outcome o)
{
	switch (o) {
	case Outcome::Ok:
		return "ok";
	case Outcome::Esrch:
		return "ESRCH";
	case Outcome::Efault:
		return "EFAULT";
	case Outcome::Wrong:
		return "WRONG";
	}
	return "?";
}

namespace {

Verdict wrong(std::string why)
{
	return {Outcome::Wrong, std::move(why)};
}

// Index of the first byte in [from, to) that differs from want(i), or -1.
template <typename Want>
long first_mismatch(std::span<const std::byte> buf, std::size_t from, std::size_t to, Want want)
{
	for (std::size_t i = from; i < to && i < buf.size(); ++i)
		if (buf[i] != want(i))
			return static_cast<long>(i);
	return -1;
}

} // namespace

Verdict check_call(const Call &c)
{
	if (c.size > c.buf.size())
		return wrong(strf("size %u is larger than the buffer", c.size));
	if (c.expected_ret && *c.expected_ret != c.ret)
		return wrong(strf("returned %ld, expected %ld", c.ret, *c.expected_ret));
	long past = first_mismatch(c.buf, c.size, c.buf.size(), [&](std::size_t) { return c.poison; });
	if (past >= 0)
		return wrong(strf("wrote byte %ld, past size %u", past, c.size));

	Outcome o;
	if (c.ret == -ESRCH) {
		o = Outcome::Esrch;
	} else if (c.ret == -EFAULT) {
		o = Outcome::Efault;
	} else if (c.ret == static_cast<long>(c.size)) {
		long bad = first_mismatch(c.buf, 0, c.size, [&](std::size_t i) {
			return std::byte{pattern_at(c.addr + i)};
		});
		if (bad >= 0)
			return wrong(strf("byte %ld (address %#llx) is %#x, the target holds %#x", bad,
					  static_cast<unsigned long long>(c.addr + bad),
					  static_cast<unsigned>(c.buf[bad]),
					  static_cast<unsigned>(pattern_at(c.addr + bad))));
		return {Outcome::Ok, {}};
	} else {
		return wrong(strf("returned %ld for size %u (not size, -ESRCH or -EFAULT)", c.ret,
				  c.size));
	}
	long dirty = first_mismatch(c.buf, 0, c.size, [](std::size_t) { return std::byte{0}; });
	if (dirty >= 0)
		return wrong(strf("returned %s but dst byte %ld is %#x, not zero", outcome_name(o),
				  dirty, static_cast<unsigned>(c.buf[dirty])));
	return {o, {}};
}

} // namespace cfur::rel
