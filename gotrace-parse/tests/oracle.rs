//! Every trace of the shared corpus (v2, and v1 converted to the same model), read with our ordered stream, agrees with the
//! `.oracle.json` that Go's own reader produced for it (event counts per kind, distinct
//! goroutines/procs/threads, first/last timestamps, state transitions, STW ranges, user
//! annotations), and the traces Go rejects are rejected with Go's error.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use gotrace_parse::{EventKind, Reader, ResourceKind, Transition};
use serde_json::{Value, json};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/gotrace")
}

fn traces() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![corpus()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("corpus dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "trace") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The oracle fields our stream determines, computed like tools/oracle/gotrace_oracle.
fn summarize(data: &[u8]) -> (Value, Option<String>) {
    let mut by_kind: BTreeMap<&str, u64> = EventKind::ALL.iter().map(|k| (k.name(), 0)).collect();
    let mut total = 0u64;
    let (mut first, mut last) = (None::<i64>, None::<i64>);
    let (mut gs, mut ps, mut ts) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    let mut transitions: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    let mut ranges: BTreeMap<String, u64> = BTreeMap::new();
    let mut metrics: BTreeMap<String, u64> = BTreeMap::new();
    let mut task_types: BTreeMap<String, u64> = BTreeMap::new();
    let mut region_types: BTreeMap<String, u64> = BTreeMap::new();
    let mut log_cats: BTreeMap<String, u64> = BTreeMap::new();
    let mut open: BTreeMap<(String, String), Vec<i64>> = BTreeMap::new();
    let (mut stw_matched, mut stw_total) = (0u64, 0i64);
    let mut error = None;
    let reader = match Reader::new(data) {
        Ok(r) => r,
        Err(e) => return (Value::Null, Some(e.reason())),
    };
    for ev in reader {
        let ev = match ev {
            Ok(ev) => ev,
            Err(e) => {
                error = Some(e.reason());
                break;
            }
        };
        total += 1;
        *by_kind.entry(ev.kind().name()).or_default() += 1;
        first.get_or_insert(ev.time());
        last = Some(ev.time());
        if ev.goroutine() != -1 {
            gs.insert(ev.goroutine());
        }
        if ev.proc() != -1 {
            ps.insert(ev.proc());
        }
        if ev.thread() != -1 {
            ts.insert(ev.thread());
        }
        match ev.kind() {
            EventKind::Metric => {
                *metrics
                    .entry(ev.metric().expect("metric").name.to_string())
                    .or_default() += 1
            }
            EventKind::RangeBegin | EventKind::RangeEnd => {
                let r = ev.range().expect("range");
                let key = (r.name.to_string(), r.scope.to_string());
                if ev.kind() == EventKind::RangeBegin {
                    *ranges.entry(r.name.to_string()).or_default() += 1;
                    open.entry(key).or_default().push(ev.time());
                } else if let Some(b) = open.get_mut(&key).and_then(|v| v.pop())
                    && r.name.starts_with("stop-the-world (")
                {
                    stw_matched += 1;
                    stw_total += ev.time() - b;
                }
            }
            EventKind::TaskBegin => {
                *task_types
                    .entry(ev.task().expect("task").task_type.into_owned())
                    .or_default() += 1
            }
            EventKind::RegionBegin => {
                *region_types
                    .entry(ev.region().expect("region").region_type.into_owned())
                    .or_default() += 1
            }
            EventKind::Log => {
                *log_cats
                    .entry(ev.log().expect("log").category.into_owned())
                    .or_default() += 1
            }
            EventKind::StateTransition => {
                let st = ev.state_transition().expect("transition");
                match st.resource.kind {
                    ResourceKind::Goroutine => {
                        gs.insert(st.resource.id);
                    }
                    ResourceKind::Proc => {
                        ps.insert(st.resource.id);
                    }
                    _ => {}
                }
                let res = match st.transition {
                    Transition::Goroutine(..) => "Goroutine",
                    Transition::Proc(..) => "Proc",
                };
                *transitions
                    .entry(res.into())
                    .or_default()
                    .entry(st.transition.label())
                    .or_default() += 1;
            }
            _ => {}
        }
    }
    let syncs = by_kind["Sync"];
    let generations = if error.is_none() {
        syncs.saturating_sub(1)
    } else {
        syncs
    };
    let stw_reasons: BTreeMap<String, u64> = ranges
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("stop-the-world (")
                .map(|r| (r.trim_end_matches(')').to_string(), *v))
        })
        .collect();
    let v = json!({
        "valid": error.is_none(),
        "events_total": total,
        "events_by_kind": by_kind,
        "sync_events": syncs,
        "generations": generations,
        "goroutines_distinct": gs.len(),
        "procs_distinct": ps.len(),
        "threads_distinct": ts.len(),
        "gc_cycles": ranges.get("GC concurrent mark phase").copied().unwrap_or(0),
        "stw": {"count": stw_reasons.values().sum::<u64>(), "matched": stw_matched, "total_duration_ns": stw_total, "by_reason": stw_reasons},
        "user": {
            "tasks": by_kind["TaskBegin"], "tasks_ended": by_kind["TaskEnd"],
            "regions": by_kind["RegionBegin"], "regions_ended": by_kind["RegionEnd"], "logs": by_kind["Log"],
            "task_types": task_types, "region_types": region_types, "log_categories": log_cats,
        },
        "range_begins_by_name": ranges,
        "metrics_by_name": metrics,
        "first_timestamp_ns": first,
        "last_timestamp_ns": last,
        "state_transitions": transitions,
        "state_transitions_total": by_kind["StateTransition"],
    });
    (v, error)
}

#[test]
fn corpus_agrees_with_go_oracles() {
    let (mut checked, mut checked_v1) = (0, 0);
    let mut failures = Vec::new();
    for path in traces() {
        let data = std::fs::read(&path).expect("read trace");
        let oracle: Value = serde_json::from_slice(
            &std::fs::read(path.with_extension("trace.oracle.json")).expect("oracle"),
        )
        .expect("oracle json");
        let minor: u32 = oracle["go_version"]
            .as_str()
            .and_then(|v| v.strip_prefix("1."))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        checked += 1;
        if minor < 22 {
            checked_v1 += 1;
        }
        let (ours, err) = summarize(&data);
        let name = path
            .strip_prefix(corpus())
            .unwrap_or(&path)
            .display()
            .to_string();
        match (oracle["error"].as_str(), &err) {
            (None, None) => {}
            (Some(want), Some(got)) if got == want => {}
            (want, got) => failures.push(format!("{name}: error: want {want:?}, got {got:?}")),
        }
        if ours.is_null() {
            continue;
        }
        for (k, v) in ours.as_object().expect("object") {
            if &oracle[k] != v {
                failures.push(format!("{name}: {k}: want {}, got {v}", oracle[k]));
            }
        }
    }
    eprintln!("checked {checked} ({checked_v1} v1)");
    assert!(checked >= 69, "only {checked} traces found");
    assert!(checked_v1 >= 27, "only {checked_v1} v1 traces found");
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
