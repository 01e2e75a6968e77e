//! Compile-fail suite: every unsupported construct is a spanned, readable compile error.
//! Regenerate the expected output with `TRYBUILD=overwrite cargo test --test ui` and review it.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
