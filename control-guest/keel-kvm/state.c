// SPDX-License-Identifier: GPL-2.0
/*
 * A vCPU's state as KVM's ioctls move it (api.rst 4.11-4.22): Keel copies
 * it between the vCPU and its keel_run page (KEEL_HC_VCPU_STATE) or a
 * buffer (MSRs, CPUID), and this file converts to and from KVM's layouts.
 * Every ioctl here runs under vcpu->mutex, which also guards the page.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/fpu/types.h>
#include <asm/fpu/xcr.h>

#include "keel_kvm.h"

/* The XSAVE image's standard form (SDM Vol. 1 13.4) past struct fxregs_state */
#define XSAVE_HDR 512
#define XSAVE_YMM 576
#define XSAVE_YMM_SIZE 256
#define FCW_INIT 0x37f
#define MXCSR_INIT 0x1f80

/* struct kvm_regs has rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, r8-r15: the SDM's index of each. */
static const u8 kvm_gpr[16] = { 0, 3, 1, 2, 6, 7, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15 };

static_assert(sizeof(struct kvm_regs) == 18 * sizeof(u64), "kvm_regs: 16 GPRs, RIP, RFLAGS");
static_assert(sizeof(struct kvm_segment) == sizeof(struct keel_segment), "kvm_segment");
static_assert(offsetof(struct kvm_segment, unusable) == offsetof(struct keel_segment, unusable),
	      "kvm_segment layout");

static long vcpu_state(struct keel_vcpu *vcpu, u64 op, u64 parts)
{
	long ret = keel_hypercall(KEEL_HC_VCPU_STATE, vcpu->vm->handle, vcpu->id, op, parts);

	return ret ? keel_errno(ret) : 0;
}

static long get_regs(struct keel_vcpu *vcpu, struct kvm_regs *regs)
{
	const struct keel_regs *k = &vcpu->krun->regs;
	u64 *gpr = (u64 *)regs;
	long r = vcpu_state(vcpu, KEEL_STATE_GET, KEEL_STATE_REGS);

	if (r)
		return r;
	for (int i = 0; i < 16; i++)
		gpr[i] = k->gpr[kvm_gpr[i]];
	regs->rip = k->rip;
	regs->rflags = k->rflags;
	return 0;
}

static long set_regs(struct keel_vcpu *vcpu, const struct kvm_regs *regs)
{
	struct keel_regs *k = &vcpu->krun->regs;
	const u64 *gpr = (const u64 *)regs;

	for (int i = 0; i < 16; i++)
		k->gpr[kvm_gpr[i]] = gpr[i];
	k->rip = regs->rip;
	k->rflags = regs->rflags;
	return vcpu_state(vcpu, KEEL_STATE_SET, KEEL_STATE_REGS);
}

/* Keel's segment order is ES, CS, SS, DS, FS, GS, LDTR, TR (the SDM's encoding). */
static const size_t kvm_seg[8] = {
	offsetof(struct kvm_sregs, es), offsetof(struct kvm_sregs, cs),
	offsetof(struct kvm_sregs, ss), offsetof(struct kvm_sregs, ds),
	offsetof(struct kvm_sregs, fs), offsetof(struct kvm_sregs, gs),
	offsetof(struct kvm_sregs, ldt), offsetof(struct kvm_sregs, tr),
};

static long get_sregs(struct keel_vcpu *vcpu, struct kvm_sregs *s)
{
	const struct keel_sregs *k = &vcpu->krun->sregs;
	long r = vcpu_state(vcpu, KEEL_STATE_GET, KEEL_STATE_SREGS);

	if (r)
		return r;
	memset(s, 0, sizeof(*s));
	for (unsigned int i = 0; i < 8; i++)
		memcpy((u8 *)s + kvm_seg[i], &k->seg[i], sizeof(k->seg[i]));
	s->gdt = (struct kvm_dtable){ .base = k->gdt.base, .limit = k->gdt.limit };
	s->idt = (struct kvm_dtable){ .base = k->idt.base, .limit = k->idt.limit };
	s->cr0 = k->cr0;
	s->cr2 = k->cr2;
	s->cr3 = k->cr3;
	s->cr4 = k->cr4;
	s->cr8 = k->cr8;
	s->efer = k->efer;
	s->apic_base = k->apic_base;
	if (vcpu->krun->interrupt & KEEL_IRQ_PENDING)
		__set_bit(vcpu->krun->interrupt & 0xff, (unsigned long *)s->interrupt_bitmap);
	return 0;
}

