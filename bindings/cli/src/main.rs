//! `gprofops`: the command-line front end. Thin: argument parsing, output formatting and
//! exit codes; every computation is a `profile-ops` call.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// `println!` through [`emit`], for functions returning [`CliResult`].
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::emit(&format!("{}\n", format_args!($($arg)*)))?
    };
}

/// `print!` through [`emit`], for functions returning [`CliResult`].
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::emit(&format!($($arg)*))?
    };
}

mod gctrace;
mod info;
mod output;
mod pprof;
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
    /// Go execution traces: `info`, `events`, and the analyses `goroutines`, `tasks`,
    /// `pprof`, `pauses`, `mmu`, `metrics`, `slow`, `perfetto`, `timeline`, `analysis`.
    Trace(trace::Args),
    /// Heaviest functions (flat, flat%, sum%, cum, cum%), as `go tool pprof -top`.
    Top(pprof::TopArgs),
    /// Merge profiles into one (`go tool pprof -proto A B ...`).
    Merge(pprof::MergeArgs),
    /// Compare a profile with a base (`-base` subtracts, `-diff_base` marks).
    Diff(pprof::DiffArgs),
    /// Every sample with its stack, as `go tool pprof -traces`.
    Traces(pprof::ReportArgs),
    /// Each node with its callers and callees, as `go tool pprof -tree`.
    Tree(pprof::TreeArgs),
    /// Callers and callees of the nodes matching a regex, as `go tool pprof -peek`.
    Peek(pprof::PeekArgs),
    /// Folded stacks (`root;caller;leaf value`), for flamegraph.pl / inferno.
    Folded(pprof::ReportArgs),
    /// Flame graph as d3-flame-graph JSON, or SVG with --svg; --compare makes a diff.
    Flamegraph(pprof::FlameArgs),
    /// speedscope JSON (open in <https://www.speedscope.app>).
    Speedscope(pprof::ReportArgs),
}

/// Refuses a directory given as FILE with the one line every command prints for it
/// (`reading PATH: is a directory`, as `Profile::open` reports it), before a reader
/// meets it with a message of its own (`No such device` from mapping it, say).
pub(crate) fn not_a_directory(path: &std::path::Path) -> CliResult {
    if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        let e = std::io::Error::from(std::io::ErrorKind::IsADirectory);
        return Err(format!("reading {}: {e}", path.display()).into());
    }
    Ok(())
}

/// Writes to stdout; a reader that went away (`| head`) is not an error, and `println!`
/// would panic on it.
pub(crate) fn emit(text: &str) -> CliResult {
    emit_bytes(text.as_bytes())
}

/// Writes `bytes` to standard output; a reader that went away (`| head`) is not an error.
pub(crate) fn emit_bytes(bytes: &[u8]) -> CliResult {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => Ok(r?),
    }
}

/// A usage error as one line (`gprofops: unexpected argument '--bogus' found (tip: ...;
/// see --help)`), as every other failure is; help and version print as clap prints them.
fn parse() -> Result<Cli, ExitCode> {
    use clap::error::ErrorKind;
    Cli::try_parse().map_err(|e| {
        if matches!(
            e.kind(),
            ErrorKind::DisplayHelp
                | ErrorKind::DisplayVersion
                | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        ) {
            let _ = e.print();
            return if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
        let text = e.render().to_string();
        let mut lines = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("Usage:") && !l.starts_with("For more"));
        let first = lines.next().unwrap_or("bad arguments");
        let first = first.strip_prefix("error: ").unwrap_or(first);
        let rest: Vec<&str> = lines.collect();
        if rest.is_empty() {
            eprintln!("gprofops: {first} (see --help)");
        } else {
            eprintln!("gprofops: {first} {} (see --help)", rest.join("; "));
        }
        ExitCode::from(2)
    })
}

fn main() -> ExitCode {
    let cli = match parse() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    let result = match cli.command {
        Command::Info(a) => info::run(a),
        Command::Gctrace(a) => gctrace::run(a),
        Command::Trace(a) => trace::run(a),
        Command::Top(a) => pprof::top(a),
        Command::Merge(a) => pprof::merge_cmd(a),
        Command::Diff(a) => pprof::diff_cmd(a),
        Command::Traces(a) => pprof::traces_cmd(a),
        Command::Tree(a) => pprof::tree_cmd(a),
        Command::Peek(a) => pprof::peek_cmd(a),
        Command::Folded(a) => pprof::folded_cmd(a),
        Command::Flamegraph(a) => pprof::flame_cmd(a),
        Command::Speedscope(a) => pprof::speedscope_cmd(a),
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
