//! The text legacy formats: heap (`heap profile:`, heapz, growthz, Go `debug=1` heap and
//! allocs), Go count profiles (goroutine, threadcreate), thread stacks (`--- threadz`) and
//! contention (`--- contentionz`, Go `--- mutex:` / `--- contention:`).

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::bytes::{Captures, Regex};

use super::model::{
    Fail, LProfile, LResult, LSample, bad, hex_addresses, is_memory_map_sentinel,
    is_space_or_comment, parse_i64, parse_i64_base0, trim,
};
use super::scanner::Scanner;

fn re(pattern: &str) -> Regex {
    // ASCII classes, as Go's regexp (which has no Unicode \d or \s).
    Regex::new(&format!("(?-u){pattern}")).expect("valid legacy regexp")
}

fn group<'a>(c: &Captures<'a>, i: usize) -> &'a [u8] {
    c.get(i).map_or(&b""[..], |m| m.as_bytes())
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Go's conversion of an out-of-range float to int64 on amd64 (the reference platform):
/// the "integer indefinite" value.
fn f64_to_i64(x: f64) -> i64 {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if x.is_nan() || !(-TWO_63..TWO_63).contains(&x) {
        i64::MIN
    } else {
        x as i64
    }
}

/// Un-samples a heap sample: a sample of average size S was recorded with probability
/// `1 - exp(-S/rate)` (google/pprof's `scaleHeapSample`).
pub(crate) fn scale_heap_sample(count: i64, size: i64, rate: i64) -> (i64, i64) {
    if count == 0 || size == 0 {
        return (0, 0);
    }
    if rate <= 1 {
        return (count, size);
    }
    let avg = size as f64 / count as f64;
    let scale = 1.0 / (1.0 - (-avg / rate as f64).exp());
    (
        f64_to_i64(count as f64 * scale),
        f64_to_i64(size as f64 * scale),
    )
}

/// Appends a sample whose addresses are return addresses (adjusted by -1 to land on the
/// call), creating locations on first use.
fn push_sample(
    p: &mut LProfile,
    locs: &mut HashMap<u64, usize>,
    addrs: &[u64],
    values: Vec<i64>,
    bytes: Option<i64>,
) {
    let locations = addrs
        .iter()
        .map(|&a| p.location(locs, a.wrapping_sub(1)))
        .collect();
    p.samples.push(LSample {
        locations,
        values,
        bytes_label: bytes,
    });
}

// ---- heap ----

static HEAP_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    re(r"heap profile: *(\d+): *(\d+) *\[ *(\d+): *(\d+) *\] *@ *(heap[_a-z0-9]*)/?(\d*)")
});
static HEAP_SAMPLE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(-?\d+): *(-?\d+) *\[ *(\d+): *(\d+) *] @([ x0-9a-f]*)"));
static GROWTH_HEADER: LazyLock<Regex> =
    LazyLock::new(|| re(r"heap profile: *(\d+): *(\d+) *\[ *(\d+): *(\d+) *\] @ growthz?"));
static FRAGMENTATION_HEADER: LazyLock<Regex> =
    LazyLock::new(|| re(r"heap profile: *(\d+): *(\d+) *\[ *(\d+): *(\d+) *\] @ fragmentationz?"));

/// Heap profiles: `heap profile: …` headers of gperftools and Go (`debug=1`).
pub(crate) fn parse_heap(b: &[u8]) -> LResult<LProfile> {
    let mut s = Scanner::new(b);
    if !s.scan() {
        return Err(Fail::Unrecognized);
    }
    let line = s.text();
    let (sampling_v2, period, has_alloc) = if let Some(h) = HEAP_HEADER.captures(line) {
        heap_header(&h)?
    } else if GROWTH_HEADER.is_match(line) || FRAGMENTATION_HEADER.is_match(line) {
        (false, 1, false)
    } else {
        return Err(Fail::Unrecognized);
    };
    let types: &[(&str, &str)] = if has_alloc {
        // Alloc first so that the default (last) type is inuse_space.
        &[
            ("alloc_objects", "count"),
            ("alloc_space", "bytes"),
            ("inuse_objects", "count"),
            ("inuse_space", "bytes"),
        ]
    } else {
        &[("objects", "count"), ("space", "bytes")]
    };
    let mut p = LProfile::new(types, ("space", "bytes"), period);
    let mut locs = HashMap::new();
    while s.scan() {
        let line = trim(s.text());
        if is_space_or_comment(line) {
            continue;
        }
        if is_memory_map_sentinel(line) {
            break;
        }
        let (values, blocksize, addrs) = heap_sample(line, p.period, sampling_v2, has_alloc)
            .map_err(|m| bad("heap", s.line, m))?;
        push_sample(&mut p, &mut locs, &addrs, values, Some(blocksize));
    }
    p.add_memory_map(s.after_memory_map())?;
    Ok(p)
}

