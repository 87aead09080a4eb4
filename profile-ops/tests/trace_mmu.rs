//! Pauses and metric series against the corpus oracles, and mutator utilisation and MMU against Go's own
//! code (`internal/trace`'s `MutatorUtilizationV2` and `MMUCurve.MMU`, what `go tool
//! trace`'s `/mmu` page runs), through the program in `tests/oracle/mmu` built inside
//! GOROOT with `go build -overlay` (nothing is written to GOROOT). The Go comparison is
//! skipped, with a message, when no Go toolchain with `internal/trace` is on PATH.
//!
//! v1 traces are left out of the Go comparison: Go's v1 converter orders events with
//! equal timestamps in random map order (see `trace_analysis.rs`), so its utilisation
//! times move by nanoseconds from run to run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use profile_ops::trace::{
    MmuCurve, UtilFlags, metrics, metrics_path, mutator_utilization, pauses, pauses_path,
};
use serde_json::Value;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/gotrace")
}

fn traces() -> Vec<PathBuf> {
    let mut v = Vec::new();
    for dir in ["tests", "generated", "external", "fuzz", "v1"] {
        for e in std::fs::read_dir(corpus().join(dir)).expect("shared corpus beside the repository")
        {
            let p = e.expect("entry").path();
            if p.extension().is_some_and(|x| x == "trace") {
                v.push(p);
            }
        }
    }
    v.sort();
    v
}

fn oracle(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p.with_extension("trace.oracle.json")).expect("oracle"))
        .expect("json")
}

#[test]
fn pauses_agree_with_the_corpus_oracles() {
    for p in traces() {
        let o = oracle(&p);
        let data = std::fs::read(&p).expect("trace");
        let (ps, error) = pauses(&data);
        assert_eq!(error.is_none(), o["valid"] == true, "{}", p.display());
        let stw = &o["stw"];
        assert_eq!(
            ps.stw.len() as u64,
            stw["count"].as_u64().unwrap_or(0),
            "{}",
            p.display()
        );
        let ended = ps.stw.iter().filter(|s| s.duration_ns.is_some()).count() as u64;
        assert_eq!(
            ended,
            stw["matched"].as_u64().unwrap_or(0),
            "{}",
            p.display()
        );
        assert_eq!(
            ps.stw_total_ns,
            stw["total_duration_ns"].as_i64().unwrap_or(0),
            "{}",
            p.display()
        );
        let mut reasons: BTreeMap<String, u64> = BTreeMap::new();
        for s in &ps.stw {
            *reasons.entry(s.reason.clone()).or_default() += 1;
        }
        let want: BTreeMap<String, u64> = stw["by_reason"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0)))
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(reasons, want, "{}", p.display());
        // Cycles: every begun one, plus one already running when the trace began.
        let begun = o["gc_cycles"].as_u64().unwrap_or(0);
        let n = ps.gc_cycles.len() as u64;
        assert!(
            n == begun || n == begun + 1,
            "{}: {n} vs {begun}",
            p.display()
        );
        if let Some(pp) = ps.stw_percentiles {
            assert!(pp.p50_ns <= pp.p95_ns && pp.p95_ns <= pp.p99_ns && pp.p99_ns <= pp.max_ns);
        }
    }
    let p = corpus().join("generated/gcheavy.trace");
    let (a, _) = pauses_path(&p).expect("path");
    assert_eq!(a, pauses(&std::fs::read(&p).expect("trace")).0);
    assert!(a.stw.iter().any(|s| s.gc) && a.gc_cycles.len() > 10);
}

#[test]
fn metric_series_agree_with_the_corpus_oracles() {
    for p in traces() {
        let o = oracle(&p);
        let (m, error) = metrics(&std::fs::read(&p).expect("trace"));
        assert_eq!(error.is_none(), o["valid"] == true, "{}", p.display());
        let got: BTreeMap<String, u64> = m
            .iter()
            .map(|(k, v)| (k.to_string(), v.len() as u64))
            .collect();
        let want: BTreeMap<String, u64> = o["metrics_by_name"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0)))
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(got, want, "{}", p.display());
        for s in m.values() {
            assert!(s.windows(2).all(|w| w[0].time_ns <= w[1].time_ns));
        }
    }
    let p = corpus().join("generated/gcheavy.trace");
    let (m, _) = metrics_path(&p).expect("path");
    assert_eq!(m["/sched/gomaxprocs:threads"][0].value, 4);
}

fn flag_sets() -> BTreeMap<&'static str, UtilFlags> {
    let d = UtilFlags::default();
    let all = UtilFlags { sweep: true, ..d };
    BTreeMap::from([
        ("default", d),
        ("all", all),
        (
            "stw",
            UtilFlags {
                stw: true,
                background: false,
                assist: false,
                sweep: false,
                per_proc: false,
            },
        ),
        (
            "default-perproc",
            UtilFlags {
                per_proc: true,
                ..d
            },
        ),
        (
            "all-perproc",
            UtilFlags {
                per_proc: true,
                ..all
            },
        ),
    ])
}

