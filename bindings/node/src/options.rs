//! Option objects, named after `go tool pprof`'s flags in camelCase, and what they become
//! in the Rust API.

use napi::bindgen_prelude::{ClassInstance, Either};
use napi_derive::napi;
use profile_ops::filter::Filters;
use profile_ops::granularity::Granularity;
use profile_ops::pprof::{self, DecodeOptions};
use profile_ops::query::Query;

use crate::errors::{Failure, Fallible};
use crate::profile::Profile;
use crate::value::Ints;

/// How to read a profile, a GC log or a trace.
#[napi(object)]
#[derive(Clone, Default)]
pub struct LoadOptions {
    /// Every integer the object returns is a `bigint` (default: a `number` when it fits
    /// in 2^53, a `bigint` otherwise). Profiles made from it (merge, filters...) keep it.
    pub bigint: Option<bool>,
    /// Copy the input buffer instead of borrowing it (default false). A borrowed buffer
    /// must not be written to while the object is in use: profiles point into it.
    pub copy: Option<bool>,
    /// gzip input inflating past this many bytes is refused with `TooLargeError`
    /// (default 2 GiB). Profiles only.
    pub max_inflated_size: Option<f64>,
    /// Decoding a profile that would take more than this many bytes (a decompression
    /// bomb, a forged sample count) is refused with `TooLargeError` (default 4 GiB).
    /// Profiles only.
    pub memory_budget: Option<f64>,
    /// Try the legacy text formats `go tool pprof` reads when the input is not protobuf
    /// (default true). Profiles only.
    pub legacy: Option<bool>,
}

impl LoadOptions {
    pub(crate) fn ints(&self) -> Ints {
        Ints {
            big: self.bigint.unwrap_or(false),
        }
    }

    pub(crate) fn copy(&self) -> bool {
        self.copy.unwrap_or(false)
    }

    pub(crate) fn decode(&self) -> Fallible<DecodeOptions> {
        let mut o = DecodeOptions::default();
        if let Some(m) = self.max_inflated_size {
            o.max_inflated_size = byte_count("maxInflatedSize", m)?;
        }
        if let Some(m) = self.memory_budget {
            o.memory_budget = byte_count("memoryBudget", m)?;
        }
        o.legacy = self.legacy.unwrap_or(true);
        Ok(o)
    }
}

/// A size in bytes given as a JS number: a non-negative integer.
fn byte_count(name: &str, m: f64) -> Fallible<usize> {
    if !(m >= 0.0 && m.fract() == 0.0 && m <= usize::MAX as f64) {
        return Err(Failure::arg_value(format!(
            "{name} must be a non-negative integer, not {m}"
        )));
    }
    Ok(m as usize)
}

/// `go tool pprof`'s filters (RE2 syntax), applied in its order.
#[napi(object)]
#[derive(Clone, Default)]
pub struct FilterOptions {
    /// Keep only samples with a frame matching this (`-focus`).
    pub focus: Option<String>,
    /// Drop samples with a frame matching this (`-ignore`).
    pub ignore: Option<String>,
    /// Remove matching frames from stacks (`-hide`).
    pub hide: Option<String>,
    /// Keep only matching frames in stacks (`-show`).
    pub show: Option<String>,
    /// Drop frames above the outermost frame matching this (`-show_from`).
    pub show_from: Option<String>,
    /// Keep samples whose labels match (`-tagfocus`: `regex`, `key=regex[,...]` or a
    /// numeric range such as `bytes=64:1kb`).
    pub tag_focus: Option<String>,
    /// Drop samples whose labels match (`-tagignore`).
    pub tag_ignore: Option<String>,
    /// Keep only labels whose key matches (`-tagshow`).
    pub tag_show: Option<String>,
    /// Remove labels whose key matches (`-taghide`).
    pub tag_hide: Option<String>,
    /// Drop frames below the first frame matching this (`-prune_from`).
    pub prune_from: Option<String>,
}

impl From<FilterOptions> for Filters {
    fn from(f: FilterOptions) -> Filters {
        let mut filters = Filters::default();
        filters.focus = f.focus;
        filters.ignore = f.ignore;
        filters.hide = f.hide;
        filters.show = f.show;
        filters.show_from = f.show_from;
        filters.tagfocus = f.tag_focus;
        filters.tagignore = f.tag_ignore;
        filters.tagshow = f.tag_show;
        filters.taghide = f.tag_hide;
        filters.prune_from = f.prune_from;
        filters
    }
}