/// `(v2 sampling, period, has alloc columns)` from a `heap profile:` header.
fn heap_header(h: &Captures<'_>) -> LResult<(bool, i64, bool)> {
    let mut period = 0;
    if !group(h, 6).is_empty() {
        period = parse_i64(group(h, 6)).ok_or(Fail::Unrecognized)?;
    }
    let (h1, h2, h3, h4) = (group(h, 1), group(h, 2), group(h, 3), group(h, 4));
    let has_alloc = (h3 != h1 && h3 != b"0") || (h4 != h2 && h4 != b"0");
    match group(h, 5) {
        b"heapz_v2" | b"heap_v2" => Ok((true, period, has_alloc)),
        b"heapprofile" => Ok((false, 1, has_alloc)),
        // Go writes the sampling rate; the mean sample is half of it.
        b"heap" => Ok((true, period / 2, has_alloc)),
        _ => Err(Fail::Unrecognized),
    }
}

fn heap_sample(
    line: &[u8],
    rate: i64,
    v2: bool,
    alloc: bool,
) -> Result<(Vec<i64>, i64, Vec<u64>), String> {
    let c = HEAP_SAMPLE
        .captures(line)
        .ok_or_else(|| "unexpected number of sample values: got 0, want 6".to_string())?;
    let mut values = Vec::with_capacity(4);
    let mut blocksize = 0;
    let mut add = |count: &[u8], size: &[u8], label: &str| -> Result<(), String> {
        let malformed = || format!("malformed sample: {}", lossy(line));
        let mut count = parse_i64(count).ok_or_else(malformed)?;
        let mut size = parse_i64(size).ok_or_else(malformed)?;
        if count == 0 && size != 0 {
            return Err(format!("{label} count was 0 but {label} bytes was {size}"));
        }
        if count != 0 {
            blocksize = size.wrapping_div(count);
            if v2 {
                (count, size) = scale_heap_sample(count, size, rate);
            }
        }
        values.extend([count, size]);
        Ok(())
    };
    if alloc {
        add(group(&c, 3), group(&c, 4), "allocation")?;
    }
    add(group(&c, 1), group(&c, 2), "inuse")?;
    let addrs = hex_addresses(group(&c, 5))
        .map_err(|e| format!("malformed sample: {}: {e}", lossy(line)))?;
    Ok((values, blocksize, addrs))
}

// ---- Go count profiles ----

static COUNT_START: LazyLock<Regex> = LazyLock::new(|| re(r"\A(\S+) profile: total \d+\z"));
static COUNT: LazyLock<Regex> = LazyLock::new(|| re(r"\A(\d+) @(( 0x[0-9a-f]+)+)\z"));

/// Go `debug=1` count profiles: `goroutine profile: total N`, `threadcreate profile: …`.
pub(crate) fn parse_go_count(b: &[u8]) -> LResult<LProfile> {
    let mut s = Scanner::new(b);
    while s.scan() && is_space_or_comment(s.text()) {}
    let Some(m) = COUNT_START.captures(s.text()) else {
        return Err(Fail::Unrecognized);
    };
    let ty = lossy(group(&m, 1));
    let mut p = LProfile::new(&[(&ty, "count")], (&ty, "count"), 1);
    let mut locs = HashMap::new();
    while s.scan() {
        let line = s.text();
        if is_space_or_comment(line) {
            continue;
        }
        if line.starts_with(b"---") {
            break;
        }
        let malformed = || {
            bad(
                "count",
                s.line,
                format!("malformed sample: {}", lossy(line)),
            )
        };
        let m = COUNT.captures(line).ok_or_else(malformed)?;
        let n = parse_i64_base0(group(&m, 1)).ok_or_else(malformed)?;
        let mut addrs = Vec::new();
        for f in group(&m, 2).split(|&c| c == b' ').filter(|f| !f.is_empty()) {
            let digits = f.strip_prefix(b"0x").ok_or_else(malformed)?;
            let a = std::str::from_utf8(digits)
                .ok()
                .and_then(|d| u64::from_str_radix(d, 16).ok())
                .ok_or_else(malformed)?;
            addrs.push(a);
        }
        push_sample(&mut p, &mut locs, &addrs, vec![n], None);
    }
    p.add_memory_map(s.after_memory_map())?;
    Ok(p)
}

