/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Keel's guest ABI: the CPUID leaves and hypercalls a guest of Keel sees.
 *
 * Freestanding on purpose: Keel, the payload guests in tests/guests, host
 * programs built with a libc and the control guest's Linux module all
 * compile against this one file, so it includes nothing but the fixed-width
 * types and uses neither bool nor enums in ABI structures (their sizes are
 * the compiler's choice); assembly (__ASSEMBLY__) gets the constants only. Every structure has its size and every field
 * offset checked below, and padding is explicit.
 *
 * CPUID (0x40000000-0x4FFFFFFF is reserved for hypervisors, SDM Vol. 2A CPUID):
 *   0x40000000  EAX = highest Keel leaf (KEEL_CPUID_LEAF_MAX),
 *               EBX = ECX = EDX = KEEL_CPUID_SIGNATURE ("KeelKeelKeel")
 *   0x40000001  EAX = KEEL_ABI_VERSION, EBX = ECX = EDX = 0
 *   0x40000002  Keel's reserved range: EAX:EBX base (low half in EAX),
 *               ECX:EDX size (low half in ECX)
 *
 * Hypercalls: VMCALL on Intel, VMMCALL on AMD and Hygon (the other one
 * raises #UD). RAX = number, RBX, RCX, RDX, RSI = arguments; the result is in
 * RAX: >= 0 on success, else a negative KEEL_E* value. No other register
 * changes. Outside 64-bit mode only the low 32 bits of each register count,
 * as with KVM's own hypercalls (Linux arch/x86/kvm/x86.c,
 * kvm_emulate_hypercall). Any call from CPL > 0 returns -KEEL_EPERM; an unknown
 * number returns -KEEL_ENOSYS; a call this VM may not make (the management
 * calls are the control guest's) returns -KEEL_EPERM.
 */
#ifndef KEEL_GUEST_ABI_HYPERCALL_H
#define KEEL_GUEST_ABI_HYPERCALL_H

/*
 * 2: KEEL_HC_GET_INFO; 3: KEEL_HC_VM_CREATE and _DESTROY; 4: memory slots,
 * mappings, vCPUs, running them and their state. A new call or structure
 * field bumps it.
 */
#define KEEL_ABI_VERSION 17

/* No U suffixes: assembly includes these too, and every value fits an int. */
#define KEEL_CPUID_SIGNATURE 0x6c65654b	/* "Keel", little-endian */
#define KEEL_CPUID_LEAF_SIGNATURE 0x40000000
#define KEEL_CPUID_LEAF_ABI 0x40000001
#define KEEL_CPUID_LEAF_RESERVED 0x40000002
#define KEEL_CPUID_LEAF_MAX KEEL_CPUID_LEAF_RESERVED

/* Error numbers: Linux's values, since the guest side is Linux. */
#define KEEL_EPERM 1	/* CPL > 0, or a call this VM may not make */
#define KEEL_ENOENT 2	/* no such object */
#define KEEL_E2BIG 7	/* a buffer too small for the result */
#define KEEL_EAGAIN 11	/* a page must be mapped first (run->exit.fault says which) */
#define KEEL_ENOMEM 12	/* Keel is out of memory for it */
#define KEEL_EFAULT 14	/* a guest-physical range that is not all RAM */
#define KEEL_EBUSY 16	/* the vCPU is running elsewhere */
#define KEEL_EEXIST 17	/* the object exists already, or a range overlaps one */
#define KEEL_EINVAL 22	/* an argument out of range, or an unused one not 0 */
#define KEEL_ENOSPC 28	/* no room for another object of its kind */
#define KEEL_ENOSYS 38	/* no such hypercall */

/*
 * KEEL_HC_VERSION (any VM): returns KEEL_ABI_VERSION. Its arguments are
 * ignored, so that a caller of any ABI version can always ask.
 */
#define KEEL_HC_VERSION 0

/*
 * KEEL_HC_GET_INFO (the control guest only): writes a struct keel_hv_info to
 * guest-physical RBX; RCX = the buffer's size in bytes; RDX and RSI must be
 * 0. Returns the number of bytes written (sizeof(struct keel_hv_info)),
 * else, checked in this order: -KEEL_EINVAL if RDX or RSI is not 0,
 * -KEEL_E2BIG if RCX is smaller than the structure (KVM's answer to a short
 * buffer, KVM api.rst KVM_GET_SUPPORTED_CPUID), -KEEL_EFAULT if any byte of
 * it would not be guest RAM (as with Linux's copy_to_user, the bytes in the
 * pages before the faulting one may have been written).
 */
#define KEEL_HC_GET_INFO 1

/*
 * KEEL_HC_VM_CREATE (the control guest only): creates an empty VM for a VMM
 * of the control guest (/dev/kvm): no memory, no vCPUs yet; its own
 * hypercalls follow KVM's ABI, not this one. RBX = the VMM's process id in
 * the control guest, which Keel only logs and lists (struct keel_vm_info);
 * RCX, RDX, RSI must be 0.
 * Returns the VM's handle (> 0), -KEEL_ENOSPC when KEEL_MAX_VMS exist, or
 * -KEEL_ENOMEM.
 */
#define KEEL_HC_VM_CREATE 2

/*
 * KEEL_HC_VM_DESTROY (the control guest only): RBX = a handle
 * KEEL_HC_VM_CREATE returned; RCX, RDX, RSI must be 0. Frees the VM and all
 * it holds; the handle is never valid again. 0, or -KEEL_EINVAL for a handle
 * that names no VM.
 */
#define KEEL_HC_VM_DESTROY 3

/*
 * The calls below act on a VM KEEL_HC_VM_CREATE made (RBX = its handle;
 * -KEEL_EINVAL for a handle that names none) and are the control guest's
 * only. Addresses of the caller's memory ("control-guest physical") must
 * be its RAM; Keel's own memory never is.
 *
 * KEEL_HC_MEMSLOT: RCX = the control-guest physical address of a struct
 * keel_memslot; RDX, RSI 0. Sets slot->slot to [gpa, gpa + size) with
 * slot->flags, or deletes it (size 0), and removes every mapping of its old
 * range. Slots are 4 KiB-aligned and never overlap (-KEEL_EEXIST); RAM of
 * the VM is what its slots cover, anything else is MMIO (KEEL_EXIT_MMIO).
 * KEEL_MEM_LOG (only where keel_hv_info.features has
 * KEEL_FEATURE_WRITE_LOG, else -KEEL_EINVAL): the slot's writes are logged
 * in a bitmap Keel keeps (KEEL_HC_DIRTY_FETCH), the CPU's and Keel's own;
 * its writable pages are mapped 4 KiB at a time. A slot set again with the
 * same size and KEEL_MEM_LOG keeps its bitmap. -KEEL_ENOMEM without room
 * for the bitmap.
 */
#define KEEL_HC_MEMSLOT 4

/*
 * KEEL_HC_MAP: RCX = a guest-physical page of the VM, RDX = the
 * control-guest physical page to map there, RSI = KEEL_MAP_* flags. The
 * answer to KEEL_EXIT_FAULT. With KEEL_MAP_2M both addresses are 2 MiB
 * aligned and 2 MiB are mapped (one large page, when the VMM's memory is
 * one). -KEEL_EFAULT if the guest range is not all in one slot, the frames
 * are not the caller's RAM, or KEEL_MAP_WRITE asks to write a read-only
 * slot; -KEEL_EINVAL for an unaligned address, an unknown flag, or
 * KEEL_MAP_2M | KEEL_MAP_WRITE in a KEEL_MEM_LOG slot.
 */
#define KEEL_HC_MAP 5
#define KEEL_MAP_WRITE 1
#define KEEL_MAP_2M 2

/*
 * KEEL_HC_UNMAP: RCX = guest-physical address, RDX = size (both 4 KiB
 * multiples), RSI = 0 or KEEL_UNMAP_CLEAN. On return no vCPU of the VM
 * can reach what was mapped there any more, so the caller may reuse the
 * frames. KEEL_UNMAP_CLEAN instead leaves the range mapped but clean: on
 * return the next write to each page is logged again. The range must be
 * 4 KiB to 2 MiB (it runs with interrupts off) of one KEEL_MEM_LOG slot,
 * else -KEEL_EINVAL.
 */
#define KEEL_HC_UNMAP 6
#define KEEL_UNMAP_CLEAN 1

/*
 * KEEL_HC_VCPU_CREATE: RCX = vCPU id (< KEEL_MAX_VCPUS), RDX = the
 * control-guest physical address of the vCPU's page (a struct keel_run at
 * its start), 4 KiB-aligned; the page must stay the caller's until the VM
 * is destroyed; RSI = KEEL_VCPU_BSP for the bootstrap processor, else 0.
 * -KEEL_EEXIST for an id in use. The vCPU starts in the architectural
 * reset state (SDM Vol. 3A 10.1.1).
 */
#define KEEL_HC_VCPU_CREATE 7
#define KEEL_VCPU_BSP 1

/*
 * KEEL_HC_VCPU_RUN: RCX = vCPU id. Runs the vCPU on the calling CPU, in
 * the caller's place, until it needs its VMM (run->exit_reason) or the
 * caller has an interrupt to take (KEEL_EXIT_NONE: call again). The data
 * of a KEEL_EXIT_IO read or KEEL_EXIT_MMIO read is taken from
 * run->exit.io.data / run->exit.mmio.data when the next call resumes it,
 * CR8 from run->cr8 (as KVM takes kvm_run.cr8 without an in-kernel APIC),
 * run->request and run->interrupt (an external interrupt injected at the
 * next entry, as KVM_INTERRUPT queues it). RDX = KEEL_RUN_COMPLETE_ONLY
 * takes those answers and completes the instruction they answer without
 * entering the guest (KVM_RUN with immediate_exit), else 0. 0, -KEEL_EINVAL
 * for a CR8 above 15, or -KEEL_EBUSY if the vCPU runs on another CPU.
 *
 * RSI = 0 keeps the vCPU on the calling CPU, as above. RSI = a vector
 * (32-255) lets Keel's scheduler run it: where its policy puts the vCPU on
 * the calling CPU it runs there as above (0); otherwise Keel sets
 * run->in_keel, queues the vCPU on the CPU it chooses and returns
 * KEEL_RUN_QUEUED at once. When the vCPU needs its VMM (run->exit_reason,
 * KEEL_EXIT_NONE once KEEL_HC_VCPU_KICK asked), Keel clears run->in_keel
 * and raises that vector in the calling vCPU's local APIC; until then the
 * vCPU is the scheduler's and every call that claims it (runs it, or reads
 * or writes its state) is -KEEL_EBUSY.
 */
#define KEEL_HC_VCPU_RUN 8
#define KEEL_RUN_COMPLETE_ONLY 1
#define KEEL_RUN_QUEUED 1

/*
 * KEEL_HC_VCPU_STATE: RCX = vCPU id, RDX = KEEL_STATE_GET or _SET, RSI =
 * a mask of KEEL_STATE_* parts: copies them between the vCPU and its
 * struct keel_run. -KEEL_EINVAL for a state the architecture forbids (as
 * KVM's KVM_SET_SREGS checks) or an unknown part; -KEEL_EBUSY as above.
 */
#define KEEL_HC_VCPU_STATE 9
#define KEEL_STATE_GET 0
#define KEEL_STATE_SET 1
#define KEEL_STATE_REGS 1
#define KEEL_STATE_SREGS 2
/*
 * run->xsave: the XSAVE image in standard form (SDM Vol. 1 13.4): the
 * FXSAVE region, the header (XSTATE_BV; XCOMP_BV and the rest 0) and AVX's
 * upper YMM halves at 576, for the components KEEL_HC_VCPU_STATE may hold
 * (CPUID 0xD.0 EAX in the control guest). A set refuses (-KEEL_EINVAL)
 * XSTATE_BV bits outside them and a nonzero XCOMP_BV or reserved byte.
 * Without XSAVE on the CPU, XSTATE_BV reads FP|SSE and the FXSAVE region
 * is the whole state.
 */
#define KEEL_STATE_FPU 4
#define KEEL_STATE_EVENTS 8	/* run->events */
#define KEEL_STATE_DEBUGREGS 16	/* run->debugregs */
#define KEEL_STATE_LAPIC 32	/* run->lapic: the in-kernel LAPIC's register page (KVM_GET/SET_LAPIC) */
#define KEEL_STATE_MP 64	/* run->mp_state: KEEL_MP_* (KVM_GET/SET_MP_STATE) */
/* run->xcr0: XCR0 (KVM_GET/SET_XCRS); a set is checked as XSETBV's (SDM Vol. 2C XSETBV) */
#define KEEL_STATE_XCR 128

/*
 * KEEL_HC_MSR_LIST (no VM: RBX = the control-guest physical address of a
 * u32 array, RCX = its length; RDX, RSI 0): writes the MSRs a VMM saves and
 * restores through KEEL_HC_VCPU_MSRS (KVM_GET_MSR_INDEX_LIST); returns
 * their number, or -KEEL_E2BIG if the array is shorter.
 */
#define KEEL_HC_MSR_LIST 10

/*
 * KEEL_HC_VCPU_MSRS: RCX = vCPU id, RDX = the control-guest physical
 * address of RSI[31:0] struct keel_msr_entry (at most KEEL_MAX_MSR_ENTRIES),
 * RSI[32] = KEEL_MSRS_SET. Reads into or writes from them in order as the
 * guest's RDMSR/WRMSR would, stopping at the first that fails; returns how
 * many succeeded (KVM_GET_MSRS / KVM_SET_MSRS).
 */
#define KEEL_HC_VCPU_MSRS 11
#define KEEL_MSRS_SET (1ULL << 32)

/*
 * KEEL_HC_VCPU_CPUID: RCX = vCPU id, RDX = the control-guest physical
 * address of RSI[31:0] struct keel_cpuid_entry (at most
 * KEEL_MAX_CPUID_ENTRIES). With RSI[32] = KEEL_CPUID_SET: what the guest's
 * CPUID returns from now on (KVM_SET_CPUID2; a leaf not listed returns
 * zeros), returning 0; once the vCPU has run, only the table it has is
 * taken (both as they read now), and any other is -KEEL_EINVAL, as KVM's
 * kvm_cpuid_check_equal(). Without: the table as the guest reads it now,
 * with the bits that follow the vCPU (APIC, OSXSAVE, MONITOR, leaf 0xD's
 * sizes: KVM's kvm_update_cpuid_runtime()), in the order it was set;
 * returns how many entries, -KEEL_E2BIG if that is more than RSI[31:0].
 */
#define KEEL_HC_VCPU_CPUID 12
#define KEEL_CPUID_SET (1ULL << 32)

/*
 * KEEL_HC_VCPU_TRANSLATE: RCX = vCPU id, RDX = a linear address: its
 * guest-physical address by the guest's own page tables, as a supervisor
 * read would see it (KVM_TRANSLATE); -KEEL_EFAULT if it has none;
 * -KEEL_EAGAIN if a table is in a slot page not mapped yet: map
 * run->exit.fault's page (KEEL_HC_MAP) and ask again.
 */
#define KEEL_HC_VCPU_TRANSLATE 13

/*
 * KEEL_HC_VM_CLOCK: RCX = KEEL_CLOCK_GET, _SET or _STOPPED. The VM's
 * kvmclock, in nanoseconds, that its vCPUs' MSR_KVM_SYSTEM_TIME pages
 * show. GET returns it now. SET (RDX = the new value now, RSI = the wall
 * clock in nanoseconds since 1970 at kvmclock 0, as MSR_KVM_WALL_CLOCK
 * reports it) returns 0; each vCPU's page is rewritten before it runs next
 * (KVM_GET/SET_CLOCK). A new VM's clock starts at 0 with a wall clock of 0.
 * STOPPED (RDX = vCPU id, RSI = 0) tells that vCPU's guest it was paused:
 * its page gets PVCLOCK_GUEST_STOPPED before it runs next, and keeps it
 * until the guest clears it (KVM_KVMCLOCK_CTRL); -KEEL_EINVAL while the
 * vCPU's kvmclock is off.
 * TSC_OFFSET_GET (RDX = vCPU id, RSI = the control-guest physical address
 * of a u64) writes there the vCPU's TSC offset: its TSC is the host's plus
 * that. TSC_OFFSET_SET (RDX = vCPU id, RSI = the offset) sets it, and makes
 * it the VM's for the next vCPUs whose IA32_TSC the VMM writes
 * (KVM_VCPU_TSC_OFFSET). Both return 0, -KEEL_EBUSY while the vCPU runs.
 */
#define KEEL_HC_VM_CLOCK 14
#define KEEL_CLOCK_GET 0
#define KEEL_CLOCK_SET 1
#define KEEL_CLOCK_STOPPED 2
#define KEEL_CLOCK_TSC_OFFSET_GET 3
#define KEEL_CLOCK_TSC_OFFSET_SET 4

/*
 * KEEL_HC_VM_IRQCHIP: RCX = KEEL_IRQCHIP_*.
 * _SPLIT: each vCPU gets an in-kernel LAPIC (its page at 0xfee00000, HLT
 * waits in Keel, INIT and SIPI between vCPUs); before the first vCPU only
 * (-KEEL_EEXIST after, or again). The VMM keeps the PIC and I/O APIC
 * (KVM_CAP_SPLIT_IRQCHIP).
 * _MSI: RDX = MSI address, RSI = data (SDM Vol. 3A 11.11): delivered to the
 * LAPICs it names; returns how many took it.
 * _EOI_EXITS: RDX = the control-guest physical address of 32 bytes, a
 * bitmap of vectors whose EOI exits to the VMM (KEEL_EXIT_IOAPIC_EOI).
 * _FULL: as _SPLIT, plus a PIC pair and an I/O APIC in Keel
 * (KVM_CREATE_IRQCHIP).
 * _PIN: RDX = KEEL_CHIP_PIC_MASTER, _PIC_SLAVE or _IOAPIC, RSI = the pin
 * in bits 31:0 and its level in bit 32 (KVM_IRQ_LINE through an irqchip
 * route).
 * _GET and _SET: RDX = KEEL_CHIP_*, RSI = the control-guest physical
 * address of KEEL_CHIP_STATE_SIZE bytes: KVM's struct kvm_pic_state,
 * kvm_ioapic_state or kvm_pit_state2 (KVM_GET/SET_IRQCHIP, _PIT2).
 * _PIT: an 8254 on ports 0x40-0x43 driving ISA IRQ 0 (I/O APIC pin 2),
 * RDX = 1 also for the speaker port 0x61 (KVM_CREATE_PIT2 with
 * KVM_PIT_SPEAKER_DUMMY). _REINJECT: RDX = 1 to inject missed ticks one by
 * one, 0 to drop them (KVM_REINJECT_CONTROL).
 */
#define KEEL_HC_VM_IRQCHIP 15
#define KEEL_IRQCHIP_SPLIT 0
#define KEEL_IRQCHIP_MSI 1
#define KEEL_IRQCHIP_EOI_EXITS 2
#define KEEL_IRQCHIP_FULL 3
#define KEEL_IRQCHIP_PIN 4
#define KEEL_IRQCHIP_GET 5
#define KEEL_IRQCHIP_SET 6
#define KEEL_IRQCHIP_PIT 7
#define KEEL_IRQCHIP_REINJECT 8
#define KEEL_CHIP_PIC_MASTER 0
#define KEEL_CHIP_PIC_SLAVE 1
#define KEEL_CHIP_IOAPIC 2
#define KEEL_CHIP_PIT 3
#define KEEL_CHIP_STATE_SIZE 512

/*
 * KEEL_HC_ENABLE_CAP: RCX = KEEL_CAP_*, RDX = the vCPU id for a vCPU's
 * capability or KEEL_CAP_VM for the VM's, RSI = 0 or 1 (KVM_ENABLE_CAP's
 * args[0] on the VM or the vCPU fd). Returns 0; -KEEL_EINVAL for another
 * value, a capability unknown or of the other kind; -KEEL_EBUSY while the
 * vCPU runs.
 * _PLATFORM_INFO (the VM's; 1 from the start): the guest may read
 * MSR_PLATFORM_INFO, else its RDMSR raises #GP (KVM_CAP_MSR_PLATFORM_INFO).
 * _ENFORCE_PV_CPUID (a vCPU's; 0 from the start): the kvmclock MSRs exist
 * only as far as the KVM features leaf of the vCPU's CPUID names them
 * (KVM_CAP_ENFORCE_PV_FEATURE_CPUID).
 * _QUIRKS (the VM's; RSI = the KEEL_QUIRK_* to turn off, any other bit
 * -KEEL_EINVAL): KVM_CAP_DISABLE_QUIRKS2.
 * _USER_MSR (the VM's; RSI = KEEL_MSR_EXIT_* bits, any other -KEEL_EINVAL):
 * a guest's RDMSR or WRMSR that would raise #GP for those reasons exits to
 * the VMM instead (KEEL_EXIT_MSR), KVM_CAP_X86_USER_SPACE_MSR.
 */
#define KEEL_HC_ENABLE_CAP 16
#define KEEL_CAP_VM 0xffff
#define KEEL_CAP_PLATFORM_INFO 0
#define KEEL_CAP_ENFORCE_PV_CPUID 1
#define KEEL_CAP_QUIRKS 2
#define KEEL_CAP_USER_MSR 3
/* KVM's KVM_MSR_EXIT_REASON_*: an MSR Keel refuses the value of, does not know, or the filter denies. */
#define KEEL_MSR_EXIT_INVAL (1 << 0)
#define KEEL_MSR_EXIT_UNKNOWN (1 << 1)
#define KEEL_MSR_EXIT_FILTER (1 << 2)
/*
 * The quirks, each KVM's KVM_X86_QUIRK_* of the same bit and on until turned off.
 * _MISC_ENABLE_NO_MWAIT: IA32_MISC_ENABLE's MWAIT bit leaves CPUID alone; off,
 * CPUID.1:ECX.MONITOR follows it (and changing it needs SSE3 in CPUID, else #GP).
 * _FIX_HYPERCALL_INSN: VMCALL on AMD, VMMCALL on Intel, is rewritten into the
 * CPU's own. _MWAIT_NEVER_UD_FAULTS: MONITOR and MWAIT are NOPs; off, they
 * raise #UD where CPUID hides MONITOR.
 */
#define KEEL_QUIRK_MISC_ENABLE_NO_MWAIT (1 << 4)
#define KEEL_QUIRK_FIX_HYPERCALL_INSN (1 << 5)
#define KEEL_QUIRK_MWAIT_NEVER_UD_FAULTS (1 << 6)
#define KEEL_QUIRKS (KEEL_QUIRK_MISC_ENABLE_NO_MWAIT | KEEL_QUIRK_FIX_HYPERCALL_INSN | \
		     KEEL_QUIRK_MWAIT_NEVER_UD_FAULTS)

/*
 * KEEL_HC_STATS: RCX = a vCPU id, or KEEL_STATS_VM for the VM's counters;
 * RDX = the control-guest physical address of RSI u64s. Returns how many
 * counters there are (KEEL_NR_VCPU_STATS or KEEL_NR_VM_STATS, which a later
 * ABI may grow) and writes the first of them, as many as RSI allows;
 * -KEEL_EINVAL for an id that names no vCPU. Counters only grow, from 0 at the vCPU's or
 * VM's creation; a vCPU's may be read while it runs (KVM_GET_STATS_FD).
 * Each means what Linux KVM's counter of the same name means (Linux
 * arch/x86/kvm/x86.c, kvm_vcpu_stats_desc).
 */
#define KEEL_HC_STATS 17
#define KEEL_STATS_VM 0xffffffff
#define KEEL_STAT_EXITS 0		/* every exit from the guest */
#define KEEL_STAT_IO_EXITS 1		/* IN, OUT, INS, OUTS intercepted, served anywhere */
#define KEEL_STAT_HALT_EXITS 2
#define KEEL_STAT_IRQ_WINDOW_EXITS 3
#define KEEL_STAT_NMI_WINDOW_EXITS 4
#define KEEL_STAT_IRQ_EXITS 5		/* a host interrupt arrived */
#define KEEL_STAT_HYPERCALLS 6
#define KEEL_STAT_IRQ_INJECTIONS 7	/* external interrupts delivered to the guest */
#define KEEL_STAT_NMI_INJECTIONS 8
#define KEEL_STAT_RUN_NS 9		/* time it ran: in the guest and in Keel's exit handlers */
#define KEEL_NR_VCPU_STATS 10
/* Their names, as designated initializers of a string array: Linux KVM's, and one Keel's. */
#define KEEL_STAT_NAMES								\
	[KEEL_STAT_EXITS] = "exits", [KEEL_STAT_IO_EXITS] = "io_exits",		\
	[KEEL_STAT_HALT_EXITS] = "halt_exits",					\
	[KEEL_STAT_IRQ_WINDOW_EXITS] = "irq_window_exits",			\
	[KEEL_STAT_NMI_WINDOW_EXITS] = "nmi_window_exits",			\
	[KEEL_STAT_IRQ_EXITS] = "irq_exits", [KEEL_STAT_HYPERCALLS] = "hypercalls", \
	[KEEL_STAT_IRQ_INJECTIONS] = "irq_injections",				\
	[KEEL_STAT_NMI_INJECTIONS] = "nmi_injections",				\
	[KEEL_STAT_RUN_NS] = "keel_run_ns"
#define KEEL_VM_STAT_REMOTE_TLB_FLUSH 0	/* the VM's mappings changed: its cached translations went */
#define KEEL_NR_VM_STATS 1

/*
 * The administrator's calls (the control guest only; keelctl through
 * keel-kvm's /dev/keel), about every VM Keel runs, the control guest and
 * boot-time VMs included. A VM's id is Keel's (struct keel_vm_info.id),
 * never reused while Keel runs.
 *
 * KEEL_HC_VM_LIST: RBX = the control-guest physical address of RCX struct
 * keel_vm_info; RDX, RSI 0. Returns how many VMs there are, and describes
 * the first of them, in the order they were created, as many as fit.
 */
#define KEEL_HC_VM_LIST 18

/*
 * KEEL_HC_VM_STATS: KEEL_HC_STATS for the VM of id RBX, its vCPUs named by
 * index (RCX < keel_vm_info.nr_vcpus, or KEEL_STATS_VM); RDX and RSI as
 * there. -KEEL_EINVAL if no such VM or vCPU exists.
 */
#define KEEL_HC_VM_STATS 19

/*
 * KEEL_HC_LOG_READ: RBX = the control-guest physical address of RCX bytes
 * (at least 16), RDX = the sequence number (bytes ever logged before it) to
 * read Keel's log from; RSI 0. Writes a struct keel_log_chunk there and
 * returns its len: 0 when nothing was logged since. Bytes overwritten in
 * Keel's ring before they were read are skipped: chunk.seq tells where the
 * bytes start.
 */
#define KEEL_HC_LOG_READ 20

/*
 * KEEL_HC_VM_DUMP: RBX = a VM id, RCX = a vCPU index, RDX = the
 * control-guest physical address of RSI bytes for a struct keel_vcpu_dump
 * (-KEEL_E2BIG if smaller). Its state, always; its registers too
 * (KEEL_DUMP_REGS) when it is not in use: a /dev/kvm vCPU outside KVM_RUN,
 * a stuck VM's usual state. Returns 0; -KEEL_EINVAL if no such VM or vCPU.
 */
#define KEEL_HC_VM_DUMP 21

/*
 * KEEL_HC_CPU_STATS: RBX = a physical CPU's index (< keel_hv_info.nr_cpus
 * for the CPUs that came up), RCX 0, RDX = the control-guest physical
 * address of RSI u64s, as for KEEL_HC_VM_STATS. The CPU's counters
 * (KEEL_CPU_STAT_*), as KEEL_HC_STATS gives a vCPU's; -KEEL_EINVAL for a
 * CPU that is not online.
 */
#define KEEL_HC_CPU_STATS 22
#define KEEL_CPU_STAT_IRQS 0		/* host interrupts it took */
#define KEEL_CPU_STAT_TIMER_TICKS 1	/* expiries of its timer */
#define KEEL_CPU_STAT_SLICES 2		/* times it put a vCPU on to run */
#define KEEL_CPU_STAT_IDLE_NS 3		/* time it had no vCPU to run */
#define KEEL_CPU_STAT_VCPUS 4		/* vCPUs on its queue now, the running one too */
#define KEEL_CPU_STAT_SWITCHES 5	/* slices that ran another vCPU than the one before */
#define KEEL_CPU_STAT_SWITCH_NS 6	/* their time in Keel from the last slice's end to the next entry */
#define KEEL_NR_CPU_STATS 7

/*
 * KEEL_HC_VCPU_KICK: RCX = vCPU id. A vCPU that KEEL_HC_VCPU_RUN queued
 * comes back to its VMM at its next exit, KEEL_EXIT_NONE if no other
 * (a signal for the VMM's thread, as KVM's kvm_vcpu_kick()). 0, or
 * -KEEL_EINVAL for no such vCPU; a vCPU that is not queued is left alone.
 */
#define KEEL_HC_VCPU_KICK 23

/*
 * KEEL_HC_SCHED: RBX = a VM's id (keel_vm_info.id), RCX = a vCPU's index
 * in it or KEEL_SCHED_VM, RDX = KEEL_SCHED_GET or KEEL_SCHED_SET, RSI =
 * the control-guest physical address of a struct keel_sched. GET fills
 * it; SET takes the VM's weight and cap (with KEEL_SCHED_VM) or the
 * vCPU's weight and affinity. -KEEL_EINVAL for a weight of 0 or above
 * 65535, a cap above 10000, an affinity without an online CPU, or an id
 * that names nothing; -KEEL_EPERM to set the control guest or one of its
 * vCPUs (each is pinned to its CPU, and a capped control guest could not
 * manage Keel). A vCPU's affinity set here replaces keel.vm_cpus for it.
 */
#define KEEL_HC_SCHED 24
#define KEEL_SCHED_VM 0xffff
#define KEEL_SCHED_GET 0
#define KEEL_SCHED_SET 1

/*
 * KEEL_HC_MSR_FILTER: RDX = the control-guest physical address of a struct
 * keel_msr_filter: from now on a guest's RDMSR or WRMSR of an MSR it denies
 * raises #GP, or exits (KEEL_EXIT_MSR) with KEEL_MSR_EXIT_FILTER
 * (KVM_X86_SET_MSR_FILTER, api.rst 4.97). The first range holding the MSR
 * for that access decides (its bit set: allowed); with none, the filter's
 * default. x2APIC MSRs (0x800-0x8ff) are never filtered; nor are the VMM's
 * own accesses. A range of nmsrs 0 is unused. -KEEL_EINVAL for unknown
 * flags, a range without flags or larger than its bitmap, or a filter that
 * denies all; -KEEL_EFAULT for an address outside the caller's RAM;
 * -KEEL_ENOMEM when Keel has no room for the filter and its MSR bitmap
 * (the old filter then stays).
 */
#define KEEL_HC_MSR_FILTER 25
#define KEEL_MSR_FILTER_RANGES 16
#define KEEL_MSR_FILTER_BITMAP 0x600		/* bytes: KVM's KVM_MSR_FILTER_MAX_BITMAP_SIZE */
#define KEEL_MSR_FILTER_DEFAULT_DENY 1
#define KEEL_MSR_FILTER_READ 1
#define KEEL_MSR_FILTER_WRITE 2

/*
 * KEEL_HC_DIRTY_FETCH: RCX = a KEEL_MEM_LOG slot, RDX = a word of its
 * bitmap (bit n of word w: page 64 * w + n of the slot), RSI = the
 * control-guest physical address of a page (4 KiB-aligned). Moves up to
 * KEEL_DIRTY_FETCH_WORDS words from word RDX on (to the slot's end) into
 * the page, clearing them in Keel, and returns their number. A fetch of
 * word 0 first has each vCPU of the VM in guest mode pass an exit, so every
 * write logged before the call is in the bitmap. -KEEL_EINVAL for a slot
 * without KEEL_MEM_LOG or RDX past its end; -KEEL_EFAULT if the page is not
 * the caller's RAM (the words stay).
 */
#define KEEL_HC_DIRTY_FETCH 26
#define KEEL_DIRTY_FETCH_WORDS 512

/*
 * KEEL_HC_COALESCED: KVM's coalesced MMIO and PIO (api.rst 4.116, 4.117),
 * kept by Keel: a guest's write that lies in a zone of its bus is appended
 * to the VM's ring without an exit, and exits as usual when the ring is
 * full (KVM's coalesced_mmio_write()). RCX = one of:
 *   KEEL_COALESCED_RING: RDX = the control-guest physical address of the
 *     ring's page (struct keel_coalesced_ring, which the VMM maps), 4 KiB
 *     aligned; it must stay the caller's until the VM is destroyed. Once:
 *     -KEEL_EEXIST after. Until then, writes to zones exit.
 *   KEEL_COALESCED_ADD or _DEL, with KEEL_COALESCED_PIO for a zone of
 *     ports: RDX = the zone's first address, RSI = its size. -KEEL_EEXIST
 *     for a zone overlapping one of its bus, -KEEL_ENOENT for a _DEL of
 *     none added with exactly these, -KEEL_EINVAL for a size of 0 or past
 *     the bus's end.
 * The ring is the VMM's too: Keel reads its indices as untrusted numbers.
 */
#define KEEL_HC_COALESCED 27
#define KEEL_COALESCED_RING 0
#define KEEL_COALESCED_ADD 1
#define KEEL_COALESCED_DEL 2
#define KEEL_COALESCED_PIO 0x100

#define KEEL_NR_HYPERCALLS 28
#define KEEL_MAX_VMS 64
#define KEEL_MAX_VCPUS 64
#define KEEL_MAX_MEMSLOTS 128
#define KEEL_MAX_MSR_ENTRIES 256
#define KEEL_MAX_CPUID_ENTRIES 256

#define KEEL_MEM_READONLY 1	/* writes exit as KEEL_EXIT_MMIO */
#define KEEL_MEM_LOG 2		/* writes are logged (KEEL_HC_MEMSLOT) */

/* run->exit_reason */
#define KEEL_EXIT_NONE 0		/* the caller's interrupt: call KEEL_HC_VCPU_RUN again */
#define KEEL_EXIT_IO 1			/* a port the VMM serves: exit.io */
#define KEEL_EXIT_MMIO 2		/* an address outside RAM: exit.mmio */
#define KEEL_EXIT_HLT 3
#define KEEL_EXIT_SHUTDOWN 4		/* a triple fault */
#define KEEL_EXIT_FAIL_ENTRY 5		/* exit.fail_entry */
#define KEEL_EXIT_INTERNAL_ERROR 6	/* exit.internal: what Keel cannot emulate */
#define KEEL_EXIT_FAULT 7		/* exit.fault: map the page (KEEL_HC_MAP), call again */
#define KEEL_EXIT_IRQ_WINDOW 8		/* KEEL_REQ_IRQ_WINDOW was asked and the window is open */
#define KEEL_EXIT_IOAPIC_EOI 9		/* the guest's EOI of a vector in the EOI-exit bitmap: exit.eoi */
#define KEEL_EXIT_MSR 10		/* a RDMSR or WRMSR for the VMM (KEEL_CAP_USER_MSR): exit.msr */

/* exit.internal.suberror: KVM's KVM_INTERNAL_ERROR_* values */
#define KEEL_INTERNAL_EMULATION 1
#define KEEL_INTERNAL_DELIVERY_EV 3
#define KEEL_INTERNAL_UNEXPECTED_EXIT 4

#define KEEL_VENDOR_OTHER 0
#define KEEL_VENDOR_INTEL 1
#define KEEL_VENDOR_AMD 2

#define KEEL_VIRT_NONE 0
#define KEEL_VIRT_VMX 1	/* Intel VT-x with EPT */
#define KEEL_VIRT_SVM 2	/* AMD-V with NPT */

#define KEEL_VERSION_LEN 16

/* keel_hv_info.features */
#define KEEL_FEATURE_WRITE_LOG 1	/* the CPU logs writes (VMX's PML): KEEL_MEM_LOG */

#ifndef __ASSEMBLY__
#ifdef __KERNEL__
#include <linux/types.h>
typedef __u8 keel_u8;
typedef __u16 keel_u16;
typedef __u32 keel_u32;
typedef __u64 keel_u64;
#else
#include <stdint.h>
typedef uint8_t keel_u8;
typedef uint16_t keel_u16;
typedef uint32_t keel_u32;
typedef uint64_t keel_u64;
#endif

/* KVM's struct kvm_coalesced_mmio_ring, a page: the VMM takes from first, Keel adds at last. */
struct keel_coalesced_entry {
	keel_u64 phys_addr;
	keel_u32 len;
	keel_u32 pio;
	keel_u8 data[8];
};

struct keel_coalesced_ring {
	keel_u32 first, last;
	struct keel_coalesced_entry entry[];
};

#define KEEL_COALESCED_MAX ((4096 - sizeof(struct keel_coalesced_ring)) / \
			    sizeof(struct keel_coalesced_entry))

