//! `Profile`: a decoded pprof profile, how it is read and written, and its fields.

use std::borrow::Cow;

use napi::bindgen_prelude::{AsyncTask, Buffer, JsObjectValue, Object, ToNapiValue};
use napi::{Env, Unknown};
use napi_derive::napi;

use profile_ops::pprof::{self, StrId};
use profile_ops::sample_table::stack_names;
use profile_ops::summary::{ProfileSummary, totals};

use crate::errors::{Failure, Fallible, OrThrow};
use crate::input::{BufferLike, bytes};
use crate::options::LoadOptions;
use crate::task::{IntoClass, Job, Output, spawn};
use crate::value::Ints;

/// A pprof profile (profile.proto, gzipped or not, or a legacy text format `go tool
/// pprof` reads). Immutable; its strings point into the input.
///
/// ```js
/// const { Profile } = require('gprofops')
/// const p = Profile.load('cpu.pb.gz')
/// console.log(p.sampleTypes, p.totals, p.top({ n: 5 }).rows)
/// ```
#[napi]
pub struct Profile {
    pub(crate) p: pprof::Profile,
    pub(crate) ints: Ints,
}

impl IntoClass for pprof::Profile {
    fn into_class(self: Box<Self>, env: &Env, ints: Ints) -> napi::Result<Unknown<'_>> {
        Profile { p: *self, ints }.into_unknown(env)
    }
}

impl From<pprof::Profile> for Output {
    fn from(p: pprof::Profile) -> Output {
        Output::Class(Box::new(p))
    }
}

fn decode_bytes(data: bytes::Bytes, opts: &LoadOptions) -> Fallible<pprof::Profile> {
    let d = opts.decode()?;
    Ok(pprof::Profile::decode_bytes_with(data, &d)?)
}

fn decode_path(path: &str, opts: &LoadOptions) -> Fallible<pprof::Profile> {
    let d = opts.decode()?;
    Ok(pprof::Profile::open_with(path, &d)?)
}

impl Profile {
    fn str(&self, id: StrId) -> String {
        self.p.string(id).into_owned()
    }

    fn opt_str(&self, id: StrId) -> Option<String> {
        (id != 0).then(|| self.str(id))
    }
}

#[napi]
impl Profile {
    /// Decodes a profile from a `Buffer` or `Uint8Array` (borrowed, not copied, unless
    /// `copy` is set: do not write to the buffer while the profile is in use). gzip is
    /// detected by its magic; input that is not protobuf is tried as a legacy format.
    /// Throws `ParseError` and its kinds (`TruncatedError`, `GzipError`...) by `code`.
    #[napi(configurable = true, factory)]
    pub fn from_buffer(
        env: &Env,
        data: BufferLike,
        options: Option<LoadOptions>,
    ) -> napi::Result<Profile> {
        let o = options.unwrap_or_default();
        let p = decode_bytes(bytes(data, o.copy()), &o).or_throw(env)?;
        Ok(Profile { p, ints: o.ints() })
    }

    /// [`Profile.fromBuffer`] on the libuv thread pool.
    #[napi(configurable = true, ts_return_type = "Promise<Profile>")]
    pub fn from_buffer_async(data: BufferLike, options: Option<LoadOptions>) -> AsyncTask<Job> {
        let o = options.unwrap_or_default();
        let b = bytes(data, o.copy());
        spawn(o.ints(), move || decode_bytes(b, &o).map(Output::from))
    }

    /// Reads a profile from a file (memory-mapped). Throws `ENOENT`, `EISDIR`... when
    /// the file cannot be read.
    #[napi(configurable = true, factory)]
    pub fn load(env: &Env, path: String, options: Option<LoadOptions>) -> napi::Result<Profile> {
        let o = options.unwrap_or_default();
        let p = decode_path(&path, &o).or_throw(env)?;
        Ok(Profile { p, ints: o.ints() })
    }

    /// [`Profile.load`] on the libuv thread pool.
    #[napi(configurable = true, ts_return_type = "Promise<Profile>")]
    pub fn load_async(path: String, options: Option<LoadOptions>) -> AsyncTask<Job> {
        let o = options.unwrap_or_default();
        spawn(o.ints(), move || decode_path(&path, &o).map(Output::from))
    }

    /// `[type, unit]` of each column of sample values, e.g. `['cpu', 'nanoseconds']`.
    #[napi(getter, ts_return_type = "Array<[string, string]>")]
    pub fn sample_types(&self) -> Vec<Vec<String>> {
        self.p
            .sample_types()
            .iter()
            .map(|vt| vec![self.str(vt.ty), self.str(vt.unit)])
            .collect()
    }

    /// `[type, unit]` of the sampling period, `null` when unset.
    #[napi(getter, ts_return_type = "[string, string] | null")]
    pub fn period_type(&self) -> Option<Vec<String>> {
        ProfileSummary::of(&self.p)
            .period_type
            .map(|[t, u]| vec![t, u])
    }

