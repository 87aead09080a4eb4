//! The `traces` report: every sample with its labels, value and stack, as
//! `go tool pprof -traces` prints them.

use std::fmt::Write;

use crate::filter::num_label_units;
use crate::graph::GraphBuilder;
use crate::query::Prepared;
use crate::units;

const SEPARATOR: &str = "-----------+-------------------------------------------------------";

/// The traces report as text.
///
/// ```
/// use profile_ops::pprof::ProfileBuilder;
/// use profile_ops::query::Query;
/// use profile_ops::report::traces::traces;
/// let mut b = ProfileBuilder::new();
/// b.sample_type("cpu", "nanoseconds");
/// let f = b.function("main.f", "m.go", 1);
/// let lf = b.location(None, 0, &[(f, 2)]);
/// b.sample(&[lf], &[10_000_000], &[]);
/// let p = b.build().unwrap();
/// let text = traces(&Query::default().prepare(&p).unwrap());
/// assert!(text.contains("      10ms   main.f\n"));
/// ```
pub fn traces(prep: &Prepared<'_>) -> String {
    let d = &prep.draft;
    let p = d.source();
    let mut out = String::new();
    for l in prep.profile_labels(&prep.query.unit) {
        out.push_str(&l);
        out.push('\n');
    }
    let b = GraphBuilder::new(d, prep.graph_options());
    // Each location's frames as printed (name and inline marker), innermost first, made
    // once: samples share locations, and formatting them per sample was most of the work.
    let frames: Vec<Vec<String>> = (0..d.num_locations() as u32)
        .map(|loc| {
            let keys = b.location_keys(loc);
            let last = keys.len() - 1;
            keys.enumerate()
                .map(|(j, k)| {
                    let inl = if j != last { " (inline)" } else { "" };
                    format!("{}{inl}", b.info(k).printable_name())
                })
                .collect()
        })
        .collect();
    let units_by_key = num_label_units(p);
    let mut stack: Vec<&str> = Vec::new();
    for i in 0..d.num_samples() {
        let s = d.sample(i);
        stack.clear();
        for loc in s.locations {
            stack.extend(frames[loc as usize].iter().map(String::as_str));
        }
        if stack.is_empty() {
            continue;
        }
        out.push_str(SEPARATOR);
        out.push('\n');
        // Labels grouped by key as google/pprof's model holds them, one line per key.
        let mut str_keys: Vec<(String, Vec<String>)> = Vec::new();
        let mut num_keys: Vec<(String, Vec<String>)> = Vec::new();
        for l in s.labels {
            let key = p.string(l.key).into_owned();
            let (list, value) = if l.str != 0 {
                (&mut str_keys, p.string(l.str).into_owned())
            } else {
                let unit = units_by_key
                    .get(p.bytes_of(l.key))
                    .map_or("", String::as_str);
                (&mut num_keys, units::label(l.num, unit))
            };
            match list.iter_mut().find(|(k, _)| *k == key) {
                Some((_, vs)) => vs.push(value),
                None => list.push((key, vec![value])),
            }
        }
        for list in [str_keys, num_keys] {
            let mut lines: Vec<String> = list
                .into_iter()
                .map(|(k, vs)| format!("{k:>10}:  {}\n", vs.join(" ")))
                .collect();
            lines.sort();
            out.extend(lines);
        }
        let v = prep.sample_value(s.values);
        for (j, frame) in stack.iter().enumerate() {
            if j == 0 {
                let _ = write!(out, "{:>10}   ", prep.format_value(v, &prep.query.unit));
            } else {
                // What `{:>10}   ` makes of an empty value, without the formatter.
                out.push_str("             ");
            }
            out.push_str(frame);
            out.push('\n');
        }
    }
    out.push_str(SEPARATOR);
    out.push('\n');
    out
}
