//! Execution-trace benches: the raw batch/event decoder, the ordered event stream, the
//! summary of `gprofops trace info` (`trace_info`, against `ordered_visit`) and the trace
//! analyses of `profile_ops::trace` (goroutine summary, trace → pprof, pauses,
//! MMU) over one trace, reported as bytes per second of trace file.
//!
//! The trace is `$GPROFOPS_GOTRACE_BENCH_FILE`, else `benches/out/gotrace-100mb.trace`
//! (written by `scripts/bench-gotrace.sh` with the Go generator in
//! `benches/peers/gotrace`), else the corpus's `generated/gcheavy.trace`.
#![allow(missing_docs)] // criterion_group! generates undocumented functions.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use profile_ops::gotrace::raw::{BatchKind, Batches};
use profile_ops::gotrace::{Reader, load_columns};

fn bench_file() -> PathBuf {
    if let Some(p) = std::env::var_os("GPROFOPS_GOTRACE_BENCH_FILE") {
        return PathBuf::from(p);
    }
    let big = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("out/gotrace-100mb.trace");
    if big.exists() {
        return big;
    }
    gprofops_benches::corpus_dir().join("gotrace/generated/gcheavy.trace")
}

/// Decodes every batch and every event's arguments; returns a checksum.
fn raw_decode(data: &[u8]) -> u64 {
    let mut sum = 0u64;
    for b in Batches::new(data).expect("trace header") {
        let b = b.expect("batch");
        if b.kind != BatchKind::Events {
            continue;
        }
        for e in b.events() {
            let e = e.expect("event");
            sum = sum.wrapping_add(e.args[0]).wrapping_add(e.typ as u64);
        }
    }
    sum
}

fn ordered(data: &[u8]) -> u64 {
    let mut n = 0u64;
    for e in Reader::new(data).expect("trace header") {
        let e = e.expect("event");
        n = n.wrapping_add(e.time() as u64);
    }
    n
}

fn visited(data: &[u8]) -> u64 {
    let mut n = 0u64;
    Reader::new(data)
        .expect("trace header")
        .visit(|e| n = n.wrapping_add(e.time() as u64))
        .expect("event");
    n
}

fn benches(c: &mut Criterion) {
    let path = bench_file();
    let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    eprintln!(
        "gotrace bench file: {} ({} bytes)",
        path.display(),
        data.len()
    );
    let mut g = c.benchmark_group("gotrace");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.sample_size(10);
    g.bench_function("raw_decode", |b| b.iter(|| raw_decode(black_box(&data))));
    g.bench_function("ordered_stream", |b| b.iter(|| ordered(black_box(&data))));
    g.bench_function("ordered_visit", |b| b.iter(|| visited(black_box(&data))));
    // The summary of `gprofops trace info` over the same visit: the goal is at most 25 %
    // above `ordered_visit` (benches/README.md, "trace info against the visit alone").
    g.bench_function("trace_info", |b| {
        b.iter(|| profile_ops::trace::trace_info(black_box(&data), "bench").events_total)
    });
    g.bench_function("load_columns", |b| {
        b.iter(|| load_columns(black_box(&data)).map(|c| c.len()))
    });
    g.finish();

    use profile_ops::trace::{
        MmuCurve, PprofKind, UtilFlags, analyze, mutator_utilization, pauses, trace_pprof,
    };
    let mut g = c.benchmark_group("gotrace_analyses");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.sample_size(10);
    g.bench_function("goroutines_tasks_regions", |b| {
        b.iter(|| analyze(black_box(&data), "bench").goroutines.len())
    });
    g.bench_function("pprof_sched", |b| {
        b.iter(|| trace_pprof(black_box(&data), PprofKind::Sched).map(|p| p.num_samples()))
    });
    g.bench_function("pauses", |b| {
        b.iter(|| pauses(black_box(&data)).0.stw.len())
    });
    g.bench_function("mmu_1ms", |b| {
        b.iter(|| {
            let (u, _) = mutator_utilization(black_box(&data), UtilFlags::default());
            MmuCurve::new(u).mmu(1_000_000)
        })
    });
    g.finish();
}

criterion_group!(gotrace, benches);
criterion_main!(gotrace);
