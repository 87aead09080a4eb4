//! The mutable profile the legacy parsers fill, and the fix-ups google/pprof applies to it
//! before it becomes a [`Profile`]: memory-map parsing, mapping massaging, id
//! renumbering, frame regexps.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::bytes::Regex;

use crate::ProfileBuilder;
use crate::error::{Error, Result};
use crate::labels::Label;
use crate::profile::{Function, Line, Mapping, Profile};

use super::frames;

/// Why a legacy parser gave up: the input is not its format (the next one is tried), or
/// it is its format but broken (the error is final), as google/pprof's `errUnrecognized`
/// versus any other error.
#[derive(Debug)]
pub(crate) enum Fail {
    Unrecognized,
    Bad(Error),
}

impl From<Error> for Fail {
    fn from(e: Error) -> Self {
        Fail::Bad(e)
    }
}

pub(crate) type LResult<T> = std::result::Result<T, Fail>;

/// A legacy-format error at `line`. Messages quote the input, so control characters are
/// escaped (`\u{1b}`): an error printed on a terminal must not carry the input's escape
/// sequences to it.
pub(crate) fn bad(format: &'static str, line: usize, message: impl Into<String>) -> Fail {
    let message = message.into();
    let message = if message.chars().any(char::is_control) {
        message
            .chars()
            .map(|c| {
                if c.is_control() {
                    format!("\\u{{{:x}}}", c as u32)
                } else {
                    c.to_string()
                }
            })
            .collect()
    } else {
        message
    };
    Fail::Bad(Error::Legacy {
        format,
        line,
        message,
    })
}

#[derive(Clone, Debug, Default)]
pub(crate) struct LMapping {
    pub start: u64,
    pub limit: u64,
    pub offset: u64,
    pub file: Vec<u8>,
    pub build_id: Vec<u8>,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct LFunction {
    pub name: Vec<u8>,
    pub filename: Vec<u8>,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct LLocation {
    pub address: u64,
    /// Index into `LProfile::mappings`.
    pub mapping: Option<usize>,
    /// `(function index, line)`.
    pub line: Option<(usize, i64)>,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct LSample {
    /// Indexes into `LProfile::locations`, leaf first.
    pub locations: Vec<usize>,
    pub values: Vec<i64>,
    /// The `bytes` numeric label of heap profiles.
    pub bytes_label: Option<i64>,
}

/// A profile under construction, shaped like google/pprof's pointer graph: locations and
/// mappings are referred to by index until ids are assigned at the end.
#[derive(Clone, Debug, Default)]
pub(crate) struct LProfile {
    pub sample_types: Vec<(String, String)>,
    pub period_type: (String, String),
    pub period: i64,
    pub duration_nanos: i64,
    pub samples: Vec<LSample>,
    pub locations: Vec<LLocation>,
    pub functions: Vec<LFunction>,
    pub mappings: Vec<LMapping>,
    /// Location order after `remap_location_ids` (indexes into `locations`).
    pub location_order: Vec<usize>,
    /// Function order after `remap_function_ids`.
    pub function_order: Vec<usize>,
    /// Zero every location address when converting (google/pprof's `Aggregate` with
    /// `address = false`, used for Java profiles).
    pub drop_addresses: bool,
}

impl LProfile {
    pub fn new(types: &[(&str, &str)], period_type: (&str, &str), period: i64) -> Self {
        LProfile {
            sample_types: types
                .iter()
                .map(|&(t, u)| (t.to_string(), u.to_string()))
                .collect(),
            period_type: (period_type.0.to_string(), period_type.1.to_string()),
            period,
            ..LProfile::default()
        }
    }

    /// The location for `addr`, created on first use (google/pprof's `locs` maps).
    pub fn location(&mut self, index: &mut HashMap<u64, usize>, addr: u64) -> usize {
        *index.entry(addr).or_insert_with(|| {
            self.locations.push(LLocation {
                address: addr,
                ..LLocation::default()
            });
            self.locations.len() - 1
        })
    }

    /// `ParseMemoryMapFromScanner`: mapping lines, then `massageMappings`, then the three
    /// id remappings.
    pub fn add_memory_map<'a>(&mut self, lines: impl Iterator<Item = &'a [u8]>) -> LResult<()> {
        self.mappings.extend(parse_proc_maps(lines)?);
        self.massage_mappings();
        self.remap_location_ids();
        self.remap_function_ids();
        self.remap_mapping_ids();
        Ok(())
    }

    /// Locations in order of first use by a sample; unused ones are dropped.
    pub fn remap_location_ids(&mut self) {
        let mut seen = vec![false; self.locations.len()];
        let mut order = Vec::new();
        for s in &self.samples {
            for &l in &s.locations {
                if !seen[l] {
                    seen[l] = true;
                    order.push(l);
                }
            }
        }
        self.location_order = order;
    }

    /// Functions in order of first use by a (kept) location.
    pub fn remap_function_ids(&mut self) {
        let mut seen = vec![false; self.functions.len()];
        let mut order = Vec::new();
        for &l in &self.location_order {
            if let Some((f, _)) = self.locations[l].line
                && !seen[f]
            {
                seen[f] = true;
                order.push(f);
            }
        }
        self.function_order = order;
    }

    /// google/pprof's `massageMappings`: merge adjacent pieces of one file, move the
    /// main binary first.
    fn massage_mappings(&mut self) {
        if self.mappings.len() > 1 {
            let mut merged: Vec<LMapping> = vec![self.mappings[0].clone()];
            for m in &self.mappings[1..] {
                let lm = merged.last_mut().expect("starts non-empty");
                if adjacent(lm, m) {
                    lm.limit = m.limit;
                    if !m.file.is_empty() {
                        lm.file = m.file.clone();
                    }
                    if !m.build_id.is_empty() {
                        lm.build_id = m.build_id.clone();
                    }
                    continue;
                }
                merged.push(m.clone());
            }
            self.mappings = merged;
        }
        static LIB: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"(?-u)([.]so$|[.]so[._][0-9]+)").expect("valid"));
        for i in 0..self.mappings.len() {
            let file = String::from_utf8_lossy(&self.mappings[i].file).replace("(deleted)", "");
            let file = file.trim();
            if file.is_empty() || LIB.is_match(file.as_bytes()) || file.starts_with('[') {
                continue;
            }
            self.mappings.swap(0, i);
            break;
        }
    }

