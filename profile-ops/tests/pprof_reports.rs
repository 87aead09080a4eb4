//! Differential tests of the pprof reports and operations against `go tool pprof`, over
//! every readable profile of `../shared/corpus/pprof`.
//!
//! Each case is a `go tool pprof` command line and the same report computed here. When Go
//! is on PATH the expected text comes from running it now; otherwise from the outputs
//! stored under `tests/oracle/expected/` (regenerate them with
//! `GPROFOPS_REGEN=1 cargo test -p profile-ops --test pprof_reports`). Outputs are compared
//! whole, header lines included (times in UTC). One deliberate difference: names that are
//! not UTF-8 are printed with U+FFFD, so Go's output is read the same way.

use std::path::{Path, PathBuf};
use std::process::Command;

use profile_ops::filter::Filters;
use profile_ops::granularity::Granularity;
use profile_ops::merge::{MergeOptions, merge};
use profile_ops::pprof::Profile;
use profile_ops::query::Query;
use profile_ops::report::{top::Top, traces::traces, tree::tree};
use profile_ops::transform::{DiffMode, diff};
use serde_json::Value;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/pprof")
}

fn expected_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/expected")
}

/// Corpus profiles go tool pprof reads (their oracle has no "error").
fn readable() -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![corpus()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("shared corpus beside the repository") {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let name = p.to_string_lossy().into_owned();
            let Some(file) = name.strip_suffix(".oracle.json") else {
                continue;
            };
            if Path::new(file).file_name().is_some_and(|f| f == "merge3") {
                continue;
            }
            let o: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            if o.get("error").is_none() && o.get("top_error").is_none() {
                out.push(
                    file.strip_prefix(&*corpus().to_string_lossy())
                        .unwrap()
                        .trim_start_matches('/')
                        .to_string(),
                );
            }
        }
    }
    out.sort();
    assert!(out.len() >= 60, "found {} readable profiles", out.len());
    out
}

fn have_go() -> bool {
    let ok = Command::new("go")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok && std::env::var_os("CI").is_some() {
        panic!("CI must run the differential tests: go is not on PATH");
    }
    ok
}

