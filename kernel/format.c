// SPDX-License-Identifier: GPL-2.0
#include "kernel/format.h"
#include "kernel/string.h"

struct out {
	char *buf;
	size_t n;
	size_t len;
};

struct spec {
	bool left, zero, plus, space, alt;
	int width;
	int prec;	/* -1: none */
	char len;	/* 'H' hh, 'h', 'l', 'L' ll/j/z/t */
	char conv;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->n)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, int count, char c)
{
	while (count-- > 0)
		put(o, c);
}

static void put_str(struct out *o, const struct spec *s, const char *str)
{
	size_t len;

	if (!str)
		str = "(null)";
	len = s->prec >= 0 ? strnlen(str, (size_t)s->prec) : strlen(str);
	if (!s->left)
		pad(o, s->width - (int)len, ' ');
	for (size_t i = 0; i < len; i++)
		put(o, str[i]);
	if (s->left)
		pad(o, s->width - (int)len, ' ');
}

static int digits(char *tmp, u64 v, unsigned int base, bool upper)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0;

	do {
		tmp[n++] = set[v % base];
		v /= base;
	} while (v);
	return n;
}

static void put_num(struct out *o, const struct spec *s, u64 v, bool neg)
{
	unsigned int base = s->conv == 'o' ? 8 : (s->conv == 'x' || s->conv == 'X' || s->conv == 'p') ? 16 : 10;
	char tmp[24], sign = neg ? '-' : s->plus ? '+' : s->space ? ' ' : 0;
	const char *prefix = "";
	int n = (s->prec == 0 && v == 0) ? 0 : digits(tmp, v, base, s->conv == 'X');
	int zeros = s->prec > n ? s->prec - n : 0;
	int plen, total;

	if ((s->alt && base == 16 && v) || s->conv == 'p')
		prefix = s->conv == 'X' ? "0X" : "0x";
	else if (s->alt && base == 8 && !zeros && (n == 0 || tmp[n - 1] != '0'))
		zeros = 1;
	plen = (int)strlen(prefix) + (sign != 0);
	total = plen + zeros + n;
	if (s->zero && !s->left && s->prec < 0 && s->width > total) {
		zeros += s->width - total;
		total = s->width;
	}
	if (!s->left)
		pad(o, s->width - total, ' ');
	if (sign)
		put(o, sign);
	for (; *prefix; prefix++)
		put(o, *prefix);
	pad(o, zeros, '0');
	while (n--)
		put(o, tmp[n]);
	if (s->left)
		pad(o, s->width - total, ' ');
}

static const char *parse_flags(const char *f, struct spec *s)
{
	for (;; f++) {
		if (*f == '-')
			s->left = true;
		else if (*f == '0')
			s->zero = true;
		else if (*f == '+')
			s->plus = true;
		else if (*f == ' ')
			s->space = true;
		else if (*f == '#')
			s->alt = true;
		else
			return f;
	}
}

static const char *parse_spec(const char *f, struct spec *s, va_list *ap)
{
	memset(s, 0, sizeof(*s));
	s->prec = -1;
	f = parse_flags(f, s);
	if (*f == '*') {
		s->width = va_arg(*ap, int);
		if (s->width < 0) {
			s->left = true;
			s->width = -s->width;
		}
		f++;
	}
	for (; *f >= '0' && *f <= '9'; f++)
		s->width = s->width * 10 + (*f - '0');
	if (*f == '.') {
		f++;
		s->prec = 0;
		if (*f == '*') {
			s->prec = va_arg(*ap, int);
			f++;
		}
		for (; *f >= '0' && *f <= '9'; f++)
			s->prec = s->prec * 10 + (*f - '0');
	}
	if (f[0] == 'h' && f[1] == 'h') {
		s->len = 'H';
		f += 2;
	} else if (f[0] == 'l' && f[1] == 'l') {
		s->len = 'L';
		f += 2;
	} else if (*f == 'h' || *f == 'l') {
		s->len = *f++;
	} else if (*f == 'z' || *f == 'j' || *f == 't') {
		s->len = 'L';
		f++;
	}
	s->conv = *f;
	return *f ? f + 1 : f;
}

static s64 arg_signed(const struct spec *s, va_list *ap)
{
	switch (s->len) {
	case 'H': return (signed char)va_arg(*ap, int);
	case 'h': return (short)va_arg(*ap, int);
	case 'l': return va_arg(*ap, long);
	case 'L': return va_arg(*ap, long long);
	default: return va_arg(*ap, int);
	}
}

static u64 arg_unsigned(const struct spec *s, va_list *ap)
{
	switch (s->len) {
	case 'H': return (unsigned char)va_arg(*ap, unsigned int);
	case 'h': return (unsigned short)va_arg(*ap, unsigned int);
	case 'l': return va_arg(*ap, unsigned long);
	case 'L': return va_arg(*ap, unsigned long long);
	default: return va_arg(*ap, unsigned int);
	}
}

static void convert(struct out *o, struct spec *s, va_list *ap)
{
	s64 v;
	char c;

	switch (s->conv) {
	case 'd':
	case 'i':
		v = arg_signed(s, ap);
		put_num(o, s, v < 0 ? -(u64)v : (u64)v, v < 0);
		break;
	case 'u':
	case 'x':
	case 'X':
	case 'o':
		put_num(o, s, arg_unsigned(s, ap), false);
		break;
	case 'p':
		put_num(o, s, (u64)(uintptr_t)va_arg(*ap, void *), false);
		break;
	case 'c':
		c = (char)va_arg(*ap, int);
		s->prec = 1;
		put_str(o, s, &c);
		break;
	case 's':
		put_str(o, s, va_arg(*ap, const char *));
		break;
	case '%':
		put(o, '%');
		break;
	default:
		put(o, '%');
		if (s->conv)
			put(o, s->conv);
	}
}

int vsnformat(char *buf, size_t n, const char *fmt, va_list ap)
{
	struct out o = { buf, n, 0 };
	struct spec s;
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &s, &args);
		convert(&o, &s, &args);
	}
	va_end(args);
	if (n)
		buf[o.len < n ? o.len : n - 1] = '\0';
	return (int)o.len;
}

int snformat(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnformat(buf, n, fmt, ap);
	va_end(ap);
	return r;
}
