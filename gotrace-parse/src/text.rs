//! A canonical one-line text form of an event, stable across implementations: the
//! differential test prints the same line from Go's `x/exp/trace` and compares line by
//! line, and `gprofops trace events` prints it.
//!
//! ```text
//! <time> <Kind> M=<m> P=<p> G=<g> <details...> stack=[<pc> <func> <file>:<line>;...]
//! ```
//!
//! Strings are quoted with every byte outside printable ASCII, `"` and `\` written `\xNN`.

use std::fmt::Write;

use crate::event::{Event, EventKind, Stack, Transition};

/// Appends `s` quoted canonically.
pub fn quote(out: &mut String, s: &[u8]) {
    out.push('"');
    for &b in s {
        if (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\' {
            out.push(b as char);
        } else {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out.push('"');
}

fn stack(out: &mut String, s: Option<Stack<'_, '_>>) {
    out.push('[');
    if let Some(s) = s {
        for (i, f) in s.frames().enumerate() {
            if i > 0 {
                out.push(';');
            }
            let _ = write!(out, "{:#x} ", f.pc);
            quote(out, f.func);
            out.push(' ');
            quote(out, f.file);
            let _ = write!(out, ":{}", f.line);
        }
    }
    out.push(']');
}

/// The canonical line of `e` (no trailing newline).
///
/// ```
/// use gotrace_parse::{Reader, text::line};
/// # let data = std::fs::read("../examples/data/sync.trace").unwrap();
/// let first = Reader::new(&data).unwrap().next().unwrap().unwrap();
/// assert!(line(&first).starts_with(&format!("{} Sync M=-1 P=-1 G=-1 N=1", first.time())));
/// ```
pub fn line(e: &Event<'_>) -> String {
    let mut o = String::with_capacity(96);
    let _ = write!(
        o,
        "{} {} M={} P={} G={}",
        e.time(),
        e.kind().name(),
        e.thread(),
        e.proc(),
        e.goroutine()
    );
    match e.kind() {
        EventKind::Sync => {
            if let Some(s) = e.sync_info() {
                let _ = write!(o, " N={}", s.n);
                if let Some(c) = s.clock_snapshot {
                    let sec = c.wall_sec as i64 + (c.wall_nsec / 1_000_000_000) as i64;
                    let nsec = c.wall_nsec % 1_000_000_000;
                    let _ = write!(o, " clock={} mono={} wall={sec}.{nsec:09}", c.trace, c.mono);
                }
                let _ = write!(o, " expbatches={}", s.experimental_batches.len());
            }
        }
        EventKind::Metric => {
            if let Some(m) = e.metric() {
                let _ = write!(o, " name={} value={}", m.name, m.value);
            }
        }
        EventKind::Label => {
            if let Some(l) = e.label() {
                o.push_str(" label=");
                quote(&mut o, l.label.as_bytes());
                let _ = write!(o, " resource={}", l.resource);
            }
        }
        EventKind::RangeBegin | EventKind::RangeActive | EventKind::RangeEnd => {
            if let Some(r) = e.range() {
                o.push_str(" name=");
                quote(&mut o, r.name.as_bytes());
                let _ = write!(o, " scope={}", r.scope);
                if e.kind() == EventKind::RangeEnd {
                    o.push_str(" attrs=[");
                    for (i, a) in e.range_attributes().iter().enumerate() {
                        if i > 0 {
                            o.push(';');
                        }
                        let _ = write!(o, "{}={}", a.name, a.value);
                    }
                    o.push(']');
                }
            }
        }
        EventKind::TaskBegin | EventKind::TaskEnd => {
            if let Some(t) = e.task() {
                let _ = write!(o, " id={} parent={} type=", t.id, t.parent);
                quote(&mut o, t.task_type.as_bytes());
            }
        }
        EventKind::RegionBegin | EventKind::RegionEnd => {
            if let Some(r) = e.region() {
                let _ = write!(o, " task={} type=", r.task);
                quote(&mut o, r.region_type.as_bytes());
            }
        }
        EventKind::Log => {
            if let Some(l) = e.log() {
                let _ = write!(o, " task={} category=", l.task);
                quote(&mut o, l.category.as_bytes());
                o.push_str(" message=");
                quote(&mut o, l.message.as_bytes());
            }
        }
        EventKind::StateTransition => {
            if let Some(s) = e.state_transition() {
                let _ = write!(o, " resource={} ", s.resource);
                match s.transition {
                    Transition::Goroutine(a, b) => {
                        let _ = write!(o, "{}->{}", a.name(), b.name());
                    }
                    Transition::Proc(a, b) => {
                        let _ = write!(o, "{}->{}", a.name(), b.name());
                    }
                }
                o.push_str(" reason=");
                quote(&mut o, s.reason.as_bytes());
                o.push_str(" tstack=");
                stack(&mut o, s.stack);
            }
        }
        EventKind::Experimental => {
            if let Some(x) = e.experimental() {
                let _ = write!(o, " name={} experiment={} args=[", x.name, x.experiment);
                for (i, (n, v)) in x.arg_names.iter().zip(x.args).enumerate() {
                    if i > 0 {
                        o.push(';');
                    }
                    let _ = write!(o, "{n}={v}");
                }
                o.push(']');
            }
        }
        EventKind::StackSample | EventKind::Bad => {}
    }
    o.push_str(" stack=");
    stack(&mut o, e.stack());
    o
}
