#!/bin/bash
# A Linux VM's boot through Debian's unmodified QEMU on /dev/kvm (issue 9's
# row), Keel beside Linux KVM, in retired instructions: QEMU TCG, -cpu max
# (SVM+NPT), 1 CPU, 1024 MiB, -icount shift=0,sleep=off, so the TSC counts
# instructions (and the virtual time skipped while the CPU halts).
#   keel  Debian's kernel as Keel's control guest (a GRUB ISO), keel-kvm.ko
#   kvm   the same kernel and initramfs on the bare machine (-kernel/-initrd),
#         kvm_amd
# The initramfs is the control guest's for make run's VM (scripts/vm-image.sh:
# QEMU, its firmware, the VM's kernel and initramfs, run-vm) with
# tests/bench/vm-bench-init as /init: `run-vm -q` under guestbench, which
# counts the TSC ticks from QEMU's start to the VM's /init ("vm: init" on its
# console) and to QEMU's end (the VM's checks of its disk and NICs, its
# power-off). The VM is the one of make check's qemu_vm, with one vCPU (on one
# CPU, kvm_amd took over 600 s to boot it with two): -machine pc, SeaBIOS, 256 MiB, virtio-blk and virtio-net on QEMU's user networking (the
# control guest here has no vhost_net module, so no tap NIC).
# Prints the rows; exits 1 when a figure is missing, the VM did not pass, or a
# run passed its deadline. Environment: BUILD (default build), VM_BENCH_TIMEOUT
# (seconds per QEMU run, default 600).
set -u
cd "$(dirname "$0")/../.." || exit 1
build=${BUILD:-build}
out=$build/bench/vm
deadline=${VM_BENCH_TIMEOUT:-600}
mkdir -p "$out"

fail() { echo "bench: vm: $*" >&2; exit 1; }

# ---------------------------------------------------------------- build
scripts/debian-kernel.sh "$build/debian" || fail "no Debian kernel in $build/debian"
[ -f "$build/keel.elf" ] || fail "no $build/keel.elf"
# depends() and add_module() fill $order and $kos.
# shellcheck source=scripts/modules.sh
. scripts/modules.sh
add_module kvm_amd || fail "no kvm_amd module"
printf '%s' "$order" >"$out/kvm.order"
mod_specs=()
for ko in "${kos[@]}"; do
	mod_specs+=("$ko:/lib/modules/")
done
seen=() order="" kos=()
for m in virtio_pci virtio_blk virtio_net; do
	add_module "$m" || fail "no $m module"
done
BUILD=$build scripts/vm-image.sh "$out/image" "${kos[@]}" >"$out/specs" || fail "vm-image failed"
mapfile -t vm_specs <"$out/specs"
BUILD=$build scripts/build-module.sh "$out/keel-kvm.ko" >"$out/module.log" 2>&1 ||
	{ cat "$out/module.log" >&2; fail "keel-kvm.ko does not build"; }
gcc -std=gnu11 -static -O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wundef -Wvla -Wpointer-arith -Wwrite-strings -Wformat=2 \
	-Wimplicit-fallthrough -Wno-unused-parameter \
	-o "$out/guestbench" tests/bench/guestbench.c || fail "guestbench does not build"
gcc -std=gnu11 -static -Os -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wundef -Wvla -Wpointer-arith -Wwrite-strings -Wformat=2 \
	-Wimplicit-fallthrough -Wno-unused-parameter -Iguest-abi \
	-o "$out/keelctl" control-guest/keelctl/keelctl.c || fail "keelctl does not build"
BUSYBOX=$build/debian/busybox scripts/mkinitramfs.sh "$out/initramfs.cpio.gz" \
	tests/bench/vm-bench-init "$out/guestbench:/bin/guestbench" "$out/keelctl:/bin/keelctl" \
	"$out/keel-kvm.ko:/lib/modules/extra/" "$out/kvm.order:/lib/modules/kvm.order" \
	"${mod_specs[@]}" "${vm_specs[@]}" || fail "mkinitramfs failed"
cmdline="console=ttyS0 quiet panic=-1"
scripts/mkiso.sh "$out/keel.iso" "$build/keel.elf" "console=com1" \
	"$build/debian/vmlinuz" "keel.control $cmdline vmbench.hv=keel" \
	"$out/initramfs.cpio.gz" "keel.initrd" || fail "mkiso failed"

