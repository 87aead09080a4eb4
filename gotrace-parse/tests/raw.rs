//! The raw layer decodes every batch and event of the v2 corpus traces that Go accepts,
//! and its counts agree with the ordered stream.

use std::path::{Path, PathBuf};

use gotrace_parse::raw::{BatchKind, Batches};
use gotrace_parse::spec::ev;
use gotrace_parse::{EventKind, Reader};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/gotrace")
}

fn valid_v2_traces() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["tests", "generated", "external", "fuzz"] {
        for e in std::fs::read_dir(corpus().join(dir)).expect("corpus dir") {
            let p = e.expect("entry").path();
            if p.extension().is_none_or(|x| x != "trace") {
                continue;
            }
            let oracle =
                std::fs::read_to_string(p.with_extension("trace.oracle.json")).expect("oracle");
            let v: serde_json::Value = serde_json::from_str(&oracle).expect("json");
            let minor: u32 = v["go_version"]
                .as_str()
                .and_then(|s| s.strip_prefix("1."))
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            if minor >= 22 && v["valid"] == true {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn raw_counts_match_ordered_stream() {
    let traces = valid_v2_traces();
    assert!(traces.len() >= 25, "{} traces", traces.len());
    for path in traces {
        let data = std::fs::read(&path).expect("read");
        let mut timed = 0u64;
        let mut synthetic = 0u64;
        let mut cpu = 0u64;
        let mut strings = 0u64;
        let mut generations = std::collections::BTreeSet::new();
        for b in Batches::new(&data).expect("header") {
            let b = b.expect("batch");
            if b.kind != BatchKind::Events {
                continue;
            }
            generations.insert(b.generation);
            let first = b.first_event_type();
            let is_sync = matches!(first, Some(ev::SYNC) | Some(ev::FREQUENCY));
            for e in b.events() {
                let e = e.expect("event");
                assert!(e.offset >= b.data_offset && e.offset < b.data_offset + b.data.len());
                match e.typ {
                    ev::CPU_SAMPLE => cpu += 1,
                    ev::STRING => {
                        strings += 1;
                        assert!(e.data.len() <= 1024);
                    }
                    ev::STACK => assert_eq!(e.frames().count() as u64, e.args[1]),
                    _ if e.spec().timed && !is_sync => {
                        timed += 1;
                        synthetic += match e.typ {
                            ev::GO_SWITCH | ev::GO_SWITCH_DESTROY => 2,
                            _ => 0,
                        };
                    }
                    _ => {}
                }
            }
        }
        let mut ordered = 0u64;
        let mut samples = 0u64;
        let mut syncs = 0u64;
        let mut steals_from_destroy = 0u64;
        let mut prev: Option<(u8, i64)> = None;
        for e in Reader::new(&data).expect("reader") {
            let e = e.expect("event");
            match e.kind() {
                EventKind::Sync => syncs += 1,
                EventKind::StackSample => samples += 1,
                _ => ordered += 1,
            }
            if e.wire_type() == ev::GO_DESTROY_SYSCALL
                && prev == Some((ev::PROC_STEAL, e.time() - 1))
            {
                steals_from_destroy += 1;
            }
            prev = Some((e.wire_type(), e.time()));
        }
        let name = path.display();
        assert_eq!(samples, cpu, "{name}: CPU samples");
        assert_eq!(syncs, generations.len() as u64 + 1, "{name}: generations");
        assert_eq!(
            ordered,
            timed + synthetic + steals_from_destroy,
            "{name}: events"
        );
        let _ = strings;
    }
}
