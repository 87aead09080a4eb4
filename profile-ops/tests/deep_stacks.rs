//! Stacks of 200,000 frames (a deep recursion, or a legacy heap sample of identical
//! addresses) through every report and operation, on a test thread's 2 MiB stack: nothing
//! may recurse once per frame.

use profile_ops::merge::{MergeOptions, merge};
use profile_ops::pprof::{Profile, ProfileBuilder};
use profile_ops::query::Query;
use profile_ops::report::top::Top;
use profile_ops::report::{flame, folded, speedscope, traces, tree};
use profile_ops::transform::{self, DiffMode};

const DEPTH: usize = 200_000;

/// One sample whose stack is `DEPTH` distinct functions, and one whose stack is one
/// function `DEPTH` times (recursion).
fn deep() -> Profile {
    let mut b = ProfileBuilder::new();
    b.sample_type("samples", "count");
    let mut locs = Vec::with_capacity(DEPTH);
    for i in 0..DEPTH {
        let f = b.function(&format!("f{i}"), "deep.go", 1);
        locs.push(b.location(None, 0, &[(f, i as i64 + 1)]));
    }
    b.sample(&locs, &[2], &[]);
    let r = b.function("recurse", "deep.go", 1);
    let rl = b.location(None, 0, &[(r, 1)]);
    b.sample(&vec![rl; DEPTH], &[1], &[]);
    b.build().unwrap()
}

fn depth(mut n: flame::Frame<'_>) -> usize {
    let mut d = 0;
    while let Some(c) = n.children().next() {
        n = c;
        d += 1;
    }
    d
}

#[test]
fn flame_graphs_of_any_depth() {
    let p = deep();
    let prep = Query::default().prepare(&p).unwrap();
    let g = flame::flamegraph(&prep);
    let root = g.root();
    assert_eq!(root.value(), 3);
    assert_eq!(root.children().len(), 2);
    assert_eq!(depth(root.children().next().unwrap()) + 1, DEPTH);
    let json = g.to_json();
    assert!(json.starts_with(r#"{"name":"root","value":3,"children":[{"name":"f199999""#));
    assert_eq!(json.matches("\"children\":[").count(), 2 * DEPTH + 1);
    let diff = flame::flamegraph_diff(&prep, &prep).unwrap();
    assert_eq!(diff.root().delta(), Some(0));
    // The nested form of a graph this deep, made and dropped without recursion.
    let node = g.to_node();
    assert_eq!((node.value, node.children.len()), (3, 2));
    assert_eq!(node.to_json(), json);
    assert!(
        flame::flamegraph_svg(&prep, None, "deep")
            .unwrap()
            .contains("<svg")
    );
}

#[test]
fn to_json_is_serde_json_text() {
    // A shallow graph with diffs, names that need escaping and negative values.
    let mut b = ProfileBuilder::new();
    b.sample_type("samples", "count");
    let f = b.function("main.\"quoted\"\n\\name", "m.go", 1);
    let g = b.function("main.g", "m.go", 1);
    let (lf, lg) = (
        b.location(None, 0, &[(f, 1)]),
        b.location(None, 0, &[(g, 1)]),
    );
    b.sample(&[lf, lg], &[-5], &[]).sample(&[lg], &[7], &[]);
    let small = b.build().unwrap();
    let q = Query::default();
    let ps = q.prepare(&small).unwrap();
    for g in [
        flame::flamegraph(&ps),
        flame::flamegraph_diff(&ps, &ps).unwrap(),
    ] {
        let root = g.to_node();
        assert_eq!(root.to_json(), serde_json::to_string(&root).unwrap());
        assert_eq!(g.to_json(), root.to_json());
    }
}

#[test]
fn every_other_report_and_operation_of_any_depth() {
    let p = deep();
    let prep = Query::default().prepare(&p).unwrap();
    let top = Top::new(&prep, 5);
    assert_eq!(top.total, 3);
    // f0 is the leaf of the value-2 sample; `recurse` is counted once however deep.
    assert_eq!((top.rows[0].name.as_str(), top.rows[0].flat), ("f0", 2));
    let r = Top::new(&prep, 0)
        .rows
        .into_iter()
        .find(|r| r.name == "recurse")
        .unwrap();
    assert_eq!((r.flat, r.cum), (1, 1));
    assert!(!traces::traces(&prep).is_empty());
    assert!(!tree::tree(&prep, 10, None).unwrap().is_empty());
    let lines = folded::folded(&prep);
    assert_eq!(lines.len(), 2);
    let doc = speedscope::speedscope(&prep, "deep");
    assert_eq!(doc.profiles.len(), 1);
    let m = merge(&[p.clone(), p.clone()], &MergeOptions::default()).unwrap();
    assert_eq!(profile_ops::summary::totals(&m), vec![6]);
    let d = transform::diff(&p, &p, DiffMode::Subtract, false).unwrap();
    assert_eq!(d.num_samples(), 0);
    let c = transform::compact(&p).unwrap();
    assert_eq!(Profile::decode(&c.encode()).unwrap().num_samples(), 2);
    let focused = Query::default().filters(
        profile_ops::filter::Filters::default()
            .focus("f1999")
            .hide("f1"),
    );
    assert!(focused.prepare(&p).unwrap().total > 0);
}
