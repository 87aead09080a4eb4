//! What fresh memory costs to write on this machine, the figures behind how
//! `pprof_format::ColumnPool` maps the pages of sample columns: 64 MiB written a byte per
//! 4 KiB page, faulted in page by page, populated a chunk ahead (`MADV_POPULATE_WRITE`),
//! or on transparent huge pages (`MADV_HUGEPAGE`). Best of five, in ms per MB.
//!
//! ```text
//! page-cost
//! ```

use std::time::Instant;

use memmap2::{Advice, MmapMut};

fn main() -> std::io::Result<()> {
    const N: usize = 64 << 20;
    let modes = ["4 KiB faults", "populated 1 MiB ahead", "huge pages"];
    for (i, name) in modes.iter().enumerate() {
        let mut best = f64::MAX;
        for _ in 0..5 {
            let mut m = MmapMut::map_anon(N)?;
            let start = Instant::now();
            if i == 2 {
                let _ = m.advise(Advice::HugePage);
            }
            for at in (0..N).step_by(4096) {
                if i == 1 && at % (1 << 20) == 0 {
                    let _ = m.advise_range(Advice::PopulateWrite, at, 1 << 20);
                }
                m[at] = 1;
            }
            best = best.min(start.elapsed().as_secs_f64());
        }
        println!("{name:<24} {:.3} ms/MB", best * 1e3 / (N as f64 / 1e6));
    }
    Ok(())
}
