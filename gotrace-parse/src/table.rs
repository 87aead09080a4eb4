//! Per-generation tables: strings, stacks, frames, clock and frequency, experimental batches.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

/// A fast hasher for integer IDs (multiply-rotate; IDs are not attacker-chosen hash keys
/// in any way that matters: the worst case is slower lookups, never unbounded memory).
#[derive(Default, Clone, Copy)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ b as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    #[inline]
    fn write_i64(&mut self, i: i64) {
        self.write_u64(i as u64)
    }
}

/// `HashMap` keyed by integer IDs.
pub(crate) type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

/// Goroutine and proc IDs below this are looked up by index in a [`SmallIdMap`].
const DENSE_IDS: i64 = 1 << 16;

/// A map from goroutine or proc IDs, which the runtime hands out from 0 or 1 upwards:
/// those below [`DENSE_IDS`] are found by index (most lookups of the ordering, one or two
/// per event), the rest (a long-running program's goroutines, -1 for none) are hashed.
/// Its dense part grows to the largest small ID seen, a few megabytes at most.
#[derive(Debug, Clone)]
pub(crate) struct SmallIdMap<V> {
    dense: Vec<Option<V>>,
    sparse: IdMap<i64, V>,
}

impl<V> Default for SmallIdMap<V> {
    fn default() -> Self {
        SmallIdMap {
            dense: Vec::new(),
            sparse: IdMap::default(),
        }
    }
}

impl<V> SmallIdMap<V> {
    #[inline(always)]
    fn slot(id: i64) -> Option<usize> {
        (0..DENSE_IDS).contains(&id).then_some(id as usize)
    }

    #[inline]
    pub(crate) fn get(&self, id: &i64) -> Option<&V> {
        match Self::slot(*id) {
            Some(i) => self.dense.get(i)?.as_ref(),
            None => self.sparse.get(id),
        }
    }

    #[inline]
    pub(crate) fn get_mut(&mut self, id: &i64) -> Option<&mut V> {
        match Self::slot(*id) {
            Some(i) => self.dense.get_mut(i)?.as_mut(),
            None => self.sparse.get_mut(id),
        }
    }

    #[inline]
    pub(crate) fn contains_key(&self, id: &i64) -> bool {
        self.get(id).is_some()
    }

    /// Inserts, returning the value the ID had.
    pub(crate) fn insert(&mut self, id: i64, v: V) -> Option<V> {
        match Self::slot(id) {
            Some(i) => {
                if i >= self.dense.len() {
                    self.dense.resize_with(i + 1, || None);
                }
                self.dense[i].replace(v)
            }
            None => self.sparse.insert(id, v),
        }
    }

    /// Removes, returning the value the ID had.
    pub(crate) fn remove(&mut self, id: &i64) -> Option<V> {
        match Self::slot(*id) {
            Some(i) => self.dense.get_mut(i)?.take(),
            None => self.sparse.remove(id),
        }
    }
}

/// An ID → value table: sparse while it is filled, dense afterwards when the IDs allow.
/// ID 0 always resolves to the default value, as in Go's reader.
#[derive(Debug, Clone)]
pub(crate) struct IdTable<T> {
    sparse: IdMap<u64, T>,
    dense: Vec<Option<T>>,
}

impl<T> Default for IdTable<T> {
    fn default() -> Self {
        IdTable {
            sparse: IdMap::default(),
            dense: Vec::new(),
        }
    }
}

impl<T: Clone + Default> IdTable<T> {
    /// Inserts; returns the existing value if the ID is taken.
    pub(crate) fn insert(&mut self, id: u64, v: T) -> Result<(), T> {
        if id == 0 {
            return Err(T::default());
        }
        if let Some(old) = self.sparse.get(&id) {
            return Err(old.clone());
        }
        self.sparse.insert(id, v);
        Ok(())
    }

    /// Makes lookups a vector index when the IDs are dense enough.
    pub(crate) fn compactify(&mut self) {
        let n = self.sparse.len();
        let Some(&max) = self.sparse.keys().max() else {
            return;
        };
        if max as usize as u64 != max || max as usize > 2 * n + 16 {
            return;
        }
        let mut dense = vec![None; max as usize + 1];
        for (id, v) in self.sparse.drain() {
            dense[id as usize] = Some(v);
        }
        self.dense = dense;
    }

    #[inline]
    pub(crate) fn get(&self, id: u64) -> Option<&T> {
        if id == 0 {
            return None;
        }
        match self.dense.get(id as usize) {
            Some(v) => v.as_ref(),
            None => self.sparse.get(&id),
        }
    }

    /// Whether `id` resolves (0 always does).
    #[inline]
    pub(crate) fn contains(&self, id: u64) -> bool {
        id == 0 || self.get(id).is_some()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (u64, &T)> {
        self.dense
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.as_ref().map(|v| (i as u64, v)))
            .chain(self.sparse.iter().map(|(k, v)| (*k, v)))
    }
}

