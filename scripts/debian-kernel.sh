#!/bin/sh
# debian-kernel.sh DESTDIR
# Fetches Debian's stock kernel (the linux-image-6.1.0-N-amd64 that
# linux-image-amd64 depends on) and busybox-static with `apt-get download`
# and unpacks them with `dpkg-deb -x`: nothing is installed on the host.
# Leaves:
#   DESTDIR/vmlinuz        the kernel
#   DESTDIR/modules/       its /lib/modules/VERSION tree (kvm.ko and friends)
#   DESTDIR/busybox        a static busybox
#   DESTDIR/version        the kernel release, e.g. 6.1.0-56-amd64
# Safe to run again: it does nothing once all of these are there.
# DEBIAN_KERNEL_PKG=linux-image-6.1.0-N-amd64 pins another kernel package.
set -eu

dest=${1:?usage: $0 DESTDIR}
[ -s "$dest/vmlinuz" ] && [ -x "$dest/busybox" ] && [ -s "$dest/version" ] &&
	[ -d "$dest/modules/kernel/arch/x86/kvm" ] && exit 0

mkdir -p "$dest/debs" "$dest/root"
dest=$(cd "$dest" && pwd)
export DEBIAN_FRONTEND=noninteractive

# apt-get download PKG into $dest/debs; refreshes the package lists once if
# the package (or the version the lists name) cannot be found.
fetch() {
	(cd "$dest/debs" && apt-get download -q "$1" >/dev/null 2>&1) && return 0
	echo "debian-kernel: apt-get update" >&2
	apt-get update -qq
	(cd "$dest/debs" && apt-get download -q "$1" >/dev/null)
}

# The kernel package the meta-package points at (candidate version only).
depends() {
	apt-cache show --no-all-versions linux-image-amd64 2>/dev/null |
		sed -n 's/^Depends:.*\(linux-image-[0-9][^ ,]*-amd64\).*/\1/p'
}
pkg=${DEBIAN_KERNEL_PKG:-$(depends)}
[ -n "$pkg" ] || { apt-get update -qq; pkg=$(depends); }
[ -n "$pkg" ] || { echo "debian-kernel: no linux-image-amd64 in apt" >&2; exit 1; }

echo "debian-kernel: fetching $pkg and busybox-static into $dest" >&2
fetch "$pkg"
fetch busybox-static
for deb in "$dest"/debs/"$pkg"_*.deb "$dest"/debs/busybox-static_*.deb; do
	dpkg-deb -x "$deb" "$dest/root"
done

rm -f "$dest"/debs/*.deb	# unpacked: no need to keep them
release=${pkg#linux-image-}
[ -f "$dest/root/boot/vmlinuz-$release" ] ||
	{ echo "debian-kernel: $pkg has no vmlinuz-$release" >&2; exit 1; }
cp "$dest/root/boot/vmlinuz-$release" "$dest/vmlinuz"
cp "$dest/root/bin/busybox" "$dest/busybox"
rm -f "$dest/modules"
ln -s "root/lib/modules/$release" "$dest/modules"
echo "$release" >"$dest/version"
echo "debian-kernel: $release ready" >&2
