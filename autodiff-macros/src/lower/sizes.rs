//! Size reads of differentiable values in code copied as it is (`n = x.len()`,
//! `x.shape()[0]`): passed through `vjp::size_value`, which accepts only the types sizes have.
//! The table of methods takes `len`, `shape`, `ndim` and `numel` as sizes, with no derivative;
//! a user's own method of that name returning a float computed from the value would otherwise
//! lose its derivative without a word (see the runtime's `vjp/sizes.rs`).

use super::Lowerer;
use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::visit_mut::VisitMut;
use syn::Expr;

/// The methods the table reads as sizes.
const SIZE_METHODS: &[&str] = &["len", "shape", "ndim", "numel"];

impl Lowerer {
    /// `e`'s tokens, its size reads of differentiable values checked.
    pub(super) fn verbatim_tokens(&self, e: &Expr) -> TokenStream {
        let mut e = e.clone();
        Wrap { lw: self }.visit_expr_mut(&mut e);
        e.to_token_stream()
    }
}

struct Wrap<'l> {
    lw: &'l Lowerer,
}

impl VisitMut for Wrap<'_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        syn::visit_mut::visit_expr_mut(self, e);
        let Expr::MethodCall(m) = e else { return };
        let size_read = m.args.is_empty()
            && SIZE_METHODS.iter().any(|n| m.method == n)
            && self.lw.is_active(&m.receiver);
        if size_read {
            let span = m.method.span();
            let call = m.to_token_stream();
            let rt = crate::names::rt();
            *e = syn::parse_quote_spanned!(span=> #rt::size_value(#call));
        }
    }
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
    fn visit_expr_closure_mut(&mut self, _: &mut syn::ExprClosure) {}
}
