//! Inputs that once made us disagree with Go (found by the fuzz target). Their expected
//! values come from Go's reader (`x/exp/trace`); `tests/differential.rs` also compares
//! them line by line when Go is installed.

use gotrace_parse::{EventKind, Reader, text};

mod common;
use common::data;

/// A timestamp whose conversion to ns overflows `i64`: Go (amd64) gets `i64::MIN`, which
/// the monotonic fix-up turns into 1; Rust's saturating cast would give `i64::MAX`.
#[test]
fn huge_timestamp_converts_like_go_on_amd64() {
    let d = data("fuzz-huge-timestamp.trace");
    let mut times = Vec::new();
    let mut err = None;
    for ev in Reader::new(&d).expect("header") {
        match ev {
            Ok(ev) => times.push((ev.time(), ev.kind())),
            Err(e) => {
                err = Some(e.reason());
                break;
            }
        }
    }
    let want: Vec<i64> = (1..=8).collect();
    assert_eq!(times.iter().map(|t| t.0).collect::<Vec<_>>(), want);
    assert_eq!(times[0].1, EventKind::Sync);
    assert_eq!(err.as_deref(), Some("error reading batch M ID: EOF"));
}

/// `go 1.022 trace\0\0\0`: Go's `fmt.Fscanf` reads the version as 22 and the header as 17
/// bytes long; the batches start after it (we used to assume 16 bytes).
#[test]
fn header_with_leading_zero_is_17_bytes_like_go() {
    let d = data("fuzz-header-leading-zero.trace");
    let mut events = 0;
    let mut err = None;
    for ev in Reader::new(&d).expect("header") {
        match ev {
            Ok(_) => events += 1,
            Err(e) => {
                err = Some(e.reason());
                break;
            }
        }
    }
    assert_eq!(events, 1);
    assert_eq!(
        err.as_deref(),
        Some("expected frequency or clock snapshot event, got 10")
    );
    let streamed: Vec<_> = Reader::from_reader(std::io::Cursor::new(d.clone()))
        .expect("header")
        .collect();
    assert_eq!(streamed.len(), 2);
}

/// An ordering step that succeeds, followed by an event that cannot be read: Go's reader
/// returns the read error (after the `Sync`; lines from `tests/oracle` on this file), and
/// the event the step made is never handed out — not after the error either, and not by
/// `visit` (an early version of the lending reader gave it out after the error).
#[test]
fn nothing_follows_an_error() {
    let d = data("fuzz-event-after-error.trace");
    let mut r = Reader::new(&d).expect("header");
    let first = r.next().expect("an event").expect("the Sync");
    assert_eq!(first.kind(), EventKind::Sync);
    let err = r.next().expect("the error").expect_err("an error");
    assert_eq!(err.reason(), "found event without a timestamp: type=1");
    assert!(r.next().is_none(), "an event after the error");
    assert!(r.is_partial());

    let mut kinds = Vec::new();
    let err = Reader::new(&d)
        .expect("header")
        .visit(|e| kinds.push(e.kind()))
        .expect_err("an error");
    assert_eq!(kinds, [EventKind::Sync]);
    assert_eq!(err.reason(), "found event without a timestamp: type=1");
}

/// Lines and error from the iterator, from `visit` and from the streaming reader, which
/// must agree.
fn lines_of(d: &[u8]) -> (Vec<String>, Option<String>) {
    fn collect<'a>(
        r: impl Iterator<Item = Result<gotrace_parse::Event<'a>, gotrace_parse::Error>>,
    ) -> (Vec<String>, Option<String>) {
        let mut lines = Vec::new();
        for ev in r {
            match ev {
                Ok(ev) => lines.push(text::line(&ev)),
                Err(e) => return (lines, Some(e.reason())),
            }
        }
        (lines, None)
    }
    let iterated = collect(Reader::new(d).expect("header"));
    let mut visited = Vec::new();
    let err = Reader::new(d)
        .expect("header")
        .visit(|e| visited.push(text::line(e)))
        .err()
        .map(|e| e.reason());
    assert_eq!((visited, err), iterated, "visit");
    let streamed = collect(Reader::from_reader(std::io::Cursor::new(d.to_vec())).expect("header"));
    assert_eq!(streamed, iterated, "from_reader");
    iterated
}

