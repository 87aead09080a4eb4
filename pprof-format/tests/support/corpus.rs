//! The shared corpus's pprof files (`../shared/corpus/pprof`, beside the repository).

use std::path::{Path, PathBuf};

/// The corpus's pprof directory.
pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/pprof")
}

/// Every file under the corpus's pprof directory, sorted, its subdirectories included.
pub fn files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    walk(&dir(), &mut out);
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e} (the shared corpus must sit beside the repository)",
                dir.display()
            )
        })
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}
