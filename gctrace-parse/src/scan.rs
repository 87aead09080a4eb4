//! The scanner: finds records anywhere in a line (program output may precede them),
//! rejoins a gc record that another write split across lines, and classifies the other
//! runtime lines. Works over a byte slice (zero-copy) or any `BufRead` (constant memory).

use std::collections::VecDeque;
use std::io::BufRead;

use std::sync::LazyLock;

use memchr::memmem::Finder;

use crate::error::{Error, Result};
use crate::record::{Cursor, GcCycle, Pacer, Scavenge};

/// Longest record considered when rejoining a split one (runtime records are < 300 bytes).
const MAX_RECORD: usize = 512;
/// How many following lines a split gc record may continue on.
pub const REJOIN_WINDOW: usize = 5;
/// How many lines after an unfinished record start (one that is neither complete on its
/// line nor rejoined) records are not read ([`Unrecovered::Ambiguous`]): the start's
/// writer may go on anywhere in them, inside what looks like another writer's record. A
/// second process can write many lines while the first is in the middle of one; a
/// single-writer log with a record split beyond repair loses at most the records of
/// these lines (counted, never assembled).
pub const UNFINISHED_WINDOW: usize = 32;
/// Longest line kept when streaming; the rest of a longer line is skipped (a gc record is
/// a few hundred bytes, so nothing recognisable is lost but records glued inside a huge
/// line of program output).
pub const MAX_LINE: usize = 64 * 1024;

/// What a line (or part of one) was recognised as.
// Events are handed to a callback one at a time, never stored in bulk: boxing the cycle
// would cost an allocation per record for nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Event {
    /// A GC cycle record.
    Gc {
        /// The record.
        cycle: GcCycle,
        /// The record started after other output on its line.
        mid_line: bool,
        /// The record was split by another write and put back together.
        rejoined: bool,
    },
    /// A scavenger line.
    Scavenge(Scavenge),
    /// A `pacer:` line (gcpacertrace=1, any Go version).
    Pacer(Pacer),
    /// `GC forced`: the periodic forced GC announcing the next cycle.
    GcForced,
    /// A pre-Go-1.5 `gcN(P): …` line: recognised, not decoded.
    Pre15,
    /// A gctrace=2 scan statistics line (`scan: total …` / `scan: class …`, Go 1.26+):
    /// recognised, not decoded.
    ScanStats,
    /// The start of a gc record that was not turned into a cycle, and why.
    Unrecovered(Unrecovered),
}

/// Why a record start gave no cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unrecovered {
    /// A `gc N @` start that does not complete on its line, and no following line
    /// completes it (split by other output more than once, or cut off).
    Incomplete,
    /// The bytes could be read as a record, but not only as that one: another record
    /// start near it is unfinished (two processes writing to one stderr, say), so the
    /// record may be made of pieces of two. A complete-looking record after an
    /// unfinished start (on its line, or on one of the [`UNFINISHED_WINDOW`] lines before),
    /// and a split record whose continuation another unfinished start could claim too,
    /// or that more than one following line completes, are not read.
    Ambiguous,
}

/// One recognised item with the 1-based line it starts on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Item {
    /// Line number (1-based).
    pub line: usize,
    /// What was found.
    pub event: Event,
}

/// Searchers built once: building one per search costs more than searching a line.
struct Finders {
    gc: Finder<'static>,
    gc_space: Finder<'static>,
    ms: Finder<'static>,
    goal: Finder<'static>,
}

static FIND: LazyLock<Finders> = LazyLock::new(|| Finders {
    gc: Finder::new(b"gc"),
    gc_space: Finder::new(b"gc "),
    ms: Finder::new(b" ms c"),
    goal: Finder::new(b" MB goal"),
});

/// `text` (outside any record read) holds a piece of a record's body (` ms clock`,
/// ` ms cpu`, ` MB goal`): the rest of a record whose start is elsewhere, so some record
/// is unfinished near it.
fn has_record_piece(text: &[u8]) -> bool {
    FIND.ms.find(text).is_some() || FIND.goal.find(text).is_some()
}

/// Word-boundary check before position `i` (ASCII word characters).
fn boundary_before(line: &[u8], i: usize) -> bool {
    i == 0 || !(line[i - 1].is_ascii_alphanumeric() || line[i - 1] == b'_')
}

