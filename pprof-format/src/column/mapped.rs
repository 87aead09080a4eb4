//! Columns in anonymous memory mappings, for programs that decode profile after profile
//! and pass a [`ColumnPool`] in their decode options.
//!
//! Decoding writes tens of megabytes of fresh memory, and faulting it in page by page
//! costs more than the decoding itself on the virtual machines profiles are usually
//! analysed on (a 4 KiB fault costs about two microseconds: `benches`' `page-cost` gives
//! 0.56–0.65 ms per MB faulted in, 0.36–0.40 populated in bulk, 0.19 on huge pages on a
//! 2-core VM). So a mapped column's pages are populated ahead of the writes (an eighth
//! of the written size, at most a megabyte), and past 8 MiB it takes transparent huge
//! pages: those round a column up to 2 MiB, which is at most a quarter of a column that
//! large, where huge pages for every column would add up to 2 MiB to each.
//!
//! The mappings of dropped columns go back to their pool, up to its byte bound, for the
//! columns of the next decode, as a garbage-collected heap keeps its pages: the next
//! profile is then written into memory that is already in place instead of faulting the
//! same amount in again and giving it back. Pages a previous column wrote are zeroed as
//! they are reached, so a column reads as if it were fresh.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// Columns at least this large (in bytes) are mapped.
pub(super) const MAP_THRESHOLD: usize = 4 << 20;

/// Columns expected to hold mostly zeros are mapped from this size (in bytes) on.
pub(super) const ZERO_MAP_THRESHOLD: usize = 64 << 10;

/// Most bytes of a mapped column's pages populated at a time, ahead of the writes.
const POPULATE_CHUNK: usize = 1 << 20;

/// A mapped column this large (in bytes) takes transparent huge pages for the rest.
pub(super) const HUGE_PAGES_AFTER: usize = 8 << 20;

pub(super) const HUGE_PAGE: usize = 2 << 20;

/// Most mappings a pool keeps.
const POOL_MAPS: usize = 32;

/// Memory mappings for the sample columns of decoded profiles, kept when the profiles
/// are dropped for the columns of the next ones, up to a bound on the bytes they hold.
///
/// Opt-in, through [`crate::DecodeOptions::column_pool`]: without a pool, columns are
/// plain vectors. With one, large columns are mapped with their pages populated in bulk
/// (huge pages past 8 MiB), which decodes large profiles faster, most of all when one
/// program decodes many (a merge of a fleet, a notebook, a service); the price is the
/// memory the pool keeps between decodes. Clones share one pool.
///
/// ```
/// use pprof_format::{ColumnPool, DecodeOptions, Profile};
/// let data = std::fs::read("../examples/data/cpu.pb.gz")
///     .or_else(|_| std::fs::read("examples/data/cpu.pb.gz"))
///     .unwrap();
/// let pool = ColumnPool::new(64 << 20);
/// let mut opts = DecodeOptions::default();
/// opts.column_pool = Some(pool.clone());
/// for _ in 0..3 {
///     let p = Profile::decode_with(&data, &opts).unwrap();
///     assert!(p.num_samples() > 0);
/// }
/// assert!(pool.held_bytes() <= 64 << 20);
/// pool.release(); // unmaps what it keeps
/// assert_eq!(pool.held_bytes(), 0);
/// ```
#[derive(Clone)]
pub struct ColumnPool {
    inner: Arc<Inner>,
}

struct Inner {
    /// Mappings waiting for a column, oldest first.
    kept: Mutex<Vec<Kept>>,
    max_bytes: usize,
}

/// A dropped column's mapping, waiting for a column of about its size.
struct Kept {
    map: memmap2::MmapMut,
    /// Bytes at the start of the mapping that may be nonzero: what its columns wrote, and
    /// so what it holds in memory (give or take the couple of megabytes populated past the
    /// last value; a mostly-zero column has none), which the pool's bound counts.
    stale: usize,
}

impl ColumnPool {
    /// A pool that keeps at most `max_bytes` of written pages (64 MiB holds the columns
    /// of a 40 MB profile).
    pub fn new(max_bytes: usize) -> ColumnPool {
        ColumnPool {
            inner: Arc::new(Inner {
                kept: Mutex::new(Vec::new()),
                max_bytes,
            }),
        }
    }

    /// Unmaps every mapping the pool keeps, returning the memory to the system.
    pub fn release(&self) {
        let kept = std::mem::take(&mut *self.kept());
        drop(kept);
    }

    /// Bytes of written pages the pool keeps.
    pub fn held_bytes(&self) -> usize {
        self.kept().iter().map(|k| k.stale).sum()
    }

    /// Number of mappings the pool keeps.
    pub fn len(&self) -> usize {
        self.kept().len()
    }

    /// True when the pool keeps no mapping.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn kept(&self) -> MutexGuard<'_, Vec<Kept>> {
        // The pool holds no invariant a panic elsewhere could break.
        self.inner
            .kept
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// A kept mapping of at least `bytes` bytes, split into values of `size` bytes, and
    /// not more than twice as large (the rest of its pages would sit unused in memory).
    fn take(&self, bytes: usize, size: usize) -> Option<Kept> {
        let mut kept = self.kept();
        let i = kept
            .iter()
            .enumerate()
            .filter(|(_, k)| {
                let len = k.map.len();
                len >= bytes && len / 2 <= bytes && len % size == 0
            })
            .min_by_key(|(_, k)| k.map.len())
            .map(|(i, _)| i)?;
        Some(kept.remove(i))
    }

