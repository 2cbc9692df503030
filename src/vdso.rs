//! The vDSO: the small shared object the kernel maps into every process, whose
//! `clock_gettime` reads the clocks in user space (tens of nanoseconds instead of a system
//! call's hundreds). [`clock_gettime`](crate::clock::clock_gettime) calls it when it is there.
//!
//! Finding it takes no C library: the kernel passes its address in the auxiliary vector
//! (`AT_SYSINFO_EHDR`), which is read, in this order, from
//! - the initial stack, when the program started through [`entry!`](crate::entry!) (its
//!   `_start` records the stack pointer; the auxiliary vector follows `envp`);
//! - `/proc/self/auxv`;
//! - `prctl(PR_GET_AUXV)` (Linux 6.4), where `/proc` is not mounted.
//!
//! `/proc/self/auxv` comes before `prctl`: the tools that run a program under their own
//! control (valgrind, qemu-user before 7.0) fake the file with the vector they gave the
//! program, but pass an unknown `prctl` through to the kernel, which answers with the tool's
//! own vector, whose vDSO address the program must not call.
//!
//! Then just enough of its ELF image is read to find the symbol the architecture's file names
//! (`arch/<arch>.rs`: `VDSO_CLOCK_GETTIME`), with its symbol version: the dynamic section, the
//! symbol count from `DT_HASH` (or `DT_GNU_HASH`), the symbol, string and version tables. The
//! image is read as a byte slice as long as its program headers say it is, and every offset
//! is checked against that length: an image that is malformed, of another class, byte order
//! or machine, or without the versioned symbol, means no vDSO, and every read is the system
//! call. Nothing panics, allocates or locks: the answer is computed once and kept in an atomic
//! (two threads that race compute it twice, to the same value).

use core::sync::atomic::{AtomicUsize, Ordering};

/// `clock_gettime` has not been looked up yet.
const UNKNOWN: usize = 0;
/// `clock_gettime` was looked up and is not there: the system call it is.
const ABSENT: usize = 1;

/// [`UNKNOWN`], [`ABSENT`], or the address of the vDSO's `clock_gettime` (a vDSO address is
/// never 0 or 1: the image starts on a page boundary above the first page).
static CLOCK_GETTIME: AtomicUsize = AtomicUsize::new(UNKNOWN);

/// The initial stack pointer, recorded by `entry!`'s start (0: not started through it).
static INITIAL_STACK: AtomicUsize = AtomicUsize::new(0);

/// Records the kernel's initial stack pointer, where the auxiliary vector can be found later.
/// One store: a program that never reads the clock pays nothing more.
#[cfg_attr(not(feature = "entry"), allow(dead_code))]
#[inline(always)]
pub(crate) fn record_initial_stack(sp: *const usize) {
    INITIAL_STACK.store(sp as usize, Ordering::Relaxed);
}

/// The address of the vDSO's `clock_gettime`, looked up on the first call; `None` when
/// there is none to use (no vDSO, an image that does not check out, Miri).
#[inline]
pub(crate) fn clock_gettime() -> Option<usize> {
    match CLOCK_GETTIME.load(Ordering::Relaxed) {
        UNKNOWN => resolve_clock_gettime(),
        ABSENT => None,
        f => Some(f),
    }
}

/// Looks the symbol up and caches the answer. Relaxed ordering is enough: the value is all a
/// reader needs (the code it points to was mapped by the kernel before the process started).
#[cold]
#[inline(never)]
fn resolve_clock_gettime() -> Option<usize> {
    let found = crate::arch::VDSO_CLOCK_GETTIME.and_then(|(name, version)| {
        let query = Query {
            name,
            version,
            machine: crate::arch::ELF_MACHINE,
            hash_entry: crate::arch::ELF_HASH_ENTRY,
        };
        // SAFETY: the address comes from the kernel's auxiliary vector entry AT_SYSINFO_EHDR.
        unsafe { find_in_mapping(sysinfo_ehdr()?, &query) }
    });
    CLOCK_GETTIME.store(found.unwrap_or(ABSENT), Ordering::Relaxed);
    found
}

/// The smallest page size of every architecture freepoll runs on: the vDSO is mapped in
/// whole pages from a page boundary, so at least this much of it is readable.
const MIN_PAGE: usize = 4096;

/// The address of `query`'s symbol in the vDSO mapped at `base`.
///
/// # Safety
/// `base` is the `AT_SYSINFO_EHDR` value the kernel gave this process: the start of the
/// vDSO's ELF image, mapped read-only from a page boundary for the life of the process, as
/// long as its program headers say (and at least one page).
unsafe fn find_in_mapping(base: usize, query: &Query) -> Option<usize> {
    if base % MIN_PAGE != 0 {
        return None;
    }
    // SAFETY: the vDSO is mapped from `base` (page-aligned, checked above) for at least one
    // page, never written and never unmapped (the caller's contract).
    let head = unsafe { core::slice::from_raw_parts(base as *const u8, MIN_PAGE) };
    let len = image_len(head, query)?;
    // SAFETY: the mapping covers the image as its program headers describe it, which
    // `image_len` measured (the caller's contract); read-only for the life of the process.
    let image = unsafe { core::slice::from_raw_parts(base as *const u8, len) };
    let offset = lookup(image, query)?;
    // `offset < len`, and `base + len` is mapped memory: no wrap.
    Some(base.wrapping_add(offset))
}

