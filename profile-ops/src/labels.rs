//! Label grouping: pseudo-frames made of label values at the root or the leaf of every
//! stack, so reports group samples by label (google/pprof's `-tagroot` / `-tagleaf`).

use crate::draft::Draft;
use crate::error::Result;
use crate::merge::rebuild_with_frames;
use crate::pprof::{Profile, Sample};
use crate::units;

/// `p` with, for each key of `root_keys`, a frame named after the sample's values of that
/// label (comma-separated, numbers scaled to `unit` as pprof prints them; empty when the
/// sample lacks the label) and whose file is the key, above the root of every stack; and
/// likewise for `leaf_keys` below the leaf, in google/pprof's order: the first root key
/// is the outermost frame, the first leaf key the one nearest the original stack.
///
/// ```
/// use profile_ops::labels::add_label_nodes;
/// use profile_ops::pprof::ProfileBuilder;
/// let mut b = ProfileBuilder::new();
/// b.sample_type("samples", "count");
/// let f = b.function("main.f", "m.go", 1);
/// let loc = b.location(None, 0, &[(f, 2)]);
/// let l = b.label_str("handler", "/api");
/// b.sample(&[loc], &[1], &[l]);
/// let p = add_label_nodes(&b.build().unwrap(), &["handler"], &[], "minimum").unwrap();
/// let s = p.sample(0);
/// let root = &p.locations()[s.locations.last().unwrap() as usize];
/// let func = &p.functions()[p.location_lines(root)[0].function as usize];
/// assert_eq!(p.string(func.name), "/api");
/// ```
pub fn add_label_nodes(
    p: &Profile,
    root_keys: &[&str],
    leaf_keys: &[&str],
    unit: &str,
) -> Result<Profile> {
    let frames = |d: &Draft<'_>, s: &Sample<'_>| {
        let make = |keys: &[&str]| -> Vec<(String, String)> {
            keys.iter()
                .rev()
                .map(|k| {
                    (
                        label_values(d.source(), s, k, unit).join(","),
                        k.to_string(),
                    )
                })
                .collect()
        };
        (make(leaf_keys), make(root_keys))
    };
    rebuild_with_frames(&Draft::new(p), &frames)
}

/// A sample's values of label `key`: strings as they are, numbers scaled (google/pprof's
/// `formatLabelValues`).
fn label_values(p: &Profile, s: &Sample<'_>, key: &str, unit: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut nums: Vec<(i64, String)> = Vec::new();
    for l in s
        .labels
        .iter()
        .filter(|l| p.bytes_of(l.key) == key.as_bytes())
    {
        if l.str != 0 {
            out.push(p.string(l.str).into_owned());
        } else {
            nums.push((l.num, p.string(l.num_unit).into_owned()));
        }
    }
    // google/pprof holds units in an array padded up to the last label that has one, and
    // gives up on the numbers when that array is shorter than the values.
    let units_len = nums
        .iter()
        .rposition(|(_, u)| !u.is_empty())
        .map_or(0, |i| i + 1);
    if units_len != 0 && units_len != nums.len() {
        return out;
    }
    for (n, u) in nums {
        out.push(if units_len == 0 {
            units::scaled_label(n, "", "")
        } else {
            units::scaled_label(n, &u, unit)
        });
    }
    out
}
