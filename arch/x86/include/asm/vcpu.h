/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What an x86 vCPU adds to the arch-neutral struct vcpu (kernel/vm.h): its
 * registers, the event to inject, its interrupt controller and the state
 * Keel switches by hand. The run loop and exit handlers in arch/x86/virt/
 * own it; kernel/ only embeds it.
 */
#ifndef KEEL_ASM_VCPU_H
#define KEEL_ASM_VCPU_H

#include "arch/x86/emulate.h"
#include "arch/x86/virt.h"
#include "kernel/types.h"

struct irqchip;

struct vcpu_arch {
	struct x86_regs regs;	/* RSP is synced with the VMCS/VMCB by the backend */
	struct x86_event event;	/* injected at the next entry */
	void *hw;		/* the backend's per-vCPU state */
	bool window;		/* an interrupt-window exit is requested */
	bool nmi_pending;	/* one NMI waits; more collapse into it (SDM Vol. 3A 6.7.1) */
	bool nmi_window;	/* an NMI-window exit is requested */
	unsigned int last_cpu;	/* physical CPU of the previous entry */
	u64 flush_gen;		/* vm->gpa_gen this vCPU's TLB entries reflect */
	u64 tsc_aux;
	u8 fxsave[512] __aligned(16);	/* x87/SSE state while another vCPU has the CPU */
	u64 dr[4];			/* DR0-DR3, likewise: neither VMRUN nor VM entry switches them */
	struct irqchip *irqchip;	/* its vLAPIC, ExtINT line and delayed device events */
};

#endif
