#!/bin/bash
# make bench: exit costs in retired instructions per round trip, under QEMU TCG
# with -icount shift=0,sleep=off (guest TSC = retired instructions), Keel beside
# Linux KVM (Debian's kernel, kvm_amd) on the same QEMU: first Keel's boot-time
# VM, then through /dev/kvm (tests/bench/kvm-bench.sh: the same VMM program on
# keel-kvm.ko in Keel's control guest and on kvm_amd), with the lateness of a
# timer wakeup in the control guest (or host) while a VM spins on its CPU.
# Every QEMU run has a hard deadline; a missing figure or a failed run makes
# the exit status 1 and the last line "bench: exit costs: failed (...)".
set -u
cd "$(dirname "$0")/../.." || exit 1
build=${BUILD:-build}
out=$build/bench
mkdir -p "$out"
failed=""

iso=$out/keel-bench.iso
scripts/mkiso.sh "$iso" "$build/keel.elf" "keel.exit_when_idle" "$build/guests/bench.elf" "keel.vm=bench mem=16" || exit 1
scripts/qemu-run.sh -c 1 -m 512 -t 300 -x "-icount shift=0,sleep=off" -l "$out/keel.log" "$iso" >/dev/null 2>&1
[ $? -eq 124 ] && { failed+=" [boot-time VM run]"; echo "bench: the boot-time VM's run passed its deadline of 300 s" >&2; }
sed -n 's/^bench: bench: \([a-z-]*\) \([0-9]*\)$/\1 \2/p' "$out/keel.log" >"$out/keel.txt"

# Two boot-time VMs of tests/guests/spin.c share CPU 0 (1 CPU, -icount): Keel's switches between them.
iso=$out/keel-switch.iso
scripts/mkiso.sh "$iso" "$build/keel.elf" "keel.exit_when_idle" "$build/guests/spin.elf" "keel.vm=a mem=8" \
	"$build/guests/spin.elf" "keel.vm=b mem=8" || exit 1
scripts/qemu-run.sh -c 1 -m 512 -t 600 -x "-icount shift=0,sleep=off" -l "$out/keel-switch.log" "$iso" >/dev/null 2>&1
[ $? -eq 124 ] && { failed+=" [switch run]"; echo "bench: the switch run passed its deadline of 600 s" >&2; }
sed -n 's/^keel: cpu 0: \([0-9]*\) slices, \([0-9]*\) switches of \([0-9]*\) ns each$/vcpu-switch \3\nvcpu-switches \2/p' \
	"$out/keel-switch.log" >>"$out/keel.txt"

# side NAME: kvm-bench through NAME's /dev/kvm; its figures in $out/dev-NAME.txt.
side() {
	BUILD=$build tests/bench/kvm-bench.sh "$1" >"$out/dev-$1.out" 2>"$out/dev-$1.err" ||
		{ failed+=" [$1 run]"; sed 's/^/bench: /' "$out/dev-$1.err" >&2; }
	sed -n "s/^$1: bench: \([a-z-]*\) \([0-9]*\)\$/\1 \2/p" "$out/dev-$1.out" >"$out/dev-$1.txt"
	sed -n "s/^$1: bench: skipped \([a-z-]*\) .*/\1 skipped/p" "$out/dev-$1.out" >>"$out/dev-$1.txt"
}
side kvm
side keel
side keel-q

value() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }
# row WIDTH LABEL KEEL KVM [SCALE]: one row; SCALE divides both (ns to us).
row() {
	local k=$3 v=$4 ratio=-
	if [ -n "$k" ] && [ -n "$v" ] && [ "$k" != skipped ] && [ "$v" != skipped ]; then
		ratio=$(awk -v a="$k" -v b="$v" 'BEGIN { printf "%.3f", a / b }')
		if [ -n "${5:-}" ]; then
			k=$(awk -v a="$k" -v s="$5" 'BEGIN { printf "%.1f", a / s }')
			v=$(awk -v a="$v" -v s="$5" 'BEGIN { printf "%.1f", a / s }')
		fi
	fi
	printf "bench: %-$1s %10s %12s %8s\n" "$2" "${k:-missing}" "${v:-missing}" "$ratio"
	[ -n "$k" ] && [ -n "$v" ] || failed+=" [$2]"
}

echo "bench: instructions per round trip (QEMU $(qemu-system-x86_64 --version | head -n 1 | awk '{print $4}'), -icount shift=0,sleep=off)"
printf 'bench: %-28s %10s %12s %8s\n' "operation" "Keel" "Linux KVM" "ratio"
for r in "cpuid:cpuid:CPUID" "vmmcall:vmmcall:VMMCALL (unknown number)" \
	"out-ioeventfd:out-ioeventfd:OUT completed in hypervisor"; do
	IFS=: read -r kk kv label <<<"$r"
	row 28 "$label" "$(value "$kk" "$out/keel.txt")" "$(value "$kv" "$out/dev-kvm.txt")"
done
echo "bench: Keel = the bench guest as a boot-time VM; Linux KVM = tests/bench/kvm-bench under kvm_amd;"
echo "bench: the OUT row is port 0xE0: Keel completes it itself, KVM through an ioeventfd."
echo "bench: targets: Keel CPUID < 300, OUT < 400"

