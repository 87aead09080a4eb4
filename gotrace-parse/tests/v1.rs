//! v1 inputs the fuzz target made (kept in `tests/data/`), with the answers of Go's reader
//! (`x/exp/trace`, through `tests/oracle/`), checked here without Go;
//! `tests/differential.rs` compares them line by line when Go is installed.

use std::collections::BTreeMap;

use gotrace_parse::Reader;

mod common;
use common::data;

/// Go rejects these while checking the merged stream, before any event is returned.
#[test]
fn inconsistent_streams_are_rejected_like_go() {
    for (name, want) in [
        (
            "v1-fuzz-proc-not-running.trace",
            "p 78 is not running before stop (time 0)",
        ),
        ("v1-fuzz-time-order.trace", "time stamps out of order"),
        (
            "v1-fuzz-bogus-stw-end.trace",
            "bogus STW end (time 1441620)",
        ),
        (
            "v1-fuzz-bogus-gc-end.trace",
            "bogus GC end (time 1001434736)",
        ),
    ] {
        let err = Reader::new(&data(name)).expect_err(name);
        assert_eq!(err.reason(), want, "{name}");
    }
}

/// A mangled but consistent trace: Go returns 632 events ending with a Sync at 1434912 ns.
#[test]
fn mangled_trace_converts_like_go() {
    let d = data("v1-fuzz-converts.trace");
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    let mut last = 0;
    for ev in Reader::new(&d).expect("parses") {
        let ev = ev.expect("event");
        *kinds.entry(ev.kind().name()).or_default() += 1;
        last = ev.time();
    }
    let want: BTreeMap<&str, usize> = [
        ("Label", 18),
        ("Metric", 20),
        ("RangeBegin", 13),
        ("RangeEnd", 11),
        ("StateTransition", 568),
        ("Sync", 2),
    ]
    .into();
    assert_eq!(kinds, want);
    assert_eq!(last, 1_434_912);
}
