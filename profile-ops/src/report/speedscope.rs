//! speedscope files (<https://www.speedscope.app/file-format-schema.json>): one sampled
//! profile whose samples are the profile's stacks and whose weights are their values.

use serde::Serialize;

use super::stacks::Stacks;
use crate::query::Prepared;

/// A speedscope document.
#[derive(Clone, Debug, Serialize)]
pub struct Speedscope {
    /// The schema URL speedscope recognises files by.
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    /// Frames shared by the profiles.
    pub shared: Shared,
    /// One sampled profile.
    pub profiles: Vec<SampledProfile>,
    /// Document name.
    pub name: String,
    /// Which profile to open.
    #[serde(rename = "activeProfileIndex")]
    pub active_profile_index: usize,
    /// Who wrote the file.
    pub exporter: String,
}

/// Frames of a speedscope document.
#[derive(Clone, Debug, Serialize)]
pub struct Shared {
    /// Frame names.
    pub frames: Vec<Frame>,
}

/// A frame.
#[derive(Clone, Debug, Serialize)]
pub struct Frame {
    /// What speedscope shows.
    pub name: String,
}

/// A speedscope "sampled" profile.
#[derive(Clone, Debug, Serialize)]
pub struct SampledProfile {
    /// Always `sampled`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Profile name (the sample type).
    pub name: String,
    /// `nanoseconds`, `bytes`... or `none`.
    pub unit: &'static str,
    /// 0.
    #[serde(rename = "startValue")]
    pub start_value: i64,
    /// Sum of the weights.
    #[serde(rename = "endValue")]
    pub end_value: i64,
    /// Stacks as frame indexes, root first.
    pub samples: Vec<Vec<u32>>,
    /// One weight per stack.
    pub weights: Vec<i64>,
}

/// The speedscope document of a prepared profile.
///
/// ```
/// use profile_ops::pprof::ProfileBuilder;
/// use profile_ops::query::Query;
/// use profile_ops::report::speedscope::speedscope;
/// let mut b = ProfileBuilder::new();
/// b.sample_type("cpu", "nanoseconds");
/// let f = b.function("main.f", "m.go", 1);
/// let lf = b.location(None, 0, &[(f, 2)]);
/// b.sample(&[lf], &[10], &[]);
/// let p = b.build().unwrap();
/// let doc = speedscope(&Query::default().prepare(&p).unwrap(), "cpu.pprof");
/// assert_eq!(doc.profiles[0].unit, "nanoseconds");
/// assert_eq!(doc.profiles[0].weights, vec![10]);
/// ```
pub fn speedscope(prep: &Prepared<'_>, name: &str) -> Speedscope {
    let stacks = Stacks::new(prep);
    let (mut samples, mut weights) = (Vec::new(), Vec::new());
    stacks.for_each(prep, |frames, v| {
        samples.push(frames.to_vec());
        weights.push(v);
    });
    let unit = match prep.sample_unit.as_str() {
        "nanoseconds" => "nanoseconds",
        "microseconds" => "microseconds",
        "milliseconds" => "milliseconds",
        "seconds" => "seconds",
        "bytes" => "bytes",
        _ => "none",
    };
    Speedscope {
        schema: "https://www.speedscope.app/file-format-schema.json",
        shared: Shared {
            frames: stacks
                .names
                .iter()
                .map(|n| Frame { name: n.clone() })
                .collect(),
        },
        profiles: vec![SampledProfile {
            kind: "sampled",
            name: prep.sample_type.clone(),
            unit,
            start_value: 0,
            end_value: weights.iter().fold(0i64, |a, w| a.wrapping_add(*w)),
            samples,
            weights,
        }],
        name: name.to_string(),
        active_profile_index: 0,
        exporter: format!("gprofops {}", env!("CARGO_PKG_VERSION")),
    }
}
