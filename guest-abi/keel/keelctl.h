/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * /dev/keel: keel-kvm's device for the administrator (keelctl), in Keel's
 * control guest. read() streams Keel's log: the file position is the log's
 * sequence number (bytes ever logged), and a read at the end returns 0 until
 * more is logged. The ioctls pass Keel's own answers through
 * (guest-abi/keel/hypercall.h): KEEL_IOCTL_INFO fills a struct keel_hv_info
 * (KEEL_HC_GET_INFO); KEEL_IOCTL_VM_LIST writes up to n struct keel_vm_info to
 * vms and returns how many VMs there are (KEEL_HC_VM_LIST); KEEL_IOCTL_VM_STATS
 * writes up to n counters of VM id's vCPU index vcpu (KEEL_STATS_VM: the
 * VM's) to stats and returns how many there are (KEEL_HC_VM_STATS);
 * KEEL_IOCTL_VM_DUMP writes VM id's vCPU index vcpu's struct keel_vcpu_dump
 * to dump (KEEL_HC_VM_DUMP). Both -EINVAL when no such VM or vCPU exists.
 * KEEL_IOCTL_CPU_STATS writes up to n counters of physical CPU cpu to stats
 * and returns how many there are (KEEL_HC_CPU_STATS); -EINVAL for a CPU not
 * online. KEEL_IOCTL_SCHED gets (op KEEL_SCHED_GET) or sets (KEEL_SCHED_SET)
 * the scheduling of VM id (vcpu KEEL_SCHED_VM: its weight and cap) or of
 * its vCPU index vcpu (weight and affinity), then writes what holds to
 * sched (KEEL_HC_SCHED).
 * Opening it needs CAP_SYS_ADMIN.
 */
#ifndef KEEL_GUEST_ABI_KEELCTL_H
#define KEEL_GUEST_ABI_KEELCTL_H

#include <linux/ioctl.h>
#include "keel/hypercall.h"

#define KEEL_IOCTL_MAGIC 0xb8	/* unassigned in Linux 6.1's ioctl-number.rst */
/* What one KEEL_IOCTL_VM_LIST may ask for: KEEL_MAX_VMS, the control guest, boot-time VMs. */
#define KEEL_MAX_LISTED_VMS 256

struct keel_ioctl_vm_list {
	keel_u32 n;
	keel_u32 pad;			/* 0 */
	keel_u64 vms;			/* user address of n struct keel_vm_info */
};

_Static_assert(sizeof(struct keel_ioctl_vm_list) == 16, "keel_ioctl_vm_list size");

struct keel_ioctl_vm_stats {
	keel_u32 id;
	keel_u32 vcpu;			/* an index, or KEEL_STATS_VM */
	keel_u32 n;			/* at most KEEL_NR_VCPU_STATS is read */
	keel_u32 pad;			/* 0 */
	keel_u64 stats;			/* user address of n u64 */
};

_Static_assert(sizeof(struct keel_ioctl_vm_stats) == 24, "keel_ioctl_vm_stats size");

struct keel_ioctl_vm_dump {
	keel_u32 id;
	keel_u32 vcpu;			/* an index */
	keel_u64 dump;			/* user address of a struct keel_vcpu_dump */
};

_Static_assert(sizeof(struct keel_ioctl_vm_dump) == 16, "keel_ioctl_vm_dump size");

struct keel_ioctl_cpu_stats {
	keel_u32 cpu;
	keel_u32 n;			/* at most KEEL_NR_CPU_STATS is read */
	keel_u64 stats;			/* user address of n u64 */
};

_Static_assert(sizeof(struct keel_ioctl_cpu_stats) == 16, "keel_ioctl_cpu_stats size");

struct keel_ioctl_sched {
	keel_u32 id;
	keel_u32 vcpu;			/* an index, or KEEL_SCHED_VM */
	keel_u32 op;			/* KEEL_SCHED_GET or KEEL_SCHED_SET */
	keel_u32 pad;			/* 0 */
	struct keel_sched sched;
};

_Static_assert(sizeof(struct keel_ioctl_sched) == 88, "keel_ioctl_sched size");

#define KEEL_IOCTL_INFO _IOR(KEEL_IOCTL_MAGIC, 0, struct keel_hv_info)
#define KEEL_IOCTL_VM_LIST _IOW(KEEL_IOCTL_MAGIC, 1, struct keel_ioctl_vm_list)
#define KEEL_IOCTL_VM_STATS _IOW(KEEL_IOCTL_MAGIC, 2, struct keel_ioctl_vm_stats)
#define KEEL_IOCTL_VM_DUMP _IOW(KEEL_IOCTL_MAGIC, 3, struct keel_ioctl_vm_dump)
#define KEEL_IOCTL_CPU_STATS _IOW(KEEL_IOCTL_MAGIC, 4, struct keel_ioctl_cpu_stats)
#define KEEL_IOCTL_SCHED _IOWR(KEEL_IOCTL_MAGIC, 5, struct keel_ioctl_sched)

#endif
