#!/bin/bash
# Boot tests: Keel under QEMU TCG (BIOS and UEFI, 1 and 4 CPUs, 512 MiB and
# 6 GiB) and with bad configurations. Each case checks the summary line and
# the selftests' result; prints "boot: N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
elf=${KEEL_ELF:-build/keel.elf}
out=${BOOT_OUT:-build/boot}
mkdir -p "$out"
passed=0
failed=0

pass() { echo "boot: PASS $1"; passed=$((passed + 1)); }
fail() { echo "boot: FAIL $1: $2"; failed=$((failed + 1)); sed 's/^/    | /' "$3" | tail -n 40; }

# expect NAME LOG RC WANT_RC REGEX...: the exit status and every regex must match.
expect() {
	local name=$1 log=$2 rc=$3 want=$4
	shift 4
	[ "$rc" = "$want" ] || { fail "$name" "exit status $rc, want $want" "$log"; return; }
	for re in "$@"; do
		grep -Eq "$re" "$log" || { fail "$name" "no line matching /$re/" "$log"; return; }
	done
	pass "$name"
}

# The reservation Keel picks by default for RAM of MiB (kernel/mm.c: mm_default_reserve).
default_reserve() {
	local r=$(($1 / 64 + 32))
	[ $r -gt 2048 ] && r=2048
	echo $(((r + 1) / 2 * 2))
}

iso=$out/selftest.iso
scripts/mkiso.sh "$iso" "$elf" "keel.test=all" || exit 1

# QEMU exits with (status << 1) | 1: selftests passing give status 0, so 1.
for fw in bios uefi; do
	for cpus in 1 4; do
		for mem in 512 6144; do
			name="qemu-$fw-${cpus}cpu-${mem}M"
			log=$out/$name.log
			flag=""
			[ $fw = uefi ] && flag=-u
			scripts/qemu-run.sh -c $cpus -m $mem $flag -t 180 -l "$log" "$iso" >/dev/null 2>&1
			rc=$?
			ram=$(sed -n 's/.*keel: online .* ram=\([0-9]*\).*/\1/p' "$log")
			# The firmware keeps some RAM for itself: at most 32 MiB here.
			[ -n "$ram" ] && [ "$ram" -le "$mem" ] && [ "$ram" -ge $((mem - 32)) ] || ram=bad
			# With 6 GiB there is a free, aligned 1 GiB above 4 GiB for a 1 GiB guest page.
			leaves="2 MiB"
			[ $mem = 6144 ] && leaves="1 GiB"
			expect "$name" "$log" $rc 1 \
				"^keel: online cpus=$cpus vendor=amd virt=svm paging=npt ram=$ram reserved=$(default_reserve "$ram")\$" \
				"^keel: selftest guestmem: $leaves leaves at the bottom" \
				"^keel: selftests: 10 passed, 0 failed, 0 skipped\$"
		done
	done
done

# Bochs: Intel with VT-x and EPT, x2APIC and TSC-deadline, 2 CPUs.
log=$out/bochs-2cpu-512M.log
scripts/bochs-run.sh -c 2 -m 512 -t 900 -e 'keel: halt status=' -l "$log" "$iso" >/dev/null 2>&1
rc=$?
ram=$(sed -n 's/.*keel: online .* ram=\([0-9]*\).*/\1/p' "$log")
[ -n "$ram" ] && [ "$ram" -le 512 ] && [ "$ram" -ge 480 ] || ram=bad
expect bochs-2cpu-512M "$log" $rc 0 \
	"^keel: online cpus=2 vendor=intel virt=vmx paging=ept ram=$ram reserved=$(default_reserve "$ram")\$" \
	"x2apic, tsc-deadline" "timer tsc-deadline" "^keel: selftests: 10 passed, 0 failed, 0 skipped\$" \
	"^keel: halt status=0"

# No SVM: Keel says so, still boots every CPU, and reports virt=none.
log=$out/qemu-no-svm.log
scripts/qemu-run.sh -c 2 -m 512 -t 120 -l "$log" -x "-cpu max,-svm" "$iso" >/dev/null 2>&1
expect qemu-no-svm "$log" $? 1 "no hardware virtualization: the CPU has neither VMX nor SVM" \
	"^keel: online cpus=2 vendor=amd virt=none paging=none " \
	"^keel: selftest guestmem: skipped" "^keel: selftests: 8 passed, 0 failed, 2 skipped\$"

