//! `gprofops info --json` on every corpus profile agrees with the `.oracle.json` beside it
//! (go tool pprof's view); unreadable files give one line on stderr and exit code 2.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/pprof")
}

fn profiles(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("shared corpus beside the repository") {
        let p = e.unwrap().path();
        if p.is_dir() {
            profiles(&p, out);
        } else if Path::new(&format!("{}.oracle.json", p.display())).exists() {
            out.push(p);
        }
    }
}

#[test]
fn info_json_matches_the_oracles() {
    let mut files = Vec::new();
    profiles(&corpus(), &mut files);
    assert!(files.len() > 70);
    let mut failures = Vec::new();
    for f in &files {
        let oracle: Value = serde_json::from_str(
            &std::fs::read_to_string(format!("{}.oracle.json", f.display())).unwrap(),
        )
        .unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_gprofops"))
            .arg("info")
            .arg("--json")
            .arg(f)
            .output()
            .unwrap();
        if oracle.get("error").is_some() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            if out.status.code() != Some(2) || stderr.lines().count() != 1 || !out.stdout.is_empty()
            {
                failures.push(format!(
                    "{}: expected one error line and exit 2, got {:?} {stderr:?}",
                    f.display(),
                    out.status
                ));
            }
            continue;
        }
        if !out.status.success() {
            failures.push(format!(
                "{}: {}",
                f.display(),
                String::from_utf8_lossy(&out.stderr)
            ));
            continue;
        }
        let got: Value = serde_json::from_slice(&out.stdout).unwrap();
        for key in [
            "sample_types",
            "period_type",
            "period",
            "num_samples",
            "totals",
            "default_sample_type",
        ] {
            if got[key] != oracle[key] {
                failures.push(format!(
                    "{}: {key} {} vs oracle {}",
                    f.display(),
                    got[key],
                    oracle[key]
                ));
            }
        }
        for key in ["duration_nanos", "time_nanos"] {
            if !got[key].is_i64() {
                failures.push(format!("{}: {key} missing", f.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn missing_file_is_one_line_and_exit_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_gprofops"))
        .args(["info", "/nonexistent/x.pb.gz"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("/nonexistent/x.pb.gz"), "{stderr}");
}

#[test]
fn text_output_names_types_and_totals() {
    let f = corpus().join("parca/pkg/query/testdata/fib.pb.gz");
    let out = Command::new(env!("CARGO_BIN_EXE_gprofops"))
        .arg("info")
        .arg(&f)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    // Totals from fib.pb.gz.oracle.json.
    let oracle: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{}.oracle.json", f.display())).unwrap(),
    )
    .unwrap();
    let cpu_total = oracle["totals"][1].as_i64().unwrap();
    assert!(
        text.contains(&format!("Total cpu/nanoseconds: {cpu_total}")),
        "{text}"
    );
    assert!(
        text.contains("Sample types: samples/count, cpu/nanoseconds"),
        "{text}"
    );
}

/// A profile without a period type (go tool pprof -raw: `PeriodType:  `, `Period: 0`)
/// says so in the text form; `--json` has `"period_type": null`.
#[test]
fn a_missing_period_type_is_named() {
    let f = corpus().join("datadog-pprof-format/testing/non-packed-repeated.pprof");
    let run = |json: bool| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_gprofops"));
        c.arg("info").arg(&f);
        if json {
            c.arg("--json");
        }
        let out = c.output().unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(run(false).contains("\nPeriod: 0 (no period type)\n"));
    let v: Value = serde_json::from_str(&run(true)).unwrap();
    assert_eq!(
        (&v["period_type"], &v["period"]),
        (&Value::Null, &Value::from(0))
    );
    let cpu = corpus().join("parca/pkg/query/testdata/fib.pb.gz");
    let out = Command::new(env!("CARGO_BIN_EXE_gprofops"))
        .arg("info")
        .arg(&cpu)
        .output()
        .unwrap();
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("\nPeriod: 10000000 cpu/nanoseconds\n")
    );
}

/// Every command's output may go to a reader that has already left (`| head`): the command
/// ends quietly, as `go tool pprof` does, instead of panicking in `println!`.
#[test]
fn a_closed_stdout_is_not_an_error() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/data");
    let (cpu, log) = (data.join("cpu.pb.gz"), data.join("gctrace.log"));
    let (cpu, log) = (cpu.to_str().unwrap(), log.to_str().unwrap());
    for args in [
        vec!["info", cpu],
        vec!["info", "--json", cpu],
        vec!["top", cpu],
        vec!["gctrace", log],
        vec!["gctrace", "--cycles", "csv", log],
        vec!["folded", cpu],
        vec!["traces", cpu],
        vec!["flamegraph", cpu],
        vec!["merge", "-o", "-", cpu],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = Command::new(env!("CARGO_BIN_EXE_gprofops"))
            .args(&args)
            .stdout(writer)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{args:?}");
    }
}

/// A GC log or an execution trace given to a profile command gets the command that reads it.
#[test]
fn the_wrong_kind_of_file_gets_a_hint() {
    let log = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/data/gctrace.log");
    let trace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/gotrace/tests/go122-annotations.trace");
    for (file, hint) in [
        (&log, "`gprofops gctrace "),
        (&trace, "`gprofops trace info "),
    ] {
        for cmd in ["info", "top"] {
            let out = Command::new(env!("CARGO_BIN_EXE_gprofops"))
                .args([cmd, file.to_str().unwrap()])
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(2));
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains(hint), "{cmd}: {err}");
            assert_eq!(err.lines().count(), 1, "{err}");
        }
    }
}

/// Usage errors are one line too, and exit 2; help is not an error.
#[test]
fn usage_errors_are_one_line() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_gprofops"))
            .args(args)
            .output()
            .unwrap()
    };
    for (args, says) in [
        (
            &["top", "--bogus", "x"][..],
            "unexpected argument '--bogus'",
        ),
        (&["diff", "x.pb.gz"][..], "--diff-base"),
        (&["nonsense"][..], "unrecognized subcommand"),
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("gprofops: ") && err.contains(says), "{err}");
    }
    let help = run(&["top", "--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("Usage: gprofops top"));
}
