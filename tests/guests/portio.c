// SPDX-License-Identifier: GPL-2.0
/*
 * portio: IN/OUT of every size, by immediate and by DX, on the UART scratch
 * register and on unclaimed ports, and string I/O (OUTS/INS, with and
 * without REP, DF=0 and DF=1) checked for data, final RSI/RDI/RCX and
 * untouched neighbours (SDM Vol. 2B, INS/OUTS: the index moves by the
 * operand size, down when DF=1).
 */
#include "guest.h"

#define UNCLAIMED_A	0x80
#define UNCLAIMED_B	0x200
#define UNCLAIMED_C	0x1234
#define GUARD		0xEE

#define DEFINE_REP_OUT(name, insn)						\
static void name(u16 port, const void **src, unsigned long *count, bool down)	\
{										\
	if (down)								\
		asm volatile("std\n\trep " insn "\n\tcld"			\
			     : "+S"(*src), "+c"(*count) : "d"(port) : "memory");\
	else									\
		asm volatile("cld\n\trep " insn					\
			     : "+S"(*src), "+c"(*count) : "d"(port) : "memory");\
}

#define DEFINE_REP_IN(name, insn)						\
static void name(u16 port, void **dst, unsigned long *count, bool down)	\
{										\
	if (down)								\
		asm volatile("std\n\trep " insn "\n\tcld"			\
			     : "+D"(*dst), "+c"(*count) : "d"(port) : "memory");\
	else									\
		asm volatile("cld\n\trep " insn					\
			     : "+D"(*dst), "+c"(*count) : "d"(port) : "memory");\
}

DEFINE_REP_OUT(rep_outsb, "outsb")
DEFINE_REP_OUT(rep_outsw, "outsw")
DEFINE_REP_OUT(rep_outsl, "outsl")
DEFINE_REP_IN(rep_insb, "insb")
DEFINE_REP_IN(rep_insw, "insw")
DEFINE_REP_IN(rep_insl, "insl")

static void scratch_simple(void)
{
	outb(UART_SCR, 0xA5);
	check_eq(inb(UART_SCR), 0xA5, "OUTB/INB scratch register");
	outb(UART_SCR, 0x00);
	check_eq(inb(UART_SCR), 0x00, "OUTB/INB scratch register, zero");
	/*
	 * Wider accesses at 0x3FF: the scratch register is the low byte. What the
	 * upper bytes read (ports 0x400 and up are unclaimed) is printed only.
	 */
	outw(UART_SCR, 0x7E5A);
	check_eq(inb(UART_SCR), 0x5A, "OUTW to 0x3FF stores its low byte");
	printf("INW 0x3ff = %#x, INL 0x3ff = %#x\n", inw(UART_SCR), inl(UART_SCR));
	check_eq(inw(UART_SCR) & 0xFF, 0x5A, "INW from 0x3FF: low byte is the scratch");
	outl(UART_SCR, 0x1234567C);
	check_eq(inb(UART_SCR), 0x7C, "OUTL to 0x3FF stores its low byte");
	check_eq(inl(UART_SCR) & 0xFF, 0x7C, "INL from 0x3FF: low byte is the scratch");
	check_eq(inb(UART_LSR) & UART_LSR_THRE, UART_LSR_THRE, "LSR: THR empty");
}

static u8 inb_imm80(void)
{
	u8 v;

	asm volatile("inb $0x80, %0" : "=a"(v));
	return v;
}

static u32 inl_imm80(void)
{
	u32 v;

	asm volatile("inl $0x80, %0" : "=a"(v));
	return v;
}

static void unclaimed(void)
{
	static const u16 ports[] = { UNCLAIMED_A, UNCLAIMED_B, UNCLAIMED_C };

	check_eq(inb_imm80(), 0xFF, "INB imm8 port 0x80");
	check_eq(inl_imm80(), 0xFFFFFFFF, "INL imm8 port 0x80");
	for (unsigned int i = 0; i < ARRAY_SIZE(ports); i++) {
		u16 p = ports[i];

		outb(p, 0x12);
		outw(p, 0x3456);
		outl(p, 0x789ABCDE);
		checkf(inb(p) == 0xFF, "INB port %#x: %#x", p, inb(p));
		checkf(inw(p) == 0xFFFF, "INW port %#x: %#x", p, inw(p));
		checkf(inl(p) == 0xFFFFFFFF, "INL port %#x: %#x", p, inl(p));
	}
}

