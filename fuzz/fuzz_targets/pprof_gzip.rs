//! Any bytes as a profile.proto message, gzipped, through both gzip paths: decoded while
//! it inflates and inflated whole first must agree, in the profile or in the error. The
//! legacy formats are off, so that runs go to the protobuf decoders (`pprof_decode`
//! covers the legacy parsers, at a fraction of the speed).
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;
use pprof_format::{DecodeOptions, Profile};

fuzz_target!(|data: &[u8]| {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(data).expect("gzip into a Vec");
    let gz = gz.finish().expect("gzip into a Vec");
    let mut streamed = DecodeOptions::default();
    streamed.legacy = false;
    streamed.max_inflated_size = 16 << 20;
    let mut whole = streamed.clone();
    whole.stream_gzip = false;
    match (
        Profile::decode_with(&gz, &streamed),
        Profile::decode_with(&gz, &whole),
    ) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a, b);
            if !pprof_format::is_gzip(data) {
                let raw = Profile::decode_with(data, &whole).expect("the same bytes, raw");
                assert_eq!(a, raw);
            }
        }
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        (a, b) => panic!("streamed {a:?} vs inflated whole {b:?}"),
    }
});
