//! Operations on profiles (merge, diff, filters, aggregation) and their reports (top,
//! traces, tree, folded stacks, flame graphs, speedscope).

use napi::bindgen_prelude::{Array, AsyncTask, ClassInstance, Either};
use napi::{Env, Unknown};
use napi_derive::napi;

use profile_ops::filter::Filters;
use profile_ops::granularity::Granularity;
use profile_ops::merge::{MergeOptions as RustMergeOptions, merge as merge_profiles};
use profile_ops::pprof;
use profile_ops::query::Query;
use profile_ops::report::top::Top;
use profile_ops::report::{flame, folded, speedscope, traces, tree};
use profile_ops::transform::{self, DiffMode};

use crate::errors::{Failure, Fallible};
use crate::options::FilterOptions;
use crate::profile::Profile;
use crate::task::{Job, Output, run, spawn};
use crate::value::Ints;

/// Which report to make from a prepared profile.
#[derive(Clone, Copy)]
enum Report {
    Top,
    Traces,
    Tree,
    Folded,
    Flame,
    FlameJson,
    Speedscope,
}

/// Makes `report` of `p` (off the JS thread if need be).
fn report(p: &pprof::Profile, args: ReportArgs, report: Report, name: &str) -> Fallible<Output> {
    let ReportArgs {
        options,
        n,
        symbol,
        base,
    } = args;
    let mut q = options.query()?;
    if let (Report::Tree, Some(_)) = (report, &symbol) {
        q = q.untrimmed();
    }
    let prep = q.prepare(p)?;
    Ok(match report {
        Report::Top => Output::Top(Top::new(&prep, n.unwrap_or(0))),
        Report::Traces => Output::Text(traces::traces(&prep)),
        Report::Tree => {
            let default = if symbol.is_some() { 0 } else { 80 };
            Output::Text(tree::tree(&prep, n.unwrap_or(default), symbol.as_deref())?)
        }
        Report::Folded => Output::Folded(folded::folded(&prep)),
        Report::Flame => match base {
            None => Output::Flame(flame::flamegraph(&prep)),
            Some(b) => Output::Flame(flame::flamegraph_diff(&q.prepare(&b)?, &prep)?),
        },
        Report::FlameJson => {
            let root = match base {
                None => flame::flamegraph(&prep),
                Some(b) => flame::flamegraph_diff(&q.prepare(&b)?, &prep)?,
            };
            Output::Text(root.to_json())
        }
        Report::Speedscope => Output::Json(
            serde_json::to_value(speedscope::speedscope(&prep, name))
                .map_err(|e| Failure::new("ParseError", e.to_string()))?,
        ),
    })
}

/// A profile from a transformation.
fn derived(r: profile_ops::Result<pprof::Profile>) -> Fallible<Output> {
    Ok(Output::from(r?))
}

/// Options of `aggregate`.
#[napi(object)]
#[derive(Clone, Default)]
pub struct AggregateOptions {
    /// Keep inlined frames (default true); false attributes them to their callers.
    pub inlines: Option<bool>,
}

/// Options of `labelNodes` (`-tagroot` / `-tagleaf`).
#[napi(object)]
#[derive(Clone, Default)]
pub struct LabelNodeOptions {
    /// Label keys whose values become frames above the root of every stack.
    pub root: Option<Vec<String>>,
    /// Label keys whose values become frames below the leaf.
    pub leaf: Option<Vec<String>>,
    /// Unit numeric label values are shown in (default `minimum`).
    pub unit: Option<String>,
}

