//! Every trace analysis on damaged traces: the small corpus traces cut short at many
//! points and with single bytes changed. Whatever the reader lets through (partial
//! streams, odd but valid event sequences), no analysis may panic (overflow included:
//! tests build with debug assertions), and a partial analysis says why it stopped.

use std::path::{Path, PathBuf};

use profile_ops::trace::{
    MmuCurve, PprofKind, Threshold, UtilFlags, analyze, metrics, mutator_utilization, pauses, slow,
    trace_pprof, write_perfetto, write_timeline,
};

fn small_traces() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/gotrace");
    let mut v = Vec::new();
    for dir in ["tests", "external", "v1"] {
        for e in std::fs::read_dir(root.join(dir)).expect("shared corpus beside the repository") {
            let p = e.expect("entry").path();
            let small = std::fs::metadata(&p).is_ok_and(|m| m.len() < 80_000);
            if p.extension().is_some_and(|x| x == "trace") && small {
                v.push(p);
            }
        }
    }
    v.sort();
    assert!(v.len() >= 20, "{}", v.len());
    v
}

fn run_all(data: &[u8]) {
    let a = analyze(data, "x");
    assert_eq!(a.valid, a.error.is_none());
    for kind in PprofKind::ALL {
        let _ = trace_pprof(data, kind);
    }
    let _ = pauses(data);
    let _ = metrics(data);
    let mut out = Vec::new();
    let _ = write_perfetto(data, &mut out);
    if !out.is_empty() {
        serde_json::from_slice::<serde_json::Value>(&out).expect("valid JSON");
    }
    let _ = write_timeline(data, std::io::sink());
    for t in [
        Threshold::default(),
        Threshold::Percentile(0.0),
        Threshold::Over(0),
    ] {
        let r = slow(data, t);
        assert!(r.verdict.iter().all(|v| v.share.is_finite()));
    }
    let flags = UtilFlags::default();
    for f in [
        flags,
        UtilFlags {
            sweep: true,
            per_proc: true,
            ..flags
        },
    ] {
        let (util, _) = mutator_utilization(data, f);
        let curve = MmuCurve::new(util);
        for w in [1, 1_000, 1_000_000, i64::MAX] {
            let m = curve.mmu(w);
            assert!(m.is_nan() || (0.0..=1.0).contains(&m), "{m}");
        }
    }
}

#[test]
fn damaged_traces_never_panic() {
    // A fixed linear congruential sequence: the same damage on every run.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |n: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize % n.max(1)
    };
    for p in small_traces() {
        let data = std::fs::read(&p).expect("trace");
        run_all(&data);
        for _ in 0..20 {
            let cut = next(data.len());
            run_all(&data[..cut]);
            let mut flipped = data.clone();
            let at = next(data.len());
            flipped[at] ^= 1 << next(8);
            run_all(&flipped);
        }
    }
}
