//! Trace → pprof against `go tool trace -pprof=KIND` (the `X.KIND.pprof` files beside the
//! corpus traces, Go 1.27.3): same sample and period types, same stacks (PCs, functions,
//! files, lines), same contention count and delay per stack, same totals.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use profile_ops::pprof::Profile;
use profile_ops::trace::{PprofKind, trace_pprof, trace_pprof_path};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/gotrace")
}

/// Each frame as (pc, function, file, line), leaf first.
type Stack = Vec<(u64, String, String, i64)>;

/// The profile's samples by stack (values summed over samples with the same stack).
fn by_stack(p: &Profile) -> BTreeMap<Stack, Vec<i64>> {
    let mut m: BTreeMap<Stack, Vec<i64>> = BTreeMap::new();
    for s in p.iter_samples() {
        let stack: Stack = s
            .locations
            .iter()
            .map(|li| {
                let loc = &p.locations()[li as usize];
                let line = p.location_lines(loc)[0];
                let f = &p.functions()[line.function as usize];
                (
                    loc.address,
                    p.string(f.name).into_owned(),
                    p.string(f.filename).into_owned(),
                    line.line,
                )
            })
            .collect();
        let v = m.entry(stack).or_insert_with(|| vec![0; s.values.len()]);
        for (a, b) in v.iter_mut().zip(s.values) {
            *a += b;
        }
    }
    m
}

fn types(p: &Profile) -> Vec<(String, String)> {
    p.sample_types()
        .iter()
        .map(|t| (p.string(t.ty).into_owned(), p.string(t.unit).into_owned()))
        .collect()
}

#[test]
fn every_profile_agrees_with_go_tool_trace() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for e in
        std::fs::read_dir(corpus().join("generated")).expect("shared corpus beside the repository")
    {
        let p = e.expect("entry").path();
        if p.extension().is_none_or(|x| x != "trace") {
            continue;
        }
        let data = std::fs::read(&p).expect("trace");
        for kind in [
            PprofKind::Net,
            PprofKind::Sync,
            PprofKind::Syscall,
            PprofKind::Sched,
        ] {
            let oracle_path = p.with_extension(format!("trace.{}.pprof", kind.name()));
            if !oracle_path.exists() {
                continue;
            }
            let want = Profile::open(&oracle_path).expect("oracle profile");
            let got = trace_pprof(&data, kind).expect("conversion");
            let name = format!("{} {}", p.display(), kind.name());
            assert_eq!(types(&got), types(&want), "{name}");
            assert_eq!(got.period(), want.period(), "{name}");
            let pt = |p: &Profile| {
                p.period_type()
                    .map(|t| (p.string(t.ty).into_owned(), p.string(t.unit).into_owned()))
            };
            assert_eq!(pt(&got), pt(&want), "{name}");
            let (g, w) = (by_stack(&got), by_stack(&want));
            // Go writes one sample per distinct stack; so do we.
            assert_eq!(got.num_samples(), g.len(), "{name}");
            let total = |m: &BTreeMap<Stack, Vec<i64>>| {
                m.values()
                    .fold([0i64; 2], |a, v| [a[0] + v[0], a[1] + v[1]])
            };
            if g != w {
                let only_go: Vec<_> = w
                    .iter()
                    .filter(|(k, v)| g.get(*k) != Some(v))
                    .take(3)
                    .collect();
                let only_us: Vec<_> = g
                    .iter()
                    .filter(|(k, v)| w.get(*k) != Some(v))
                    .take(3)
                    .collect();
                failures.push(format!(
                    "{name}: {} stacks (Go {}), totals {:?} (Go {:?})\n  Go: {only_go:?}\n  us: {only_us:?}",
                    g.len(),
                    w.len(),
                    total(&g),
                    total(&w)
                ));
            }
            checked += 1;
        }
    }
    assert!(checked >= 12, "{checked}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn streaming_from_disk_equals_in_memory() {
    let p = corpus().join("generated/contention.trace");
    let data = std::fs::read(&p).expect("trace");
    for kind in PprofKind::ALL {
        assert_eq!(
            trace_pprof_path(&p, kind).expect("path"),
            trace_pprof(&data, kind).expect("bytes"),
            "{}",
            kind.name()
        );
    }
}

#[test]
fn cpu_samples_become_a_cpu_profile() {
    let data = std::fs::read(corpus().join("generated/jsoncpu.trace")).expect("trace");
    let info = profile_ops::trace::trace_info(&data, "jsoncpu.trace");
    let p = trace_pprof(&data, PprofKind::Cpu).expect("cpu profile");
    assert_eq!(
        types(&p),
        [
            ("samples".to_string(), "count".to_string()),
            ("cpu".to_string(), "nanoseconds".to_string())
        ]
    );
    let samples: i64 = p.iter_samples().map(|s| s.values[0]).sum();
    assert_eq!(samples as u64, info.events_by_kind["StackSample"]);
    assert!(samples > 0);
    let cpu: i64 = p.iter_samples().map(|s| s.values[1]).sum();
    assert_eq!(cpu, samples * profile_ops::trace::DEFAULT_CPU_PERIOD_NS);
}

#[test]
fn every_corpus_trace_converts_or_fails_cleanly() {
    for dir in ["tests", "generated", "external", "fuzz", "v1"] {
        for e in std::fs::read_dir(corpus().join(dir)).expect("corpus") {
            let p = e.expect("entry").path();
            if p.extension().is_none_or(|x| x != "trace") {
                continue;
            }
            let data = std::fs::read(&p).expect("trace");
            for kind in PprofKind::ALL {
                if let Ok(prof) = trace_pprof(&data, kind) {
                    // A real profile: it survives an encode/decode round trip.
                    let again = Profile::decode(&prof.encode_gzip()).expect("decode");
                    assert_eq!(again, prof, "{} {}", p.display(), kind.name());
                }
            }
        }
    }
}
