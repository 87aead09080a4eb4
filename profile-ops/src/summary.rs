//! A profile at a glance: what `gprofops info` prints.

use serde::Serialize;

use crate::pprof::Profile;

/// Sample types, period, sample count and totals of one profile.
///
/// Field names and meanings follow the `.oracle.json` files of the shared corpus (what
/// `go tool pprof -raw` shows): `period_type` is `None` when the profile has none or an
/// empty one, `totals[i]` is the sum of column `i` over all samples (wrapping like Go's
/// int64 arithmetic rather than panicking).
///
/// ```
/// use profile_ops::pprof::ProfileBuilder;
/// use profile_ops::summary::ProfileSummary;
/// let mut b = ProfileBuilder::new();
/// b.sample_type("samples", "count").sample_type("cpu", "nanoseconds");
/// b.sample(&[], &[1, 10], &[]).sample(&[], &[2, 20], &[]);
/// let s = ProfileSummary::of(&b.build().unwrap());
/// assert_eq!(s.totals, vec![3, 30]);
/// assert_eq!(s.num_samples, 2);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProfileSummary {
    /// `[type, unit]` per column.
    pub sample_types: Vec<[String; 2]>,
    /// `[type, unit]` of the sampling period.
    pub period_type: Option<[String; 2]>,
    /// Sampling period (0 when unset, as google/pprof reports it).
    pub period: i64,
    /// Number of samples as stored (not merged).
    pub num_samples: usize,
    /// Per sample type, the sum of its values.
    pub totals: Vec<i64>,
    /// The preferred sample type.
    pub default_sample_type: Option<String>,
    /// Collection duration in ns.
    pub duration_nanos: i64,
    /// Collection time in ns since the epoch.
    pub time_nanos: i64,
}

impl ProfileSummary {
    /// Summarises `p`.
    pub fn of(p: &Profile) -> ProfileSummary {
        let pair = |vt: crate::pprof::ValueType| {
            [p.string(vt.ty).into_owned(), p.string(vt.unit).into_owned()]
        };
        let period_type = p
            .period_type()
            .filter(|vt| !(p.bytes_of(vt.ty).is_empty() && p.bytes_of(vt.unit).is_empty()))
            .map(pair);
        let dflt = p.string(p.default_sample_type());
        ProfileSummary {
            sample_types: p.sample_types().iter().map(|&vt| pair(vt)).collect(),
            period_type,
            period: p.period(),
            num_samples: p.num_samples(),
            totals: totals(p),
            default_sample_type: (!dflt.is_empty()).then(|| dflt.into_owned()),
            duration_nanos: p.duration_nanos(),
            time_nanos: p.time_nanos(),
        }
    }
}

/// Per sample type, the sum of its values over all samples.
pub fn totals(p: &Profile) -> Vec<i64> {
    let k = p.sample_types().len();
    let mut t = vec![0i64; k];
    if k == 0 {
        return t;
    }
    for row in p.samples().values().chunks_exact(k) {
        for (acc, v) in t.iter_mut().zip(row) {
            *acc = acc.wrapping_add(*v);
        }
    }
    t
}
