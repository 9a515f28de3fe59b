#!/bin/sh
# build-module.sh OUT.ko: builds control-guest/keel-kvm out of tree with Kbuild
# against the headers of exactly the Debian kernel the tests boot
# (build/debian/version), installing linux-headers-VERSION (and with it the
# compiler Debian built that kernel with) from apt when missing. The sources
# are copied to build/module so the tree stays clean.
set -eu
cd "$(dirname "$0")/.."
out=${1:?usage: $0 OUT.ko}
build=${BUILD:-build}
scripts/debian-kernel.sh "$build/debian"
version=$(cat "$build/debian/version")
headers=/usr/src/linux-headers-$version
if [ ! -d "$headers" ]; then
	echo "build-module: installing linux-headers-$version"
	SUDO=""
	[ "$(id -u)" -ne 0 ] && SUDO=sudo
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get install -y -qq --no-install-recommends "linux-headers-$version" >/dev/null ||
		{ $SUDO apt-get update -qq &&
		  $SUDO apt-get install -y -qq --no-install-recommends "linux-headers-$version" >/dev/null; }
fi
src=$build/module/keel-kvm
rm -rf "$src"
mkdir -p "$src"
cp control-guest/keel-kvm/Kbuild control-guest/keel-kvm/*.[ch] "$src/"
make -s -C "$headers" M="$(cd "$src" && pwd)" KEEL_GUEST_ABI="$(pwd)/guest-abi" W=1 modules
cp "$src/keel-kvm.ko" "$out"