/// Calls `f` with every position of `line` that holds `g`, or `s`, `p` or `G` at a word
/// boundary, in order: eight bytes at a time, with the zero-byte test on the word xor
/// each of the four (its false hits, above a real one in the same word, are checked
/// away).
#[inline(always)]
fn for_each_start(line: &[u8], mut f: impl FnMut(usize)) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let is_start = |b: u8, i: usize| {
        b == b'g' || (matches!(b, b's' | b'p' | b'G') && boundary_before(line, i))
    };
    let (words, tail) = line.as_chunks::<8>();
    for (n, word) in words.iter().enumerate() {
        let w = u64::from_le_bytes(*word);
        let mut hits = zero(w ^ (u64::from(b's') * ONES))
            | zero(w ^ (u64::from(b'p') * ONES))
            | zero(w ^ (u64::from(b'G') * ONES))
            | zero(w ^ (u64::from(b'g') * ONES));
        while hits != 0 {
            let k = (hits.trailing_zeros() / 8) as usize;
            hits &= hits - 1;
            let i = n * 8 + k;
            if word.get(k).is_some_and(|&b| is_start(b, i)) {
                f(i);
            }
        }
    }
    let base = words.len() * 8;
    for (k, &b) in tail.iter().enumerate() {
        if is_start(b, base + k) {
            f(base + k);
        }
    }
}

/// The non-gc line kinds, checked anywhere in the line; returns where `gc` first occurs
/// in `line`, if anywhere.
fn classify(line: &[u8], line_no: usize, out: &mut impl FnMut(&Item)) -> Option<usize> {
    let mut push = |event| {
        out(&Item {
            line: line_no,
            event,
        })
    };
    let f = &*FIND;
    // One pass over the bytes these kinds start with: `s` (scvg, scav and gctrace=2's
    // scan stats, pushed as found), `p` (pacer) and `G` (GC forced), the first of each
    // at a word boundary kept and pushed after the pass, in that order; and the first
    // `gc` (anywhere).
    let (mut scvg_done, mut scav_done, mut scan_done) = (false, false, false);
    let (mut pacer_at, mut gc_forced_at, mut first_gc) = (None, None, None);
    for_each_start(line, |i| {
        if line.get(i) == Some(&b'g') {
            if first_gc.is_none() && line.get(i + 1) == Some(&b'c') {
                first_gc = Some(i);
            }
            return;
        }
        let rest = &line[i..];
        match rest.first() {
            Some(b'p') => {
                if pacer_at.is_none() && rest.starts_with(b"pacer: ") {
                    pacer_at = Some(i);
                }
                return;
            }
            Some(b'G') => {
                if gc_forced_at.is_none() && rest.starts_with(b"GC forced") {
                    gc_forced_at = Some(i);
                }
                return;
            }
            _ => {}
        }
        if scvg_done && scav_done && scan_done {
            return;
        }
        if !scan_done && (rest.starts_with(b"scan: total ") || rest.starts_with(b"scan: class ")) {
            push(Event::ScanStats);
            scan_done = true;
            return;
        }
        if !scvg_done && rest.starts_with(b"scvg") {
            let mut c = Cursor::new(line, i + 4);
            let _ = c.lit(b"-");
            let _ = c.int();
            if c.lit(b": ").is_some() {
                let released_mb = c.int().filter(|_| c.lit(b" MB released").is_some());
                push(Event::Scavenge(Scavenge::Scvg { released_mb }));
                scvg_done = true;
            }
        } else if !scav_done && rest.starts_with(b"scav ") {
            let mut c = Cursor::new(line, i + 5);
            if let Some(work_kib) = c.int()
                && c.lit(b" KiB work").is_some()
            {
                let mut s = (None, None, None);
                if c.lit(b" (bg), ").is_some()
                    && let Some(e) = c.int()
                    && c.lit(b" KiB work (eager), ").is_some()
                    && let Some(n) = c.int()
                    && c.lit(b" KiB now, ").is_some()
                    && let Some(u) = c.int()
                    && c.lit(b"% util").is_some()
                {
                    s = (Some(e), Some(n), Some(u));
                }
                let forced = c.lit(b" (forced)").is_some();
                push(Event::Scavenge(Scavenge::Scav {
                    work_kib,
                    eager_kib: s.0,
                    now_kib: s.1,
                    util_percent: s.2,
                    forced,
                }));
                scav_done = true;
            }
        }
    });
    if let Some(i) = pacer_at {
        push(Event::Pacer(Pacer::parse(&line[i + 7..])));
    }
    if let Some(i) = gc_forced_at
        && !line
            .get(i + 9)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
    {
        push(Event::GcForced);
    }
    let first = first_gc?;
    for i in f.gc.find_iter(&line[first..]).map(|i| first + i) {
        if !boundary_before(line, i) {
            continue;
        }
        let mut c = Cursor::new(line, i + 2);
        if c.int().is_some()
            && c.lit(b"(").is_some()
            && c.int().is_some()
            && c.lit(b"): ").is_some()
        {
            push(Event::Pre15);
            break;
        }
    }
    Some(first)
}

