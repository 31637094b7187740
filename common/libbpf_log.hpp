// SPDX-License-Identifier: GPL-2.0
// libbpf's messages above debug level, kept for the error that follows a
// failed load (the verifier's verdict is at their end). libbpf has one
// printer per process: libbpf_set_print(cfur::keep_libbpf_message).
#pragma once

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>
#include <string>

namespace cfur {

inline std::string &libbpf_messages()
{
	static std::string text;
	return text;
}

inline int keep_libbpf_message(libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	char buf[1024];
	int n = std::vsnprintf(buf, sizeof(buf), fmt, ap);
	libbpf_messages() += buf;
	return n;
}

} // namespace cfur
