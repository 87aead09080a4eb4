//! Mutator utilisation and the minimum mutator utilisation (MMU) curve, computed as
//! `go tool trace`'s `/mmu` page computes them (Go's `internal/trace`
//! `MutatorUtilizationV2` and `MMUCurve.MMU`, the same arithmetic in the same order, so
//! the same floating-point results).
//!
//! The utilisation function is built while streaming the events; the MMU is then
//! computed from it. Go computes the utilisation over the events of the complete
//! generations only; for a trace that stops at an error, here it covers every event read.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::Serialize;

use super::analysis::{visit_bytes, visit_path};
use crate::gotrace::{Event, EventKind, GoId, GoState, Range, Transition};

/// What counts against the mutator (Go's `UtilFlags`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct UtilFlags {
    /// GC stop-the-world pauses.
    pub stw: bool,
    /// Background mark workers.
    pub background: bool,
    /// Mark assists.
    pub assist: bool,
    /// Sweeping.
    pub sweep: bool,
    /// One utilisation function per proc (Go's "per-goroutine" view) instead of one for
    /// the whole program.
    pub per_proc: bool,
}

impl UtilFlags {
    /// The flags named (`stw`, `background`, `assist`, `sweep`, `perproc`), the others
    /// off: what the CLI's `--flags` and the bindings' `flags` take.
    ///
    /// ```
    /// use profile_ops::trace::UtilFlags;
    /// let f = UtilFlags::from_names(["stw", "perproc"]).unwrap();
    /// assert!(f.stw && f.per_proc && !f.assist);
    /// assert!(UtilFlags::from_names(["gc"]).is_err());
    /// ```
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> crate::Result<UtilFlags> {
        let mut f = UtilFlags {
            stw: false,
            background: false,
            assist: false,
            sweep: false,
            per_proc: false,
        };
        for name in names {
            match name {
                "stw" => f.stw = true,
                "background" => f.background = true,
                "assist" => f.assist = true,
                "sweep" => f.sweep = true,
                "perproc" => f.per_proc = true,
                _ => {
                    return Err(crate::Error::BadOption(format!(
                        "unknown MMU flag {name:?} (stw, background, assist, sweep, perproc)"
                    )));
                }
            }
        }
        Ok(f)
    }
}

impl Default for UtilFlags {
    /// What the `/mmu` page shows first: STW, background workers and mark assists, whole
    /// program.
    fn default() -> UtilFlags {
        UtilFlags {
            stw: true,
            background: true,
            assist: true,
            sweep: false,
            per_proc: false,
        }
    }
}

/// A change of mutator utilisation: from `time` on, the mean utilisation is `util` (in
/// [0, 1]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MutatorUtil {
    /// Time (ns).
    pub time: i64,
    /// Mean utilisation from then on.
    pub util: f64,
}

fn add_util(util: &mut Vec<MutatorUtil>, mu: MutatorUtil) {
    if let Some(last) = util.last_mut() {
        if mu.util == last.util {
            return;
        }
        if mu.time == last.time {
            // The lowest utilisation at a time stamp.
            if mu.util < last.util {
                *last = mu;
            }
            return;
        }
    }
    util.push(mu);
}

/// GOMAXPROCS values above this are ignored (the runtime allows far fewer); they would
/// only make the analysis allocate.
const MAX_PROCS: usize = 1 << 16;

#[derive(Debug, Clone, Copy, Default)]
struct PerP {
    gc: i64,
    series: usize,
}

/// Builds the mutator utilisation functions from the ordered event stream (Go's
/// `MutatorUtilizationV2`).
///
/// ```
/// use profile_ops::gotrace::Reader;
/// use profile_ops::trace::{Utilization, UtilFlags};
/// # let data = std::fs::read("../examples/data/gc-stress.trace").unwrap();
/// let mut u = Utilization::new(UtilFlags::default());
/// Reader::new(&data)?.visit(|ev| u.event(ev))?;
/// let series = u.finish();
/// assert_eq!(series.len(), 1);
/// assert_eq!(series[0].last().unwrap().util, 0.0);
/// # Ok::<(), profile_ops::gotrace::Error>(())
/// ```
#[derive(Debug)]
pub struct Utilization {
    flags: UtilFlags,
    out: Vec<Vec<MutatorUtil>>,
    stw: i64,
    ps: Vec<PerP>,
    in_gc: HashSet<GoId>,
    states: HashMap<GoId, GoState>,
    bg_mark: HashSet<GoId>,
    procs: Vec<(i64, usize)>,
    n_sync: u64,
    last_time: Option<i64>,
}