    /// google/pprof's `remapMappingIDs`: main-binary heuristics, then each location is
    /// attached to the mapping containing its address (or a fake one).
    pub fn remap_mapping_ids(&mut self) {
        if let Some(m) = self.mappings.first()
            && m.file.starts_with(b"/anon_hugepage")
            && self.mappings.len() > 1
            && m.limit == self.mappings[1].start
        {
            self.mappings.remove(0);
        }
        if let Some(m) = self.mappings.first_mut()
            && m.start.wrapping_sub(m.offset) == 0x400000
        {
            m.start = 0x400000;
            m.offset = 0;
        }
        let mut fake = None;
        for &l in &self.location_order {
            let a = self.locations[l].address;
            if self.locations[l].mapping.is_some() || a == 0 {
                continue;
            }
            if let Some(i) = self
                .mappings
                .iter()
                .position(|m| m.start <= a && a < m.limit)
            {
                self.locations[l].mapping = Some(i);
                continue;
            }
            if let Some(i) = self
                .mappings
                .iter()
                .position(|m| m.offset != 0 && m.start.wrapping_sub(m.offset) <= a && a < m.start)
            {
                let m = &mut self.mappings[i];
                m.start = m.start.wrapping_sub(m.offset);
                m.offset = 0;
                self.locations[l].mapping = Some(i);
                continue;
            }
            let f = *fake.get_or_insert_with(|| {
                self.mappings.push(LMapping {
                    limit: u64::MAX,
                    ..LMapping::default()
                });
                self.mappings.len() - 1
            });
            self.locations[l].mapping = Some(f);
        }
    }

    /// Removes the duplicated leaf that some CPU profile handlers record (the same address
    /// from the signal context and, adjusted by -1, from unwinding).
    pub fn cleanup_duplicate_locations(&mut self) {
        for s in &mut self.samples {
            if s.locations.len() > 1
                && self.locations[s.locations[0]].address
                    == self.locations[s.locations[1]].address.wrapping_add(1)
            {
                s.locations.remove(1);
            }
        }
    }

