#!/usr/bin/env bash
# pid1 (freestanding/src/bin/pid1.rs) as a plain process, not PID 1, on every target: natively
# where the host runs it (x86_64, i686), under qemu-user elsewhere. Checks tini's behaviour
# point by point, with host shell scripts as PROGRAM (under qemu-user the emulated pid1's
# execve of /bin/sh runs the host's shell natively):
# - status: exit code passed on (3), death by SIGTERM as 143, -e mapping a code (and only
#   that one) to 0, 127 for a missing program, 126 for one that is not executable, 1 for
#   another exec error, 1 for bad usage and 0 for -h, each with its message;
# - signals: SIGTERM, SIGUSR1, SIGHUP and SIGINT sent to pid1 reach PROGRAM; with -g they
#   reach a grandchild in PROGRAM's group too, and without -g they do not;
# - the child: leads a process group of its own, starts with no signal blocked and with the
#   dispositions pid1 was started with (SIGTTIN and SIGTTOU default, or SIGTTIN ignored),
#   and is made the foreground group of a terminal on stdin (a pty from script(1));
# - reaping (-s): orphans are reparented to pid1 and reaped, with no zombie left, and pid1
#   exits when PROGRAM does without waiting for the orphans still running.
# qemu-user 7.2 answers EINVAL to PR_SET_CHILD_SUBREAPER, so there the -s checks print a skip
# line (and check that pid1 fails as tini does); natively, and as PID 1 on real kernels
# (ci/boot-test.sh), they must pass. Where tini is installed (/usr/bin/tini), the native target's
# checks run against it too, as the reference: the same statuses, tini's own messages.
# Also holds pid1 to its size budget.
#
# Prints `ok pid1 <check> <target>`, `skip ...` or `FAIL ...` per check, `size pid1 <target>
# <bytes>` per target; fails on any FAIL. Environment: PID1_TARGETS (a subset of the targets).
set -euo pipefail

# The checks need the script itself to start with every signal at its default. Started with
# SIGHUP or SIGINT ignored (under nohup, or as a background job of another script), it would
# pass them on ignored, as pid1 and tini pass on what they were started with, and a shell
# can neither trap nor reset a signal ignored on entry: PROGRAM would never see the SIGHUP or
# SIGINT forwarded to it. So the script runs itself again, once, with all signals at the default.
if [ -z "${PID1_TEST_DEFAULT_SIGNALS:-}" ]; then
    PID1_TEST_DEFAULT_SIGNALS=1 exec env --default-signal "$0" "$@"
fi

cd "$(dirname "$0")/.."
root=$PWD

# Bytes, stripped, on each architecture.
PID1_BUDGET=12288

read -r -a targets <<<"${PID1_TARGETS:-x86_64-unknown-linux-gnu i686-unknown-linux-gnu \
aarch64-unknown-linux-gnu riscv64gc-unknown-linux-gnu armv7-unknown-linux-gnueabihf \
thumbv7neon-unknown-linux-gnueabihf powerpc64le-unknown-linux-gnu s390x-unknown-linux-gnu}"
out=$root/target/freestanding

(cd freestanding && for t in "${targets[@]}"; do
    cargo build --quiet --release --target "$t" --bin pid1
done)

# How to run a program built for target $1 on this machine: nothing (natively) where the host
# runs it, qemu-user elsewhere (as in ci/freestanding.sh).
runner() {
    local arch=${1%%-*}
    case $arch in
    riscv64gc) arch=riscv64 ;;
    armv7 | thumbv7neon) arch=arm ;;
    powerpc64le) arch=ppc64le ;;
    i686) [ "$(uname -m)" = x86_64 ] && return ;;
    esac
    [ "$arch" = "$(uname -m)" ] && return
    echo "qemu-$arch-static"
}

# Scratch files. No EXIT trap to remove them: the background subshells below would inherit it.
tmp=$root/target/pid1-test
rm -rf "$tmp" && mkdir -p "$tmp"
failed=0

# The program under test ($prog, run through $run), its name in the output ($who) and the
# target ($label).
pass() { echo "ok $who $1 $label"; }
fail() {
    echo "FAIL $who $1 $label: $2"
    sed 's/^/  | /' "$tmp/err" 2>/dev/null | head -n 5 || true
    failed=1
}

