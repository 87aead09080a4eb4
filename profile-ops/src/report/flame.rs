//! Flame graphs: [`FlameGraph`] (every frame once, in arrays, read through [`Frame`]
//! views), written as d3-flame-graph JSON (`{name, value, children}`) or made into nested
//! [`FlameNode`]s; the differential form (`delta` per frame: new − base); and SVG through
//! the `inferno` crate.

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

/// A flame graph: every frame once, in arrays, children sorted by name. Read it through
/// [`Frame`] views from [`FlameGraph::root`], write it as d3-flame-graph JSON with
/// [`FlameGraph::to_json`], or make the nested [`FlameNode`] tree of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlameGraph {
    /// Frame names, sorted.
    names: Vec<String>,
    /// Per frame: its name's index in `names`; the root's is `u32::MAX`.
    name: Vec<u32>,
    value: Vec<i64>,
    /// Per frame, for a differential graph: new − base.
    delta: Option<Vec<i64>>,
    /// Children of frame `i`: `children[child_start[i]..child_start[i + 1]]`.
    child_start: Vec<u32>,
    children: Vec<u32>,
}

/// A frame of a [`FlameGraph`].
#[derive(Clone, Copy, Debug)]
pub struct Frame<'g> {
    g: &'g FlameGraph,
    i: u32,
}

impl<'g> Frame<'g> {
    /// The frame's name (`root` for the root).
    pub fn name(self) -> &'g str {
        self.g
            .names
            .get(self.g.name[self.i as usize] as usize)
            .map_or("root", String::as_str)
    }

    /// Value of the samples through this frame (in the new profile, for a diff).
    pub fn value(self) -> i64 {
        self.g.value[self.i as usize]
    }

    /// For differential graphs: new − base.
    pub fn delta(self) -> Option<i64> {
        self.g.delta.as_ref().map(|d| d[self.i as usize])
    }

    /// Callees, sorted by name.
    pub fn children(self) -> impl ExactSizeIterator<Item = Frame<'g>> + DoubleEndedIterator {
        let g = self.g;
        let (a, b) = (
            g.child_start[self.i as usize],
            g.child_start[self.i as usize + 1],
        );
        g.children[a as usize..b as usize]
            .iter()
            .map(move |&i| Frame { g, i })
    }
}

impl FlameGraph {
    /// The root frame.
    pub fn root(&self) -> Frame<'_> {
        Frame { g: self, i: 0 }
    }

    /// Number of frames, the root included.
    pub fn len(&self) -> usize {
        self.name.len()
    }

    /// True when the graph is the root alone.
    pub fn is_empty(&self) -> bool {
        self.len() <= 1
    }

    /// The graph as d3-flame-graph JSON: `{"name","value"[,"delta"],"children":[...]}`
    /// per frame, the same text `serde_json` makes of [`FlameGraph::to_node`]. Written
    /// without recursion, each name escaped once.
    pub fn to_json(&self) -> String {
        use std::fmt::Write;
        let escaped: Vec<String> = self
            .names
            .iter()
            .map(|n| serde_json::to_string(n).unwrap_or_else(|_| "\"\"".into()))
            .collect();
        let mut out = String::with_capacity(self.len() * 48);
        // Frames still to write, innermost last; `u32::MAX` closes the frame opened
        // before.
        let mut todo: Vec<u32> = vec![0];
        let mut first = true;
        while let Some(i) = todo.pop() {
            if i == u32::MAX {
                out.push_str("]}");
                first = false;
                continue;
            }
            if !first {
                out.push(',');
            }
            let name = escaped
                .get(self.name[i as usize] as usize)
                .map_or("\"root\"", String::as_str);
            let _ = write!(
                out,
                "{{\"name\":{name},\"value\":{}",
                self.value[i as usize]
            );
            if let Some(d) = &self.delta {
                let _ = write!(out, ",\"delta\":{}", d[i as usize]);
            }
            out.push_str(",\"children\":[");
            first = true;
            todo.push(u32::MAX);
            let (a, b) = (
                self.child_start[i as usize],
                self.child_start[i as usize + 1],
            );
            todo.extend(self.children[a as usize..b as usize].iter().rev());
        }
        out
    }

    /// The graph as nested [`FlameNode`]s, made without recursion (a graph is as deep as
    /// the deepest stack, and stacks of 100,000 frames exist): each node is finished once
    /// its last child is, then moved into its parent.
    pub fn to_node(&self) -> FlameNode {
        let node = |f: Frame<'_>| FlameNode {
            name: f.name().to_string(),
            value: f.value(),
            delta: f.delta(),
            children: Vec::with_capacity(f.children().len()),
        };
        // The path from the root: each node, its frame and its next child.
        let root = self.root();
        let mut path = vec![(node(root), root, 0)];
        loop {
            let Some((_, f, next)) = path.last_mut() else {
                unreachable!("the root leaves the path only by returning");
            };
            if let Some(c) = f.children().nth(*next) {
                *next += 1;
                path.push((node(c), c, 0));
                continue;
            }
            let Some((done, _, _)) = path.pop() else {
                unreachable!("the path is not empty");
            };
            match path.last_mut() {
                Some((parent, _, _)) => parent.children.push(done),
                None => return done,
            }
        }
    }

    /// Builds the graph of `stacks`: `(frames root first, value, counts as base)`, frames
    /// being indexes into `names`. Stacks sorted by their frames' names put every stack
    /// through a frame next to each other, so the frames are made in one pass, depth
    /// first, with children in name order, and no lookup: a stack shares with the one
    /// before it the frames of their common prefix.
    fn build(names: Vec<String>, frames: &[u32], stacks: &[Stack], diff: bool) -> FlameGraph {
        // Name ids → ranks in name order.
        let mut by_name: Vec<u32> = (0..names.len() as u32).collect();
        by_name.sort_unstable_by(|&a, &b| names[a as usize].cmp(&names[b as usize]));
        let mut rank = vec![0u32; names.len()];
        for (r, &id) in by_name.iter().enumerate() {
            rank[id as usize] = r as u32;
        }
        let ranked: Vec<u32> = frames.iter().map(|&f| rank[f as usize]).collect();
        let frames_of = |s: &Stack| &ranked[s.start..s.end];
        let mut order: Vec<u32> = (0..stacks.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| {
            frames_of(&stacks[a as usize]).cmp(frames_of(&stacks[b as usize]))
        });
        let mut sorted_names: Vec<String> = Vec::with_capacity(names.len());
        let mut names = names;
        for &id in &by_name {
            sorted_names.push(std::mem::take(&mut names[id as usize]));
        }

        let mut g = FlameGraph {
            names: sorted_names,
            name: vec![u32::MAX],
            value: vec![0],
            delta: None,
            child_start: Vec::new(),
            children: Vec::new(),
        };
        let mut base = vec![0i64];
        let mut parent = vec![u32::MAX];
        // The frames of the stack before, root first (the root itself not included).
        let mut path: Vec<u32> = Vec::new();
        let mut prev: &[u32] = &[];
        for &si in &order {
            let s = &stacks[si as usize];
            let cur = frames_of(s);
            let common = prev.iter().zip(cur).take_while(|(a, b)| a == b).count();
            path.truncate(common);
            for &f in &cur[common..] {
                let p = path.last().copied().unwrap_or(0);
                g.name.push(f);
                g.value.push(0);
                base.push(0);
                parent.push(p);
                path.push(g.name.len() as u32 - 1);
            }
            prev = cur;
            let slot = if s.base { &mut base } else { &mut g.value };
            for &at in std::iter::once(&0).chain(&path) {
                slot[at as usize] = slot[at as usize].wrapping_add(s.value);
            }
        }
        // Frames were made depth first in name order: each one's children in order.
        let n = g.name.len();
        g.child_start = vec![0u32; n + 1];
        for &p in &parent[1..] {
            g.child_start[p as usize + 1] += 1;
        }
        for i in 0..n {
            g.child_start[i + 1] += g.child_start[i];
        }
        let mut fill = g.child_start.clone();
        g.children = vec![0u32; n - 1];
        for (i, &p) in parent.iter().enumerate().skip(1) {
            g.children[fill[p as usize] as usize] = i as u32;
            fill[p as usize] += 1;
        }
        if diff {
            g.delta = Some(
                g.value
                    .iter()
                    .zip(&base)
                    .map(|(v, b)| v.wrapping_sub(*b))
                    .collect(),
            );
        }
        g
    }
}