impl Utilization {
    /// An empty builder.
    pub fn new(flags: UtilFlags) -> Utilization {
        Utilization {
            flags,
            out: Vec::new(),
            stw: 0,
            ps: Vec::new(),
            in_gc: HashSet::new(),
            states: HashMap::new(),
            bg_mark: HashSet::new(),
            procs: Vec::new(),
            n_sync: 0,
            last_time: None,
        }
    }

    fn handle_stw(&self, r: &Range<'_>) -> bool {
        self.flags.stw && r.name.starts_with("stop-the-world") && r.name.contains("GC")
    }

    fn handle_assist(&self, r: &Range<'_>) -> bool {
        self.flags.assist && r.name == "GC mark assist"
    }

    fn handle_sweep(&self, r: &Range<'_>) -> bool {
        self.flags.sweep && r.name == "GC incremental sweep"
    }

    fn proc_gc(&mut self, ev: &Event<'_>, d: i64) {
        if let Ok(p) = usize::try_from(ev.proc())
            && let Some(p) = self.ps.get_mut(p)
        {
            p.gc += d;
        }
    }

    /// Feeds the next event of the ordered stream.
    pub fn event(&mut self, ev: &Event<'_>) {
        let t = ev.time();
        self.last_time = Some(t);
        match ev.kind() {
            EventKind::Sync => {
                if let Some(s) = ev.sync_info() {
                    self.n_sync = s.n;
                }
            }
            EventKind::Metric => {
                if let Some(m) = ev.metric()
                    && m.name == "/sched/gomaxprocs:threads"
                    && let Ok(n) = usize::try_from(m.value)
                    && n <= MAX_PROCS
                {
                    self.gomaxprocs(t, n);
                }
            }
            _ => {}
        }
        if self.ps.is_empty() {
            // Nothing to do until GOMAXPROCS is known.
            return;
        }
        match ev.kind() {
            EventKind::RangeActive => {
                // After a full generation, active ranges are already known.
                if self.n_sync <= 1
                    && let Some(r) = ev.range()
                {
                    self.active_range(ev, &r);
                    self.range_begin(ev, &r);
                }
            }
            EventKind::RangeBegin => {
                if let Some(r) = ev.range() {
                    self.range_begin(ev, &r);
                }
            }
            EventKind::RangeEnd => {
                if let Some(r) = ev.range() {
                    if self.handle_stw(&r) {
                        self.stw -= 1;
                    } else if self.handle_sweep(&r) {
                        self.proc_gc(ev, -1);
                    } else if self.handle_assist(&r) {
                        self.proc_gc(ev, -1);
                        if r.scope.id != crate::gotrace::NO_GOROUTINE {
                            self.in_gc.remove(&r.scope.id);
                        }
                    }
                }
            }
            EventKind::StateTransition => {
                if let Some(st) = ev.state_transition()
                    && let Transition::Goroutine(old, new) = st.transition
                {
                    let g = st.resource.id;
                    if self.in_gc.contains(&g) || self.bg_mark.contains(&g) {
                        if !old.executing() && new.executing() {
                            self.proc_gc(ev, 1);
                        } else if old.executing() && !new.executing() {
                            self.proc_gc(ev, -1);
                        }
                    }
                    self.states.insert(g, new);
                }
            }
            EventKind::Label => {
                if let Some(l) = ev.label()
                    && self.flags.background
                    && l.label.starts_with("GC ")
                    && l.label != "GC (idle)"
                    // Dedicated workers take the whole proc: per proc, they do not
                    // delay goroutines directly.
                    && !(self.flags.per_proc && l.label == "GC (dedicated)")
                {
                    self.bg_mark.insert(ev.goroutine());
                    self.proc_gc(ev, 1);
                }
            }
            _ => {}
        }
        if !self.flags.per_proc {
            let gc_ps = if self.stw > 0 {
                self.ps.len()
            } else {
                self.ps.iter().filter(|p| p.gc > 0).count()
            };
            let mu = MutatorUtil {
                time: t,
                util: 1.0 - gc_ps as f64 / self.ps.len() as f64,
            };
            if let Some(s) = self.out.first_mut() {
                add_util(s, mu);
            }
        } else {
            for p in &self.ps {
                let util = if self.stw > 0 || p.gc > 0 { 0.0 } else { 1.0 };
                if let Some(s) = self.out.get_mut(p.series) {
                    add_util(s, MutatorUtil { time: t, util });
                }
            }
        }
    }

