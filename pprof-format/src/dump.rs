//! The text dump of google/pprof's `Profile.String()` (what `go tool pprof -raw` prints),
//! byte for byte.

use std::fmt::Write as _;

use crate::StrId;
use crate::labels::Labels;
use crate::profile::Profile;

impl Profile {
    /// The same text as google/pprof's `Profile.String()`.
    ///
    /// Differences, deliberate: `Time:` is printed in UTC (Go prints the local time zone;
    /// the two agree under `TZ=UTC`), and strings that are not valid UTF-8 are printed
    /// with U+FFFD replacements.
    ///
    /// ```
    /// # use pprof_format::ProfileBuilder;
    /// let mut b = ProfileBuilder::new();
    /// b.sample_type("samples", "count").period_type("cpu", "nanoseconds").period(10);
    /// b.sample(&[], &[3], &[]);
    /// let text = b.build().unwrap().to_text();
    /// assert_eq!(text, "PeriodType: cpu nanoseconds\nPeriod: 10\nSamples:\nsamples/count\n          3: \nLocations\nMappings\n");
    /// ```
    pub fn to_text(&self) -> String {
        let t = &*self.t;
        let s = |id: StrId| self.string(id);
        let mut out = String::with_capacity(64 * (t.samples.len() + t.locations.len() + 8));
        for &c in &t.comments {
            let _ = writeln!(out, "Comment: {}", s(c));
        }
        if t.doc_url != 0 && !self.bytes_of(t.doc_url).is_empty() {
            let _ = writeln!(out, "Doc: {}", s(t.doc_url));
        }
        // google/pprof's decoder always materialises a period type, possibly empty.
        let (pt, pu) = t.period_type.map_or((0, 0), |v| (v.ty, v.unit));
        let _ = writeln!(out, "PeriodType: {} {}", s(pt), s(pu));
        let _ = writeln!(out, "Period: {}", t.period);
        if t.time_nanos != 0 {
            let _ = writeln!(out, "Time: {}", go_time_utc(t.time_nanos));
        }
        if t.duration_nanos != 0 {
            let d: String = go_duration(t.duration_nanos).chars().take(4).collect();
            let _ = writeln!(out, "Duration: {d}");
        }
        out.push_str("Samples:\n");
        let dflt = self.bytes_of(t.default_sample_type);
        let header: Vec<String> = t
            .sample_types
            .iter()
            .map(|vt| {
                let mark = if self.bytes_of(vt.ty) == dflt {
                    "[dflt]"
                } else {
                    ""
                };
                format!("{}/{}{}", s(vt.ty), s(vt.unit), mark)
            })
            .collect();
        out.push_str(&header.join(" "));
        out.push('\n');
        for smp in self.iter_samples() {
            for v in smp.values {
                let _ = write!(out, " {v:>10}");
            }
            out.push_str(": ");
            for l in smp.locations {
                let _ = write!(out, "{} ", t.locations[l as usize].id);
            }
            out.push('\n');
            self.labels_text(smp.labels, &mut out);
        }
        out.push_str("Locations\n");
        for loc in &t.locations {
            let mut head = format!("{:>6}: {:#x} ", loc.id, loc.address);
            if let Some(m) = loc.mapping {
                let _ = write!(head, "M={} ", t.mappings[m as usize].id);
            }
            if loc.is_folded {
                head.push_str("[F] ");
            }
            let lines = self.location_lines(loc);
            if lines.is_empty() {
                out.push_str(&head);
                out.push('\n');
            }
            for line in lines {
                let f = &t.functions[line.function as usize];
                let _ = write!(
                    out,
                    "{head}{} {}:{}:{} s={}",
                    s(f.name),
                    s(f.filename),
                    line.line,
                    line.column,
                    f.start_line
                );
                if self.bytes_of(f.name) != self.bytes_of(f.system_name) {
                    let _ = write!(out, "({})", s(f.system_name));
                }
                out.push('\n');
                head = " ".repeat(13);
            }
        }
        out.push_str("Mappings\n");
        for m in &t.mappings {
            let mut bits = String::new();
            for (on, b) in [
                (m.has_functions, "[FN]"),
                (m.has_filenames, "[FL]"),
                (m.has_line_numbers, "[LN]"),
                (m.has_inline_frames, "[IN]"),
            ] {
                if on {
                    bits.push_str(b);
                }
            }
            let _ = writeln!(
                out,
                "{}: {:#x}/{:#x}/{:#x} {} {} {}",
                m.id,
                m.memory_start,
                m.memory_limit,
                m.file_offset,
                s(m.filename),
                s(m.build_id),
                bits
            );
        }
        out
    }

