//! The procs the merge may take an event from, kept in the order Go's scan visits them
//! (`availableProcs`: a slice where a taken proc is replaced by the last one), but
//! without rescanning procs whose next event waits for a goroutine state: those are
//! filed under the state they wait for and woken when their goroutine reaches it. Go
//! rescans every waiting proc for every event (quadratic in procs × events); the visits
//! here happen in exactly the same order, so ties between equal timestamps are broken as
//! Go's scan breaks them.

use std::collections::BTreeSet;

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use crate::table::IdHasher;

/// Position marker for a proc that is not available.
const GONE: usize = usize::MAX;

/// What a waiting proc's next event needs: goroutine, status and sequence number (or
/// "any sequence").
pub(crate) type WaitKey = (u64, u8, u64);

#[derive(Debug, Default)]
pub(crate) struct Available {
    /// Proc indexes in Go's order.
    order: Vec<usize>,
    /// Proc index → its position in `order`.
    pos: Vec<usize>,
    /// Positions of the procs to visit: ready ones and ones that need their next batch.
    todo: BTreeSet<usize>,
    waiting: HashMap<WaitKey, Vec<usize>, BuildHasherDefault<IdHasher>>,
}

impl Available {
    /// All `n` procs, each to be visited.
    pub(crate) fn new(n: usize) -> Available {
        Available {
            order: (0..n).collect(),
            pos: (0..n).collect(),
            todo: (0..n).collect(),
            waiting: HashMap::default(),
        }
    }

    /// The next proc to visit, in Go's scan order, with its position.
    pub(crate) fn next(&mut self) -> Option<(usize, usize)> {
        let i = self.todo.pop_first()?;
        Some((i, self.order[i]))
    }

    /// Takes the proc at position `i` out, moving the last one into its place (Go's
    /// swap-remove); that one is visited next if it was to be visited.
    pub(crate) fn remove(&mut self, i: usize) {
        let last = self.order.len() - 1;
        let p = self.order.swap_remove(i);
        self.pos[p] = GONE;
        if i != last {
            self.pos[self.order[i]] = i;
            if self.todo.remove(&last) {
                self.todo.insert(i);
            }
        }
    }

    /// The proc at position `i` is to be visited again right away (it loaded an empty
    /// batch and needs the next one).
    pub(crate) fn revisit(&mut self, i: usize) {
        self.todo.insert(i);
    }

    /// Appends proc `p` (after it gave an event), to be visited.
    pub(crate) fn push(&mut self, p: usize) {
        self.pos[p] = self.order.len();
        self.todo.insert(self.order.len());
        self.order.push(p);
    }

    /// Proc `p` (still in place) waits for `key`.
    pub(crate) fn wait(&mut self, p: usize, key: WaitKey) {
        self.waiting.entry(key).or_default().push(p);
    }

    /// Goroutine `g` reached `status` at sequence `seq`: the procs waiting for exactly
    /// that (or for the status at any sequence, `any`) are to be visited.
    pub(crate) fn wake(&mut self, g: u64, status: u8, seq: u64, any: u64) {
        for key in [(g, status, seq), (g, status, any)] {
            for p in self.waiting.remove(&key).unwrap_or_default() {
                if self.pos[p] != GONE {
                    self.todo.insert(self.pos[p]);
                }
            }
        }
    }
}