    fn gomaxprocs(&mut self, t: i64, n: usize) {
        if self.ps.len() > n {
            if self.flags.per_proc {
                // End each removed proc's series.
                for p in &self.ps[n..] {
                    if let Some(s) = self.out.get_mut(p.series) {
                        add_util(s, MutatorUtil { time: t, util: 0.0 });
                    }
                }
            }
            self.ps.truncate(n);
        }
        while self.ps.len() < n {
            let mut series = 0;
            if self.flags.per_proc || self.out.is_empty() {
                series = self.out.len();
                self.out.push(vec![MutatorUtil { time: t, util: 1.0 }]);
            }
            self.ps.push(PerP { gc: 0, series });
        }
        if self.procs.last().is_none_or(|&(_, last)| last != n) {
            self.procs.push((t, n));
        }
    }

    /// A range found active at the start of the trace: it has been so since the start.
    fn active_range(&mut self, ev: &Event<'_>, r: &Range<'_>) {
        let assist = self.handle_assist(r);
        if assist
            && !self
                .states
                .get(&ev.goroutine())
                .is_some_and(|s| s.executing())
        {
            // An assist of a goroutine that is not running takes nothing from the mutator.
            return;
        }
        if !(assist || self.handle_sweep(r)) || self.flags.per_proc {
            return;
        }
        // Take 1/GOMAXPROCS off every point since the start of the trace.
        let Some(out) = self.out.first_mut() else {
            return;
        };
        let (mut mi, mut pi) = (0, 0);
        while mi < out.len() {
            if pi + 1 < self.procs.len() && self.procs[pi + 1].0 < out[mi].time {
                pi += 1;
                continue;
            }
            let n = self.procs.get(pi).map_or(1, |p| p.1.max(1));
            out[mi].util -= 1.0 / n as f64;
            if out[mi].util < 0.0 {
                out[mi].util = 0.0;
            }
            mi += 1;
        }
    }

    fn range_begin(&mut self, ev: &Event<'_>, r: &Range<'_>) {
        if self.handle_stw(r) {
            self.stw += 1;
        } else if self.handle_sweep(r) {
            self.proc_gc(ev, 1);
        } else if self.handle_assist(r) {
            self.proc_gc(ev, 1);
            if r.scope.id != crate::gotrace::NO_GOROUTINE {
                self.in_gc.insert(r.scope.id);
            }
        }
    }

    /// The utilisation functions: one, or one per proc with `per_proc`; each ends with
    /// utilisation 0 at the last event. Empty if the trace had no event.
    pub fn finish(mut self) -> Vec<Vec<MutatorUtil>> {
        let Some(t) = self.last_time else {
            return Vec::new();
        };
        for p in &self.ps {
            if let Some(s) = self.out.get_mut(p.series) {
                add_util(s, MutatorUtil { time: t, util: 0.0 });
            }
        }
        self.out
    }
}

/// Bands each series is divided into (Go's `bandsPerSeries`).
const BANDS_PER_SERIES: usize = 1000;

#[derive(Debug, Clone, Copy)]
struct Band {
    min_util: f64,
    cum_util: f64,
    /// Integrator position at the band's left edge.
    integrator: usize,
}

