//! The Rust half of `scripts/bench-pprof-ops.sh`.
//!
//! ```text
//! ops-timing --make-fleet DIR COPIES    writes DIR/fleet-N.pb.gz: COPIES perturbed copies
//!                                       of each corpus CPU profile (see perturbed_copies)
//! ops-timing merge [--min-time S] FILE...
//!     decodes every file once, then times merge of all of them; prints
//!     "rust-merge FILES ITERATIONS SECONDS_PER_MERGE PEAK_RSS_DELTA_BYTES"
//! ```

use std::time::{Duration, Instant};

use gprofops_benches::{corpus_cpu_profiles, perturbed_copies, vm_hwm};
use profile_ops::merge::{MergeOptions, merge};
use profile_ops::pprof::Profile;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--make-fleet") => {
            let dir = std::path::PathBuf::from(args.get(1).ok_or("--make-fleet DIR COPIES")?);
            let copies: usize = args.get(2).ok_or("--make-fleet DIR COPIES")?.parse()?;
            let bases = corpus_cpu_profiles()
                .iter()
                .map(Profile::open)
                .collect::<Result<Vec<_>, _>>()?;
            std::fs::create_dir_all(&dir)?;
            for (i, p) in perturbed_copies(&bases, copies).iter().enumerate() {
                std::fs::write(dir.join(format!("fleet-{i:04}.pb.gz")), p.encode_gzip())?;
            }
        }
        Some("merge") => {
            let mut rest = &args[1..];
            let mut min_time = 2.0;
            if rest.first().map(String::as_str) == Some("--min-time") {
                min_time = rest.get(1).ok_or("--min-time SECS")?.parse()?;
                rest = &rest[2..];
            }
            let profiles = rest
                .iter()
                .map(Profile::open)
                .collect::<Result<Vec<_>, _>>()?;
            let opts = MergeOptions::default();
            let before = vm_hwm();
            let m = merge(&profiles, &opts)?;
            let peak = vm_hwm().saturating_sub(before);
            drop(m);
            let (start, mut n) = (Instant::now(), 0u32);
            while start.elapsed() < Duration::from_secs_f64(min_time) {
                std::hint::black_box(merge(&profiles, &opts)?);
                n += 1;
            }
            let per = start.elapsed().as_secs_f64() / f64::from(n);
            println!("rust-merge {} {n} {per:.9} {peak}", profiles.len());
        }
        _ => {
            return Err(
                "usage: ops-timing --make-fleet DIR COPIES | merge [--min-time S] FILE...".into(),
            );
        }
    }
    Ok(())
}