/* A bit in interrupt_bitmap queues that interrupt, as KVM_INTERRUPT would (KVM's __set_sregs()). */
static long set_sregs(struct keel_vcpu *vcpu, const struct kvm_sregs *s)
{
	struct keel_sregs *k = &vcpu->krun->sregs;
	unsigned long vec;
	long r;

	for (unsigned int i = 0; i < 8; i++)
		memcpy(&k->seg[i], (const u8 *)s + kvm_seg[i], sizeof(k->seg[i]));
	k->gdt = (struct keel_dtable){ .base = s->gdt.base, .limit = s->gdt.limit };
	k->idt = (struct keel_dtable){ .base = s->idt.base, .limit = s->idt.limit };
	k->cr0 = s->cr0;
	k->cr2 = s->cr2;
	k->cr3 = s->cr3;
	k->cr4 = s->cr4;
	k->cr8 = s->cr8;
	k->efer = s->efer;
	k->apic_base = s->apic_base;
	r = vcpu_state(vcpu, KEEL_STATE_SET, KEEL_STATE_SREGS);
	vec = find_first_bit((const unsigned long *)s->interrupt_bitmap, KVM_NR_INTERRUPTS);
	if (!r && vec < KVM_NR_INTERRUPTS)
		vcpu->krun->interrupt = KEEL_IRQ_PENDING | vec;
	return r;
}

/* KVM_GET_FPU: the FXSAVE image in struct kvm_fpu, as kvm_arch_vcpu_ioctl_get_fpu() gives it. */
static long keel_get_fpu(struct keel_vcpu *vcpu, void __user *argp)
{
	const struct fxregs_state *fx = (const void *)vcpu->krun->xsave;
	struct kvm_fpu fpu = {};
	long r = vcpu_state(vcpu, KEEL_STATE_GET, KEEL_STATE_FPU);

	if (r)
		return r;
	memcpy(fpu.fpr, fx->st_space, sizeof(fpu.fpr));
	fpu.fcw = fx->cwd;
	fpu.fsw = fx->swd;
	fpu.ftwx = fx->twd;
	fpu.last_opcode = fx->fop;
	fpu.last_ip = fx->rip;
	fpu.last_dp = fx->rdp;
	memcpy(fpu.xmm, fx->xmm_space, sizeof(fpu.xmm));
	fpu.mxcsr = fx->mxcsr;
	return copy_to_user(argp, &fpu, sizeof(fpu)) ? -EFAULT : 0;
}

/* The fields struct kvm_fpu lacks keep their values; Keel refuses an MXCSR the CPU would. */
static long keel_set_fpu(struct keel_vcpu *vcpu, void __user *argp)
{
	struct fxregs_state *fx = (void *)vcpu->krun->xsave;
	struct kvm_fpu fpu;
	long r;

	if (copy_from_user(&fpu, argp, sizeof(fpu)))
		return -EFAULT;
	r = vcpu_state(vcpu, KEEL_STATE_GET, KEEL_STATE_FPU);
	if (r)
		return r;
	memcpy(fx->st_space, fpu.fpr, sizeof(fpu.fpr));
	fx->cwd = fpu.fcw;
	fx->swd = fpu.fsw;
	fx->twd = fpu.ftwx;
	fx->fop = fpu.last_opcode;
	fx->rip = fpu.last_ip;
	fx->rdp = fpu.last_dp;
	memcpy(fx->xmm_space, fpu.xmm, sizeof(fpu.xmm));
	fx->mxcsr = fpu.mxcsr;
	return vcpu_state(vcpu, KEEL_STATE_SET, KEEL_STATE_FPU);
}

/*
 * KVM_GET_MSRS/KVM_SET_MSRS (api.rst 4.18-4.19): in order until one fails;
 * the number done is the result. struct kvm_msr_entry is Keel's
 * struct keel_msr_entry, so the entries go to Keel as they came.
 */
static long keel_msrs(struct keel_vcpu *vcpu, void __user *argp, bool set)
{
	struct kvm_msrs __user *user = argp;
	struct kvm_msrs msrs;
	struct kvm_msr_entry *e;
	long ret;

	if (copy_from_user(&msrs, user, sizeof(msrs)))
		return -EFAULT;
	if (msrs.nmsrs >= KEEL_MAX_MSR_ENTRIES)
		return -E2BIG;	/* KVM's MAX_IO_MSRS is the same bound */
	e = memdup_user(user->entries, msrs.nmsrs * sizeof(*e));
	if (IS_ERR(e))
		return PTR_ERR(e);
	ret = keel_hypercall(KEEL_HC_VCPU_MSRS, vcpu->vm->handle, vcpu->id, virt_to_phys(e),
			     msrs.nmsrs | (set ? KEEL_MSRS_SET : 0));
	if (ret < 0)
		ret = keel_errno(ret);
	else if (ret > msrs.nmsrs)
		ret = -EPROTO;
	else if (!set && copy_to_user(user->entries, e, msrs.nmsrs * sizeof(*e)))
		ret = -EFAULT;
	kfree(e);
	return ret;
}

