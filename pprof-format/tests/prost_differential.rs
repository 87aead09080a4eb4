//! prost as an independent reference decoder: every profile of `../shared/corpus/pprof`
//! (recursively, gunzipped when gzipped) decoded by prost and by [`Profile`], and every
//! field compared (see `prost_reference/mod.rs` for what is compared and the documented
//! differences).
//!
//! Inputs that are not protobuf (the legacy text formats, text reports) are rejected by
//! both and skipped; inputs prost decodes but pprof-format rejects must be ones that
//! `go tool pprof` rejects too (their `.oracle.json` holds an `error`). The counts are
//! checked so that the test cannot pass by comparing next to nothing.

mod prost_reference;

use std::path::{Path, PathBuf};

use pprof_format::{DecodeOptions, Profile, gunzip, is_gzip};
use prost_reference::{compare, decode_reference, go_lenient};

mod support {
    pub mod corpus;
}

use support::corpus;

/// Protobuf only: a legacy text profile must not be decoded by the fallback.
fn proto_only(stream_gzip: bool) -> DecodeOptions {
    let mut o = DecodeOptions::default();
    o.legacy = false;
    o.stream_gzip = stream_gzip;
    o
}

/// True when `go tool pprof` rejects the file (its oracle says so).
fn reference_rejects(path: &Path) -> bool {
    let oracle = PathBuf::from(format!("{}.oracle.json", path.display()));
    std::fs::read_to_string(oracle).is_ok_and(|t| t.contains("\"error\""))
}

