//! GC statistics from a gctrace log: the summary people tune GOGC and GOMEMLIMIT from,
//! a per-cycle table, an OpenMetrics exposition and tuning hints.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::BufRead;

use serde::Serialize;

use crate::gctrace::{self, Event, GcCycle, Item, Scavenge, Unrecovered};

/// One cycle of the per-cycle table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CycleRow {
    /// Line the record starts on.
    pub line: usize,
    /// `gc N`.
    pub number: u64,
    /// Seconds since program start.
    pub at_secs: f64,
    /// GC CPU percentage since program start (`P%`).
    pub cpu_percent: u64,
    /// Stop-the-world time (sweep termination + mark termination), ms.
    pub stw_ms: f64,
    /// Concurrent phases' wall time, ms.
    pub concurrent_ms: f64,
    /// GC CPU time of the cycle (all cpu terms), ms.
    pub cpu_ms: f64,
    /// Heap at start, end, live (MB).
    pub heap_start_mb: u64,
    /// Heap at the end of the cycle, MB.
    pub heap_end_mb: u64,
    /// Marked (live) heap, MB.
    pub heap_live_mb: u64,
    /// Heap goal, MB.
    pub goal_mb: u64,
    /// Heap at GC start as a fraction of the goal.
    pub start_over_goal: Option<f64>,
    /// Ps.
    pub procs: u64,
    /// Forced cycle.
    pub forced: bool,
}

impl CycleRow {
    /// The header line of the CSV form of the table.
    pub const CSV_HEADER: &str = "line,number,at_secs,cpu_percent,stw_ms,concurrent_ms,cpu_ms,heap_start_mb,heap_end_mb,heap_live_mb,goal_mb,procs,forced\n";

    /// The row as one CSV line (with its newline), in the columns of [`Self::CSV_HEADER`].
    pub fn csv_line(&self) -> String {
        let c = self;
        format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
            c.line,
            c.number,
            c.at_secs,
            c.cpu_percent,
            c.stw_ms,
            c.concurrent_ms,
            c.cpu_ms,
            c.heap_start_mb,
            c.heap_end_mb,
            c.heap_live_mb,
            c.goal_mb,
            c.procs,
            c.forced
        )
    }

    fn of(line: usize, c: &GcCycle) -> CycleRow {
        CycleRow {
            line,
            number: c.number,
            at_secs: c.at_secs.to_f64(),
            cpu_percent: c.cpu_percent,
            stw_ms: c.stw_micros() as f64 / 1000.0,
            concurrent_ms: c.concurrent_micros() as f64 / 1000.0,
            cpu_ms: c.cpu_micros() as f64 / 1000.0,
            heap_start_mb: c.heap_start_mb,
            heap_end_mb: c.heap_end_mb,
            heap_live_mb: c.heap_live_mb,
            goal_mb: c.goal_mb,
            start_over_goal: (c.goal_mb > 0).then(|| c.heap_start_mb as f64 / c.goal_mb as f64),
            procs: c.procs,
            forced: c.forced,
        }
    }
}

