//! Decode throughput of `pprof-format` on the corpus's largest profiles (raw protobuf and
//! gzip) and on a large synthetic profile built from the largest one.
#![allow(missing_docs)] // criterion_group! generates undocumented functions.

use std::hint::black_box;

use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gprofops_benches::{largest_corpus_profiles, synthetic_profile};
use profile_ops::pprof::Profile;

fn inputs() -> Vec<(String, Bytes, Bytes)> {
    let mut v: Vec<(String, Bytes, Bytes)> = largest_corpus_profiles(3)
        .into_iter()
        .map(|path| {
            let p = Profile::open(&path).expect("corpus profile decodes");
            let name = path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            (name, Bytes::from(p.encode()), Bytes::from(p.encode_gzip()))
        })
        .collect();
    if let Some(base) = largest_corpus_profiles(1).first() {
        let p = synthetic_profile(&Profile::open(base).expect("decodes"), 20);
        v.push((
            "synthetic-x20".into(),
            Bytes::from(p.encode()),
            Bytes::from(p.encode_gzip()),
        ));
    }
    v
}

fn decode(c: &mut Criterion) {
    let mut g = c.benchmark_group("pprof_decode");
    for (name, raw, gz) in inputs() {
        g.throughput(Throughput::Bytes(raw.len() as u64));
        g.bench_function(format!("raw/{name}"), |b| {
            b.iter(|| black_box(Profile::decode_bytes(raw.clone()).expect("decodes")))
        });
        // Throughput of gzip input is counted in decompressed bytes, like the raw case.
        g.bench_function(format!("gzip/{name}"), |b| {
            b.iter(|| black_box(Profile::decode_bytes(gz.clone()).expect("decodes")))
        });
        g.bench_function(format!("encode/{name}"), |b| {
            let p = Profile::decode_bytes(raw.clone()).expect("decodes");
            b.iter(|| black_box(p.encode()))
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).warm_up_time(std::time::Duration::from_millis(500)).measurement_time(std::time::Duration::from_secs(2));
    targets = decode
}
criterion_main!(benches);
