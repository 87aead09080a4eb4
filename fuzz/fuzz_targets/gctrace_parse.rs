//! Any bytes through the gctrace scanner, slice and streaming: no panic, the same items,
//! and every cycle formats back to a line that parses to itself.
#![no_main]

use gctrace_parse::{Event, GcCycle, scan, scan_reader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut a = Vec::new();
    scan(data, |i| a.push(*i));
    let mut b = Vec::new();
    scan_reader(data, |i| b.push(*i)).expect("reading a slice cannot fail");
    assert_eq!(a, b);
    for item in a {
        if let Event::Gc { cycle, .. } = item.event {
            let line = cycle.format();
            let (back, used) = GcCycle::parse(line.as_bytes()).expect("our own line parses");
            assert_eq!(used, line.len());
            assert_eq!(back, cycle);
        }
    }
});