// ---- the auxiliary vector -----------------------------------------------------------------

/// `AT_NULL`: the end of the auxiliary vector.
const AT_NULL: usize = 0;
/// `AT_SYSINFO_EHDR`: the address of the vDSO's ELF header.
const AT_SYSINFO_EHDR: usize = 33;
/// `PR_GET_AUXV` (`include/uapi/linux/prctl.h`, Linux 6.4): copies the auxiliary vector.
const PR_GET_AUXV: usize = 0x4155_5856;
/// Bytes of auxiliary vector read: every kernel's vector is shorter (about 25 pairs), and
/// `AT_SYSINFO_EHDR` comes among its first entries anyway.
const AUXV_BYTES: usize = 1024;

/// The `AT_SYSINFO_EHDR` value from the first source that has the auxiliary vector.
fn sysinfo_ehdr() -> Option<usize> {
    let sp = INITIAL_STACK.load(Ordering::Relaxed);
    if sp != 0 {
        // SAFETY: a non-zero value was recorded by `entry!`'s start: the kernel's initial
        // stack pointer, whose layout `from_initial_stack` needs.
        return unsafe { from_initial_stack(sp as *const usize) };
    }
    let mut buf = [0u8; AUXV_BYTES];
    if let Some(len) = read_proc_auxv(&mut buf) {
        return buf.get(..len).and_then(sysinfo_ehdr_in);
    }
    // SAFETY: `buf` is valid for writes of `AUXV_BYTES` bytes, the length passed; the kernel
    // writes at most that many.
    let ret = unsafe {
        crate::arch::syscall5(
            crate::arch::nr::PRCTL,
            PR_GET_AUXV,
            buf.as_mut_ptr() as usize,
            AUXV_BYTES,
            0,
            0,
        )
    };
    // The return value is the whole vector's size; the copy stops at the buffer's.
    let full = crate::errno::decode_raw(ret).ok()?;
    buf.get(..full.min(AUXV_BYTES)).and_then(sysinfo_ehdr_in)
}

/// Reads `/proc/self/auxv` into `buf`: the length read, or `None` if it cannot be read.
fn read_proc_auxv(buf: &mut [u8; AUXV_BYTES]) -> Option<usize> {
    use crate::fs::{open, Mode, OFlags};
    let path = core::ffi::CStr::from_bytes_with_nul(b"/proc/self/auxv\0").ok()?;
    let fd = open(path, OFlags::RDONLY | OFlags::CLOEXEC, Mode::empty()).ok()?;
    let mut len = 0;
    loop {
        // `len <= AUXV_BYTES`: each read fills at most the rest.
        let rest = buf.get_mut(len..)?;
        if rest.is_empty() {
            break;
        }
        match crate::io::read(&fd, rest) {
            Ok(0) | Err(_) => break,
            Ok(n) => len = len.checked_add(n)?,
        }
    }
    Some(len)
}

/// The `AT_SYSINFO_EHDR` value in an auxiliary vector given as bytes (native-endian
/// word pairs), up to its `AT_NULL` or the end of the bytes; `None` if absent or 0.
pub(crate) fn sysinfo_ehdr_in(auxv: &[u8]) -> Option<usize> {
    for pair in auxv.chunks_exact(2 * W) {
        let (key, value) = pair.split_at(W);
        let key = usize::from_ne_bytes(key.try_into().ok()?);
        let value = usize::from_ne_bytes(value.try_into().ok()?);
        match key {
            AT_NULL => return None,
            AT_SYSINFO_EHDR => return if value == 0 { None } else { Some(value) },
            _ => {}
        }
    }
    None
}

/// The `AT_SYSINFO_EHDR` value from the initial stack at `sp`.
///
/// # Safety
/// `sp` is the stack pointer the kernel handed the process: argc, argv and its NULL, envp and
/// its NULL, then the auxiliary vector's pairs up to `AT_NULL`, all readable for the life of
/// the process.
unsafe fn from_initial_stack(sp: *const usize) -> Option<usize> {
    // SAFETY: the layout of the caller's contract: every word read below is at or before the
    // auxiliary vector's `AT_NULL` pair, which ends each walk.
    unsafe {
        let argc = sp.read();
        let mut p = sp.add(1).add(argc).add(1); // envp
        while p.read() != 0 {
            p = p.add(1);
        }
        p = p.add(1); // the auxiliary vector
        loop {
            match p.read() {
                AT_NULL => return None,
                AT_SYSINFO_EHDR => {
                    let value = p.add(1).read();
                    return if value == 0 { None } else { Some(value) };
                }
                _ => p = p.add(2),
            }
        }
    }
}

// ---- the ELF image ------------------------------------------------------------------------

