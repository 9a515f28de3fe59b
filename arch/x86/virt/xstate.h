/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The XSAVE-managed state Keel gives its guests (SDM Vol. 1 13): x87, SSE
 * and AVX, XCR0's rules and the checks on an XSAVE image in standard form
 * that a VMM hands in. Pure logic, shared by both backends and the host
 * tests; the instructions themselves are in vcpu.c.
 */
#ifndef KEEL_X86_XSTATE_H
#define KEEL_X86_XSTATE_H

#include "kernel/types.h"

#define XFEATURE_FP BIT(0)
#define XFEATURE_SSE BIT(1)
#define XFEATURE_AVX BIT(2)
#define XFEATURE_PKRU BIT(9)
/*
 * The components guests may have. AVX-512, AMX and the rest would not fit
 * struct keel_run's image; PKRU needs CR4.PKE, which CPUID hides, but an
 * SVM guest can set CR4.PKE all the same (CR4 writes are not intercepted
 * there), so Keel switches PKRU too where the CPU has it (xsave_mask).
 */
#define XFEATURES_GUEST (XFEATURE_FP | XFEATURE_SSE | XFEATURE_AVX)
/* What FXSAVE holds: a CPU without XSAVE has these alone. */
#define XFEATURES_LEGACY (XFEATURE_FP | XFEATURE_SSE)

/* The standard form's layout (SDM Vol. 1 13.4; AVX's place is fixed, 13.5.3). */
#define XSAVE_MXCSR 24
#define XSAVE_XMM 160
#define XSAVE_HDR 512
#define XSAVE_AVX 576
#define XSAVE_AVX_SIZE 256
#define XSAVE_SIZE (XSAVE_AVX + XSAVE_AVX_SIZE)
/* A vCPU's image: a page, which every component Keel switches must end within. */
#define XSAVE_AREA_SIZE 4096

/* The bytes an image of @xcr0's components needs (CPUID 0xD.0 EBX): 576, or 832 with AVX. */
u32 xstate_size(u64 xcr0);
/*
 * XSETBV of @val into XCR@index on a vCPU that may enable @supported:
 * 0, or -EINVAL for what raises #GP (SDM Vol. 2C XSETBV): another XCR,
 * x87 off, AVX without SSE, a component outside @supported.
 */
int xcr0_check(u32 index, u64 val, u64 supported);
/*
 * An image's header (at XSAVE_HDR) for a CPU with @supported enabled in
 * XCR0: 0, or -EINVAL where XRSTOR would raise #GP (SDM Vol. 1 13.8,
 * Vol. 2C XRSTOR): XSTATE_BV outside @supported, XCOMP_BV not 0 (the
 * compacted form), a nonzero reserved byte.
 */
int xsave_header_check(const u8 *image, u64 supported);
/* The image's XSTATE_BV, and its replacement. */
u64 xsave_bv(const u8 *image);
void xsave_set_bv(u8 *image, u64 bv);

#endif
