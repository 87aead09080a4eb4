//! `gprofops trace info --json` on every trace of the shared corpus (v2, and v1 converted
//! like `x/exp/trace` does) prints the `.oracle.json` beside it, and exits 2 where Go's
//! reader fails; `gprofops trace events` prints one line per event.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

mod common;

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

/// `trace goroutines --json` and `trace tasks --json` print the groups, tasks and regions
/// of the `.analysis.json` beside each v2 trace (Go's Summarizer) with our percentiles
/// added; `trace pprof` writes the profile `go tool trace -pprof` wrote.
#[test]
fn trace_analyses_equal_go() {
    let mut checked = 0;
    for f in traces() {
        let analysis = f.with_extension("trace.analysis.json");
        let data = std::fs::read(&f).expect("trace");
        let v2 = profile_ops::gotrace::Version::detect(&data).is_ok_and(|v| v.is_v2());
        if !analysis.exists() || !v2 {
            continue;
        }
        let want: Value =
            serde_json::from_slice(&std::fs::read(&analysis).expect("analysis")).expect("json");
        let run = |cmd: &str| -> Value {
            let out = Command::new(env!("CARGO_BIN_EXE_gprofops"))
                .args(["trace", cmd, "--json"])
                .arg(&f)
                .output()
                .expect("run gprofops");
            assert!(out.status.success(), "{}: {out:?}", f.display());
            serde_json::from_slice(&out.stdout).expect("json")
        };
        let mut got = run("goroutines");
        for g in got["goroutines"]
            .as_object_mut()
            .expect("groups")
            .values_mut()
        {
            let pct = g.as_object_mut().expect("group").remove("percentiles_ns");
            assert!(pct.is_some(), "{}", f.display());
        }
        assert_eq!(got["goroutines"], want["goroutines"], "{}", f.display());
        let mut got = run("tasks");
        for kind in ["tasks", "regions"] {
            for l in got[kind].as_object_mut().expect("types").values_mut() {
                let l = l.as_object_mut().expect("latency");
                let max = l.remove("max_ns").expect("max_ns");
                for k in ["p50_ns", "p95_ns", "p99_ns"] {
                    l.remove(k).expect("percentile");
                }
                assert_eq!(
                    max,
                    l["durations_ns"]
                        .as_array()
                        .and_then(|d| d.last())
                        .cloned()
                        .unwrap_or(Value::Null)
                );
            }
            assert_eq!(got[kind], want[kind], "{} {kind}", f.display());
        }
        checked += 1;
    }
    assert!(checked >= 20, "{checked}");

    let trace = corpus().join("generated/contention.trace");
    let out = std::env::temp_dir().join(format!("gprofops-cli-sched-{}.pb.gz", std::process::id()));
    let status = Command::new(env!("CARGO_BIN_EXE_gprofops"))
        .args(["trace", "pprof", "--kind", "sched"])
        .arg(&trace)
        .arg("-o")
        .arg(&out)
        .status()
        .expect("run gprofops");
    assert!(status.success());
    let ours = profile_ops::pprof::Profile::open(&out).expect("ours");
    let go =
        profile_ops::pprof::Profile::open(corpus().join("generated/contention.trace.sched.pprof"))
            .expect("go's");
    let _ = std::fs::remove_file(&out);
    let totals = |p: &profile_ops::pprof::Profile| profile_ops::summary::totals(p);
    assert_eq!(totals(&ours), totals(&go));
    assert_eq!(ours.num_samples(), go.num_samples());
}

/// `trace info --json` of `input` given as `arg`, with `input`'s bytes on standard input.
fn info_from_stdin(arg: &str, input: &Path) -> Value {
    let out = common::succeed(
        Command::new(env!("CARGO_BIN_EXE_gprofops"))
            .args(["trace", "info", "--json", arg])
            .stdin(std::fs::File::open(input).unwrap()),
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn standard_input_and_fifos_are_read_as_streams() {
    let trace = corpus().join("tests/go122-annotations.trace");
    let mut want = oracle(&trace);
    for arg in ["-", "/dev/stdin"] {
        let mut got = info_from_stdin(arg, &trace);
        // The same answer but for the file's name.
        got["file"] = want["file"].clone();
        assert_eq!(got, want, "{arg}");
    }
    // A FIFO: written by a thread while the command reads it (it used to say "Illegal
    // seek"); its size is the bytes read.
    let dir = std::env::temp_dir().join(format!("gprofops-fifo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("trace.fifo");
    let writer = common::fifo_with(&fifo, std::fs::read(&trace).unwrap());
    let out = common::succeed(
        Command::new(env!("CARGO_BIN_EXE_gprofops"))
            .args(["trace", "info", "--json"])
            .arg(&fifo),
    );
    writer.join().unwrap();
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    want["file"] = "trace.fifo".into();
    assert_eq!(got, want);
    std::fs::remove_dir_all(&dir).unwrap();
}
