// SPDX-License-Identifier: GPL-2.0
/* Exception merging, written once for VMX and SVM. */
#include "arch/x86/virt/event.h"

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
	enum exc_class second = exc_class(EVENT_EXCEPTION, vector), first = EXC_BENIGN;

	if (pending->valid)
		first = exc_class(pending->type, pending->vector);
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
