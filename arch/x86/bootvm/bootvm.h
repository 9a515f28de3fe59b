/* SPDX-License-Identifier: GPL-2.0 */
/* Boot-time VMs from GRUB modules (docs/boot-vms.md). */
#ifndef KEEL_BOOTVM_H
#define KEEL_BOOTVM_H

#include "kernel/sched_policy.h"
#include "kernel/types.h"

struct boot_info;

#define BOOTVM_MAX_MEM_MIB 3072	/* RAM stays below the device range at 3-4 GiB, as on a PC */
#define BOOTVM_MAX_CPUS 16

struct bootvm_spec {
	char name[16];
	u64 mem_mib;
	unsigned int cpus;
	u32 weight;				/* kernel/sched_policy.h */
	u32 cap;
	u64 affinity[SCHED_AFFINITY_WORDS];	/* of every vCPU */
};

/*
 * Parses a module string "keel.vm=NAME mem=MiB cpus=N weight=W cap=PERCENT
 * affinity=LIST" (LIST: CPU numbers and ranges, "0,2-3"). 1 if it names a
 * boot-time VM, 0 if it is not one, -EINVAL with *why set if malformed.
 */
int bootvm_parse(const char *cmdline, struct bootvm_spec *spec, const char **why);
/* Creates and starts the VMs the modules describe; returns how many started. */
unsigned int bootvm_start_all(const struct boot_info *bi, bool exit_when_idle);

#endif
