//! Links the system OpenBLAS when the `blas` feature is on: `cblas-sys` only declares the CBLAS
//! functions and leaves the choice of library to the final crate.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var_os("CARGO_FEATURE_BLAS").is_some() {
        println!("cargo:rustc-link-lib=openblas");
    }
}
