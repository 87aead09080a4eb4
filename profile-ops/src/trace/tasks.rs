//! Latency of user tasks and regions by type (`go tool trace`'s `/usertasks` and
//! `/userregions` pages), from a [`Summary`].

use std::collections::BTreeMap;

use serde::Serialize;

use super::goroutines::{Summary, nearest_rank};

/// Durations of the tasks or regions of one type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Latency {
    /// Tasks or regions of the type.
    pub count: u64,
    /// Those whose begin and end are both in the trace.
    pub complete: u64,
    /// Median duration of the complete ones (nearest rank; `None` if none is complete).
    pub p50_ns: Option<i64>,
    /// 95th percentile.
    pub p95_ns: Option<i64>,
    /// 99th percentile.
    pub p99_ns: Option<i64>,
    /// Longest.
    pub max_ns: Option<i64>,
    /// Durations (end − begin) of the complete ones, ascending.
    pub durations_ns: Vec<i64>,
}

impl Latency {
    fn add(&mut self, duration: Option<i64>) {
        self.count += 1;
        if let Some(d) = duration {
            self.complete += 1;
            self.durations_ns.push(d);
        }
    }

    fn close(&mut self) {
        self.durations_ns.sort_unstable();
        let d = &self.durations_ns;
        self.p50_ns = nearest_rank(d, 50);
        self.p95_ns = nearest_rank(d, 95);
        self.p99_ns = nearest_rank(d, 99);
        self.max_ns = d.last().copied();
    }
}

/// Latency per task type, over every task of the summary (tasks only mentioned by a
/// region or log, such as the background task 0, have type `""`).
///
/// ```
/// # let data = std::fs::read("../examples/data/annotations.trace").unwrap();
/// let s = profile_ops::trace::summarize(&data).unwrap();
/// let tasks = profile_ops::trace::task_latency(&s);
/// assert_eq!(tasks["task0"].complete, 1);
/// assert_eq!(tasks["task0"].max_ns, Some(108288));
/// ```
pub fn task_latency(summary: &Summary) -> BTreeMap<String, Latency> {
    let mut m: BTreeMap<String, Latency> = BTreeMap::new();
    for t in &summary.tasks {
        m.entry(t.name.clone()).or_default().add(t.duration_ns());
    }
    m.values_mut().for_each(Latency::close);
    m
}

/// Latency per region type, over the regions of every goroutine (a region is complete
/// when its begin and end are both in the trace; a goroutine that exits ends its open
/// regions; a goroutine inherits, as a region of type `""`, its creator's region).
///
/// ```
/// # let data = std::fs::read("../examples/data/annotations.trace").unwrap();
/// let s = profile_ops::trace::summarize(&data).unwrap();
/// let regions = profile_ops::trace::region_latency(&s);
/// assert_eq!(regions["region0"].durations_ns, vec![21184]);
/// assert_eq!(regions["post-existing region"].complete, 0);
/// ```
pub fn region_latency(summary: &Summary) -> BTreeMap<String, Latency> {
    let mut m: BTreeMap<String, Latency> = BTreeMap::new();
    for g in &summary.goroutines {
        for r in &g.regions {
            m.entry(r.name.clone()).or_default().add(r.duration_ns());
        }
    }
    m.values_mut().for_each(Latency::close);
    m
}