/// What to look for, and what the image must be.
pub(crate) struct Query {
    /// The symbol's name, without NUL.
    pub(crate) name: &'static [u8],
    /// The version it must have (the name of a version definition), without NUL.
    pub(crate) version: &'static [u8],
    /// `e_machine` of this architecture.
    pub(crate) machine: u16,
    /// The size of a `DT_HASH` table entry: 4, or 8 on s390x.
    pub(crate) hash_entry: usize,
}

/// The width of an address: ELFCLASS64 images on 64-bit targets, ELFCLASS32 on 32-bit ones.
const W: usize = core::mem::size_of::<usize>();
/// `EI_CLASS` of this target's images: `ELFCLASS64` (2) or `ELFCLASS32` (1).
const CLASS: u8 = if W == 8 { 2 } else { 1 };
/// `EI_DATA` of this target's images: `ELFDATA2LSB` (1) or `ELFDATA2MSB` (2).
const DATA: u8 = if u16::from_ne_bytes([1, 0]) == 1 {
    1
} else {
    2
};
/// `sizeof(ElfN_Ehdr)`.
const EHDR_SIZE: usize = if W == 8 { 64 } else { 52 };
/// `sizeof(ElfN_Phdr)`.
const PHDR_SIZE: usize = if W == 8 { 56 } else { 32 };
/// `sizeof(ElfN_Sym)`.
const SYM_SIZE: usize = if W == 8 { 24 } else { 16 };
/// `sizeof(ElfN_Dyn)`.
const DYN_SIZE: usize = 2 * W;
/// `sizeof(ElfN_Verdef)`, both classes.
const VERDEF_SIZE: usize = 20;
/// The longest version definition chain followed (a kernel's vDSO has two or three).
const MAX_VERDEFS: usize = 64;

const ET_DYN: u16 = 3;
const PT_LOAD: u32 = 1;
const PT_DYNAMIC: u32 = 2;
const DT_NULL: usize = 0;
const DT_HASH: usize = 4;
const DT_STRTAB: usize = 5;
const DT_SYMTAB: usize = 6;
const DT_STRSZ: usize = 10;
const DT_GNU_HASH: usize = 0x6fff_fef5;
const DT_VERSYM: usize = 0x6fff_fff0;
const DT_VERDEF: usize = 0x6fff_fffc;
const STT_NOTYPE: u8 = 0;
const STT_FUNC: u8 = 2;
const STB_GLOBAL: u8 = 1;
const STB_WEAK: u8 = 2;
const VER_FLG_BASE: u16 = 1;

/// Native-endian reads from the image, each `None` past its end.
struct Image<'a>(&'a [u8]);

impl Image<'_> {
    fn bytes<const N: usize>(&self, at: usize) -> Option<[u8; N]> {
        self.0.get(at..at.checked_add(N)?)?.try_into().ok()
    }
    fn u8(&self, at: usize) -> Option<u8> {
        self.0.get(at).copied()
    }
    fn u16(&self, at: usize) -> Option<u16> {
        self.bytes(at).map(u16::from_ne_bytes)
    }
    fn u32(&self, at: usize) -> Option<u32> {
        self.bytes(at).map(u32::from_ne_bytes)
    }
    /// An `ElfN_Addr`, `ElfN_Off`, `ElfN_Word`-sized `d_val` or `d_tag`: the target's width.
    fn word(&self, at: usize) -> Option<usize> {
        self.bytes(at).map(usize::from_ne_bytes)
    }
    /// A `u32` field as a `usize` (lossless on every target freepoll has).
    fn u32_usize(&self, at: usize) -> Option<usize> {
        usize::try_from(self.u32(at)?).ok()
    }
    /// Whether the NUL-terminated string at `at`, within `limit`, is `s`.
    fn str_is(&self, at: usize, limit: usize, s: &[u8]) -> bool {
        let end = match at.checked_add(s.len()) {
            Some(end) if end < limit => end,
            _ => return false,
        };
        self.0.get(at..end) == Some(s) && self.u8(end) == Some(0)
    }
}

/// The header's checks and the program header table: (e_phoff, e_phnum), each header
/// inside `head`.
fn program_headers(head: &Image<'_>, query: &Query) -> Option<(usize, usize)> {
    if head.bytes::<4>(0)? != *b"\x7fELF"
        || head.u8(4)? != CLASS
        || head.u8(5)? != DATA
        || head.u8(6)? != 1
        || head.u16(16)? != ET_DYN
        || head.u16(18)? != query.machine
    {
        return None;
    }
    let phoff = head.word(24_usize.checked_add(W)?)?;
    let at = 24_usize.checked_add(W.checked_mul(3)?)?.checked_add(6)?;
    let phentsize = usize::from(head.u16(at)?);
    let phnum = usize::from(head.u16(at.checked_add(2)?)?);
    let end = phoff.checked_add(phnum.checked_mul(PHDR_SIZE)?)?;
    if phentsize != PHDR_SIZE || phoff < EHDR_SIZE || end > head.0.len() {
        return None;
    }
    Some((phoff, phnum))
}

