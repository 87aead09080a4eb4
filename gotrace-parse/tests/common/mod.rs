//! What the integration tests share.

/// A trace kept under `tests/data` (inputs the fuzzers found, hand-made v1 streams).
pub fn data(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(name),
    )
    .expect("read")
}