/// The item every gc record is decoded into and handed out from: a cycle is a few
/// hundred bytes, and decoding in place saves copying each one on its way to the caller.
struct GcSlot(Item);

impl GcSlot {
    fn new() -> Self {
        GcSlot(Item {
            line: 0,
            event: Event::Gc {
                cycle: GcCycle::default(),
                mid_line: false,
                rejoined: false,
            },
        })
    }

    /// Decodes a record at the start of `s`; returns the bytes it spans.
    #[inline(always)]
    fn parse(&mut self, s: &[u8]) -> Option<usize> {
        match &mut self.0.event {
            Event::Gc { cycle, .. } => cycle.parse_into(s),
            _ => None,
        }
    }

    /// Hands out the record last decoded.
    #[inline(always)]
    fn emit(&mut self, line: usize, mid: bool, rejoin: bool, out: &mut impl FnMut(&Item)) {
        self.0.line = line;
        if let Event::Gc {
            mid_line, rejoined, ..
        } = &mut self.0.event
        {
            (*mid_line, *rejoined) = (mid, rejoin);
        }
        out(&self.0);
    }
}

/// The last line that kept a record start unfinished (neither complete on its line nor
/// rejoined): that record's remaining bytes may be anywhere in the next
/// [`UNFINISHED_WINDOW`] lines, inside what looks like another record, so records there are
/// not read (a second writer's record and the first writer's continuation cannot be
/// told apart from the bytes alone).
#[derive(Default)]
struct Pending(Option<usize>);

impl Pending {
    /// Records on `line` are within reach of an unfinished start on an earlier line.
    fn blocks(&self, line: usize) -> bool {
        matches!(self.0, Some(n) if n < line && line - n <= UNFINISHED_WINDOW)
    }
}

/// What scanning carries from line to line.
struct State {
    gc: GcSlot,
    pending: Pending,
}

impl State {
    fn new() -> Self {
        State {
            gc: GcSlot::new(),
            pending: Pending::default(),
        }
    }
}

/// The lines after the one being scanned, where a record another write split may go on.
trait Ahead {
    /// Offers the unconsumed rest of each of the next [`REJOIN_WINDOW`] lines, in order,
    /// to `take` until it returns `Some(n)`: then `n` more bytes of that line are
    /// consumed (not scanned again) and the result is `true`.
    fn offer(&mut self, take: impl FnMut(&[u8]) -> Option<usize>) -> bool;
}

