// SPDX-License-Identifier: GPL-2.0
/*
 * Event encoding and exception merging (arch/x86/virt/event.c): the shared
 * VMX/SVM layout, and SDM Vol. 3A 6.15 tables 6-4 and 6-5.
 */
#include "test.h"
#include "arch/x86/virt/event.h"

static struct x86_event exc(u8 vector, bool has_error, u32 error)
{
	return (struct x86_event){ .valid = true, .type = EVENT_EXCEPTION, .vector = vector,
				   .has_error = has_error, .error_code = error };
}

static struct x86_event queue_on(struct x86_event first, u8 vector, bool *ok)
{
	*ok = event_queue_exception(&first, vector, vector == X86_EXC_GP, 0x10);
	return first;
}

TEST(encode_matches_both_formats)
{
	struct x86_event e = exc(X86_EXC_GP, true, 0);

	/* VMX type 3 (hardware exception), SVM type 3 (exception) */
	CHECK_EQ(event_info_encode(&e, true), 0x80000b0d);
	CHECK_EQ(event_info_encode(&e, false), 0x8000030d);
	e = (struct x86_event){ .valid = true, .type = EVENT_EXTINT, .vector = 0x30 };
	CHECK_EQ(event_info_encode(&e, false), 0x80000030);
	e = (struct x86_event){ .valid = true, .type = EVENT_NMI, .vector = 2 };
	CHECK_EQ(event_info_encode(&e, false), 0x80000202);
	e = (struct x86_event){ .valid = true, .type = EVENT_SOFT_INT, .vector = 0x80 };
	CHECK_EQ(event_info_encode(&e, false), 0x80000480);
}

TEST(decode_round_trips_and_rejects)
{
	struct x86_event e = { 0 };

	CHECK(event_info_decode(0x80000b0e, &e));
	CHECK(e.valid);
	CHECK_EQ(e.type, EVENT_EXCEPTION);
	CHECK_EQ(e.vector, 14);
	CHECK(e.has_error);
	CHECK_EQ(e.error_code, 0);
	CHECK(event_info_decode(0x80000202, &e));
	CHECK_EQ(e.type, EVENT_NMI);
	CHECK(!e.has_error);
	CHECK(event_info_decode(0x80000480, &e));
	CHECK_EQ(e.type, EVENT_SOFT_INT);
	CHECK(!event_info_decode(0x00000b0e, &e));	/* not valid */
	CHECK(!event_info_decode(0x80000100, &e));	/* type 1: reserved */
	CHECK(!event_info_decode(0x80000603, &e));	/* VMX software exception (INT3) */
	CHECK(!event_info_decode(0x80000501, &e));	/* VMX privileged software exception */
	for (u32 t = 0; t <= 4; t++) {
		if (t == 1)
			continue;
		CHECK(event_info_decode(0x80000000 | t << 8 | 0x21, &e));
		CHECK_EQ(event_info_encode(&e, false), 0x80000000 | t << 8 | 0x21);
	}
}

TEST(nothing_pending_queues_as_is)
{
	struct x86_event none = { 0 };
	bool ok;
	struct x86_event r = queue_on(none, X86_EXC_GP, &ok);

	CHECK(ok);
	CHECK(r.valid);
	CHECK_EQ(r.vector, X86_EXC_GP);
	CHECK(r.has_error);
	CHECK_EQ(r.error_code, 0x10);
}

TEST(contributory_on_contributory_is_df)
{
	static const u8 contributory[] = { X86_EXC_DE, X86_EXC_TS, X86_EXC_NP, X86_EXC_SS,
					   X86_EXC_GP, X86_EXC_CP };
	bool ok;

	for (size_t i = 0; i < ARRAY_SIZE(contributory); i++) {
		for (size_t j = 0; j < ARRAY_SIZE(contributory); j++) {
			struct x86_event r = queue_on(exc(contributory[i], true, 5), contributory[j], &ok);

			CHECK(ok);
			CHECK_EQ(r.vector, X86_EXC_DF);
			CHECK(r.has_error);
			CHECK_EQ(r.error_code, 0);
		}
	}
}

