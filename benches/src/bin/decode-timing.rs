//! Times `Profile::decode_bytes` on the files given, the Rust half of
//! `scripts/bench-pprof-decode.sh` (its Go peer is `benches/peers/pprof-parse`).
//!
//! ```text
//! decode-timing [--min-time SECS] [--pool] FILE...     one line per file (--pool: decode
//!                                       with a ColumnPool, as a program decoding many does):
//!     rust FILE BYTES ITERATIONS SECONDS_PER_DECODE PEAK_RSS_DELTA_BYTES DECOMPRESSED_BYTES
//!          CPU_SECONDS_PER_DECODE
//! decode-timing --make-large DIR COPIES [BASE] [NAME]
//!     writes DIR/NAME.pb and DIR/NAME.pb.gz (NAME defaults to `large`) made of COPIES
//!     copies of the samples of BASE (default: the corpus's largest profile)
//! ```

use std::time::{Duration, Instant};

use gprofops_benches::{
    cpu_seconds, largest_corpus_profiles, protobuf_len, synthetic_profile, vm_hwm, warm_up_decoder,
};
use profile_ops::pprof::{ColumnPool, DecodeOptions, Profile};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--make-large") {
        let dir = std::path::PathBuf::from(args.get(1).ok_or("--make-large DIR COPIES")?);
        let copies: usize = args.get(2).ok_or("--make-large DIR COPIES")?.parse()?;
        let base = match args.get(3) {
            Some(b) => std::path::PathBuf::from(b),
            None => largest_corpus_profiles(1)
                .pop()
                .ok_or("no corpus profile found")?,
        };
        let name = args.get(4).map_or("large", String::as_str);
        let p = synthetic_profile(&Profile::open(&base)?, copies);
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join(format!("{name}.pb")), p.encode())?;
        std::fs::write(dir.join(format!("{name}.pb.gz")), p.encode_gzip())?;
        eprintln!(
            "wrote {} samples from {} x{copies}",
            p.num_samples(),
            base.display()
        );
        return Ok(());
    }
    let mut min_time = Duration::from_secs(2);
    let mut opts = DecodeOptions::default();
    loop {
        match args.first().map(String::as_str) {
            Some("--min-time") => {
                min_time = Duration::from_secs_f64(args.get(1).ok_or("--min-time SECS")?.parse()?);
                args.drain(..2);
            }
            Some("--pool") => {
                opts.column_pool = Some(ColumnPool::default());
                args.drain(..1);
            }
            _ => break,
        }
    }
    for path in &args {
        let data = bytes::Bytes::from(std::fs::read(path)?);
        warm_up_decoder();
        // A cold decode: not the pages the previous file's columns left for reuse.
        if let Some(pool) = &opts.column_pool {
            pool.release();
        }
        let before = vm_hwm();
        let p = Profile::decode_bytes_with(data.clone(), &opts)?;
        let peak = vm_hwm().saturating_sub(before);
        drop(p);
        let decompressed = protobuf_len(&data);
        let mut n = 0u64;
        let (start, cpu) = (Instant::now(), cpu_seconds());
        while start.elapsed() < min_time {
            std::hint::black_box(Profile::decode_bytes_with(data.clone(), &opts)?);
            n += 1;
        }
        let per = start.elapsed().as_secs_f64() / n as f64;
        let cpu = (cpu_seconds() - cpu) / n as f64;
        println!(
            "rust {path} {} {n} {per:.9} {peak} {decompressed} {cpu:.9}",
            data.len()
        );
    }
    Ok(())
}
