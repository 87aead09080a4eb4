//! pprof operations and reports of `profile-ops`: merge, diff, transforms, filters, and
//! the reports (top, traces, tree, folded, flame graph, speedscope).

use profile_ops::filter::Filters;
use profile_ops::granularity::Granularity;
use profile_ops::merge::{MergeOptions, merge as merge_profiles};
use profile_ops::query::{Prepared, Query};
use profile_ops::report::top::Top;
use profile_ops::report::{flame, folded, speedscope, traces, tree};
use profile_ops::transform::{self, DiffMode};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::errors::ops_err;
use crate::profile::{Profile, to_py};
use crate::table::{Col, StrCol, Validity};

/// Reads report options (`go tool pprof`'s flags, by name) from keyword arguments.
fn query(options: Option<&Bound<'_, PyDict>>) -> PyResult<Query> {
    let mut q = Query::default();
    let Some(options) = options else {
        return Ok(q);
    };
    for (k, v) in options.iter() {
        let key: String = k.extract()?;
        let s = || -> PyResult<Option<String>> { v.extract() };
        match key.as_str() {
            "sample_index" => {
                q.sample_index = if v.is_none() {
                    None
                } else if let Ok(i) = v.extract::<i64>() {
                    Some(i.to_string())
                } else {
                    Some(v.extract()?)
                }
            }
            "mean" => q.mean = v.extract()?,
            "granularity" => {
                let g: String = v.extract()?;
                q.granularity = g.parse::<Granularity>().map_err(ops_err)?;
            }
            "noinlines" => q.noinlines = v.extract()?,
            "drop_frames" => q.drop_frames = v.extract()?,
            "relative_percentages" => q.relative_percentages = v.extract()?,
            "node_fraction" => q.node_fraction = v.extract()?,
            "edge_fraction" => q.edge_fraction = v.extract()?,
            "cum" => q.cum_sort = v.extract()?,
            "drop_negative" => q.drop_negative = v.extract()?,
            "unit" => q.unit = v.extract()?,
            "focus" => q.filters.focus = s()?,
            "ignore" => q.filters.ignore = s()?,
            "hide" => q.filters.hide = s()?,
            "show" => q.filters.show = s()?,
            "show_from" => q.filters.show_from = s()?,
            "tagfocus" => q.filters.tagfocus = s()?,
            "tagignore" => q.filters.tagignore = s()?,
            "tagshow" => q.filters.tagshow = s()?,
            "taghide" => q.filters.taghide = s()?,
            "prune_from" => q.filters.prune_from = s()?,
            other => {
                return Err(PyTypeError::new_err(format!(
                    "unexpected report option {other:?}"
                )));
            }
        }
    }
    Ok(q)
}

