/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Events as both vendors encode them, and the exception classes that turn
 * an exception raised while delivering another into #DF or a shutdown.
 */
#ifndef KEEL_X86_EVENT_H
#define KEEL_X86_EVENT_H

#include "asm/processor-flags.h"
#include "arch/x86/virt/emulate.h"
#include "arch/x86/virt/virt.h"
#include "kernel/types.h"

/* The vectors emulate.h does not name (SDM Vol. 3A table 6-1). */

/*
 * VMX interruption information (SDM Vol. 3C 25.8.3, 25.9.2, 25.9.3) and
 * SVM EVENTINJ / EXITINTINFO bits 31:0 (APM Vol. 2 15.20, 15.7.2) share one
 * layout: vector 7:0, type 10:8, error code valid 11, valid 31.
 */
#define EVENT_INFO_VECTOR 0xffU
#define EVENT_INFO_TYPE_SHIFT 8
#define EVENT_INFO_ERROR_VALID BIT(11)
#define EVENT_INFO_VALID BIT(31)

/*
 * Both number external interrupts 0, NMIs 2, hardware exceptions 3 and
 * software interrupts 4; VMX's 5 and 6 (software exceptions) and SVM's 5-7
 * have no struct x86_event type. Inline: every exit decodes.
 */
_Static_assert(EVENT_EXTINT == 0 && EVENT_NMI == 1 && EVENT_EXCEPTION == 2 && EVENT_SOFT_INT == 3,
	       "event_info_type() numbers enum event_type one apart from the hardware");

static inline u32 event_info_type(u8 type)
{
	return type == EVENT_EXTINT ? 0 : (u32)type + 1;
}

/* @e in that layout; its error code is marked valid only with @with_error. */
static inline u32 event_info_encode(const struct x86_event *e, bool with_error)
{
	return e->vector | event_info_type(e->type) << EVENT_INFO_TYPE_SHIFT | EVENT_INFO_VALID |
	       (with_error ? EVENT_INFO_ERROR_VALID : 0);
}

/*
 * The event @info describes, error code left 0 for the caller to fill in:
 * false if @info is not valid or of a type struct x86_event does not carry.
 */
static inline bool event_info_decode(u32 info, struct x86_event *e)
{
	u32 type = (info >> EVENT_INFO_TYPE_SHIFT) & 7;

	if (likely(!(info & EVENT_INFO_VALID)))	/* the exit interrupted no delivery */
		return false;
	if (type == 1 || type > 4)
		return false;
	*e = (struct x86_event){ .valid = true, .type = (u8)(type ? type - 1 : EVENT_EXTINT),
				 .vector = info & EVENT_INFO_VECTOR,
				 .has_error = info & EVENT_INFO_ERROR_VALID };
	return true;
}

/*
 * Queues exception @vector on @pending, which holds the event whose delivery
 * raised it if that is valid, merging the two as the CPU does (SDM Vol. 3A
 * 6.15 tables 6-4 and 6-5, APM Vol. 2 8.5): false if they make a triple
 * fault, the guest's shutdown (then @pending is cleared).
 */
bool event_queue_exception(struct x86_event *pending, u8 vector, bool has_error, u32 error);

#endif
