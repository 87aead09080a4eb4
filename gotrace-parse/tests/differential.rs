//! Differential test against `golang.org/x/exp/trace` (fetched from the Go module proxy by
//! the program in `tests/oracle/`): every event of every corpus trace (v2, and v1
//! converted to the same model), and of traces
//! generated here from small Go programs (goroutines, channels, mutexes, syscalls, GC, user
//! annotations, `iter.Pull` coroutines (GoSwitch), the Go 1.25+ flight recorder; GOMAXPROCS
//! 1 and 4) and of truncated copies,
//! must print the same canonical line from both readers, in the same order, and both must
//! stop with an error at the same point; ours also through `Reader::visit`.
//!
//! One allowance, for v1 traces only: Go's v1 parser visits procs and pre-existing
//! goroutines in map order, which is random from run to run, so events with the same
//! timestamp (which the reader then spaces 1 ns apart) can come out in either order. A
//! run of lines whose times are consecutive nanoseconds may therefore be a permutation of
//! ours, with the same times in the same places.
//!
//! Skipped (with a message) when no Go toolchain is on PATH; `tests/oracle.rs` still checks
//! the corpus against the stored oracles then.

use std::path::{Path, PathBuf};
use std::process::Command;

use gotrace_parse::{Reader, text};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/gotrace")
}

