//! [`Draft`]: a profile being transformed. Filters, aggregation and scaling edit a draft
//! instead of copying the profile; reports read drafts directly and [`Draft::finish`]
//! turns one into a real [`Profile`] (compacted, as google/pprof's `Compact`) with the
//! kernel in [`rebuild`], which merges and diffs use too.

use std::ops::Range;

use crate::pprof::{
    Function, Label, Labels, Line, Location, LocationIndexes, Mapping, Profile, Sample,
};

mod rebuild;

pub(crate) use rebuild::{rebuild, rebuild_with_frames};

/// Which function and mapping fields survive aggregation (google/pprof's `Aggregate`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Keep {
    pub inline_frames: bool,
    pub function: bool,
    pub filename: bool,
    pub line_number: bool,
    pub column: bool,
    pub address: bool,
}

impl Keep {
    pub const ALL: Keep = Keep {
        inline_frames: true,
        function: true,
        filename: true,
        line_number: true,
        column: true,
        address: true,
    };
}

/// Samples column-wise, like [`crate::pprof::Samples`] but growable.
#[derive(Clone, Debug, Default)]
pub(crate) struct SampleCols {
    locations: Vec<u32>,
    location_offsets: Vec<u32>,
    values: Vec<i64>,
    labels: Vec<Label>,
    label_offsets: Vec<u32>,
    k: usize,
}

impl SampleCols {
    pub fn new(k: usize) -> Self {
        SampleCols {
            location_offsets: vec![0],
            label_offsets: vec![0],
            k,
            ..Default::default()
        }
    }

    pub fn push(&mut self, locations: &[u32], values: &[i64], labels: &[Label]) {
        self.locations.extend_from_slice(locations);
        self.location_offsets.push(self.locations.len() as u32);
        self.values.extend_from_slice(values);
        self.labels.extend_from_slice(labels);
        self.label_offsets.push(self.labels.len() as u32);
    }

    pub fn len(&self) -> usize {
        self.location_offsets.len() - 1
    }

    pub fn get(&self, i: usize) -> Sample<'_> {
        let l = self.location_offsets[i] as usize..self.location_offsets[i + 1] as usize;
        let b = self.label_offsets[i] as usize..self.label_offsets[i + 1] as usize;
        Sample {
            locations: LocationIndexes::from(&self.locations[l]),
            values: &self.values[i * self.k..(i + 1) * self.k],
            labels: Labels::from(&self.labels[b]),
        }
    }
}

/// Edited per-location lines: a flat vector and each location's range in it.
#[derive(Clone, Debug)]
struct LineEdits {
    lines: Vec<Line>,
    ranges: Vec<Range<u32>>,
}

/// A profile under transformation: the source's strings, functions and mappings, with
/// edited location lines, samples and aggregation masks. Unedited parts are read from
/// the source, so a draft of an untouched profile costs nothing.
#[derive(Clone, Debug)]
pub struct Draft<'p> {
    p: &'p Profile,
    lines: Option<LineEdits>,
    samples: Option<SampleCols>,
    keep: Keep,
    /// `(type, unit)` per value column; reordered or rescaled when profiles are made
    /// compatible for merging.
    pub(crate) types: Vec<(String, String)>,
    /// `(type, unit)` of the period, `("", "")` when unset.
    pub(crate) period_type: (String, String),
    pub(crate) period: i64,
    pub(crate) default_type: String,
    /// A string label every sample gets (replacing that key's values), as google/pprof's
    /// `SetLabel`; applied when the draft is merged.
    pub(crate) set_label: Option<(String, String)>,
}

impl<'p> Draft<'p> {
    /// A draft equal to `p`.
    pub fn new(p: &'p Profile) -> Self {
        let s = |id| p.string(id).into_owned();
        let pt = p.period_type().unwrap_or_default();
        Draft {
            p,
            lines: None,
            samples: None,
            keep: Keep::ALL,
            types: p
                .sample_types()
                .iter()
                .map(|t| (s(t.ty), s(t.unit)))
                .collect(),
            period_type: (s(pt.ty), s(pt.unit)),
            period: p.period(),
            default_type: s(p.default_sample_type()),
            set_label: None,
        }
    }

    /// `(type, unit)` of each value column.
    pub fn sample_types(&self) -> &[(String, String)] {
        &self.types
    }

