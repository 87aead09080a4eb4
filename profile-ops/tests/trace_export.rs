//! Perfetto / Chrome trace-event JSON and goroutine timelines of every valid corpus trace:
//! each event has the fields the trace-event format requires for its phase, slices on a
//! thread do not overlap (a goroutine is in one state at a time, a proc runs one
//! goroutine at a time), async begins and ends pair up, and the timeline agrees with the
//! trace-event file.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use profile_ops::trace::{write_perfetto, write_perfetto_path, write_timeline};
use serde_json::Value;

fn valid_traces() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/gotrace");
    let mut v = Vec::new();
    for dir in ["tests", "generated", "external", "v1"] {
        for e in std::fs::read_dir(root.join(dir)).expect("shared corpus beside the repository") {
            let p = e.expect("entry").path();
            if p.extension().is_none_or(|x| x != "trace") {
                continue;
            }
            let o: Value = serde_json::from_slice(
                &std::fs::read(p.with_extension("trace.oracle.json")).expect("oracle"),
            )
            .expect("json");
            // The structure is what is checked: the few large traces add only time.
            let small = std::fs::metadata(&p).is_ok_and(|m| m.len() < 3_000_000);
            if o["valid"] == true && small {
                v.push(p);
            }
        }
    }
    v.sort();
    assert!(v.len() >= 35, "{}", v.len());
    v
}

fn ns(v: &Value) -> i64 {
    (v.as_f64().expect("a number") * 1000.0).round() as i64
}

/// Problems with one trace-event file.
fn check_trace_events(doc: &Value) -> (Vec<String>, usize) {
    let mut bad = Vec::new();
    let events = doc["traceEvents"].as_array().expect("traceEvents");
    let mut slices: HashMap<(i64, i64), Vec<(i64, i64)>> = HashMap::new();
    let mut open_async: HashMap<(String, u64), i64> = HashMap::new();
    for e in events {
        let ph = e["ph"].as_str().unwrap_or("");
        let has = |k: &str| !e[k].is_null();
        let ok = match ph {
            "X" => ["name", "ts", "dur", "pid", "tid"].iter().all(|k| has(k)),
            "b" | "e" => ["name", "cat", "id", "ts", "pid"].iter().all(|k| has(k)),
            "i" => ["name", "ts", "pid", "s"].iter().all(|k| has(k)),
            "C" => ["name", "ts", "pid", "args"].iter().all(|k| has(k)) && e["args"].is_object(),
            "M" => {
                matches!(e["name"].as_str(), Some("process_name" | "thread_name"))
                    && has("pid")
                    && e["args"]["name"].is_string()
            }
            _ => false,
        };
        if !ok {
            bad.push(format!("event without its required fields: {e}"));
            continue;
        }
        match ph {
            "X" => {
                let (ts, dur) = (ns(&e["ts"]), ns(&e["dur"]));
                if dur < 0 {
                    bad.push(format!("negative duration: {e}"));
                }
                let key = (
                    e["pid"].as_i64().unwrap_or(0),
                    e["tid"].as_i64().unwrap_or(0),
                );
                slices.entry(key).or_default().push((ts, ts + dur));
            }
            "b" => {
                let key = (
                    e["cat"].as_str().unwrap_or("").to_string(),
                    e["id"].as_u64().unwrap_or(0),
                );
                *open_async.entry(key).or_default() += 1;
            }
            "e" => {
                let key = (
                    e["cat"].as_str().unwrap_or("").to_string(),
                    e["id"].as_u64().unwrap_or(0),
                );
                let n = open_async.entry(key).or_default();
                *n -= 1;
                if *n < 0 {
                    bad.push(format!("end without begin: {e}"));
                }
            }
            _ => {}
        }
    }
    // Goroutine states and proc runs: one at a time per thread.
    for ((pid, tid), mut v) in slices {
        if pid == 3 {
            continue;
        }
        v.sort();
        for w in v.windows(2) {
            if w[1].0 < w[0].1 {
                bad.push(format!("overlapping slices on pid {pid} tid {tid}: {w:?}"));
                break;
            }
        }
    }
    let goroutine_slices = events
        .iter()
        .filter(|e| e["ph"] == "X" && e["pid"] == 1)
        .count();
    (bad, goroutine_slices)
}

#[test]
fn perfetto_files_are_valid_trace_event_json() {
    let mut failures = Vec::new();
    for p in valid_traces() {
        let data = std::fs::read(&p).expect("trace");
        let mut out = Vec::new();
        let error = write_perfetto(&data, &mut out).expect("write");
        assert!(error.is_none(), "{}", p.display());
        let doc: Value = serde_json::from_slice(&out).expect("JSON");
        assert_eq!(doc["displayTimeUnit"], "ns");
        let (bad, goroutine_slices) = check_trace_events(&doc);
        failures.extend(
            bad.into_iter()
                .take(3)
                .map(|b| format!("{}: {b}", p.display())),
        );

        // The timeline has the same spans, contiguous per goroutine.
        let mut lines = Vec::new();
        write_timeline(&data, &mut lines).expect("timeline");
        let spans: Vec<Value> = lines
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).expect("JSON line"))
            .collect();
        assert_eq!(spans.len(), goroutine_slices, "{}", p.display());
        let mut by_g: BTreeMap<i64, Vec<(i64, i64)>> = BTreeMap::new();
        for s in &spans {
            let (a, b) = (
                s["start_ns"].as_i64().expect("start"),
                s["end_ns"].as_i64().expect("end"),
            );
            assert!(a <= b, "{}: {s}", p.display());
            by_g.entry(s["g"].as_i64().expect("g"))
                .or_default()
                .push((a, b));
        }
        for (g, mut v) in by_g {
            v.sort();
            assert!(
                v.windows(2).all(|w| w[0].1 <= w[1].0),
                "{}: G{g} {v:?}",
                p.display()
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn perfetto_from_disk_equals_in_memory_and_names_goroutines() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus/gotrace/tests/go122-annotations.trace");
    let data = std::fs::read(&p).expect("trace");
    let (mut a, mut b) = (Vec::new(), Vec::new());
    write_perfetto(&data, &mut a).expect("bytes");
    write_perfetto_path(&p, &mut b).expect("path");
    assert_eq!(a, b);
    let doc: Value = serde_json::from_slice(&a).expect("JSON");
    let events = doc["traceEvents"].as_array().expect("events");
    assert!(
        events
            .iter()
            .any(|e| e["ph"] == "M" && e["args"]["name"] == "G1 main.main")
    );
    assert!(
        events
            .iter()
            .any(|e| e["ph"] == "b" && e["cat"] == "task" && e["name"] == "task0")
    );
    assert!(
        events
            .iter()
            .any(|e| e["ph"] == "b" && e["cat"] == "region" && e["name"] == "region0")
    );
    assert!(events.iter().any(|e| e["ph"] == "i" && e["name"] == "key0"));
    assert!(
        events
            .iter()
            .any(|e| e["ph"] == "C" && e["name"] == "/sched/gomaxprocs:threads")
    );
    assert!(
        events
            .iter()
            .any(|e| e["ph"] == "X" && e["name"] == "Waiting (sync)")
    );
    assert!(
        events.iter().any(|e| e["ph"] == "X"
            && e["pid"] == 3
            && e["name"] == "stop-the-world (start trace)")
    );
}
