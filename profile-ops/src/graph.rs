//! The call graph reports are computed from: google/pprof's `internal/graph`. Each node
//! is a frame at the chosen granularity with its flat (self) and cumulative value; edges
//! carry caller → callee weights and say whether the call was inlined.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::cmp::Ordering;
// foldhash: hashing dominates graph building and merging; SipHash was a third of it.
use foldhash::{HashMap, HashMapExt, HashSet};

use crate::draft::Draft;
use crate::pprof::LocationIndexes;

/// What a node stands for, as google/pprof's `NodeInfo`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct NodeInfo {
    /// Function name ("" when aggregated away).
    pub name: String,
    /// System (e.g. mangled) name; unused by the reports here, kept for completeness.
    pub orig_name: String,
    /// Instruction address (granularity `addresses`), else 0.
    pub address: u64,
    /// Cleaned source file name.
    pub file: String,
    /// Function start line, only when the node has no function name.
    pub start_line: i64,
    /// Source line (granularity `lines`/`addresses`), else 0.
    pub lineno: i64,
    /// Source column, else 0.
    pub columnno: i64,
    /// Binary name, only when the node has no function name.
    pub objfile: String,
}

impl NodeInfo {
    /// The name reports print: address, function, `file:line`, or `[binary]`.
    pub fn printable_name(&self) -> String {
        self.name_components().join(" ")
    }

    /// The parts of [`NodeInfo::printable_name`].
    pub fn name_components(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.address != 0 {
            out.push(format!("{:016x}", self.address));
        }
        if !self.name.is_empty() {
            out.push(self.name.clone());
        }
        if self.lineno != 0 {
            let mut s = format!("{}:{}", self.file, self.lineno);
            if self.columnno != 0 {
                s += &format!(":{}", self.columnno);
            }
            out.push(s);
        } else if !self.file.is_empty() {
            out.push(self.file.clone());
        } else if !self.name.is_empty() {
        } else if !self.objfile.is_empty() {
            let base = self.objfile.rsplit('/').next().unwrap_or(&self.objfile);
            out.push(format!("[{base}]"));
        } else {
            out.push("<unknown>".into());
        }
        out
    }

    /// Go's `fmt.Sprint` of the struct: the last tie-breaker of node orderings.
    fn sprint(&self) -> String {
        format!(
            "{{{} {} {} {} {} {} {} {}}}",
            self.name,
            self.orig_name,
            self.address,
            self.file,
            self.start_line,
            self.lineno,
            self.columnno,
            self.objfile
        )
    }
}

/// A node of the graph.
#[derive(Clone, Debug)]
pub struct Node {
    /// What the node stands for.
    pub info: NodeInfo,
    /// Value of samples whose leaf is this node.
    pub flat: i64,
    /// Divisor of `flat` for mean reports (0 when not a mean).
    pub flat_div: i64,
    /// Value of samples this node appears in (counted once per sample).
    pub cum: i64,
    /// Divisor of `cum` for mean reports.
    pub cum_div: i64,
    /// Indexes into [`Graph::edges`] of calls into this node.
    pub in_edges: Vec<usize>,
    /// Indexes into [`Graph::edges`] of calls from this node.
    pub out_edges: Vec<usize>,
}

impl Node {
    /// `flat`, divided for mean reports.
    pub fn flat_value(&self) -> i64 {
        if self.flat_div == 0 {
            self.flat
        } else {
            self.flat / self.flat_div
        }
    }

    /// `cum`, divided for mean reports.
    pub fn cum_value(&self) -> i64 {
        if self.cum_div == 0 {
            self.cum
        } else {
            self.cum / self.cum_div
        }
    }
}

/// A caller → callee edge.
#[derive(Clone, Debug)]
pub struct Edge {
    /// Caller node index.
    pub src: usize,
    /// Callee node index.
    pub dest: usize,
    /// Value of the samples through this call.
    pub weight: i64,
    /// Divisor for mean reports.
    pub weight_div: i64,
    /// The call skips nodes that were removed from the graph.
    pub residual: bool,
    /// Every call through this edge was inlined into the caller.
    pub inline: bool,
}

/// How sample values become node values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GraphOptions {
    /// Which value column to use.
    pub sample_index: usize,
    /// Divide by column 0 (the sample count) for mean reports.
    pub mean: bool,
    /// Drop nodes whose value is negative.
    pub drop_negative: bool,
}

