//! Any bytes straight into the legacy parsers (`pprof_format::legacy::parse`: binary CPU
//! profile, heap, goroutine/threadcreate counts, thread stacks, contention, Java text),
//! without the protobuf attempt that `pprof_decode` makes first. No panic, hang or runaway
//! allocation, and whatever parses must be a valid profile that survives encode → decode
//! unchanged and dumps to text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pprof_format::{Profile, legacy};

fuzz_target!(|data: &[u8]| {
    let Ok(p) = legacy::parse(data) else {
        return;
    };
    let again = Profile::decode(&p.encode()).expect("re-decoding our own encoding");
    assert_eq!(p, again);
    let _ = p.to_text();
});
