use std::alloc::{GlobalAlloc, Layout, System};

fn main() {
    std::process::exit(tenantlint::cli::main());
}

/// The system allocator, except that running out of memory (an input too
/// big for a `ulimit -v` or a container's limit) ends the run with exit
/// code 2 and a message, as every other error does (SPEC §1), instead of
/// Rust's abort (exit 134, a crash to CI).
struct ExitOnOutOfMemory;

#[global_allocator]
static ALLOCATOR: ExitOnOutOfMemory = ExitOnOutOfMemory;

// SAFETY: every call is passed on unchanged to the system allocator; only
// a null result (failure) is acted upon, and then the process ends.
unsafe impl GlobalAlloc for ExitOnOutOfMemory {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is the system allocator's.
        let p = unsafe { System.alloc(layout) };
        if p.is_null() {
            out_of_memory(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        if p.is_null() {
            out_of_memory(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator, that is from `System`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `dealloc`.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if p.is_null() {
            out_of_memory(new_size);
        }
        p
    }
}

/// Say so on stderr and exit 2, allocating nothing (stderr is unbuffered;
/// the message is formatted on the stack) and running no exit handlers,
/// which could allocate again.
#[cold]
fn out_of_memory(size: usize) -> ! {
    use std::io::Write;
    let mut buf = [0u8; 512];
    let mut w = &mut buf[..];
    let _ = writeln!(
        w,
        "error: out of memory: an allocation of {size} bytes failed; the input is too big \
         for the memory this run may use (lint fewer files at a time, or allow more memory)"
    );
    let left = w.len();
    let n = buf.len() - left;
    let _ = std::io::stderr().write_all(&buf[..n]);
    exit_now(2)
}

#[cfg(unix)]
fn exit_now(code: i32) -> ! {
    unsafe extern "C" {
        safe fn _exit(status: i32) -> !;
    }
    _exit(code)
}

#[cfg(not(unix))]
fn exit_now(code: i32) -> ! {
    std::process::exit(code)
}
