#!/bin/sh
# tests/bench/kvm-baseline.sh: the Linux-KVM side of `make bench`.
# Builds kvm-bench (static) and an initramfs around it, then boots Debian's
# stock kernel under QEMU TCG (-cpu max: AMD SVM with NPT) with
# -icount shift=0,sleep=off, so the TSC counts retired instructions. The
# guest's /init loads kvm_amd and runs kvm-bench, whose guest prints one
# "bench: NAME N" line per op (tests/bench/loops.h says what N is). Those
# lines come out on stdout as "kvm: bench: NAME N". Exits 0 when every op
# reported, 1 otherwise.
# Environment: BUILD (default build), KVM_BENCH_ARGS (kvm-bench options, e.g.
# "-i 256 -r 16 -m 0xf"), KVM_BASELINE_TIMEOUT (seconds, default 300).
set -eu

cd "$(dirname "$0")/../.."
build=${BUILD:-build}
out=$build/bench
deadline=${KVM_BASELINE_TIMEOUT:-300}
args=$(echo "${KVM_BENCH_ARGS:-}" | tr -s ' ' ',')
mkdir -p "$out"

# Debian's kernel, its modules and busybox: fetched once into build/debian.
scripts/debian-kernel.sh "$build/debian"
mods=$build/debian/modules/kernel

# kvm-bench, with the guest loops linked in and copied into the VM.
cflags="-std=gnu11 -O2 -static -Wall -Wextra -Werror -Wshadow \
-Wstrict-prototypes -Wmissing-prototypes -Wundef -Wvla -Wwrite-strings -Wformat=2"
# shellcheck disable=SC2086
gcc $cflags -D__ASSEMBLY__ -c tests/bench/loops.S -o "$out/loops.o"
# shellcheck disable=SC2086
gcc $cflags -o "$out/kvm-bench" tests/bench/kvm-bench.c "$out/loops.o"

BUSYBOX=$build/debian/busybox scripts/mkinitramfs.sh \
	"$out/kvm-initramfs.cpio.gz" tests/bench/initramfs/init \
	"$out/kvm-bench:/bin/kvm-bench" \
	"$mods/virt/lib/irqbypass.ko:/lib/modules/" \
	"$mods/arch/x86/kvm/kvm.ko:/lib/modules/" \
	"$mods/drivers/crypto/ccp/ccp.ko:/lib/modules/" \
	"$mods/arch/x86/kvm/kvm-amd.ko:/lib/modules/"

# One vCPU, a hard deadline; COM1 goes to the log. panic=-1 and -no-reboot
# make a kernel panic end QEMU instead of hanging it.
log=$out/kvm-baseline.log
start=$(date +%s)
rc=0
timeout -s KILL "$deadline" qemu-system-x86_64 -accel tcg -machine q35 \
	-cpu max -icount shift=0,sleep=off -m 1024 -smp 1 \
	-display none -monitor none -serial "file:$log" -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=0x01 \
	-kernel "$build/debian/vmlinuz" -initrd "$out/kvm-initramfs.cpio.gz" \
	-append "console=ttyS0 quiet panic=-1 kvmbench=$args" \
	</dev/null >"$out/qemu.out" 2>&1 || rc=$?
sed -i 's/\r$//' "$log"
[ $rc -eq 137 ] && echo "kvm-baseline: deadline of ${deadline}s passed" >&2
[ -s "$out/qemu.out" ] && sed 's/^/kvm-baseline: qemu: /' "$out/qemu.out" >&2

grep '^bench: ' "$log" | sed 's/^/kvm: /'
echo "kvm-baseline: $(($(date +%s) - start)) s in QEMU; log in $log" >&2
if ! grep -q '^init: kvm-bench exit 0$' "$log"; then
	echo "kvm-baseline: kvm-bench failed; the log's tail:" >&2
	tail -20 "$log" >&2
	exit 1
fi