/// A stack to add to a flame graph: its frames are `frames[start..end]`.
struct Stack {
    start: usize,
    end: usize,
    value: i64,
    base: bool,
}

/// The stacks of a prepared profile with a value (the frames of each sample, root first,
/// as indexes into `stacks.names` mapped through `ids`), appended to `frames` and `out`.
fn stacks_of(
    prep: &Prepared<'_>,
    stacks: &Stacks,
    ids: Option<&[u32]>,
    base: bool,
    frames: &mut Vec<u32>,
    out: &mut Vec<Stack>,
) {
    stacks.for_each(prep, |fs, v| {
        let start = frames.len();
        match ids {
            Some(ids) => frames.extend(fs.iter().map(|&f| ids[f as usize])),
            None => frames.extend_from_slice(fs),
        }
        out.push(Stack {
            start,
            end: frames.len(),
            value: v,
            base,
        });
    });
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
/// let g = flamegraph(&Query::default().prepare(&p).unwrap());
/// let root = g.root();
/// assert_eq!((root.name(), root.value()), ("root", 4));
/// let main = root.children().next().unwrap();
/// assert_eq!((main.name(), main.value()), ("main.main", 4));
/// assert_eq!(main.children().next().unwrap().name(), "main.f");
/// assert_eq!(g.to_json(), serde_json::to_string(&g.to_node()).unwrap());
/// ```
pub fn flamegraph(prep: &Prepared<'_>) -> FlameGraph {
    let stacks = Stacks::new(prep);
    let (mut frames, mut out) = (Vec::new(), Vec::new());
    stacks_of(prep, &stacks, None, false, &mut frames, &mut out);
    FlameGraph::build(stacks.names, &frames, &out, false)
}

/// The differential flame graph of `new` against `base`: the shape and values of `new`,
/// with `delta` = new − base on every frame (frames only in the base have value 0 and a
/// negative delta). The two must report the same sample type in the same unit, else
/// [`Error::Incompatible`].
pub fn flamegraph_diff(base: &Prepared<'_>, new: &Prepared<'_>) -> Result<FlameGraph> {
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
    let (mut frames, mut out) = (Vec::new(), Vec::new());
    stacks_of(new, &sn, None, false, &mut frames, &mut out);
    stacks_of(base, &sb, Some(&base_ids), true, &mut frames, &mut out);
    Ok(FlameGraph::build(names, &frames, &out, true))
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