/// The summary of a log. The first block of fields has the names and meaning of the
/// shared corpus's `.oracle.json` files (see `shared/tools/oracle/gctrace_oracle.py`).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct GcSummary {
    /// GC cycle records (complete + rejoined).
    pub gc_lines: u64,
    /// Records complete on their line.
    pub gc_lines_complete: u64,
    /// Records put back together from a split line.
    pub gc_lines_rejoined: u64,
    /// Record starts that gave no cycle: `gc N @` starts that could not be completed,
    /// and records not read because they could be pieces of two
    /// (`gc_starts_incomplete + gc_starts_ambiguous`).
    pub gc_starts_unrecovered: u64,
    /// `gc N @` starts no line completes (split by other output more than once, or cut
    /// off).
    pub gc_starts_incomplete: u64,
    /// Records (complete-looking, or split and completable) not read because another
    /// record start near them is unfinished: their bytes could be parts of two records
    /// (two processes writing to one stderr). Not in the reference reader, which
    /// assembles them.
    pub gc_starts_ambiguous: u64,
    /// Records preceded by other output on their line.
    pub gc_lines_not_at_line_start: u64,
    /// `(forced)` cycles.
    pub forced_cycles: u64,
    /// Sum of stop-the-world times, ms.
    pub stw_ms_sum: f64,
    /// Longest stop-the-world time, ms.
    pub stw_ms_max: f64,
    /// Largest heap at GC start, MB.
    pub heap_start_max: Option<u64>,
    /// Largest heap at GC end, MB.
    pub heap_end_max: Option<u64>,
    /// Largest live heap, MB.
    pub heap_live_max: Option<u64>,
    /// Largest heap goal, MB.
    pub heap_goal_max: Option<u64>,
    /// First cycle number in file order.
    pub first_gc_number: Option<u64>,
    /// Last cycle number in file order.
    pub last_gc_number: Option<u64>,
    /// Largest cycle number.
    pub max_gc_number: Option<u64>,
    /// Records by number of clock terms (`"3"`, `"5"`).
    pub clock_term_counts: BTreeMap<String, u64>,
    /// Records with the Go 1.19+ stacks/globals fields.
    pub stacks_globals_lines: u64,
    /// Scavenger lines of both kinds.
    pub scav_lines: u64,
    /// Old `scvg` lines.
    pub scvg_lines: u64,
    /// scavtrace `scav` lines.
    pub scavtrace_lines: u64,
    /// `pacer:` lines.
    pub pacer_lines: u64,
    /// `GC forced` lines.
    pub gc_forced_lines: u64,
    /// Pre-1.5 gc lines.
    pub legacy_pre15_lines: u64,
    /// gctrace=2 per-size-class scan statistics lines (not in the reference reader).
    pub scan_stats_lines: u64,

    /// Stop-the-world percentiles (ms), nearest-rank.
    pub stw_ms_p50: Option<f64>,
    /// 95th percentile STW, ms.
    pub stw_ms_p95: Option<f64>,
    /// 99th percentile STW, ms.
    pub stw_ms_p99: Option<f64>,
    /// Sum of concurrent mark wall time, ms.
    pub concurrent_ms_sum: f64,
    /// Sum of GC CPU time over all cycles, ms.
    pub cpu_ms_sum: f64,
    /// GC CPU percentage since start at the last cycle (`P%`, the runtime's figure).
    pub gc_cpu_percent_last: Option<u64>,
    /// GC CPU fraction computed from the cpu terms: all cycles' GC CPU time over the
    /// CPU available from program start to the last cycle (`@` seconds × Ps). Comparable
    /// to `P%` when the log starts at program start.
    pub gc_cpu_fraction_from_terms: Option<f64>,
    /// Time span covered by the cycles, s (last `@` minus first).
    pub span_secs: Option<f64>,
    /// Cycles per second over the span.
    pub cycles_per_sec: Option<f64>,
    /// Median heap-at-start / goal.
    pub start_over_goal_p50: Option<f64>,
    /// Sum of KiB released by the scavenger (scav lines' work figures, bg + eager).
    pub scavenged_kib: u64,
    /// Sum of MB released reported by old `scvgN: X MB released` lines.
    pub scvg_released_mb: u64,
}

impl GcSummary {
    /// Whether the log had any line the runtime's GC tracing prints: cycles, starts of
    /// cycles, scavenger, pacer, `GC forced`, pre-1.5 and gctrace=2 lines. A log without
    /// one is most often a program run without `GODEBUG=gctrace=1`, or another kind of
    /// file.
    ///
    /// ```
    /// use profile_ops::gc::GcReport;
    /// assert!(!GcReport::from_bytes(b"hello\n").summary.has_gctrace_lines());
    /// let scav = b"scav 1 KiB work (bg), 0 KiB work (eager), 3 KiB now, 99% util\n";
    /// assert!(GcReport::from_bytes(scav).summary.has_gctrace_lines());
    /// ```
    pub fn has_gctrace_lines(&self) -> bool {
        self.gc_lines
            + self.gc_starts_unrecovered
            + self.scav_lines
            + self.pacer_lines
            + self.gc_forced_lines
            + self.legacy_pre15_lines
            + self.scan_stats_lines
            > 0
    }
}

/// Everything computed from one log.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct GcReport {
    /// The summary.
    pub summary: GcSummary,
    /// One row per cycle, in file order.
    pub cycles: Vec<CycleRow>,
    /// Tuning hints, each citing the figures it is based on.
    pub hints: Vec<String>,
}