/// Runs `f` on `p` prepared with the options, without the GIL.
fn with_prepared<T: Send>(
    py: Python<'_>,
    p: &Profile,
    options: Option<&Bound<'_, PyDict>>,
    f: impl FnOnce(&Prepared<'_>) -> profile_ops::Result<T> + Send,
) -> PyResult<T> {
    let q = query(options)?;
    py.detach(|| q.prepare(&p.p).and_then(|prep| f(&prep)))
        .map_err(ops_err)
}

/// `p` filtered, without the GIL.
fn apply(py: Python<'_>, p: &Profile, f: Filters) -> PyResult<Profile> {
    wrap(py.detach(|| f.apply_to(&p.p)))
}

fn wrap(r: profile_ops::Result<profile_ops::pprof::Profile>) -> PyResult<Profile> {
    r.map(|p| Profile { p }).map_err(ops_err)
}

/// Merges profiles into one (google/pprof's `profile.Merge`): identical samples summed,
/// ids renumbered. Sample and period types must match unless `common_sample_types` is
/// true, which keeps the types every profile has and converts compatible units, as
/// `go tool pprof` does with several files. `threads`: how many threads merge a large
/// list (0, the default: one per core; 1: the calling thread only); the result does not
/// depend on it. Raises `IncompatibleProfilesError` or `NoProfilesError`.
#[pyfunction]
#[pyo3(signature = (profiles, /, *, common_sample_types=false, threads=0))]
pub fn merge(
    py: Python<'_>,
    profiles: &Bound<'_, PyAny>,
    common_sample_types: bool,
    threads: usize,
) -> PyResult<Profile> {
    let mut ps = Vec::new();
    for item in profiles.try_iter()? {
        let item = item?;
        let p = item.cast::<Profile>().map_err(|_| {
            PyTypeError::new_err(format!(
                "merge: expected Profile objects, got {}",
                item.get_type()
                    .name()
                    .map(|n| n.to_string())
                    .unwrap_or_default()
            ))
        })?;
        ps.push(p.get().p.clone());
    }
    let opts = MergeOptions::default()
        .common_sample_types(common_sample_types)
        .threads(threads);
    wrap(py.detach(|| merge_profiles(&ps, &opts)))
}

/// `new` compared with `base`, as `go tool pprof -diff_base=BASE NEW` loads them
/// (`mode="marked"`: base negated and labelled `pprof::base=true`) or `-base=BASE NEW`
/// (`mode="subtract"`). `normalize` first scales `new` to the base's totals.
#[pyfunction]
#[pyo3(signature = (base, new, /, *, mode="marked", normalize=false))]
pub fn diff(
    py: Python<'_>,
    base: &Profile,
    new: &Profile,
    mode: &str,
    normalize: bool,
) -> PyResult<Profile> {
    let mode = match mode {
        "marked" => DiffMode::Marked,
        "subtract" => DiffMode::Subtract,
        other => {
            return Err(PyValueError::new_err(format!(
                "diff: mode must be \"marked\" or \"subtract\", not {other:?}"
            )));
        }
    };
    wrap(py.detach(|| transform::diff(&base.p, &new.p, mode, normalize)))
}

/// A flame graph as nested dicts (`name`, `value`, `delta` for diffs, `children`), built
/// without recursion: graphs are as deep as the deepest stack.
fn flame_dict<'py>(py: Python<'py>, g: &flame::FlameGraph) -> PyResult<Bound<'py, PyAny>> {
    let open = |f: flame::Frame<'_>| -> PyResult<(Bound<'py, PyDict>, Bound<'py, PyList>)> {
        let d = PyDict::new(py);
        d.set_item("name", f.name())?;
        d.set_item("value", f.value())?;
        if let Some(delta) = f.delta() {
            d.set_item("delta", delta)?;
        }
        let children = PyList::empty(py);
        d.set_item("children", &children)?;
        Ok((d, children))
    };
    let root = g.root();
    let (top, children) = open(root)?;
    let mut path = vec![(root.children(), children)];
    while let Some((frames, children)) = path.last_mut() {
        if let Some(child) = frames.next() {
            let (d, grandchildren) = open(child)?;
            children.append(d)?;
            path.push((child.children(), grandchildren));
        } else {
            path.pop();
        }
    }
    Ok(top.into_any())
}

/// The `top` report (see `Profile.top`).
#[pyclass(frozen, module = "gprofops", name = "TopReport")]
pub struct TopReport {
    t: Top,
}

impl TopReport {
    fn columns(&self) -> PyResult<Vec<(String, Col)>> {
        let rows = &self.t.rows;
        let (mut names, mut nodes) = (StrCol::new(), StrCol::new());
        for r in rows {
            names.push(r.name.as_bytes())?;
            nodes.push(r.node.as_bytes())?;
        }
        let b = |f: fn(&profile_ops::report::top::TopRow) -> bool| {
            Col::Bool(rows.iter().map(|r| u8::from(f(r))).collect())
        };
        let i = |f: fn(&profile_ops::report::top::TopRow) -> i64| {
            Col::I64(rows.iter().map(f).collect(), Validity::default())
        };
        let f = |f: fn(&profile_ops::report::top::TopRow) -> f64| {
            Col::F64(rows.iter().map(f).collect(), Validity::default())
        };
        Ok(vec![
            ("name".into(), Col::Str(names)),
            ("node".into(), Col::Str(nodes)),
            ("flat".into(), i(|r| r.flat)),
            ("flat_pct".into(), f(|r| r.flat_pct)),
            ("sum_pct".into(), f(|r| r.sum_pct)),
            ("cum".into(), i(|r| r.cum)),
            ("cum_pct".into(), f(|r| r.cum_pct)),
            ("inline".into(), b(|r| r.inline)),
            ("partial_inline".into(), b(|r| r.partial_inline)),
        ])
    }
}

#[pymethods]
impl TopReport {
    /// The total the percentages are of.
    #[getter]
    fn total(&self) -> i64 {
        self.t.total
    }

    /// The sample type's unit (values are in it).
    #[getter]
    fn unit(&self) -> String {
        self.t.unit.clone()
    }