/// Builds the Go oracle inside GOROOT through an overlay; `None` if Go is missing.
fn build_go_oracle() -> Option<PathBuf> {
    let goroot = Command::new("go").args(["env", "GOROOT"]).output().ok()?;
    if !goroot.status.success() {
        return None;
    }
    let goroot = PathBuf::from(String::from_utf8_lossy(&goroot.stdout).trim());
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/mmu/main.go");
    let overlay = serde_json::json!({"Replace": {
        goroot.join("src/cmd/gprofops_mmu_oracle/main.go").to_string_lossy(): src.to_string_lossy(),
    }});
    let overlay_path = tmp.join("mmu-overlay.json");
    std::fs::write(&overlay_path, overlay.to_string()).ok()?;
    let bin = tmp.join("gprofops-mmu-oracle");
    let status = Command::new("go")
        .arg("build")
        .arg("-overlay")
        .arg(&overlay_path)
        .arg("-o")
        .arg(&bin)
        .arg("./gprofops_mmu_oracle")
        .current_dir(goroot.join("src/cmd"))
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "-mod=mod")
        .env("GOPROXY", "off")
        .status()
        .ok()?;
    status.success().then_some(bin)
}

#[test]
fn utilization_and_mmu_agree_with_go() {
    let Some(bin) = build_go_oracle() else {
        eprintln!("skipped: no Go toolchain whose internal/trace builds here");
        return;
    };
    let v2: Vec<PathBuf> = traces()
        .into_iter()
        .filter(|p| {
            let data = std::fs::read(p).expect("trace");
            profile_ops::gotrace::Version::detect(&data).is_ok_and(|v| v.is_v2())
                && oracle(p)["valid"] == true
        })
        .collect();
    let out = Command::new(&bin).args(&v2).output().expect("run oracle");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let flags = flag_sets();
    let mut checked = 0;
    let mut failures = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let o: Value = serde_json::from_str(line).expect("json line");
        let path = PathBuf::from(o["file"].as_str().expect("file"));
        let name = o["flags"].as_str().expect("flags");
        let data = std::fs::read(&path).expect("trace");
        let (util, _) = mutator_utilization(&data, flags[name]);
        let want: Vec<Vec<(i64, f64)>> = o["util"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|s| {
                        s.as_array()
                            .expect("series")
                            .iter()
                            .map(|pt| {
                                (
                                    pt[0].as_str().and_then(|t| t.parse().ok()).expect("time"),
                                    pt[1].as_str().and_then(|u| u.parse().ok()).expect("util"),
                                )
                            })
                            .collect()
                    })
                    .collect()
            })
            .unwrap_or_default();
        let got: Vec<Vec<(i64, f64)>> = util
            .iter()
            .map(|s| s.iter().map(|u| (u.time, u.util)).collect())
            .collect();
        if got != want {
            failures.push(format!(
                "{} {name}: utilisation differs ({} series vs Go {})",
                path.display(),
                got.len(),
                want.len()
            ));
            continue;
        }
        let curve = MmuCurve::new(util);
        for (w, v) in o["mmu"].as_object().into_iter().flatten() {
            let w: i64 = w.parse().expect("window");
            let want: f64 = v.as_str().and_then(|v| v.parse().ok()).expect("mmu");
            let got = curve.mmu(w);
            if got.to_bits() != want.to_bits() {
                failures.push(format!(
                    "{} {name}: MMU({w}) = {got}, Go {want}",
                    path.display()
                ));
            }
        }
        checked += 1;
    }
    assert!(checked >= 5 * 20, "{checked}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn mmu_plot_is_log_spaced_and_bounded() {
    let data = std::fs::read(corpus().join("generated/gcheavy.trace")).expect("trace");
    let (util, error) = mutator_utilization(&data, UtilFlags::default());
    assert!(error.is_none());
    let curve = MmuCurve::new(util);
    let plot = curve.plot();
    assert_eq!(plot.len(), 100);
    // (MMU need not grow with the window: a longer window can take in more of a pause.)
    for w in plot.windows(2) {
        assert!(w[0].window_ns <= w[1].window_ns);
    }
    assert!(plot[99].window_ns > plot[0].window_ns && plot[0].window_ns >= 1);
    assert!(plot.iter().all(|p| (0.0..=1.0).contains(&p.mmu)));
    assert_eq!(curve.mmu(0), 0.0);
    assert_eq!(MmuCurve::new(Vec::new()).mmu(1000), 1.0);
}