impl GcReport {
    /// Analyses a log held in memory.
    ///
    /// ```
    /// use profile_ops::gc::GcReport;
    /// let log = b"gc 1 @0.100s 1%: 0.010+1.0+0.020 ms clock, 0.04+0.1/0.5/0+0.08 ms cpu, 4->5->2 MB, 5 MB goal, 0 MB stacks, 0 MB globals, 4 P (forced)\n";
    /// let r = GcReport::from_bytes(log);
    /// assert_eq!(r.summary.gc_lines, 1);
    /// assert_eq!(r.summary.forced_cycles, 1);
    /// assert_eq!(r.summary.stw_ms_sum, 0.03);
    /// ```
    pub fn from_bytes(log: &[u8]) -> GcReport {
        let mut cycles = Vec::new();
        let mut b = Builder::new(|row: &CycleRow| cycles.push(row.clone()));
        gctrace::scan(log, |item| b.add(item));
        let mut report = b.finish();
        report.cycles = cycles;
        report
    }

    /// Analyses a log from a reader, keeping the per-cycle table: memory grows with the
    /// number of cycles (about 130 bytes each). [`GcReport::summarize_reader`] reads a log
    /// of any length in bounded memory.
    pub fn from_reader(r: impl BufRead) -> gctrace::Result<GcReport> {
        let mut cycles = Vec::new();
        let report = GcReport::summarize_reader(r, |row| cycles.push(row.clone()))?;
        Ok(GcReport { cycles, ..report })
    }

    /// Analyses a log from a reader without keeping the per-cycle table: each cycle's row
    /// is handed to `each_cycle` as it is read (to write it out, or to ignore it) and the
    /// report's `cycles` stays empty. Memory is bounded by the longest line and the number
    /// of *distinct* pause times and heap/goal ratios (the exact percentiles need them),
    /// not by the number of cycles, so a log of many gigabytes reads in a few megabytes.
    ///
    /// ```
    /// use profile_ops::gc::GcReport;
    /// let log = "gc 1 @0.100s 1%: 0.010+1.0+0.020 ms clock, 0.04+0.1/0.5/0+0.08 ms cpu, 4->5->2 MB, 5 MB goal, 0 MB stacks, 0 MB globals, 4 P\n".repeat(1000);
    /// let mut rows = 0;
    /// let r = GcReport::summarize_reader(log.as_bytes(), |_| rows += 1).unwrap();
    /// assert_eq!((r.summary.gc_lines, rows, r.cycles.len()), (1000, 1000, 0));
    /// assert_eq!(r.summary.stw_ms_p99, Some(0.03));
    /// ```
    pub fn summarize_reader(
        r: impl BufRead,
        each_cycle: impl FnMut(&CycleRow),
    ) -> gctrace::Result<GcReport> {
        let mut b = Builder::new(each_cycle);
        gctrace::scan_reader(r, |item| b.add(item))?;
        Ok(b.finish())
    }

    /// [`GcReport::summarize_reader`] over a log held in memory (a mapped file, say): the
    /// zero-copy scanner, no line copied, nothing allocated per cycle.
    ///
    /// ```
    /// use profile_ops::gc::GcReport;
    /// let log = "gc 1 @0.100s 1%: 0.010+1.0+0.020 ms clock, 0.04+0.1/0.5/0+0.08 ms cpu, 4->5->2 MB, 5 MB goal, 4 P\n".repeat(3);
    /// let r = GcReport::summarize_bytes(log.as_bytes(), |_| {});
    /// assert_eq!((r.summary.gc_lines, r.cycles.len()), (3, 0));
    /// ```
    pub fn summarize_bytes(log: &[u8], each_cycle: impl FnMut(&CycleRow)) -> GcReport {
        let mut b = Builder::new(each_cycle);
        gctrace::scan(log, |item| b.add(item));
        b.finish()
    }

