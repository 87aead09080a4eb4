//! Reports, as data first and text second: [`top`], [`traces`], [`tree`] (and peek),
//! [`folded`] stacks, [`flame`] graphs (d3-flame-graph JSON, diff, SVG) and
//! [`speedscope`] files. Each takes a [`Prepared`] profile from [`crate::query`].

pub mod flame;
pub mod folded;
pub mod speedscope;
mod stacks;
pub mod top;
pub mod traces;
pub mod tree;

use crate::graph::{Graph, GraphBuilder, NodeOrder};
use crate::pprof::{Profile, go_time_utc};
use crate::query::Prepared;
use crate::units;

/// A graph trimmed for a report, with what was trimmed (google/pprof's
/// `newTrimmedGraph`).
#[derive(Clone, Debug)]
pub struct TrimmedGraph {
    /// The remaining nodes, sorted for the report.
    pub graph: Graph,
    /// Nodes left after the node-fraction cut, before the node-count cut.
    pub orig_count: usize,
    /// Nodes dropped by the node-fraction cut.
    pub dropped_nodes: usize,
    /// Edges dropped by the edge-fraction cut.
    pub dropped_edges: usize,
}

impl Prepared<'_> {
    /// The graph as text reports show it: low-value nodes cut, at most `node_count`
    /// nodes (0: no limit), sorted by flat (or cum) value.
    pub fn trimmed_graph(&self, node_count: usize) -> TrimmedGraph {
        let q = &self.query;
        let b = GraphBuilder::new(&self.draft, self.graph_options());
        let mut g = b.build(None);
        let total = g.flat_total();
        let node_cutoff = crate::units::go_int64(total as f64 * q.node_fraction).wrapping_abs();
        let edge_cutoff = crate::units::go_int64(total as f64 * q.edge_fraction).wrapping_abs();
        let mut dropped_nodes = 0;
        if node_cutoff > 0 {
            let kept = g.above_cutoff(node_cutoff);
            if kept.len() != g.nodes.len() {
                dropped_nodes = g.nodes.len() - kept.len();
                g = b.build(Some(&kept));
            }
        }
        let orig_count = g.nodes.len();
        let order = if q.cum_sort {
            NodeOrder::CumName
        } else {
            NodeOrder::FlatName
        };
        g.sort(order);
        if node_count > 0 {
            g.trim_edges(edge_cutoff);
            let kept = g.top(node_count);
            if kept.len() != g.nodes.len() {
                g = b.build(Some(&kept));
                g.sort(order);
            }
        }
        let dropped_edges = g.trim_edges(edge_cutoff);
        TrimmedGraph {
            graph: g,
            orig_count,
            dropped_nodes,
            dropped_edges,
        }
    }

    /// The unit values are printed in: `-unit`, or for `minimum` the one google/pprof's
    /// `selectOutputUnit` picks from the smallest non-zero node and the total.
    pub fn output_unit(&self, g: &Graph) -> String {
        if self.query.unit != "minimum" || g.nodes.is_empty() {
            return self.query.unit.clone();
        }
        let mut min = 0i64;
        for n in &g.nodes {
            let mut v = n.flat_value().wrapping_abs();
            if v == 0 {
                v = n.cum_value().wrapping_abs();
            }
            if v > 0 && (min == 0 || v < min) {
                min = v;
            }
        }
        let max = self.total;
        if min == 0 {
            min = max;
        }
        let (_, min_unit) = units::scale(min, &self.sample_unit, "minimum");
        let (_, max_unit) = units::scale(max, &self.sample_unit, "minimum");
        let mut unit = min_unit.clone();
        if min_unit != max_unit && min.wrapping_mul(100) < max {
            unit = units::scale(min.wrapping_mul(100), &self.sample_unit, "minimum").1;
        }
        if unit.is_empty() {
            self.sample_unit.clone()
        } else {
            unit
        }
    }

    /// `v` in the sample unit, printed in `unit` as pprof prints report values.
    pub fn format_value(&self, v: i64, unit: &str) -> String {
        units::scaled_label(v, &self.sample_unit, unit)
    }

    /// The header lines pprof prints above reports (`File:`, `Type:`, `Time:`,
    /// `Duration:`...). Times are printed in UTC.
    pub fn profile_labels(&self, unit: &str) -> Vec<String> {
        let p: &Profile = self.draft.source();
        let mut out = Vec::new();
        if let Some(m) = p.mappings().first() {
            let file = p.string(m.filename);
            if !file.is_empty() {
                out.push(format!(
                    "File: {}",
                    file.rsplit('/').next().unwrap_or(&file)
                ));
            }
            let build_id = p.string(m.build_id);
            if !build_id.is_empty() {
                out.push(format!("Build ID: {build_id}"));
            }
        }
        for &c in p.comments() {
            let c = p.string(c);
            if !c.starts_with('#') {
                out.push(c.into_owned());
            }
        }
        out.push(format!("Type: {}", self.sample_type));
        let doc = p.string(p.doc_url());
        if !doc.is_empty() {
            out.push(format!("Doc: {doc}"));
        }
        if p.time_nanos() != 0 {
            // Go's "2006-01-02 15:04:05 MST" layout: no fraction of a second.
            let t = go_time_utc(p.time_nanos());
            let t = t.split(" +0000").next().unwrap_or(&t);
            let t = t.split('.').next().unwrap_or(t);
            out.push(format!("Time: {t} UTC"));
        }
        if p.duration_nanos() != 0 {
            let duration = units::label(p.duration_nanos(), "nanoseconds");
            let (total_ns, total_unit) = units::scale(self.total, &self.sample_unit, "nanoseconds");
            let ratio = if total_unit == "ns" && total_ns != 0.0 {
                format!(
                    "({})",
                    units::percentage(total_ns as i64, p.duration_nanos())
                )
            } else {
                String::new()
            };
            out.push(format!(
                "Duration: {duration}, Total samples = {} {ratio}",
                self.format_value(self.total, unit)
            ));
        }
        out
    }

    /// google/pprof's `reportLabels`: profile labels, active filters, and what was shown
    /// or dropped.
    pub fn report_labels(&self, t: &TrimmedGraph, unit: &str) -> Vec<String> {
        let mut out = self.profile_labels(unit);
        let active = self.query.filters.active();
        if !active.is_empty() {
            out.push("Active filters:".into());
            for s in active {
                let s = match s.char_indices().nth(80) {
                    Some((i, _)) => format!("{}…", &s[..i]),
                    None => s,
                };
                out.push(format!("   {s}"));
            }
        }
        let shown: i64 = t
            .graph
            .nodes
            .iter()
            .fold(0i64, |a, n| a.wrapping_add(n.flat_value()));
        out.push(format!(
            "Showing nodes accounting for {}, {} of {} total",
            self.format_value(shown, unit),
            units::percentage(shown, self.total).trim(),
            self.format_value(self.total, unit)
        ));
        if self.total != 0 {
            let plural = |n: usize, what: &str| {
                if n > 1 {
                    format!("{what}s")
                } else {
                    what.to_string()
                }
            };
            if t.dropped_nodes > 0 {
                let cut = crate::units::go_int64(self.total as f64 * self.query.node_fraction)
                    .wrapping_abs();
                out.push(format!(
                    "Dropped {} {} (cum <= {})",
                    t.dropped_nodes,
                    plural(t.dropped_nodes, "node"),
                    self.format_value(cut, unit)
                ));
            }
            let n = t.graph.nodes.len();
            if n > 0 && n < t.orig_count {
                out.push(format!("Showing top {n} nodes out of {}", t.orig_count));
            }
        }
        out
    }
}