_Static_assert(sizeof(struct keel_coalesced_entry) == 24, "keel_coalesced_entry size");
_Static_assert(sizeof(struct keel_coalesced_ring) == 8, "keel_coalesced_ring size");

struct keel_sched {
	keel_u32 weight;	/* a VM's among VMs, a vCPU's within its VM: 1-65535, 256 by default */
	keel_u32 cap;		/* a VM's, percent of one CPU per 100 ms: 0 = none, up to 10000 */
	keel_u64 affinity[4];	/* a vCPU's CPUs (bit n: CPU n); a VM's: its vCPUs' union */
	keel_u64 ran_on[4];	/* read only: the CPUs it ran on since its affinity was set */
};
_Static_assert(sizeof(struct keel_sched) == 72, "keel_sched layout");

struct keel_hv_info {
	keel_u32 abi_version;		/* KEEL_ABI_VERSION */
	keel_u32 size;			/* sizeof(struct keel_hv_info) as Keel built it */
	char version[KEEL_VERSION_LEN];	/* Keel's version, NUL-terminated */
	keel_u32 nr_cpus;		/* physical CPUs online */
	keel_u32 vendor;		/* KEEL_VENDOR_* */
	keel_u32 virt;			/* KEEL_VIRT_* */
	keel_u32 tsc_khz;		/* the calibrated TSC frequency */
	keel_u64 reserved_bytes;	/* Keel's reservation plus its image */
	keel_u64 reserved_free_bytes;	/* free frames in Keel's reservation */
	keel_u64 guest_free_bytes;	/* free frames for new VMs */
	keel_u64 uptime_ns;		/* TSC time since the processor's reset */
	keel_u64 heap_used_bytes;	/* Keel's small objects in use (from its reservation) */
	keel_u64 features;		/* KEEL_FEATURE_* */
};

