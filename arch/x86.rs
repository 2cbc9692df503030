//! i686 (32-bit x86) Linux system calls.
//!
//! ABI (see syscall(2), "Architecture calling conventions"):
//! - instruction: `int 0x80`
//! - number: `eax`
//! - arguments: `ebx`, `ecx`, `edx`, `esi`, `edi`, `ebp`
//! - return: `eax`, a value in -4095..=-1 is `-errno`
//! - clobbered: nothing; the kernel restores every other register and the flags, hence
//!   `preserves_flags`.
//!
//! Two of the argument registers cannot be asm operands: LLVM keeps `esi` as its base pointer
//! in functions that realign the stack, and `ebp` as the frame pointer. So:
//! - with four or five arguments, the fourth goes in a scratch register that the stub
//!   exchanges with `esi` around `int 0x80` (`xchg` twice, so `esi` is back as it was);
//! - with six, no register is left for both: the stub takes the number, the fourth and the
//!   sixth argument from a 3-word array in memory, whose address is in `eax`, saves `esi` and
//!   `ebp` on the stack, loads them, and restores them after the call. That stub pushes, so it
//!   does not claim `nostack`; the others do (the kernel itself touches no user stack).
//!
//! Time: `CLOCK_GETTIME`, `TIMERFD_SETTIME` and `TIMERFD_GETTIME` are the 64-bit `time_t`
//! calls (Linux 5.1), under the plain names; the rule is stated once, beside the timespec type
//! (`KernelTimespec` in `src/timeout.rs`).
//!
//! The stubs never claim `readonly` or `pure`: several calls write user memory, and the caller
//! of a raw stub is the only one who knows which.

// The numbers and values every architecture shares; the definitions below override them.
#[path = "common.rs"]
mod common;
pub(crate) use common::generic::*;

/// `O_LARGEFILE` (`include/uapi/asm-generic/fcntl.h`), which `open` must add on a 32-bit
/// architecture for files over 2 GiB, as C libraries do.
pub(crate) const O_LARGEFILE: u32 = 0o100_000;

/// The system call numbers freepoll and its freestanding users need
/// (`arch/x86/entry/syscalls/syscall_32.tbl`).
pub mod nr {
    pub use super::common::nr::*;