# ---------------------------------------------------------------- runs
# run SIDE BOOT...: one QEMU run, its console in $out/SIDE.log; sets rc_SIDE
# and wall_SIDE.
status=0
run() {
	local side=$1 start rc
	shift
	start=$(date +%s)
	# The outer 2>/dev/null hides bash's "Killed" when the deadline strikes.
	# shellcheck disable=SC2054	# QEMU's own commas
	{ timeout -s KILL "$deadline" qemu-system-x86_64 -accel tcg -machine q35 -cpu max \
		-icount shift=0,sleep=off -m 1024 -smp 1 -display none -monitor none -no-reboot \
		-nic none -device isa-debug-exit,iobase=0xf4,iosize=0x01 \
		-serial "file:$out/$side.log" "$@" </dev/null >"$out/$side.qemu" 2>&1; } 2>/dev/null
	rc=$?
	sed -i 's/\r$//' "$out/$side.log"
	printf -v "rc_$side" '%s' "$rc"
	printf -v "wall_$side" '%s' "$(($(date +%s) - start))"
	[ -s "$out/$side.qemu" ] && sed "s/^/bench: vm: $side: qemu: /" "$out/$side.qemu" >&2
	[ "$rc" = 137 ] && echo "bench: vm: $side: deadline of ${deadline}s passed" >&2
	if ! grep -q '^init: vm exit 0$' "$out/$side.log" || ! grep -q 'vm: PASS' "$out/$side.log"; then
		echo "bench: vm: $side: the VM did not pass (QEMU status $rc); the log's tail:" >&2
		tail -n 20 "$out/$side.log" | sed 's/^/    | /' >&2
		status=1
	fi
}
run keel -cdrom "$out/keel.iso" -boot d
run kvm -kernel "$build/debian/vmlinuz" -initrd "$out/initramfs.cpio.gz" -append "$cmdline"

# figure SIDE NAME: the number of the run's "bench: NAME N" line.
figure() { sed -n "s/^bench: $2 \([0-9][0-9]*\)\$/\1/p" "$out/$1.log" | head -n 1; }
echo "bench: a Linux VM booted by QEMU on /dev/kvm, instructions (-icount shift=0,sleep=off, 1 CPU)"
printf 'bench: %-36s %12s %12s %8s\n' "operation" "Keel" "Linux KVM" "ratio"
over=""
for row in "vm-init:QEMU start to the VM's /init" "vm-exit:QEMU start to its end"; do
	IFS=: read -r name label <<<"$row"
	k=$(figure keel "$name") v=$(figure kvm "$name") ratio=-
	if [ -n "$k" ] && [ -n "$v" ]; then
		ratio=$(awk -v a="$k" -v b="$v" 'BEGIN { printf "%.3f", a / b }')
		[ "$name" = vm-init ] && awk -v r="$ratio" 'BEGIN { exit !(r > 1.0) }' && over=" (over)"
	else
		status=1
	fi
	printf 'bench: %-36s %12s %12s %8s\n' "$label" "${k:-missing}" "${v:-missing}" "$ratio"
done
# For insight, where the boot's time goes: the TSC at the first console line of
# SeaBIOS, QEMU's own start before it (the VMM's ioctls, its process).
stamp() { sed -n "s/^vm-tsc \([0-9]*\) .*$2.*/\1/p" "$out/$1.log" | head -n 1; }
row() {
	local ratio=-
	[ -n "$2" ] && [ -n "$3" ] && ratio=$(awk -v a="$2" -v b="$3" 'BEGIN { printf "%.3f", a / b }')
	printf 'bench: %-36s %12s %12s %8s\n' "$1" "${2:-missing}" "${3:-missing}" "$ratio"
}
ks=$(stamp keel SeaBIOS) vs=$(stamp kvm SeaBIOS) ki=$(figure keel vm-init) vi=$(figure kvm vm-init)
if [ -n "$ks" ] && [ -n "$vs" ] && [ -n "$ki" ] && [ -n "$vi" ]; then
	row "  QEMU's start (to SeaBIOS)" "$ks" "$vs"
	row "  SeaBIOS, the VM's kernel to /init" "$((ki - ks))" "$((vi - vs))"
fi
echo "bench: vm: QEMU -machine pc, SeaBIOS, 1 vCPU, 256 MiB, virtio-blk, virtio-net (user); Debian's kernel in the VM;"
echo "bench: vm: host seconds per run: Keel ${wall_keel:-?}, Linux KVM ${wall_kvm:-?} (QEMU status ${rc_keel:-?}, ${rc_kvm:-?}); logs in $out"
echo "bench: vm: target: boot to /init <= 1.0x Linux KVM$over"
exit $status
