//! `gprofops trace info FILE [--json]`, `gprofops trace events FILE [--json-lines]`,
//! `gprofops trace goroutines|tasks|analysis FILE [--json]`,
//! `gprofops trace pprof --kind net|sync|syscall|sched|cpu FILE -o OUT`,
//! `gprofops trace pauses FILE [--json]`, `gprofops trace mmu FILE [--window DUR]... [--json]`,
//! `gprofops trace metrics FILE [--json]`, `gprofops trace slow FILE [--percentile P | --over
//! DUR] [--json]`, `gprofops trace perfetto FILE -o OUT`, `gprofops trace timeline FILE`.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use profile_ops::gotrace::{Reader, text};
use profile_ops::trace::{
    Analysis, PprofConverter, PprofKind, TraceInfo, analyze_path, event_json, trace_info_path,
};

use crate::CliResult;

/// Arguments of `trace`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Summary: events per kind, goroutines, generations, GC, stop-the-world, user annotations.
    Info {
        /// Execution trace file (runtime/trace, go test -trace, flight recorder).
        file: PathBuf,
        /// Print one JSON object (schema gotrace-oracle/1) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Every event of the ordered stream, one per line.
    Events {
        /// Execution trace file.
        file: PathBuf,
        /// One JSON object per line instead of the canonical text line.
        #[arg(long)]
        json_lines: bool,
    },
    /// Goroutines grouped by start function: execution, scheduler wait, blocking by
    /// reason, syscalls, GC ranges, with percentiles (as `go tool trace`'s goroutine page).
    Goroutines {
        /// Execution trace file.
        file: PathBuf,
        /// Print `{"goroutines": {START_FUNCTION: {...}}}` instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// User task and region latency by type (count, complete, p50/p95/p99/max).
    Tasks {
        /// Execution trace file.
        file: PathBuf,
        /// Print `{"tasks": {TYPE: {...}}, "regions": {TYPE: {...}}}` instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Stop-the-world pauses (start, duration, reason) and GC cycles.
    Pauses {
        /// Execution trace file.
        file: PathBuf,
        /// Print `{"stw": [...], "stw_percentiles", "stw_total_ns", "gc_cycles": [...]}`.
        #[arg(long)]
        json: bool,
    },
    /// Minimum mutator utilisation (as `go tool trace`'s /mmu page): at the given windows,
    /// or the page's 100-point curve.
    Mmu {
        /// Execution trace file.
        file: PathBuf,
        /// Window size (`500us`, `10ms`, `1s`, or nanoseconds); repeatable. Without it,
        /// the curve over six orders of magnitude.
        #[arg(long, value_parser = parse_duration)]
        window: Vec<i64>,
        /// What takes time from the mutator (comma-separated): stw, background, assist,
        /// sweep; add perproc for one function per proc.
        #[arg(long, default_value = "stw,background,assist")]
        flags: String,
        /// Print `{"mmu": [{"window_ns", "mmu"}, ...]}`.
        #[arg(long)]
        json: bool,
    },
    /// Runtime metrics recorded in the trace (GOMAXPROCS, live heap, heap goal) as time
    /// series.
    Metrics {
        /// Execution trace file.
        file: PathBuf,
        /// Print `{"metrics": {NAME: [{"time_ns", "value"}, ...]}}` instead of a summary.
        #[arg(long)]
        json: bool,
    },
    /// Why slow tasks and regions were slow: where their time went (execution, scheduler
    /// wait, blocking by reason with the stacks, syscalls, GC assist, stop-the-world) and
    /// a ranked verdict.
    Slow {
        /// Execution trace file.
        file: PathBuf,
        /// Slow = at or above this percentile of its type's durations.
        #[arg(long, default_value_t = 95.0, conflicts_with = "over")]
        percentile: f64,
        /// Slow = longer than this (`10ms`, `500us`, or nanoseconds).
        #[arg(long, value_parser = parse_duration)]
        over: Option<i64>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// The trace as Chrome/Perfetto trace-event JSON (open it in ui.perfetto.dev).
    Perfetto {
        /// Execution trace file.
        file: PathBuf,
        /// Output file; `-` for standard output.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Each goroutine's state spans as JSON lines (`{"g", "state", "reason", "start_ns",
    /// "end_ns", "proc"}`), for dashboards.
    Timeline {
        /// Execution trace file.
        file: PathBuf,
        /// Output file; standard output by default.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Goroutines, tasks and regions as one JSON document (schema gotrace-analysis/1).
    Analysis {
        /// Execution trace file.
        file: PathBuf,
    },
    /// A pprof profile of blocking, syscall or scheduler-wait time by stack (as `go tool
    /// trace -pprof=KIND`), or of the trace's CPU samples.
    Pprof {
        /// net, sync, syscall, sched or cpu.
        #[arg(long, value_parser = ["net", "sync", "syscall", "sched", "cpu"])]
        kind: String,
        /// Execution trace file.
        file: PathBuf,
        /// Output file (gzipped protobuf); `-` for standard output.
        #[arg(short, long)]
        output: PathBuf,
        /// Write uncompressed protobuf.
        #[arg(long)]
        raw: bool,
        /// Period of CPU samples in nanoseconds (1e9 / the profiling rate in Hz).
        #[arg(long, default_value_t = profile_ops::trace::DEFAULT_CPU_PERIOD_NS)]
        cpu_period_ns: i64,
    },
}

pub fn run(mut a: Args) -> CliResult {
    crate::not_a_directory(stdin_for_dash(&mut a.command))?;
    match a.command {
        Command::Info { file, json } => info(file, json),
        Command::Events { file, json_lines } => events(file, json_lines),
        Command::Goroutines { file, json } => goroutines(file, json),
        Command::Tasks { file, json } => tasks(file, json),
        Command::Pprof {
            kind,
            file,
            output,
            raw,
            cpu_period_ns,
        } => pprof(&kind, &file, &output, raw, cpu_period_ns),
        Command::Pauses { file, json } => pauses(&file, json),
        Command::Metrics { file, json } => metrics(&file, json),
        Command::Perfetto { file, output } => export(&file, Some(&output), true),
        Command::Timeline { file, output } => export(&file, output.as_deref(), false),
        Command::Slow {
            file,
            percentile,
            over,
            json,
        } => slow(&file, percentile, over, json),
        Command::Mmu {
            file,
            window,
            flags,
            json,
        } => mmu(&file, &window, &flags, json),
        Command::Analysis { file } => {
            let a = analysis(&file)?;
            outln!("{}", serde_json::to_string_pretty(&a)?);
            analysis_error(&file, &a)
        }
    }
}

/// `-` as FILE means standard input, read as a stream like any FIFO; returns FILE.
fn stdin_for_dash(c: &mut Command) -> &std::path::Path {
    let file = match c {
        Command::Info { file, .. }
        | Command::Events { file, .. }
        | Command::Goroutines { file, .. }
        | Command::Tasks { file, .. }
        | Command::Pprof { file, .. }
        | Command::Pauses { file, .. }
        | Command::Metrics { file, .. }
        | Command::Perfetto { file, .. }
        | Command::Timeline { file, .. }
        | Command::Slow { file, .. }
        | Command::Mmu { file, .. }
        | Command::Analysis { file } => file,
    };
    if file.as_os_str() == "-" {
        *file = PathBuf::from("/dev/stdin");
    }
    file
}

fn pprof(
    kind: &str,
    file: &std::path::Path,
    output: &std::path::Path,
    raw: bool,
    cpu_period_ns: i64,
) -> CliResult {
    let kind = PprofKind::parse(kind).ok_or_else(|| format!("unknown profile kind {kind}"))?;
    let p = PprofConverter::new(kind)
        .cpu_period_ns(cpu_period_ns)
        .convert_path(file)
        .map_err(|e| {
            let e = e.to_string();
            let at = file.display().to_string();
            if e.starts_with(&at) {
                e
            } else {
                format!("{at}: {e}")
            }
        })?;
    crate::pprof::write_profile(&p, output, raw)
}

/// A duration: an integer with an optional unit (`ns`, `us`, `µs`, `ms`, `s`).
fn parse_duration(s: &str) -> Result<i64, String> {
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let scale = match unit {
        "" | "ns" => 1.0,
        "us" | "µs" => 1e3,
        "ms" => 1e6,
        "s" => 1e9,
        _ => return Err(format!("unknown unit in {s:?} (ns, us, ms, s)")),
    };
    let v: f64 = num.parse().map_err(|_| format!("not a duration: {s:?}"))?;
    let ns = v * scale;
    if !(1.0..9.2e18).contains(&ns) {
        return Err(format!("duration out of range: {s:?}"));
    }
    Ok(ns as i64)
}

fn pauses(file: &std::path::Path, json: bool) -> CliResult {
    let (p, error) =
        profile_ops::trace::pauses_path(file).map_err(|e| format!("{}: {e}", file.display()))?;
    if json {
        outln!("{}", serde_json::to_string_pretty(&p)?);
    } else {
        outln!(
            "{} stop-the-world pauses, {} ms in total; {} GC cycles",
            p.stw.len(),
            ms(p.stw_total_ns),
            p.gc_cycles.len()
        );
        if let Some(q) = p.stw_percentiles {
            outln!(
                "STW p50 {} ms, p95 {} ms, p99 {} ms, max {} ms",
                ms(q.p50_ns),
                ms(q.p95_ns),
                ms(q.p99_ns),
                ms(q.max_ns)
            );
        }
        outln!("{:>16} {:>12}  reason", "start ns", "duration ms");
        for s in &p.stw {
            let d = s.duration_ns.map_or_else(|| "-".to_string(), ms);
            outln!("{:>16} {:>12}  {}", s.start_ns, d, s.reason);
        }
    }
    match error {
        Some(e) => Err(format!("{}: {e}", file.display()).into()),
        None => Ok(()),
    }
}

fn slow(file: &std::path::Path, percentile: f64, over: Option<i64>, json: bool) -> CliResult {
    use profile_ops::trace::Threshold;
    if !(0.0..=100.0).contains(&percentile) {
        return Err(format!("--percentile {percentile}: not in 0..100").into());
    }
    let t = over.map_or(Threshold::Percentile(percentile), Threshold::Over);
    let r =
        profile_ops::trace::slow_path(file, t).map_err(|e| format!("{}: {e}", file.display()))?;
    if json {
        outln!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        for line in &r.summary {
            outln!("{line}");
        }
        for it in r.items.iter().take(20) {
            outln!(
                "\n{} {:?} ({} ms, threshold {} ms{})",
                it.kind,
                it.name,
                ms(it.duration_ns),
                ms(it.threshold_ns),
                it.goroutine
                    .map(|g| format!(", goroutine {g}"))
                    .unwrap_or_default()
            );
            let mut b: Vec<_> = it.breakdown.iter().collect();
            b.sort_by(|x, y| y.1.cmp(x.1));
            for (k, v) in b {
                outln!("  {:>12} ms  {k}", ms(*v));
            }
            for s in &it.blocking {
                outln!(
                    "  blocked {} ms on {}: {}",
                    ms(s.ns),
                    s.reason,
                    s.frames.join(" < ")
                );
            }
        }
    }
    match r.error {
        Some(e) => Err(format!("{}: {e}", file.display()).into()),
        None => Ok(()),
    }
}

/// Writes the Perfetto file (`perfetto`) or the timeline to `output` (stdout if `None` or
/// `-`).
fn export(file: &std::path::Path, output: Option<&std::path::Path>, perfetto: bool) -> CliResult {
    use profile_ops::trace::{write_perfetto_path, write_timeline_path};
    let stdout = output.is_none_or(|o| o == std::path::Path::new("-"));
    // A file is written whole or not at all (see `output`).
    let mut to_file = match output {
        Some(o) if !stdout => Some(crate::output::Output::create(o)?),
        _ => None,
    };
    let sink: Box<dyn Write + '_> = match &mut to_file {
        Some(f) => Box::new(f),
        None => Box::new(BufWriter::with_capacity(1 << 16, io::stdout().lock())),
    };
    let r = if perfetto {
        write_perfetto_path(file, sink)
    } else {
        write_timeline_path(file, sink)
    };
    // A damaged trace still gives a well-formed file of the events before the damage:
    // it is kept, and the error reported.
    if let (Ok(_), Some(f)) = (&r, to_file) {
        f.commit()?;
    }
    match r {
        Ok(None) => Ok(()),
        Ok(Some(e)) => Err(format!("{}: {e}", file.display()).into()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(format!("{}: {e}", file.display()).into()),
    }
}

fn metrics(file: &std::path::Path, json: bool) -> CliResult {
    let (m, error) =
        profile_ops::trace::metrics_path(file).map_err(|e| format!("{}: {e}", file.display()))?;
    if json {
        outln!(
            "{}",
            serde_json::to_string(&serde_json::json!({ "metrics": m }))?
        );
    } else {
        outln!(
            "{:>8} {:>20} {:>20} {:>20}  metric",
            "points",
            "first",
            "min",
            "max"
        );
        for (name, s) in &m {
            let (min, max) = s
                .iter()
                .fold((u64::MAX, 0), |(a, b), p| (a.min(p.value), b.max(p.value)));
            let first = s.first().map_or(0, |p| p.value);
            outln!("{:>8} {first:>20} {min:>20} {max:>20}  {name}", s.len());
        }
    }
    match error {
        Some(e) => Err(format!("{}: {e}", file.display()).into()),
        None => Ok(()),
    }
}

fn mmu(file: &std::path::Path, windows: &[i64], flags: &str, json: bool) -> CliResult {
    let f = profile_ops::trace::UtilFlags::from_names(
        flags.split(',').map(str::trim).filter(|n| !n.is_empty()),
    )?;
    let (util, error) = profile_ops::trace::mutator_utilization_path(file, f)
        .map_err(|e| format!("{}: {e}", file.display()))?;
    let curve = profile_ops::trace::MmuCurve::new(util);
    let points = curve.points(windows);
    if json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "mmu": points }))?
        );
    } else {
        outln!("{:>16} {:>8}", "window ms", "MMU");
        for p in &points {
            outln!("{:>16} {:>8.4}", ms(p.window_ns), p.mmu);
        }
    }
    match error {
        Some(e) => Err(format!("{}: {e}", file.display()).into()),
        None => Ok(()),
    }
}

