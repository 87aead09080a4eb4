//! [`Query`]: what `go tool pprof` does between loading profiles and printing a report —
//! the profile's `drop_frames`, sample-type selection, the report total, filters and
//! aggregation, in that order — as one set of options.

use crate::draft::Draft;
use crate::error::{Error, Result};
use crate::filter::{self, Filters, Matched};
use crate::granularity::Granularity;
use crate::graph::GraphOptions;
use crate::pprof::Profile;

/// Options shared by every report, named after `go tool pprof`'s flags.
///
/// Made from `Query::default()` (what `go tool pprof` does without flags) and setters:
///
/// ```
/// use profile_ops::{filter::Filters, query::Query, report::top::Top};
/// # let mut b = profile_ops::pprof::ProfileBuilder::new();
/// # b.sample_type("alloc_space", "bytes");
/// # let f = b.function("main.alloc", "main.go", 1);
/// # let l = b.location(None, 0, &[(f, 3)]);
/// # b.sample(&[l], &[4096], &[]);
/// # let profile = b.build().unwrap();
/// let q = Query::default()
///     .sample_index("alloc_space")
///     .filters(Filters::default().focus("main\\."))
///     .node_count(10);
/// let top = Top::new(&q.prepare(&profile)?, 10);
/// assert_eq!(top.rows[0].name, "main.alloc");
/// # Ok::<(), profile_ops::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Query {
    /// `-sample_index`: a sample type name (`alloc_space`, `inuse_space`...) or a column
    /// number; `None` selects the default sample type, else the last column.
    pub sample_index: Option<String>,
    /// `-mean`: divide values by the sample count (column 0).
    pub mean: bool,
    /// Focus, ignore, hide, show... filters.
    pub filters: Filters,
    /// `-functions`, `-files`, `-lines`, `-addresses`, `-filefunctions`.
    pub granularity: Granularity,
    /// `-noinlines`: attribute inlined calls to their callers.
    pub noinlines: bool,
    /// Apply the profile's `drop_frames`/`keep_frames` (`go tool pprof` always does).
    pub drop_frames: bool,
    /// `-relative_percentages`: percentages of the filtered total, not of the whole.
    pub relative_percentages: bool,
    /// `-nodecount`: keep at most this many nodes (`None`: the report's default).
    pub node_count: Option<usize>,
    /// `-nodefraction`: drop nodes below this fraction of the total.
    pub node_fraction: f64,
    /// `-edgefraction`: drop edges below this fraction of the total.
    pub edge_fraction: f64,
    /// `-cum`: sort by cumulative value.
    pub cum_sort: bool,
    /// `-drop_negative`: leave out nodes with negative values.
    pub drop_negative: bool,
    /// `-unit`: the unit to print values in; `minimum` picks one, as pprof does.
    pub unit: String,
}

impl Default for Query {
    fn default() -> Self {
        Query {
            sample_index: None,
            mean: false,
            filters: Filters::default(),
            granularity: Granularity::Functions,
            noinlines: false,
            drop_frames: true,
            relative_percentages: false,
            node_count: None,
            node_fraction: 0.005,
            edge_fraction: 0.001,
            cum_sort: false,
            drop_negative: false,
            unit: "minimum".into(),
        }
    }
}

setters!(Query {
    mean: bool,
    filters: Filters,
    granularity: Granularity,
    noinlines: bool,
    drop_frames: bool,
    relative_percentages: bool,
    node_fraction: f64,
    edge_fraction: f64,
    cum_sort: bool,
    drop_negative: bool,
} into {
    unit: String,
} optional {
    node_count: usize,
} optional_into {
    sample_index: String,
});

/// A profile prepared for reporting: filtered and aggregated, with the chosen sample type
/// and the total percentages are relative to.
#[derive(Clone, Debug)]
pub struct Prepared<'p> {
    /// The filtered, aggregated profile.
    pub draft: Draft<'p>,
    /// The query it was prepared with.
    pub query: Query,
    /// Column of the values reported.
    pub sample_index: usize,
    /// Its type (`mean_` prefixed for mean reports).
    pub sample_type: String,
    /// Its unit, lower-cased.
    pub sample_unit: String,
    /// Sum of |values| (of the base's samples only, for `-diff_base` profiles).
    pub total: i64,
    /// Which filters matched something.
    pub matched: Matched,
}

