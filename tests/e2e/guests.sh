#!/bin/bash
# Payload guests under Keel: every guest of tests/guests as its own boot-time VM,
# all in one boot, on QEMU TCG (SVM+NPT) or Bochs (VMX+EPT). Each VM's end line
# is checked; prints "guests: N passed, N failed".
#   guests.sh qemu|bochs [CPUS]   (GUEST_VMS="name:opts ..." runs only those;
#   KEEL_ELF another Keel, e.g. make coverage-keel's)
set -u
cd "$(dirname "$0")/../.."
emu=${1:-qemu}
cpus=${2:-2}
build=${BUILD:-build}
elf=${KEEL_ELF:-$build/keel.elf}
out=$build/guests-$emu-${cpus}cpu${GUEST_VMS:+-$(echo "$GUEST_VMS" | tr ' :,=' '____')}
mkdir -p "$out"

# NAME and the VM's module options; bench belongs to `make bench`.
vms="entry:mem=16 cpuid32:mem=16 cpuid64:mem=16 realmode:mem=16 portio:mem=16 msr:mem=16
mmio32:mem=16 mmio64:mem=16 hlt_irq:mem=16 exceptions:mem=16 hypercall:mem=16
triplefault:mem=8 smp:mem=16,cpus=4 cr:mem=16 nmi:mem=16 xstate_a:mem=16 xstate_b:mem=16"
vms=${GUEST_VMS:-$vms}

args=()
for vm in $vms; do
	name=${vm%%:*}
	opts=${vm#*:}
	args+=("$build/guests/$name.elf" "keel.vm=$name ${opts//,/ }")
done
iso=$out/guests.iso
scripts/mkiso.sh "$iso" "$elf" "keel.exit_when_idle" "${args[@]}" || exit 1

log=$out/console.log
if [ "$emu" = bochs ]; then
	scripts/bochs-run.sh -c "$cpus" -m 512 -t 1500 -e 'keel: halt status=' -l "$log" "$iso" >/dev/null 2>&1
else
	scripts/qemu-run.sh -c "$cpus" -m 512 -t 300 -l "$log" "$iso" >/dev/null 2>&1
fi
rc=$?

passed=0
failed=0
for vm in $vms; do
	name=${vm%%:*}
	want="^keel: vm $name exited status=0\$"
	[ "$name" = triplefault ] && want="^keel: vm $name stopped reason=triple-fault\$"
	if grep -Eq "$want" "$log"; then
		echo "guests: PASS $emu $name"
		passed=$((passed + 1))
	else
		echo "guests: FAIL $emu $name"
		grep -E "^$name: |^keel: vm $name " "$log" | tail -n 8 | sed 's/^/    | /'
		failed=$((failed + 1))
	fi
done
# Every VM ended and Keel ended the machine itself (the triple fault does not count as a failure).
if ! grep -q "^keel: every boot-time VM has ended" "$log"; then
	echo "guests: FAIL $emu machine did not end by itself (runner status $rc)"
	tail -n 20 "$log" | sed 's/^/    | /'
	failed=$((failed + 1))
fi
echo "guests: $passed passed, $failed failed"
[ $failed -eq 0 ]
