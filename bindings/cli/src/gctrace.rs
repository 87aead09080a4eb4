//! `gprofops gctrace FILE [--json] [--cycles csv|json] [--openmetrics]`.

use std::io::BufReader;
use std::path::PathBuf;

use profile_ops::gc::{CycleRow, GcReport};

use crate::CliResult;

/// Arguments of `gctrace`.
#[derive(clap::Args)]
pub struct Args {
    /// Log with GODEBUG=gctrace (and scavtrace/gcpacertrace) output; `-` for stdin.
    file: PathBuf,
    /// Print the summary as one JSON object.
    #[arg(long)]
    json: bool,
    /// Print the per-cycle table instead of the summary.
    #[arg(long, value_parser = ["csv", "json"])]
    cycles: Option<String>,
    /// Print the summary in the OpenMetrics text format.
    #[arg(long)]
    openmetrics: bool,
}

pub fn run(a: Args) -> CliResult {
    // The summary is read in bounded memory; the per-cycle table is written out as it
    // is read rather than kept, so a log of any size needs a few megabytes.
    let mut rows = Rows::new(a.cycles.as_deref());
    let mut each = |row: &CycleRow| rows.write(row);
    let report = if a.file.as_os_str() == "-" {
        GcReport::summarize_reader(std::io::stdin().lock(), &mut each)?
    } else {
        let f = std::fs::File::open(&a.file)
            .map_err(|e| format!("reading {}: {e}", a.file.display()))?;
        let report = GcReport::summarize_reader(BufReader::with_capacity(1 << 20, f), &mut each)?;
        if report.summary.gc_lines == 0 {
            not_another_kind(&a.file)?;
        }
        report
    };
    match (a.cycles.is_some(), a.json, a.openmetrics) {
        (true, ..) => rows.finish()?,
        (false, _, true) => out!("{}", report.openmetrics()),
        (false, true, false) => outln!("{}", serde_json::to_string(&report.summary)?),
        (false, false, false) => print_text(&report)?,
    }
    Ok(())
}

/// The per-cycle table (`--cycles csv|json`) written to stdout row by row, through a
/// buffer; a closed pipe ends the output quietly, as for every other report.
struct Rows {
    format: Option<Format>,
    out: std::io::BufWriter<std::io::Stdout>,
    rows: u64,
    error: Option<std::io::Error>,
}

#[derive(Clone, Copy)]
enum Format {
    Csv,
    Json,
}

impl Rows {
    fn new(format: Option<&str>) -> Rows {
        let format = format.map(|f| {
            if f == "csv" {
                Format::Csv
            } else {
                Format::Json
            }
        });
        let mut rows = Rows {
            format,
            out: std::io::BufWriter::with_capacity(1 << 16, std::io::stdout()),
            rows: 0,
            error: None,
        };
        match format {
            Some(Format::Csv) => rows.put(CycleRow::CSV_HEADER.as_bytes()),
            Some(Format::Json) => rows.put(b"["),
            None => {}
        }
        rows
    }

    fn write(&mut self, row: &CycleRow) {
        match self.format {
            Some(Format::Csv) => {
                let line = row.csv_line();
                self.put(line.as_bytes());
            }
            Some(Format::Json) => {
                if self.rows > 0 {
                    self.put(b",");
                }
                match serde_json::to_vec(row) {
                    Ok(json) => self.put(&json),
                    Err(e) => self.error = Some(e.into()),
                }
            }
            None => {}
        }
        self.rows += 1;
    }

    fn put(&mut self, bytes: &[u8]) {
        use std::io::Write;
        if self.error.is_none()
            && let Err(e) = self.out.write_all(bytes)
        {
            self.error = Some(e);
        }
    }

    fn finish(mut self) -> CliResult {
        use std::io::Write;
        if let Some(Format::Json) = self.format {
            self.put(b"]\n");
        }
        let flushed = match self.error.take() {
            Some(e) => Err(e),
            None => self.out.flush(),
        };
        match flushed {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            r => Ok(r?),
        }
    }
}

/// A file without a single GC record that is a trace or a profile is a mistake worth an
/// error (exit 2) naming the command that reads it; other text without GC records is
/// only an empty log (a program may never have collected).
fn not_another_kind(path: &std::path::Path) -> CliResult {
    use std::io::Read;
    let mut head = Vec::new();
    if let Ok(f) = std::fs::File::open(path) {
        let _ = f.take(64 << 10).read_to_end(&mut head);
    }
    let shown = path.display();
    if profile_ops::gotrace::Version::detect(&head).is_ok() {
        return Err(format!(
            "{shown}: this is a Go execution trace, not a GC log: `gprofops trace info {shown}` reads it"
        )
        .into());
    }
    if profile_ops::pprof::Profile::open(path).is_ok() {
        return Err(format!(
            "{shown}: this is a pprof profile, not a GC log: `gprofops info {shown}` reads it"
        )
        .into());
    }
    Ok(())
}

fn print_text(r: &GcReport) -> CliResult {
    let s = &r.summary;
    outln!("GC cycles: {} ({} forced)", s.gc_lines, s.forced_cycles);
    if let (Some(span), Some(rate)) = (s.span_secs, s.cycles_per_sec) {
        outln!("Span: {span:.3} s, {rate:.2} cycles/s");
    }
    outln!(
        "Stop-the-world: sum {:.3} ms, max {:.3} ms",
        s.stw_ms_sum,
        s.stw_ms_max
    );
    if let (Some(p50), Some(p95), Some(p99)) = (s.stw_ms_p50, s.stw_ms_p95, s.stw_ms_p99) {
        outln!("  p50 {p50:.3} ms, p95 {p95:.3} ms, p99 {p99:.3} ms");
    }
    outln!("GC CPU: {:.3} ms over all cycles", s.cpu_ms_sum);
    if let Some(p) = s.gc_cpu_percent_last {
        outln!("  {p}% of CPU since start at the last cycle");
    }
    if let (Some(st), Some(live), Some(goal)) = (s.heap_start_max, s.heap_live_max, s.heap_goal_max)
    {
        outln!("Heap: max {st} MB at GC start, max {live} MB live, max goal {goal} MB");
    }
    if s.scav_lines > 0 {
        outln!(
            "Scavenger: {} lines, {} KiB released",
            s.scav_lines,
            s.scavenged_kib
        );
    }
    if s.gc_starts_unrecovered > 0 {
        outln!(
            "Unrecovered gc records: {} ({} incomplete: split by other output and not found again; \
             {} ambiguous: could be pieces of more than one record, e.g. two processes writing to one stderr)",
            s.gc_starts_unrecovered,
            s.gc_starts_incomplete,
            s.gc_starts_ambiguous
        );
    }
    for h in &r.hints {
        outln!("Hint: {h}");
    }
    Ok(())
}