# Background jobs of a script ignore SIGINT and SIGQUIT, and a shell cannot trap a signal
# ignored on entry: `job` starts CMD in the background with both at their default, sets $pid,
# and starts a watchdog that kills it after 20 s; `reap` waits for it, stops the watchdog and
# returns its status. Not timeout(1), which changes the dispositions of SIGTTIN and SIGTTOU in
# the program it runs.
job() {
    (
        trap - INT QUIT
        exec "$@"
    ) &
    pid=$!
    (
        sleep 20 &
        s=$!
        trap 'kill $s; exit' TERM
        wait $s
        kill -KILL "$pid"
    ) 2>/dev/null &
    watchdog=$!
}
reap() {
    local got=0
    wait "$pid" || got=$?
    kill "$watchdog" 2>/dev/null || true
    wait "$watchdog" 2>/dev/null || true
    return $got
}

# bounded CMD...: CMD as a `job`, waited for; its status.
bounded() {
    job "$@"
    reap
}

# status CHECK WANT ARGS...: runs the program with ARGS, stdin from /dev/null, bounded; passes
# when it exits WANT. Its output is left in $tmp/out and $tmp/err.
status() {
    local check=$1 want=$2 got=0
    shift 2
    bounded $run "$prog" "$@" </dev/null >"$tmp/out" 2>"$tmp/err" || got=$?
    if [ "$got" -eq "$want" ]; then
        pass "$check"
        return 0
    fi
    fail "$check" "exit status $got, want $want"
    return 1
}

# said CHECK TEXT: $tmp/err holds TEXT (a fixed string).
said() {
    if grep -q -F -- "$2" "$tmp/err"; then pass "$1"; else fail "$1" "no '$2' on stderr"; fi
}

# Whether -s works here: `skip` (printed) under qemu-user, where PR_SET_CHILD_SUBREAPER is
# EINVAL and the program must fail as tini does (status 1, a message); natively it must work.
subreaper_works() {
    local got=0
    bounded $run "$prog" -s -- true </dev/null >/dev/null 2>"$tmp/err" || got=$?
    [ "$got" -eq 0 ] && return 0
    if [ -n "$run" ] && [ "$got" -eq 1 ] && grep -q -i subreaper "$tmp/err"; then
        echo "skip $who $1 $label: skipped (qemu-user: no PR_SET_CHILD_SUBREAPER; exits 1 with a message, as tini does)"
        return 1
    fi
    fail "$1" "-s failed: exit status $got"
    return 1
}

# start ARGS...: the program as a `job` with ARGS, stdin from /dev/null. PROGRAM writes a
# line to the fifo $tmp/ready when its traps are set; `ready` reads it. `finish CHECK WANT`
# waits for the program and passes when it exits WANT.
start() {
    rm -f "$tmp/ready"
    mkfifo "$tmp/ready"
    exec 3<>"$tmp/ready"
    job $run "$prog" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
}
ready() { local line=; read -r -t 20 -u 3 line && [ "$line" = ready ]; }
finish() {
    local check=$1 want=$2 got=0
    reap || got=$?
    exec 3<&-
    if [ "$got" -eq "$want" ]; then pass "$check"; else fail "$check" "exit status $got, want $want"; fi
}

# PROGRAM for the signal checks: traps $1, says it is ready, waits; exits $2 on the signal.
trapper='trap "kill \$sp; exit $2" "$1"; sleep 30 & sp=$!; echo ready >"$3"; wait $sp; exit 1'

# PROGRAM for -g: starts a grandchild in its group, and once USR1 has come, sends the
# grandchild USR2 and exits with the grandchild's status: 42 if USR1 reached the grandchild (a
# group signal), 43 if only USR2 did. Both shells' traps only record, and both wait by polling
# their flags: dash runs a trap between any two commands, so a trap that exits can be cut short
# by another, and a trap that records can run just before a `wait`, which then waits on.
grouper='trap "got=1" USR1
sh -c '\''trap "u1=1" USR1; trap "u2=1" USR2; echo ready >"$1"
while [ -z "${u1:-}${u2:-}" ]; do sleep 0.1; done
[ -z "${u1:-}" ] || exit 42; exit 43'\'' sh "$1" &
gp=$!
while [ -z "${got:-}" ]; do sleep 0.1; done
kill -USR2 $gp 2>/dev/null
wait $gp'

