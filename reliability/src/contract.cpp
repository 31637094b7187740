// SPDX-License-Identifier: GPL-2.0
#include "contract.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>

#include "strf.hpp"

namespace cfur::rel {

namespace {

// kfunc_to_helper() puts a positive return r at kKfuncPositive + r: far
// from any size or errno.
constexpr long kKfuncPositive = LONG_MIN / 2;

// The kfunc's positive return that ret stands for, if it stands for one.
std::optional<long> kfunc_positive(long ret)
{
	if (ret > kKfuncPositive && ret <= kKfuncPositive + INT_MAX)
		return ret - kKfuncPositive;
	return std::nullopt;
}

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

// "" if the call may return what it did, with its flags and what the
// caller expects, else why not.
std::string check_return(const Call &c)
{
	if (auto p = kfunc_positive(c.ret))
		return strf("the kfunc returned %ld; it returns 0 for a whole read", *p);
	if (c.flags & ~kCopyKnownFlags)
		return c.ret == -EINVAL
			       ? std::string()
			       : strf("returned %ld with unknown flag bits %#llx, expected -EINVAL",
				      c.ret,
				      static_cast<unsigned long long>(c.flags & ~kCopyKnownFlags));
	bool nowait = c.flags & kCopyNowait;
	if (nowait && c.ret == -EAGAIN)
		return {};
	const char *or_eagain = nowait ? " or -EAGAIN (BPF_F_COPY_NOWAIT)" : "";
	if (c.expected_ret && *c.expected_ret != c.ret)
		return strf("returned %ld, expected %ld%s", c.ret, *c.expected_ret, or_eagain);
	if (c.ret != static_cast<long>(c.size) && c.ret != -ESRCH && c.ret != -EFAULT)
		return strf("returned %ld for size %u (not size, -ESRCH or -EFAULT%s)", c.ret,
			    c.size, or_eagain);
	return {};
}

} // namespace

const char *outcome_name(Outcome o)
{
	switch (o) {
	case Outcome::Ok:
		return "ok";
	case Outcome::Esrch:
		return "ESRCH";
	case Outcome::Efault:
		return "EFAULT";
	case Outcome::Eagain:
		return "EAGAIN";
	case Outcome::Einval:
		return "EINVAL";
	case Outcome::Wrong:
		return "WRONG";
	}
	return "?";
}

long kfunc_to_helper(long ret, std::uint32_t size)
{
	if (ret == 0)
		return size;
	if (ret > 0)
		return kKfuncPositive + std::min<long>(ret, INT_MAX);
	return ret;
}

Verdict check_call(const Call &c)
{
	if (c.size > c.buf.size())
		return wrong(strf("size %u is larger than the buffer", c.size));
	if (std::string why = check_return(c); !why.empty())
		return wrong(std::move(why));
	long past = first_mismatch(c.buf, c.size, c.buf.size(), [&](std::size_t) { return c.poison; });
	if (past >= 0)
		return wrong(strf("wrote byte %ld, past size %u", past, c.size));

	Outcome o;
	switch (c.ret) {
	case -ESRCH:
		o = Outcome::Esrch;
		break;
	case -EFAULT:
		o = Outcome::Efault;
		break;
	case -EAGAIN:
		o = Outcome::Eagain;
		break;
	case -EINVAL:
		o = Outcome::Einval;
		break;
	default: { // size: check_return() let nothing else through
		long bad = first_mismatch(c.buf, 0, c.size, [&](std::size_t i) {
			return std::byte{pattern_at(c.addr + i)};
		});
		if (bad >= 0)
			return wrong(strf("byte %ld (address %#llx) is %#x, the target holds %#x",
					  bad, static_cast<unsigned long long>(c.addr + bad),
					  static_cast<unsigned>(c.buf[bad]),
					  static_cast<unsigned>(pattern_at(c.addr + bad))));
		return {Outcome::Ok, {}};
	}
	}
	long dirty = first_mismatch(c.buf, 0, c.size, [](std::size_t) { return std::byte{0}; });
	if (dirty >= 0)
		return wrong(strf("returned %s but dst byte %ld is %#x, not zero", outcome_name(o),
				  dirty, static_cast<unsigned>(c.buf[dirty])));
	return {o, {}};
}

} // namespace cfur::rel
