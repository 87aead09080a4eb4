//! The records of a gctrace log: GC cycles (every layout since Go 1.5) and the other line
//! kinds the runtime prints with GODEBUG=gctrace/scavtrace/gcpacertrace.

use crate::dec::{Dec, leading_digits};

/// Longest cpu field accepted (the runtime prints five numbers of at most 6 characters).
const MAX_CPU_FIELD: usize = 128;

/// One GC cycle summary line:
/// `gc N @T s P%: CLOCK ms clock, CPU ms cpu, A->B->C MB, G MB goal, [S MB stacks, GL MB
/// globals, ]NP P[ (forced)]`.
///
/// ```
/// use gctrace_parse::GcCycle;
/// let line = b"gc 7 @0.342s 2%: 0.018+1.2+0.004 ms clock, 0.073+0.21/1.1/0.36+0.016 ms cpu, 4->4->1 MB, 5 MB goal, 0 MB stacks, 0 MB globals, 4 P (forced)";
/// let (gc, used) = GcCycle::parse(line).unwrap();
/// assert_eq!(used, line.len());
/// assert_eq!(gc.number, 7);
/// assert_eq!(gc.clock().len(), 3);
/// assert_eq!(gc.stw_micros(), 18 + 4);
/// assert!(gc.forced);
/// assert_eq!(gc.stacks_mb, Some(0));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GcCycle {
    /// The cycle number (`gc N`).
    pub number: u64,
    /// Seconds since program start (`@T s`).
    pub at_secs: Dec,
    /// Percentage of CPU used by GC since program start (`P%`).
    pub cpu_percent: u64,
    /// Go 1.26+: the cycle also checked for goroutine leaks.
    pub leak_check: bool,
    clock: [Dec; 5],
    n_clock: u8,
    cpu: [Dec; 7],
    n_cpu: u8,
    /// Index in `cpu` of the `assist/background/idle` group (3 values), if present.
    cpu_mark_at: Option<u8>,
    /// Heap size at GC start, MB.
    pub heap_start_mb: u64,
    /// Heap size at GC end, MB.
    pub heap_end_mb: u64,
    /// Live (marked) heap, MB.
    pub heap_live_mb: u64,
    /// Heap goal, MB.
    pub goal_mb: u64,
    /// Go 1.19+: scannable stack size, MB.
    pub stacks_mb: Option<u64>,
    /// Go 1.19+: scannable globals size, MB.
    pub globals_mb: Option<u64>,
    /// Number of Ps.
    pub procs: u64,
    /// Forced by `runtime.GC()` / `debug.FreeOSMemory()`.
    pub forced: bool,
}

impl GcCycle {
    /// Wall-clock phases in ms: 3 terms (Go 1.7+: sweep termination, concurrent mark,
    /// mark termination) or 5 (Go 1.5–1.6: sweep termination, scan, sync, mark, mark
    /// termination).
    #[inline]
    pub fn clock(&self) -> &[Dec] {
        &self.clock[..self.n_clock as usize]
    }

    /// CPU times in ms in print order, the `assist/background/idle` values flattened.
    #[inline]
    pub fn cpu(&self) -> &[Dec] {
        &self.cpu[..self.n_cpu as usize]
    }

    /// `(assist, background, idle)` mark CPU times in ms, when the line has them.
    #[inline]
    pub fn cpu_mark(&self) -> Option<(Dec, Dec, Dec)> {
        let i = self.cpu_mark_at? as usize;
        Some((self.cpu[i], self.cpu[i + 1], self.cpu[i + 2]))
    }

    /// Stop-the-world time in µs: sweep termination + mark termination (first and last
    /// clock terms), in every layout.
    #[inline]
    pub fn stw_micros(&self) -> u64 {
        let c = self.clock();
        c[0].to_micros() + c[c.len() - 1].to_micros()
    }

    /// Concurrent (not stopped-the-world) wall time in µs.
    #[inline]
    pub fn concurrent_micros(&self) -> u64 {
        let c = self.clock();
        c[1..c.len() - 1].iter().map(|d| d.to_micros()).sum()
    }

    /// Total GC CPU time of the cycle in µs (all cpu terms; idle included, as the
    /// runtime counts it).
    #[inline]
    pub fn cpu_micros(&self) -> u64 {
        self.cpu().iter().map(|d| d.to_micros()).sum()
    }