# PROGRAM for reaping: makes two orphans (a subshell starts two sleeps and exits), checks that
# they were reparented to its parent, pid1 (exit 10 if not), kills them and waits until they
# are gone from /proc (exit 11 if one is left a zombie), then checks that pid1 has no zombie
# child at all (exit 12).
orphans='d=$1
(sleep 30 & echo $! >"$d/o1"; sleep 30 & echo $! >"$d/o2")
o="$(cat "$d/o1") $(cat "$d/o2")"
for p in $o; do
    set -- $(sed "s/.*) //" /proc/$p/stat)
    [ "$2" = "$PPID" ] || exit 10
done
kill $o
n=0
for p in $o; do
    while [ -e /proc/$p ]; do
        n=$((n + 1)); [ $n -le 400 ] || exit 11
        sleep 0.05
    done
done
for s in /proc/[0-9]*/stat; do
    set -- $(sed "s/.*) //" "$s" 2>/dev/null) x x
    [ "$1" = Z ] && [ "$2" = "$PPID" ] && exit 12
done
exit 0'

# PROGRAM that reports its signal mask and ignored signals: grep itself, not a shell (dash
# clears its signal mask when it starts, which would hide a mask pid1 passed on).
sigstate=(grep -E '^Sig(Blk|Ign)' /proc/self/status)

# PROGRAM that exits 0 when it leads its own process group ($3 of the fields after the
# command name is the pgrp), 1 otherwise.
leader='set -- $(sed "s/.*) //" /proc/self/stat); [ "$3" = $$ ]'

# PROGRAM that exits 0 when its group is the foreground group of its terminal ($6: tpgid).
foreground='set -- $(sed "s/.*) //" /proc/self/stat); [ "$6" = "$3" ] && [ "$3" = $$ ]'