    /// Builds the final profile with google/pprof's ids: locations, functions and mappings
    /// numbered 1.. in the order the remappings left them.
    pub fn finish(self) -> Result<Profile> {
        let mut b = ProfileBuilder::new();
        for (t, u) in &self.sample_types {
            b.sample_type(t, u);
        }
        b.period_type(&self.period_type.0, &self.period_type.1);
        b.period(self.period).duration_nanos(self.duration_nanos);
        let (drop, keep) = frames::for_sample_types(&self.sample_types);
        b.drop_frames(&drop).keep_frames(&keep);

        let mut mapping_index = vec![0u32; self.mappings.len()];
        for (i, m) in self.mappings.iter().enumerate() {
            let filename = b.string_bytes(&m.file);
            let build_id = b.string_bytes(&m.build_id);
            mapping_index[i] = b.push_mapping(Mapping {
                id: i as u64 + 1,
                memory_start: m.start,
                memory_limit: m.limit,
                file_offset: m.offset,
                filename,
                build_id,
                ..Mapping::default()
            });
        }
        let mut function_index = vec![u32::MAX; self.functions.len()];
        for (i, &f) in self.function_order.iter().enumerate() {
            let func = &self.functions[f];
            let name = b.string_bytes(&func.name);
            let filename = b.string_bytes(&func.filename);
            function_index[f] = b.push_function(Function {
                id: i as u64 + 1,
                name,
                system_name: name,
                filename,
                start_line: 0,
            });
        }
        let mut location_index = vec![u32::MAX; self.locations.len()];
        for (i, &l) in self.location_order.iter().enumerate() {
            let loc = &self.locations[l];
            let lines: Vec<Line> = loc
                .line
                .iter()
                .map(|&(f, line)| Line {
                    function: function_index[f],
                    line,
                    column: 0,
                })
                .collect();
            let address = if self.drop_addresses { 0 } else { loc.address };
            location_index[l] = b.push_location(
                i as u64 + 1,
                loc.mapping.map(|m| mapping_index[m]),
                address,
                &lines,
                false,
            );
        }
        let bytes_key = b.string("bytes");
        let mut locs = Vec::new();
        for s in &self.samples {
            locs.clear();
            for &l in &s.locations {
                // A location dropped from the table is google/pprof's "sample has nil
                // location"; cannot happen after remap_location_ids.
                locs.push(location_index[l]);
            }
            let label = s.bytes_label.map(|v| Label {
                key: bytes_key,
                str: 0,
                num: v,
                num_unit: 0,
            });
            b.sample(&locs, &s.values, label.as_slice());
        }
        b.build()
    }
}

fn adjacent(m1: &LMapping, m2: &LMapping) -> bool {
    if !m1.file.is_empty() && !m2.file.is_empty() && m1.file != m2.file {
        return false;
    }
    if !m1.build_id.is_empty() && !m2.build_id.is_empty() && m1.build_id != m2.build_id {
        return false;
    }
    if m1.limit != m2.start {
        return false;
    }
    if m1.offset != 0 && m2.offset != 0 {
        let offset = m1.offset.wrapping_add(m1.limit.wrapping_sub(m1.start));
        if offset != m2.offset {
            return false;
        }
    }
    true
}

/// True for the lines that start the memory map section of a legacy profile.
pub(crate) fn is_memory_map_sentinel(line: &[u8]) -> bool {
    memchr::memmem::find(line, b"--- Memory map: ---").is_some()
        || memchr::memmem::find(line, b"MAPPED_LIBRARIES:").is_some()
}

/// `/proc/self/maps` lines and the brief `start-end file (@offset) buildid` variant;
/// `name=value` lines define `$name` substitutions for the lines after them; anything
/// else is skipped (google/pprof's `parseProcMapsFromScanner`).
fn parse_proc_maps<'a>(lines: impl Iterator<Item = &'a [u8]>) -> LResult<Vec<LMapping>> {
    static LOG_INFO: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?-u)^[^\[\]]+:[0-9]+]\s").expect("valid"));
    let mut out = Vec::new();
    let mut attrs = Attrs::default();
    let mut budget = Budget::default();
    for (n, raw) in lines.enumerate() {
        let line = match LOG_INFO.find(raw) {
            Some(m) => &raw[m.end()..],
            None => raw,
        };
        budget.left += Budget::PER_BYTE * line.len();
        let line = attrs.replace(line, &mut budget).ok_or_else(|| {
            bad(
                "memory map",
                n + 1,
                "attribute substitution too costly (line counted from the memory map)",
            )
        })?;
        match parse_mapping_entry(&line) {
            Entry::Mapping(m) => out.push(m),
            Entry::Skip => {}
            Entry::Unrecognized => {
                if let Some(eq) = line.iter().position(|&c| c == b'=') {
                    let key = [b"$".as_slice(), trim(&line[..eq])].concat();
                    attrs.insert(&key, trim(&line[eq + 1..]).to_vec());
                }
            }
        }
    }
    Ok(out)
}

