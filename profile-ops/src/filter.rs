//! Sample filters with `go tool pprof`'s option semantics: `focus`, `ignore`, `hide`,
//! `show`, `show_from`, `tagfocus`, `tagignore`, `tagshow`, `taghide`, `prune_from`, and
//! the profile's own `drop_frames`/`keep_frames`.
//!
//! Regular expressions use RE2 syntax (the `regex` crate implements the same language as
//! Go's `regexp`) and match function names, source file names and mapping file names as
//! google/pprof matches them.

use regex::Regex;
use regex::bytes::Regex as BytesRegex;

use crate::draft::Draft;
use crate::error::{Error, Result};
use crate::pprof::{Labels, Line, Profile};
use crate::units;

/// The filter options of `go tool pprof`; unset options do nothing.
///
/// ```
/// use profile_ops::filter::Filters;
/// use profile_ops::pprof::ProfileBuilder;
/// let mut b = ProfileBuilder::new();
/// b.sample_type("samples", "count");
/// let main = b.function("main.main", "main.go", 1);
/// let gc = b.function("runtime.gcBgMarkWorker", "mgc.go", 1);
/// let (l1, l2) = (b.location(None, 0, &[(main, 2)]), b.location(None, 0, &[(gc, 2)]));
/// b.sample(&[l1], &[5], &[]).sample(&[l2], &[7], &[]);
/// let p = b.build().unwrap();
/// let f = Filters::default().ignore("^runtime\\.");
/// let kept = f.apply_to(&p).unwrap();
/// assert_eq!(kept.num_samples(), 1);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Filters {
    /// Keep only samples with a frame matching this.
    pub focus: Option<String>,
    /// Drop samples with a frame matching this.
    pub ignore: Option<String>,
    /// Remove matching frames from stacks.
    pub hide: Option<String>,
    /// Keep only matching frames in stacks.
    pub show: Option<String>,
    /// Drop frames above (callers of) the outermost frame matching this.
    pub show_from: Option<String>,
    /// Keep samples whose labels match: `regex[,regex...]` against `key:value`,
    /// `key=regex[,regex...]`, or a numeric range such as `1mb:` / `bytes=64:1kb`.
    pub tagfocus: Option<String>,
    /// Drop samples whose labels match (same syntax as `tagfocus`).
    pub tagignore: Option<String>,
    /// Keep only labels whose key matches.
    pub tagshow: Option<String>,
    /// Remove labels whose key matches.
    pub taghide: Option<String>,
    /// Drop frames below (callees of) the first frame matching this.
    pub prune_from: Option<String>,
}

setters!(Filters {} optional_into {
    focus: String,
    ignore: String,
    hide: String,
    show: String,
    show_from: String,
    tagfocus: String,
    tagignore: String,
    tagshow: String,
    taghide: String,
    prune_from: String,
});

/// Whether each set filter matched anything (go tool pprof warns when one did not).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Matched {
    /// `focus` matched a frame (true when unset).
    pub focus: bool,
    /// `ignore` matched a frame.
    pub ignore: bool,
    /// `hide` matched a frame.
    pub hide: bool,
    /// `show` matched a frame.
    pub show: bool,
    /// `show_from` matched a frame.
    pub show_from: bool,
    /// `tagfocus` matched a sample.
    pub tagfocus: bool,
    /// `tagignore` matched a sample.
    pub tagignore: bool,
}

fn compile(option: &'static str, re: &Option<String>) -> Result<Option<BytesRegex>> {
    re.as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| BytesRegex::new(s).map_err(|e| crate::error::bad_regex(option, &e)))
        .transpose()
}

impl Filters {
    /// True when no option is set.
    pub fn is_empty(&self) -> bool {
        *self == Filters::default()
    }

    /// The set options as `name=value` strings, in pprof's "Active filters" order.
    pub fn active(&self) -> Vec<String> {
        [
            ("focus", &self.focus),
            ("ignore", &self.ignore),
            ("hide", &self.hide),
            ("show", &self.show),
            ("show_from", &self.show_from),
            ("tagfocus", &self.tagfocus),
            ("tagignore", &self.tagignore),
            ("tagshow", &self.tagshow),
            ("taghide", &self.taghide),
        ]
        .into_iter()
        .filter_map(|(k, v)| {
            v.as_deref()
                .filter(|v| !v.is_empty())
                .map(|v| format!("{k}={v}"))
        })
        .collect()
    }

