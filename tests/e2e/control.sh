#!/bin/bash
# Debian's stock kernel as Keel's control guest: boots it with a test initramfs
# (tests/control/init) and judges the guest's "control: PASS/FAIL NAME" lines.
#   control.sh qemu CPUS [disk] [net|e1000]   under Keel: GRUB ISO, scripts/qemu-run.sh
#   control.sh bochs CPUS [sched] [qemu-mb]   under Keel on Bochs (VMX+EPT), no devices
#   control.sh bare CPUS [disk] [net|e1000]   the same kernel and initramfs, no Keel
#                                             (-kernel/-initrd; hypervisor, keel skipped)
#   control.sh build [vm]                     only builds keelinfo and the initramfs
# disk adds a 16 MiB virtio-blk disk, net a virtio-net NIC, e1000 an e1000 NIC
# (QEMU user networking), iommu an Intel IOMMU whose DMAR table the guest must not
# see, uefi boots GRUB on OVMF instead of SeaBIOS. The guest powers the machine off, unless: reboot (the guest resets the
# machine), crash (a triple fault, which Keel must report and end the machine
# after, keel.on_control_crash=halt), crash-reset (the same, Keel resets it).
# sched: Keel schedules /dev/kvm's vCPUs beside a control guest of one vCPU
# (check sched; CPUS >= 3; on the bare machine kvmspin runs on kvm_amd); the other
# checks' /dev/kvm vCPUs then run queued on Keel's VM CPUs too (on Bochs, VMX's).
# vm puts Debian's QEMU and a small Linux VM into the image
# (build/control/initramfs-vm.cpio.gz, scripts/vm-image.sh) and adds the check
# qemu_vm: unmodified qemu-system-x86_64 -accel kvm boots that VM in the guest;
# and Linux's kvm_stat with python3 (scripts/kvm-stat-image.sh) for the check
# kvm_stat: it reads a VM's exits from /sys/kernel/debug/kvm. qemu-mb puts QEMU
# alone into the image (initramfs-mb.cpio.gz; vm's has it too) with the multiboot
# guest tests/guests/pcirq.c (make guests), and adds the check qemu_mb: QEMU runs
# that guest with its in-kernel irqchip and PIT.
# Prints "control: PASS|FAIL CONFIG NAME" per check and
# ends with "control: N passed, N failed" (read by scripts/check.sh).
# Environment: BUILD (default build), KEEL_ELF (default $BUILD/keel.elf),
# CONTROL_TIMEOUT (s, default 300), VM_ARGS
# (QEMU arguments qemu_vm adds, e.g. "-machine kernel_irqchip=off"; no spaces
# within one), VM_STRACE=1 (strace in the vm image, scripts/vm-image.sh).
set -u
cd "$(dirname "$0")/../.." || exit
build=${BUILD:-build}
elf=${KEEL_ELF:-$build/keel.elf}
out=$build/control
deadline=${CONTROL_TIMEOUT:-300}
mem=1024
usage="usage: $0 qemu|bochs|bare CPUS [disk] [net|e1000] [iommu] [uefi] [vm] [qemu-mb] [sched] [reboot|crash|crash-reset] | build [vm]"

# ---------------------------------------------------------------- build
# depends() and add_module().
# shellcheck source=scripts/modules.sh
. scripts/modules.sh

