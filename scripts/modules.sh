# shellcheck shell=bash disable=SC2154	# build and out: the sourcing script sets them
# Sourced by tests/e2e/control.sh and selftests.sh: Debian's kernel modules
# (BUILD/debian/modules, from scripts/debian-kernel.sh) in load order, found
# without modules.dep or modinfo on the host. Needs $build and $out set;
# fills $order (module names, one a line) and $kos (their files).

# The module's depends= field, from its .modinfo section.
depends() {
	objcopy -O binary --only-section=.modinfo "$1" "$out/modinfo.$$" || return 1
	tr '\0' '\n' <"$out/modinfo.$$" | sed -n 's/^depends=//p' | tr ',' ' '
	rm -f "$out/modinfo.$$"
}

# add_module NAME: NAME's dependencies, then NAME, unless already added.
declare -A seen=()
order="" kos=()
add_module() {
	local m=$1 ko dep
	[ -n "${seen[$m]:-}" ] && return 0
	seen[$m]=1
	ko=$(find "$build/debian/modules/kernel" \( -name "$m.ko" -o -name "${m//_/-}.ko" \) | head -n 1)
	[ -n "$ko" ] || { echo "modules: no module $m in $build/debian/modules" >&2; return 1; }
	for dep in $(depends "$ko"); do
		add_module "$dep" || return 1
	done
	order+="$(basename "$ko" .ko)"$'\n'
	kos+=("$ko")
}
