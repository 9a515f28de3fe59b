#!/bin/bash
# kvm-stat-image.sh OUTDIR: prints, one per line, the SRC:DEST specs of
# scripts/mkinitramfs.sh that put Linux's own kvm_stat (tools/kvm/kvm_stat from
# Debian's linux-source-6.1, unmodified) into the control guest's image, with
# Debian's python3.11 (the host's /usr/bin/python3.11, scripts/deps.sh), the
# shared libraries ldd names, and the standard-library modules kvm_stat imports
# (found by running it on the host: its imports all come first, before its
# --help or its look for debugfs, which ends it on a host without kvm), as
# /usr/bin/kvm_stat. Run it as
# `python3 -S /usr/bin/kvm_stat`: without site, which needs more of the library.
# The script comes from scripts/kvm-selftests.sh's tree when that was built, else
# from a download of linux-source-6.1 of which only kvm_stat is unpacked.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: $0 OUTDIR}
build=${BUILD:-build}
py=/usr/bin/python3.11
[ -x $py ] || { echo "kvm-stat-image: no $py (python3, scripts/deps.sh)" >&2; exit 1; }
mkdir -p "$out"

tree=$build/kvm-selftests/linux-source-6.1/tools/kvm/kvm_stat/kvm_stat
if [ -s "$tree" ]; then
	cp "$tree" "$out/kvm_stat"
elif [ ! -s "$out/kvm_stat" ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && { apt-get download -q linux-source-6.1 >/dev/null 2>&1 ||
		{ apt-get update -qq && apt-get download -q linux-source-6.1 >/dev/null; }; })
	dpkg-deb --fsys-tarfile "$tmp"/linux-source-6.1_*.deb |
		tar -xO ./usr/src/linux-source-6.1.tar.xz |
		tar -xJO linux-source-6.1/tools/kvm/kvm_stat/kvm_stat >"$out/kvm_stat"
fi
chmod 755 "$out/kvm_stat"
echo "$out/kvm_stat:/usr/bin/kvm_stat"

# A binary or module and every library the dynamic loader gives it, at the same paths.
with_libs() {
	echo "$1:$1"
	ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
		while read -r lib; do echo "$lib:$lib"; done
}
with_libs $py
echo "$py:/usr/bin/python3"
$py -S -c '
import contextlib, io, runpy, sys
path = sys.argv[1]
sys.argv = [path, "--help"]
with contextlib.redirect_stdout(io.StringIO()):
    try:
        runpy.run_path(path, run_name="__main__")
    except SystemExit:
        pass
for m in list(sys.modules.values()):
    f = getattr(m, "__file__", None)
    if f:
        print(f)
' "$out/kvm_stat" 2>/dev/null | sort -u | while read -r f; do
	case $f in
	*.so) with_libs "$f" ;;
	*) echo "$f:$f" ;;
	esac
done | sort -u
