//! Every profile of `../shared/corpus/pprof` against its `.oracle.json` (computed by
//! `go tool pprof -raw`, see `shared/tools/oracle/pprof_oracle.py`): sample types, default
//! sample type, period type, period, number of samples and per-type totals. Files the
//! reference rejects must fail with a typed error. Every `.string` dump of google/pprof's
//! testdata must be reproduced byte for byte.

use std::path::{Path, PathBuf};

use pprof_format::{DecodeOptions, Error, Profile};
use serde_json::Value;

mod support {
    pub mod corpus;
}

use support::corpus;

/// Profiles that have an oracle beside them.
fn profiles_with_oracles() -> Vec<(PathBuf, Value)> {
    let files = corpus::files();
    let v: Vec<_> = files
        .into_iter()
        .filter_map(|p| {
            let oracle = PathBuf::from(format!("{}.oracle.json", p.display()));
            let text = std::fs::read_to_string(&oracle).ok()?;
            Some((p, serde_json::from_str(&text).unwrap()))
        })
        .collect();
    assert!(
        v.len() > 70,
        "expected the whole corpus, found {} profiles",
        v.len()
    );
    v
}

fn pair(p: &Profile, vt: pprof_format::ValueType) -> Value {
    Value::from(vec![
        p.string(vt.ty).into_owned(),
        p.string(vt.unit).into_owned(),
    ])
}

fn check(path: &Path, oracle: &Value) -> Result<(), String> {
    let result = Profile::open(path);
    if let Some(err) = oracle.get("error") {
        return match result {
            Ok(_) => Err(format!("decoded, but go tool pprof says: {err}")),
            Err(Error::Io { .. }) => Err("I/O error instead of a parse error".into()),
            Err(_) => Ok(()),
        };
    }
    let p = result.map_err(|e| format!("decode failed: {e}"))?;
    let types: Vec<Value> = p.sample_types().iter().map(|&vt| pair(&p, vt)).collect();
    let mut diffs = Vec::new();
    if Value::from(types) != oracle["sample_types"] {
        diffs.push("sample_types".to_string());
    }
    let dflt = p.string(p.default_sample_type());
    let dflt = if dflt.is_empty() {
        Value::Null
    } else {
        Value::from(dflt.into_owned())
    };
    if dflt != oracle["default_sample_type"] {
        diffs.push(format!(
            "default_sample_type {dflt} vs {}",
            oracle["default_sample_type"]
        ));
    }
    let pt = match p.period_type() {
        Some(vt) if !(p.bytes_of(vt.ty).is_empty() && p.bytes_of(vt.unit).is_empty()) => {
            pair(&p, vt)
        }
        _ => Value::Null,
    };
    if pt != oracle["period_type"] {
        diffs.push(format!("period_type {pt} vs {}", oracle["period_type"]));
    }
    if oracle["period"] != p.period() {
        diffs.push(format!("period {} vs {}", p.period(), oracle["period"]));
    }
    if oracle["num_samples"] != p.num_samples() {
        diffs.push(format!(
            "num_samples {} vs {}",
            p.num_samples(),
            oracle["num_samples"]
        ));
    }
    let k = p.sample_types().len();
    let mut totals = vec![0i64; k];
    for s in p.iter_samples() {
        for (t, v) in totals.iter_mut().zip(s.values) {
            *t += v;
        }
    }
    if Value::from(totals.clone()) != oracle["totals"] {
        diffs.push(format!("totals {totals:?} vs {}", oracle["totals"]));
    }
    if diffs.is_empty() {
        Ok(())
    } else {
        Err(diffs.join("; "))
    }
}

#[test]
fn every_corpus_profile_agrees_with_go_tool_pprof() {
    let mut failures = Vec::new();
    let all = profiles_with_oracles();
    for (path, oracle) in &all {
        if let Err(e) = check(path, oracle) {
            failures.push(format!(
                "{}: {e}",
                path.strip_prefix(corpus::dir()).unwrap_or(path).display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} disagree:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

#[test]
fn every_readable_profile_round_trips_losslessly() {
    for (path, oracle) in profiles_with_oracles() {
        if oracle.get("error").is_some() {
            continue;
        }
        let p = Profile::open(&path).unwrap();
        let raw = Profile::decode(&p.encode()).unwrap();
        assert_eq!(raw, p, "{}", path.display());
        let gz = Profile::decode(&p.encode_gzip()).unwrap();
        assert_eq!(gz, p, "{}", path.display());
        assert_eq!(raw.to_text(), p.to_text());
    }
}

#[test]
fn every_string_dump_is_reproduced() {
    let files = corpus::files();
    let dumps: Vec<_> = files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "string"))
        .collect();
    assert!(dumps.len() >= 14, "found {} .string files", dumps.len());
    let mut failures = Vec::new();
    for want_path in dumps {
        let profile_path = want_path.with_extension("");
        let want = std::fs::read_to_string(want_path).unwrap();
        match Profile::open(&profile_path) {
            Ok(p) => {
                let got = p.to_text();
                if got != want {
                    let line = got
                        .lines()
                        .zip(want.lines())
                        .position(|(a, b)| a != b)
                        .unwrap_or(0);
                    failures.push(format!(
                        "{}: first difference at line {}:\n  got:  {:?}\n  want: {:?}",
                        profile_path.display(),
                        line + 1,
                        got.lines().nth(line),
                        want.lines().nth(line)
                    ));
                }
            }
            Err(e) => failures.push(format!("{}: {e}", profile_path.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Gzip input is decoded while it inflates; the result (or the error) must be the one
/// of inflating it whole first, and every gzipped protobuf must take the streaming path
/// (its profile then keeps only the string bytes, not the inflated input).
#[test]
fn streamed_gzip_decodes_like_inflating_first() {
    let files = corpus::files();
    let (mut streamed, mut gz_files) = (0, 0);
    for path in files {
        let data = std::fs::read(&path).unwrap();
        if !pprof_format::is_gzip(&data) {
            continue;
        }
        gz_files += 1;
        let mut whole = DecodeOptions::default();
        whole.stream_gzip = false;
        let want = Profile::decode_with(&data, &whole);
        let got = Profile::decode(&data);
        match (&got, &want) {
            (Ok(g), Ok(w)) => assert_eq!(g, w, "{}", path.display()),
            (Err(g), Err(w)) => assert_eq!(g.to_string(), w.to_string(), "{}", path.display()),
            _ => panic!("{}: streamed {got:?}, whole {want:?}", path.display()),
        }
        let Ok(inflated) = pprof_format::gunzip(&data, 1 << 30) else {
            continue;
        };
        let mut proto_only = DecodeOptions::default();
        proto_only.legacy = false;
        if Profile::decode_with(&inflated, &proto_only).is_ok() {
            let p = got.unwrap();
            assert!(
                p.buffer().len() < inflated.len(),
                "{}: not streamed",
                path.display()
            );
            streamed += 1;
        }
    }
    eprintln!("{streamed} of {gz_files} gzip files streamed");
    assert!(gz_files > 20, "found {gz_files} gzip files");
    assert!(streamed > 0);
}
