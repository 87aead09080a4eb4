//! Aggregation granularity: what one node of a report stands for (`-functions`,
//! `-filefunctions`, `-files`, `-lines`, `-addresses`, `-noinlines`), with google/pprof's
//! `Aggregate` semantics.

use std::str::FromStr;

use crate::draft::{Draft, Keep};
use crate::error::{Error, Result};
use crate::pprof::Profile;

/// What a report node aggregates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Granularity {
    /// One node per function (the default).
    #[default]
    Functions,
    /// One node per function and source file.
    FileFunctions,
    /// One node per source file.
    Files,
    /// One node per source line.
    Lines,
    /// One node per instruction address.
    Addresses,
}

impl FromStr for Granularity {
    type Err = Error;

    /// Parses `functions`, `filefunctions`, `files`, `lines` or `addresses`.
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "functions" => Granularity::Functions,
            "filefunctions" => Granularity::FileFunctions,
            "files" => Granularity::Files,
            "lines" => Granularity::Lines,
            "addresses" => Granularity::Addresses,
            _ => {
                return Err(Error::BadOption(format!(
                    "unexpected granularity {s:?} (functions, filefunctions, files, lines, addresses)"
                )));
            }
        })
    }
}

impl Granularity {
    /// The fields kept; `None` when nothing is aggregated (addresses with inlined frames).
    pub(crate) fn keep(self, inlines: bool) -> Option<Keep> {
        let (function, filename, line_number, address) = match self {
            Granularity::Addresses if inlines => return None,
            Granularity::Addresses => (true, true, true, true),
            Granularity::Lines => (true, true, true, false),
            Granularity::Files => (false, true, false, false),
            Granularity::Functions => (true, false, false, false),
            Granularity::FileFunctions => (true, true, false, false),
        };
        Some(Keep {
            inline_frames: inlines,
            function,
            filename,
            line_number,
            column: false,
            address,
        })
    }

    /// Aggregates a draft in place.
    pub fn apply(self, d: &mut Draft<'_>, inlines: bool) {
        if let Some(keep) = self.keep(inlines) {
            d.aggregate(keep);
        }
    }
}

/// `p` aggregated to `granularity` (and without inlined frames when `inlines` is false),
/// as a compacted profile.
///
/// ```
/// use profile_ops::granularity::{aggregate, Granularity};
/// use profile_ops::pprof::ProfileBuilder;
/// let mut b = ProfileBuilder::new();
/// b.sample_type("samples", "count");
/// let f = b.function("main.f", "main.go", 1);
/// let (a, c) = (b.location(None, 0x10, &[(f, 2)]), b.location(None, 0x20, &[(f, 3)]));
/// b.sample(&[a], &[1], &[]).sample(&[c], &[2], &[]);
/// let p = aggregate(&b.build().unwrap(), Granularity::Functions, true).unwrap();
/// assert_eq!(p.num_samples(), 1); // both lines of main.f are one function
/// assert_eq!(p.sample(0).values, &[3]);
/// ```
pub fn aggregate(p: &Profile, granularity: Granularity, inlines: bool) -> Result<Profile> {
    let mut d = Draft::new(p);
    granularity.apply(&mut d, inlines);
    d.finish()
}
