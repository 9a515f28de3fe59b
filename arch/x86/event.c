// SPDX-License-Identifier: GPL-2.0
/* Event encoding and exception merging, written once for VMX and SVM. */
#include "arch/x86/event.h"

/*
 * The type field numbers external interrupts 0, NMIs 2, hardware exceptions
 * 3 and software interrupts 4 in both formats; VMX's 5 and 6 (software
 * exceptions) and SVM's 5-7 have no struct x86_event type.
 */
static const u8 info_type[] = {
	[EVENT_EXTINT] = 0, [EVENT_NMI] = 2, [EVENT_EXCEPTION] = 3, [EVENT_SOFT_INT] = 4,
};

#define NO_TYPE 0xff

static const u8 event_type[8] = {
	EVENT_EXTINT, NO_TYPE, EVENT_NMI, EVENT_EXCEPTION, EVENT_SOFT_INT, NO_TYPE, NO_TYPE, NO_TYPE,
};

u32 event_info_encode(const struct x86_event *e, bool with_error)
{
	return e->vector | (u32)info_type[e->type & 3] << EVENT_INFO_TYPE_SHIFT | EVENT_INFO_VALID |
	       (with_error ? EVENT_INFO_ERROR_VALID : 0);
}

bool event_info_decode(u32 info, struct x86_event *e)
{
	u8 type = event_type[(info >> EVENT_INFO_TYPE_SHIFT) & 7];

	if (!(info & EVENT_INFO_VALID) || type == NO_TYPE)
		return false;
	*e = (struct x86_event){ .valid = true, .type = type, .vector = info & EVENT_INFO_VECTOR,
				 .has_error = info & EVENT_INFO_ERROR_VALID };
	return true;
}

enum exc_class { EXC_BENIGN, EXC_CONTRIBUTORY, EXC_PAGE_FAULT, EXC_DOUBLE_FAULT };

/* Table 6-4; interrupts, NMIs and software interrupts count as benign. */
static enum exc_class exc_class(u8 type, u8 vector)
{
	if (type != EVENT_EXCEPTION)
		return EXC_BENIGN;
	switch (vector) {
	case X86_EXC_DE: case X86_EXC_TS: case X86_EXC_NP: case X86_EXC_SS:
	case X86_EXC_GP: case X86_EXC_CP:
		return EXC_CONTRIBUTORY;
	case X86_EXC_PF:
		return EXC_PAGE_FAULT;
	case X86_EXC_DF:
		return EXC_DOUBLE_FAULT;
	default:
		return EXC_BENIGN;
	}
}

/*
 * Table 6-5: contributory on contributory and contributory or #PF on #PF
 * make #DF(0); any other pair is handled serially, the second event
 * replacing the first (the CPU re-raises a fault when its instruction runs
 * again). An exception while delivering #DF shuts the CPU down (SDM Vol. 3A
 * 6.15 "Interrupt 8", APM Vol. 2 8.2.9).
 */
bool event_queue_exception(struct x86_event *pending, u8 vector, bool has_error, u32 error)
{
	enum exc_class first = pending->valid ? exc_class(pending->type, pending->vector) : EXC_BENIGN;
	enum exc_class second = exc_class(EVENT_EXCEPTION, vector);

	if (first == EXC_DOUBLE_FAULT) {
		pending->valid = false;
		return false;
	}
	if ((first == EXC_CONTRIBUTORY && second == EXC_CONTRIBUTORY) ||
	    (first == EXC_PAGE_FAULT && second != EXC_BENIGN)) {
		vector = X86_EXC_DF;
		has_error = true;
		error = 0;
	}
	*pending = (struct x86_event){ .valid = true, .type = EVENT_EXCEPTION, .vector = vector,
					.has_error = has_error, .error_code = error };
	return true;
}