#[test]
fn every_corpus_profile_decodes_like_prost() {
    let mut files = corpus::files();
    files.retain(|p| {
        let name = p.file_name().unwrap().to_string_lossy();
        !name.ends_with(".json") && !name.ends_with(".md")
    });

    let (mut compared, mut gzipped, mut not_protobuf, mut rejected_invalid) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for path in &files {
        let data = std::fs::read(path).unwrap();
        let rel = path
            .strip_prefix(corpus::dir())
            .unwrap()
            .display()
            .to_string();
        let raw = if is_gzip(&data) {
            match gunzip(&data, 1 << 30) {
                Ok(raw) => raw,
                Err(e) => {
                    // A cut or corrupt gzip stream: neither decoder gets a protobuf.
                    if Profile::decode_with(&data, &proto_only(true)).is_ok() {
                        failures.push(format!("{rel}: decoded, but gunzip fails ({e})"));
                    }
                    not_protobuf += 1;
                    continue;
                }
            }
        } else {
            data.clone()
        };
        let reference = decode_reference(&raw);
        // The gzip input through both gzip paths, and the raw protobuf.
        let mut ours = vec![("raw", Profile::decode_with(&raw, &proto_only(true)))];
        if is_gzip(&data) {
            ours.push((
                "gzip stream",
                Profile::decode_with(&data, &proto_only(true)),
            ));
            ours.push((
                "gzip whole",
                Profile::decode_with(&data, &proto_only(false)),
            ));
        }
        let accepted = ours.iter().filter(|(_, r)| r.is_ok()).count();
        if accepted != 0 && accepted != ours.len() {
            failures.push(format!("{rel}: the decode paths disagree on acceptance"));
            continue;
        }
        match (&reference, accepted > 0) {
            (Ok(pb), true) => {
                for (how, p) in &ours {
                    if let Err(diffs) = compare(&raw, p.as_ref().unwrap(), pb) {
                        failures.push(format!("{rel} ({how}):\n{diffs}"));
                    }
                }
                compared += 1;
                gzipped += usize::from(is_gzip(&data));
            }
            (Ok(_), false) => {
                // Valid protobuf that pprof-format refuses: only what google/pprof
                // refuses too (CheckValid) may be refused.
                let e = ours[0].1.as_ref().unwrap_err();
                if reference_rejects(path) {
                    rejected_invalid += 1;
                } else {
                    failures.push(format!(
                        "{rel}: prost decodes it, pprof-format says {e}, go tool pprof accepts it"
                    ));
                }
            }
            (Err(e), true) => {
                failures.push(format!("{rel}: pprof-format decodes it, prost says {e}"))
            }
            (Err(_), false) => not_protobuf += 1,
        }
    }
    eprintln!(
        "prost differential: {} files, {compared} compared ({gzipped} gzipped), \
         {rejected_invalid} valid protobuf refused as invalid profiles (as go tool pprof \
         does), {not_protobuf} not protobuf (legacy text, reports, bad gzip)",
        files.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // Every file is accounted for, and the protobuf ones are most of the corpus.
    assert_eq!(
        compared + rejected_invalid + not_protobuf,
        files.len(),
        "every file is compared or skipped for a stated reason"
    );
    // 55 and 50 when this was written.
    assert!(
        compared >= 55 && gzipped >= 50,
        "only {compared} profiles compared ({gzipped} gzipped): is the corpus all there?"
    );
}

/// The comparison is not vacuous: a change to any table of prost's side is reported.
#[test]
fn compare_reports_every_kind_of_difference() {
    let path = corpus::dir().join("pyroscope/pkg/pprof/testdata/go.cpu.labels.pprof");
    let raw = gunzip(&std::fs::read(path).unwrap(), 1 << 30).unwrap();
    let ours = Profile::decode_with(&raw, &proto_only(true)).unwrap();
    let pb = decode_reference(&raw).unwrap();
    compare(&raw, &ours, &pb).unwrap();
    assert!(
        pb.sample.iter().any(|s| !s.label.is_empty()),
        "a profile with labels"
    );

    type Change = fn(&mut prost_reference::PbProfile);
    let changes: [(&str, Change); 12] = [
        ("string_table[", |p| p.string_table[1].push(b'x')),
        ("sample_type", |p| p.sample_type[0].unit = 0),
        ("sample[0].value", |p| p.sample[0].value[0] += 1),
        ("sample[0].location_id", |p| {
            p.sample[0].location_id.reverse()
        }),
        ("].label", |p| {
            let s = p.sample.iter_mut().find(|s| !s.label.is_empty()).unwrap();
            s.label[0].str = 0;
            s.label[0].num = 1;
        }),
        ("mapping", |p| p.mapping[0].has_functions ^= true),
        ("location[0].line", |p| p.location[0].line[0].line += 1),
        ("location[0].mapping", |p| p.location[0].mapping_id = 0),
        ("function", |p| p.function[0].start_line += 1),
        ("period", |p| p.period += 1),
        ("comment", |p| p.comment.push(0)),
        ("time_nanos", |p| p.time_nanos += 1),
    ];
    for (what, change) in changes {
        let mut changed = pb.clone();
        change(&mut changed);
        let err = compare(&raw, &ours, &changed).expect_err(what);
        assert!(err.contains(what), "{what}: {err}");
    }
}

/// Where google/pprof's decoder is more lenient than protobuf, pprof-format follows it and
/// prost refuses: what the fuzz target `pprof_prost` lets through ([`go_lenient`]).
#[test]
fn go_leniency_that_prost_refuses() {
    // A valid profile: one sample type ("", "a", "b"), no samples.
    let mut base = vec![0x0a, 0x04, 0x08, 0x01, 0x10, 0x02];
    for s in [&b""[..], b"a", b"b"] {
        base.extend([0x32, s.len() as u8]);
        base.extend(s);
    }
    let cases: [(&str, &[u8]); 3] = [
        // Field 0, varint: an unknown field to google/pprof.
        ("field number 0", &[0x00, 0x01]),
        // Field 2^32 (key past u32::MAX), varint.
        (
            "key past u32::MAX",
            &[0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x00],
        ),
        // period (field 12) = a 10-byte varint whose last byte sets bits past the 64th.
        (
            "varint past 64 bits",
            &[
                0x60, 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f,
            ],
        ),
    ];
    let pb = decode_reference(&base).unwrap();
    compare(&base, &Profile::decode(&base).unwrap(), &pb).unwrap();
    for (what, extra) in cases {
        let mut data = base.clone();
        data.extend(extra);
        let ours = Profile::decode_with(&data, &proto_only(true));
        assert!(ours.is_ok(), "{what}: {ours:?}");
        let e = decode_reference(&data).expect_err(what);
        assert!(go_lenient(&e), "{what}: {e}");
    }
    // The varint's low 64 bits are kept.
    let mut data = base.clone();
    data.extend(cases[2].1);
    assert_eq!(Profile::decode(&data).unwrap().period(), 1 | i64::MIN);
}
