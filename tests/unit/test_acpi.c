// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests for drivers/acpi.c. A byte buffer stands for physical memory;
 * every map() hands out a fresh heap copy of exactly the bytes asked for, so
 * ASan reports any read past what the parser mapped.
 */
#include <stdarg.h>

#include "drivers/acpi.h"
#include "kernel/errno.h"
#include "test.h"

#define MEM_SIZE (SZ_1M + 0x10000)

/* Where the built tables live; the roots sit high to leave room for entries. */
#define RSDP_PA 0xf5a40ULL
#define FADT_PA 0x100200ULL
#define FACS_PA 0x100400ULL
#define HPET_PA 0x100700ULL
#define MCFG_PA 0x100780ULL
#define WAET_PA 0x100900ULL
#define DMAR_PA 0x100a00ULL
#define IVRS_PA 0x100b00ULL
#define DSDT_PA 0x101000ULL
#define EXTRA_PA 0x102000ULL
#define MADT_PA 0x104000ULL
#define RSDT_PA 0x10e000ULL
#define XSDT_PA 0x10f000ULL

struct fake_mem {
	u8 *buf;
	void **allocs;
	size_t nr_allocs, cap_allocs;
	unsigned int nr_warnings;
	char last_warning[256];
};

static struct fake_mem fm;
static struct acpi_info info;

static const void *fake_map(void *ctx, u64 pa, size_t len)
{
	struct fake_mem *m = ctx;
	void *copy;

	if (pa > MEM_SIZE || len > MEM_SIZE - pa)
		return NULL;
	if (m->nr_allocs == m->cap_allocs) {
		m->cap_allocs = m->cap_allocs ? 2 * m->cap_allocs : 256;
		m->allocs = realloc(m->allocs, m->cap_allocs * sizeof(void *));
		if (!m->allocs)
			abort();
	}
	copy = malloc(len ? len : 1);
	if (!copy)
		abort();
	memcpy(copy, m->buf + pa, len);
	m->allocs[m->nr_allocs++] = copy;
	return copy;
}

static void __printf(2, 3) fake_warn(void *ctx, const char *fmt, ...)
{
	struct fake_mem *m = ctx;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->last_warning, sizeof(m->last_warning), fmt, ap);
	va_end(ap);
	m->nr_warnings++;
}

static const struct acpi_mem amem = {
	.map = fake_map,
	.ctx = &fm,
	.warn = fake_warn,
};

static void unmap_all(void)
{
	while (fm.nr_allocs)
		free(fm.allocs[--fm.nr_allocs]);
}

static void mem_reset(void)
{
	if (!fm.buf)
		fm.buf = malloc(MEM_SIZE);
	if (!fm.buf)
		abort();
	memset(fm.buf, 0, MEM_SIZE);
	unmap_all();
	fm.nr_warnings = 0;
	fm.last_warning[0] = '\0';
}

static void put8(u64 pa, u8 v)
{
	fm.buf[pa] = v;
}

static void put16(u64 pa, u16 v)
{
	put8(pa, (u8)v);
	put8(pa + 1, (u8)(v >> 8));
}

static void put32(u64 pa, u32 v)
{
	put16(pa, (u16)v);
	put16(pa + 2, (u16)(v >> 16));
}

static void put64(u64 pa, u64 v)
{
	put32(pa, (u32)v);
	put32(pa + 4, (u32)(v >> 32));
}

static u32 get32(u64 pa)
{
	return fm.buf[pa] | fm.buf[pa + 1] << 8 | fm.buf[pa + 2] << 16 |
	       (u32)fm.buf[pa + 3] << 24;
}

static u8 sum(u64 pa, size_t len)
{
	u8 s = 0;

	while (len--)
		s += fm.buf[pa++];
	return s;
}

/* System Description Table Header (ACPI 6.5, 5.2.6). */
static void put_hdr(u64 pa, const char *sig, u32 len, u8 rev)
{
	memcpy(fm.buf + pa, sig, 4);
	put32(pa + 4, len);
	put8(pa + 8, rev);
	memcpy(fm.buf + pa + 10, "KEELTS", 6);
	memcpy(fm.buf + pa + 16, "KEELTEST", 8);
	put32(pa + 24, 1);
	memcpy(fm.buf + pa + 28, "KEEL", 4);
	put32(pa + 32, 1);
}

/* Recomputes a table's checksum over its declared length, if it fits. */
static void fix_checksum(u64 pa)
{
	u32 len = get32(pa + 4);

	if (len < 10 || len > MEM_SIZE - pa)
		return;
	put8(pa + 9, 0);
	put8(pa + 9, (u8)-sum(pa, len));
}

/* RSDP (5.2.5.3): checksum over 20 bytes, extended checksum over 36. */
static void fix_rsdp(u64 pa)
{
	put8(pa + 8, 0);
	put8(pa + 8, (u8)-sum(pa, 20));
	if (fm.buf[pa + 15] >= 2) {
		put8(pa + 32, 0);
		put8(pa + 32, (u8)-sum(pa, 36));
	}
}

static void put_rsdp(u64 pa, u8 rev, u32 rsdt, u64 xsdt)
{
	memcpy(fm.buf + pa, "RSD PTR ", 8);
	memcpy(fm.buf + pa + 9, "KEELTS", 6);
	put8(pa + 15, rev);
	put32(pa + 16, rsdt);
	if (rev >= 2) {
		put32(pa + 20, 36);
		put64(pa + 24, xsdt);
	}
	fix_rsdp(pa);
}

/* Writes the RSDT (and for @rev >= 2 the XSDT) listing @pas, then the RSDP. */
static void put_roots(u8 rev, const u64 *pas, unsigned int n)
{
	unsigned int i;

	put_hdr(RSDT_PA, "RSDT", 36 + 4 * n, 1);
	for (i = 0; i < n; i++)
		put32(RSDT_PA + 36 + 4 * i, (u32)pas[i]);
	fix_checksum(RSDT_PA);
	if (rev >= 2) {
		put_hdr(XSDT_PA, "XSDT", 36 + 8 * n, 1);
		for (i = 0; i < n; i++)
			put64(XSDT_PA + 36 + 8 * i, pas[i]);
		fix_checksum(XSDT_PA);
	}
	put_rsdp(RSDP_PA, rev, (u32)RSDT_PA, rev >= 2 ? XSDT_PA : 0);
}

/* MADT builder (5.2.12): a cursor appends Interrupt Controller Structures. */
static u64 madt_pa, madt_end;

static void madt_begin(u64 pa, u8 rev, u32 lapic_addr, u32 flags)
{
	madt_pa = pa;
	put_hdr(pa, "APIC", 44, rev);
	put32(pa + 36, lapic_addr);
	put32(pa + 40, flags);
	madt_end = pa + 44;
}

static u64 madt_entry(u8 type, u8 len)
{
	u64 e = madt_end;

	put8(e, type);
	put8(e + 1, len);
	madt_end += len;
	return e;
}

static void madt_lapic(u8 uid, u8 apic_id, u32 flags)
{
	u64 e = madt_entry(0, 8);

	put8(e + 2, uid);
	put8(e + 3, apic_id);
	put32(e + 4, flags);
}

