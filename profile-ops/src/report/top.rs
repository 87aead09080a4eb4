//! The `top` report: nodes by flat value, with flat%, sum%, cum and cum%, as
//! `go tool pprof -top` prints them.

use serde::Serialize;

use crate::graph::inline_label;
use crate::query::Prepared;
use crate::units;

/// One row of [`Top`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TopRow {
    /// The name exactly as `go tool pprof -top` prints it: the node's name followed by
    /// ` (inline)` when every call of the node was inlined, ` (partial-inline)` when some
    /// were.
    pub name: String,
    /// The node's name alone (function, file, `file:line`... per granularity).
    pub node: String,
    /// Every call of the node was inlined into its caller (`name` ends in ` (inline)`).
    pub inline: bool,
    /// Some calls of the node were inlined and some not (`name` ends in
    /// ` (partial-inline)`).
    pub partial_inline: bool,
    /// Value of samples whose leaf is this node, in the sample type's unit.
    pub flat: i64,
    /// `flat` as a percentage of the total.
    pub flat_pct: f64,
    /// Running sum of `flat` down to this row, as a percentage of the total.
    pub sum_pct: f64,
    /// Value of samples through this node.
    pub cum: i64,
    /// `cum` as a percentage of the total.
    pub cum_pct: f64,
}

/// The top report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Top {
    /// The total percentages are of.
    pub total: i64,
    /// The sample type's unit (values are in it).
    pub unit: String,
    /// Rows, heaviest first.
    pub rows: Vec<TopRow>,
    /// The header lines pprof prints (`Type:`, `Showing nodes accounting for`...).
    #[serde(skip)]
    pub labels: Vec<String>,
    /// Rows' values as pprof prints them: `(flat, cum)`.
    #[serde(skip)]
    pub formatted: Vec<(String, String)>,
}

fn pct(v: i64, total: i64) -> f64 {
    if total == 0 {
        0.0
    } else {
        v as f64 / total as f64 * 100.0
    }
}

impl Top {
    /// The top report of a prepared profile, with at most `node_count` rows (0: all that
    /// survive the node-fraction cut).
    ///
    /// ```
    /// use profile_ops::pprof::ProfileBuilder;
    /// use profile_ops::query::Query;
    /// use profile_ops::report::top::Top;
    /// let mut b = ProfileBuilder::new();
    /// b.sample_type("cpu", "nanoseconds");
    /// let (f, g) = (b.function("main.f", "m.go", 1), b.function("main.main", "m.go", 9));
    /// let h = b.function("main.h", "m.go", 20);
    /// let (lf, lg) = (b.location(None, 0, &[(f, 2)]), b.location(None, 0, &[(g, 10)]));
    /// // A location of two lines: `main.h` inlined into `main.main`.
    /// let lh = b.location(None, 0, &[(h, 21), (g, 11)]);
    /// b.sample(&[lf, lg], &[30], &[]).sample(&[lg], &[10], &[]).sample(&[lh], &[5], &[]);
    /// let p = b.build().unwrap();
    /// let top = Top::new(&Query::default().prepare(&p).unwrap(), 0);
    /// assert_eq!(top.rows[0].name, "main.f");
    /// assert_eq!((top.rows[0].flat, top.rows[0].cum), (30, 30));
    /// assert_eq!((top.rows[1].flat, top.rows[1].cum), (10, 45));
    /// let h = &top.rows[2];
    /// assert_eq!((h.name.as_str(), h.node.as_str()), ("main.h (inline)", "main.h"));
    /// assert!(h.inline && !h.partial_inline);
    /// let text = top.to_text();
    /// assert!(text.contains("      30ns 66.67% 66.67%       30ns 66.67%  main.f\n"));
    /// assert!(text.contains("       5ns 11.11%   100%        5ns 11.11%  main.h (inline)\n"));
    /// ```
    pub fn new(prep: &Prepared<'_>, node_count: usize) -> Top {
        let t = prep.trimmed_graph(node_count);
        let unit = prep.output_unit(&t.graph);
        let labels = prep.report_labels(&t, &unit);
        let mut rows = Vec::with_capacity(t.graph.nodes.len());
        let mut formatted = Vec::with_capacity(t.graph.nodes.len());
        let mut sum = 0i64;
        for (i, n) in t.graph.nodes.iter().enumerate() {
            let (flat, cum) = (n.flat_value(), n.cum_value());
            sum = sum.wrapping_add(flat);
            let node = n.info.printable_name();
            let marker = inline_label(&t.graph, i);
            rows.push(TopRow {
                name: if marker.is_empty() {
                    node.clone()
                } else {
                    format!("{node} {marker}")
                },
                node,
                inline: marker == "(inline)",
                partial_inline: marker == "(partial-inline)",
                flat,
                flat_pct: pct(flat, prep.total).abs(),
                sum_pct: pct(sum, prep.total).abs(),
                cum,
                cum_pct: pct(cum, prep.total).abs(),
            });
            formatted.push((
                prep.format_value(flat, &unit),
                prep.format_value(cum, &unit),
            ));
        }
        Top {
            total: prep.total,
            unit: prep.sample_unit.clone(),
            rows,
            labels,
            formatted,
        }
    }

    /// The report as `go tool pprof -top` prints it.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for l in &self.labels {
            out.push_str(l);
            out.push('\n');
        }
        out.push_str(&format!(
            "{:>10} {:>5}% {:>5}% {:>10} {:>5}%\n",
            "flat", "flat", "sum", "cum", "cum"
        ));
        let mut sum = 0i64;
        for (r, (flat, cum)) in self.rows.iter().zip(&self.formatted) {
            sum = sum.wrapping_add(r.flat);
            out.push_str(&format!(
                "{flat:>10} {} {} {cum:>10} {}  {}\n",
                units::percentage(r.flat, self.total),
                units::percentage(sum, self.total),
                units::percentage(r.cum, self.total),
                r.name
            ));
        }
        out
    }
}
