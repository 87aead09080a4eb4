//! A tour on the embedded example data: open a CPU and a heap profile, print what they
//! hold, and show that a profile survives encode → decode unchanged.
//!
//! Run with `cargo run -p gprofops-examples --example demo`.

use std::path::Path;

use profile_ops::pprof::{Profile, go_duration};
use profile_ops::summary::ProfileSummary;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    for name in ["cpu.pb.gz", "heap.pb.gz"] {
        let path = data.join(name);
        // Memory-mapped and inflated once; strings point into the inflated buffer.
        let p = Profile::open(&path)?;
        let s = ProfileSummary::of(&p);
        println!("== {name}");
        println!("{}", serde_json::to_string(&s)?);
        if s.duration_nanos != 0 {
            println!("collected over {}", go_duration(s.duration_nanos));
        }
        println!(
            "{} samples, {} locations, {} functions, {} mappings, {} strings",
            p.num_samples(),
            p.locations().len(),
            p.functions().len(),
            p.mappings().len(),
            p.string_count()
        );
        let again = Profile::decode(&p.encode_gzip())?;
        assert_eq!(again, p, "encode → decode must be lossless");
        println!("re-encoded as gzip and decoded back: identical\n");
    }
    Ok(())
}
