// SPDX-License-Identifier: GPL-2.0
#include "arch/x86/apic.h"
#include "asm/processor.h"
#include "asm/msr.h"
#include "arch/x86/vectors.h"

#define ICR_BUSY BIT(12)

static bool x2;
static volatile u32 *xapic;
static bool apic_up;

bool apic_x2apic(void)
{
	return x2;
}

/* x2APIC registers are MSRs 0x800 + offset / 16 (SDM Vol. 3A 11.12.1.2). */
u32 apic_read(u32 reg)
{
	if (x2)
		return (u32)rdmsr(MSR_X2APIC_BASE + (reg >> 4));
	return xapic[reg / 4];
}

void apic_write(u32 reg, u32 v)
{
	if (x2)
		wrmsr(MSR_X2APIC_BASE + (reg >> 4), v);
	else
		xapic[reg / 4] = v;
}

u32 apic_id(void)
{
	return x2 ? apic_read(APIC_ID) : apic_read(APIC_ID) >> 24;
}

void apic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

/*
 * xAPIC mode is entered before x2APIC mode: going from disabled straight to
 * x2APIC is an invalid transition, and so is x2APIC straight to xAPIC, which
 * goes through disabled when the firmware left x2APIC on (SDM Vol. 3A 11.12.5).
 */
void apic_init(bool x2apic)
{
	u64 base = rdmsr(MSR_IA32_APIC_BASE);

	if (!x2apic && (base & APIC_BASE_EXTD)) {
		base &= ~(APIC_BASE_EN | APIC_BASE_EXTD);
		wrmsr(MSR_IA32_APIC_BASE, base);
	}
	base |= APIC_BASE_EN;
	wrmsr(MSR_IA32_APIC_BASE, base);
	if (x2apic)
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_EXTD);
	x2 = x2apic;
	xapic = (volatile u32 *)(uintptr_t)(base & ~0xfffULL & 0xffffffffffULL);
	apic_write(APIC_TPR, 0);
	apic_write(APIC_LVT_LINT0, APIC_LVT_MASKED);
	apic_write(APIC_LVT_LINT1, APIC_DM_NMI);
	apic_write(APIC_LVT_ERROR, VEC_APIC_ERROR);
	apic_write(APIC_ESR, 0);
	apic_write(APIC_SVR, BIT(8) | VEC_SPURIOUS);
	apic_up = true;
}

static void icr_wait(void)
{
	if (x2)
		return;	/* x2APIC ICR writes have no delivery status to poll */
	for (int i = 0; i < 1000000 && (apic_read(APIC_ICR) & ICR_BUSY); i++)
		cpu_relax();
}

void apic_send_ipi(u32 dest, u32 icr)
{
	if (x2) {
		wrmsr(MSR_X2APIC_BASE + (APIC_ICR >> 4), ((u64)dest << 32) | icr);
		return;
	}
	apic_write(APIC_ICR_HI, dest << 24);
	apic_write(APIC_ICR, icr);
	icr_wait();
}

void apic_send_nmi_others(void)
{
	if (apic_up)
		apic_send_ipi(0, APIC_DEST_ALLBUT | APIC_DM_NMI | APIC_LEVEL_ASSERT);
}