/// One program header: (p_type, p_offset, p_vaddr, p_filesz).
fn program_header(image: &Image<'_>, phoff: usize, i: usize) -> Option<(u32, usize, usize, usize)> {
    let ph = phoff.checked_add(i.checked_mul(PHDR_SIZE)?)?;
    Some((
        image.u32(ph)?,
        image.word(ph.checked_add(W)?)?,
        image.word(ph.checked_add(2 * W)?)?,
        image.word(ph.checked_add(4 * W)?)?,
    ))
}

/// The length of the image that starts `head` (at least its ELF header and program header
/// table): the end of its furthest `PT_LOAD` segment's file bytes. `None` if the header does
/// not check out (magic, class, byte order, version, type, machine, program header size) or
/// its program header table is not within `head`.
pub(crate) fn image_len(head: &[u8], query: &Query) -> Option<usize> {
    let head = Image(head);
    let (phoff, phnum) = program_headers(&head, query)?;
    let mut len = phoff.checked_add(phnum.checked_mul(PHDR_SIZE)?)?;
    for i in 0..phnum {
        let (kind, offset, _, filesz) = program_header(&head, phoff, i)?;
        if kind == PT_LOAD {
            len = len.max(offset.checked_add(filesz)?);
        }
    }
    Some(len)
}

/// The offset in `image` of the symbol `query` names, with its version. `None` if the image
/// is malformed anywhere on the way, or lacks the symbol or the version.
pub(crate) fn lookup(bytes: &[u8], query: &Query) -> Option<usize> {
    let image = Image(bytes);
    let (phoff, phnum) = program_headers(&image, query)?;
    // The first PT_LOAD maps the image (a vDSO has one); PT_DYNAMIC is within it.
    let mut load = None;
    let mut dynamic = None;
    for i in 0..phnum {
        let (kind, offset, vaddr, filesz) = program_header(&image, phoff, i)?;
        if kind == PT_LOAD && load.is_none() {
            load = Some((offset, vaddr, filesz));
        } else if kind == PT_DYNAMIC {
            dynamic = Some((offset, filesz));
        }
    }
    let (load_offset, load_vaddr, load_filesz) = load?;
    let (dyn_offset, dyn_size) = dynamic?;
    // An address as the image links it, to an offset in `bytes`: inside the PT_LOAD segment,
    // and inside `bytes` (each read checks the rest).
    let offset_of = |vaddr: usize| -> Option<usize> {
        let rel = vaddr.checked_sub(load_vaddr)?;
        if rel >= load_filesz {
            return None;
        }
        let offset = load_offset.checked_add(rel)?;
        if offset >= bytes.len() {
            return None;
        }
        Some(offset)
    };

    let (mut hash, mut gnu_hash, mut strtab, mut strsz, mut symtab) =
        (None, None, None, None, None);
    let (mut versym, mut verdef) = (None, None);
    for i in 0..dyn_size / DYN_SIZE {
        let at = dyn_offset.checked_add(i.checked_mul(DYN_SIZE)?)?;
        let value = image.word(at.checked_add(W)?)?;
        match image.word(at)? {
            DT_NULL => break,
            DT_HASH => hash = Some(offset_of(value)?),
            DT_GNU_HASH => gnu_hash = Some(offset_of(value)?),
            DT_STRTAB => strtab = Some(offset_of(value)?),
            DT_STRSZ => strsz = Some(value),
            DT_SYMTAB => symtab = Some(offset_of(value)?),
            DT_VERSYM => versym = Some(offset_of(value)?),
            DT_VERDEF => verdef = Some(offset_of(value)?),
            _ => {}
        }
    }
    let (strtab, symtab, versym, verdef) = (strtab?, symtab?, versym?, verdef?);
    // The end of the string table: DT_STRSZ when given, the image's end otherwise.
    let strings_end = match strsz {
        Some(size) => strtab.checked_add(size)?.min(bytes.len()),
        None => bytes.len(),
    };
    let count = match (hash, gnu_hash) {
        (Some(hash), _) => hash_symbols(&image, hash, query.hash_entry)?,
        (None, Some(gnu)) => gnu_hash_symbols(&image, gnu)?,
        (None, None) => return None,
    };
    // Every symbol counted must be inside the image.
    if count.checked_mul(SYM_SIZE)?.checked_add(symtab)? > bytes.len() {
        return None;
    }

    let (info_at, shndx_at, value_at) = if W == 8 { (4, 6, 8) } else { (12, 14, 4) };
    for i in 0..count {
        let sym = symtab.checked_add(i.checked_mul(SYM_SIZE)?)?;
        let info = image.u8(sym.checked_add(info_at)?)?;
        let kind = info & 0xf;
        let bind = info >> 4;
        if (kind != STT_FUNC && kind != STT_NOTYPE)
            || (bind != STB_GLOBAL && bind != STB_WEAK)
            || image.u16(sym.checked_add(shndx_at)?)? == 0
        {
            continue;
        }
        let name = strtab.checked_add(image.u32_usize(sym)?)?;
        if !image.str_is(name, strings_end, query.name) {
            continue;
        }
        let index = image.u16(versym.checked_add(i.checked_mul(2)?)?)? & 0x7fff;
        if !has_version(&image, verdef, index, strtab, strings_end, query.version)? {
            continue;
        }
        return offset_of(image.word(sym.checked_add(value_at)?)?);
    }
    None
}

