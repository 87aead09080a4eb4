//! An independent decoder of profile.proto, prost's, and the comparison of what it
//! decodes with [`pprof_format::Profile`], field by field. Shared by
//! `tests/prost_differential.rs` (every profile of the corpus) and the fuzz target
//! `fuzz/fuzz_targets/pprof_prost.rs` (arbitrary bytes), which includes this file with
//! `#[path]`.
//!
//! The messages below are what `prost-build` generates from google/pprof's
//! `proto/profile.proto` (Apache-2.0, <https://github.com/google/pprof>), written out by
//! hand so that the build needs no `protoc`. To regenerate: put that `profile.proto` in
//! a directory, call `prost_build::compile_protos(&["profile.proto"], &["."])` from a
//! build script and copy the `perftools.profiles` module it writes to `OUT_DIR`. One
//! deliberate change: `string_table` is `repeated bytes` here (`repeated string` in the
//! .proto; the two are the same on the wire), because prost refuses a string that is not
//! UTF-8 while google/pprof and pprof-format keep its bytes.
//!
//! Where pprof-format deliberately differs from a plain protobuf decode, [`compare`]
//! checks the documented relation instead of equality:
//! - a label with no value (`str`, `num` and `num_unit` all 0) is dropped, as
//!   google/pprof's decoder does;
//! - a location whose `mapping_id` is 0 or names no mapping is unmapped (`None`);
//! - ids become dense indexes (a line's function, a location's mapping, a sample's
//!   locations): compared through the id of the entry the index points at;
//! - `period_type` written more than once: google/pprof (and pprof-format) keep the last
//!   message as it is, protobuf (prost) merges the occurrences field by field, so it is
//!   compared with the last occurrence decoded alone.
//!
//! Acceptance differs both ways. google/pprof's decoder (and so pprof-format) is more
//! lenient than protobuf in three places, where prost refuses what they read
//! ([`go_lenient`]): a field number 0 or a key past `u32::MAX` (skipped as an unknown
//! field) and a 10-byte varint whose last byte has more than the 64th bit (the bits past
//! 64 dropped).
//! pprof-format also validates what prost does not (`CheckValid`: ids unique and
//! non-zero, references resolve, string indexes in range, one value per sample type, a
//! single `time_nanos`), so only one direction of acceptance must hold: whatever
//! pprof-format accepts, prost accepts.

// Each includer uses a different part of this module.
#![allow(dead_code)]

use pprof_format::Profile;
use prost::Message;

/// `perftools.profiles.Profile`.
#[derive(Clone, PartialEq, Message)]
pub struct PbProfile {
    #[prost(message, repeated, tag = "1")]
    pub sample_type: Vec<PbValueType>,
    #[prost(message, repeated, tag = "2")]
    pub sample: Vec<PbSample>,
    #[prost(message, repeated, tag = "3")]
    pub mapping: Vec<PbMapping>,
    #[prost(message, repeated, tag = "4")]
    pub location: Vec<PbLocation>,
    #[prost(message, repeated, tag = "5")]
    pub function: Vec<PbFunction>,
    /// `repeated string` in profile.proto (see the module comment).
    #[prost(bytes = "vec", repeated, tag = "6")]
    pub string_table: Vec<Vec<u8>>,
    #[prost(int64, tag = "7")]
    pub drop_frames: i64,
    #[prost(int64, tag = "8")]
    pub keep_frames: i64,
    #[prost(int64, tag = "9")]
    pub time_nanos: i64,
    #[prost(int64, tag = "10")]
    pub duration_nanos: i64,
    #[prost(message, optional, tag = "11")]
    pub period_type: Option<PbValueType>,
    #[prost(int64, tag = "12")]
    pub period: i64,
    #[prost(int64, repeated, tag = "13")]
    pub comment: Vec<i64>,
    #[prost(int64, tag = "14")]
    pub default_sample_type: i64,
    #[prost(int64, tag = "15")]
    pub doc_url: i64,
}

/// `perftools.profiles.ValueType`.
#[derive(Clone, PartialEq, Message)]
pub struct PbValueType {
    #[prost(int64, tag = "1")]
    pub r#type: i64,
    #[prost(int64, tag = "2")]
    pub unit: i64,
}

