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

_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP layout");
_Static_assert(sizeof(struct acpi_sdt_hdr) == 36, "SDT header layout");

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
