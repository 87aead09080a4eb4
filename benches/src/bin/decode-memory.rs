//! Where the memory of one decode goes: peak and retained RSS growth around
//! `Profile::decode_bytes` (input already in memory), next to the bytes each column and
//! table of the decoded profile holds.
//!
//! ```text
//! decode-memory FILE...
//! ```
//!
//! Give small files one per run: memory freed by an earlier file's decode stays with the
//! allocator and hides the next one's growth.

use gprofops_benches::{protobuf_len, vm_hwm, vm_rss, warm_up_decoder};
use profile_ops::pprof::{Function, Line, Location, Mapping, Profile};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mb = |x: u64| x as f64 / 1e6;
    for path in std::env::args().skip(1) {
        let data = bytes::Bytes::from(std::fs::read(&path)?);
        warm_up_decoder();
        // Resets VmHWM to the current RSS (Linux), so each file's peak is its own.
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        let (hwm, rss) = (vm_hwm(), vm_rss());
        let p = Profile::decode_bytes(data.clone())?;
        let (peak, kept) = (vm_hwm().saturating_sub(hwm), vm_rss().saturating_sub(rss));
        let decompressed = protobuf_len(&data) as u64;
        println!(
            "{path}: {:.2} MB input, {:.2} MB decompressed; peak growth {:.2} MB ({:.2}x), retained {:.2} MB",
            mb(data.len() as u64),
            mb(decompressed),
            mb(peak),
            peak as f64 / decompressed.max(1) as f64,
            mb(kept)
        );
        let s = p.samples();
        let m = s.memory();
        let n = |x: usize| x as u64;
        let rows: [(&str, u64, String); 9] = [
            (
                "string bytes",
                if p.buffer().len() == data.len() {
                    0
                } else {
                    p.buffer().len() as u64
                },
                "(gzip input only; raw input lends its own)".into(),
            ),
            (
                "samples.locations",
                n(m.locations),
                format!("{} x {} B", s.locations().len(), m.location_index_bytes),
            ),
            (
                "samples.location_offsets",
                n(m.location_offsets),
                format!("{} x 4 B", s.location_offsets().len()),
            ),
            (
                "samples.values",
                n(m.values),
                format!("{} x 8 B", s.values().len()),
            ),
            (
                "samples.labels",
                n(m.labels),
                format!(
                    "{} x 8 B + {} not string-only x 16 B",
                    s.labels().len(),
                    m.spilled_labels
                ),
            ),
            (
                "samples.label_offsets",
                n(m.label_offsets),
                format!("{} x 4 B", s.label_offsets().len()),
            ),
            (
                "locations + lines",
                n(std::mem::size_of_val(p.locations()) + std::mem::size_of_val(p.lines())),
                format!(
                    "{} x {} B + {} x {} B",
                    p.locations().len(),
                    size_of::<Location>(),
                    p.lines().len(),
                    size_of::<Line>()
                ),
            ),
            (
                "functions + mappings",
                n(std::mem::size_of_val(p.functions()) + std::mem::size_of_val(p.mappings())),
                format!(
                    "{} x {} B + {} x {} B",
                    p.functions().len(),
                    size_of::<Function>(),
                    p.mappings().len(),
                    size_of::<Mapping>()
                ),
            ),
            (
                "string spans",
                n(p.string_count() * 8),
                format!("{} x 8 B", p.string_count()),
            ),
        ];
        let total: u64 = rows.iter().map(|r| r.1).sum();
        for (name, bytes, how) in rows {
            println!("  {name:<26} {:>9.2} MB  {how}", mb(bytes));
        }
        println!(
            "  {:<26} {:>9.2} MB  (the rest of the peak: page granularity, allocator, Arc)",
            "sum",
            mb(total)
        );
    }
    Ok(())
}