static_assert(sizeof(struct kvm_msr_entry) == sizeof(struct keel_msr_entry), "kvm_msr_entry");

static_assert(KVM_CPUID_FLAG_SIGNIFCANT_INDEX == KEEL_CPUID_SIGNIFICANT_INDEX, "flags are KVM's");

/* Keel's copy of a KVM_SET_CPUID2 table. */
static struct keel_cpuid_entry *to_keel(const struct kvm_cpuid_entry2 *e, u32 n)
{
	struct keel_cpuid_entry *k = kcalloc(max(n, 1U), sizeof(*k), GFP_KERNEL_ACCOUNT);

	for (u32 i = 0; k && i < n; i++)
		k[i] = (struct keel_cpuid_entry){ .function = e[i].function, .index = e[i].index,
			.flags = e[i].flags, .eax = e[i].eax, .ebx = e[i].ebx, .ecx = e[i].ecx,
			.edx = e[i].edx };
	return k;
}

static long give_cpuid(struct keel_vcpu *vcpu, struct kvm_cpuid_entry2 *e, u32 n)
{
	struct keel_cpuid_entry *k = to_keel(e, n);
	long ret;

	if (!k)
		return -ENOMEM;
	ret = keel_hypercall(KEEL_HC_VCPU_CPUID, vcpu->vm->handle, vcpu->id, virt_to_phys(k),
			     n | KEEL_CPUID_SET);
	kfree(k);
	return ret ? keel_errno(ret) : 0;
}

/*
 * KVM_SET_CPUID2 (api.rst 4.20). Once the vCPU has run, Keel takes only the
 * table it has, as KVM 6.1 does (kvm_cpuid_check_equal()): -EINVAL.
 */
static long keel_set_cpuid2(struct keel_vcpu *vcpu, void __user *argp)
{
	struct kvm_cpuid2 __user *user = argp;
	struct kvm_cpuid2 cpuid;
	struct kvm_cpuid_entry2 *e;
	size_t size;
	long r;

	if (copy_from_user(&cpuid, user, sizeof(cpuid)))
		return -EFAULT;
	if (cpuid.nent > KEEL_MAX_CPUID_ENTRIES)
		return -E2BIG;
	size = cpuid.nent * sizeof(*e);
	e = size ? memdup_user(user->entries, size) : NULL;
	if (IS_ERR(e))
		return PTR_ERR(e);
	r = give_cpuid(vcpu, e, cpuid.nent);
	if (!r) {
		swap(vcpu->cpuid, e);
		vcpu->nr_cpuid = cpuid.nent;
	}
	kfree(e);
	return r;
}

/*
 * KVM_GET_CPUID2: the entries as set, their registers as the guest reads
 * them now (Keel applies what KVM's kvm_update_cpuid_runtime() does).
 */
static long keel_get_cpuid2(struct keel_vcpu *vcpu, void __user *argp)
{
	struct kvm_cpuid2 __user *user = argp;
	struct kvm_cpuid_entry2 *e = vcpu->cpuid;
	struct keel_cpuid_entry *k;
	struct kvm_cpuid2 cpuid;
	long r;

	if (copy_from_user(&cpuid, user, sizeof(cpuid)))
		return -EFAULT;
	if (cpuid.nent < vcpu->nr_cpuid)
		return -E2BIG;
	k = kcalloc(max(vcpu->nr_cpuid, 1U), sizeof(*k), GFP_KERNEL_ACCOUNT);
	if (!k)
		return -ENOMEM;
	r = keel_hypercall(KEEL_HC_VCPU_CPUID, vcpu->vm->handle, vcpu->id, virt_to_phys(k),
			   vcpu->nr_cpuid);
	if (r >= 0)
		r = WARN_ON_ONCE(r != vcpu->nr_cpuid) ? -EIO : 0;
	else
		r = keel_errno(r);
	for (u32 i = 0; !r && i < vcpu->nr_cpuid; i++) {
		e[i].eax = k[i].eax;
		e[i].ebx = k[i].ebx;
		e[i].ecx = k[i].ecx;
		e[i].edx = k[i].edx;
	}
	kfree(k);
	if (!r && copy_to_user(user->entries, e, vcpu->nr_cpuid * sizeof(*e)))
		r = -EFAULT;
	cpuid.nent = vcpu->nr_cpuid;
	if (!r && copy_to_user(user, &cpuid, sizeof(cpuid)))
		r = -EFAULT;
	return r;
}

