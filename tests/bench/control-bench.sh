#!/bin/bash
# The control guest under Keel beside the same kernel and initramfs on the bare
# (emulated) machine, in retired instructions: QEMU TCG, -cpu max (SVM+NPT),
# 1 CPU, 1024 MiB, -icount shift=0,sleep=off, so the guest's TSC counts the
# instructions retired since machine reset. Both sides boot from a GRUB ISO
# (same SeaBIOS, same GRUB): under Keel, scripts/mkiso.sh with Debian's kernel
# and the initramfs as Keel's control guest; bare, tests/bench/mkiso-linux.sh
# with GRUB's linux/initrd. The initramfs's /init (tests/bench/control-init)
# runs tests/bench/guestbench.c:
#   boot to /init  the TSC when /init starts (firmware + GRUB + [Keel] + kernel)
#   cpu loop       an integer xorshift/multiply chain (TSC ticks of the loop)
#   memory loop    a pointer chase over 64 MiB, one 4 KiB page per load
# Strictly the TSC is QEMU's virtual clock: one tick per instruction, plus the
# time skipped while the CPU halts (a wait for a timer costs its length, on
# either side). A TLB miss costs QEMU host time but no instructions, so the
# memory loop shows Keel's exits and interrupts, not nested paging's walks.
# Prints one row per figure, as tests/bench/bench.sh does, then for insight:
# the boot split where the kernel's clock starts, the timer interrupts in the
# loops, and the host seconds the loops took. Exits 1 when a figure is missing,
# the loops' results differ between the sides, or a run passed its deadline.
# Environment: BUILD (default build), CONTROL_BENCH_TIMEOUT (s per QEMU run,
# default 300), CONTROL_BENCH_CMDLINE (more kernel arguments on both sides,
# e.g. "gbcpu=10000000 gbmem=256" for guestbench's iterations and passes).
set -u
cd "$(dirname "$0")/../.." || exit 1
build=${BUILD:-build}
out=$build/bench/control
deadline=${CONTROL_BENCH_TIMEOUT:-300}
mkdir -p "$out"

fail() { echo "bench: control: $*" >&2; exit 1; }

# ---------------------------------------------------------------- build
scripts/debian-kernel.sh "$build/debian" || fail "no Debian kernel in $build/debian"
[ -f "$build/keel.elf" ] || fail "no $build/keel.elf"
gcc -std=gnu11 -static -O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wundef -Wvla -Wpointer-arith -Wwrite-strings -Wformat=2 \
	-Wimplicit-fallthrough -Wno-unused-parameter \
	-o "$out/guestbench" tests/bench/guestbench.c || fail "guestbench does not build"
BUSYBOX=$build/debian/busybox scripts/mkinitramfs.sh "$out/initramfs.cpio.gz" \
	tests/bench/control-init "$out/guestbench:/bin/guestbench" || fail "mkinitramfs failed"
# Uncompressed on both sides: GRUB's module2 gunzips a module unless told
# --nounzip, so under Keel the kernel would get the plain cpio and bare the
# gzip'd one (and the work of inflating it would sit in GRUB on one side, in
# the kernel on the other).
gzip -dc "$out/initramfs.cpio.gz" >"$out/initramfs.cpio" || fail "gunzip failed"

cmdline="console=ttyS0 quiet panic=-1 ${CONTROL_BENCH_CMDLINE:-}"
cmdline=${cmdline% }
scripts/mkiso.sh "$out/keel.iso" "$build/keel.elf" "console=com1" \
	"$build/debian/vmlinuz" "keel.control $cmdline" \
	"$out/initramfs.cpio" "keel.initrd" || fail "mkiso failed"
tests/bench/mkiso-linux.sh "$out/bare.iso" "$build/debian/vmlinuz" \
	"$out/initramfs.cpio" "$cmdline" || fail "mkiso-linux failed"