build_initramfs() {
	local cflags=(-std=gnu11 -static -Os -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
		      -Wmissing-prototypes -Wundef -Wvla -Wpointer-arith -Wwrite-strings -Wformat=2
		      -Wimplicit-fallthrough)

	mkdir -p "$out"
	scripts/debian-kernel.sh "$build/debian" || return 1
	gcc "${cflags[@]}" -Wno-unused-parameter -Iguest-abi \
		-o "$out/keelinfo" tests/control/keelinfo.c || return 1
	gcc "${cflags[@]}" -o "$out/kvmapi" tests/control/kvmapi.c || return 1
	gcc "${cflags[@]}" -o "$out/kvmcycle" tests/control/kvmcycle.c || return 1
	gcc "${cflags[@]}" -o "$out/kvmrun" tests/control/kvmrun.c \
		tests/control/kvmrun-guests.S || return 1
	gcc "${cflags[@]}" -o "$out/kvmouts" tests/control/kvmouts.c || return 1
	gcc "${cflags[@]}" -pthread -o "$out/kvmspin" tests/control/kvmspin.c || return 1
	gcc "${cflags[@]}" -o "$out/ymmcheck" tests/control/ymmcheck.c || return 1
	gcc "${cflags[@]}" -Wno-unused-parameter -Iguest-abi \
		-o "$out/keelctl" control-guest/keelctl/keelctl.c || return 1
	scripts/build-module.sh "$out/keel-kvm.ko" || return 1
	# Debian builds virtio and e1000 as modules; the VM's vhost-net NIC needs
	# tun and vhost_net.
	local m mods="virtio_pci virtio_blk virtio_net e1000"
	[ $vm = 1 ] && mods+=" tun vhost_net"
	for m in $mods; do
		add_module "$m" || return 1
	done
	printf '%s' "$order" >"$out/modules.order"
	# Linux's own KVM, loaded only on the bare machine: the conformance
	# program's expectations are checked against it there.
	order=""
	add_module kvm_amd || return 1
	printf '%s' "$order" >"$out/kvm.order"
	local mod_specs=() vm_specs=() ko
	for ko in "${kos[@]}"; do
		mod_specs+=("$ko:/lib/modules/")
	done
	if [ $vm = 1 ]; then
		# The VM runs the same kernel; its disk and NIC are virtio.
		seen=() order="" kos=()
		for m in virtio_pci virtio_blk virtio_net; do
			add_module "$m" || return 1
		done
		mkdir -p "$out/vm"
		BUILD=$build VM_STRACE=${VM_STRACE:-0} scripts/vm-image.sh "$out/vm" "${kos[@]}" \
			>"$out/vm/specs" || return 1
		BUILD=$build scripts/kvm-stat-image.sh "$out/kvm-stat" >>"$out/vm/specs" || return 1
		mapfile -t vm_specs <"$out/vm/specs"
	elif [ $mb = 1 ]; then
		# QEMU alone, for the multiboot guest.
		BUILD=$build scripts/vm-image.sh "$out/mb" >"$out/mb.specs" || return 1
		mapfile -t vm_specs <"$out/mb.specs"
	fi
	if [ $vm = 1 ] || [ $mb = 1 ]; then
		[ -f "$build/guests/pcirq.elf" ] || { echo "no $build/guests/pcirq.elf (make guests)"; return 1; }
		vm_specs+=("$build/guests/pcirq.elf:/guests/pcirq.elf")
	fi
	BUSYBOX=$build/debian/busybox scripts/mkinitramfs.sh "$initramfs" \
		tests/control/init "$out/keelinfo:/bin/keelinfo" "$out/kvmapi:/bin/kvmapi" \
		"$out/kvmcycle:/bin/kvmcycle" "$out/kvmrun:/bin/kvmrun" \
		"$out/kvmouts:/bin/kvmouts" "$out/kvmspin:/bin/kvmspin" "$out/ymmcheck:/bin/ymmcheck" \
		"$out/keelctl:/bin/keelctl" \
		"$out/keel-kvm.ko:/lib/modules/extra/" "$out/kvm.order:/lib/modules/kvm.order" \
		tests/control/udhcpc.script:/etc/udhcpc.script \
		"$out/modules.order:/lib/modules/order" "${mod_specs[@]}" "${vm_specs[@]}"
}

mode=${1:-}
vm=0 mb=0
case $mode in
build)
	case $#:${2:-} in
	1:) ;;
	2:vm) vm=1 ;;
	*) echo "$usage" >&2; exit 2 ;;
	esac
	initramfs=$out/initramfs$([ $vm = 1 ] && echo -vm).cpio.gz
	build_initramfs
	exit ;;
qemu | bochs | bare) ;;
*) echo "$usage" >&2; exit 2 ;;
esac
cpus=${2:?$usage}
shift 2
disk=0 nic="" iommu=0 uefi="" ending=poweroff label=$mode-${cpus}cpu sched=0
for opt in "$@"; do
	label+=-$opt
	case $opt in
	disk) disk=1 ;;
	net) nic=virtio-net-pci ;;
	e1000) nic=e1000 ;;
	iommu) iommu=1 ;;
	uefi) uefi=-u ;;
	vm) vm=1 ;;
	qemu-mb) mb=1 ;;
	sched) sched=1 ;;
	reboot | crash | crash-reset) ending=$opt ;;
	*) echo "$usage" >&2; exit 2 ;;
	esac