/* Keel's walk of the guest's tables; a table page not mapped yet is faulted in first. */
static long translate(struct keel_vcpu *vcpu, u64 gva)
{
	long ret;

	for (int tries = 0; tries < 8; tries++) {	/* at most one fault per level */
		ret = keel_hypercall(KEEL_HC_VCPU_TRANSLATE, vcpu->vm->handle, vcpu->id, gva, 0);
		if (ret != -KEEL_EAGAIN)
			return ret;
		if (keel_vm_fault_in(vcpu->vm, vcpu->krun->exit.fault.gpa, false))
			break;	/* the VMM's memory for it is gone: no translation */
	}
	return -KEEL_EFAULT;
}

/* KVM_TRANSLATE: a supervisor read's view, as KVM reports it (writeable 1, usermode 0). */
static long keel_translate(struct keel_vcpu *vcpu, void __user *argp)
{
	struct kvm_translation tr;
	long ret;

	if (copy_from_user(&tr, argp, sizeof(tr)))
		return -EFAULT;
	ret = translate(vcpu, tr.linear_address);
	if (ret < 0 && ret != -KEEL_EFAULT)
		return keel_errno(ret);
	tr.physical_address = ret < 0 ? ~0ULL : ret;
	tr.valid = ret >= 0;
	tr.writeable = 1;
	tr.usermode = 0;
	return copy_to_user(argp, &tr, sizeof(tr)) ? -EFAULT : 0;
}

/*
 * Keel's mp_state is KVM's (KEEL_MP_* has KVM_MP_STATE_*'s numbers):
 * without the in-kernel LAPIC always RUNNABLE, and only that can be set.
 */
static long keel_mp_state(struct keel_vcpu *vcpu, void __user *argp, bool set)
{
	struct kvm_mp_state mp;
	long r;

	if (!set) {
		r = vcpu_state(vcpu, KEEL_STATE_GET, KEEL_STATE_MP);
		mp.mp_state = vcpu->krun->mp_state;
		return r ?: (copy_to_user(argp, &mp, sizeof(mp)) ? -EFAULT : 0);
	}
	if (copy_from_user(&mp, argp, sizeof(mp)))
		return -EFAULT;
	vcpu->krun->mp_state = mp.mp_state;
	return vcpu_state(vcpu, KEEL_STATE_SET, KEEL_STATE_MP);
}

/* KVM_GET/SET_LAPIC (api.rst 4.57, 4.58): the register page; -EINVAL without an in-kernel LAPIC. */
static long keel_lapic(struct keel_vcpu *vcpu, void __user *argp, bool set)
{
	static_assert(sizeof(struct kvm_lapic_state) == sizeof(vcpu->krun->lapic));
	long r;

	if (!set) {
		r = vcpu_state(vcpu, KEEL_STATE_GET, KEEL_STATE_LAPIC);
		return r ?: (copy_to_user(argp, vcpu->krun->lapic, sizeof(vcpu->krun->lapic)) ?
			     -EFAULT : 0);
	}
	if (copy_from_user(vcpu->krun->lapic, argp, sizeof(vcpu->krun->lapic)))
		return -EFAULT;
	return vcpu_state(vcpu, KEEL_STATE_SET, KEEL_STATE_LAPIC);
}

/* KVM_GET_VCPU_EVENTS (api.rst 4.31): soft interrupts are not reported, as KVM reports none. */
static long get_events(struct keel_vcpu *vcpu, struct kvm_vcpu_events *ev)
{
	const struct keel_events *k = &vcpu->krun->events;
	long r = vcpu_state(vcpu, KEEL_STATE_GET, KEEL_STATE_EVENTS);

	if (r)
		return r;
	memset(ev, 0, sizeof(*ev));
	ev->exception.injected = k->exception_injected;
	ev->exception.nr = k->exception_nr;
	ev->exception.has_error_code = k->exception_has_error;
	ev->exception.error_code = k->exception_error;
	ev->interrupt.injected = k->interrupt_injected && !k->interrupt_soft;
	ev->interrupt.nr = k->interrupt_nr;
	ev->interrupt.shadow = k->shadow;
	ev->nmi.injected = k->nmi_injected;
	ev->nmi.pending = k->nmi_pending || vcpu->nmi_queued;
	ev->nmi.masked = k->nmi_masked;
	ev->flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW |
		    KVM_VCPUEVENT_VALID_SMM;
	if (vcpu->krun->interrupt & KEEL_IRQ_PENDING) {
		ev->interrupt.injected = 1;
		ev->interrupt.nr = vcpu->krun->interrupt & 0xff;
	}
	return 0;
}

