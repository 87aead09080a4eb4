//! Shared helpers of the benches and side-by-side scripts: where the corpus is, which of
//! its files to use, and a generator of large realistic profiles.

use std::path::{Path, PathBuf};

use profile_ops::pprof::{Label, Line, Profile, ProfileBuilder};

/// `../shared/corpus` next to the repository root, or `$GPROFOPS_CORPUS`.
pub fn corpus_dir() -> PathBuf {
    std::env::var_os("GPROFOPS_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// Peak resident set size of this process so far (VmHWM), in bytes.
pub fn vm_hwm() -> u64 {
    proc_status_bytes("VmHWM:")
}

/// Resident set size of this process now (VmRSS), in bytes.
pub fn vm_rss() -> u64 {
    proc_status_bytes("VmRSS:")
}

/// A `kB` field of /proc/self/status, in bytes (0 where there is none).
fn proc_status_bytes(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with(field))?.to_owned();
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        })
        .map_or(0, |kb| kb * 1024)
}

/// Decodes a small profile, raw and gzipped, once: the decoder's code is then paged in,
/// so that the peak memory measured around the next decode is that decode's memory and
/// not the program's own text (half a megabyte, which would be half the peak of a 1 MB
/// profile). It allocates a few kilobytes, which the allocator keeps for later.
pub fn warm_up_decoder() {
    let mut b = ProfileBuilder::new();
    b.sample_type("samples", "count");
    let f = b.function("main.main", "main.go", 1);
    let loc = b.location(None, 0x1000, &[(f, 10)]);
    let key = b.string("k");
    let label = Label {
        key,
        str: key,
        num: 0,
        num_unit: 0,
    };
    b.sample(&[loc, loc], &[1], &[label]);
    if let Ok(p) = b.build() {
        for bytes in [p.encode(), p.encode_gzip()] {
            std::hint::black_box(Profile::decode(&bytes).ok());
        }
    }
}

/// Size of the profile.proto bytes in `data`: inflated when it is gzip (outside any
/// timing: the decoders never need the whole inflated buffer).
pub fn protobuf_len(data: &[u8]) -> usize {
    if profile_ops::pprof::is_gzip(data) {
        profile_ops::pprof::gunzip(data, usize::MAX).map_or(0, |b| b.len())
    } else {
        data.len()
    }
}

/// CPU time (user + system, all threads) this process has used so far, in seconds: on a
/// shared machine, wall-clock time also counts waiting for a core.
pub fn cpu_seconds() -> f64 {
    // Fields 14 and 15 of /proc/self/stat, after the parenthesised command name, in clock
    // ticks of 1/100 s (USER_HZ on Linux).
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = &s[s.rfind(')')? + 2..];
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some((f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?) as f64 / 100.0)
        })
        .unwrap_or(0.0)
}

/// Runs `f` and returns its result with the wall-clock and CPU seconds (see
/// [`cpu_seconds`]) it took.
pub fn timed<T>(f: impl FnOnce() -> T) -> (T, f64, f64) {
    let (start, cpu) = (std::time::Instant::now(), cpu_seconds());
    let out = f();
    (out, start.elapsed().as_secs_f64(), cpu_seconds() - cpu)
}

/// `copies` versions of each profile with its values scaled by a different factor each
/// (0.5 to 1.5): a fleet's worth of profiles of one service, for merge benchmarks.
pub fn perturbed_copies(bases: &[Profile], copies: usize) -> Vec<Profile> {
    let mut out = Vec::with_capacity(bases.len() * copies);
    for i in 0..copies {
        let factor = 0.5 + i as f64 / copies.max(1) as f64;
        for b in bases {
            out.push(profile_ops::transform::scale(b, factor).expect("scaling a valid profile"));
        }
    }
    out
}

/// The corpus's Go CPU profiles with the common `samples/count, cpu/nanoseconds` shape.
pub fn corpus_cpu_profiles() -> Vec<PathBuf> {
    [
        "pprof/parca/pkg/query/testdata/profile1.pb.gz",
        "pprof/parca/pkg/query/testdata/fib.pb.gz",
        "pprof/parca/pkg/parca/testdata/labels.pb.gz",
        "pprof/parca/pkg/symbolizer/testdata/normal-cpu.stripped.pprof",
    ]
    .iter()
    .map(|p| corpus_dir().join(p))
    .collect()
}

/// The `n` largest profiles of `corpus/pprof` that decode, largest first.
pub fn largest_corpus_profiles(n: usize) -> Vec<PathBuf> {
    let mut files = Vec::new();
    walk(&corpus_dir().join("pprof"), &mut files);
    let mut files: Vec<(u64, PathBuf)> = files
        .into_iter()
        .filter(|p| {
            let name = p.to_string_lossy();
            !(name.ends_with(".json") || name.ends_with(".string") || name.ends_with(".txt"))
        })
        .filter(|p| Profile::open(p).is_ok())
        .filter_map(|p| Some((std::fs::metadata(&p).ok()?.len(), p)))
        .collect();
    files.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    files.into_iter().take(n).map(|(_, p)| p).collect()
}

