//! Go execution traces (`runtime/trace`, `go test -trace`, the flight recorder).
//!
//! This crate is being built under its own issue; see `../shared/DESIGN.md`.
