//! Any bytes through `Profile::decode` (gzip, protobuf, legacy formats): no panic, and
//! whatever decodes must survive encode → decode unchanged and dump to text. The bytes
//! are also gzipped and decoded both while inflating and inflated whole: the two must
//! agree, in the profile or in the error.
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
    let gz = {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).expect("gzip into a Vec");
        e.finish().expect("gzip into a Vec")
    };
    let mut whole = opts.clone();
    whole.stream_gzip = false;
    match (
        Profile::decode_with(&gz, &opts),
        Profile::decode_with(&gz, &whole),
    ) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        (a, b) => panic!("streamed {a:?} vs inflated whole {b:?}"),
    }
});