/// Trie steps allowed while substituting attributes, earned per byte of the section.
#[derive(Default)]
struct Budget {
    left: usize,
}

impl Budget {
    /// Real memory maps use a handful of short `$name`s, a few steps per `$`; the budget
    /// only stops inputs made to walk deep shared key prefixes at every `$` (quadratic in
    /// google/pprof too, where it hangs instead).
    const PER_BYTE: usize = 64;
}

/// The `$key=value` attributes of a memory map section, for Go's
/// `strings.NewReplacer(old1, new1, ...)`, which the section rebuilds after every
/// attribute: at each position the first listed key that matches is replaced, and
/// replaced text is not rescanned. Kept as a trie of the keys (all start with `$`), so a
/// line costs its length plus the depth of the keys matched, not the number of attributes.
#[derive(Default)]
struct Attrs {
    /// Node 0 is the root once a key is inserted.
    nodes: Vec<AttrNode>,
    values: Vec<Vec<u8>>,
}

#[derive(Default)]
struct AttrNode {
    children: Vec<(u8, u32)>,
    /// Index into `values` of the first attribute with this key (a later one with the
    /// same key never wins).
    value: Option<u32>,
}

impl Attrs {
    fn insert(&mut self, key: &[u8], value: Vec<u8>) {
        if self.nodes.is_empty() {
            self.nodes.push(AttrNode::default());
        }
        let mut n = 0;
        for &b in key {
            n = match self.nodes[n].children.iter().find(|c| c.0 == b) {
                Some(&(_, child)) => child as usize,
                None => {
                    let child = self.nodes.len();
                    self.nodes.push(AttrNode::default());
                    self.nodes[n].children.push((b, child as u32));
                    child
                }
            };
        }
        if self.nodes[n].value.is_none() {
            self.nodes[n].value = Some(self.values.len() as u32);
            self.values.push(value);
        }
    }

    /// The earliest-listed key that starts `s`: its length and value.
    fn first_match(&self, s: &[u8], budget: &mut Budget) -> Option<Option<(usize, &[u8])>> {
        let mut best: Option<(usize, u32)> = None;
        let mut n = 0;
        for (depth, &b) in s.iter().enumerate() {
            budget.left = budget.left.checked_sub(1)?;
            let Some(&(_, child)) = self.nodes[n].children.iter().find(|c| c.0 == b) else {
                break;
            };
            n = child as usize;
            if let Some(v) = self.nodes[n].value
                && best.is_none_or(|(_, b)| v < b)
            {
                best = Some((depth + 1, v));
            }
        }
        Some(best.map(|(len, v)| (len, self.values[v as usize].as_slice())))
    }

    /// `line` with the attributes substituted; `None` when the budget runs out.
    fn replace(&self, line: &[u8], budget: &mut Budget) -> Option<Vec<u8>> {
        if self.nodes.is_empty() {
            return Some(line.to_vec());
        }
        let mut out = Vec::with_capacity(line.len());
        let mut i = 0;
        while let Some(d) = memchr::memchr(b'$', &line[i..]) {
            out.extend_from_slice(&line[i..i + d]);
            i += d;
            match self.first_match(&line[i..], budget)? {
                Some((len, value)) => {
                    out.extend_from_slice(value);
                    i += len;
                }
                None => {
                    out.push(b'$');
                    i += 1;
                }
            }
        }
        out.extend_from_slice(&line[i..]);
        Some(out)
    }
}

enum Entry {
    Mapping(LMapping),
    /// A recognised but non-executable mapping.
    Skip,
    Unrecognized,
}

