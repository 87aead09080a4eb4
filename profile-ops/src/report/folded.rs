//! Folded stacks (Brendan Gregg's format, as `stackcollapse` writes and `flamegraph.pl`
//! and inferno read): one `root;caller;leaf value` line per distinct stack.

use std::collections::BTreeMap;

use super::stacks::Stacks;
use crate::query::Prepared;

/// Distinct stacks (frames root first, joined by `;`) with their summed values, sorted
/// by stack. Values are in the sample type's unit; stacks summing to zero are left out.
///
/// ```
/// use profile_ops::pprof::ProfileBuilder;
/// use profile_ops::query::Query;
/// use profile_ops::report::folded::{folded, to_text};
/// let mut b = ProfileBuilder::new();
/// b.sample_type("samples", "count");
/// let (f, m) = (b.function("main.f", "m.go", 1), b.function("main.main", "m.go", 9));
/// let (lf, lm) = (b.location(None, 0, &[(f, 2)]), b.location(None, 0, &[(m, 10)]));
/// b.sample(&[lf, lm], &[3], &[]).sample(&[lf, lm], &[4], &[]).sample(&[lm], &[1], &[]);
/// let p = b.build().unwrap();
/// let lines = folded(&Query::default().prepare(&p).unwrap());
/// assert_eq!(to_text(&lines), "main.main 1\nmain.main;main.f 7\n");
/// ```
pub fn folded(prep: &Prepared<'_>) -> Vec<(String, i64)> {
    let stacks = Stacks::new(prep);
    let mut sums: BTreeMap<Vec<u32>, i64> = BTreeMap::new();
    stacks.for_each(prep, |frames, v| {
        let e = sums.entry(frames.to_vec()).or_insert(0);
        *e = e.wrapping_add(v);
    });
    let mut out: Vec<(String, i64)> = sums
        .into_iter()
        .filter(|(_, v)| *v != 0)
        .map(|(frames, v)| {
            let names: Vec<&str> = frames
                .iter()
                .map(|&f| stacks.names[f as usize].as_str())
                .collect();
            (names.join(";"), v)
        })
        .collect();
    out.sort();
    out
}

/// The folded lines as text, one `stack value` per line.
pub fn to_text(lines: &[(String, i64)]) -> String {
    let mut s = String::new();
    for (stack, v) in lines {
        s.push_str(stack);
        s.push(' ');
        s.push_str(&v.to_string());
        s.push('\n');
    }
    s
}
