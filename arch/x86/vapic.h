/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control guest's local APICs: struct vlapic (the register model) wired
 * to Keel's vCPUs, timers, IPIs and the physical interrupts the control
 * guest owns (arch/x86/vapic.c says how).
 */
#ifndef KEEL_X86_VAPIC_H
#define KEEL_X86_VAPIC_H

#include "arch/x86/regs.h"
#include "arch/x86/vlapic.h"
#include "kernel/types.h"

struct vcpu;
struct vm;

/* Takes the device vectors and the kick IPI (VEC_KICK) for the control guest. */
void vapic_setup(void);
/* A vLAPIC for @v, which runs only on physical CPU @cpu and carries its APIC ID. */
int vapic_create(struct vcpu *v, unsigned int cpu, bool bsp);
void vapic_free(struct vcpu *v);
/* The xAPIC page at 0xFEE00000 on the VM's MMIO bus. */
int vapic_add_mmio(struct vm *vm);
/* IA32_APIC_BASE, the x2APIC MSRs and IA32_TSC_DEADLINE: 0, -EPERM (#GP), or -ENOENT (not an APIC MSR). */
int vapic_msr_read(struct vcpu *v, u32 msr, u64 *val);
int vapic_msr_write(struct vcpu *v, u32 msr, u64 val);
/* The vector to inject next, or -1; vapic_ack() once it is injected. */
int vapic_pending(struct vcpu *v);
void vapic_ack(struct vcpu *v, u8 vector);
/* The timer: its TSC deadline (0: stopped), and its expiry once due. */
u64 vapic_deadline(const struct vcpu *v);
void vapic_check_timer(struct vcpu *v);
/* INIT for a running vCPU: is one pending; take it (the vLAPIC is reset, the vCPU must park). */
bool vapic_init_pending(const struct vcpu *v);
bool vapic_take_init(struct vcpu *v);
/* The parked vCPU is off its CPU: it waits for a SIPI. */
void vapic_parked(struct vcpu *v);
/* An interrupt message (IPI, I/O APIC or device) to the vCPUs of @vm it names; @src sent it, or NULL. */
void vapic_deliver(struct vm *vm, const struct vlapic_ipi *m, struct vcpu *src);
/* Physical device vectors (0x20-0xEB) go to the control vCPU of the CPU that took them. */
void vapic_device_irq(struct regs *r);

#endif
