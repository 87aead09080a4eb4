//! The pprof subcommands — `top`, `traces`, `tree`, `peek`, `folded`, `flamegraph`,
//! `speedscope`, `merge`, `diff` — with `go tool pprof`'s flag names. Several FILE
//! arguments are merged first, as `go tool pprof` merges them.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};
use profile_ops::filter::Filters;
use profile_ops::granularity::Granularity;
use profile_ops::labels::add_label_nodes;
use profile_ops::merge::{MergeOptions, merge};
use profile_ops::pprof::Profile;
use profile_ops::query::{Prepared, Query};
use profile_ops::report::{flame, folded, speedscope, top::Top, traces, tree};
use profile_ops::transform::{DiffMode, diff};

use crate::{CliResult, emit};

/// Profiles to load and how to prepare them; shared by every pprof subcommand.
#[derive(clap::Args)]
pub struct ProfileArgs {
    /// Profile files (protobuf, gzipped or legacy text); several are merged.
    #[arg(required = true, value_name = "FILE")]
    inputs: Vec<PathBuf>,
    /// Subtract this profile (`-base`).
    #[arg(long, value_name = "FILE")]
    base: Option<PathBuf>,
    /// Compare with this profile: its samples are negated and percentages are of its
    /// total (`-diff_base`).
    #[arg(
        long,
        alias = "diff_base",
        value_name = "FILE",
        conflicts_with = "base"
    )]
    diff_base: Option<PathBuf>,
    /// Scale the profile to the base's totals before comparing.
    #[arg(long)]
    normalize: bool,
    /// Sample type to report: a name (`alloc_space`) or a column number.
    #[arg(long, alias = "sample_index", value_name = "X")]
    sample_index: Option<String>,
    /// Average value per sample (divide by the sample count).
    #[arg(long)]
    mean: bool,
    /// Only samples with a frame matching this regex.
    #[arg(long, value_name = "RE")]
    focus: Option<String>,
    /// Drop samples with a frame matching this regex.
    #[arg(long, value_name = "RE")]
    ignore: Option<String>,
    /// Hide frames matching this regex.
    #[arg(long, value_name = "RE")]
    hide: Option<String>,
    /// Only show frames matching this regex.
    #[arg(long, value_name = "RE")]
    show: Option<String>,
    /// Drop the callers of the outermost frame matching this regex.
    #[arg(long, alias = "show_from", value_name = "RE")]
    show_from: Option<String>,
    /// Drop the callees of frames matching this regex.
    #[arg(long, alias = "prune_from", value_name = "RE")]
    prune_from: Option<String>,
    /// Only samples with matching labels (`key=regex`, `regex,...`, or a range `1mb:`).
    #[arg(long, value_name = "FILTER")]
    tagfocus: Option<String>,
    /// Drop samples with matching labels.
    #[arg(long, value_name = "FILTER")]
    tagignore: Option<String>,
    /// Keep only labels whose key matches.
    #[arg(long, value_name = "RE")]
    tagshow: Option<String>,
    /// Remove labels whose key matches.
    #[arg(long, value_name = "RE")]
    taghide: Option<String>,
    /// One node per function (default).
    #[arg(long, group = "granularity")]
    functions: bool,
    /// One node per function and file.
    #[arg(long, group = "granularity")]
    filefunctions: bool,
    /// One node per source file.
    #[arg(long, group = "granularity")]
    files: bool,
    /// One node per source line.
    #[arg(long, group = "granularity")]
    lines: bool,
    /// One node per instruction address.
    #[arg(long, group = "granularity")]
    addresses: bool,
    /// Attribute inlined calls to their callers.
    #[arg(long)]
    noinlines: bool,
    /// Drop nodes below this fraction of the total.
    #[arg(long, default_value_t = 0.005)]
    nodefraction: f64,
    /// Drop edges below this fraction of the total.
    #[arg(long, default_value_t = 0.001)]
    edgefraction: f64,
    /// Sort by cumulative value.
    #[arg(long)]
    cum: bool,
    /// Leave out nodes with negative values.
    #[arg(long, alias = "drop_negative")]
    drop_negative: bool,
    /// Percentages of the filtered total rather than of the whole profile.
    #[arg(long, alias = "relative_percentages")]
    relative_percentages: bool,
    /// Unit to print values in (`ms`, `MB`...); `minimum` picks one.
    #[arg(long, default_value = "minimum")]
    unit: String,
    /// Group by these labels: their values become frames above the root (comma-separated
    /// keys).
    #[arg(long, value_name = "KEYS")]
    tagroot: Option<String>,
    /// Like --tagroot, below the leaf.
    #[arg(long, value_name = "KEYS")]
    tagleaf: Option<String>,
    /// Keep frames the profile's drop_frames would remove.
    #[arg(long)]
    all_frames: bool,
}

