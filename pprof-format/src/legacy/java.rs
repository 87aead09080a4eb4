//! The Java legacy formats: `--- heapz 1 ---` and `--- contentionz 1 ---` text profiles,
//! and the symbol section (`0xADDR function (file:line)`) they share with the Java
//! flavour of the binary CPU profile.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::bytes::Regex;

use super::model::{
    Fail, LFunction, LProfile, LResult, LSample, bad, hex_addresses, parse_i64_base0, trim,
};
use super::text::scale_heap_sample;

fn re(pattern: &str) -> Regex {
    Regex::new(&format!("(?-u){pattern}")).expect("valid legacy regexp")
}

static ATTRIBUTE: LazyLock<Regex> = LazyLock::new(|| re(r"([\w ]+)=([\w ]+)"));
static SAMPLE: LazyLock<Regex> = LazyLock::new(|| re(r" *(\d+) +(\d+) +@ +([ x0-9a-f]*)"));
static LOCATION: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*0x([[:xdigit:]]+)\s+(.*)\s*$"));
static FILE_LINE: LazyLock<Regex> = LazyLock::new(|| re(r"^(.*)\s+\((.+):(-?[[:digit:]]+)\)$"));
static PATH: LazyLock<Regex> = LazyLock::new(|| re(r"^(.*)\s+\((.*)\)$"));

/// Java's heap sampling interval (512 KiB).
const HEAPZ_RATE: i64 = 524_288;

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Heap,
    Contention,
}

/// Splits off the first line (with its newline); `None` when there is no newline.
fn next_line(b: &[u8]) -> Option<(&[u8], &[u8])> {
    memchr::memchr(b'\n', b).map(|i| (&b[..i], &b[i + 1..]))
}

/// `--- heapz 1 ---` and `--- contentionz 1 ---` profiles.
pub(crate) fn parse(b: &[u8]) -> LResult<LProfile> {
    let (first, mut b) = next_line(b).ok_or(Fail::Unrecognized)?;
    let kind = match trim(first) {
        b"--- heapz 1 ---" => Kind::Heap,
        b"--- contentionz 1 ---" => Kind::Contention,
        _ => return Err(Fail::Unrecognized),
    };
    let mut p = LProfile::new(&[], ("", ""), 0);
    let mut line_no = 1;

    // Attributes, up to the first line that is not `key = value`.
    while let Some((raw, rest)) = next_line(b) {
        let line = trim(raw);
        if !line.is_empty() {
            let Some(h) = ATTRIBUTE.captures(line) else {
                break;
            };
            let attr = String::from_utf8_lossy(trim(&h[1])).into_owned();
            let value = String::from_utf8_lossy(trim(&h[2])).into_owned();
            let number = || {
                parse_i64_base0(value.as_bytes()).ok_or_else(|| {
                    bad(
                        "java",
                        line_no + 1,
                        format!(
                            "failed to parse attribute {}",
                            String::from_utf8_lossy(line)
                        ),
                    )
                })
            };
            match (kind, attr.as_str()) {
                (_, "format") => {
                    if value != "java" {
                        return Err(Fail::Unrecognized);
                    }
                }
                (Kind::Heap, "resolution") => {
                    p.sample_types = vec![
                        ("inuse_objects".into(), "count".into()),
                        ("inuse_space".into(), value.clone()),
                    ];
                }
                (Kind::Contention, "resolution") => {
                    p.sample_types = vec![
                        ("contentions".into(), "count".into()),
                        ("delay".into(), value.clone()),
                    ];
                }
                (Kind::Contention, "sampling period") => {
                    p.period_type = ("contentions".into(), "count".into());
                    p.period = number()?;
                }
                (Kind::Contention, "ms since reset") => {
                    p.duration_nanos = number()?.wrapping_mul(1_000_000)
                }
                _ => return Err(Fail::Unrecognized),
            }
        }
        b = rest;
        line_no += 1;
    }

    // Samples, up to the first line that is not one.
    let mut locs = HashMap::new();
    while let Some((raw, rest)) = next_line(b) {
        let line = trim(raw);
        if !line.is_empty() {
            let Some(c) = SAMPLE.captures(line) else {
                break;
            };
            let lossy = String::from_utf8_lossy(line);
            let addrs = hex_addresses(&c[3]).map_err(|e| {
                bad(
                    "java",
                    line_no + 1,
                    format!("malformed sample: {lossy}: {e}"),
                )
            })?;
            let locations = addrs.iter().map(|&a| p.location(&mut locs, a)).collect();
            // The columns are swapped relative to the other formats.
            let parse = |v: &[u8]| {
                parse_i64_base0(v)
                    .ok_or_else(|| bad("java", line_no + 1, format!("parsing sample {lossy}")))
            };
            let (mut v0, mut v1) = (parse(&c[2])?, parse(&c[1])?);
            let mut bytes_label = None;
            match kind {
                Kind::Heap => {
                    if v0 == 0 {
                        return Err(bad(
                            "java",
                            line_no + 1,
                            format!("parsing sample {lossy}: second value must be non-zero"),
                        ));
                    }
                    bytes_label = Some(v1.wrapping_div(v0));
                    (v0, v1) = scale_heap_sample(v0, v1, HEAPZ_RATE);
                }
                Kind::Contention => {
                    if p.period != 0 {
                        v0 = v0.wrapping_mul(p.period);
                        v1 = v1.wrapping_mul(p.period);
                    }
                }
            }
            p.samples.push(LSample {
                locations,
                values: vec![v0, v1],
                bytes_label,
            });
        }
        b = rest;
        line_no += 1;
    }
    locations(b, &locs, &mut p)?;
    p.drop_addresses = true;
    Ok(p)
}

