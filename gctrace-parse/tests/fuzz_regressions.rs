//! Inputs the fuzzer once found a problem with (`fuzz/fuzz_targets/gctrace_parse.rs`):
//! the slice and streaming scanners must agree on each, and nothing panics.

use gctrace_parse::{scan, scan_reader};

#[test]
fn slice_and_reader_agree_on_fuzz_findings() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let data = std::fs::read(e.unwrap().path()).unwrap();
        let mut a = Vec::new();
        scan(&data, |i| a.push(*i));
        let mut b = Vec::new();
        scan_reader(&data[..], |i| b.push(*i)).unwrap();
        let first = a.iter().zip(&b).position(|(x, y)| x != y);
        assert_eq!(a.len(), b.len(), "first difference at {first:?}");
        assert_eq!(a, b);
        n += 1;
    }
    assert!(n >= 1);
}

#[test]
fn every_found_cycle_formats_back_to_itself() {
    use gctrace_parse::{Event, GcCycle};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    for e in std::fs::read_dir(dir).unwrap() {
        let data = std::fs::read(e.unwrap().path()).unwrap();
        scan(&data, |item| {
            if let Event::Gc { cycle, .. } = item.event {
                let line = cycle.format();
                let (back, used) = GcCycle::parse(line.as_bytes()).expect("our own line parses");
                assert_eq!(used, line.len(), "{line}");
                assert_eq!(back, cycle, "{line}");
            }
        });
    }
}
