//! What an encode → decode round trip must keep, shared by the tests and the fuzz targets
//! (`fuzz/fuzz_targets/pprof_legacy.rs` includes this file).
//!
//! A decoded profile comes back equal. A profile made otherwise (a legacy parser, the
//! builder) may hold a label with neither a string, a number nor a unit: a legacy heap
//! profile's `bytes` label of a block of size 0. Go writes such a label as its key alone
//! and its decoder (`profile.postDecode`) drops it; ours do the same, so the round trip
//! loses exactly those labels and nothing else, and the result is a fixed point.

use pprof_format::Profile;

/// Panics unless `decode(encode(p))` is `p` less its empty labels, and encoding that
/// again changes nothing. Returns the decoded profile.
pub fn assert_round_trip(p: &Profile) -> Profile {
    let again = Profile::decode(&p.encode()).expect("re-decoding our own encoding");
    let empty = |l: &pprof_format::Label| l.str == 0 && l.num == 0 && l.num_unit == 0;
    let has_empty = p.iter_samples().any(|s| s.labels.iter().any(|l| empty(&l)));
    if !has_empty {
        assert_eq!(*p, again);
        return again;
    }
    assert_eq!(
        again,
        Profile::decode(&again.encode()).expect("third decode")
    );
    assert_eq!(p.num_samples(), again.num_samples());
    for (i, (a, b)) in p.iter_samples().zip(again.iter_samples()).enumerate() {
        assert_eq!(
            a.locations.to_vec(),
            b.locations.to_vec(),
            "sample {i} locations"
        );
        assert_eq!(a.values, b.values, "sample {i} values");
        let kept: Vec<_> = a.labels.iter().filter(|l| !empty(l)).collect();
        assert_eq!(kept, b.labels.to_vec(), "sample {i} labels");
    }
    // Everything but the samples is written and read back as it was.
    assert_eq!(p.string_count(), again.string_count());
    for id in 0..p.string_count() {
        assert_eq!(p.bytes_of(id as _), again.bytes_of(id as _), "string {id}");
    }
    assert_eq!(p.sample_types(), again.sample_types());
    assert_eq!(p.mappings(), again.mappings());
    assert_eq!(p.locations(), again.locations());
    assert_eq!(p.lines(), again.lines());
    assert_eq!(p.functions(), again.functions());
    assert_eq!(
        (
            p.drop_frames(),
            p.keep_frames(),
            p.time_nanos(),
            p.duration_nanos()
        ),
        (
            again.drop_frames(),
            again.keep_frames(),
            again.time_nanos(),
            again.duration_nanos()
        )
    );
    assert_eq!(
        (p.period_type(), p.period()),
        (again.period_type(), again.period())
    );
    assert_eq!(p.comments(), again.comments());
    assert_eq!(
        (p.default_sample_type(), p.doc_url()),
        (again.default_sample_type(), again.doc_url())
    );
    again
}