/// Operations: each returns a new profile or a report; the `*Async` forms run on the
/// libuv thread pool and return a promise of the same.
#[napi]
impl Profile {
    /// Applies `go tool pprof`'s filters and returns the filtered, compacted profile.
    #[napi(ts_return_type = "Profile")]
    pub fn filter<'e>(&self, env: &'e Env, filters: FilterOptions) -> napi::Result<Unknown<'e>> {
        let f: Filters = filters.into();
        run(env, self.ints, || derived(f.apply_to(&self.p)))
    }

    /// Keeps only samples with a frame matching `regex` (`-focus`).
    #[napi(ts_return_type = "Profile")]
    pub fn focus<'e>(&self, env: &'e Env, regex: String) -> napi::Result<Unknown<'e>> {
        self.filter_one(env, Filters::default().focus(regex))
    }

    /// Drops samples with a frame matching `regex` (`-ignore`).
    #[napi(ts_return_type = "Profile")]
    pub fn ignore<'e>(&self, env: &'e Env, regex: String) -> napi::Result<Unknown<'e>> {
        self.filter_one(env, Filters::default().ignore(regex))
    }

    /// Removes frames matching `regex` from stacks (`-hide`).
    #[napi(ts_return_type = "Profile")]
    pub fn hide<'e>(&self, env: &'e Env, regex: String) -> napi::Result<Unknown<'e>> {
        self.filter_one(env, Filters::default().hide(regex))
    }

    /// Keeps only frames matching `regex` in stacks (`-show`).
    #[napi(ts_return_type = "Profile")]
    pub fn show<'e>(&self, env: &'e Env, regex: String) -> napi::Result<Unknown<'e>> {
        self.filter_one(env, Filters::default().show(regex))
    }

    /// Drops frames above the outermost frame matching `regex` (`-show_from`).
    #[napi(ts_return_type = "Profile")]
    pub fn show_from<'e>(&self, env: &'e Env, regex: String) -> napi::Result<Unknown<'e>> {
        self.filter_one(env, Filters::default().show_from(regex))
    }

    /// Keeps samples whose labels match `spec` (`-tagfocus`: `regex`, `key=regex[,...]`
    /// or a numeric range such as `bytes=64:1kb`).
    #[napi(ts_return_type = "Profile")]
    pub fn tag_focus<'e>(&self, env: &'e Env, spec: String) -> napi::Result<Unknown<'e>> {
        self.filter_one(env, Filters::default().tagfocus(spec))
    }

    /// Drops samples whose labels match `spec` (`-tagignore`).
    #[napi(ts_return_type = "Profile")]
    pub fn tag_ignore<'e>(&self, env: &'e Env, spec: String) -> napi::Result<Unknown<'e>> {
        self.filter_one(env, Filters::default().tagignore(spec))
    }

    /// Drops frames below the first frame matching `regex` (`-prune_from`).
    #[napi(ts_return_type = "Profile")]
    pub fn prune_from<'e>(&self, env: &'e Env, regex: String) -> napi::Result<Unknown<'e>> {
        self.filter_one(env, Filters::default().prune_from(regex))
    }

    /// Every value multiplied by `ratio` (rounded); samples that become zero are dropped.
    #[napi(ts_return_type = "Profile")]
    pub fn scale<'e>(&self, env: &'e Env, ratio: f64) -> napi::Result<Unknown<'e>> {
        run(env, self.ints, || derived(transform::scale(&self.p, ratio)))
    }

    /// Scaled so that each sample type totals what it totals in `base`.
    #[napi(ts_return_type = "Profile")]
    pub fn normalize<'e>(&self, env: &'e Env, base: &Profile) -> napi::Result<Unknown<'e>> {
        run(env, self.ints, || {
            derived(transform::normalize(&self.p, &base.p))
        })
    }

    /// Without unreferenced tables, identical samples merged, all-zero samples dropped.
    #[napi(ts_return_type = "Profile")]
    pub fn compact<'e>(&self, env: &'e Env) -> napi::Result<Unknown<'e>> {
        run(env, self.ints, || derived(transform::compact(&self.p)))
    }

    /// Aggregated to `granularity` (`functions`, `filefunctions`, `files`, `lines`,
    /// `addresses`).
    #[napi(ts_return_type = "Profile")]
    pub fn aggregate<'e>(
        &self,
        env: &'e Env,
        granularity: String,
        options: Option<AggregateOptions>,
    ) -> napi::Result<Unknown<'e>> {
        let inlines = options.and_then(|o| o.inlines).unwrap_or(true);
        run(env, self.ints, || {
            let g = granularity.parse::<Granularity>()?;
            derived(profile_ops::granularity::aggregate(&self.p, g, inlines))
        })
    }

    /// Label values as pseudo-frames (`-tagroot` / `-tagleaf`), so that reports group
    /// samples by label.
    #[napi(ts_return_type = "Profile")]
    pub fn label_nodes<'e>(
        &self,
        env: &'e Env,
        options: LabelNodeOptions,
    ) -> napi::Result<Unknown<'e>> {
        let root = options.root.unwrap_or_default();
        let leaf = options.leaf.unwrap_or_default();
        let unit = options.unit.unwrap_or_else(|| "minimum".into());
        run(env, self.ints, || {
            let root: Vec<&str> = root.iter().map(String::as_str).collect();
            let leaf: Vec<&str> = leaf.iter().map(String::as_str).collect();
            derived(profile_ops::labels::add_label_nodes(
                &self.p, &root, &leaf, &unit,
            ))
        })
    }

    /// The `top` report (`go tool pprof -top`): `{ total, unit, labels, rows, text }`,
    /// rows with the fields of `gprofops top --json` (`name`, `flat`, `flat_pct`,
    /// `sum_pct`, `cum`, `cum_pct`, `inline`); at most `n` rows.
    #[napi(ts_return_type = "TopReport")]
    pub fn top<'e>(
        &self,
        env: &'e Env,
        options: Option<ReportOptions>,
    ) -> napi::Result<Unknown<'e>> {
        self.report(env, options, Report::Top)
    }

    /// [`Profile.top`] on the libuv thread pool.
    #[napi(ts_return_type = "Promise<TopReport>")]
    pub fn top_async(&self, options: Option<ReportOptions>) -> AsyncTask<Job> {
        self.report_async(options, Report::Top)
    }

    /// The `traces` report as text (`go tool pprof -traces`).
    #[napi(ts_return_type = "string")]
    pub fn traces<'e>(
        &self,
        env: &'e Env,
        options: Option<ReportOptions>,
    ) -> napi::Result<Unknown<'e>> {
        self.report(env, options, Report::Traces)
    }

    /// The `tree` report as text (`go tool pprof -tree`, at most `n` nodes, default
    /// 80); with `symbol`, only the nodes matching it, untrimmed, as `go tool pprof
    /// -peek` shows them.
    #[napi(ts_return_type = "string")]
    pub fn tree<'e>(
        &self,
        env: &'e Env,
        options: Option<ReportOptions>,
    ) -> napi::Result<Unknown<'e>> {
        self.report(env, options, Report::Tree)
    }

    /// Folded stacks (Brendan Gregg's format) as `[stack, value]` pairs, the stack
    /// `root;...;leaf`.
    #[napi(ts_return_type = "Array<[string, Int]>")]
    pub fn folded<'e>(
        &self,
        env: &'e Env,
        options: Option<ReportOptions>,
    ) -> napi::Result<Unknown<'e>> {
        self.report(env, options, Report::Folded)
    }

    /// The flame graph in d3-flame-graph's shape (`{ name, value, children }`); with
    /// `base`, the differential graph (`delta` = this − base on every frame).
    #[napi(ts_return_type = "FlameNode")]
    pub fn flamegraph<'e>(
        &self,
        env: &'e Env,
        options: Option<ReportOptions>,
    ) -> napi::Result<Unknown<'e>> {
        self.report(env, options, Report::Flame)
    }

    /// [`Profile.flamegraph`] on the libuv thread pool.
    #[napi(ts_return_type = "Promise<FlameNode>")]
    pub fn flamegraph_async(&self, options: Option<ReportOptions>) -> AsyncTask<Job> {
        self.report_async(options, Report::Flame)
    }

    /// [`Profile.flamegraph`] as JSON text, exactly what `gprofops flamegraph` prints
    /// (without its newline): for a server that sends the graph on, it skips building
    /// JS objects and `JSON.stringify`. Integers are written in full.
    #[napi(ts_return_type = "string")]
    pub fn flamegraph_json<'e>(
        &self,
        env: &'e Env,
        options: Option<ReportOptions>,
    ) -> napi::Result<Unknown<'e>> {
        self.report(env, options, Report::FlameJson)
    }

    /// [`Profile.flamegraphJson`] on the libuv thread pool.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn flamegraph_json_async(&self, options: Option<ReportOptions>) -> AsyncTask<Job> {
        self.report_async(options, Report::FlameJson)
    }

    /// The profile as a speedscope document (`JSON.stringify` it into a
    /// `.speedscope.json` file), named `name` (default `profile`).
    #[napi(ts_return_type = "Record<string, unknown>")]
    pub fn speedscope<'e>(
        &self,
        env: &'e Env,
        options: Option<ReportOptions>,
        name: Option<String>,
    ) -> napi::Result<Unknown<'e>> {
        let args = ReportArgs::new(options);
        let name = name.unwrap_or_else(|| "profile".into());
        run(env, self.ints, || {
            report(&self.p, args, Report::Speedscope, &name)
        })
    }
}