    /// Applies the filters to `p` and returns the filtered profile (compacted).
    pub fn apply_to(&self, p: &Profile) -> Result<Profile> {
        let mut d = Draft::new(p);
        self.apply(&mut d)?;
        d.finish()
    }

    /// Applies the filters to a draft, in `go tool pprof`'s order: names (focus, ignore,
    /// hide, show), show_from, tags (tagfocus, tagignore, tagshow, taghide), prune_from.
    pub fn apply(&self, d: &mut Draft<'_>) -> Result<Matched> {
        let focus = compile("focus", &self.focus)?;
        let ignore = compile("ignore", &self.ignore)?;
        let hide = compile("hide", &self.hide)?;
        let show = compile("show", &self.show)?;
        let show_from = compile("show_from", &self.show_from)?;
        let tagfocus = TagFilter::compile("tagfocus", &self.tagfocus, d.source())?;
        let tagignore = TagFilter::compile("tagignore", &self.tagignore, d.source())?;
        let tagshow = compile("tagshow", &self.tagshow)?;
        let taghide = compile("taghide", &self.taghide)?;
        let prune_from = compile("prune_from", &self.prune_from)?;

        let mut m = Matched::default();
        (m.focus, m.ignore, m.hide, m.show) = by_name(d, &focus, &ignore, &hide, &show);
        if let Some(re) = &show_from {
            m.show_from = by_show_from(d, re);
        }
        if tagfocus.is_some() || tagignore.is_some() {
            let p = d.source();
            d.edit_samples(|s, _, _, _| {
                let focused = tagfocus.as_ref().is_none_or(|f| f.matches(p, s.labels));
                let ignored = tagignore.as_ref().is_some_and(|f| f.matches(p, s.labels));
                m.tagfocus |= focused;
                m.tagignore |= ignored;
                focused && !ignored
            });
        }
        if tagshow.is_some() || taghide.is_some() {
            let p = d.source();
            d.edit_samples(|_, _, _, labels| {
                labels.retain(|l| {
                    let key = p.bytes_of(l.key);
                    tagshow.as_ref().is_none_or(|r| r.is_match(key))
                        && !taghide.as_ref().is_some_and(|r| r.is_match(key))
                });
                true
            });
        }
        if let Some(re) = &prune_from {
            prune_from_re(d, re);
        }
        Ok(m)
    }
}

/// Does a frame's function name or file match?
fn line_matches(d: &Draft<'_>, l: &Line, re: &BytesRegex) -> bool {
    let p = d.source();
    let f = d.function(l.function);
    re.is_match(p.bytes_of(f.name)) || re.is_match(p.bytes_of(f.filename))
}

fn mapping_matches(d: &Draft<'_>, loc: u32, re: &BytesRegex) -> bool {
    let p = d.source();
    d.location(loc)
        .mapping
        .is_some_and(|m| re.is_match(p.bytes_of(p.mappings()[m as usize].filename)))
}

fn location_matches(d: &Draft<'_>, loc: u32, re: &BytesRegex) -> bool {
    d.lines(loc).iter().any(|l| line_matches(d, l, re)) || mapping_matches(d, loc, re)
}