/// The number of symbols, from `DT_HASH`'s `nchain` (the second entry, `entry` bytes wide).
fn hash_symbols(image: &Image<'_>, hash: usize, entry: usize) -> Option<usize> {
    let at = hash.checked_add(entry)?;
    match entry {
        4 => image.u32_usize(at),
        8 => usize::try_from(u64::from_ne_bytes(image.bytes(at)?)).ok(),
        _ => None,
    }
}

/// The number of symbols, from `DT_GNU_HASH`: one past the last symbol of the chain that
/// starts at the highest bucket (chains end with an entry whose low bit is set).
fn gnu_hash_symbols(image: &Image<'_>, gnu: usize) -> Option<usize> {
    let nbuckets = image.u32_usize(gnu)?;
    let symoffset = image.u32_usize(gnu.checked_add(4)?)?;
    let bloom_words = image.u32_usize(gnu.checked_add(8)?)?;
    let buckets = gnu
        .checked_add(16)?
        .checked_add(bloom_words.checked_mul(W)?)?;
    let chains = buckets.checked_add(nbuckets.checked_mul(4)?)?;
    if chains > image.0.len() {
        return None;
    }
    let mut last = 0;
    for b in 0..nbuckets {
        last = last.max(image.u32_usize(buckets.checked_add(b.checked_mul(4)?)?)?);
    }
    if last == 0 {
        return Some(symoffset);
    }
    // Each step reads one more chain entry inside the image, so the walk ends.
    let mut i = last;
    loop {
        let at = chains.checked_add(i.checked_sub(symoffset)?.checked_mul(4)?)?;
        if image.u32(at)? & 1 == 1 {
            return i.checked_add(1);
        }
        i = i.checked_add(1)?;
    }
}

