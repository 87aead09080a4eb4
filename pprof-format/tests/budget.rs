//! Hostile inputs under a small `DecodeOptions::memory_budget`: decompression bombs (a
//! string table, a sample table, zeros) and declared sizes end in `OverBudget` (or
//! `TooLarge` where the inflate cap is the smaller limit), on every input path, while the
//! same inputs decode under a budget that fits them.

use std::io::Write;

use pprof_format::{DecodeOptions, Error, Profile};

/// A protobuf varint.
fn varint(mut x: u64, out: &mut Vec<u8>) {
    while x >= 0x80 {
        out.push(x as u8 | 0x80);
        x >>= 7;
    }
    out.push(x as u8);
}

/// A length-delimited field.
fn field(num: u64, payload: &[u8], out: &mut Vec<u8>) {
    varint(num << 3 | 2, out);
    varint(payload.len() as u64, out);
    out.extend_from_slice(payload);
}

/// The string table `["", "samples", "count"]` and a sample type using it.
fn header() -> Vec<u8> {
    let mut p = Vec::new();
    field(1, &[0x08, 1, 0x10, 2], &mut p);
    for s in ["", "samples", "count"] {
        field(6, s.as_bytes(), &mut p);
    }
    p
}

/// `n` more strings of `len` bytes each: a string-table bomb once compressed.
fn string_bomb(n: usize, len: usize) -> Vec<u8> {
    let mut p = header();
    let s = vec![b'x'; len];
    for _ in 0..n {
        field(6, &s, &mut p);
    }
    p
}

/// `n` samples of one value each (5 bytes apiece on the wire, 16+ decoded): a sample
/// bomb once compressed, and a valid profile.
fn sample_bomb(n: usize) -> Vec<u8> {
    let mut p = header();
    for _ in 0..n {
        field(2, &[0x12, 1, 1], &mut p);
    }
    p
}

fn gzip(b: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

fn budget(bytes: usize) -> DecodeOptions {
    let mut o = DecodeOptions::default();
    o.memory_budget = bytes;
    o
}

/// Every way bytes reach the decoder: borrowed, owned, streamed, gzip streamed and
/// inflated first.
fn every_path(data: &[u8], opts: &DecodeOptions) -> Vec<(&'static str, Result<Profile, Error>)> {
    let mut inflate_first = opts.clone();
    inflate_first.stream_gzip = false;
    vec![
        ("decode_with", Profile::decode_with(data, opts)),
        ("inflate first", Profile::decode_with(data, &inflate_first)),
        ("read_with", Profile::read_with(data, opts)),
        (
            "decode_bytes_with",
            Profile::decode_bytes_with(data.to_vec().into(), opts),
        ),
    ]
}

fn assert_over_budget(data: &[u8], limit: usize) {
    for (path, r) in every_path(data, &budget(limit)) {
        match r {
            Err(Error::OverBudget { needed, budget }) => {
                assert_eq!(budget, limit, "{path}");
                assert!(needed > limit, "{path}: needed {needed}");
            }
            other => panic!("{path}: expected OverBudget, got {other:?}"),
        }
    }
}

#[test]
fn a_string_table_bomb_stops_at_the_budget() {
    // 24 MiB of strings; a budget of 4 MiB.
    let raw = string_bomb(24 << 10, 1 << 10);
    let gz = gzip(&raw);
    assert!(gz.len() < raw.len() / 50, "a bomb: {} bytes", gz.len());
    assert_over_budget(&gz, 4 << 20);
    assert_over_budget(&raw, 4 << 20);
    // A budget that fits it: the same input decodes.
    for (path, r) in every_path(&gz, &budget(256 << 20)) {
        let p = r.unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(p.string_count(), 3 + (24 << 10), "{path}");
    }
}

#[test]
fn a_sample_table_bomb_stops_at_the_budget() {
    // 1.6 million samples (8 MB on the wire, at least 24 MB of columns); a budget of
    // 12 MiB passes the raw bytes but not the columns.
    let n = 1_600_000;
    let raw = sample_bomb(n);
    let gz = gzip(&raw);
    assert_over_budget(&gz, 12 << 20);
    assert_over_budget(&raw, 12 << 20);
    for (path, r) in every_path(&gz, &budget(512 << 20)) {
        let p = r.unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(p.num_samples(), n, "{path}");
    }
}

#[test]
fn zeros_stop_at_the_smaller_of_budget_and_inflate_cap() {
    let gz = gzip(&vec![0u8; 64 << 20]);
    assert_over_budget(&gz, 1 << 20);
    // The inflate cap below the budget: TooLarge, as before the budget existed.
    let mut o = budget(64 << 20);
    o.max_inflated_size = 1 << 20;
    for (path, r) in every_path(&gz, &o) {
        assert!(
            matches!(r, Err(Error::TooLarge { limit }) if limit == 1 << 20),
            "{path}: {r:?}"
        );
    }
}

#[test]
fn declared_sample_counts_are_checked_before_the_columns_are_allocated() {
    // Raw protobuf: the in-memory decoder counts 400,000 samples (2 MB of input) before
    // it sizes their columns (6.4 MB at least), and stops there.
    let raw = sample_bomb(400_000);
    let e = Profile::decode_with(&raw, &budget(4 << 20)).unwrap_err();
    let Error::OverBudget { needed, .. } = e else {
        panic!("{e:?}")
    };
    // The input, the tables and 16 bytes per sample (an offset and a value).
    assert!(needed >= raw.len() + 400_000 * 16, "{needed}");
    assert!(e_message_names_the_option(&Profile::decode_with(
        &raw,
        &budget(4 << 20)
    )));
}

fn e_message_names_the_option(r: &Result<Profile, Error>) -> bool {
    r.as_ref()
        .err()
        .is_some_and(|e| e.to_string().contains("DecodeOptions::memory_budget"))
}

#[test]
fn ordinary_profiles_are_untouched_by_the_default_budget() {
    for (n, strings) in [(1, 1), (10_000, 100)] {
        let mut raw = string_bomb(strings, 16);
        for _ in 0..n {
            field(2, &[0x12, 1, 7], &mut raw);
        }
        for data in [raw.clone(), gzip(&raw)] {
            for (path, r) in every_path(&data, &DecodeOptions::default()) {
                let p = r.unwrap_or_else(|e| panic!("{path}: {e}"));
                assert_eq!(p.num_samples(), n, "{path}");
                assert_eq!(p.string_count(), 3 + strings, "{path}");
            }
        }
    }
}