    /// The label lines of one sample, grouped by key and sorted as google/pprof's maps
    /// print them.
    fn labels_text(&self, labels: Labels<'_>, out: &mut String) {
        if labels.is_empty() {
            return;
        }
        let s = |id: StrId| self.string(id).into_owned();
        // key → values in order of appearance, like google/pprof's label maps.
        let mut strs: Vec<(String, Vec<String>)> = Vec::new();
        let mut nums: Vec<(String, Vec<i64>, Vec<String>)> = Vec::new();
        for l in labels {
            let key = s(l.key);
            if l.str != 0 {
                match strs.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, v)) => v.push(s(l.str)),
                    None => strs.push((key, vec![s(l.str)])),
                }
            } else {
                let i = match nums.iter().position(|(k, ..)| *k == key) {
                    Some(i) => i,
                    None => {
                        nums.push((key, Vec::new(), Vec::new()));
                        nums.len() - 1
                    }
                };
                let (_, vals, units) = &mut nums[i];
                if l.num_unit != 0 {
                    units.resize(vals.len(), String::new());
                    units.push(s(l.num_unit));
                }
                vals.push(l.num);
            }
        }
        const HEADER: &str = "                ";
        if !strs.is_empty() {
            let mut ls: Vec<String> = strs
                .iter()
                .map(|(k, v)| format!("{k}:[{}]", v.join(" ")))
                .collect();
            ls.sort();
            let _ = writeln!(out, "{HEADER}{}", ls.join(" "));
        }
        if !nums.is_empty() {
            let mut ls: Vec<String> = nums
                .iter_mut()
                .map(|(k, vals, units)| {
                    if !units.is_empty() {
                        units.resize(vals.len(), String::new());
                        let v: Vec<String> = vals
                            .iter()
                            .zip(units.iter())
                            .map(|(v, u)| format!("{v} {u}"))
                            .collect();
                        format!("{k}:[{}]", v.join(" "))
                    } else {
                        let v: Vec<String> = vals.iter().map(i64::to_string).collect();
                        format!("{k}:[{}]", v.join(" "))
                    }
                })
                .collect();
            ls.sort();
            let _ = writeln!(out, "{HEADER}{}", ls.join(" "));
        }
    }
}

/// Go's `time.Duration.String()`.
///
/// ```
/// assert_eq!(pprof_format::go_duration(16_500_000_000_000), "4h35m0s");
/// assert_eq!(pprof_format::go_duration(1_500), "1.5µs");
/// assert_eq!(pprof_format::go_duration(-30_000_000), "-30ms");
/// ```
pub fn go_duration(d: i64) -> String {
    let neg = d < 0;
    let mut u = d.unsigned_abs();
    if u == 0 {
        return "0s".into();
    }
    let mut parts = String::new();
    if u < 1_000_000_000 {
        let (prec, unit) = match u {
            0..1_000 => (0, "ns"),
            1_000..1_000_000 => (3, "µs"),
            _ => (6, "ms"),
        };
        let frac = frac_digits(&mut u, prec);
        parts = format!("{u}{frac}{unit}");
    } else {
        let frac = frac_digits(&mut u, 9);
        let secs = u % 60;
        u /= 60;
        if u > 0 {
            let mins = u % 60;
            u /= 60;
            if u > 0 {
                let _ = write!(parts, "{u}h");
            }
            let _ = write!(parts, "{mins}m");
        }
        let _ = write!(parts, "{secs}{frac}s");
    }
    if neg { format!("-{parts}") } else { parts }
}

/// Splits off the `prec` low decimal digits of `v` as ".ddd" without trailing zeros (empty
/// when they are all zero), leaving the integer part in `v` — Go's `fmtFrac`.
fn frac_digits(v: &mut u64, prec: u32) -> String {
    if prec == 0 {
        return String::new();
    }
    let p = 10u64.pow(prec);
    let frac = *v % p;
    *v /= p;
    if frac == 0 {
        return String::new();
    }
    let digits = format!("{frac:0width$}", width = prec as usize);
    format!(".{}", digits.trim_end_matches('0'))
}

/// Go's `time.Unix(0, ns).UTC().String()`: `2006-01-02 15:04:05.999999999 +0000 UTC`.
///
/// ```
/// assert_eq!(pprof_format::go_time_utc(1_500_000_000), "1970-01-01 00:00:01.5 +0000 UTC");
/// ```
pub fn go_time_utc(ns: i64) -> String {
    let secs = ns.div_euclid(1_000_000_000);
    let nanos = ns.rem_euclid(1_000_000_000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let mut frac = String::new();
    if nanos != 0 {
        frac = format!(".{nanos:09}").trim_end_matches('0').to_string();
    }
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}{frac} +0000 UTC",
        sod / 3600,
        sod % 3600 / 60,
        sod % 60
    )
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_match_go() {
        // Expected strings from Go's time.Duration.String documentation and behaviour.
        assert_eq!(go_duration(1), "1ns");
        assert_eq!(go_duration(1_100), "1.1µs");
        assert_eq!(go_duration(2_200_000), "2.2ms");
        assert_eq!(go_duration(3_300_000_000), "3.3s");
        assert_eq!(go_duration(4 * 60 * 1_000_000_000 + 5_000_000_000), "4m5s");
        assert_eq!(
            go_duration(4 * 60 * 1_000_000_000 + 5_001_000_000),
            "4m5.001s"
        );
        assert_eq!(
            go_duration(5 * 3600 * 1_000_000_000 + 6 * 60 * 1_000_000_000 + 7_001_000_000),
            "5h6m7.001s"
        );
        assert_eq!(go_duration(3600 * 1_000_000_000), "1h0m0s");
    }

    #[test]
    fn times_in_utc() {
        assert_eq!(go_time_utc(0), "1970-01-01 00:00:00 +0000 UTC");
        // 2024-06-07 08:19:31.5 UTC
        assert_eq!(
            go_time_utc(1_717_748_371_500_000_000),
            "2024-06-07 08:19:31.5 +0000 UTC"
        );
        assert_eq!(go_time_utc(-1), "1969-12-31 23:59:59.999999999 +0000 UTC");
    }
}
