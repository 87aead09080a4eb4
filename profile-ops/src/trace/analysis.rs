//! The goroutine, task and region analysis of a trace as one document (schema
//! `gotrace-analysis/1` of `../shared/tools/oracle/gotrace_oracle/README.md`, plus
//! percentiles): what `gprofops trace goroutines` and `gprofops trace tasks` print.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::goroutines::{GoroutineGroup, Summarizer, Summary};
use super::tasks::{Latency, region_latency, task_latency};
use crate::gotrace::{Event, Reader};

/// Goroutines by start function, tasks and regions by type. Its JSON form (`serde`) is a
/// `gotrace-analysis/1` document: these fields after `"schema": "gotrace-analysis/1"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Analysis {
    /// [`Analysis::SCHEMA`], for the JSON form only (not a property of the trace).
    schema: &'static str,
    /// Base name of the file.
    pub file: String,
    /// Whether the whole trace was read without error.
    pub valid: bool,
    /// The error that stopped reading, in Go's wording (the analysis then covers the
    /// events before it).
    pub error: Option<String>,
    /// Goroutines grouped by start function.
    pub goroutines: BTreeMap<String, GoroutineGroup>,
    /// Task latency by task type.
    pub tasks: BTreeMap<String, Latency>,
    /// Region latency by region type.
    pub regions: BTreeMap<String, Latency>,
}

impl Analysis {
    /// The format of the JSON form.
    pub const SCHEMA: &'static str = "gotrace-analysis/1";

    /// The analysis of a summary.
    pub fn from_summary(summary: &Summary, file: &str, error: Option<String>) -> Analysis {
        Analysis {
            schema: Analysis::SCHEMA,
            file: file.to_string(),
            valid: error.is_none(),
            error,
            goroutines: summary.groups(),
            tasks: task_latency(summary),
            regions: region_latency(summary),
        }
    }
}

/// Reads every event of the trace in `data` into `f`, streaming; returns the error that
/// stopped reading, in Go's wording.
pub(crate) fn visit_bytes<'a>(data: &'a [u8], f: impl FnMut(&Event<'a>)) -> Option<String> {
    match Reader::new(data) {
        Ok(mut r) => r.visit(f).err().map(|e| e.reason()),
        Err(e) => Some(e.reason()),
    }
}

/// Reads every event of the trace file at `path` into `f`, streaming from disk (one
/// generation in memory at a time); `Err` if the file cannot be opened, `Ok(Some(reason))`
/// if the trace stopped at an error.
pub(crate) fn visit_path(
    path: &Path,
    f: impl FnMut(&Event<'static>),
) -> std::io::Result<Option<String>> {
    let file = std::fs::File::open(path)?;
    let reader = Reader::from_reader(std::io::BufReader::with_capacity(1 << 16, file));
    Ok(match reader {
        Ok(mut r) => r.visit(f).err().map(|e| e.reason()),
        Err(e) => Some(e.reason()),
    })
}

/// Base name of a path, for [`Analysis::file`].
pub(crate) fn base_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Analyses the trace in `data`. A trace that fails to parse still gets an analysis of
/// the events before the error (`valid` false, `error` says why).
///
/// ```
/// # let data = std::fs::read("../examples/data/annotations.trace").unwrap();
/// let a = profile_ops::trace::analyze(&data, "go122-annotations.trace");
/// assert!(a.valid);
/// assert_eq!(a.goroutines["main.main"].total_ns, 370177);
/// assert_eq!(a.tasks["task0"].durations_ns, vec![108288]);
/// ```
pub fn analyze(data: &[u8], file: &str) -> Analysis {
    let mut s = Summarizer::new();
    let error = visit_bytes(data, |ev| s.event(ev));
    Analysis::from_summary(&s.finish(), file, error)
}

/// Analyses the trace file at `path`, streaming it from disk.
///
/// ```
/// # let p = std::path::Path::new("../examples/data/annotations.trace").to_path_buf();
/// let a = profile_ops::trace::analyze_path(&p).unwrap();
/// assert_eq!(a, profile_ops::trace::analyze(&std::fs::read(&p).unwrap(), "annotations.trace"));
/// ```
pub fn analyze_path(path: &Path) -> std::io::Result<Analysis> {
    let (summary, error) = summarize_path(path)?;
    Ok(Analysis::from_summary(&summary, &base_name(path), error))
}

/// Summarizes the trace file at `path`, streaming it from disk; also returns the error
/// that stopped reading, if any (the summary then covers the events before it).
pub fn summarize_path(path: &Path) -> std::io::Result<(Summary, Option<String>)> {
    let mut s = Summarizer::new();
    let error = visit_path(path, |ev| s.event(ev))?;
    Ok((s.finish(), error))
}
