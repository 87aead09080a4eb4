//! Merging profiles with google/pprof's semantics (`profile.Merge`), and making profiles
//! of different shapes mergeable as `go tool pprof` does. This module decides whether
//! (and after which conversions) profiles can be merged and splits large merges across
//! threads; the merge itself (deduplication keys, combined header) is the draft
//! kernel's, `draft::rebuild`.

use crate::draft::{Draft, rebuild};
use crate::error::{Error, Result};
use crate::pprof::Profile;
use crate::units;

// Label pseudo-frames are built by the same kernel; `labels` imports them from here.
pub(crate) use crate::draft::rebuild_with_frames;

/// How [`merge`] treats profiles whose sample types differ, and how many threads it uses.
///
/// ```
/// use profile_ops::merge::MergeOptions;
/// let opts = MergeOptions::default().common_sample_types(true).threads(2);
/// assert_eq!((opts.common_sample_types, opts.threads), (true, 2));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MergeOptions {
    /// Keep the sample types every profile has (in the first profile's order) and convert
    /// compatible units (`milliseconds` and `nanoseconds`) to the finest one, as
    /// `go tool pprof` does when given several files. When false, sample and period types
    /// must be identical, as google/pprof's `profile.Merge` requires.
    pub common_sample_types: bool,
    /// Threads to merge with: 0 (the default) for one per core
    /// (`std::thread::available_parallelism`), 1 to stay on the calling thread (a server
    /// that runs merges on its own pool). The result does not depend on it.
    pub threads: usize,
}

setters!(MergeOptions {
    common_sample_types: bool,
    threads: usize,
});

/// At most this many profiles are merged per worker before the partial results are merged
/// in turn. Each partial result is merged once more, so chunks are large (64: 30 % less
/// work than 16 on a fleet of 100); fixed so that the result does not depend on the
/// thread count.
const CHUNK: usize = 64;

/// Merges `profiles` into one.
///
/// Large inputs are merged in parallel, in chunks whose partial results are merged in
/// turn; merge is associative and commutative in content, so the result holds the same
/// samples, values and frames as a sequential merge (ids and order may differ).
///
/// ```
/// use profile_ops::merge::{merge, MergeOptions};
/// use profile_ops::pprof::ProfileBuilder;
/// let mut b = ProfileBuilder::new();
/// b.sample_type("samples", "count");
/// let f = b.function("main.work", "main.go", 1);
/// let loc = b.location(None, 0, &[(f, 3)]);
/// b.sample(&[loc], &[2], &[]);
/// let p = b.build().unwrap();
/// let m = merge(&[p.clone(), p], &MergeOptions::default()).unwrap();
/// assert_eq!(m.num_samples(), 1);
/// assert_eq!(m.sample(0).values, &[4]);
/// ```
pub fn merge(profiles: &[Profile], opts: &MergeOptions) -> Result<Profile> {
    if profiles.is_empty() {
        return Err(Error::NoProfiles);
    }
    let threads = match opts.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    if profiles.len() <= CHUNK || threads == 1 {
        let drafts: Vec<Draft<'_>> = profiles.iter().map(Draft::new).collect();
        return merge_drafts(drafts, opts);
    }
    // Compatibility is decided on the whole input, then each chunk merges as is.
    let mut drafts: Vec<Draft<'_>> = profiles.iter().map(Draft::new).collect();
    prepare(&mut drafts, opts)?;
    // As many chunks as CHUNK requires, of equal size, so that workers finish together.
    let per = drafts.len().div_ceil(drafts.len().div_ceil(CHUNK));
    let chunks: Vec<&[Draft<'_>]> = drafts.chunks(per).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut partial: Vec<Option<Result<Profile>>> = (0..chunks.len()).map(|_| None).collect();
    let slots = std::sync::Mutex::new(&mut partial);
    std::thread::scope(|s| {
        for _ in 0..threads.min(chunks.len()) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(chunk) = chunks.get(i) else { break };
                    let r = rebuild(chunk);
                    if let Ok(mut g) = slots.lock() {
                        g[i] = Some(r);
                    }
                }
            });
        }
    });
    let partial = partial
        .into_iter()
        .map(|r| r.unwrap_or(Err(Error::NoProfiles)))
        .collect::<Result<Vec<Profile>>>()?;
    merge(&partial, &MergeOptions::default())
}

/// Merges drafts (edited profiles) sequentially. Taken by value: making sample types
/// common edits them.
pub(crate) fn merge_drafts(mut drafts: Vec<Draft<'_>>, opts: &MergeOptions) -> Result<Profile> {
    if drafts.is_empty() {
        return Err(Error::NoProfiles);
    }
    prepare(&mut drafts, opts)?;
    rebuild(&drafts)
}

