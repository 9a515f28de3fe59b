#!/bin/sh
# mkiso.sh OUT.iso KEEL.elf "CMDLINE" [MODULE "MODULE CMDLINE"]...
# Builds a GRUB rescue ISO that boots Keel by multiboot2 on BIOS and UEFI.
set -eu

out=$1
elf=$2
cmdline=$3
shift 3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/boot/grub"
cp "$elf" "$dir/boot/keel.elf"
{
	echo 'set timeout=0'
	echo 'set default=0'
	echo 'serial --unit=0 --speed=115200'
	echo 'terminal_output serial console'
	echo 'menuentry "Keel" {'
	echo "	multiboot2 /boot/keel.elf $cmdline"
	n=0
	while [ $# -ge 2 ]; do
		cp "$1" "$dir/boot/mod$n"
		echo "	module2 /boot/mod$n $2"
		n=$((n + 1))
		shift 2
	done
	echo '	boot'
	echo '}'
} >"$dir/boot/grub/grub.cfg"
grub-mkrescue -o "$out" "$dir" >/dev/null 2>&1 || {
	echo "mkiso: grub-mkrescue failed (are grub-pc-bin, grub-efi-amd64-bin, xorriso, mtools installed?)" >&2
	exit 1
}
