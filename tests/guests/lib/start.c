// SPDX-License-Identifier: GPL-2.0
/* From the entry code to guest_main(): IDT, multiboot checks, a banner. */
#include "guest.h"

const struct mb_info *mb_info(void)
{
	return (const struct mb_info *)(unsigned long)entry_state[ES_EBX];
}

const char *cmdline(void)
{
	const struct mb_info *mb = mb_info();

	if (!(mb->flags & MB_INFO_CMDLINE) || !mb->cmdline)
		return "";
	return (const char *)(unsigned long)mb->cmdline;
}

/* Finds " key=N" (or the string starting with it) in the command line. */
bool cmdline_ulong(const char *key, unsigned long *val)
{
	size_t n = strlen(key);
	const char *c = cmdline();

	for (const char *p = c; *p; p++) {
		unsigned long v = 0;

		if ((p != c && p[-1] != ' ') || strncmp(p, key, n) || p[n] != '=')
			continue;
		p += n + 1;
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			v = v * 10 + *p++ - '0';
		*val = v;
		return true;
	}
	return false;
}

void guest_start(void);
void guest_start(void)
{
	idt_init();
	check_eq(entry_state[ES_EAX], MB_BOOT_MAGIC, "multiboot magic in EAX");
	printf("start: %s, cmdline \"%s\"\n",
	       sizeof(long) == 8 ? "long mode" : "32-bit protected mode", cmdline());
	guest_main();
	pass();
}

/* A guest that starts no secondary vCPU never gets here: park one that does. */
__attribute__((weak)) void ap_start(unsigned long magic, unsigned long ebx)
{
	halt_forever();
}
