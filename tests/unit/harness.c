// SPDX-License-Identifier: GPL-2.0
#include "test.h"

int test_failed_checks;

int test_run(const char *suite, const struct test_case *cases, size_t n)
{
	size_t passed = 0, failed = 0;

	for (size_t i = 0; i < n; i++) {
		int before = test_failed_checks;

		cases[i].fn();
		if (test_failed_checks == before) {
			passed++;
		} else {
			failed++;
			fprintf(stderr, "%s: FAIL %s\n", suite, cases[i].name);
		}
	}
	printf("%s: %zu passed, %zu failed\n", suite, passed, failed);
	return failed ? 1 : 0;
}
