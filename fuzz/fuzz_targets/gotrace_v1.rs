//! Any bytes as the body of a v1 trace (Go 1.11–1.21): the first byte picks the header
//! (`go 1.11`, `go 1.19` or `go 1.21 trace`), the rest follows it, so that the fuzzer
//! spends its time in the v1 parser, merge, checks and conversion rather than on finding
//! a header. Same checks on the stream as `gotrace_parse`.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "gotrace_stream.rs"]
mod gotrace_stream;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let minor = [11, 19, 21][pick as usize % 3];
    let mut trace = format!("go 1.{minor} trace\0\0\0").into_bytes();
    trace.extend_from_slice(body);
    gotrace_stream::check(&trace);
});