_Static_assert(sizeof(struct keel_hv_info) == 88, "keel_hv_info size");
_Static_assert(__builtin_offsetof(struct keel_hv_info, abi_version) == 0, "abi_version");
_Static_assert(__builtin_offsetof(struct keel_hv_info, size) == 4, "size");
_Static_assert(__builtin_offsetof(struct keel_hv_info, version) == 8, "version");
_Static_assert(__builtin_offsetof(struct keel_hv_info, nr_cpus) == 24, "nr_cpus");
_Static_assert(__builtin_offsetof(struct keel_hv_info, vendor) == 28, "vendor");
_Static_assert(__builtin_offsetof(struct keel_hv_info, virt) == 32, "virt");
_Static_assert(__builtin_offsetof(struct keel_hv_info, tsc_khz) == 36, "tsc_khz");
_Static_assert(__builtin_offsetof(struct keel_hv_info, reserved_bytes) == 40, "reserved_bytes");
_Static_assert(__builtin_offsetof(struct keel_hv_info, reserved_free_bytes) == 48,
	       "reserved_free_bytes");
_Static_assert(__builtin_offsetof(struct keel_hv_info, guest_free_bytes) == 56, "guest_free_bytes");
_Static_assert(__builtin_offsetof(struct keel_hv_info, uptime_ns) == 64, "uptime_ns");
_Static_assert(__builtin_offsetof(struct keel_hv_info, heap_used_bytes) == 72, "heap_used_bytes");
_Static_assert(__builtin_offsetof(struct keel_hv_info, features) == 80, "features");

