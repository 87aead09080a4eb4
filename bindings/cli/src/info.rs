//! `gprofops info FILE [--json]`.

use std::path::PathBuf;

use profile_ops::pprof::{go_duration, go_time_utc};
use profile_ops::summary::ProfileSummary;

use crate::CliResult;

/// Arguments of `info`.
#[derive(clap::Args)]
pub struct Args {
    /// Profile file (protobuf, gzipped protobuf or a legacy text format).
    file: PathBuf,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

pub fn run(a: Args) -> CliResult {
    let p = crate::pprof::open(&a.file)?;
    let s = ProfileSummary::of(&p);
    if a.json {
        outln!("{}", serde_json::to_string(&s)?);
        return Ok(());
    }
    outln!("File: {}", a.file.display());
    let types: Vec<String> = s
        .sample_types
        .iter()
        .map(|[t, u]| {
            let dflt = if s.default_sample_type.as_deref() == Some(t.as_str()) {
                " (default)"
            } else {
                ""
            };
            format!("{t}/{u}{dflt}")
        })
        .collect();
    outln!("Sample types: {}", types.join(", "));
    match &s.period_type {
        Some([t, u]) => outln!("Period: {} {t}/{u}", s.period),
        // go tool pprof -raw prints an empty `PeriodType:` here; say it in words.
        None => outln!("Period: {} (no period type)", s.period),
    }
    if s.time_nanos != 0 {
        outln!("Time: {}", go_time_utc(s.time_nanos));
    }
    if s.duration_nanos != 0 {
        outln!("Duration: {}", go_duration(s.duration_nanos));
    }
    outln!("Samples: {}", s.num_samples);
    for ([t, u], total) in s.sample_types.iter().zip(&s.totals) {
        outln!("Total {t}/{u}: {total}");
    }
    Ok(())
}
