/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One interface over VMX and SVM (shaped after bhyve's vmm_ops): the backend
 * is chosen once at boot; both translate a hardware exit into one
 * vendor-neutral struct vm_exit that the shared handlers in arch/x86/virt/exit.c
 * act on.
 */
#ifndef KEEL_X86_VIRT_H
#define KEEL_X86_VIRT_H

#include "kernel/pagetable.h"
#include "kernel/types.h"

struct vm;
struct vcpu;
struct msr_filter;

enum gpr {
	GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RSP, GPR_RBP, GPR_RSI, GPR_RDI,
	GPR_R8, GPR_R9, GPR_R10, GPR_R11, GPR_R12, GPR_R13, GPR_R14, GPR_R15,
	NR_GPRS
};

enum seg_reg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR, NR_SEGS };

/* A segment as struct kvm_segment describes it. */
struct segment {
	u64 base;
	u32 limit;
	u16 selector;
	u8 type, present, dpl, db, s, l, g, avl, unusable;
};

struct dtable {
	u64 base;
	u16 limit;
};

enum exit_kind {
	EXIT_NONE,		/* handled by the backend (or spurious): enter again */
	EXIT_EXTINT,		/* a host interrupt; taken once interrupts are on again */
	EXIT_NMI,
	EXIT_CPUID,
	EXIT_IO,
	EXIT_MSR_READ,
	EXIT_MSR_WRITE,
	EXIT_HLT,
	EXIT_HYPERCALL,
	EXIT_NPF,		/* EPT violation / nested page fault */
	EXIT_EXCEPTION,
	EXIT_INTR_WINDOW,
	EXIT_NMI_WINDOW,
	EXIT_HIDDEN_INSN,	/* an instruction of a feature hidden from guests: #UD (exit.c) */
	EXIT_MWAIT,		/* MONITOR or MWAIT: #UD, or a NOP for /dev/kvm guests (exit.c) */
	EXIT_XSETBV,
	EXIT_CR_WRITE,		/* MOV to CR0/CR4 (virt_ops.write_cr) or CR8 the backend intercepts */
	EXIT_SKIP,		/* an instruction completed by doing nothing (INVD, WBINVD) */
	EXIT_TRIPLE_FAULT,
	EXIT_ENTRY_FAILURE,
	EXIT_UNHANDLED,		/* a hardware exit Keel does not handle: raw_reason says which */
	NR_EXIT_KINDS
};

struct vm_exit {
	enum exit_kind kind;
	u32 raw_reason;		/* VMX basic exit reason or SVM exit code */
	u32 insn_len;		/* length of the exiting instruction, 0 if unknown */
	u64 qual;		/* raw qualification / EXITINFO1, for reports */
	union {
		struct {
			u16 port;
			u8 size;	/* 1, 2 or 4 */
			u8 addr_size;	/* 2, 4 or 8, string forms */
			u8 seg;		/* enum seg_reg of the source, string OUTs */
			bool in, string, rep;
		} io;
		struct {
			u64 gpa;
			bool write, fetch, present;
		} npf;
		struct {
			u8 vector;
			bool has_error;
			u32 error_code;
		} exception;
		struct {
			u8 cr;		/* 0, 4 or 8 */
			u8 gpr;		/* enum gpr of the source, or CR_GPR_UNKNOWN */
		} cr;
	};
};

/* An intercepted MOV to CR8 without decode assists: exit.c reads the instruction. */
#define CR_GPR_UNKNOWN 0xff

enum event_type { EVENT_EXTINT, EVENT_NMI, EVENT_EXCEPTION, EVENT_SOFT_INT };

/* An interrupt shadow: after MOV SS/POP SS, or after STI (KVM's KVM_X86_SHADOW_INT_* values). */
#define SHADOW_MOV_SS 1
#define SHADOW_STI 2

struct x86_event {
	bool valid;
	u8 type;		/* enum event_type */
	u8 vector;
	bool has_error;
	u32 error_code;
};

