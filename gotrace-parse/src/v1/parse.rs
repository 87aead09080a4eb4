//! The v1 parser's passes: find the batches (and CPU samples), merge the per-P batches
//! into one stream (`merge.rs`), convert ticks to nanoseconds, then check the stream
//! (`check.rs`) — Go's `tracev1.Parse`, which loads the whole trace. The parser owns
//! what the events refer to (stacks, frames, inline strings) and the per-P state that
//! decoding a batch needs; reading bytes is the [`WireReader`]'s.

use std::collections::{HashMap, HashSet, VecDeque};

use super::spec::{Ev, arg_num, desc, fake_p, is_block, t};
use super::wire::{RawError, RawEvent, SKIP_ARGS, SKIP_STRINGS, WireReader};
use super::{TIME_ORDER, check, merge};
use crate::error::Error;
use crate::table::IdMap;

/// Where a batch starts and how many events it holds (its capacity when loaded).
#[derive(Debug, Clone, Copy)]
struct BatchOffset {
    offset: usize,
    num_events: usize,
}

/// A frame as the trace describes it: string IDs for function and file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame {
    pub(crate) func: u64,
    pub(crate) file: u64,
    pub(crate) line: u64,
}

/// Go's `tracev1.Trace`: the sorted events and the tables they refer to (strings as byte
/// ranges of the input).
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub(crate) events: Vec<Ev>,
    pub(crate) strings: IdMap<u64, (usize, usize)>,
    pub(crate) inline_strings: Vec<(usize, usize)>,
    /// Stack ID → range of `pcs`.
    pub(crate) stacks: IdMap<u32, (usize, usize)>,
    pub(crate) pcs: Vec<u64>,
    pub(crate) frames: IdMap<u64, Frame>,
}

/// State of the v1 parser over the bytes after the header.
pub(crate) struct Parser<'d> {
    wire: WireReader<'d>,
    inline_strings: Vec<(usize, usize)>,
    inline_map: HashMap<&'d [u8], usize>,
    batch_offsets: IdMap<i32, VecDeque<BatchOffset>>,
    stacks: IdMap<u32, (usize, usize)>,
    pcs: Vec<u64>,
    frames: IdMap<u64, Frame>,
    ticks_per_sec: i64,
    cpu_samples: Vec<Ev>,
    timer_goids: HashSet<u64>,
    last_ts: i64,
    last_g: u64,
    last_gs: IdMap<i32, u64>,
    last_p: i32,
}

/// `Timestamp(float64(d) * freq)` as Go computes it on amd64: out of range (or NaN)
/// gives `i64::MIN`.
fn scale(d: i64, freq: f64) -> i64 {
    let x = d as f64 * freq;
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if (-TWO_63..TWO_63).contains(&x) {
        x as i64
    } else {
        i64::MIN
    }
}