#define KEEL_VM_KIND_BOOT 0		/* started by Keel from a boot module */
#define KEEL_VM_KIND_CONTROL 1
#define KEEL_VM_KIND_KVM 2		/* a VMM's, through /dev/kvm */
#define KEEL_VM_NAME_LEN 16

struct keel_vm_info {
	keel_u32 id;
	keel_u32 kind;			/* KEEL_VM_KIND_* */
	keel_u32 nr_vcpus;
	keel_u32 ended;			/* 1: it stopped, its vCPUs no longer run */
	keel_u64 vmm_pid;		/* KEEL_HC_VM_CREATE's RBX; 0 for the others */
	keel_u64 mem_bytes;		/* its RAM, or the sum of its memory slots */
	keel_u64 run_ns;		/* its vCPUs' KEEL_STAT_RUN_NS */
	keel_u64 exits;			/* its vCPUs' KEEL_STAT_EXITS */
	char name[KEEL_VM_NAME_LEN];	/* NUL-terminated */
};

_Static_assert(sizeof(struct keel_vm_info) == 64, "keel_vm_info size");
_Static_assert(__builtin_offsetof(struct keel_vm_info, vmm_pid) == 16, "vmm_pid");
_Static_assert(__builtin_offsetof(struct keel_vm_info, mem_bytes) == 24, "mem_bytes");
_Static_assert(__builtin_offsetof(struct keel_vm_info, run_ns) == 32, "run_ns");
_Static_assert(__builtin_offsetof(struct keel_vm_info, exits) == 40, "exits");
_Static_assert(__builtin_offsetof(struct keel_vm_info, name) == 48, "name");

