#!/bin/sh
# PROGRAM of pid1 booted as /init by ci/boot-test.sh (kernel command line `-- /bin/sh
# /pid1-boot.sh`), run by busybox's sh on a real kernel, with pid1 as PID 1. Checks what PID 1
# must do for it: it is pid1's child in a process group of its own; its signal mask is empty and
# SIGTTIN and SIGTTOU are not ignored; signals sent to PID 1 (USR1, TERM, HUP) reach it; a
# background job is its own to reap; orphans (running, and already zombies when their parent
# ends) are reparented to PID 1 and reaped, with no zombie left. Prints `ok pid1_<check>` or
# `FAIL pid1_<check>` per check, then `FREEPOLL-PID1: ok` and exits 7, or `FREEPOLL-PID1: FAIL`
# and exits 1. pid1 exits with that status and the kernel panics with `Attempted to kill init!
# exitcode=0x00000700`, which ci/boot-test.sh reads to see that PID 1 passed the status on.
PATH=/bin
export PATH
mkdir -p /proc /tmp
mount -t proc proc /proc

failed=
check() {
    name=$1
    shift
    if "$@"; then
        echo "ok pid1_$name"
    else
        echo "FAIL pid1_$name"
        failed="$failed $name"
    fi
}

# Field N (1: state, 2: ppid, 3: pgrp) of /proc/PID/stat after the command name.
stat_field() {
    field=$2
    set -- $(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) x x x
    eval "echo \$$field"
}

# Waits (at most 10 s) until none of the pids given is in /proc any more.
gone() {
    n=0
    for p in "$@"; do
        while [ -e "/proc/$p" ]; do
            n=$((n + 1))
            [ $n -le 200 ] || return 1
            sleep 0.05
        done
    done
}

check parent_is_pid_1 [ "$PPID" = 1 ]
check own_process_group [ "$(stat_field $$ 3)" = $$ ]
check mask_empty grep -q -E '^SigBlk:[[:space:]]+0+$' /proc/$$/status
# SIGTTIN and SIGTTOU (bits 0x300000), which pid1 ignores itself, are not ignored here. (busybox's
# sh ignores SIGQUIT on its own, so SigIgn is not 0.)
ignored=$(sed -n 's/^SigIgn:[[:space:]]*//p' /proc/$$/status)
check ttin_ttou_not_ignored [ $((0x$ignored & 0x300000)) = 0 ]

# Signals sent to PID 1 come here: each trap records its signal; wait (at most 10 s) for it.
for sig in USR1 TERM HUP; do
    got=
    trap "got=$sig" "$sig"
    kill -s "$sig" 1
    n=0
    while [ "$got" != "$sig" ] && [ $n -lt 200 ]; do
        sleep 0.05
        n=$((n + 1))
    done
    trap - "$sig"
    check "signal_$(kill -l "$sig")_forwarded" [ "$got" = "$sig" ]
done

# A background job of this shell's own.
sleep 0.1 &
job=$!
wait $job
check job_reaped_by_its_parent [ $? = 0 ]

# Orphans: a subshell starts two sleeps and ends; they are reparented to PID 1.
(
    sleep 30 &
    echo $! >/tmp/o1
    sleep 30 &
    echo $! >/tmp/o2
)
orphans="$(cat /tmp/o1) $(cat /tmp/o2)"
check orphan_1_reparented_to_pid_1 [ "$(stat_field "$(cat /tmp/o1)" 2)" = 1 ]
check orphan_2_reparented_to_pid_1 [ "$(stat_field "$(cat /tmp/o2)" 2)" = 1 ]
kill $orphans
check orphans_reaped gone $orphans

# A zombie orphan: a child that ends while its parent, by then a `sleep` (which never reaps),
# still runs; when the sleep ends, PID 1 inherits the zombie. (The child is a sleep too, which
# ends after the exec: the shell reaps finished children itself before it execs.)
(
    sleep 0.1 &
    echo $! >/tmp/z
    exec sleep 0.6
)
check zombie_orphan_reaped gone "$(cat /tmp/z)"

# No zombie left whose parent is PID 1.
zombies=
for s in /proc/[0-9]*/stat; do
    p=${s#/proc/}
    p=${p%/stat}
    [ "$(stat_field "$p" 1)" = Z ] && [ "$(stat_field "$p" 2)" = 1 ] && zombies="$zombies $p"
done
check no_zombie_left [ -z "$zombies" ]

if [ -n "$failed" ]; then
    echo "FREEPOLL-PID1: FAIL$failed"
    exit 1
fi
echo "FREEPOLL-PID1: ok"
exit 7
