/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hypercall dispatch for Keel's guest ABI (guest-abi/keel/hypercall.h),
 * arch-neutral: the arch's exit handler gathers the call into a struct
 * hypercall and writes the result to the caller's RAX.
 */
#ifndef KEEL_HYPERCALL_H
#define KEEL_HYPERCALL_H

#include "kernel/types.h"

struct keel_hv_info;
struct vcpu;
struct vm;

struct hypercall {
	struct vm *vm;		/* the caller's VM */
	struct vcpu *vcpu;	/* the calling vCPU */
	unsigned int cpl;	/* the caller's privilege level */
	u64 nr;			/* RAX */
	u64 arg[4];		/* RBX, RCX, RDX, RSI */
};

/* The caller's new RAX: >= 0, or a negative errno. */
s64 hypercall_dispatch(const struct hypercall *hc);
/* Fills the facts KEEL_HC_GET_INFO reports (CPU, timer, memory), all but abi_version and size. */
void hv_info_fill(struct keel_hv_info *info);

#endif
