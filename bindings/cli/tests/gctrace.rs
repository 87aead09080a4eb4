//! `gprofops gctrace`: the JSON summary equals the oracle's values, stdin works, a
//! missing file is one line and exit 2.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

fn log() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/gctrace/generated/go1.21-interleaved.log")
}

#[test]
fn json_summary_from_file_and_stdin() {
    let oracle: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{}.oracle.json", log().display())).unwrap(),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_gprofops"))
        .args(["gctrace", "--json"])
        .arg(log())
        .output()
        .unwrap();
    assert!(out.status.success());
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    for k in [
        "gc_lines",
        "gc_lines_rejoined",
        "gc_starts_unrecovered",
        "forced_cycles",
        "heap_live_max",
        "last_gc_number",
    ] {
        assert_eq!(got[k], oracle[k], "{k}");
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_gprofops"))
        .args(["gctrace", "--json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&std::fs::read(log()).unwrap())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&out.stdout).unwrap(), got);
}

#[test]
fn cycles_csv_and_openmetrics() {
    let csv = Command::new(env!("CARGO_BIN_EXE_gprofops"))
        .args(["gctrace", "--cycles", "csv"])
        .arg(log())
        .output()
        .unwrap();
    let text = String::from_utf8(csv.stdout).unwrap();
    assert!(text.starts_with("line,number,"));
    let om = Command::new(env!("CARGO_BIN_EXE_gprofops"))
        .args(["gctrace", "--openmetrics"])
        .arg(log())
        .output()
        .unwrap();
    assert!(String::from_utf8(om.stdout).unwrap().ends_with("# EOF\n"));
}

#[test]
fn missing_file_is_one_line_exit_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_gprofops"))
        .args(["gctrace", "/nonexistent.log"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8(out.stderr).unwrap().lines().count(), 1);
}

/// A profile or a trace is not a GC log: exit 2 with the command that reads it; text
/// without GC records is an empty log, exit 0.
#[test]
fn other_kinds_of_file_are_refused_with_a_hint() {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/data");
    for (file, hint) in [
        ("cpu.pb.gz", "`gprofops info "),
        ("annotations.trace", "`gprofops trace info "),
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_gprofops"))
            .args(["gctrace", data.join(file).to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{file}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(hint) && err.lines().count() == 1, "{err}");
    }
    let empty = std::env::temp_dir().join(format!("gprofops-empty-{}.log", std::process::id()));
    std::fs::write(&empty, "hello, no GC here\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gprofops"))
        .args(["gctrace", empty.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    std::fs::remove_file(&empty).unwrap();
}