/// Checks compatibility (or makes profiles compatible when asked to).
fn prepare(drafts: &mut [Draft<'_>], opts: &MergeOptions) -> Result<()> {
    if opts.common_sample_types && drafts.len() > 1 {
        compatibilize(drafts)?;
        scale_units(drafts)?;
    }
    let first = &drafts[0];
    drafts[1..].iter().try_for_each(|d| compatible(first, d))
}

/// Whether `a` and `b` can be merged or compared as they are: the same period type and
/// the same sample types in the same order (google/pprof's `compatible`, which compares
/// types only, so this costs nothing next to the merge).
pub(crate) fn compatible(a: &Draft<'_>, b: &Draft<'_>) -> Result<()> {
    if b.period_type != a.period_type {
        return Err(Error::Incompatible(format!(
            "period types {} and {}",
            show_type(&a.period_type),
            show_type(&b.period_type)
        )));
    }
    if b.types != a.types {
        return Err(Error::Incompatible(format!(
            "sample types [{}] and [{}]",
            show_types(&a.types),
            show_types(&b.types)
        )));
    }
    Ok(())
}

fn show_type(t: &(String, String)) -> String {
    format!("{}/{}", t.0, t.1)
}

fn show_types(ts: &[(String, String)]) -> String {
    ts.iter().map(show_type).collect::<Vec<_>>().join(" ")
}

/// Keeps the sample types present in every profile, in the first profile's order
/// (google/pprof's `CompatibilizeSampleTypes`).
fn compatibilize(drafts: &mut [Draft<'_>]) -> Result<()> {
    let common: Vec<String> = drafts[0]
        .types
        .iter()
        .map(|t| t.0.clone())
        .filter(|ty| drafts.iter().all(|d| d.types.iter().any(|t| &t.0 == ty)))
        .collect();
    if common.is_empty() {
        // google/pprof's words, then which type lists met (the first few distinct ones).
        let mut lists: Vec<String> = Vec::new();
        for d in drafts.iter() {
            let list = d
                .types
                .iter()
                .map(|t| t.0.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            if !lists.contains(&list) && lists.len() < 3 {
                lists.push(list);
            }
        }
        let lists: Vec<String> = lists.into_iter().map(|l| format!("[{l}]")).collect();
        return Err(Error::Incompatible(format!(
            "profiles have empty common sample type list: {}",
            lists.join(" vs ")
        )));
    }
    for d in drafts.iter_mut() {
        let remap: Vec<usize> = common
            .iter()
            .map(|ty| d.types.iter().position(|t| &t.0 == ty).unwrap_or(0))
            .collect();
        if remap.len() == d.types.len() && remap.iter().enumerate().all(|(i, &j)| i == j) {
            continue;
        }
        if !common.contains(&d.default_type) {
            d.default_type = common[0].clone();
        }
        d.types = remap.iter().map(|&j| d.types[j].clone()).collect();
        d.edit_samples(|s, _, vals, _| {
            vals.clear();
            vals.extend(remap.iter().map(|&j| s.values[j]));
            true
        });
    }
    Ok(())
}

/// Converts every profile to the finest of their compatible units (google/pprof's
/// `measurement.ScaleProfiles`).
fn scale_units(drafts: &mut [Draft<'_>]) -> Result<()> {
    let periods: Vec<&(String, String)> = drafts.iter().map(|d| &d.period_type).collect();
    let period_type =
        common_type(&periods).map_err(|e| Error::Incompatible(format!("period type: {e}")))?;
    let k = drafts[0].types.len();
    let mut common = Vec::with_capacity(k);
    for i in 0..k {
        let col: Vec<&(String, String)> = drafts.iter().map(|d| &d.types[i]).collect();
        common.push(
            common_type(&col).map_err(|e| Error::Incompatible(format!("sample types: {e}")))?,
        );
    }
    for d in drafts.iter_mut() {
        if let Some(pt) = &period_type {
            let (p, _) = units::scale(d.period, &d.period_type.1, &pt.1);
            d.period = units::go_int64(p);
            d.period_type.1 = pt.1.clone();
        }
        let ratios: Vec<f64> = (0..k)
            .map(|i| match &common[i] {
                Some(t) => {
                    let r = units::scale(1, &d.types[i].1, &t.1).0;
                    d.types[i].1 = t.1.clone();
                    r
                }
                None => 1.0,
            })
            .collect();
        d.scale(&ratios);
    }
    Ok(())
}

/// The finest of compatible value types, `None` for fewer than two.
fn common_type(ts: &[&(String, String)]) -> Result<Option<(String, String)>, String> {
    if ts.len() <= 1 {
        return Ok(None);
    }
    let mut min = ts[0];
    for &t in &ts[1..] {
        if !compatible_types(min, t) {
            return Err(format!(
                "incompatible types: {} {}",
                show_type(min),
                show_type(t)
            ));
        }
        if units::scale(1, &t.1, &min.1).0 < 1.0 {
            min = t;
        }
    }
    Ok(Some(min.clone()))
}

fn compatible_types(a: &(String, String), b: &(String, String)) -> bool {
    if a.0.strip_suffix('s').unwrap_or(&a.0) != b.0.strip_suffix('s').unwrap_or(&b.0) {
        return false;
    }
    a.1 == b.1 || units::same_family(&a.1, &b.1)
}