/// A generation's clock: nanoseconds per trace clock tick, as Go's reader derives it from
/// the `Frequency` event (`1 / (ticksPerSec / 1e9)`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Freq {
    /// Nanoseconds per tick (0 until a `Frequency` event is seen).
    per_tick: f64,
    /// `per_tick` when it is a whole number (64 on amd64, where the runtime's clock is
    /// `nanotime() / 64`), else 0.
    whole: u64,
    /// Tick counts below this convert with integer arithmetic (0: never).
    exact_below: u64,
}

impl Freq {
    /// The clock of a `Frequency` event's value.
    pub(crate) fn from_ticks_per_sec(ticks_per_sec: u64) -> Freq {
        let per_tick = 1.0 / (ticks_per_sec as f64 / 1e9);
        const TWO_53: u64 = 1 << 53;
        let (whole, exact_below) =
            if per_tick >= 1.0 && per_tick < TWO_53 as f64 && per_tick.fract() == 0.0 {
                // Below 2^53 both factors and their product are exact in an f64, so the
                // float product Go computes is the integer product.
                let w = per_tick as u64;
                (w, TWO_53 / w)
            } else {
                (0, 0)
            };
        Freq {
            per_tick,
            whole,
            exact_below,
        }
    }

    /// Whether a `Frequency` event has been seen.
    pub(crate) fn is_set(self) -> bool {
        self.per_tick != 0.0
    }

    /// `Time(float64(ticks) * freq)` as Go computes it on amd64, the reference platform: a
    /// product outside the `i64` range (or NaN) converts to `i64::MIN` (CVTTSD2SI's
    /// "integer indefinite"), where Rust's `as` would saturate.
    #[inline(always)]
    pub(crate) fn ticks_to_ns(self, ticks: u64) -> i64 {
        if ticks < self.exact_below {
            return (ticks * self.whole) as i64;
        }
        let x = ticks as f64 * self.per_tick;
        const TWO_63: f64 = 9_223_372_036_854_775_808.0;
        // NaN is outside every range, like the out-of-range values.
        if !(-TWO_63..TWO_63).contains(&x) {
            i64::MIN
        } else {
            x as i64
        }
    }
}

/// Where a stack's PCs live in [`Table::pcs`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct StackSpan {
    pub(crate) start: u32,
    pub(crate) len: u32,
}

/// A frame as stored in the table: string IDs, resolved when asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FrameIds {
    pub(crate) func: u64,
    pub(crate) file: u64,
    pub(crate) line: u64,
}

/// One stack frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'t> {
    /// Program counter.
    pub pc: u64,
    /// Function name (raw bytes; Go strings need not be UTF-8).
    pub func: &'t [u8],
    /// File name.
    pub file: &'t [u8],
    /// Line number.
    pub line: u64,
}

/// The clocks at one instant of a Go 1.25+ generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockSnapshot {
    /// Trace time in nanoseconds (the same clock as [`crate::Event::time`]).
    pub trace: i64,
    /// Monotonic clock reading in nanoseconds.
    pub mono: u64,
    /// Wall clock, seconds since the Unix epoch.
    pub wall_sec: u64,
    /// Wall clock, nanoseconds within the second.
    pub wall_nsec: u64,
}

/// Opaque data of an experimental batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExperimentalBatch<'t> {
    /// Experiment ID (see [`crate::spec::EXPERIMENTS`]).
    pub experiment: u8,
    /// Thread that wrote it.
    pub thread: i64,
    /// The bytes.
    pub data: &'t [u8],
}

/// Where a generation's bytes live: the caller's buffer (zero-copy over a whole trace in
/// memory) or a buffer the streaming reader filled with just this generation.
#[derive(Debug, Clone)]
pub(crate) enum Base<'a> {
    Slice(&'a [u8]),
    Owned(Arc<Vec<u8>>),
}

impl Default for Base<'_> {
    fn default() -> Self {
        Base::Slice(&[])
    }
}

impl Base<'_> {
    #[inline]
    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            Base::Slice(s) => s,
            Base::Owned(a) => a,
        }
    }
}

/// A byte range of [`Base`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: usize,
    pub(crate) len: usize,
}

impl Span {
    /// The span of `part`, a subslice of `base`.
    pub(crate) fn of(base: &[u8], part: &[u8]) -> Span {
        Span {
            start: (part.as_ptr() as usize).wrapping_sub(base.as_ptr() as usize),
            len: part.len(),
        }
    }
}

/// Everything one generation defines that its events refer to.
#[derive(Debug, Clone, Default)]
pub struct Table<'a> {
    pub(crate) generation: u64,
    pub(crate) base: Base<'a>,
    pub(crate) strings: IdTable<Span>,
    pub(crate) stacks: IdTable<StackSpan>,
    pub(crate) pcs: Vec<u64>,
    pub(crate) frames: IdMap<u64, FrameIds>,
    /// The trace clock's rate.
    pub(crate) freq: Freq,
    pub(crate) clock: Option<(u64, u64, u64, u64)>,
    pub(crate) experimental: Vec<(u8, i64, Span)>,
}

