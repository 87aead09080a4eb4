//! `Reader::from_reader` (one generation in memory at a time) gives exactly what
//! `Reader::new` gives on the whole trace, and `Reader::visit` (events lent, not handed
//! over) exactly what iteration gives: same events, same order, same errors — on every
//! corpus trace, on many truncations of the v2 ones, and when the input arrives in tiny
//! reads.

use std::io::Read;
use std::path::{Path, PathBuf};

use gotrace_parse::{Reader, text};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/gotrace")
}

fn v2_traces() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["tests", "generated", "external", "fuzz"] {
        for e in std::fs::read_dir(corpus().join(dir)).expect("corpus dir") {
            let p = e.expect("entry").path();
            if p.extension().is_some_and(|x| x == "trace")
                && gotrace_parse::Version::detect(&std::fs::read(&p).expect("read"))
                    .is_ok_and(|v| v.is_v2())
            {
                out.push(p);
            }
        }
    }
    out.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz-huge-timestamp.trace"));
    out.sort();
    out
}

fn lines<'a>(r: Result<Reader<'a>, gotrace_parse::Error>) -> (Vec<String>, Option<String>) {
    let mut out = Vec::new();
    let r = match r {
        Ok(r) => r,
        Err(e) => return (out, Some(e.reason())),
    };
    for ev in r {
        match ev {
            Ok(ev) => out.push(text::line(&ev)),
            Err(e) => return (out, Some(e.reason())),
        }
    }
    (out, None)
}

/// The same as [`lines`], read through [`Reader::visit`]; also checks that every event
/// knows its generation and that the tables it is lent are that generation's.
fn visit_lines<'a>(r: Result<Reader<'a>, gotrace_parse::Error>) -> (Vec<String>, Option<String>) {
    let mut out = Vec::new();
    let mut r = match r {
        Ok(r) => r,
        Err(e) => return (out, Some(e.reason())),
    };
    let res = r.visit(|ev| {
        if let Some(t) = ev.table() {
            assert_eq!(
                t.generation(),
                ev.generation(),
                "lent table of another generation"
            );
        }
        out.push(text::line(ev));
    });
    (out, res.err().map(|e| e.reason()))
}

/// Hands out at most `n` bytes per read.
struct Trickle {
    data: Vec<u8>,
    pos: usize,
    n: usize,
}

impl Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let k = buf.len().min(self.n).min(self.data.len() - self.pos);
        buf[..k].copy_from_slice(&self.data[self.pos..self.pos + k]);
        self.pos += k;
        Ok(k)
    }
}

fn check(name: &str, data: &[u8]) {
    let want = lines(Reader::new(data));
    let stream = || Reader::from_reader(std::io::Cursor::new(data.to_vec()));
    for (how, got) in [
        ("streamed", lines(stream())),
        ("visited", visit_lines(Reader::new(data))),
        ("streamed and visited", visit_lines(stream())),
    ] {
        assert_eq!(want.1, got.1, "{name} {how}: error");
        assert_eq!(want.0.len(), got.0.len(), "{name} {how}: event count");
        assert!(want.0 == got.0, "{name} {how}: events differ");
    }
}

#[test]
fn visit_equals_iteration_on_v1_traces() {
    let mut n = 0;
    for dir in ["tests", "generated", "external", "fuzz", "v1"] {
        for e in std::fs::read_dir(corpus().join(dir)).expect("corpus dir") {
            let p = e.expect("entry").path();
            let data = std::fs::read(&p).expect("read");
            if p.extension().is_some_and(|x| x == "trace")
                && gotrace_parse::Version::detect(&data).is_ok_and(|v| !v.is_v2())
            {
                let name = p.display();
                let (want, got) = (lines(Reader::new(&data)), visit_lines(Reader::new(&data)));
                assert_eq!(want.1, got.1, "{name}: error");
                assert!(want.0 == got.0, "{name}: events differ");
                n += 1;
            }
        }
    }
    assert!(n >= 20, "only {n} v1 traces");
}

#[test]
fn stream_equals_slice_on_corpus_and_truncations() {
    let traces = v2_traces();
    assert!(traces.len() >= 40);
    for p in &traces {
        let data = std::fs::read(p).expect("read");
        let name = p.display().to_string();
        check(&name, &data);
        // Cut points: every 1/37th of the file (1/3rd for the large ones), plus the first
        // bytes after the header.
        let parts = if data.len() > 1 << 20 { 3 } else { 37 };
        let step = (data.len() / parts).max(1);
        for cut in (0..data.len()).step_by(step).chain(14..24.min(data.len())) {
            check(&format!("{name} cut at {cut}"), &data[..cut]);
        }
    }
}