static void madt_ioapic(u8 id, u32 addr, u32 gsi_base)
{
	u64 e = madt_entry(1, 12);

	put8(e + 2, id);
	put32(e + 4, addr);
	put32(e + 8, gsi_base);
}

static void madt_iso(u8 source, u32 gsi, u16 flags)
{
	u64 e = madt_entry(2, 10);

	put8(e + 2, 0);
	put8(e + 3, source);
	put32(e + 4, gsi);
	put16(e + 8, flags);
}

static void madt_lapic_nmi(u8 uid, u16 flags, u8 lint)
{
	u64 e = madt_entry(4, 6);

	put8(e + 2, uid);
	put16(e + 3, flags);
	put8(e + 5, lint);
}

static void madt_lapic_override(u64 addr)
{
	put64(madt_entry(5, 12) + 4, addr);
}

static void madt_x2apic(u32 apic_id, u32 flags, u32 uid)
{
	u64 e = madt_entry(9, 16);

	put32(e + 4, apic_id);
	put32(e + 8, flags);
	put32(e + 12, uid);
}

static void madt_x2apic_nmi(u32 uid, u16 flags, u8 lint)
{
	u64 e = madt_entry(10, 12);

	put16(e + 2, flags);
	put32(e + 4, uid);
	put8(e + 8, lint);
}

static void madt_finish(void)
{
	put32(madt_pa + 4, (u32)(madt_end - madt_pa));
	fix_checksum(madt_pa);
}

/* QEMU q35: 4 CPUs, one I/O APIC, IRQ0 -> GSI2, level-high SCI and PCI links. */
static void put_q35_madt(void)
{
	u8 i;

	madt_begin(MADT_PA, 1, 0xfee00000, 1);
	for (i = 0; i < 4; i++)
		madt_lapic(i, i, 1);
	madt_ioapic(0, 0xfec00000, 0);
	madt_iso(0, 2, 0);
	madt_iso(5, 5, 0xd);
	madt_iso(9, 9, 0xd);
	madt_iso(10, 10, 0xd);
	madt_iso(11, 11, 0xd);
	madt_lapic_nmi(0xff, 0, 1);
	madt_finish();
}

/* Generic Address Structure (5.2.3.2). */
static void put_gas(u64 pa, u8 space, u8 width, u8 access, u64 addr)
{
	put8(pa, space);
	put8(pa + 1, width);
	put8(pa + 2, 0);
	put8(pa + 3, access);
	put64(pa + 4, addr);
}

/* FADT (5.2.9, Table 5.9): the ACPI 1.0 part, 116 bytes. */
static void put_fadt_v1(u64 pa, u32 len, u8 rev)
{
	put_hdr(pa, "FACP", len, rev);
	put32(pa + 36, (u32)FACS_PA);
	put32(pa + 40, (u32)DSDT_PA);
	put16(pa + 46, 9);		/* SCI_INT */
	put32(pa + 48, 0xb2);		/* SMI_CMD */
	put8(pa + 52, 0x02);		/* ACPI_ENABLE */
	put8(pa + 53, 0x03);		/* ACPI_DISABLE */
	put32(pa + 56, 0x600);		/* PM1a_EVT_BLK */
	put32(pa + 64, 0x604);		/* PM1a_CNT_BLK */
	put32(pa + 76, 0x608);		/* PM_TMR_BLK */
	put32(pa + 80, 0x620);		/* GPE0_BLK */
	put8(pa + 88, 4);		/* PM1_EVT_LEN */
	put8(pa + 89, 2);		/* PM1_CNT_LEN */
	put8(pa + 91, 4);		/* PM_TMR_LEN */
	put8(pa + 92, 16);		/* GPE0_BLK_LEN */
	put8(pa + 108, 0x32);		/* CENTURY */
	/* WBINVD, PROC_C1, SLP_BUTTON, RTC_S4, USE_PLATFORM_CLOCK */
	put32(pa + 112, 0x80a5);
}

/* The ACPI 2.0+ tail: reset register and the X_ blocks (QEMU's values). */
static void put_fadt_v6_tail(u64 pa)
{
	put16(pa + 109, 0x3);		/* IAPC_BOOT_ARCH: LEGACY_DEVICES, 8042 */
	put32(pa + 112, 0x84a5);	/* ... plus RESET_REG_SUP */
	put_gas(pa + 116, 1, 8, 0, 0xcf9);
	put8(pa + 128, 0x06);		/* RESET_VALUE */
	put8(pa + 131, 5);		/* minor version */
	put64(pa + 140, DSDT_PA);	/* X_DSDT */
	put_gas(pa + 148, 1, 32, 0, 0x600);	/* X_PM1a_EVT_BLK */
	put_gas(pa + 172, 1, 16, 0, 0x604);	/* X_PM1a_CNT_BLK */
	put_gas(pa + 208, 1, 32, 0, 0x608);	/* X_PM_TMR_BLK */
	put_gas(pa + 220, 1, 128, 0, 0x620);	/* X_GPE0_BLK */
}

static void put_fadt(u64 pa, u8 rev)
{
	if (rev < 3) {
		put_fadt_v1(pa, 116, rev);
	} else {
		put_fadt_v1(pa, 276, rev);
		put_fadt_v6_tail(pa);
	}
	fix_checksum(pa);
}

/* HPET table (IA-PC HPET spec 1.0a, 3.2.4). */
static void put_hpet(u64 pa, u64 addr)
{
	put_hdr(pa, "HPET", 56, 1);
	put32(pa + 36, 0x8086a201);
	put_gas(pa + 40, 0, 64, 0, addr);
	put8(pa + 52, 0);
	put16(pa + 53, 0x80);
	fix_checksum(pa);
}

/* MCFG (PCI Firmware spec 4.1.2): 44-byte header, 16-byte allocations. */
static void put_mcfg(u64 pa, unsigned int n)
{
	put_hdr(pa, "MCFG", 44 + 16 * n, 1);
}

static void put_mcfg_entry(u64 pa, unsigned int i, u64 base, u16 seg, u8 start, u8 end)
{
	u64 e = pa + 44 + 16 * i;

	put64(e, base);
	put16(e + 8, seg);
	put8(e + 10, start);
	put8(e + 11, end);
}

static void put_table(u64 pa, const char *sig, u32 len)
{
	put_hdr(pa, sig, len, 1);
	fix_checksum(pa);
}

static const u64 q35_tables[] = { FADT_PA, MADT_PA, HPET_PA, MCFG_PA, WAET_PA };

static void build_q35(u8 rsdp_rev, u8 fadt_rev)
{
	mem_reset();
	put_fadt(FADT_PA, fadt_rev);
	put_q35_madt();
	put_hpet(HPET_PA, 0xfed00000);
	put_mcfg(MCFG_PA, 1);
	put_mcfg_entry(MCFG_PA, 0, 0xb0000000, 0, 0, 255);
	fix_checksum(MCFG_PA);
	put_table(WAET_PA, "WAET", 40);
	put_roots(rsdp_rev, q35_tables, ARRAY_SIZE(q35_tables));
}

/* Parses the RSDP at @pa, handing acpi_parse an exact-size copy of it. */
static int parse_rsdp_at(u64 pa, size_t len)
{
	u8 *img = malloc(len);
	int ret;

	if (!img)
		abort();
	memcpy(img, fm.buf + pa, len);
	ret = acpi_parse(&amem, img, len, &info);
	free(img);
	unmap_all();
	return ret;
}

