//! Two processes writing gctrace output to one pipe (issue 18): every cycle the scanners
//! report must be a cycle of one of the two processes' own logs, field for field, never
//! one assembled from both.
//!
//! The two logs are real runtime output: the gc lines of corpus logs of one Go version,
//! so that their records have the same layout, the hardest case. (Only gc lines: digits
//! that another writer's *other* output puts inside a number of a record cannot be told
//! from the record's own by any reader, single writer or not.) They are interleaved
//! deterministically (seeded), in units of single bytes, of runs of 1-40 bytes, and of
//! the runtime's own write pieces (it prints a gc line with many small writes: the line
//! split at digit / non-digit boundaries, the newline on its own), each in two
//! schedules: every unit from a writer drawn at random, and bursts (a few units, or one to
//! three whole lines, from one writer), which keep most lines whole and break the others
//! at every possible place.

use std::path::Path;

use gctrace_parse::{Event, GcCycle, Item, scan, scan_reader};

/// The gc lines of a corpus log (see the module docs for why only those).
fn corpus(name: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus/gctrace/generated")
        .join(name);
    let log = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let mut out = Vec::new();
    for line in log.split_inclusive(|&b| b == b'\n') {
        if line.starts_with(b"gc ") {
            out.extend_from_slice(line);
        }
    }
    out
}

/// Pairs of logs written by one Go version.
const PAIRS: [(&str, &str); 4] = [
    ("go1.27-basic-p4.log", "go1.27-gogc50-p1.log"),
    ("go1.27-pacer.log", "go1.27-gogc200-p8.log"),
    ("go1.24-basic-p4.log", "go1.24-pacer.log"),
    ("go1.21-basic-p4.log", "go1.21-pacer.log"),
];

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[derive(Clone, Copy, Debug)]
enum Unit {
    Byte,
    Run,
    Piece,
}

/// `log` cut into the units one writer emits at a time.
fn units(log: &[u8], unit: Unit, rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    match unit {
        Unit::Byte => out.extend(log.iter().map(|&b| vec![b])),
        Unit::Run => {
            let mut rest = log;
            while !rest.is_empty() {
                let n = (1 + rng.below(40) as usize).min(rest.len());
                out.push(rest[..n].to_vec());
                rest = &rest[n..];
            }
        }
        Unit::Piece => {
            let class = |b: u8| match b {
                b'\n' => 0,
                b'0'..=b'9' => 1,
                _ => 2,
            };
            let mut cur: Vec<u8> = Vec::new();
            for &b in log {
                if let Some(&last) = cur.last()
                    && (class(last) != class(b) || b == b'\n')
                {
                    out.push(std::mem::take(&mut cur));
                }
                cur.push(b);
            }
            if !cur.is_empty() {
                out.push(cur);
            }
        }
    }
    out
}

/// The two logs' units interleaved: `bursts` picks a writer and lets it write a few
/// units or whole lines; otherwise each unit's writer is drawn.
fn interleave(a: &[u8], b: &[u8], unit: Unit, bursts: bool, seed: u64) -> Vec<u8> {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let ua = units(a, unit, &mut rng);
    let ub = units(b, unit, &mut rng);
    let (mut ia, mut ib) = (0, 0);
    let mut out = Vec::with_capacity(a.len() + b.len());
    while ia < ua.len() || ib < ub.len() {
        let take_a = ib == ub.len() || (ia < ua.len() && rng.below(2) == 0);
        let (us, i) = if take_a {
            (&ua, &mut ia)
        } else {
            (&ub, &mut ib)
        };
        if !bursts {
            out.extend_from_slice(&us[*i]);
            *i += 1;
            continue;
        }
        if rng.below(2) == 0 {
            for _ in 0..1 + rng.below(4) {
                if *i < us.len() {
                    out.extend_from_slice(&us[*i]);
                    *i += 1;
                }
            }
        } else {
            let mut lines = 1 + rng.below(3);
            while *i < us.len() && lines > 0 {
                lines -= u64::from(us[*i].contains(&b'\n'));
                out.extend_from_slice(&us[*i]);
                *i += 1;
            }
        }
    }
    out
}

fn cycles_of(items: &[Item]) -> Vec<GcCycle> {
    items
        .iter()
        .filter_map(|i| match i.event {
            Event::Gc { cycle, .. } => Some(cycle),
            _ => None,
        })
        .collect()
}

fn scanned(log: &[u8]) -> Vec<Item> {
    let mut v = Vec::new();
    scan(log, |i| v.push(*i));
    v
}

#[test]
fn every_reported_cycle_is_one_writers_own() {
    let mut reported = 0usize;
    let mut written = 0usize;
    let mut rejoined = 0usize;
    let mut failures = Vec::new();
    for (na, nb) in PAIRS {
        let (a, b) = (corpus(na), corpus(nb));
        let (ca, cb) = (cycles_of(&scanned(&a)), cycles_of(&scanned(&b)));
        assert!(!ca.is_empty() && !cb.is_empty());
        for unit in [Unit::Byte, Unit::Run, Unit::Piece] {
            for bursts in [false, true] {
                for seed in 0..60 {
                    let log = interleave(&a, &b, unit, bursts, seed);
                    let items = scanned(&log);
                    let mut streamed = Vec::new();
                    scan_reader(&log[..], |i| streamed.push(*i)).unwrap();
                    assert_eq!(
                        items, streamed,
                        "{na}+{nb} {unit:?} bursts={bursts} seed {seed}"
                    );
                    // Each own cycle may be reported at most as often as it was written.
                    let mut left_a = ca.clone();
                    let mut left_b = cb.clone();
                    for item in &items {
                        let Event::Gc {
                            cycle, rejoined: r, ..
                        } = item.event
                        else {
                            continue;
                        };
                        rejoined += usize::from(r);
                        if let Some(k) = left_a.iter().position(|c| *c == cycle) {
                            left_a.swap_remove(k);
                        } else if let Some(k) = left_b.iter().position(|c| *c == cycle) {
                            left_b.swap_remove(k);
                        } else {
                            failures.push(format!(
                                "{na}+{nb} {unit:?} bursts={bursts} seed {seed} line {}: {}",
                                item.line,
                                cycle.format()
                            ));
                        }
                    }
                    reported += cycles_of(&items).len();
                    written += ca.len() + cb.len();
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} cycles assembled from two writers' output, e.g.:\n{}",
        failures.len(),
        failures[..failures.len().min(10)].join("\n")
    );
    // Not vacuous: the bursts keep many lines whole. (Most records are lost: a record near
    // one that is unfinished may hold its writer's bytes, and is not read; for the same
    // reason a record split by the other writer's record is never rejoined. Rejoining
    // around other output is checked on the corpus's single-writer logs.)
    assert!(
        reported * 20 > written,
        "{reported} of {written} cycles reported"
    );
    eprintln!("{reported} of {written} cycles reported, {rejoined} rejoined");
}
