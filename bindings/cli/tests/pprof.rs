//! The pprof subcommands: `top --json` rows agree with the corpus oracles (go tool pprof's
//! top, numbers in the sample type's unit); merge writes a profile whose totals are the
//! inputs' sums; the other reports produce what their formats require; bad input exits 2
//! with one line.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

mod common;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/pprof")
}

fn gprofops(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gprofops"))
        .args(args)
        .output()
        .unwrap()
}

fn ok(args: &[&str]) -> String {
    let out = gprofops(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn path(rel: &str) -> String {
    corpus().join(rel).to_string_lossy().into_owned()
}

const FIB: &str = "parca/pkg/query/testdata/fib.pb.gz";
const PROFILE1: &str = "parca/pkg/query/testdata/profile1.pb.gz";

#[test]
fn top_json_rows_are_the_oracle_top() {
    for rel in [FIB, PROFILE1, "google-pprof/profile/testdata/cppbench.cpu"] {
        let oracle: Value = serde_json::from_str(
            &std::fs::read_to_string(path(&format!("{rel}.oracle.json"))).unwrap(),
        )
        .unwrap();
        let top: Value =
            serde_json::from_str(&ok(&["top", "--json", "-n", "10", &path(rel)])).unwrap();
        let rows = top["rows"].as_array().unwrap();
        let want = oracle["top_flat"].as_array().unwrap();
        assert_eq!(rows.len(), want.len(), "{rel}");
        for (r, w) in rows.iter().zip(want) {
            // `name` is as pprof prints it, with its " (inline)" marker; `node` and the
            // booleans split it.
            let (name, node) = (r["name"].as_str().unwrap(), r["node"].as_str().unwrap());
            assert_eq!(name, w[0].as_str().unwrap(), "{rel}");
            let marker = match (r["inline"].as_bool(), r["partial_inline"].as_bool()) {
                (Some(true), Some(false)) => " (inline)",
                (Some(false), Some(true)) => " (partial-inline)",
                (Some(false), Some(false)) => "",
                other => panic!("{rel}: inline flags {other:?}"),
            };
            assert_eq!(format!("{node}{marker}"), name, "{rel}");
            assert_eq!(r["flat"], w[1], "{rel}");
        }
        let si = oracle["sample_index"].as_u64().unwrap() as usize;
        assert_eq!(top["total"], oracle["totals"][si], "{rel}");
        assert_eq!(top["unit"], oracle["sample_types"][si][1], "{rel}");
        let last = rows.last().unwrap();
        assert!(last["sum_pct"].as_f64().unwrap() <= 100.0 + 1e-9);
    }
}

#[test]
fn merge_writes_the_sum_of_its_inputs() {
    let dir = std::env::temp_dir().join(format!("gprofops-merge-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("merged.pb.gz");
    ok(&[
        "merge",
        "-o",
        out.to_str().unwrap(),
        &path(FIB),
        &path(PROFILE1),
        &path(FIB),
    ]);
    let info = |f: &str| -> Value { serde_json::from_str(&ok(&["info", "--json", f])).unwrap() };
    let (m, a, b) = (
        info(out.to_str().unwrap()),
        info(&path(FIB)),
        info(&path(PROFILE1)),
    );
    for i in 0..2 {
        let sum = 2 * a["totals"][i].as_i64().unwrap() + b["totals"][i].as_i64().unwrap();
        assert_eq!(m["totals"][i].as_i64().unwrap(), sum);
    }
    // Several files given to a report are merged first, as go tool pprof does.
    let t: Value = serde_json::from_str(&ok(&[
        "top",
        "--json",
        &path(FIB),
        &path(PROFILE1),
        &path(FIB),
    ]))
    .unwrap();
    assert_eq!(t["total"], m["totals"][1]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn diff_of_a_profile_with_itself_is_empty() {
    let t: Value =
        serde_json::from_str(&ok(&["diff", "--base", &path(FIB), &path(FIB), "--json"])).unwrap();
    assert_eq!(t["total"], 0);
    assert!(t["rows"].as_array().unwrap().is_empty());
    let t: Value = serde_json::from_str(&ok(&[
        "diff",
        "--diff-base",
        &path(PROFILE1),
        &path(FIB),
        "--json",
    ]))
    .unwrap();
    let oracle: Value = serde_json::from_str(
        &std::fs::read_to_string(path(&format!("{PROFILE1}.oracle.json"))).unwrap(),
    )
    .unwrap();
    // -diff_base percentages are of the base's total.
    assert_eq!(t["total"], oracle["totals"][1]);
}

#[test]
fn other_reports_have_their_formats() {
    let f = path(FIB);
    let folded = ok(&["folded", &f]);
    let total: i64 = folded
        .lines()
        .map(|l| l.rsplit_once(' ').unwrap().1.parse::<i64>().unwrap())
        .sum();
    let oracle: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{f}.oracle.json")).unwrap())
            .unwrap();
    assert_eq!(total, oracle["totals"][1].as_i64().unwrap());
    let flame: Value = serde_json::from_str(&ok(&["flamegraph", &f])).unwrap();
    assert_eq!(flame["name"], "root");
    assert_eq!(flame["value"], oracle["totals"][1]);
    let diff: Value = serde_json::from_str(&ok(&["flamegraph", "--compare", &f, &f])).unwrap();
    assert_eq!(diff["delta"], 0);
    let svg = ok(&["flamegraph", "--svg", &f]);
    assert!(svg.contains("<svg") && svg.contains("fib.Fibonacci"));
    let ss: Value = serde_json::from_str(&ok(&["speedscope", &f])).unwrap();
    assert_eq!(ss["profiles"][0]["type"], "sampled");
    assert_eq!(ss["profiles"][0]["endValue"], oracle["totals"][1]);
    assert!(ok(&["traces", &f]).contains("-----------+"));
    assert!(ok(&["tree", &f]).contains("calls calls% + context"));
    assert!(ok(&["peek", "main", &f]).contains("| main.calculateFib"));
}

#[test]
fn bad_input_exits_2_with_one_line() {
    for args in [
        vec!["top", "/nonexistent/profile.pb.gz"],
        vec!["top", "--focus", "(", FIB],
        vec!["top", "--sample-index", "nosuchtype", FIB],
        vec!["merge", "-o", "/nonexistent/dir/out.pb.gz", FIB],
    ] {
        let args: Vec<String> = args
            .iter()
            .map(|a| if *a == FIB { path(FIB) } else { a.to_string() })
            .collect();
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = gprofops(&refs);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
    }
}

#[test]
fn merge_output_replaces_the_file_whole_or_not_at_all() {
    let dir = std::env::temp_dir().join(format!("gprofops-merge-out-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("out.pb.gz");
    std::fs::write(&out, b"previous contents").unwrap();
    let out_s = out.to_str().unwrap();
    ok(&["merge", "-o", out_s, &path(FIB), &path(FIB)]);
    let merged: Value = serde_json::from_str(&ok(&["info", "--json", out_s])).unwrap();
    let one: Value = serde_json::from_str(&ok(&["info", "--json", &path(FIB)])).unwrap();
    assert_eq!(merged["totals"][0], one["totals"][0].as_i64().unwrap() * 2);
    // Nothing but OUT is left in the directory: the temporary file was renamed.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    // A write that cannot happen says so and names the file.
    let bad = dir.join("missing").join("out.pb.gz");
    let out = gprofops(&["merge", "-o", bad.to_str().unwrap(), &path(FIB)]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("gprofops: writing "), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn standard_input_fifos_and_directories() {
    use std::io::Write;
    let cpu = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/data/cpu.pb.gz");
    let want = ok(&["info", "--json", cpu.to_str().unwrap()]);
    // `-` reads standard input, for info, reports and merge.
    for args in [&["info", "--json", "-"][..], &["merge", "-o", "-", "-"][..]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gprofops"))
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(&std::fs::read(&cpu).unwrap())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{args:?}");
        if args[0] == "info" {
            assert_eq!(String::from_utf8(out.stdout).unwrap(), want);
        } else {
            let p = profile_ops_decode(&out.stdout);
            assert_eq!(
                p,
                serde_json::from_str::<Value>(&want).unwrap()["num_samples"]
            );
        }
    }
    // A FIFO is read as a stream, not memory-mapped.
    let dir = std::env::temp_dir().join(format!("gprofops-fifo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("cpu.fifo");
    let writer = common::fifo_with(&fifo, std::fs::read(&cpu).unwrap());
    assert_eq!(ok(&["info", "--json", fifo.to_str().unwrap()]), want);
    writer.join().unwrap();
    // A directory says so, once, in the same line for every kind of input.
    let d = dir.to_str().unwrap();
    for args in [
        vec!["top", d],
        vec!["info", d],
        vec!["traces", d],
        vec!["gctrace", d],
        vec!["gctrace", "--json", d],
        vec!["trace", "info", d],
        vec!["trace", "goroutines", d],
        vec!["trace", "pprof", "--kind", "sync", "-o", "/dev/null", d],
    ] {
        let out = gprofops(&args);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(
            err,
            format!("gprofops: reading {d}: is a directory\n"),
            "{args:?}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The number of samples of a gzipped profile, read back with the CLI.
fn profile_ops_decode(gz: &[u8]) -> Value {
    let path = std::env::temp_dir().join(format!("gprofops-stdin-{}.pb.gz", std::process::id()));
    std::fs::write(&path, gz).unwrap();
    let info: Value =
        serde_json::from_str(&ok(&["info", "--json", path.to_str().unwrap()])).unwrap();
    std::fs::remove_file(&path).unwrap();
    info["num_samples"].clone()
}