#define EVENT_FLAGS (KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SIPI_VECTOR | \
		     KVM_VCPUEVENT_VALID_SHADOW | KVM_VCPUEVENT_VALID_SMM | \
		     KVM_VCPUEVENT_VALID_PAYLOAD | KVM_VCPUEVENT_VALID_TRIPLE_FAULT)

/*
 * KVM's checks (kvm_vcpu_ioctl_x86_set_vcpu_events()): known flags only,
 * no payloads or triple-fault events (never enabled here), exceptions
 * 0-31 but NMI's. Keel has no SMM: entering or latching one is refused.
 */
static int check_events(const struct kvm_vcpu_events *ev)
{
	if (ev->flags & ~EVENT_FLAGS)
		return -EINVAL;
	if (ev->flags & (KVM_VCPUEVENT_VALID_PAYLOAD | KVM_VCPUEVENT_VALID_TRIPLE_FAULT))
		return -EINVAL;
	if (ev->exception.injected && (ev->exception.nr > 31 || ev->exception.nr == 2))
		return -EINVAL;
	if ((ev->flags & KVM_VCPUEVENT_VALID_SMM) && (ev->smi.smm || ev->smi.pending))
		return -EINVAL;
	return 0;
}

/* What the flags leave out keeps its value: Keel's current events are read first. */
static long set_events(struct keel_vcpu *vcpu, const struct kvm_vcpu_events *ev)
{
	struct keel_events *k = &vcpu->krun->events;
	long r = check_events(ev);

	if (!r)
		r = vcpu_state(vcpu, KEEL_STATE_GET, KEEL_STATE_EVENTS);
	if (r)
		return r;
	k->exception_injected = ev->exception.injected;
	k->exception_nr = ev->exception.nr;
	k->exception_has_error = ev->exception.has_error_code;
	k->exception_error = ev->exception.error_code;
	k->interrupt_injected = ev->interrupt.injected;
	k->interrupt_nr = ev->interrupt.nr;
	k->interrupt_soft = ev->interrupt.soft;
	k->nmi_injected = ev->nmi.injected;
	k->nmi_masked = ev->nmi.masked;
	if (ev->flags & KVM_VCPUEVENT_VALID_SHADOW)
		k->shadow = ev->interrupt.shadow;
	if (ev->flags & KVM_VCPUEVENT_VALID_NMI_PENDING) {
		k->nmi_pending = ev->nmi.pending;
		vcpu->nmi_queued = false;
	}
	vcpu->krun->interrupt = 0;	/* Keel holds the interrupt now */
	return vcpu_state(vcpu, KEEL_STATE_SET, KEEL_STATE_EVENTS);
}

static long keel_get_debugregs(struct keel_vcpu *vcpu, void __user *argp)
{
	const struct keel_debugregs *k = &vcpu->krun->debugregs;
	struct kvm_debugregs d = {};
	long r = vcpu_state(vcpu, KEEL_STATE_GET, KEEL_STATE_DEBUGREGS);

	if (r)
		return r;
	memcpy(d.db, k->db, sizeof(d.db));
	d.dr6 = k->dr6;
	d.dr7 = k->dr7;
	return copy_to_user(argp, &d, sizeof(d)) ? -EFAULT : 0;
}

/* Flags must be 0, as KVM's kvm_vcpu_ioctl_x86_set_debugregs() requires; Keel checks the values. */
static long keel_set_debugregs(struct keel_vcpu *vcpu, void __user *argp)
{
	struct keel_debugregs *k = &vcpu->krun->debugregs;
	struct kvm_debugregs d;

	if (copy_from_user(&d, argp, sizeof(d)))
		return -EFAULT;
	if (d.flags)
		return -EINVAL;
	memcpy(k->db, d.db, sizeof(k->db));
	k->dr6 = d.dr6;
	k->dr7 = d.dr7;
	return vcpu_state(vcpu, KEEL_STATE_SET, KEEL_STATE_DEBUGREGS);
}

