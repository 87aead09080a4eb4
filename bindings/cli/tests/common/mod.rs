//! What the CLI's test files share: running a command that must succeed, and a FIFO fed
//! by a thread.

#![allow(dead_code)] // each test file uses a part

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::thread::JoinHandle;

/// Runs `cmd` and returns its output, failing the test with its stderr unless it
/// succeeded.
pub fn succeed(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Makes a FIFO at `path`.
pub fn mkfifo(path: &Path) {
    assert!(Command::new("mkfifo").arg(path).status().unwrap().success());
}

/// A FIFO at `path` that a thread fills with `bytes` as soon as a reader opens it; join
/// the handle once the reader is done.
pub fn fifo_with(path: &Path, bytes: Vec<u8>) -> JoinHandle<()> {
    mkfifo(path);
    let path: PathBuf = path.to_path_buf();
    std::thread::spawn(move || std::fs::write(path, bytes).unwrap())
}
