#!/bin/bash
# The scheduler's policy (kernel/sched_policy.h) end to end: boot-time VMs of
# tests/guests/spin.c, each spinning 10^10 TSC cycles, on QEMU with 2 CPUs.
#   weights: heavy (weight=512) and light (256), both held to CPU 1 by
#            affinity=1, count rounds (and get Keel's time) 2:1 within 5%;
#            capped (cap=25), held to CPU 0, gets 25% of the time it spun
#            within 5%; none of them runs on a CPU its affinity leaves out.
#   crowd:   8 VMs on the 2 CPUs all progress. Not how evenly: QEMU 7.2's -icount
#            runs one CPU at a time, and gives CPU 1 far fewer instructions than
#            CPU 0 per unit of virtual time (a VM Keel charged 5.2 s there counted
#            69M rounds, the seven others 1.35 s and 133M each), so Keel's time
#            there is not the guest's work. Evenness across CPUs is asserted
#            without -icount, by Keel's time: tests/control/init, check sched.
# QEMU counts time in instructions (-icount): with wall-clock time, the host
# descheduling QEMU's thread charges a VM time in which it counted nothing, and
# the rounds strayed up to 7% from Keel's time beside other emulators. Under
# -icount one thread runs both CPUs in turns, which need not be even (crowd).
# SCHED_QEMU_ARGS replaces those QEMU arguments.
# Prints "sched: PASS|FAIL NAME" per check and "sched: N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
build=${BUILD:-build}
out=$build/sched
mkdir -p "$out"
passed=0 failed=0
pass() { echo "sched: PASS $1"; passed=$((passed + 1)); }
fail() { echo "sched: FAIL $1${2:+: $2}"; failed=$((failed + 1)); }

# boot NAME "VM:OPT+OPT ...": every VM runs spin.elf; the console log is $out/NAME.log.
boot() {
	local args=() vm opts
	for vm in $2; do
		opts=${vm#*:}
		args+=("$build/guests/spin.elf" "keel.vm=${vm%%:*} mem=8 ${opts//+/ }")
	done
	scripts/mkiso.sh "$out/$1.iso" "$build/keel.elf" "keel.exit_when_idle" "${args[@]}" || return 1
	scripts/qemu-run.sh -c 2 -m 512 -t 300 -x "${SCHED_QEMU_ARGS--icount shift=0,sleep=off}" -l "$out/$1.log" "$out/$1.iso" >/dev/null 2>&1
	grep -q "^keel: every boot-time VM has ended" "$out/$1.log"
}

# The VM's rounds, its TSC cycles, Keel's ms and CPU mask for it: "rounds tsc ms mask".
stats() {
	local rounds tsc ms mask
	rounds=$(sed -n "s/^$2: spin: rounds=\([0-9]*\) .*/\1/p" "$out/$1.log")
	tsc=$(sed -n "s/^$2: spin: rounds=[0-9]* tsc=\([0-9]*\)/\1/p" "$out/$1.log")
	ms=$(sed -n "s/^keel: vm $2 vcpu 0: .* ran \([0-9]*\) ms on cpus \(0x[0-9a-f]*\),.*/\1/p" "$out/$1.log")
	mask=$(sed -n "s/^keel: vm $2 vcpu 0: .* ran [0-9]* ms on cpus \(0x[0-9a-f]*\),.*/\1/p" "$out/$1.log")
	echo "${rounds:-0} ${tsc:-0} ${ms:-0} ${mask:-none}"
}

# within A B LO HI: LO <= A/B <= HI.
within() {
	awk -v a="$1" -v b="$2" -v lo="$3" -v hi="$4" 'BEGIN { exit !(b > 0 && a / b >= lo && a / b <= hi) }'
}

if boot weights "heavy:weight=512+affinity=1 light:weight=256+affinity=1 capped:cap=25+affinity=0"; then
	khz=$(sed -n 's/^keel: tsc \([0-9]*\) kHz.*/\1/p' "$out/weights.log")
	read -r hr ht hms hmask <<<"$(stats weights heavy)"
	read -r lr lt lms lmask <<<"$(stats weights light)"
	read -r cr ct cms cmask <<<"$(stats weights capped)"
	echo "sched: heavy rounds=$hr ms=$hms cpus=$hmask; light rounds=$lr ms=$lms cpus=$lmask;" \
		"capped ms=$cms of $((ct / ${khz:-1})) cpus=$cmask"
	within "$hr" "$lr" 1.9 2.1 && pass "weights 2:1 by the guests' rounds" ||
		fail "weights 2:1 by the guests' rounds" "$hr / $lr"
	within "$hms" "$lms" 1.9 2.1 && pass "weights 2:1 by Keel's time" ||
		fail "weights 2:1 by Keel's time" "$hms / $lms ms"
	within "$((cms * khz))" "$ct" 0.2375 0.2625 && pass "cap 25%" ||
		fail "cap 25%" "$cms ms of $((ct / ${khz:-1})) ms"
	[ "$hmask" = 0x2 ] && [ "$lmask" = 0x2 ] && [ "$cmask" = 0x1 ] && pass "affinity held" ||
		fail "affinity held" "cpus $hmask $lmask $cmask"
else
	fail "weights" "the VMs did not all end"
	tail -n 20 "$out/weights.log" | sed 's/^/    | /'
fi

crowd="" bad="" all=""
for i in 0 1 2 3 4 5 6 7; do
	crowd+=" spin$i:"
done
if boot crowd "$crowd"; then
	for i in 0 1 2 3 4 5 6 7; do
		read -r r t ms mask <<<"$(stats crowd spin$i)"
		[ "$r" -gt 0 ] || bad+=" spin$i:no-rounds"
		all+=" $ms"
	done
	echo "sched: crowd ms:$all"
	[ -z "$bad" ] && pass "8 vCPUs on 2 CPUs all progress" ||
		fail "8 vCPUs on 2 CPUs all progress" "$bad"
else
	fail "crowd" "the VMs did not all end"
	tail -n 20 "$out/crowd.log" | sed 's/^/    | /'
fi
echo "sched: $passed passed, $failed failed"
[ $failed -eq 0 ]