fn analysis(file: &std::path::Path) -> Result<Analysis, Box<dyn std::error::Error>> {
    Ok(analyze_path(file).map_err(|e| format!("{}: {e}", file.display()))?)
}

/// The trace's parse error, after its partial analysis was printed.
fn analysis_error(file: &std::path::Path, a: &Analysis) -> CliResult {
    match &a.error {
        Some(e) => Err(format!("{}: {e}", file.display()).into()),
        None => Ok(()),
    }
}

/// Nanoseconds as milliseconds with three decimals.
fn ms(ns: i64) -> String {
    format!("{:.3}", ns as f64 / 1e6)
}

fn goroutines(file: PathBuf, json: bool) -> CliResult {
    let a = analysis(&file)?;
    if json {
        let doc = serde_json::json!({ "goroutines": a.goroutines });
        outln!("{}", serde_json::to_string_pretty(&doc)?);
        return analysis_error(&file, &a);
    }
    outln!(
        "{:>6} {:>12} {:>12} {:>12} {:>12} {:>12}  start function",
        "count",
        "total ms",
        "exec ms",
        "sched ms",
        "block ms",
        "syscall ms"
    );
    let mut groups: Vec<_> = a.goroutines.iter().collect();
    groups.sort_by(|x, y| y.1.total_ns.cmp(&x.1.total_ns).then(x.0.cmp(y.0)));
    for (name, g) in groups {
        let get = |k: &str| g.non_overlapping_ns.get(k).copied().unwrap_or(0);
        let block: i64 = g
            .non_overlapping_ns
            .iter()
            .filter(|(k, _)| k.starts_with("Block time (") && k.as_str() != "Block time (syscall)")
            .map(|(_, v)| *v)
            .sum();
        let name = if name.is_empty() { "(unknown)" } else { name };
        outln!(
            "{:>6} {:>12} {:>12} {:>12} {:>12} {:>12}  {name}",
            g.count,
            ms(g.total_ns),
            ms(get("Execution time")),
            ms(get("Sched wait time")),
            ms(block),
            ms(get("Syscall execution time") + get("Block time (syscall)")),
        );
    }
    analysis_error(&file, &a)
}

