#!/bin/bash
# tests/bench/kvm-bench.sh kvm|keel|keel-q: tests/bench/kvm-bench.c through /dev/kvm,
# under QEMU TCG (-cpu max: AMD SVM with NPT; 1 CPU, 1024 MiB) with -icount
# shift=0,sleep=off, so the TSC counts retired instructions:
#   kvm   Debian's stock kernel on the bare machine, /dev/kvm from kvm_amd
#         (-kernel/-initrd): the Linux-KVM baseline
#   keel  the same kernel as Keel's control guest (a GRUB ISO), /dev/kvm from
#         keel-kvm.ko
#   keel-q the same on 3 CPUs: the control guest on CPU 2, the VM's vCPU queued
#         by Keel's scheduler on CPU 1 (keel.vm_cpus=1; CPU 0 idles); the exit
#         ops, the irqfd wakeups and the idle timer run only: with a VM
#         spinning on CPU 1, QEMU 7.2 under -icount (one thread for every CPU)
#         stops executing the control guest's CPU 2 for good (QEMU's monitor:
#         at the first instruction of Keel's handler for its timer vector
#         0xF0, docs/scheduler.md).
#         Without -icount it runs.
# Both boot the same initramfs, whose /init (tests/bench/initramfs/init) runs
# kvm-bench for the exit ops (one "bench: NAME N" line each, loops.h says
# what N is; "bench: skipped NAME WHY" for one /dev/kvm cannot run), then
# irqfd wakeups of a halted vCPU ("bench: irqfd-wake TICKS", the median),
# then timer wakeups with the CPU idle and with a VM spinning on it
# ("bench: timer-max-idle NS" and so on). The guest's "bench: " lines come
# out on stdout as "SIDE: bench: ...". Exits 0 when all the runs of
# kvm-bench ended with status 0, 1 otherwise (a build failure, a run that
# failed, QEMU's deadline); stderr says which.
# Environment: BUILD (default build), KVM_BENCH_ARGS (kvm-bench options for
# the ops, e.g. "-i 256 -r 16 -m 0xf"), KVM_BENCH_LAT ("WAKEUPS,PERIOD_US",
# default 1000,1000), KVM_BENCH_WAKE (irqfd wakeups of a halted vCPU, kvm-bench -w:
# "WAKEUPS,PERIOD_US", default 200,1000), KVM_BENCH_TIMEOUT (seconds per QEMU run, default 300).
set -u
cd "$(dirname "$0")/../.." || exit 1
side=${1:-}
case $side in
kvm | keel | keel-q) ;;
*) echo "usage: $0 kvm|keel|keel-q" >&2; exit 2 ;;
esac
build=${BUILD:-build}
out=$build/bench
deadline=${KVM_BENCH_TIMEOUT:-300}
args=$(echo "${KVM_BENCH_ARGS:-}" | tr -s ' ' ',')
lat=${KVM_BENCH_LAT:-1000,1000}
wake=${KVM_BENCH_WAKE:-200,1000}
mkdir -p "$out"

fail() { echo "kvm-bench: $side: $*" >&2; exit 1; }

# ---------------------------------------------------------------- build
# Debian's kernel, its modules and busybox: fetched once into build/debian.
scripts/debian-kernel.sh "$build/debian" || fail "no Debian kernel in $build/debian"
mods=$build/debian/modules/kernel

# kvm-bench, with the guest loops linked in and copied into the VM.
cflags="-std=gnu11 -O2 -static -Wall -Wextra -Werror -Wshadow \
-Wstrict-prototypes -Wmissing-prototypes -Wundef -Wvla -Wwrite-strings -Wformat=2"
# shellcheck disable=SC2086
if ! gcc $cflags -D__ASSEMBLY__ -c tests/bench/loops.S -o "$out/loops-$side.o" ||
	! gcc $cflags -o "$out/kvm-bench-$side" tests/bench/kvm-bench.c "$out/loops-$side.o"; then
	fail "kvm-bench does not build"
fi