struct keel_log_chunk {
	keel_u64 seq;			/* the sequence number of data[0] */
	keel_u64 len;			/* bytes in data */
	char data[];
};

_Static_assert(sizeof(struct keel_log_chunk) == 16, "keel_log_chunk size");

struct keel_memslot {
	keel_u32 slot;			/* < KEEL_MAX_MEMSLOTS */
	keel_u32 flags;			/* KEEL_MEM_* */
	keel_u64 gpa;
	keel_u64 size;			/* 0 deletes the slot */
};

_Static_assert(sizeof(struct keel_memslot) == 24, "keel_memslot size");
_Static_assert(__builtin_offsetof(struct keel_memslot, gpa) == 8, "gpa");
_Static_assert(__builtin_offsetof(struct keel_memslot, size) == 16, "size");

struct keel_msr_entry {
	keel_u32 index;
	keel_u32 reserved;
	keel_u64 data;
};

_Static_assert(sizeof(struct keel_msr_entry) == 16, "keel_msr_entry size");

/*
 * flags: KVM's (struct kvm_cpuid_entry2); Keel looks up entries by this one,
 * and compares all of them for KEEL_HC_VCPU_CPUID after a run.
 */
#define KEEL_CPUID_SIGNIFICANT_INDEX 1	/* the entry is for this subleaf only */