impl ProfileArgs {
    fn query(&self) -> Query {
        let granularity = if self.filefunctions {
            Granularity::FileFunctions
        } else if self.files {
            Granularity::Files
        } else if self.lines {
            Granularity::Lines
        } else if self.addresses {
            Granularity::Addresses
        } else {
            Granularity::Functions
        };
        let mut filters = Filters::default();
        filters.focus = self.focus.clone();
        filters.ignore = self.ignore.clone();
        filters.hide = self.hide.clone();
        filters.show = self.show.clone();
        filters.show_from = self.show_from.clone();
        filters.tagfocus = self.tagfocus.clone();
        filters.tagignore = self.tagignore.clone();
        filters.tagshow = self.tagshow.clone();
        filters.taghide = self.taghide.clone();
        filters.prune_from = self.prune_from.clone();
        let mut q = Query::default()
            .mean(self.mean)
            .filters(filters)
            .granularity(granularity)
            .noinlines(self.noinlines)
            .drop_frames(!self.all_frames)
            .relative_percentages(self.relative_percentages)
            .node_fraction(self.nodefraction)
            .edge_fraction(self.edgefraction)
            .cum_sort(self.cum)
            .drop_negative(self.drop_negative)
            .unit(self.unit.as_str());
        q.sample_index = self.sample_index.clone();
        q
    }

    /// Loads the files (merged when several) and applies `--base`/`--diff-base`.
    fn load(&self) -> Result<Profile, Box<dyn std::error::Error>> {
        let p = load_merged(&self.inputs)?;
        let p = match (&self.base, &self.diff_base) {
            (Some(b), _) => diff(&open(b)?, &p, DiffMode::Subtract, self.normalize)?,
            (None, Some(b)) => diff(&open(b)?, &p, DiffMode::Marked, self.normalize)?,
            (None, None) => p,
        };
        let keys = |k: &Option<String>| -> Vec<String> {
            k.as_deref()
                .unwrap_or("")
                .split(',')
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect()
        };
        let (roots, leaves) = (keys(&self.tagroot), keys(&self.tagleaf));
        if roots.is_empty() && leaves.is_empty() {
            return Ok(p);
        }
        let roots: Vec<&str> = roots.iter().map(String::as_str).collect();
        let leaves: Vec<&str> = leaves.iter().map(String::as_str).collect();
        Ok(add_label_nodes(&p, &roots, &leaves, &self.unit)?)
    }
}

/// A profile file, or standard input for `-`. Errors name the file once.
pub(crate) fn open(path: &Path) -> Result<Profile, Box<dyn std::error::Error>> {
    open_profile(path).map_err(Into::into)
}

fn open_profile(path: &Path) -> Result<Profile, String> {
    let p = if path == Path::new("-") {
        Profile::read_with(std::io::stdin().lock(), &Default::default())
    } else {
        Profile::open(path)
    };
    p.map_err(|e| match e {
        // Already "reading PATH: ...".
        profile_ops::pprof::Error::Io { .. } => e.to_string(),
        _ => format!("{}: {e}{}", path.display(), other_kind_hint(path)),
    })
}

/// When a file that is not a profile is another kind gprofops reads, which command reads
/// it (judged from its first 64 KiB).
fn other_kind_hint(path: &Path) -> String {
    use std::io::Read;
    let mut head = Vec::new();
    let Ok(f) = std::fs::File::open(path) else {
        return String::new();
    };
    if f.take(64 << 10).read_to_end(&mut head).is_err() {
        return String::new();
    }
    let shown = path.display();
    if profile_ops::gotrace::Version::detect(&head).is_ok() {
        format!(" (this is a Go execution trace: `gprofops trace info {shown}` reads it)")
    } else if profile_ops::gc::GcReport::from_bytes(&head)
        .summary
        .gc_lines
        > 0
    {
        format!(" (this looks like a GODEBUG=gctrace log: `gprofops gctrace {shown}` reads it)")
    } else {
        String::new()
    }
}

/// Files at least this large get a spinner while they load (on a terminal).
const LARGE_FILE: u64 = 32 << 20;

