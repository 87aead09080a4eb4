//! The kernel that turns drafts into a real profile: mappings, functions, locations and
//! samples deduplicated with google/pprof's keys (`profile.Merge`), values of identical
//! samples summed, all-zero samples dropped, ids renumbered densely. Finishing one draft
//! (google/pprof's `Compact`), merging several and diffing two are all this one pass.
//!
//! The header is combined as google/pprof does: earliest non-zero `time_nanos`, summed
//! durations, the largest period, comments deduplicated in order, the first non-empty
//! default sample type and doc URL, the first profile's `drop_frames`/`keep_frames`.
//!
//! Deliberate difference: none in content. google/pprof's location key drops the column
//! of every frame but the last (its key builder overwrites it); we reproduce that so the
//! same locations are merged.

use foldhash::{HashMap, HashMapExt};

use super::Draft;
use crate::error::Result;
use crate::pprof::{Function, Label, Line, Mapping, Profile, ProfileBuilder, StrId};
use crate::slice_index::SliceIndex;

/// Builds one profile from `drafts`, which must have the same sample and period types:
/// what [`Draft::finish`] (one draft), merges and diffs end with.
pub(crate) fn rebuild(drafts: &[Draft<'_>]) -> Result<Profile> {
    let mut m = Merger::new(drafts)?;
    for d in drafts {
        m.add(d);
    }
    let p = m.finish()?;
    let has_zero = (0..p.num_samples()).any(|i| p.sample(i).values.iter().all(|&v| v == 0));
    if has_zero {
        // As google/pprof: merge once more so that emptied samples and what only they
        // referenced disappear.
        return rebuild(&[Draft::new(&p)]);
    }
    Ok(p)
}

const NONE: u32 = u32::MAX;

/// Pseudo-frames to add to a sample: `(function name, file name)` pairs for its leaf end
/// (innermost first) and its root end (innermost first).
pub(crate) type ExtraFrames<'a> = &'a dyn Fn(
    &Draft<'_>,
    &crate::pprof::Sample<'_>,
) -> (Vec<(String, String)>, Vec<(String, String)>);

/// Copies one draft into a new profile, adding pseudo-frames to its samples (used for
/// label nodes, google/pprof's `-tagroot`/`-tagleaf`).
pub(crate) fn rebuild_with_frames(d: &Draft<'_>, extra: ExtraFrames<'_>) -> Result<Profile> {
    let mut m = Merger::new(std::slice::from_ref(d))?;
    m.extra = Some(extra);
    m.add(d);
    m.finish()
}

/// google/pprof's `locationKey` flattened: address relative to its mapping, mapping,
/// folded flag, the column of the last frame only (its key builder overwrites the
/// others), then (function, line) per frame. Flat so lookups need no allocation.
fn location_key(buf: &mut Vec<u64>, addr: u64, mapping: u32, folded: bool, lines: &[Line]) {
    buf.clear();
    buf.extend_from_slice(&[
        addr,
        u64::from(mapping),
        u64::from(folded),
        lines.last().map_or(0, |l| l.column as u64),
    ]);
    for l in lines {
        buf.extend_from_slice(&[u64::from(l.function), l.line as u64]);
    }
}

struct Merger<'x> {
    b: ProfileBuilder,
    extra: Option<ExtraFrames<'x>>,
    /// Pseudo-frames already added, by (function name, file name).
    extra_locations: HashMap<(String, String), u32>,
    /// Per source: its string ids → ours.
    strings: Vec<StrId>,
    mapping_keys: HashMap<(u64, u64, StrId), u32>,
    function_keys: HashMap<(i64, StrId, StrId, StrId), u32>,
    location_keys: SliceIndex<u64>,
    sample_keys: SliceIndex<u32>,
    /// Reused buffers of `location`.
    line_buf: Vec<Line>,
    key_buf: Vec<u64>,
    /// Per source: mapping index → (our index, address offset).
    mappings_by_src: Vec<Option<(u32, i64)>>,
    functions_by_src: Vec<u32>,
    locations_by_src: Vec<u32>,
    /// Our mappings' start addresses (location keys are relative to them).
    mapping_starts: Vec<u64>,
}