    /// Matches a cycle record at the start of `s`; returns it and the bytes it spans.
    /// The grammar is exactly the runtime's print statements (see the type's docs);
    /// anything else is `None` — a number is never guessed.
    pub fn parse(s: &[u8]) -> Option<(GcCycle, usize)> {
        let mut gc = GcCycle::default();
        let used = gc.parse_into(s)?;
        Some((gc, used))
    }

    /// [`GcCycle::parse`] into `self` (the scanners decode every record into the item
    /// they hand out, never copying it); returns the bytes used. On `None`, `self` holds
    /// no meaningful record.
    #[inline]
    pub(crate) fn parse_into(&mut self, s: &[u8]) -> Option<usize> {
        let mut c = Cursor::new(s, 0);
        self.parse_at(&mut c)?;
        Some(c.pos())
    }

    /// How far into `s` a record could extend before the text stops following the
    /// grammar: a record split by another write can only have been cut before this.
    pub(crate) fn reach(s: &[u8]) -> usize {
        let mut c = Cursor::tracking(s);
        match GcCycle::default().parse_at(&mut c) {
            Some(_) => c.pos(),
            None => c.reach,
        }
    }

    #[inline(always)]
    fn parse_at<const TRACK: bool>(&mut self, c: &mut Cursor<'_, TRACK>) -> Option<()> {
        let s = c.s;
        // Fields a record may not set (optional parts, unused array slots) must not keep
        // a previous record's values: equal lines give equal records.
        *self = GcCycle::default();
        let gc = self;
        c.lit(b"gc ")?;
        gc.number = c.int()?;
        c.lit(b" @")?;
        gc.at_secs = c.dec()?;
        c.lit(b"s ")?;
        gc.cpu_percent = c.int()?;
        c.lit(b"%")?;
        if c.lit(b" (checking for goroutine leaks)").is_some() {
            gc.leak_check = true;
        }
        c.lit(b": ")?;
        // 3 to 5 '+'-separated wall-clock terms.
        let mut n_clock = 0;
        loop {
            *gc.clock.get_mut(n_clock)? = c.dec()?;
            n_clock += 1;
            if c.lit(b"+").is_none() {
                break;
            }
        }
        if n_clock < 3 {
            return None;
        }
        gc.n_clock = n_clock as u8;
        c.lit(b" ms clock, ")?;
        // CPU: '+'-separated terms, one of which may be a/b/c.
        let cpu_start = c.pos();
        let cpu_end = match gc.cpu_terms(s, cpu_start) {
            Some(end) => end,
            None => {
                // Not the runtime's layout: the field is still any run of these
                // characters (as for the reference reader), its values kept only when
                // every term is a number.
                let len = s[cpu_start..]
                    .iter()
                    .take_while(|&&b| b.is_ascii_digit() || b == b'.' || b == b'+' || b == b'/')
                    .count();
                if gc.cpu_terms(&s[..cpu_start + len], cpu_start).is_none() {
                    // Keep none of them (no partial values: equal lines, equal records).
                    gc.cpu = [Dec::default(); 7];
                    gc.n_cpu = 0;
                    gc.cpu_mark_at = None;
                }
                cpu_start + len
            }
        };
        // The runtime's cpu field is under 100 bytes; a longer run of these characters is
        // not one (and would make rejoining split records needlessly expensive).
        if cpu_end - cpu_start > MAX_CPU_FIELD {
            return None;
        }
        c.seek(cpu_end);
        c.track(cpu_end);
        c.lit(b" ms cpu, ")?;
        gc.heap_start_mb = c.int()?;
        c.lit(b"->")?;
        gc.heap_end_mb = c.int()?;
        c.lit(b"->")?;
        gc.heap_live_mb = c.int()?;
        c.lit(b" MB, ")?;
        gc.goal_mb = c.int()?;
        c.lit(b" MB goal, ")?;
        // Go 1.19+ stacks and globals, then the P count.
        let n = c.int()?;
        let save = c.rest;
        if c.lit(b" MB stacks, ").is_some() {
            let globals = c.int();
            if let (Some(g), Some(_)) = (globals, c.lit(b" MB globals, ")) {
                gc.stacks_mb = Some(n);
                gc.globals_mb = Some(g);
                gc.procs = c.int()?;
            } else {
                return None;
            }
        } else {
            c.rest = save;
            gc.procs = n;
        }
        c.lit(b" P")?;
        if c.lit(b" (forced)").is_some() {
            gc.forced = true;
        }
        Some(())
    }

