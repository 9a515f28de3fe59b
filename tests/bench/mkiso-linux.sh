#!/bin/sh
# mkiso-linux.sh OUT.iso VMLINUZ INITRD "KERNEL CMDLINE"
# The bare side of tests/bench/control-bench.sh: a GRUB rescue ISO that boots
# a Linux kernel and initramfs directly (GRUB's linux/initrd commands), with
# the same GRUB settings as scripts/mkiso.sh uses for Keel, so that firmware
# and loader are the same on both sides of the comparison.
set -eu

out=$1
kernel=$2
initrd=$3
cmdline=$4
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/boot/grub"
cp "$kernel" "$dir/boot/vmlinuz"
cp "$initrd" "$dir/boot/initrd"
{
	echo 'set timeout=0'
	echo 'set default=0'
	echo 'serial --unit=0 --speed=115200'
	echo 'terminal_output serial console'
	echo 'menuentry "Linux" {'
	echo "	linux /boot/vmlinuz $cmdline"
	echo '	initrd /boot/initrd'
	echo '	boot'
	echo '}'
} >"$dir/boot/grub/grub.cfg"
grub-mkrescue -o "$out" "$dir" >/dev/null 2>&1 || {
	echo "mkiso-linux: grub-mkrescue failed (are grub-pc-bin, grub-efi-amd64-bin, xorriso, mtools installed?)" >&2
	exit 1
}
