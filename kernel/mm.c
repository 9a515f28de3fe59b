// SPDX-License-Identifier: GPL-2.0
#include "asm/pgtable.h"
#include "asm/processor-flags.h"
#include "asm/processor.h"
#include "asm/features.h"
#include "asm/msr.h"
#include "kernel/errno.h"
#include "kernel/frame.h"
#include "kernel/heap.h"
#include "kernel/mm.h"
#include "kernel/multiboot2.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "kernel/string.h"

extern const u8 _image_start[], _image_end[], _text_start[], _text_end[];
extern const u8 _rodata_start[], _rodata_end[], _data_start[];

struct mm_info mm;
struct pagetable keel_pt;
static struct frame_pool pool;
static struct frame_pool guest_pool;
static struct spinlock guest_lock = SPINLOCK_INIT;
static struct heap heap;
static struct spinlock pool_lock = SPINLOCK_INIT;
static struct spinlock heap_lock = SPINLOCK_INIT;
static u64 trampoline_page;

#define PA(sym) ((u64)(uintptr_t)(sym))

u64 mm_default_reserve(u64 ram)
{
	return ALIGN_UP(MIN(MAX(ram / 64 + 32 * SZ_1M, 32 * SZ_1M), 2 * SZ_1G), SZ_2M);
}

u64 frame_alloc_keel(unsigned int order)
{
	u64 flags = spin_lock_irqsave(&pool_lock);
	u64 pa = frame_alloc(&pool, order);

	spin_unlock_irqrestore(&pool_lock, flags);
	if (pa)
		memset((void *)(uintptr_t)pa, 0, PAGE_SIZE << order);
	return pa;
}

void frame_free_keel(u64 pa, unsigned int order)
{
	u64 flags = spin_lock_irqsave(&pool_lock);
	int r = frame_free(&pool, pa, order);

	spin_unlock_irqrestore(&pool_lock, flags);
	if (r)
		panic("bad frame free %#llx order %u", (unsigned long long)pa, order);
}

u64 frames_free_keel(void)
{
	return pool.nr_free;
}

u64 guest_frame_alloc(unsigned int order)
{
	u64 flags = spin_lock_irqsave(&guest_lock);
	u64 pa = frame_alloc(&guest_pool, order);

	spin_unlock_irqrestore(&guest_lock, flags);
	if (pa)
		memset((void *)(uintptr_t)pa, 0, PAGE_SIZE << order);
	return pa;
}

void guest_frame_free(u64 pa, unsigned int order)
{
	u64 flags = spin_lock_irqsave(&guest_lock);
	int r = frame_free(&guest_pool, pa, order);

	spin_unlock_irqrestore(&guest_lock, flags);
	if (r)
		panic("bad guest frame free %#llx order %u", (unsigned long long)pa, order);
}

bool guest_frames_have(unsigned int order)
{
	u64 flags = spin_lock_irqsave(&guest_lock);
	u64 pa = frame_alloc(&guest_pool, order);

	if (pa)
		frame_free(&guest_pool, pa, order);
	spin_unlock_irqrestore(&guest_lock, flags);
	return pa != 0;
}

u64 guest_frames_free(void)
{
	return guest_pool.nr_free;
}

/* Every usable page outside Keel's and the boot modules' ranges; the bitmap comes from Keel's frames. */
static void init_guest_pool(void)
{
	size_t bytes = frame_pool_bitmap_bytes(&mm.keel, MEM_USABLE);
	unsigned int order = 0;
	u64 bitmap;

	while ((PAGE_SIZE << order) < bytes)
		order++;
	bitmap = frame_alloc_keel(order);
	if (!bitmap || frame_pool_init(&guest_pool, &mm.keel, MEM_USABLE, (void *)(uintptr_t)bitmap))
		panic("cannot set up the guest frame pool (%zu bytes of bitmap)", bytes);
}

static void *heap_pages_alloc(void *ctx, unsigned int order)
{
	return (void *)(uintptr_t)frame_alloc_keel(order);
}

static void heap_pages_free(void *ctx, void *pages, unsigned int order)
{
	frame_free_keel((u64)(uintptr_t)pages, order);
}