    /// _exit(2) (exit of the calling thread only)
    pub const EXIT: usize = 1;
    /// read(2)
    pub const READ: usize = 3;
    /// write(2)
    pub const WRITE: usize = 4;
    /// close(2)
    pub const CLOSE: usize = 6;
    /// execve(2)
    pub const EXECVE: usize = 11;
    /// chdir(2)
    pub const CHDIR: usize = 12;
    /// getpid(2)
    pub const GETPID: usize = 20;
    /// kill(2)
    pub const KILL: usize = 37;
    /// ioctl(2)
    pub const IOCTL: usize = 54;
    /// fcntl(2)
    pub const FCNTL: usize = 55;
    /// setpgid(2)
    pub const SETPGID: usize = 57;
    /// getppid(2)
    pub const GETPPID: usize = 64;
    /// setsid(2)
    pub const SETSID: usize = 66;
    /// reboot(2)
    pub const REBOOT: usize = 88;
    /// clone(2)
    pub const CLONE: usize = 120;
    /// getpgid(2)
    pub const GETPGID: usize = 132;
    /// fchdir(2)
    pub const FCHDIR: usize = 133;
    /// getsid(2)
    pub const GETSID: usize = 147;
    /// prctl(2)
    pub const PRCTL: usize = 172;
    /// rt_sigaction(2) (sigaction(2))
    pub const RT_SIGACTION: usize = 174;
    /// rt_sigprocmask(2) (sigprocmask(2))
    pub const RT_SIGPROCMASK: usize = 175;
    /// getuid32 (getuid(2) with a 32-bit uid; 24 is the 16-bit one)
    pub const GETUID: usize = 199;
    /// gettid(2)
    pub const GETTID: usize = 224;
    /// exit_group(2)
    pub const EXIT_GROUP: usize = 252;
    /// epoll_ctl(2)
    pub const EPOLL_CTL: usize = 255;
    /// epoll_wait(2)
    pub const EPOLL_WAIT: usize = 256;
    /// tgkill(2)
    pub const TGKILL: usize = 270;
    /// waitid(2)
    pub const WAITID: usize = 284;
    /// inotify_add_watch(2)
    pub const INOTIFY_ADD_WATCH: usize = 292;
    /// inotify_rm_watch(2)
    pub const INOTIFY_RM_WATCH: usize = 293;
    /// openat(2) (open(2))
    pub const OPENAT: usize = 295;
    /// faccessat(2) (access(2))
    pub const FACCESSAT: usize = 307;
    /// epoll_pwait(2)
    pub const EPOLL_PWAIT: usize = 319;
    /// timerfd_create(2)
    pub const TIMERFD_CREATE: usize = 322;
    /// signalfd4(2) (signalfd(2))
    pub const SIGNALFD4: usize = 327;
    /// eventfd2(2)
    pub const EVENTFD2: usize = 328;
    /// epoll_create1(2)
    pub const EPOLL_CREATE1: usize = 329;
    /// dup3(2)
    pub const DUP3: usize = 330;
    /// pipe2(2)
    pub const PIPE2: usize = 331;
    /// inotify_init1(2) (inotify_init(2))
    pub const INOTIFY_INIT1: usize = 332;
    /// execveat(2), Linux 3.19
    pub const EXECVEAT: usize = 358;
    /// socket(2)
    pub const SOCKET: usize = 359;
    /// socketpair(2)
    pub const SOCKETPAIR: usize = 360;
    /// bind(2)
    pub const BIND: usize = 361;
    /// connect(2)
    pub const CONNECT: usize = 362;
    /// listen(2)
    pub const LISTEN: usize = 363;
    /// accept4(2) (accept(2))
    pub const ACCEPT4: usize = 364;
    /// getsockopt(2)
    pub const GETSOCKOPT: usize = 365;
    /// setsockopt(2)
    pub const SETSOCKOPT: usize = 366;
    /// getsockname(2)
    pub const GETSOCKNAME: usize = 367;
    /// getpeername(2)
    pub const GETPEERNAME: usize = 368;
    /// sendto(2) (send(2))
    pub const SENDTO: usize = 369;
    /// sendmsg(2)
    pub const SENDMSG: usize = 370;
    /// recvfrom(2) (recv(2))
    pub const RECVFROM: usize = 371;
    /// recvmsg(2)
    pub const RECVMSG: usize = 372;
    /// shutdown(2)
    pub const SHUTDOWN: usize = 373;
    /// statx(2), Linux 4.11
    pub const STATX: usize = 383;
    /// clock_gettime64 (clock_gettime(2) with a 64-bit `time_t`), Linux 5.1
    pub const CLOCK_GETTIME: usize = 403;
    /// timerfd_gettime64 (timerfd_gettime(2) with a 64-bit `time_t`), Linux 5.1
    pub const TIMERFD_GETTIME: usize = 410;
    /// timerfd_settime64 (timerfd_settime(2) with a 64-bit `time_t`), Linux 5.1
    pub const TIMERFD_SETTIME: usize = 411;
    /// mount(2)
    pub const MOUNT: usize = 21;
}

/// The wait without a signal mask, which the whole-millisecond `epoll_wait` makes: this
/// architecture's `epoll_wait`, four arguments and no mask for the kernel to look at, which is
/// cheaper in the kernel than `epoll_pwait` with a NULL mask.
pub(crate) const EPOLL_WAIT_NOMASK: usize = nr::EPOLL_WAIT;

/// The instruction, registers and options of the stubs with up to three arguments, stated
/// once: the number goes in `eax` and comes back as the result; the stub names its argument
/// registers. `esi` and `ebp` cannot be operands (LLVM's base and frame pointers): the stubs
/// with four or more arguments load them inside their own asm.
macro_rules! syscall {
    ($nr:expr $(, $reg:tt = $arg:expr)*) => {{
        let ret;
        // SAFETY: the stub's caller upholds the contract of system call `$nr` for these
        // arguments (the stub contract, stated once in `crate::raw`). The kernel reads the
        // argument registers only, preserves every register but eax (the result) and the
        // flags, and touches no user stack.
        unsafe {
            core::arch::asm!(
                "int 0x80",
                inlateout("eax") $nr => ret,
                $(in($reg) $arg,)*
                options(nostack, preserves_flags),
            );
        }
        ret
    }};
}

/// `int 0x80` with no arguments.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall0(nr: usize) -> usize {
    syscall!(nr)
}

/// `int 0x80` with one argument: `ebx`.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall1(nr: usize, a0: usize) -> usize {
    syscall!(nr, "ebx" = a0)
}

