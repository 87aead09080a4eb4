//! A tour on the embedded example data: open a CPU and a heap profile, print what they
//! hold and their top functions (as `go tool pprof -top` prints them), show that a
//! profile survives encode → decode unchanged, merge and diff profiles, and summarise a
//! gctrace log.
//!
//! Run with `cargo run -p gprofops-examples --example demo`.

use std::path::Path;

use profile_ops::gc::GcReport;
use profile_ops::pprof::{Profile, go_duration};
use profile_ops::query::Query;
use profile_ops::report::{flame::flamegraph, top::Top};
use profile_ops::summary::ProfileSummary;
use profile_ops::transform::{DiffMode, diff, scale};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    for name in ["cpu.pb.gz", "heap.pb.gz"] {
        // Memory-mapped and decoded while it inflates: only the columns and the string
        // bytes are kept, never the whole inflated protobuf.
        let p = Profile::open(data.join(name))?;
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
        println!("\n$ gprofops top -n 8 {name}");
        print!("{}", Top::new(&Query::default().prepare(&p)?, 8).to_text());
        let again = Profile::decode(&p.encode_gzip())?;
        assert_eq!(again, p, "encode → decode must be lossless");
        println!("re-encoded as gzip and decoded back: identical\n");
    }

    // A "new" CPU profile 20% heavier than the base, compared as -diff_base does.
    let cpu = Profile::open(data.join("cpu.pb.gz"))?;
    let heavier = scale(&cpu, 1.2)?;
    let d = diff(&cpu, &heavier, DiffMode::Marked, false)?;
    let top = Top::new(&Query::default().prepare(&d)?, 3);
    println!("== cpu.pb.gz × 1.2 against cpu.pb.gz (-diff_base)");
    print!("{}", top.to_text());
    let g = flamegraph(&Query::default().prepare(&cpu)?);
    println!(
        "flame graph: {} frames, {} root children, {} in total\n",
        g.len(),
        g.root().children().len(),
        g.root().value()
    );

    let log = std::fs::read(data.join("gctrace.log"))?;
    let r = GcReport::from_bytes(&log);
    let s = &r.summary;
    println!("== gctrace.log");
    println!(
        "{} GC cycles ({} forced), stop-the-world sum {:.3} ms, max {:.3} ms, p95 {:.3} ms",
        s.gc_lines,
        s.forced_cycles,
        s.stw_ms_sum,
        s.stw_ms_max,
        s.stw_ms_p95.unwrap_or(0.0)
    );
    for h in &r.hints {
        println!("hint: {h}");
    }
    Ok(())
}
