//! Differential: any bytes decoded as profile.proto by prost (an independent decoder,
//! `pprof-format/tests/prost_reference`) and by `Profile` (protobuf only: the legacy text
//! fallback is off). Gzip input (by its magic) is gunzipped for prost and decoded as it
//! is by `Profile`, so the streaming gzip path is compared too.
//!
//! - Both accept: every field must match (`prost_reference::compare`).
//! - `Profile` accepts, prost refuses: a bug, `Profile` read something that is not a
//!   protobuf message; except where google/pprof's decoder, which pprof-format follows,
//!   is more lenient than protobuf (`prost_reference::go_lenient`: field number 0, keys
//!   past `u32::MAX`, varints with bits past the 64th).
//! - prost accepts, `Profile` refuses: legitimate. pprof-format validates what a plain
//!   protobuf decoder does not (google/pprof's `CheckValid`: ids, references, string
//!   indexes, value counts, a single `time_nanos`), so that direction is not asserted.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pprof_format::{DecodeOptions, Profile, gunzip, is_gzip};

#[path = "../../pprof-format/tests/prost_reference/mod.rs"]
mod prost_reference;

/// Inflated and decoded sizes stay well inside the fuzzer's memory limit.
const LIMIT: usize = 16 << 20;

fuzz_target!(|data: &[u8]| {
    let raw = if is_gzip(data) {
        match gunzip(data, LIMIT) {
            Ok(raw) => raw,
            // Not a gzip stream both could read: the gzip targets cover that.
            Err(_) => return,
        }
    } else {
        data.to_vec()
    };
    let mut opts = DecodeOptions::default();
    opts.legacy = false;
    opts.max_inflated_size = LIMIT;
    opts.memory_budget = 256 << 20;
    let ours = Profile::decode_with(data, &opts);
    let reference = prost_reference::decode_reference(&raw);
    match (&ours, &reference) {
        (Ok(p), Ok(pb)) => {
            if let Err(diffs) = prost_reference::compare(&raw, p, pb) {
                panic!("pprof-format and prost decode differently:\n{diffs}");
            }
        }
        // Where google/pprof is more lenient than protobuf, so is pprof-format.
        (Ok(_), Err(e)) if prost_reference::go_lenient(e) => {}
        (Ok(_), Err(e)) => panic!("pprof-format accepts what prost refuses: {e}"),
        (Err(_), _) => {}
    }
});
