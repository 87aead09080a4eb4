//! Units and number formatting exactly as `go tool pprof` prints them (google/pprof's
//! `internal/measurement`): unit scaling (`1536 bytes` → `1.50kB`), scaled labels and
//! percentages.

/// A unit a value can be scaled to: canonical name, aliases, factor to the base unit.
struct Unit {
    name: &'static str,
    aliases: &'static [&'static str],
    factor: f64,
}

/// A family of interconvertible units (bytes, time, GCU) and its default unit.
struct UnitType {
    units: &'static [Unit],
    default: (&'static str, f64),
}

const fn u(name: &'static str, aliases: &'static [&'static str], factor: f64) -> Unit {
    Unit {
        name,
        aliases,
        factor,
    }
}

static UNIT_TYPES: [UnitType; 3] = [
    UnitType {
        units: &[
            u("B", &["b", "byte"], 1.0),
            u("kB", &["kb", "kbyte", "kilobyte"], 1024.0),
            u("MB", &["mb", "mbyte", "megabyte"], 1048576.0),
            u("GB", &["gb", "gbyte", "gigabyte"], 1073741824.0),
            u("TB", &["tb", "tbyte", "terabyte"], 1099511627776.0),
            u("PB", &["pb", "pbyte", "petabyte"], 1125899906842624.0),
        ],
        default: ("B", 1.0),
    },
    UnitType {
        units: &[
            u("ns", &["ns", "nanosecond"], 1.0),
            u("us", &["μs", "us", "microsecond"], 1e3),
            u("ms", &["ms", "millisecond"], 1e6),
            u("s", &["s", "sec", "second"], 1e9),
            u("hrs", &["hour", "hr"], 3.6e12),
        ],
        default: ("s", 1e9),
    },
    UnitType {
        units: &[
            u("n*GCU", &["nanogcu"], 1e-9),
            u("u*GCU", &["microgcu"], 1e-6),
            u("m*GCU", &["milligcu"], 1e-3),
            u("GCU", &["gcu"], 1.0),
            u("k*GCU", &["kilogcu"], 1e3),
            u("M*GCU", &["megagcu"], 1e6),
            u("G*GCU", &["gigagcu"], 1e9),
            u("T*GCU", &["teragcu"], 1e12),
            u("P*GCU", &["petagcu"], 1e15),
        ],
        default: ("GCU", 1.0),
    },
];

impl UnitType {
    fn sniff(&self, unit: &str) -> Option<&Unit> {
        let lower = unit.to_lowercase();
        // Byte length, as in Go: "μs" (3 bytes) loses its "s" and matches nothing.
        let alias = if lower.len() > 2 {
            lower.strip_suffix('s').unwrap_or(&lower)
        } else {
            &lower
        };
        self.units.iter().find(|u| u.aliases.contains(&alias))
    }

    fn auto_scale(&self, v: f64) -> Option<(f64, &'static str)> {
        let mut best: Option<&Unit> = None;
        for u in self.units {
            if u.factor >= best.map_or(0.0, |b| b.factor) && v / u.factor >= 1.0 {
                best = Some(u);
            }
        }
        best.map(|u| (v / u.factor, u.name))
    }

    fn convert(&self, value: i64, from: &str, to: &str) -> Option<(f64, String)> {
        let from = self.sniff(from)?;
        let v = value as f64 * from.factor;
        if to == "minimum" || to == "auto" {
            if let Some((v, name)) = self.auto_scale(v) {
                return Some((v, name.to_string()));
            }
            return Some((v / self.default.1, self.default.0.to_string()));
        }
        match self.sniff(to) {
            Some(t) => Some((v / t.factor, t.name.to_string())),
            None => Some((v / self.default.1, self.default.0.to_string())),
        }
    }
}

/// True when both units belong to one family (bytes, time or GCU) and so convert.
pub fn same_family(a: &str, b: &str) -> bool {
    UNIT_TYPES
        .iter()
        .any(|ut| ut.sniff(a).is_some() && ut.sniff(b).is_some())
}

/// Scales `value` from `from_unit` to `to_unit` (`"minimum"`/`"auto"` pick the largest
/// unit that keeps the value ≥ 1). Returns the scaled value and the unit's display name
/// (`""` for plain counts). Same results as google/pprof's `measurement.Scale`.
///
/// ```
/// use profile_ops::units::scale;
/// assert_eq!(scale(1536, "bytes", "auto"), (1.5, "kB".to_string()));
/// assert_eq!(scale(2_000_000, "nanoseconds", "ms"), (2.0, "ms".to_string()));
/// assert_eq!(scale(7, "count", "auto"), (7.0, String::new()));
/// ```
pub fn scale(value: i64, from_unit: &str, to_unit: &str) -> (f64, String) {
    if value < 0 && value != i64::MIN {
        let (v, u) = scale(-value, from_unit, to_unit);
        return (-v, u);
    }
    for ut in &UNIT_TYPES {
        if let Some(r) = ut.convert(value, from_unit, to_unit) {
            return r;
        }
    }
    match to_unit {
        "count" | "sample" | "unit" | "minimum" | "auto" => (value as f64, String::new()),
        _ => (value as f64, to_unit.to_string()),
    }
}

/// `value` in `from_unit`, scaled to `to_unit` and printed with two decimals at most, as
/// pprof prints values in reports (`10ms`, `4.50MB`, `0`).
///
/// ```
/// use profile_ops::units::scaled_label;
/// assert_eq!(scaled_label(10_000_000, "nanoseconds", "auto"), "10ms");
/// assert_eq!(scaled_label(4_718_592, "bytes", "MB"), "4.50MB");
/// assert_eq!(scaled_label(0, "bytes", "auto"), "0");
/// ```
pub fn scaled_label(value: i64, from_unit: &str, to_unit: &str) -> String {
    let (v, u) = scale(value, from_unit, to_unit);
    let s = format!("{v:.2}");
    let s = s.strip_suffix(".00").unwrap_or(&s);
    if s == "0" || s == "-0" {
        return "0".to_string();
    }
    format!("{s}{u}")
}

/// `value` with its unit, automatically scaled (pprof's `measurement.Label`).
pub fn label(value: i64, unit: &str) -> String {
    scaled_label(value, unit, "auto")
}

/// `|value / total|` as the six-character percentage pprof prints (`" 4.50%"`, `"  100%"`,
/// `" 0.13%"`, `"    0%"`).
///
/// ```
/// use profile_ops::units::percentage;
/// assert_eq!(percentage(45, 1000), " 4.50%");
/// assert_eq!(percentage(1000, 1000), "  100%");
/// assert_eq!(percentage(13, 10000), " 0.13%");
/// assert_eq!(percentage(0, 10), "    0%");
/// ```
pub fn percentage(value: i64, total: i64) -> String {
    let ratio = if total != 0 {
        (value as f64 / total as f64).abs() * 100.0
    } else {
        0.0
    };
    if (99.95..=100.05).contains(&ratio) {
        "  100%".to_string()
    } else if ratio >= 1.0 {
        format!("{ratio:5.2}%")
    } else {
        format!("{:>5}%", go_g2(ratio))
    }
}

/// Go's `%.2g` for a finite non-negative number: two significant digits, trailing zeros
/// dropped, exponent form below 1e-4.
fn go_g2(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return if x.is_finite() {
            "0".into()
        } else {
            format!("{x}")
        };
    }
    // Rust's `{:.1e}` rounds to two significant digits the way strconv does.
    let e = format!("{x:.1e}");
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut digits: String = mant.chars().filter(char::is_ascii_digit).collect();
    while digits.len() > 1 && digits.ends_with('0') {
        digits.pop();
    }
    let nd = digits.len() as i32;
    let dp = exp + 1;
    let eprec = if 2 > nd && nd >= dp { nd } else { 2 };
    if exp < -4 || exp >= eprec {
        let mut s = digits[..1].to_string();
        if nd > 1 {
            s.push('.');
            s.push_str(&digits[1..]);
        }
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{s}e{sign}{:02}", exp.abs());
    }
    let frac = (nd - dp).max(0) as usize;
    format!("{x:.frac$}")
}

/// `int64(x)` as Go computes it on amd64, where the reference tools run: a value outside
/// the `i64` range (or NaN) becomes `i64::MIN` (the processor's "integer indefinite"),
/// where Rust's `as` saturates. Scaling by -1 (a diff's base) thus maps `i64::MIN` to
/// itself, as `go tool pprof -base` does.
///
/// ```
/// use profile_ops::units::go_int64;
/// assert_eq!(go_int64(-(i64::MIN as f64)), i64::MIN);
/// assert_eq!(go_int64(f64::NAN), i64::MIN);
/// assert_eq!(go_int64(-9.223372036854775808e18), i64::MIN);
/// assert_eq!(go_int64(-2.7), -2);
/// ```
pub fn go_int64(x: f64) -> i64 {
    const LIMIT: f64 = (1u64 << 63) as f64;
    if x.is_nan() || !(-LIMIT..LIMIT).contains(&x) {
        return i64::MIN;
    }
    x as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_g_formatting_matches_strconv() {
        // Worked out from strconv's %g rules (precision 2, no '#').
        assert_eq!(go_g2(0.4), "0.4");
        assert_eq!(go_g2(0.13), "0.13");
        assert_eq!(go_g2(0.001234), "0.0012");
        assert_eq!(go_g2(0.00001234), "1.2e-05");
        assert_eq!(go_g2(0.00001), "1e-05");
        assert_eq!(go_g2(0.999), "1");
        assert_eq!(percentage(4, 1000), "  0.4%");
        assert_eq!(percentage(-4, 1000), "  0.4%");
    }

    #[test]
    fn scaling_follows_measurement() {
        assert_eq!(
            scaled_label(30_720_000_000, "nanoseconds", "auto"),
            "30.72s"
        );
        assert_eq!(scaled_label(-30_000_000, "nanoseconds", "auto"), "-30ms");
        assert_eq!(scaled_label(512, "bytes", "minimum"), "512B");
        assert_eq!(scaled_label(3, "count", "minimum"), "3");
        assert_eq!(scaled_label(3, "widgets", "widgets"), "3widgets");
        assert_eq!(scale(1, "milliseconds", "nanoseconds").0, 1e6);
        assert_eq!(label(90_000_000_000, "nanoseconds"), "90s");
        assert_eq!(label(7_200_000_000_000, "nanoseconds"), "2hrs");
    }
}
