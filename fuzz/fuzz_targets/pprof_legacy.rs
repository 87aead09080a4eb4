//! Any bytes straight into the legacy parsers (`pprof_format::legacy::parse`: binary CPU
//! profile, heap, goroutine/threadcreate counts, thread stacks, contention, Java text),
//! without the protobuf attempt that `pprof_decode` makes first. No panic, hang or runaway
//! allocation, and whatever parses must be a valid profile that survives encode → decode
//! (unchanged but for the labels without a value that Go's decoder drops too; see
//! `pprof-format/tests/support/round_trip.rs`) and dumps to text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pprof_format::legacy;

#[path = "../../pprof-format/tests/support/round_trip.rs"]
mod round_trip;

fuzz_target!(|data: &[u8]| {
    let Ok(p) = legacy::parse(data) else {
        return;
    };
    round_trip::assert_round_trip(&p);
    let _ = p.to_text();
});