struct virt_ops {
	const char *name;
	const struct pt_format *gpt_format;	/* EPT or NPT entries */
	u8 hypercall_insn[3];			/* VMCALL or VMMCALL: the one that exits here */
	int (*cpu_enable)(void);
	int (*vm_init)(struct vm *vm);
	void (*vm_free)(struct vm *vm);
	/* Ports [@port, @port+@count) exit (@on) or reach the hardware (the control guest's). */
	void (*io_intercept)(struct vm *vm, u16 port, u32 count, bool on);
	int (*vcpu_init)(struct vcpu *v);
	void (*vcpu_free)(struct vcpu *v);
	/* Make @v current on this CPU (VMPTRLD) / release it (VMCLEAR) so it may move. */
	void (*vcpu_load)(struct vcpu *v);
	void (*vcpu_put)(struct vcpu *v);
	/* Enters the guest with v->arch's GPRs, RIP, RFLAGS and event; returns on exit. */
	void (*run)(struct vcpu *v, struct vm_exit *exit);
	void (*get_segment)(struct vcpu *v, enum seg_reg seg, struct segment *s);
	/*
	 * The CPL (SS.DPL) and whether the guest runs 64-bit code (EFER.LMA and
	 * CS.L), read straight from the VMCB/VMCS: hypercalls need both on every
	 * call (KVM's get_cpl and is_64_bit_mode).
	 */
	unsigned int (*get_cpl)(struct vcpu *v);
	bool (*in_64bit_mode)(struct vcpu *v);
	void (*set_segment)(struct vcpu *v, enum seg_reg seg, const struct segment *s);
	u64 (*get_cr)(struct vcpu *v, int cr);	/* 0, 2, 3, 4, 8 as the guest sees them */
	void (*set_cr)(struct vcpu *v, int cr, u64 val);
	/* MOV to CR0/CR4 with the CPU's checks (EXIT_CR_WRITE); -EINVAL: #GP(0). NULL on SVM. */
	int (*write_cr)(struct vcpu *v, int cr, u64 val);
	u64 (*get_efer)(struct vcpu *v);
	void (*set_efer)(struct vcpu *v, u64 efer);
	void (*get_dtable)(struct vcpu *v, bool idt, struct dtable *d);
	void (*set_dtable)(struct vcpu *v, bool idt, const struct dtable *d);
	/*
	 * A fresh MSR bitmap of 2^msr_bitmap_order pages for a VM with filter @f
	 * (msr_filter.c): Keel's, with each passed-through MSR access @f denies
	 * intercepted; 0 without memory.
	 */
	u64 (*msr_bitmap)(const struct msr_filter *f);
	unsigned int msr_bitmap_order;
	/* MSRs the hardware switches (SYSENTER, FS/GS bases, STAR..., PAT); -ENOENT for others. */
	int (*get_msr)(struct vcpu *v, u32 msr, u64 *val);
	int (*set_msr)(struct vcpu *v, u32 msr, u64 val);
	/* Interrupt state: can an external interrupt be taken now; ask for an exit when it can. */
	bool (*interruptible)(struct vcpu *v);
	void (*request_intr_window)(struct vcpu *v, bool on);
	/* The same for NMIs: no NMI handler still running, no STI or MOV SS shadow. */
	bool (*nmi_allowed)(struct vcpu *v);
	void (*request_nmi_window)(struct vcpu *v, bool on);
	/*
	 * A /dev/kvm guest's CR8 writes below priority class @threshold (1-15)
	 * must exit, none where 0 (irqchip_tpr_threshold()); others need not.
	 */
	void (*set_tpr_threshold)(struct vcpu *v, u8 threshold);
	/* INIT: no NMI handler is running any more, so nothing blocks NMIs (SDM Vol. 3A 9.1, Table 9-1). */
	void (*reset_nmi)(struct vcpu *v);
	/*
	 * The interrupt shadow (SHADOW_* bits) and blocking by NMI, as
	 * KVM_GET/SET_VCPU_EVENTS move them; and DR6/DR7, which the VMCB or
	 * VMCS holds (DR0-DR3 are in struct vcpu_arch).
	 */
	void (*get_blocking)(struct vcpu *v, u8 *shadow, bool *nmi_masked);
	void (*set_blocking)(struct vcpu *v, u8 shadow, bool nmi_masked);
	u64 (*get_dr)(struct vcpu *v, int dr);
	void (*set_dr)(struct vcpu *v, int dr, u64 val);
	/* The guest's TSC is the host's plus @offset (APM Vol. 2 15.30.5; SDM Vol. 3C 26.6.5). */
	void (*set_tsc_offset)(struct vcpu *v, u64 offset);
	/* Drop this CPU's cached guest-physical translations of @v's VM before the next entry. */
	void (*flush_gpa)(struct vcpu *v);
};

extern const struct virt_ops *virt;
extern const struct virt_ops vmx_ops;
extern const struct virt_ops svm_ops;

#endif
