#!/bin/sh
# Runs each host unit-test binary given and prints the suite totals as
# "N passed, N failed"; exits nonzero if any suite failed.
passed=0
failed=0
status=0
for t in "$@"; do
	out=$("$t" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -v ' passed, .* failed$' >&2
	line=$(printf '%s\n' "$out" | grep ' passed, .* failed$' | tail -n 1)
	p=$(printf '%s' "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed/\1/p')
	f=$(printf '%s' "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed/\2/p')
	echo "unit: $line"
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ $rc -ne 0 ] || [ -z "$line" ]; then
		status=1
		[ -z "$line" ] && failed=$((failed + 1)) && echo "unit: $t crashed (rc=$rc)"
	fi
done
echo "unit: $passed passed, $failed failed"
exit $status