struct keel_cpuid_entry {
	keel_u32 function, index, flags;
	keel_u32 eax, ebx, ecx, edx;
	keel_u32 pad;
};

_Static_assert(sizeof(struct keel_cpuid_entry) == 32, "keel_cpuid_entry size");

/* KEEL_HC_MSR_FILTER's argument: bit i of range r's bitmap is MSR base + i. */
struct keel_msr_range {
	keel_u32 flags;		/* KEEL_MSR_FILTER_READ | _WRITE; 0 with nmsrs 0: unused */
	keel_u32 nmsrs;		/* at most KEEL_MSR_FILTER_BITMAP * 8 */
	keel_u32 base;
	keel_u32 pad;
};

struct keel_msr_filter {
	keel_u32 flags;		/* KEEL_MSR_FILTER_DEFAULT_DENY */
	keel_u32 pad;
	struct keel_msr_range ranges[KEEL_MSR_FILTER_RANGES];
	keel_u8 bitmaps[KEEL_MSR_FILTER_RANGES][KEEL_MSR_FILTER_BITMAP];
};

_Static_assert(sizeof(struct keel_msr_range) == 16, "keel_msr_range size");
_Static_assert(sizeof(struct keel_msr_filter) == 8 + 16 * 16 + 16 * 0x600, "keel_msr_filter size");