/*
 * The components a VMM moves: x87 and SSE, and of those Keel gives this
 * kernel (CPUID 0xD.0) the ones the vCPU's CPUID names, as KVM's
 * user_xfeatures (guest_supported_xcr0 | FPSSE).
 */
static u64 vcpu_xfeatures(const struct keel_vcpu *vcpu)
{
	u64 keel = cpuid_eax(0xd) | ((u64)cpuid_edx(0xd) << 32);

	if (!boot_cpu_has(X86_FEATURE_XSAVE))
		return XFEATURE_MASK_FPSSE;
	for (u32 i = 0; i < vcpu->nr_cpuid; i++)
		if (vcpu->cpuid[i].function == 0xd && vcpu->cpuid[i].index == 0)
			return XFEATURE_MASK_FPSSE |
			       (keel & (vcpu->cpuid[i].eax | ((u64)vcpu->cpuid[i].edx << 32)));
	return XFEATURE_MASK_FPSSE;
}

/*
 * A component whose XSTATE_BV bit is clear reads as its initial state, as
 * KVM's copy_xstate_to_uabi_buf() writes it; MXCSR is SSE's and AVX's.
 */
static void xsave_show_init(u8 *region, u64 bv)
{
	struct fxregs_state *fx = (void *)region;

	if (!(bv & XFEATURE_MASK_FP)) {
		memset(fx, 0, offsetof(struct fxregs_state, mxcsr));
		fx->cwd = FCW_INIT;
		memset(fx->st_space, 0, sizeof(fx->st_space));
	}
	if (!(bv & (XFEATURE_MASK_SSE | XFEATURE_MASK_YMM)))
		fx->mxcsr = MXCSR_INIT;
	if (!(bv & XFEATURE_MASK_SSE))
		memset(fx->xmm_space, 0, sizeof(fx->xmm_space));
	if (!(bv & XFEATURE_MASK_YMM))
		memset(region + XSAVE_YMM, 0, XSAVE_YMM_SIZE);
}

/*
 * KVM_GET_XSAVE and _XSAVE2 (api.rst 4.42, 4.116): Keel's image with
 * XSTATE_BV cut to what the vCPU's CPUID names, the rest of the page 0.
 */
static long keel_get_xsave(struct keel_vcpu *vcpu, void __user *argp)
{
	struct kvm_xsave *xs;
	u64 *bv;
	long r = vcpu_state(vcpu, KEEL_STATE_GET, KEEL_STATE_FPU);

	if (r)
		return r;
	xs = kzalloc(sizeof(*xs), GFP_KERNEL);
	if (!xs)
		return -ENOMEM;
	memcpy(xs->region, vcpu->krun->xsave, sizeof(vcpu->krun->xsave));
	bv = (u64 *)((u8 *)xs->region + XSAVE_HDR);
	*bv &= vcpu_xfeatures(vcpu);
	xsave_show_init((u8 *)xs->region, *bv);
	r = copy_to_user(argp, xs, sizeof(*xs)) ? -EFAULT : 0;
	kfree(xs);
	return r;
}

/*
 * The components XSTATE_BV names replace the vCPU's, as KVM's
 * copy_uabi_to_xstate() does: x87's are bytes 0-159 (MXCSR included),
 * and SSE or AVX alone bring MXCSR; the others keep their bytes, the CPU
 * giving them their initial state all the same (SDM Vol. 1 13.8.1).
 * Without XSAVE the whole FXSAVE image is the state (fpu_copy_uabi_to_
 * guest_fpstate()).
 */
static void xsave_merge(u8 *to, const u8 *from, u64 bv)
{
	struct fxregs_state *fx = (void *)to;
	const struct fxregs_state *src = (const void *)from;
	const size_t xmm = offsetof(struct fxregs_state, xmm_space);

	if (!boot_cpu_has(X86_FEATURE_XSAVE)) {
		memcpy(to, from, sizeof(*fx));
		return;
	}
	if (bv & XFEATURE_MASK_FP) {
		memcpy(to, from, xmm);
	} else if (bv & (XFEATURE_MASK_SSE | XFEATURE_MASK_YMM)) {
		fx->mxcsr = src->mxcsr;
		fx->mxcsr_mask = src->mxcsr_mask;
	}
	if (bv & XFEATURE_MASK_SSE)
		memcpy(fx->xmm_space, src->xmm_space, sizeof(fx->xmm_space));
	if (bv & XFEATURE_MASK_YMM)
		memcpy(to + XSAVE_YMM, from + XSAVE_YMM, XSAVE_YMM_SIZE);
	memcpy(to + XSAVE_HDR, &bv, sizeof(bv));
}

