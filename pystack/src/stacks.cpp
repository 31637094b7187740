// SPDX-License-Identifier: GPL-2.0
#include "stacks.hpp"

#include <algorithm>
#include <stdexcept>

namespace pystack {
namespace {

void put_utf8(std::string &out, std::uint32_t c)
{
	if (c < 0x80) {
		out += static_cast<char>(c);
	} else if (c < 0x800) {
		out += static_cast<char>(0xc0 | (c >> 6));
		out += static_cast<char>(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		out += static_cast<char>(0xe0 | (c >> 12));
		out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
		out += static_cast<char>(0x80 | (c & 0x3f));
	} else if (c < 0x110000) {
		out += static_cast<char>(0xf0 | (c >> 18));
		out += static_cast<char>(0x80 | ((c >> 12) & 0x3f));
		out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
		out += static_cast<char>(0x80 | (c & 0x3f));
	} else {
		out += "\xef\xbf\xbd"; // U+FFFD
	}
}

std::string name_or_unknown(const char *bytes, std::size_t len, unsigned kind)
{
	return kind ? to_utf8(bytes, len, kind) : "?";
}

} // namespace

std::string to_utf8(const char *bytes, std::size_t len, unsigned kind)
{
	std::string out;
	if (kind != 1 && kind != 2 && kind != 4)
		return out;
	const auto *b = reinterpret_cast<const unsigned char *>(bytes);
	for (std::size_t i = 0; i + kind <= len; i += kind) {
		std::uint32_t c = 0;
		for (unsigned k = 0; k < kind; k++)
			c |= static_cast<std::uint32_t>(b[i + k]) << (8 * k);
		put_utf8(out, c);
	}
	return out;
}

std::string ThreadStack::collapsed() const
{
	std::string s = "T" + std::to_string(tid);
	for (const std::string &f : frames)
		s += ";" + f;
	return s;
}

std::vector<ThreadStack> stacks_of(const py_sample &s)
{
	std::vector<ThreadStack> out;
	std::uint32_t nthreads = std::min<std::uint32_t>(s.nthreads, PY_MAX_THREADS);
	for (std::uint32_t i = 0; i < nthreads; i++) {
		const py_thread &t = s.threads[i];
		ThreadStack ts;
		ts.tid = t.native_tid;
		ts.error = t.error;
		ts.truncated = t.truncated != 0;
		for (std::uint32_t d = t.depth; d > 0; d--) {
			std::uint32_t fi = t.first + d - 1;
			if (fi >= PY_MAX_FRAMES)
				continue;
			const py_frame &f = s.frames[fi];
			ts.frames.push_back(name_or_unknown(f.file, f.file_len, f.file_kind) + ":" +
					    name_or_unknown(f.name, f.name_len, f.name_kind));
		}
		out.push_back(std::move(ts));
	}
	return out;
}

void Profile::add(const std::vector<ThreadStack> &threads)
{
	for (const ThreadStack &t : threads)
		if (!t.frames.empty())
			counts_[t.collapsed()]++;
}

void Profile::write(std::ostream &out) const
{
	for (const auto &[stack, count] : counts_)
		out << stack << ' ' << count << '\n';
}

Expected Expected::parse(std::istream &in)
{
	Expected e;
	std::string line;
	while (std::getline(in, line)) {
		if (line.empty() || line[0] == '#')
			continue;
		if (line[0] != 'T' || line.find(';') == std::string::npos)
			throw std::runtime_error("an expected stack is 'T<tid>;file:function;...', not '" +
						 line + "'");
		e.stacks_.insert(line);
	}
	if (e.stacks_.empty())
		throw std::runtime_error("the expected-stacks file names no stack");
	return e;
}

bool Expected::matches(const std::vector<ThreadStack> &threads) const
{
	std::set<std::string> seen;
	for (const ThreadStack &t : threads) {
		if (t.error || t.truncated)
			return false;
		if (!t.frames.empty())
			seen.insert(t.collapsed());
	}
	return seen == stacks_;
}

} // namespace pystack
