#!/bin/bash
# make coverage-keel: Keel's own line coverage over the end-to-end tiers on QEMU
# (SVM+NPT): the in-hypervisor selftests and boot cases (boot.sh), the payload
# guests (guests.sh qemu 2), the control guest with the KVM API programs and
# keelctl (control.sh qemu 1), and Debian's QEMU booting a Linux VM in it
# (control.sh qemu 2 vm). A COVERAGE=1 Keel ($BUILD/kcov/keel.elf) sends its
# counters out at each machine's end (kernel/coverage/gcov.c); each stream
# becomes .gcda files, lcov reads them, and the runs are added up. Prints each
# tier's result, then "coverage-keel: lines N% (HIT of LINES) of arch/, kernel/
# and drivers/" and where the HTML report is. The VMX backend and what only
# Bochs runs show as not run: Bochs has no port for the counters.
set -u
cd "$(dirname "$0")/../.." || exit
build=${BUILD:-build}
cov=$build/kcov
dumps=$PWD/$cov/dumps
rm -rf "$dumps" "$cov/info" "$build/coverage-keel"
mkdir -p "$dumps" "$cov/info"
gcc -std=gnu11 -O2 -Wall -Wextra -Werror -o "$cov/gcov-unpack" scripts/gcov-unpack.c || exit 1

export KEEL_COV_DIR=$dumps KEEL_ELF=$cov/keel.elf
KEEL_ELF=$cov/keel.elf BOOT_OUT=$cov/boot tests/e2e/boot.sh | tail -n 1
BUILD=$build tests/e2e/guests.sh qemu 2 | tail -n 1
BUILD=$build tests/e2e/control.sh qemu 1 | tail -n 1
BUILD=$build tests/e2e/control.sh qemu 2 vm | tail -n 1
unset KEEL_COV_DIR KEEL_ELF

# One stream, one set of .gcda files, one tracefile: lcov adds the runs up after.
# As GCC named them: from $PWD, symlinks and all.
objs=$PWD/$cov/k
runs=() lost=0
for f in "$dumps"/*.cov; do
	find "$objs" -name '*.gcda' -delete
	if ! "$cov/gcov-unpack" "$f" "$objs" >/dev/null; then
		lost=$((lost + 1))
		continue
	fi
	info=$cov/info/${#runs[@]}.info
	lcov -q --capture --directory "$objs" --base-directory . --output-file "$info" \
		--include "$PWD/arch/*" --include "$PWD/kernel/*" --include "$PWD/drivers/*" \
		2>/dev/null && runs+=(-a "$info")
done
[ ${#runs[@]} -gt 0 ] || { echo "coverage-keel: no run sent its counters"; exit 1; }
lcov -q "${runs[@]}" -o "$cov/total.info" 2>/dev/null || exit 1
genhtml -q -o "$build/coverage-keel" "$cov/total.info" >/dev/null 2>&1 || exit 1
lcov --summary "$cov/total.info" 2>&1 | sed -n 's/^ *lines\.*: *\([0-9.]*%\) (\([0-9]*\) of \([0-9]*\) lines)/\1 \2 \3/p' |
	while read -r pct hit all; do
		echo "coverage-keel: lines $pct ($hit of $all) of arch/, kernel/ and drivers/," \
			"over ${#runs[@]} machines ($lost sent no complete counters)"
	done
echo "coverage-keel: report in $build/coverage-keel/index.html"