/// Scans one line (what is left of it after a rejoined record took its start).
///
/// A record is read only when it is the only way to read its bytes: every `gc ` on the
/// line that no record was read from is an unfinished start whose writer may go on
/// anywhere after it, so a record after one (or within [`REJOIN_WINDOW`] lines of an
/// earlier line's) is reported [`Unrecovered::Ambiguous`], never assembled.
fn scan_line(
    scan: &[u8],
    skipped: bool,
    line_no: usize,
    ahead: &mut impl Ahead,
    st: &mut State,
    out: &mut impl FnMut(&Item),
) {
    let unrecovered = |reason, out: &mut dyn FnMut(&Item)| {
        out(&Item {
            line: line_no,
            event: Event::Unrecovered(reason),
        })
    };
    let blocked = st.pending.blocks(line_no);
    // The common line: one complete record and nothing else. Its text (digits and the
    // record's fixed words) cannot contain any other kind of line, so the searches below
    // would find nothing.
    if scan.starts_with(b"gc ") && st.gc.parse(scan) == Some(scan.len()) {
        if blocked {
            unrecovered(Unrecovered::Ambiguous, out);
        } else {
            st.gc.emit(line_no, skipped, false, out);
        }
        return;
    }
    // Every kind of record this line may hold but one has `gc` in it: searched once.
    let first_gc = classify(scan, line_no, out);
    let Some(first_gc) = first_gc else {
        return;
    };
    // Records anywhere in the line, left to right, non-overlapping; and the first start
    // of a record (`gc N @`) after the last one, which another write may have split.
    let mut from = first_gc;
    let mut unfinished = None;
    // `gc ` with no record read from it, and pieces of records' bodies outside the
    // records read: records some write interrupted.
    let mut loose = 0usize;
    // The end of the last record read.
    let mut covered = 0;
    while let Some(rel) = FIND.gc_space.find(&scan[from..]) {
        let at = from + rel;
        if let Some(used) = st.gc.parse(&scan[at..]) {
            if unfinished.is_none() && has_record_piece(&scan[covered..at]) {
                loose += 1;
            }
            if blocked || loose > 0 {
                unrecovered(Unrecovered::Ambiguous, out);
            } else {
                st.gc.emit(line_no, at != 0 || skipped, false, out);
            }
            // A start before it never completed: its rest is not on this line.
            if unfinished.take().is_some() {
                unrecovered(Unrecovered::Incomplete, out);
            }
            from = at + used;
            covered = from;
        } else {
            loose += 1;
            if unfinished.is_none() && is_record_start(&scan[at..]) {
                unfinished = Some(at);
            }
            from = at + 1;
        }
    }
    // Pieces of records after the last one read (but the unfinished start's own, up to
    // where it stops following the grammar).
    let piece = match unfinished {
        Some(start) => {
            has_record_piece(&scan[covered..start])
                || has_record_piece(
                    &scan[start + GcCycle::reach(&scan[start..]).min(scan.len() - start)..],
                )
        }
        None => has_record_piece(&scan[covered..]),
    };
    loose += usize::from(piece);
    // Try to complete it with one of the next lines (another write landed in the middle
    // of it); any other unfinished start here or before could own that continuation.
    let mut rejoined = false;
    if let Some(start) = unfinished {
        match rejoin(
            &scan[start..],
            blocked || loose > 1,
            line_no,
            ahead,
            &mut st.gc,
            out,
        ) {
            Ok(()) => rejoined = true,
            Err(reason) => unrecovered(reason, out),
        }
    }
    if loose > usize::from(rejoined) {
        st.pending = Pending(Some(line_no));
    }
}

/// Whether `line` has a `gc ` no record can be read from (an unfinished record start)
/// or a piece of a record's body outside the records read. Linear: a record read is
/// skipped whole, and the first start that is not one ends the search.
fn has_unfinished_record(line: &[u8], gc: &mut GcSlot) -> bool {
    let mut from = 0;
    while let Some(rel) = FIND.gc_space.find(&line[from..]) {
        let at = from + rel;
        if has_record_piece(&line[from..at]) {
            return true;
        }
        match gc.parse(&line[at..]) {
            Some(used) => from = at + used,
            None => return true,
        }
    }
    has_record_piece(&line[from..])
}

/// The longest cut `k` of `tail` (at most `max_cut`) such that `tail[..k] + rest` starts
/// with a complete record that goes on into `rest`, decoded into `gc`; and the bytes of
/// `rest` it uses.
fn complete_with(
    tail: &[u8],
    max_cut: usize,
    rest: &[u8],
    joined: &mut Vec<u8>,
    gc: &mut GcSlot,
) -> Option<(usize, usize)> {
    let rest = &rest[..rest.len().min(MAX_RECORD)];
    (6..=max_cut).rev().find_map(|k| {
        joined.clear();
        joined.extend_from_slice(&tail[..k]);
        joined.extend_from_slice(rest);
        gc.parse(joined)
            .filter(|&used| used > k)
            .map(|used| (k, used - k))
    })
}