static int parse(void)
{
	return parse_rsdp_at(RSDP_PA, fm.buf[RSDP_PA + 15] >= 2 ? 36 : 20);
}

static int find_rsdp(u64 *pa)
{
	int ret = acpi_find_rsdp(&amem, pa);

	unmap_all();
	return ret;
}

static const struct acpi_table_ref *table(const char *sig)
{
	unsigned int i;

	for (i = 0; i < info.nr_tables; i++)
		if (strcmp(info.tables[i].sig, sig) == 0)
			return &info.tables[i];
	return NULL;
}

static void check_q35_tables(void)
{
	unsigned int i;

	CHECK_EQ(info.nr_tables, ARRAY_SIZE(q35_tables));
	for (i = 0; i < info.nr_tables && i < ARRAY_SIZE(q35_tables); i++) {
		CHECK_EQ(info.tables[i].pa, q35_tables[i]);
		CHECK(info.tables[i].checksum_ok);
	}
	CHECK(table("FACP") && table("APIC") && table("HPET") && table("MCFG"));
	CHECK(table("WAET") && table("WAET")->len == 40);
	CHECK_EQ(info.nr_bad_checksums, 0);
}

static void check_q35_madt(void)
{
	static const u8 iso_src[] = { 0, 5, 9, 10, 11 };
	unsigned int i;

	CHECK(info.have_madt);
	CHECK_EQ(info.lapic_addr, 0xfee00000);
	CHECK(info.pcat_compat);
	CHECK_EQ(info.nr_cpus, 4);
	for (i = 0; i < 4; i++) {
		CHECK_EQ(info.cpus[i].apic_id, i);
		CHECK_EQ(info.cpus[i].uid, i);
		CHECK(info.cpus[i].enabled && !info.cpus[i].x2apic);
	}
	CHECK_EQ(info.nr_ioapics, 1);
	CHECK_EQ(info.ioapics[0].id, 0);
	CHECK_EQ(info.ioapics[0].addr, 0xfec00000);
	CHECK_EQ(info.ioapics[0].gsi_base, 0);
	CHECK_EQ(info.nr_overrides, 5);
	for (i = 0; i < ARRAY_SIZE(iso_src); i++) {
		CHECK_EQ(info.overrides[i].bus, 0);
		CHECK_EQ(info.overrides[i].source, iso_src[i]);
		CHECK_EQ(info.overrides[i].gsi, i ? iso_src[i] : 2);
		CHECK_EQ(info.overrides[i].flags, i ? 0xd : 0);
	}
	CHECK(info.have_nmi_lint);
	CHECK_EQ(info.nmi_lint, 1);
}

static void check_q35_fadt_common(void)
{
	CHECK(info.have_fadt);
	CHECK_EQ(info.dsdt_pa, DSDT_PA);
	CHECK_EQ(info.facs_pa, FACS_PA);
	CHECK_EQ(info.sci_irq, 9);
	CHECK_EQ(info.smi_cmd, 0xb2);
	CHECK_EQ(info.acpi_enable, 2);
	CHECK_EQ(info.pm1a_evt, 0x600);
	CHECK_EQ(info.pm1b_evt, 0);
	CHECK_EQ(info.pm1a_cnt, 0x604);
	CHECK_EQ(info.pm1b_cnt, 0);
	CHECK_EQ(info.pm_tmr, 0x608);
	CHECK_EQ(info.pm_tmr_len, 4);
	CHECK_EQ(info.century, 0x32);
}

static void check_q35_hpet_mcfg(void)
{
	CHECK(info.have_hpet);
	CHECK_EQ(info.hpet_addr, 0xfed00000);
	CHECK_EQ(info.hpet_number, 0);
	CHECK_EQ(info.hpet_min_tick, 0x80);
	CHECK_EQ(info.nr_mcfg, 1);
	CHECK_EQ(info.mcfg[0].base, 0xb0000000);
	CHECK_EQ(info.mcfg[0].segment, 0);
	CHECK_EQ(info.mcfg[0].bus_start, 0);
	CHECK_EQ(info.mcfg[0].bus_end, 255);
	CHECK_EQ(info.dmar_pa, 0);
	CHECK_EQ(info.ivrs_pa, 0);
}

TEST(check_rsdp_images)
{
	u8 img[40];

	mem_reset();
	put_rsdp(RSDP_PA, 0, 0x1000, 0);
	memcpy(img, fm.buf + RSDP_PA, 20);
	CHECK_EQ(acpi_check_rsdp(img, 20), 0);
	CHECK_EQ(acpi_check_rsdp(img, 19), -EINVAL);
	CHECK_EQ(acpi_check_rsdp(NULL, 20), -EINVAL);
	img[0] = 'r';
	CHECK_EQ(acpi_check_rsdp(img, 20), -EINVAL);

	put_rsdp(RSDP_PA, 2, 0x1000, 0x2000);
	memcpy(img, fm.buf + RSDP_PA, 36);
	CHECK_EQ(acpi_check_rsdp(img, 36), 0);
	CHECK_EQ(acpi_check_rsdp(img, 20), -EINVAL);
	img[33] ^= 1;			/* reserved: extended checksum only */
	CHECK_EQ(acpi_check_rsdp(img, 36), -EINVAL);
	img[33] ^= 1;
	img[20] = 40;			/* more than was handed over */
	img[32] -= 4;
	CHECK_EQ(acpi_check_rsdp(img, 36), -EINVAL);
	memset(img + 36, 0, 4);
	CHECK_EQ(acpi_check_rsdp(img, 40), 0);
}

TEST(parse_q35_rsdt_acpi1)
{
	build_q35(0, 1);
	CHECK_EQ(parse(), 0);
	CHECK_EQ(info.revision, 0);
	CHECK_EQ(info.rsdp_pa, 0);
	CHECK_EQ(info.root_pa, RSDT_PA);
	CHECK(!info.xsdt);
	check_q35_tables();
	check_q35_madt();
	check_q35_fadt_common();
	CHECK_EQ(info.iapc_boot_arch, 0);
	CHECK_EQ(info.fadt_flags, 0x80a5);
	CHECK_EQ(info.reset_reg.address, 0);
	CHECK_EQ(info.reset_value, 0);
	check_q35_hpet_mcfg();
	CHECK_EQ(fm.nr_warnings, 0);
}

TEST(parse_q35_xsdt_acpi6)
{
	build_q35(2, 6);
	CHECK_EQ(parse(), 0);
	CHECK_EQ(info.revision, 2);
	CHECK_EQ(info.root_pa, XSDT_PA);
	CHECK(info.xsdt);
	check_q35_tables();
	check_q35_madt();
	check_q35_fadt_common();
	CHECK_EQ(info.iapc_boot_arch, 3);
	CHECK_EQ(info.fadt_flags, 0x84a5);
	CHECK(info.fadt_flags & BIT(10));
	CHECK_EQ(info.reset_reg.space_id, 1);
	CHECK_EQ(info.reset_reg.bit_width, 8);
	CHECK_EQ(info.reset_reg.address, 0xcf9);
	CHECK_EQ(info.reset_value, 6);
	check_q35_hpet_mcfg();
	CHECK_EQ(fm.nr_warnings, 0);
}