    /// Keeps a dropped column's mapping for reuse, dropping the oldest ones past the
    /// bound.
    fn keep(&self, k: Kept) {
        if k.stale > self.inner.max_bytes {
            return;
        }
        let mut kept = self.kept();
        kept.push(k);
        let mut total: usize = kept.iter().map(|k| k.stale).sum();
        let mut evicted = Vec::new();
        while total > self.inner.max_bytes || kept.len() > POOL_MAPS {
            let old = kept.remove(0);
            total -= old.stale;
            evicted.push(old);
        }
        drop(kept);
        // Unmapped after the lock is released.
        drop(evicted);
    }
}

impl Default for ColumnPool {
    /// A pool of 64 MiB.
    fn default() -> Self {
        ColumnPool::new(64 << 20)
    }
}

impl fmt::Debug for ColumnPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ColumnPool")
            .field("max_bytes", &self.inner.max_bytes)
            .field("held_bytes", &self.held_bytes())
            .finish()
    }
}

/// `len` values of `size` bytes at the start of a mapping of (at least) `cap` values,
/// the pages of the first `ready` of which are in memory; the values after `len` are
/// zero up to `ready` and, past the first `stale` bytes, everywhere (a reused mapping has
/// bytes of its last column up to `stale`, zeroed as `ready` reaches them). Goes back to
/// its pool when dropped.
pub(super) struct Mapping {
    /// Always there but while the mapping goes back to its pool.
    map: Option<memmap2::MmapMut>,
    pub len: usize,
    pub cap: usize,
    pub ready: usize,
    stale: usize,
    size: usize,
    pool: ColumnPool,
}

impl Mapping {
    /// A mapping for `cap` values of `size` bytes from `pool`, or a fresh one; `None`
    /// when the column is too small to map or the mapping fails. A mostly-zero column
    /// relies on pages it never writes reading as zeros, so it always takes a fresh
    /// mapping, whose pages fault in when first written.
    pub fn new(cap: usize, size: usize, mostly_zero: bool, pool: &ColumnPool) -> Option<Self> {
        let bytes = cap.saturating_mul(size);
        let threshold = if mostly_zero {
            ZERO_MAP_THRESHOLD
        } else {
            MAP_THRESHOLD
        };
        if bytes < threshold {
            return None;
        }
        let reused = if mostly_zero {
            None
        } else {
            pool.take(bytes, size)
        };
        let fresh = || {
            memmap2::MmapMut::map_anon(bytes)
                .ok()
                .map(|map| Kept { map, stale: 0 })
        };
        let Kept { map, stale } = reused.or_else(fresh)?;
        Some(Mapping {
            map: Some(map),
            len: 0,
            cap,
            // The pages of other columns are populated ahead of the writes (see
            // `make_room`).
            ready: if mostly_zero { cap } else { 0 },
            stale,
            size,
            pool: pool.clone(),
        })
    }

    /// The mapping's bytes.
    #[inline]
    pub fn bytes(&self) -> &[u8] {
        self.map.as_deref().unwrap_or_default()
    }

    /// The mapping's bytes, writable.
    #[inline]
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        self.map.as_deref_mut().unwrap_or_default()
    }

    /// Room for `extra` more values: the mapping's next pages populated (or, where a
    /// previous column left bytes, zeroed). False when the mapping is full.
    pub fn make_room(&mut self, extra: usize) -> bool {
        if self.len + extra > self.cap {
            return false;
        }
        let size = self.size;
        // Pages are populated a chunk at a time rather than faulted in one by one (see
        // the module's documentation); an eighth of what is written, so a small column
        // does not get a whole chunk.
        let chunk = (self.ready * size / 8).clamp(POPULATE_CHUNK / 16, POPULATE_CHUNK);
        let mut want = (self.len + extra)
            .max(self.ready + chunk / size)
            .min(self.cap);
        let huge = self.ready * size >= HUGE_PAGES_AFTER;
        if huge {
            // A column this large takes huge pages from the next 2 MiB boundary on
            // (faster still, and rounding it up by up to 2 MiB is small next to its
            // size); the pages up to the boundary are populated.
            let base = self.bytes().as_ptr() as usize;
            let boundary = (base + self.ready * size).next_multiple_of(HUGE_PAGE) - base;
            want = want.max(boundary.div_ceil(size)).min(self.cap);
        }
        let (from, to) = (self.ready * size, want * size);
        // Advice only: where it is not supported, pages fault in on use.
        #[cfg(target_os = "linux")]
        if let Some(map) = &self.map {
            let fresh = from.max(self.stale).min(to);
            let _ = map.advise_range(memmap2::Advice::PopulateWrite, fresh, to - fresh);
            if huge && to < map.len() {
                let _ = map.advise_range(memmap2::Advice::HugePage, to, map.len() - to);
                want = self.cap;
            }
        }
        let _ = (from, to); // used on Linux only
        // What a previous column left in the pages now in use is cleared.
        let end = (want * size).min(self.stale);
        if from < end {
            self.bytes_mut()[from..end].fill(0);
        }
        self.ready = want;
        true
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        if let Some(map) = self.map.take() {
            let stale = (self.len * self.size).max(self.stale).min(map.len());
            self.pool.keep(Kept { map, stale });
        }
    }
}
