//! The public API's promises: zero-copy sources, the gzip cap, typed errors with
//! locations, `Send + Sync`, validation of built profiles.

use bytes::Bytes;
use pprof_format::{DecodeOptions, Error, Line, Profile, ProfileBuilder, check_valid};

fn sample_profile() -> Profile {
    let mut b = ProfileBuilder::new();
    b.sample_type("samples", "count")
        .sample_type("cpu", "nanoseconds");
    b.period_type("cpu", "nanoseconds").period(10_000_000);
    let f = b.function("main.work", "/src/main.go", 7);
    let g = b.function("main.main", "/src/main.go", 20);
    let m = b.mapping(0x400000, 0x800000, 0, "/bin/app", "deadbeef");
    let leaf = b.location(Some(m), 0x401234, &[(f, 9)]);
    let root = b.location(Some(m), 0x402000, &[(g, 22)]);
    let l = b.label_str("endpoint", "/api");
    b.sample(&[leaf, root], &[3, 30_000_000], &[l]);
    b.sample(&[root], &[1, 10_000_000], &[]);
    b.build().unwrap()
}

#[test]
fn profiles_are_send_sync_and_cheap_to_clone() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Profile>();
    let p = sample_profile();
    let q = p.clone();
    assert_eq!(
        p.buffer().as_ptr(),
        q.buffer().as_ptr(),
        "clones share the buffer"
    );
}

#[test]
fn raw_bytes_are_borrowed_not_copied() {
    let input = Bytes::from(sample_profile().encode());
    let p = Profile::decode_bytes(input.clone()).unwrap();
    assert_eq!(p.buffer().as_ptr(), input.as_ptr());
    // Every string of the profile points into the input.
    let range = input.as_ptr() as usize..input.as_ptr() as usize + input.len();
    for i in 1..p.string_count() as u32 {
        let s = p.bytes_of(i);
        assert!(
            range.contains(&(s.as_ptr() as usize)),
            "string {i} was copied"
        );
    }
    // The profile keeps the buffer alive on its own.
    drop(input);
    assert_eq!(p.string(p.functions()[0].name), "main.work");
}