echo "bench: through /dev/kvm: tests/bench/kvm-bench, a VMM process on a 1-CPU Linux, Keel = keel-kvm.ko in Keel's control guest, Linux KVM = kvm_amd"
printf 'bench: %-36s %10s %12s %8s\n' "operation" "Keel" "Linux KVM" "ratio"
for r in "cpuid:/dev/kvm CPUID" "vmmcall:/dev/kvm VMMCALL (unknown number)" \
	"out-user:/dev/kvm OUT to the VMM" "in-user:/dev/kvm IN from the VMM" \
	"mmio-read:/dev/kvm MMIO read from the VMM" "out-ioeventfd:/dev/kvm OUT to an ioeventfd" \
	"irqfd-wake:irqfd to a halted vCPU's OUT"; do
	IFS=: read -r k label <<<"$r"
	row 36 "$label" "$(value "$k" "$out/dev-keel.txt")" "$(value "$k" "$out/dev-kvm.txt")"
done
for r in "spin:timer late, VM spinning, max us" "idle:timer late, CPU idle, max us"; do
	IFS=: read -r k label <<<"$r"
	row 36 "$label" "$(value "timer-max-$k" "$out/dev-keel.txt")" \
		"$(value "timer-max-$k" "$out/dev-kvm.txt")" 1000
done
note() { value "timer-avg-$2" "$out/dev-$1.txt" | awk '{ printf "%.1f", $1 / 1000 } END { if (!NR) print "-" }'; }
echo "bench: timer late, on average (us): VM spinning Keel $(note keel spin), Linux KVM $(note kvm spin);" \
	"CPU idle Keel $(note keel idle), Linux KVM $(note kvm idle)"
echo "bench: CPUID and VMMCALL are completed in the hypervisor (keel-kvm: in Keel, no exit to the control guest);"
echo "bench: irqfd = kvm-bench -w: a process of the VMM writes an irqfd (an MSI route to the in-kernel LAPIC) while"
echo "bench: the vCPU halts; TSC ticks from the write to KVM_RUN returning with the interrupt handler's OUT to"
wake=${KVM_BENCH_WAKE:-200,1000}	# kvm-bench.sh's default
echo "bench: the VMM (so one exit to the VMM is in it), the median of ${wake%,*} wakeups ${wake#*,} us apart;"
echo "bench: skipped = the op's capability is not offered (KVM_CHECK_EXTENSION answers 0), so kvm-bench does not run it;"
lat=${KVM_BENCH_LAT:-1000,1000}	# kvm-bench.sh's default
echo "bench: timer late = how late a SCHED_FIFO task wakes from clock_nanosleep to absolute deadlines ${lat#*,} us apart"
echo "bench: (cyclictest's measure, kvm-bench -l, ${lat%,*} wakeups) while kvm-bench keeps a VM spinning on the same CPU, or with"
echo "bench: the CPU idle; CLOCK_MONOTONIC microseconds of QEMU's virtual clock, which under icount shift=0 advances 1 ns"
echo "bench: per instruction retired: 1 us late = 1,000 instructions between the deadline and the task running."
echo "bench: Keel's scheduler (docs/scheduler.md): the VM's vCPU queued on another CPU than its VMM's thread"
echo "bench: (3 CPUs: the control guest on CPU 2, keel.vm_cpus=1), beside the fast path on one CPU"
printf 'bench: %-36s %10s %12s %8s\n' "operation" "other CPU" "fast path" "ratio"
for r in "cpuid:/dev/kvm CPUID" "out-user:/dev/kvm OUT to the VMM" "in-user:/dev/kvm IN from the VMM" \
	"mmio-read:/dev/kvm MMIO read from the VMM" "out-ioeventfd:/dev/kvm OUT to an ioeventfd" \
	"irqfd-wake:irqfd to a halted vCPU's OUT"; do
	IFS=: read -r k label <<<"$r"
	row 36 "$label" "$(value "$k" "$out/dev-keel-q.txt")" "$(value "$k" "$out/dev-keel.txt")"
done
sw=$(value vcpu-switch "$out/keel.txt")
printf 'bench: %-36s %10s\n' "switch between two VMs' vCPUs" "${sw:-missing}"
[ -n "$sw" ] || failed+=" [vcpu-switch]"
echo "bench: other CPU = the VMM's thread sleeps while Keel runs the vCPU on CPU 1; an exit to the VMM wakes it"
echo "bench: by POSTED_INTR_WAKEUP_VECTOR, and its next KVM_RUN queues the vCPU again (IPI to CPU 1); instructions"
echo "bench: count every CPU's. switch = Keel's instructions from the end of one boot-time VM's slice to the"
echo "bench: other's first entry, two tests/guests/spin VMs on one CPU, over $(value vcpu-switches "$out/keel.txt") switches (keelctl stats: SWITCH_NS)."
if [ -n "$failed" ]; then
	echo "bench: exit costs: failed (missing or failed:$failed)"
	exit 1
fi
echo "bench: exit costs: ok"
