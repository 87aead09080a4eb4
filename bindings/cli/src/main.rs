//! `gprofops`: the command-line front end. Thin: argument parsing, output formatting and
//! exit codes; every computation is a `profile-ops` call.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod gctrace;
mod info;
mod trace;

/// What every subcommand returns; the error is printed as one line and the exit code is 2.
pub(crate) type CliResult = Result<(), Box<dyn std::error::Error>>;

/// Inspect and transform pprof profiles, Go execution traces and gctrace logs.
#[derive(Parser)]
#[command(name = "gprofops", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Sample types, period, sample count and totals of a profile.
    Info(info::Args),
    /// GC statistics from a GODEBUG=gctrace log: summary, per-cycle table, OpenMetrics.
    Gctrace(gctrace::Args),
    /// Go execution traces: `trace info` (summary) and `trace events` (ordered event dump).
    Trace(trace::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Info(a) => info::run(a),
        Command::Gctrace(a) => gctrace::run(a),
        Command::Trace(a) => trace::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line, as DESIGN.md promises: the error already says what and where.
            eprintln!("gprofops: {e}");
            ExitCode::from(2)
        }
    }
}
