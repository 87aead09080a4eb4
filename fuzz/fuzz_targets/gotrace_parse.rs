//! Any bytes through both layers of `gotrace-parse`: the raw batch/event decoder and the
//! ordered stream (with every accessor and the canonical line). No panic, no hang, and the
//! stream's invariants hold: strictly increasing timestamps, Sync events numbered 1, 2, 3…,
//! the columnar form agrees with the stream, and `Reader::from_reader` (streaming) gives
//! exactly what `Reader::new` gives.
#![no_main]

use gotrace_parse::raw::Batches;
use libfuzzer_sys::fuzz_target;

#[path = "gotrace_stream.rs"]
mod gotrace_stream;

fuzz_target!(|data: &[u8]| {
    if let Ok(batches) = Batches::new(data) {
        for b in batches {
            let Ok(b) = b else { break };
            assert!(b.data_offset + b.data.len() <= data.len());
            for e in b.events() {
                let Ok(e) = e else { break };
                assert!(e.offset < data.len());
                let _ = e.frames().count();
            }
        }
    }
    gotrace_stream::check(data);
});
