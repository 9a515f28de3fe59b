// SPDX-License-Identifier: GPL-2.0
/*
 * The physical I/O APICs belong to the control guest, but through Keel: its
 * accesses to their register windows (82093AA datasheet, 3.0) are carried
 * out by Keel under one lock, so Keel can read redirection entries between
 * them (the index/data pair is not atomic), and every entry the guest writes
 * is checked: a fixed or lowest-priority interrupt must use a device vector
 * (0x20-0xEB); SMI, NMI and INIT deliveries are refused, or a device could
 * stop a CPU, and so is ExtINT, whose vector the guest's 8259 would choose
 * (any, Keel's exception vectors included). Refused entries are written
 * masked; Linux routes through the I/O APIC directly and needs none of them.
 */
#include "arch/x86/control/ioapic_proxy.h"
#include "arch/x86/vectors.h"
#include "kernel/errno.h"
#include "kernel/keel.h"
#include "kernel/spinlock.h"
#include "kernel/vm.h"

#define IOREGSEL 0x00
#define IOWIN 0x10
#define IOAPIC_EOI 0x40
#define REG_VER 0x01
#define REG_RTE 0x10
#define RTE_MASKED BIT(16)
#define RTE_LEVEL BIT(15)
#define RTE_LOGICAL BIT(11)
#define DM_FIXED 0
#define DM_LOWEST 1
#define ISA_IRQS 16

static struct spinlock lock = SPINLOCK_INIT;
static u8 guest_sel[ACPI_MAX_IOAPICS];

static volatile u32 *window(unsigned int i)
{
	return (volatile u32 *)(uintptr_t)keel.acpi.ioapics[i].addr;
}

static u32 reg_read(unsigned int i, u8 reg)
{
	window(i)[IOREGSEL / 4] = reg;
	return window(i)[IOWIN / 4];
}

static void reg_write(unsigned int i, u8 reg, u32 val)
{
	window(i)[IOREGSEL / 4] = reg;
	window(i)[IOWIN / 4] = val;
}

/* A proxy's opaque is its I/O APIC's entry in keel.acpi.ioapics. */
static unsigned int index_of(const void *opaque)
{
	return (unsigned int)((const struct acpi_ioapic *)opaque - keel.acpi.ioapics);
}

/* The low word of an entry, made safe for Keel (see the top of this file). */
static u32 checked_rte(u32 val)
{
	unsigned int dm = (val >> 8) & 7, vec = val & 0xff;

	if ((dm == DM_FIXED || dm == DM_LOWEST) && vec >= VEC_DEVICE_FIRST && vec <= VEC_DEVICE_LAST)
		return val;
	return val | RTE_MASKED;
}

static int proxy_read(struct vcpu *v, void *opaque, u64 gpa, unsigned int size, u64 *val)
{
	unsigned int i = index_of(opaque);
	u64 off = gpa & (PAGE_SIZE - 1), flags;

	*val = ~0ULL;
	if (size != 4)
		return 0;
	flags = spin_lock_irqsave(&lock);
	if (off == IOREGSEL)
		*val = guest_sel[i];
	else if (off == IOWIN)
		*val = reg_read(i, guest_sel[i]);
	spin_unlock_irqrestore(&lock, flags);
	return 0;
}

static int proxy_write(struct vcpu *v, void *opaque, u64 gpa, unsigned int size, u64 val)
{
	unsigned int i = index_of(opaque);
	u64 off = gpa & (PAGE_SIZE - 1), flags;
	u8 sel;

	if (size != 4)
		return 0;
	flags = spin_lock_irqsave(&lock);
	sel = guest_sel[i];
	if (off == IOREGSEL)
		guest_sel[i] = (u8)val;
	else if (off == IOWIN && sel >= REG_RTE && !(sel & 1))
		reg_write(i, sel, checked_rte((u32)val));
	else if (off == IOWIN)
		reg_write(i, sel, (u32)val);
	else if (off == IOAPIC_EOI)
		window(i)[IOAPIC_EOI / 4] = (u32)val;
	spin_unlock_irqrestore(&lock, flags);
	return 0;
}

int ioapic_proxy_add(struct vm *vm)
{
	static const struct io_dev_ops proxy = { proxy_read, proxy_write };

	for (unsigned int i = 0; i < keel.acpi.nr_ioapics; i++) {
		int r = io_bus_register(&vm->mmio, keel.acpi.ioapics[i].addr, PAGE_SIZE, &proxy,
					&keel.acpi.ioapics[i]);

		if (r)
			return r;
	}
	return 0;
}

/* ISA IRQs are GSIs of the same number unless the MADT overrides them (ACPI 6.5 5.2.12.5). */
static u32 isa_gsi(unsigned int irq)
{
	for (unsigned int i = 0; i < keel.acpi.nr_overrides; i++)
		if (keel.acpi.overrides[i].source == irq)
			return keel.acpi.overrides[i].gsi;
	return irq;
}

static int pin_of(u32 gsi, unsigned int *pin)
{
	for (unsigned int i = 0; i < keel.acpi.nr_ioapics; i++) {
		u32 base = keel.acpi.ioapics[i].gsi_base;
		u32 n = ((reg_read(i, REG_VER) >> 16) & 0xff) + 1;

		if (gsi >= base && gsi - base < n) {
			*pin = gsi - base;
			return (int)i;
		}
	}
	return -1;
}

int ioapic_isa_message(unsigned int irq, struct vlapic_ipi *m)
{
	unsigned int pin;
	u64 flags;
	u32 lo, hi;
	int i, r = -ENOENT;

	if (irq >= ISA_IRQS)
		return -EINVAL;
	flags = spin_lock_irqsave(&lock);
	i = pin_of(isa_gsi(irq), &pin);
	if (i >= 0) {
		lo = reg_read((unsigned int)i, (u8)(REG_RTE + 2 * pin));
		hi = reg_read((unsigned int)i, (u8)(REG_RTE + 2 * pin + 1));
		if (!(lo & RTE_MASKED) && ((lo >> 8) & 7) <= DM_LOWEST) {
			*m = (struct vlapic_ipi){ .dest = hi >> 24, .vector = (u8)lo,
						  .delivery = (lo >> 8) & 7, .logical = lo & RTE_LOGICAL,
						  .level = lo & RTE_LEVEL };
			r = 0;
		}
	}
	spin_unlock_irqrestore(&lock, flags);
	return r;
}
