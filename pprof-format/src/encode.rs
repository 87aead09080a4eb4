//! [`Profile`] → profile.proto, raw or gzipped, in google/pprof's field order and with its
//! conventions (zero scalars omitted, repeated varints packed when more than two).

use std::io::Write;

use crate::error::Result;
use crate::labels::Label;
use crate::profile::{Profile, ValueType};
use crate::wire::{put_bytes, put_repeated, put_u64, put_u64_opt};

impl Profile {
    /// Encodes the profile as uncompressed profile.proto bytes.
    ///
    /// ```
    /// # use pprof_format::{Profile, ProfileBuilder};
    /// let mut b = ProfileBuilder::new();
    /// b.sample_type("samples", "count").comment("hello");
    /// let p = b.build().unwrap();
    /// assert_eq!(Profile::decode(&p.encode()).unwrap(), p);
    /// ```
    pub fn encode(&self) -> Vec<u8> {
        let t = &*self.t;
        let mut out = Vec::with_capacity(self.buf.len() + t.samples.values.len() * 2 + 64);
        let mut msg = Vec::new();
        for vt in &t.sample_types {
            value_type(&mut out, 1, vt, &mut msg);
        }
        let k = t.sample_types.len();
        for i in 0..t.samples.len() {
            msg.clear();
            let s = self.sample(i);
            // One loop per index width, over a plain slice.
            let id = |l: usize| t.locations[l].id;
            if let Some(ls) = s.locations.as_u16() {
                put_repeated(&mut msg, 1, ls.iter().map(|&l| id(usize::from(l))));
            } else if let Some(ls) = s.locations.as_u32() {
                put_repeated(&mut msg, 1, ls.iter().map(|&l| id(l as usize)));
            }
            put_repeated(
                &mut msg,
                2,
                t.samples.values[i * k..(i + 1) * k]
                    .iter()
                    .map(|&v| v as u64),
            );
            let mut lmsg = Vec::new();
            for l in s.labels {
                label(&mut lmsg, &l);
                put_bytes(&mut msg, 3, &lmsg);
            }
            put_bytes(&mut out, 2, &msg);
        }
        for m in &t.mappings {
            msg.clear();
            put_u64_opt(&mut msg, 1, m.id);
            put_u64_opt(&mut msg, 2, m.memory_start);
            put_u64_opt(&mut msg, 3, m.memory_limit);
            put_u64_opt(&mut msg, 4, m.file_offset);
            put_u64_opt(&mut msg, 5, u64::from(m.filename));
            put_u64_opt(&mut msg, 6, u64::from(m.build_id));
            put_u64_opt(&mut msg, 7, u64::from(m.has_functions));
            put_u64_opt(&mut msg, 8, u64::from(m.has_filenames));
            put_u64_opt(&mut msg, 9, u64::from(m.has_line_numbers));
            put_u64_opt(&mut msg, 10, u64::from(m.has_inline_frames));
            put_bytes(&mut out, 3, &msg);
        }
        let mut lmsg = Vec::new();
        for loc in &t.locations {
            msg.clear();
            put_u64_opt(&mut msg, 1, loc.id);
            put_u64_opt(
                &mut msg,
                2,
                loc.mapping.map_or(0, |m| t.mappings[m as usize].id),
            );
            put_u64_opt(&mut msg, 3, loc.address);
            for line in self.location_lines(loc) {
                lmsg.clear();
                put_u64_opt(&mut lmsg, 1, t.functions[line.function as usize].id);
                put_u64_opt(&mut lmsg, 2, line.line as u64);
                put_u64_opt(&mut lmsg, 3, line.column as u64);
                put_bytes(&mut msg, 4, &lmsg);
            }
            put_u64_opt(&mut msg, 5, u64::from(loc.is_folded));
            put_bytes(&mut out, 4, &msg);
        }
        for f in &t.functions {
            msg.clear();
            put_u64_opt(&mut msg, 1, f.id);
            put_u64_opt(&mut msg, 2, u64::from(f.name));
            put_u64_opt(&mut msg, 3, u64::from(f.system_name));
            put_u64_opt(&mut msg, 4, u64::from(f.filename));
            put_u64_opt(&mut msg, 5, f.start_line as u64);
            put_bytes(&mut out, 5, &msg);
        }
        for i in 0..t.strings.len() {
            put_bytes(&mut out, 6, self.bytes_of(i as u32));
        }
        put_u64_opt(&mut out, 7, u64::from(t.drop_frames));
        put_u64_opt(&mut out, 8, u64::from(t.keep_frames));
        put_u64_opt(&mut out, 9, t.time_nanos as u64);
        put_u64_opt(&mut out, 10, t.duration_nanos as u64);
        if let Some(pt) = &t.period_type {
            value_type(&mut out, 11, pt, &mut msg);
        }
        put_u64_opt(&mut out, 12, t.period as u64);
        put_repeated(&mut out, 13, t.comments.iter().map(|&c| u64::from(c)));
        put_u64_opt(&mut out, 14, u64::from(t.default_sample_type));
        put_u64_opt(&mut out, 15, u64::from(t.doc_url));
        out
    }

    /// Encodes the profile as gzipped profile.proto (what `go tool pprof -proto` writes).
    pub fn encode_gzip(&self) -> Vec<u8> {
        let raw = self.encode();
        let mut enc = flate2::write::GzEncoder::new(
            Vec::with_capacity(raw.len() / 4),
            flate2::Compression::default(),
        );
        // Writing into a Vec cannot fail.
        let _ = enc.write_all(&raw);
        enc.finish().unwrap_or_default()
    }

    /// Writes the gzipped profile to `w`.
    pub fn write_gzip(&self, w: impl Write) -> Result<()> {
        let mut enc = flate2::write::GzEncoder::new(w, flate2::Compression::default());
        enc.write_all(&self.encode())?;
        enc.finish()?;
        Ok(())
    }
}

fn value_type(out: &mut Vec<u8>, field: u32, vt: &ValueType, msg: &mut Vec<u8>) {
    msg.clear();
    put_u64_opt(msg, 1, u64::from(vt.ty));
    put_u64_opt(msg, 2, u64::from(vt.unit));
    put_bytes(out, field, msg);
}

fn label(out: &mut Vec<u8>, l: &Label) {
    out.clear();
    put_u64(out, 1, u64::from(l.key));
    put_u64_opt(out, 2, u64::from(l.str));
    put_u64_opt(out, 3, l.num as u64);
    put_u64_opt(out, 4, u64::from(l.num_unit));
}
