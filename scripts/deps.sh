#!/bin/sh
# Installs the Debian packages Keel's build, tests and runners need, when any
# is missing. Safe to run again: it does nothing once all are there.
set -eu

PACKAGES="gcc make binutils libc6-dev qemu-system-x86 qemu-utils ovmf seabios \
grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools \
bochs bochsbios vgabios bochs-term lcov libcapstone-dev clang libclang-rt-14-dev cpio procps libc6-i386 \
python3 xz-utils"

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "deps: installing$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
