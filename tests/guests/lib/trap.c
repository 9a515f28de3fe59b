// SPDX-License-Identifier: GPL-2.0
/*
 * The IDT: every vector goes to trap_handler(). A vector with a registered
 * handler (interrupts) calls it; any other exception resumes at the armed
 * ASM_TRY fixup after recording itself, or fails the guest.
 */
#include "guest.h"

#ifdef __x86_64__
struct idt_gate {
	u16 off0, sel;
	u8 ist, type;
	u16 off1;
	u32 off2, zero;
} __packed;
#else
struct idt_gate {
	u16 off0, sel;
	u8 zero, type;
	u16 off1;
} __packed;
#endif

struct desc_ptr {
	u16 limit;
	unsigned long base;
} __packed;

#define GATE_INTR	0x8E	/* present, DPL 0, interrupt gate (IF cleared) */

extern char trap_stubs[];
static struct idt_gate idt[256] __aligned(16);
static irq_handler_t irq_handlers[256];

volatile struct trap_record last_trap = { .vector = TRAP_NONE };
volatile unsigned long trap_fixup;
volatile unsigned long trap_insn;

static const char *const names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
	"#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
	"#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "#22", "#23",
	"#24", "#25", "#26", "#27", "#HV", "#VC", "#SX", "#31",
};

const char *vector_name(unsigned long vector)
{
	if (vector == TRAP_NONE)
		return "no exception";
	return vector < 32 ? names[vector] : "interrupt";
}

static void set_gate(unsigned int v, unsigned long addr)
{
	struct idt_gate *g = &idt[v];

	g->off0 = addr;
	g->sel = SEL_CODE32;
#ifdef __x86_64__
	g->sel = SEL_CODE64;
	g->off2 = (u64)addr >> 32;
#endif
	g->type = GATE_INTR;
	g->off1 = addr >> 16;
}

void idt_load(void)
{
	struct desc_ptr d = { sizeof(idt) - 1, (unsigned long)idt };

	asm volatile("lidt %0" : : "m"(d) : "memory");
}

void idt_init(void)
{
	for (unsigned int v = 0; v < 256; v++)
		set_gate(v, (unsigned long)trap_stubs + 16 * v);
	idt_load();
}

void set_irq_handler(unsigned int vector, irq_handler_t h)
{
	irq_handlers[vector & 0xFF] = h;
}

void set_gate_present(unsigned int vector, bool present)
{
	struct idt_gate *g = &idt[vector & 0xFF];

	g->type = present ? GATE_INTR : GATE_INTR & 0x7F;
}

void trap_handler(struct trap_frame *f);
void trap_handler(struct trap_frame *f)
{
	irq_handler_t h = irq_handlers[f->vector & 0xFF];

	if (h) {
		h(f);
		return;
	}
	if (!trap_fixup) {
		printf("FAIL: unexpected %s (vector %lu) error %#lx at %#lx\n",
		       vector_name(f->vector), f->vector, f->error, f->ip);
		guest_exit(EXIT_BAD_TRAP);
	}
	last_trap.error = f->error;
	last_trap.ip = f->ip;
	last_trap.fixup = trap_fixup;
	last_trap.cr2 = f->vector == PF_VECTOR ? read_cr2() : 0;
	last_trap.vector = f->vector;
	f->ip = trap_fixup;
	trap_fixup = 0;
}

/*
 * Checks that the last ASM_TRY took @vector with @error, and that the saved
 * RIP was the faulting instruction (@at_insn, a fault) or the one after it
 * (a trap such as #BP; SDM Vol. 3A 6.5).
 */
void check_trap(unsigned long vector, unsigned long error, bool at_insn, const char *what)
{
	unsigned long want_ip = at_insn ? trap_insn : last_trap.fixup;

	checkf(last_trap.vector == vector, "%s: %s, expected %s", what,
	       vector_name(last_trap.vector), vector_name(vector));
	checkf(last_trap.error == error, "%s: error code %#lx, expected %#lx", what,
	       last_trap.error, error);
	checkf(last_trap.ip == want_ip, "%s: saved RIP %#lx, expected %#lx", what,
	       last_trap.ip, want_ip);
}

unsigned long rdmsr_safe(u32 msr, u64 *val)
{
	u32 lo = 0, hi = 0;

	asm volatile(ASM_TRY_BEGIN "rdmsr" ASM_TRY_END
		     : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
	*val = (u64)hi << 32 | lo;
	return last_trap.vector;
}

unsigned long wrmsr_safe(u32 msr, u64 val)
{
	asm volatile(ASM_TRY_BEGIN "wrmsr" ASM_TRY_END
		     : : "c"(msr), "a"((u32)val), "d"((u32)(val >> 32)) : "memory");
	return last_trap.vector;
}
