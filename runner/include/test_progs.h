/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The part of tools/testing/selftests/bpf/test_progs.h that prog_tests files
 * use, backed by the thin C++ runner (runner/src) instead of test_progs.c.
 * A prog_tests file compiles unchanged against it.
 */
#ifndef CFUR_RUNNER_TEST_PROGS_H
#define CFUR_RUNNER_TEST_PROGS_H

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/param.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <linux/bpf.h>
#include <linux/compiler.h>
#include <linux/filter.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))
#endif

#include "cfur_api.h"

#define RUN_TESTS(skel)                                                       \
	({                                                                    \
		struct test_loader tester = {};                               \
                                                                              \
		test_loader__run_subtests(&tester, #skel, skel##__elf_bytes); \
		test_loader_fini(&tester);                                    \
	})

#define CFUR_CMP(actual, expected, name, op, nop)                          \
	({                                                                 \
		typeof(actual) ___act = (actual);                          \
		typeof(expected) ___exp = (expected);                      \
		cfur_assert(___act op ___exp, __func__, __LINE__, (name),  \
			    "unexpected %s: actual %lld " #nop             \
			    " expected %lld",                              \
			    (name), (long long)___act, (long long)___exp); \
	})

#define ASSERT_EQ(a, e, name) CFUR_CMP(a, e, name, ==, !=)
#define ASSERT_NEQ(a, e, name) CFUR_CMP(a, e, name, !=, ==)
#define ASSERT_LT(a, e, name) CFUR_CMP(a, e, name, <, >=)
#define ASSERT_LE(a, e, name) CFUR_CMP(a, e, name, <=, >)
#define ASSERT_GT(a, e, name) CFUR_CMP(a, e, name, >, <=)
#define ASSERT_GE(a, e, name) CFUR_CMP(a, e, name, >=, <)

#define ASSERT_TRUE(actual, name)                           \
	cfur_assert(!!(actual), __func__, __LINE__, (name), \
		    "unexpected %s: got FALSE", (name))
#define ASSERT_FALSE(actual, name)                         \
	cfur_assert(!(actual), __func__, __LINE__, (name), \
		    "unexpected %s: got TRUE", (name))

#define ASSERT_STREQ(actual, expected, name)                               \
	({                                                                 \
		const char *___act = (actual);                             \
		const char *___exp = (expected);                           \
		cfur_assert(!strcmp(___act, ___exp), __func__, __LINE__,   \
			    (name),                                        \
			    "unexpected %s: actual '%s' != expected '%s'", \
			    (name), ___act, ___exp);                       \
	})

#define ASSERT_OK(res, name)                                             \
	({                                                               \
		long long ___res = (res);                                \
		cfur_assert(___res == 0, __func__, __LINE__, (name),     \
			    "unexpected error: %lld (errno %d)", ___res, \
			    errno);                                      \
	})

#define ASSERT_ERR(res, name)                                       \
	({                                                          \
		long long ___res = (res);                           \
		cfur_assert(___res < 0, __func__, __LINE__, (name), \
			    "unexpected success: %lld", ___res);    \
	})

#define ASSERT_NULL(ptr, name)                                   \
	({                                                       \
		const void *___res = (ptr);                      \
		cfur_assert(!___res, __func__, __LINE__, (name), \
			    "unexpected pointer: %p", ___res);   \
	})

#define ASSERT_OK_PTR(ptr, name)                                     \
	({                                                           \
		const void *___res = (ptr);                          \
		int ___err = libbpf_get_error(___res);               \
		cfur_assert(___err == 0, __func__, __LINE__, (name), \
			    "unexpected error: %d", ___err);         \
	})

#define ASSERT_ERR_PTR(ptr, name)                                    \
	({                                                           \
		const void *___res = (ptr);                          \
		int ___err = libbpf_get_error(___res);               \
		cfur_assert(___err != 0, __func__, __LINE__, (name), \
			    "unexpected pointer: %p", ___res);       \
	})

#define ASSERT_HAS_SUBSTR(str, substr, name)                                  \
	({                                                                    \
		const char *___str = (str);                                   \
		const char *___substr = (substr);                             \
		cfur_assert(strstr(___str, ___substr) != NULL, __func__,      \
			    __LINE__, (name),                                 \
			    "unexpected %s: '%s' is not a substring of '%s'", \
			    (name), ___substr, ___str);                       \
	})

#define ASSERT_OK_FD(fd, name)                                             \
	({                                                                 \
		int ___fd = (fd);                                          \
		cfur_assert(___fd >= 0, __func__, __LINE__, (name),        \
			    "unexpected fd: %d (errno %d)", ___fd, errno); \
	})

#endif /* CFUR_RUNNER_TEST_PROGS_H */
