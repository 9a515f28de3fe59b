/* SPDX-License-Identifier: GPL-2.0 */
/* The VMCB (AMD APM Vol. 2, appendix B "Layout of VMCB"). */
#ifndef KEEL_SVM_VMCB_H
#define KEEL_SVM_VMCB_H

#include "kernel/types.h"

struct vmcb_seg {
	u16 selector;
	u16 attrib;	/* type 3:0, S 4, DPL 6:5, P 7, AVL 8, L 9, DB 10, G 11 */
	u32 limit;
	u64 base;
};

struct vmcb_control {
	u32 intercept_cr;
	u32 intercept_dr;
	u32 intercept_exceptions;
	u32 intercept_misc1;
	u32 intercept_misc2;
	u32 intercept_misc3;
	u8 reserved1[0x3c - 0x18];
	u16 pause_filter_thresh;
	u16 pause_filter_count;
	u64 iopm_base_pa;
	u64 msrpm_base_pa;
	u64 tsc_offset;
	u32 asid;
	u8 tlb_control;
	u8 reserved2[3];
	u64 int_ctl;
	u64 int_state;
	u64 exit_code;
	u64 exit_info1;
	u64 exit_info2;
	u64 exit_int_info;
	u64 np_enable;
	u64 avic_apic_bar;
	u64 ghcb_pa;
	u64 event_inj;
	u64 n_cr3;
	u64 lbr_virt;
	u32 clean;
	u32 reserved3;
	u64 next_rip;
	u8 insn_len;
	u8 insn_bytes[15];
	u8 reserved4[0x400 - 0xe0];
};

struct vmcb_save {
	struct vmcb_seg es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr;
	u8 reserved1[0xcb - 0xa0];
	u8 cpl;
	u32 reserved2;
	u64 efer;
	u8 reserved3[0x148 - 0xd8];
	u64 cr4, cr3, cr0, dr7, dr6, rflags, rip;
	u8 reserved4[0x1d8 - 0x180];
	u64 rsp;
	u8 reserved5[0x1f8 - 0x1e0];
	u64 rax;
	u64 star, lstar, cstar, sfmask, kernel_gs_base;
	u64 sysenter_cs, sysenter_esp, sysenter_eip;
	u64 cr2;
	u8 reserved6[0x268 - 0x248];
	u64 g_pat;
	u64 dbgctl;
	u64 br_from, br_to, last_excp_from, last_excp_to;
};

struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
};

_Static_assert(__builtin_offsetof(struct vmcb_control, iopm_base_pa) == 0x40, "VMCB layout");
_Static_assert(__builtin_offsetof(struct vmcb_control, int_ctl) == 0x60, "VMCB layout");
_Static_assert(__builtin_offsetof(struct vmcb_control, exit_code) == 0x70, "VMCB layout");
_Static_assert(__builtin_offsetof(struct vmcb_control, event_inj) == 0xa8, "VMCB layout");
_Static_assert(__builtin_offsetof(struct vmcb_control, next_rip) == 0xc8, "VMCB layout");
_Static_assert(sizeof(struct vmcb_control) == 0x400, "VMCB control area is 1 KiB");
_Static_assert(__builtin_offsetof(struct vmcb_save, cpl) == 0xcb, "VMCB layout");
_Static_assert(__builtin_offsetof(struct vmcb_save, efer) == 0xd0, "VMCB layout");
_Static_assert(__builtin_offsetof(struct vmcb_save, cr4) == 0x148, "VMCB layout");
_Static_assert(__builtin_offsetof(struct vmcb_save, rip) == 0x178, "VMCB layout");
_Static_assert(__builtin_offsetof(struct vmcb_save, rsp) == 0x1d8, "VMCB layout");
_Static_assert(__builtin_offsetof(struct vmcb_save, rax) == 0x1f8, "VMCB layout");
_Static_assert(__builtin_offsetof(struct vmcb_save, cr2) == 0x240, "VMCB layout");
_Static_assert(__builtin_offsetof(struct vmcb_save, g_pat) == 0x268, "VMCB layout");
_Static_assert(sizeof(struct vmcb) <= 4096, "VMCB is one page");

/* Intercept bits (APM Vol. 2 B.1, table B-1) */
#define INTERCEPT_CR8_WRITE BIT(16 + 8)	/* intercept_cr: writes are bits 31:16 (15.9) */
#define INTERCEPT_INTR BIT(0)
#define INTERCEPT_NMI BIT(1)
#define INTERCEPT_SMI BIT(2)
#define INTERCEPT_INIT BIT(3)
#define INTERCEPT_VINTR BIT(4)
#define INTERCEPT_CPUID BIT(18)
#define INTERCEPT_IRET BIT(20)
#define INTERCEPT_INVD BIT(22)
#define INTERCEPT_HLT BIT(24)
#define INTERCEPT_INVLPGA BIT(26)
#define INTERCEPT_IOIO BIT(27)
#define INTERCEPT_MSR BIT(28)
#define INTERCEPT_SHUTDOWN BIT(31)
#define INTERCEPT_VMRUN BIT(0)
#define INTERCEPT_VMMCALL BIT(1)
#define INTERCEPT_VMLOAD BIT(2)
#define INTERCEPT_VMSAVE BIT(3)
#define INTERCEPT_STGI BIT(4)
#define INTERCEPT_CLGI BIT(5)
#define INTERCEPT_SKINIT BIT(6)
#define INTERCEPT_MONITOR BIT(10)
#define INTERCEPT_MWAIT BIT(11)
#define INTERCEPT_XSETBV BIT(13)

#define INT_CTL_V_TPR 0xfULL
#define INT_CTL_V_IRQ BIT(8)
#define INT_CTL_V_IGN_TPR BIT(20)
#define INT_CTL_V_INTR_MASKING BIT(24)
#define INT_STATE_SHADOW BIT(0)

/* Exit codes (APM Vol. 2 appendix C) */
#define SVM_EXIT_WRITE_CR8 0x18
#define SVM_EXIT_EXCP_BASE 0x40
#define SVM_EXIT_INTR 0x60
#define SVM_EXIT_NMI 0x61
#define SVM_EXIT_SMI 0x62
#define SVM_EXIT_INIT 0x63
#define SVM_EXIT_VINTR 0x64
#define SVM_EXIT_CPUID 0x72
#define SVM_EXIT_IRET 0x74
#define SVM_EXIT_INVD 0x76
#define SVM_EXIT_HLT 0x78
#define SVM_EXIT_IOIO 0x7b
#define SVM_EXIT_MSR 0x7c
#define SVM_EXIT_SHUTDOWN 0x7f
#define SVM_EXIT_VMRUN 0x80
#define SVM_EXIT_VMMCALL 0x81
#define SVM_EXIT_VMLOAD 0x82
#define SVM_EXIT_VMSAVE 0x83
#define SVM_EXIT_STGI 0x84
#define SVM_EXIT_CLGI 0x85
#define SVM_EXIT_SKINIT 0x86
#define SVM_EXIT_MONITOR 0x8a
#define SVM_EXIT_MWAIT 0x8b
#define SVM_EXIT_INVLPGA 0x7a
#define SVM_EXIT_XSETBV 0x8d
#define SVM_EXIT_NPF 0x400
#define SVM_EXIT_INVALID 0xffffffffffffffffULL

#endif