/// `go tool pprof -symbolize=none ARGS FILES` run in the corpus directory, stdout as text.
fn go_pprof(args: &[&str], files: &[&str]) -> String {
    let out = Command::new("go")
        .args(["tool", "pprof", "-symbolize=none"])
        .args(args)
        .args(files)
        .current_dir(corpus())
        .env("TZ", "UTC")
        .env("PPROF_BINARY_PATH", "/nonexistent")
        .env("PPROF_TMPDIR", std::env::temp_dir())
        .output()
        .expect("run go tool pprof");
    assert!(
        out.status.success(),
        "go tool pprof {args:?} {files:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Expected output of a case on some files: Go's, or the stored copy without Go.
fn expected(case: &str, args: &[&str], files: &[&str], go: bool) -> String {
    let stored = expected_dir()
        .join(case)
        .join(files.join("+").replace('/', "__") + ".txt");
    if go {
        let text = go_pprof(args, files);
        if std::env::var_os("GPROFOPS_REGEN").is_some() {
            std::fs::create_dir_all(stored.parent().unwrap()).unwrap();
            std::fs::write(&stored, &text).unwrap();
        }
        return text;
    }
    std::fs::read_to_string(&stored).unwrap_or_else(|e| panic!("{}: {e}", stored.display()))
}

fn load(file: &str) -> Profile {
    Profile::open(corpus().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

type Report = fn(&Profile) -> String;

/// A case: its name, go tool pprof's flags, and our report.
type Case<'a> = (
    &'a str,
    Vec<&'a str>,
    Box<dyn Fn(&Profile) -> String + Sync>,
);

/// Sorts runs of adjacent top rows with the same flat value and name. google/pprof's node
/// comparator calls such nodes equal without looking further, and its sort is unstable
/// over a map-ordered list, so `go tool pprof` prints them in a different order from run
/// to run; we order them by |cum| and then by their full identity.
fn normalize_ties(text: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut group: Vec<&str> = Vec::new();
    let mut key = (String::new(), String::new());
    let flush = |group: &mut Vec<&str>, out: &mut Vec<String>| {
        group.sort();
        out.extend(group.drain(..).map(String::from));
    };
    for line in text.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let row = fields.len() >= 6 && fields[1].ends_with('%') && fields[2].ends_with('%');
        let k = if row {
            (fields[0].to_string(), fields[5..].join(" "))
        } else {
            (String::new(), String::new())
        };
        if !row || k != key {
            flush(&mut group, &mut out);
        }
        if row {
            key = k;
            group.push(line);
        } else {
            key = (String::new(), String::new());
            out.push(line.to_string());
        }
    }
    flush(&mut group, &mut out);
    out.join("\n")
}

fn top10(q: Query) -> impl Fn(&Profile) -> String {
    move |p| Top::new(&q.prepare(p).unwrap(), 10).to_text()
}

/// Runs one case over every readable profile; returns the files that differ.
fn sweep(
    case: &str,
    args: &[&str],
    ours: &(dyn Fn(&Profile) -> String + Sync),
    go: bool,
) -> Vec<String> {
    let files = readable();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let bad = std::sync::Mutex::new(Vec::new());
    // go tool pprof takes a few hundred milliseconds per run: run several at once.
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(f) = files.get(i) else { break };
                    let want = expected(case, args, &[f], go);
                    let got = ours(&load(f));
                    if normalize_ties(&want) != normalize_ties(&got) {
                        bad.lock().unwrap().push(format!(
                            "{case} {f}:\n--- go tool pprof\n{want}\n--- ours\n{got}"
                        ));
                    }
                }
            });
        }
    });
    bad.into_inner().unwrap()
}

fn q() -> Query {
    Query::default()
}

fn filters(f: Filters) -> Query {
    q().filters(f)
}

