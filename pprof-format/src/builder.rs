//! [`ProfileBuilder`]: creates profiles (merge results, converted legacy profiles, trace →
//! pprof, tests) with interned strings, functions, locations and mappings.

use std::hash::BuildHasher;

use foldhash::fast::RandomState;
use foldhash::{HashMap, HashMapExt};
use hashbrown::HashTable;
use hashbrown::hash_table::Entry;
use std::sync::Arc;

use bytes::Bytes;

use crate::StrId;
use crate::error::{Error, Result};
use crate::labels::Label;
use crate::profile::{Function, Line, Location, Mapping, Profile, Samples, Tables, ValueType};

/// Builds a [`Profile`] piece by piece.
///
/// Strings, functions, locations and mappings are interned: adding the same one twice
/// returns the same index. Indexes returned by the builder are dense (0-based) and are
/// what [`Line::function`], [`Location::mapping`] and sample locations hold; ids (1-based)
/// are assigned in insertion order unless given explicitly with the `push_*` methods.
///
/// ```
/// use pprof_format::ProfileBuilder;
/// let mut b = ProfileBuilder::new();
/// b.sample_type("alloc_space", "bytes");
/// b.period_type("space", "bytes").period(512 * 1024);
/// let m = b.mapping(0x400000, 0x500000, 0, "/bin/server", "abc123");
/// let f = b.function("main.alloc", "main.go", 3);
/// let g = b.function("main.main", "main.go", 10);
/// let leaf = b.location(Some(m), 0x401000, &[(f, 5)]);
/// let root = b.location(Some(m), 0x402000, &[(g, 12)]);
/// let label = b.label_str("handler", "/api");
/// b.sample(&[leaf, root], &[4096], &[label]);
/// assert_eq!(b.location(Some(m), 0x401000, &[(f, 5)]), leaf); // interned
/// let p = b.build().unwrap();
/// assert_eq!(p.num_samples(), 1);
/// assert_eq!(p.string(p.functions()[p.lines()[0].function as usize].name), "main.alloc");
/// ```
#[derive(Debug)]
pub struct ProfileBuilder {
    arena: Vec<u8>,
    strings: Vec<(u32, u32)>,
    /// String ids by content; the bytes are those of `arena`, not a copy per string.
    string_ids: HashTable<StrId>,
    /// Seeded per builder, so that no input can be made to collide on purpose.
    string_hash: RandomState,
    t: Tables,
    function_ids: HashMap<Function, u32>,
    location_ids: HashMap<(Option<u32>, u64, Vec<Line>, bool), u32>,
    mapping_ids: HashMap<Mapping, u32>,
    /// The first misuse seen (wrong value count, dangling index); reported by `build`.
    problem: Option<String>,
}

impl Default for ProfileBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ProfileBuilder {
    /// An empty builder whose string table holds `""` at index 0.
    pub fn new() -> Self {
        let mut b = ProfileBuilder {
            arena: Vec::new(),
            strings: Vec::new(),
            string_ids: HashTable::new(),
            string_hash: RandomState::default(),
            t: Tables {
                samples: Samples::new(),
                ..Tables::default()
            },
            function_ids: HashMap::new(),
            location_ids: HashMap::new(),
            mapping_ids: HashMap::new(),
            problem: None,
        };
        b.string("");
        b
    }

    /// Interns `s` and returns its string id.
    pub fn string(&mut self, s: &str) -> StrId {
        self.string_bytes(s.as_bytes())
    }