TEST(find_rsdp_bios_area)
{
	u64 pa = 0;

	build_q35(2, 6);
	CHECK_EQ(find_rsdp(&pa), 0);
	CHECK_EQ(pa, RSDP_PA);
	CHECK_EQ(parse(), 0);
	CHECK(info.have_madt);

	mem_reset();
	put_rsdp(0xe0000, 0, (u32)RSDT_PA, 0);
	CHECK_EQ(find_rsdp(&pa), 0);
	CHECK_EQ(pa, 0xe0000);

	mem_reset();
	put_rsdp(0xffff0, 0, (u32)RSDT_PA, 0);	/* the last slot, as ACPICA scans */
	CHECK_EQ(find_rsdp(&pa), 0);
	CHECK_EQ(pa, 0xffff0);
}

TEST(find_rsdp_ebda)
{
	u64 pa = 0;

	build_q35(2, 6);
	put16(0x40e, 0x9fc0);
	/* The last slot of the EBDA's first KiB. */
	put_rsdp(0x9fff0, 0, (u32)RSDT_PA, 0);
	CHECK_EQ(find_rsdp(&pa), 0);
	CHECK_EQ(pa, 0x9fff0);			/* the EBDA is searched first */

	mem_reset();
	put16(0x40e, 0x9fc0);
	put_rsdp(0xa0000, 0, (u32)RSDT_PA, 0);	/* past the first KiB */
	CHECK_EQ(find_rsdp(&pa), -ENOENT);
}

TEST(find_rsdp_skips_invalid)
{
	u64 pa = 0;

	mem_reset();
	put_rsdp(0xe0000, 0, 0x1000, 0);
	fm.buf[0xe0000 + 16] ^= 1;		/* bad checksum */
	put_rsdp(0xe0040, 2, 0x1000, 0x2000);
	fm.buf[0xe0040 + 33] ^= 1;		/* bad extended checksum */
	put_rsdp(0xe0080, 2, 0x1000, 0x2000);
	put32(0xe0080 + 20, 0x10000);		/* absurd extended length */
	fix_rsdp(0xe0080);
	put_rsdp(0xe00c8, 0, 0x1000, 0);	/* not on a 16-byte boundary */
	CHECK_EQ(find_rsdp(&pa), -ENOENT);
	put_rsdp(0xe0100, 2, 0x1000, 0x2000);
	CHECK_EQ(find_rsdp(&pa), 0);
	CHECK_EQ(pa, 0xe0100);
}

TEST(bad_rsdp_checksum)
{
	build_q35(0, 1);
	fm.buf[RSDP_PA + 16] ^= 1;
	CHECK_EQ(parse(), -EINVAL);
	CHECK(fm.nr_warnings > 0);
	CHECK(!info.have_madt);

	build_q35(2, 6);
	fm.buf[RSDP_PA + 34] ^= 1;		/* only in the extended checksum */
	CHECK_EQ(parse(), -EINVAL);
	CHECK_EQ(parse_rsdp_at(RSDP_PA, 20), -EINVAL);	/* v2 image cut short */
}

TEST(rsdp_v0_ignores_xsdt_field)
{
	build_q35(2, 6);
	put8(RSDP_PA + 15, 0);			/* bytes 20-35 now mean nothing */
	fix_rsdp(RSDP_PA);
	CHECK_EQ(parse_rsdp_at(RSDP_PA, 36), 0);
	CHECK(!info.xsdt);
	CHECK_EQ(info.root_pa, RSDT_PA);
	CHECK_EQ(info.nr_tables, ARRAY_SIZE(q35_tables));
}

TEST(bad_xsdt_falls_back_to_rsdt)
{
	build_q35(2, 6);
	fm.buf[XSDT_PA + 24] ^= 1;
	CHECK_EQ(parse(), 0);
	CHECK(!info.xsdt);
	CHECK_EQ(info.root_pa, RSDT_PA);
	CHECK_EQ(info.nr_bad_checksums, 1);
	CHECK_EQ(info.nr_tables, ARRAY_SIZE(q35_tables));
	check_q35_madt();
	CHECK(fm.nr_warnings > 0);

	build_q35(2, 6);
	memcpy(fm.buf + XSDT_PA, "XSDX", 4);
	fix_checksum(XSDT_PA);
	CHECK_EQ(parse(), 0);
	CHECK(!info.xsdt);
	CHECK(info.have_fadt);

	build_q35(2, 6);
	put64(RSDP_PA + 24, 0x4000000000ULL);	/* XSDT out of reach */
	fix_rsdp(RSDP_PA);
	CHECK_EQ(parse(), 0);
	CHECK_EQ(info.root_pa, RSDT_PA);
	CHECK(info.have_hpet);
}

TEST(bad_root_tables)
{
	build_q35(2, 6);
	fm.buf[XSDT_PA + 24] ^= 1;
	fm.buf[RSDT_PA + 24] ^= 1;
	CHECK_EQ(parse(), -EINVAL);
	CHECK_EQ(info.nr_tables, 0);

	build_q35(0, 1);
	put32(RSDP_PA + 16, 0);
	fix_rsdp(RSDP_PA);
	CHECK_EQ(parse(), -EINVAL);

	build_q35(0, 1);
	put32(RSDT_PA + 4, 20);			/* shorter than its own header */
	CHECK_EQ(parse(), -EINVAL);
}

TEST(bad_madt_checksum)
{
	const struct acpi_table_ref *ref;

	build_q35(2, 6);
	fm.buf[MADT_PA + 50] ^= 0x40;
	CHECK_EQ(parse(), 0);
	ref = table("APIC");
	CHECK(ref && !ref->checksum_ok && ref->pa == MADT_PA);
	CHECK(!info.have_madt);
	CHECK_EQ(info.nr_cpus, 0);
	CHECK_EQ(info.nr_ioapics, 0);
	CHECK_EQ(info.nr_bad_checksums, 1);
	CHECK(info.have_fadt && info.have_hpet);
	CHECK_EQ(info.nr_tables, ARRAY_SIZE(q35_tables));
}

TEST(table_shorter_than_needed)
{
	const struct acpi_table_ref *ref;

	build_q35(2, 6);
	put32(MADT_PA + 4, 20);			/* shorter than the SDT header */
	put32(FADT_PA + 4, 100);		/* shorter than the ACPI 1.0 FADT */
	fix_checksum(FADT_PA);
	put32(HPET_PA + 4, 52);
	fix_checksum(HPET_PA);
	put32(MCFG_PA + 4, 40);
	fix_checksum(MCFG_PA);
	CHECK_EQ(parse(), 0);
	ref = table("APIC");
	CHECK(ref && !ref->checksum_ok && ref->len == 20);
	CHECK(!info.have_madt && !info.have_fadt && !info.have_hpet);
	CHECK_EQ(info.nr_mcfg, 0);
	CHECK(table("FACP") && !table("FACP")->checksum_ok);
	CHECK(table("WAET") && table("WAET")->checksum_ok);
	CHECK_EQ(info.nr_bad_checksums, 0);

	build_q35(2, 6);
	madt_begin(MADT_PA, 1, 0xfee00000, 1);
	put32(MADT_PA + 4, 40);			/* a header but no MADT fields */
	fix_checksum(MADT_PA);
	CHECK_EQ(parse(), 0);
	CHECK(!info.have_madt);
	CHECK(table("APIC") && !table("APIC")->checksum_ok);
}

