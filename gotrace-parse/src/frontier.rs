//! The frontier: one cursor per thread's batches, kept in a binary min-heap by the time of
//! each cursor's next event, with exactly the sift operations of Go's reader (ties between
//! equal timestamps resolve the same way only if the heap moves the same way).

use crate::error::{Error, Location};
use crate::generation::BatchSpan;
use crate::order::BaseEvent;
use crate::spec;
use crate::table::Freq;
use crate::varint::read_uvs;

/// Reading position in one thread's batches of the current generation.
#[derive(Debug, Clone)]
pub(crate) struct BatchCursor {
    /// Thread.
    pub(crate) m: i64,
    /// Index of the thread in the generation's batch list.
    pub(crate) mi: usize,
    last_ts: i64,
    /// Batch being read (meaningful once `begun`).
    idx: usize,
    begun: bool,
    /// Where the next event starts and the batch's data ends, in the generation's bytes.
    pos: usize,
    end: usize,
    /// Where `ev` starts, in the generation's bytes.
    ev_pos: usize,
    /// The next event.
    pub(crate) ev: BaseEvent,
    /// The thread's state slot in the ordering (`u32::MAX` until first looked up).
    pub(crate) m_slot: u32,
}

impl BatchCursor {
    pub(crate) fn new(m: i64, mi: usize) -> Self {
        BatchCursor {
            m,
            mi,
            last_ts: 0,
            idx: 0,
            begun: false,
            pos: 0,
            end: 0,
            ev_pos: 0,
            ev: BaseEvent {
                typ: 0,
                time: 0,
                args: [0; 4],
            },
            m_slot: u32::MAX,
        }
    }

    /// File offsets of `ev` and of its batch's header, for error locations.
    pub(crate) fn ev_location(&self, batches: &[BatchSpan], generation: u64) -> Location {
        let b = batches.get(self.idx);
        Location {
            generation,
            batch: b.map(|b| b.offset as u64),
            offset: b.map_or(0, |b| {
                b.data_offset + self.ev_pos.saturating_sub(b.data.start)
            }) as u64,
        }
    }

    /// Moves to the next batch with data; `false` when there is none.
    #[cold]
    fn next_batch(&mut self, batches: &[BatchSpan]) -> bool {
        let mut i = if self.begun { self.idx + 1 } else { 0 };
        self.last_ts = 0;
        while batches.get(i).is_some_and(|b| b.data.len == 0) {
            i += 1;
        }
        self.begun = true;
        self.idx = i;
        let Some(b) = batches.get(i) else {
            self.pos = 0;
            self.end = 0;
            return false;
        };
        self.pos = b.data.start;
        self.end = b.data.start + b.data.len;
        true
    }

    /// Reads the next event of the thread; `Ok(false)` when its batches are exhausted.
    #[inline(always)]
    pub(crate) fn next_event(
        &mut self,
        batches: &[BatchSpan],
        base: &[u8],
        freq: Freq,
        generation: u64,
    ) -> Result<bool, Error> {
        if self.pos == self.end && !self.next_batch(batches) {
            return Ok(false);
        }
        if self.last_ts == 0 {
            let time = batches.get(self.idx).map_or(0, |b| b.time);
            self.last_ts = freq.ticks_to_ns(time);
        }
        self.ev_pos = self.pos;
        let data = base.get(self.pos..self.end).unwrap_or(&[]);
        let (n, dt) = read_timed(data, &mut self.ev)
            .map_err(|r| Error::malformed(self.ev_location(batches, generation), r))?;
        self.ev.time = freq.ticks_to_ns(dt).wrapping_add(self.last_ts);
        self.last_ts = self.ev.time;
        self.pos += n;
        Ok(true)
    }
}

/// Decodes one timed event into `e` (type and arguments), returning its length and
/// timestamp delta. Errors use Go's wording.
#[inline(always)]
pub(crate) fn read_timed(b: &[u8], e: &mut BaseEvent) -> Result<(usize, u64), String> {
    let Some(&typ) = b.first() else {
        return Err("found event without a timestamp: no bytes left".to_string());
    };
    let meta = spec::META[typ as usize];
    let nargs = (meta & spec::META_NARGS) as usize;
    if meta & spec::META_TIMED == 0 || nargs == 0 {
        if typ > spec::ev::GOROUTINE_STACK_FREE {
            return Err(format!("found invalid event type: {typ}"));
        }
        return Err(format!("found event without a timestamp: type={typ}"));
    }
    let mut n = 1;
    let a = read_uvs(b, &mut n, nargs).map_err(|(i, _)| {
        if i == 0 {
            "found invalid uvarint for timestamp".to_string()
        } else {
            "found invalid uvarint".to_string()
        }
    })?;
    e.typ = typ;
    e.args = [a[1], a[2], a[3], a[4]];
    let ts = a[0];
    Ok((n, ts))
}