    /// Interns arbitrary bytes (Go strings need not be UTF-8).
    pub fn string_bytes(&mut self, s: &[u8]) -> StrId {
        let (arena, strings) = (&mut self.arena, &mut self.strings);
        fn text<'a>(arena: &'a [u8], strings: &[(u32, u32)], id: StrId) -> &'a [u8] {
            let (a, b) = strings[id as usize];
            &arena[a as usize..b as usize]
        }
        let hasher = &self.string_hash;
        let hash = hasher.hash_one(s);
        let entry = self.string_ids.entry(
            hash,
            |&id| text(arena, strings, id) == s,
            |&id| hasher.hash_one(text(arena, strings, id)),
        );
        match entry {
            Entry::Occupied(o) => *o.get(),
            Entry::Vacant(v) => {
                let id = strings.len() as StrId;
                let start = arena.len() as u32;
                arena.extend_from_slice(s);
                if u32::try_from(arena.len()).is_err() && self.problem.is_none() {
                    self.problem = Some("strings exceed the 4 GiB of a profile's buffer".into());
                }
                strings.push((start, arena.len() as u32));
                v.insert(id);
                id
            }
        }
    }

    /// Appends a sample type (a column of values).
    pub fn sample_type(&mut self, ty: &str, unit: &str) -> &mut Self {
        if !self.t.samples.is_empty() && self.problem.is_none() {
            self.problem = Some("sample type added after samples".into());
        }
        let vt = ValueType {
            ty: self.string(ty),
            unit: self.string(unit),
        };
        self.t.sample_types.push(vt);
        self
    }

    /// Sets the period type.
    pub fn period_type(&mut self, ty: &str, unit: &str) -> &mut Self {
        self.t.period_type = Some(ValueType {
            ty: self.string(ty),
            unit: self.string(unit),
        });
        self
    }

    /// Sets the sampling period.
    pub fn period(&mut self, period: i64) -> &mut Self {
        self.t.period = period;
        self
    }

    /// Sets the collection time (ns since the epoch).
    pub fn time_nanos(&mut self, t: i64) -> &mut Self {
        self.t.time_nanos = t;
        self
    }

    /// Sets the collection duration in ns.
    pub fn duration_nanos(&mut self, d: i64) -> &mut Self {
        self.t.duration_nanos = d;
        self
    }

    /// Appends a comment.
    pub fn comment(&mut self, c: &str) -> &mut Self {
        let id = self.string(c);
        self.t.comments.push(id);
        self
    }

    /// Sets `drop_frames`.
    pub fn drop_frames(&mut self, re: &str) -> &mut Self {
        self.t.drop_frames = self.string(re);
        self
    }

    /// Sets `keep_frames`.
    pub fn keep_frames(&mut self, re: &str) -> &mut Self {
        self.t.keep_frames = self.string(re);
        self
    }

    /// Sets `default_sample_type`.
    pub fn default_sample_type(&mut self, ty: &str) -> &mut Self {
        self.t.default_sample_type = self.string(ty);
        self
    }

    /// Sets `doc_url`.
    pub fn doc_url(&mut self, url: &str) -> &mut Self {
        self.t.doc_url = self.string(url);
        self
    }

    /// Interns a mapping without symbol flags; returns its dense index.
    pub fn mapping(
        &mut self,
        start: u64,
        limit: u64,
        offset: u64,
        file: &str,
        build_id: &str,
    ) -> u32 {
        let m = Mapping {
            id: 0,
            memory_start: start,
            memory_limit: limit,
            file_offset: offset,
            filename: self.string(file),
            build_id: self.string(build_id),
            ..Mapping::default()
        };
        self.intern_mapping(m)
    }

    /// Interns a mapping given in full (string fields already interned); its `id` is
    /// ignored and assigned. Returns the dense index.
    pub fn intern_mapping(&mut self, mut m: Mapping) -> u32 {
        m.id = 0;
        if let Some(&i) = self.mapping_ids.get(&m) {
            return i;
        }
        let i = self.t.mappings.len() as u32;
        self.mapping_ids.insert(m, i);
        m.id = u64::from(i) + 1;
        self.t.mappings.push(m);
        i
    }

    /// Appends a mapping with its id as given (no interning); returns the dense index.
    pub fn push_mapping(&mut self, m: Mapping) -> u32 {
        self.t.mappings.push(m);
        (self.t.mappings.len() - 1) as u32
    }

    /// Interns a function by name, file and start line (system name = name).
    pub fn function(&mut self, name: &str, filename: &str, start_line: i64) -> u32 {
        let f = Function {
            id: 0,
            name: self.string(name),
            system_name: self.string(name),
            filename: self.string(filename),
            start_line,
        };
        self.intern_function(f)
    }

    /// Interns a function given in full (string fields already interned); its `id` is
    /// ignored and assigned. Returns the dense index.
    pub fn intern_function(&mut self, mut f: Function) -> u32 {
        f.id = 0;
        if let Some(&i) = self.function_ids.get(&f) {
            return i;
        }
        let i = self.t.functions.len() as u32;
        self.function_ids.insert(f, i);
        f.id = u64::from(i) + 1;
        self.t.functions.push(f);
        i
    }

    /// Appends a function with its id as given (no interning); returns the dense index.
    pub fn push_function(&mut self, f: Function) -> u32 {
        self.t.functions.push(f);
        (self.t.functions.len() - 1) as u32
    }

    /// Interns a location from `(function index, line)` pairs, innermost frame first.
    pub fn location(&mut self, mapping: Option<u32>, address: u64, lines: &[(u32, i64)]) -> u32 {
        let lines: Vec<Line> = lines
            .iter()
            .map(|&(function, line)| Line {
                function,
                line,
                column: 0,
            })
            .collect();
        self.intern_location(mapping, address, &lines, false)
    }

    /// Interns a location given in full; returns the dense index. Its id is `index + 1`.
    pub fn intern_location(
        &mut self,
        mapping: Option<u32>,
        address: u64,
        lines: &[Line],
        is_folded: bool,
    ) -> u32 {
        let key = (mapping, address, lines.to_vec(), is_folded);
        if let Some(&i) = self.location_ids.get(&key) {
            return i;
        }
        let i = self.t.locations.len() as u32;
        self.location_ids.insert(key, i);
        self.push_location(u64::from(i) + 1, mapping, address, lines, is_folded);
        i
    }

    /// Appends a location with the given id (no interning); returns the dense index.
    pub fn push_location(
        &mut self,
        id: u64,
        mapping: Option<u32>,
        address: u64,
        lines: &[Line],
        is_folded: bool,
    ) -> u32 {
        let start = self.t.lines.len() as u32;
        self.t.lines.extend_from_slice(lines);
        self.t.locations.push(Location {
            id,
            mapping,
            address,
            lines: start..self.t.lines.len() as u32,
            is_folded,
        });
        (self.t.locations.len() - 1) as u32
    }

    /// A string label.
    pub fn label_str(&mut self, key: &str, value: &str) -> Label {
        Label {
            key: self.string(key),
            str: self.string(value),
            num: 0,
            num_unit: 0,
        }
    }

    /// A numeric label with an optional unit (`""` for none).
    pub fn label_num(&mut self, key: &str, num: i64, unit: &str) -> Label {
        Label {
            key: self.string(key),
            str: 0,
            num,
            num_unit: self.string(unit),
        }
    }

    /// Appends a sample: location indexes leaf first, one value per sample type (add the
    /// sample types first), and labels.
    pub fn sample(&mut self, locations: &[u32], values: &[i64], labels: &[Label]) -> &mut Self {
        let k = self.t.sample_types.len();
        if values.len() != k && self.problem.is_none() {
            self.problem = Some(format!(
                "mismatch: sample {} has {} values vs. {k} types",
                self.t.samples.len(),
                values.len()
            ));
        }
        let s = &mut self.t.samples;
        s.locations.extend_from_slice(locations);
        s.labels.extend_from_slice(labels);
        let (nl, nb) = (s.locations.len(), s.labels.len());
        // Labels are addressed with 31 bits (see `LabelColumn`).
        if (u32::try_from(nl).is_err() || i32::try_from(nb).is_err()) && self.problem.is_none() {
            self.problem = Some(format!(
                "{nl} sample locations or {nb} labels exceed the 32-bit offsets of a profile"
            ));
        }
        s.location_offsets.push(nl as u32);
        s.label_offsets.push(nb as u32);
        // Keep the n × k layout even for a misused sample; build() reports the mismatch.
        s.values
            .extend((0..k).map(|i| values.get(i).copied().unwrap_or(0)));
        self
    }

    /// Number of samples added so far.
    pub fn num_samples(&self) -> usize {
        self.t.samples.len()
    }

    /// Mutable access to the values of sample `i` (e.g. to accumulate while building).
    pub fn sample_values_mut(&mut self, i: usize) -> &mut [i64] {
        let k = self.t.sample_types.len();
        &mut self.t.samples.values[i * k..(i + 1) * k]
    }

    /// Finishes the profile and checks it like google/pprof's `CheckValid` (unique non-zero
    /// ids, every reference resolves, one value per sample type).
    pub fn build(self) -> Result<Profile> {
        if let Some(p) = self.problem {
            return Err(Error::Invalid(p));
        }
        let mut t = self.t;
        t.strings = self.strings;
        let p = Profile {
            buf: Bytes::from(self.arena),
            t: Arc::new(t),
        };
        crate::validate::check_valid(&p)?;
        Ok(p)
    }
}
