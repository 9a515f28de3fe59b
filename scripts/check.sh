#!/bin/bash
# make check: every test tier in turn; each prints "TIER: N passed, N failed" and this
# ends with the sum as "check: N passed, N failed". Stops at the first tier that fails.
set -uo pipefail
cd "$(dirname "$0")/.."
make=${MAKE:-make}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for tier in unit check-decoder build check-module check-boot check-guests check-control check-selftests check-debug; do
	target=$tier
	[ "$tier" = build ] && target=all
	if ! $make --no-print-directory "$target" 2>&1 | tee -a "$log"; then
		echo "check: tier $tier failed"
		exit 1
	fi
done
# Tier totals only (unit suites and PASS lines are counted inside them); the decoder's
# comparison with capstone counts as one test, not as its 1.3 million cases.
awk '/^(unit|module|boot|guests|sched|control|selftests|debug): [0-9]+ passed, [0-9]+ failed$/ { p += $2; f += $4 }
	/^decode-vs-capstone: [0-9]+ passed, [0-9]+ failed$/ { if ($4 == 0) p++; else f++ }
	END { printf "check: %d passed, %d failed\n", p, f; exit f != 0 }' "$log"
