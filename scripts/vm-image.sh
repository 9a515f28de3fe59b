#!/bin/bash
# vm-image.sh OUTDIR [KO...]
# What the control guest needs to boot a small Linux VM with Debian's own,
# unmodified QEMU on /dev/kvm (without KO: QEMU, its libraries and firmware
# only, for the multiboot guest tests/guests/pcirq.c that Bochs runs):
#   - builds OUTDIR/initramfs.cpio.gz, the VM's initramfs: busybox,
#     tests/control/vm-init as /init, and the modules KO... (given in load
#     order, e.g. virtio_pci, virtio_blk, virtio_net and what they depend on);
#   - prints, one per line, the SRC:DEST specs of scripts/mkinitramfs.sh that
#     put into the control guest's image: qemu-system-x86_64 (the host's, from
#     qemu-system-x86) with the shared libraries ldd names, the firmware it
#     loads for -machine pc and q35 (and OVMF for q35 from pflash), the VM's
#     kernel (Debian's, the control guest's own) and initramfs under /vm,
#     /bin/run-vm and the /etc/qemu-ifup its tap device needs.
# VM_STRACE=1 adds the host's strace (and its libraries) to see where QEMU stops.
# Environment: BUILD (default build), BUSYBOX (default $BUILD/debian/busybox).
set -eu
cd "$(dirname "$0")/.."
out=${1:?usage: $0 OUTDIR [KO...]}
shift
build=${BUILD:-build}
qemu=/usr/bin/qemu-system-x86_64
[ -x $qemu ] || { echo "vm-image: no $qemu (qemu-system-x86, scripts/deps.sh)" >&2; exit 1; }

linux_vm=$(($# > 0))
mkdir -p "$out"
if [ $linux_vm = 1 ]; then
	printf '%s\n' "$@" | xargs -n 1 basename | sed 's/\.ko$//' >"$out/modules.order"
	mod_specs=()
	for ko in "$@"; do
		mod_specs+=("$ko:/lib/modules/")
	done
	BUSYBOX=${BUSYBOX:-$build/debian/busybox} scripts/mkinitramfs.sh "$out/initramfs.cpio.gz" \
		tests/control/vm-init "$out/modules.order:/lib/modules/order" \
		tests/control/udhcpc.script:/etc/udhcpc.script "${mod_specs[@]}" >&2
fi

# A binary and every library the dynamic loader gives it, at the same paths
# (cp follows the symlinks ldd names, e.g. /lib64/ld-linux-x86-64.so.2).
with_libs() {
	echo "$1:$1"
	ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
		while read -r lib; do echo "$lib:$lib"; done
}
with_libs $qemu
if [ "${VM_STRACE:-0}" = 1 ]; then
	command -v strace >/dev/null || { echo "vm-image: VM_STRACE=1 but no strace here" >&2; exit 1; }
	with_libs "$(command -v strace)"
fi

# Firmware and option ROMs QEMU opens (strace) for the VM run-vm starts:
# SeaBIOS, the standard VGA's BIOS, the ROMs that load -kernel over fw_cfg
# DMA (Linux's and multiboot's), the TPR patching ROM QEMU adds on KVM, and
# virtio-net's iPXE ROM. QEMU
# looks for them in the directories `-L help` lists (relative to its binary:
# /usr/bin/../share/qemu, ../share/seabios, ../lib/ipxe/qemu); each goes where
# the host's QEMU found it.
dirs=$($qemu -L help | xargs -n 1 realpath -m)
for f in bios-256k.bin vgabios-stdvga.bin linuxboot_dma.bin multiboot_dma.bin kvmvapic.bin \
	efi-virtio.rom; do
	found=""
	for d in $dirs; do
		[ -e "$d/$f" ] && { found=$d/$f; break; }
	done
	[ -n "$found" ] || { echo "vm-image: QEMU's $f is in none of: ${dirs//$'\n'/ }" >&2; exit 1; }
	echo "$(realpath "$found"):$found"
done
[ $linux_vm = 1 ] || exit 0
# UEFI for run-vm -uefi (the ovmf package): q35 with the code read-only in
# pflash, the variable store a copy run-vm makes.
for f in OVMF_CODE.fd OVMF_VARS.fd; do
	[ -e "/usr/share/OVMF/$f" ] || { echo "vm-image: no /usr/share/OVMF/$f (ovmf)" >&2; exit 1; }
	echo "/usr/share/OVMF/$f:/usr/share/OVMF/$f"
done

echo "$build/debian/vmlinuz:/vm/vmlinuz"
echo "$out/initramfs.cpio.gz:/vm/initramfs.cpio.gz"
echo "tests/control/run-vm:/bin/run-vm"
echo "tests/control/qemu-ifup:/etc/qemu-ifup"
