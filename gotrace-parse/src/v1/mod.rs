//! v1 traces (Go 1.11–1.21, headers `go 1.11 trace`, `go 1.19 trace`, `go 1.21 trace`),
//! read into the same event model as v2 traces, exactly as `golang.org/x/exp/trace` does:
//! its v1 parser (`internal/tracev1`) loads and orders the whole trace, then its converter
//! (`tracev1.go`) maps the events.
//!
//! v1 traces are not split into generations, so the whole trace is parsed up front (Go
//! does the same). Every allocation is bounded by the input's size: counts and lengths
//! are checked against the bytes that remain before anything is reserved.

mod avail;
mod check;
mod convert;
mod merge;
mod parse;
mod spec;
mod wire;

pub(crate) use convert::Converter;

use crate::error::{Error, Location};
use crate::header::Version;

/// Go's `ErrTimeOrder`.
const TIME_ORDER: &str = "time stamps out of order";

/// A semantic error about the event at file offset `offset`. v1 traces have a single
/// generation and no batch numbers, so the offset is the whole location.
fn invalid(offset: u64, reason: impl Into<String>) -> Error {
    Error::invalid(
        Location {
            generation: 0,
            batch: None,
            offset,
        },
        reason,
    )
}

/// Parses and orders the v1 trace `data` (the bytes after the header, which is
/// `header_len` bytes long) and prepares the conversion.
pub(crate) fn load(data: &[u8], header_len: usize, version: Version) -> Result<Converter, Error> {
    let parsed = parse::Parser::new(data, header_len, version.minor()).parse()?;
    Converter::new(data, version.minor(), parsed)
}

/// Whether a v1 trace whose body starts with `body` fails at its first event whatever
/// follows (an unknown event type): then reading the rest of a stream cannot change the
/// error, and [`load`] on `body` alone reports it.
pub(crate) fn fails_at_first_event(body: &[u8], version: Version) -> bool {
    body.first().is_some_and(|&b| {
        let typ = b & 0x3f;
        typ == spec::t::NONE
            || typ >= spec::t::COUNT
            || spec::desc(typ).min_version > version.minor()
    })
}

// The tests drive `load` and the converter directly, as the reader does, rather than
// through `Reader`: the reader depends on this module, not the other way round.
#[cfg(test)]
mod tests {
    use crate::header::Version;
    use crate::text;

