//! Output files are written whole or not at all: a file-size limit hit during `merge -o`
//! and an interrupt (SIGINT, SIGTERM) during `trace perfetto -o` leave OUT with its old
//! contents and no temporary file beside it.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_gprofops")
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/data")
}

/// A fresh directory holding OUT with `old` in it.
fn dir_with_out(name: &str, old: &[u8]) -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("gprofops-outputs-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("out");
    std::fs::write(&out, old).unwrap();
    (dir, out)
}

/// The names in `dir` other than `keep`.
fn others(dir: &Path, keep: &[&str]) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !keep.contains(&n.as_str()))
        .collect()
}

#[test]
fn a_file_size_limit_during_merge_leaves_out_as_it_was() {
    let (dir, out) = dir_with_out("fsize", b"old contents");
    let heap = examples().join("heap.pb.gz");
    // 4 blocks of 512 bytes: less than the merged heap profile's gzip.
    assert!(std::fs::metadata(&heap).unwrap().len() > 2048);
    let script = format!(
        "ulimit -f 4; exec '{}' merge -o '{}' '{}' '{}'",
        bin(),
        out.display(),
        heap.display(),
        heap.display()
    );
    let r = Command::new("sh").arg("-c").arg(&script).output().unwrap();
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("writing") && stderr.contains("File too large"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&out).unwrap(), b"old contents");
    assert_eq!(others(&dir, &["out"]), Vec::<String>::new());
    // Without the limit the same command replaces OUT.
    common::succeed(
        Command::new(bin())
            .args(["merge", "-o"])
            .arg(&out)
            .args([&heap, &heap]),
    );
    assert_ne!(std::fs::read(&out).unwrap(), b"old contents");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg(unix)]
#[test]
fn an_interrupt_during_an_export_leaves_out_as_it_was() {
    for (signal, code) in [("INT", 130), ("TERM", 143)] {
        let (dir, out) = dir_with_out(&format!("sig{signal}"), b"old contents");
        // The export opens its output, then waits for the trace on a FIFO that nobody
        // writes: the interrupt arrives while the temporary file is there.
        let fifo = dir.join("trace.fifo");
        assert!(
            Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        let mut child = Command::new(bin())
            .args(["trace", "perfetto", "-o"])
            .arg(&out)
            .arg(&fifo)
            .spawn()
            .unwrap();
        while others(&dir, &["out", "trace.fifo"]).is_empty() {
            assert!(
                child.try_wait().unwrap().is_none(),
                "the export ended early"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let tmp = others(&dir, &["out", "trace.fifo"]);
        assert!(
            tmp[0].starts_with(".out.") && tmp[0].ends_with(".tmp"),
            "{tmp:?}"
        );
        let killed = Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(code), "SIG{signal}");
        assert_eq!(std::fs::read(&out).unwrap(), b"old contents");
        assert_eq!(others(&dir, &["out", "trace.fifo"]), Vec::<String>::new());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