/// `int 0x80` with two arguments: `ebx`, `ecx`.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall2(nr: usize, a0: usize, a1: usize) -> usize {
    syscall!(nr, "ebx" = a0, "ecx" = a1)
}

/// `int 0x80` with three arguments: `ebx`, `ecx`, `edx`.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall3(nr: usize, a0: usize, a1: usize, a2: usize) -> usize {
    syscall!(nr, "ebx" = a0, "ecx" = a1, "edx" = a2)
}

/// `int 0x80` with four arguments. Number in `eax`; arguments in `ebx`, `ecx`, `edx`, `esi`
/// (exchanged in from a scratch register: see the header).
///
/// # Safety
/// As for [`syscall1`], for every argument.
///
/// # References
/// - [syscall(2)](https://man7.org/linux/man-pages/man2/syscall.2.html), "Architecture calling
///   conventions"
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall4(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize) -> usize {
    let ret;
    // SAFETY: as in `syscall0`; the argument registers are only read by the kernel. `esi` is
    // exchanged with `a3`'s register before the call and back after it, so it ends as it was;
    // the scratch register is declared changed (`=> _`).
    unsafe {
        core::arch::asm!(
            "xchg esi, {a3}",
            "int 0x80",
            "xchg esi, {a3}",
            a3 = inout(reg) a3 => _,
            inlateout("eax") nr => ret,
            in("ebx") a0, in("ecx") a1, in("edx") a2,
            options(nostack, preserves_flags),
        );
    }
    ret
}

/// `int 0x80` with five arguments. Number in `eax`; arguments in `ebx`, `ecx`, `edx`, `esi`
/// (exchanged in from a scratch register: see the header), `edi`.
///
/// # Safety
/// As for [`syscall1`], for every argument.
///
/// # References
/// - [syscall(2)](https://man7.org/linux/man-pages/man2/syscall.2.html), "Architecture calling
///   conventions"
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall5(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize, a4: usize) -> usize {
    let ret;
    // SAFETY: as in `syscall4`, with `a4` in edi, only read by the kernel.
    unsafe {
        core::arch::asm!(
            "xchg esi, {a3}",
            "int 0x80",
            "xchg esi, {a3}",
            a3 = inout(reg) a3 => _,
            inlateout("eax") nr => ret,
            in("ebx") a0, in("ecx") a1, in("edx") a2, in("edi") a4,
            options(nostack, preserves_flags),
        );
    }
    ret
}

/// `int 0x80` with six arguments. Number in `eax`; arguments in `ebx`, `ecx`, `edx`, `esi`, `edi`,
/// `ebp` (the number, `esi` and `ebp` loaded from memory: see the header).
///
/// # Safety
/// As for [`syscall1`], for every argument.
///
/// # References
/// - [syscall(2)](https://man7.org/linux/man-pages/man2/syscall.2.html), "Architecture calling
///   conventions"
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall6(
    nr: usize,
    a0: usize,
    a1: usize,
    a2: usize,
    a3: usize,
    a4: usize,
    a5: usize,
) -> usize {
    let ret;
    let words: [usize; 3] = [nr, a3, a5];
    // SAFETY: as in `syscall0`; the argument registers are only read by the kernel. `words`
    // lives across the asm, which reads its 3 words through eax before eax takes the number.
    // esi and ebp are pushed before they are loaded and popped after the call, so both end
    // as they were; the stack is used for that (no `nostack`), and left as it was found.
    unsafe {
        core::arch::asm!(
            "push ebp",
            "push esi",
            "mov esi, [eax + 4]",
            "mov ebp, [eax + 8]",
            "mov eax, [eax]",
            "int 0x80",
            "pop esi",
            "pop ebp",
            inlateout("eax") words.as_ptr() => ret,
            in("ebx") a0, in("ecx") a1, in("edx") a2, in("edi") a4,
            options(preserves_flags),
        );
    }
    ret
}

/// The process entry point for [`entry!`](crate::entry!) (feature `entry`): `_start`, where the
/// kernel starts a static program with the stack pointer at argc (then argv, envp, auxv) and
/// nothing else set up, no return address and nothing to return to. It clears ebp (the
/// outermost frame), aligns esp to 16 bytes and pushes the initial stack pointer as the one
/// stack argument, so that esp is 16-byte aligned at the call as the i386 psABI wants, and
/// calls `__freepoll_start(sp)`, which never returns; the trap after the call is never reached.
#[cfg(feature = "entry")]
#[doc(hidden)]
#[macro_export]
macro_rules! __freepoll_start_asm {
    () => {
        core::arch::global_asm!(
            ".globl _start",
            ".type _start, %function",
            "_start:",
            "xor ebp, ebp",
            "mov eax, esp",
            "and esp, -16",
            "sub esp, 12",
            "push eax",
            "call __freepoll_start",
            "ud2",
        );
    };
}