/* A segment register as KVM's struct kvm_segment lays it out. */
struct keel_segment {
	keel_u64 base;
	keel_u32 limit;
	keel_u16 selector;
	keel_u8 type, present, dpl, db, s, l, g, avl, unusable, pad;
};

_Static_assert(sizeof(struct keel_segment) == 24, "keel_segment size");
_Static_assert(__builtin_offsetof(struct keel_segment, selector) == 12, "selector");
_Static_assert(__builtin_offsetof(struct keel_segment, unusable) == 22, "unusable");

struct keel_dtable {
	keel_u64 base;
	keel_u16 limit;
	keel_u16 pad[3];
};

_Static_assert(sizeof(struct keel_dtable) == 16, "keel_dtable size");

/* GPRs in the SDM's order: RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8-R15. */
struct keel_regs {
	keel_u64 gpr[16];
	keel_u64 rip;
	keel_u64 rflags;
};

_Static_assert(sizeof(struct keel_regs) == 144, "keel_regs size");

/* Segments in the order ES, CS, SS, DS, FS, GS, LDTR, TR. */
struct keel_sregs {
	struct keel_segment seg[8];
	struct keel_dtable gdt, idt;
	keel_u64 cr0, cr2, cr3, cr4, cr8, efer, apic_base;
};

_Static_assert(sizeof(struct keel_sregs) == 280, "keel_sregs size");
_Static_assert(__builtin_offsetof(struct keel_sregs, gdt) == 192, "gdt");
_Static_assert(__builtin_offsetof(struct keel_sregs, cr0) == 224, "cr0");

/* keel_vcpu_dump.state: where the vCPU is in its life (docs/architecture.md, "vCPU lifecycle"). */
#define KEEL_VCPU_IDLE 0		/* a /dev/kvm vCPU outside KVM_RUN */
#define KEEL_VCPU_PARKED 1		/* not started, or stopped by INIT */
#define KEEL_VCPU_RUNNABLE 2
#define KEEL_VCPU_RUNNING 3
#define KEEL_VCPU_BLOCKED 4		/* in HLT until an interrupt */
#define KEEL_VCPU_FROZEN 5		/* held still by a state call */
#define KEEL_VCPU_DEAD 6
#define KEEL_DUMP_REGS 1		/* regs and sregs are filled in */

