//! The Rust half of `scripts/bench-gctrace.sh` (its Go peer is `benches/peers/gctrace`).
//!
//! ```text
//! gctrace-timing --make FILE MB      writes a generated log of about MB megabytes
//! gctrace-timing FILE                 scans FILE (read into memory) and prints
//!     rust FILE BYTES SECONDS CYCLES STW_MICROS CPU_SECONDS
//! ```
//!
//! CPU_SECONDS is the time the scan spent on a core: on a shared machine, the wall-clock
//! SECONDS also count waiting for one.

use gprofops_benches::timed;
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
    let ((cycles, stw), secs, cpu) = timed(|| {
        let (mut cycles, mut stw) = (0u64, 0u64);
        scan(&data, |item| {
            if let Event::Gc { cycle, .. } = &item.event {
                cycles += 1;
                stw += cycle.stw_micros();
            }
        });
        (cycles, stw)
    });
    println!(
        "rust {path} {} {secs:.6} {cycles} {stw} {cpu:.6}",
        data.len()
    );
    Ok(())
}
