//! Links the system OpenBLAS when the `blas` feature is on (`cblas-sys` only declares the CBLAS
//! functions and leaves the choice of library to the final crate), and writes the impls that let
//! a call differentiate a subset of a narrowed callee's parameters (`vjp/narrowed.rs`).

use std::fmt::Write as _;

/// Narrowed callees whose differentiated parameters lie in the first `POSITIONS` positions can
/// be called with any subset of them active.
const POSITIONS: u32 = 6;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var_os("CARGO_FEATURE_BLAS").is_some() {
        println!("cargo:rustc-link-lib=openblas");
    }
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let path = std::path::Path::new(&out).join("narrowed_select.rs");
    std::fs::write(path, narrowed_select()).expect("OUT_DIR is writable");
}

/// For every callee mask `m` and every non-empty `a ⊆ m`: `SelectGrads<m, a>` on the gradients
/// `m`'s pullback returns (one value, or a tuple in parameter order), keeping those of `a`; and,
/// for `a ≠ m`, the verdict `WrtMismatch<m, a>` accepted as a match.
fn narrowed_select() -> String {
    let mut s = String::new();
    for m in 1u64..(1 << POSITIONS) {
        let bits: Vec<u32> = (0..POSITIONS).filter(|b| m >> b & 1 == 1).collect();
        let tys: Vec<String> = (0..bits.len()).map(|i| format!("G{i}")).collect();
        let whole = if tys.len() == 1 {
            tys[0].clone()
        } else {
            format!("({},)", tys.join(", "))
        };
        let generics = tys.join(", ");
        // every non-empty subset of m's bits
        let mut a = m;
        while a != 0 {
            let kept: Vec<usize> = (0..bits.len()).filter(|&i| a >> bits[i] & 1 == 1).collect();
            let out_ty: Vec<&str> = kept.iter().map(|&i| tys[i].as_str()).collect();
            let (out, val) = if bits.len() == 1 {
                (out_ty[0].to_string(), "self".to_string())
            } else if kept.len() == 1 {
                (out_ty[0].to_string(), format!("self.{}", kept[0]))
            } else {
                let vals: Vec<String> = kept.iter().map(|i| format!("self.{i}")).collect();
                (
                    format!("({},)", out_ty.join(", ")),
                    format!("({},)", vals.join(", ")),
                )
            };
            writeln!(
                s,
                "impl<{generics}> SelectGrads<{m}, {a}> for {whole} {{ type Out = {out}; \
                 #[inline(always)] fn select(self) -> {out} {{ {val} }} }}"
            )
            .expect("write to a String");
            if a != m {
                writeln!(
                    s,
                    "#[diagnostic::do_not_recommend] impl CallMatchesWrt for WrtMismatch<{m}, {a}> {{}}"
                )
                    .expect("write to a String");
            }
            a = (a - 1) & m;
        }
    }
    s
}
