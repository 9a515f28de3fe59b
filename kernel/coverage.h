/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Keel's own line coverage (make coverage-keel, README.md): a
 * COVERAGE=1 build counts, and the machine's end sends the counts out.
 */
#ifndef KEEL_COVERAGE_H
#define KEEL_COVERAGE_H

#ifdef KEEL_COVERAGE
/* Sends every object's counters out (kernel/coverage/gcov.c); the first call only. */
void coverage_dump(void);
#else
static inline void coverage_dump(void)
{
}
#endif

#endif
