// SPDX-License-Identifier: GPL-2.0
/*
 * The coverage port (COVERAGE=1 builds only): a byte stream to I/O port
 * COVERAGE_PORT, where make coverage-keel's QEMU puts an isa-debugcon
 * writing to a file (scripts/qemu-run.sh, KEEL_COV_DIR). Without that
 * device the writes go nowhere.
 */
#include "kernel/arch.h"

#define COVERAGE_PORT 0x4ec	/* no device of QEMU's q35 or pc machines decodes it */

void arch_coverage_write(const void *buf, size_t len)
{
	asm volatile("rep outsb" : "+S"(buf), "+c"(len) : "d"((u16)COVERAGE_PORT) : "memory");
}
