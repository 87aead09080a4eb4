//! The Rust half of `scripts/bench-gotrace.sh` (its Go peer is `benches/peers/gotrace`).
//!
//! ```text
//! gotrace-timing ordered|visit|info|info-path|raw FILE [RUNS]
//!     reads FILE into memory, then per run prints
//!     rust MODE FILE BYTES SECONDS EVENTS CPU_SECONDS
//! ```
//!
//! `ordered` is the event stream of `Reader::new` (what x/exp/trace's `ReadEvent` loop
//! returns) as an iterator of owned events; `visit` the same events lent to a closure
//! (`Reader::visit`); `info` summarises them as `gprofops trace info` does (`trace_info`;
//! EVENTS is its `events_total`), `info-path` likewise from the file, streaming
//! (`trace_info_path`, what the command calls); `raw` decodes every batch and every
//! event's arguments in file order.
//! CPU_SECONDS is the time spent on a core: on a shared machine, the wall-clock SECONDS
//! also count waiting for one.

use gprofops_benches::timed;
use profile_ops::gotrace::Reader;
use profile_ops::gotrace::raw::{BatchKind, Batches};

type Read = fn(&[u8]) -> Result<u64, Box<dyn std::error::Error>>;

fn ordered(data: &[u8]) -> Result<u64, Box<dyn std::error::Error>> {
    let mut n = 0u64;
    for e in Reader::new(data)? {
        std::hint::black_box(e?.time());
        n += 1;
    }
    Ok(n)
}

fn visit(data: &[u8]) -> Result<u64, Box<dyn std::error::Error>> {
    let mut n = 0u64;
    Reader::new(data)?.visit(|e| {
        std::hint::black_box(e.time());
        n += 1;
    })?;
    Ok(n)
}

fn info(data: &[u8]) -> Result<u64, Box<dyn std::error::Error>> {
    let s = profile_ops::trace::trace_info(data, "");
    match s.error {
        Some(e) => Err(e.into()),
        None => Ok(s.events_total),
    }
}

fn raw(data: &[u8]) -> Result<u64, Box<dyn std::error::Error>> {
    let mut n = 0u64;
    for b in Batches::new(data)? {
        let b = b?;
        if b.kind != BatchKind::Events {
            continue;
        }
        for e in b.events() {
            std::hint::black_box(e?.args[0]);
            n += 1;
        }
    }
    Ok(n)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: gotrace-timing ordered|visit|info|info-path|raw FILE [RUNS]";
    let mode = args.first().ok_or(usage)?;
    let path = args.get(1).ok_or(usage)?;
    let runs: usize = args.get(2).map_or(Ok(1), |r| r.parse())?;
    let read: Read = match mode.as_str() {
        "ordered" => ordered,
        "visit" => visit,
        "raw" => raw,
        "info" => info,
        "info-path" => {
            for _ in 0..runs {
                let (s, secs, cpu) =
                    timed(|| profile_ops::trace::trace_info_path(std::path::Path::new(path)));
                let s = s?;
                if let Some(e) = s.error {
                    return Err(e.into());
                }
                println!(
                    "rust {mode} {path} {} {secs:.6} {} {cpu:.6}",
                    s.size_bytes, s.events_total
                );
            }
            return Ok(());
        }
        _ => return Err(usage.into()),
    };
    let data = std::fs::read(path)?;
    for _ in 0..runs {
        let (events, secs, cpu) = timed(|| read(&data));
        let events = events?;
        println!(
            "rust {mode} {path} {} {secs:.6} {events} {cpu:.6}",
            data.len()
        );
    }
    Ok(())
}