# ---------------------------------------------------------------- runs
# The machine of scripts/qemu-run.sh, with COM1 on a pipe: each console line is
# stamped with the host's clock as it arrives (SIDE.stamped), for the wall times
# of the loops; SIDE.log holds the plain lines.
# run SIDE: boots $out/SIDE.iso; sets wall_SIDE and rc_SIDE.
status=0
wall_keel=- wall_bare=- rc_keel=- rc_bare=-
stamp() {
	local line
	while IFS= read -r line || [ -n "$line" ]; do
		printf '%s %s\n' "$EPOCHREALTIME" "${line//$'\r'/}"
	done
}
run() {
	local t0 t1 rc
	t0=$EPOCHREALTIME
	# The outer 2>/dev/null hides bash's "Killed" when the deadline strikes.
	{ timeout -s KILL "$deadline" qemu-system-x86_64 -accel tcg -machine q35 -cpu max \
		-smp 1 -m 1024 -icount shift=0,sleep=off -display none -no-reboot -monitor none \
		-serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x01 -nic none \
		-cdrom "$out/$1.iso" -boot d </dev/null 2>"$out/$1.qemu"
		echo $? >"$out/$1.rc"; } 2>/dev/null | stamp >"$out/$1.stamped"
	t1=$EPOCHREALTIME
	rc=$(cat "$out/$1.rc")
	cut -d' ' -f2- "$out/$1.stamped" >"$out/$1.log"
	printf -v "wall_$1" '%s' "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')"
	printf -v "rc_$1" '%s' "$rc"
	[ -s "$out/$1.qemu" ] && sed "s/^/bench: control: $1: qemu: /" "$out/$1.qemu" >&2
	if [ "$rc" = 137 ]; then
		echo "bench: control: $1: deadline of ${deadline}s passed; the log's tail:" >&2
		tail -n 20 "$out/$1.log" | sed 's/^/    | /' >&2
		status=1
	elif ! grep -q '^bench: done$' "$out/$1.log"; then
		echo "bench: control: $1: no \"bench: done\" (QEMU status $rc); the log's tail:" >&2
		tail -n 20 "$out/$1.log" | sed 's/^/    | /' >&2
		status=1
	fi
}
run keel
run bare

# figure SIDE NAME: the number of the guest's "bench: NAME N" line.
figure() { sed -n "s/^bench: $2 \([0-9][0-9]*\)\$/\1/p" "$out/$1.log" | head -n 1; }

echo "bench: control guest, instructions (QEMU $(qemu-system-x86_64 --version | head -n 1 |
	awk '{print $4}'), -icount shift=0,sleep=off, 1 CPU, 1024 MiB, Debian $(cat "$build/debian/version"))"
printf 'bench: %-28s %10s %12s %8s\n' "operation" "Keel" "bare" "ratio"
over=""
for row in "init-tsc:1.10:control boot to /init" "cpu-loop:1.01:control cpu loop" \
	"mem-loop:1.01:control memory loop"; do
	IFS=: read -r name target label <<<"$row"
	k=$(figure keel "$name")
	b=$(figure bare "$name")
	ratio=-
	if [ -n "$k" ] && [ -n "$b" ] && [ "$b" != 0 ]; then
		ratio=$(awk -v a="$k" -v b="$b" 'BEGIN { printf "%.4f", a / b }')
		awk -v r="$ratio" -v t="$target" 'BEGIN { exit !(r > t) }' && over+=" $name=${ratio}x"
	else
		status=1
	fi
	printf 'bench: %-28s %10s %12s %8s\n' "$label" "${k:-missing}" "${b:-missing}" "$ratio"