/// A sync batch whose clock snapshot runs to the end of the batch (one byte flipped in
/// `go125-sync.trace`, byte 107: 0x01 -> 0xfe, generation 2's snapshot's time delta now
/// takes two bytes, so its last argument has none left). Go's `binary.ReadUvarint` fails
/// with `io.EOF` itself, which `ReadEvent` returns unwrapped after the `Sync` that closes
/// the generations read so far: its callers see the end of the trace, not an error. We
/// reported the error "EOF". Lines printed by `tests/oracle` (`x/exp/trace`) for this file.
#[test]
fn bare_eof_in_a_sync_batch_ends_the_trace_like_go_go125() {
    let d = data("flip-go125-clock-snapshot-eof.trace");
    let want = [
        "9 Sync M=-1 P=-1 G=-1 N=1 clock=10 mono=99 wall=1740755049.000000123 expbatches=0 stack=[]",
        "16 StateTransition M=1 P=-1 G=-1 resource=Proc(0) Undetermined->Running reason=\"\" tstack=[] stack=[]",
        "17 Sync M=-1 P=-1 G=-1 N=2 expbatches=0 stack=[]",
    ];
    assert_eq!(lines_of(&d), (want.map(String::from).to_vec(), None));
}

/// The same in a Go 1.26 trace (generations end with a marker): the first 279 bytes of a
/// trace of ours (the sync batch and one event batch of generation 1, so the generation
/// is incomplete), byte 63 flipped (0x06 -> 0xf9: the snapshot's seconds take the bytes
/// of its nanoseconds). Without the flip Go fails with "incomplete generation found;
/// trace likely truncated"; with it, `x/exp/trace` prints one `Sync` and ends cleanly.
#[test]
fn bare_eof_in_a_sync_batch_ends_the_trace_like_go_go126() {
    let d = data("flip-go126-clock-snapshot-eof.trace");
    let want = ["1 Sync M=-1 P=-1 G=-1 N=1 expbatches=0 stack=[]"];
    assert_eq!(lines_of(&d), (want.map(String::from).to_vec(), None));
    let mut unflipped = d.clone();
    unflipped[63] ^= 0xff;
    assert_eq!(
        lines_of(&unflipped),
        (
            want.map(String::from).to_vec(),
            Some("incomplete generation found; trace likely truncated".to_string())
        )
    );
}

/// A goroutine status written as the varint 258 (`go122-syscall-steal-proc-self.trace`
/// with its `GoStatus` 2 re-encoded as `0x82 0x02`, batch size + 1). Go reads the status
/// as a `uint8` (`tracev2.GoStatus(ev.args[2])`), so it sees 2 (Running) and reads the
/// trace as the original; we failed with "invalid status for goroutine 1: 258". (A flipped
/// byte in `go122-gc-stress.trace`, byte 5590, gave status 32768: Go went on with `Bad`
/// and failed 44 events later, with another error.) Lines from `tests/oracle`
/// (`x/exp/trace`) for this file.
#[test]
fn go_status_is_read_as_a_byte_like_go() {
    let d = data("go122-go-status-258.trace");
    let want = [
        "1 Sync M=-1 P=-1 G=-1 N=1 expbatches=0 stack=[]",
        "2 StateTransition M=0 P=-1 G=-1 resource=Proc(0) Undetermined->Running reason=\"\" tstack=[] stack=[]",
        "3 StateTransition M=0 P=0 G=-1 resource=Goroutine(1) Undetermined->Running reason=\"\" tstack=[] stack=[]",
        "4 StateTransition M=0 P=0 G=1 resource=Goroutine(1) Running->Syscall reason=\"\" tstack=[] stack=[]",
        "5 StateTransition M=0 P=0 G=1 resource=Proc(0) Running->Idle reason=\"\" tstack=[] stack=[]",
        "6 StateTransition M=0 P=-1 G=1 resource=Proc(0) Idle->Running reason=\"\" tstack=[] stack=[]",
        "7 StateTransition M=0 P=0 G=1 resource=Goroutine(1) Syscall->Runnable reason=\"\" tstack=[] stack=[]",
        "8 Sync M=-1 P=-1 G=-1 N=2 expbatches=0 stack=[]",
    ];
    assert_eq!(lines_of(&d), (want.map(String::from).to_vec(), None));
}