setters!(GraphOptions {
    sample_index: usize,
    mean: bool,
    drop_negative: bool,
});

/// Node orderings (google/pprof's `NodeOrder`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeOrder {
    /// By |flat|, then name, then |cum|.
    FlatName,
    /// By |cum|, then name, then |flat|.
    CumName,
}

/// A node's identity while building: interned strings instead of owned ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct NodeKey {
    name: u32,
    address: u64,
    file: u32,
    start_line: i64,
    lineno: i64,
    columnno: i64,
    objfile: u32,
}

/// Interned strings by value (profiles may hold one string at several indexes); names
/// borrowed from the profile, cleaned file names owned.
#[derive(Default)]
struct Names<'d> {
    ids: HashMap<Cow<'d, [u8]>, u32>,
    strs: Vec<Cow<'d, [u8]>>,
}

impl<'d> Names<'d> {
    fn id(&mut self, s: Cow<'d, [u8]>) -> u32 {
        if s.is_empty() {
            return u32::MAX;
        }
        if let Some(&i) = self.ids.get(&s) {
            return i;
        }
        let i = self.strs.len() as u32;
        self.strs.push(s.clone());
        self.ids.insert(s, i);
        i
    }

    fn get(&self, id: u32) -> String {
        match self.strs.get(id as usize) {
            Some(s) => String::from_utf8_lossy(s).into_owned(),
            None => String::new(),
        }
    }
}

/// The call graph of a draft.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    /// Nodes with a non-zero value.
    pub nodes: Vec<Node>,
    /// Edges between them.
    pub edges: Vec<Edge>,
    pub(crate) keys: Vec<NodeKey>,
}

/// Builds graphs of one draft, caching per-location node keys and the walk over its
/// distinct stacks across rebuilds.
pub(crate) struct GraphBuilder<'d> {
    draft: &'d Draft<'d>,
    opts: GraphOptions,
    names: Names<'d>,
    /// Distinct node keys, in the order the locations first hold them.
    uniq: Vec<NodeKey>,
    /// The key of every frame of every location, innermost first (google/pprof's
    /// `CreateNodes`), as an index into `uniq`: location `i` has
    /// `frames[frame_start[i]..frame_start[i + 1]]`.
    frames: Vec<u32>,
    frame_start: Vec<u32>,
    /// Made on the first [`GraphBuilder::build`]: the reports that only need the keys
    /// (traces, folded stacks) never pay for it.
    walk: OnceCell<StackWalk>,
}

impl<'d> GraphBuilder<'d> {
    pub fn new(d: &'d Draft<'d>, opts: GraphOptions) -> Self {
        let p = d.source();
        let mut names = Names::default();
        let n_fun = p.functions().len();
        let mut fun: Vec<Option<(u32, u32, i64)>> = vec![None; n_fun];
        let objfiles: Vec<u32> = (0..p.mappings().len() as u32)
            .map(|m| names.id(Cow::Borrowed(p.bytes_of(p.mappings()[m as usize].filename))))
            .collect();
        let mut ids: HashMap<NodeKey, u32> = HashMap::new();
        let mut uniq = Vec::new();
        let mut frames = Vec::with_capacity(d.num_locations());
        let mut frame_start = Vec::with_capacity(d.num_locations() + 1);
        frame_start.push(0);
        let mut push = |k: NodeKey, frames: &mut Vec<u32>| {
            frames.push(*ids.entry(k).or_insert_with(|| {
                uniq.push(k);
                uniq.len() as u32 - 1
            }));
        };
        for i in 0..d.num_locations() as u32 {
            let loc = d.location(i);
            let objfile = loc.mapping.map_or(u32::MAX, |m| objfiles[m as usize]);
            let address = d.address(i);
            let lines = d.lines(i);
            if lines.is_empty() {
                let k = NodeKey {
                    name: u32::MAX,
                    address,
                    file: u32::MAX,
                    start_line: 0,
                    lineno: 0,
                    columnno: 0,
                    objfile,
                };
                push(k, &mut frames);
            }
            for l in lines {
                let l = d.line(l);
                let (name, file, start_line) = *fun[l.function as usize].get_or_insert_with(|| {
                    let f = d.function(l.function);
                    let file = clean_path(&trim_path(p.bytes_of(f.filename)));
                    (
                        names.id(Cow::Borrowed(p.bytes_of(f.name))),
                        names.id(Cow::Owned(file)),
                        f.start_line,
                    )
                });
                let anonymous = name == u32::MAX;
                let k = NodeKey {
                    name,
                    address,
                    file,
                    start_line: if anonymous { start_line } else { 0 },
                    lineno: l.line,
                    columnno: l.column,
                    objfile: if anonymous { objfile } else { u32::MAX },
                };
                push(k, &mut frames);
            }
            frame_start.push(frames.len() as u32);
        }
        GraphBuilder {
            draft: d,
            opts,
            names,
            uniq,
            frames,
            frame_start,
            walk: OnceCell::new(),
        }
    }

