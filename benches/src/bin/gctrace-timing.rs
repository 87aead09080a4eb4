//! The Rust half of `scripts/bench-gctrace.sh` (its Go peer is `benches/peers/gctrace`).
//!
//! ```text
//! gctrace-timing --make FILE MB      writes a generated log of about MB megabytes
//! gctrace-timing FILE                 scans FILE (memory-mapped) and prints
//!     rust FILE BYTES SECONDS CYCLES
//! ```

use std::time::Instant;

use profile_ops::gctrace::{Event, scan};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--make") {
        let path = args.get(1).ok_or("--make FILE MB")?;
        let mb: usize = args.get(2).ok_or("--make FILE MB")?.parse()?;
        std::fs::write(path, gprofops_benches::gctrace_log(mb << 20))?;
        return Ok(());
    }
    let path = args.first().ok_or("FILE")?;
    let data = std::fs::read(path)?;
    let start = Instant::now();
    let mut cycles = 0u64;
    let mut stw = 0u64;
    scan(&data, |item| {
        if let Event::Gc { cycle, .. } = &item.event {
            cycles += 1;
            stw += cycle.stw_micros();
        }
    });
    let secs = start.elapsed().as_secs_f64();
    println!("rust {path} {} {secs:.6} {cycles} {stw}", data.len());
    Ok(())
}