/// For each following line in order, and each cut of the tail (longest first): does
/// `tail[..k] + line` start with a complete record? That record is read, and the part of
/// the line it used is not scanned again, when it is the only reading: no other line
/// completes the tail, no other start is unfinished (`others`, or a `gc ` left without a
/// record on a line before the one that completes it), else
/// [`Unrecovered::Ambiguous`]. Several cuts of the tail completing with the same line
/// differ only in how many of the tail's last digits are the record's: the longest, as
/// for the reference reader (a writer's digits come before the interruption).
fn rejoin(
    tail: &[u8],
    others: bool,
    line_no: usize,
    ahead: &mut impl Ahead,
    gc: &mut GcSlot,
    out: &mut impl FnMut(&Item),
) -> Result<(), Unrecovered> {
    // The cut can only be where the tail still followed the grammar (at most `reach`),
    // and a record is at most a few hundred bytes: this bounds the work on hostile input
    // to a few thousand short parses per unfinished record.
    let max_cut = GcCycle::reach(tail).min(tail.len()).min(MAX_RECORD);
    if max_cut < 6 {
        return Err(Unrecovered::Incomplete);
    }
    let mut joined = Vec::with_capacity(max_cut + MAX_RECORD);
    // First look at every line of the window without taking anything.
    let (mut first, mut completions, mut loose_before, mut at) = (None, 0, false, 0);
    ahead.offer(|rest| {
        if let Some((k, _)) = complete_with(tail, max_cut, rest, &mut joined, gc) {
            completions += 1;
            first.get_or_insert((at, k));
        } else if first.is_none() && !loose_before {
            loose_before = has_unfinished_record(rest, gc);
        }
        at += 1;
        None
    });
    let Some((line, k)) = first else {
        return Err(Unrecovered::Incomplete);
    };
    if completions > 1 || others || loose_before {
        return Err(Unrecovered::Ambiguous);
    }
    let mut at = 0;
    let taken = ahead.offer(|rest| {
        at += 1;
        if at <= line {
            return None;
        }
        let (_, used) = complete_with(tail, k, rest, &mut joined, gc)?;
        gc.emit(line_no, false, true, out);
        Some(used)
    });
    debug_assert!(taken);
    Ok(())
}

/// Streaming: `(line, already consumed prefix, line number)` of the lines read after the
/// one being scanned.
impl<L: AsRef<[u8]>> Ahead for VecDeque<(L, usize, usize)> {
    fn offer(&mut self, mut take: impl FnMut(&[u8]) -> Option<usize>) -> bool {
        for (line, skip, _) in self.iter_mut() {
            if let Some(n) = take(&line.as_ref()[*skip..]) {
                *skip += n;
                return true;
            }
        }
        false
    }
}

/// Streaming scanner state: the current line waits until the following lines a split
/// record may continue on have been read.
struct Engine<L> {
    /// `(line, already consumed prefix, line number)`.
    window: VecDeque<(L, usize, usize)>,
    st: State,
}

impl<L: AsRef<[u8]>> Engine<L> {
    fn new() -> Self {
        Engine {
            window: VecDeque::new(),
            st: State::new(),
        }
    }

    fn push(&mut self, line: L, line_no: usize, out: &mut impl FnMut(&Item)) {
        self.window.push_back((line, 0, line_no));
        if self.window.len() > REJOIN_WINDOW {
            self.process_front(out);
        }
    }

    fn finish(&mut self, out: &mut impl FnMut(&Item)) {
        while !self.window.is_empty() {
            self.process_front(out);
        }
    }

    fn process_front(&mut self, out: &mut impl FnMut(&Item)) {
        let Some((line, skip, line_no)) = self.window.pop_front() else {
            return;
        };
        let scan = &line.as_ref()[skip..];
        scan_line(
            scan,
            skip != 0,
            line_no,
            &mut self.window,
            &mut self.st,
            out,
        );
    }
}

/// In memory: the lines after the current one are at hand, so a line is scanned as soon
/// as it is reached; only the prefixes rejoined records took from lines ahead are kept.
struct SliceAhead<'a, 'p> {
    /// The data after the current line.
    data: &'a [u8],
    /// The number of its first line.
    first_line: usize,
    /// `(line number, consumed prefix)` of lines ahead, in line order.
    taken: &'p mut VecDeque<(usize, usize)>,
}

impl Ahead for SliceAhead<'_, '_> {
    fn offer(&mut self, mut take: impl FnMut(&[u8]) -> Option<usize>) -> bool {
        let mut rest = self.data;
        for line_no in self.first_line..self.first_line + REJOIN_WINDOW {
            if rest.is_empty() {
                break;
            }
            let (line, next) = split_line(rest);
            rest = next;
            let at = self.taken.iter().position(|&(n, _)| n >= line_no);
            let skip = match at.map(|i| self.taken[i]) {
                Some((n, skip)) if n == line_no => skip,
                _ => 0,
            };
            if let Some(n) = take(&line[skip..]) {
                match at {
                    Some(i) if self.taken[i].0 == line_no => self.taken[i].1 += n,
                    Some(i) => self.taken.insert(i, (line_no, n)),
                    None => self.taken.push_back((line_no, n)),
                }
                return true;
            }
        }
        false
    }
}

/// The first line of `data` without its line ending (`\n`, `\r\n`, or none at the end),
/// and the data after it.
#[inline(always)]
fn split_line(data: &[u8]) -> (&[u8], &[u8]) {
    let (line, next) = match memchr::memchr(b'\n', data) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b""[..]),
    };
    (line.strip_suffix(b"\r").unwrap_or(line), next)
}

