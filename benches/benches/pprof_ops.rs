//! Criterion benches of the pprof operations: merging a fleet of CPU profiles and the
//! top report of the corpus's largest profile.

#![allow(missing_docs)] // criterion_group! generates undocumented functions.

use criterion::{Criterion, criterion_group, criterion_main};
use gprofops_benches::{corpus_cpu_profiles, largest_corpus_profiles, perturbed_copies};
use profile_ops::merge::{MergeOptions, merge};
use profile_ops::pprof::Profile;
use profile_ops::query::Query;
use profile_ops::report::top::Top;

fn ops(c: &mut Criterion) {
    let bases: Vec<Profile> = corpus_cpu_profiles()
        .iter()
        .map(|p| Profile::open(p).unwrap())
        .collect();
    let fleet = perturbed_copies(&bases, 25);
    c.bench_function(&format!("merge {} cpu profiles", fleet.len()), |b| {
        b.iter(|| merge(&fleet, &MergeOptions::default()).unwrap())
    });
    let largest = Profile::open(&largest_corpus_profiles(1)[0]).unwrap();
    c.bench_function("top of the largest corpus profile", |b| {
        b.iter(|| Top::new(&Query::default().prepare(&largest).unwrap(), 10))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = ops
}
criterion_main!(benches);
