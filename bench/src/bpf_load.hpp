// SPDX-License-Identifier: GPL-2.0
// Loads one of the benchmark's BPF objects on its own and, when the kernel
// or libbpf refuses it, says why in their own words.
#pragma once

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <bpf/libbpf.h>

#include "skel_ptr.hpp"
#include "strf.hpp"

namespace cfur::bench {

// Gives every program of an object one log buffer while it loads: libbpf
// loads quietly, and only a program the verifier refuses is loaded again
// with the log on, into the buffer. Takes the buffer back when it goes.
class VerifierLog {
public:
	explicit VerifierLog(bpf_object *obj);
	~VerifierLog();
	VerifierLog(const VerifierLog &) = delete;
	VerifierLog &operator=(const VerifierLog &) = delete;

	// The verifier's verdict: the last line it wrote before its counts,
	// or "".
	std::string verdict() const;

private:
	bpf_object *obj_;
	std::vector<char> buf_;
};

// Keeps libbpf's first warning while it lives (an extern it cannot
// resolve, say), and libbpf quiet; restores libbpf's printer when it goes.
// libbpf has one printer per process: one at a time, from one thread.
class LibbpfWarning {
public:
	LibbpfWarning();
	~LibbpfWarning();
	LibbpfWarning(const LibbpfWarning &) = delete;
	LibbpfWarning &operator=(const LibbpfWarning &) = delete;

	// The first warning, without "libbpf: ", or "".
	const std::string &first() const { return first_; }

private:
	static int print(libbpf_print_level level, const char *fmt, va_list args);

	libbpf_print_fn_t previous_;
	std::string first_;
};

struct LoadFailure {
	int error = 0;	 // a positive errno
	std::string why; // for people
};

// Opens and loads a skeleton into skel; on failure skel is empty and the
// reason is returned.
template <typename Skel>
std::optional<LoadFailure> load_object(SkelPtr<Skel> &skel)
{
	skel.reset(Skel::open());
	if (!skel) {
		int err = errno;
		return LoadFailure{err, strf("cannot open its BPF object: %s", std::strerror(err))};
	}
	int err;
	std::string verdict, warning;
	{
		LibbpfWarning libbpf;
		VerifierLog log(skel->obj);
		err = Skel::load(skel.get());
		verdict = log.verdict();
		warning = libbpf.first();
	}
	if (err == 0)
		return std::nullopt;
	err = err < 0 ? -err : err;
	skel.reset();
	if (!verdict.empty())
		return LoadFailure{err, "the verifier refuses its program: " + verdict};
	if (!warning.empty())
		return LoadFailure{err, "libbpf cannot load it: " + warning};
	return LoadFailure{err, strf("its BPF object does not load here: %s", std::strerror(err))};
}

} // namespace cfur::bench
