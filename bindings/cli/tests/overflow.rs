//! Values at the ends of the `i64` range through `--base` / `--diff-base`: the same
//! wrapping arithmetic as `go tool pprof` on amd64 (negating `i64::MIN` gives `i64::MIN`,
//! sums wrap, `|i64::MIN|` is `i64::MIN` when ranking and dropping nodes). Hand-worked
//! cases always; every pair of six profiles against `go tool pprof` when Go is on PATH.

use std::path::{Path, PathBuf};
use std::process::Command;

use profile_ops::pprof::ProfileBuilder;

mod common;

/// Profiles of `alloc_space` samples alternating between `main.f` and `main.g`.
fn write(dir: &Path, name: &str, values: &[i64]) -> PathBuf {
    let mut b = ProfileBuilder::new();
    b.sample_type("alloc_space", "bytes")
        .period_type("space", "bytes");
    let f = b.function("main.f", "", 0);
    let g = b.function("main.g", "", 0);
    let lf = b.location(None, 0, &[(f, 0)]);
    let lg = b.location(None, 0, &[(g, 0)]);
    for (i, &v) in values.iter().enumerate() {
        b.sample(&[if i % 2 == 0 { lf } else { lg }], &[v], &[]);
    }
    let path = dir.join(format!("{name}.pb.gz"));
    b.build().unwrap().save(&path, true).unwrap();
    path
}

/// The six profiles in a directory of their own (`test` names it: tests run in parallel).
fn profiles(test: &str) -> (PathBuf, Vec<(&'static str, PathBuf)>) {
    let dir = std::env::temp_dir().join(format!("gprofops-overflow-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (max, min) = (i64::MAX, i64::MIN);
    let set = [
        ("max", vec![max]),
        ("min", vec![min]),
        ("maxmax", vec![max, max]),
        ("minmin", vec![min, min]),
        ("one", vec![1]),
        ("mixed", vec![max, min, 5, -7]),
    ];
    let paths = set.iter().map(|(n, v)| (*n, write(&dir, n, v))).collect();
    (dir, paths)
}

/// The report without the lines that name files or the binary.
fn body(out: &[u8]) -> String {
    String::from_utf8_lossy(out)
        .lines()
        .filter(|l| !l.starts_with("File:") && !l.starts_with("Main binary"))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n")
}

fn ours(report: &str, flag: &str, base: &Path, p: &Path) -> String {
    let out = common::succeed(
        Command::new(env!("CARGO_BIN_EXE_gprofops"))
            .args([report, flag])
            .arg(base)
            .arg(p),
    );
    body(&out.stdout)
}

#[test]
fn hand_worked_wrapping_cases() {
    let (dir, ps) = profiles("hand");
    let path = |n: &str| ps.iter().find(|(k, _)| *k == n).unwrap().1.clone();
    // mixed − mixed: main.f gets MAX + (−MAX, which is MIN after the float round trip)
    // = −1; main.g gets MIN + (−MIN = MIN) + 5 − 5 ... = MIN + MIN = 0 (wraps): dropped.
    let r = ours("top", "--base", &path("mixed"), &path("mixed"));
    assert!(
        r.ends_with("flat flat% sum% cum cum%\n-1B 100% 100% -1B 100% main.f"),
        "{r}"
    );
    // max − min: MAX + (−MIN = MIN) = −1.
    let r = ours("top", "--base", &path("min"), &path("max"));
    assert!(r.ends_with("-1B 100% 100% -1B 100% main.f"), "{r}");
    // max − minmin: main.f −1, main.g MIN; the total Σ|v| = 1 + |MIN| wraps to
    // MIN + 1, and |MIN| = MIN is below every cutoff: no node is shown.
    let r = ours("top", "--base", &path("minmin"), &path("max"));
    assert!(
        r.contains("Showing nodes accounting for 0, 0% of -8192PB total"),
        "{r}"
    );
    assert!(r.ends_with("flat flat% sum% cum cum%"), "{r}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn every_pair_agrees_with_go_tool_pprof() {
    if Command::new("go").arg("version").output().is_err() {
        eprintln!("go not on PATH: only the hand-worked cases ran");
        return;
    }
    let (dir, ps) = profiles("go");
    let mut differ = Vec::new();
    for (a, pa) in &ps {
        for (b, pb) in &ps {
            for (report, go_report) in [("top", "-top"), ("traces", "-traces")] {
                for (flag, go_flag) in [("--base", "-base"), ("--diff-base", "-diff_base")] {
                    let go = common::succeed(
                        Command::new("go")
                            .args(["tool", "pprof", go_report, go_flag])
                            .arg(pb)
                            .arg(pa),
                    );
                    let want = body(&go.stdout);
                    let got = ours(report, flag, pb, pa);
                    if want != got {
                        differ.push(format!(
                            "{report} {a} {flag} {b}:\n{want}\n--- ours:\n{got}"
                        ));
                    }
                }
            }
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(differ.is_empty(), "{}", differ.join("\n\n"));
}
