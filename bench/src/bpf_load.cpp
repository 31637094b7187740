// SPDX-License-Identifier: GPL-2.0
#include "bpf_load.hpp"

#include <cstdarg>
#include <cstdio>
#include <string_view>

namespace cfur::bench {

namespace {

// A refusal's log at level 1 is the path to the refusal, a few thousand
// lines at most for these programs; 6.1 keeps a log's head, not its tail,
// so the buffer must hold it all for the verdict to be there.
constexpr std::size_t kLogSize = 4 << 20;

LibbpfWarning *catcher = nullptr;

} // namespace

VerifierLog::VerifierLog(bpf_object *obj) : obj_(obj), buf_(kLogSize)
{
	bpf_program *prog;
	bpf_object__for_each_program(prog, obj_)
		bpf_program__set_log_buf(prog, buf_.data(), buf_.size());
}

VerifierLog::~VerifierLog()
{
	bpf_program *prog;
	bpf_object__for_each_program(prog, obj_)
		bpf_program__set_log_buf(prog, nullptr, 0);
}

std::string VerifierLog::verdict() const
{
	std::string_view log(buf_.data(), strnlen(buf_.data(), buf_.size()));
	std::string_view verdict;
	while (!log.empty()) {
		std::size_t nl = log.find('\n');
		std::string_view line = log.substr(0, nl);
		log.remove_prefix(nl == std::string_view::npos ? log.size() : nl + 1);
		// Newer kernels end every log with counts, the refusal before them.
		if (line.empty() || line.starts_with("processed ") ||
		    line.starts_with("verification time "))
			continue;
		verdict = line;
	}
	return std::string(verdict);
}

LibbpfWarning::LibbpfWarning() : previous_(libbpf_set_print(print))
{
	catcher = this;
}

LibbpfWarning::~LibbpfWarning()
{
	catcher = nullptr;
	libbpf_set_print(previous_);
}

int LibbpfWarning::print(libbpf_print_level level, const char *fmt, va_list args)
{
	if (level != LIBBPF_WARN || !catcher || !catcher->first_.empty())
		return 0;
	char line[512];
	std::vsnprintf(line, sizeof(line), fmt, args);
	std::string_view text(line);
	if (text.starts_with("libbpf: "))
		text.remove_prefix(8);
	while (!text.empty() && text.back() == '\n')
		text.remove_suffix(1);
	catcher->first_ = text;
	return 0;
}

} // namespace cfur::bench