#[derive(Debug)]
struct Series {
    util: Vec<MutatorUtil>,
    sums: Vec<f64>,
    bands: Vec<Band>,
    band_dur: i64,
}

/// Position in a series, integrating it (Go's `integrator`).
#[derive(Debug, Clone, Copy)]
struct Integrator {
    pos: usize,
}

impl Integrator {
    /// Integral of the utilisation from the series' start to `time` (monotonic calls).
    fn advance(&mut self, s: &Series, time: i64) -> f64 {
        let util = &s.util;
        let mut pos = self.pos;
        const MAX_SEQ: usize = 8;
        if pos + MAX_SEQ < util.len() && util[pos + MAX_SEQ].time > time {
            while pos + 1 < util.len() && util[pos + 1].time <= time {
                pos += 1;
            }
        } else {
            let (mut l, mut r) = (pos, util.len());
            while l < r {
                let h = (l + r) / 2;
                if util[h].time <= time {
                    l = h + 1;
                } else {
                    r = h;
                }
            }
            pos = l.saturating_sub(1);
        }
        self.pos = pos;
        let Some(u) = util.get(pos) else {
            return 0.0;
        };
        let partial = if time != u.time {
            u.util * time.wrapping_sub(u.time) as f64
        } else {
            0.0
        };
        s.sums.get(pos).copied().unwrap_or(0.0) + partial
    }

    /// The first time after `time` at which the utilisation changes.
    fn next(&self, s: &Series, time: i64) -> i64 {
        s.util
            .get(self.pos..)
            .unwrap_or(&[])
            .iter()
            .find(|u| u.time > time)
            .map_or(i64::MAX, |u| u.time)
    }
}

impl Series {
    fn new(util: Vec<MutatorUtil>) -> Option<Series> {
        let (first, last) = (util.first()?.time, util.last()?.time);
        let mut sums = Vec::with_capacity(util.len());
        let mut prev = MutatorUtil { time: 0, util: 0.0 };
        let mut sum = 0.0;
        for &u in &util {
            sum += prev.util * u.time.wrapping_sub(prev.time) as f64;
            sums.push(sum);
            prev = u;
        }
        let num_bands = BANDS_PER_SERIES.min(util.len()) as i64;
        let dur = last.wrapping_sub(first);
        let band_dur = (dur.wrapping_add(num_bands - 1) / num_bands).max(1);
        let mut s = Series {
            util,
            sums,
            bands: Vec::new(),
            band_dur,
        };
        let mut left = Integrator { pos: 0 };
        let mut bands = Vec::with_capacity(num_bands as usize + 1);
        for i in 0..=num_bands as usize {
            let (start, end) = s.band_time(i);
            let cum_util = left.advance(&s, start);
            let pred = left.pos;
            let mut min_util = 1.0f64;
            for u in s.util.get(pred..).unwrap_or(&[]) {
                if u.time >= end {
                    break;
                }
                min_util = min_util.min(u.util);
            }
            bands.push(Band {
                min_util,
                cum_util,
                integrator: left.pos,
            });
        }
        s.bands = bands;
        Some(s)
    }

    fn band_time(&self, i: usize) -> (i64, i64) {
        let start = (i as i64)
            .wrapping_mul(self.band_dur)
            .wrapping_add(self.util.first().map_or(0, |u| u.time));
        (start, start.wrapping_add(self.band_dur))
    }

    fn duration(&self) -> i64 {
        match (self.util.first(), self.util.last()) {
            (Some(a), Some(b)) => b.time.wrapping_sub(a.time),
            _ => 0,
        }
    }

