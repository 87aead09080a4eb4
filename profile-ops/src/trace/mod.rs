//! Analyses of Go execution traces (read with [`crate::gotrace`]).
//!
//! - [`info`]: the trace summary of `gprofops trace info` (schema `gotrace-oracle/1`).
//! - [`events`]: one JSON object per event, for `gprofops trace events --json-lines`.
//! - [`goroutines`]: per-goroutine time statistics, user regions and tasks, exactly as
//!   Go's `internal/trace` `Summarizer` computes them.
//! - [`tasks`]: latency of user tasks and regions by type.
//! - [`analysis`]: both as one document (schema `gotrace-analysis/1`).
//! - [`pauses`](mod@pauses): stop-the-world pauses and GC cycles.
//! - [`metrics`](mod@metrics): runtime metrics (GOMAXPROCS, live heap, heap goal) as time series.
//! - [`mmu`]: mutator utilisation and the MMU curve, as `go tool trace`'s `/mmu` page.
//! - [`export`]: goroutine timelines (JSON lines) and Perfetto / Chrome trace-event JSON.
//! - [`slow`](mod@slow): why slow tasks and regions were slow, with a ranked verdict.
//! - [`to_pprof`]: `net`, `sync`, `syscall`, `sched` profiles as `go tool trace -pprof`
//!   writes them, and CPU samples as a CPU profile.
//!
//! Every analysis streams the trace: memory holds one generation plus the analysis'
//! own state, never the whole trace.

pub mod analysis;
pub mod events;
pub mod export;
pub mod goroutines;
pub mod info;
pub mod metrics;
pub mod mmu;
pub mod pauses;
pub mod slow;
pub mod tasks;
pub mod to_pprof;

pub use analysis::{Analysis, analyze, analyze_path, summarize_path};
pub use events::event_json;
pub use export::{
    StateSpan, write_perfetto, write_perfetto_path, write_timeline, write_timeline_path,
};
pub use goroutines::{
    ExecStats, GoroutineGroup, GoroutineSummary, Percentiles, RegionSummary, Summarizer, Summary,
    TaskLog, TaskSummary, is_system_goroutine, summarize,
};
pub use info::{TraceInfo, trace_info, trace_info_path};
pub use metrics::{MetricCollector, MetricPoint, MetricSeries, metrics, metrics_path};
pub use mmu::{
    MmuCurve, MmuPoint, MutatorUtil, UtilFlags, Utilization, mutator_utilization,
    mutator_utilization_path,
};
pub use pauses::{GcCycle, Pause, PauseCollector, Pauses, pauses, pauses_path};
pub use slow::{BlockingStack, SlowItem, SlowReport, Threshold, VerdictLine, slow, slow_path};
pub use tasks::{Latency, region_latency, task_latency};
pub use to_pprof::{
    DEFAULT_CPU_PERIOD_NS, PprofConverter, PprofKind, trace_pprof, trace_pprof_path,
};