    /// Sampling period in units of the period type (0 when unset).
    #[napi(getter, ts_return_type = "Int")]
    pub fn period<'e>(&self, env: &'e Env) -> napi::Result<Unknown<'e>> {
        self.ints.i64(env, self.p.period())
    }

    /// Number of samples as stored.
    #[napi(getter)]
    pub fn num_samples(&self) -> u32 {
        self.p.num_samples() as u32
    }

    /// Per sample type, the sum of its values over all samples.
    #[napi(getter, ts_return_type = "Int[]")]
    pub fn totals<'e>(&self, env: &'e Env) -> napi::Result<Unknown<'e>> {
        self.ints.list(env, &totals(&self.p))
    }

    /// The preferred sample type, `null` when unset.
    #[napi(getter)]
    pub fn default_sample_type(&self) -> Option<String> {
        self.opt_str(self.p.default_sample_type())
    }

    /// Collection time in nanoseconds since the Unix epoch (0 when unset; a `bigint`
    /// for any real date, which is past 2^53 ns).
    #[napi(getter, ts_return_type = "Int")]
    pub fn time_nanos<'e>(&self, env: &'e Env) -> napi::Result<Unknown<'e>> {
        self.ints.i64(env, self.p.time_nanos())
    }

    /// Collection duration in nanoseconds.
    #[napi(getter, ts_return_type = "Int")]
    pub fn duration_nanos<'e>(&self, env: &'e Env) -> napi::Result<Unknown<'e>> {
        self.ints.i64(env, self.p.duration_nanos())
    }

    /// Free-form comments.
    #[napi(getter)]
    pub fn comments(&self) -> Vec<String> {
        self.p.comments().iter().map(|&c| self.str(c)).collect()
    }

    /// Documentation link for the profile type, `null` when unset.
    #[napi(getter)]
    pub fn doc_url(&self) -> Option<String> {
        self.opt_str(self.p.doc_url())
    }

    /// Regexp of frames to drop, `null` when unset.
    #[napi(getter)]
    pub fn drop_frames(&self) -> Option<String> {
        self.opt_str(self.p.drop_frames())
    }

    /// Regexp of frames to keep, `null` when unset.
    #[napi(getter)]
    pub fn keep_frames(&self) -> Option<String> {
        self.opt_str(self.p.keep_frames())
    }

    /// What `gprofops info --json` prints: `sample_types`, `period_type`, `period`,
    /// `num_samples`, `totals`, `default_sample_type`, `duration_nanos`, `time_nanos`.
    #[napi(ts_return_type = "ProfileSummary")]
    pub fn summary<'e>(&self, env: &'e Env) -> napi::Result<Unknown<'e>> {
        self.ints.serde(env, &ProfileSummary::of(&self.p))
    }

    /// Sample `index` (negative counts from the end): `stack` (frame names, leaf first),
    /// `values` (one per sample type), `labels` (`[key, value]` pairs) and `numLabels`
    /// (`[key, value, unit]`). Throws a `RangeError` outside the samples.
    #[napi(ts_return_type = "Sample")]
    pub fn sample<'e>(&self, env: &'e Env, index: i64) -> napi::Result<Unknown<'e>> {
        let n = self.p.num_samples() as i64;
        let i = if index < 0 { index + n } else { index };
        if !(0..n).contains(&i) {
            let msg = format!("sample index {index} out of range for {n} samples");
            env.throw_range_error(&msg, Some("ERR_OUT_OF_RANGE"))?;
            return Err(napi::Error::new(napi::Status::PendingException, msg));
        }
        let p = &self.p;
        let s = p.sample(i as usize);
        let stack: Vec<String> = stack_names(p, s.locations)
            .into_iter()
            .map(Cow::into_owned)
            .collect();
        let mut labels = env.create_array(0)?;
        let mut num_labels = env.create_array(0)?;
        for l in s.labels.iter() {
            if l.str != 0 {
                labels.insert(vec![self.str(l.key), self.str(l.str)])?;
            } else {
                let mut t = env.create_array(3)?;
                t.set(0, self.str(l.key))?;
                t.set(1, self.ints.i64(env, l.num)?)?;
                t.set(2, self.str(l.num_unit))?;
                num_labels.insert(t)?;
            }
        }
        let mut o = Object::new(env)?;
        o.set_named_property("stack", stack)?;
        o.set_named_property("values", self.ints.list(env, s.values)?)?;
        o.set_named_property("labels", labels)?;
        o.set_named_property("numLabels", num_labels)?;
        o.into_unknown(env)
    }

    /// Encodes the profile as profile.proto, gzipped when `gzip` is true (default
    /// false). Decoding the bytes gives an equal profile.
    #[napi]
    pub fn to_buffer(&self, options: Option<EncodeOptions>) -> Buffer {
        let gzip = options.and_then(|o| o.gzip).unwrap_or(false);
        let v = if gzip {
            self.p.encode_gzip()
        } else {
            self.p.encode()
        };
        v.into()
    }

    /// Writes the profile to `path` (gzipped unless `gzip` is false), atomically: a
    /// failed write leaves the previous file as it was.
    #[napi]
    pub fn save(
        &self,
        env: &Env,
        path: String,
        options: Option<EncodeOptions>,
    ) -> napi::Result<()> {
        let gzip = options.and_then(|o| o.gzip).unwrap_or(true);
        self.p
            .save(&path, gzip)
            .map_err(Failure::from)
            .or_throw(env)
    }

    /// Checks profile.proto's rules (google/pprof's `CheckValid`); throws
    /// `InvalidProfileError` when one is broken.
    #[napi]
    pub fn check_valid(&self, env: &Env) -> napi::Result<()> {
        pprof::check_valid(&self.p).or_throw(env)
    }

    /// google/pprof's `Profile.String()` dump (times in UTC).
    #[napi]
    pub fn to_text(&self) -> String {
        self.p.to_text()
    }

    /// A one-line description, e.g. `Profile(cpu/nanoseconds, 1234 samples)`.
    #[napi(js_name = "toString")]
    pub fn describe(&self) -> String {
        let types: Vec<String> = self
            .sample_types()
            .into_iter()
            .map(|t| t.join("/"))
            .collect();
        format!(
            "Profile({}, {} samples)",
            types.join(" "),
            self.p.num_samples()
        )
    }
}

/// How to encode a profile.
#[napi(object)]
#[derive(Clone, Default)]
pub struct EncodeOptions {
    /// gzip the profile.proto bytes (`toBuffer` default false, `save` default true).
    pub gzip: Option<bool>,
}