/* KVM refuses components the guest cannot have and a compacted or nonzero-reserved header. */
static long keel_set_xsave(struct keel_vcpu *vcpu, void __user *argp)
{
	struct kvm_xsave *xs = memdup_user(argp, sizeof(*xs));
	const u8 *hdr;
	u64 bv;
	long r = -EINVAL;

	if (IS_ERR(xs))
		return PTR_ERR(xs);
	hdr = (const u8 *)xs->region + XSAVE_HDR;
	bv = *(const u64 *)hdr;
	if (!(bv & ~vcpu_xfeatures(vcpu)) && !memchr_inv(hdr + 8, 0, 56))
		r = vcpu_state(vcpu, KEEL_STATE_GET, KEEL_STATE_FPU);
	if (!r) {
		xsave_merge(vcpu->krun->xsave, (const u8 *)xs->region, bv);
		r = vcpu_state(vcpu, KEEL_STATE_SET, KEEL_STATE_FPU);
	}
	kfree(xs);
	return r;
}

/* KVM_GET_XCRS: XCR0 alone, none without XSAVE (kvm_vcpu_ioctl_x86_get_xcrs()). */
static long keel_get_xcrs(struct keel_vcpu *vcpu, void __user *argp)
{
	struct kvm_xcrs xcrs = {};
	long r;

	if (boot_cpu_has(X86_FEATURE_XSAVE)) {
		r = vcpu_state(vcpu, KEEL_STATE_GET, KEEL_STATE_XCR);
		if (r)
			return r;
		xcrs.nr_xcrs = 1;
		xcrs.xcrs[0].value = vcpu->krun->xcr0;
	}
	return copy_to_user(argp, &xcrs, sizeof(xcrs)) ? -EFAULT : 0;
}

/* KVM_SET_XCRS: the first XCR0 entry counts, others are ignored (kvm_vcpu_ioctl_x86_set_xcrs()). */
static long keel_set_xcrs(struct keel_vcpu *vcpu, void __user *argp)
{
	struct kvm_xcrs xcrs;

	if (!boot_cpu_has(X86_FEATURE_XSAVE))
		return -EINVAL;
	if (copy_from_user(&xcrs, argp, sizeof(xcrs)))
		return -EFAULT;
	if (xcrs.nr_xcrs > KVM_MAX_XCRS || xcrs.flags)
		return -EINVAL;
	for (u32 i = 0; i < xcrs.nr_xcrs; i++) {
		if (xcrs.xcrs[i].xcr == XCR_XFEATURE_ENABLED_MASK) {
			vcpu->krun->xcr0 = xcrs.xcrs[i].value;
			return vcpu_state(vcpu, KEEL_STATE_SET, KEEL_STATE_XCR);
		}
	}
	return 0;
}

/* The state ioctls of a vCPU fd; -EINVAL for one kvm_arch_vcpu_ioctl() would not know either. */
/*
 * KVM_CAP_SYNC_REGS (api.rst 6, kvm_run's s.regs), as KVM's sync_regs()
 * and store_regs(): before KVM_RUN each part flagged in kvm_dirty_regs is
 * set from s.regs and its flag cleared; after it, each part flagged in
 * kvm_valid_regs is written there. The page is the VMM's to change at any
 * time, so a part is copied out of it once before it is checked.
 */
int keel_sync_regs_in(struct keel_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct kvm_sync_regs *s = &vcpu->sync;
	u64 dirty = READ_ONCE(run->kvm_dirty_regs);

	if ((dirty | READ_ONCE(run->kvm_valid_regs)) & ~KVM_SYNC_X86_VALID_FIELDS)
		return -EINVAL;
	if (!dirty)
		return 0;
	memcpy(s, &run->s.regs, sizeof(*s));
	if (dirty & KVM_SYNC_X86_REGS) {
		if (set_regs(vcpu, &s->regs))
			return -EINVAL;
		run->kvm_dirty_regs &= ~KVM_SYNC_X86_REGS;
	}
	if (dirty & KVM_SYNC_X86_SREGS) {
		if (set_sregs(vcpu, &s->sregs))
			return -EINVAL;
		run->kvm_dirty_regs &= ~KVM_SYNC_X86_SREGS;
	}
	if (dirty & KVM_SYNC_X86_EVENTS) {
		if (set_events(vcpu, &s->events))
			return -EINVAL;
		run->kvm_dirty_regs &= ~KVM_SYNC_X86_EVENTS;
	}
	return 0;
}