/// google/pprof's `FilterSamplesByName`.
fn by_name(
    d: &mut Draft<'_>,
    focus: &Option<BytesRegex>,
    ignore: &Option<BytesRegex>,
    hide: &Option<BytesRegex>,
    show: &Option<BytesRegex>,
) -> (bool, bool, bool, bool) {
    if focus.is_none() && ignore.is_none() && hide.is_none() && show.is_none() {
        return (true, false, false, false);
    }
    let n = d.num_locations();
    // None: neither focused nor ignored; Some(true): focused; Some(false): ignored.
    let mut verdict: Vec<Option<bool>> = vec![None; n];
    let mut hidden = vec![false; n];
    let (mut fm, mut im, mut hm, mut hnm) = (false, false, false, false);
    for i in 0..n as u32 {
        if let Some(re) = ignore
            && location_matches(d, i, re)
        {
            im = true;
            verdict[i as usize] = Some(false);
        } else if focus.as_ref().is_none_or(|re| location_matches(d, i, re)) {
            fm = true;
            verdict[i as usize] = Some(true);
        }
    }
    if let Some(re) = hide {
        let mut edits: Vec<Option<Vec<Line>>> = vec![None; n];
        for i in 0..n as u32 {
            if location_matches(d, i, re) {
                hm = true;
                let kept: Vec<Line> = if mapping_matches(d, i, re) {
                    Vec::new()
                } else {
                    d.lines(i)
                        .iter()
                        .copied()
                        .filter(|l| !line_matches(d, l, re))
                        .collect()
                };
                hidden[i as usize] = kept.is_empty();
                edits[i as usize] = Some(kept);
            }
        }
        d.edit_lines(|i, _| edits[i as usize].take());
    }
    if let Some(re) = show {
        let mut edits: Vec<Option<Vec<Line>>> = vec![None; n];
        for i in 0..n as u32 {
            let kept: Vec<Line> = if mapping_matches(d, i, re) {
                d.lines(i).to_vec()
            } else {
                d.lines(i)
                    .iter()
                    .copied()
                    .filter(|l| line_matches(d, l, re))
                    .collect()
            };
            if kept.is_empty() {
                hidden[i as usize] = true;
            } else {
                hnm = true;
            }
            edits[i as usize] = Some(kept);
        }
        d.edit_lines(|i, _| edits[i as usize].take());
    }
    let any_hidden = hidden.iter().any(|&h| h);
    d.edit_samples(|s, locs, _, _| {
        let mut focused = false;
        for l in s.locations {
            match verdict[l as usize] {
                Some(true) => focused = true,
                Some(false) => return false,
                None => {}
            }
        }
        if !focused {
            return false;
        }
        if any_hidden {
            locs.retain(|&l| !hidden[l as usize]);
            if locs.is_empty() {
                return false;
            }
        }
        true
    });
    (fm, im, hm, hnm)
}

/// google/pprof's `ShowFrom`.
fn by_show_from(d: &mut Draft<'_>, re: &BytesRegex) -> bool {
    let n = d.num_locations();
    let mut from = vec![false; n];
    let mut edits: Vec<Option<Vec<Line>>> = vec![None; n];
    for i in 0..n as u32 {
        if mapping_matches(d, i, re) {
            from[i as usize] = true;
        } else if let Some(j) = d.lines(i).iter().rposition(|l| line_matches(d, l, re)) {
            from[i as usize] = true;
            edits[i as usize] = Some(d.lines(i)[..=j].to_vec());
        }
    }
    d.edit_lines(|i, _| edits[i as usize].take());
    d.edit_samples(
        |s, locs, _, _| match s.locations.iter().rposition(|l| from[l as usize]) {
            Some(j) => {
                locs.truncate(j + 1);
                true
            }
            None => false,
        },
    );
    from.iter().any(|&f| f)
}

/// A function name without its argument list, as google/pprof's `simplifyFunc` leaves it
/// for `drop_frames` and `prune_from` matching.
fn simplify_func(name: &[u8]) -> &[u8] {
    static BRACKET: std::sync::LazyLock<BytesRegex> = std::sync::LazyLock::new(|| {
        BytesRegex::new(r"\(anonymous namespace\)|operator\(\)|\(").expect("static regex")
    });
    let name = name.strip_prefix(b".").unwrap_or(name);
    for m in BRACKET.find_iter(name) {
        if m.as_bytes() == b"(" {
            return &name[..m.start()];
        }
    }
    name
}

