//! Legacy `debug=1` heap text written by a Go program in the test, read by us and by
//! `go tool pprof`: `-traces` and `-raw` must agree. The program allocates after the last
//! GC, so the profile holds `0: 0 [0: 0]` records, whose `bytes` label is 0 and which
//! google/pprof's model keeps (`bytes:  0` in `-traces`, `bytes:[0]` in `-raw`).
//!
//! Go is required: it is on developer machines and in CI, and this test has nothing to
//! compare with without it.

use std::path::Path;
use std::process::Command;

use profile_ops::pprof::Profile;
use profile_ops::query::Query;
use profile_ops::report::traces::traces;

const PROGRAM: &str = r#"
package main

import (
	"os"
	"runtime"
	"runtime/pprof"
)

var sink [][]byte

//go:noinline
func before(n int) {
	for i := 0; i < n; i++ {
		sink = append(sink, make([]byte, 512+i%2048))
	}
}

//go:noinline
func after(n int) {
	for i := 0; i < n; i++ {
		sink = append(sink, make([]byte, 256+i%1024))
	}
}

func main() {
	runtime.MemProfileRate = 1
	before(2000)
	runtime.GC()
	// Allocated after the last completed cycle: their records exist, with nothing
	// published yet, so debug=1 prints them as "0: 0 [0: 0]".
	after(500)
	for _, name := range []string{"heap", "allocs"} {
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

fn go_pprof(flag: &str, file: &Path) -> String {
    let out = Command::new("go")
        .args(["tool", "pprof", "-symbolize=none", flag])
        .arg(file)
        .env("TZ", "UTC")
        .env("PPROF_BINARY_PATH", "/nonexistent")
        .env("PPROF_TMPDIR", std::env::temp_dir())
        .output()
        .expect("go on PATH");
    assert!(
        out.status.success(),
        "go tool pprof {flag} {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn zero_records_keep_their_bytes_label_as_go_tool_pprof_does() {
    let dir = std::env::temp_dir().join(format!("gprofops-legacy-heap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("main.go"), PROGRAM).unwrap();
    std::fs::write(dir.join("go.mod"), "module legacyheap\n\ngo 1.22\n").unwrap();
    let out = Command::new("go")
        .args(["run", ".", "."])
        .current_dir(&dir)
        .env("GOFLAGS", "-mod=mod")
        .output()
        .expect("go on PATH");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    for name in ["heap", "allocs"] {
        let file = dir.join(format!("{name}.txt"));
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.lines().any(|l| l.starts_with("0: 0 [0: 0] @")),
            "{name}: the program made no zero record"
        );
        let p = Profile::open(&file).unwrap();

        let ours = traces(&Query::default().prepare(&p).unwrap());
        let go = go_pprof("-traces", &file);
        // Header lines name the file; compare from the first trace on.
        let body = |t: &str| t[t.find("-----------").unwrap()..].to_string();
        assert_eq!(body(&ours), body(&go), "{name}: -traces");
        assert!(go.contains("bytes:  0"), "{name}: Go printed no zero label");

        let go_raw = go_pprof("-raw", &file);
        let zero_labels = |t: &str| t.matches("bytes:[0]").count();
        assert!(
            zero_labels(&go_raw) > 0,
            "{name}: Go's -raw has no bytes:[0]"
        );
        assert_eq!(
            zero_labels(&p.to_text()),
            zero_labels(&go_raw),
            "{name}: -raw"
        );

        // Written to profile.proto and read back, the label says nothing on the wire:
        // google/pprof's decoder drops it, and so does ours.
        let back = Profile::decode(&p.encode()).unwrap();
        assert_eq!(zero_labels(&back.to_text()), 0, "{name}: decoded");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