impl Profile {
    fn report<'e>(
        &self,
        env: &'e Env,
        options: Option<ReportOptions>,
        kind: Report,
    ) -> napi::Result<Unknown<'e>> {
        let args = ReportArgs::new(options);
        run(env, self.ints, || report(&self.p, args, kind, ""))
    }

    fn report_async(&self, options: Option<ReportOptions>, kind: Report) -> AsyncTask<Job> {
        let args = ReportArgs::new(options);
        let p = self.p.clone();
        spawn(self.ints, move || report(&p, args, kind, ""))
    }

    fn filter_one<'e>(&self, env: &'e Env, f: Filters) -> napi::Result<Unknown<'e>> {
        run(env, self.ints, || derived(f.apply_to(&self.p)))
    }
}

/// Options of `merge`.
#[napi(object)]
#[derive(Clone, Default)]
pub struct MergeOptions {
    /// Keep the sample types every profile has, converting compatible units, as `go
    /// tool pprof` does with several files (default: types must match exactly).
    pub common_sample_types: Option<bool>,
    /// For paths: every integer of the result is a `bigint` (profiles passed in keep
    /// their own setting; the first one's applies to the result).
    pub bigint: Option<bool>,
    /// Threads to merge a large list with: 0 (default) for one per core, 1 for the
    /// calling thread only (the libuv pool's thread, for `mergeAsync`). The result does
    /// not depend on it.
    pub threads: Option<u32>,
}