/// google/pprof's `SampleIndexByName`.
pub fn sample_index(p: &Profile, index: Option<&str>) -> Result<usize> {
    let types: Vec<String> = p
        .sample_types()
        .iter()
        .map(|t| p.string(t.ty).into_owned())
        .collect();
    if types.is_empty() {
        return Err(Error::BadOption("profile has no samples".into()));
    }
    let Some(index) = index.filter(|s| !s.is_empty()) else {
        let dflt = p.string(p.default_sample_type());
        if !dflt.is_empty()
            && let Some(i) = types.iter().position(|t| *t == dflt)
        {
            return Ok(i);
        }
        return Ok(types.len() - 1);
    };
    if let Ok(i) = index.parse::<i64>() {
        if i < 0 || i as usize >= types.len() {
            return Err(Error::BadOption(format!(
                "sample_index {index} is outside the range [0..{}]",
                types.len() - 1
            )));
        }
        return Ok(i as usize);
    }
    let no_inuse = index.strip_prefix("inuse_").unwrap_or(index);
    types
        .iter()
        .position(|t| t == index || t == no_inuse)
        .ok_or_else(|| {
            Error::BadOption(format!(
                "sample_index {index:?} must be one of: [{}]",
                types.join(" ")
            ))
        })
}

impl Query {
    /// The query `go tool pprof -peek` runs: untrimmed (no node or edge fraction),
    /// whatever the fractions asked for.
    ///
    /// ```
    /// use profile_ops::query::Query;
    /// let q = Query::default().node_fraction(0.1).untrimmed();
    /// assert_eq!((q.node_fraction, q.edge_fraction), (0.0, 0.0));
    /// ```
    pub fn untrimmed(self) -> Query {
        Query {
            node_fraction: 0.0,
            edge_fraction: 0.0,
            ..self
        }
    }

    /// Prepares `p` for a report.
    ///
    /// ```
    /// use profile_ops::pprof::ProfileBuilder;
    /// use profile_ops::query::Query;
    /// let mut b = ProfileBuilder::new();
    /// b.sample_type("alloc_objects", "count").sample_type("alloc_space", "bytes");
    /// b.sample(&[], &[1, 512], &[]).sample(&[], &[2, -1024], &[]);
    /// let p = b.build().unwrap();
    /// let q = Query::default().sample_index("alloc_space");
    /// let prepared = q.prepare(&p).unwrap();
    /// assert_eq!((prepared.sample_index, prepared.total), (1, 1536));
    /// ```
    pub fn prepare<'p>(&self, p: &'p Profile) -> Result<Prepared<'p>> {
        let mut draft = Draft::new(p);
        if self.drop_frames {
            filter::drop_frames(&mut draft)?;
        }
        let si = sample_index(p, self.sample_index.as_deref())?;
        let mut matched = Matched::default();
        if self.relative_percentages {
            matched = self.filters.apply(&mut draft)?;
        }
        let total = compute_total(&draft, si, self.mean);
        if !self.relative_percentages {
            matched = self.filters.apply(&mut draft)?;
        }
        self.granularity.apply(&mut draft, !self.noinlines);
        let (ty, unit) = draft.sample_types()[si].clone();
        Ok(Prepared {
            draft,
            query: self.clone(),
            sample_index: si,
            sample_type: if self.mean { format!("mean_{ty}") } else { ty },
            sample_unit: unit.to_lowercase(),
            total,
            matched,
        })
    }
}

impl Prepared<'_> {
    /// How graph nodes get their values.
    pub fn graph_options(&self) -> GraphOptions {
        GraphOptions {
            sample_index: self.sample_index,
            mean: self.query.mean,
            drop_negative: self.query.drop_negative,
        }
    }

    /// The value of sample `i` as reports use it (divided for mean reports).
    pub fn sample_value(&self, values: &[i64]) -> i64 {
        let v = values.get(self.sample_index).copied().unwrap_or(0);
        if self.query.mean {
            let d = values.first().copied().unwrap_or(0);
            if d != 0 {
                return v / d;
            }
        }
        v
    }
}

/// google/pprof's `computeTotal`: the sum of |value|; when some samples carry the
/// `pprof::base=true` label, only theirs.
fn compute_total(d: &Draft<'_>, si: usize, mean: bool) -> i64 {
    let p = d.source();
    let (key, val) = crate::transform::DIFF_BASE_LABEL;
    let (mut total, mut div, mut base_total, mut base_div) = (0i64, 0i64, 0i64, 0i64);
    for i in 0..d.num_samples() {
        let s = d.sample(i);
        let v = s.values.get(si).copied().unwrap_or(0).wrapping_abs();
        let dv = if mean {
            s.values.first().copied().unwrap_or(0)
        } else {
            0
        };
        total = total.wrapping_add(v);
        div = div.wrapping_add(dv);
        let is_base = s.labels.iter().any(|l| {
            l.str != 0 && p.bytes_of(l.key) == key.as_bytes() && p.bytes_of(l.str) == val.as_bytes()
        });
        if is_base {
            base_total = base_total.wrapping_add(v);
            base_div = base_div.wrapping_add(dv);
        }
    }
    if base_total > 0 {
        (total, div) = (base_total, base_div);
    }
    if div != 0 { total / div } else { total }
}