    /// The keys of location `loc`'s frames, innermost first.
    fn frames(&self, loc: u32) -> &[u32] {
        &self.frames
            [self.frame_start[loc as usize] as usize..self.frame_start[loc as usize + 1] as usize]
    }

    /// google/pprof's `newGraph`: nodes outside `kept` (when given) are skipped and the
    /// edges over them marked residual.
    pub fn build(&self, kept: Option<&HashSet<NodeKey>>) -> Graph {
        let walk = self.walk.get_or_init(|| StackWalk::new(self));
        // Nodes are numbered as the keys first occur in the locations.
        let mut keys: Vec<NodeKey> = Vec::new();
        let node_of: Vec<u32> = self
            .uniq
            .iter()
            .map(|k| {
                if kept.is_some_and(|kept| !kept.contains(k)) {
                    return u32::MAX;
                }
                keys.push(*k);
                keys.len() as u32 - 1
            })
            .collect();
        let n = keys.len();
        let (mut flat, mut flat_div, mut cum, mut cum_div) =
            (vec![0i64; n], vec![0i64; n], vec![0i64; n], vec![0i64; n]);
        let mut edge_index: HashMap<(u32, u32), u32> = HashMap::new();
        // The edge of each pair of adjacent frames, once known (both frames kept).
        let mut pair_edge = vec![u32::MAX; walk.n_pairs];
        let mut edges: Vec<Edge> = Vec::new();
        let mut node_seen = vec![usize::MAX; n];
        let mut edge_seen: Vec<usize> = Vec::new();
        for (si, &(w, dw)) in walk.values.iter().enumerate() {
            let (from, to) = (walk.start[si] as usize, walk.start[si + 1] as usize);
            let mut parent: Option<u32> = None;
            // The previous frame was kept: the edge is that of their pair.
            let mut adjacent = false;
            let mut residual = false;
            for at in from..to {
                let nd = node_of[walk.frames[at] as usize];
                if nd == u32::MAX {
                    residual = true;
                    adjacent = false;
                    continue;
                }
                if node_seen[nd as usize] != si {
                    node_seen[nd as usize] = si;
                    cum[nd as usize] = cum[nd as usize].wrapping_add(w);
                    cum_div[nd as usize] = cum_div[nd as usize].wrapping_add(dw);
                }
                if let Some(par) = parent
                    && par != nd
                {
                    let inline = walk.inline[at];
                    let pair = walk.pair[at] as usize;
                    let mut e = if adjacent { pair_edge[pair] } else { u32::MAX };
                    if e == u32::MAX {
                        e = *edge_index.entry((par, nd)).or_insert_with(|| {
                            edges.push(Edge {
                                src: par as usize,
                                dest: nd as usize,
                                weight: 0,
                                weight_div: 0,
                                residual,
                                inline,
                            });
                            edge_seen.push(usize::MAX);
                            edges.len() as u32 - 1
                        });
                        if adjacent {
                            pair_edge[pair] = e;
                        }
                    }
                    let e = e as usize;
                    if edge_seen[e] != si {
                        edge_seen[e] = si;
                        let edge = &mut edges[e];
                        edge.weight = edge.weight.wrapping_add(w);
                        edge.weight_div = edge.weight_div.wrapping_add(dw);
                        edge.residual |= residual;
                        edge.inline &= inline;
                    }
                }
                parent = Some(nd);
                adjacent = true;
                residual = false;
            }
            if let Some(par) = parent
                && !residual
            {
                flat[par as usize] = flat[par as usize].wrapping_add(w);
                flat_div[par as usize] = flat_div[par as usize].wrapping_add(dw);
            }
        }
        // Keep nodes with a value (google/pprof's `selectNodesForGraph`).
        let mut new_index = vec![usize::MAX; n];
        let mut g = Graph::default();
        for i in 0..n {
            if cum[i] == 0 && flat[i] == 0 {
                continue;
            }
            if self.opts.drop_negative && (flat[i] < 0 || (flat[i] == 0 && cum[i] < 0)) {
                continue;
            }
            new_index[i] = g.nodes.len();
            g.keys.push(keys[i]);
            g.nodes.push(Node {
                info: self.info(&keys[i]),
                flat: flat[i],
                flat_div: flat_div[i],
                cum: cum[i],
                cum_div: cum_div[i],
                in_edges: Vec::new(),
                out_edges: Vec::new(),
            });
        }
        for mut e in edges {
            let (s, t) = (new_index[e.src], new_index[e.dest]);
            if s == usize::MAX || t == usize::MAX {
                continue;
            }
            (e.src, e.dest) = (s, t);
            g.edges.push(e);
        }
        g.relink();
        g
    }