# Bad command line: each problem named, defaults kept, boot goes on.
bad=$out/badcmdline.iso
scripts/mkiso.sh "$bad" "$elf" "keel.test=all frobnicate=1 keel.reserve=1G loglevel=x console=com1,bogus" || exit 1
log=$out/qemu-bad-cmdline.log
scripts/qemu-run.sh -c 1 -m 512 -t 120 -l "$log" "$bad" >/dev/null 2>&1
expect qemu-bad-cmdline "$log" $? 1 "unknown command-line option 'frobnicate'" \
	"keel.reserve=1024M is outside 16M\.\.25[0-9]M; using the default" \
	"bad value 'x' for 'loglevel'" "bad value 'com1,bogus' for 'console'" \
	"^keel: online cpus=1 .* reserved=$(default_reserve 511)\$"

# An explicit reservation is honoured.
res=$out/reserve.iso
scripts/mkiso.sh "$res" "$elf" "keel.test=all keel.reserve=64M" || exit 1
log=$out/qemu-reserve.log
scripts/qemu-run.sh -c 1 -m 512 -t 120 -l "$log" "$res" >/dev/null 2>&1
expect qemu-reserve "$log" $? 1 "^keel: online cpus=1 .* reserved=64\$" "^keel: selftests: 10 passed, 0 failed"

# A selftest name that does not exist fails the run rather than passing vacuously.
none=$out/notest.iso
scripts/mkiso.sh "$none" "$elf" "keel.test=nosuchtest" || exit 1
log=$out/qemu-unknown-test.log
scripts/qemu-run.sh -c 1 -m 512 -t 120 -l "$log" "$none" >/dev/null 2>&1
expect qemu-unknown-test "$log" $? 3 "keel.test=nosuchtest names no selftest" "selftests: 0 passed, 1 failed"

# No ACPI at all (i440fx, acpi=off): a clear message, the boot CPU only, PIT calibration.
log=$out/qemu-no-acpi.log
scripts/qemu-run.sh -c 2 -m 512 -t 120 -l "$log" -x "-machine pc,acpi=off" "$iso" >/dev/null 2>&1
expect qemu-no-acpi "$log" $? 1 "no ACPI RSDP found; running on the boot CPU only" \
	"calibrated against the pit" "^keel: online cpus=1 " "^keel: selftests: 10 passed, 0 failed"

# panic() on an AP reports and stops every other CPU; status 0x7f reaches QEMU as 255.
pan=$out/panic.iso
scripts/mkiso.sh "$pan" "$elf" "keel.test=panic" || exit 1
log=$out/qemu-panic.log
scripts/qemu-run.sh -c 4 -m 512 -t 120 -l "$log" "$pan" >/dev/null 2>&1
expect qemu-panic "$log" $? 255 "^keel: PANIC on cpu 3: selftest: deliberate panic on cpu 3" \
	"^backtrace:" "^  \[0\] 0000000000" "^keel: stopped 3 of 3 other cpus" "^keel: halt status=127"

# An unexpected exception is reported with the CPU state.
flt=$out/fault.iso
scripts/mkiso.sh "$flt" "$elf" "keel.test=fault" || exit 1
log=$out/qemu-fault.log
scripts/qemu-run.sh -c 2 -m 512 -t 120 -l "$log" "$flt" >/dev/null 2>&1
expect qemu-fault "$log" $? 255 "^keel: PANIC on cpu 0: #GP general protection \(vector 13" \
	"^RIP [0-9a-f]{16} RSP" "^CR0 [0-9a-f]{16} CR2" "^keel: stopped 1 of 1 other cpus"

# A control-guest module that is no bzImage (Keel itself), beside a boot-time VM module:
# both refused with a reason, and with keel.exit_when_idle the machine ends (status 1).
ctl=$out/badcontrol.iso
scripts/mkiso.sh "$ctl" "$elf" "keel.exit_when_idle" "$elf" "keel.control console=ttyS0" \
	"$elf" "keel.vm=extra mem=16" || exit 1
log=$out/qemu-bad-control.log
scripts/qemu-run.sh -c 1 -m 512 -t 120 -l "$log" "$ctl" >/dev/null 2>&1
expect qemu-bad-control "$log" $? 3 \
	"keel: control guest not started: no 0xAA55 boot flag at 0x1fe: not a Linux kernel" \
	"module 1 'keel.vm=extra mem=16' ignored: boot-time VMs do not run beside a control guest yet" \
	"^keel: halt status=1"

echo "boot: $passed passed, $failed failed"
[ $failed -eq 0 ]
