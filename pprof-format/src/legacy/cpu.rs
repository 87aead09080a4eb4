//! The binary CPU profile of gperftools (`profilez`) and of Go before profile.proto: a
//! header of five words, then `count, depth, pc…` records, then a text memory map. Words
//! are 32 or 64 bits in either byte order, found by trying each until the header fits.

use std::collections::HashMap;

use super::java;
use super::model::{Fail, LProfile, LResult, LSample};
use super::scanner::Scanner;

/// Reads one word; `None` (Go's nil slice) once the input is exhausted, after which every
/// read gives 0 — the reference parser's behaviour for a record cut short.
type Word = fn(Option<&[u8]>) -> (u64, Option<&[u8]>);

fn word<const N: usize>(b: Option<&[u8]>, big: bool) -> (u64, Option<&[u8]>) {
    match b {
        Some(b) if b.len() >= N => {
            let mut v = 0u64;
            for i in 0..N {
                let byte = if big { b[i] } else { b[N - 1 - i] };
                v = v << 8 | u64::from(byte);
            }
            (v, Some(&b[N..]))
        }
        _ => (0, None),
    }
}

const WORDS: [(Word, usize); 4] = [
    (|b| word::<4>(b, false), 4),
    (|b| word::<4>(b, true), 4),
    (|b| word::<8>(b, false), 8),
    (|b| word::<8>(b, true), 8),
];

/// Parses a binary CPU profile (C++ or Java flavour).
pub(crate) fn parse(b: &[u8]) -> LResult<LProfile> {
    for (w, _) in WORDS {
        let (n1, t) = w(Some(b));
        let (n2, t) = w(t);
        let (n3, t) = w(t);
        let (n4, t) = w(t);
        let (n5, t) = w(t);
        let Some(rest) = t else { continue };
        if n1 == 0 && n2 == 3 && n4 > 0 && n5 == 0 {
            match n3 {
                0 => return cpp_profile(rest, n4 as i64, w),
                1 => return java_profile(rest, n4 as i64, w),
                _ => {}
            }
        }
    }
    Err(Fail::Unrecognized)
}

fn cpp_profile(b: &[u8], period_us: i64, w: Word) -> LResult<LProfile> {
    let mut p = new_cpu_profile(period_us);
    let (rest, _) = samples(b, w, true, &mut p)?;
    strip_signal_frames(&mut p);
    let mut sc = Scanner::new(rest);
    p.add_memory_map(sc.remaining())?;
    p.cleanup_duplicate_locations();
    Ok(p)
}

fn java_profile(b: &[u8], period_us: i64, w: Word) -> LResult<LProfile> {
    let mut p = new_cpu_profile(period_us);
    let (rest, locs) = samples(b, w, false, &mut p)?;
    java::locations(rest, &locs, &mut p)?;
    p.drop_addresses = true;
    Ok(p)
}

fn new_cpu_profile(period_us: i64) -> LProfile {
    LProfile::new(
        &[("samples", "count"), ("cpu", "nanoseconds")],
        ("cpu", "nanoseconds"),
        period_us.wrapping_mul(1000),
    )
}

/// The `count, depth, pc…` records up to the end-of-data marker `0, 1, 0`; returns the
/// bytes after it (the memory map) and the address → location index.
fn samples<'a>(
    b: &'a [u8],
    w: Word,
    adjust: bool,
    p: &mut LProfile,
) -> LResult<(&'a [u8], HashMap<u64, usize>)> {
    let mut locs = HashMap::new();
    let mut b = Some(b);
    while b.is_some_and(|b| !b.is_empty()) {
        let (count, t) = w(b);
        let (nstk, t) = w(t);
        // Depth is checked against the bytes left before allocating, as 32-bit words.
        let Some(left) = t else {
            return Err(Fail::Unrecognized);
        };
        if nstk > (left.len() / 4) as u64 {
            return Err(Fail::Unrecognized);
        }
        let mut t = t;
        let mut addrs = Vec::with_capacity(nstk as usize);
        for _ in 0..nstk {
            let (a, rest) = w(t);
            addrs.push(a);
            t = rest;
        }
        b = t;
        if count == 0 && nstk == 1 && addrs[0] == 0 {
            break;
        }
        let mut sample_locs = Vec::with_capacity(addrs.len());
        for (i, &a) in addrs.iter().enumerate() {
            let a = if adjust && i > 0 {
                a.wrapping_sub(1)
            } else {
                a
            };
            sample_locs.push(p.location(&mut locs, a));
        }
        let count = count as i64;
        p.samples.push(LSample {
            locations: sample_locs,
            values: vec![count, count.wrapping_mul(p.period)],
            bytes_label: None,
        });
    }
    Ok((b.unwrap_or_default(), locs))
}

/// When almost every sample has the same second frame, it is the signal handler's
/// frame, not the program's: drop it (at most twice), as google/pprof does.
fn strip_signal_frames(p: &mut LProfile) {
    let margin = p.samples.len() / 32;
    for _ in 0..2 {
        let mut counts: HashMap<u64, usize> = HashMap::new();
        for s in &p.samples {
            if s.locations.len() > 1 {
                *counts
                    .entry(p.locations[s.locations[1]].address)
                    .or_default() += 1;
            }
        }
        // At most one address can reach the threshold, so map order does not matter.
        let Some((&addr, _)) = counts.iter().find(|&(_, &c)| c >= p.samples.len() - margin) else {
            continue;
        };
        for s in &mut p.samples {
            if s.locations.len() > 1 && p.locations[s.locations[1]].address == addr {
                s.locations.remove(1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words32(ws: &[u32]) -> Vec<u8> {
        ws.iter().flat_map(|w| w.to_le_bytes()).collect()
    }

    #[test]
    fn minimal_profile_and_truncations() {
        // header, two samples (count 2 and 1, depth 2), end marker. With a single sample
        // its second frame would be taken for the signal handler's and stripped.
        let data = words32(&[
            0, 3, 0, 10_000, 0, 2, 2, 0x1000, 0x2001, 1, 2, 0x3000, 0x4001, 0, 1, 0,
        ]);
        let p = parse(&data).unwrap();
        assert_eq!(p.samples.len(), 2);
        assert_eq!(p.samples[0].values, vec![2, 2 * 10_000_000]);
        // The caller address is adjusted by -1.
        let addrs: Vec<u64> = p.samples[0]
            .locations
            .iter()
            .map(|&l| p.locations[l].address)
            .collect();
        assert_eq!(addrs, vec![0x1000, 0x2000]);
        // A depth larger than what is left is not this format.
        let bad_depth = words32(&[0, 3, 0, 10_000, 0, 1, 1_000_000, 0x1000]);
        assert!(matches!(parse(&bad_depth), Err(Fail::Unrecognized)));
        // Every prefix is handled without panicking.
        for n in 0..data.len() {
            let _ = parse(&data[..n]);
        }
    }
}