/// Whether version index `index` is defined in the `DT_VERDEF` chain at `verdef` with the name
/// `version`; `None` if the chain leaves the image.
fn has_version(
    image: &Image<'_>,
    verdef: usize,
    index: u16,
    strtab: usize,
    strings_end: usize,
    version: &[u8],
) -> Option<bool> {
    let mut at = verdef;
    for _ in 0..MAX_VERDEFS {
        if at.checked_add(VERDEF_SIZE)? > image.0.len() {
            return None;
        }
        let flags = image.u16(at.checked_add(2)?)?;
        let ndx = image.u16(at.checked_add(4)?)?;
        if ndx == index && flags & VER_FLG_BASE == 0 {
            // The first auxiliary entry names the version.
            let aux = at.checked_add(image.u32_usize(at.checked_add(12)?)?)?;
            let name = strtab.checked_add(image.u32_usize(aux)?)?;
            return Some(image.str_is(name, strings_end, version));
        }
        let next = image.u32_usize(at.checked_add(16)?)?;
        if next == 0 {
            return Some(false);
        }
        at = at.checked_add(next)?;
    }
    Some(false)
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::string::String;
    use std::vec::Vec;
    use std::{eprintln, vec};

    /// What the tests look for: this architecture's machine and hash entry size, and the
    /// x86_64 name and version (any pair serves the parser).
    const QUERY: Query = Query {
        name: b"__vdso_clock_gettime",
        version: b"LINUX_2.6",
        machine: crate::arch::ELF_MACHINE,
        hash_entry: crate::arch::ELF_HASH_ENTRY,
    };

    /// Where the synthetic image is linked: not 0, so that the address translation is tested.
    const VBASE: usize = 0x8000;
    /// The synthetic image's layout (offsets).
    const PHOFF: usize = EHDR_SIZE;
    const HASH: usize = 0x100;
    const SYMTAB: usize = 0x140;
    const STRTAB: usize = 0x1a0;
    const VERSYM: usize = 0x1e0;
    const VERDEF: usize = 0x1f0;
    const DYNAMIC: usize = 0x240;
    const TEXT: usize = 0x2c0;
    const LEN: usize = 0x300;
    const STRINGS: &[u8] = b"\0__vdso_clock_gettime\0LINUX_2.6\0other\0base\0";
    const NAME: usize = 1;
    const VERSION: usize = 22;
    const OTHER: usize = 32;
    const BASE_NAME: usize = 38;

    fn put(image: &mut [u8], at: usize, bytes: &[u8]) {
        image[at..at + bytes.len()].copy_from_slice(bytes);
    }
    fn put_word(image: &mut [u8], at: usize, value: usize) {
        put(image, at, &value.to_ne_bytes());
    }
    fn put_hash_entry(image: &mut [u8], at: usize, value: usize) {
        if QUERY.hash_entry == 8 {
            put(image, at, &(value as u64).to_ne_bytes());
        } else {
            put(image, at, &(value as u32).to_ne_bytes());
        }
    }

    /// A symbol: name offset, value, info (FUNC, GLOBAL unless told), section 1.
    fn put_symbol(image: &mut [u8], i: usize, name: u32, value: usize, info: u8) {
        let at = SYMTAB + i * SYM_SIZE;
        put(image, at, &name.to_ne_bytes());
        let (info_at, shndx_at, value_at) = if W == 8 { (4, 6, 8) } else { (12, 14, 4) };
        image[at + info_at] = info;
        put(image, at + shndx_at, &1u16.to_ne_bytes());
        put_word(image, at + value_at, value);
    }

    /// A minimal vDSO-shaped image for this target: one PT_LOAD, a PT_DYNAMIC, a DT_HASH
    /// with three symbols (the null one, `other`, the clock function at TEXT), both of
    /// version 2 (`LINUX_2.6`; version 1 is the base).
    fn synthetic() -> Vec<u8> {
        let mut image = vec![0u8; LEN];
        put(&mut image, 0, b"\x7fELF");
        image[4] = CLASS;
        image[5] = DATA;
        image[6] = 1;
        put(&mut image, 16, &ET_DYN.to_ne_bytes());
        put(&mut image, 18, &QUERY.machine.to_ne_bytes());
        put_word(&mut image, 24 + W, PHOFF);
        let at = 24 + 3 * W + 6;
        put(&mut image, at, &(PHDR_SIZE as u16).to_ne_bytes());
        put(&mut image, at + 2, &2u16.to_ne_bytes());
        for (i, (kind, offset, size)) in [(PT_LOAD, 0, LEN), (PT_DYNAMIC, DYNAMIC, 8 * DYN_SIZE)]
            .into_iter()
            .enumerate()
        {
            let ph = PHOFF + i * PHDR_SIZE;
            put(&mut image, ph, &kind.to_ne_bytes());
            put_word(&mut image, ph + W, offset);
            put_word(&mut image, ph + 2 * W, VBASE + offset);
            put_word(&mut image, ph + 4 * W, size);
        }
        // DT_HASH: nbucket 1, nchain 3, bucket, chains.
        for (i, v) in [1, 3, 2, 0, 0, 1].into_iter().enumerate() {
            put_hash_entry(&mut image, HASH + i * QUERY.hash_entry, v);
        }
        put_symbol(&mut image, 1, OTHER as u32, VBASE + TEXT + 0x20, 0x12);
        put_symbol(&mut image, 2, NAME as u32, VBASE + TEXT, 0x12);
        put(&mut image, STRTAB, STRINGS);
        for (i, v) in [0u16, 2, 2].into_iter().enumerate() {
            put(&mut image, VERSYM + 2 * i, &v.to_ne_bytes());
        }
        // Two version definitions, each with one auxiliary entry right after it.
        for (i, (flags, ndx, name, next)) in
            [(VER_FLG_BASE, 1u16, BASE_NAME, 28u32), (0, 2, VERSION, 0)]
                .into_iter()
                .enumerate()
        {
            let at = VERDEF + 28 * i;
            put(&mut image, at, &1u16.to_ne_bytes());
            put(&mut image, at + 2, &flags.to_ne_bytes());
            put(&mut image, at + 4, &ndx.to_ne_bytes());
            put(&mut image, at + 6, &1u16.to_ne_bytes());
            put(&mut image, at + 12, &20u32.to_ne_bytes());
            put(&mut image, at + 16, &next.to_ne_bytes());
            put(&mut image, at + 20, &(name as u32).to_ne_bytes());
        }
        let dynamic = [
            (DT_HASH, VBASE + HASH),
            (DT_STRTAB, VBASE + STRTAB),
            (DT_STRSZ, STRINGS.len()),
            (DT_SYMTAB, VBASE + SYMTAB),
            (DT_VERSYM, VBASE + VERSYM),
            (DT_VERDEF, VBASE + VERDEF),
            (DT_NULL, 0),
        ];
        for (i, (tag, value)) in dynamic.into_iter().enumerate() {
            put_word(&mut image, DYNAMIC + i * DYN_SIZE, tag);
            put_word(&mut image, DYNAMIC + i * DYN_SIZE + W, value);
        }
        image
    }

    /// Replaces the dynamic entry with tag `tag` by `(new_tag, value)`.
    fn set_dynamic(image: &mut [u8], tag: usize, new_tag: usize, value: usize) {
        let i = (0..8)
            .find(|i| {
                usize::from_ne_bytes(image[DYNAMIC + i * DYN_SIZE..][..W].try_into().unwrap())
                    == tag
            })
            .unwrap();
        put_word(image, DYNAMIC + i * DYN_SIZE, new_tag);
        put_word(image, DYNAMIC + i * DYN_SIZE + W, value);
    }

    /// The answer for `image`, checked to be in bounds whenever there is one.
    fn find(image: &[u8]) -> Option<usize> {
        let found = lookup(image, &QUERY);
        if let Some(offset) = found {
            assert!(offset < image.len());
        }
        found
    }

    #[test]
    fn a_well_formed_image_gives_the_symbol_offset() {
        let image = synthetic();
        assert_eq!(image_len(&image, &QUERY), Some(LEN));
        assert_eq!(find(&image), Some(TEXT));
    }

    #[test]
    fn a_gnu_hash_table_counts_the_symbols_as_well() {
        let mut image = synthetic();
        // nbuckets 1, symoffset 1, one bloom word, shift 0; bucket 1; chain: symbol 1 goes
        // on, symbol 2 ends it.
        let gnu = HASH;
        put(&mut image, gnu, &1u32.to_ne_bytes());
        put(&mut image, gnu + 4, &1u32.to_ne_bytes());
        put(&mut image, gnu + 8, &1u32.to_ne_bytes());
        put(&mut image, gnu + 12, &0u32.to_ne_bytes());
        put_word(&mut image, gnu + 16, usize::MAX);
        put(&mut image, gnu + 16 + W, &1u32.to_ne_bytes());
        put(&mut image, gnu + 20 + W, &0x10u32.to_ne_bytes());
        put(&mut image, gnu + 24 + W, &0x11u32.to_ne_bytes());
        set_dynamic(&mut image, DT_HASH, DT_GNU_HASH, VBASE + gnu);
        assert_eq!(find(&image), Some(TEXT));
        // A chain with no end runs off the image: nothing.
        put(&mut image, gnu + 24 + W, &0x10u32.to_ne_bytes());
        image[gnu + 28 + W..].fill(0);
        assert_eq!(find(&image), None);
    }

    #[test]
    fn every_truncation_is_rejected_or_in_bounds() {
        let image = synthetic();
        for len in 0..LEN {
            let found = find(&image[..len]);
            assert!(
                found.is_none() || len > TEXT,
                "truncated to {len}: {found:?}"
            );
            assert!(image_len(&image[..len], &QUERY).map_or(true, |l| l == LEN));
        }
    }

    #[test]
    fn every_corrupted_byte_is_rejected_or_in_bounds() {
        let good = synthetic();
        for at in 0..LEN {
            for flip in [0xff, 0x80, 0x01] {
                let mut image = good.clone();
                image[at] ^= flip;
                let _ = find(&image);
                let _ = image_len(&image, &QUERY);
            }
        }
    }

    #[test]
    fn another_class_byte_order_or_machine_is_rejected() {
        for (at, value) in [(4, 3 - CLASS), (5, 3 - DATA), (0, b'E')] {
            let mut image = synthetic();
            image[at] = value;
            assert_eq!(find(&image), None, "byte {at} = {value}");
            assert_eq!(image_len(&image, &QUERY), None);
        }
        let mut image = synthetic();
        put(&mut image, 18, &(QUERY.machine ^ 1).to_ne_bytes());
        assert_eq!(find(&image), None);
    }

    #[test]
    fn offsets_outside_the_image_are_rejected() {
        // Program headers past the end.
        let mut image = synthetic();
        put_word(&mut image, 24 + W, LEN - 8);
        assert_eq!(find(&image), None);
        assert_eq!(image_len(&image, &QUERY), None);
        // A table address outside the PT_LOAD segment, or before it.
        for tag in [DT_SYMTAB, DT_STRTAB, DT_VERSYM, DT_VERDEF, DT_HASH] {
            for value in [VBASE + LEN, VBASE - 1, usize::MAX] {
                let mut image = synthetic();
                set_dynamic(&mut image, tag, tag, value);
                assert_eq!(find(&image), None, "tag {tag:#x} at {value:#x}");
            }
        }
        // The symbol's value outside the segment.
        let mut image = synthetic();
        put_symbol(&mut image, 2, NAME as u32, VBASE + LEN, 0x12);
        assert_eq!(find(&image), None);
        // A string offset past the string table.
        let mut image = synthetic();
        put_symbol(&mut image, 2, u32::MAX, VBASE + TEXT, 0x12);
        assert_eq!(find(&image), None);
    }

    #[test]
    fn a_hash_count_past_the_image_is_rejected() {
        let mut image = synthetic();
        put_hash_entry(&mut image, HASH + QUERY.hash_entry, 0xffff);
        assert_eq!(find(&image), None);
    }

    #[test]
    fn a_missing_or_other_version_is_rejected() {
        // The symbol's version index names no definition.
        let mut image = synthetic();
        put(&mut image, VERSYM + 4, &7u16.to_ne_bytes());
        assert_eq!(find(&image), None);
        // It names the base definition, which is no version to match.
        put(&mut image, VERSYM + 4, &1u16.to_ne_bytes());
        assert_eq!(find(&image), None);
        // The definition's name is another version.
        let mut image = synthetic();
        image[STRTAB + VERSION + 8] = b'7';
        assert_eq!(find(&image), None);
        // No version tables at all.
        for tag in [DT_VERSYM, DT_VERDEF] {
            let mut image = synthetic();
            set_dynamic(&mut image, tag, 0x7000_0000, 0);
            assert_eq!(find(&image), None);
        }
        // A definition chain that leaves the image.
        let mut image = synthetic();
        put(&mut image, VERDEF + 16, &0x1_0000u32.to_ne_bytes());
        assert_eq!(find(&image), None);
    }

    #[test]
    fn a_local_or_undefined_or_data_symbol_is_not_taken() {
        for (info, shndx) in [(0x02, 1u16), (0x11, 1), (0x12, 0)] {
            let mut image = synthetic();
            put_symbol(&mut image, 2, NAME as u32, VBASE + TEXT, info);
            let at = SYMTAB + 2 * SYM_SIZE + if W == 8 { 6 } else { 14 };
            put(&mut image, at, &shndx.to_ne_bytes());
            assert_eq!(find(&image), None, "info {info:#x}, section {shndx}");
        }
    }

    /// The lookup in place, as on the process's own mapping: a page-aligned copy of the
    /// synthetic image gives its function's address; a corrupted one, or a base that is not
    /// page-aligned, gives none.
    #[test]
    fn the_lookup_in_a_mapping_checks_the_image_first() {
        let mut pages = vec![0u8; 3 * MIN_PAGE];
        let start = pages.as_ptr() as usize;
        let skip = (MIN_PAGE - start % MIN_PAGE) % MIN_PAGE;
        let base = start + skip;
        pages[skip..skip + LEN].copy_from_slice(&synthetic());
        // SAFETY: `base` is page-aligned with at least one page of `pages` after it, which
        // holds the image as its program headers describe it and outlives the calls.
        assert_eq!(unsafe { find_in_mapping(base, &QUERY) }, Some(base + TEXT));
        // SAFETY: as above; one byte further is still inside `pages` for a page.
        assert_eq!(unsafe { find_in_mapping(base + 8, &QUERY) }, None);
        pages[skip + 4] = 3 - CLASS;
        // SAFETY: as above.
        assert_eq!(unsafe { find_in_mapping(base, &QUERY) }, None);
    }

    fn auxv(pairs: &[(usize, usize)]) -> Vec<u8> {
        pairs
            .iter()
            .flat_map(|&(k, v)| k.to_ne_bytes().into_iter().chain(v.to_ne_bytes()))
            .collect()
    }

    #[test]
    fn the_auxiliary_vector_gives_sysinfo_ehdr_up_to_at_null() {
        assert_eq!(
            sysinfo_ehdr_in(&auxv(&[(6, 4096), (33, 0x7000), (0, 0)])),
            Some(0x7000)
        );
        // Absent, zero, after AT_NULL, or cut in the middle of its pair: none.
        assert_eq!(sysinfo_ehdr_in(&auxv(&[(6, 4096), (0, 0)])), None);
        assert_eq!(sysinfo_ehdr_in(&auxv(&[(33, 0), (0, 0)])), None);
        assert_eq!(sysinfo_ehdr_in(&auxv(&[(0, 0), (33, 0x7000)])), None);
        let cut = auxv(&[(6, 4096), (33, 0x7000)]);
        assert_eq!(sysinfo_ehdr_in(&cut[..cut.len() - 1]), None);
        assert_eq!(sysinfo_ehdr_in(&[]), None);
    }

    #[test]
    fn the_initial_stack_walk_finds_the_auxiliary_vector() {
        let stack: [usize; 11] = [2, 11, 12, 0, 21, 0, 6, 4096, 33, 0x7000, 0];
        // SAFETY: laid out as the kernel's initial stack: argc 2, argv and NULL, one envp
        // entry and NULL, the vector up to AT_NULL (the strings are never read).
        assert_eq!(unsafe { from_initial_stack(stack.as_ptr()) }, Some(0x7000));
        let stack: [usize; 6] = [0, 0, 0, 6, 4096, 0];
        // SAFETY: as above, with no arguments, no environment and no AT_SYSINFO_EHDR.
        assert_eq!(unsafe { from_initial_stack(stack.as_ptr()) }, None);
    }

    /// The running process's own vDSO, copied out of its mapping, parses, and the lookup
    /// in place finds the same function.
    #[test]
    #[cfg_attr(miri, ignore = "no vDSO under Miri")]
    fn the_real_vdso_image_parses() {
        // (No let-else: src/ parses with Rust 1.65.)
        let (name, version) = match crate::arch::VDSO_CLOCK_GETTIME {
            Some(symbol) => symbol,
            None => return,
        };
        let query = Query {
            name,
            version,
            ..QUERY
        };
        // SAFETY: getauxval reads the process's auxiliary vector.
        let base = unsafe { libc::getauxval(libc::AT_SYSINFO_EHDR) } as usize;
        if base == 0 {
            eprintln!("skipped: no vDSO mapped in this process (an emulator)");
            return;
        }
        // SAFETY: the kernel maps at least one page of the vDSO at `base`, read-only.
        let head = unsafe { core::slice::from_raw_parts(base as *const u8, MIN_PAGE) };
        let len = image_len(head, &query).expect("the vDSO's header checks out");
        // SAFETY: the mapping covers the image as its program headers describe it.
        let copy = unsafe { core::slice::from_raw_parts(base as *const u8, len) }.to_vec();
        match lookup(&copy, &query) {
            Some(offset) => {
                assert_eq!(crate::vdso::clock_gettime(), Some(base + offset));
            }
            None => {
                // i686 before Linux 5.3 and armv7 before 5.5 lack the 64-bit-time function.
                eprintln!(
                    "skipped: this vDSO has no {}",
                    String::from_utf8_lossy(name)
                );
                assert_eq!(crate::vdso::clock_gettime(), None);
            }
        }
    }
}
