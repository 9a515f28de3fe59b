/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ACPI table discovery and parsing (ACPI 6.5: 5.2.5 RSDP, 5.2.7 RSDT,
 * 5.2.8 XSDT, 5.2.9 FADT, 5.2.12 MADT; HPET and PCI Firmware (MCFG) specs).
 * Pure logic: physical memory is reached only through struct acpi_mem, so the
 * host tests feed it built (and broken) tables.
 */
#ifndef KEEL_ACPI_H
#define KEEL_ACPI_H

#include "kernel/types.h"

#define ACPI_MAX_CPUS 256
#define ACPI_MAX_IOAPICS 16
#define ACPI_MAX_OVERRIDES 32
#define ACPI_MAX_MCFG 8
#define ACPI_MAX_TABLES 64

struct acpi_mem {
	/* A pointer to @len readable bytes at physical @pa, or NULL if out of reach. */
	const void *(*map)(void *ctx, u64 pa, size_t len);
	void *ctx;
	/* printf-like sink for warnings (bad checksum, truncated table, ...); may be NULL. */
	void (*warn)(void *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
};

struct acpi_cpu {
	u32 apic_id;
	u32 uid;
	bool enabled;
	bool online_capable;
	bool x2apic;		/* from a Local x2APIC structure (type 9) */
};

struct acpi_ioapic {
	u32 id;
	u32 addr;
	u32 gsi_base;
};

struct acpi_override {
	u8 bus;
	u8 source;		/* ISA IRQ */
	u32 gsi;
	u16 flags;		/* MPS INTI flags: polarity bits 1:0, trigger bits 3:2 */
};

struct acpi_gas {		/* Generic Address Structure (5.2.3.2) */
	u8 space_id;		/* 0 memory, 1 system I/O */
	u8 bit_width;
	u8 bit_offset;
	u8 access_size;
	u64 address;
};

struct acpi_mcfg {
	u64 base;
	u16 segment;
	u8 bus_start;
	u8 bus_end;
};

struct acpi_table_ref {
	char sig[5];		/* NUL-terminated signature */
	u64 pa;
	u32 len;
	bool checksum_ok;
};

struct acpi_info {
	u8 revision;		/* RSDP revision: 0 = ACPI 1.0 (RSDT), >= 2 (XSDT) */
	u64 rsdp_pa;		/* 0 if the RSDP came from a copy (multiboot2 tag) */
	u64 root_pa;		/* the XSDT if usable, else the RSDT */
	bool xsdt;
	unsigned int nr_tables;
	struct acpi_table_ref tables[ACPI_MAX_TABLES];
	unsigned int nr_bad_checksums;

	bool have_madt;
	u64 lapic_addr;		/* with the 64-bit override (type 5) applied */
	bool pcat_compat;	/* dual 8259s present: MADT flags bit 0 */
	unsigned int nr_cpus;	/* enabled or online-capable entries only, duplicates dropped */
	struct acpi_cpu cpus[ACPI_MAX_CPUS];
	unsigned int nr_ioapics;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	unsigned int nr_overrides;
	struct acpi_override overrides[ACPI_MAX_OVERRIDES];
	bool have_nmi_lint;	/* a Local APIC NMI structure (type 4) was seen */
	u8 nmi_lint;

	bool have_fadt;
	u64 dsdt_pa;		/* X_DSDT when nonzero, else DSDT */
	u64 facs_pa;
	u16 sci_irq;
	u32 smi_cmd;
	u8 acpi_enable;
	u32 pm1a_evt, pm1b_evt, pm1a_cnt, pm1b_cnt, pm_tmr;	/* I/O ports (X_ blocks if I/O space) */
	u8 pm_tmr_len;
	u16 iapc_boot_arch;
	u32 fadt_flags;		/* bit 10 RESET_REG_SUP, bit 8 TMR_VAL_EXT, bit 20 HW_REDUCED_ACPI */
	struct acpi_gas reset_reg;
	u8 reset_value;
	u8 century;

	bool have_hpet;
	u64 hpet_addr;
	u8 hpet_number;
	u16 hpet_min_tick;

	unsigned int nr_mcfg;
	struct acpi_mcfg mcfg[ACPI_MAX_MCFG];

	u64 dmar_pa;		/* recorded for the IOMMU driver and to hide from the control guest; 0 if absent */
	u32 dmar_len;
	u64 ivrs_pa;
	u32 ivrs_len;
};

/*
 * Searches the BIOS areas for the RSDP (5.2.5.1): the first KiB of the EBDA
 * (segment at 0x40E) and 0xE0000-0xFFFFF, on 16-byte boundaries, checking
 * the checksum (and the extended checksum for revision >= 2).
 */
int acpi_find_rsdp(const struct acpi_mem *mem, u64 *rsdp_pa);
/* Validates an RSDP image (signature, checksums, length); 0 or -EINVAL. */
int acpi_check_rsdp(const void *rsdp, size_t len);
/*
 * Parses everything reachable from the RSDP image @rsdp (@len bytes) into
 * @out. Tables with a bad checksum, a bad length or out of reach are listed
 * with checksum_ok false, warned about, and not used. A bad RSDP or root
 * table is -EINVAL; a missing MADT is not an error (have_madt false).
 */
int acpi_parse(const struct acpi_mem *mem, const void *rsdp, size_t len, struct acpi_info *out);
/*
 * The SLP_TYP values for S5 (soft off) from the \_S5 package in the DSDT's
 * AML @dsdt (@len bytes, the header included): the first two elements, each
 * a Zero, One or byte constant (ACPI 6.5 7.4.2). 0, or -ENOENT if not found.
 */
int acpi_s5_sleep_types(const u8 *dsdt, size_t len, u8 *typ_a, u8 *typ_b);
/* A root-table entry to change in the control guest's copy: @to 0 leaves the table out. */
struct acpi_table_subst {
	u64 from, to;
};

/*
 * Writes to @out (@out_len bytes that will live at physical @out_pa) a copy
 * of the RSDP image @rsdp followed by copies of its RSDT and XSDT whose
 * entries are substituted by @subst, all checksums fixed: how the control
 * guest is kept from seeing DMAR and IVRS and sees its own MADT. 0, or
 * -EINVAL for a bad RSDP or root table, or one that does not fit.
 */
int acpi_copy_roots(const struct acpi_mem *mem, const void *rsdp, size_t rsdp_len, u8 *out,
		    size_t out_len, u64 out_pa, const struct acpi_table_subst *subst,
		    unsigned int nr);
/*
 * Copies the MADT at @madt_pa to @out, its Local APIC and Local x2APIC
 * structures whose APIC ID is not in @ids neither enabled nor online
 * capable: the control guest brings up only the CPUs it has. The length,
 * -E2BIG if it does not fit, -EINVAL for a bad table or a structure whose
 * length is short of 2 or runs past the table.
 */
int acpi_copy_madt(const struct acpi_mem *mem, u64 madt_pa, u8 *out, size_t out_len,
		   const u32 *ids, unsigned int nr);

#endif