#[test]
fn files_are_memory_mapped_and_decoded() {
    let dir = std::env::temp_dir().join(format!("pprof-format-api-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let raw = dir.join("p.pb");
    let gz = dir.join("p.pb.gz");
    let empty = dir.join("empty");
    std::fs::write(&raw, sample_profile().encode()).unwrap();
    std::fs::write(&gz, sample_profile().encode_gzip()).unwrap();
    std::fs::write(&empty, b"").unwrap();
    assert_eq!(Profile::open(&raw).unwrap(), sample_profile());
    assert_eq!(Profile::open(&gz).unwrap(), sample_profile());
    assert!(matches!(Profile::open(&empty), Err(Error::Empty)));
    match Profile::open(dir.join("missing")) {
        Err(Error::Io { path, .. }) => assert!(path.ends_with("missing")),
        other => panic!("{other:?}"),
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn gzip_output_is_capped() {
    let gz = sample_profile().encode_gzip();
    let inflated = sample_profile().encode().len();
    let mut opts = DecodeOptions::default();
    opts.max_inflated_size = inflated - 1;
    assert!(
        matches!(Profile::decode_with(&gz, &opts), Err(Error::TooLarge { limit }) if limit == inflated - 1)
    );
    opts.max_inflated_size = inflated;
    assert!(Profile::decode_with(&gz, &opts).is_ok());
    // A gzip bomb: 64 MiB of zeros compresses to ~64 KiB.
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut enc, &vec![0u8; 64 << 20]).unwrap();
    let bomb = enc.finish().unwrap();
    opts.max_inflated_size = 1 << 20;
    assert!(matches!(
        Profile::decode_with(&bomb, &opts),
        Err(Error::TooLarge { .. })
    ));
}

#[test]
fn multi_member_gzip_decodes_whole() {
    // The buffer is sized from the last member's trailer; with two members that is too
    // small and must grow, not cut the profile.
    let raw = sample_profile().encode();
    let (a, b) = raw.split_at(raw.len() / 3);
    let mut gz = Vec::new();
    for part in [a, b] {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut enc, part).unwrap();
        gz.extend(enc.finish().unwrap());
    }
    assert_eq!(Profile::decode(&gz).unwrap(), sample_profile());
}

#[test]
fn truncation_names_the_field_and_offset() {
    let bytes = sample_profile().encode();
    // Cut inside the first sample message (after the two sample types).
    let cut = &bytes[..30];
    let err = Profile::decode_with(cut, &{
        let mut o = DecodeOptions::default();
        o.legacy = false;
        o
    })
    .unwrap_err();
    match &err {
        Error::Truncated {
            field,
            offset,
            needed,
        } => {
            assert_eq!(*field, "Profile");
            assert!(*offset < 30 && *needed > 0, "{err}");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("byte"), "{err}");
}

#[test]
fn dangling_references_are_invalid() {
    // A sample that refers to location 9, which does not exist:
    // Profile { sample_type {1,2}, sample { location_id: 9, value: 1 }, string_table ["", "a", "b"] }
    let bytes = [
        0x0a, 0x04, 0x08, 0x01, 0x10, 0x02, // sample_type
        0x12, 0x04, 0x08, 0x09, 0x10, 0x01, // sample
        0x32, 0x00, 0x32, 0x01, b'a', 0x32, 0x01, b'b', // strings
    ];
    match Profile::decode(&bytes) {
        Err(Error::Invalid(m)) => assert!(m.contains("location id 9"), "{m}"),
        other => panic!("{other:?}"),
    }
    // The same with location 9 present decodes (and is not an identity-id table).
    let mut ok = bytes.to_vec();
    ok.extend_from_slice(&[0x22, 0x02, 0x08, 0x09]);
    let p = Profile::decode(&ok).unwrap();
    assert_eq!(p.sample(0).locations, &[0]);
    assert_eq!(p.sample(0).values, &[1]);
}

#[test]
fn string_table_must_start_empty() {
    let bytes = [0x32, 0x01, b'x'];
    assert!(Profile::decode(&bytes).is_err());
}

#[test]
fn builder_misuse_is_reported_by_build() {
    let mut b = ProfileBuilder::new();
    b.sample_type("samples", "count");
    b.sample(&[], &[1, 2], &[]);
    assert!(matches!(b.build(), Err(Error::Invalid(m)) if m.contains("mismatch")));
    let mut b = ProfileBuilder::new();
    b.sample_type("samples", "count");
    b.sample(&[7], &[1], &[]);
    assert!(
        b.build().is_err(),
        "a dangling location index must be rejected"
    );
    check_valid(&sample_profile()).unwrap();
}

#[test]
fn unknown_fields_are_skipped() {
    let mut bytes = sample_profile().encode();
    // Field 99 (varint), field 100 (fixed64), field 101 (bytes), field 102 (fixed32).
    bytes.extend_from_slice(&[0x98, 0x06, 0x05]);
    bytes.extend_from_slice(&[0xa1, 0x06, 1, 2, 3, 4, 5, 6, 7, 8]);
    bytes.extend_from_slice(&[0xaa, 0x06, 0x02, b'h', b'i']);
    bytes.extend_from_slice(&[0xb5, 0x06, 1, 2, 3, 4]);
    assert_eq!(Profile::decode(&bytes).unwrap(), sample_profile());
}

#[test]
fn non_packed_and_packed_repeated_fields_decode_alike() {
    // sample { location_id: 1, location_id: 2 (unpacked), value: [5] (packed) }
    let bytes = [
        0x0a, 0x02, 0x08, 0x01, // sample_type {type: 1}
        0x12, 0x07, 0x08, 0x01, 0x08, 0x02, 0x12, 0x01, 0x05, // sample
        0x22, 0x02, 0x08, 0x01, 0x22, 0x02, 0x08, 0x02, // locations 1, 2
        0x32, 0x00, 0x32, 0x01, b's', // strings
    ];
    let p = Profile::decode(&bytes).unwrap();
    assert_eq!(p.sample(0).locations, &[0, 1]);
    assert_eq!(p.sample(0).values, &[5]);
}

/// A profile with `n` locations (ids `1..=n`, or shuffled ids when `shuffled`), whose
/// samples use the first, the last and some middle locations.
fn many_locations(n: u32, shuffled: bool) -> Profile {
    let mut b = ProfileBuilder::new();
    b.sample_type("samples", "count");
    let f = b.function("main.f", "m.go", 1);
    let locs: Vec<u32> = (0..n)
        .map(|i| {
            let id = if shuffled {
                u64::from(n - i) * 3
            } else {
                u64::from(i) + 1
            };
            b.push_location(
                id,
                None,
                0x1000 + u64::from(i),
                &[Line {
                    function: f,
                    line: 1,
                    column: 0,
                }],
                false,
            )
        })
        .collect();
    b.sample(&[locs[0], locs[n as usize - 1]], &[1], &[]);
    b.sample(
        &[locs[n as usize / 2], locs[1], locs[n as usize - 1]],
        &[2],
        &[],
    );
    b.sample(&[], &[3], &[]);
    b.build().unwrap()
}

#[test]
fn location_indexes_are_u16_up_to_65536_locations_and_u32_beyond() {
    for (n, width) in [(65_536, 2), (65_537, 4), (70_000, 4)] {
        for shuffled in [false, true] {
            let built = many_locations(n, shuffled);
            assert_eq!(
                built.samples().memory().location_index_bytes,
                width,
                "built, {n}"
            );
            let p = Profile::decode(&built.encode()).unwrap();
            assert_eq!(
                p.samples().memory().location_index_bytes,
                width,
                "decoded, {n}"
            );
            assert_eq!(p, built);
            assert_eq!(p.sample(0).locations, [0, n - 1]);
            assert_eq!(p.sample(1).locations.to_vec(), [n / 2, 1, n - 1]);
            assert!(p.sample(2).locations.is_empty());
            assert_eq!(p.encode(), built.encode());
        }
    }
    // A sample naming a location id that is not in the table is still an error at
    // either width (the narrow column must not take a truncated index).
    for n in [65_536u32, 65_537] {
        let mut bytes = many_locations(n, false).encode();
        // sample { location_id: n + 1 + 65_536 (truncates to a valid u16), value: 1 }
        let mut sample = vec![0x08];
        let mut id = u64::from(n) + 1 + 65_536;
        while id >= 0x80 {
            sample.push(id as u8 | 0x80);
            id >>= 7;
        }
        sample.push(id as u8);
        sample.extend_from_slice(&[0x10, 0x01]);
        bytes.push(0x12);
        bytes.push(sample.len() as u8);
        bytes.extend_from_slice(&sample);
        match Profile::decode(&bytes) {
            Err(Error::Invalid(m)) => assert!(m.contains("location id"), "{m}"),
            other => panic!("{n}: {other:?}"),
        }
    }
}

#[test]
fn label_strings_out_of_range_are_rejected() {
    // sample_type {1, 2}, sample { location_id: [], value: 1, label {key, str, num_unit} },
    // strings ["", "a", "b"]; google/pprof's getString refuses any index >= 3.
    for (field, at) in [
        (0x08u8, "label key"),
        (0x10, "label value"),
        (0x20, "label unit"),
    ] {
        let mut label = vec![0x08, 0x01, 0x10, 0x02, 0x20, 0x00];
        let i = label.iter().position(|&b| b == field).unwrap();
        label[i + 1] = 3;
        let mut bytes = vec![0x0a, 0x04, 0x08, 0x01, 0x10, 0x02];
        bytes.extend_from_slice(&[
            0x12,
            2 + 2 + label.len() as u8,
            0x10,
            0x01,
            0x1a,
            label.len() as u8,
        ]);
        bytes.extend_from_slice(&label);
        bytes.extend_from_slice(&[0x32, 0x00, 0x32, 0x01, b'a', 0x32, 0x01, b'b']);
        match Profile::decode(&bytes) {
            Err(Error::Malformed { what, .. }) => assert!(what.contains(at), "{what}"),
            other => panic!("{at}: {other:?}"),
        }
        // In range, the same bytes decode.
        label[i + 1] = 2;
        let n = bytes.len();
        bytes[n - 8 - label.len()..n - 8].copy_from_slice(&label);
        assert!(Profile::decode(&bytes).is_ok(), "{at}");
    }
}

#[test]
fn string_indexes_past_u32_are_reported_with_their_value() {
    // sample_type { type: 2^40, unit: 0 }, strings [""]: the index is beyond any string
    // table, and the error says which index (it was once clamped to 4294967295).
    let mut vt = vec![0x08];
    let mut x = 1u64 << 40;
    while x >= 0x80 {
        vt.push(x as u8 | 0x80);
        x >>= 7;
    }
    vt.push(x as u8);
    let mut bytes = vec![0x0a, vt.len() as u8];
    bytes.extend_from_slice(&vt);
    bytes.extend_from_slice(&[0x32, 0x00]);
    for data in [bytes.clone(), {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut e, &bytes).unwrap();
        e.finish().unwrap()
    }] {
        match Profile::decode(&data) {
            Err(e @ Error::Malformed { .. }) => {
                let m = e.to_string();
                assert!(m.contains("string index 1099511627776"), "{m}");
                assert!(m.contains("ValueType.type at byte 2"), "{m}");
            }
            other => panic!("{other:?}"),
        }
    }
    // u32::MAX itself is an index like any other: out of this table's range.
    let mut b = vec![0x0a, 0x08, 0x08, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x10];
    b.push(0x00);
    b.extend_from_slice(&[0x32, 0x00]);
    let m = Profile::decode(&b).unwrap_err().to_string();
    assert!(m.contains("refers to string 4294967295"), "{m}");
}

#[test]
fn streams_are_read_to_a_limit() {
    use pprof_format::{DecodeOptions, Error, ProfileBuilder};
    let mut b = ProfileBuilder::new();
    b.sample_type("samples", "count").comment("streamed");
    let p = b.build().unwrap();
    let raw = p.encode();
    assert_eq!(
        Profile::read_with(&raw[..], &DecodeOptions::default()).unwrap(),
        p
    );
    let mut small = DecodeOptions::default();
    small.max_inflated_size = raw.len() - 1;
    assert!(matches!(
        Profile::read_with(&raw[..], &small),
        Err(Error::TooLarge { .. })
    ));
    assert!(matches!(
        Profile::read_with(&b""[..], &DecodeOptions::default()),
        Err(Error::Empty)
    ));
    let dir = std::env::temp_dir();
    let err = Profile::open(&dir).unwrap_err();
    assert!(
        matches!(&err, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::IsADirectory),
        "{err}"
    );
}
