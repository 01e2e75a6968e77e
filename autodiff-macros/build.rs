//! Sets `cfg(ad_span_file)` when the compiler's `proc_macro::Span` has `local_file` and `line`
//! (stable since Rust 1.88): the macro then reads the `impl` header around a method to explain
//! a method attribute in a trait impl (`src/enclosing.rs`). Older compilers (the crate's MSRV is
//! 1.82) build without it and report rustc's E0407 there instead.
use std::process::Command;

fn main() {
    println!("cargo:rustc-check-cfg=cfg(ad_span_file)");
    println!("cargo:rerun-if-env-changed=RUSTC");
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let minor = Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|v| v.split('.').nth(1).and_then(|m| m.parse::<u32>().ok()));
    if minor.is_some_and(|m| m >= 88) {
        println!("cargo:rustc-cfg=ad_span_file");
    }
}
