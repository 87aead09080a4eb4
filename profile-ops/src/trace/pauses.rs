//! Stop-the-world pauses and GC cycles of a trace, each with its start and duration.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use super::analysis::{visit_bytes, visit_path};
use super::goroutines::Percentiles;
use crate::gotrace::{Event, EventKind, ResourceId};

/// One stop-the-world pause (a `stop-the-world (REASON)` range).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pause {
    /// Begin time (ns).
    pub start_ns: i64,
    /// End − begin (`None`: the trace ended, or stopped, during the pause).
    pub duration_ns: Option<i64>,
    /// The reason in parentheses, e.g. `GC mark termination`, `start trace`.
    pub reason: String,
    /// Whether the runtime stopped the world for the GC (Go's `isGCSTW`: the reason
    /// mentions GC), as the MMU counts them.
    pub gc: bool,
    /// Goroutine that stopped the world.
    pub goroutine: i64,
}

/// One GC cycle (a `GC concurrent mark phase` range).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GcCycle {
    /// Begin time (ns; for a cycle already running when the trace started, the time it
    /// was first seen).
    pub start_ns: i64,
    /// End − begin (`None`: the trace ended during the cycle).
    pub duration_ns: Option<i64>,
}

/// The pauses and GC cycles of a trace.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Pauses {
    /// Every stop-the-world pause, by begin time.
    pub stw: Vec<Pause>,
    /// Percentiles of the durations of the ended pauses (`None` if none ended).
    pub stw_percentiles: Option<Percentiles>,
    /// Sum of the ended pauses' durations.
    pub stw_total_ns: i64,
    /// Every GC cycle, by begin time.
    pub gc_cycles: Vec<GcCycle>,
}

/// Collects [`Pauses`] from the ordered event stream.
///
/// ```
/// use profile_ops::gotrace::Reader;
/// use profile_ops::trace::PauseCollector;
/// # let data = std::fs::read("../examples/data/gc-stress.trace").unwrap();
/// let mut c = PauseCollector::default();
/// Reader::new(&data)?.visit(|ev| c.event(ev))?;
/// let p = c.finish();
/// assert!(!p.gc_cycles.is_empty());
/// # Ok::<(), profile_ops::gotrace::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct PauseCollector {
    p: Pauses,
    /// Open ranges by (name, scope): indexes of their pauses or cycles.
    open_stw: HashMap<(String, ResourceId), Vec<usize>>,
    open_gc: Vec<usize>,
}

impl PauseCollector {
    /// Feeds the next event of the ordered stream.
    pub fn event(&mut self, ev: &Event<'_>) {
        let kind = ev.kind();
        if !matches!(
            kind,
            EventKind::RangeBegin | EventKind::RangeActive | EventKind::RangeEnd
        ) {
            return;
        }
        let Some(r) = ev.range() else { return };
        let t = ev.time();
        if r.name == "GC concurrent mark phase" {
            match kind {
                EventKind::RangeEnd => {
                    if let Some(i) = self.open_gc.pop()
                        && let Some(c) = self.p.gc_cycles.get_mut(i)
                    {
                        c.duration_ns = Some(t.wrapping_sub(c.start_ns));
                    }
                }
                // An active range is one that began before the generation: counted once.
                EventKind::RangeActive if !self.open_gc.is_empty() => {}
                _ => {
                    self.open_gc.push(self.p.gc_cycles.len());
                    self.p.gc_cycles.push(GcCycle {
                        start_ns: t,
                        duration_ns: None,
                    });
                }
            }
            return;
        }
        let Some(reason) = r
            .name
            .strip_prefix("stop-the-world (")
            .map(|s| s.strip_suffix(')').unwrap_or(s))
        else {
            return;
        };
        let key = (r.name.to_string(), r.scope);
        match kind {
            EventKind::RangeBegin => {
                let i = self.p.stw.len();
                self.p.stw.push(Pause {
                    start_ns: t,
                    duration_ns: None,
                    reason: reason.to_string(),
                    gc: r.name.contains("GC"),
                    goroutine: ev.goroutine(),
                });
                self.open_stw.entry(key).or_default().push(i);
            }
            EventKind::RangeEnd => {
                if let Some(i) = self.open_stw.get_mut(&key).and_then(Vec::pop)
                    && let Some(p) = self.p.stw.get_mut(i)
                {
                    p.duration_ns = Some(t.wrapping_sub(p.start_ns));
                }
            }
            _ => {}
        }
    }

    /// The pauses and cycles seen.
    pub fn finish(mut self) -> Pauses {
        let mut d: Vec<i64> = self.p.stw.iter().filter_map(|p| p.duration_ns).collect();
        d.sort_unstable();
        self.p.stw_total_ns = d.iter().fold(0i64, |a, b| a.wrapping_add(*b));
        self.p.stw_percentiles = Percentiles::of_sorted(&d);
        self.p
    }
}

/// The stop-the-world pauses and GC cycles of the trace in `data`, and the error that
/// stopped reading it, if any.
///
/// ```
/// # let data = std::fs::read("../examples/data/gc-stress.trace").unwrap();
/// let (p, error) = profile_ops::trace::pauses(&data);
/// assert!(error.is_none());
/// assert!(p.stw.iter().all(|s| s.duration_ns.unwrap_or(0) >= 0));
/// ```
pub fn pauses(data: &[u8]) -> (Pauses, Option<String>) {
    let mut c = PauseCollector::default();
    let error = visit_bytes(data, |ev| c.event(ev));
    (c.finish(), error)
}

/// [`pauses`] of the trace file at `path`, streaming it from disk.
pub fn pauses_path(path: &Path) -> std::io::Result<(Pauses, Option<String>)> {
    let mut c = PauseCollector::default();
    let error = visit_path(path, |ev| c.event(ev))?;
    Ok((c.finish(), error))
}
