#!/usr/bin/env bash
# bochs-run.sh - boot a GRUB ISO in Bochs (the VT-x/EPT test platform), headless, with a
# hard deadline.
#
# usage: scripts/bochs-run.sh [-c CPUS] [-m MEM_MiB] [-t TIMEOUT_S] [-e END_REGEX] [-l LOGFILE] ISO
#
# COM1 output is streamed to stdout (CRs stripped) and kept in LOGFILE; if COM1 stays silent,
# the port 0xE9 output is printed instead. END_REGEX (grep -E) is matched against both.
# Exit: 0 once END_REGEX appears (Bochs is killed at once) or, without -e, when Bochs exits
# cleanly by itself; 124 at the deadline; 1 if Bochs dies otherwise; 2 on bad usage.
# BOCHS_IPS overrides the emulated instructions/second; BOCHS_KEEP=1 keeps the work dir.
#
# Why it looks the way it does (Debian's Bochs 2.7, see docs/ or the report that added this):
# - It is built with the debugger: without `-rc` holding `c` then `q` it stops at a prompt.
# - It has no `nogui`; `term` draws the VGA screen with ncurses on a fresh pty (/dev/ptmx),
#   so no tty is needed, but TERM must name a known terminal (else it exits 1 silently) and
#   the pty must be drained, or Bochs blocks once ~64 KiB of screen updates pile up.
# - It ignores SIGTERM, and killing timeout(1) alone would orphan it: kill Bochs itself.
set -u

cpus=2 mem=512 secs=300 end='' log=''
ips=${BOCHS_IPS:-20000000}   # low ips => the emulated clock runs fast => short BIOS waits

usage() { sed -n 5p "$0" >&2; exit 2; }
while getopts c:m:t:e:l:h opt; do
	case $opt in
	c) cpus=$OPTARG ;;
	m) mem=$OPTARG ;;
	t) secs=$OPTARG ;;
	e) end=$OPTARG ;;
	l) log=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -ne 1 ] || [ ! -r "$1" ]; then usage; fi
command -v bochs >/dev/null || { echo "bochs-run: bochs is not installed" >&2; exit 2; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/bochs-run.XXXXXX") || exit 2
ln -s "$(realpath "$1")" "$dir/boot.iso"   # keeps odd characters out of the bochsrc
log=${log:-$dir/guest.log}
: >"$log" || exit 2
tpid='' dpid=''
kill_bochs() { pkill -KILL -P "$tpid" 2>/dev/null; }   # Bochs is timeout's only child

# shellcheck disable=SC2317  # (called from the trap)
cleanup() {
	if [ -n "$tpid" ]; then kill_bochs; fi
	if [ -n "$dpid" ]; then kill "$dpid" 2>/dev/null; fi
	if [ "${BOCHS_KEEP:-0}" = 1 ]; then echo "bochs-run: work dir kept: $dir" >&2; else rm -rf "$dir"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# Host memory is capped at 2048 MiB by Bochs; a larger guest is swapped (slow) and the
# BIOS maps at most ~3 GiB below 4 GiB anyway.
host=$((mem < 2048 ? mem : 2048))
cat >"$dir/bochsrc" <<EOF
cpu: model=corei7_skylake_x, count=$cpus, ips=$ips, reset_on_triple_fault=0, ignore_bad_msrs=0
memory: guest=$mem, host=$host
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
vga: extension=vbe, update_freq=2
ata0-master: type=cdrom, path=$dir/boot.iso, status=inserted
boot: cdrom
port_e9_hack: enabled=1
com1: enabled=1, mode=file, dev=$dir/com1
display_library: term
sound: driver=dummy
clock: sync=none, time0=utc
log: $dir/bochs.log
panic: action=fatal
error: action=report
info: action=ignore
debug: action=ignore
EOF
printf 'c\nq\n' >"$dir/rc"
: >"$dir/com1"

# Port 0xE9 goes to Bochs's stdout after the debugger's preamble (banner, "Next at t=0",
# one disassembly line per CPU): strip it.
e9_text() { sed '1,/^Next at t=/d' "$dir/stdout" | tail -n +$((cpus + 1)) | tr -d '\r'; }

# --foreground: timeout KILLs just Bochs (its only child) and then exits 137 (not 124).
TERM=vt100 timeout --foreground -s KILL "$secs" bochs -f "$dir/bochsrc" -rc "$dir/rc" \
	</dev/null >"$dir/stdout" 2>"$dir/stderr" &
tpid=$!

# Drain the term display's pty (raw, no echo, so nothing is typed back into the guest).
for _ in $(seq 50); do
	pts=$(sed -n 's/^Bochs connected to screen "\(.*\)"$/\1/p' "$dir/stderr")
	[ -n "$pts" ] || ! kill -0 "$tpid" 2>/dev/null && break
	sleep 0.1
done
if [ -n "$pts" ]; then
	stty -F "$pts" raw -echo 2>/dev/null
	cat "$pts" >"$dir/screen" 2>/dev/null &
	dpid=$!
fi

# Stream new COM1 bytes; stop as soon as END_REGEX shows up on COM1 or port 0xE9.
shown=0 matched=0
flush() {
	local size
	size=$(stat -c %s "$dir/com1")
	if [ "$size" -gt "$shown" ]; then
		tail -c +$((shown + 1)) "$dir/com1" | head -c $((size - shown)) | tr -d '\r' | tee -a "$log"
		shown=$size
	fi
}
{ # (stderr hushed: bash's "Killed" notice for the job would land here)
	while kill -0 "$tpid"; do
		flush
		if [ -n "$end" ] && { cat "$log"; e9_text; } | grep -Eq -- "$end"; then
			matched=1
			kill_bochs
		fi
		sleep 0.2
	done
	wait "$tpid"
	rc=$?
} 2>/dev/null
tpid=''
flush
if [ "$shown" -eq 0 ]; then e9_text | tee -a "$log"; fi
if [ -n "$(tail -c 1 "$log")" ]; then echo; fi   # end a cut-off last line
# The guest may end Bochs itself (shutdown port 0x8900) right after its last line.
if [ -n "$end" ] && { cat "$log"; e9_text; } | grep -Eq -- "$end"; then matched=1; fi

if [ "$matched" = 1 ]; then
	echo "bochs-run: \"$end\" seen after ${SECONDS}s" >&2
	exit 0
fi
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
	echo "bochs-run: DEADLINE: killed after ${secs}s${end:+ without seeing \"$end\"}" >&2
	rc=124
elif [ -z "$end" ] && [ "$rc" -eq 0 ]; then
	exit 0
else
	echo "bochs-run: Bochs exited (status $rc)${end:+ before \"$end\"}" >&2
	rc=1
fi
# Explain the failure: Bochs's errors and the last VGA screen text (e.g. a GRUB error).
grep -E '[ep]\[' "$dir/bochs.log" 2>/dev/null | tail -n 5 >&2
[ -f "$dir/stderr" ] && grep -v -e '^0000' -e '^Bochs connected' -e '^=*$' "$dir/stderr" | tail -n 3 >&2
if [ -s "$dir/screen" ]; then
	echo "bochs-run: last screen text:" >&2
	sed 's/\x1b\[[0-9]*[dH]/\n/g; s/\x1b\[[0-9;]*H/\n/g; s/\x1b[[(][0-9;?=]*[A-Za-z]//g; s/\x1b[=>]//g' \
		"$dir/screen" | tr '\r' '\n' | grep -v '^ *$' | tail -n 8 >&2
fi
exit "$rc"