impl<'d> Parser<'d> {
    pub(crate) fn new(data: &'d [u8], base: usize, ver: u32) -> Parser<'d> {
        Parser {
            wire: WireReader::new(data, base, ver),
            inline_strings: Vec::new(),
            inline_map: HashMap::new(),
            batch_offsets: IdMap::default(),
            stacks: IdMap::default(),
            pcs: Vec::new(),
            frames: IdMap::default(),
            ticks_per_sec: 0,
            cpu_samples: Vec::new(),
            timer_goids: HashSet::new(),
            last_ts: 0,
            last_g: 0,
            last_gs: IdMap::default(),
            last_p: 0,
        }
    }

    fn error_at(&self, offset: usize, reason: impl Into<String>) -> Error {
        self.wire.error_at(offset, reason)
    }

    /// Parses, merges, converts and checks the whole trace.
    pub(crate) fn parse(mut self) -> Result<Parsed, Error> {
        self.collect_batches_and_cpu_samples()?;
        // Go visits the procs in map order, which is random: events of different procs
        // with equal timestamps can come out either way. Ascending proc IDs is our fixed
        // choice (it is also the order Go happened to take for the corpus oracles).
        let mut pids: Vec<i32> = self.batch_offsets.keys().copied().collect();
        pids.sort_unstable();
        // Every event (CPU samples too) was counted in the first pass, each at least one
        // byte of the input.
        let total: usize = self
            .batch_offsets
            .values()
            .flatten()
            .map(|b| b.num_events)
            .sum();
        let samples = std::mem::take(&mut self.cpu_samples);
        let capacity = total.min(self.wire.data().len());
        let mut events =
            merge::merge_batches(&pids, samples, capacity, |pid| self.load_batch(pid))?;
        if self.ticks_per_sec == 0 {
            return Err(self.error_at(self.wire.data().len(), "no EvFrequency event"));
        }
        if let Some(first) = events.first() {
            let min_ts = first.ts;
            let freq = 1e9 / self.ticks_per_sec as f64;
            for ev in &mut events {
                ev.ts = scale(ev.ts.wrapping_sub(min_ts), freq);
                if ev.typ == t::GO_UNBLOCK && self.timer_goids.contains(&ev.g) {
                    ev.p = fake_p::TIMER;
                }
                if ev.typ == t::GO_SYS_EXIT {
                    ev.p = fake_p::SYSCALL;
                }
            }
        }
        check::post_process(&mut events, &self.stacks)?;
        Ok(Parsed {
            events,
            strings: self.wire.into_strings(),
            inline_strings: self.inline_strings,
            stacks: self.stacks,
            pcs: self.pcs,
            frames: self.frames,
        })
    }

    /// First pass: where each proc's batches are, and the CPU samples.
    fn collect_batches_and_cpu_samples(&mut self) -> Result<(), Error> {
        let mut raw = RawEvent::default();
        let mut cur_p: i32 = 0;
        loop {
            match self.wire.read_raw_event(SKIP_ARGS | SKIP_STRINGS, &mut raw) {
                Ok(()) => {}
                Err(RawError::Eof) => return Ok(()),
                Err(e) => return Err(self.wire.raw_error(e)),
            }
            if raw.typ == t::NONE {
                continue;
            }
            if raw.typ == t::BATCH {
                let list = self.batch_offsets.entry(raw.batch_pid).or_default();
                list.push_back(BatchOffset {
                    offset: raw.batch_offset,
                    num_events: 0,
                });
                cur_p = raw.batch_pid;
            }
            let Some(last) = self
                .batch_offsets
                .get_mut(&cur_p)
                .and_then(|l| l.back_mut())
            else {
                return Err(self.error_at(
                    raw.offset,
                    format!(
                        "read event {} with current P of {cur_p}, but P has no batches yet",
                        raw.typ
                    ),
                ));
            };
            last.num_events += 1;
            if raw.typ == t::CPU_SAMPLE {
                let narg = arg_num(raw.typ, raw.args.len());
                if raw.args.len() != narg {
                    return Err(self.error_at(
                        raw.offset,
                        format!(
                            "CPU sample has wrong number of arguments: want {narg}, got {}",
                            raw.args.len()
                        ),
                    ));
                }
                // [dt, real timestamp, P, G, stack]: the sample's own timestamp orders it.
                self.cpu_samples.push(Ev {
                    ts: raw.args[1] as i64,
                    p: raw.args[2] as i32,
                    g: raw.args[3],
                    stk: raw.args[4] as u32,
                    args: [0, raw.args[2], raw.args[3], 0],
                    typ: t::CPU_SAMPLE,
                    off: self.wire.file_offset(raw.offset),
                });
            }
        }
    }

    /// Reads the next batch of proc `pid`; `None` when it has no more.
    fn load_batch(&mut self, pid: i32) -> Result<Option<Vec<Ev>>, Error> {
        let Some(bo) = self.batch_offsets.get_mut(&pid).and_then(|l| l.pop_front()) else {
            return Ok(None);
        };
        self.wire.seek(bo.offset);
        // Each counted event took at least one byte, so this is bounded by the input.
        let mut events = Vec::with_capacity(bo.num_events.min(self.wire.data().len()));
        let mut got_header = false;
        let mut raw = RawEvent::default();
        loop {
            match self.wire.read_raw_event(0, &mut raw) {
                Ok(()) => {}
                Err(RawError::Eof) => break,
                Err(e) => return Err(self.wire.raw_error(e)),
            }
            if raw.typ == t::NONE || raw.typ == t::CPU_SAMPLE {
                continue;
            }
            if raw.typ == t::BATCH {
                if got_header {
                    break;
                }
                got_header = true;
            }
            if let Some(ev) = self.parse_event(&raw)? {
                events.push(ev);
            }
        }
        Ok(Some(events))
    }

    /// Go's `parseEvent`: checks the argument count and turns a raw event into an event
    /// (or updates the parser's tables for stacks, frequency and batch headers).
    fn parse_event(&mut self, raw: &RawEvent) -> Result<Option<Ev>, Error> {
        let d = desc(raw.typ);
        let narg = arg_num(raw.typ, raw.args.len());
        let args = &raw.args;
        if args.len() != narg {
            return Err(self.error_at(
                raw.offset,
                format!(
                    "{} has wrong number of arguments: want {narg}, got {}",
                    d.name,
                    args.len()
                ),
            ));
        }
        match raw.typ {
            t::BATCH => {
                self.last_gs.insert(self.last_p, self.last_g);
                if args[0] != u64::MAX && args[0] > i32::MAX as u64 {
                    return Err(self.error_at(
                        raw.offset,
                        format!(
                            "processor ID {} is larger than maximum of {}",
                            args[0],
                            i32::MAX
                        ),
                    ));
                }
                self.last_p = if args[0] == u64::MAX {
                    -1
                } else {
                    args[0] as i32
                };
                self.last_g = self.last_gs.get(&self.last_p).copied().unwrap_or(0);
                self.last_ts = args[1] as i64;
            }
            t::FREQUENCY => {
                self.ticks_per_sec = args[0] as i64;
                if self.ticks_per_sec <= 0 {
                    // Most likely tick skew between CPUs.
                    return Err(self.error_at(raw.offset, TIME_ORDER));
                }
            }
            t::TIMER_GOROUTINE => {
                self.timer_goids.insert(args[0]);
            }
            t::STACK => self.parse_stack(raw)?,
            t::CPU_SAMPLE => {}
            typ => {
                let mut ev = Ev {
                    typ,
                    p: self.last_p,
                    g: self.last_g,
                    off: self.wire.file_offset(raw.offset),
                    ..Ev::default()
                };
                ev.ts = self.last_ts.wrapping_add(args[0] as i64);
                self.last_ts = ev.ts;
                for (i, &a) in args.iter().enumerate().take(narg).skip(1) {
                    if i == narg - 1 && d.stack {
                        ev.stk = a as u32;
                    } else if let Some(slot) = ev.args.get_mut(i - 1) {
                        *slot = a;
                    }
                }
                match typ {
                    t::GO_START | t::GO_START_LOCAL | t::GO_START_LABEL => {
                        self.last_g = ev.args[0];
                        ev.g = self.last_g;
                    }
                    t::GO_END | t::GO_STOP | t::GO_SCHED | t::GO_PREEMPT | t::GO_SYS_BLOCK => {
                        self.last_g = 0
                    }
                    x if is_block(x) => self.last_g = 0,
                    t::GO_SYS_EXIT | t::GO_WAITING | t::GO_IN_SYSCALL => ev.g = ev.args[0],
                    t::USER_LOG => {
                        // Messages are written inline; Go numbers the distinct ones.
                        let (s, n) = raw.sarg.unwrap_or((0, 0));
                        let text = &self.wire.data()[s..s + n];
                        let id = match self.inline_map.get(text) {
                            Some(&id) => id,
                            None => {
                                let id = self.inline_strings.len();
                                self.inline_map.insert(text, id);
                                self.inline_strings.push((s, n));
                                id
                            }
                        };
                        ev.args[3] = id as u64;
                    }
                    _ => {}
                }
                return Ok(Some(ev));
            }
        }
        Ok(None)
    }

    fn parse_stack(&mut self, raw: &RawEvent) -> Result<(), Error> {
        let args = &raw.args;
        if args.len() < 2 {
            return Err(self.error_at(
                raw.offset,
                format!(
                    "EvStack has wrong number of arguments: want at least 2, got {}",
                    args.len()
                ),
            ));
        }
        let size = args[1];
        if size > 1000 {
            return Err(self.error_at(
                raw.offset,
                format!("EvStack has bad number of frames: {size}"),
            ));
        }
        let want = 2 + 4 * size;
        if args.len() as u64 != want {
            return Err(self.error_at(
                raw.offset,
                format!(
                    "EvStack has wrong number of arguments: want {want}, got {}",
                    args.len()
                ),
            ));
        }
        let id = args[0] as u32;
        if id != 0 && size > 0 {
            let start = self.pcs.len();
            for f in args[2..].chunks_exact(4) {
                let pc = f[0];
                self.pcs.push(pc);
                self.frames.entry(pc).or_insert(Frame {
                    func: f[1],
                    file: f[2],
                    line: f[3],
                });
            }
            self.stacks.insert(id, (start, size as usize));
        }
        Ok(())
    }
}
