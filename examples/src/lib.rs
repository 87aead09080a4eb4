//! Runnable examples live in `rust/`; see the README.