/* Prints "rep outsb, DF=n" through THR; the line shows on Keel's console. */
static void outsb_line(bool down)
{
	static const char fwd[] = "rep outsb, DF=0\n";
	char buf[sizeof(fwd)];
	unsigned long n = sizeof(fwd) - 1, cx = n;
	const void *si;

	if (!down) {
		si = fwd;
		rep_outsb(UART_THR, &si, &cx, false);
		check_eq((unsigned long)si, (unsigned long)(fwd + n), "REP OUTSB DF=0: final ESI");
	} else {
		for (unsigned long i = 0; i < n; i++)
			buf[i] = fwd[n - 1 - i];
		buf[1] = '1';		/* the "0" of "DF=0", now second */
		si = buf + n - 1;
		rep_outsb(UART_THR, &si, &cx, true);
		check_eq((unsigned long)si, (unsigned long)buf - 1, "REP OUTSB DF=1: final ESI");
	}
	check_eq(cx, 0, down ? "REP OUTSB DF=1: final ECX" : "REP OUTSB DF=0: final ECX");
}

/* REP OUTSB to the scratch register: the last byte in string order stays. */
static void outs_scratch(void)
{
	static const char abc[] = "ABC";
	const void *si = abc;
	unsigned long cx = 3;

	rep_outsb(UART_SCR, &si, &cx, false);
	check_eq(inb(UART_SCR), 'C', "REP OUTSB DF=0 to scratch: last byte C");
	si = abc + 2;
	cx = 3;
	rep_outsb(UART_SCR, &si, &cx, true);
	check_eq(inb(UART_SCR), 'A', "REP OUTSB DF=1 to scratch: last byte A");
	si = abc + 1;
	asm volatile("cld\n\toutsb" : "+S"(si) : "d"(UART_SCR) : "memory");
	check_eq(inb(UART_SCR), 'B', "OUTSB (no REP) to scratch");
	check_eq((unsigned long)si, (unsigned long)(abc + 2), "OUTSB (no REP): final ESI");
}

static void check_filled(const u8 *buf, size_t len, size_t from, size_t n, u8 v,
			 const char *what)
{
	size_t i;
	u8 want = GUARD;

	for (i = 0; i < len; i++) {
		want = i >= from && i < from + n ? v : GUARD;
		if (buf[i] != want)
			break;
	}
	checkf(i == len, "%s: byte %zu is %#x, expected %#x", what, i,
	       i < len ? buf[i] : 0, want);
}

static void insb_scratch(bool down)
{
	u8 buf[24];
	void *di;
	unsigned long cx = 16;
	const char *what = down ? "REP INSB DF=1 from scratch" : "REP INSB DF=0 from scratch";

	memset(buf, GUARD, sizeof(buf));
	outb(UART_SCR, 0x3C);
	di = down ? buf + 4 + 15 : buf + 4;
	rep_insb(UART_SCR, &di, &cx, down);
	check_filled(buf, sizeof(buf), 4, 16, 0x3C, what);
	check_eq((unsigned long)di, (unsigned long)(down ? buf + 3 : buf + 20), what);
	check_eq(cx, 0, what);
}

static void ins_unclaimed(void)
{
	u8 buf[24];
	void *di = buf + 4;
	unsigned long cx = 4;

	memset(buf, GUARD, sizeof(buf));
	rep_insw(UNCLAIMED_A, &di, &cx, false);
	check_filled(buf, sizeof(buf), 4, 8, 0xFF, "REP INSW DF=0 from port 0x80");
	check_eq((unsigned long)di, (unsigned long)(buf + 12), "REP INSW DF=0: final EDI");
	memset(buf, GUARD, sizeof(buf));
	di = buf + 16;
	cx = 4;
	rep_insl(UNCLAIMED_B, &di, &cx, true);
	check_filled(buf, sizeof(buf), 4, 16, 0xFF, "REP INSD DF=1 from port 0x200");
	check_eq((unsigned long)di, (unsigned long)buf, "REP INSD DF=1: final EDI");
	memset(buf, GUARD, sizeof(buf));
	di = buf + 4;
	cx = 0;
	rep_insb(UART_SCR, &di, &cx, false);
	check_filled(buf, sizeof(buf), 0, 0, 0, "REP INSB with ECX=0 writes nothing");
	check_eq((unsigned long)di, (unsigned long)(buf + 4), "REP INSB with ECX=0: EDI unchanged");
}

static void outs_unclaimed(void)
{
	static const u32 data[4] = { 1, 2, 3, 4 };
	const void *si = data;
	unsigned long cx = 4;

	rep_outsw(UNCLAIMED_A, &si, &cx, false);
	check_eq((unsigned long)si, (unsigned long)data + 8, "REP OUTSW DF=0: final ESI");
	si = &data[3];
	cx = 4;
	rep_outsl(UNCLAIMED_B, &si, &cx, true);
	check_eq((unsigned long)si, (unsigned long)data - 4, "REP OUTSD DF=1: final ESI");
	check_eq(cx, 0, "REP OUTSD DF=1: final ECX");
}

void guest_main(void)
{
	scratch_simple();
	unclaimed();
	outsb_line(false);
	outsb_line(true);
	outs_scratch();
	insb_scratch(false);
	insb_scratch(true);
	ins_unclaimed();
	outs_unclaimed();
	check(!(read_flags() & X86_EFLAGS_DF), "DF clear at the end");
}