/// A frontier entry: the time of a cursor's next event and the cursor's index. The heap
/// moves these 16-byte entries, not the cursors.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Slot {
    pub(crate) time: i64,
    pub(crate) cursor: u32,
}

pub(crate) fn heap_insert(heap: &mut Vec<Slot>, s: Slot) {
    heap.push(s);
    let last = heap.len() - 1;
    sift_up(heap, last);
}

#[inline]
pub(crate) fn heap_update(heap: &mut [Slot], i: usize) {
    if sift_up(heap, i) != i {
        return;
    }
    sift_down(heap, i);
}

pub(crate) fn heap_remove(heap: &mut Vec<Slot>, mut i: usize) {
    while i > 0 {
        heap.swap((i - 1) / 2, i);
        i = (i - 1) / 2;
    }
    let last = heap.len() - 1;
    heap.swap(0, last);
    heap.pop();
    sift_down(heap, 0);
}

// Both sifts carry the moving entry in registers and shift the others over the hole it
// leaves, writing it once where it stops: the same moves as Go's swaps, so the same heap,
// without a store and reload per level (the swaps were a fifth of ordering a trace).

fn sift_up(heap: &mut [Slot], i: usize) -> usize {
    let Some(&x) = heap.get(i) else { return i };
    let mut hole = i;
    while hole > 0 {
        let parent = (hole - 1) / 2;
        let p = heap[parent];
        if p.time <= x.time {
            break;
        }
        heap[hole] = p;
        hole = parent;
    }
    heap[hole] = x;
    hole
}

fn sift_down(heap: &mut [Slot], i: usize) -> usize {
    let Some(&x) = heap.get(i) else { return i };
    let n = heap.len();
    let mut hole = i;
    loop {
        // The smallest of the entry and the hole's children, earlier ones winning ties.
        let (mut m, mut min_t) = (hole, x.time);
        let (l, r) = (2 * hole + 1, 2 * hole + 2);
        if l < n && heap[l].time < min_t {
            (m, min_t) = (l, heap[l].time);
        }
        if r < n && heap[r].time < min_t {
            m = r;
        }
        if m == hole {
            break;
        }
        heap[hole] = heap[m];
        hole = m;
    }
    heap[hole] = x;
    hole
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Go's `heapSiftUp`/`heapSiftDown`, swap by swap, as the reference.
    fn go_update(heap: &mut [Slot], mut i: usize) {
        let start = i;
        while i > 0 && heap[(i - 1) / 2].time > heap[i].time {
            heap.swap((i - 1) / 2, i);
            i = (i - 1) / 2;
        }
        if i != start {
            return;
        }
        loop {
            let (l, r) = (2 * i + 1, 2 * i + 2);
            let mut m = i;
            if l < heap.len() && heap[l].time < heap[m].time {
                m = l;
            }
            if r < heap.len() && heap[r].time < heap[m].time {
                m = r;
            }
            if m == i {
                return;
            }
            heap.swap(i, m);
            i = m;
        }
    }

    /// Updates with many equal times (where the arrangement decides which thread goes
    /// first) leave the heap exactly as Go's swaps do.
    #[test]
    fn sifts_move_entries_like_gos_swaps() {
        let mut rng = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        for _ in 0..2000 {
            let n = (next() % 12) as usize + 1;
            let mut ours = Vec::new();
            for c in 0..n {
                heap_insert(
                    &mut ours,
                    Slot {
                        time: (next() % 8) as i64,
                        cursor: c as u32,
                    },
                );
            }
            let mut go = ours.clone();
            for _ in 0..50 {
                let i = (next() % n as u64) as usize;
                let t = (next() % 10) as i64;
                ours[i].time = t;
                go[i].time = t;
                heap_update(&mut ours, i);
                go_update(&mut go, i);
                let key = |h: &[Slot]| h.iter().map(|s| (s.time, s.cursor)).collect::<Vec<_>>();
                assert_eq!(key(&ours), key(&go));
            }
        }
    }
}