    /// The summary of a log held in memory, without the per-cycle rows (not even built):
    /// what `gprofops gctrace --json` prints.
    ///
    /// ```
    /// use profile_ops::gc::GcReport;
    /// let log = b"gc 1 @0.100s 1%: 0.010+1.0+0.020 ms clock, 0.04+0.1/0.5/0+0.08 ms cpu, 4->5->2 MB, 5 MB goal, 4 P\n";
    /// assert_eq!(GcReport::summary_of_bytes(log), GcReport::summarize_bytes(log, |_| {}));
    /// ```
    pub fn summary_of_bytes(log: &[u8]) -> GcReport {
        let mut b = Builder::new(|_: &CycleRow| {});
        b.rows = false;
        gctrace::scan(log, |item| b.add(item));
        b.finish()
    }

    /// The per-cycle table as CSV with a header line ([`CycleRow::CSV_HEADER`]).
    pub fn cycles_csv(&self) -> String {
        let mut s = String::from(CycleRow::CSV_HEADER);
        for c in &self.cycles {
            s.push_str(&c.csv_line());
        }
        s
    }

    /// The summary in the OpenMetrics text format (ends with `# EOF`).
    pub fn openmetrics(&self) -> String {
        let s = &self.summary;
        let mut out = String::new();
        let mut metric = |name: &str, kind: &str, help: &str, unit: Option<&str>, value: String| {
            let _ = writeln!(out, "# TYPE {name} {kind}");
            if let Some(u) = unit {
                let _ = writeln!(out, "# UNIT {name} {u}");
            }
            let _ = writeln!(out, "# HELP {name} {help}");
            let suffix = if kind == "counter" { "_total" } else { "" };
            let _ = writeln!(out, "{name}{suffix} {value}");
        };
        metric(
            "go_gctrace_cycles",
            "counter",
            "GC cycles in the log.",
            None,
            s.gc_lines.to_string(),
        );
        metric(
            "go_gctrace_forced_cycles",
            "counter",
            "Forced GC cycles.",
            None,
            s.forced_cycles.to_string(),
        );
        metric(
            "go_gctrace_stw_seconds",
            "counter",
            "Stop-the-world time (sweep + mark termination).",
            Some("seconds"),
            ms_as_seconds(s.stw_ms_sum),
        );
        metric(
            "go_gctrace_stw_max_seconds",
            "gauge",
            "Longest stop-the-world pause.",
            Some("seconds"),
            ms_as_seconds(s.stw_ms_max),
        );
        for (name, q, v) in [
            ("go_gctrace_stw_p50_seconds", "0.5", s.stw_ms_p50),
            ("go_gctrace_stw_p95_seconds", "0.95", s.stw_ms_p95),
            ("go_gctrace_stw_p99_seconds", "0.99", s.stw_ms_p99),
        ] {
            if let Some(v) = v {
                metric(
                    name,
                    "gauge",
                    &format!("Stop-the-world pause, quantile {q}."),
                    Some("seconds"),
                    ms_as_seconds(v),
                );
            }
        }
        metric(
            "go_gctrace_cpu_seconds",
            "counter",
            "GC CPU time over all cycles.",
            Some("seconds"),
            ms_as_seconds(s.cpu_ms_sum),
        );
        if let Some(p) = s.gc_cpu_percent_last {
            metric(
                "go_gctrace_cpu_fraction",
                "gauge",
                "GC CPU fraction since start at the last cycle.",
                None,
                shift_decimal(&p.to_string(), 2),
            );
        }
        if let Some(v) = s.heap_goal_max {
            metric(
                "go_gctrace_heap_goal_max_bytes",
                "gauge",
                "Largest heap goal.",
                Some("bytes"),
                (u128::from(v) << 20).to_string(),
            );
        }
        if let Some(v) = s.heap_live_max {
            metric(
                "go_gctrace_heap_live_max_bytes",
                "gauge",
                "Largest live heap.",
                Some("bytes"),
                (u128::from(v) << 20).to_string(),
            );
        }
        metric(
            "go_gctrace_scavenged_bytes",
            "counter",
            "Memory returned to the OS by the scavenger.",
            Some("bytes"),
            (u128::from(s.scavenged_kib) << 10).to_string(),
        );
        out.push_str("# EOF\n");
        out
    }
}

/// Milliseconds as seconds, in decimal, to the nanosecond (gctrace writes at most
/// microseconds): the text of `ms` with the point moved three places, so that 0.845 ms is
/// `0.000845` (dividing by 1000 in binary floating point would print
/// `0.0008449999999999999`, and sums of such terms carry the same noise).
fn ms_as_seconds(ms: f64) -> String {
    if !ms.is_finite() {
        return ms.to_string();
    }
    shift_decimal(&format!("{ms:.6}"), 3)
}