    /// Lower bounds of the mean utilisation of the windows starting in each band.
    fn band_util(&self, series: usize, window: i64, out: &mut Vec<BandUtil>) {
        let bd = self.band_dur;
        let min_bands = (window.wrapping_add(bd - 1) / bd) as usize;
        let max_bands = (window.wrapping_add((bd - 1).wrapping_mul(2)) / bd) as usize;
        let tail_dur = window % bd;
        let n = (self.bands.len() + 1).saturating_sub(max_bands);
        for i in 0..n {
            let band = |k: usize| self.bands.get(k).map_or(1.0, |b| b.min_util);
            let l = band(i);
            let r1 = band(i.wrapping_add(min_bands).wrapping_sub(1));
            let r2 = band(i.wrapping_add(max_bands).wrapping_sub(1));
            let min_band = l.min(r1.min(r2));
            let mut util = 0.0;
            if min_bands == 1 {
                util += min_band * window as f64;
            } else {
                util += min_band * bd as f64;
                let mid_band = if min_band == l {
                    r1.min(r2)
                } else if min_band == r1 {
                    l.min(r2)
                } else if min_band == r2 {
                    l.min(r1)
                } else {
                    0.0
                };
                util += mid_band * tail_dur as f64;
            }
            if min_bands > 2 {
                let cum = |k: usize| self.bands.get(k).map_or(0.0, |b| b.cum_util);
                util += cum(i.wrapping_add(min_bands).wrapping_sub(1)) - cum(i + 1);
            }
            out.push(BandUtil {
                series,
                band: i,
                bound: util / window as f64,
            });
        }
    }