/// `perftools.profiles.Sample`.
#[derive(Clone, PartialEq, Message)]
pub struct PbSample {
    #[prost(uint64, repeated, tag = "1")]
    pub location_id: Vec<u64>,
    #[prost(int64, repeated, tag = "2")]
    pub value: Vec<i64>,
    #[prost(message, repeated, tag = "3")]
    pub label: Vec<PbLabel>,
}

/// `perftools.profiles.Label`.
#[derive(Clone, PartialEq, Message)]
pub struct PbLabel {
    #[prost(int64, tag = "1")]
    pub key: i64,
    #[prost(int64, tag = "2")]
    pub str: i64,
    #[prost(int64, tag = "3")]
    pub num: i64,
    #[prost(int64, tag = "4")]
    pub num_unit: i64,
}

/// `perftools.profiles.Mapping`.
#[derive(Clone, PartialEq, Message)]
pub struct PbMapping {
    #[prost(uint64, tag = "1")]
    pub id: u64,
    #[prost(uint64, tag = "2")]
    pub memory_start: u64,
    #[prost(uint64, tag = "3")]
    pub memory_limit: u64,
    #[prost(uint64, tag = "4")]
    pub file_offset: u64,
    #[prost(int64, tag = "5")]
    pub filename: i64,
    #[prost(int64, tag = "6")]
    pub build_id: i64,
    #[prost(bool, tag = "7")]
    pub has_functions: bool,
    #[prost(bool, tag = "8")]
    pub has_filenames: bool,
    #[prost(bool, tag = "9")]
    pub has_line_numbers: bool,
    #[prost(bool, tag = "10")]
    pub has_inline_frames: bool,
}

/// `perftools.profiles.Location`.
#[derive(Clone, PartialEq, Message)]
pub struct PbLocation {
    #[prost(uint64, tag = "1")]
    pub id: u64,
    #[prost(uint64, tag = "2")]
    pub mapping_id: u64,
    #[prost(uint64, tag = "3")]
    pub address: u64,
    #[prost(message, repeated, tag = "4")]
    pub line: Vec<PbLine>,
    #[prost(bool, tag = "5")]
    pub is_folded: bool,
}

/// `perftools.profiles.Line`.
#[derive(Clone, PartialEq, Message)]
pub struct PbLine {
    #[prost(uint64, tag = "1")]
    pub function_id: u64,
    #[prost(int64, tag = "2")]
    pub line: i64,
    #[prost(int64, tag = "3")]
    pub column: i64,
}

/// `perftools.profiles.Function`.
#[derive(Clone, PartialEq, Message)]
pub struct PbFunction {
    #[prost(uint64, tag = "1")]
    pub id: u64,
    #[prost(int64, tag = "2")]
    pub name: i64,
    #[prost(int64, tag = "3")]
    pub system_name: i64,
    #[prost(int64, tag = "4")]
    pub filename: i64,
    #[prost(int64, tag = "5")]
    pub start_line: i64,
}

/// True when prost refused a message for one of the reasons google/pprof's decoder, and
/// pprof-format with it, does not: a field number 0 (`invalid tag value: 0`), a key past
/// `u32::MAX` (`invalid key value`), a varint with bits past the 64th (`invalid varint`;
/// a varint cut by the end of its message is refused by both).
pub fn go_lenient(e: &prost::DecodeError) -> bool {
    let e = e.to_string();
    [
        "invalid tag value: 0",
        "invalid key value",
        "invalid varint",
    ]
    .iter()
    .any(|m| e.contains(m))
}

/// Decodes raw (not gzipped) profile.proto bytes with prost.
pub fn decode_reference(raw: &[u8]) -> Result<PbProfile, prost::DecodeError> {
    PbProfile::decode(raw)
}