impl<'x> Merger<'x> {
    fn new(drafts: &[Draft<'_>]) -> Result<Merger<'x>> {
        let mut b = ProfileBuilder::new();
        let first = &drafts[0];
        for (ty, unit) in &first.types {
            b.sample_type(ty, unit);
        }
        let (pt, pu) = &first.period_type;
        if !pt.is_empty() || !pu.is_empty() || first.source().period_type().is_some() {
            b.period_type(pt, pu);
        }
        let (mut time, mut duration, mut period) = (0i64, 0i64, 0i64);
        let mut comments: Vec<String> = Vec::new();
        let (mut default_type, mut doc_url) = (String::new(), String::new());
        for d in drafts {
            let p = d.source();
            if time == 0 || p.time_nanos() < time {
                time = p.time_nanos();
            }
            duration = duration.wrapping_add(p.duration_nanos());
            if period == 0 || period < d.period {
                period = d.period;
            }
            for &c in p.comments() {
                let c = p.string(c).into_owned();
                if !comments.contains(&c) {
                    comments.push(c);
                }
            }
            if default_type.is_empty() {
                default_type.clone_from(&d.default_type);
            }
            if doc_url.is_empty() {
                doc_url = p.string(p.doc_url()).into_owned();
            }
        }
        let p0 = first.source();
        // Size the tables for the largest input: they grow to at least that.
        let capacity = drafts.iter().fold((0, 0, 0, 0), |c, d| {
            let p = d.source();
            (
                c.0.max(p.locations().len()),
                c.1.max(d.num_samples()),
                c.2.max(p.functions().len()),
                // A sample's key: its stack and an end marker.
                c.3.max(p.samples().locations().len() + p.num_samples()),
            )
        });
        b.time_nanos(time).duration_nanos(duration).period(period);
        for c in &comments {
            b.comment(c);
        }
        if !default_type.is_empty() {
            b.default_sample_type(&default_type);
        }
        if !doc_url.is_empty() {
            b.doc_url(&doc_url);
        }
        if p0.drop_frames() != 0 {
            b.drop_frames(&p0.string(p0.drop_frames()));
        }
        if p0.keep_frames() != 0 {
            b.keep_frames(&p0.string(p0.keep_frames()));
        }
        Ok(Merger {
            b,
            extra: None,
            extra_locations: HashMap::new(),
            strings: Vec::new(),
            mapping_keys: HashMap::new(),
            function_keys: HashMap::with_capacity(capacity.2),
            location_keys: SliceIndex::with_capacity(capacity.0, capacity.0 * 6),
            sample_keys: SliceIndex::with_capacity(capacity.1, capacity.3),
            line_buf: Vec::new(),
            key_buf: Vec::new(),
            mappings_by_src: Vec::new(),
            functions_by_src: Vec::new(),
            locations_by_src: Vec::new(),
            mapping_starts: Vec::new(),
        })
    }

    fn string(&mut self, p: &Profile, id: StrId) -> StrId {
        if id == 0 {
            return 0;
        }
        let slot = &mut self.strings[id as usize];
        if *slot == NONE {
            *slot = self.b.string_bytes(p.bytes_of(id));
        }
        *slot
    }

    fn add(&mut self, d: &Draft<'_>) {
        let p = d.source();
        self.strings.clear();
        self.strings.resize(p.string_count(), NONE);
        self.mappings_by_src.clear();
        self.mappings_by_src.resize(p.mappings().len(), None);
        self.functions_by_src.clear();
        self.functions_by_src.resize(p.functions().len(), NONE);
        self.locations_by_src.clear();
        self.locations_by_src.resize(p.locations().len(), NONE);
        if self.mapping_starts.is_empty() && !p.mappings().is_empty() {
            // The first mapping is the main binary: keep it first.
            self.mapping(d, 0);
        }
        let mut key: Vec<u32> = Vec::new();
        let mut labels: Vec<Label> = Vec::new();
        // The sample's labels as read (the profile stores them packed).
        let mut src: Vec<Label> = Vec::new();
        let mut order: Vec<usize> = Vec::new();
        let mut locs: Vec<u32> = Vec::new();
        let mut set = Label::default();
        let set_src = Label::default();
        for i in 0..d.num_samples() {
            let s = d.sample(i);
            if s.values.iter().all(|&v| v == 0) {
                continue;
            }
            key.clear();
            locs.clear();
            for l in s.locations {
                let ml = self.location(d, l);
                locs.push(ml);
                key.push(ml);
            }
            if let Some(extra) = self.extra {
                let (leaves, roots) = extra(d, &s);
                let leaves: Vec<u32> = leaves.into_iter().map(|f| self.extra_location(f)).collect();
                locs.splice(0..0, leaves);
                for f in roots {
                    let l = self.extra_location(f);
                    locs.push(l);
                }
                key.clear();
                key.extend_from_slice(&locs);
            }
            key.push(NONE);
            src.clear();
            src.extend(s.labels);
            let sl = &src[..];
            canonical_labels(p, sl, &mut order);
            if let Some((k, v)) = &d.set_label {
                order.retain(|&j| sl[j].str == 0 || p.bytes_of(sl[j].key) != k.as_bytes());
                let at = order
                    .iter()
                    .position(|&j| sl[j].str == 0 || p.bytes_of(sl[j].key) > k.as_bytes())
                    .unwrap_or(order.len());
                order.insert(at, usize::MAX);
                set = Label {
                    key: self.b.string(k),
                    str: self.b.string(v),
                    num: 0,
                    num_unit: 0,
                };
            }
            labels.clear();
            for &j in &order {
                let l = if j == usize::MAX { set_src } else { sl[j] };
                let ml = if j == usize::MAX {
                    set
                } else {
                    Label {
                        key: self.string(p, l.key),
                        str: self.string(p, l.str),
                        num: if l.str != 0 { 0 } else { l.num },
                        num_unit: if l.str != 0 {
                            0
                        } else {
                            self.string(p, l.num_unit)
                        },
                    }
                };
                key.extend_from_slice(&[
                    ml.key,
                    ml.str,
                    ml.num as u32,
                    (ml.num >> 32) as u32,
                    ml.num_unit,
                ]);
                labels.push(ml);
            }
            let b = &mut self.b;
            let mut added = false;
            let at = self.sample_keys.get_or_insert_with(&key, || {
                added = true;
                b.sample(&locs, s.values, &labels);
                b.num_samples() as u32 - 1
            });
            if !added {
                for (acc, v) in b.sample_values_mut(at as usize).iter_mut().zip(s.values) {
                    *acc = acc.wrapping_add(*v);
                }
            }
        }
    }

    fn extra_location(&mut self, frame: (String, String)) -> u32 {
        if let Some(&l) = self.extra_locations.get(&frame) {
            return l;
        }
        let f = Function {
            id: 0,
            name: self.b.string(&frame.0),
            system_name: 0,
            filename: self.b.string(&frame.1),
            start_line: 0,
        };
        let key = (0, f.name, 0, f.filename);
        let fi = match self.function_keys.get(&key) {
            Some(&at) => at,
            None => {
                let id = self.function_keys.len() as u64 + 1;
                let at = self.b.push_function(Function { id, ..f });
                self.function_keys.insert(key, at);
                at
            }
        };
        let line = Line {
            function: fi,
            line: 0,
            column: 0,
        };
        let id = self.location_keys.len() as u64 + 1;
        location_key(&mut self.key_buf, 0, NONE, false, &[line]);
        let b = &mut self.b;
        let at = self.location_keys.get_or_insert_with(&self.key_buf, || {
            b.push_location(id, None, 0, &[line], false)
        });
        self.extra_locations.insert(frame, at);
        at
    }

    fn mapping(&mut self, d: &Draft<'_>, i: u32) -> (u32, i64) {
        if let Some(mi) = self.mappings_by_src[i as usize] {
            return mi;
        }
        let p = d.source();
        let src = d.mapping(i);
        let size = src.memory_limit.wrapping_sub(src.memory_start);
        let size = size.wrapping_add(0xfff);
        let size = size - size % 0x1000;
        let name = if src.build_id != 0 && !p.bytes_of(src.build_id).is_empty() {
            src.build_id
        } else {
            src.filename
        };
        let key = (size, src.file_offset, self.string(p, name));
        let mi = match self.mapping_keys.get(&key) {
            Some(&m) => (
                m,
                self.mapping_starts[m as usize].wrapping_sub(src.memory_start) as i64,
            ),
            None => {
                let m = Mapping {
                    id: self.mapping_starts.len() as u64 + 1,
                    filename: self.string(p, src.filename),
                    build_id: self.string(p, src.build_id),
                    ..src
                };
                let at = self.b.push_mapping(m);
                self.mapping_starts.push(src.memory_start);
                self.mapping_keys.insert(key, at);
                (at, 0)
            }
        };
        self.mappings_by_src[i as usize] = Some(mi);
        mi
    }

    fn function(&mut self, d: &Draft<'_>, i: u32) -> u32 {
        let cached = self.functions_by_src[i as usize];
        if cached != NONE {
            return cached;
        }
        let p = d.source();
        let f = d.function(i);
        let f = Function {
            id: 0,
            name: self.string(p, f.name),
            system_name: self.string(p, f.system_name),
            filename: self.string(p, f.filename),
            start_line: f.start_line,
        };
        let key = (f.start_line, f.name, f.system_name, f.filename);
        let at = match self.function_keys.get(&key) {
            Some(&at) => at,
            None => {
                let id = self.function_keys.len() as u64 + 1;
                let at = self.b.push_function(Function { id, ..f });
                self.function_keys.insert(key, at);
                at
            }
        };
        self.functions_by_src[i as usize] = at;
        at
    }

    fn location(&mut self, d: &Draft<'_>, i: u32) -> u32 {
        let cached = self.locations_by_src[i as usize];
        if cached != NONE {
            return cached;
        }
        let src = d.location(i);
        let (mapping, offset) = match src.mapping {
            Some(m) => {
                let (mm, off) = self.mapping(d, m);
                (Some(mm), off)
            }
            None => (None, 0),
        };
        let address = (d.address(i) as i64).wrapping_add(offset) as u64;
        let mut lines = std::mem::take(&mut self.line_buf);
        lines.clear();
        for l in d.lines(i) {
            let l = d.line(l);
            lines.push(Line {
                function: self.function(d, l.function),
                ..l
            });
        }
        let rel = match mapping {
            Some(m) => address.wrapping_sub(self.mapping_starts[m as usize]),
            None => address,
        };
        location_key(
            &mut self.key_buf,
            rel,
            mapping.unwrap_or(NONE),
            src.is_folded,
            &lines,
        );
        let id = self.location_keys.len() as u64 + 1;
        let b = &mut self.b;
        let at = self.location_keys.get_or_insert_with(&self.key_buf, || {
            b.push_location(id, mapping, address, &lines, src.is_folded)
        });
        self.line_buf = lines;
        self.locations_by_src[i as usize] = at;
        at
    }

    fn finish(self) -> Result<Profile> {
        Ok(self.b.build()?)
    }
}

/// The order in which google/pprof's model holds a sample's labels: string labels by
/// key (values in profile order), then numeric labels by key. (A label with neither a
/// string, a number nor a unit is numeric: the decoder already dropped those that came
/// from the wire, as google/pprof's does; the rest, such as a legacy heap sample's
/// `bytes: 0`, google/pprof's model holds too.)
fn canonical_labels(p: &Profile, labels: &[Label], order: &mut Vec<usize>) {
    order.clear();
    order.extend(0..labels.len());
    order.sort_by(|&a, &b| {
        let (la, lb) = (labels[a], labels[b]);
        (la.str == 0)
            .cmp(&(lb.str == 0))
            .then_with(|| p.bytes_of(la.key).cmp(p.bytes_of(lb.key)))
    });
}
