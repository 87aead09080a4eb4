//! Every cut point of small files of each kind: a profile (raw protobuf, gzip, legacy heap
//! and contention text), a GC log and an execution trace. A cut profile decodes to a
//! valid profile (reports run on it) or fails with a typed error that names where; a cut
//! trace gives the events before the cut and then one error, flagged as partial; a cut GC
//! log gives the cycles of its whole lines. Nothing panics or hangs, whatever the cut.

use std::path::{Path, PathBuf};

use profile_ops::gc::GcReport;
use profile_ops::gotrace::Reader;
use profile_ops::pprof::{Error, Profile};
use profile_ops::query::Query;
use profile_ops::report::{flame, top::Top, traces};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/data")
}

fn corpus_pprof(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus/pprof/google-pprof/profile/testdata")
        .join(rel)
}

/// Decodes `data`; on success runs reports, on failure checks that the error is one that
/// says where (or what) for a truncation.
fn decode_cut(data: &[u8], what: &str, cut: usize) {
    match Profile::decode(data) {
        Ok(p) => {
            // A cut before the first sample leaves nothing to report on: said, as an error.
            let Ok(prep) = Query::default().prepare(&p) else {
                assert_eq!(p.num_samples(), 0, "{what} cut at {cut}");
                return;
            };
            let _ = Top::new(&prep, 10).to_text();
            let _ = traces::traces(&prep);
            let _ = flame::flamegraph(&prep);
        }
        Err(
            Error::Truncated { .. }
            | Error::Malformed { .. }
            | Error::Invalid(_)
            | Error::Gzip(_)
            | Error::Legacy { .. }
            | Error::UnknownFormat(_)
            | Error::Empty,
        ) => {}
        Err(e) => panic!("{what} cut at {cut}: unexpected error kind {e:?}"),
    }
}

#[test]
fn every_cut_of_a_profile_decodes_or_fails_with_a_typed_error() {
    let gz = std::fs::read(examples().join("cpu.pb.gz")).unwrap();
    let raw = profile_ops::pprof::gunzip(&gz, 1 << 30).unwrap();
    let heap = std::fs::read(corpus_pprof("gobench.heap")).unwrap();
    let contention = std::fs::read(corpus_pprof("cppbench.contention")).unwrap();
    for (what, data) in [
        ("raw", &raw),
        ("gzip", &gz),
        ("legacy heap", &heap),
        ("legacy contention", &contention),
    ] {
        assert!(Profile::decode(data).is_ok(), "{what} whole");
        for cut in 0..data.len() {
            decode_cut(&data[..cut], what, cut);
        }
    }
    // A raw protobuf cut inside a field says which field and where.
    let e = Profile::decode(&raw[..raw.len() / 2]).unwrap_err();
    assert!(e.to_string().contains("at byte"), "{e}");
}

#[test]
fn every_cut_of_a_trace_gives_the_events_before_it_then_one_error() {
    let data = std::fs::read(examples().join("annotations.trace")).unwrap();
    let whole = Reader::new(&data).unwrap().count();
    for cut in 0..data.len() {
        let Ok(r) = Reader::new(&data[..cut]) else {
            continue; // a cut header
        };
        let (mut events, mut errors) = (0usize, 0usize);
        let mut r = r;
        loop {
            match r.read_event() {
                Ok(Some(_)) => {
                    assert_eq!(errors, 0, "cut {cut}: an event after the error");
                    events += 1;
                }
                Ok(None) => break,
                Err(e) => {
                    assert!(e.location().is_some() || !e.reason().is_empty(), "{e}");
                    errors += 1;
                    break;
                }
            }
        }
        assert!(events <= whole, "cut {cut}");
        if errors > 0 && events > 0 {
            assert!(r.is_partial(), "cut {cut}: a partial read not flagged");
        }
    }
}

#[test]
fn every_cut_of_a_gc_log_keeps_the_cycles_of_its_whole_lines() {
    let log = std::fs::read(examples().join("gctrace.log")).unwrap();
    let whole = GcReport::from_bytes(&log).summary.gc_lines;
    assert!(whole > 0);
    let mut last = 0;
    for cut in 0..=log.len() {
        let r = GcReport::from_bytes(&log[..cut]);
        let streamed = GcReport::from_reader(&log[..cut]).unwrap();
        assert_eq!(r, streamed, "cut {cut}");
        // Cycles only appear as lines complete: never more than the whole log's, never
        // fewer than a shorter cut's.
        let n = r.summary.gc_lines;
        assert!(
            n <= whole && n >= last,
            "cut {cut}: {n} cycles after {last}"
        );
        last = n;
    }
    assert_eq!(last, whole);
}