/// The decimal number `text` (as Rust prints an `f64` or integer: no exponent) divided
/// by 10^`places`, without trailing zeros.
fn shift_decimal(text: &str, places: usize) -> String {
    let (sign, digits) = match text.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", text),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let int = format!("{int:0>width$}", width = places + 1);
    let (head, moved) = int.split_at(int.len() - places);
    let frac = format!("{moved}{frac}");
    let frac = frac.trim_end_matches('0');
    let head = head.trim_start_matches('0');
    let head = if head.is_empty() { "0" } else { head };
    if frac.is_empty() {
        if head == "0" {
            return "0".into();
        }
        return format!("{sign}{head}");
    }
    format!("{sign}{head}.{frac}")
}

/// The summary's figures, accumulated cycle by cycle in file order (so sums come out
/// exactly as a sum over the whole table would).
struct Builder<F> {
    s: GcSummary,
    each_cycle: F,
    cycles: u64,
    stw_micros_sum: u64,
    stw_micros_max: u64,
    /// Pause times (µs) and heap-at-start/goal ratios with their counts: what the exact
    /// percentiles need, in memory bounded by the distinct values.
    stw_micros: Counts,
    start_over_goal: Counts,
    concurrent_ms_sum: f64,
    cpu_ms_sum: f64,
    first_at_secs: Option<f64>,
    last: Option<(usize, GcCycle)>,
    /// Whether `each_cycle` takes the rows.
    rows: bool,
    /// Records by number of clock terms (3 to 5), turned into the summary's map at the
    /// end: a map entry keyed by a `String` would cost an allocation per cycle.
    clock_terms: [u64; 6],
}

impl<F: FnMut(&CycleRow)> Builder<F> {
    fn new(each_cycle: F) -> Self {
        Builder {
            s: GcSummary::default(),
            each_cycle,
            cycles: 0,
            stw_micros_sum: 0,
            stw_micros_max: 0,
            stw_micros: Counts::default(),
            start_over_goal: Counts::default(),
            concurrent_ms_sum: 0.0,
            cpu_ms_sum: 0.0,
            first_at_secs: None,
            last: None,
            rows: true,
            clock_terms: [0; 6],
        }
    }

    fn add(&mut self, item: &Item) {
        let s = &mut self.s;
        match item.event {
            Event::Gc {
                ref cycle,
                mid_line,
                rejoined,
            } => {
                s.gc_lines += 1;
                if rejoined {
                    s.gc_lines_rejoined += 1;
                } else {
                    s.gc_lines_complete += 1;
                }
                s.gc_lines_not_at_line_start += u64::from(mid_line);
                s.forced_cycles += u64::from(cycle.forced);
                let stw = cycle.stw_micros();
                self.stw_micros_sum += stw;
                self.stw_micros_max = self.stw_micros_max.max(stw);
                self.stw_micros.add(stw);
                for (max, v) in [
                    (&mut s.heap_start_max, cycle.heap_start_mb),
                    (&mut s.heap_end_max, cycle.heap_end_mb),
                    (&mut s.heap_live_max, cycle.heap_live_mb),
                    (&mut s.heap_goal_max, cycle.goal_mb),
                    (&mut s.max_gc_number, cycle.number),
                ] {
                    *max = Some(max.map_or(v, |m| m.max(v)));
                }
                s.first_gc_number.get_or_insert(cycle.number);
                s.last_gc_number = Some(cycle.number);
                if let Some(n) = self.clock_terms.get_mut(cycle.clock().len()) {
                    *n += 1;
                }
                s.stacks_globals_lines += u64::from(cycle.stacks_mb.is_some());
                self.cycles += 1;
                // The row's own figures, computed as `CycleRow::of` does (so that the sums
                // are those of the table), and the row itself only for a caller who takes
                // it: the summary alone needs the last cycle, kept as is.
                self.concurrent_ms_sum += cycle.concurrent_micros() as f64 / 1000.0;
                self.cpu_ms_sum += cycle.cpu_micros() as f64 / 1000.0;
                if cycle.goal_mb > 0 {
                    let r = cycle.heap_start_mb as f64 / cycle.goal_mb as f64;
                    self.start_over_goal.add(order_key(r));
                }
                self.first_at_secs
                    .get_or_insert_with(|| cycle.at_secs.to_f64());
                if self.rows {
                    (self.each_cycle)(&CycleRow::of(item.line, cycle));
                }
                self.last = Some((item.line, *cycle));
            }
            Event::Scavenge(Scavenge::Scvg { released_mb }) => {
                s.scvg_lines += 1;
                s.scvg_released_mb += released_mb.unwrap_or(0);
            }
            Event::Scavenge(Scavenge::Scav {
                work_kib,
                eager_kib,
                ..
            }) => {
                s.scavtrace_lines += 1;
                s.scavenged_kib += work_kib + eager_kib.unwrap_or(0);
            }
            Event::Pacer(_) => s.pacer_lines += 1,
            Event::GcForced => s.gc_forced_lines += 1,
            Event::Pre15 => s.legacy_pre15_lines += 1,
            Event::ScanStats => s.scan_stats_lines += 1,
            Event::Unrecovered(why) => {
                s.gc_starts_unrecovered += 1;
                match why {
                    Unrecovered::Incomplete => s.gc_starts_incomplete += 1,
                    Unrecovered::Ambiguous => s.gc_starts_ambiguous += 1,
                }
            }
        }
    }

