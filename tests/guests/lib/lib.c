// SPDX-License-Identifier: GPL-2.0
/* Console on the 16550 at 0x3F8, exit through port 0xF4, numbered checks. */
#include "guest.h"

static unsigned int nr_checks;

/* Wait for the transmit holding register to empty (LSR bit 5), then send. */
void putchar(int c)
{
	while (!(inb(UART_LSR) & UART_LSR_THRE))
		pause();
	outb(UART_THR, c);
}

void puts(const char *s)
{
	while (*s)
		putchar(*s++);
}

/* Divides *n by base, returning the remainder; no libgcc in 32-bit builds. */
static unsigned int div_base(unsigned long long *n, unsigned int base)
{
#ifdef __x86_64__
	unsigned int rem = *n % base;

	*n /= base;
	return rem;
#else
	u32 hi = *n >> 32, lo = *n, qhi = hi / base, rem;

	hi %= base;
	asm("divl %4" : "=a"(lo), "=d"(rem) : "a"(lo), "d"(hi), "rm"(base));
	*n = (unsigned long long)qhi << 32 | lo;
	return rem;
#endif
}

struct spec {
	bool zero, alt, left;
	int width;
	int len;	/* 0 int, 1 long, 2 long long */
};

static int put_padded(const char *s, int n, const struct spec *sp)
{
	int pad = sp->width > n ? sp->width - n : 0, out = 0;

	while (!sp->left && pad-- > 0 && ++out)
		putchar(sp->zero ? '0' : ' ');
	for (int i = 0; i < n; i++, out++)
		putchar(s[i]);
	while (sp->left && pad-- > 0 && ++out)
		putchar(' ');
	return out;
}

static int put_number(unsigned long long v, bool neg, unsigned int base,
		      const struct spec *sp)
{
	char buf[24];
	int i = sizeof(buf);

	do {
		buf[--i] = "0123456789abcdef"[div_base(&v, base)];
	} while (v);
	if (sp->alt && base == 16) {
		buf[--i] = 'x';
		buf[--i] = '0';
	}
	if (neg)
		buf[--i] = '-';
	return put_padded(buf + i, sizeof(buf) - i, sp);
}

static unsigned long long arg_unsigned(va_list *ap, int len)
{
	if (len == 2)
		return va_arg(*ap, unsigned long long);
	if (len == 1)
		return va_arg(*ap, unsigned long);
	return va_arg(*ap, unsigned int);
}

static long long arg_signed(va_list *ap, int len)
{
	if (len == 2)
		return va_arg(*ap, long long);
	if (len == 1)
		return va_arg(*ap, long);
	return va_arg(*ap, int);
}

static const char *parse_spec(const char *f, struct spec *sp)
{
	*sp = (struct spec){ 0 };
	for (;; f++) {
		if (*f == '0')
			sp->zero = true;
		else if (*f == '#')
			sp->alt = true;
		else if (*f == '-')
			sp->left = true;
		else
			break;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + *f++ - '0';
	while (*f == 'l' || *f == 'z') {
		sp->len++;
		f++;
	}
	return f;
}

/* Supports %d %i %u %x %p %s %c %%, flags 0 # -, a width, l ll z. */
int vprintf(const char *fmt, va_list ap)
{
	va_list aq;
	int out = 0;

	va_copy(aq, ap);
	for (const char *f = fmt; *f; f++) {
		struct spec sp;
		long long s;
		const char *str;

		if (*f != '%') {
			putchar(*f);
			out++;
			continue;
		}
		f = parse_spec(f + 1, &sp);
		switch (*f) {
		case 'd':
		case 'i':
			s = arg_signed(&aq, sp.len);
			out += put_number(s < 0 ? -(unsigned long long)s : (unsigned long long)s,
					  s < 0, 10, &sp);
			break;
		case 'u':
			out += put_number(arg_unsigned(&aq, sp.len), false, 10, &sp);
			break;
		case 'x':
			out += put_number(arg_unsigned(&aq, sp.len), false, 16, &sp);
			break;
		case 'p':
			sp.alt = true;
			out += put_number((unsigned long)va_arg(aq, void *), false, 16, &sp);
			break;
		case 's':
			str = va_arg(aq, const char *);
			str = str ? str : "(null)";
			out += put_padded(str, strlen(str), &sp);
			break;
		case 'c':
			putchar(va_arg(aq, int));
			out++;
			break;
		case '%':
			putchar('%');
			out++;
			break;
		default:
			va_end(aq);
			return out;
		}
	}
	va_end(aq);
	return out;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

/* An OUT of any size to 0xF4 ends the VM (docs/boot-vms.md). */
void guest_exit(u32 status)
{
	outl(EXIT_PORT, status);
	halt_forever();
}

unsigned int checks_run(void)
{
	return nr_checks;
}

static u32 fail_status(void)
{
	return nr_checks < EXIT_LAST_CHECK ? nr_checks : EXIT_LAST_CHECK;
}

void fail(const char *fmt, ...)
{
	va_list ap;

	if (!nr_checks)
		nr_checks = 1;
	puts("FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" (check %u)\n", nr_checks);
	guest_exit(fail_status());
}

void check(bool ok, const char *what)
{
	nr_checks++;
	if (!ok)
		fail("%s", what);
}

void checkf(bool ok, const char *fmt, ...)
{
	va_list ap;

	nr_checks++;
	if (ok)
		return;
	puts("FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" (check %u)\n", nr_checks);
	guest_exit(fail_status());
}

void check_eq(u64 got, u64 want, const char *what)
{
	checkf(got == want, "%s: got %#llx, expected %#llx", what,
	       (unsigned long long)got, (unsigned long long)want);
}

void pass(void)
{
	printf("PASS: %u checks\n", nr_checks);
	guest_exit(0);
}

void delay_cycles(u64 cycles)
{
	u64 start = rdtsc();

	while (rdtsc() - start < cycles)
		pause();
}

void *memset(void *d, int c, size_t n)
{
	unsigned char *p = d;

	while (n--)
		*p++ = c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *p = d;
	const unsigned char *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}
