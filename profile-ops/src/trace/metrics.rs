//! Runtime metrics recorded in a trace (`Metric` events: GOMAXPROCS, live heap, heap
//! goal) as time series.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::analysis::{visit_bytes, visit_path};
use crate::gotrace::{Event, EventKind};

/// One reading of a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MetricPoint {
    /// Time (ns).
    pub time_ns: i64,
    /// Value (threads for GOMAXPROCS, bytes for the heap metrics).
    pub value: u64,
}

/// Every reading of every metric, by runtime/metrics name
/// (`/sched/gomaxprocs:threads`, `/memory/classes/heap/objects:bytes`,
/// `/gc/heap/goal:bytes`), in time order.
pub type MetricSeries = BTreeMap<&'static str, Vec<MetricPoint>>;

/// Collects the metric series from the ordered event stream.
///
/// ```
/// use profile_ops::gotrace::Reader;
/// use profile_ops::trace::MetricCollector;
/// # let data = std::fs::read("../examples/data/gc-stress.trace").unwrap();
/// let mut c = MetricCollector::default();
/// Reader::new(&data)?.visit(|ev| c.event(ev))?;
/// let series = c.finish();
/// assert!(series["/sched/gomaxprocs:threads"].iter().all(|p| p.value > 0));
/// # Ok::<(), profile_ops::gotrace::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct MetricCollector {
    series: MetricSeries,
}

impl MetricCollector {
    /// Feeds the next event of the ordered stream.
    pub fn event(&mut self, ev: &Event<'_>) {
        if ev.kind() != EventKind::Metric {
            return;
        }
        if let Some(m) = ev.metric() {
            self.series.entry(m.name).or_default().push(MetricPoint {
                time_ns: ev.time(),
                value: m.value,
            });
        }
    }

    /// The series.
    pub fn finish(self) -> MetricSeries {
        self.series
    }
}

/// The metric series of the trace in `data`, and the error that stopped reading it, if
/// any.
///
/// ```
/// # let data = std::fs::read("../examples/data/annotations.trace").unwrap();
/// let (m, error) = profile_ops::trace::metrics(&data);
/// assert!(error.is_none());
/// assert_eq!(m["/memory/classes/heap/objects:bytes"].len(), 4);
/// ```
pub fn metrics(data: &[u8]) -> (MetricSeries, Option<String>) {
    let mut c = MetricCollector::default();
    let error = visit_bytes(data, |ev| c.event(ev));
    (c.finish(), error)
}

/// [`metrics`] of the trace file at `path`, streaming it from disk.
pub fn metrics_path(path: &Path) -> std::io::Result<(MetricSeries, Option<String>)> {
    let mut c = MetricCollector::default();
    let error = visit_path(path, |ev| c.event(ev))?;
    Ok((c.finish(), error))
}
