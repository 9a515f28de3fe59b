/* SPDX-License-Identifier: GPL-2.0 */
/* Local APIC in x2APIC mode where the CPU has it, else xAPIC (SDM Vol. 3A chapter 11). */
#ifndef KEEL_X86_APIC_H
#define KEEL_X86_APIC_H

#include "kernel/types.h"

#define APIC_ID 0x20
#define APIC_TPR 0x80
#define APIC_EOI 0xb0
#define APIC_SVR 0xf0
#define APIC_ESR 0x280
#define APIC_ICR 0x300
#define APIC_ICR_HI 0x310
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_LVT_ERROR 0x370
#define APIC_TIMER_INIT 0x380
#define APIC_TIMER_CUR 0x390
#define APIC_TIMER_DIV 0x3e0

#define APIC_DM_NMI 0x400
#define APIC_DM_INIT 0x500
#define APIC_DM_SIPI 0x600
#define APIC_LEVEL_ASSERT 0x4000
#define APIC_DEST_ALLBUT 0xc0000
#define APIC_LVT_MASKED BIT(16)
#define APIC_TIMER_PERIODIC (1u << 17)
#define APIC_TIMER_TSC_DEADLINE (2u << 17)

/* Turns this CPU's LAPIC on, in x2APIC mode when @x2apic. */
void apic_init(bool x2apic);
bool apic_x2apic(void);
u32 apic_read(u32 reg);
void apic_write(u32 reg, u32 v);
u32 apic_id(void);
void apic_eoi(void);
/* Sends an IPI (@icr low word: vector and delivery mode) to @dest and waits until it is accepted. */
void apic_send_ipi(u32 dest, u32 icr);
void apic_send_nmi_others(void);

#endif