    /// The node keys of location `loc`, innermost frame first.
    pub fn location_keys(
        &self,
        loc: u32,
    ) -> impl DoubleEndedIterator<Item = &NodeKey> + ExactSizeIterator {
        self.frames(loc).iter().map(|&k| &self.uniq[k as usize])
    }

    /// What a node key stands for.
    pub fn info(&self, k: &NodeKey) -> NodeInfo {
        NodeInfo {
            name: self.names.get(k.name),
            orig_name: String::new(),
            address: k.address,
            file: self.names.get(k.file),
            start_line: k.start_line,
            lineno: k.lineno,
            columnno: k.columnno,
            objfile: self.names.get(k.objfile),
        }
    }
}

/// The frames every graph build walks, made once per builder: each distinct stack once
/// (samples with the same stack add up to what one sample with their summed values adds,
/// values being linear and a node counting once per sample either way), in first-seen
/// order, root first, as node keys; and for each frame, which pair of adjacent keys it
/// closes, so that a build finds the edge of a pair it has seen in an array instead of a
/// hash map. Samples google/pprof skips (value and divisor 0) stay out.
struct StackWalk {
    /// Key of each frame (an index into the builder's `uniq`).
    frames: Vec<u32>,
    /// Per frame: it is inlined into the next one (not the last line of its location).
    inline: Vec<bool>,
    /// Per frame: the id of the pair (previous frame's key, this frame's key).
    pair: Vec<u32>,
    n_pairs: usize,
    /// Stack `i` has `frames[start[i]..start[i + 1]]`.
    start: Vec<u32>,
    /// Value and divisor of each stack.
    values: Vec<(i64, i64)>,
}

impl StackWalk {
    fn new(b: &GraphBuilder<'_>) -> StackWalk {
        let stacks = distinct_stacks(b.draft, b.opts);
        let n_frames: usize = stacks
            .iter()
            .map(|(locations, ..)| locations.iter().map(|l| b.frames(l).len()).sum::<usize>())
            .sum();
        let mut w = StackWalk {
            frames: Vec::with_capacity(n_frames),
            inline: Vec::with_capacity(n_frames),
            pair: Vec::with_capacity(n_frames),
            n_pairs: 0,
            start: Vec::with_capacity(stacks.len() + 1),
            values: Vec::with_capacity(stacks.len()),
        };
        w.start.push(0);
        let mut pairs: HashMap<(u32, u32), u32> = HashMap::with_capacity(b.uniq.len() * 4);
        for (locations, v, dv) in stacks {
            let mut prev = u32::MAX;
            for loc in locations.iter().rev() {
                let keys = b.frames(loc);
                for (i, &k) in keys.iter().enumerate().rev() {
                    w.frames.push(k);
                    w.inline.push(i != keys.len() - 1);
                    let n = pairs.len() as u32;
                    w.pair.push(*pairs.entry((prev, k)).or_insert(n));
                    prev = k;
                }
            }
            w.start.push(w.frames.len() as u32);
            w.values.push((v, dv));
        }
        w.n_pairs = pairs.len();
        w
    }
}