void *kmalloc(size_t size)
{
	u64 flags = spin_lock_irqsave(&heap_lock);
	void *p = heap_alloc(&heap, size);

	spin_unlock_irqrestore(&heap_lock, flags);
	return p;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void kfree(void *p)
{
	u64 flags = spin_lock_irqsave(&heap_lock);
	int r = heap_free(&heap, p);

	spin_unlock_irqrestore(&heap_lock, flags);
	if (r)
		panic("bad kfree of %p", p);
}

u64 heap_used_bytes(void)
{
	return __atomic_load_n(&heap.bytes_in_use, __ATOMIC_RELAXED);
}

u64 mm_trampoline_page(void)
{
	return trampoline_page;
}

/* Marks what must not be handed out: Keel's image, the boot information and the modules. */
static void mark_boot_ranges(const struct boot_info *bi)
{
	memmap_set(&mm.keel, PA(_image_start), PA(_image_end) - PA(_image_start), MEM_KEEL);
	memmap_set(&mm.keel, ALIGN_DOWN(bi->mbi_start, PAGE_SIZE),
		   ALIGN_UP(bi->mbi_end, PAGE_SIZE) - ALIGN_DOWN(bi->mbi_start, PAGE_SIZE), MEM_RESERVED);
	for (unsigned int i = 0; i < bi->nr_modules; i++) {
		u64 s = ALIGN_DOWN(bi->modules[i].start, PAGE_SIZE);

		memmap_set(&mm.keel, s, ALIGN_UP(bi->modules[i].end, PAGE_SIZE) - s, MEM_RESERVED);
	}
}

/* The reservation sits as high below 4 GiB as it fits: AP start-up loads CR3 in 32-bit mode. */
static void reserve_region(u64 want)
{
	u64 base;

	if (want && (want < RESERVE_MIN || want > mm.ram / 2)) {
		pr_err("keel: keel.reserve=%lluM is outside %lluM..%lluM; using the default\n",
		       (unsigned long long)(want / SZ_1M), (unsigned long long)(RESERVE_MIN / SZ_1M),
		       (unsigned long long)(mm.ram / 2 / SZ_1M));
		want = 0;
	}
	if (!want)
		want = mm_default_reserve(mm.ram);
	want = ALIGN_UP(want, SZ_2M);
	if (memmap_find_top(&mm.keel, want, SZ_2M, SZ_4G, &base))
		panic("cannot reserve %llu MiB for Keel below 4 GiB: not enough contiguous RAM",
		      (unsigned long long)(want / SZ_1M));
	memmap_set(&mm.keel, base, want, MEM_KEEL);
	mm.reserve_base = base;
	mm.reserve_size = want;
}

/* Manages the reservation; its own bitmap lives at the reservation's start. */
static void init_pool(void)
{
	static struct memmap region;
	size_t bitmap_bytes;

	memmap_init(&region);
	memmap_add(&region, mm.reserve_base, mm.reserve_size, MEM_KEEL);
	memmap_normalize(&region);
	bitmap_bytes = frame_pool_bitmap_bytes(&region, MEM_KEEL);
	if (frame_pool_init(&pool, &region, MEM_KEEL, (void *)(uintptr_t)mm.reserve_base))
		panic("frame pool setup failed");
	frame_pool_reserve(&pool, mm.reserve_base, ALIGN_UP(bitmap_bytes, PAGE_SIZE));
}

static u64 pt_alloc(void *ctx)
{
	return frame_alloc_keel(0);
}

static void *pt_to_virt(void *ctx, u64 pa)
{
	return (void *)(uintptr_t)pa;
}

static void map_or_panic(u64 pa, u64 size, u64 prot)
{
	if (pt_map(&keel_pt, pa, pa, size, prot))
		panic("out of memory building Keel's page tables");
}

/* Direct map of everything, W^X image, uncached local APIC/IOAPIC/HPET page range. */
static void build_page_tables(const struct cpu_features *f)
{
	keel_pt = (struct pagetable){ .fmt = &pt_format_x86, .max_leaf_level = f->pages_1g ? 3 : 2,
				      .alloc = pt_alloc, .to_virt = pt_to_virt };
	if (pt_init(&keel_pt))
		panic("out of memory building Keel's page tables");
	mm.direct_map_end = ALIGN_UP(MAX(memmap_end(&mm.machine, MEM_USABLE), SZ_4G), SZ_1G);
	map_or_panic(0, mm.direct_map_end, PT_W);
	map_or_panic(0xfec00000, 0x1400000, PT_W | PT_UC);
	map_or_panic(PA(_text_start), PA(_text_end) - PA(_text_start), PT_X | PT_GLOBAL);
	map_or_panic(PA(_rodata_start), PA(_rodata_end) - PA(_rodata_start), PT_GLOBAL);
	map_or_panic(PA(_data_start), PA(_image_end) - PA(_data_start), PT_W | PT_GLOBAL);
	if (trampoline_page)
		map_or_panic(trampoline_page, PAGE_SIZE, PT_W | PT_X);
}

static void switch_page_tables(const struct cpu_features *f)
{
	if (f->nx)
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	write_cr3(keel_pt.root);
	write_cr4(read_cr4() | X86_CR4_PGE);	/* PGE: global image mappings survive CR3 writes */
	write_cr0(read_cr0() | X86_CR0_WP);	/* WP: read-only holds for Keel itself */
}

void mm_init(const struct boot_info *bi, u64 reserve, const struct cpu_features *f)
{
	static const struct heap_ops ops = { heap_pages_alloc, heap_pages_free, NULL };

	mm.machine = bi->mmap;
	mm.keel = bi->mmap;
	mm.ram = memmap_total(&mm.machine, MEM_USABLE);
	mm.image_size = PA(_image_end) - PA(_image_start);
	mark_boot_ranges(bi);
	if (!memmap_find_top(&mm.keel, PAGE_SIZE, PAGE_SIZE, SZ_1M, &trampoline_page) && trampoline_page)
		memmap_set(&mm.keel, trampoline_page, PAGE_SIZE, MEM_KEEL);
	else
		trampoline_page = 0;
	reserve_region(reserve);
	init_pool();
	heap_init(&heap, &ops);
	build_page_tables(f);
	switch_page_tables(f);
	init_guest_pool();
}
