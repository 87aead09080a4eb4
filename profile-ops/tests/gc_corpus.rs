//! Every log of `../shared/corpus/gctrace` against its `.oracle.json` (computed by
//! `shared/tools/oracle/gctrace_oracle.py`, the reference reader): every key, same value.
//! Also the reader path and the slice path agree.

use std::path::{Path, PathBuf};

use profile_ops::gc::GcReport;
use serde_json::Value;

fn logs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/gctrace");
    let mut v = Vec::new();
    for sub in ["from-issues", "generated"] {
        for e in std::fs::read_dir(root.join(sub)).expect("shared corpus beside the repository") {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "log") {
                v.push(p);
            }
        }
    }
    v.sort();
    assert!(v.len() >= 24, "found {} logs", v.len());
    v
}

fn agree(oracle: &Value, ours: &Value) -> Vec<String> {
    let mut diffs = Vec::new();
    for (k, want) in oracle.as_object().expect("oracle is an object") {
        let got = &ours[k];
        let same = match (want.as_f64(), got.as_f64()) {
            (Some(a), Some(b)) if want.is_f64() => (a - b).abs() < 1e-6,
            _ => want == got,
        };
        if !same {
            diffs.push(format!("{k}: oracle {want}, ours {got}"));
        }
    }
    diffs
}

#[test]
fn every_log_agrees_with_the_reference_reader() {
    let mut failures = Vec::new();
    for log in logs() {
        let oracle: Value = serde_json::from_str(
            &std::fs::read_to_string(format!("{}.oracle.json", log.display())).unwrap(),
        )
        .unwrap();
        let data = std::fs::read(&log).unwrap();
        let report = GcReport::from_bytes(&data);
        let streamed = GcReport::from_reader(&data[..]).unwrap();
        assert_eq!(report, streamed, "{}", log.display());
        let ours = serde_json::to_value(&report.summary).unwrap();
        for d in agree(&oracle, &ours) {
            failures.push(format!(
                "{}: {d}",
                log.file_name().unwrap().to_string_lossy()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn per_cycle_table_and_openmetrics() {
    let log = logs()
        .into_iter()
        .find(|p| p.ends_with("go1.27-basic-p4.log"))
        .unwrap();
    let r = GcReport::from_bytes(&std::fs::read(&log).unwrap());
    assert_eq!(r.cycles.len() as u64, r.summary.gc_lines);
    let csv = r.cycles_csv();
    assert_eq!(csv.lines().count(), r.cycles.len() + 1);
    let stw_sum: f64 = r.cycles.iter().map(|c| c.stw_ms).sum();
    assert!((stw_sum - r.summary.stw_ms_sum).abs() < 1e-6);
    let om = r.openmetrics();
    assert!(om.ends_with("# EOF\n"));
    assert!(
        om.contains(&format!("go_gctrace_cycles_total {}", r.summary.gc_lines)),
        "{om}"
    );
    // The median is named p50, and no value carries binary floating-point noise.
    assert!(om.contains("go_gctrace_stw_p50_seconds "), "{om}");
    assert!(!om.contains("_p5_"), "{om}");
    for line in om.lines().filter(|l| !l.starts_with('#')) {
        let value = line.rsplit(' ').next().unwrap();
        assert!(value.len() < 16, "{line}");
        assert!(value.parse::<f64>().is_ok(), "{line}");
    }
    let s = &r.summary;
    // The fraction from the cpu terms and the runtime's own P% tell the same story
    // (within a few points: P% is cumulative from program start, rounded down).
    let from_terms = s.gc_cpu_fraction_from_terms.unwrap() * 100.0;
    let runtime = s.gc_cpu_percent_last.unwrap() as f64;
    assert!(
        (from_terms - runtime).abs() <= 3.0,
        "{from_terms} vs {runtime}"
    );
    assert!(s.stw_ms_p50.unwrap() <= s.stw_ms_p95.unwrap());
    assert!(s.stw_ms_p95.unwrap() <= s.stw_ms_p99.unwrap());
    assert!(s.stw_ms_p99.unwrap() <= s.stw_ms_max);
}

#[test]
fn hints_cite_their_figures() {
    // 30 small forced cycles in 3 seconds at 12% GC CPU, heap goal 4 MB.
    let mut log = String::new();
    for i in 1..=30 {
        log.push_str(&format!(
            "gc {i} @{}.{:03}s 12%: 0.010+1.0+0.020 ms clock, 0.04+0.1/0.5/0+0.08 ms cpu, 1->2->1 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 4 P (forced)\n",
            i / 10,
            (i % 10) * 100
        ));
    }
    let r = GcReport::from_bytes(log.as_bytes());
    assert!(
        r.hints
            .iter()
            .any(|h| h.contains("30 of 30 cycles were forced")),
        "{:?}",
        r.hints
    );
    assert!(
        r.hints.iter().any(|h| h.contains("12% of CPU")),
        "{:?}",
        r.hints
    );
    assert!(
        r.hints
            .iter()
            .any(|h| h.contains("heap goal of at most 4 MB")),
        "{:?}",
        r.hints
    );
}