done
# For insight, the boot split where the kernel's clock starts (early in the
# kernel, after its decompressor): guestbench tsc logs the TSC through
# /dev/kmsg, and the console line's timestamp is the kernel's clock (the TSC
# runs at 1 GHz under -icount shift=0).
kclock() {
	sed -n 's/^\[ *\([0-9]*\)\.\([0-9]*\)\] bench: kmsg tsc=\([0-9]*\)$/\1 \2 \3/p' "$out/$1.log" |
		head -n 1 | awk '{ printf "%.0f", $3 - ($1 * 1e9 + $2 * 1e3) }'
}
row() {
	local ratio=-
	[ -n "$2" ] && [ -n "$3" ] && ratio=$(awk -v a="$2" -v b="$3" 'BEGIN { printf "%.4f", a / b }')
	printf 'bench: %-28s %10s %12s %8s\n' "$1" "${2:-missing}" "${3:-missing}" "$ratio"
}
k=$(figure keel init-tsc) b=$(figure bare init-tsc)
kk=$(kclock keel) kb=$(kclock bare)
if [ -n "$k" ] && [ -n "$b" ] && [ -n "$kk" ] && [ -n "$kb" ]; then
	row "  before the kernel's clock" "$kk" "$kb"
	row "  kernel's clock to /init" "$((k - kk))" "$((b - kb))"
fi
[ -n "$k" ] && [ -n "$b" ] && echo "bench: control boot: Keel - bare = $((k - b)) instructions"
# Both sides must have done the same work in their loops.
if ! diff <(grep '^bench: info ' "$out/keel.log") <(grep '^bench: info ' "$out/bare.log") >/dev/null; then
	echo "bench: control: the loops' results differ between Keel and bare:" >&2
	grep -H '^bench: info ' "$out/keel.log" "$out/bare.log" >&2
	status=1
fi
e820=$(grep -m 1 '^keel: control: e820 ' "$out/keel.log")
[ -n "$e820" ] && echo "bench: control: Keel said: $e820"
# Host seconds from a loop's "start" line to its result line: QEMU's own cost
# (its TLB refills walk the nested tables under Keel), not a guest figure.
loopwall() {
	awk -v s="bench: info $2 start" -v e="bench: $2-loop " '
		{ line = $0; sub(/^[^ ]* /, "", line) }
		line == s { t0 = $1 }
		index(line, e) == 1 && t0 != "" { w = sprintf("%.1f", $1 - t0); exit }
		END { print (w == "" ? "-" : w) }' "$out/$1.stamped"
}
# The LAPIC timer's interrupts during each loop, and Keel's extra instructions
# per interrupt of the Keel side (if the extra is all interrupt handling).
note() { sed -n "s/^bench: note $2 timer-irqs=\(-*[0-9]*\)\$/\1/p" "$out/$1.log" | head -n 1; }
irqline="bench: control: timer interrupts in the loops:"
for l in cpu mem; do
	nk=$(note keel $l) nb=$(note bare $l) k=$(figure keel $l-loop) b=$(figure bare $l-loop)
	per=-
	[ -n "$nk" ] && [ -n "$k" ] && [ -n "$b" ] && [ "$nk" -gt 0 ] && per=$(((k - b) / nk))
	irqline+=" $l Keel ${nk:-?} bare ${nb:-?} (Keel's extra per interrupt: $per);"
done
echo "${irqline%;}"
echo "bench: control: host seconds in the loops: cpu Keel $(loopwall keel cpu) bare $(loopwall bare cpu)," \
	"memory Keel $(loopwall keel mem) bare $(loopwall bare mem)"
echo "bench: control: host seconds per run: Keel ${wall_keel}, bare ${wall_bare} (QEMU status ${rc_keel}, ${rc_bare}); logs in $out"
echo "bench: Keel = Debian's kernel as Keel's control guest from a GRUB ISO; bare = the same kernel and initramfs from GRUB;"
echo "bench: boot to /init = TSC at /init (firmware + GRUB + [Keel +] kernel); loops = TSC ticks of tests/bench/guestbench.c's loops;"
echo "bench: the TSC counts instructions, and the virtual time skipped while the CPU halts: a TLB miss costs no instructions here"
echo "bench: targets: boot < 1.10x bare, loops <= 1.01x bare${over:+ (over:$over)}"
exit $status
