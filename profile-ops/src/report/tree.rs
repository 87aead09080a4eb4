//! The `tree` and `peek` reports: each node with its callers and callees, as
//! `go tool pprof -tree` / `-peek` print them.

use regex::Regex;

use crate::error::{Error, Result};
use crate::graph::Edge;
use crate::query::Prepared;
use crate::units;

const SEPARATOR: &str = "----------------------------------------------------------+-------------";
const LEGEND: &str = "      flat  flat%   sum%        cum   cum%   calls calls% + context \t \t ";

/// The tree report as text: at most `node_count` nodes (0: all), only those whose name
/// matches `symbol` when given (that is `peek`, which pprof runs untrimmed: pass a query
/// with zero node and edge fractions).
pub fn tree(prep: &Prepared<'_>, node_count: usize, symbol: Option<&str>) -> Result<String> {
    let rx = symbol
        .map(|s| Regex::new(s).map_err(|e| crate::error::bad_regex("peek", &e)))
        .transpose()?;
    let t = prep.trimmed_graph(node_count);
    let unit = prep.output_unit(&t.graph);
    let g = &t.graph;
    let mut out = String::new();
    for l in prep.report_labels(&t, &unit) {
        out.push_str(&l);
        out.push('\n');
    }
    out.push_str(SEPARATOR);
    out.push('\n');
    out.push_str(LEGEND);
    out.push('\n');
    let fmt = |v: i64| prep.format_value(v, &unit);
    let mut flat_sum = 0i64;
    let mut matched = 0;
    for n in &g.nodes {
        let name = n.info.printable_name();
        if rx.as_ref().is_some_and(|rx| !rx.is_match(&name)) {
            continue;
        }
        matched += 1;
        let (flat, cum) = (n.flat_value(), n.cum_value());
        out.push_str(SEPARATOR);
        out.push('\n');
        // One line per caller or callee: its weight, share of this node's cum, name.
        let edge_line = |out: &mut String, e: &Edge, other: usize| {
            let inl = if e.inline { " (inline)" } else { "" };
            out.push_str(&format!(
                "{:>50} {} |   {}{inl}\n",
                fmt(e.weight),
                units::percentage(e.weight, cum),
                g.nodes[other].info.printable_name()
            ));
        };
        for e in g.sorted_edges(&n.in_edges) {
            let e = &g.edges[e];
            edge_line(&mut out, e, e.src);
        }
        flat_sum = flat_sum.wrapping_add(flat);
        out.push_str(&format!(
            "{:>10} {} {} {:>10} {}                | {name}\n",
            fmt(flat),
            units::percentage(flat, prep.total),
            units::percentage(flat_sum, prep.total),
            fmt(cum),
            units::percentage(cum, prep.total),
        ));
        for e in g.sorted_edges(&n.out_edges) {
            let e = &g.edges[e];
            edge_line(&mut out, e, e.dest);
        }
    }
    if !g.nodes.is_empty() {
        out.push_str(SEPARATOR);
        out.push('\n');
    }
    if let (Some(rx), 0) = (&rx, matched) {
        return Err(Error::BadOption(format!(
            "no matches found for regexp: {rx}"
        )));
    }
    Ok(out)
}