TEST(page_fault_then_contributory_or_pf_is_df)
{
	bool ok;
	struct x86_event r = queue_on(exc(X86_EXC_PF, true, 2), X86_EXC_PF, &ok);

	CHECK(ok);
	CHECK_EQ(r.vector, X86_EXC_DF);
	r = queue_on(exc(X86_EXC_PF, true, 2), X86_EXC_GP, &ok);
	CHECK_EQ(r.vector, X86_EXC_DF);
	CHECK_EQ(r.error_code, 0);
	r = queue_on(exc(X86_EXC_PF, true, 2), X86_EXC_UD, &ok);	/* benign: serial */
	CHECK_EQ(r.vector, X86_EXC_UD);
	CHECK(!r.has_error);
}

TEST(contributory_then_page_fault_is_serial)
{
	bool ok;
	struct x86_event r = queue_on(exc(X86_EXC_GP, true, 0), X86_EXC_PF, &ok);

	CHECK(ok);
	CHECK_EQ(r.vector, X86_EXC_PF);
}

TEST(benign_first_is_serial)
{
	static const u8 benign[] = { 1, 2, 3, 4, 5, 6, 7, 9, 16, 17, 18, 19 };
	bool ok;

	for (size_t i = 0; i < ARRAY_SIZE(benign); i++) {
		struct x86_event r = queue_on(exc(benign[i], false, 0), X86_EXC_GP, &ok);

		CHECK(ok);
		CHECK_EQ(r.vector, X86_EXC_GP);
		CHECK_EQ(r.error_code, 0x10);
	}
}

TEST(interrupts_and_nmis_count_as_benign)
{
	struct x86_event irq = { .valid = true, .type = EVENT_EXTINT, .vector = X86_EXC_GP };
	struct x86_event nmi = { .valid = true, .type = EVENT_NMI, .vector = 2 };
	struct x86_event soft = { .valid = true, .type = EVENT_SOFT_INT, .vector = X86_EXC_PF };
	bool ok;

	CHECK_EQ(queue_on(irq, X86_EXC_GP, &ok).vector, X86_EXC_GP);
	CHECK_EQ(queue_on(nmi, X86_EXC_PF, &ok).vector, X86_EXC_PF);
	CHECK_EQ(queue_on(soft, X86_EXC_PF, &ok).vector, X86_EXC_PF);
	CHECK(ok);
}

TEST(fault_during_df_is_shutdown)
{
	static const u8 second[] = { X86_EXC_GP, X86_EXC_PF, X86_EXC_NP, X86_EXC_UD };
	bool ok;

	for (size_t i = 0; i < ARRAY_SIZE(second); i++) {
		struct x86_event r = queue_on(exc(X86_EXC_DF, true, 0), second[i], &ok);

		CHECK(!ok);
		CHECK(!r.valid);
	}
}

TEST(promotion_chain_ends_in_shutdown)
{
	struct x86_event e = { 0 };

	CHECK(event_queue_exception(&e, X86_EXC_PF, true, 0));
	CHECK(event_queue_exception(&e, X86_EXC_PF, true, 0));
	CHECK_EQ(e.vector, X86_EXC_DF);
	CHECK(!event_queue_exception(&e, X86_EXC_GP, true, 0));
}

TEST_MAIN("event", T(encode_matches_both_formats), T(decode_round_trips_and_rejects),
	  T(nothing_pending_queues_as_is), T(contributory_on_contributory_is_df),
	  T(page_fault_then_contributory_or_pf_is_df), T(contributory_then_page_fault_is_serial),
	  T(benign_first_is_serial), T(interrupts_and_nmis_count_as_benign),
	  T(fault_during_df_is_shutdown), T(promotion_chain_ends_in_shutdown))