impl Table<'_> {
    /// Generation number as written in the batch headers.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    #[inline]
    pub(crate) fn span(&self, s: Span) -> &[u8] {
        self.base
            .bytes()
            .get(s.start..s.start + s.len)
            .unwrap_or(b"")
    }

    /// String with ID `id` (ID 0 is the empty string).
    pub fn string(&self, id: u64) -> Option<&[u8]> {
        if id == 0 {
            return Some(b"");
        }
        self.strings.get(id).map(|&s| self.span(s))
    }

    pub(crate) fn string_or_empty(&self, id: u64) -> &[u8] {
        self.string(id).unwrap_or(b"")
    }

    /// PCs of stack `id` (ID 0 is the empty stack), innermost first.
    pub fn stack_pcs(&self, id: u64) -> Option<&[u64]> {
        if id == 0 {
            return Some(&[]);
        }
        let s = self.stacks.get(id)?;
        self.pcs.get(s.start as usize..(s.start + s.len) as usize)
    }

    /// Frames of stack `id`, innermost first.
    pub fn stack_frames(&self, id: u64) -> impl Iterator<Item = Frame<'_>> + '_ {
        self.stack_pcs(id).unwrap_or(&[]).iter().map(move |&pc| {
            let ids = self.frames.get(&pc).copied().unwrap_or(FrameIds {
                func: 0,
                file: 0,
                line: 0,
            });
            Frame {
                pc,
                func: self.string_or_empty(ids.func),
                file: self.string_or_empty(ids.file),
                line: ids.line,
            }
        })
    }

    /// Converts a trace clock reading to nanoseconds, exactly as Go's reader does
    /// (`float64(ticks) * (1 / (freq / 1e9))`, truncated).
    #[inline]
    pub fn ticks_to_ns(&self, ticks: u64) -> i64 {
        self.freq.ticks_to_ns(ticks)
    }

    /// The clock snapshot of this generation (Go 1.25+ traces).
    pub fn clock_snapshot(&self) -> Option<ClockSnapshot> {
        self.clock.map(|(ts, mono, sec, nsec)| ClockSnapshot {
            trace: self.ticks_to_ns(ts),
            mono,
            wall_sec: sec,
            wall_nsec: nsec,
        })
    }

    /// Experimental batches of this generation, in file order.
    pub fn experimental_batches(
        &self,
    ) -> impl ExactSizeIterator<Item = ExperimentalBatch<'_>> + '_ {
        self.experimental
            .iter()
            .map(|&(experiment, thread, span)| ExperimentalBatch {
                experiment,
                thread,
                data: self.span(span),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::Freq;

    /// Small and large IDs (and -1, "none") behave like a `HashMap`.
    #[test]
    fn small_id_map_acts_like_a_hash_map() {
        use super::SmallIdMap;
        use std::collections::HashMap;
        let mut ours = SmallIdMap::default();
        let mut want = HashMap::new();
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for step in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let id = match x % 4 {
                0 => -1,
                1 => (x >> 8) as i64 % 70_000,
                2 => (x >> 8) as i64 % 100,
                _ => (x >> 8) as i64,
            };
            match (x >> 4) % 3 {
                0 => assert_eq!(ours.insert(id, step), want.insert(id, step)),
                1 => assert_eq!(ours.remove(&id), want.remove(&id)),
                _ => {
                    if let Some(v) = ours.get_mut(&id) {
                        *v += 1;
                    }
                    if let Some(v) = want.get_mut(&id) {
                        *v += 1;
                    }
                }
            }
            assert_eq!(ours.get(&id), want.get(&id));
            assert_eq!(ours.contains_key(&id), want.contains_key(&id));
        }
    }

    /// Go's formula, in floating point only.
    fn go(ticks: u64, ticks_per_sec: u64) -> i64 {
        let x = ticks as f64 * (1.0 / (ticks_per_sec as f64 / 1e9));
        if (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&x) {
            x as i64
        } else {
            i64::MIN
        }
    }

    /// The integer path (whole nanoseconds per tick) gives Go's float result, up to and
    /// past the bound where it hands over to the float path, and other rates use floats.
    #[test]
    fn clock_conversion_matches_gos_float_formula() {
        let rates = [
            15_625_000u64,
            1_000_000_000,
            31_250_000,
            3_000_000_000,
            1,
            0,
            7,
        ];
        let mut rng = 0x853c_49e6_748f_ea9bu64;
        for &rate in &rates {
            let f = Freq::from_ticks_per_sec(rate);
            let mut edge = vec![0, 1, u64::MAX, 1 << 53, (1 << 53) - 1, f.exact_below];
            edge.push(f.exact_below.wrapping_sub(1));
            for _ in 0..20_000 {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                edge.push(rng >> (rng % 64));
            }
            for t in edge {
                assert_eq!(f.ticks_to_ns(t), go(t, rate), "{t} ticks at {rate}/s");
            }
        }
        assert_eq!(Freq::from_ticks_per_sec(15_625_000).whole, 64);
        assert_eq!(Freq::from_ticks_per_sec(3_000_000_000).whole, 0);
        assert!(!Freq::default().is_set());
        assert!(Freq::from_ticks_per_sec(0).is_set());
    }
}
