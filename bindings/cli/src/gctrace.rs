//! `gprofops gctrace FILE [--json] [--cycles csv|json] [--openmetrics]`.

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
    // is read rather than kept, so a log of any size needs a few megabytes. A file is
    // mapped and scanned in place (no copy of any line, nothing allocated per cycle):
    // reading it into a buffer line by line cost more than the scan itself.
    let mut rows = Rows::new(a.cycles.as_deref());
    let mut each = |row: &CycleRow| rows.write(row);
    let stdin = a.file.as_os_str() == "-";
    let (report, kind) = if stdin {
        let r = GcReport::summarize_reader(std::io::stdin().lock(), &mut each)?;
        (r, None)
    } else {
        crate::not_a_directory(&a.file)?;
        let f = std::fs::File::open(&a.file)
            .map_err(|e| format!("reading {}: {e}", a.file.display()))?;
        let data = profile_ops::pprof::map_file(&f)
            .map_err(|e| format!("reading {}: {e}", a.file.display()))?;
        let r = if a.cycles.is_some() {
            GcReport::summarize_bytes(&data, &mut each)
        } else {
            GcReport::summary_of_bytes(&data)
        };
        let kind = (!r.summary.has_gctrace_lines())
            .then(|| OtherKind::of(&data))
            .flatten();
        (r, kind)
    };
    let shown = if stdin {
        "standard input".to_string()
    } else {
        a.file.display().to_string()
    };
    let warning = (!report.summary.has_gctrace_lines()).then(|| no_gctrace_warning(&shown, kind));
    match (a.cycles.is_some(), a.json, a.openmetrics) {
        (true, ..) => rows.finish()?,
        (false, _, true) => out!("{}", report.openmetrics()),
        (false, true, false) => {
            let json = Json {
                summary: &report.summary,
                warnings: warning.as_slice(),
            };
            outln!("{}", serde_json::to_string(&json)?)
        }
        (false, false, false) => print_text(&report)?,
    }
    match (warning, kind) {
        // Another kind of file: a mistake, exit 2 (the message is the one line).
        (Some(w), Some(_)) => Err(w.into()),
        // A text without GC lines is a log of a program that never collected, or one run
        // without GODEBUG=gctrace=1: said, but not an error (exit 0).
        (Some(w), None) => {
            eprintln!("gprofops: warning: {w}");
            Ok(())
        }
        (None, _) => Ok(()),
    }
}

/// `--json`: the summary's fields, then `warnings` (one string each; empty when none).
#[derive(serde::Serialize)]
struct Json<'a> {
    #[serde(flatten)]
    summary: &'a profile_ops::gc::GcSummary,
    warnings: &'a [String],
}

/// Input another command reads, recognised from its first bytes.
#[derive(Clone, Copy)]
enum OtherKind {
    Trace,
    Profile,
    Gzip,
}

impl OtherKind {
    fn of(data: &[u8]) -> Option<OtherKind> {
        if profile_ops::gotrace::Version::detect(data).is_ok() {
            Some(OtherKind::Trace)
        } else if profile_ops::pprof::Profile::decode(data).is_ok() {
            Some(OtherKind::Profile)
        } else if profile_ops::pprof::is_gzip(data) {
            Some(OtherKind::Gzip)
        } else {
            None
        }
    }
}

/// The one-line warning for a file without a single GC trace line.
fn no_gctrace_warning(shown: &str, kind: Option<OtherKind>) -> String {
    let base = format!(
        "{shown}: no GC trace line found (a gctrace log is the standard error of a Go program run with GODEBUG=gctrace=1)"
    );
    match kind {
        Some(OtherKind::Trace) => {
            format!("{base}; this is a Go execution trace: `gprofops trace info {shown}` reads it")
        }
        Some(OtherKind::Profile) => {
            format!("{base}; this is a pprof profile: `gprofops info {shown}` reads it")
        }
        Some(OtherKind::Gzip) => format!(
            "{base}; this is gzip-compressed data (a pprof profile?): `gprofops info {shown}` reads profiles"
        ),
        None => base,
    }
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
