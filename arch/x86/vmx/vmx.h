/* SPDX-License-Identifier: GPL-2.0 */
/* What vmx.c (the ops) and vmx_setup.c (capabilities, VMXON, constant VMCS fields) share. */
#ifndef KEEL_X86_VMX_VMX_H
#define KEEL_X86_VMX_VMX_H

#include "arch/x86/vmx/vmcs.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/vm.h"

/* What every CPU runs guests with, from the capability MSRs (appendix A). */
struct vmx_caps {
	u32 revision;
	u32 pin, cpu, cpu2, exit, entry;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	u64 cr0_mask, cr4_mask;		/* bits the guest does not own (setup_fixed_bits) */
	u32 preempt_ticks;		/* one scheduler slice in VMX-preemption timer ticks */
	bool true_ctls, inout_info, invept_single;
};

extern struct vmx_caps vmx_caps;

static inline u64 vmcs_read(u32 field)
{
	u64 val = 0;

	if (!vmread(field, &val))
		pr_err("keel: vmx: VMREAD of field %#x failed\n", field);
	return val;
}

static inline void vmcs_write(u32 field, u64 val)
{
	if (!vmwrite(field, val))
		pr_err("keel: vmx: VMWRITE of field %#x (%#llx) failed\n", field,
		       (unsigned long long)val);
}

/* A VM whose writes the CPU logs has EPT's accessed and dirty flags, which PML needs (29.3.6). */
static inline u64 vmx_eptp(struct vm *vm)
{
	return vm->gpt.root | EPTP_WB | EPTP_WALK4 | (vm->write_log ? EPTP_AD : 0);
}

int vmx_cpu_enable(void);
/* Controls and guest fields no op changes, written once per VMCS. */
void vmx_write_controls(struct vcpu *v, u64 vapic_pa);
u64 vmx_msr_bitmap(const struct msr_filter *f);
void vmx_write_msr_bitmap(u64 bitmap);
void vmx_write_host_constants(void);
void vmx_write_host_state(struct percpu *pc);

#endif
