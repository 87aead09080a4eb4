//! Differential test against Go itself: a tiny Go program writes `debug=1` text profiles
//! (heap, allocs, goroutine, threadcreate, mutex, block) and `go tool pprof -raw` reads
//! them; our decoder must report the same sample types, period, sample count and totals.
//! Runs whenever `go` is on PATH (it is on developer machines and CI); without Go it says
//! so and checks nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

use pprof_format::Profile;

const PROGRAM: &str = r#"
package main

import (
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"
)

var sink [][]byte

func alloc(n int) {
	for i := 0; i < n; i++ {
		sink = append(sink, make([]byte, 1024+i%4096))
	}
}

func main() {
	runtime.MemProfileRate = 4096
	runtime.SetMutexProfileFraction(1)
	runtime.SetBlockProfileRate(1)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				mu.Lock()
				alloc(3)
				time.Sleep(10 * time.Microsecond)
				mu.Unlock()
			}
		}()
	}
	ch := make(chan int)
	go func() { time.Sleep(5 * time.Millisecond); ch <- 1 }()
	<-ch
	wg.Wait()
	runtime.GC()
	for _, name := range []string{"heap", "allocs", "goroutine", "threadcreate", "mutex", "block"} {
		f, err := os.Create(os.Args[1] + "/" + name + ".txt")
		if err != nil {
			panic(err)
		}
		if err := pprof.Lookup(name).WriteTo(f, 1); err != nil {
			panic(err)
		}
		f.Close()
	}
}
"#;

/// What `go tool pprof -raw` reports, parsed as shared/tools/oracle/pprof_oracle.py does.
#[derive(Debug, PartialEq)]
struct Raw {
    sample_types: Vec<String>,
    period: i64,
    num_samples: usize,
    totals: Vec<i64>,
}

fn go_raw(path: &Path) -> Raw {
    let out = Command::new("go")
        .args(["tool", "pprof", "-symbolize=none", "-raw"])
        .arg(path)
        .env("PPROF_BINARY_PATH", "/nonexistent")
        .output()
        .expect("go tool pprof runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut raw = Raw {
        sample_types: Vec::new(),
        period: 0,
        num_samples: 0,
        totals: Vec::new(),
    };
    let mut lines = text.lines();
    for line in lines.by_ref() {
        if let Some(p) = line.strip_prefix("Period: ") {
            raw.period = p.trim().parse().expect("period");
        }
        if line.trim() == "Samples:" {
            break;
        }
    }
    let header = lines.next().unwrap_or_default();
    raw.sample_types = header
        .split_whitespace()
        .map(|t| t.trim_end_matches("[dflt]").to_string())
        .collect();
    raw.totals = vec![0; raw.sample_types.len()];
    for line in lines {
        if line.starts_with("Locations") || line.starts_with("Mappings") {
            break;
        }
        let Some((vals, _)) = line.split_once(':') else {
            continue;
        };
        let vals: Vec<i64> = match vals.split_whitespace().map(str::parse).collect() {
            Ok(v) => v,
            Err(_) => continue, // a label line
        };
        if vals.is_empty() {
            continue;
        }
        raw.num_samples += 1;
        for (t, v) in raw.totals.iter_mut().zip(vals) {
            *t += v;
        }
    }
    raw
}

fn ours(path: &Path) -> Raw {
    let p = Profile::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let k = p.sample_types().len();
    let mut totals = vec![0i64; k];
    for s in p.iter_samples() {
        for (t, v) in totals.iter_mut().zip(s.values) {
            *t += v;
        }
    }
    Raw {
        sample_types: p
            .sample_types()
            .iter()
            .map(|vt| format!("{}/{}", p.string(vt.ty), p.string(vt.unit)))
            .collect(),
        period: p.period(),
        num_samples: p.num_samples(),
        totals,
    }
}

#[test]
fn go_debug1_text_profiles_agree_with_go_tool_pprof() {
    if Command::new("go").arg("version").output().is_err() {
        // CI always has Go: a skip there would be a pass that checked nothing.
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have a Go toolchain on PATH"
        );
        eprintln!("go not on PATH: skipping the differential test against go tool pprof");
        return;
    }
    let dir: PathBuf =
        std::env::temp_dir().join(format!("gprofops-legacy-go-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("main.go"), PROGRAM).unwrap();
    std::fs::write(dir.join("go.mod"), "module legacygo\n\ngo 1.21\n").unwrap();
    let status = Command::new("go")
        .args(["run", "."])
        .arg(&dir)
        .current_dir(&dir)
        .env("GOFLAGS", "-mod=mod")
        .status()
        .expect("go run");
    assert!(status.success());
    let mut checked = 0;
    for name in [
        "heap",
        "allocs",
        "goroutine",
        "threadcreate",
        "mutex",
        "block",
    ] {
        let path = dir.join(format!("{name}.txt"));
        let (want, got) = (go_raw(&path), ours(&path));
        assert_eq!(got, want, "{name}");
        assert!(
            want.num_samples > 0,
            "{name}: the Go program should produce samples"
        );
        checked += 1;
    }
    assert_eq!(checked, 6);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn errors_escape_the_control_characters_they_quote() {
    // A garbled line carrying a terminal title change and a screen clear.
    let input = b"goroutine profile: total 3\n\x1b]0;pwned\x07\x1b[2J x\n";
    let err = pprof_format::Profile::decode(input)
        .unwrap_err()
        .to_string();
    assert!(!err.chars().any(char::is_control), "{err:?}");
    assert!(err.contains(r"\u{1b}]0;pwned\u{7}\u{1b}[2J x"), "{err}");
}