    /// The cpu terms at `s[start..]`: numbers separated by '/' within a term and '+'
    /// between terms (`a+b/c/d+e`), at most 7. Returns where they end, `None` when the
    /// text there is not such a list followed by a byte outside `[0-9./+]`; the values
    /// are kept only on success.
    #[inline(always)]
    fn cpu_terms(&mut self, s: &[u8], start: usize) -> Option<usize> {
        let field = s.get(start..)?;
        let mut rest = field;
        let mut values = 0usize;
        let mut mark_at = None;
        let mut group_start = 0usize;
        loop {
            let (d, used) = Dec::parse(rest)?;
            *self.cpu.get_mut(values)? = d;
            values += 1;
            rest = rest.get(used..)?;
            let sep = rest.first().copied();
            if sep != Some(b'/') {
                if values - group_start == 3 && mark_at.is_none() {
                    mark_at = Some(group_start as u8);
                }
                group_start = values;
            }
            match sep {
                Some(b'/' | b'+') => rest = rest.get(1..)?,
                // `1.` and the like: part of the field, but not a number.
                Some(b'.') => return None,
                _ => break,
            }
        }
        self.n_cpu = values as u8;
        self.cpu_mark_at = mark_at;
        Some(start + (field.len() - rest.len()))
    }

    /// Writes the record in the runtime's layout (used by tests and generators).
    pub fn format(&self) -> String {
        let join =
            |v: &[Dec], sep: &str| v.iter().map(Dec::to_string).collect::<Vec<_>>().join(sep);
        let mut cpu = String::new();
        let vals = self.cpu();
        let mut i = 0;
        while i < vals.len() {
            if i > 0 {
                cpu.push('+');
            }
            if Some(i as u8) == self.cpu_mark_at {
                cpu.push_str(&join(&vals[i..i + 3], "/"));
                i += 3;
            } else {
                cpu.push_str(&vals[i].to_string());
                i += 1;
            }
        }
        let mut s = format!(
            "gc {} @{}s {}%{}: {} ms clock, {} ms cpu, {}->{}->{} MB, {} MB goal, ",
            self.number,
            self.at_secs,
            self.cpu_percent,
            if self.leak_check {
                " (checking for goroutine leaks)"
            } else {
                ""
            },
            join(self.clock(), "+"),
            cpu,
            self.heap_start_mb,
            self.heap_end_mb,
            self.heap_live_mb,
            self.goal_mb
        );
        if let (Some(st), Some(gl)) = (self.stacks_mb, self.globals_mb) {
            s.push_str(&format!("{st} MB stacks, {gl} MB globals, "));
        }
        s.push_str(&format!("{} P", self.procs));
        if self.forced {
            s.push_str(" (forced)");
        }
        s
    }

    /// Builds a cycle from its parts (for tests and generators); `cpu_groups` are the
    /// '+'-separated cpu terms, each one value or three (`assist/background/idle`).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        number: u64,
        at_secs: Dec,
        cpu_percent: u64,
        clock: &[Dec],
        cpu_groups: &[&[Dec]],
        heap_mb: [u64; 4],
        stacks_globals_mb: Option<(u64, u64)>,
        procs: u64,
        forced: bool,
    ) -> Option<GcCycle> {
        if !(3..=5).contains(&clock.len()) {
            return None;
        }
        let mut gc = GcCycle {
            number,
            at_secs,
            cpu_percent,
            heap_start_mb: heap_mb[0],
            heap_end_mb: heap_mb[1],
            heap_live_mb: heap_mb[2],
            goal_mb: heap_mb[3],
            stacks_mb: stacks_globals_mb.map(|x| x.0),
            globals_mb: stacks_globals_mb.map(|x| x.1),
            procs,
            forced,
            ..GcCycle::default()
        };
        gc.clock[..clock.len()].copy_from_slice(clock);
        gc.n_clock = clock.len() as u8;
        let mut n = 0;
        for g in cpu_groups {
            if !(g.len() == 1 || g.len() == 3) || n + g.len() > gc.cpu.len() {
                return None;
            }
            if g.len() == 3 {
                if gc.cpu_mark_at.is_some() {
                    return None;
                }
                gc.cpu_mark_at = Some(n as u8);
            }
            gc.cpu[n..n + g.len()].copy_from_slice(g);
            n += g.len();
        }
        if n == 0 {
            return None;
        }
        gc.n_cpu = n as u8;
        Some(gc)
    }
}

