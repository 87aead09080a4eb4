//! Linker set-up of the Node addon (napi-rs); nothing to do without the `node` feature.

fn main() {
    #[cfg(feature = "node")]
    napi_build::setup();
}
