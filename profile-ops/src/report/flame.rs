//! Flame graphs: d3-flame-graph JSON (`{name, value, children}`), the differential form
//! (`delta` per frame: new − base), and SVG through the `inferno` crate.

use foldhash::HashMap;

use serde::Serialize;

use super::folded::folded;
use super::stacks::Stacks;
use crate::error::{Error, Result};
use crate::query::Prepared;

/// A differential graph subtracts values: both must be of one sample type and unit.
fn same_values(base: &Prepared<'_>, new: &Prepared<'_>) -> Result<()> {
    if (&base.sample_type, &base.sample_unit) != (&new.sample_type, &new.sample_unit) {
        return Err(Error::Incompatible(format!(
            "flame graph of {}/{} against a base of {}/{}",
            new.sample_type, new.sample_unit, base.sample_type, base.sample_unit
        )));
    }
    Ok(())
}

/// A frame of a flame graph in d3-flame-graph's JSON shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FlameNode {
    /// Frame name (`root` for the root).
    pub name: String,
    /// Value of the samples through this frame (in the new profile, for a diff).
    pub value: i64,
    /// For differential graphs: new − base.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta: Option<i64>,
    /// Callees, by name.
    pub children: Vec<FlameNode>,
}

impl FlameNode {
    /// The graph as d3-flame-graph JSON, the same text `serde_json::to_string` makes of
    /// it, written without recursion, so that graphs of any depth can be written. (The
    /// derived `Serialize`, `Clone`, `PartialEq` and `Debug` recurse once per level.)
    ///
    /// ```
    /// use profile_ops::report::flame::FlameNode;
    /// let leaf = FlameNode { name: "main.f".into(), value: 3, delta: None, children: vec![] };
    /// let root = FlameNode { name: "root".into(), value: 3, delta: None, children: vec![leaf] };
    /// assert_eq!(root.to_json(), serde_json::to_string(&root).unwrap());
    /// ```
    pub fn to_json(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        // Frames still to write, innermost last; `None` closes the frame opened before.
        let mut todo: Vec<Option<&FlameNode>> = vec![Some(self)];
        let mut first = true;
        while let Some(item) = todo.pop() {
            let Some(n) = item else {
                out.push_str("]}");
                first = false;
                continue;
            };
            if !first {
                out.push(',');
            }
            // A string's JSON form is not recursive.
            let name = serde_json::to_string(&n.name).unwrap_or_else(|_| "\"\"".into());
            let _ = write!(out, "{{\"name\":{name},\"value\":{}", n.value);
            if let Some(d) = n.delta {
                let _ = write!(out, ",\"delta\":{d}");
            }
            out.push_str(",\"children\":[");
            first = true;
            todo.push(None);
            todo.extend(n.children.iter().rev().map(Some));
        }
        out
    }
}

impl Drop for FlameNode {
    /// Frees the frames without recursion (the derived drop would recurse once per level
    /// and overflow the stack on deep graphs).
    fn drop(&mut self) {
        let mut frames = std::mem::take(&mut self.children);
        while let Some(mut f) = frames.pop() {
            frames.append(&mut f.children);
        }
    }
}

#[derive(Default)]
struct Tree {
    name: Vec<u32>,
    value: Vec<i64>,
    base: Vec<i64>,
    children: Vec<Vec<usize>>,
    index: HashMap<(usize, u32), usize>,
}

impl Tree {
    fn new() -> Tree {
        let mut t = Tree::default();
        t.push(u32::MAX);
        t
    }

    fn push(&mut self, name: u32) -> usize {
        self.name.push(name);
        self.value.push(0);
        self.base.push(0);
        self.children.push(Vec::new());
        self.name.len() - 1
    }

    fn add(&mut self, frames: &[u32], v: i64, base: bool) {
        let mut at = 0;
        let add = |t: &mut Tree, at: usize| {
            let slot = if base {
                &mut t.base[at]
            } else {
                &mut t.value[at]
            };
            *slot = slot.wrapping_add(v);
        };
        add(self, at);
        for &f in frames {
            at = match self.index.get(&(at, f)) {
                Some(&c) => c,
                None => {
                    let c = self.push(f);
                    self.children[at].push(c);
                    self.index.insert((at, f), c);
                    c
                }
            };
            add(self, at);
        }
    }

