/* SPDX-License-Identifier: GPL-2.0 */
/* Exit handling written once for VMX and SVM. */
#ifndef KEEL_X86_EXIT_H
#define KEEL_X86_EXIT_H

#include "arch/x86/virt/virt.h"
#include "kernel/arch.h"

enum vcpu_action handle_exit(struct vcpu *v, struct vm_exit *e);
/* The CPUID a guest sees for (@leaf, @subleaf). */
void cpuid_policy(u32 leaf, u32 subleaf, u32 out[4]);

#endif
