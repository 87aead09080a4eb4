//! Shared helpers of the benches: where the corpus is, which files to use.

use std::path::PathBuf;

/// `../shared/corpus` next to the repository root, or `$GPROFOPS_CORPUS`.
pub fn corpus_dir() -> PathBuf {
    std::env::var_os("GPROFOPS_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"))
}