/// The payloads of the top-level length-delimited field `field` of the well-formed
/// message `raw`, in order (empty when `raw` is not well-formed past some point: the
/// caller only asks about messages prost accepted).
fn top_level_payloads(raw: &[u8], field: u64) -> Vec<&[u8]> {
    fn varint(b: &[u8], i: &mut usize) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *b.get(*i)?;
            *i += 1;
            v |= u64::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return Some(v);
            }
        }
        None
    }
    let mut out = Vec::new();
    let mut i = 0;
    // Start-group tags whose end-group has not been seen: their contents are skipped.
    let mut groups = 0u32;
    while i < raw.len() {
        let Some(tag) = varint(raw, &mut i) else {
            return Vec::new();
        };
        match tag & 7 {
            0 => {
                if varint(raw, &mut i).is_none() {
                    return Vec::new();
                }
            }
            1 => i += 8,
            2 => {
                let Some(len) = varint(raw, &mut i) else {
                    return Vec::new();
                };
                let Some(end) = usize::try_from(len)
                    .ok()
                    .and_then(|n| i.checked_add(n))
                    .filter(|&e| e <= raw.len())
                else {
                    return Vec::new();
                };
                if groups == 0 && tag >> 3 == field {
                    out.push(&raw[i..end]);
                }
                i = end;
            }
            3 => groups += 1,
            4 => groups = groups.saturating_sub(1),
            5 => i += 4,
            _ => return Vec::new(),
        }
    }
    out
}

