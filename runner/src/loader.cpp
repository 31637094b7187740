// SPDX-License-Identifier: GPL-2.0
// RUN_TESTS for the thin runner: loads each annotated program of a skeleton's
// object on its own and checks the verifier's verdict and log.
#include <cstdio>
#include <string>
#include <vector>

#include <linux/capability.h>
#include <linux/types.h>

#include <bpf/btf.h>

#include "annotations.hpp"
#include "bpf_raii.hpp"
#include "cfur_api.h"
#include "report.hpp"

// tools/testing/selftests/bpf/cap_helpers.c, linked in.
extern "C" int cap_enable_effective(__u64 caps, __u64 *old_caps);
extern "C" int cap_disable_effective(__u64 caps, __u64 *old_caps);

namespace cfur {

namespace {

constexpr std::size_t kLogSize = 16 * 1024 * 1024;

BpfObject open_object(const void *bytes, std::size_t size, const char *name)
{
	bpf_object_open_opts opts{};
	opts.sz = sizeof(opts);
	opts.object_name = name;
	return BpfObject(bpf_object__open_mem(bytes, size, &opts));
}

// The "comment:..." decl tags attached to the function named func.
std::vector<std::string> decl_tags(const btf *b, const char *func)
{
	std::vector<std::string> tags;
	int func_id = btf__find_by_name_kind(b, func, BTF_KIND_FUNC);
	if (func_id < 0)
		return tags;
	for (unsigned int id = 1; id < btf__type_cnt(b); id++) {
		const btf_type *t = btf__type_by_id(b, id);
		if (!btf_is_decl_tag(t) || t->type != static_cast<unsigned int>(func_id) ||
		    btf_decl_tag(t)->component_idx != -1)
			continue;
		tags.emplace_back(btf__name_by_offset(b, t->name_off));
	}
	return tags;
}

void run_one(const void *bytes, std::size_t size, const char *skel, const std::string &prog_name,
	     const Expectations &e, std::vector<char> &log)
{
	if (!e.unsupported.empty()) {
		cfur_assert(false, "RUN_TESTS", 0, prog_name.c_str(),
			    "annotation not supported by the thin runner: %s",
			    e.unsupported.front().c_str());
		return;
	}
	BpfObject obj = open_object(bytes, size, skel);
	if (!cfur_assert(obj != nullptr, "RUN_TESTS", 0, "open object", "cannot open %s", skel))
		return;
	bpf_program *prog;
	bpf_object__for_each_program(prog, obj.get()) {
		bool mine = prog_name == bpf_program__name(prog);
		bpf_program__set_autoload(prog, mine);
		if (mine) {
			log[0] = 0;
			bpf_program__set_log_buf(prog, log.data(), log.size());
			bpf_program__set_log_level(prog, 1);
		}
	}
	// Expected rejections would make libbpf print warnings; the verifier
	// log is captured above and shown when a case fails.
	auto old_print = libbpf_set_print(nullptr);
	int err = bpf_object__load(obj.get());
	libbpf_set_print(old_print);
	std::string_view text(log.data());
	bool ok;
	if (e.expect_failure)
		ok = cfur_assert(err != 0, "RUN_TESTS", 0, prog_name.c_str(),
				 "expected the verifier to reject %s, it accepted it",
				 prog_name.c_str());
	else
		ok = cfur_assert(err == 0, "RUN_TESTS", 0, prog_name.c_str(),
				 "expected the verifier to accept %s: error %d", prog_name.c_str(),
				 err);
	if (auto missing = first_missing_message(text, e.messages)) {
		ok = cfur_assert(false, "RUN_TESTS", 0, prog_name.c_str(),
				 "expected message not in the verifier log: '%s'", missing->c_str());
	}
	if (!ok) {
		auto tail = text.size() > 2000 ? text.substr(text.size() - 2000) : text;
		std::printf("  verifier log (tail):\n%.*s\n", static_cast<int>(tail.size()),
			    tail.data());
	}
}

} // namespace

} // namespace cfur

extern "C" void test_loader__run_subtests(struct test_loader *, const char *skel_name,
					  skel_elf_bytes_fn elf_bytes_factory)
{
	std::size_t size = 0;
	const void *bytes = elf_bytes_factory(&size);
	cfur::BpfObject obj = cfur::open_object(bytes, size, skel_name);
	if (!cfur_assert(obj != nullptr, "RUN_TESTS", 0, "open object", "cannot open %s", skel_name))
		return;
	const btf *b = bpf_object__btf(obj.get());
	std::vector<char> log(cfur::kLogSize);

	bpf_program *prog;
	bpf_object__for_each_program(prog, obj.get()) {
		std::string name = bpf_program__name(prog);
		auto e = cfur::parse_annotations(cfur::decl_tags(b, name.c_str()));
		const std::string &sub = e.description.empty() ? name : e.description;
		if (test__start_subtest(sub.c_str()))
			cfur::run_one(bytes, size, skel_name, name, e, log);
	}
	test__end_subtest();
}

extern "C" void test_loader_fini(struct test_loader *) {}

// As run_tests_aux() in prog_tests/verifier.c.
extern "C" void cfur_run_verifier_tests(const char *skel_name, skel_elf_bytes_fn elf_bytes_factory)
{
	constexpr __u64 kSysAdmin = 1ULL << CAP_SYS_ADMIN;
	__u64 old_caps = 0;
	if (int err = cap_disable_effective(kSysAdmin, &old_caps)) {
		cfur_assert(false, __func__, __LINE__, "drop CAP_SYS_ADMIN", "error %d", err);
		return;
	}
	struct test_loader tester = {};
	test_loader__run_subtests(&tester, skel_name, elf_bytes_factory);
	test_loader_fini(&tester);
	if (int err = cap_enable_effective(old_caps, nullptr))
		cfur_assert(false, __func__, __LINE__, "restore CAP_SYS_ADMIN", "error %d", err);
}
