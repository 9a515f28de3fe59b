/* SPDX-License-Identifier: GPL-2.0 */
/* Keel's command line (README.md, "Command line", lists the options). */
#ifndef KEEL_CMDLINE_H
#define KEEL_CMDLINE_H

#include "kernel/printk.h"
#include "kernel/sched_policy.h"
#include "kernel/types.h"

#define CMDLINE_MAX_ERRORS 8
#define CMDLINE_TEST_LEN 128

struct keel_options {
	struct console_config console;
	u64 reserve;			/* bytes; 0 = default */
	char test[CMDLINE_TEST_LEN];	/* keel.test= list, "" if none */
	bool exit_when_idle;
	unsigned int control_cpus;	/* keel.control_cpus=; 0 = one per CPU */
	u64 vm_cpus[SCHED_AFFINITY_WORDS];	/* keel.vm_cpus=: where /dev/kvm vCPUs may run (default all) */
	bool control_crash_halt;	/* keel.on_control_crash=halt (default: reset) */
};

struct cmdline_errors {
	unsigned int nr;		/* problems found (may exceed what msg holds) */
	char msg[CMDLINE_MAX_ERRORS][96];
};

void cmdline_defaults(struct keel_options *o);
/*
 * Parses @cmdline into @o (which holds the defaults). A leading word that
 * starts with '/' is the loader's kernel path and is skipped. Unknown
 * options and bad values are reported in @err and otherwise ignored.
 */
void cmdline_parse(const char *cmdline, struct keel_options *o, struct cmdline_errors *err);
/* Parses "123", "0x7b", with an optional K, M or G suffix; -EINVAL if malformed or overflowing. */
int parse_size(const char *s, size_t len, u64 *out);
/* "0,2-3": comma-separated CPU numbers and ranges into @mask (SCHED_AFFINITY_WORDS); -EINVAL if malformed. */
int parse_cpu_list(const char *s, size_t len, u64 *mask);
/* True if @name is in the comma-separated @list (or the list is "all"). */
bool list_has(const char *list, const char *name);

#endif