done
initramfs=$out/initramfs$([ $vm = 1 ] && echo -vm || { [ $mb = 1 ] && echo -mb; }).cpio.gz
[ "$mode" = bochs ] && [ $# -gt $((sched + mb)) ] &&
	{ echo "control: Bochs has no virtio or e1000 here" >&2; exit 2; }

passed=0 failed=0
pass() { echo "control: PASS $label $1"; passed=$((passed + 1)); }
fail() { echo "control: FAIL $label $1${2:+: $2}"; failed=$((failed + 1)); }
finish() { echo "control: $passed passed, $failed failed"; [ $failed -eq 0 ]; exit; }

mkdir -p "$out"
if ! build_initramfs >"$out/build.log" 2>&1; then
	sed 's/^/    | /' "$out/build.log"
	fail build "keelinfo, kvmapi, kvmrun, keel-kvm.ko, the VM or the initramfs"
	finish
fi

# ---------------------------------------------------------------- boot
dir=$out/$label
rm -rf "$dir"
mkdir -p "$dir"
log=$dir/console.log
cmdline="console=ttyS0 quiet panic=-1 keeltest.cpus=$cpus"
extra=""
if [ $disk = 1 ]; then
	truncate -s 16M "$dir/disk.img"
	cmdline+=" keeltest.disk=1"
	extra+=" -drive file=$dir/disk.img,if=virtio,format=raw"
fi
keel_cmdline="console=com1"
# Bochs 2.7 (Debian 12's) has XSAVEC write AVX state at offset 416, over the
# XSAVE header, instead of 576 (fixed in Bochs 2.8, e54048c): a Linux that
# uses XSAVEC (it has no XSAVES) then has XRSTOR refuse a saved task's state and
# zero its registers (docs/architecture.md, "Known problems").
[ "$mode" = bochs ] && cmdline+=" clearcpuid=xsavec"
# Under QEMU with more than one CPU, the machine has one CPU more than the guest
# and keel.control_cpus leaves CPU 0 without a guest: QEMU 7.2's TCG lets any
# CPU's FXRSTOR rewrite CPU 0's hflags2 unlocked (cpu_clear_ignne()), which
# can undo a VMRUN's or #VMEXIT's change there (docs/control-guest.md, "CPUs").
# sched instead gives the control guest 1 vCPU, on the last of CPUS CPUs, and
# /dev/kvm's vCPUs the CPUs between it and CPU 0 (keel.vm_cpus).
machine_cpus=$cpus guest_cpus=$cpus
if [ $sched = 1 ]; then
	[ "$mode" = bare ] || [ "$cpus" -ge 3 ] || { echo "control: sched needs 3 CPUs" >&2; exit 2; }
	guest_cpus=1
	cmdline="${cmdline/keeltest.cpus=$cpus/keeltest.cpus=1} keeltest.sched=1"
	[ "$mode" != bare ] && keel_cmdline+=" keel.control_cpus=1 keel.vm_cpus=1-$((cpus - 2))"
	[ "$mode" != bare ] && cmdline+=" keeltest.hvcpus=$cpus"
	[ "$mode" = bare ] && cmdline+=" nr_cpus=1"
elif [ "$mode" = qemu ] && [ "$cpus" -ge 2 ]; then
	machine_cpus=$((cpus + 1))
	keel_cmdline+=" keel.control_cpus=$cpus keel.vm_cpus=1-$cpus"
	cmdline+=" keeltest.hvcpus=$machine_cpus"
fi
if [ $iommu = 1 ]; then
	cmdline+=" keeltest.iommu=1"
	extra+=" -device intel-iommu"
fi
case $ending in
reboot) cmdline+=" keeltest.reboot=1" ;;
crash) cmdline+=" keeltest.reboot=1 reboot=t"
	keel_cmdline+=" keel.on_control_crash=halt keel.exit_when_idle" ;;
crash-reset) cmdline+=" keeltest.reboot=1 reboot=t" ;;
esac
if [ $vm = 1 ]; then
	cmdline+=" keeltest.vm=1"
	for arg in ${VM_ARGS:-}; do
		cmdline+=" keeltest.vmarg=$arg"
	done
fi
[ $mb = 1 ] && cmdline+=" keeltest.mb=1"

if [ -n "$nic" ]; then
	cmdline+=" keeltest.net=1"
	extra+=" -netdev user,id=n0 -device $nic,netdev=n0"
else
	extra+=" -nic none"	# no default NIC: the guest sees only what was asked for
