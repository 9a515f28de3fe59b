// SPDX-License-Identifier: GPL-2.0
#include "asm/processor-flags.h"
#include "asm/processor.h"
#include "asm/cpu.h"
#include "asm/msr.h"
#include "arch/x86/vectors.h"
#include "kernel/keel.h"
#include "kernel/percpu.h"
#include "kernel/string.h"

struct idt_entry {
	u16 offset0;
	u16 selector;
	u8 ist;
	u8 type;
	u16 offset1;
	u32 offset2;
	u32 reserved;
} __packed;

_Static_assert(sizeof(struct idt_entry) == 16, "64-bit IDT gate is 16 bytes (SDM Vol. 3A 6.14.1)");

struct desc_ptr {
	u16 limit;
	u64 base;
} __packed;

#define GATE_INTERRUPT 0x8e	/* present, DPL 0, 64-bit interrupt gate */
#define TRAP_STUB_SIZE 16

extern const u8 trap_stubs[];
static struct idt_entry idt[256] __aligned(16);

static u8 ist_of(unsigned int vector)
{
	switch (vector) {
	case X86_EXC_NMI: return IST_NMI;
	case X86_EXC_DF: return IST_DF;
	case X86_EXC_MC: return IST_MC;
	default: return 0;
	}
}

void idt_init(void)
{
	for (unsigned int v = 0; v < 256; v++) {
		u64 addr = (u64)(uintptr_t)(trap_stubs + v * TRAP_STUB_SIZE);

		idt[v] = (struct idt_entry){
			.offset0 = addr & 0xffff,
			.selector = GDT_CS,
			.ist = ist_of(v),
			.type = GATE_INTERRUPT,
			.offset1 = (addr >> 16) & 0xffff,
			.offset2 = addr >> 32,
		};
	}
}

static void gdt_fill(struct cpu_arch *a)
{
	u64 tss = (u64)(uintptr_t)&a->tss;
	u64 limit = sizeof(a->tss) - 1;

	a->gdt[0] = 0;
	a->gdt[1] = 0x00af9a000000ffffULL;	/* 64-bit code, DPL 0 */
	a->gdt[2] = 0x00cf92000000ffffULL;	/* data */
	/* 16-byte available 64-bit TSS descriptor (SDM Vol. 3A 8.2.3) */
	a->gdt[3] = (limit & 0xffff) | ((tss & 0xffffff) << 16) | (0x89ULL << 40) |
		    ((limit >> 16) << 48) | (((tss >> 24) & 0xff) << 56);
	a->gdt[4] = tss >> 32;
}

static void load_tables(struct cpu_arch *a)
{
	struct desc_ptr gdtr = { sizeof(a->gdt) - 1, (u64)(uintptr_t)a->gdt };
	struct desc_ptr idtr = { sizeof(idt) - 1, (u64)(uintptr_t)idt };

	asm volatile("lgdt %0\n\t"
		     "pushq %1\n\t"
		     "leaq 1f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     "lretq\n"
		     "1:\n\t"
		     "movl %2, %%eax\n\t"
		     "movl %%eax, %%ds\n\t"
		     "movl %%eax, %%es\n\t"
		     "movl %%eax, %%ss\n\t"
		     : : "m"(gdtr), "i"(GDT_CS), "i"(GDT_DS) : "rax", "memory");
	asm volatile("ltr %w0" : : "r"(GDT_TSS));
	asm volatile("lidt %0" : : "m"(idtr));
}

void cpu_init(struct percpu *pc, u64 ist_base)
{
	struct cpu_arch *a = &pc->arch;

	memset(&a->tss, 0, sizeof(a->tss));
	a->tss.ist[IST_NMI - 1] = ist_base + 1 * IST_STACK_SIZE;
	a->tss.ist[IST_DF - 1] = ist_base + 2 * IST_STACK_SIZE;
	a->tss.ist[IST_MC - 1] = ist_base + 3 * IST_STACK_SIZE;
	a->tss.iomap_base = sizeof(a->tss);	/* no I/O bitmap */
	gdt_fill(a);
	load_tables(a);
	pc->self = pc;
	wrmsr(MSR_GS_BASE, (u64)(uintptr_t)pc);
}

/*
 * Keel itself uses no x87, SSE or AVX; CR4.OSXSAVE is set because XSAVE,
 * XRSTOR, XGETBV and XSETBV, with which Keel switches the guests' state
 * (vcpu.c), are #UD without it (SDM Vol. 2C), and XCR0 holds every
 * component Keel switches, as VM entry and VMRUN leave XCR0 alone.
 */
void cpu_xstate_init(void)
{
	if (!keel.cpu.xcr0)
		return;
	write_cr4(read_cr4() | X86_CR4_OSXSAVE);
	xsetbv(0, keel.cpu.xsave_mask);
}
