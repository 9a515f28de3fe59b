/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What x86 adds to the arch-neutral struct vm and struct vcpu (kernel/vm.h):
 * a vCPU's registers, the event to inject, its interrupt controller and the
 * state Keel switches by hand; a VM's I/O bitmap, translation tag and
 * interrupt wiring. The run loop and exit handlers in arch/x86/virt/ own
 * them; kernel/ only embeds them.
 */
#ifndef KEEL_ASM_VM_H
#define KEEL_ASM_VM_H

#include "arch/x86/virt/decode.h"
#include "arch/x86/virt/emulate.h"
#include "arch/x86/virt/pvclock.h"
#include "arch/x86/virt/virt.h"
#include "keel/hypercall.h"
#include "kernel/spinlock.h"
#include "kernel/types.h"

struct irqchip;
struct vmm_platform;
struct irqchip_platform;
struct msr_filter;

/* A /dev/kvm VM's time (arch/x86/virt/kvmclock.c), under its lock. */
struct vm_clock {
	struct spinlock lock;		/* taken with interrupts off, inside vm->lock */
	u64 base_tsc, base_ns;		/* kvmclock was base_ns at host TSC base_tsc */
	struct pvclock_scale scale;	/* host TSC ticks to ns, once for the VM's life */
	u64 wall_ns;			/* the wall clock at kvmclock 0 */
	u64 wall_msr;			/* MSR_KVM_WALL_CLOCK_NEW */
	u64 tsc_offset;			/* the offset of the last unsynchronized IA32_TSC write */
	u64 tsc_generation;		/* such writes so far */
	u64 tsc_written, tsc_written_at;	/* the last write's value and host TSC */
};

struct vm_arch {
	void *io_bitmap;		/* SVM's IOPM or VMX's bitmaps A and B (arch/x86/virt/virt_vm.c) */
	u32 asid;			/* SVM ASID or VMX VPID: the tag of its cached translations */
	const struct irqchip_platform *irq_platform;	/* the APICs' link to the machine, or NULL */
	struct vm_clock clock;
	bool lapic_in_kernel;		/* KEEL_IRQCHIP_SPLIT or _FULL (/dev/kvm VMs) */
	struct vmm_platform *platform;	/* KEEL_IRQCHIP_FULL: PIC, I/O APIC, PIT (vmm_platform.c) */
	u64 eoi_exits[4];		/* vectors whose EOI exits to the VMM (KEEL_IRQCHIP_EOI_EXITS) */
	bool platform_info_hidden;	/* KEEL_CAP_PLATFORM_INFO 0: a guest's RDMSR of it #GP */
	u64 quirks_off;			/* KEEL_QUIRK_* the VMM turned off (KEEL_CAP_QUIRKS) */
	u8 user_msr;			/* KEEL_MSR_EXIT_*: refused RDMSR/WRMSR go to the VMM */
	struct msr_filter *msr_filter;	/* KEEL_HC_MSR_FILTER's, or NULL: all allowed ... */
	struct spinlock msr_filter_lock;	/* ... replaced under this */
	u64 msr_bitmap;			/* the VM's own MSR bitmap (SVM MSRPM), or 0: Keel's */
};

/* MSRs KVM keeps in software for its guests (arch/x86/virt/vmm_msr.c). */
#define VMM_MCE_BANKS 10		/* QEMU's default bank count */
struct vmm_msrs {
	u64 mtrr_def, mtrr_fixed[11], mtrr_var[16];
	u64 mcg_status, mcg_ctl, mce_banks[4 * VMM_MCE_BANKS];
	u64 misc_enable, ucode_rev, power_ctl;
};

/*
 * A /dev/kvm vCPU's exchange with its VMM (arch/x86/virt/vmm_exit.c): a read
 * the VMM answers is carried out again with the answer when the vCPU runs
 * next; an OUT's instruction is completed then (as KVM completes it).
 */
