#!/bin/sh
# table.sh BARE_RESULTS KEEL_RESULTS [EXPECTED]
# Linux's KVM selftests side by side: the results files tests/e2e/selftests.sh wrote
# for the bare machine (kvm_amd) and under Keel (keel-kvm), one row per test:
#   NAME  kvm_amd  keel   (result and seconds)
# then how many pass on kvm_amd and how many of those on Keel, and the tier line
# "selftests: N passed, N failed" (scripts/check.sh sums it). The checks, each one
# pass or failure:
#   - each side got through its list ("# complete" at the end of its results);
#   - each test of EXPECTED (default tests/selftests/expected-keel: the tests that
#     pass on Keel today) passes on kvm_amd (else the expectation is not real KVM's)
#     and passes on Keel.
# A test that passes on both sides but is not in EXPECTED is pointed out, so the list
# grows as keel-kvm does; it is not a failure.
set -u
bare=${1:?usage: $0 BARE_RESULTS KEEL_RESULTS [EXPECTED]}
keel=${2:?usage: $0 BARE_RESULTS KEEL_RESULTS [EXPECTED]}
expected=${3:-$(dirname "$0")/expected-keel}
for f in "$bare" "$keel" "$expected"; do
	[ -r "$f" ] || { echo "selftests: no $f"; echo "selftests: 0 passed, 1 failed"; exit 1; }
done

awk -v bare="$bare" -v keel="$keel" -v expf="$expected" '
	function cell(r, s) { return r == "" ? "-" : r " " s "s" }
	FILENAME == bare && /^# complete$/ { done["bare"] = 1; next }
	FILENAME == keel && /^# complete$/ { done["keel"] = 1; next }
	/^#/ || NF == 0 { next }
	FILENAME == expf { want[$1] = 1; next }
	FILENAME == bare { if (!($1 in b)) order[n++] = $1; b[$1] = $2; bs[$1] = $3; next }
	FILENAME == keel { if (!($1 in b) && !($1 in k)) order[n++] = $1; k[$1] = $2; ks[$1] = $3; next }
	END {
		printf "%-34s %-14s %-14s\n", "NAME", "kvm_amd", "keel"
		for (i = 0; i < n; i++) {
			t = order[i]
			printf "%-34s %-14s %-14s%s\n", t, cell(b[t], bs[t]), cell(k[t], ks[t]),
				(t in want) ? "  expected" : ""
			if (b[t] == "pass") { amd++; if (k[t] == "pass") both++ }
			if (k[t] == "pass") kp++
		}
		printf "selftests: %d of %d pass on kvm_amd; %d of those pass on Keel (%d pass on Keel in all)\n",
			amd, n, both, kp
		if (done["bare"]) p++; else { f++; print "selftests: FAIL the kvm_amd run did not complete" }
		if (done["keel"]) p++; else { f++; print "selftests: FAIL the Keel run did not complete" }
		for (t in want) {
			if (b[t] != "pass") {
				f++; printf "selftests: FAIL %s is expected on Keel but is %s on kvm_amd\n", t, b[t] == "" ? "missing" : b[t]
			} else if (k[t] != "pass") {
				f++; printf "selftests: FAIL %s is expected to pass on Keel but is %s\n", t, k[t] == "" ? "missing" : k[t]
			} else
				p++
		}
		for (i = 0; i < n; i++) {
			t = order[i]
			if (b[t] == "pass" && k[t] == "pass" && !(t in want))
				printf "selftests: note %s passes on both: add it to %s\n", t, expf
			if (k[t] == "pass" && b[t] != "pass")
				printf "selftests: note %s passes on Keel but is %s on kvm_amd\n", t, b[t] == "" ? "missing" : b[t]
		}
		printf "selftests: %d passed, %d failed\n", p, f
		exit f != 0
	}' "$expected" "$bare" "$keel"
