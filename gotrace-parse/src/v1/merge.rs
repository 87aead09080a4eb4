//! Merging the per-P batches into one stream (Go's `parseEventBatches`): events within a
//! batch are in order; across procs, the next event is the earliest one whose goroutine
//! is in the state (and at the sequence number) the event expects. Then `GoSysExit` gets
//! the syscall's real exit time and the stream is sorted by time (stable).

use super::avail::Available;
use super::spec::{Ev, Status, fake_p, is_block, t};
use super::{TIME_ORDER, invalid};
use crate::error::Error;
use crate::table::IdMap;

const UNORDERED: u64 = u64::MAX;
const GARBAGE: u64 = u64::MAX - 1;
const NOSEQ: u64 = u64::MAX;
const SEQINC: u64 = u64::MAX - 1;

/// A goroutine's ordering state: sequence number and status.
#[derive(Debug, Clone, Copy, Default)]
struct GState {
    seq: u64,
    status: Status,
}

const fn gs(seq: u64, status: Status) -> GState {
    GState { seq, status }
}

/// The goroutine an event orders on, the state it needs, and the state it leaves.
fn state_transition(ev: &Ev) -> (u64, GState, GState) {
    use Status::*;
    let a = &ev.args;
    match ev.typ {
        t::GO_CREATE => (a[0], gs(0, Dead), gs(1, Runnable)),
        t::GO_WAITING | t::GO_IN_SYSCALL => (ev.g, gs(1, Runnable), gs(2, Waiting)),
        t::GO_START | t::GO_START_LABEL => {
            (ev.g, gs(a[1], Runnable), gs(a[1].wrapping_add(1), Running))
        }
        // Emitted on the same P as the event that made the goroutine runnable, which is
        // therefore already merged.
        t::GO_START_LOCAL => (ev.g, gs(NOSEQ, Runnable), gs(SEQINC, Running)),
        x if x == t::GO_SYS_BLOCK || is_block(x) => (ev.g, gs(NOSEQ, Running), gs(NOSEQ, Waiting)),
        t::GO_SCHED | t::GO_PREEMPT => (ev.g, gs(NOSEQ, Running), gs(NOSEQ, Runnable)),
        t::GO_UNBLOCK | t::GO_SYS_EXIT => {
            (a[0], gs(a[1], Waiting), gs(a[1].wrapping_add(1), Runnable))
        }
        t::GO_UNBLOCK_LOCAL | t::GO_SYS_EXIT_LOCAL => {
            (a[0], gs(NOSEQ, Waiting), gs(SEQINC, Runnable))
        }
        t::GC_START => (GARBAGE, gs(a[0], Dead), gs(a[0].wrapping_add(1), Dead)),
        _ => (UNORDERED, GState::default(), GState::default()),
    }
}

fn ready(g: u64, curr: GState, init: GState) -> bool {
    g == UNORDERED || (init.seq == NOSEQ || init.seq == curr.seq) && init.status == curr.status
}

/// One proc's events: the loaded batch and how far it has been consumed.
struct Proc {
    pid: i32,
    events: Vec<Ev>,
    pos: usize,
    done: bool,
}

/// Go's binary heap of (event, proc) ordered by time only: ties come out in the order
/// this exact algorithm gives.
#[derive(Default)]
struct Frontier(Vec<(Ev, usize)>);

impl Frontier {
    fn less(&self, i: usize, j: usize) -> bool {
        self.0[i].0.ts < self.0[j].0.ts
    }

    fn push(&mut self, x: (Ev, usize)) {
        self.0.push(x);
        let mut j = self.0.len() - 1;
        while j > 0 {
            let i = (j - 1) / 2;
            if !self.less(j, i) {
                break;
            }
            self.0.swap(i, j);
            j = i;
        }
    }

    fn pop(&mut self) -> Option<(Ev, usize)> {
        let n = self.0.len().checked_sub(1)?;
        self.0.swap(0, n);
        let mut i = 0;
        loop {
            let j1 = 2 * i + 1;
            if j1 >= n {
                break;
            }
            let mut j = j1;
            if j1 + 1 < n && self.less(j1 + 1, j1) {
                j = j1 + 1;
            }
            if !self.less(j, i) {
                break;
            }
            self.0.swap(i, j);
            i = j;
        }
        self.0.pop()
    }
}

