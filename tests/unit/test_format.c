// SPDX-License-Identifier: GPL-2.0
/* vsnformat against the host C library's snprintf. */
#include <stdarg.h>
#include <stdint.h>

#include "kernel/format.h"
#include "test.h"

#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat-security"

static void same(const char *fmt, ...)
{
	char ours[128], libc[128];
	va_list a, b;
	int r1, r2;

	va_start(a, fmt);
	va_copy(b, a);
	r1 = vsnformat(ours, sizeof(ours), fmt, a);
	r2 = vsnprintf(libc, sizeof(libc), fmt, b);
	va_end(b);
	va_end(a);
	CHECK_EQ(r1, r2);
	if (strcmp(ours, libc)) {
		fprintf(stderr, "format \"%s\": got \"%s\", want \"%s\"\n", fmt, ours, libc);
		test_failed_checks++;
	}
}

TEST(integers)
{
	same("%d %i %u", -42, 17, 4000000000u);
	same("%x %X %o %#x %#o %#X", 0xbeef, 0xbeef, 8, 255, 8, 0xab);
	same("%5d|%-5d|%05d|%+d|% d", 42, 42, 42, 42, 42);
	same("%.3d|%8.3d|%-8.3d|%.0d", 7, 7, -7, 0);
	same("%lld %llu %llx", (long long)INT64_MIN, (unsigned long long)UINT64_MAX, 0x123456789abcdefULL);
	same("%ld %lu %zu %zx %jd %td", -1L, 2UL, (size_t)3, (size_t)0x44, (intmax_t)-5, (ptrdiff_t)6);
	same("%hhd %hhu %hd %hu", 300, 300, 70000, 70000);
	same("%016llx|%*d|%-*d|%.*d", 0xabcULL, 6, 1, 6, 2, 4, 3);
}

TEST(strings_and_chars)
{
	same("%s|%10s|%-10s|%.2s|%c|%3c", "keel", "keel", "keel", "keel", 'k', 'x');
	same("100%% done");
	same("%p", (void *)0x1234);
	same("%*s|", -6, "ab");
}

TEST(truncation)
{
	char buf[8];

	CHECK_EQ(snformat(buf, sizeof(buf), "%s", "0123456789"), 10);
	CHECK(!strcmp(buf, "0123456"));
	CHECK_EQ(snformat(buf, 1, "abc"), 3);
	CHECK_EQ(buf[0], 0);
	CHECK_EQ(snformat(NULL, 0, "%d", 12345), 5);
}

TEST(unknown_conversion_is_echoed)
{
	const char *fmt = "%q%";
	char buf[16];

	snformat(buf, sizeof(buf), fmt);
	CHECK(!strcmp(buf, "%q%"));
}

TEST_MAIN("format", T(integers), T(strings_and_chars), T(truncation), T(unknown_conversion_is_echoed))
