//! Events as JSON objects (one per line in `gprofops trace events --json-lines`).

use serde_json::{Map, Value, json};

use crate::gotrace::{Event, EventKind, Stack, Transition};

fn frames(s: Option<Stack<'_, '_>>) -> Value {
    let Some(s) = s else {
        return Value::Array(Vec::new());
    };
    s.frames()
        .map(|f| {
            json!({
                "pc": f.pc,
                "func": String::from_utf8_lossy(f.func),
                "file": String::from_utf8_lossy(f.file),
                "line": f.line,
            })
        })
        .collect()
}

/// The event as a JSON object: `time` (ns), `kind`, `wire` (wire event name), `g`, `p`,
/// `m` (−1 for none), the kind's details and `stack` (frames, innermost first).
///
/// ```
/// # let data = std::fs::read("../examples/data/annotations.trace").unwrap();
/// let ev = profile_ops::gotrace::Reader::new(&data).unwrap().next().unwrap().unwrap();
/// let v = profile_ops::trace::event_json(&ev);
/// assert_eq!(v["kind"], "Sync");
/// assert_eq!(v["n"], 1);
/// ```
pub fn event_json(e: &Event<'_>) -> Value {
    let mut o = Map::new();
    o.insert("time".into(), e.time().into());
    o.insert("kind".into(), e.kind().name().into());
    o.insert("wire".into(), e.wire_name().into());
    o.insert("g".into(), e.goroutine().into());
    o.insert("p".into(), e.proc().into());
    o.insert("m".into(), e.thread().into());
    match e.kind() {
        EventKind::Sync => {
            if let Some(s) = e.sync_info() {
                o.insert("n".into(), s.n.into());
                if let Some(c) = s.clock_snapshot {
                    o.insert(
                        "clock_snapshot".into(),
                        json!({"trace": c.trace, "mono": c.mono, "wall_sec": c.wall_sec, "wall_nsec": c.wall_nsec}),
                    );
                }
                o.insert(
                    "experimental_batches".into(),
                    s.experimental_batches.len().into(),
                );
            }
        }
        EventKind::Metric => {
            if let Some(m) = e.metric() {
                o.insert("name".into(), m.name.into());
                o.insert("value".into(), m.value.into());
            }
        }
        EventKind::Label => {
            if let Some(l) = e.label() {
                o.insert("label".into(), l.label.into_owned().into());
                o.insert("resource".into(), l.resource.to_string().into());
            }
        }
        EventKind::RangeBegin | EventKind::RangeActive | EventKind::RangeEnd => {
            if let Some(r) = e.range() {
                o.insert("name".into(), r.name.into_owned().into());
                o.insert("scope".into(), r.scope.to_string().into());
            }
            let attrs: Map<String, Value> = e
                .range_attributes()
                .iter()
                .map(|a| (a.name.to_string(), a.value.into()))
                .collect();
            if !attrs.is_empty() {
                o.insert("attributes".into(), attrs.into());
            }
        }
        EventKind::TaskBegin | EventKind::TaskEnd => {
            if let Some(t) = e.task() {
                o.insert("task".into(), t.id.into());
                o.insert("parent".into(), t.parent.into());
                o.insert("type".into(), t.task_type.into_owned().into());
            }
        }
        EventKind::RegionBegin | EventKind::RegionEnd => {
            if let Some(r) = e.region() {
                o.insert("task".into(), r.task.into());
                o.insert("type".into(), r.region_type.into_owned().into());
            }
        }
        EventKind::Log => {
            if let Some(l) = e.log() {
                o.insert("task".into(), l.task.into());
                o.insert("category".into(), l.category.into_owned().into());
                o.insert("message".into(), l.message.into_owned().into());
            }
        }
        EventKind::StateTransition => {
            if let Some(s) = e.state_transition() {
                o.insert("resource".into(), s.resource.to_string().into());
                let (from, to) = match s.transition {
                    Transition::Goroutine(a, b) => (a.name(), b.name()),
                    Transition::Proc(a, b) => (a.name(), b.name()),
                };
                o.insert("from".into(), from.into());
                o.insert("to".into(), to.into());
                o.insert("reason".into(), s.reason.into_owned().into());
                o.insert("transition_stack".into(), frames(s.stack));
            }
        }
        EventKind::Experimental => {
            if let Some(x) = e.experimental() {
                o.insert("name".into(), x.name.into());
                o.insert("experiment".into(), x.experiment.into());
                let args: Map<String, Value> = x
                    .arg_names
                    .iter()
                    .zip(x.args)
                    .map(|(n, v)| (n.to_string(), (*v).into()))
                    .collect();
                o.insert("args".into(), args.into());
            }
        }
        EventKind::StackSample | EventKind::Bad => {}
    }
    o.insert("stack".into(), frames(e.stack()));
    Value::Object(o)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gotrace::Reader;

    #[test]
    fn annotations_as_json() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/corpus/gotrace/tests/go122-annotations.trace");
        let data = std::fs::read(path).expect("trace");
        let mut kinds = std::collections::BTreeMap::<String, u64>::new();
        for ev in Reader::new(&data).expect("reader") {
            let v = event_json(&ev.expect("event"));
            *kinds
                .entry(v["kind"].as_str().unwrap_or("?").to_string())
                .or_default() += 1;
            if v["kind"] == "TaskBegin" {
                assert!(v["type"].is_string() && v["task"].is_u64());
            }
            if v["kind"] == "StateTransition" {
                assert!(v["from"].is_string() && v["to"].is_string());
            }
        }
        // Same numbers as the corpus oracle for this trace.
        let oracle: serde_json::Value = serde_json::from_slice(
            &std::fs::read(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../../shared/corpus/gotrace/tests/go122-annotations.trace.oracle.json"),
            )
            .expect("oracle"),
        )
        .expect("json");
        for (k, n) in kinds {
            assert_eq!(oracle["events_by_kind"][&k], n, "{k}");
        }
    }
}