struct vmm_io {
	bool exit;		/* this exit goes to the VMM: vcpu->run says why */
	u8 waiting;		/* VMM_PIO, _MMIO or _MSR: an instruction waits for the VMM's answer */
	u8 answered;		/* ... the kind of read the data in @data answers */
	u8 size;
	u16 count;		/* elements the read asked for: more than one for an INS */
	u16 read_ahead;		/* elements the next PIO read may ask for (exit.c sets it for an INS) */
	u16 ahead_pos;		/* a PIO answer's bytes of @ahead used so far */
	u64 addr, data;
	u8 ahead[KEEL_PIO_MAX];	/* a PIO answer: @count elements, as KVM's read-ahead */
	u64 skip_rip;		/* an OUT or IN at this RIP ... */
	u8 skip_len;		/* ... of this length completes at the next run */
	bool in_pending;	/* ... an IN, with the VMM's data (KVM's complete_fast_pio_in) */
	bool msr_write;		/* VMM_MSR: the exit was a WRMSR's */
	struct x86_insn insn;		/* the instruction a waiting MMIO read belongs to ... */
	u64 insn_rip;			/* ... decoded at this RIP ... */
	u64 insn_gpa;			/* ... whose access exited here ... */
	bool insn_saved;		/* ... if one is saved */
	struct keel_cpuid_entry *cpuid;	/* KVM_SET_CPUID2's table ... */
	u32 nr_cpuid;			/* ... and its length */
	bool want_window;	/* KEEL_REQ_IRQ_WINDOW */
	bool irq_pending;	/* KVM_INTERRUPT's vector ... */
	u8 irq;			/* ... injected at the next entry */
	u8 mp_state;		/* KEEL_MP_*: what it waits for (in-kernel LAPIC only) */
	struct vmm_msrs msrs;
	u64 platform_info;	/* MSR_PLATFORM_INFO as the VMM set it */
	bool enforce_pv;	/* KEEL_CAP_ENFORCE_PV_CPUID */
	bool eoi_exit;		/* the guest EOI'd eoi_vector, which the VMM's I/O APIC wants to see */
	u8 eoi_vector;
};

/*
 * The guest-physical pages the last page walks read tables from, and where
 * they are: a walk of the same tables again reads no second-level table.
 * Valid while the VM's translation generation is @gen (any change of its
 * second-level table bumps it).
 */
#define WALK_CACHE_SIZE 4

struct walk_cache {
	u64 gen;
	u64 page[WALK_CACHE_SIZE];
	u8 *hva[WALK_CACHE_SIZE];
	unsigned int next;
};

struct vcpu_arch {
	struct x86_regs regs;	/* RSP is synced with the VMCS/VMCB by the backend */
	struct x86_event event;	/* injected at the next entry */
	void *hw;		/* the backend's per-vCPU state */
	bool window;		/* an interrupt-window exit is requested */
	bool nmi_pending;	/* one NMI waits; more collapse into it (SDM Vol. 3A 6.7.1) */
	bool nmi_window;	/* an NMI-window exit is requested */
	u64 irq_injections, nmi_injections;	/* KEEL_STAT_*_INJECTIONS */
	unsigned int last_cpu;	/* physical CPU of the previous entry */
	u64 flush_gen;		/* vm->gpa_gen this vCPU's TLB entries reflect */
	u64 tsc_aux;
	u64 tsc_offset;			/* guest TSC = host TSC + this (0 but for /dev/kvm vCPUs) */
	u64 tsc_adjust;			/* IA32_TSC_ADJUST (/dev/kvm vCPUs) */
	u64 system_time;		/* MSR_KVM_SYSTEM_TIME_NEW */
	bool clock_stale;		/* its kvmclock page is to be rewritten before it runs */
	bool clock_stopped;		/* that rewrite sets PVCLOCK_GUEST_STOPPED (KVM_KVMCLOCK_CTRL) */
	u64 steal_msr;			/* MSR_KVM_STEAL_TIME */
	u64 steal_last;			/* the steal (run_delay and queue waits) its record last counted */
	u8 *xsave;			/* its x87/SSE/AVX image (virt/xstate.h) while another vCPU has the CPU */
	u64 xcr0;			/* likewise */
	u64 dr[4];			/* DR0-DR3, likewise: neither VMRUN nor VM entry switches them */
	u64 dr6;			/* likewise on VMX (SVM's is in the VMCB) */
	struct irqchip *irqchip;	/* its vLAPIC, ExtINT line and delayed device events */
	struct vmm_io vmm;		/* /dev/kvm vCPUs only */
	struct walk_cache walk_cache;
};

#endif
