// SPDX-License-Identifier: GPL-2.0
/* Boot-time VM module strings; pure logic, unit-tested on the host. */
#include "arch/x86/bootvm/bootvm.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/string.h"

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

static int word_len(const char *s)
{
	int n = 0;

	while (s[n] && s[n] != ' ' && s[n] != '\t')
		n++;
	return n;
}

static int parse_name(const char *s, int len, struct bootvm_spec *spec, const char **why)
{
	if (len < 1 || len > (int)sizeof(spec->name) - 1) {
		*why = "the VM name must be 1-15 characters";
		return -EINVAL;
	}
	for (int i = 0; i < len; i++) {
		if (!name_char(s[i])) {
			*why = "the VM name may hold only letters, digits, '_' and '-'";
			return -EINVAL;
		}
	}
	memcpy(spec->name, s, (size_t)len);
	spec->name[len] = '\0';
	return 0;
}

static int parse_number(const char *s, int len, u64 min, u64 max, u64 *out, const char **why,
			const char *msg)
{
	if (parse_size(s, (size_t)len, out) || *out < min || *out > max) {
		*why = msg;
		return -EINVAL;
	}
	return 0;
}

static int affinity_list(const char *s, int len, u64 *mask, const char **why)
{
	if (parse_cpu_list(s, (size_t)len, mask)) {
		*why = "affinity= must list CPUs 0-255 and ranges, as 0,2-3";
		return -EINVAL;
	}
	return 0;
}

static int parse_word(const char *w, int len, struct bootvm_spec *spec, const char **why)
{
	u64 v;
	int r;

	if (len > 4 && !strncmp(w, "mem=", 4))
		return parse_number(w + 4, len - 4, 2, BOOTVM_MAX_MEM_MIB, &spec->mem_mib, why,
				    "mem= must be 2-3072 (MiB)");
	if (len > 5 && !strncmp(w, "cpus=", 5)) {
		r = parse_number(w + 5, len - 5, 1, BOOTVM_MAX_CPUS, &v, why, "cpus= must be 1-16");
		spec->cpus = (unsigned int)v;
		return r;
	}
	if (len > 7 && !strncmp(w, "weight=", 7)) {
		r = parse_number(w + 7, len - 7, 1, SCHED_WEIGHT_MAX, &v, why,
				 "weight= must be 1-65535");
		spec->weight = (u32)v;
		return r;
	}
	if (len > 4 && !strncmp(w, "cap=", 4)) {
		r = parse_number(w + 4, len - 4, 0, SCHED_CAP_MAX, &v, why,
				 "cap= must be 0-10000 (percent of one CPU, 0: none)");
		spec->cap = (u32)v;
		return r;
	}
	if (len > 9 && !strncmp(w, "affinity=", 9))
		return affinity_list(w + 9, len - 9, spec->affinity, why);
	*why = "unknown word in a keel.vm= module string";
	return -EINVAL;
}

int bootvm_parse(const char *cmdline, struct bootvm_spec *spec, const char **why)
{
	const char *s = cmdline;
	int len;

	while (*s == ' ' || *s == '\t')
		s++;
	if (strncmp(s, "keel.vm=", 8))
		return 0;
	memset(spec, 0, sizeof(*spec));
	spec->mem_mib = 16;
	spec->cpus = 1;
	spec->weight = SCHED_WEIGHT_DEFAULT;
	memset(spec->affinity, 0xff, sizeof(spec->affinity));
	s += 8;
	len = word_len(s);
	if (parse_name(s, len, spec, why))
		return -EINVAL;
	for (s += len; *s; s += len) {
		while (*s == ' ' || *s == '\t')
			s++;
		len = word_len(s);
		if (len && parse_word(s, len, spec, why))
			return -EINVAL;
	}
	return 1;
}