/// Loads and merges files in parallel, with a progress bar on a terminal for many files
/// (and a spinner for one large file).
pub(crate) fn load_merged(files: &[PathBuf]) -> Result<Profile, Box<dyn std::error::Error>> {
    if let [one] = files {
        let size = std::fs::metadata(one).map_or(0, |m| m.len());
        if size < LARGE_FILE || !std::io::stderr().is_terminal() {
            return open(one);
        }
        let spinner = ProgressBar::new_spinner();
        spinner.set_message(format!("reading {} ({} MB)", one.display(), size >> 20));
        spinner.enable_steady_tick(std::time::Duration::from_millis(100));
        let p = open(one);
        spinner.finish_and_clear();
        return p;
    }
    let bar = if files.len() >= 8 && std::io::stderr().is_terminal() {
        let b = ProgressBar::new(files.len() as u64);
        b.set_style(
            ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b.set_message("reading");
        b
    } else {
        ProgressBar::hidden()
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut loaded: Vec<Option<Result<Profile, String>>> = (0..files.len()).map(|_| None).collect();
    let slots = std::sync::Mutex::new(&mut loaded);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(path) = files.get(i) else { break };
                    let r = open_profile(path);
                    bar.inc(1);
                    if let Ok(mut g) = slots.lock() {
                        g[i] = Some(r);
                    }
                }
            });
        }
    });
    let profiles = loaded
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err("not loaded".into())))
        .collect::<Result<Vec<_>, String>>()?;
    bar.set_message("merging");
    let merged = merge(
        &profiles,
        &MergeOptions::default().common_sample_types(true),
    )?;
    bar.finish_and_clear();
    Ok(merged)
}

/// Arguments of `top`.
#[derive(clap::Args)]
pub struct TopArgs {
    #[command(flatten)]
    profile: ProfileArgs,
    /// Show at most N rows (`-nodecount`).
    #[arg(short = 'n', long, alias = "nodecount", value_name = "N")]
    nodecount: Option<usize>,
    /// Print `{"total", "unit", "rows": [...]}` as JSON.
    #[arg(long)]
    json: bool,
}

pub fn top(a: TopArgs) -> CliResult {
    let p = a.profile.load()?;
    let prep = a.profile.query().prepare(&p)?;
    emit_top(&Top::new(&prep, a.nodecount.unwrap_or(0)), a.json)
}

/// Prints a top table as `go tool pprof -top` does, or as JSON.
fn emit_top(top: &Top, json: bool) -> CliResult {
    if json {
        emit(&format!("{}\n", serde_json::to_string(top)?))
    } else {
        emit(&top.to_text())
    }
}

/// Arguments of `merge`.
#[derive(clap::Args)]
pub struct MergeArgs {
    /// Profiles to merge.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Output file (gzipped protobuf); `-` for standard output.
    #[arg(short, long)]
    output: PathBuf,
    /// Write uncompressed protobuf.
    #[arg(long)]
    raw: bool,
}

pub fn merge_cmd(a: MergeArgs) -> CliResult {
    let p = load_merged(&a.files)?;
    write_profile(&p, &a.output, a.raw)
}

pub(crate) fn write_profile(p: &Profile, out: &Path, raw: bool) -> CliResult {
    if out == Path::new("-") {
        let bytes = if raw { p.encode() } else { p.encode_gzip() };
        crate::emit_bytes(&bytes)?;
    } else {
        // Atomic: a failed or interrupted write leaves OUT as it was.
        let mut f = crate::output::Output::create(out)?;
        let written = if raw {
            f.write_all(&p.encode())
                .map_err(profile_ops::pprof::Error::Write)
        } else {
            p.write_gzip(&mut f)
        };
        written.map_err(|e| match e {
            profile_ops::pprof::Error::Write(source) => profile_ops::pprof::Error::Save {
                path: out.to_path_buf(),
                source,
            },
            other => other,
        })?;
        f.commit()?;
    }
    Ok(())
}

/// Arguments of `diff`.
#[derive(clap::Args)]
pub struct DiffArgs {
    /// Subtract this profile (`-base`).
    #[arg(long, value_name = "FILE", required_unless_present = "diff_base")]
    base: Option<PathBuf>,
    /// Compare against this profile, marking its samples (`-diff_base`).
    #[arg(
        long,
        alias = "diff_base",
        value_name = "FILE",
        conflicts_with = "base",
        required_unless_present = "base"
    )]
    diff_base: Option<PathBuf>,
    /// The new profile(s); several are merged.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Scale the new profile to the base's totals first.
    #[arg(long)]
    normalize: bool,
    /// Write the difference as a profile here instead of printing its top.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Show at most N rows.
    #[arg(short = 'n', long, value_name = "N")]
    nodecount: Option<usize>,
    /// Print the top as JSON.
    #[arg(long)]
    json: bool,
}