/// The distinct stacks of a draft with their summed value and divisor, in first-seen
/// order.
fn distinct_stacks<'d>(
    d: &'d Draft<'_>,
    opts: GraphOptions,
) -> Vec<(LocationIndexes<'d>, i64, i64)> {
    let mut index: HashMap<LocationIndexes<'d>, usize> =
        HashMap::with_capacity(d.num_samples() / 4);
    let mut out: Vec<(LocationIndexes<'d>, i64, i64)> = Vec::new();
    for si in 0..d.num_samples() {
        let s = d.sample(si);
        let w = s.values.get(opts.sample_index).copied().unwrap_or(0);
        let dw = if opts.mean {
            s.values.first().copied().unwrap_or(0)
        } else {
            0
        };
        if w == 0 && dw == 0 {
            continue;
        }
        let i = *index.entry(s.locations).or_insert_with(|| {
            out.push((s.locations, 0, 0));
            out.len() - 1
        });
        out[i].1 = out[i].1.wrapping_add(w);
        out[i].2 = out[i].2.wrapping_add(dw);
    }
    out
}

impl Graph {
    /// Rebuilds the per-node edge lists from `edges`.
    fn relink(&mut self) {
        for n in &mut self.nodes {
            n.in_edges.clear();
            n.out_edges.clear();
        }
        for (i, e) in self.edges.iter().enumerate() {
            self.nodes[e.src].out_edges.push(i);
            self.nodes[e.dest].in_edges.push(i);
        }
    }

    /// Sum of flat values.
    pub fn flat_total(&self) -> i64 {
        self.nodes.iter().fold(0i64, |a, n| a.wrapping_add(n.flat))
    }

    /// Keys of the nodes with |cum| ≥ `cutoff`. Absolute values are google/pprof's
    /// `abs64`, which wraps (`|i64::MIN|` is `i64::MIN`, below any cutoff), so extreme
    /// values rank and drop as in `go tool pprof`.
    pub(crate) fn above_cutoff(&self, cutoff: i64) -> HashSet<NodeKey> {
        self.nodes
            .iter()
            .zip(&self.keys)
            .filter(|(n, _)| n.cum.wrapping_abs() >= cutoff)
            .map(|(_, k)| *k)
            .collect()
    }

    /// Keys of the first `n` nodes.
    pub(crate) fn top(&self, n: usize) -> HashSet<NodeKey> {
        self.keys.iter().take(n).copied().collect()
    }

    /// Removes edges lighter than `cutoff`; returns how many went.
    pub(crate) fn trim_edges(&mut self, cutoff: i64) -> usize {
        let before = self.edges.len();
        self.edges.retain(|e| e.weight.wrapping_abs() >= cutoff);
        let dropped = before - self.edges.len();
        if dropped > 0 {
            self.relink();
        }
        dropped
    }

    /// Sorts nodes as google/pprof's `Nodes.Sort`.
    pub fn sort(&mut self, order: NodeOrder) {
        let mut perm: Vec<usize> = (0..self.nodes.len()).collect();
        let names: Vec<String> = self.nodes.iter().map(|n| n.info.printable_name()).collect();
        let nodes = &self.nodes;
        let by_name = |a: usize, b: usize| {
            let (x, y) = (&nodes[a].info, &nodes[b].info);
            if x == y {
                return Ordering::Equal;
            }
            if x.address != 0 && y.address != 0 && x.address != y.address {
                return x.address.cmp(&y.address);
            }
            names[a].cmp(&names[b])
        };
        // google/pprof's abs64, which wraps (see `above_cutoff`).
        let abs_desc = |x: i64, y: i64| y.wrapping_abs().cmp(&x.wrapping_abs());
        perm.sort_by(|&a, &b| {
            let (x, y) = (&nodes[a], &nodes[b]);
            let primary = match order {
                NodeOrder::FlatName => abs_desc(x.flat, y.flat)
                    .then_with(|| by_name(a, b))
                    .then_with(|| abs_desc(x.cum, y.cum)),
                NodeOrder::CumName => abs_desc(x.cum, y.cum)
                    .then_with(|| by_name(a, b))
                    .then_with(|| abs_desc(x.flat, y.flat)),
            };
            primary.then_with(|| x.info.sprint().cmp(&y.info.sprint()))
        });
        let mut pos = vec![0; perm.len()];
        for (new, &old) in perm.iter().enumerate() {
            pos[old] = new;
        }
        let mut nodes: Vec<Option<Node>> = self.nodes.drain(..).map(Some).collect();
        self.nodes = perm.iter().filter_map(|&o| nodes[o].take()).collect();
        self.keys = perm.iter().map(|&o| self.keys[o]).collect();
        for e in &mut self.edges {
            e.src = pos[e.src];
            e.dest = pos[e.dest];
        }
        self.relink();
    }

    /// Edge indexes sorted as google/pprof's `EdgeMap.Sort`: by |weight|, then caller
    /// name, then callee name.
    pub fn sorted_edges(&self, edges: &[usize]) -> Vec<usize> {
        let mut v = edges.to_vec();
        v.sort_by(|&a, &b| {
            let (x, y) = (&self.edges[a], &self.edges[b]);
            if x.weight != y.weight {
                return y.weight.wrapping_abs().cmp(&x.weight.wrapping_abs());
            }
            let n = |i: usize| self.nodes[i].info.printable_name();
            n(x.src)
                .cmp(&n(y.src))
                .then_with(|| n(x.dest).cmp(&n(y.dest)))
        });
        v
    }
}

/// The inline marker top and tree print after a node's name: `(inline)` when every call
/// into it was inlined, `(partial-inline)` when some were.
pub fn inline_label(g: &Graph, node: usize) -> &'static str {
    let (mut inline, mut not) = (false, false);
    for &e in &g.nodes[node].in_edges {
        if g.edges[e].inline {
            inline = true;
        } else {
            not = true;
        }
    }
    match (inline, not) {
        (true, true) => "(partial-inline)",
        (true, false) => "(inline)",
        _ => "",
    }
}

