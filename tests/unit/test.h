/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal host unit-test harness. Each test file defines its cases with
 * TEST(name) and lists them in a TEST_MAIN(...) at the bottom. The runner
 * prints one line per failed check and ends with "N passed, N failed".
 */
#ifndef KEEL_TEST_H
#define KEEL_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern int test_failed_checks;

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #cond);                          \
			test_failed_checks++;                              \
		}                                                          \
	} while (0)

#define CHECK_EQ(a, b)                                                     \
	do {                                                               \
		long long _a = (long long)(a), _b = (long long)(b);        \
		if (_a != _b) {                                            \
			fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", \
				__FILE__, __LINE__, #a, #b, _a, _b);       \
			test_failed_checks++;                              \
		}                                                          \
	} while (0)

#define TEST(name) static void name(void)

struct test_case {
	const char *name;
	void (*fn)(void);
};

#define T(name) { #name, name }

int test_run(const char *suite, const struct test_case *cases, size_t n);

#define TEST_MAIN(suite, ...)                                              \
	int main(void)                                                     \
	{                                                                  \
		static const struct test_case cases[] = { __VA_ARGS__ };   \
		return test_run(suite, cases, sizeof(cases) / sizeof(cases[0])); \
	}

#endif
