//! Properties of the pprof operations on random profiles: merge is associative and
//! commutative in content, a large (parallel) merge equals a sequential one, merging one
//! profile is compacting it, diff(a, a) is empty, filters are idempotent, and folded
//! stacks add up to top's flat values.

use std::collections::BTreeMap;

use proptest::prelude::*;

use profile_ops::filter::Filters;
use profile_ops::merge::{MergeOptions, merge};
use profile_ops::pprof::{Profile, ProfileBuilder};
use profile_ops::query::Query;
use profile_ops::report::{folded::folded, top::Top};
use profile_ops::transform::{DiffMode, compact, diff};

const FUNCS: [&str; 6] = [
    "main.main",
    "main.work",
    "runtime.mallocgc",
    "net/http.(*conn).serve",
    "main.leaf",
    "sync.(*Mutex).Lock",
];

/// A random CPU-like profile: stacks over a few functions, some with inlined frames,
/// labels from a small set, two value columns.
fn profile() -> impl Strategy<Value = Profile> {
    let sample = (
        prop::collection::vec((0usize..FUNCS.len(), 1i64..40, any::<bool>()), 1..6),
        0i64..1000,
        prop::option::of(0usize..3),
    );
    prop::collection::vec(sample, 0..25).prop_map(|samples| {
        let mut b = ProfileBuilder::new();
        b.sample_type("samples", "count")
            .sample_type("cpu", "nanoseconds");
        b.period_type("cpu", "nanoseconds").period(10_000_000);
        let m = b.mapping(0x400000, 0x800000, 0, "/bin/app", "b1d");
        let funcs: Vec<u32> = FUNCS.iter().map(|f| b.function(f, "x.go", 1)).collect();
        for (frames, v, label) in samples {
            let mut locs = Vec::new();
            for (i, (f, line, inlined)) in frames.iter().enumerate() {
                let mut lines = vec![(funcs[*f], *line)];
                if *inlined {
                    lines.insert(0, (funcs[(f + 1) % FUNCS.len()], line + 100));
                }
                locs.push(b.location(Some(m), 0x401000 + (*f as u64) * 64 + i as u64, &lines));
            }
            let labels: Vec<_> = label
                .map(|l| b.label_str("handler", ["/a", "/b", "/c"][l]))
                .into_iter()
                .collect();
            b.sample(&locs, &[v / 10, v * 1000], &labels);
        }
        b.build().expect("valid random profile")
    })
}

/// Per (stack of function names and lines, labels): summed values, non-zero only.
fn content(p: &Profile) -> BTreeMap<String, Vec<i64>> {
    let mut m = BTreeMap::new();
    for s in p.iter_samples() {
        let mut key = String::new();
        for l in s.locations {
            let loc = &p.locations()[l as usize];
            key += &format!("{:x}(", loc.address);
            for ln in p.location_lines(loc) {
                key += &format!(
                    "{}:{} ",
                    p.string(p.functions()[ln.function as usize].name),
                    ln.line
                );
            }
            key += ")";
        }
        for l in s.labels {
            key += &format!("|{}={}", p.string(l.key), p.string(l.str));
        }
        let e = m.entry(key).or_insert_with(|| vec![0; s.values.len()]);
        for (a, v) in e.iter_mut().zip(s.values) {
            *a += v;
        }
    }
    m.retain(|_, v| v.iter().any(|&x| x != 0));
    m
}

fn totals(p: &Profile) -> Vec<i64> {
    profile_ops::summary::ProfileSummary::of(p).totals
}

fn m(ps: &[Profile]) -> Profile {
    merge(ps, &MergeOptions::default()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn merge_is_associative_and_commutative(a in profile(), b in profile(), c in profile()) {
        let left = m(&[m(&[a.clone(), b.clone()]), c.clone()]);
        let right = m(&[a.clone(), m(&[b.clone(), c.clone()])]);
        let swapped = m(&[c.clone(), b.clone(), a.clone()]);
        prop_assert_eq!(totals(&left), totals(&right));
        prop_assert_eq!(content(&left), content(&right));
        prop_assert_eq!(content(&left), content(&swapped));
        prop_assert_eq!(content(&left), content(&m(&[a, b, c])));
    }

    #[test]
    fn merging_one_profile_is_compacting_it(a in profile()) {
        prop_assert_eq!(m(std::slice::from_ref(&a)), compact(&a).unwrap());
        prop_assert_eq!(content(&compact(&a).unwrap()), content(&a));
    }

    #[test]
    fn a_profile_minus_itself_is_empty(a in profile()) {
        let d = diff(&a, &a, DiffMode::Subtract, false).unwrap();
        prop_assert!(totals(&d).iter().all(|&t| t == 0));
        prop_assert_eq!(d.num_samples(), 0);
        let marked = diff(&a, &a, DiffMode::Marked, false).unwrap();
        prop_assert!(totals(&marked).iter().all(|&t| t == 0));
    }

    #[test]
    fn filters_are_idempotent(a in profile(), which in 0usize..5, f in 0usize..FUNCS.len()) {
        let re = regex::escape(FUNCS[f]);
        let mut filters = Filters::default();
        match which {
            0 => filters.focus = Some(re),
            1 => filters.ignore = Some(re),
            2 => filters.hide = Some(re),
            3 => filters.show = Some(re),
            _ => filters.tagfocus = Some("handler=/a".into()),
        }
        let once = filters.apply_to(&a).unwrap();
        let twice = filters.apply_to(&once).unwrap();
        prop_assert_eq!(content(&once), content(&twice));
    }

    #[test]
    fn folded_stacks_add_up_to_flat_values(a in profile()) {
        let q = Query::default().node_fraction(0.0).edge_fraction(0.0);
        let prep = q.prepare(&a).unwrap();
        let mut by_leaf: BTreeMap<String, i64> = BTreeMap::new();
        for (stack, v) in folded(&prep) {
            *by_leaf.entry(stack.rsplit(';').next().unwrap().to_string()).or_default() += v;
        }
        by_leaf.retain(|_, v| *v != 0);
        let top = Top::new(&prep, 0);
        let flat: BTreeMap<String, i64> = top.rows.iter().filter(|r| r.flat != 0).map(|r| (r.node.clone(), r.flat)).collect();
        prop_assert_eq!(by_leaf, flat);
    }
}

proptest! {
    // Each case merges about a hundred profiles twice.
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn a_large_merge_equals_merging_one_at_a_time(ps in prop::collection::vec(profile(), 65..140)) {
        // More than one chunk: on a machine with several cores the inputs are merged in
        // parallel; folding them in one by one is the sequential reference.
        let all = m(&ps);
        let mut one_by_one = ps[0].clone();
        for p in &ps[1..] {
            one_by_one = m(&[one_by_one, p.clone()]);
        }
        prop_assert_eq!(totals(&all), totals(&one_by_one));
        prop_assert_eq!(content(&all), content(&one_by_one));
        // The thread count changes who merges what, never the result: one thread merges
        // in one pass on the calling thread, three split the chunks among them.
        for threads in [1, 3] {
            let opts = MergeOptions::default().threads(threads);
            let t = merge(&ps, &opts).unwrap();
            prop_assert_eq!(content(&t), content(&all), "threads {}", threads);
        }
    }
}