void keel_sync_regs_out(struct keel_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct kvm_sync_regs *s = &vcpu->sync;
	u64 valid = READ_ONCE(run->kvm_valid_regs);

	if ((valid & KVM_SYNC_X86_REGS) && !get_regs(vcpu, &s->regs))
		memcpy(&run->s.regs.regs, &s->regs, sizeof(s->regs));
	if ((valid & KVM_SYNC_X86_SREGS) && !get_sregs(vcpu, &s->sregs))
		memcpy(&run->s.regs.sregs, &s->sregs, sizeof(s->sregs));
	if ((valid & KVM_SYNC_X86_EVENTS) && !get_events(vcpu, &s->events))
		memcpy(&run->s.regs.events, &s->events, sizeof(s->events));
}

/* The state ioctls s.regs also carries, through @vcpu->sync (the vCPU's mutex is held). */
static long sync_ioctl(struct keel_vcpu *vcpu, unsigned int ioctl, void __user *argp)
{
	struct kvm_sync_regs *s = &vcpu->sync;

	switch (ioctl) {
	case KVM_GET_REGS:
		return get_regs(vcpu, &s->regs) ?:
		       (copy_to_user(argp, &s->regs, sizeof(s->regs)) ? -EFAULT : 0);
	case KVM_SET_REGS:
		return copy_from_user(&s->regs, argp, sizeof(s->regs)) ? -EFAULT :
		       set_regs(vcpu, &s->regs);
	case KVM_GET_SREGS:
		return get_sregs(vcpu, &s->sregs) ?:
		       (copy_to_user(argp, &s->sregs, sizeof(s->sregs)) ? -EFAULT : 0);
	case KVM_SET_SREGS:
		return copy_from_user(&s->sregs, argp, sizeof(s->sregs)) ? -EFAULT :
		       set_sregs(vcpu, &s->sregs);
	case KVM_GET_VCPU_EVENTS:
		return get_events(vcpu, &s->events) ?:
		       (copy_to_user(argp, &s->events, sizeof(s->events)) ? -EFAULT : 0);
	default:
		return copy_from_user(&s->events, argp, sizeof(s->events)) ? -EFAULT :
		       set_events(vcpu, &s->events);
	}
}

long keel_state_ioctl(struct keel_vcpu *vcpu, unsigned int ioctl, void __user *argp)
{
	switch (ioctl) {
	case KVM_GET_REGS:
	case KVM_SET_REGS:
	case KVM_GET_SREGS:
	case KVM_SET_SREGS:
	case KVM_GET_VCPU_EVENTS:
	case KVM_SET_VCPU_EVENTS:
		return sync_ioctl(vcpu, ioctl, argp);
	case KVM_GET_FPU:
		return keel_get_fpu(vcpu, argp);
	case KVM_SET_FPU:
		return keel_set_fpu(vcpu, argp);
	case KVM_GET_MSRS:
		return keel_msrs(vcpu, argp, false);
	case KVM_SET_MSRS:
		return keel_msrs(vcpu, argp, true);
	case KVM_SET_CPUID2:
		return keel_set_cpuid2(vcpu, argp);
	case KVM_GET_CPUID2:
		return keel_get_cpuid2(vcpu, argp);
	case KVM_TRANSLATE:
		return keel_translate(vcpu, argp);
	case KVM_GET_MP_STATE:
		return keel_mp_state(vcpu, argp, false);
	case KVM_SET_MP_STATE:
		return keel_mp_state(vcpu, argp, true);
	case KVM_GET_LAPIC:
		return keel_lapic(vcpu, argp, false);
	case KVM_SET_LAPIC:
		return keel_lapic(vcpu, argp, true);
	case KVM_GET_DEBUGREGS:
		return keel_get_debugregs(vcpu, argp);
	case KVM_SET_DEBUGREGS:
		return keel_set_debugregs(vcpu, argp);
	case KVM_GET_XSAVE:
	case KVM_GET_XSAVE2:
		return keel_get_xsave(vcpu, argp);
	case KVM_SET_XSAVE:
		return keel_set_xsave(vcpu, argp);
	case KVM_GET_XCRS:
		return keel_get_xcrs(vcpu, argp);
	case KVM_SET_XCRS:
		return keel_set_xcrs(vcpu, argp);
	default:
		return -EINVAL;
	}
}
