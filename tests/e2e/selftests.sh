#!/bin/bash
# Linux's own KVM selftests (scripts/kvm-selftests.sh builds them from Debian's
# linux-source-6.1) in Debian's kernel, against keel-kvm or kvm_amd:
#   selftests.sh qemu CPUS    under Keel (GRUB ISO, scripts/qemu-run.sh), keel-kvm.ko
#   selftests.sh bare CPUS    the same kernel and initramfs without Keel, Linux's kvm_amd
#   selftests.sh build        only builds the tests and the initramfs
# The guest's /init (tests/selftests/init) runs each test of tests/selftests/list under
# its deadline and prints "selftest: NAME pass|fail|skip|timeout SECONDS". This script
# copies those lines to BUILD/selftests/MODE-Ncpu/results, ending with "# complete"
# when the guest got through the list, and prints them; tests/selftests/table.sh
# compares the two sides. Exits nonzero when the run did not complete.
# Environment: BUILD (default build), SELFTESTS_TIMEOUT (s, the emulator's deadline;
# default: every test's deadline plus 300 s to boot), SELFTESTS_LIST (a list in the
# same form to run instead, e.g. one test while working on it).
set -u
cd "$(dirname "$0")/../.." || exit
build=${BUILD:-build}
out=$build/selftests
mem=2048
list=${SELFTESTS_LIST:-tests/selftests/list}
usage="usage: $0 qemu|bare CPUS | build"

# ---------------------------------------------------------------- build
# depends() and add_module().
# shellcheck source=scripts/modules.sh
. scripts/modules.sh

build_initramfs() {
	mkdir -p "$out"
	scripts/debian-kernel.sh "$build/debian" || return 1
	BUILD=$build scripts/kvm-selftests.sh || return 1
	gcc -std=gnu11 -static -Os -Wall -Wextra -Werror -o "$out/kvmhold" \
		tests/selftests/kvmhold.c || return 1
	scripts/build-module.sh "$out/keel-kvm.ko" || return 1
	# Linux's own KVM, loaded on the bare machine only.
	add_module kvm_amd || return 1
	printf '%s' "$order" >"$out/kvm.order"
	# The list without comments, and only the binaries it names.
	local specs=() mod_specs=() name secs args ko
	for ko in "${kos[@]}"; do
		mod_specs+=("$ko:/lib/modules/")
	done
	: >"$out/selftests.list"
	while read -r name secs args; do
		case $name in '' | '#'*) continue ;; esac
		[ -x "$build/kvm-selftests/bin/$name" ] ||
			{ echo "selftests: $name was not built" >&2; return 1; }
		echo "$name $secs $args" >>"$out/selftests.list"
		specs+=("$build/kvm-selftests/bin/$name:/selftests/")
	done <"$list"
	BUSYBOX=$build/debian/busybox scripts/mkinitramfs.sh "$out/initramfs.cpio.gz" \
		tests/selftests/init "$out/kvmhold:/bin/kvmhold" \
		"$out/keel-kvm.ko:/lib/modules/extra/" "$out/kvm.order:/lib/modules/kvm.order" \
		"$out/selftests.list:/etc/selftests.list" "${mod_specs[@]}" "${specs[@]}"
}

mode=${1:-}
case $mode in
build) build_initramfs; exit ;;
qemu | bare) ;;
*) echo "$usage" >&2; exit 2 ;;
esac
cpus=${2:?$usage}
label=$mode-${cpus}cpu

# No results of an earlier run survive a failed build for table.sh to read.
dir=$out/$label
rm -rf "$dir"
mkdir -p "$dir"
if ! build_initramfs >"$out/build.log" 2>&1; then
	sed 's/^/    | /' "$out/build.log"
	echo "selftests: $label: building the tests or the initramfs failed"
	exit 1
fi

# ---------------------------------------------------------------- boot
log=$dir/console.log
sum=$(awk '{ s += $2 } END { print s + 0 }' "$out/selftests.list")
deadline=${SELFTESTS_TIMEOUT:-$((sum + 300))}
cmdline="console=ttyS0 quiet panic=-1"
# Guest time from the instruction count (sleep=off: an idle guest skips ahead), so a
# test's deadline is a number of instructions, not a share of a busy host: with
# real time, the same test took 2 s on an idle 2-core host and more than 60 s while
# other emulators ran.
icount=${SELFTESTS_ICOUNT-"-icount shift=1,sleep=off"}
start=$(date +%s)
if [ "$mode" = qemu ]; then
	[ -f "$build/keel.elf" ] || { echo "selftests: $label: no $build/keel.elf"; exit 1; }
	scripts/mkiso.sh "$dir/selftests.iso" "$build/keel.elf" "console=com1" \
		"$build/debian/vmlinuz" "keel.control $cmdline" \
		"$out/initramfs.cpio.gz" "keel.initrd" || { echo "selftests: $label: mkiso failed"; exit 1; }
	scripts/qemu-run.sh -c "$cpus" -m $mem -t "$deadline" -l "$log" -x "-nic none $icount" \
		"$dir/selftests.iso" >/dev/null 2>"$dir/qemu.out"
	rc=$?
else
	# The outer 2>/dev/null hides bash's "Killed" when the deadline strikes.
	# shellcheck disable=SC2086
	{ timeout -s KILL "$deadline" qemu-system-x86_64 -accel tcg -machine q35 -cpu max \
		-smp "$cpus" -m $mem -display none -no-reboot -monitor none -nic none $icount \
		-serial "file:$log" -kernel "$build/debian/vmlinuz" \
		-initrd "$out/initramfs.cpio.gz" -append "$cmdline selftest.bare=1" \
		</dev/null >"$dir/qemu.out" 2>&1; } 2>/dev/null
	rc=$?
	[ $rc -eq 137 ] && rc=124
	sed -i 's/\r$//' "$log"
fi
secs=$(($(date +%s) - start))

# ---------------------------------------------------------------- results
grep -E '^selftest: [A-Za-z0-9_]+ (pass|fail|skip|timeout) [0-9.]+$' "$log" |
	sed 's/^selftest: //' >"$dir/results"
complete=0
if grep -qE '^selftests: [0-9]+ pass, [0-9]+ fail, [0-9]+ skip, [0-9]+ timeout$' "$log"; then
	complete=1
	echo "# complete" >>"$dir/results"
fi
awk -v l="$label" '!/^#/ { printf "selftests: %s %-36s %-7s %6s s\n", l, $1, $2, $3 }' "$dir/results"
summary=$(grep -m 1 -E '^selftests: [0-9]+ pass' "$log")
echo "selftests: $label ${summary#selftests: } in $secs s (QEMU status $rc)"
if [ $complete = 0 ]; then
	echo "selftests: $label did not complete (deadline ${deadline}s); console log $log, its tail:"
	tail -n 30 "$log" | sed 's/^/    | /'
	[ -s "$dir/qemu.out" ] && sed "s/^/    | /" "$dir/qemu.out"
	exit 1
fi
exit 0
