/* SPDX-License-Identifier: GPL-2.0 */
/*
 * In-hypervisor selftests, run by keel.test=NAME[,NAME...]|all. Each returns
 * 0 or a negative errno and may print why it failed.
 */
#ifndef KEEL_SELFTEST_H
#define KEEL_SELFTEST_H

struct selftest {
	const char *name;
	int (*fn)(void);
};

#define SELFTEST(n)                                                             \
	static int selftest_##n(void);                                          \
	static const struct selftest selftest_desc_##n                          \
		__attribute__((section(".selftests"), used, aligned(8))) = {    \
		#n, selftest_##n                                                \
	};                                                                      \
	static int selftest_##n(void)

/* Runs the selected selftests, prints "keel: selftests: N passed, N failed", returns the failure count. */
unsigned int selftests_run(const char *list);

#endif