/// A scavenger line: the old `scvgN: ...` lines (Go ≤ 1.16 with gctrace) or scavtrace's
/// `scav ... KiB work ...` (Go 1.17+).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scavenge {
    /// `scvg…:` (Go ≤ 1.16): `released_mb` when the line is `scvgN: X MB released`.
    Scvg {
        /// MB released, when the line says it.
        released_mb: Option<u64>,
    },
    /// `scav B KiB work (bg), E KiB work (eager), N KiB now, U% util` (Go 1.21+; older
    /// scavtrace lines keep only the first number).
    Scav {
        /// KiB released by the background scavenger (or the only figure of older lines).
        work_kib: u64,
        /// KiB released eagerly, when printed.
        eager_kib: Option<u64>,
        /// KiB released in total now, when printed.
        now_kib: Option<u64>,
        /// Heap utilisation percent, when printed.
        util_percent: Option<u64>,
        /// `(forced)`: released by `debug.FreeOSMemory()`.
        forced: bool,
    },
}

/// Byte cursor for the hand-written matchers.
/// With `TRACK`, it also records how far the text followed the grammar (for
/// [`GcCycle::reach`]); the plain cursor skips that bookkeeping on the hot path.
pub(crate) struct Cursor<'a, const TRACK: bool = false> {
    pub s: &'a [u8],
    /// `s` from the current position on (kept as a slice, not an index, so that each
    /// step checks only the length it needs).
    rest: &'a [u8],
    /// The furthest position the text matched the grammar so far, failed attempts at
    /// literals included (only with `TRACK`).
    pub reach: usize,
}

impl<'a> Cursor<'a, false> {
    pub fn new(s: &'a [u8], i: usize) -> Self {
        Cursor {
            s,
            rest: s.get(i..).unwrap_or_default(),
            reach: i,
        }
    }
}

impl<'a> Cursor<'a, true> {
    pub fn tracking(s: &'a [u8]) -> Self {
        Cursor {
            s,
            rest: s,
            reach: 0,
        }
    }
}

impl<const TRACK: bool> Cursor<'_, TRACK> {
    /// The current position in `s`.
    #[inline(always)]
    pub fn pos(&self) -> usize {
        self.s.len() - self.rest.len()
    }

    /// Moves to position `i` of `s` (its end if `i` is past it).
    #[inline(always)]
    fn seek(&mut self, i: usize) {
        self.rest = self.s.get(i..).unwrap_or_default();
    }

    /// Moves `n` bytes on (to the end if fewer are left).
    #[inline(always)]
    fn advance(&mut self, n: usize) {
        self.rest = self.rest.get(n..).unwrap_or_default();
        self.track(self.pos());
    }

    #[inline(always)]
    fn track(&mut self, at: usize) {
        if TRACK {
            self.reach = self.reach.max(at);
        }
    }

    #[inline(always)]
    pub fn lit(&mut self, l: &[u8]) -> Option<()> {
        if let Some(after) = self.rest.strip_prefix(l) {
            self.rest = after;
            self.track(self.pos());
            Some(())
        } else {
            if TRACK {
                let matched = self.rest.iter().zip(l).take_while(|(a, b)| a == b).count();
                self.track(self.pos() + matched);
            }
            None
        }
    }

    #[inline(always)]
    pub fn int(&mut self) -> Option<u64> {
        // Up to 7 digits unrolled; longer numbers and the input's last bytes a byte at a
        // time.
        if let Some(head) = self.rest.first_chunk::<8>() {
            let (v, n) = leading_digits(head, 0);
            if n == 0 {
                return None;
            }
            if n < 8 {
                self.advance(n);
                return Some(v);
            }
        }
        self.int_bytes()
    }

    /// [`Cursor::int`] a byte at a time.
    #[inline(always)]
    fn int_bytes(&mut self) -> Option<u64> {
        // Out of line and on plain values, so that the cursor itself can stay in
        // registers on the hot path.
        let (v, end) = int_bytes(self.s, self.pos())?;
        self.seek(end);
        self.track(end);
        Some(v)
    }

    /// A float as Go's `print` writes it (`+1.500000e+000`, `-3.4e-02`) or as a plain
    /// decimal (`0.92`, `1`).
    pub fn float(&mut self) -> Option<f64> {
        let start = self.pos();
        let mut j = start;
        let s = self.s;
        if matches!(s.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        while j < s.len() && (s[j].is_ascii_digit() || s[j] == b'.') {
            j += 1;
        }
        if matches!(s.get(j), Some(b'e' | b'E')) {
            let mut k = j + 1;
            if matches!(s.get(k), Some(b'+' | b'-')) {
                k += 1;
            }
            let digits = s[k..].iter().take_while(|c| c.is_ascii_digit()).count();
            if digits > 0 {
                j = k + digits;
            }
        }
        let text = &s[start..j];
        let v: f64 = match exact_short_float(text) {
            Some(v) => v,
            None => std::str::from_utf8(text).ok()?.parse().ok()?,
        };
        self.seek(j);
        self.track(j);
        Some(v)
    }

    #[inline(always)]
    pub fn dec(&mut self) -> Option<Dec> {
        let (d, used) = Dec::parse(self.rest)?;
        self.advance(used);
        Some(d)
    }
}