fn parse_mapping_entry(l: &[u8]) -> Entry {
    const C_HEX: &str = r"(?:0x)?([[:xdigit:]]+)";
    static PROC_MAPS: LazyLock<Regex> = LazyLock::new(|| {
        let range = format!(r"\s*{C_HEX}[\s-]?\s*{C_HEX}:?");
        Regex::new(&format!(
            r"(?-u)^{range}(?:\s+([-rwxp]+))?(?:\s+([[:xdigit:]]+))?\s+[[:xdigit:]]+:[[:xdigit:]]+\s+[[:digit:]]+(?:\s+(\S+))?"
        ))
        .expect("valid")
    });
    static BRIEF_MAPS: LazyLock<Regex> = LazyLock::new(|| {
        let range = format!(r"\s*{C_HEX}[\s-]?\s*{C_HEX}:?");
        Regex::new(&format!(
            r"(?-u)^{range}(?:\s+([-rwxp]+))?(?:\s+(\S+))?(?:\s+\(@([[:xdigit:]]+)\))?(?:\s+([[:xdigit:]]+))?"
        ))
        .expect("valid")
    });
    let g = |c: &regex::bytes::Captures<'_>, i: usize| {
        c.get(i).map_or(&b""[..], |m| m.as_bytes()).to_vec()
    };
    let (start, end, perm, file, offset, build_id) = if let Some(c) = PROC_MAPS.captures(l) {
        (g(&c, 1), g(&c, 2), g(&c, 3), g(&c, 5), g(&c, 4), Vec::new())
    } else if let Some(c) = BRIEF_MAPS.captures(l) {
        (g(&c, 1), g(&c, 2), g(&c, 3), g(&c, 4), g(&c, 5), g(&c, 6))
    } else {
        return Entry::Unrecognized;
    };
    if !perm.is_empty() && !perm.contains(&b'x') {
        return Entry::Skip;
    }
    let hex = |s: &[u8]| {
        std::str::from_utf8(s)
            .ok()
            .and_then(|s| u64::from_str_radix(s, 16).ok())
    };
    let (Some(start), Some(limit)) = (hex(&start), hex(&end)) else {
        return Entry::Unrecognized;
    };
    let offset = if offset.is_empty() {
        0
    } else {
        match hex(&offset) {
            Some(o) => o,
            None => return Entry::Unrecognized,
        }
    };
    Entry::Mapping(LMapping {
        start,
        limit,
        offset,
        file,
        build_id,
    })
}

/// ASCII whitespace trimmed from both ends (Go's `strings.TrimSpace` on ASCII input).
pub(crate) fn trim(s: &[u8]) -> &[u8] {
    s.trim_ascii()
}

/// Go's `isSpaceOrComment`.
pub(crate) fn is_space_or_comment(line: &[u8]) -> bool {
    let t = trim(line);
    t.is_empty() || t[0] == b'#'
}

/// Every `0x…` hex number in `s` (google/pprof's `parseHexAddresses`); a number that does
/// not fit 64 bits is an error.
pub(crate) fn hex_addresses(s: &[u8]) -> std::result::Result<Vec<u64>, String> {
    static HEX: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?-u)0x[0-9a-f]+").expect("valid"));
    HEX.find_iter(s)
        .map(|m| {
            let digits = &m.as_bytes()[2..];
            std::str::from_utf8(digits)
                .ok()
                .and_then(|d| u64::from_str_radix(d, 16).ok())
                .ok_or_else(|| {
                    format!(
                        "failed to parse as hex 64-bit number: {}",
                        String::from_utf8_lossy(m.as_bytes())
                    )
                })
        })
        .collect()
}

/// Go's `strconv.ParseInt(s, 10, 64)`.
pub(crate) fn parse_i64(s: &[u8]) -> Option<i64> {
    std::str::from_utf8(s).ok()?.parse().ok()
}

