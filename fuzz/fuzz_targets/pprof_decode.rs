//! Any bytes through `Profile::decode` (gzip, protobuf, legacy formats): no panic, and
//! whatever decodes must survive encode → decode unchanged and dump to text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pprof_format::{DecodeOptions, Profile};

fuzz_target!(|data: &[u8]| {
    let mut opts = DecodeOptions::default();
    // Keep gzip bombs from eating the fuzzer's memory budget.
    opts.max_inflated_size = 16 << 20;
    if let Ok(p) = Profile::decode_with(data, &opts) {
        let again = Profile::decode(&p.encode()).expect("re-decoding our own encoding");
        assert_eq!(p, again);
        let _ = p.to_text();
    }
});