/// The decimal integer at `s[start..]` and where it ends, a byte at a time; `None` when
/// there is no digit there or the number does not fit 64 bits.
#[cold]
#[inline(never)]
fn int_bytes(s: &[u8], start: usize) -> Option<(u64, usize)> {
    // One pass, no overflow checks for up to 19 digits (which always fit).
    let mut i = start;
    let mut v: u64 = 0;
    while i < s.len() && s[i].is_ascii_digit() {
        v = v.wrapping_mul(10).wrapping_add(u64::from(s[i] - b'0'));
        i += 1;
    }
    let digits = i - start;
    if digits == 0 {
        return None;
    }
    if digits > 19 {
        let mut checked: u64 = 0;
        for &c in &s[start..i] {
            checked = checked.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
        }
        v = checked;
    }
    Some((v, i))
}

/// 10^i as `f64` for i ≤ 22: every one is exact.
const POW10_F64: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// `[+-]digits[.digits][(e|E)[+-]digits]` with at most 15 digits and a decimal exponent
/// within ±22, as `str::parse::<f64>` reads it: the digits are an exact `f64`, so is the
/// power of ten, and one multiplication or division of exact operands is correctly
/// rounded (Clinger's fast path, the one the standard library takes too). `None` for
/// anything else: the caller leaves that text to `str::parse`.
fn exact_short_float(t: &[u8]) -> Option<f64> {
    let (negative, mut k) = match t.first() {
        Some(b'-') => (true, 1),
        Some(b'+') => (false, 1),
        _ => (false, 0),
    };
    let mut m: u64 = 0;
    let mut digits = 0;
    let mut exp: i32 = 0;
    let int_start = k;
    while let Some(&c) = t.get(k)
        && c.is_ascii_digit()
    {
        m = m * 10 + u64::from(c - b'0');
        digits += 1;
        k += 1;
        if digits > 15 {
            return None;
        }
    }
    if k == int_start {
        return None;
    }
    if t.get(k) == Some(&b'.') {
        k += 1;
        let frac_start = k;
        while let Some(&c) = t.get(k)
            && c.is_ascii_digit()
        {
            m = m * 10 + u64::from(c - b'0');
            digits += 1;
            exp -= 1;
            k += 1;
            if digits > 15 {
                return None;
            }
        }
        if k == frac_start {
            return None;
        }
    }
    if matches!(t.get(k), Some(b'e' | b'E')) {
        k += 1;
        let negative_exp = match t.get(k) {
            Some(b'-') => {
                k += 1;
                true
            }
            Some(b'+') => {
                k += 1;
                false
            }
            _ => false,
        };
        let exp_start = k;
        let mut e: i32 = 0;
        while let Some(&c) = t.get(k)
            && c.is_ascii_digit()
        {
            e = e * 10 + i32::from(c - b'0');
            k += 1;
            if k - exp_start > 4 {
                return None;
            }
        }
        if k == exp_start {
            return None;
        }
        exp += if negative_exp { -e } else { e };
    }
    if k != t.len() {
        return None;
    }
    let p = *POW10_F64.get(exp.unsigned_abs() as usize)?;
    let v = if exp >= 0 { m as f64 * p } else { m as f64 / p };
    Some(if negative { -v } else { v })
}

