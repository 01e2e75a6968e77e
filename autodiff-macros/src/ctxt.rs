//! The one error channel of the macro: every stage reports into a [`Ctxt`], which collects the
//! errors so the user sees all of them at once (as serde_derive's `Ctxt` does).

use proc_macro2::TokenStream;

/// Collects the errors of one expansion.
#[derive(Default)]
pub struct Ctxt {
    errors: Vec<syn::Error>,
}

impl Ctxt {
    pub fn new() -> Self {
        Ctxt::default()
    }

    /// Reports a ready-made error (from `diagnostics`).
    pub fn push(&mut self, e: syn::Error) {
        self.errors.push(e);
    }

    /// Takes over the errors of another context (e.g. the final round of the activity fixpoint).
    pub fn append(&mut self, other: Ctxt) {
        self.errors.extend(other.errors);
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// All errors as `compile_error!` invocations (empty when there are none).
    pub fn to_compile_errors(&self) -> TokenStream {
        self.errors
            .iter()
            .map(syn::Error::to_compile_error)
            .collect()
    }
}