    /// Rows, heaviest first: dicts with `name`, `flat`, `flat_pct`, `sum_pct`, `cum`,
    /// `cum_pct` (what `gprofops top --json` prints).
    #[getter]
    fn rows<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.t.rows)
    }

    /// The header lines `go tool pprof -top` prints (`Type:`, `Showing nodes ...`).
    #[getter]
    fn labels(&self) -> Vec<String> {
        self.t.labels.clone()
    }

    fn __len__(&self) -> usize {
        self.t.rows.len()
    }

    /// The report as `go tool pprof -top` prints it.
    fn to_text(&self) -> String {
        self.t.to_text()
    }

    fn __str__(&self) -> String {
        self.t.to_text()
    }

    fn __repr__(&self) -> String {
        format!(
            "<gprofops.TopReport: {} rows, total {} {}>",
            self.t.rows.len(),
            self.t.total,
            self.t.unit
        )
    }

    /// The rows as a `pyarrow.Table` (`name`, `flat`, `flat_pct`, `sum_pct`, `cum`,
    /// `cum_pct`, `inline`).
    fn to_arrow<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::table::to_arrow(py, self.columns()?)
    }

    /// The rows as a `pandas.DataFrame`.
    fn to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::table::to_pandas(py, self.columns()?)
    }

    /// The table as HTML (at most 20 rows), with values as pprof prints them.
    fn _repr_html_(&self) -> String {
        crate::html::top_table(&self.t, 20)
    }
}

/// Operations on a profile; each returns a new profile or a report.
#[pymethods]
impl Profile {
    /// Applies `go tool pprof`'s filters (`focus`, `ignore`, `hide`, `show`, `show_from`,
    /// `tagfocus`, `tagignore`, `tagshow`, `taghide`, `prune_from`; RE2 syntax) and
    /// returns the filtered, compacted profile.
    #[pyo3(signature = (*, focus=None, ignore=None, hide=None, show=None, show_from=None, tagfocus=None, tagignore=None, tagshow=None, taghide=None, prune_from=None))]
    #[allow(clippy::too_many_arguments)]
    fn filter(
        &self,
        py: Python<'_>,
        focus: Option<String>,
        ignore: Option<String>,
        hide: Option<String>,
        show: Option<String>,
        show_from: Option<String>,
        tagfocus: Option<String>,
        tagignore: Option<String>,
        tagshow: Option<String>,
        taghide: Option<String>,
        prune_from: Option<String>,
    ) -> PyResult<Profile> {
        let mut f = Filters::default();
        f.focus = focus;
        f.ignore = ignore;
        f.hide = hide;
        f.show = show;
        f.show_from = show_from;
        f.tagfocus = tagfocus;
        f.tagignore = tagignore;
        f.tagshow = tagshow;
        f.taghide = taghide;
        f.prune_from = prune_from;
        apply(py, self, f)
    }

    /// Keeps only samples with a frame matching `regex` (`-focus`).
    fn focus(&self, py: Python<'_>, regex: String) -> PyResult<Profile> {
        let f = Filters::default().focus(regex);
        apply(py, self, f)
    }

    /// Drops samples with a frame matching `regex` (`-ignore`).
    fn ignore(&self, py: Python<'_>, regex: String) -> PyResult<Profile> {
        let f = Filters::default().ignore(regex);
        apply(py, self, f)
    }

    /// Removes frames matching `regex` from stacks (`-hide`).
    fn hide(&self, py: Python<'_>, regex: String) -> PyResult<Profile> {
        let f = Filters::default().hide(regex);
        apply(py, self, f)
    }

    /// Keeps only frames matching `regex` in stacks (`-show`).
    fn show(&self, py: Python<'_>, regex: String) -> PyResult<Profile> {
        let f = Filters::default().show(regex);
        apply(py, self, f)
    }

    /// Keeps samples whose labels match `spec` (`-tagfocus`: `regex`, `key=regex[,...]`
    /// or a numeric range such as `bytes=64:1kb`).
    fn tagfocus(&self, py: Python<'_>, spec: String) -> PyResult<Profile> {
        let f = Filters::default().tagfocus(spec);
        apply(py, self, f)
    }

    /// Drops samples whose labels match `spec` (`-tagignore`).
    fn tagignore(&self, py: Python<'_>, spec: String) -> PyResult<Profile> {
        let f = Filters::default().tagignore(spec);
        apply(py, self, f)
    }

    /// Every value multiplied by `ratio` (rounded); samples that become zero are dropped.
    fn scale(&self, py: Python<'_>, ratio: f64) -> PyResult<Profile> {
        wrap(py.detach(|| transform::scale(&self.p, ratio)))
    }

    /// Scaled so that each sample type totals what it totals in `base`.
    fn normalize(&self, py: Python<'_>, base: &Profile) -> PyResult<Profile> {
        wrap(py.detach(|| transform::normalize(&self.p, &base.p)))
    }

    /// Without unreferenced tables, identical samples merged, all-zero samples dropped.
    fn compact(&self, py: Python<'_>) -> PyResult<Profile> {
        wrap(py.detach(|| transform::compact(&self.p)))
    }