/// google/pprof's `trimPath` without configured prefixes: strips `/proc/self/cwd/`.
fn trim_path(path: &[u8]) -> Vec<u8> {
    for prefix in [&b"/proc/self/cwd/./"[..], b"/proc/self/cwd/"] {
        if let Some(rest) = path.strip_prefix(prefix) {
            return rest.to_vec();
        }
    }
    path.to_vec()
}

/// Go's `filepath.Clean` on a Unix path (empty stays empty).
pub(crate) fn clean_path(path: &[u8]) -> Vec<u8> {
    if path.is_empty() {
        return Vec::new();
    }
    let rooted = path[0] == b'/';
    let mut parts: Vec<&[u8]> = Vec::new();
    for part in path.split(|&c| c == b'/') {
        match part {
            b"" | b"." => {}
            b".." => {
                if parts.last().is_some_and(|p| *p != b"..") {
                    parts.pop();
                } else if !rooted {
                    parts.push(part);
                }
            }
            _ => parts.push(part),
        }
    }
    let mut out = Vec::with_capacity(path.len());
    if rooted {
        out.push(b'/');
    }
    out.extend_from_slice(&parts.join(&b'/'));
    if out.is_empty() {
        out.push(b'.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_path_is_go_filepath_clean() {
        // Cases from Go's path/filepath tests.
        for (i, o) in [
            ("abc", "abc"),
            ("abc/def", "abc/def"),
            ("a/b/c", "a/b/c"),
            (".", "."),
            ("..", ".."),
            ("../..", "../.."),
            ("../../abc", "../../abc"),
            ("/abc", "/abc"),
            ("/", "/"),
            ("abc/", "abc"),
            ("abc//def//ghi", "abc/def/ghi"),
            ("//abc", "/abc"),
            ("abc/./def", "abc/def"),
            ("/./abc/def", "/abc/def"),
            ("abc/def/ghi/../jkl", "abc/def/jkl"),
            ("abc/def/../ghi/../jkl", "abc/jkl"),
            ("abc/..", "."),
            ("abc/../../..", "../.."),
            ("/abc/def/../../..", "/"),
            ("abc/./../def", "def"),
        ] {
            assert_eq!(clean_path(i.as_bytes()), o.as_bytes(), "{i}");
        }
    }

    #[test]
    fn printable_names() {
        let mut i = NodeInfo {
            name: "main.f".into(),
            ..NodeInfo::default()
        };
        assert_eq!(i.printable_name(), "main.f");
        i.file = "main.go".into();
        i.lineno = 12;
        assert_eq!(i.printable_name(), "main.f main.go:12");
        let j = NodeInfo {
            address: 0x1234,
            objfile: "/usr/lib/libc.so".into(),
            ..NodeInfo::default()
        };
        assert_eq!(j.printable_name(), "0000000000001234 [libc.so]");
        assert_eq!(NodeInfo::default().printable_name(), "<unknown>");
    }
}