/// Compares every field of `ours` (pprof-format's decode of the profile whose raw
/// protobuf bytes are `raw`) with `pb` (prost's decode of the same bytes). `Err` lists
/// the differences found (at most a few per table).
pub fn compare(raw: &[u8], ours: &Profile, pb: &PbProfile) -> Result<(), String> {
    let mut d = Diffs::default();

    // String table: pprof-format keeps the indexes, so comparing the tables entry by
    // entry and then every index compares the strings every field resolves to.
    d.eq(
        "string_table.len",
        ours.string_count(),
        pb.string_table.len(),
    );
    for (i, s) in pb.string_table.iter().enumerate().take(ours.string_count()) {
        let got = ours.bytes_of(i as u32);
        if got != &s[..] {
            d.push(format!(
                "string_table[{i}]: {:?} vs prost {:?}",
                String::from_utf8_lossy(got),
                String::from_utf8_lossy(s)
            ));
        }
    }

    // Sample types.
    let ours_st: Vec<(i64, i64)> = ours
        .sample_types()
        .iter()
        .map(|vt| (i64::from(vt.ty), i64::from(vt.unit)))
        .collect();
    let pb_st: Vec<(i64, i64)> = pb.sample_type.iter().map(|v| (v.r#type, v.unit)).collect();
    d.eq("sample_type", ours_st, pb_st);

    // Samples: location ids (through the dense indexes), values, labels.
    d.eq("sample.len", ours.num_samples(), pb.sample.len());
    let locs = ours.locations();
    for (i, ps) in pb.sample.iter().enumerate().take(ours.num_samples()) {
        let s = ours.sample(i);
        let ids: Vec<Option<u64>> = s
            .locations
            .iter()
            .map(|x| locs.get(x as usize).map(|l| l.id))
            .collect();
        let want: Vec<Option<u64>> = ps.location_id.iter().map(|&id| Some(id)).collect();
        d.eq(&format!("sample[{i}].location_id"), ids, want);
        d.eq(&format!("sample[{i}].value"), s.values, &ps.value[..]);
        let labels: Vec<(i64, i64, i64, i64)> = s
            .labels
            .iter()
            .map(|l| {
                (
                    i64::from(l.key),
                    i64::from(l.str),
                    l.num,
                    i64::from(l.num_unit),
                )
            })
            .collect();
        // A label without a value is dropped (google/pprof's decoder does the same).
        let want: Vec<(i64, i64, i64, i64)> = ps
            .label
            .iter()
            .filter(|l| l.str != 0 || l.num != 0 || l.num_unit != 0)
            .map(|l| (l.key, l.str, l.num, l.num_unit))
            .collect();
        d.eq(&format!("sample[{i}].label"), labels, want);
        if d.full() {
            break;
        }
    }

    // Mappings.
    let ours_m: Vec<_> = ours
        .mappings()
        .iter()
        .map(|m| {
            (
                m.id,
                m.memory_start,
                m.memory_limit,
                m.file_offset,
                i64::from(m.filename),
                i64::from(m.build_id),
                [
                    m.has_functions,
                    m.has_filenames,
                    m.has_line_numbers,
                    m.has_inline_frames,
                ],
            )
        })
        .collect();
    let pb_m: Vec<_> = pb
        .mapping
        .iter()
        .map(|m| {
            (
                m.id,
                m.memory_start,
                m.memory_limit,
                m.file_offset,
                m.filename,
                m.build_id,
                [
                    m.has_functions,
                    m.has_filenames,
                    m.has_line_numbers,
                    m.has_inline_frames,
                ],
            )
        })
        .collect();
    d.eq("mapping", ours_m, pb_m);

    // Functions.
    let ours_f: Vec<_> = ours
        .functions()
        .iter()
        .map(|f| {
            (
                f.id,
                i64::from(f.name),
                i64::from(f.system_name),
                i64::from(f.filename),
                f.start_line,
            )
        })
        .collect();
    let pb_f: Vec<_> = pb
        .function
        .iter()
        .map(|f| (f.id, f.name, f.system_name, f.filename, f.start_line))
        .collect();
    d.eq("function", ours_f, pb_f);

    // Locations and their lines; a mapping or function index is compared through the id
    // of the entry it points at.
    d.eq("location.len", locs.len(), pb.location.len());
    for (i, (l, pl)) in locs.iter().zip(&pb.location).enumerate() {
        let mapping = l
            .mapping
            .map(|m| ours.mappings().get(m as usize).map(|m| m.id));
        // 0, or an id no mapping has: unmapped.
        let want = pb
            .mapping
            .iter()
            .any(|m| pl.mapping_id != 0 && m.id == pl.mapping_id)
            .then_some(Some(pl.mapping_id));
        d.eq(&format!("location[{i}].mapping"), mapping, want);
        d.eq(
            &format!("location[{i}].(id, address, is_folded)"),
            (l.id, l.address, l.is_folded),
            (pl.id, pl.address, pl.is_folded),
        );
        let lines: Vec<_> = ours
            .location_lines(l)
            .iter()
            .map(|ln| {
                let fid = ours.functions().get(ln.function as usize).map(|f| f.id);
                (fid, ln.line, ln.column)
            })
            .collect();
        let want: Vec<_> = pl
            .line
            .iter()
            .map(|ln| (Some(ln.function_id), ln.line, ln.column))
            .collect();
        d.eq(&format!("location[{i}].line"), lines, want);
        if d.full() {
            break;
        }
    }

    // The scalars.
    d.eq("drop_frames", i64::from(ours.drop_frames()), pb.drop_frames);
    d.eq("keep_frames", i64::from(ours.keep_frames()), pb.keep_frames);
    d.eq("time_nanos", ours.time_nanos(), pb.time_nanos);
    d.eq("duration_nanos", ours.duration_nanos(), pb.duration_nanos);
    d.eq("period", ours.period(), pb.period);
    d.eq(
        "default_sample_type",
        i64::from(ours.default_sample_type()),
        pb.default_sample_type,
    );
    d.eq("doc_url", i64::from(ours.doc_url()), pb.doc_url);
    let comments: Vec<i64> = ours.comments().iter().map(|&c| i64::from(c)).collect();
    d.eq("comment", comments, pb.comment.clone());

    // period_type: the last occurrence as it is (see the module comment).
    let occurrences = top_level_payloads(raw, 11);
    let want = match occurrences.as_slice() {
        [] | [_] => pb.period_type.clone(),
        [.., last] => match PbValueType::decode(*last) {
            Ok(v) => Some(v),
            Err(e) => {
                d.push(format!(
                    "period_type: prost accepted the profile but not its last period_type ({e})"
                ));
                None
            }
        },
    };
    let got = ours
        .period_type()
        .map(|vt| (i64::from(vt.ty), i64::from(vt.unit)));
    d.eq("period_type", got, want.map(|v| (v.r#type, v.unit)));

    d.finish()
}

/// The differences found so far.
#[derive(Default)]
struct Diffs(Vec<String>);

impl Diffs {
    const MAX: usize = 12;

    fn push(&mut self, s: String) {
        if self.0.len() < Self::MAX {
            self.0.push(s);
        }
    }

    fn full(&self) -> bool {
        self.0.len() >= Self::MAX
    }

    fn eq<A: PartialEq<B> + std::fmt::Debug, B: std::fmt::Debug>(
        &mut self,
        what: &str,
        a: A,
        b: B,
    ) {
        if a != b {
            let (a, b) = (format!("{a:?}"), format!("{b:?}"));
            let cut = |s: String| {
                if s.chars().count() > 300 {
                    format!("{}...", s.chars().take(300).collect::<String>())
                } else {
                    s
                }
            };
            self.push(format!("{what}: ours {} vs prost {}", cut(a), cut(b)));
        }
    }

    fn finish(self) -> Result<(), String> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0.join("\n"))
        }
    }
}