fi

start=$(date +%s)
if [ "$mode" != bare ]; then
	[ -f "$elf" ] || { fail boot "no $elf"; finish; }
	scripts/mkiso.sh "$dir/control.iso" "$elf" "$keel_cmdline" \
		"$build/debian/vmlinuz" "keel.control $cmdline" \
		"$initramfs" "keel.initrd" || { fail boot "mkiso"; finish; }
fi
if [ "$mode" = bochs ]; then
	# Bochs does not power off by ACPI: the kernel's last line ends the run.
	scripts/bochs-run.sh -c "$cpus" -m $mem -t "$deadline" -e 'reboot: Power down' \
		-l "$log" "$dir/control.iso" >/dev/null 2>"$dir/qemu.out"
	rc=$?
elif [ "$mode" = qemu ]; then
	scripts/qemu-run.sh $uefi -c "$machine_cpus" -m $mem -t "$deadline" -l "$log" -x "$extra" \
		"$dir/control.iso" >/dev/null 2>"$dir/qemu.out"
	rc=$?
else
	# No Keel here: hypervisor and keel are skipped. devmem gets a stand-in
	# for Keel's range: 16 MiB that the e820 marks reserved (memmap=) and the
	# loader fills with 0xff (QEMU reads holes as 0, not 0xff).
	[ -s "$out/ff.bin" ] || head -c 16M /dev/zero | tr '\0' '\377' >"$out/ff.bin"
	cmdline+=" keeltest.bare=1 memmap=16M\$0x30000000 keeltest.peek=0x30000000,0x1000000"
	extra+=" -device loader,file=$out/ff.bin,addr=0x30000000,force-raw=on"
	# The outer 2>/dev/null hides bash's "Killed" when the deadline strikes.
	# shellcheck disable=SC2086
	{ timeout -s KILL "$deadline" qemu-system-x86_64 -accel tcg -machine q35 -cpu max \
		-smp "$cpus" -m $mem -display none -no-reboot -monitor none \
		-serial "file:$log" -kernel "$build/debian/vmlinuz" \
		-initrd "$initramfs" -append "$cmdline" $extra \
		</dev/null >"$dir/qemu.out" 2>&1; } 2>/dev/null
	rc=$?
	[ $rc -eq 137 ] && rc=124
	sed -i 's/\r$//' "$log"
fi
echo "control: time $label $(($(date +%s) - start)) s (QEMU status $rc)"

# ---------------------------------------------------------------- judge
checks="cpus hypervisor keel memtotal devmem sleep kvm kvm_cycles keelctl"
[ $disk = 1 ] && checks+=" disk"
[ -n "$nic" ] && checks+=" net"
[ $iommu = 1 ] && checks+=" acpi"
[ $vm = 1 ] && checks+=" kvm_stat qemu_vm"
[ $sched = 1 ] && checks+=" sched"
[ "$guest_cpus" -ge 2 ] && checks+=" hotplug"
for c in $checks; do
	line=$(grep -m 1 -E "^control: (PASS|FAIL|SKIP) $c( |\$)" "$log")
	case $line in
	"control: PASS $c") pass "$c" ;;
	# Only the bare machine may skip, and only what needs Keel.
	"control: SKIP $c"*)
		case $mode:$c in
		bare:hypervisor | bare:keel | bare:sleep | bare:keelctl)
			echo "control: SKIP $label $c: ${line#"control: SKIP $c "}" ;;
		*) fail "$c" "skipped: ${line#"control: SKIP $c "}" ;;
		esac ;;
	"control: FAIL $c"*) fail "$c" "${line#"control: FAIL $c "}" ;;
	*) fail "$c" "no result from the guest" ;;
	esac
done

summary=$(grep -m 1 -E '^control: [0-9]+ passed, [0-9]+ failed$' "$log")
case $summary in
"control: "*" passed, 0 failed") pass summary ;;
"") fail summary "the guest never finished its checks" ;;
*) fail summary "${summary#control: }" ;;
esac

# MemTotal within [80%, 100%] of the RAM the guest was given: Keel's e820
# line under Keel, QEMU's -m on the bare machine.
kib=$(sed -n 's/^control: memtotal_kib=\([0-9]*\)$/\1/p' "$log" | head -n 1)
if [ "$mode" != bare ]; then
	ram=$(sed -n 's/^keel: control: e820 ram=\([0-9]*\) MiB,.*/\1/p' "$log" | head -n 1)
