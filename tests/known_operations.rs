//! The macro's table of known operations is the single source of truth for the runtime's VJP
//! forms: this test calls every form the table promises (each operand combination of the
//! two-operand ones) on sample values and pulls a cotangent back through it. A method added to
//! the table without its runtime forms, or a renamed form, fails here instead of in a user's
//! build.

#[test]
fn every_known_operation_has_its_runtime_forms() {
    autodiff::__known_operations_check!();
}