TEST(table_past_end_of_memory)
{
	const u64 pas[] = { MEM_SIZE - 64, MEM_SIZE - 10, FADT_PA };
	const struct acpi_table_ref *ref;

	mem_reset();
	put_fadt(FADT_PA, 1);
	put_hdr(MEM_SIZE - 64, "APIC", 200, 1);
	put_roots(2, pas, ARRAY_SIZE(pas));
	CHECK_EQ(parse(), 0);
	CHECK_EQ(info.nr_tables, 3);
	ref = table("APIC");
	CHECK(ref && !ref->checksum_ok && ref->len == 200);
	CHECK_EQ(info.tables[1].pa, MEM_SIZE - 10);
	CHECK_EQ(info.tables[1].sig[0], '\0');
	CHECK(!info.tables[1].checksum_ok);
	CHECK(!info.have_madt);
	CHECK(info.have_fadt);

	put_q35_madt();
	put_hdr(0x1000, "APIC", SZ_1M + 16, 1);	/* mappable, but absurdly long */
	memcpy(fm.buf + 0x1000 + 36, fm.buf + MADT_PA + 36, 200);
	fix_checksum(0x1000);
	put_roots(2, (const u64[]){ 0x1000, MADT_PA }, 2);
	CHECK_EQ(parse(), 0);
	CHECK(!info.tables[0].checksum_ok);
	CHECK_EQ(info.nr_bad_checksums, 0);
	CHECK(info.have_madt);
	CHECK(info.tables[1].checksum_ok);
}

TEST(root_entry_points_nowhere)
{
	u64 pas[] = { 0x80000000, FADT_PA, 0, MADT_PA };

	mem_reset();
	put_fadt(FADT_PA, 1);
	put_q35_madt();
	put_roots(0, pas, ARRAY_SIZE(pas));
	CHECK_EQ(parse(), 0);
	CHECK_EQ(info.nr_tables, 3);		/* the null entry is skipped */
	CHECK_EQ(info.tables[0].pa, 0x80000000);
	CHECK_EQ(info.tables[0].sig[0], '\0');
	CHECK(!info.tables[0].checksum_ok);
	CHECK(info.have_fadt && info.have_madt);
	CHECK_EQ(info.nr_cpus, 4);
	CHECK(fm.nr_warnings > 0);

	pas[0] = 0x100000000000ULL;		/* only a 64-bit entry can say this */
	put_roots(2, pas, ARRAY_SIZE(pas));
	CHECK_EQ(parse(), 0);
	CHECK(info.xsdt);
	CHECK_EQ(info.tables[0].pa, 0x100000000000ULL);
	CHECK(!info.tables[0].checksum_ok);
	CHECK_EQ(info.nr_cpus, 4);
}

static void build_madt_only(void)
{
	const u64 pas[] = { MADT_PA };

	madt_finish();
	put_roots(2, pas, ARRAY_SIZE(pas));
}

TEST(madt_entry_bad_length)
{
	build_q35(2, 6);
	madt_begin(MADT_PA, 1, 0xfee00000, 0);
	madt_lapic(0, 0, 1);
	madt_entry(0, 0);			/* a zero length would loop forever */
	madt_end += 8;
	madt_lapic(2, 2, 1);
	build_madt_only();
	fm.nr_warnings = 0;
	CHECK_EQ(parse(), 0);
	CHECK(info.have_madt);
	CHECK_EQ(info.nr_cpus, 1);
	CHECK_EQ(fm.nr_warnings, 1);
	CHECK(strstr(fm.last_warning, "bad MADT entry"));

	madt_begin(MADT_PA, 1, 0xfee00000, 0);
	madt_lapic(0, 0, 1);
	madt_entry(1, 1);
	madt_end += 11;
	build_madt_only();
	CHECK_EQ(parse(), 0);
	CHECK_EQ(info.nr_cpus, 1);
	CHECK_EQ(info.nr_ioapics, 0);
}

TEST(madt_entry_overrun)
{
	build_q35(2, 6);
	madt_begin(MADT_PA, 1, 0xfee00000, 0);
	madt_lapic(0, 0, 1);
	madt_lapic(1, 1, 1);
	put8(madt_end - 7, 9);			/* claims one byte past the end */
	build_madt_only();
	fm.nr_warnings = 0;
	CHECK_EQ(parse(), 0);
	CHECK_EQ(info.nr_cpus, 1);
	CHECK_EQ(fm.nr_warnings, 1);

	madt_begin(MADT_PA, 1, 0xfee00000, 0);
	madt_lapic(0, 0, 1);
	madt_end += 1;				/* a lone trailing byte */
	build_madt_only();
	fm.nr_warnings = 0;
	CHECK_EQ(parse(), 0);
	CHECK_EQ(info.nr_cpus, 1);
	CHECK_EQ(fm.nr_warnings, 1);
}

TEST(madt_unknown_and_short_entries)
{
	build_q35(2, 6);
	madt_begin(MADT_PA, 1, 0xfee00000, 0);
	madt_entry(0x7f, 20);			/* unknown type: skipped by length */
	madt_entry(11, 80);			/* GICC: not for x86 */
	madt_entry(1, 8);			/* an I/O APIC entry missing fields */
	madt_lapic(0, 0, 1);
	put8(madt_end - 7, 10);			/* longer than needed: fine */
	madt_end += 2;
	madt_lapic(1, 1, 1);
	build_madt_only();
	fm.nr_warnings = 0;
	CHECK_EQ(parse(), 0);
	CHECK_EQ(info.nr_ioapics, 0);
	CHECK_EQ(info.nr_cpus, 2);
	CHECK_EQ(info.cpus[1].apic_id, 1);
	CHECK_EQ(fm.nr_warnings, 1);
}

TEST(duplicate_apic_ids)
{
	build_q35(2, 6);
	madt_begin(MADT_PA, 1, 0xfee00000, 0);
	madt_lapic(0, 0, 1);
	madt_lapic(1, 0, 1);
	madt_x2apic(0, 1, 2);
	madt_lapic(3, 1, 1);
	madt_x2apic(1, 1, 4);
	build_madt_only();
	CHECK_EQ(parse(), 0);
	CHECK_EQ(info.nr_cpus, 2);
	CHECK_EQ(info.cpus[0].uid, 0);
	CHECK_EQ(info.cpus[1].apic_id, 1);
	CHECK_EQ(info.cpus[1].uid, 3);
	CHECK(!info.cpus[1].x2apic);
	CHECK(strstr(fm.last_warning, "duplicate"));
}

TEST(more_than_max_cpus)
{
	u32 i;

	build_q35(2, 6);
	madt_begin(MADT_PA, 4, 0xfee00000, 0);
	for (i = 0; i < 300; i++)
		madt_x2apic(i, 1, i);
	build_madt_only();
	fm.nr_warnings = 0;
	CHECK_EQ(parse(), 0);
	CHECK_EQ(info.nr_cpus, ACPI_MAX_CPUS);
	CHECK_EQ(info.cpus[ACPI_MAX_CPUS - 1].apic_id, ACPI_MAX_CPUS - 1);
	CHECK_EQ(fm.nr_warnings, 1);
	CHECK(strstr(fm.last_warning, "44 CPUs"));
}

