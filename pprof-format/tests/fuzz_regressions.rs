//! Inputs the fuzz targets once failed on, kept so that they stay fixed.

mod support {
    pub mod round_trip;
}

use pprof_format::{Profile, legacy};
use support::round_trip::assert_round_trip;

fn data(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(name),
    )
    .expect("test data")
}

/// `pprof_legacy`, 2026-12-05: a mutated legacy heap profile with a `1: 0 [...]` record,
/// whose `bytes` label is 0. As google/pprof's parser does, the sample gets the label
/// `bytes:[0]`; encoding writes it as its key alone and decoding drops it, as Go's
/// decoder does, so the round trip is not the identity on this profile (the fuzz target
/// asserted it was). What it must keep is everything else.
#[test]
fn legacy_heap_block_of_size_zero() {
    let p = legacy::parse(&data("fuzz-legacy-heap-zero-block.heap")).expect("parses");
    let zero: Vec<_> = p
        .iter_samples()
        .flat_map(|s| s.labels.to_vec())
        .filter(|l| p.string(l.key) == "bytes" && l.num == 0)
        .collect();
    assert_eq!(zero.len(), 1, "the input has one block of size 0");
    let again = assert_round_trip(&p);
    let labels = |p: &Profile| p.iter_samples().map(|s| s.labels.len()).sum::<usize>();
    assert_eq!(labels(&again), labels(&p) - 1);
    // The text dump (go tool pprof -raw) of the parsed profile shows the label, as Go's.
    assert!(p.to_text().contains("bytes:[0]"), "{}", p.to_text());
}
