// SPDX-License-Identifier: GPL-2.0
/*
 * The control guest's view of ACPI: a copy of the root tables without the
 * ones Keel hides (DMAR, IVRS) and pointing at a copy of the MADT that lists
 * only its own CPUs, and the \_S5 sleep type from the DSDT's AML.
 * The tables are firmware input: lengths and checksums are checked before use.
 */
#include "drivers/acpi.h"
#include "drivers/acpi_raw.h"
#include "kernel/errno.h"
#include "kernel/string.h"
#include "kernel/types.h"

/* Where the root table's entry @pa goes in the copy: @pa, a replacement, or 0 (left out). */
static u64 subst_pa(u64 pa, const struct acpi_table_subst *subst, unsigned int nr)
{
	for (unsigned int i = 0; i < nr; i++)
		if (subst[i].from && pa == subst[i].from)
			return subst[i].to;
	return pa;
}

/* Copies the RSDT or XSDT @root with its entries substituted; 0 if there is no room. */
static u32 filter_root(const struct acpi_mem *mem, u64 root_pa, u8 *out, size_t room,
		       const struct acpi_table_subst *subst, unsigned int nr)
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

		memcpy(&pa, t + off, width);
		pa = subst_pa(pa, subst, nr);
		if (pa && (width == 8 || pa <= UINT32_MAX))
			memcpy(out + sizeof(*h) + width * n++, &pa, width);
	}
	len = sizeof(*h) + width * n;
	((struct acpi_sdt_hdr *)out)->length = (u32)len;
	((struct acpi_sdt_hdr *)out)->checksum = 0;
	((struct acpi_sdt_hdr *)out)->checksum = (u8)-acpi_checksum(out, len);
	return (u32)len;
}

int acpi_copy_roots(const struct acpi_mem *mem, const void *rsdp, size_t rsdp_len, u8 *out,
		    size_t out_len, u64 out_pa, const struct acpi_table_subst *subst,
		    unsigned int nr)
{
	struct acpi_rsdp r;
	size_t used = ALIGN_UP(sizeof(r), 16);
	u32 n;

	if (acpi_check_rsdp(rsdp, rsdp_len) || out_len < used)
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	memcpy(&r, rsdp, MIN(rsdp_len, sizeof(r)));
	if (r.rsdt_addr) {
		n = filter_root(mem, r.rsdt_addr, out + used, out_len - used, subst, nr);
		if (!n || out_pa + used > UINT32_MAX)
			return -EINVAL;
		r.rsdt_addr = (u32)(out_pa + used);
		used = ALIGN_UP(used + n, 16);
	}
	if (r.revision >= 2 && r.xsdt_addr) {
		n = filter_root(mem, r.xsdt_addr, out + used, out_len - used, subst, nr);
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

static bool id_listed(u32 id, const u32 *ids, unsigned int nr)
{
	for (unsigned int i = 0; i < nr; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* Clears Enabled and Online Capable (5.2.12.2, 5.2.12.12) of a CPU structure not in @ids. */
static void hide_cpu(u8 *e, const u32 *ids, unsigned int nr)
{
	struct madt_lapic l;
	struct madt_x2apic x;

	if (e[0] == MADT_LAPIC && e[1] >= sizeof(l)) {
		memcpy(&l, e, sizeof(l));
		if (!id_listed(l.apic_id, ids, nr))
			l.flags &= ~(u32)(ACPI_CPU_ENABLED | ACPI_CPU_ONLINE_CAPABLE);
		memcpy(e, &l, sizeof(l));
	} else if (e[0] == MADT_X2APIC && e[1] >= sizeof(x)) {
		memcpy(&x, e, sizeof(x));
		if (!id_listed(x.apic_id, ids, nr))
			x.flags &= ~(u32)(ACPI_CPU_ENABLED | ACPI_CPU_ONLINE_CAPABLE);
		memcpy(e, &x, sizeof(x));
	}
}

int acpi_copy_madt(const struct acpi_mem *mem, u64 madt_pa, u8 *out, size_t out_len,
		   const u32 *ids, unsigned int nr)
{
	const struct acpi_sdt_hdr *h = mem->map(mem->ctx, madt_pa, sizeof(*h));
	const u8 *t;
	size_t len, off;

	if (!h || memcmp(h->sig, "APIC", 4) || h->length < sizeof(struct acpi_madt))
		return -EINVAL;
	len = h->length;
	t = mem->map(mem->ctx, madt_pa, len);
	if (!t || acpi_checksum(t, len))
		return -EINVAL;
	if (len > out_len)
		return -E2BIG;
	memcpy(out, t, len);
	for (off = sizeof(struct acpi_madt); off + 2 <= len; off += out[off + 1]) {
		if (out[off + 1] < 2 || off + out[off + 1] > len)
			return -EINVAL;	/* a structure cut short: the CPUs after it could not be hidden */
		hide_cpu(out + off, ids, nr);
	}
	((struct acpi_sdt_hdr *)out)->checksum = 0;
	((struct acpi_sdt_hdr *)out)->checksum = (u8)-acpi_checksum(out, len);
	return (int)len;
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
