//! `gprofops info FILE [--json]`.

use std::path::PathBuf;

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

pub fn run(_a: Args) -> CliResult {
    Err("info: not built yet".into())
}
