#!/bin/sh
# qemu-run.sh [-c CPUS] [-m MEM] [-u] [-t SECONDS] [-l LOG] [-x "QEMU ARGS"] ISO
# Boots ISO under QEMU TCG (q35, -cpu max: AMD SVM with NPT) with a hard
# deadline. COM1 goes to stdout and LOG. Exits with QEMU's status: isa-debug-exit
# at port 0xF4 turns Keel's status N into (N << 1) | 1; 124 means the deadline
# passed (a hang is a failure). With KEEL_COV_DIR set (make coverage-keel), a
# COVERAGE=1 Keel's counters go to a new file there (isa-debugcon on port 0x4EC,
# arch/x86/coverage.c).
set -u

cpus=1 mem=512 uefi=0 timeout=120 log="" extra=""
while getopts c:m:ut:l:x: opt; do
	case $opt in
	c) cpus=$OPTARG ;;
	m) mem=$OPTARG ;;
	u) uefi=1 ;;
	t) timeout=$OPTARG ;;
	l) log=$OPTARG ;;
	x) extra=$OPTARG ;;
	*) echo "usage: $0 [-c cpus] [-m MiB] [-u] [-t s] [-l log] [-x args] iso" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
iso=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -n "$log" ] || log=$tmp/serial.log

firmware=""
if [ "$uefi" = 1 ]; then
	cp /usr/share/OVMF/OVMF_VARS_4M.fd "$tmp/vars.fd"
	firmware="-drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd
-drive if=pflash,format=raw,file=$tmp/vars.fd"
fi

if [ -n "${KEEL_COV_DIR:-}" ]; then
	mkdir -p "$KEEL_COV_DIR"
	extra="$extra -chardev file,id=kcov,path=$KEEL_COV_DIR/$(date +%s%N)-$$.cov"
	extra="$extra -device isa-debugcon,iobase=0x4ec,chardev=kcov"
fi

# shellcheck disable=SC2086
timeout -s KILL "$timeout" qemu-system-x86_64 -accel tcg -machine q35 -cpu max \
	-smp "$cpus" -m "$mem" -display none -no-reboot -monitor none \
	-serial "file:$log" -device isa-debug-exit,iobase=0xf4,iosize=0x01 \
	$firmware -cdrom "$iso" -boot d $extra </dev/null >"$tmp/qemu.out" 2>&1
rc=$?
# The UART gets CR LF line ends; the log keeps plain lines for tools to read.
sed -i 's/\r$//' "$log"
cat "$log"
[ -s "$tmp/qemu.out" ] && sed 's/^/qemu: /' "$tmp/qemu.out" >&2
[ $rc -eq 137 ] && { echo "qemu-run: deadline of ${timeout}s passed" >&2; rc=124; }
exit $rc
