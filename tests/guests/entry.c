// SPDX-License-Identifier: GPL-2.0
/*
 * entry: the state vCPU 0 starts in (docs/boot-vms.md, "Loading and entry"),
 * as lib/entry.S recorded it, and the multiboot information. Built with the
 * a.out-kludge header (flag 16), so it also covers loading by the header's
 * address fields; every other guest is loaded by its ELF program header.
 */
#include "guest.h"

#define MEM_DEFAULT_MIB	16
#define HOLE_START	0xA0000
#define HOLE_END	0x100000

struct desc_ptr32 {
	u16 limit;
	u32 base;
} __packed;

static struct desc_ptr32 saved_ptr(unsigned int slot)
{
	struct desc_ptr32 d;

	memcpy(&d, &entry_state[slot], sizeof(d));
	return d;
}

static void check_registers(void)
{
	check_eq(entry_state[ES_CS], SEL_CODE32, "CS at entry");
	check_eq(entry_state[ES_DS], SEL_DATA, "DS at entry");
	check_eq(entry_state[ES_ES], SEL_DATA, "ES at entry");
	check_eq(entry_state[ES_FS], SEL_DATA, "FS at entry");
	check_eq(entry_state[ES_GS], SEL_DATA, "GS at entry");
	check_eq(entry_state[ES_SS], SEL_DATA, "SS at entry");
	check_eq(entry_state[ES_CR0], CR0_PE | CR0_ET, "CR0 at entry (PE|ET)");
	check_eq(entry_state[ES_EFLAGS], 0x2, "EFLAGS at entry");
	check_eq(saved_ptr(ES_IDTR).limit, 0, "IDTR limit at entry");
	printf("entry: CR4 %#x, GDTR %#x/%#x\n", entry_state[ES_CR4],
	       saved_ptr(ES_GDTR).base, saved_ptr(ES_GDTR).limit);
}

/*
 * The GDT Keel set up must hold the flat selectors it loaded: 0x08 a 32-bit
 * execute/read code segment, 0x10 a read/write data segment, both base 0,
 * limit 4 GiB (SDM Vol. 3A 3.4.5). The accessed bit may be set.
 */
static void check_descriptor(u64 d, u8 access, const char *what)
{
	u32 base = (d >> 16 & 0xFFFFFF) | (d >> 56) << 24;
	u32 limit = (d & 0xFFFF) | (d >> 48 & 0xF) << 16;

	checkf(base == 0 && limit == 0xFFFFF, "%s: base %#x limit %#x, expected flat",
	       what, base, limit);
	checkf(((d >> 40) & 0xFE) == access, "%s: access byte %#x", what,
	       (unsigned int)(d >> 40 & 0xFF));
	checkf((d >> 52 & 0xF) == 0xC, "%s: G/D flags %#x, expected 0xc", what,
	       (unsigned int)(d >> 52 & 0xF));
}

static void check_gdt(void)
{
	struct desc_ptr32 g = saved_ptr(ES_GDTR);
	const u64 *gdt_in = (const u64 *)(unsigned long)g.base;

	checkf(g.base + g.limit < HOLE_END, "GDT %#x/%#x not below 1 MiB", g.base, g.limit);
	checkf(g.limit >= 0x17, "GDT limit %#x does not cover 0x10", g.limit);
	check_descriptor(gdt_in[1], 0x9A, "GDT entry 0x08");
	check_descriptor(gdt_in[2], 0x92, "GDT entry 0x10");
}

/* A20 off would alias an address and the same address +1 MiB (wrapping bit 20). */
static void check_a20(void)
{
	static volatile u32 probe;
	volatile u32 *alias = (volatile u32 *)((unsigned long)&probe - HOLE_END);
	u32 before = *alias;

	probe = ~before;
	check(*alias == before, "A20 on (writing x+1 MiB leaves x unchanged)");
}

static unsigned long mem_bytes(void)
{
	unsigned long mib = MEM_DEFAULT_MIB;

	cmdline_ulong("mem", &mib);
	return mib << 20;
}

/* Bytes of [start, end) covered by available (type 1) map entries. */
static u64 available_in(u64 start, u64 end)
{
	const struct mb_info *mb = mb_info();
	unsigned long p = mb->mmap_addr, stop = p + mb->mmap_length;
	u64 n = 0;

	while (p < stop) {
		const struct mb_mmap_entry *e = (const struct mb_mmap_entry *)p;
		u64 s = e->addr > start ? e->addr : start;
		u64 t = e->addr + e->len < end ? e->addr + e->len : end;

		if (e->type == 1 && s < t)
			n += t - s;
		p += e->size + 4;
	}
	return n;
}

static void print_map(void)
{
	const struct mb_info *mb = mb_info();
	unsigned long p = mb->mmap_addr, stop = p + mb->mmap_length;

	for (; p < stop; p += ((const struct mb_mmap_entry *)p)->size + 4) {
		const struct mb_mmap_entry *e = (const struct mb_mmap_entry *)p;

		printf("mmap: %#llx-%#llx type %u\n", (unsigned long long)e->addr,
		       (unsigned long long)(e->addr + e->len), e->type);
	}
}

static void check_info(void)
{
	const struct mb_info *mb = mb_info();
	unsigned long mem = mem_bytes();
	u32 want = MB_INFO_MEM | MB_INFO_CMDLINE | MB_INFO_MMAP;

	printf("info at %#x: flags %#x mem_lower %u mem_upper %u KiB\n",
	       entry_state[ES_EBX], mb->flags, mb->mem_lower, mb->mem_upper);
	checkf((mb->flags & want) == want, "info flags %#x lack MEM|CMDLINE|MMAP", mb->flags);
	check(strncmp(cmdline(), "", 1) != 0, "command line present");
	checkf(mb->mem_lower <= 640 && mb->mem_lower >= 512, "mem_lower %u KiB", mb->mem_lower);
	check_eq(mb->mem_upper, (mem - HOLE_END) >> 10, "mem_upper (KiB above 1 MiB)");
	print_map();
	check_eq(available_in(HOLE_START, HOLE_END), 0, "available RAM in 0xA0000-0xFFFFF");
	check_eq(available_in(HOLE_END, mem), mem - HOLE_END, "available RAM from 1 MiB to mem");
	check_eq(available_in(0, (u64)mb->mem_lower << 10), (u64)mb->mem_lower << 10,
		 "available RAM below mem_lower");
	check_eq(available_in(mem, ~0ULL), 0, "available RAM above mem");
}

static void check_cmdline(void)
{
	const char *c = cmdline();
	bool found = false;

	for (; *c && !found; c++)
		found = !strncmp(c, "keel.vm=entry", 13) && (c[13] == ' ' || !c[13]);
	check(found, "command line holds keel.vm=entry");
}

void guest_main(void)
{
	check_registers();
	check_gdt();
	check_a20();
	check_info();
	check_cmdline();
}
