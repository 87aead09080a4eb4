//! `GODEBUG=gctrace=1`, `scavtrace` and `gcpacertrace` log scanner.
//!
//! This crate is being built under its own issue; see `../shared/DESIGN.md`.
