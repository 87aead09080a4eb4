//! gctrace scanning throughput on a generated log (several Go versions' layouts, pacer
//! and scavenger lines, program output): every gc record decoded into its `GcCycle`.
//!
//! The log is 64 MiB unless `GCTRACE_BENCH_MB` says otherwise; issue 5's figure is for
//! 1 GiB: `GCTRACE_BENCH_MB=1024 cargo bench -p gprofops-benches --bench gctrace`.
#![allow(missing_docs)] // criterion_group! generates undocumented functions.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use profile_ops::gctrace::{Event, scan};

fn gctrace(c: &mut Criterion) {
    let mb: usize = match std::env::var("GCTRACE_BENCH_MB") {
        Ok(v) => v.parse().expect("GCTRACE_BENCH_MB: a size in MiB"),
        Err(_) => 64,
    };
    let log = gprofops_benches::gctrace_log(mb << 20);
    let mut g = c.benchmark_group("gctrace");
    g.throughput(Throughput::Bytes(log.len() as u64));
    g.bench_function(format!("scan/{mb}MiB"), |b| {
        b.iter(|| {
            let mut stw = 0u64;
            scan(black_box(&log), |item| {
                if let Event::Gc { cycle, .. } = &item.event {
                    stw += cycle.stw_micros();
                }
            });
            stw
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = gctrace
}
criterion_main!(benches);
