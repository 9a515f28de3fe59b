/* SPDX-License-Identifier: GPL-2.0 */
/* ACPI 6.5 structures and the checksum shared by drivers/acpi.c and drivers/acpi_guest.c. */
#ifndef KEEL_DRIVERS_ACPI_RAW_H
#define KEEL_DRIVERS_ACPI_RAW_H

#include "kernel/types.h"

#define ACPI_RSDP_V1_LEN 20U

/* Root System Description Pointer (5.2.5.3). */
struct acpi_rsdp {
	char sig[8];
	u8 checksum;
	char oem_id[6];
	u8 revision;
	u32 rsdt_addr;
	u32 length;		/* revision >= 2 from here on */
	u64 xsdt_addr;
	u8 ext_checksum;
	u8 reserved[3];
} __packed;

/* System Description Table Header (5.2.6). */
struct acpi_sdt_hdr {
	char sig[4];
	u32 length;
	u8 revision;
	u8 checksum;
	char oem_id[6];
	char oem_table_id[8];
	u32 oem_revision;
	u32 creator_id;
	u32 creator_revision;
} __packed;

/* MADT header (5.2.12); the structures follow at offset 44. */
struct acpi_madt {
	struct acpi_sdt_hdr hdr;
	u32 lapic_addr;
	u32 flags;
} __packed;

#define MADT_LAPIC 0
#define MADT_X2APIC 9
#define ACPI_CPU_ENABLED BIT(0)
#define ACPI_CPU_ONLINE_CAPABLE BIT(1)

/* Processor Local APIC (5.2.12.2). */
struct madt_lapic {
	u8 type, length;
	u8 uid;
	u8 apic_id;
	u32 flags;
} __packed;

/* Processor Local x2APIC (5.2.12.12). */
struct madt_x2apic {
	u8 type, length;
	u16 reserved;
	u32 apic_id;
	u32 flags;
	u32 uid;
} __packed;

_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP layout");
_Static_assert(sizeof(struct acpi_sdt_hdr) == 36, "SDT header layout");
_Static_assert(sizeof(struct acpi_madt) == 44, "MADT layout");
_Static_assert(sizeof(struct madt_lapic) == 8, "MADT Local APIC layout");
_Static_assert(sizeof(struct madt_x2apic) == 16, "MADT Local x2APIC layout");

/* Every ACPI checksum is "all bytes, checksum included, sum to zero". */
static inline u8 acpi_checksum(const void *p, size_t len)
{
	const u8 *b = p;
	u8 sum = 0;

	while (len--)
		sum += *b++;
	return sum;
}

#endif