    /// The exact minimum over windows whose left edge is in band `band`.
    fn band_mmu(&self, band: usize, window: i64, acc: &mut f64) {
        let Some(b) = self.bands.get(band) else {
            return;
        };
        let mut left = Integrator { pos: b.integrator };
        let mut right = left;
        let (mut time, mut end_time) = self.band_time(band);
        let util_end = self.util.last().map_or(0, |u| u.time).wrapping_sub(window);
        if util_end < end_time {
            end_time = util_end;
        }
        loop {
            let mu = (right.advance(self, time.wrapping_add(window)) - left.advance(self, time))
                / window as f64;
            if mu < *acc {
                *acc = mu;
            }
            if mu == 0.0 || time == end_time {
                break;
            }
            // The windowed utilisation changes by at most 1/window per ns.
            let min_time = time.wrapping_add(((mu - *acc) * window as f64) as i64);
            let t1 = left.next(self, time);
            let t2 = right
                .next(self, time.wrapping_add(window))
                .wrapping_sub(window);
            time = if t1 < t2 { t1 } else { t2 };
            if time < min_time {
                time = min_time;
            }
            if time >= end_time {
                time = end_time;
            }
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct BandUtil {
    series: usize,
    band: usize,
    bound: f64,
}

/// Go's `container/heap` over band bounds (lowest first), with its exact sift order.
fn heap_down(h: &mut [BandUtil], i0: usize, n: usize) {
    let mut i = i0;
    loop {
        let j1 = 2 * i + 1;
        if j1 >= n {
            break;
        }
        let mut j = j1;
        let j2 = j1 + 1;
        if j2 < n && h[j2].bound < h[j1].bound {
            j = j2;
        }
        // Go's `!Less(j, i)`: also stops on NaN.
        if h[j].bound.partial_cmp(&h[i].bound) != Some(std::cmp::Ordering::Less) {
            break;
        }
        h.swap(i, j);
        i = j;
    }
}

/// Minimum mutator utilisation over window sizes (Go's `MMUCurve`).
///
/// ```
/// # let data = std::fs::read("../examples/data/gc-stress.trace").unwrap();
/// use profile_ops::trace::{MmuCurve, UtilFlags, mutator_utilization};
/// let (util, _) = mutator_utilization(&data, UtilFlags::default());
/// let curve = MmuCurve::new(util);
/// let small = curve.mmu(1_000);
/// let large = curve.mmu(1_000_000);
/// assert!((0.0..=1.0).contains(&small) && small <= large);
/// ```
#[derive(Debug)]
pub struct MmuCurve {
    series: Vec<Series>,
}

impl MmuCurve {
    /// The curve of utilisation functions (from [`Utilization::finish`]).
    pub fn new(util: Vec<Vec<MutatorUtil>>) -> MmuCurve {
        MmuCurve {
            series: util.into_iter().filter_map(Series::new).collect(),
        }
    }

    /// The minimum, over every window of `window_ns` in the trace, of the mean mutator
    /// utilisation in the window (in [0, 1]; 1 for a trace without utilisation data).
    pub fn mmu(&self, window_ns: i64) -> f64 {
        if window_ns <= 0 {
            return 0.0;
        }
        let mut acc = 1.0;
        let mut heap: Vec<BandUtil> = Vec::new();
        let mut windows = Vec::with_capacity(self.series.len());
        for (i, s) in self.series.iter().enumerate() {
            let w = window_ns.min(s.duration());
            windows.push(w);
            if w > 0 {
                s.band_util(i, w, &mut heap);
            }
        }
        let n = heap.len();
        for i in (0..n / 2).rev() {
            heap_down(&mut heap, i, n);
        }
        while let Some(top) = heap.first().copied() {
            if top.bound.partial_cmp(&acc) != Some(std::cmp::Ordering::Less) {
                break;
            }
            if let (Some(s), Some(&w)) = (self.series.get(top.series), windows.get(top.series)) {
                s.band_mmu(top.band, w, &mut acc);
            }
            // Pop: the last element to the top, sifted down.
            let n = heap.len() - 1;
            heap.swap(0, n);
            heap_down(&mut heap, 0, n);
            heap.pop();
        }
        acc
    }

    /// The MMU at each of `windows_ns`, or the page's plot ([`MmuCurve::plot`]) when
    /// there are none.
    pub fn points(&self, windows_ns: &[i64]) -> Vec<MmuPoint> {
        if windows_ns.is_empty() {
            return self.plot();
        }
        windows_ns
            .iter()
            .map(|&w| MmuPoint {
                window_ns: w,
                mmu: self.mmu(w),
            })
            .collect()
    }

    /// The curve as `go tool trace`'s `/mmu` page plots it: 100 window sizes spaced
    /// evenly on a log scale over six orders of magnitude (from the largest of 1 s, 1 ms,
    /// 1 µs, 1 ns whose MMU is at least 0.0001, at most the trace's length), each with
    /// its MMU.
    pub fn plot(&self) -> Vec<MmuPoint> {
        let mut x_min: i64 = 1_000_000_000;
        while x_min > 1 {
            if self.mmu(x_min) < 0.0001 {
                break;
            }
            x_min /= 1000;
        }
        let mut x_max = x_min.saturating_mul(1_000_000);
        let first = self
            .series
            .iter()
            .filter_map(|s| s.util.first())
            .map(|u| u.time)
            .min();
        let last = self
            .series
            .iter()
            .filter_map(|s| s.util.last())
            .map(|u| u.time)
            .max();
        if let (Some(a), Some(b)) = (first, last) {
            x_max = x_max.min(b.wrapping_sub(a));
        }
        let (log_min, log_max) = ((x_min as f64).ln(), (x_max as f64).ln());
        const SAMPLES: usize = 100;
        (0..SAMPLES)
            .map(|i| {
                let w =
                    (i as f64 / (SAMPLES - 1) as f64 * (log_max - log_min) + log_min).exp() as i64;
                MmuPoint {
                    window_ns: w,
                    mmu: self.mmu(w),
                }
            })
            .collect()
    }
}

/// One point of an MMU curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MmuPoint {
    /// Window size (ns).
    pub window_ns: i64,
    /// Minimum mutator utilisation over windows of that size.
    pub mmu: f64,
}

/// The mutator utilisation functions of the trace in `data`, and the error that stopped
/// reading it, if any.
pub fn mutator_utilization(
    data: &[u8],
    flags: UtilFlags,
) -> (Vec<Vec<MutatorUtil>>, Option<String>) {
    let mut u = Utilization::new(flags);
    let error = visit_bytes(data, |ev| u.event(ev));
    (u.finish(), error)
}

/// [`mutator_utilization`] of the trace file at `path`, streaming it from disk.
pub fn mutator_utilization_path(
    path: &Path,
    flags: UtilFlags,
) -> std::io::Result<(Vec<Vec<MutatorUtil>>, Option<String>)> {
    let mut u = Utilization::new(flags);
    let error = visit_path(path, |ev| u.event(ev))?;
    Ok((u.finish(), error))
}
