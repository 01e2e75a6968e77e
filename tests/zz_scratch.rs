#[test]
fn ui_some() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/jvp_unsupported_form.rs");
}
