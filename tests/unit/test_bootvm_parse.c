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
}

TEST_MAIN("bootvm_parse", T(valid_strings), T(invalid_strings))