fn go_available() -> bool {
    Command::new("go")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn build_go_reader() -> PathBuf {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("gotrace-lines");
    let status = Command::new("go")
        .args(["build", "-o"])
        .arg(&out)
        .arg(".")
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle"))
        .status()
        .expect("run go build");
    assert!(status.success(), "go build of tests/oracle failed");
    out
}

/// Go's lines and, if it stopped with one, its error.
fn go_lines(bin: &Path, trace: &Path) -> (Vec<String>, Option<String>) {
    let out = Command::new(bin)
        .arg(trace)
        .output()
        .expect("run gotrace-lines");
    assert!(
        out.status.success(),
        "gotrace-lines failed on {}",
        trace.display()
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    match text
        .find("\nERROR ")
        .map(|i| i + 1)
        .or_else(|| text.starts_with("ERROR ").then_some(0))
    {
        Some(i) => (
            text[..i].lines().map(String::from).collect(),
            Some(text[i + 6..].trim_end().to_string()),
        ),
        None => (text.lines().map(String::from).collect(), None),
    }
}

fn our_lines(data: &[u8]) -> (Vec<String>, Option<String>) {
    let mut lines = Vec::new();
    let reader = match Reader::new(data) {
        Ok(r) => r,
        Err(e) => return (lines, Some(e.reason())),
    };
    for ev in reader {
        match ev {
            Ok(ev) => lines.push(text::line(&ev)),
            Err(e) => return (lines, Some(e.reason())),
        }
    }
    (lines, None)
}

/// [`our_lines`] read through `Reader::visit`.
fn visited_lines(data: &[u8]) -> (Vec<String>, Option<String>) {
    let mut lines = Vec::new();
    let mut reader = match Reader::new(data) {
        Ok(r) => r,
        Err(e) => return (lines, Some(e.reason())),
    };
    let err = reader.visit(|ev| lines.push(text::line(ev))).err();
    (lines, err.map(|e| e.reason()))
}

/// Splits a canonical line into its time and the rest.
fn split_time(line: &str) -> (i64, &str) {
    let (t, rest) = line.split_once(' ').unwrap_or(("", line));
    (t.parse().unwrap_or(i64::MIN), rest)
}

/// If `want[i..]` and `got[i..]` start with a run of lines at consecutive nanoseconds
/// (events that had the same timestamp) that are a permutation of each other with the
/// same times, its length.
fn tie_run(want: &[String], got: &[String], i: usize) -> Option<usize> {
    let (t0, _) = split_time(&want[i]);
    let mut end = i + 1;
    while end < want.len().min(got.len())
        && split_time(&want[end]).0 == t0.wrapping_add((end - i) as i64)
    {
        end += 1;
    }
    for n in 2..=end - i {
        let (w, g) = (&want[i..i + n], &got[i..i + n]);
        if w.iter()
            .zip(g)
            .any(|(a, b)| split_time(a).0 != split_time(b).0)
        {
            return None;
        }
        let mut wb: Vec<&str> = w.iter().map(|l| split_time(l).1).collect();
        let mut gb: Vec<&str> = g.iter().map(|l| split_time(l).1).collect();
        wb.sort_unstable();
        gb.sort_unstable();
        if wb == gb {
            return Some(n);
        }
    }
    None
}

fn compare(bin: &Path, trace: &Path) -> Result<usize, String> {
    let data = std::fs::read(trace).map_err(|e| e.to_string())?;
    let v1 = gotrace_parse::Version::detect(&data).is_ok_and(|v| !v.is_v2());
    let (want, want_err) = go_lines(bin, trace);
    let (got, got_err) = our_lines(&data);
    // The lending reader must give exactly what iteration gives (no tie allowance).
    if visited_lines(&data) != (got.clone(), got_err.clone()) {
        return Err(format!(
            "{}: Reader::visit differs from iteration",
            trace.display()
        ));
    }
    let mut i = 0;
    while i < want.len().min(got.len()) {
        if want[i] == got[i] {
            i += 1;
            continue;
        }
        match tie_run(&want, &got, i).filter(|_| v1) {
            Some(n) => i += n,
            None => {
                return Err(format!(
                    "{}: event {i} differs:\n  go:   {}\n  ours: {}",
                    trace.display(),
                    want[i],
                    got[i]
                ));
            }
        }
    }
    if want.len() != got.len() {
        return Err(format!(
            "{}: go has {} events, we have {}",
            trace.display(),
            want.len(),
            got.len()
        ));
    }
    match (&want_err, &got_err) {
        (None, None) => {}
        // Go's "failed to advance" errors append a dump of its internal state.
        (Some(w), Some(g))
            if w.starts_with(g.as_str()) || g.starts_with(w.lines().next().unwrap_or("")) => {}
        _ => {
            return Err(format!(
                "{}: error: go {want_err:?}, ours {got_err:?}",
                trace.display()
            ));
        }
    }
    Ok(want.len())
}

/// Every corpus trace with a header Go reads (v2 and v1), plus our own test data.
fn corpus_traces() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["tests", "generated", "external", "fuzz", "v1"] {
        for e in std::fs::read_dir(corpus().join(dir)).expect("corpus dir") {
            let p = e.expect("entry").path();
            if p.extension().is_some_and(|x| x == "trace") {
                let head = std::fs::read(&p).expect("read");
                if gotrace_parse::Version::detect(&head).is_ok() {
                    out.push(p);
                }
            }
        }
    }
    for e in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data"))
        .expect("tests/data")
    {
        out.push(e.expect("entry").path());
    }
    out.sort();
    out
}

/// Traces that end mid-generation (a crashed or killed process): Go's reader hands out the
/// complete generations and then fails; so must we, at the same event.
fn truncated_copies(dir: &Path) -> Vec<PathBuf> {
    let cuts = [
        ("generated/contention.trace", [0.3, 0.6, 0.999]),
        ("tests/go122-gc-stress.trace", [0.25, 0.5, 0.9]),
        ("external/sqlprof_testprog_go1.23.3.trace", [0.2, 0.7, 0.95]),
        // v1: Go's parser reads the whole file first and fails on a cut batch.
        ("v1/stress_1_19_good.trace", [0.1, 0.5, 0.999]),
        ("v1/user_task_region_1_21_good.trace", [0.3, 0.6, 0.9]),
    ];
    let mut out = Vec::new();
    for (src, fractions) in cuts {
        let data = std::fs::read(corpus().join(src)).expect("read");
        for f in fractions {
            let n = (data.len() as f64 * f) as usize;
            let name = format!("{}-cut{n}.trace", src.replace('/', "_"));
            let p = dir.join(name);
            std::fs::write(&p, &data[..n]).expect("write");
            out.push(p);
        }
    }
    out
}

#[test]
fn every_event_matches_x_exp_trace() {
    if !go_available() {
        // CI always has Go: a skip there would be a pass that checked nothing.
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have a Go toolchain on PATH"
        );
        eprintln!("skipping: no Go toolchain on PATH (tests/oracle.rs checks the stored oracles)");
        return;
    }
    let bin = build_go_reader();
    let gen_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("gotrace-generated");
    let _ = std::fs::remove_dir_all(&gen_dir);
    std::fs::create_dir_all(&gen_dir).expect("mkdir");
    let status = Command::new(&bin)
        .arg("-gen")
        .arg(&gen_dir)
        .status()
        .expect("run generator");
    assert!(status.success(), "trace generation failed");
    let mut generated: Vec<PathBuf> = std::fs::read_dir(&gen_dir)
        .expect("read dir")
        .map(|e| e.expect("entry").path())
        .collect();
    generated.sort();
    assert_eq!(
        generated.len(),
        16,
        "expected 8 scenarios x 2 GOMAXPROCS values"
    );
    generated.extend(truncated_copies(&gen_dir));

    let mut failures = Vec::new();
    let (mut events, mut v1) = (0, 0);
    let traces: Vec<PathBuf> = corpus_traces().into_iter().chain(generated).collect();
    for t in &traces {
        let head = std::fs::read(t).expect("read");
        v1 += gotrace_parse::Version::detect(&head).is_ok_and(|v| !v.is_v2()) as usize;
        match compare(&bin, t) {
            Ok(n) => events += n,
            Err(e) => failures.push(e),
        }
    }
    eprintln!(
        "{} traces ({v1} v1), {events} events compared",
        traces.len()
    );
    assert!(v1 >= 27 + 6, "only {v1} v1 traces compared");
    assert!(
        failures.is_empty(),
        "{} traces differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