#[test]
fn tiny_reads() {
    let p = corpus().join("tests/go122-gc-stress.trace");
    let data = std::fs::read(&p).expect("read");
    for n in [1, 3, 7, 4096] {
        let t = Trickle {
            data: data.clone(),
            pos: 0,
            n,
        };
        assert_eq!(
            lines(Reader::from_reader(t)),
            lines(Reader::new(&data)),
            "reads of {n} bytes"
        );
    }
}

/// A reader that counts the bytes it hands out.
struct Counted<R> {
    r: R,
    n: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let k = self.r.read(buf)?;
        self.n.fetch_add(k, std::sync::atomic::Ordering::Relaxed);
        Ok(k)
    }
}

fn counted<R: Read>(r: R) -> (Counted<R>, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let n = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    (Counted { r, n: n.clone() }, n)
}

#[test]
fn a_v1_header_before_garbage_fails_without_reading_the_garbage() {
    // 1 GiB of zeros after a v1 header: Go's reader fails at the first event (type 0);
    // the stream reader says the same after reading a few KiB, not the gigabyte.
    let header = b"go 1.19 trace\0\0\0";
    let zeros = std::io::repeat(0).take(1 << 30);
    let (r, read) = counted(std::io::Cursor::new(header.to_vec()).chain(zeros));
    let e = Reader::from_reader(r).unwrap_err();
    let mut small = header.to_vec();
    small.extend([0u8; 64]);
    assert_eq!(e, Reader::new(&small).unwrap_err());
    assert!(e.to_string().contains("unknown event type 0"), "{e}");
    let n = read.load(std::sync::atomic::Ordering::Relaxed);
    assert!(n <= header.len() + 8192, "read {n} bytes");
}

#[test]
fn buffering_stops_at_the_limit_for_v1_and_v2() {
    // v1: the whole body is buffered, so a limit below it refuses the trace; a limit of
    // exactly its size reads it as `Reader::new` does.
    let v1 = std::fs::read(corpus().join("v1/http_1_19_good.trace")).unwrap();
    let body = v1.len() - gotrace_parse::HEADER_LEN;
    let e = Reader::from_reader_limited(std::io::Cursor::new(v1.clone()), body - 1).unwrap_err();
    assert!(
        matches!(e, gotrace_parse::Error::TooLarge { what: "a v1 trace", limit, .. } if limit == body as u64 - 1),
        "{e}"
    );
    let exact = Reader::from_reader_limited(std::io::Cursor::new(v1.clone()), body).unwrap();
    assert_eq!(exact.count(), Reader::new(&v1).unwrap().count());
    // v2: one generation at a time; a limit below a generation's size ends the reading
    // with the error after the events of the generations that fitted, none after it.
    let v2 = std::fs::read(corpus().join("tests/go122-gc-stress.trace")).unwrap();
    let mut events = 0;
    let mut error = None;
    for ev in Reader::from_reader_limited(std::io::Cursor::new(v2.clone()), 4096).unwrap() {
        match ev {
            Ok(_) => events += 1,
            Err(e) => {
                assert!(error.is_none(), "events after the error");
                error = Some(e);
            }
        }
    }
    let e = error.expect("a generation of more than 4 KiB");
    assert!(
        matches!(
            e,
            gotrace_parse::Error::TooLarge {
                what: "a generation",
                limit: 4096,
                ..
            }
        ),
        "{e}"
    );
    assert!(events < Reader::new(&v2).unwrap().count());
    let whole = Reader::from_reader_limited(std::io::Cursor::new(v2.clone()), v2.len()).unwrap();
    assert_eq!(whole.count(), Reader::new(&v2).unwrap().count());
}

/// A read that fails mid-trace is `Error::Io` at the offset of that read, keeping the
/// failure's `io::ErrorKind` (the bindings raise `PermissionError`, `EACCES`... from it).
#[test]
fn a_failing_read_keeps_its_error_kind() {
    struct FailAfter {
        data: Vec<u8>,
        at: usize,
        pos: usize,
    }
    impl std::io::Read for FailAfter {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.pos >= self.at {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::PermissionDenied,
                    "no",
                ));
            }
            let n = buf.len().min(self.at - self.pos);
            buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
            self.pos += n;
            Ok(n)
        }
    }
    let data = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/data/gc-stress.trace"
    ))
    .unwrap();
    let at = data.len() / 2;
    let r = FailAfter { data, at, pos: 0 };
    let err = Reader::from_reader(r)
        .and_then(|mut events| events.try_for_each(|e| e.map(|_| ())))
        .expect_err("the read fails half-way");
    match err {
        gotrace_parse::Error::Io {
            kind,
            offset,
            ref message,
        } => {
            assert_eq!(kind, std::io::ErrorKind::PermissionDenied);
            // The offset of the read that failed: past the header, not past what was read.
            assert!((16..=at as u64).contains(&offset), "{offset}");
            assert!(message.contains("no"), "{message}");
        }
        other => panic!("expected Error::Io, got {other:?}"),
    }
}