    /// Aggregated to `granularity` (`functions`, `filefunctions`, `files`, `lines`,
    /// `addresses`); `inlines=False` attributes inlined calls to their callers.
    #[pyo3(signature = (granularity, /, *, inlines=true))]
    fn aggregate(&self, py: Python<'_>, granularity: &str, inlines: bool) -> PyResult<Profile> {
        let g = granularity.parse::<Granularity>().map_err(ops_err)?;
        wrap(py.detach(|| profile_ops::granularity::aggregate(&self.p, g, inlines)))
    }

    /// Label values as pseudo-frames (`-tagroot` / `-tagleaf`): for each key of `root`,
    /// a frame named after the sample's values of that label above the root of every
    /// stack, and likewise for `leaf` below the leaf; numbers are scaled to `unit` as
    /// pprof prints them. Reports on the result group samples by label.
    #[pyo3(signature = (*, root=Vec::new(), leaf=Vec::new(), unit="minimum"))]
    fn label_nodes(
        &self,
        py: Python<'_>,
        root: Vec<String>,
        leaf: Vec<String>,
        unit: &str,
    ) -> PyResult<Profile> {
        let root: Vec<&str> = root.iter().map(String::as_str).collect();
        let leaf: Vec<&str> = leaf.iter().map(String::as_str).collect();
        wrap(py.detach(|| profile_ops::labels::add_label_nodes(&self.p, &root, &leaf, unit)))
    }

    /// The `top` report: at most `n` rows (0: all that pass the node fraction). Options
    /// are `go tool pprof`'s flags by name: `sample_index` (name or number), `mean`,
    /// `granularity`, `noinlines`, `drop_frames`, `relative_percentages`,
    /// `node_fraction`, `edge_fraction`, `cum`, `drop_negative`, `unit`, and the filters
    /// of `Profile.filter`.
    #[pyo3(signature = (n=0, /, **options))]
    fn top(
        &self,
        py: Python<'_>,
        n: usize,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<TopReport> {
        let t = with_prepared(py, self, options, |prep| Ok(Top::new(prep, n)))?;
        Ok(TopReport { t })
    }

    /// The `traces` report as text (`go tool pprof -traces`). Options as for `top`.
    #[pyo3(signature = (**options))]
    fn traces(&self, py: Python<'_>, options: Option<&Bound<'_, PyDict>>) -> PyResult<String> {
        with_prepared(py, self, options, |prep| Ok(traces::traces(prep)))
    }

    /// The `tree` report as text, at most `n` nodes (0: all); with `symbol`, only the
    /// nodes matching it, untrimmed, as `go tool pprof -peek` shows them. Options as for
    /// `top`.
    #[pyo3(signature = (n=0, /, *, symbol=None, **options))]
    fn tree(
        &self,
        py: Python<'_>,
        n: usize,
        symbol: Option<String>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<String> {
        let mut q = query(options)?;
        if symbol.is_some() {
            q = q.untrimmed();
        }
        py.detach(|| {
            q.prepare(&self.p)
                .and_then(|prep| tree::tree(&prep, n, symbol.as_deref()))
        })
        .map_err(ops_err)
    }

    /// Folded stacks (Brendan Gregg's format): `[(\"root;...;leaf\", value), ...]`.
    /// Options as for `top`.
    #[pyo3(signature = (**options))]
    fn folded(
        &self,
        py: Python<'_>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Vec<(String, i64)>> {
        with_prepared(py, self, options, |prep| Ok(folded::folded(prep)))
    }

    /// The flame graph as a d3-flame-graph dict (`name`, `value`, `children`); with
    /// `base`, the differential graph (`delta` = self − base per frame). Options as for
    /// `top`.
    #[pyo3(signature = (*, base=None, **options))]
    fn flamegraph<'py>(
        &self,
        py: Python<'py>,
        base: Option<PyRef<'py, Profile>>,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let q = query(options)?;
        let base = base.map(|b| b.p.clone());
        let graph = py
            .detach(|| {
                let prep = q.prepare(&self.p)?;
                match &base {
                    Some(b) => flame::flamegraph_diff(&q.prepare(b)?, &prep),
                    None => Ok(flame::flamegraph(&prep)),
                }
            })
            .map_err(ops_err)?;
        flame_dict(py, &graph)
    }

    /// The profile as a speedscope document (a dict; `json.dump` it to a `.speedscope.json`
    /// file). Options as for `top`.
    #[pyo3(signature = (name="profile", **options))]
    fn speedscope<'py>(
        &self,
        py: Python<'py>,
        name: &str,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let doc = with_prepared(py, self, options, |prep| {
            Ok(speedscope::speedscope(prep, name))
        })?;
        to_py(py, &doc)
    }
}