#[test]
fn reports_match_go_tool_pprof_on_every_profile() {
    let go = have_go();
    let traces_report: Report = |p| traces(&q().prepare(p).unwrap());
    let tree_report: Report = |p| tree(&q().prepare(p).unwrap(), 80, None).unwrap();
    let cases: Vec<Case<'_>> = vec![
        ("top", vec!["-top", "-nodecount=10"], Box::new(top10(q()))),
        (
            "top-cum",
            vec!["-top", "-cum", "-nodecount=10"],
            Box::new(top10(q().cum_sort(true))),
        ),
        (
            "top-lines",
            vec!["-top", "-lines", "-nodecount=10"],
            Box::new(top10(q().granularity(Granularity::Lines))),
        ),
        (
            "top-files",
            vec!["-top", "-files", "-nodecount=10"],
            Box::new(top10(q().granularity(Granularity::Files))),
        ),
        (
            "top-addresses",
            vec!["-top", "-addresses", "-nodecount=10"],
            Box::new(top10(q().granularity(Granularity::Addresses))),
        ),
        (
            "top-noinlines",
            vec!["-top", "-noinlines", "-nodecount=10"],
            Box::new(top10(q().noinlines(true))),
        ),
        (
            "top-sample0",
            vec!["-top", "-sample_index=0", "-nodecount=10"],
            Box::new(top10(q().sample_index("0"))),
        ),
        (
            "focus",
            vec!["-top", "-focus=runtime", "-nodecount=10"],
            Box::new(top10(filters(Filters::default().focus("runtime")))),
        ),
        (
            "ignore",
            vec!["-top", "-ignore=runtime", "-nodecount=10"],
            Box::new(top10(filters(Filters::default().ignore("runtime")))),
        ),
        (
            "hide",
            vec!["-top", "-hide=runtime", "-nodecount=10"],
            Box::new(top10(filters(Filters::default().hide("runtime")))),
        ),
        (
            "show",
            vec!["-top", "-show=main", "-nodecount=10"],
            Box::new(top10(filters(Filters::default().show("main")))),
        ),
        (
            "show_from",
            vec!["-top", "-show_from=main", "-nodecount=10"],
            Box::new(top10(filters(Filters::default().show_from("main")))),
        ),
        (
            "prune_from",
            vec!["-top", "-prune_from=runtime", "-nodecount=10"],
            Box::new(top10(filters(Filters::default().prune_from("runtime")))),
        ),
        ("traces", vec!["-traces"], Box::new(traces_report)),
        ("tree", vec!["-tree"], Box::new(tree_report)),
    ];
    let mut bad = Vec::new();
    for (case, args, ours) in &cases {
        bad.extend(sweep(case, args, ours.as_ref(), go));
    }
    assert!(
        bad.is_empty(),
        "{} differences:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// Profiles with labels, for tagfocus/tagignore: a string and a numeric filter each.
#[test]
fn tag_filters_match_go_tool_pprof() {
    let go = have_go();
    // A legacy Go heap profile (numeric `bytes` labels) and a CPU profile with `api` labels.
    let files = [
        "google-pprof/profile/testdata/gobench.heap",
        "parca/pkg/parca/testdata/labels.pb.gz",
    ];
    let tag = |v: &str| Filters::default().tagfocus(v);
    let cases = [
        ("tagfocus", "-tagfocus=bytes=1kb:", tag("bytes=1kb:")),
        ("tagfocus-range", "-tagfocus=16:2kb", tag("16:2kb")),
        ("tagfocus-string", "-tagfocus=api=quer", tag("api=quer")),
        ("tagfocus-kv", "-tagfocus=api:query", tag("api:query")),
        (
            "tagignore",
            "-tagignore=bytes=:512",
            Filters::default().tagignore("bytes=:512"),
        ),
    ];
    let mut bad = Vec::new();
    for f in files {
        for (case, arg, filt) in &cases {
            let want = expected(case, &["-top", "-nodecount=10", arg], &[f], go);
            let got = top10(filters(filt.clone()))(&load(f));
            if want != got {
                bad.push(format!("{case} {f}:\n{want}\n--- ours\n{got}"));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn label_nodes_match_go_tool_pprof() {
    let go = have_go();
    let f = "parca/pkg/parca/testdata/labels.pb.gz";
    let p = load(f);
    for (case, arg, roots, leaves) in [
        ("tagroot", "-tagroot=api", vec!["api"], vec![]),
        (
            "tagleaf",
            "-tagleaf=api,missing",
            vec![],
            vec!["api", "missing"],
        ),
    ] {
        let want = expected(case, &["-top", "-nodecount=10", arg], &[f], go);
        let labelled =
            profile_ops::labels::add_label_nodes(&p, &roots, &leaves, "minimum").unwrap();
        let got = top10(q())(&labelled);
        assert_eq!(normalize_ties(&want), normalize_ties(&got), "{case}");
    }
}

/// Base/new pairs of the corpus with the same sample types.
const PAIRS: [(&str, &str); 4] = [
    (
        "pyroscope/pkg/pprof/testdata/gotruncatefix/cpu_go_truncated_1.pb.gz",
        "pyroscope/pkg/pprof/testdata/gotruncatefix/cpu_go_truncated_1.pb.gz.fixed",
    ),
    (
        "parca/pkg/query/testdata/profile1.pb.gz",
        "parca/pkg/query/testdata/fib.pb.gz",
    ),
    (
        "parca/pkg/query/testdata/many/1644509275338070000.pb.gz",
        "parca/pkg/query/testdata/many/1644509278338696000.pb.gz",
    ),
    (
        "google-pprof/profile/testdata/cppbench.heap",
        "google-pprof/profile/testdata/cppbench.growth",
    ),
];

/// The content of a profile as google/pprof's model sees it: per distinct (stack of
/// frames, labels), the summed values. Ids, order and unreferenced entries do not count.
fn content(p: &Profile) -> std::collections::BTreeMap<String, Vec<i64>> {
    let mut m = std::collections::BTreeMap::new();
    for s in p.iter_samples() {
        let mut key = String::new();
        for l in s.locations {
            let loc = &p.locations()[l as usize];
            key += &format!(
                "{:x}[",
                loc.address.wrapping_sub(
                    loc.mapping
                        .map_or(0, |m| p.mappings()[m as usize].memory_start)
                )
            );
            for ln in p.location_lines(loc) {
                let f = &p.functions()[ln.function as usize];
                key += &format!("{}@{}:{};", p.string(f.name), p.string(f.filename), ln.line);
            }
            key += "]";
        }
        let mut labels: Vec<String> = s
            .labels
            .iter()
            .map(|l| {
                format!(
                    "{}={}/{}{}",
                    p.string(l.key),
                    p.string(l.str),
                    l.num,
                    p.string(l.num_unit)
                )
            })
            .collect();
        labels.sort();
        key += &labels.join(",");
        let e = m.entry(key).or_insert_with(|| vec![0; s.values.len()]);
        for (a, v) in e.iter_mut().zip(s.values) {
            *a += v;
        }
    }
    m.retain(|_, v| v.iter().any(|&x| x != 0));
    m
}

#[test]
fn merges_match_go_tool_pprof_proto() {
    if !have_go() {
        eprintln!("go not found: merges are checked against merge3.oracle.json only");
        return;
    }
    let groups: Vec<Vec<&str>> = vec![
        PAIRS.iter().take(2).flat_map(|(a, b)| [*a, *b]).collect(),
        vec![
            PAIRS[2].0,
            PAIRS[2].1,
            "parca/pkg/query/testdata/many/1644509281339135000.pb.gz",
            "parca/pkg/query/testdata/many/1644509284338649000.pb.gz",
        ],
        vec![PAIRS[3].0, PAIRS[3].1],
    ];
    for files in groups {
        let out = Command::new("go")
            .args(["tool", "pprof", "-symbolize=none", "-proto"])
            .args(&files)
            .current_dir(corpus())
            .env("PPROF_BINARY_PATH", "/nonexistent")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let theirs = Profile::decode(&out.stdout).unwrap();
        let inputs: Vec<Profile> = files.iter().map(|f| load(f)).collect();
        let ours = merge(&inputs, &MergeOptions::default().common_sample_types(true)).unwrap();
        // go tool pprof also applies the merged profile's drop_frames before writing.
        let mut d = profile_ops::Draft::new(&ours);
        profile_ops::filter::drop_frames(&mut d).unwrap();
        let ours = d.finish().unwrap();
        assert_eq!(
            profile_ops::summary::ProfileSummary::of(&ours).totals,
            profile_ops::summary::ProfileSummary::of(&theirs).totals,
            "{files:?}"
        );
        assert_eq!(ours.sample_types().len(), theirs.sample_types().len());
        assert_eq!(content(&ours), content(&theirs), "{files:?}");
        assert_eq!(ours.time_nanos(), theirs.time_nanos());
        assert_eq!(ours.duration_nanos(), theirs.duration_nanos());
        assert_eq!(ours.period(), theirs.period());
    }
}

#[test]
fn diffs_match_go_tool_pprof() {
    let go = have_go();
    let mut bad = Vec::new();
    for (base, new) in PAIRS {
        let (b, n) = (load(base), load(new));
        for (case, flag, mode) in [
            ("diff_base", "-diff_base=", DiffMode::Marked),
            ("base", "-base=", DiffMode::Subtract),
        ] {
            let arg = format!("{flag}{base}");
            let want = expected(case, &["-top", "-nodecount=10", &arg], &[new], go);
            let d = diff(&b, &n, mode, false).unwrap();
            let got = Top::new(&q().prepare(&d).unwrap(), 10).to_text();
            if normalize_ties(&want) != normalize_ties(&got) {
                bad.push(format!("{case} {base} {new}:\n{want}\n--- ours\n{got}"));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn stored_diff_top_matches() {
    // shared/corpus/pprof/diff_top.txt: `go tool pprof -top -nodecount=10 -diff_base`.
    let text = std::fs::read_to_string(corpus().join("diff_top.txt")).unwrap();
    let want: String = text.lines().skip(1).map(|l| format!("{l}\n")).collect();
    let (base, new) = PAIRS[0];
    let d = diff(&load(base), &load(new), DiffMode::Marked, false).unwrap();
    assert_eq!(Top::new(&q().prepare(&d).unwrap(), 10).to_text(), want);
}

#[test]
fn stored_merge_oracle_matches() {
    // shared/corpus/pprof/merge3.oracle.json: `go tool pprof -proto` of three profiles.
    let o: Value = serde_json::from_str(
        &std::fs::read_to_string(corpus().join("merge3.oracle.json")).unwrap(),
    )
    .unwrap();
    let inputs: Vec<Profile> = o["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| load(f.as_str().unwrap()))
        .collect();
    let m = merge(&inputs, &MergeOptions::default().common_sample_types(true)).unwrap();
    let s = profile_ops::summary::ProfileSummary::of(&m);
    assert_eq!(serde_json::to_value(&s.totals).unwrap(), o["totals"]);
    assert_eq!(s.num_samples as u64, o["num_samples"].as_u64().unwrap());
    let top = Top::new(&q().prepare(&m).unwrap(), 10);
    let want: Vec<(String, i64)> = o["top_flat"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r[0].as_str().unwrap().to_string(), r[1].as_i64().unwrap()))
        .collect();
    let got: Vec<(String, i64)> = top.rows.iter().map(|r| (r.name.clone(), r.flat)).collect();
    assert_eq!(got, want);
}

#[test]
fn a_diff_flame_graph_needs_the_same_sample_type() {
    use profile_ops::pprof::ProfileBuilder;
    use profile_ops::query::Query;
    use profile_ops::report::flame::{flamegraph_diff, flamegraph_svg};
    let make = |ty: &str, unit: &str| {
        let mut b = ProfileBuilder::new();
        b.sample_type(ty, unit);
        let f = b.function("main.f", "m.go", 1);
        let l = b.location(None, 0, &[(f, 2)]);
        b.sample(&[l], &[5], &[]);
        b.build().unwrap()
    };
    let (cpu, heap) = (make("cpu", "nanoseconds"), make("alloc_space", "bytes"));
    let q = Query::default();
    let (pc, ph) = (q.prepare(&cpu).unwrap(), q.prepare(&heap).unwrap());
    let err = flamegraph_diff(&ph, &pc).unwrap_err();
    assert!(matches!(err, profile_ops::Error::Incompatible(_)), "{err}");
    assert!(err.to_string().contains("cpu/nanoseconds"), "{err}");
    assert!(flamegraph_svg(&pc, Some(&ph), "t").is_err());
    assert_eq!(flamegraph_diff(&pc, &pc).unwrap().root().delta(), Some(0));
}

#[test]
fn merging_profiles_with_no_common_type_names_their_types() {
    use profile_ops::merge::{MergeOptions, merge};
    use profile_ops::pprof::ProfileBuilder;
    let make = |types: &[(&str, &str)]| {
        let mut b = ProfileBuilder::new();
        for (t, u) in types {
            b.sample_type(t, u);
        }
        b.build().unwrap()
    };
    let cpu = make(&[("samples", "count"), ("cpu", "nanoseconds")]);
    let heap = make(&[("alloc_space", "bytes")]);
    let err = merge(
        &[cpu.clone(), heap, cpu],
        &MergeOptions::default().common_sample_types(true),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.ends_with(
            "profiles have empty common sample type list: [samples cpu] vs [alloc_space]"
        ),
        "{err}"
    );
}