/// google/pprof's `PruneFrom`: drops the callees of the first (innermost) matching frame.
fn prune_from_re(d: &mut Draft<'_>, re: &BytesRegex) {
    let n = d.num_locations();
    let p = d.source();
    let mut beneath = vec![false; n];
    let mut edits: Vec<Option<Vec<Line>>> = vec![None; n];
    for i in 0..n as u32 {
        let lines = d.lines(i);
        if let Some(j) = lines.iter().position(|l| {
            let f = d.function(l.function);
            f.name != 0 && re.is_match(simplify_func(p.bytes_of(f.name)))
        }) {
            beneath[i as usize] = true;
            edits[i as usize] = Some(lines[j..].to_vec());
        }
    }
    d.edit_lines(|i, _| edits[i as usize].take());
    d.edit_samples(|s, locs, _, _| {
        if let Some(j) = s.locations.iter().position(|l| beneath[l as usize]) {
            locs.drain(..j);
        }
        true
    });
}

/// Applies the profile's `drop_frames`/`keep_frames` (google/pprof's
/// `RemoveUninteresting`, which `go tool pprof` runs on every profile it loads): frames
/// matching `drop_frames` and not `keep_frames` are removed with their callees, provided
/// a kept frame calls them.
pub fn drop_frames(d: &mut Draft<'_>) -> Result<()> {
    let p = d.source();
    if p.drop_frames() == 0 || p.bytes_of(p.drop_frames()).is_empty() {
        return Ok(());
    }
    let anchored = |id| {
        let s = String::from_utf8_lossy(p.bytes_of(id)).into_owned();
        BytesRegex::new(&format!("^({s})$")).map_err(|_| Error::BadFrameRegex(s))
    };
    let drop = anchored(p.drop_frames())?;
    let keep = if p.keep_frames() != 0 && !p.bytes_of(p.keep_frames()).is_empty() {
        Some(anchored(p.keep_frames())?)
    } else {
        None
    };
    let n = d.num_locations();
    let mut prune = vec![false; n];
    let mut beneath = vec![false; n];
    let mut edits: Vec<Option<Vec<Line>>> = vec![None; n];
    let mut cache: foldhash::HashMap<u32, bool> = foldhash::HashMap::default();
    for i in 0..n as u32 {
        let lines = d.lines(i);
        let hit = lines.iter().rposition(|l| {
            let f = d.function(l.function);
            if f.name == 0 || p.bytes_of(f.name).is_empty() {
                return false;
            }
            *cache.entry(f.name).or_insert_with(|| {
                let name = simplify_func(p.bytes_of(f.name));
                drop.is_match(name) && !keep.as_ref().is_some_and(|k| k.is_match(name))
            })
        });
        if let Some(j) = hit {
            beneath[i as usize] = true;
            if j == lines.len() - 1 {
                prune[i as usize] = true;
            } else {
                edits[i as usize] = Some(lines[j + 1..].to_vec());
            }
        }
    }
    d.edit_lines(|i, _| edits[i as usize].take());
    d.edit_samples(|s, locs, _, _| {
        let mut found_user = false;
        for (j, l) in s.locations.iter().enumerate().rev() {
            let l = l as usize;
            if !prune[l] && !beneath[l] {
                found_user = true;
                continue;
            }
            if !found_user {
                continue;
            }
            if prune[l] {
                locs.drain(..=j);
            } else {
                locs.drain(..j);
            }
            break;
        }
        true
    });
    Ok(())
}

/// A compiled `tagfocus`/`tagignore` value.
enum TagFilter {
    /// Numeric range on one key or on any key; `unit` is the range's unit.
    Range {
        key: Option<String>,
        lo: Option<f64>,
        hi: Option<f64>,
        unit: String,
        units: foldhash::HashMap<Vec<u8>, String>,
    },
    /// Every regex matches some `key:value` (no key given).
    AllOf(Vec<Regex>),
    /// Some value of `key` matches some regex.
    Key(String, Vec<Regex>),
}