/// `clone3(args, size)` or `clone(flags, stack, parent_tid, tls, child_tid)` (i386 has the
/// kernel's `CLONE_BACKWARDS` order; `nr` and `a0`..`a4` as for [`syscall5`]) where the child
/// starts on a new stack: the parent gets the raw return (the child's pid or `-errno`); the
/// child runs `child(arg)` on its new stack and never comes back here. Every architecture's
/// file has this stub, with this signature.
///
/// No register is left to carry `child` and `arg` through the call (six argument registers,
/// `eax` for the number), so they wait in a 4-word block in this frame with the number and
/// the fourth argument: `ebp` (saved on the stack first, with `esi`) points to it, `esi` is
/// loaded from it, then `eax`. The child, which gets a copy of every register but `eax` (0)
/// and `esp` (the new stack's top), reads `child` and `arg` through `ebp` before anything
/// else: the block is still there, since the parent's thread is either suspended in the
/// kernel inside this asm (`CLONE_VFORK`) or in another address space (no `CLONE_VM`). Then
/// it aligns `esp` to 16 bytes so that it is aligned at the `call` after `arg` is pushed, as
/// the i386 psABI wants, clears `ebp` (the outermost frame), calls `child(arg)`, and traps
/// (`ud2`) if it returns. The parent pops `esi` and `ebp` back.
///
/// The stub pushes onto the parent's stack: no `nostack`. `test` changes the flags.
///
/// # Safety
/// The `clone_run` contract, the same on every architecture (`arch/common.rs`).
#[allow(clippy::too_many_arguments)]
#[inline]
pub(crate) unsafe fn clone_run(
    nr: usize,
    a0: usize,
    a1: usize,
    a2: usize,
    a3: usize,
    a4: usize,
    child: unsafe extern "C" fn(*mut u8) -> !,
    arg: *mut u8,
) -> usize {
    let ret;
    let block: [usize; 4] = [nr, a3, child as usize, arg as usize];
    // SAFETY: the caller upholds the contract above. `block` lives across the asm, which
    // reads its words through eax and then ebp; esi and ebp are pushed before they are loaded
    // and popped after the call in the parent, so both end as they were; the parent's path
    // changes nothing else but eax (the result) and the flags. The child's path runs on the
    // new stack only and never returns into this function.
    unsafe {
        core::arch::asm!(
            "push ebp",
            "push esi",
            "mov ebp, eax",
            "mov esi, [ebp + 4]",
            "mov eax, [ebp]",
            "int 0x80",
            "test eax, eax",
            "jnz 2f",
            "mov ecx, [ebp + 12]",
            "mov edx, [ebp + 8]",
            "and esp, -16",
            "sub esp, 12",
            "push ecx",
            "xor ebp, ebp",
            "call edx",
            "ud2",
            "2:",
            "pop esi",
            "pop ebp",
            inlateout("eax") block.as_ptr() => ret,
            in("ebx") a0, in("ecx") a1, in("edx") a2, in("edi") a4,
        );
    }
    ret
}

// ---- vDSO ---------------------------------------------------------------------------------

/// The vDSO's `clock_gettime`: its name and symbol version
/// (`arch/x86/entry/vdso/vdso32/vdso32.lds.S`).
///
/// It is a C function, `int f(clockid_t, struct __kernel_timespec *)`, returning 0 or
/// `-errno`: the shared `vdso_clock_gettime` (`arch/common.rs`) calls it.
/// Linux 5.3 added it, the 64-bit `time_t` entry; older kernels' vDSOs have only
/// `__vdso_clock_gettime`, whose 32-bit `timespec` is not used: on them the lookup finds
/// nothing and the clock is read with the system call.
pub(crate) const VDSO_CLOCK_GETTIME: Option<(&[u8], &[u8])> =
    Some((b"__vdso_clock_gettime64", b"LINUX_2.6"));

/// `e_machine` of this architecture's ELF images, the vDSO's included: `EM_386`.
pub(crate) const ELF_MACHINE: u16 = 3;
