/* SPDX-License-Identifier: GPL-2.0 */
/*
 * In-hypervisor selftests, run by keel.test=NAME[,NAME...]|all. Each returns
 * 0, SELFTEST_SKIP when the machine cannot run it (said on the console), or a
 * negative errno, and may print why it failed.
 */
#ifndef KEEL_SELFTEST_H
#define KEEL_SELFTEST_H

#include "kernel/types.h"

#define SELFTEST_SKIP 1

struct selftest {
	const char *name;
	int (*fn)(void);
	bool named_only;	/* not part of "all": it ends the machine (panic tests) */
};

#define SELFTEST_DEFINE(n, only)                                                \
	static int selftest_##n(void);                                          \
	static const struct selftest selftest_desc_##n                          \
		__attribute__((section(".selftests"), used, aligned(8))) = {    \
		#n, selftest_##n, only                                          \
	};                                                                      \
	static int selftest_##n(void)

#define SELFTEST(n) SELFTEST_DEFINE(n, false)
#define SELFTEST_NAMED_ONLY(n) SELFTEST_DEFINE(n, true)

/* Runs the selected selftests, prints "keel: selftests: N passed, N failed, N skipped", returns the failure count. */
unsigned int selftests_run(const char *list);

#endif
