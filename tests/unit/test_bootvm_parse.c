// SPDX-License-Identifier: GPL-2.0
#include "arch/x86/bootvm/bootvm.h"
#include "kernel/errno.h"
#include "test.h"

TEST(valid_strings)
{
	struct bootvm_spec s;
	const char *why;

	CHECK_EQ(bootvm_parse("keel.vm=cpuid", &s, &why), 1);
	CHECK(!strcmp(s.name, "cpuid"));
	CHECK_EQ(s.mem_mib, 16);
	CHECK_EQ(s.cpus, 1);
	CHECK_EQ(bootvm_parse("  keel.vm=smp-4_x mem=64 cpus=4 ", &s, &why), 1);
	CHECK(!strcmp(s.name, "smp-4_x"));
	CHECK_EQ(s.mem_mib, 64);
	CHECK_EQ(s.cpus, 4);
	CHECK_EQ(bootvm_parse("keel.initrd", &s, &why), 0);
	CHECK_EQ(bootvm_parse("", &s, &why), 0);
}

/* The scheduler's knobs: weight and cap default to 256 and none, affinity to every CPU. */
TEST(sched_options)
{
	struct bootvm_spec s;
	const char *why;

	CHECK_EQ(bootvm_parse("keel.vm=a", &s, &why), 1);
	CHECK_EQ(s.weight, 256);
	CHECK_EQ(s.cap, 0);
	CHECK(s.affinity[0] == ~0ULL && s.affinity[3] == ~0ULL);
	CHECK_EQ(bootvm_parse("keel.vm=a weight=512 cap=25 affinity=1,3-4,255", &s, &why), 1);
	CHECK_EQ(s.weight, 512);
	CHECK_EQ(s.cap, 25);
	CHECK(s.affinity[0] == (BIT(1) | BIT(3) | BIT(4)) && !s.affinity[1] && !s.affinity[2]);
	CHECK(s.affinity[3] == BIT(63));
	CHECK_EQ(bootvm_parse("keel.vm=a affinity=7", &s, &why), 1);
	CHECK(s.affinity[0] == BIT(7));
}

static void bad(const char *str, const char *msg)
{
	struct bootvm_spec s;
	const char *why = NULL;

	CHECK_EQ(bootvm_parse(str, &s, &why), -EINVAL);
	if (!why || !strstr(why, msg)) {
		fprintf(stderr, "\"%s\": want \"%s\", got \"%s\"\n", str, msg, why ? why : "(null)");
		test_failed_checks++;
	}
}

TEST(invalid_strings)
{
	bad("keel.vm=", "1-15 characters");
	bad("keel.vm=abcdefghijklmnop", "1-15 characters");
	bad("keel.vm=a/b", "letters, digits");
	bad("keel.vm=x mem=1", "mem=");
	bad("keel.vm=x mem=3073", "mem=");
	bad("keel.vm=x mem=lots", "mem=");
	bad("keel.vm=x cpus=0", "cpus=");
	bad("keel.vm=x cpus=17", "cpus=");
	bad("keel.vm=x color=blue", "unknown word");
	bad("keel.vm=x weight=0", "weight=");
	bad("keel.vm=x weight=65536", "weight=");
	bad("keel.vm=x cap=10001", "cap=");
	bad("keel.vm=x affinity=256", "affinity=");
	bad("keel.vm=x affinity=3-1", "affinity=");
	bad("keel.vm=x affinity=1,", "affinity=");
	bad("keel.vm=x affinity=a", "affinity=");
	bad("keel.vm=x affinity=1;2", "affinity=");
}

TEST_MAIN("bootvm_parse", T(valid_strings), T(sched_options), T(invalid_strings))