    fn finish(mut self) -> GcReport {
        let last = self.last.map(|(line, c)| CycleRow::of(line, &c));
        let s = &mut self.s;
        s.scav_lines = s.scvg_lines + s.scavtrace_lines;
        for (terms, &n) in self.clock_terms.iter().enumerate() {
            if n > 0 {
                s.clock_term_counts.insert(terms.to_string(), n);
            }
        }
        s.stw_ms_sum = self.stw_micros_sum as f64 / 1000.0;
        s.stw_ms_max = self.stw_micros_max as f64 / 1000.0;
        let stw_ms = |q| self.stw_micros.percentile(q).map(|us| us as f64 / 1000.0);
        s.stw_ms_p50 = stw_ms(0.50);
        s.stw_ms_p95 = stw_ms(0.95);
        s.stw_ms_p99 = stw_ms(0.99);
        s.concurrent_ms_sum = self.concurrent_ms_sum;
        s.cpu_ms_sum = self.cpu_ms_sum;
        s.gc_cpu_percent_last = last.as_ref().map(|c| c.cpu_percent);
        s.gc_cpu_fraction_from_terms = last
            .as_ref()
            .map(|c| c.at_secs * 1000.0 * c.procs as f64)
            .filter(|&avail| avail > 0.0)
            .map(|avail| s.cpu_ms_sum / avail);
        if let (Some(first), Some(last)) = (self.first_at_secs, &last) {
            let span = last.at_secs - first;
            if span > 0.0 {
                s.span_secs = Some(span);
                s.cycles_per_sec = Some((self.cycles - 1) as f64 / span);
            }
        }
        s.start_over_goal_p50 = self.start_over_goal.percentile(0.5).map(from_order_key);
        let hints = hints(s);
        GcReport {
            summary: self.s,
            cycles: Vec::new(),
            hints,
        }
    }
}

/// A multiset of values (as order-preserving `u64` keys) with nearest-rank percentiles.
#[derive(Default)]
struct Counts {
    counts: BTreeMap<u64, u64>,
    len: u64,
}

impl Counts {
    fn add(&mut self, key: u64) {
        *self.counts.entry(key).or_default() += 1;
        self.len += 1;
    }

    /// Nearest-rank percentile: the smallest value with at least `q` of the values at or
    /// below it.
    fn percentile(&self, q: f64) -> Option<u64> {
        if self.len == 0 {
            return None;
        }
        let rank = ((q * self.len as f64).ceil() as u64).clamp(1, self.len);
        let mut seen = 0;
        self.counts.iter().find_map(|(&k, &n)| {
            seen += n;
            (seen >= rank).then_some(k)
        })
    }
}

/// A key whose integer order is `f64::total_cmp`'s order.
fn order_key(x: f64) -> u64 {
    let b = x.to_bits();
    if b >> 63 == 1 { !b } else { b | 1 << 63 }
}

