// SPDX-License-Identifier: GPL-2.0
/*
 * Coverage of Keel itself (make coverage-keel; COVERAGE=1 builds only):
 * GCC's -fprofile-arcs counts each arc in Keel's own memory, and each
 * object's constructor would hand its struct gcov_info to __gcov_init(). At
 * the machine's end Keel runs those constructors once, writes every
 * object's counters as a .gcda image (GCC 12's format, gcc/gcov-io.h) and
 * sends it out through the architecture's coverage port; the host's
 * scripts/gcov-unpack.c writes the files for lcov. The structures are
 * GCC's own layout for GCC 12 and 13, as Linux's kernel/gcov/gcc_4_7.c has
 * them.
 */
#include "asm/processor.h"
#include "kernel/arch.h"
#include "kernel/coverage.h"
#include "kernel/string.h"
#include "kernel/types.h"

#if __GNUC__ < 12 || __GNUC__ > 13
#error "gcov: the structures below are GCC 12's and 13's"
#endif

#define GCOV_COUNTERS 8
#define GCOV_DATA_MAGIC 0x67636461U	/* "gcda" */
#define GCOV_TAG_FUNCTION 0x01000000U
#define GCOV_TAG_FUNCTION_LENGTH 12U	/* bytes, since GCC 12 */
#define GCOV_TAG_COUNTER_BASE 0x01a10000U
#define COVERAGE_RECORD_MAGIC 0x4f43474bU	/* "KGCO": one file follows */
#define COVERAGE_END_MAGIC 0x444e454bU	/* "KEND" */

typedef s64 gcov_type;

struct gcov_ctr_info {
	unsigned int num;
	gcov_type *values;
};

struct gcov_fn_info {
	const struct gcov_info *key;
	unsigned int ident;
	unsigned int lineno_checksum;
	unsigned int cfg_checksum;
	struct gcov_ctr_info ctrs[];
};

struct gcov_info {
	unsigned int version;
	struct gcov_info *next;
	unsigned int stamp;
	unsigned int checksum;
	const char *filename;
	void (*merge[GCOV_COUNTERS])(gcov_type *, unsigned int);
	unsigned int n_functions;
	struct gcov_fn_info **functions;
};

extern void (*__init_array_start[])(void), (*__init_array_end[])(void);

static struct gcov_info *infos;

/* The compiler's calls: the constructors register, nothing else is used. */
void __gcov_init(struct gcov_info *info);
void __gcov_merge_add(gcov_type *counters, unsigned int n);
void __gcov_exit(void);

void __gcov_init(struct gcov_info *info)
{
	info->next = infos;
	infos = info;
}

void __gcov_merge_add(gcov_type *counters, unsigned int n)
{
}

void __gcov_exit(void)
{
}

static void put_u32(u32 v)
{
	arch_coverage_write(&v, sizeof(v));
}

static void put_u64(u64 v)
{
	put_u32((u32)v);
	put_u32((u32)(v >> 32));
}

/* Walks one object's counters: @emit 0 only counts the bytes the .gcda will have. */
static u32 gcda(const struct gcov_info *info, bool emit)
{
	u32 len = 16;

	if (emit) {
		put_u32(GCOV_DATA_MAGIC);
		put_u32(info->version);
		put_u32(info->stamp);
		put_u32(0);	/* the object's checksum: gcov does not check it */
	}
	for (unsigned int f = 0; f < info->n_functions; f++) {
		const struct gcov_fn_info *fn = info->functions[f];
		const struct gcov_ctr_info *c = fn->ctrs;

		len += 20;
		if (emit) {
			put_u32(GCOV_TAG_FUNCTION);
			put_u32(GCOV_TAG_FUNCTION_LENGTH);
			put_u32(fn->ident);
			put_u32(fn->lineno_checksum);
			put_u32(fn->cfg_checksum);
		}
		for (unsigned int t = 0; t < GCOV_COUNTERS; t++) {
			if (!info->merge[t])
				continue;
			len += 8 + c->num * 8;
			if (emit) {
				put_u32(GCOV_TAG_COUNTER_BASE + (t << 17));
				put_u32(c->num * 8);
				for (unsigned int i = 0; i < c->num; i++)
					put_u64((u64)__atomic_load_n(&c->values[i], __ATOMIC_RELAXED));
			}
			c++;
		}
	}
	return len;
}

/*
 * Another CPU's end (a panic, a crash) while one CPU dumps waits for the
 * dump, so that the machine does not go off in its middle; bounded, since
 * the dumping CPU may itself be stuck.
 */
static void wait_for(volatile bool *done)
{
	for (u64 spins = 0; !*done && spins < (1ULL << 32); spins++)
		cpu_relax();
}

void coverage_dump(void)
{
	static bool dumped;
	static volatile bool done;

	if (__atomic_exchange_n(&dumped, true, __ATOMIC_SEQ_CST)) {
		wait_for(&done);
		return;
	}
	for (void (**ctor)(void) = __init_array_start; ctor < __init_array_end; ctor++)
		(*ctor)();
	for (const struct gcov_info *info = infos; info; info = info->next) {
		u32 name_len = (u32)strlen(info->filename);

		put_u32(COVERAGE_RECORD_MAGIC);
		put_u32(name_len);
		arch_coverage_write(info->filename, name_len);
		put_u32(gcda(info, false));
		gcda(info, true);
	}
	put_u32(COVERAGE_END_MAGIC);
	done = true;
}