/// A `pacer:` line of GODEBUG=gcpacertrace=1. Floats are printed by the runtime in two
/// styles over the versions (`+3.123657e+000`, `1.5466512044270833`); both are read.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Pacer {
    /// `pacer: assist ratio=R (scan S MB in H->G MB) workers=D+F`, printed when a cycle
    /// starts.
    Assist {
        /// Assist work per byte allocated.
        assist_ratio: f64,
        /// Scannable heap, MB.
        scan_mb: u64,
        /// Live heap when the cycle started, MB.
        heap_live_mb: u64,
        /// Heap goal, MB.
        goal_mb: u64,
        /// Dedicated mark workers.
        dedicated_workers: u64,
        /// Fractional utilisation goal.
        fractional_goal: f64,
    },
    /// `pacer: U% CPU (G exp.) for H+S+GL B work (E B exp.) in T B -> L B (∆goal D,
    /// cons/mark C)`, printed when marking ends (Go 1.18+).
    Cycle {
        /// Mark CPU utilisation, percent.
        utilization_percent: u64,
        /// Utilisation goal, percent.
        goal_percent: u64,
        /// Heap scan work, bytes.
        heap_scan_bytes: u64,
        /// Stack scan work, bytes.
        stack_scan_bytes: u64,
        /// Globals scan work, bytes.
        globals_scan_bytes: u64,
        /// Expected scan work, bytes.
        expected_scan_bytes: u64,
        /// Heap size that triggered the cycle, bytes.
        trigger_bytes: u64,
        /// Live heap at the end of marking, bytes.
        live_bytes: u64,
        /// Live heap minus the goal, bytes (negative: under the goal).
        goal_delta_bytes: i64,
        /// Previous cons/mark ratio.
        cons_mark: f64,
    },
    /// `pacer: sweep done at heap size H MB; allocated A MB during sweep; swept N pages at
    /// R pages/byte`, printed when sweeping finishes.
    SweepDone {
        /// Live heap when sweeping finished, MB.
        heap_mb: u64,
        /// Allocated during the sweep, MB.
        allocated_mb: u64,
        /// Pages swept.
        swept_pages: u64,
        /// Proportional sweep rate, pages per byte allocated.
        pages_per_byte: f64,
    },
    /// Any other `pacer:` line (e.g. Go 1.5's `H_m_prev=… h_t=…` form): recognised, not
    /// decoded.
    Other,
}

impl Pacer {
    /// Decodes the text after `pacer: `.
    ///
    /// ```
    /// use gctrace_parse::Pacer;
    /// let p = Pacer::parse(b"assist ratio=+3.123657e+000 (scan 0 MB in 4->4 MB) workers=1++0.000000e+000");
    /// assert!(matches!(p, Pacer::Assist { goal_mb: 4, dedicated_workers: 1, .. }));
    /// ```
    pub fn parse(s: &[u8]) -> Pacer {
        Self::assist(s)
            .or_else(|| Self::cycle(s))
            .or_else(|| Self::sweep_done(s))
            .unwrap_or(Pacer::Other)
    }

    fn sweep_done(s: &[u8]) -> Option<Pacer> {
        let mut c = Cursor::new(s, 0);
        c.lit(b"sweep done at heap size ")?;
        let heap_mb = c.int()?;
        c.lit(b"MB; allocated ")?;
        let allocated_mb = c.int()?;
        c.lit(b"MB during sweep; swept ")?;
        let swept_pages = c.int()?;
        c.lit(b" pages at ")?;
        let pages_per_byte = c.float()?;
        c.lit(b" pages/byte")?;
        Some(Pacer::SweepDone {
            heap_mb,
            allocated_mb,
            swept_pages,
            pages_per_byte,
        })
    }

    fn assist(s: &[u8]) -> Option<Pacer> {
        let mut c = Cursor::new(s, 0);
        c.lit(b"assist ratio=")?;
        let assist_ratio = c.float()?;
        c.lit(b" (scan ")?;
        let scan_mb = c.int()?;
        c.lit(b" MB in ")?;
        let heap_live_mb = c.int()?;
        c.lit(b"->")?;
        let goal_mb = c.int()?;
        c.lit(b" MB) workers=")?;
        let dedicated_workers = c.int()?;
        c.lit(b"+")?;
        let fractional_goal = c.float()?;
        Some(Pacer::Assist {
            assist_ratio,
            scan_mb,
            heap_live_mb,
            goal_mb,
            dedicated_workers,
            fractional_goal,
        })
    }