/// A profile to merge: already loaded, or a path to load.
enum Input {
    Loaded(pprof::Profile),
    Path(String),
}

fn inputs(items: &Array<'_>) -> napi::Result<(Vec<Input>, Option<Ints>)> {
    let mut out = Vec::with_capacity(items.len() as usize);
    let mut ints = None;
    for i in 0..items.len() {
        let item: Option<Either<String, ClassInstance<'_, Profile>>> = items.get(i)?;
        match item {
            Some(Either::A(path)) => out.push(Input::Path(path)),
            Some(Either::B(p)) => {
                ints.get_or_insert(p.ints);
                out.push(Input::Loaded(p.p.clone()));
            }
            None => {
                return Err(napi::Error::from_reason(format!(
                    "merge: item {i} is missing"
                )));
            }
        }
    }
    Ok((out, ints))
}

fn merge_inputs(inputs: Vec<Input>, opts: RustMergeOptions) -> Fallible<Output> {
    let mut ps = Vec::with_capacity(inputs.len());
    for i in inputs {
        ps.push(match i {
            Input::Loaded(p) => p,
            Input::Path(path) => pprof::Profile::open(&path)?,
        });
    }
    derived(merge_profiles(&ps, &opts))
}

fn merge_args(
    profiles: &Array<'_>,
    options: Option<MergeOptions>,
) -> napi::Result<(Vec<Input>, Ints, RustMergeOptions)> {
    let o = options.unwrap_or_default();
    let (items, ints) = inputs(profiles)?;
    let ints = ints.unwrap_or(Ints {
        big: o.bigint.unwrap_or(false),
    });
    let opts = RustMergeOptions::default()
        .common_sample_types(o.common_sample_types.unwrap_or(false))
        .threads(o.threads.unwrap_or(0) as usize);
    Ok((items, ints, opts))
}

/// Merges profiles (`Profile` objects or paths, which are loaded) into one, as
/// google/pprof's `profile.Merge`: identical samples summed, ids renumbered. Throws
/// `IncompatibleProfilesError` when sample or period types differ (see
/// `commonSampleTypes`) and `NoProfilesError` for an empty list.
#[napi(ts_return_type = "Profile")]
pub fn merge<'e>(
    env: &'e Env,
    #[napi(ts_arg_type = "Array<Profile | string>")] profiles: Array<'e>,
    options: Option<MergeOptions>,
) -> napi::Result<Unknown<'e>> {
    let (items, ints, opts) = merge_args(&profiles, options)?;
    run(env, ints, || merge_inputs(items, opts))
}

/// [`merge`] on the libuv thread pool: loading the paths and merging never block the
/// event loop.
#[napi(ts_return_type = "Promise<Profile>")]
pub fn merge_async(
    #[napi(ts_arg_type = "Array<Profile | string>")] profiles: Array<'_>,
    options: Option<MergeOptions>,
) -> napi::Result<AsyncTask<Job>> {
    let (items, ints, opts) = merge_args(&profiles, options)?;
    Ok(spawn(ints, move || merge_inputs(items, opts)))
}

/// Options of `diff`.
#[napi(object)]
#[derive(Clone, Default)]
pub struct DiffOptions {
    /// `'marked'` (default): as `go tool pprof -diff_base`, the base negated and labelled
    /// `pprof::base=true`; `'subtract'`: as `-base`, identical stacks cancel out.
    #[napi(ts_type = "'marked' | 'subtract'")]
    pub mode: Option<String>,
    /// Scale `current` to the base's totals first.
    pub normalize: Option<bool>,
}

/// `current` compared with `base`, as `go tool pprof -diff_base=BASE CURRENT` (or
/// `-base`) loads them; reports on the result show the change.
#[napi(ts_return_type = "Profile")]
pub fn diff<'e>(
    env: &'e Env,
    base: &Profile,
    current: &Profile,
    options: Option<DiffOptions>,
) -> napi::Result<Unknown<'e>> {
    let o = options.unwrap_or_default();
    let normalize = o.normalize.unwrap_or(false);
    run(env, current.ints, || {
        let mode = match o.mode.as_deref() {
            None | Some("marked") => DiffMode::Marked,
            Some("subtract") => DiffMode::Subtract,
            Some(other) => {
                return Err(Failure::arg_value(format!(
                    "diff: mode must be 'marked' or 'subtract', not {other:?}"
                )));
            }
        };
        derived(transform::diff(&base.p, &current.p, mode, normalize))
    })
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
