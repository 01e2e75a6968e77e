//! Fuzz-style robustness test: the macro's expansion is fed the integration tests'
//! differentiable functions with random token-level mutations (deletions, duplications, swaps,
//! insertions of keywords and punctuation). Whatever comes in, `expand` must return tokens (the
//! generated code or spanned errors), never panic.

use crate::expand::expand;
use proc_macro2::TokenStream;
use quote::ToTokens;
use std::str::FromStr;

const SOURCES: &[&str] = &[
    include_str!("../../tests/scalar_constructs.rs"),
    include_str!("../../tests/tensor_constructs.rs"),
];

const POOL: &[&str] = &[
    "if", "else", "return", "break", "continue", "loop", "while", "for", "in", "match", "let",
    "mut", "?", ";", ",", "*", "+", "-", "/", "=", "+=", "&", "&mut", ".", "x", "y", "0", "1.0",
    "{", "}", "(", ")", "[", "]", "'a:", "unsafe", "async", "|", "=>", "_", "as", "f32", "sum",
    "println!", "no_grad", "detach", "Some",
];

/// A tiny deterministic generator (no dependency needed for this).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }
}

fn differentiable_fns() -> Vec<(TokenStream, String)> {
    let mut out = Vec::new();
    for src in SOURCES {
        let file = syn::parse_file(src).expect("test sources parse");
        for item in file.items {
            if let syn::Item::Fn(mut f) = item {
                let Some(pos) = f
                    .attrs
                    .iter()
                    .position(|a| a.path().is_ident("differentiable"))
                else {
                    continue;
                };
                let attr = f.attrs.remove(pos);
                let args = match attr.meta {
                    syn::Meta::List(l) => l.tokens,
                    _ => TokenStream::new(),
                };
                out.push((args, f.to_token_stream().to_string()));
            }
        }
    }
    out
}

#[test]
fn unmutated_functions_expand_without_errors() {
    let fns = differentiable_fns();
    assert!(fns.len() > 30, "found {} functions", fns.len());
    for (args, src) in &fns {
        let out = expand(args.clone(), TokenStream::from_str(src).unwrap()).to_string();
        assert!(!out.contains("compile_error"), "{src}\n=> {out}");
    }
}

#[test]
fn mutated_functions_never_panic() {
    let mut rng = Lcg(0x5eed);
    let mut expanded = 0;
    for (args, src) in differentiable_fns() {
        let words: Vec<&str> = src.split_whitespace().collect();
        for _ in 0..60 {
            let mut w: Vec<&str> = words.clone();
            for _ in 0..1 + rng.next() % 3 {
                let i = rng.next() % w.len();
                match rng.next() % 4 {
                    0 => {
                        w.remove(i);
                    }
                    1 => w.insert(i, w[i]),
                    2 if i + 1 < w.len() => w.swap(i, i + 1),
                    _ => w.insert(i, POOL[rng.next() % POOL.len()]),
                }
            }
            let Ok(ts) = TokenStream::from_str(&w.join(" ")) else {
                continue; // unbalanced delimiters never reach a macro
            };
            let result = std::panic::catch_unwind(|| expand(args.clone(), ts.clone()));
            assert!(result.is_ok(), "expansion panicked on:\n{ts}");
            expanded += 1;
        }
    }
    assert!(expanded > 1000, "only {expanded} mutants were expanded");
}

#[test]
fn malformed_attribute_arguments_are_errors() {
    let f = TokenStream::from_str("fn f(x: f64) -> f64 { x }").unwrap();
    for args in [
        "wrt",
        "wrt(",
        "wrt()",
        "wrt(x) wrt(x)",
        "debug = 1",
        "foo",
        "wrt(x,,)",
    ] {
        let Ok(a) = TokenStream::from_str(args) else {
            continue;
        };
        let out = expand(a, f.clone()).to_string();
        assert!(out.contains("compile_error"), "{args} => {out}");
    }
}