    fn uv(out: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            out.push(v as u8 | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }

    /// Encodes event `typ` with wire arguments `args` (timestamp delta first for timed
    /// events): up to three inline, more behind a byte length.
    fn ev(out: &mut Vec<u8>, typ: u8, args: &[u64]) {
        if args.len() <= 3 {
            out.push(typ | ((args.len().max(1) as u8 - 1) << 6));
            args.iter().for_each(|&a| uv(out, a));
        } else {
            out.push(typ | 3 << 6);
            let mut buf = Vec::new();
            args.iter().for_each(|&a| uv(&mut buf, a));
            uv(out, buf.len() as u64);
            out.extend_from_slice(&buf);
        }
    }

    fn string(out: &mut Vec<u8>, id: u64, s: &str) {
        out.push(37);
        uv(out, id);
        uv(out, s.len() as u64);
        out.extend_from_slice(s.as_bytes());
    }

    /// One proc, one goroutine that existed before tracing started and one waiting one;
    /// the running goroutine makes a syscall that does not block, then exits.
    fn small_trace() -> Vec<u8> {
        let mut t = b"go 1.21 trace\0\0\0".to_vec();
        ev(&mut t, 1, &[0, 100]); // Batch p=0 ticks=100
        // Strings before the first batch would be skipped, as Go's parser does.
        string(&mut t, 1, "main.main");
        string(&mut t, 2, "main.go");
        ev(&mut t, 2, &[1_000_000_000]); // Frequency: 1 tick = 1 ns
        ev(&mut t, 3, &[1, 1, 0x1000, 1, 2, 10]); // Stack 1: main.main main.go:10
        ev(&mut t, 5, &[0, 7]); // ProcStart thread=7
        ev(&mut t, 13, &[1, 1, 1, 0]); // GoCreate g=1 (before init)
        ev(&mut t, 13, &[1, 2, 0, 0]); // GoCreate g=2 (before init)
        ev(&mut t, 31, &[1, 2]); // GoWaiting g=2
        ev(&mut t, 4, &[1, 4, 0]); // Gomaxprocs 4: initialization ends
        ev(&mut t, 14, &[1, 1, 1]); // GoStart g=1 seq=1
        ev(&mut t, 28, &[1, 1]); // GoSysCall stack=1
        ev(&mut t, 15, &[1]); // GoEnd
        ev(&mut t, 6, &[1]); // ProcStop
        t
    }

    /// The events of `data` as text lines, up to the first error (as `Reader` gives them).
    fn lines(data: &[u8]) -> Result<Vec<String>, String> {
        let (version, header_len) = Version::detect_len(data).map_err(|e| e.reason())?;
        let mut conv =
            super::load(&data[header_len..], header_len, version).map_err(|e| e.reason())?;
        std::iter::from_fn(|| conv.next_event())
            .map(|e| e.map(|e| text::line(&e)).map_err(|e| e.reason()))
            .collect()
    }

    /// Expected lines worked out by hand from Go's conversion rules (and confirmed with
    /// `x/exp/trace` through `tests/oracle/`): the first `Gomaxprocs` is swallowed and
    /// turns the goroutine created before it into a `GoStatus`; the syscall that did not
    /// block becomes a 1 ns range; later events are spaced 1 ns apart.
    #[test]
    fn small_trace_converts_like_go() {
        let stk = r#"[0x1000 "main.main" "main.go":10]"#;
        let st_stack = |t: i64, m: i64, p: i64, g: i64, what: &str, s: &str| {
            format!(
                "{t} StateTransition M={m} P={p} G={g} resource={what} reason=\"\" tstack={s} stack={s}"
            )
        };
        let st = |t, m, p, g, what: &str| st_stack(t, m, p, g, what, "[]");
        let want = vec![
            "-1 Sync M=-1 P=-1 G=-1 N=1 expbatches=0 stack=[]".to_string(),
            st(0, 7, 0, -1, "Proc(0) Undetermined->Running"),
            st(3, 7, 0, 2, "Goroutine(2) Undetermined->Waiting"),
            st(4, -1, -1, -1, "Goroutine(1) Undetermined->Runnable"),
            st(5, 7, 0, 1, "Goroutine(1) Runnable->Running"),
            st_stack(6, 7, 0, 1, "Goroutine(1) Running->Syscall", stk),
            st(7, 7, 0, 1, "Goroutine(1) Syscall->Running"),
            st(8, 7, 0, 1, "Goroutine(1) Running->NotExist"),
            st(9, 7, 0, -1, "Proc(0) Running->Idle"),
            "10 Sync M=-1 P=-1 G=-1 N=2 expbatches=0 stack=[]".to_string(),
        ];
        assert_eq!(lines(&small_trace()).unwrap(), want);
    }

    /// Errors Go's v1 parser reports (wording checked against `x/exp/trace`), including
    /// the size limits that bound what a trace can make us allocate.
    #[test]
    fn rejects_what_go_rejects() {
        let head = b"go 1.21 trace\0\0\0".to_vec();
        let case = |f: &dyn Fn(&mut Vec<u8>)| {
            let mut t = head.clone();
            f(&mut t);
            lines(&t).unwrap_err()
        };
        assert_eq!(case(&|t| ev(t, 1, &[0, 100])), "no EvFrequency event");
        assert_eq!(
            case(&|t| ev(t, 36, &[1])),
            "read event 36 with current P of 0, but P has no batches yet"
        );
        assert_eq!(case(&|t| t.push(50)), "unknown event type 50");
        assert_eq!(
            case(&|t| {
                t.extend([37, 1, 5]); // String 1 claims 5 bytes, has none
            }),
            "failed to read trace: EOF"
        );
        assert_eq!(
            case(&|t| {
                ev(t, 1, &[0, 100]);
                t.push(20 | 3 << 6);
                uv(t, 2049);
            }),
            "failed to read event 20 argument: length-prefixed argument too big: 2049 bytes, limit is 2048"
        );
        assert_eq!(
            case(&|t| {
                ev(t, 1, &[0, 100]);
                ev(t, 3, &[1, 1001, 0, 0]);
            }),
            "EvStack has bad number of frames: 1001"
        );
        assert_eq!(
            case(&|t| {
                ev(t, 1, &[0, 100]);
                ev(t, 2, &[1000]);
                ev(t, 15, &[1]);
            }),
            "g 0 did GoEnd (time 0)"
        );
    }

    /// Many procs whose next event waits for a goroutine state that never comes, and one
    /// proc with many events: Go rescans every waiting proc for each event (minutes on a
    /// few megabytes); we wake a proc only when its goroutine reaches the state it waits
    /// for. Same answer as Go (checked with `x/exp/trace`).
    #[test]
    fn waiting_procs_are_not_rescanned() {
        let n = 20_000;
        let mut t = b"go 1.21 trace\0\0\0".to_vec();
        ev(&mut t, 1, &[0, 1]);
        ev(&mut t, 2, &[1_000_000_000]);
        for p in 1..=n {
            ev(&mut t, 1, &[p, 1]); // Batch
            ev(&mut t, 14, &[1, 1, 5]); // GoStart g=1 seq=5: never ready
        }
        ev(&mut t, 1, &[0, 1]);
        for i in 0..n {
            ev(&mut t, 33, &[1, i]); // HeapAlloc: needs nothing
        }
        assert_eq!(
            lines(&t).unwrap_err(),
            "no consistent ordering of events possible"
        );
    }
}
