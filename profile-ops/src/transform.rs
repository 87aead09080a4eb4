//! Whole-profile value transformations: `scale`, `normalize`, `diff` and `compact`, with
//! google/pprof's semantics (`ScaleN`, `Normalize`, `-base`, `-diff_base`, `Compact`).

use crate::draft::Draft;
use crate::error::{Error, Result};
use crate::merge::{self, MergeOptions};
use crate::pprof::Profile;

/// The label google/pprof puts on the negated base samples of a `-diff_base` comparison.
pub const DIFF_BASE_LABEL: (&str, &str) = ("pprof::base", "true");

/// How [`diff`] combines the base with the new profile.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DiffMode {
    /// `-diff_base`: base samples are negated and labelled `pprof::base=true`, so reports
    /// show changes as percentages of the base total.
    #[default]
    Marked,
    /// `-base`: base values are subtracted; identical stacks cancel out.
    Subtract,
}

/// `p` with every value multiplied by `ratio` (see google/pprof's `Scale`); samples that
/// become zero are dropped and the result is compacted.
///
/// ```
/// use profile_ops::pprof::ProfileBuilder;
/// use profile_ops::transform::scale;
/// let mut b = ProfileBuilder::new();
/// b.sample_type("alloc_space", "bytes");
/// b.sample(&[], &[3], &[]).sample(&[], &[10], &[]);
/// let p = scale(&b.build().unwrap(), 0.1).unwrap();
/// assert_eq!(p.num_samples(), 1); // 3 × 0.1 rounds to 0 and the sample goes
/// assert_eq!(p.sample(0).values, &[1]);
/// ```
pub fn scale(p: &Profile, ratio: f64) -> Result<Profile> {
    let mut d = Draft::new(p);
    d.scale(&vec![ratio; p.sample_types().len()]);
    d.finish()
}

/// Per sample type, `base total / p total` (0 when `p`'s total is 0).
fn normalize_ratios(p: &Draft<'_>, base: &Draft<'_>) -> Vec<f64> {
    let totals = |d: &Draft<'_>| {
        let mut t = vec![0i64; d.sample_types().len()];
        for i in 0..d.num_samples() {
            for (acc, v) in t.iter_mut().zip(d.sample(i).values) {
                *acc = acc.wrapping_add(*v);
            }
        }
        t
    };
    let (src, dst) = (totals(p), totals(base));
    src.iter()
        .zip(&dst)
        .map(|(&s, &b)| if s == 0 { 0.0 } else { b as f64 / s as f64 })
        .collect()
}

/// `p` scaled so that each sample type totals what it totals in `base` (google/pprof's
/// `Normalize`). The profiles must have the same sample and period types.
pub fn normalize(p: &Profile, base: &Profile) -> Result<Profile> {
    let mut d = Draft::new(p);
    let b = Draft::new(base);
    merge::compatible(&d, &b)?;
    let ratios = normalize_ratios(&d, &b);
    d.scale(&ratios);
    d.finish()
}

/// `new` compared with `base`, as `go tool pprof -diff_base=BASE NEW` ([`DiffMode::Marked`])
/// or `-base=BASE NEW` ([`DiffMode::Subtract`]) load them. With `normalize`, `new` is
/// first scaled to the base's totals (`-normalize`). Sample types are made compatible as
/// `go tool pprof` does (common types, finest units).
///
/// ```
/// use profile_ops::pprof::ProfileBuilder;
/// use profile_ops::transform::{diff, DiffMode};
/// let mut b = ProfileBuilder::new();
/// b.sample_type("cpu", "nanoseconds");
/// let f = b.function("main.f", "main.go", 1);
/// let loc = b.location(None, 0, &[(f, 2)]);
/// b.sample(&[loc], &[100], &[]);
/// let p = b.build().unwrap();
/// let d = diff(&p, &p, DiffMode::Subtract, false).unwrap();
/// assert_eq!(d.num_samples(), 0); // identical profiles cancel out
/// let d = diff(&p, &p, DiffMode::Marked, false).unwrap();
/// assert_eq!(d.num_samples(), 2); // +100 and the labelled -100
/// ```
pub fn diff(base: &Profile, new: &Profile, mode: DiffMode, normalize: bool) -> Result<Profile> {
    let mut n = Draft::new(new);
    let mut b = Draft::new(base);
    if mode == DiffMode::Marked {
        b.set_label = Some((DIFF_BASE_LABEL.0.into(), DIFF_BASE_LABEL.1.into()));
    }
    if normalize {
        if n.types != b.types || n.period_type != b.period_type {
            return Err(Error::Incompatible(
                "-normalize needs profiles of the same sample and period types".into(),
            ));
        }
        let ratios = normalize_ratios(&n, &b);
        n.scale(&ratios);
    }
    let negate = vec![-1.0; b.sample_types().len()];
    b.scale(&negate);
    merge::merge_drafts(
        vec![n, b],
        &MergeOptions::default().common_sample_types(true),
    )
}

/// `p` without unreferenced locations, functions, mappings and strings, identical samples
/// merged and all-zero samples dropped (google/pprof's `Compact`).
pub fn compact(p: &Profile) -> Result<Profile> {
    Draft::new(p).finish()
}