// ---- thread stacks ----

static THREADZ_START: LazyLock<Regex> = LazyLock::new(|| re(r"--- threadz \d+ ---"));
static THREAD_START: LazyLock<Regex> =
    LazyLock::new(|| re(r"--- Thread ([[:xdigit:]]+) \(name: (.*)/(\d+)\) stack: ---"));

/// `--- threadz` profiles: one sample per thread stack.
pub(crate) fn parse_thread(b: &[u8]) -> LResult<LProfile> {
    let mut s = Scanner::new(b);
    while s.scan() && is_space_or_comment(s.text()) {}
    let mut line = s.text();
    if THREADZ_START.is_match(line) {
        while s.scan() {
            line = s.text();
            if is_memory_map_sentinel(line) || line.starts_with(b"-") {
                break;
            }
        }
    } else if !THREAD_START.is_match(line) {
        return Err(Fail::Unrecognized);
    }
    let mut p = LProfile::new(&[("thread", "count")], ("thread", "count"), 1);
    let mut locs = HashMap::new();
    while !is_memory_map_sentinel(line) {
        if line.starts_with(b"---- no stack trace for") {
            break;
        }
        if !THREAD_START.is_match(line) {
            return Err(Fail::Unrecognized);
        }
        let (next, addrs) = thread_sample(&mut s)?;
        line = next;
        let Some(addrs) = addrs else {
            // "same as previous thread": one more thread on the last stack.
            if let Some(last) = p.samples.last_mut() {
                last.values[0] = last.values[0].wrapping_add(1);
            }
            continue;
        };
        // Return addresses except the leaf, which is where the thread is.
        let locations = addrs
            .iter()
            .enumerate()
            .map(|(i, &a)| p.location(&mut locs, if i > 0 { a.wrapping_sub(1) } else { a }))
            .collect();
        p.samples.push(LSample {
            locations,
            values: vec![1],
            bytes_label: None,
        });
    }
    p.add_memory_map(s.after_memory_map())?;
    p.cleanup_duplicate_locations();
    Ok(p)
}

/// One thread's stack lines, up to the next `---` line (returned); `None` addresses for a
/// "same as previous thread" marker.
fn thread_sample<'a>(s: &mut Scanner<'a>) -> LResult<(&'a [u8], Option<Vec<u64>>)> {
    let mut line: &[u8] = b"";
    let mut same = false;
    let mut addrs = Vec::new();
    while s.scan() {
        line = trim(s.text());
        if line.is_empty() {
            continue;
        }
        if line.starts_with(b"---") {
            break;
        }
        if memchr::memmem::find(line, b"same as previous thread").is_some() {
            same = true;
            continue;
        }
        let more = hex_addresses(line)
            .map_err(|e| bad("thread", s.line, format!("malformed sample: {e}")))?;
        addrs.extend(more);
    }
    Ok((line, if same { None } else { Some(addrs) }))
}

// ---- contention ----

static CONTENTION_SAMPLE: LazyLock<Regex> = LazyLock::new(|| re(r"(\d+) *(\d+) @([ x0-9a-f]*)"));

