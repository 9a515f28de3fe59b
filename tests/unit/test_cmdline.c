// SPDX-License-Identifier: GPL-2.0
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "test.h"

static void parse(const char *s, struct keel_options *o, struct cmdline_errors *e)
{
	cmdline_defaults(o);
	cmdline_parse(s, o, e);
}

TEST(defaults_and_empty)
{
	struct keel_options o;
	struct cmdline_errors e;

	parse("", &o, &e);
	CHECK_EQ(e.nr, 0);
	CHECK_EQ(o.console.uart[0], 0x3f8);
	CHECK(o.console.e9);
	CHECK_EQ(o.console.loglevel, LOG_INFO);
	CHECK_EQ(o.reserve, 0);
	CHECK_EQ(o.test[0], 0);
	CHECK(o.vm_cpus[0] == ~0ULL && o.vm_cpus[3] == ~0ULL);	/* every CPU */
	parse("   \t  ", &o, &e);
	CHECK_EQ(e.nr, 0);
}

TEST(all_options)
{
	struct keel_options o;
	struct cmdline_errors e;

	parse("/boot/keel.elf console=com2,e9,0x2e8 loglevel=7 keel.reserve=96M keel.test=timer,smp "
	      "keel.exit_when_idle keel.baud=38400", &o, &e);
	CHECK_EQ(e.nr, 0);
	CHECK_EQ(o.console.uart[0], 0x2f8);
	CHECK_EQ(o.console.uart[1], 0x2e8);
	CHECK_EQ(o.console.uart[2], 0);
	CHECK(o.console.e9);
	CHECK_EQ(o.console.loglevel, 7);
	CHECK_EQ(o.reserve, 96ULL << 20);
	CHECK(!strcmp(o.test, "timer,smp"));
	CHECK(o.exit_when_idle);
	CHECK_EQ(o.console.baud, 38400);
	CHECK(list_has(o.test, "smp") && list_has(o.test, "timer") && !list_has(o.test, "sm"));
	CHECK(list_has("all", "anything"));
	parse("console=none", &o, &e);
	CHECK(!o.console.e9 && !o.console.uart[0]);
	parse("keel.vm_cpus=1-2,5,64,255", &o, &e);
	CHECK_EQ(e.nr, 0);
	CHECK(o.vm_cpus[0] == 0x26 && o.vm_cpus[1] == 1 && !o.vm_cpus[2] && o.vm_cpus[3] == BIT(63));
}

/* A CPU list that does not parse is reported and leaves the default. */
TEST(bad_cpu_lists)
{
	static const char *const bad[] = { "keel.vm_cpus=", "keel.vm_cpus=2-1", "keel.vm_cpus=256",
					   "keel.vm_cpus=1,", "keel.vm_cpus=a", "keel.vm_cpus=1-" };
	struct keel_options o;
	struct cmdline_errors e;

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		parse(bad[i], &o, &e);
		CHECK_EQ(e.nr, 1);
		CHECK(o.vm_cpus[0] == ~0ULL);
	}
}

TEST(bad_input_reported_not_applied)
{
	struct keel_options o;
	struct cmdline_errors e;

	parse("frobnicate=1 console=com9 loglevel=8 keel.reserve=12Q keel.baud=7 noarg keel.test= =x", &o, &e);
	CHECK_EQ(e.nr, 8);
	CHECK(strstr(e.msg[0], "unknown command-line option 'frobnicate'"));
	CHECK(strstr(e.msg[1], "bad value 'com9' for 'console'"));
	CHECK(strstr(e.msg[5], "unknown command-line option 'noarg'"));
	CHECK_EQ(o.console.uart[0], 0x3f8);
	CHECK_EQ(o.console.loglevel, LOG_INFO);
	CHECK_EQ(o.reserve, 0);
	/* More problems than messages kept: counted, not overflowed. */
	parse("a b c d e f g h i j k", &o, &e);
	CHECK_EQ(e.nr, 11);
}

TEST(sizes)
{
	u64 v;

	CHECK(!parse_size("4096", 4, &v) && v == 4096);
	CHECK(!parse_size("0x10", 4, &v) && v == 16);
	CHECK(!parse_size("2G", 2, &v) && v == 2ULL << 30);
	CHECK(!parse_size("64k", 3, &v) && v == 65536);
	CHECK_EQ(parse_size("", 0, &v), -EINVAL);
	CHECK_EQ(parse_size("M", 1, &v), -EINVAL);
	CHECK_EQ(parse_size("0x", 2, &v), -EINVAL);
	CHECK_EQ(parse_size("18446744073709551616", 20, &v), -EINVAL);
	CHECK_EQ(parse_size("17179869184G", 12, &v), -EINVAL);
	CHECK_EQ(parse_size("12a", 3, &v), -EINVAL);
}

TEST(too_many_uarts_and_long_test_list)
{
	struct keel_options o;
	struct cmdline_errors e;
	char line[300];

	parse("console=com1,com2,com3,com4,0x100", &o, &e);
	CHECK_EQ(e.nr, 1);
	memset(line, 'a', sizeof(line));
	memcpy(line, "keel.test=", 10);
	line[sizeof(line) - 1] = 0;
	parse(line, &o, &e);
	CHECK_EQ(e.nr, 1);
	CHECK_EQ(o.test[0], 0);
}

TEST_MAIN("cmdline", T(defaults_and_empty), T(all_options), T(bad_cpu_lists), T(bad_input_reported_not_applied), T(sizes),
	  T(too_many_uarts_and_long_test_list))
