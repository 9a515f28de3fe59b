// SPDX-License-Identifier: GPL-2.0
/*
 * The control guest's view of ACPI: a copy of the root tables without the
 * ones Keel hides (DMAR, IVRS), and the \_S5 sleep type from the DSDT's AML.
 * The tables are firmware input: lengths and checksums are checked before use.
 */
#include "drivers/acpi.h"
#include "drivers/acpi_raw.h"
#include "kernel/errno.h"
#include "kernel/string.h"
#include "kernel/types.h"

/* Copies the RSDT or XSDT @root without the entries pointing at @drop; 0 if there is no room. */
static u32 filter_root(const struct acpi_mem *mem, u64 root_pa, u8 *out, size_t room,
		       const u64 *drop, unsigned int nr_drop)
{
	const struct acpi_sdt_hdr *h = mem->map(mem->ctx, root_pa, sizeof(*h));
	size_t width, n = 0, len;
	const u8 *t;

	if (!h || h->length < sizeof(*h) || (memcmp(h->sig, "XSDT", 4) && memcmp(h->sig, "RSDT", 4)))
		return 0;
	len = h->length;
	width = memcmp(h->sig, "XSDT", 4) ? 4 : 8;
	t = mem->map(mem->ctx, root_pa, len);
	if (!t || len > room || acpi_checksum(t, len))
		return 0;
	memcpy(out, t, sizeof(*h));
	for (size_t off = sizeof(*h); off + width <= len; off += width) {
		u64 pa = 0;
		bool keep = true;

		memcpy(&pa, t + off, width);
		for (unsigned int i = 0; i < nr_drop; i++)
			keep &= !drop[i] || pa != drop[i];
		if (keep)
			memcpy(out + sizeof(*h) + width * n++, &pa, width);
	}
	len = sizeof(*h) + width * n;
	((struct acpi_sdt_hdr *)out)->length = (u32)len;
	((struct acpi_sdt_hdr *)out)->checksum = 0;
	((struct acpi_sdt_hdr *)out)->checksum = (u8)-acpi_checksum(out, len);
	return (u32)len;
}

int acpi_copy_without(const struct acpi_mem *mem, const void *rsdp, size_t rsdp_len, u8 *out,
		      size_t out_len, u64 out_pa, const u64 *drop, unsigned int nr_drop)
{
	struct acpi_rsdp r;
	size_t used = ALIGN_UP(sizeof(r), 16);
	u32 n;

	if (acpi_check_rsdp(rsdp, rsdp_len) || out_len < used)
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	memcpy(&r, rsdp, MIN(rsdp_len, sizeof(r)));
	if (r.rsdt_addr) {
		n = filter_root(mem, r.rsdt_addr, out + used, out_len - used, drop, nr_drop);
		if (!n || out_pa + used > UINT32_MAX)
			return -EINVAL;
		r.rsdt_addr = (u32)(out_pa + used);
		used = ALIGN_UP(used + n, 16);
	}
	if (r.revision >= 2 && r.xsdt_addr) {
		n = filter_root(mem, r.xsdt_addr, out + used, out_len - used, drop, nr_drop);
		if (!n)
			return -EINVAL;
		r.xsdt_addr = out_pa + used;
	}
	r.checksum = 0;
	r.checksum = (u8)-acpi_checksum(&r, ACPI_RSDP_V1_LEN);
	r.ext_checksum = 0;
	if (r.revision >= 2)
		r.ext_checksum = (u8)-acpi_checksum(&r, sizeof(r));
	memcpy(out, &r, r.revision >= 2 ? sizeof(r) : ACPI_RSDP_V1_LEN);
	return 0;
}

/* PkgLength (ACPI 6.5 20.2.4): bits 7:6 of the lead byte count the bytes that follow. */
static size_t aml_pkglen_size(u8 lead)
{
	return 1 + (lead >> 6);
}

/* A ZeroOp, OneOp, OnesOp or BytePrefix constant at @p (20.2.3); -1 if none. */
static int aml_small_const(const u8 *p, const u8 *end)
{
	if (p >= end)
		return -1;
	if (*p == 0x00 || *p == 0x01)
		return *p;
	if (*p == 0xff)
		return 0xff;
	if (*p == 0x0a && p + 1 < end)
		return p[1];
	return -1;
}

static const u8 *aml_skip_const(const u8 *p)
{
	return p + (*p == 0x0a ? 2 : 1);
}

int acpi_s5_sleep_types(const u8 *dsdt, size_t len, u8 *typ_a, u8 *typ_b)
{
	const u8 *end = dsdt + len;

	for (const u8 *p = dsdt + 2; p + 8 < end; p++) {
		const u8 *q;
		int a, b;

		/* NameOp "_S5_" PackageOp PkgLength NumElements (maybe after a root prefix '\') */
		if (memcmp(p, "_S5_", 4) || (p[-1] != 0x08 && !(p[-1] == '\\' && p - 2 >= dsdt &&
							      p[-2] == 0x08)) || p[4] != 0x12)
			continue;
		q = p + 5 + aml_pkglen_size(p[5]);	/* NumElements */
		a = q + 1 < end && *q >= 1 ? aml_small_const(q + 1, end) : -1;
		if (a < 0)
			continue;
		b = *q >= 2 ? aml_small_const(aml_skip_const(q + 1), end) : -1;
		*typ_a = (u8)(a & 7);
		*typ_b = (u8)((b < 0 ? a : b) & 7);
		return 0;
	}
	return -ENOENT;
}