fn from_order_key(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

/// What a GC expert would say from the numbers, each statement with its figures.
fn hints(s: &GcSummary) -> Vec<String> {
    let mut h = Vec::new();
    if let (Some(rate), Some(live), Some(goal)) =
        (s.cycles_per_sec, s.heap_live_max, s.heap_goal_max)
        && rate > 2.0
        && goal <= 64
    {
        h.push(format!(
            "GC runs {rate:.1} times per second with a heap goal of at most {goal} MB (live heap at most {live} MB): \
             the heap is small relative to the allocation rate; raising GOGC or setting GOMEMLIMIT with GOGC=off-like \
             headroom would cut cycles."
        ));
    }
    if let Some(p) = s.gc_cpu_percent_last
        && p >= 10
    {
        h.push(format!(
            "GC used {p}% of CPU since start (last cycle's P%): above the ~5% the pacer aims for when not \
             memory-limited; look for allocation hot spots, or give the heap more room (GOGC/GOMEMLIMIT)."
        ));
    }
    if let (Some(p99), max) = (s.stw_ms_p99, s.stw_ms_max)
        && max >= 10.0
    {
        h.push(format!(
            "Stop-the-world pauses reach {max:.3} ms (p99 {p99:.3} ms): long sweep/mark termination usually \
             means many goroutines or large stacks/globals to scan, or a non-preemptible loop delaying the stop."
        ));
    }
    if s.gc_lines > 0 && s.forced_cycles * 2 > s.gc_lines {
        h.push(format!(
            "{} of {} cycles were forced (runtime.GC / debug.FreeOSMemory): explicit collections cost a full \
             cycle each and are rarely needed.",
            s.forced_cycles, s.gc_lines
        ));
    }
    if let Some(r) = s.start_over_goal_p50
        && r < 0.5
        && s.gc_lines >= 10
    {
        h.push(format!(
            "The median cycle starts at {:.0}% of its heap goal: cycles are triggered well before the goal \
             (GOMEMLIMIT pressure or forced GCs), so GOGC changes will have little effect.",
            r * 100.0
        ));
    }
    h
}

#[cfg(test)]
mod tests {
    use super::{Counts, from_order_key, ms_as_seconds, order_key, shift_decimal};

    /// The streaming percentile against the definition it replaces: sort every value and
    /// take the nearest rank.
    #[test]
    fn streamed_percentiles_equal_sorted_nearest_rank() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut values = Vec::new();
        for i in 0..5000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            // Few distinct values (repeats are the common case in a log), negatives and
            // both zeros included, so the key order is exercised.
            let v = match i % 4 {
                0 => (state % 50) as f64 / 8.0,
                1 => -((state % 7) as f64) * 0.25,
                2 => -0.0,
                _ => (state % 100_000) as f64 / 1000.0,
            };
            values.push(v);
        }
        for n in [1, 2, 3, 10, 99, 100, 101, 5000] {
            let mut counts = Counts::default();
            for &v in &values[..n] {
                counts.add(order_key(v));
                assert_eq!(from_order_key(order_key(v)).to_bits(), v.to_bits());
            }
            let mut sorted = values[..n].to_vec();
            sorted.sort_by(f64::total_cmp);
            for q in [0.0, 0.01, 0.5, 0.95, 0.99, 1.0] {
                let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
                let got = counts.percentile(q).map(from_order_key).unwrap();
                assert_eq!(got.to_bits(), sorted[rank - 1].to_bits(), "n={n} q={q}");
            }
        }
        assert_eq!(Counts::default().percentile(0.5), None);
    }

    #[test]
    fn milliseconds_become_exact_decimal_seconds() {
        for (ms, want) in [
            (0.845, "0.000845"),
            (8.595, "0.008595"),
            (42.126, "0.042126"),
            (1234.5, "1.2345"),
            (3.0, "0.003"),
            (1000.0, "1"),
            (0.0, "0"),
            (-2.5, "-0.0025"),
            (123456.0, "123.456"),
            (42.126000000000005, "0.042126"),
        ] {
            assert_eq!(ms_as_seconds(ms), want, "{ms}");
        }
        // The float division this replaces.
        assert_eq!((0.845f64 / 1000.0).to_string(), "0.0008449999999999999");
        assert_eq!(shift_decimal("7", 2), "0.07");
        assert_eq!(shift_decimal("100", 2), "1");
    }
}
