/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a test reports to the thin runner, and the runner does for it:
 * subtests, skips, failures, assertions and RUN_TESTS, with the names
 * test_progs gives them. test_progs.h builds the ASSERT_* family on top;
 * the runner's back end (runner/src) implements these.
 */
#ifndef CFUR_RUNNER_API_H
#define CFUR_RUNNER_API_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

bool test__start_subtest(const char *name);
void test__end_subtest(void);
void test__skip(void);
void test__fail(void);

/* Records one assertion; prints a FAIL line like test_progs if !ok. */
bool cfur_assert(bool ok, const char *func, int line, const char *name,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* RUN_TESTS: verifier tests annotated with __success, __failure, __msg. */
struct bpf_object;

struct test_loader {
	char *log_buf;
	size_t log_buf_sz;
	void *pre_execution_cb;
	struct bpf_object *obj;
};

typedef const void *(*skel_elf_bytes_fn)(size_t *sz);

void test_loader__run_subtests(struct test_loader *tester,
			       const char *skel_name,
			       skel_elf_bytes_fn elf_bytes_factory);
void test_loader_fini(struct test_loader *tester);

/* prog_tests/verifier.c's RUN(): RUN_TESTS without CAP_SYS_ADMIN, as
 * test_verifier runs its cases.
 */
void cfur_run_verifier_tests(const char *skel_name,
			     skel_elf_bytes_fn elf_bytes_factory);

#ifdef __cplusplus
}
#endif

#endif /* CFUR_RUNNER_API_H */
