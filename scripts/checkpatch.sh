#!/bin/sh
# checkpatch.sh FILE...: Linux's scripts/checkpatch.pl --strict on the control
# guest's module sources. checkpatch.pl comes from Debian's linux-source-6.1
# (apt-get download, unpacked into build/linux-source once; nothing installed).
set -eu
cd "$(dirname "$0")/.."
build=${BUILD:-build}
dest=$build/linux-source
script=$dest/linux-source-6.1/scripts/checkpatch.pl
if [ ! -s "$script" ]; then
	mkdir -p "$dest/deb"
	(cd "$dest/deb" && { apt-get download -q linux-source-6.1 >/dev/null 2>&1 ||
		{ apt-get update -qq && apt-get download -q linux-source-6.1 >/dev/null; }; })
	dpkg-deb -x "$dest"/deb/linux-source-6.1_*.deb "$dest/deb/x"
	tar -C "$dest" -xJf "$dest"/deb/x/usr/src/linux-source-6.1.tar.xz \
		linux-source-6.1/scripts/checkpatch.pl linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch
	rm -rf "$dest/deb"
fi
perl "$script" --no-tree --strict --terse -f "$@"
