//! `gprofops trace info --json` on every trace of the shared corpus (v2, and v1 converted
//! like `x/exp/trace` does) prints the `.oracle.json` beside it, and exits 2 where Go's
//! reader fails; `gprofops trace events` prints one line per event.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/gotrace")
}

fn traces() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["tests", "generated", "external", "fuzz", "v1"] {
        for e in std::fs::read_dir(corpus().join(dir)).expect("shared corpus beside the repository")
        {
            let p = e.expect("entry").path();
            if p.extension().is_some_and(|x| x == "trace") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn oracle(trace: &Path) -> Value {
    serde_json::from_slice(
        &std::fs::read(trace.with_extension("trace.oracle.json")).expect("oracle"),
    )
    .expect("oracle json")
}

#[test]
fn trace_info_json_equals_the_oracles() {
    let files = traces();
    assert!(files.len() >= 69, "{}", files.len());
    let mut failures = Vec::new();
    for f in &files {
        let want = oracle(f);
        let out = Command::new(env!("CARGO_BIN_EXE_gprofops"))
            .args(["trace", "info", "--json"])
            .arg(f)
            .output()
            .expect("run gprofops");
        let want_code = if want["valid"] == Value::Bool(true) {
            0
        } else {
            2
        };
        if out.status.code() != Some(want_code) {
            failures.push(format!("{}: exit {:?}", f.display(), out.status));
        }
        match serde_json::from_slice::<Value>(&out.stdout) {
            Ok(got) if got == want => {}
            Ok(got) => failures.push(format!("{}:\n  oracle {want}\n  ours   {got}", f.display())),
            Err(e) => failures.push(format!("{}: {e}", f.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn trace_events_prints_every_event_of_a_v1_trace() {
    for name in [
        "v1/stress_start_stop_1_11_good.trace",
        "v1/http_1_19_good.trace",
    ] {
        let f = corpus().join(name);
        let out = Command::new(env!("CARGO_BIN_EXE_gprofops"))
            .args(["trace", "events"])
            .arg(&f)
            .output()
            .expect("run gprofops");
        assert!(out.status.success(), "{name}: {:?}", out.status);
        let text = String::from_utf8(out.stdout).expect("utf-8");
        assert_eq!(
            text.lines().count() as u64,
            oracle(&f)["events_total"].as_u64().expect("events_total"),
            "{name}"
        );
        assert!(text.starts_with("-1 Sync "), "{name}: {}", &text[..40]);
        let json = Command::new(env!("CARGO_BIN_EXE_gprofops"))
            .args(["trace", "events", "--json-lines"])
            .arg(&f)
            .output()
            .expect("run gprofops");
        assert!(json.status.success(), "{name}: {:?}", json.status);
        let objects: Vec<Value> = String::from_utf8(json.stdout)
            .expect("utf-8")
            .lines()
            .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
            .collect();
        assert_eq!(objects.len(), text.lines().count(), "{name}");
    }
}