    /// The profile this draft edits (its strings, functions and mappings).
    pub fn source(&self) -> &'p Profile {
        self.p
    }

    /// Number of locations (the same as the source's; edits never add any).
    pub fn num_locations(&self) -> usize {
        self.p.locations().len()
    }

    /// Location `i` of the source (its lines may be edited: use [`Draft::lines`]).
    pub fn location(&self, i: u32) -> &'p Location {
        &self.p.locations()[i as usize]
    }

    /// The address of location `i` after aggregation.
    pub fn address(&self, i: u32) -> u64 {
        if self.keep.address {
            self.location(i).address
        } else {
            0
        }
    }

    /// The frames of location `i`, innermost first, after edits and aggregation (line
    /// and column numbers are zeroed by aggregation on the fly: use [`Draft::line`]).
    pub fn lines(&self, i: u32) -> &[Line] {
        match &self.lines {
            Some(e) => {
                let r = &e.ranges[i as usize];
                &e.lines[r.start as usize..r.end as usize]
            }
            None => self.p.location_lines(self.location(i)),
        }
    }

    /// A line as aggregation leaves it.
    pub fn line(&self, l: &Line) -> Line {
        Line {
            function: l.function,
            line: if self.keep.line_number { l.line } else { 0 },
            column: if self.keep.line_number && self.keep.column {
                l.column
            } else {
                0
            },
        }
    }

    /// Function `i` as aggregation leaves it (names or file cleared).
    pub fn function(&self, i: u32) -> Function {
        let mut f = self.p.functions()[i as usize];
        if !self.keep.function {
            f.name = 0;
            f.system_name = 0;
        }
        if !self.keep.filename {
            f.filename = 0;
        }
        f
    }

    /// Mapping `i` with its symbol flags as aggregation leaves them.
    pub fn mapping(&self, i: u32) -> Mapping {
        let mut m = self.p.mappings()[i as usize];
        m.has_inline_frames &= self.keep.inline_frames;
        m.has_functions &= self.keep.function;
        m.has_filenames &= self.keep.filename;
        m.has_line_numbers &= self.keep.line_number;
        m
    }

    /// Number of samples.
    pub fn num_samples(&self) -> usize {
        match &self.samples {
            Some(s) => s.len(),
            None => self.p.num_samples(),
        }
    }

    /// Sample `i`.
    pub fn sample(&self, i: usize) -> Sample<'_> {
        match &self.samples {
            Some(s) => s.get(i),
            None => self.p.sample(i),
        }
    }

    /// Replaces the lines of every location: `f(location index, current lines)` returns
    /// `None` to keep them or the new lines.
    pub(crate) fn edit_lines(&mut self, mut f: impl FnMut(u32, &[Line]) -> Option<Vec<Line>>) {
        let n = self.num_locations();
        let mut out = LineEdits {
            lines: Vec::with_capacity(self.p.lines().len()),
            ranges: Vec::with_capacity(n),
        };
        let mut changed = false;
        for i in 0..n as u32 {
            let cur = self.lines(i);
            let start = out.lines.len() as u32;
            match f(i, cur) {
                Some(new) => {
                    changed = true;
                    out.lines.extend_from_slice(&new);
                }
                None => out.lines.extend_from_slice(cur),
            }
            out.ranges.push(start..out.lines.len() as u32);
        }
        if changed {
            self.lines = Some(out);
        }
    }

    /// Keeps or rewrites samples: `f(sample)` returns `None` to drop it, or the sample to
    /// keep (possibly with fewer locations or other values).
    pub(crate) fn edit_samples(
        &mut self,
        mut f: impl FnMut(Sample<'_>, &mut Vec<u32>, &mut Vec<i64>, &mut Vec<Label>) -> bool,
    ) {
        let k = self.types.len();
        let mut out = SampleCols::new(k);
        let (mut locs, mut vals, mut labels) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..self.num_samples() {
            let s = self.sample(i);
            locs.clear();
            s.locations.extend_vec(&mut locs);
            vals.clear();
            vals.extend_from_slice(s.values);
            labels.clear();
            labels.extend(s.labels);
            if f(s, &mut locs, &mut vals, &mut labels) {
                out.push(&locs, &vals, &labels);
            }
        }
        self.samples = Some(out);
    }

    /// Multiplies every value of column `i` by `ratios[i]`, rounding half away from zero,
    /// and drops the samples whose scaled columns all became zero (google/pprof's
    /// `ScaleN`: a column with ratio 1 is left alone and does not keep a sample alive).
    pub(crate) fn scale(&mut self, ratios: &[f64]) {
        if ratios.iter().all(|&r| r == 1.0) {
            return;
        }
        self.edit_samples(|_, _, vals, _| {
            let mut keep = false;
            for (v, &r) in vals.iter_mut().zip(ratios) {
                if r != 1.0 {
                    *v = crate::units::go_int64((*v as f64 * r).round());
                    keep |= *v != 0;
                }
            }
            keep
        });
    }

    /// Applies an aggregation mask (fields can only be dropped, never restored).
    pub(crate) fn aggregate(&mut self, keep: Keep) {
        self.keep = Keep {
            inline_frames: self.keep.inline_frames && keep.inline_frames,
            function: self.keep.function && keep.function,
            filename: self.keep.filename && keep.filename,
            line_number: self.keep.line_number && keep.line_number,
            column: self.keep.column && keep.column,
            address: self.keep.address && keep.address,
        };
        if !keep.inline_frames {
            self.edit_lines(|_, lines| {
                (lines.len() > 1).then(|| lines[lines.len() - 1..].to_vec())
            });
        }
    }

    /// Builds the edited profile, compacted: unreferenced locations, functions, mappings
    /// and strings are dropped and ids renumbered (google/pprof's `Compact`, which also
    /// merges identical samples and drops all-zero ones).
    pub fn finish(&self) -> crate::Result<Profile> {
        rebuild(std::slice::from_ref(self))
    }
}
