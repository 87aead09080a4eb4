//! `GcReport::summarize_reader` reads a log of any length in bounded memory: 600,000
//! cycles (about 80 MB of log, generated as it is read, never held) raise the process's
//! peak RSS by a few MiB, where keeping the cycles would take tens. Alone in its test
//! binary, so that nothing else moves the peak.

use std::io::Read;

use profile_ops::gc::GcReport;

/// A gctrace log of `n` cycles, made as it is read.
struct Log {
    n: usize,
    i: usize,
    line: Vec<u8>,
    at: usize,
}

impl Read for Log {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.line.len() {
            if self.i == self.n {
                return Ok(0);
            }
            self.i += 1;
            let i = self.i;
            self.line = format!(
                "gc {i} @{}.{:03}s 1%: 0.0{}+1.{}+0.020 ms clock, 0.04+0.1/0.5/0+0.08 ms cpu, {}->5->2 MB, {} MB goal, 0 MB stacks, 0 MB globals, 4 P\n",
                i / 100,
                i % 100 * 10,
                i % 90 + 10,
                i % 7,
                i % 50 + 4,
                i % 60 + 5
            )
            .into_bytes();
            self.at = 0;
        }
        let k = buf.len().min(self.line.len() - self.at);
        buf[..k].copy_from_slice(&self.line[self.at..self.at + k]);
        self.at += k;
        Ok(k)
    }
}

/// Peak resident set size of this process so far (Linux `VmHWM`), in KiB.
fn peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn a_long_log_is_summarized_in_bounded_memory() {
    let n = 600_000;
    let before = peak_kib();
    let mut rows = 0usize;
    let log = Log {
        n,
        i: 0,
        line: Vec::new(),
        at: 0,
    };
    let r = GcReport::summarize_reader(std::io::BufReader::new(log), |_| rows += 1).unwrap();
    let grown = peak_kib().saturating_sub(before);
    assert_eq!(
        (r.summary.gc_lines as usize, rows, r.cycles.len()),
        (n, n, 0)
    );
    assert_eq!(r.summary.last_gc_number, Some(n as u64));
    // The cycle rows alone would be n × ~130 bytes = 74 MiB.
    assert!(grown < 16 << 10, "peak RSS grew by {grown} KiB");
}
