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

/// A file without a single GC trace line says so on stderr, in one line naming the file
/// and GODEBUG=gctrace=1, and in `--json`'s `warnings`. A profile, a trace or gzip data
/// is another kind of file: exit 2, with the command that reads it; text without GC
/// lines is an empty log: exit 0.
#[test]
fn files_without_gc_lines_are_named_with_a_hint() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/data");
    let truncated_gz = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/pprof/derived/fib.truncated-3000.pb.gz");
    for (file, hint) in [
        (data.join("cpu.pb.gz"), "`gprofops info "),
        (data.join("annotations.trace"), "`gprofops trace info "),
        (
            truncated_gz,
            "gzip-compressed data (a pprof profile?): `gprofops info ",
        ),
    ] {
        for json in [false, true] {
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_gprofops"));
            cmd.arg("gctrace");
            if json {
                cmd.arg("--json");
            }
            let out = cmd.arg(&file).output().unwrap();
            assert_eq!(out.status.code(), Some(2), "{}", file.display());
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                err.contains(hint)
                    && err.contains("no GC trace line found")
                    && err.contains("GODEBUG=gctrace=1")
                    && err.contains(&*file.to_string_lossy())
                    && err.lines().count() == 1,
                "{err}"
            );
            if json {
                let got: Value = serde_json::from_slice(&out.stdout).unwrap();
                assert_eq!(got["gc_lines"], 0);
                let w = got["warnings"].as_array().unwrap();
                assert!(
                    w.len() == 1 && w[0].as_str().unwrap().contains(hint),
                    "{got}"
                );
            }
        }
    }
    let empty = std::env::temp_dir().join(format!("gprofops-empty-{}.log", std::process::id()));
    std::fs::write(&empty, "hello, no GC here\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_gprofops"))
        .args(["gctrace", "--json", empty.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("gprofops: warning: ")
            && err.contains("no GC trace line found")
            && err.contains("GODEBUG=gctrace=1")
            && err.lines().count() == 1,
        "{err}"
    );
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(got["warnings"].as_array().unwrap().len(), 1);
    std::fs::write(&empty, "").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_gprofops"))
        .args(["gctrace", empty.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no GC trace line found"));
    std::fs::remove_file(&empty).unwrap();
    // A log: no warning.
    let out = Command::new(env!("CARGO_BIN_EXE_gprofops"))
        .args(["gctrace", "--json"])
        .arg(log())
        .output()
        .unwrap();
    assert!(out.status.success() && out.stderr.is_empty());
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(got["warnings"], serde_json::json!([]));
}
