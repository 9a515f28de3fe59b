#!/bin/bash
# make bench: exit costs in retired instructions per round trip, under QEMU TCG
# with -icount shift=0,sleep=off (guest TSC = retired instructions), Keel's
# boot-time VM beside Linux KVM (Debian's kernel, kvm_amd) on the same QEMU.
set -u
cd "$(dirname "$0")/../.."
build=${BUILD:-build}
out=$build/bench
mkdir -p "$out"

iso=$out/keel-bench.iso
scripts/mkiso.sh "$iso" "$build/keel.elf" "keel.exit_when_idle" "$build/guests/bench.elf" "keel.vm=bench mem=16" || exit 1
scripts/qemu-run.sh -c 1 -m 512 -t 300 -x "-icount shift=0,sleep=off" -l "$out/keel.log" "$iso" >/dev/null 2>&1
sed -n 's/^bench: bench: \([a-z-]*\) \([0-9]*\)$/\1 \2/p' "$out/keel.log" >"$out/keel.txt"

BUILD=$build tests/bench/kvm-baseline.sh >"$out/kvm.out" 2>&1
sed -n 's/^kvm: bench: \([a-z-]*\) \([0-9]*\)$/\1 \2/p' "$out/kvm.out" >"$out/kvm.txt"

value() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }

echo "bench: instructions per round trip (QEMU $(qemu-system-x86_64 --version | head -n 1 | awk '{print $4}'), -icount shift=0,sleep=off)"
printf 'bench: %-28s %10s %12s %8s\n' "operation" "Keel" "Linux KVM" "ratio"
status=0
for row in "cpuid:cpuid:CPUID" "vmmcall:vmmcall:VMMCALL (unknown number)" \
	"out-ioeventfd:out-ioeventfd:OUT completed in hypervisor"; do
	IFS=: read -r kk kv label <<<"$row"
	k=$(value "$kk" "$out/keel.txt")
	v=$(value "$kv" "$out/kvm.txt")
	ratio=-
	[ -n "$k" ] && [ -n "$v" ] && ratio=$(awk -v a="$k" -v b="$v" 'BEGIN { printf "%.3f", a / b }')
	printf 'bench: %-28s %10s %12s %8s\n' "$label" "${k:-missing}" "${v:-missing}" "$ratio"
	[ -n "$k" ] && [ -n "$v" ] || status=1
done
echo "bench: Keel = the bench guest as a boot-time VM; Linux KVM = tests/bench/kvm-bench under kvm_amd;"
echo "bench: the OUT row is port 0xE0: Keel completes it itself, KVM through an ioeventfd."
echo "bench: targets: Keel CPUID < 300, OUT < 400"
exit $status