fn tasks(file: PathBuf, json: bool) -> CliResult {
    let a = analysis(&file)?;
    if json {
        let doc = serde_json::json!({ "tasks": a.tasks, "regions": a.regions });
        outln!("{}", serde_json::to_string_pretty(&doc)?);
        return analysis_error(&file, &a);
    }
    for (what, m) in [("task", &a.tasks), ("region", &a.regions)] {
        outln!(
            "{:>6} {:>9} {:>12} {:>12} {:>12} {:>12}  {what} type",
            "count",
            "complete",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "max ms"
        );
        let opt = |v: Option<i64>| v.map_or_else(|| "-".to_string(), ms);
        for (name, l) in m {
            let name = if name.is_empty() { "(none)" } else { name };
            outln!(
                "{:>6} {:>9} {:>12} {:>12} {:>12} {:>12}  {name}",
                l.count,
                l.complete,
                opt(l.p50_ns),
                opt(l.p95_ns),
                opt(l.p99_ns),
                opt(l.max_ns)
            );
        }
    }
    analysis_error(&file, &a)
}

fn open(file: &PathBuf) -> Result<std::fs::File, Box<dyn std::error::Error>> {
    std::fs::File::open(file).map_err(|e| format!("{}: {e}", file.display()).into())
}

fn info(file: PathBuf, json: bool) -> CliResult {
    // Streams the file: memory stays bounded by the largest generation.
    let s = trace_info_path(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    if json {
        outln!("{}", serde_json::to_string(&s)?);
    } else if s.valid || s.events_total > 0 {
        print_text(&file, &s)?;
    }
    match s.error {
        Some(e) => Err(format!("{}: {e}", file.display()).into()),
        None => Ok(()),
    }
}

fn print_text(file: &std::path::Path, s: &TraceInfo) -> CliResult {
    outln!(
        "File: {} ({} bytes, header {:?})",
        file.display(),
        s.size_bytes,
        s.header
    );
    let state = if s.valid {
        "complete"
    } else {
        "INCOMPLETE (stopped at an error)"
    };
    outln!(
        "Trace: {state}, {} generations, {} events",
        s.generations,
        s.events_total
    );
    if let (Some(a), Some(b)) = (s.first_timestamp_ns, s.last_timestamp_ns) {
        outln!("Time: {a} .. {b} ns ({:.3} ms)", (b - a) as f64 / 1e6);
    }
    let kinds: Vec<String> = s
        .events_by_kind
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    outln!("Events: {}", kinds.join(", "));
    outln!(
        "Resources: {} goroutines, {} procs, {} threads",
        s.goroutines_distinct,
        s.procs_distinct,
        s.threads_distinct
    );
    outln!(
        "GC: {} cycles; stop-the-world: {} ({} ns total)",
        s.gc_cycles,
        s.stw.count,
        s.stw.total_duration_ns
    );
    for (reason, n) in &s.stw.by_reason {
        outln!("  STW {reason}: {n}");
    }
    let u = &s.user;
    outln!(
        "User: {} tasks, {} regions, {} logs",
        u.tasks,
        u.regions,
        u.logs
    );
    for (res, m) in &s.state_transitions {
        for (t, n) in m {
            outln!("  {res} {t}: {n}");
        }
    }
    Ok(())
}

fn events(file: PathBuf, json_lines: bool) -> CliResult {
    let input = std::io::BufReader::with_capacity(1 << 16, open(&file)?);
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let result = (|| -> Result<Option<String>, io::Error> {
        let reader = match Reader::from_reader(input) {
            Ok(r) => r,
            Err(e) => return Ok(Some(e.to_string())),
        };
        for ev in reader {
            let ev = match ev {
                Ok(ev) => ev,
                Err(e) => return Ok(Some(e.to_string())),
            };
            if json_lines {
                serde_json::to_writer(&mut out, &event_json(&ev))?;
                out.write_all(b"\n")?;
            } else {
                out.write_all(text::line(&ev).as_bytes())?;
                out.write_all(b"\n")?;
            }
        }
        out.flush()?;
        Ok(None)
    })();
    match result {
        Ok(None) => Ok(()),
        Ok(Some(err)) => {
            let _ = out.flush();
            Err(format!("{}: {err}", file.display()).into())
        }
        // `gprofops trace events big.trace | head` is not an error.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus(rel: &str) -> PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/corpus/gotrace")
            .join(rel)
    }

    #[test]
    fn info_and_events_on_valid_and_invalid_traces() {
        let ok = corpus("tests/go122-annotations.trace");
        assert!(info(ok.clone(), true).is_ok());
        assert!(info(ok.clone(), false).is_ok());
        assert!(events(ok.clone(), false).is_ok());
        assert!(events(ok, true).is_ok());
        let bad = corpus("tests/go122-create-syscall-with-p.trace");
        let e = info(bad.clone(), true).expect_err("Go rejects this trace");
        assert!(
            e.to_string()
                .ends_with("expected a proc but didn't have one"),
            "{e}"
        );
        let e = events(bad, false).expect_err("Go rejects this trace");
        assert!(
            e.to_string()
                .contains("expected a proc but didn't have one"),
            "{e}"
        );
        assert!(info(corpus("does-not-exist.trace"), false).is_err());
    }

    #[test]
    fn goroutines_tasks_and_analysis() {
        let ok = corpus("tests/go122-annotations.trace");
        for json in [false, true] {
            assert!(goroutines(ok.clone(), json).is_ok());
            assert!(tasks(ok.clone(), json).is_ok());
        }
        let a = analysis(&ok).expect("analysis");
        assert_eq!(a.goroutines["main.main"].count, 1);
        let bad = corpus("tests/go122-create-syscall-with-p.trace");
        let e = goroutines(bad, true).expect_err("Go rejects this trace");
        assert!(
            e.to_string()
                .ends_with("expected a proc but didn't have one"),
            "{e}"
        );
        assert!(tasks(corpus("does-not-exist.trace"), false).is_err());
    }

    #[test]
    fn pprof_kinds() {
        let ok = corpus("generated/contention.trace");
        let out =
            std::env::temp_dir().join(format!("gprofops-trace-pprof-{}.pb.gz", std::process::id()));
        for kind in ["net", "sync", "syscall", "sched", "cpu"] {
            pprof(kind, &ok, &out, false, 10_000_000).expect("conversion");
            let p = profile_ops::pprof::Profile::open(&out).expect("a profile");
            assert_eq!(p.sample_types().len(), 2);
        }
        let _ = std::fs::remove_file(&out);
        assert!(pprof("io", &ok, &out, false, 1).is_err());
        let bad = corpus("fuzz/goroot_fuzzreader_malformed-timestamp.trace");
        let e = pprof("sched", &bad, &out, false, 1).expect_err("no complete generation");
        assert!(
            e.to_string().contains("failed to parse any useful part"),
            "{e}"
        );
    }

    #[test]
    fn pauses_and_mmu() {
        let ok = corpus("generated/gcheavy.trace");
        for json in [false, true] {
            assert!(pauses(&ok, json).is_ok());
            assert!(mmu(&ok, &[1_000_000], "stw,background,assist", json).is_ok());
        }
        assert!(mmu(&ok, &[], "stw,perproc", false).is_ok());
        assert!(metrics(&ok, false).is_ok() && metrics(&ok, true).is_ok());
        let ann = corpus("tests/go122-annotations.trace");
        assert!(slow(&ann, 95.0, None, false).is_ok());
        assert!(slow(&ann, 95.0, Some(20_000), true).is_ok());
        assert!(slow(&ann, 101.0, None, true).is_err());
        let out =
            std::env::temp_dir().join(format!("gprofops-perfetto-{}.json", std::process::id()));
        export(&ann, Some(&out), true).expect("perfetto");
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&out).expect("written")).expect("JSON");
        assert!(v["traceEvents"].is_array());
        export(&ann, Some(&out), false).expect("timeline");
        let _ = std::fs::remove_file(&out);
        assert!(mmu(&ok, &[1], "gc", false).is_err());
        assert_eq!(parse_duration("10ms"), Ok(10_000_000));
        assert_eq!(parse_duration("1.5us"), Ok(1_500));
        assert_eq!(parse_duration("250"), Ok(250));
        assert!(parse_duration("1h").is_err() && parse_duration("0").is_err());
    }
}
