//! Node.js bindings of gprofops: the native addon `gprofops.node`, loaded by the npm
//! package `gprofops` (`index.js` / `index.mjs`, types in `index.d.ts`).
//!
//! The crate is thin: every function converts its arguments, calls `profile-ops` (or a
//! parser it re-exports) and converts the result; the `*Async` variants do the same work
//! on the libuv thread pool. Without the `node` feature it compiles to nothing, so
//! `cargo test --workspace` needs no Node; `npm run build` turns the feature on.
//!
//! - `profile`: `Profile`: decoding, its fields, encoding and saving;
//! - `report`: `merge`, `diff`, the filters and transformations, and the reports;
//! - `options`: the option objects (pprof's flags in camelCase) and their Rust forms;
//! - `input`: `Buffer`/`Uint8Array` input, borrowed without a copy;
//! - `gc`: `GcTrace`, the analysis of a gctrace log;
//! - `trace`: `Trace`, a Go execution trace: its summary, analyses and event stream;
//! - `value`: results as JS values, with the int64 rule (number or bigint);
//! - `errors`: Rust errors as thrown `Error`s with a stable `code`;
//! - `task`: running work on the libuv thread pool.

#![cfg(feature = "node")]
// napi-derive expands every exported item into `extern "C"` glue that uses `unsafe`; the
// crate's own code has no unsafe block.
#![allow(unsafe_code)]

mod errors;
mod gc;
mod input;
mod options;
mod profile;
mod report;
mod task;
mod trace;
mod value;
