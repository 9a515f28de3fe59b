// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>

#include "asm/processor.h"
#include "asm/machine.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"

static volatile int panicking;
static volatile unsigned int cpus_stopped;

bool panic_in_progress(void)
{
	return panicking;
}

void cpu_stop(void)
{
	irq_disable();
	__atomic_fetch_add(&cpus_stopped, 1, __ATOMIC_SEQ_CST);
	for (;;)
		halt();
}

static void dump_regs(const struct regs *r)
{
	pr_err("RIP %016llx RSP %016llx RFLAGS %08llx CS %04llx SS %04llx\n",
	       (unsigned long long)r->rip, (unsigned long long)r->rsp, (unsigned long long)r->rflags,
	       (unsigned long long)r->cs, (unsigned long long)r->ss);
	pr_err("RAX %016llx RBX %016llx RCX %016llx RDX %016llx\n", (unsigned long long)r->rax,
	       (unsigned long long)r->rbx, (unsigned long long)r->rcx, (unsigned long long)r->rdx);
	pr_err("RSI %016llx RDI %016llx RBP %016llx R8  %016llx\n", (unsigned long long)r->rsi,
	       (unsigned long long)r->rdi, (unsigned long long)r->rbp, (unsigned long long)r->r8);
	pr_err("R9  %016llx R10 %016llx R11 %016llx R12 %016llx\n", (unsigned long long)r->r9,
	       (unsigned long long)r->r10, (unsigned long long)r->r11, (unsigned long long)r->r12);
	pr_err("R13 %016llx R14 %016llx R15 %016llx\n", (unsigned long long)r->r13,
	       (unsigned long long)r->r14, (unsigned long long)r->r15);
	pr_err("CR0 %016llx CR2 %016llx CR3 %016llx CR4 %016llx\n", (unsigned long long)read_cr0(),
	       (unsigned long long)read_cr2(), (unsigned long long)read_cr3(),
	       (unsigned long long)read_cr4());
}

/* Frame-pointer walk; stops at the first frame that is not on this CPU's stack. */
static void backtrace(u64 rbp)
{
	u64 top = this_cpu()->stack_top;

	pr_err("backtrace:\n");
	for (int i = 0; i < 16 && IS_ALIGNED(rbp, 8) && rbp >= top - STACK_SIZE && rbp + 16 <= top; i++) {
		const u64 *frame = (const u64 *)(uintptr_t)rbp;

		pr_err("  [%d] %016llx\n", i, (unsigned long long)frame[1]);
		rbp = frame[0];
	}
}

static void __noreturn vpanic(const struct regs *r, const char *fmt, va_list ap)
{
	irq_disable();
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_SEQ_CST))
		cpu_stop();	/* another CPU (or a nested fault) is already panicking */
	machine_stop_others();
	for (int i = 0; i < 1000000 && cpus_stopped < nr_cpus_online - 1; i++)
		cpu_relax();
	printk_break_lock();
	pr_err("keel: PANIC on cpu %u: ", this_cpu()->cpu);
	vprintk(LOG_ERR, fmt, ap);
	pr_err("\n");
	if (r)
		dump_regs(r);
	backtrace(r ? r->rbp : (u64)(uintptr_t)__builtin_frame_address(0));
	pr_err("keel: stopped %u of %u other cpus\n", cpus_stopped, nr_cpus_online - 1);
	machine_panic_exit();
	cpu_stop();
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic(NULL, fmt, ap);
}

void panic_regs(const struct regs *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic(r, fmt, ap);
}
