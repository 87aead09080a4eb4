//! A tour on the embedded example data: open a CPU and a heap profile, print what they
//! hold and their heaviest leaf functions, show that a profile survives encode → decode
//! unchanged, and summarise a gctrace log.
//!
//! Run with `cargo run -p gprofops-examples --example demo`.

use std::collections::HashMap;
use std::path::Path;

use profile_ops::gc::GcReport;
use profile_ops::pprof::{Profile, go_duration};
use profile_ops::summary::ProfileSummary;

/// Flat value per leaf function (the innermost frame of each sample), largest first: a
/// first look at where the time or memory goes, written against the plain data model.
fn heaviest_leaves(p: &Profile, column: usize, n: usize) -> Vec<(String, i64)> {
    let mut flat: HashMap<String, i64> = HashMap::new();
    for s in p.iter_samples() {
        let Some(&leaf) = s.locations.first() else {
            continue;
        };
        let loc = &p.locations()[leaf as usize];
        let name = match p.location_lines(loc).first() {
            Some(line) => p
                .string(p.functions()[line.function as usize].name)
                .into_owned(),
            None => format!("{:#x}", loc.address),
        };
        *flat.entry(name).or_default() += s.values[column];
    }
    let mut rows: Vec<(String, i64)> = flat.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    rows.truncate(n);
    rows
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    for name in ["cpu.pb.gz", "heap.pb.gz"] {
        // Memory-mapped and inflated once; strings point into the inflated buffer.
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
        let column = s.sample_types.len() - 1;
        let [ty, unit] = &s.sample_types[column];
        println!("heaviest leaf functions by {ty}/{unit}:");
        for (f, v) in heaviest_leaves(&p, column, 5) {
            let pct = 100.0 * v as f64 / s.totals[column].max(1) as f64;
            println!("  {v:>14} {pct:6.2}%  {f}");
        }
        let again = Profile::decode(&p.encode_gzip())?;
        assert_eq!(again, p, "encode → decode must be lossless");
        println!("re-encoded as gzip and decoded back: identical\n");
    }

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
