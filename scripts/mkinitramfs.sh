#!/bin/sh
# mkinitramfs.sh OUT.cpio.gz INIT_SCRIPT [SRC:DEST ...]
# Builds a gzip'd newc initramfs: a static busybox at /bin/busybox with a
# symlink for each of its applets (at the path `busybox --list-full` gives),
# INIT_SCRIPT as /init, and each SRC copied to DEST (an absolute path in the
# image; a DEST ending in / keeps SRC's file name). Files keep their modes;
# everything is owned by root. BUSYBOX names the busybox binary
# (default build/debian/busybox, from scripts/debian-kernel.sh).
set -eu

out=${1:?usage: $0 OUT.cpio.gz INIT_SCRIPT [SRC:DEST ...]}
init=${2:?usage: $0 OUT.cpio.gz INIT_SCRIPT [SRC:DEST ...]}
shift 2
busybox=${BUSYBOX:-build/debian/busybox}
[ -x "$busybox" ] || { echo "mkinitramfs: no busybox at $busybox" >&2; exit 1; }
if ! command -v cpio >/dev/null; then
	echo "mkinitramfs: installing cpio" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cpio >/dev/null
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/sbin" "$stage/usr/bin" "$stage/usr/sbin" \
	"$stage/dev" "$stage/proc" "$stage/sys" "$stage/tmp" "$stage/root"
cp "$busybox" "$stage/bin/busybox"
for applet in $("$busybox" --list-full); do
	[ -e "$stage/$applet" ] || ln -s /bin/busybox "$stage/$applet"
done
cp "$init" "$stage/init"
chmod 755 "$stage/init"

for spec in "$@"; do
	src=${spec%%:*} dst=${spec#*:}
	case $dst in
	/*) ;;
	*) echo "mkinitramfs: $spec: DEST must be absolute" >&2; exit 1 ;;
	esac
	case $dst in */) dst=$dst$(basename "$src") ;; esac
	mkdir -p "$stage$(dirname "$dst")"
	cp "$src" "$stage$dst"
done

# Sorted names and fixed owners keep the archive reproducible.
out_abs=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
(cd "$stage" && find . | LC_ALL=C sort |
	cpio -o -H newc -R 0:0 --reproducible --quiet) | gzip -9n >"$out_abs.tmp"
mv "$out_abs.tmp" "$out_abs"