# checks: every check against $prog.
checks() {
    # Statuses.
    status exit-code 3 -- sh -c 'exit 3' || true
    if [ "$who" = pid1 ]; then
        status exit-code-without-dashes 3 sh -c 'exit 3' || true
    else
        # glibc's getopt permutes: tini takes -c as its own option unless `--` comes first.
        status options-after-program-taken 1 sh -c 'exit 3' || true
    fi
    status killed-by-sigterm 143 -- sh -c 'kill -TERM $$' || true
    status killed-by-sigkill 137 -- sh -c 'kill -KILL $$' || true
    status expect-maps-code 0 -e 3 -- sh -c 'exit 3' || true
    status expect-keeps-other-codes 4 -e 3 -- sh -c 'exit 4' || true
    status expect-repeated 0 -e3 -e 5 -- sh -c 'exit 5' || true
    status expect-maps-signal-status 0 -e 143 -- sh -c 'kill -TERM $$' || true

    # Starting PROGRAM.
    status missing-program 127 -- /nonexistent/program && said missing-program-message /nonexistent/program
    [ "$who" = pid1 ] && said missing-program-errno ENOENT
    status missing-program-in-path 127 -- freepoll-no-such-program && said missing-program-in-path-message freepoll-no-such-program
    printf '#!/bin/sh\nexit 0\n' >"$tmp/not-executable"
    chmod 644 "$tmp/not-executable"
    status not-executable 126 -- "$tmp/not-executable" && said not-executable-message "$tmp/not-executable"
    [ "$who" = pid1 ] && said not-executable-errno EACCES
    status other-exec-error 1 -- /etc/passwd/x && said other-exec-error-message /etc/passwd/x
    [ "$who" = pid1 ] && said other-exec-error-errno ENOTDIR

    # Usage.
    status usage-no-program 1 && said usage-no-program-message sage
    status usage-unknown-option 1 -x -- true || true
    status usage-code-too-big 1 -e 256 -- true || true
    status usage-code-not-a-number 1 -e abc -- true || true
    status usage-code-missing 1 -e || true
    status help 0 -h && if grep -q sage "$tmp/out"; then pass help-on-stdout; else fail help-on-stdout "no usage"; fi

    # Signals sent to pid1 reach PROGRAM: PROGRAM exits 100 + the signal's number.
    local sig num
    for sig in TERM USR1 HUP INT; do
        num=$(kill -l "$sig")
        start -- sh -c "$trapper" sh "$sig" $((100 + num)) "$tmp/ready"
        if ready; then kill -s "$sig" "$pid"; else fail "forward-sig$sig" "PROGRAM never ready"; fi
        finish "forward-sig$sig" $((100 + num))
    done

    # -g: to the group, the grandchild included; without it, to PROGRAM alone.
    start -g -- sh -c "$grouper" sh "$tmp/ready"
    if ready; then kill -USR1 "$pid"; else fail group-reaches-grandchild "PROGRAM never ready"; fi
    finish group-reaches-grandchild 42
    start -- sh -c "$grouper" sh "$tmp/ready"
    if ready; then kill -USR1 "$pid"; else fail no-group-program-only "PROGRAM never ready"; fi
    finish no-group-program-only 43

    # The child.
    status own-process-group 0 -- sh -c "$leader" || true
    local want got
    want=$("${sigstate[@]}")
    if status signal-state 0 -- "${sigstate[@]}"; then
        got=$(cat "$tmp/out")
        if [ "$got" = "$want" ]; then pass signal-state-restored; else
            fail signal-state-restored "$(echo $got) instead of $(echo $want)"; fi
        grep -q -x -E 'SigBlk:\s+0+' "$tmp/out" && pass sigmask-empty || fail sigmask-empty "$(echo $got)"
    fi
    want=$(trap '' TTIN && "${sigstate[@]}")
    got=$(trap '' TTIN && bounded $run "$prog" -- "${sigstate[@]}" </dev/null 2>"$tmp/err") || true
    if [ "$got" = "$want" ]; then pass signal-state-ttin-ignored; else
        fail signal-state-ttin-ignored "$(echo $got) instead of $(echo $want)"; fi
    if command -v script >/dev/null; then
        # script(1) runs the command on a pty, its controlling terminal, on stdin.
        got=0
        script -q -e -c "timeout 20 $run $prog -- sh -c '$foreground'" /dev/null \
            </dev/null >"$tmp/out" 2>"$tmp/err" || got=$?
        if [ "$got" -eq 0 ]; then pass foreground-of-terminal; else
            fail foreground-of-terminal "exit status $got"; fi
    else
        echo "skip $who foreground-of-terminal $label: no script(1) for a pty"
    fi

    # Reaping, with -s.
    if subreaper_works orphans-reaped; then
        mkdir -p "$tmp/orphans"
        status orphans-reaped 0 -s -- sh -c "$orphans" sh "$tmp/orphans" || true
    fi
    if subreaper_works exits-with-program; then
        # PROGRAM leaves a sleep running: pid1 exits at once with PROGRAM's status.
        status exits-with-program 5 -s -- sh -c 'sleep 30 & echo $! >"$1"; exit 5' sh "$tmp/left" || true
        kill "$(cat "$tmp/left")" 2>/dev/null || true
    fi
}

for t in "${targets[@]}"; do
    run=$(runner "$t")
    prog=$out/$t/release/pid1
    who=pid1
    label=$t
    checks
    size=$(stat -c %s "$prog")
    echo "size pid1 $t $size"
    if [ "$size" -gt "$PID1_BUDGET" ]; then
        echo "FAIL pid1 $t: $size bytes, over the budget of $PID1_BUDGET"
        failed=1
    fi
done

# The reference: tini itself, natively, against the same checks.
if [ -x /usr/bin/tini ]; then
    run= prog=/usr/bin/tini who=tini label=reference
    checks
else
    echo "skip tini reference: no /usr/bin/tini (Debian package tini)"
fi

if [ "$failed" -ne 0 ]; then
    echo "pid1-test: FAILED"
    exit 1
fi
echo "pid1-test: all checks passed on ${#targets[@]} targets"