/// Options of every report, named after `go tool pprof`'s flags; the filters of
/// [`FilterOptions`] apply too.
#[napi(object)]
#[derive(Default)]
pub struct ReportOptions {
    /// `flamegraph` only: compare with this profile, giving every frame `delta` = this
    /// profile's value − the base's (a differential flame graph).
    pub base: Option<ClassInstance<'static, Profile>>,
    /// `tree` only: just the nodes matching this regexp, with their callers and callees
    /// (`-peek`).
    pub symbol: Option<String>,
    /// Rows or nodes to show (`-nodecount`; 0: all that pass `nodeFraction`). `top`
    /// and `tree` only; defaults as in `go tool pprof`: all rows for `top`, 80 nodes
    /// for `tree`.
    pub n: Option<u32>,
    /// Sample type by name (`alloc_space`) or column number (`-sample_index`); default:
    /// the profile's default sample type, else the last.
    pub sample_index: Option<Either<String, u32>>,
    /// Divide values by the sample count (`-mean`).
    pub mean: Option<bool>,
    /// `functions` (default), `filefunctions`, `files`, `lines` or `addresses`.
    pub granularity: Option<String>,
    /// Attribute inlined calls to their callers (`-noinlines`).
    pub noinlines: Option<bool>,
    /// Apply the profile's `drop_frames`/`keep_frames` (default true, as pprof does).
    pub drop_frames: Option<bool>,
    /// Percentages of the filtered total (`-relative_percentages`).
    pub relative_percentages: Option<bool>,
    /// Drop nodes below this fraction of the total (`-nodefraction`, default 0.005).
    pub node_fraction: Option<f64>,
    /// Drop edges below this fraction of the total (`-edgefraction`, default 0.001).
    pub edge_fraction: Option<f64>,
    /// Sort by cumulative value (`-cum`).
    pub cum: Option<bool>,
    /// Leave out nodes with negative values (`-drop_negative`).
    pub drop_negative: Option<bool>,
    /// Unit to print values in (`-unit`, default `minimum`).
    pub unit: Option<String>,
    /// `-focus`.
    pub focus: Option<String>,
    /// `-ignore`.
    pub ignore: Option<String>,
    /// `-hide`.
    pub hide: Option<String>,
    /// `-show`.
    pub show: Option<String>,
    /// `-show_from`.
    pub show_from: Option<String>,
    /// `-tagfocus`.
    pub tag_focus: Option<String>,
    /// `-tagignore`.
    pub tag_ignore: Option<String>,
    /// `-tagshow`.
    pub tag_show: Option<String>,
    /// `-taghide`.
    pub tag_hide: Option<String>,
    /// `-prune_from`.
    pub prune_from: Option<String>,
}

/// What a report needs from its options, owned, so that it can be made on any thread.
pub(crate) struct ReportArgs {
    /// Options that become the query.
    pub options: QueryOptions,
    /// `n`, when given.
    pub n: Option<usize>,
    /// `symbol`.
    pub symbol: Option<String>,
    /// `base`'s profile.
    pub base: Option<pprof::Profile>,
}

impl ReportArgs {
    /// Takes what the report needs out of `options` (on the JS thread).
    pub(crate) fn new(options: Option<ReportOptions>) -> ReportArgs {
        let o = options.unwrap_or_default();
        ReportArgs {
            n: o.n.map(|n| n as usize),
            symbol: o.symbol.clone(),
            base: o.base.as_ref().map(|b| b.p.clone()),
            options: QueryOptions::from(o),
        }
    }
}

/// [`ReportOptions`] without the JS objects.
pub(crate) struct QueryOptions {
    sample_index: Option<Either<String, u32>>,
    mean: Option<bool>,
    granularity: Option<String>,
    noinlines: Option<bool>,
    drop_frames: Option<bool>,
    relative_percentages: Option<bool>,
    node_fraction: Option<f64>,
    edge_fraction: Option<f64>,
    cum: Option<bool>,
    drop_negative: Option<bool>,
    unit: Option<String>,
    filters: FilterOptions,
}

impl From<ReportOptions> for QueryOptions {
    fn from(o: ReportOptions) -> QueryOptions {
        QueryOptions {
            sample_index: o.sample_index,
            mean: o.mean,
            granularity: o.granularity,
            noinlines: o.noinlines,
            drop_frames: o.drop_frames,
            relative_percentages: o.relative_percentages,
            node_fraction: o.node_fraction,
            edge_fraction: o.edge_fraction,
            cum: o.cum,
            drop_negative: o.drop_negative,
            unit: o.unit,
            filters: FilterOptions {
                focus: o.focus,
                ignore: o.ignore,
                hide: o.hide,
                show: o.show,
                show_from: o.show_from,
                tag_focus: o.tag_focus,
                tag_ignore: o.tag_ignore,
                tag_show: o.tag_show,
                tag_hide: o.tag_hide,
                prune_from: o.prune_from,
            },
        }
    }
}

impl QueryOptions {
    /// The query these options describe.
    pub(crate) fn query(self) -> Fallible<Query> {
        let mut q = Query::default();
        q.sample_index = self.sample_index.map(|s| match s {
            Either::A(name) => name,
            Either::B(i) => i.to_string(),
        });
        q.mean = self.mean.unwrap_or(q.mean);
        if let Some(g) = &self.granularity {
            q.granularity = g.parse::<Granularity>()?;
        }
        q.noinlines = self.noinlines.unwrap_or(q.noinlines);
        q.drop_frames = self.drop_frames.unwrap_or(q.drop_frames);
        q.relative_percentages = self.relative_percentages.unwrap_or(q.relative_percentages);
        q.node_fraction = self.node_fraction.unwrap_or(q.node_fraction);
        q.edge_fraction = self.edge_fraction.unwrap_or(q.edge_fraction);
        q.cum_sort = self.cum.unwrap_or(q.cum_sort);
        q.drop_negative = self.drop_negative.unwrap_or(q.drop_negative);
        if let Some(u) = self.unit {
            q.unit = u;
        }
        q.filters = self.filters.into();
        Ok(q)
    }
}