/// Go's `parseEventBatches` over the procs `pids` (in the order they are visited) and
/// the CPU `samples`, with room for `capacity` events. `load_batch(pid)` decodes a proc's
/// next batch (`None` when it has no more): batches are decoded only when the merge
/// reaches them, because decoding one depends on (and errors come in) that order.
pub(crate) fn merge_batches(
    pids: &[i32],
    mut samples: Vec<Ev>,
    capacity: usize,
    mut load_batch: impl FnMut(i32) -> Result<Option<Vec<Ev>>, Error>,
) -> Result<Vec<Ev>, Error> {
    // Samples are written late by a separate goroutine: order them by the time the
    // signal handler took, with Go's (unstable) sort so that ties match.
    crate::gosort::sort_by(&mut samples, |a, b| a.ts < b.ts);
    let mut procs: Vec<Proc> = pids
        .iter()
        .map(|&pid| Proc {
            pid,
            events: Vec::new(),
            pos: 0,
            done: false,
        })
        .collect();
    procs.push(Proc {
        pid: fake_p::PROFILE,
        events: samples,
        pos: 0,
        done: false,
    });
    let mut events = Vec::with_capacity(capacity);
    let mut gstates: IdMap<u64, GState> = IdMap::default();
    let mut frontier = Frontier::default();
    let mut available = Available::new(procs.len());
    loop {
        // Go's scan over the available procs: load the next batch of a proc that has
        // none, take the next event of each proc that can go next.
        while let Some((i, pi)) = available.next() {
            let proc = &mut procs[pi];
            if proc.pos == proc.events.len() {
                // Batches can be empty: keep loading until one has events.
                match load_batch(proc.pid)? {
                    None => {
                        proc.done = true;
                        available.remove(i);
                        continue;
                    }
                    Some(evs) => {
                        proc.events = evs;
                        proc.pos = 0;
                        if proc.events.is_empty() {
                            available.revisit(i);
                            continue;
                        }
                    }
                }
            }
            let ev = proc.events[proc.pos];
            let (g, init, _) = state_transition(&ev);
            let curr = gstates.get(&g).copied().unwrap_or_default();
            if !ready(g, curr, init) {
                available.wait(pi, (g, init.status as u8, init.seq));
                continue;
            }
            proc.pos += 1;
            available.remove(i);
            frontier.push((ev, pi));
        }
        let Some((mut ev, pi)) = frontier.pop() else {
            if let Some(p) = procs.iter().find(|p| !p.done) {
                let off = p.events.get(p.pos).map_or(0, |e| e.off);
                return Err(invalid(off, "no consistent ordering of events possible"));
            }
            break;
        };
        let (g, init, mut next) = state_transition(&ev);
        // "Local" events only matter for ordering.
        ev.typ = match ev.typ {
            t::GO_START_LOCAL => t::GO_START,
            t::GO_UNBLOCK_LOCAL => t::GO_UNBLOCK,
            t::GO_SYS_EXIT_LOCAL => t::GO_SYS_EXIT,
            other => other,
        };
        events.push(ev);
        if g != UNORDERED {
            let curr = gstates.get(&g).copied().unwrap_or_default();
            if !ready(g, curr, init) {
                return Err(invalid(
                    ev.off,
                    "encountered impossible goroutine state transition",
                ));
            }
            next.seq = match next.seq {
                NOSEQ => curr.seq,
                SEQINC => curr.seq.wrapping_add(1),
                s => s,
            };
            gstates.insert(g, next);
            available.wake(g, next.status as u8, next.seq, NOSEQ);
        }
        available.push(pi);
    }
    if let Some(w) = events.windows(2).find(|w| w[1].ts < w[0].ts) {
        return Err(invalid(w[1].off, TIME_ORDER));
    }
    // A syscall's real exit time was taken before the event was written; apply it
    // only now, so that a broken clock shows as an ordering error rather than a
    // misplaced event.
    let mut last_sys_block: IdMap<u64, i64> = IdMap::default();
    for ev in &mut events {
        match ev.typ {
            t::GO_SYS_BLOCK | t::GO_IN_SYSCALL => {
                last_sys_block.insert(ev.g, ev.ts);
            }
            t::GO_SYS_EXIT => {
                let ts = ev.args[2] as i64;
                if ts == 0 {
                    continue;
                }
                let block = last_sys_block.get(&ev.g).copied().unwrap_or(0);
                if block == 0 {
                    return Err(invalid(ev.off, "stray syscall exit"));
                }
                if ts < block {
                    return Err(invalid(ev.off, TIME_ORDER));
                }
                ev.ts = ts;
            }
            _ => {}
        }
    }
    events.sort_by_key(|e| e.ts);
    Ok(events)
}