TEST(disabled_cpus_skipped)
{
	build_q35(2, 6);
	madt_begin(MADT_PA, 1, 0xfee00000, 0);
	madt_lapic(0, 0, 1);
	madt_lapic(1, 1, 0);			/* disabled */
	madt_lapic(2, 2, 2);			/* online capable: 6.3+ only */
	madt_lapic(3, 0xff, 1);			/* invalid APIC ID */
	madt_lapic(4, 4, 1);
	build_madt_only();
	CHECK_EQ(parse(), 0);
	CHECK_EQ(info.nr_cpus, 2);
	CHECK_EQ(info.cpus[1].apic_id, 4);

	madt_begin(MADT_PA, 5, 0xfee00000, 0);
	madt_lapic(0, 0, 1);
	madt_lapic(1, 1, 0);
	madt_lapic(2, 2, 2);
	madt_x2apic(0x300, 2, 3);
	madt_x2apic(0x301, 0, 4);
	build_madt_only();
	CHECK_EQ(parse(), 0);
	CHECK_EQ(info.nr_cpus, 3);
	CHECK(info.cpus[1].online_capable && !info.cpus[1].enabled);
	CHECK_EQ(info.cpus[2].apic_id, 0x300);
	CHECK(info.cpus[2].online_capable && info.cpus[2].x2apic);
	CHECK(info.cpus[0].enabled && !info.cpus[0].online_capable);
}

TEST(x2apic_entries)
{
	build_q35(2, 6);
	madt_begin(MADT_PA, 3, 0xfee00000, 1);
	madt_x2apic(0x100, 1, 7);
	madt_x2apic(0xffffffff, 1, 9);		/* invalid ID */
	madt_x2apic(0x101, 1, 8);
	madt_lapic_nmi(0xff, 0, 5);		/* no LINT5: ignored */
	madt_x2apic_nmi(0xffffffff, 0, 0);
	madt_lapic_nmi(0xff, 0, 1);
	build_madt_only();
	CHECK_EQ(parse(), 0);
	CHECK_EQ(info.nr_cpus, 2);
	CHECK_EQ(info.cpus[0].apic_id, 0x100);
	CHECK_EQ(info.cpus[0].uid, 7);
	CHECK(info.cpus[0].x2apic && info.cpus[0].enabled);
	CHECK_EQ(info.cpus[1].apic_id, 0x101);
	CHECK(info.have_nmi_lint);
	CHECK_EQ(info.nmi_lint, 0);
}

TEST(lapic_address_override)
{
	build_q35(2, 6);
	madt_begin(MADT_PA, 3, 0xfee00000, 0);
	madt_lapic(0, 0, 1);
	madt_lapic_override(0x1fee00000ULL);
	madt_lapic(1, 1, 1);
	build_madt_only();
	CHECK_EQ(parse(), 0);
	CHECK_EQ(info.lapic_addr, 0x1fee00000ULL);
	CHECK(!info.pcat_compat);
	CHECK_EQ(info.nr_cpus, 2);
}

TEST(dmar_ivrs_recorded)
{
	const u64 pas[] = { FADT_PA, DMAR_PA, IVRS_PA, EXTRA_PA };

	mem_reset();
	put_fadt(FADT_PA, 6);
	put_table(DMAR_PA, "DMAR", 80);
	put_table(IVRS_PA, "IVRS", 72);
	put_table(EXTRA_PA, "DMAR", 48);	/* a second one is not used */
	put_roots(2, pas, ARRAY_SIZE(pas));
	CHECK_EQ(parse(), 0);
	CHECK_EQ(info.dmar_pa, DMAR_PA);
	CHECK_EQ(info.dmar_len, 80);
	CHECK_EQ(info.ivrs_pa, IVRS_PA);
	CHECK_EQ(info.ivrs_len, 72);
	CHECK_EQ(info.nr_tables, 4);
	CHECK(!info.have_madt);

	fm.buf[DMAR_PA + 40] ^= 1;
	CHECK_EQ(parse(), 0);
	CHECK_EQ(info.dmar_pa, EXTRA_PA);
	CHECK_EQ(info.nr_bad_checksums, 1);
}

/* The control guest's copy of the root tables leaves DMAR and IVRS out and parses cleanly. */
TEST(copy_without_iommu_tables)
{
	const u64 pas[] = { FADT_PA, DMAR_PA, IVRS_PA, WAET_PA };
	const struct acpi_table_subst drop[] = { { DMAR_PA, 0 }, { 0, 0 }, { IVRS_PA, 0 } };
	const u64 out_pa = 0x10a000;

	for (u8 rev = 0; rev <= 2; rev += 2) {
		mem_reset();
		put_fadt(FADT_PA, 6);
		put_table(DMAR_PA, "DMAR", 80);
		put_table(IVRS_PA, "IVRS", 72);
		put_table(WAET_PA, "WAET", 40);
		put_roots(rev, pas, ARRAY_SIZE(pas));
		CHECK_EQ(acpi_copy_roots(&amem, fm.buf + RSDP_PA, rev ? 36 : 20, fm.buf + out_pa,
					 0x1000, out_pa, drop, ARRAY_SIZE(drop)), 0);
		unmap_all();
		CHECK_EQ(parse_rsdp_at(out_pa, rev ? 36 : 20), 0);
		CHECK_EQ(info.dmar_pa, 0);
		CHECK_EQ(info.ivrs_pa, 0);
		CHECK_EQ(info.nr_tables, 2);
		CHECK_EQ(info.nr_bad_checksums, 0);
		CHECK_EQ(get32(RSDT_PA + 4), 36 + 4 * 4);	/* the firmware's tables stay as they were */
	}
	CHECK_EQ(acpi_copy_roots(&amem, fm.buf + RSDP_PA, 36, fm.buf + out_pa, 64, out_pa, drop, 3),
		 -EINVAL);
	unmap_all();
	fm.buf[RSDP_PA] ^= 1;
	CHECK_EQ(acpi_copy_roots(&amem, fm.buf + RSDP_PA, 36, fm.buf + out_pa, 0x1000, out_pa, drop, 3),
		 -EINVAL);
	unmap_all();
}

/*
 * A control guest on CPUs 1 and 2 of four (APIC IDs 1 and 2; an x2APIC one at
 * 300): the root tables point at a MADT copy in which only those two are
 * enabled, and the firmware's stays as it was.
 */