/// Contention profiles: gperftools `--- contentionz`, Go `--- mutex:` and
/// `--- contention:` (block) with their `key = value` attributes.
pub(crate) fn parse_contention(b: &[u8]) -> LResult<LProfile> {
    let mut s = Scanner::new(b);
    if !s.scan() {
        return Err(Fail::Unrecognized);
    }
    let first = s.text();
    if !(first.starts_with(b"--- contentionz ")
        || first.starts_with(b"--- mutex:")
        || first.starts_with(b"--- contention:"))
    {
        return Err(Fail::Unrecognized);
    }
    let mut p = LProfile::new(
        &[("contentions", "count"), ("delay", "nanoseconds")],
        ("contentions", "count"),
        1,
    );
    let mut cpu_hz = 0i64;
    while s.scan() {
        let line = trim(s.text());
        if is_space_or_comment(line) {
            continue;
        }
        if line.starts_with(b"---") {
            break;
        }
        let Some(eq) = line.iter().position(|&c| c == b'=') else {
            break;
        };
        let (key, val) = (trim(&line[..eq]), trim(&line[eq + 1..]));
        let num = || parse_i64_base0(val).ok_or(Fail::Unrecognized);
        match key {
            b"cycles/second" => cpu_hz = num()?,
            b"sampling period" => p.period = num()?,
            b"ms since reset" => p.duration_nanos = num()?.wrapping_mul(1_000_000),
            b"discarded samples" => {}
            // "format" and "resolution" belong to the Java flavour; anything else is
            // not a contention profile either.
            _ => return Err(Fail::Unrecognized),
        }
    }
    let mut locs = HashMap::new();
    loop {
        let line = trim(s.text());
        if line.starts_with(b"---") {
            break;
        }
        if !is_space_or_comment(line) {
            let c = CONTENTION_SAMPLE.captures(line).ok_or(Fail::Unrecognized)?;
            let malformed = || {
                bad(
                    "contention",
                    s.line,
                    format!("malformed sample: {}", lossy(line)),
                )
            };
            let mut v1 = parse_i64(group(&c, 1)).ok_or_else(malformed)?;
            let mut v2 = parse_i64(group(&c, 2)).ok_or_else(malformed)?;
            // Un-sample: delays from cycles to nanoseconds, counts by the period.
            if p.period > 0 {
                if cpu_hz > 0 {
                    let ghz = cpu_hz as f64 / 1e9;
                    v1 = f64_to_i64(v1 as f64 * p.period as f64 / ghz);
                }
                v2 = v2.wrapping_mul(p.period);
            }
            let addrs = hex_addresses(group(&c, 3)).map_err(|e| bad("contention", s.line, e))?;
            push_sample(&mut p, &mut locs, &addrs, vec![v2, v1], None);
        }
        if !s.scan() {
            break;
        }
    }
    p.add_memory_map(s.after_memory_map())?;
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_heap_debug1() {
        let text = b"heap profile: 1: 2048 [3: 6144] @ heap/1048576\n1: 2048 [3: 6144] @ 0x1001 0x2001\n#\t0x1000\tmain.f+0x0\t/x.go:3\n\n# runtime.MemStats\n# Alloc = 1\n";
        let p = parse_heap(text).unwrap();
        assert_eq!(p.sample_types.len(), 4);
        assert_eq!(p.period, 524288);
        let s = &p.samples[0];
        // Worked out by hand: scale = 1/(1-exp(-2048/524288)) for both columns.
        let scale = 1.0 / (1.0 - (-2048.0f64 / 524288.0).exp());
        assert_eq!(
            s.values,
            vec![
                (3.0 * scale) as i64,
                (6144.0 * scale) as i64,
                scale as i64,
                (2048.0 * scale) as i64
            ]
        );
        assert_eq!(s.bytes_label, Some(2048));
    }

    #[test]
    fn heap_errors_name_the_line() {
        let text = b"heap profile: 1: 2 [3: 4] @ heap/2\ngarbage\n";
        match parse_heap(text) {
            Err(Fail::Bad(crate::Error::Legacy { format, line, .. })) => {
                assert_eq!((format, line), ("heap", 2))
            }
            other => panic!("{other:?}"),
        }
        let zero = b"heap profile: 1: 2 [3: 4] @ heap/2\n0: 5 [0: 0] @ 0x1\n";
        assert!(matches!(parse_heap(zero), Err(Fail::Bad(_))));
        let overflow =
            b"heap profile: 1: 2 [3: 4] @ heap/2\n99999999999999999999: 5 [0: 0] @ 0x1\n";
        assert!(matches!(parse_heap(overflow), Err(Fail::Bad(_))));
    }

    #[test]
    fn goroutine_debug1() {
        let text = b"goroutine profile: total 3\n2 @ 0x10 0x20\n#\t0x10\tmain.f\n\n1 @ 0x30\n";
        let p = parse_go_count(text).unwrap();
        assert_eq!(
            p.sample_types,
            vec![("goroutine".to_string(), "count".to_string())]
        );
        assert_eq!(p.samples.len(), 2);
        assert_eq!(p.samples[0].values, vec![2]);
        assert!(matches!(
            parse_go_count(b"goroutine profile: total 1\nxx\n"),
            Err(Fail::Bad(_))
        ));
        assert!(matches!(
            parse_go_count(b"hello\n"),
            Err(Fail::Unrecognized)
        ));
    }

    #[test]
    fn go_mutex_debug1() {
        let text = b"--- mutex:\ncycles/second=2000000000\nsampling period=1\n100 2 @ 0x10 0x20\n";
        let p = parse_contention(text).unwrap();
        // delay: 100 cycles / 2 GHz = 50 ns; count 2 × period 1.
        assert_eq!(p.samples[0].values, vec![2, 50]);
    }
}