/// Go's `strconv.ParseInt(s, 0, 64)`: sign, then `0x`/`0o`/`0b`/leading-`0` prefixes and
/// `_` separators between digits.
pub(crate) fn parse_i64_base0(s: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(s).ok()?;
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits, prefixed) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d.to_string(), true)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d.to_string(), true)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d.to_string(), true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].to_string(), true)
    } else {
        (10, lower.clone(), false)
    };
    // Underscores only between digits (or after a base prefix), as Go's underscoreOK.
    if digits.contains('_') {
        let ok = !digits.ends_with('_')
            && !digits.contains("__")
            && (prefixed || !digits.starts_with('_'));
        if !ok {
            return None;
        }
    }
    let digits: String = digits.chars().filter(|&c| c != '_').collect();
    if digits.is_empty() {
        return None;
    }
    let v = u64::from_str_radix(&digits, radix).ok()?;
    if neg {
        if v > 1 << 63 {
            return None;
        }
        Some((v as i64).wrapping_neg())
    } else {
        i64::try_from(v).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_base0_integers() {
        assert_eq!(parse_i64_base0(b"3201000000"), Some(3201000000));
        assert_eq!(parse_i64_base0(b"0x10"), Some(16));
        assert_eq!(parse_i64_base0(b"010"), Some(8));
        assert_eq!(parse_i64_base0(b"0"), Some(0));
        assert_eq!(parse_i64_base0(b"-0b11"), Some(-3));
        assert_eq!(parse_i64_base0(b"1_000"), Some(1000));
        assert_eq!(parse_i64_base0(b"_1"), None);
        assert_eq!(parse_i64_base0(b"9223372036854775808"), None);
        assert_eq!(parse_i64_base0(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_i64_base0(b""), None);
        assert_eq!(parse_i64_base0(b"12a"), None);
    }

    #[test]
    fn mapping_lines() {
        let e = parse_mapping_entry(b"00400000-00fcb000 r-xp 00000000 00:00 0 /bin/app");
        let Entry::Mapping(m) = e else {
            panic!("not parsed")
        };
        assert_eq!(
            (m.start, m.limit, m.offset, &m.file[..]),
            (0x400000, 0xfcb000, 0, &b"/bin/app"[..])
        );
        assert!(matches!(
            parse_mapping_entry(b"00400000-00fcb000 rw-p 00000000 00:00 0 /bin/app"),
            Entry::Skip
        ));
        let Entry::Mapping(m) =
            parse_mapping_entry(b"  7f794a53a000-7f794a53d000: /lib/libdl-2.15.so")
        else {
            panic!("brief form")
        };
        assert_eq!(m.file, b"/lib/libdl-2.15.so");
        assert!(matches!(
            parse_mapping_entry(b"source=/home"),
            Entry::Unrecognized
        ));
        let maps = parse_proc_maps(
            [&b"source=/home"[..], b"  00400000-00fcb000: $source/main"].into_iter(),
        );
        assert_eq!(maps.ok().unwrap()[0].file, b"/home/main");
    }

    #[test]
    fn attributes_are_substituted_like_go_strings_replacer() {
        let mut a = Attrs::default();
        let mut budget = Budget { left: 1 << 20 };
        a.insert(b"$ab", b"X".to_vec());
        a.insert(b"$a", b"Y".to_vec()); // listed later: loses where "$ab" matches
        a.insert(b"$ab", b"Z".to_vec()); // a repeated key: the first one stays
        a.insert(b"$", b"D".to_vec());
        // strings.NewReplacer("$ab", "X", "$a", "Y", "$ab", "Z", "$", "D").Replace(...)
        let got = a.replace(b"$abc $ac $$ab $", &mut budget).unwrap();
        assert_eq!(got, b"Xc Yc DX D");
        assert_eq!(a.replace(b"no dollar", &mut budget).unwrap(), b"no dollar");
    }

    #[test]
    fn deep_key_walks_at_every_dollar_run_out_of_budget() {
        // A long key of '$'s and a long line of them: every position walks the whole key
        // (quadratic), which the per-byte budget stops with an error.
        let key = vec![b'$'; 20_000];
        let mut def = key.clone();
        def.extend_from_slice(b"x=1");
        let line = vec![b'$'; 20_000];
        let lines = [&def[..], &line[..]];
        assert!(parse_proc_maps(lines.into_iter()).is_err());
    }

    #[test]
    fn hex_addresses_reject_overflow() {
        assert_eq!(hex_addresses(b"@ 0x1 0xff").unwrap(), vec![1, 255]);
        assert!(hex_addresses(b"0x10000000000000000").is_err());
    }
}