TEST(copy_madt_for_control_cpus)
{
	const u64 pas[] = { FADT_PA, MADT_PA, WAET_PA }, copy_pa = 0x10a000, roots_pa = 0x10c000;
	const struct acpi_table_subst subst[] = { { MADT_PA, copy_pa } };
	const u32 ids[] = { 2, 1 };

	for (u8 rev = 0; rev <= 2; rev += 2) {
		mem_reset();
		put_fadt(FADT_PA, 6);
		madt_begin(MADT_PA, 5, 0xfee00000, 1);
		for (u8 i = 0; i < 4; i++)
			madt_lapic(i, i, 1);
		madt_x2apic(300, 3, 4);
		madt_ioapic(0, 0xfec00000, 0);
		madt_finish();
		put_table(WAET_PA, "WAET", 40);
		put_roots(rev, pas, ARRAY_SIZE(pas));
		CHECK_EQ(acpi_copy_madt(&amem, MADT_PA, fm.buf + copy_pa, 0x1000, ids, 2),
			 (int)get32(MADT_PA + 4));
		CHECK_EQ(acpi_copy_roots(&amem, fm.buf + RSDP_PA, rev ? 36 : 20, fm.buf + roots_pa,
					 0x1000, roots_pa, subst, 1), 0);
		unmap_all();
		CHECK_EQ(parse_rsdp_at(roots_pa, rev ? 36 : 20), 0);
		CHECK_EQ(info.nr_bad_checksums, 0);
		CHECK_EQ(info.nr_cpus, 2);
		CHECK_EQ(info.cpus[0].apic_id, 1);
		CHECK_EQ(info.cpus[1].apic_id, 2);
		CHECK_EQ(info.nr_ioapics, 1);
		CHECK_EQ(parse(), 0);
		CHECK_EQ(info.nr_cpus, 5);
	}
	CHECK_EQ(acpi_copy_madt(&amem, MADT_PA, fm.buf + copy_pa, 60, ids, 2), -E2BIG);
	unmap_all();
	CHECK_EQ(acpi_copy_madt(&amem, FADT_PA, fm.buf + copy_pa, 0x1000, ids, 2), -EINVAL);
	unmap_all();
	put8(MADT_PA + 44 + 1, 1);	/* the first structure 1 byte long: the rest cannot be walked */
	fix_checksum(MADT_PA);
	CHECK_EQ(acpi_copy_madt(&amem, MADT_PA, fm.buf + copy_pa, 0x1000, ids, 2), -EINVAL);
	unmap_all();
	fm.buf[MADT_PA + 50] ^= 1;
	CHECK_EQ(acpi_copy_madt(&amem, MADT_PA, fm.buf + copy_pa, 0x1000, ids, 2), -EINVAL);
	unmap_all();
}

/* \_S5's SLP_TYP values from AML as QEMU's, and other firmware's, DSDTs write it. */
TEST(s5_sleep_types)
{
	static const u8 qemu[] = { 'D', 'S', 'D', 'T', 0x10, 0x5b, 0x80, 0x08, '_', 'S', '5', '_',
				   0x12, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00, 0xa3 };
	static const u8 rooted[] = { 0, 0, 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x0a, 0x04, 0x0a, 0x07,
				     0x01, 0x00, 0x00, 0, 0, 0 };
	static const u8 one_elem[] = { 0, 0, 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x01, 0x0a, 0x05,
				       0, 0, 0, 0 };
	static const u8 no_name[] = { 0, 0, 0x0d, '_', 'S', '5', '_', 0x00, 0x12, 0x06, 0x04, 0x00, 0x00,
				      0, 0, 0 };
	u8 a = 9, b = 9;

	CHECK_EQ(acpi_s5_sleep_types(qemu, sizeof(qemu), &a, &b), 0);
	CHECK_EQ(a, 0);
	CHECK_EQ(b, 0);
	CHECK_EQ(acpi_s5_sleep_types(rooted, sizeof(rooted), &a, &b), 0);
	CHECK_EQ(a, 7);
	CHECK_EQ(b, 1);
	CHECK_EQ(acpi_s5_sleep_types(one_elem, sizeof(one_elem), &a, &b), 0);
	CHECK_EQ(a, 5);
	CHECK_EQ(b, 5);
	CHECK_EQ(acpi_s5_sleep_types(no_name, sizeof(no_name), &a, &b), -ENOENT);
	CHECK_EQ(acpi_s5_sleep_types(qemu, 12, &a, &b), -ENOENT);	/* cut short */
}

TEST(mcfg_entries)
{
	unsigned int i;

	build_q35(2, 6);
	put_mcfg(MCFG_PA, 3);
	put_mcfg_entry(MCFG_PA, 0, 0xb0000000, 0, 0, 255);
	put_mcfg_entry(MCFG_PA, 1, 0xc0000000, 1, 10, 5);	/* backwards */
	put_mcfg_entry(MCFG_PA, 2, 0xd0000000, 1, 0, 63);
	fix_checksum(MCFG_PA);
	CHECK_EQ(parse(), 0);
	CHECK_EQ(info.nr_mcfg, 2);
	CHECK_EQ(info.mcfg[1].base, 0xd0000000);
	CHECK_EQ(info.mcfg[1].segment, 1);
	CHECK_EQ(info.mcfg[1].bus_end, 63);

	put_mcfg(MCFG_PA, 10);
	for (i = 0; i < 10; i++)
		put_mcfg_entry(MCFG_PA, i, 0xb0000000 + i * SZ_1G, (u16)i, 0, 255);
	fix_checksum(MCFG_PA);
	fm.nr_warnings = 0;
	CHECK_EQ(parse(), 0);
	CHECK_EQ(info.nr_mcfg, ACPI_MAX_MCFG);
	CHECK_EQ(info.mcfg[7].segment, 7);
	CHECK_EQ(fm.nr_warnings, 1);
}

TEST(fadt_x_fields)
{
	build_q35(2, 6);
	put_gas(FADT_PA + 148, 1, 32, 0, 0x1600);	/* I/O: preferred */
	put_gas(FADT_PA + 172, 0, 16, 0, 0xfe000000);	/* memory: not a port */
	put_gas(FADT_PA + 208, 1, 32, 0, 0);		/* zero: legacy */
	put64(FADT_PA + 140, 0);
	put64(FADT_PA + 132, 0x12345000);
	fix_checksum(FADT_PA);
	CHECK_EQ(parse(), 0);
	CHECK_EQ(info.pm1a_evt, 0x1600);
	CHECK_EQ(info.pm1a_cnt, 0x604);
	CHECK_EQ(info.pm_tmr, 0x608);
	CHECK_EQ(info.dsdt_pa, DSDT_PA);
	CHECK_EQ(info.facs_pa, 0x12345000);

	put64(FADT_PA + 140, 0x7000000000ULL);
	put32(FADT_PA + 4, 150);		/* ends inside X_PM1a_EVT_BLK */
	fix_checksum(FADT_PA);
	CHECK_EQ(parse(), 0);
	CHECK_EQ(info.dsdt_pa, 0x7000000000ULL);
	CHECK_EQ(info.pm1a_evt, 0x600);
	CHECK_EQ(info.reset_value, 6);

	put64(FADT_PA + 140, 0x200000);
	put32(FADT_PA + 4, 144);		/* ends inside X_DSDT */
	fix_checksum(FADT_PA);
	CHECK_EQ(parse(), 0);
	CHECK_EQ(info.dsdt_pa, DSDT_PA);

	put32(FADT_PA + 4, 129);		/* ACPI 1.0b-style: reset register only */
	fix_checksum(FADT_PA);
	CHECK_EQ(parse(), 0);
	CHECK_EQ(info.dsdt_pa, DSDT_PA);
	CHECK_EQ(info.facs_pa, FACS_PA);
	CHECK_EQ(info.reset_reg.address, 0xcf9);
	CHECK_EQ(info.reset_value, 6);
	CHECK_EQ(info.iapc_boot_arch, 3);
}