pub fn diff_cmd(a: DiffArgs) -> CliResult {
    let new = load_merged(&a.files)?;
    let (base, mode) = match (&a.base, &a.diff_base) {
        (Some(b), _) => (open(b)?, DiffMode::Subtract),
        (None, Some(b)) => (open(b)?, DiffMode::Marked),
        (None, None) => return Err("diff needs --base or --diff-base".into()),
    };
    let d = diff(&base, &new, mode, a.normalize)?;
    if let Some(out) = &a.output {
        return write_profile(&d, out, false);
    }
    let prep = Query::default().prepare(&d)?;
    emit_top(&Top::new(&prep, a.nodecount.unwrap_or(0)), a.json)
}

/// Arguments of the reports that take only profile options.
#[derive(clap::Args)]
pub struct ReportArgs {
    #[command(flatten)]
    profile: ProfileArgs,
}

pub fn traces_cmd(a: ReportArgs) -> CliResult {
    let p = a.profile.load()?;
    emit(&traces::traces(&a.profile.query().prepare(&p)?))?;
    Ok(())
}

/// Arguments of `tree`.
#[derive(clap::Args)]
pub struct TreeArgs {
    #[command(flatten)]
    profile: ProfileArgs,
    /// Show at most N nodes (default 80, as pprof).
    #[arg(short = 'n', long, alias = "nodecount", value_name = "N")]
    nodecount: Option<usize>,
}

pub fn tree_cmd(a: TreeArgs) -> CliResult {
    let p = a.profile.load()?;
    let prep = a.profile.query().prepare(&p)?;
    emit(&tree::tree(&prep, a.nodecount.unwrap_or(80), None)?)?;
    Ok(())
}

/// Arguments of `peek`.
#[derive(clap::Args)]
pub struct PeekArgs {
    /// Show the callers and callees of nodes matching this regex.
    regex: String,
    #[command(flatten)]
    profile: ProfileArgs,
}

pub fn peek_cmd(a: PeekArgs) -> CliResult {
    let p = a.profile.load()?;
    let q = a.profile.query().untrimmed();
    emit(&tree::tree(&q.prepare(&p)?, 0, Some(&a.regex))?)?;
    Ok(())
}

pub fn folded_cmd(a: ReportArgs) -> CliResult {
    let p = a.profile.load()?;
    let lines = folded::folded(&a.profile.query().prepare(&p)?);
    emit(&folded::to_text(&lines))
}

/// Arguments of `flamegraph`.
#[derive(clap::Args)]
pub struct FlameArgs {
    #[command(flatten)]
    profile: ProfileArgs,
    /// Write an SVG (through inferno) instead of d3-flame-graph JSON.
    #[arg(long)]
    svg: bool,
    /// Differential flame graph against this profile (`delta` per frame in JSON, red/blue
    /// in SVG).
    #[arg(long, value_name = "FILE")]
    compare: Option<PathBuf>,
}

pub fn flame_cmd(a: FlameArgs) -> CliResult {
    let p = a.profile.load()?;
    let q = a.profile.query();
    let prep = q.prepare(&p)?;
    let base = a.compare.as_deref().map(open).transpose()?;
    let base_prep: Option<Prepared<'_>> = base.as_ref().map(|b| q.prepare(b)).transpose()?;
    if a.svg {
        let title = format!("{} ({})", a.profile.inputs[0].display(), prep.sample_type);
        return emit(&flame::flamegraph_svg(&prep, base_prep.as_ref(), &title)?);
    }
    let graph = match &base_prep {
        Some(b) => flame::flamegraph_diff(b, &prep)?,
        None => flame::flamegraph(&prep),
    };
    // Tens of megabytes for a large profile: the newline goes on the end, not a copy.
    let mut json = graph.to_json();
    json.push('\n');
    emit(&json)?;
    Ok(())
}

pub fn speedscope_cmd(a: ReportArgs) -> CliResult {
    let p = a.profile.load()?;
    let name = a.profile.inputs[0].display().to_string();
    let doc = speedscope::speedscope(&a.profile.query().prepare(&p)?, &name);
    emit(&format!("{}\n", serde_json::to_string(&doc)?))?;
    Ok(())
}
