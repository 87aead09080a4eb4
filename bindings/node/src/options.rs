//! Option objects, named after `go tool pprof`'s flags in camelCase, and what they become
//! in the Rust API.

use napi_derive::napi;
use profile_ops::filter::Filters;
use profile_ops::pprof::DecodeOptions;

use crate::errors::{Failure, Fallible};
use crate::value::Ints;

/// How to read a profile, a GC log or a trace.
#[napi(object)]
#[derive(Clone, Default)]
pub struct LoadOptions {
    /// Every integer the object returns is a `bigint` (default: a `number` when it fits
    /// in 2^53, a `bigint` otherwise). Profiles made from it (merge, filters...) keep it.
    pub bigint: Option<bool>,
    /// Copy the input buffer instead of borrowing it (default false). A borrowed buffer
    /// must not be written to while the object is in use: profiles point into it.
    pub copy: Option<bool>,
    /// gzip input inflating past this many bytes is refused with `TooLargeError`
    /// (default 2 GiB). Profiles only.
    pub max_inflated_size: Option<f64>,
    /// Decoding a profile that would take more than this many bytes (a decompression
    /// bomb, a forged sample count) is refused with `TooLargeError` (default 4 GiB).
    /// Profiles only.
    pub memory_budget: Option<f64>,
    /// Try the legacy text formats `go tool pprof` reads when the input is not protobuf
    /// (default true). Profiles only.
    pub legacy: Option<bool>,
}

impl LoadOptions {
    pub(crate) fn ints(&self) -> Ints {
        Ints {
            big: self.bigint.unwrap_or(false),
        }
    }

    pub(crate) fn copy(&self) -> bool {
        self.copy.unwrap_or(false)
    }

    pub(crate) fn decode(&self) -> Fallible<DecodeOptions> {
        let mut o = DecodeOptions::default();
        if let Some(m) = self.max_inflated_size {
            o.max_inflated_size = byte_count("maxInflatedSize", m)?;
        }
        if let Some(m) = self.memory_budget {
            o.memory_budget = byte_count("memoryBudget", m)?;
        }
        o.legacy = self.legacy.unwrap_or(true);
        Ok(o)
    }
}

/// A size in bytes given as a JS number: a non-negative integer.
fn byte_count(name: &str, m: f64) -> Fallible<usize> {
    if !(m >= 0.0 && m.fract() == 0.0 && m <= usize::MAX as f64) {
        return Err(Failure::arg_value(format!(
            "{name} must be a non-negative integer, not {m}"
        )));
    }
    Ok(m as usize)
}

/// `go tool pprof`'s filters (RE2 syntax), applied in its order.
#[napi(object)]
#[derive(Clone, Default)]
pub struct FilterOptions {
    /// Keep only samples with a frame matching this (`-focus`).
    pub focus: Option<String>,
    /// Drop samples with a frame matching this (`-ignore`).
    pub ignore: Option<String>,
    /// Remove matching frames from stacks (`-hide`).
    pub hide: Option<String>,
    /// Keep only matching frames in stacks (`-show`).
    pub show: Option<String>,
    /// Drop frames above the outermost frame matching this (`-show_from`).
    pub show_from: Option<String>,
    /// Keep samples whose labels match (`-tagfocus`: `regex`, `key=regex[,...]` or a
    /// numeric range such as `bytes=64:1kb`).
    pub tag_focus: Option<String>,
    /// Drop samples whose labels match (`-tagignore`).
    pub tag_ignore: Option<String>,
    /// Keep only labels whose key matches (`-tagshow`).
    pub tag_show: Option<String>,
    /// Remove labels whose key matches (`-taghide`).
    pub tag_hide: Option<String>,
    /// Drop frames below the first frame matching this (`-prune_from`).
    pub prune_from: Option<String>,
}

impl From<FilterOptions> for Filters {
    fn from(f: FilterOptions) -> Filters {
        let mut filters = Filters::default();
        filters.focus = f.focus;
        filters.ignore = f.ignore;
        filters.hide = f.hide;
        filters.show = f.show;
        filters.show_from = f.show_from;
        filters.tagfocus = f.tag_focus;
        filters.tagignore = f.tag_ignore;
        filters.tagshow = f.tag_show;
        filters.taghide = f.tag_hide;
        filters.prune_from = f.prune_from;
        filters
    }
}