/// The symbol section: gives each known location its function, file and line, then
/// numbers locations, functions and mappings like google/pprof's `parseJavaLocations`.
pub(crate) fn locations(b: &[u8], locs: &HashMap<u64, usize>, p: &mut LProfile) -> LResult<()> {
    let mut fns: HashMap<Vec<u8>, usize> = HashMap::new();
    for raw in b.split(|&c| c == b'\n') {
        let line = trim(raw);
        if line.is_empty() {
            continue;
        }
        let Some(c) = LOCATION.captures(line) else {
            continue;
        };
        let addr = std::str::from_utf8(&c[1])
            .ok()
            .and_then(|h| u64::from_str_radix(h, 16).ok())
            .ok_or_else(|| {
                bad(
                    "java",
                    0,
                    format!("parsing sample {}", String::from_utf8_lossy(line)),
                )
            })?;
        let Some(&loc) = locs.get(&addr) else {
            continue;
        };
        let desc = &c[2];
        let (func, file, line_no): (Vec<u8>, Vec<u8>, i64) =
            if let Some(f) = FILE_LINE.captures(desc) {
                let n = super::model::parse_i64(&f[3])
                    .filter(|&n| n > 0)
                    .unwrap_or(0);
                (f[1].to_vec(), f[2].to_vec(), n)
            } else if let Some(f) = PATH.captures(desc) {
                (f[1].to_vec(), base_name(&f[2]), 0)
            } else if memchr::memmem::find(desc, b"generated stub/JIT").is_some() {
                (b"STUB".to_vec(), Vec::new(), 0)
            } else {
                (desc.to_vec(), Vec::new(), 0)
            };
        let fi = *fns.entry(func.clone()).or_insert_with(|| {
            p.functions.push(LFunction {
                name: func,
                filename: file,
            });
            p.functions.len() - 1
        });
        p.locations[loc].line = Some((fi, line_no));
        p.locations[loc].address = 0;
    }
    p.remap_location_ids();
    p.remap_function_ids();
    p.remap_mapping_ids();
    Ok(())
}

/// Go's `filepath.Base` for `/`-separated paths.
fn base_name(path: &[u8]) -> Vec<u8> {
    if path.is_empty() {
        return b".".to_vec();
    }
    let trimmed = {
        let mut p = path;
        while p.len() > 1 && p.ends_with(b"/") {
            p = &p[..p.len() - 1];
        }
        p
    };
    if trimmed == b"/" {
        return b"/".to_vec();
    }
    match trimmed.iter().rposition(|&c| c == b'/') {
        Some(i) => trimmed[i + 1..].to_vec(),
        None => trimmed.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_names() {
        assert_eq!(base_name(b"/usr/lib/libjvm.so"), b"libjvm.so");
        assert_eq!(base_name(b"a/b/"), b"b");
        assert_eq!(base_name(b""), b".");
        assert_eq!(base_name(b"///"), b"/");
    }

    #[test]
    fn heap_sample_needs_a_count() {
        let text = b"--- heapz 1 ---\nformat = java\nresolution = bytes\n0 0 @ 0x1\n";
        match parse(text) {
            Err(Fail::Bad(e)) => assert!(
                e.to_string().contains("second value must be non-zero"),
                "{e}"
            ),
            other => panic!("{other:?}"),
        }
    }
}
