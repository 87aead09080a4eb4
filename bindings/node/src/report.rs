//! Operations on profiles (merge, diff, filters, aggregation) and their reports (top,
//! traces, tree, folded stacks, flame graphs, speedscope).

use napi::bindgen_prelude::{
    Array, AsyncTask, ClassInstance, Either, JsObjectValue, Object, ToNapiValue,
};
use napi::{Env, Unknown};
use napi_derive::napi;

use profile_ops::filter::Filters;
use profile_ops::granularity::Granularity;
use profile_ops::merge::{MergeOptions as RustMergeOptions, merge as merge_profiles};
use profile_ops::pprof;
use profile_ops::report::top::Top;
use profile_ops::report::{flame, folded, speedscope, traces, tree};
use profile_ops::transform::{self, DiffMode};

use crate::errors::{Failure, Fallible};
use crate::options::{FilterOptions, ReportArgs, ReportOptions};
use crate::profile::Profile;
use crate::task::{Job, Output, run, spawn};
use crate::value::Ints;

/// The top report as a plain object: `total`, `unit`, `labels` (the header lines `go
/// tool pprof -top` prints), `rows` (the fields of `gprofops top --json`) and `text`
/// (the report as `go tool pprof -top` prints it).
pub(crate) fn top_js<'e>(env: &'e Env, ints: Ints, t: &Top) -> napi::Result<Unknown<'e>> {
    let mut rows = env.create_array(crate::value::len32(t.rows.len())?)?;
    for (i, r) in t.rows.iter().enumerate() {
        let mut o = Object::new(env)?;
        o.set_named_property("name", r.name.as_str())?;
        o.set_named_property("node", r.node.as_str())?;
        o.set_named_property("flat", ints.i64(env, r.flat)?)?;
        o.set_named_property("flat_pct", r.flat_pct)?;
        o.set_named_property("sum_pct", r.sum_pct)?;
        o.set_named_property("cum", ints.i64(env, r.cum)?)?;
        o.set_named_property("cum_pct", r.cum_pct)?;
        o.set_named_property("inline", r.inline)?;
        o.set_named_property("partial_inline", r.partial_inline)?;
        rows.set(i as u32, o)?;
    }
    let mut o = Object::new(env)?;
    o.set_named_property("total", ints.i64(env, t.total)?)?;
    o.set_named_property("unit", t.unit.as_str())?;
    o.set_named_property("labels", t.labels.clone())?;
    o.set_named_property("rows", rows)?;
    o.set_named_property("text", t.to_text())?;
    o.into_unknown(env)
}

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
    Ok(Output::Profile(r?))
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

fn merge_inputs(inputs: Vec<Input>, common_sample_types: bool) -> Fallible<Output> {
    let mut ps = Vec::with_capacity(inputs.len());
    for i in inputs {
        ps.push(match i {
            Input::Loaded(p) => p,
            Input::Path(path) => pprof::Profile::open(&path)?,
        });
    }
    let opts = RustMergeOptions {
        common_sample_types,
    };
    derived(merge_profiles(&ps, &opts))
}

fn merge_args(
    profiles: &Array<'_>,
    options: Option<MergeOptions>,
) -> napi::Result<(Vec<Input>, Ints, bool)> {
    let o = options.unwrap_or_default();
    let (items, ints) = inputs(profiles)?;
    let ints = ints.unwrap_or(Ints {
        big: o.bigint.unwrap_or(false),
    });
    Ok((items, ints, o.common_sample_types.unwrap_or(false)))
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
    let (items, ints, common) = merge_args(&profiles, options)?;
    run(env, ints, || merge_inputs(items, common))
}

/// [`merge`] on the libuv thread pool: loading the paths and merging never block the
/// event loop.
#[napi(ts_return_type = "Promise<Profile>")]
pub fn merge_async(
    #[napi(ts_arg_type = "Array<Profile | string>")] profiles: Array<'_>,
    options: Option<MergeOptions>,
) -> napi::Result<AsyncTask<Job>> {
    let (items, ints, common) = merge_args(&profiles, options)?;
    Ok(spawn(ints, move || merge_inputs(items, common)))
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