else
	ram=$mem
fi
if [ -z "$kib" ] || [ -z "$ram" ]; then
	fail memory "memtotal_kib=${kib:-?} e820 ram=${ram:-?} MiB"
elif [ "$kib" -le $((ram * 1024)) ] && [ $((kib * 5)) -ge $((ram * 1024 * 4)) ]; then
	pass memory
else
	fail memory "MemTotal $kib KiB outside [80%, 100%] of $ram MiB"
fi

# Under Keel, the range CPUID 0x40000002 gave the guest (and devmem peeked at)
# is Keel's: its size against the summary line's reserved=MiB, its base
# against "Keel reserves N MiB at BASE" when Keel prints that.
if [ "$mode" != bare ]; then
	read -r base size < <(sed -n 's/^control: reserved=//p' "$log" | head -n 1)
	want_mib=$(sed -n 's/^keel: online .* reserved=\([0-9]*\).*/\1/p' "$log" | head -n 1)
	want_base=$(sed -n 's/^keel: .*Keel reserves [0-9]* MiB at \(0x[0-9a-f]*\).*/\1/p' "$log" | head -n 1)
	if [ -z "${size:-}" ] || [ -z "$want_mib" ]; then
		fail reserved "guest ${base:-?} ${size:-?}, Keel reserved=${want_mib:-?} MiB"
	elif [ $(((size >> 20) - want_mib)) -gt 1 ] || [ $((want_mib - (size >> 20))) -gt 1 ] ||
		{ [ -n "$want_base" ] && [ $((base)) -ne $((want_base)) ]; }; then
		fail reserved "guest $base $size, Keel ${want_mib} MiB at ${want_base:-?}"
	else
		pass reserved
	fi
	# The guest's S3 request was refused and reported.
	if grep -q "^keel: control guest asked for ACPI sleep type 1: refused" "$log"; then
		pass sleep-refused
	else
		fail sleep-refused "no report of the refused S3 request"
	fi
	# devmem's write into Keel's range was dropped and reported.
	if grep -q "^keel: control vcpu [0-9]* wrote to Keel's memory at $base " "$log"; then
		pass write-reported
	else
		fail write-reported "no report of the write at ${base:-?}"
	fi
fi

# The block the guest wrote is in the disk image: the write reached QEMU.
if [ $disk = 1 ]; then
	want=$(sed -n 's/^control: disk_md5=\([0-9a-f]*\) block=1000$/\1/p' "$log" | head -n 1)
	got=$(dd if="$dir/disk.img" bs=4096 skip=1000 count=1 2>/dev/null | md5sum | cut -d' ' -f1)
	if [ -n "$want" ] && [ "$want" = "$got" ]; then
		pass disk-image
	else
		fail disk-image "guest md5 ${want:-?}, image md5 $got"
	fi
fi

# How the machine ended: the guest's power-off or reset ends QEMU by itself
# (-no-reboot), not the deadline; a triple fault is reported by Keel with the
# vCPU's state, then Keel ends the machine (isa-debug-exit: status 1 becomes 3)
# or resets it.
crashed() {
	grep -q '^keel: control guest stopped reason=triple-fault$' "$log" &&
		grep -q '^keel: control vcpu 0: rip ' "$log"
}
case $ending in
poweroff)
	if [ $rc -eq 124 ]; then fail poweroff "deadline of ${deadline}s passed"; else pass poweroff; fi ;;
reboot)
	if [ $rc -eq 0 ] && grep -q 'reboot: Restarting system' "$log"; then
		pass reboot
	else
		fail reboot "no guest reset that ended QEMU (status $rc)"
	fi ;;
crash)
	if crashed && [ $rc -eq 3 ]; then
		pass crash
	else
		fail crash "no triple-fault report or machine end (QEMU status $rc)"
	fi ;;
crash-reset)
	if crashed && grep -q '^keel: resetting the machine' "$log" && [ $rc -eq 0 ]; then
		pass crash-reset
	else
		fail crash-reset "no triple-fault report or machine reset (QEMU status $rc)"
	fi ;;
esac

if [ $failed -ne 0 ]; then
	echo "    | console log $log, its tail:"
	tail -n 30 "$log" | sed 's/^/    | /'
	[ -s "$dir/qemu.out" ] && sed "s/^/    | /" "$dir/qemu.out"
fi
finish
