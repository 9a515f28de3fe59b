/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest library: console, exit, checks, traps, MSRs, multiboot
 * information. Every guest defines guest_main(); the library calls it after
 * the entry code, its IDT and the multiboot checks, and reports a pass when it
 * returns.
 *
 * Report convention: each check() is numbered in the order it runs; the
 * first one that fails prints "FAIL: <what>" and ends the VM with its number
 * as the exit status (capped at EXIT_LAST_CHECK). An unexpected exception
 * ends it with EXIT_BAD_TRAP. Success prints "PASS: N checks" and exits 0.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include "layout.h"
#include "x86.h"

#define __printf(a, b)	__attribute__((format(printf, a, b)))
#define __noreturn	__attribute__((noreturn))
#define __packed	__attribute__((packed))
#define __aligned(x)	__attribute__((aligned(x)))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define EXIT_PORT	0xF4
#define EXIT_LAST_CHECK	0xEF
#define EXIT_BAD_TRAP	0xFE

#define UART_BASE	0x3F8
#define UART_THR	(UART_BASE + 0)
#define UART_LSR	(UART_BASE + 5)
#define UART_SCR	(UART_BASE + 7)
#define UART_LSR_THRE	0x20

/* lib.c: console, exit, checks, a few string functions */
void putchar(int c);
void puts(const char *s);
int printf(const char *fmt, ...) __printf(1, 2);
int vprintf(const char *fmt, va_list ap);
__noreturn void guest_exit(u32 status);
void check(bool ok, const char *what);
void checkf(bool ok, const char *fmt, ...) __printf(2, 3);
void check_eq(u64 got, u64 want, const char *what);
__noreturn void fail(const char *fmt, ...) __printf(1, 2);
__noreturn void pass(void);
unsigned int checks_run(void);
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strncmp(const char *a, const char *b, size_t n);
void delay_cycles(u64 cycles);

/* Each guest provides these. */
void guest_main(void);
void ap_start(unsigned long magic, unsigned long ebx);	/* optional (weak) */

/* entry.S */
extern u32 entry_state[ES_SLOTS];
extern u32 ap_entry_state[MAX_CPUS][AS_SLOTS];
extern char ap_entry[];
extern u64 gdt[GDT_ENTRIES];
__noreturn void halt_forever(void);

/* trap.c: the IDT. A frame as trap.S builds it. */
struct trap_frame {
#ifdef __x86_64__
	unsigned long r15, r14, r13, r12, r11, r10, r9, r8;
	unsigned long bp, di, si, dx, cx, bx, ax;
#else
	unsigned long di, si, bp, sp_unused, bx, dx, cx, ax;
#endif
	unsigned long vector, error, ip, cs, flags;
#ifdef __x86_64__
	unsigned long sp, ss;
#endif
};

/* The last exception taken under ASM_TRY_BEGIN / ASM_TRY_END. */
struct trap_record {
	unsigned long vector;	/* TRAP_NONE if none */
	unsigned long error;	/* error code, 0 if the vector has none */
	unsigned long ip;	/* RIP/EIP the CPU saved */
	unsigned long fixup;	/* where execution resumed (the ASM_TRY_END) */
	unsigned long cr2;	/* CR2, for #PF */
};

#define TRAP_NONE	((unsigned long)-1)
#define DE_VECTOR	0
#define BP_VECTOR	3
#define UD_VECTOR	6
#define DF_VECTOR	8
#define GP_VECTOR	13
#define PF_VECTOR	14

extern volatile struct trap_record last_trap;
extern volatile unsigned long trap_fixup;	/* armed resume address, 0 if none */
extern volatile unsigned long trap_insn;	/* first instruction after ASM_TRY_BEGIN */

/*
 * Bracket instructions that may fault: an exception between the two resumes
 * after ASM_TRY_END with last_trap filled in; none leaves last_trap.vector
 * TRAP_NONE. Outputs of the faulting instruction are then undefined. Asm
 * using these must clobber "memory".
 */
#define ASM_TRY_BEGIN \
	"mov" _ASM_PTR " $-1, last_trap\n\t" \
	"mov" _ASM_PTR " $1998f, trap_fixup\n\t" \
	"mov" _ASM_PTR " $1999f, trap_insn\n" \
	"1999:\n\t"
#define ASM_TRY_END \
	"\n1998:\n\t" \
	"mov" _ASM_PTR " $0, trap_fixup\n\t"

typedef void (*irq_handler_t)(struct trap_frame *f);

void idt_init(void);
void idt_load(void);
void set_irq_handler(unsigned int vector, irq_handler_t h);
/* Marks @vector's IDT gate present or not (delivery through a gate that is not: #NP). */
void set_gate_present(unsigned int vector, bool present);
const char *vector_name(unsigned long vector);
unsigned long rdmsr_safe(u32 msr, u64 *val);
unsigned long wrmsr_safe(u32 msr, u64 val);
void check_trap(unsigned long vector, unsigned long error, bool at_insn, const char *what);

/* mb.c: the multiboot information (Multiboot 0.6.96, 3.3) */
#define MB_INFO_MEM	(1 << 0)
#define MB_INFO_CMDLINE	(1 << 2)
#define MB_INFO_MMAP	(1 << 6)

struct mb_info {
	u32 flags;
	u32 mem_lower, mem_upper;
	u32 boot_device;
	u32 cmdline;
	u32 mods_count, mods_addr;
	u32 syms[4];
	u32 mmap_length, mmap_addr;
} __packed;

struct mb_mmap_entry {
	u32 size;	/* of the rest of the entry */
	u64 addr, len;
	u32 type;	/* 1: available RAM */
} __packed;

const struct mb_info *mb_info(void);
const char *cmdline(void);
bool cmdline_ulong(const char *key, unsigned long *val);

#endif