    /// The tree as nested nodes, children sorted by name. Built without recursion (a
    /// graph is as deep as the deepest stack, and stacks of 100,000 frames exist): each
    /// node is finished once its last child is, then moved into its parent.
    fn export(&self, names: &[String], diff: bool) -> FlameNode {
        let node = |at: usize| FlameNode {
            name: names
                .get(self.name[at] as usize)
                .cloned()
                .unwrap_or_else(|| "root".into()),
            value: self.value[at],
            delta: diff.then(|| self.value[at].wrapping_sub(self.base[at])),
            children: Vec::with_capacity(self.children[at].len()),
        };
        // The path from the root: each node, its tree index and its next child.
        let mut path = vec![(node(0), 0, 0)];
        loop {
            let Some((_, at, next)) = path.last_mut() else {
                unreachable!("the root leaves the path only by returning");
            };
            if let Some(&c) = self.children[*at].get(*next) {
                *next += 1;
                path.push((node(c), c, 0));
                continue;
            }
            let Some((mut done, _, _)) = path.pop() else {
                unreachable!("the path is not empty");
            };
            done.children.sort_by(|a, b| a.name.cmp(&b.name));
            match path.last_mut() {
                Some((parent, _, _)) => parent.children.push(done),
                None => return done,
            }
        }
    }
}

/// The flame graph of a prepared profile: the root's value is the sum of all sample
/// values; each frame's value is what went through it; children are sorted by name.
///
/// ```
/// use profile_ops::pprof::ProfileBuilder;
/// use profile_ops::query::Query;
/// use profile_ops::report::flame::flamegraph;
/// let mut b = ProfileBuilder::new();
/// b.sample_type("samples", "count");
/// let (f, m) = (b.function("main.f", "m.go", 1), b.function("main.main", "m.go", 9));
/// let (lf, lm) = (b.location(None, 0, &[(f, 2)]), b.location(None, 0, &[(m, 10)]));
/// b.sample(&[lf, lm], &[3], &[]).sample(&[lm], &[1], &[]);
/// let p = b.build().unwrap();
/// let root = flamegraph(&Query::default().prepare(&p).unwrap());
/// assert_eq!((root.name.as_str(), root.value), ("root", 4));
/// assert_eq!(root.children[0].children[0].name, "main.f");
/// ```
pub fn flamegraph(prep: &Prepared<'_>) -> FlameNode {
    let stacks = Stacks::new(prep);
    let mut t = Tree::new();
    stacks.for_each(prep, |frames, v| t.add(frames, v, false));
    t.export(&stacks.names, false)
}

/// The differential flame graph of `new` against `base`: the shape and values of `new`,
/// with `delta` = new − base on every frame (frames only in the base have value 0 and a
/// negative delta). The two must report the same sample type in the same unit, else
/// [`Error::Incompatible`].
pub fn flamegraph_diff(base: &Prepared<'_>, new: &Prepared<'_>) -> Result<FlameNode> {
    same_values(base, new)?;
    let (sb, sn) = (Stacks::new(base), Stacks::new(new));
    // One name table for both: frames are matched by name.
    let mut names = sn.names.clone();
    let mut ids: HashMap<String, u32> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.clone(), i as u32))
        .collect();
    let base_ids: Vec<u32> = sb
        .names
        .iter()
        .map(|n| {
            *ids.entry(n.clone()).or_insert_with(|| {
                names.push(n.clone());
                names.len() as u32 - 1
            })
        })
        .collect();
    let mut t = Tree::new();
    sn.for_each(new, |frames, v| t.add(frames, v, false));
    let mut mapped = Vec::new();
    sb.for_each(base, |frames, v| {
        mapped.clear();
        mapped.extend(frames.iter().map(|&f| base_ids[f as usize]));
        t.add(&mapped, v, true);
    });
    Ok(t.export(&names, true))
}

/// Renders a flame graph SVG with inferno; `base` makes it differential (frames coloured
/// by growth, red, or shrinkage, blue).
pub fn flamegraph_svg(
    new: &Prepared<'_>,
    base: Option<&Prepared<'_>>,
    title: &str,
) -> crate::Result<String> {
    let lines: Vec<String> = match base {
        None => folded(new)
            .into_iter()
            .map(|(s, v)| format!("{s} {v}"))
            .collect(),
        Some(base) => {
            same_values(base, new)?;
            let mut both: std::collections::BTreeMap<String, (i64, i64)> = Default::default();
            for (s, v) in folded(base) {
                both.entry(s).or_default().0 = v;
            }
            for (s, v) in folded(new) {
                both.entry(s).or_default().1 = v;
            }
            both.into_iter()
                .map(|(s, (b, n))| format!("{s} {b} {n}"))
                .collect()
        }
    };
    let mut opts = inferno::flamegraph::Options::default();
    opts.title = title.to_string();
    opts.count_name = new.sample_unit.clone();
    let mut out = Vec::new();
    inferno::flamegraph::from_lines(&mut opts, lines.iter().map(String::as_str), &mut out)
        .map_err(|e| crate::Error::BadOption(format!("flame graph: {e}")))?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}