# Each side's module only: the other one would not load there anyway.
if [ "$side" != kvm ]; then
	[ -f "$build/keel.elf" ] || fail "no $build/keel.elf"
	BUILD=$build scripts/build-module.sh "$out/keel-kvm.ko" >"$out/module.log" 2>&1 ||
		{ cat "$out/module.log" >&2; fail "keel-kvm.ko does not build"; }
	modules=("$out/keel-kvm.ko:/lib/modules/extra/")
else
	modules=("$mods/virt/lib/irqbypass.ko:/lib/modules/" "$mods/arch/x86/kvm/kvm.ko:/lib/modules/"
		"$mods/drivers/crypto/ccp/ccp.ko:/lib/modules/" "$mods/arch/x86/kvm/kvm-amd.ko:/lib/modules/")
fi
BUSYBOX=$build/debian/busybox scripts/mkinitramfs.sh "$out/kvm-initramfs-$side.cpio.gz" \
	tests/bench/initramfs/init "$out/kvm-bench-$side:/bin/kvm-bench" "${modules[@]}" ||
	fail "mkinitramfs failed"

# ---------------------------------------------------------------- run
# One CPU, so the VM and the control guest's (or host's) tasks share it; a
# hard deadline; COM1 goes to the log. panic=-1 and -no-reboot make a kernel
# panic end QEMU instead of hanging it.
cmdline="console=ttyS0 quiet panic=-1 kvmbench.hv=${side%-q} kvmbench.lat=$lat kvmbench.wake=$wake kvmbench=$args"
keel_cmdline="console=com1" cpus=1
if [ "$side" = keel-q ]; then
	keel_cmdline+=" keel.control_cpus=1 keel.vm_cpus=1" cpus=3
	cmdline+=" kvmbench.spin=0"
fi
# shellcheck disable=SC2054 # QEMU's own commas
machine=(-accel tcg -machine q35 -cpu max -icount shift=0,sleep=off -m 1024 -smp $cpus
	-display none -monitor none -no-reboot -nic none
	-device isa-debug-exit,iobase=0xf4,iosize=0x01)
if [ "$side" != kvm ]; then
	scripts/mkiso.sh "$out/kvm-$side.iso" "$build/keel.elf" "$keel_cmdline" \
		"$build/debian/vmlinuz" "keel.control $cmdline" \
		"$out/kvm-initramfs-$side.cpio.gz" "keel.initrd" || fail "mkiso failed"
	boot=(-cdrom "$out/kvm-$side.iso" -boot d)
else
	boot=(-kernel "$build/debian/vmlinuz" -initrd "$out/kvm-initramfs-kvm.cpio.gz"
		-append "$cmdline")
fi
log=$out/kvm-$side.log
start=$(date +%s)
# The outer 2>/dev/null hides bash's "Killed" when the deadline strikes.
{ timeout -s KILL "$deadline" qemu-system-x86_64 "${machine[@]}" -serial "file:$log" \
	"${boot[@]}" </dev/null >"$out/kvm-$side.qemu" 2>&1; } 2>/dev/null
rc=$?
sed -i 's/\r$//' "$log"
[ -s "$out/kvm-$side.qemu" ] && sed "s/^/kvm-bench: $side: qemu: /" "$out/kvm-$side.qemu" >&2

grep '^bench: ' "$log" | sed "s/^/$side: /"
echo "kvm-bench: $side: $(($(date +%s) - start)) s in QEMU (status $rc); log in $log" >&2
status=0
[ $rc -eq 137 ] && { echo "kvm-bench: $side: deadline of ${deadline}s passed" >&2; status=1; }
runs="ops wake idle spin"
[ "$side" = keel-q ] && runs="ops wake idle"
for run in $runs; do
	grep -q "^init: kvm-bench $run exit 0\$" "$log" && continue
	echo "kvm-bench: $side: the $run run failed: $(grep -m 1 "^init: kvm-bench $run exit" "$log" ||
		echo "it never ended")" >&2
	status=1
done
if [ $status -ne 0 ]; then
	echo "kvm-bench: $side: the log's tail:" >&2
	tail -n 25 "$log" | sed 's/^/    | /' >&2
fi
exit $status
