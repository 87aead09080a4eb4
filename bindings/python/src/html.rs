//! The HTML that notebooks show for profiles and reports (`_repr_html_`).

use profile_ops::report::top::Top;

/// `s` with the characters HTML gives a meaning escaped.
pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The first `max_rows` rows of a top report as a table, values as pprof prints them,
/// under the report's header lines.
pub(crate) fn top_table(t: &Top, max_rows: usize) -> String {
    let mut h = String::from("<div>");
    for l in &t.labels {
        h += &format!("{}<br>", esc(l));
    }
    h += "<table><thead><tr><th>flat</th><th>flat%</th><th>sum%</th><th>cum</th><th>cum%</th><th>name</th></tr></thead><tbody>";
    for (r, (flat, cum)) in t.rows.iter().zip(&t.formatted).take(max_rows) {
        h += &format!(
            "<tr><td>{}</td><td>{:.2}%</td><td>{:.2}%</td><td>{}</td><td>{:.2}%</td><td>{}</td></tr>",
            esc(flat),
            r.flat_pct,
            r.sum_pct,
            esc(cum),
            r.cum_pct,
            esc(&r.name)
        );
    }
    h += "</tbody></table></div>";
    h
}
