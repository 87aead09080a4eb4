//! Zero-copy reader and writer for pprof profiles.
//!
//! - [`Profile`]: the columnar profile; strings are spans into one shared buffer.
//!   Decode with [`Profile::decode`] (borrowed bytes), [`Profile::decode_bytes`] (no copy),
//!   [`Profile::open`] (memory-mapped file); gzip is detected by its magic, and input that
//!   is not protobuf is tried as one of the [`legacy`] formats, as `go tool pprof` does.
//! - [`ProfileBuilder`]: creates profiles with interning.
//! - Encoding: [`Profile::encode`], [`Profile::encode_gzip`]; decode → encode → decode is
//!   lossless.
//! - [`check_valid`]: google/pprof's `CheckValid`.
//! - [`Profile::to_text`]: google/pprof's `Profile.String()` dump.
//! - [`Error`]: what went wrong and where.
//!
//! ```
//! use pprof_format::Profile;
//! # let mut b = pprof_format::ProfileBuilder::new();
//! # b.sample_type("cpu", "nanoseconds");
//! # let bytes = b.build().unwrap().encode_gzip();
//! let p = Profile::decode(&bytes)?;
//! for vt in p.sample_types() {
//!     println!("{}/{}", p.string(vt.ty), p.string(vt.unit));
//! }
//! # Ok::<(), pprof_format::Error>(())
//! ```

#![deny(unsafe_code)]

mod budget;
mod builder;
mod column;
mod decode;
mod dump;
mod encode;
mod error;
mod gzip;
mod input;
mod labels;
pub mod legacy;
mod location_indexes;
mod options;
mod profile;
mod read_ahead;
mod save;
mod validate;
mod wire;

pub use builder::ProfileBuilder;
pub use column::ColumnPool;
pub use dump::{go_duration, go_time_utc};
pub use error::{Error, Result};
pub use gzip::{gunzip, is_gzip};
pub use input::map_file;
pub use labels::{Label, LabelIter, Labels};
pub use location_indexes::{LocationIndexes, LocationIter};
pub use options::DecodeOptions;
pub use profile::{
    Function, Line, Location, Mapping, Profile, Sample, SampleMemory, Samples, ValueType,
};
pub use save::AtomicFile;
pub use validate::check_valid;

/// Index into a profile's string table (`string_table` in profile.proto); 0 is `""`.
pub type StrId = u32;