/// A line that is exactly one gc record, decoded into `gc` straight from `data` (no
/// search for the line's end first: the record's grammar has no line break in it).
/// Returns the data after the line.
#[inline(always)]
fn record_line<'a>(data: &'a [u8], gc: &mut GcSlot) -> Option<&'a [u8]> {
    if !data.starts_with(b"gc ") {
        return None;
    }
    match &data[gc.parse(data)?..] {
        [] | [b'\r'] => Some(&[]),
        [b'\n', next @ ..] | [b'\r', b'\n', next @ ..] => Some(next),
        _ => None,
    }
}

/// `s` starts with `gc <digits> @`: where a record starts.
fn is_record_start(s: &[u8]) -> bool {
    let mut c = Cursor::new(s, 0);
    c.lit(b"gc ").is_some() && c.int().is_some() && c.lit(b" @").is_some()
}

/// Scans a whole log held in memory, calling `f` for every recognised item in order.
///
/// ```
/// use gctrace_parse::{scan, Event};
/// let log = b"hello\ngc 1 @0.01s 1%: 0.01+0.2+0.003 ms clock, 0.04+0/0.1/0+0.01 ms cpu, 4->4->0 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 4 P\n";
/// let mut cycles = 0;
/// scan(log, |item| if let Event::Gc { .. } = item.event { cycles += 1 });
/// assert_eq!(cycles, 1);
/// ```
pub fn scan(data: &[u8], mut f: impl FnMut(&Item)) {
    let mut st = State::new();
    let mut taken = VecDeque::new();
    let mut line_no = 0;
    let mut rest = data;
    while !rest.is_empty() {
        line_no += 1;
        let skip = match taken.front() {
            Some(&(n, skip)) if n == line_no => {
                taken.pop_front();
                skip
            }
            _ => 0,
        };
        if skip == 0
            && let Some(next) = record_line(rest, &mut st.gc)
        {
            if st.pending.blocks(line_no) {
                f(&Item {
                    line: line_no,
                    event: Event::Unrecovered(Unrecovered::Ambiguous),
                });
            } else {
                st.gc.emit(line_no, false, false, &mut f);
            }
            rest = next;
            continue;
        }
        let (line, next) = split_line(rest);
        let mut ahead = SliceAhead {
            data: next,
            first_line: line_no + 1,
            taken: &mut taken,
        };
        scan_line(
            &line[skip..],
            skip != 0,
            line_no,
            &mut ahead,
            &mut st,
            &mut f,
        );
        rest = next;
    }
}

/// Scans a log from a reader, line by line, with memory bounded by a few lines of at most
/// [`MAX_LINE`] bytes each.
///
/// ```
/// use gctrace_parse::{scan_reader, Event};
/// let log = &b"GC forced\ngc 2 @1.5s 0%: 0.01+1+0.01 ms clock, 0.1+0/1/0+0.1 ms cpu, 1->1->0 MB, 4 MB goal, 2 P\n"[..];
/// let mut kinds = Vec::new();
/// scan_reader(log, |item| kinds.push(item.event)).unwrap();
/// assert_eq!(kinds.len(), 2);
/// assert_eq!(kinds[0], Event::GcForced);
/// ```
pub fn scan_reader(mut r: impl BufRead, mut f: impl FnMut(&Item)) -> Result<()> {
    let mut engine: Engine<Vec<u8>> = Engine::new();
    let mut line_no = 0;
    loop {
        let mut line = Vec::new();
        let mut truncated = false;
        // Read one line, keeping at most MAX_LINE bytes of it.
        loop {
            let buf = r.fill_buf().map_err(|source| Error::Io {
                line: line_no + 1,
                source,
            })?;
            if buf.is_empty() {
                break;
            }
            let (chunk, used, done) = match memchr::memchr(b'\n', buf) {
                Some(i) => (&buf[..i], i + 1, true),
                None => (buf, buf.len(), false),
            };
            let room = MAX_LINE.saturating_sub(line.len());
            line.extend_from_slice(&chunk[..chunk.len().min(room)]);
            truncated |= chunk.len() > room;
            r.consume(used);
            if done {
                line.push(b'\n');
                break;
            }
        }
        if line.is_empty() {
            break;
        }
        line_no += 1;
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        if line.last() == Some(&b'\r') && !truncated {
            line.pop();
        }
        engine.push(line, line_no, &mut f);
    }
    engine.finish(&mut f);
    Ok(())
}