struct keel_vcpu_dump {
	keel_u32 state;			/* KEEL_VCPU_* */
	keel_u32 cpu;			/* the CPU it runs or last ran on */
	keel_u32 flags;			/* KEEL_DUMP_* */
	keel_u32 pad;
	keel_u64 entries;		/* guest entries so far */
	struct keel_regs regs;
	struct keel_sregs sregs;
};

_Static_assert(sizeof(struct keel_vcpu_dump) == 448, "keel_vcpu_dump size");
_Static_assert(__builtin_offsetof(struct keel_vcpu_dump, regs) == 24, "regs");
_Static_assert(__builtin_offsetof(struct keel_vcpu_dump, sregs) == 168, "sregs");

/*
 * The events waiting to go in at the next entry and what blocks them, as
 * KVM's struct kvm_vcpu_events has them (one exception, interrupt or NMI
 * being delivered; shadow: KEEL_SHADOW_* bits).
 */
struct keel_events {
	keel_u8 exception_injected, exception_nr, exception_has_error, interrupt_injected;
	keel_u32 exception_error;
	keel_u8 interrupt_nr, interrupt_soft, shadow, nmi_injected;
	keel_u8 nmi_pending, nmi_masked, pad[2];
};

#define KEEL_SHADOW_MOV_SS 1
#define KEEL_SHADOW_STI 2

_Static_assert(sizeof(struct keel_events) == 16, "keel_events size");

struct keel_debugregs {
	keel_u64 db[4], dr6, dr7;
};

_Static_assert(sizeof(struct keel_debugregs) == 48, "keel_debugregs size");

/*
 * A vCPU's page, shared by Keel and the control guest's kernel (never its
 * user space). Keel writes exit_reason, flags and exit at each return of
 * KEEL_HC_VCPU_RUN and the state parts at KEEL_STATE_GET; it reads the
 * data of a completed read and the parts of KEEL_STATE_SET, each once.
 */
/* The XSAVE image of x87, SSE and AVX in standard form: AVX ends at 576 + 256 (SDM Vol. 1 13.4) */
#define KEEL_XSAVE_SIZE 832
/* A string IN's read-ahead, in bytes, as KVM's (its emulator's struct read_cache). */
#define KEEL_PIO_MAX 1024

struct keel_run {
	keel_u32 exit_reason;		/* KEEL_EXIT_* */
	keel_u32 flags;			/* KEEL_RUN_* */
	keel_u64 cr8;			/* the task priority (CR8): the module's at each run, Keel's at exits */
	keel_u64 apic_base;
	keel_u32 request;		/* KEEL_REQ_*: the module's wishes for this run */
	keel_u32 interrupt;		/* KEEL_IRQ_PENDING | vector: inject at the next entry */
	union {
		struct {
			keel_u16 port;
			keel_u8 size;		/* 1, 2 or 4 */
			keel_u8 in;
			keel_u32 count;		/* 1, or an INS's read-ahead: size * count <= KEEL_PIO_MAX */
			keel_u64 data;		/* an OUT's value; an IN's come in pio */
		} io;
		struct {
			keel_u64 gpa;
			keel_u64 data;
			keel_u32 len;		/* 1, 2, 4 or 8 */
			keel_u32 write;
		} mmio;
		struct {
			keel_u64 gpa;
			keel_u32 write;
			keel_u32 pad;
		} fault;
		struct {
			keel_u64 reason;	/* VMX exit reason or SVM exit code */
			keel_u64 qual;
		} fail_entry;
		struct {
			keel_u32 suberror;	/* KEEL_INTERNAL_* */
			keel_u32 ndata;
			keel_u64 data[4];
		} internal;
		struct {
			keel_u32 vector;	/* KEEL_EXIT_IOAPIC_EOI */
			keel_u32 pad;
		} eoi;
		struct {
			keel_u32 index;
			keel_u32 reason;	/* one KEEL_MSR_EXIT_* */
			keel_u64 data;		/* a WRMSR's value; the VMM's for a RDMSR */
			keel_u32 write;
			keel_u32 error;		/* the VMM's: not 0 raises #GP */
		} msr;
		keel_u64 pad[6];
	} exit;
	struct keel_regs regs;
	struct keel_sregs sregs;
	keel_u64 run_delay;		/* the module's at each run: its thread's wait to run, ns (steal time) */
	keel_u8 xsave[KEEL_XSAVE_SIZE];
	keel_u64 xcr0;
	struct keel_events events;
	struct keel_debugregs debugregs;
	keel_u32 mp_state;		/* KEEL_MP_*, KVM's numbers */
	keel_u32 in_keel;		/* Keel's: 1 while its scheduler holds the vCPU (KEEL_RUN_QUEUED) */
	keel_u8 lapic[1024];		/* the xAPIC register page, KVM's struct kvm_lapic_state */
	keel_u8 pio[KEEL_PIO_MAX];	/* the data of the IN that exited: count elements of size */
};

/* KVM_MP_STATE_* (api.rst 4.38): what the vCPU waits for, with the in-kernel LAPIC. */
#define KEEL_MP_RUNNABLE 0
#define KEEL_MP_UNINITIALIZED 1	/* an AP before its first INIT */
#define KEEL_MP_INIT_RECEIVED 2	/* waits for a SIPI */
#define KEEL_MP_HALTED 3
#define KEEL_MP_SIPI_RECEIVED 4	/* set only: INIT_RECEIVED with a SIPI pending */

#define KEEL_RUN_IF 1		/* RFLAGS.IF at the exit */
#define KEEL_RUN_READY 2	/* an interrupt can be injected now (KVM's ready_for_interrupt_injection) */

#define KEEL_REQ_IRQ_WINDOW 1	/* exit (KEEL_EXIT_IRQ_WINDOW) once an interrupt can be injected */
#define KEEL_REQ_NMI 2		/* raise an NMI (KVM_NMI) */

#define KEEL_IRQ_PENDING 0x100

_Static_assert(sizeof(struct keel_run) == 3472, "keel_run size");
_Static_assert(__builtin_offsetof(struct keel_run, pio) == 2448, "pio");
_Static_assert(__builtin_offsetof(struct keel_run, lapic) == 1424, "lapic");
_Static_assert(__builtin_offsetof(struct keel_run, events) == 1352, "events");
_Static_assert(__builtin_offsetof(struct keel_run, debugregs) == 1368, "debugregs");
_Static_assert(__builtin_offsetof(struct keel_run, xsave) == 512, "xsave");
_Static_assert(__builtin_offsetof(struct keel_run, xcr0) == 1344, "xcr0");
_Static_assert(__builtin_offsetof(struct keel_run, request) == 24, "request");
_Static_assert(__builtin_offsetof(struct keel_run, exit) == 32, "exit");
_Static_assert(__builtin_offsetof(struct keel_run, regs) == 80, "regs");
_Static_assert(__builtin_offsetof(struct keel_run, sregs) == 224, "sregs");
#endif /* __ASSEMBLY__ */

#endif