TEST(fadt_legacy_quirks)
{
	build_q35(0, 1);
	put16(FADT_PA + 109, 3);		/* reserved in a revision 1 FADT */
	fix_checksum(FADT_PA);
	CHECK_EQ(parse(), 0);
	CHECK_EQ(info.iapc_boot_arch, 0);

	build_q35(2, 6);
	put_gas(FADT_PA + 208, 1, 32, 0, 0x10608);	/* no such I/O port */
	fix_checksum(FADT_PA);
	CHECK_EQ(parse(), 0);
	CHECK_EQ(info.pm_tmr, 0x608);
}

TEST(first_usable_table_wins)
{
	const u64 pas[] = { HPET_PA, MADT_PA, EXTRA_PA, EXTRA_PA + 0x100 };

	mem_reset();
	put_hpet(HPET_PA, 0);			/* no address: unusable */
	put_q35_madt();
	madt_begin(EXTRA_PA, 1, 0xfee00000, 0);
	madt_lapic(0, 9, 1);
	madt_finish();
	put_hpet(EXTRA_PA + 0x100, 0xfed01000);
	put_roots(2, pas, ARRAY_SIZE(pas));
	CHECK_EQ(parse(), 0);
	CHECK(!info.tables[0].checksum_ok);
	CHECK(info.have_hpet);
	CHECK_EQ(info.hpet_addr, 0xfed01000);
	CHECK_EQ(info.nr_cpus, 4);		/* the second MADT is ignored */
	CHECK(info.pcat_compat);
}

TEST(too_many_tables)
{
	u64 pas[ACPI_MAX_TABLES + 6];
	unsigned int i;

	mem_reset();
	for (i = 0; i < ARRAY_SIZE(pas); i++) {
		pas[i] = EXTRA_PA + 64 * i;
		put_table(pas[i], "OEMX", 40);
	}
	pas[ARRAY_SIZE(pas) - 1] = MADT_PA;
	put_q35_madt();
	put_roots(2, pas, ARRAY_SIZE(pas));
	fm.nr_warnings = 0;
	CHECK_EQ(parse(), 0);
	CHECK_EQ(info.nr_tables, ACPI_MAX_TABLES);
	CHECK_EQ(fm.nr_warnings, 6);
	CHECK(info.have_madt);			/* parsed even though not listed */
}

static u64 rng_state = 0x9e3779b97f4a7c15ULL;

static u32 rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (u32)((rng_state * 0x2545f4914f6cdd1dULL) >> 32);
}

static const u64 fuzz_tables[] = {
	FADT_PA, MADT_PA, HPET_PA, MCFG_PA, WAET_PA, DMAR_PA, IVRS_PA,
};

static void build_fuzz_base(void)
{
	build_q35(2, 6);
	madt_begin(MADT_PA, 5, 0xfee00000, 1);
	madt_lapic(0, 0, 1);
	madt_lapic(1, 1, 2);
	madt_x2apic(0x100, 1, 2);
	madt_ioapic(0, 0xfec00000, 0);
	madt_iso(0, 2, 0);
	madt_lapic_nmi(0xff, 0, 1);
	madt_x2apic_nmi(0xffffffff, 0, 1);
	madt_lapic_override(0xfee00000);
	madt_finish();
	put_table(DMAR_PA, "DMAR", 48);
	put_table(IVRS_PA, "IVRS", 48);
	put_roots(2, fuzz_tables, ARRAY_SIZE(fuzz_tables));
}

static void mutate(void)
{
	static const u64 roots[] = { RSDP_PA, RSDT_PA, XSDT_PA };
	u64 pa;
	u32 span, n = 1 + rnd() % 8;

	while (n--) {
		if (rnd() % 4 == 0)
			pa = roots[rnd() % ARRAY_SIZE(roots)];
		else
			pa = fuzz_tables[rnd() % ARRAY_SIZE(fuzz_tables)];
		span = pa == MADT_PA ? 200 : 64;
		if (rnd() % 8 == 0 && pa != RSDP_PA)
			put32(pa + 4, rnd() % 8 ? rnd() % 512 : rnd());
		else
			put8(pa + rnd() % span, (u8)rnd());
	}
}

/* Most mutations are made checksum-clean so they reach the parsers proper. */
static void fix_all_checksums(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fuzz_tables); i++)
		fix_checksum(fuzz_tables[i]);
	fix_checksum(RSDT_PA);
	fix_checksum(XSDT_PA);
	fix_rsdp(RSDP_PA);
}

static void check_limits(int ret)
{
	unsigned int i, j;

	CHECK(ret == 0 || ret == -EINVAL);
	CHECK(info.nr_tables <= ACPI_MAX_TABLES);
	CHECK(info.nr_cpus <= ACPI_MAX_CPUS);
	CHECK(info.nr_ioapics <= ACPI_MAX_IOAPICS);
	CHECK(info.nr_overrides <= ACPI_MAX_OVERRIDES);
	CHECK(info.nr_mcfg <= ACPI_MAX_MCFG);
	CHECK(info.nr_cpus == 0 || info.have_madt);
	for (i = 0; i < info.nr_cpus; i++)
		for (j = i + 1; j < info.nr_cpus; j++)
			CHECK(info.cpus[i].apic_id != info.cpus[j].apic_id);
}

TEST(fuzz_mutated_tables)
{
	static u8 pristine[MEM_SIZE - 0xe0000];
	unsigned int iter, parsed = 0;
	u64 pa;

	build_fuzz_base();
	memcpy(pristine, fm.buf + 0xe0000, sizeof(pristine));
	for (iter = 0; iter < 4000; iter++) {
		memcpy(fm.buf + 0xe0000, pristine, sizeof(pristine));
		mutate();
		if (rnd() % 4)
			fix_all_checksums();
		if (iter % 64 == 0 && find_rsdp(&pa) == 0)
			CHECK(pa >= 0xe0000 && pa < 0x100000);
		check_limits(parse_rsdp_at(RSDP_PA, 36));
		parsed += info.have_madt;
	}
	/* The mutations must reach the parsers, not just break checksums. */
	CHECK(parsed > 1000);
}

TEST_MAIN("acpi",
	  T(check_rsdp_images),
	  T(parse_q35_rsdt_acpi1),
	  T(parse_q35_xsdt_acpi6),
	  T(find_rsdp_bios_area),
	  T(find_rsdp_ebda),
	  T(find_rsdp_skips_invalid),
	  T(bad_rsdp_checksum),
	  T(rsdp_v0_ignores_xsdt_field),
	  T(bad_xsdt_falls_back_to_rsdt),
	  T(bad_root_tables),
	  T(bad_madt_checksum),
	  T(table_shorter_than_needed),
	  T(table_past_end_of_memory),
	  T(root_entry_points_nowhere),
	  T(madt_entry_bad_length),
	  T(madt_entry_overrun),
	  T(madt_unknown_and_short_entries),
	  T(duplicate_apic_ids),
	  T(more_than_max_cpus),
	  T(disabled_cpus_skipped),
	  T(x2apic_entries),
	  T(lapic_address_override),
	  T(dmar_ivrs_recorded),
	  T(copy_without_iommu_tables),
	  T(copy_madt_for_control_cpus),
	  T(s5_sleep_types),
	  T(mcfg_entries),
	  T(fadt_x_fields),
	  T(fadt_legacy_quirks),
	  T(first_usable_table_wins),
	  T(too_many_tables),
	  T(fuzz_mutated_tables));