impl TagFilter {
    fn compile(option: &'static str, value: &Option<String>, p: &Profile) -> Result<Option<Self>> {
        let Some(value) = value.as_deref().filter(|v| !v.is_empty()) else {
            return Ok(None);
        };
        let (key, value) = match value.split_once('=') {
            Some((k, v)) => (Some(k.to_string()), v),
            None => (None, value),
        };
        if let Some((lo, hi, unit)) = parse_range(value) {
            return Ok(Some(TagFilter::Range {
                key,
                lo,
                hi,
                unit,
                units: num_label_units(p),
            }));
        }
        let res = value
            .split(',')
            .map(|r| Regex::new(r).map_err(|e| crate::error::bad_regex(option, &e)))
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(match key {
            Some(k) => TagFilter::Key(k, res),
            None => TagFilter::AllOf(res),
        }))
    }

    fn matches(&self, p: &Profile, labels: Labels<'_>) -> bool {
        match self {
            TagFilter::Range {
                key,
                lo,
                hi,
                unit,
                units,
            } => labels.iter().filter(|l| l.str == 0).any(|l| {
                let k = p.bytes_of(l.key);
                if key.as_ref().is_some_and(|want| want.as_bytes() != k) {
                    return false;
                }
                let from = units.get(k).map_or("", String::as_str);
                let (v, u) = units::scale(l.num, from, unit);
                &u == unit && lo.is_none_or(|lo| v >= lo) && hi.is_none_or(|hi| v <= hi)
            }),
            TagFilter::AllOf(res) => res.iter().all(|re| {
                labels.iter().filter(|l| l.str != 0).any(|l| {
                    let kv = format!("{}:{}", p.string(l.key), p.string(l.str));
                    re.is_match(&kv)
                })
            }),
            TagFilter::Key(key, res) => labels
                .iter()
                .filter(|l| l.str != 0 && p.bytes_of(l.key) == key.as_bytes())
                .any(|l| res.iter().any(|re| re.is_match(&p.string(l.str)))),
        }
    }
}

/// Parses `N[unit]`, `N[unit]:`, `:N[unit]` or `N[unit]:M[unit]` as google/pprof does;
/// returns (low, high, unit) with both bounds equal for a single value.
fn parse_range(filter: &str) -> Option<(Option<f64>, Option<f64>, String)> {
    static RANGE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
        Regex::new(r"([+-]?[[:digit:]]+)([[:alpha:]]+)?").expect("static regex")
    });
    let caps: Vec<regex::Captures<'_>> = RANGE.captures_iter(filter).take(2).collect();
    let first = caps.first()?;
    let num = |c: &regex::Captures<'_>| c[1].parse::<i64>().ok();
    let unit_of = |c: &regex::Captures<'_>| c.get(2).map_or("", |m| m.as_str()).to_string();
    let u0 = unit_of(first);
    let (v0, unit) = units::scale(num(first)?, &u0, &u0);
    let whole = &first[0];
    if caps.len() == 1 {
        return if filter == whole {
            Some((Some(v0), Some(v0), unit))
        } else if filter == format!("{whole}:") {
            Some((Some(v0), None, unit))
        } else if filter == format!(":{whole}") {
            Some((None, Some(v0), unit))
        } else {
            None
        };
    }
    let second = &caps[1];
    if filter != format!("{whole}:{}", &second[0]) {
        return None;
    }
    let (v1, unit1) = units::scale(num(second)?, &unit_of(second), &unit);
    (unit1 == unit).then_some((Some(v0), Some(v1), unit))
}

/// The unit of each numeric label key (google/pprof's `NumLabelUnits`): the first unit
/// seen, else `bytes` for `alignment`/`request`, else the key itself.
pub(crate) fn num_label_units(p: &Profile) -> foldhash::HashMap<Vec<u8>, String> {
    let mut units: foldhash::HashMap<Vec<u8>, String> = foldhash::HashMap::default();
    let s = p.samples();
    for l in s.labels().iter().filter(|l| l.str == 0) {
        let e = units.entry(p.bytes_of(l.key).to_vec()).or_default();
        if e.is_empty() && l.num_unit != 0 {
            *e = p.string(l.num_unit).into_owned();
        }
    }
    for (k, u) in units.iter_mut() {
        if u.is_empty() {
            *u = match k.as_slice() {
                b"alignment" | b"request" => "bytes".into(),
                _ => String::from_utf8_lossy(k).into_owned(),
            };
        }
    }
    units
}
