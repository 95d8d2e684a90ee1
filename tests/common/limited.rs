//! Running the binary under limits: a wall-clock deadline (the process is
//! killed and the test fails when it passes) and a cap on virtual memory
//! (`ulimit -v`), so that a regression fails the test instead of taking the
//! machine down. Included with `#[path]`.

#![allow(dead_code)]

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How a limited run ended.
pub struct Limited {
    /// `None`: killed by a signal (a crash, or out of memory).
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub elapsed: Duration,
}

impl Limited {
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

/// Run `tenantlint ARGS` in `dir` with `env`, under `deadline` and
/// `memory_mib` MiB of virtual memory.
pub fn run_limited(
    dir: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    deadline: Duration,
    memory_mib: u64,
) -> Limited {
    let bin = env!("CARGO_BIN_EXE_tenantlint");
    let script = format!("ulimit -v {} && exec \"$0\" \"$@\"", memory_mib * 1024);
    let mut command = Command::new("bash");
    command
        .arg("-c")
        .arg(script)
        .arg(bin)
        .args(args)
        .current_dir(dir)
        .env("RUST_BACKTRACE", "0")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("bash runs");
    // Drain the pipes on threads so that a big report cannot block the child.
    let mut out = child.stdout.take().expect("piped");
    let mut err = child.stderr.take().expect("piped");
    let out_thread = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let err_thread = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("tenantlint {args:?} did not finish within {deadline:?} (a hang?)");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Limited {
        code: status.code(),
        stdout: out_thread.join().expect("reader"),
        stderr: err_thread.join().expect("reader"),
        elapsed: started.elapsed(),
    }
}