    fn cycle(s: &[u8]) -> Option<Pacer> {
        let mut c = Cursor::new(s, 0);
        let utilization_percent = c.int()?;
        c.lit(b"% CPU (")?;
        let goal_percent = c.int()?;
        c.lit(b" exp.) for ")?;
        let heap_scan_bytes = c.int()?;
        c.lit(b"+")?;
        let stack_scan_bytes = c.int()?;
        c.lit(b"+")?;
        let globals_scan_bytes = c.int()?;
        c.lit(b" B work (")?;
        let expected_scan_bytes = c.int()?;
        c.lit(b" B exp.) in ")?;
        let trigger_bytes = c.int()?;
        c.lit(b" B -> ")?;
        let live_bytes = c.int()?;
        c.lit(" B (∆goal ".as_bytes())?;
        let negative = c.lit(b"-").is_some();
        let delta = i64::try_from(c.int()?).ok()?;
        c.lit(b", cons/mark ")?;
        let cons_mark = c.float()?;
        Some(Pacer::Cycle {
            utilization_percent,
            goal_percent,
            heap_scan_bytes,
            stack_scan_bytes,
            globals_scan_bytes,
            expected_scan_bytes,
            trigger_bytes,
            live_bytes,
            goal_delta_bytes: if negative { -delta } else { delta },
            cons_mark,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The unrolled integer reader and the byte loop agree, also at the input's end and
    /// on numbers too large for 64 bits.
    #[test]
    fn int_fast_path_matches_byte_loop() {
        let long = b"x 123456789012345678901234 ms";
        let mut inputs: Vec<Vec<u8>> = Vec::new();
        for n in 0..=long.len() {
            inputs.push(long[..n].to_vec());
        }
        for n in 0..=22 {
            let mut s: Vec<u8> = (0..n).map(|k| b'9' - (k % 10) as u8).collect();
            s.extend_from_slice(b"->17 MB");
            inputs.push(s);
        }
        inputs.push(b"18446744073709551615 P".to_vec());
        inputs.push(b"18446744073709551616 P".to_vec());
        for s in &inputs {
            for i in 0..=s.len() {
                let mut fast = Cursor::new(s, i);
                let mut slow = Cursor::new(s, i);
                assert_eq!(fast.int(), slow.int_bytes(), "{s:?} at {i}");
                assert_eq!(fast.pos(), slow.pos(), "{s:?} at {i}");
            }
        }
    }

    /// The short-float path gives exactly what `str::parse` gives, or leaves the text to it.
    #[test]
    fn short_float_matches_std() {
        let fixed = [
            "+3.123657e+000",
            "-3.4e-02",
            "0.92",
            "1",
            "1.5466512044270833",
            "+0.000000e+000",
            "-0.0",
            "123456789012345",
            "1234567890123456",
            "1e22",
            "1e23",
            "9e-22",
            "1.e5",
            ".5",
            "1.",
            "+",
            "-",
            "",
            "e5",
            "1e",
            "1e+",
            "2.5E3",
            "1.2.3",
            "+-1",
            "00000000000000012.5",
            "4.35",
            "0.1",
            "0.3",
            "7e-1",
        ];
        for t in fixed {
            let std = t.parse::<f64>().ok();
            if let Some(v) = exact_short_float(t.as_bytes()) {
                assert_eq!(Some(v.to_bits()), std.map(f64::to_bits), "{t}");
            }
        }
        assert!(exact_short_float(b"+3.123657e+000").is_some());
        assert!(exact_short_float(b"0.25").is_some());
    }

    proptest::proptest! {
        #[test]
        fn short_float_matches_std_on_any_text(
            sign in proptest::option::of(proptest::prop_oneof![proptest::strategy::Just("+"), proptest::strategy::Just("-")]),
            int in "[0-9]{0,17}",
            frac in proptest::option::of("[0-9]{0,17}"),
            exp in proptest::option::of(("[eE]", "[+-]?", "[0-9]{0,5}")),
        ) {
            let mut t = String::new();
            t.push_str(sign.unwrap_or(""));
            t.push_str(&int);
            if let Some(f) = &frac {
                t.push('.');
                t.push_str(f);
            }
            if let Some((e, s, d)) = &exp {
                t.push_str(e);
                t.push_str(s);
                t.push_str(d);
            }
            if let Some(v) = exact_short_float(t.as_bytes()) {
                let std = t.parse::<f64>().ok().map(f64::to_bits);
                proptest::prop_assert_eq!(Some(v.to_bits()), std, "{}", t);
            }
        }
    }
}