/// A large profile made of `copies` copies of every sample of `base` with perturbed
/// values, over the same functions and locations: the shape of a long-running service's
/// profile (many samples, a symbol table that does not grow with the sample count).
pub fn synthetic_profile(base: &Profile, copies: usize) -> Profile {
    let mut b = ProfileBuilder::new();
    let s = |id| base.string(id).into_owned();
    for vt in base.sample_types() {
        b.sample_type(&s(vt.ty), &s(vt.unit));
    }
    if let Some(pt) = base.period_type() {
        b.period_type(&s(pt.ty), &s(pt.unit));
    }
    b.period(base.period())
        .time_nanos(base.time_nanos())
        .duration_nanos(base.duration_nanos());
    let maps: Vec<u32> = base
        .mappings()
        .iter()
        .map(|m| {
            let mut m = *m;
            m.filename = b.string_bytes(base.bytes_of(m.filename));
            m.build_id = b.string_bytes(base.bytes_of(m.build_id));
            b.intern_mapping(m)
        })
        .collect();
    let funcs: Vec<u32> = base
        .functions()
        .iter()
        .map(|f| {
            let mut f = *f;
            f.name = b.string_bytes(base.bytes_of(f.name));
            f.system_name = b.string_bytes(base.bytes_of(f.system_name));
            f.filename = b.string_bytes(base.bytes_of(f.filename));
            b.push_function(f)
        })
        .collect();
    let locs: Vec<u32> = base
        .locations()
        .iter()
        .map(|l| {
            let lines: Vec<Line> = base
                .location_lines(l)
                .iter()
                .map(|ln| Line {
                    function: funcs[ln.function as usize],
                    ..*ln
                })
                .collect();
            b.push_location(
                l.id,
                l.mapping.map(|m| maps[m as usize]),
                l.address,
                &lines,
                l.is_folded,
            )
        })
        .collect();
    let mut stack = Vec::new();
    let mut labels = Vec::new();
    let mut values = Vec::new();
    for c in 0..copies {
        for smp in base.iter_samples() {
            stack.clear();
            stack.extend(smp.locations.iter().map(|l| locs[l as usize]));
            labels.clear();
            labels.extend(smp.labels.iter().map(|l| Label {
                key: b.string_bytes(base.bytes_of(l.key)),
                str: b.string_bytes(base.bytes_of(l.str)),
                num: l.num,
                num_unit: b.string_bytes(base.bytes_of(l.num_unit)),
            }));
            values.clear();
            values.extend(smp.values.iter().map(|v| v.wrapping_add((c % 7) as i64)));
            b.sample(&stack, &values, &labels);
        }
    }
    b.build()
        .expect("copying a valid profile gives a valid profile")
}

/// A realistic gctrace log of about `size` bytes: gc lines of the Go 1.5, 1.9 and 1.19+
/// layouts (some forced), pacer and scavenger lines, and program output, some of it
/// printed just before a gc line on the same line. Deterministic.
pub fn gctrace_log(size: usize) -> Vec<u8> {
    use std::io::Write;
    let mut out = Vec::with_capacity(size + 512);
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut rnd = move |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    };
    let mut n = 0u64;
    while out.len() < size {
        n += 1;
        let (secs, ms) = (n / 10, (n % 10) * 100 + rnd(100));
        let heap = 4 + rnd(4000);
        let _ = match rnd(20) {
            0 => writeln!(out, "worker {}: processed {} items", rnd(8), rnd(100_000)),
            1 => writeln!(
                out,
                "pacer: assist ratio={}.{} (scan {} MB in {}->{} MB) workers={}+0.25",
                rnd(5),
                rnd(1000),
                rnd(50),
                heap,
                heap + 1,
                rnd(8)
            ),
            2 => writeln!(
                out,
                "scav {} KiB work (bg), {} KiB work (eager), {} KiB now, {}% util",
                rnd(4096),
                rnd(1024),
                rnd(100_000),
                rnd(100)
            ),
            3 => writeln!(
                out,
                "gc {n} @{secs}.{ms:03}s 0%: 0+1.0+1.0+0+1.0 ms clock, 0+1.0+0+1.0/0/0+3.0 ms cpu, {heap}->{}->{} MB, {} MB goal, 8 P",
                heap + 1,
                heap / 2,
                heap + 2
            ),
            4 => writeln!(
                out,
                "gc {n} @{secs}.{ms:03}s 3%: 0.{:03}+{}+0.{:03} ms clock, 0.40+2.1/{}/700+0.80 ms cpu, {heap}->{}->{} MB, {} MB goal, 8 P",
                rnd(1000),
                rnd(500),
                rnd(1000),
                rnd(300),
                heap + 3,
                heap / 3,
                heap + 5
            ),
            5 => write!(out, "request {} done in {}ms ", rnd(1_000_000), rnd(900)),
            _ => writeln!(
                out,
                "gc {n} @{secs}.{ms:03}s {}%: 0.0{:02}+{}.{}+0.0{:02} ms clock, 0.{:03}+0.{}/{}.{}/0.{}+0.{:03} ms cpu, {heap}->{}->{} MB, {} MB goal, {} MB stacks, {} MB globals, {} P{}",
                rnd(10),
                rnd(100),
                rnd(20),
                rnd(10),
                rnd(100),
                rnd(1000),
                rnd(100),
                rnd(5),
                rnd(10),
                rnd(100),
                rnd(1000),
                heap + rnd(10),
                heap / 2,
                heap + 4,
                rnd(4),
                rnd(2),
                1 + rnd(16),
                if rnd(30) == 0 { " (forced)" } else { "" }
            ),
        };
    }
    out
}
