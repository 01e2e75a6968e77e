//! Every rule about what `#[differentiable]` accepts, one function per rule. The lowering calls
//! the body rules where it meets the construct (they need activity); the signature rules run
//! before lowering. Each rule reports through the [`Ctxt`] with a constructor from `diagnostics`.

use crate::activity::{first_active_ident, mentions_active, Scope};
use crate::ctxt::Ctxt;
use crate::diagnostics as diag;
use crate::methods::{is_reading_macro, method_kind};
use crate::parse::{
    is_differentiable_type, is_structured_type, is_tensor, plain_ident, receiver_type_ok, Options,
    Signature,
};
use crate::syntax::{is_no_grad, macro_name, pat_idents};
use quote::ToTokens;
use std::collections::HashSet;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{FnArg, ItemFn, Type};

// ----- the signature ---------------------------------------------------------------------------------

/// All signature rules, in the order a reader meets the problems.
pub fn signature(f: &ItemFn, opts: &Options, sig: &Signature, cx: &mut Ctxt) {
    qualifiers(f, cx);
    parameters(f, cx);
    match &opts.wrt {
        Some(names) => wrt_names(names, sig, cx),
        None => default_parameters(f, sig, cx),
    }
    return_type(f, sig, cx);
}

/// `async`, `const`, `unsafe` and variadic functions cannot be differentiated.
fn qualifiers(f: &ItemFn, cx: &mut Ctxt) {
    let sig = &f.sig;
    if let Some(a) = &sig.asyncness {
        cx.push(diag::async_fn(a.span()));
    }
    if let Some(c) = &sig.constness {
        cx.push(diag::const_fn(c.span()));
    }
    if let Some(u) = &sig.unsafety {
        cx.push(diag::unsafe_fn(u.span()));
    }
    if let Some(v) = &sig.variadic {
        cx.push(diag::variadic(v.span()));
    }
}

/// Parameters are plain identifiers of nameable types; the receiver is `self` or `&self`.
fn parameters(f: &ItemFn, cx: &mut Ctxt) {
    for arg in &f.sig.inputs {
        match arg {
            FnArg::Receiver(r) if !receiver_type_ok(r) => cx.push(diag::self_receiver(r.span())),
            FnArg::Receiver(_) => {}
            FnArg::Typed(pt) => {
                if plain_ident(&pt.pat).is_none() {
                    cx.push(diag::param_pattern(pt.pat.span()));
                    continue;
                }
                if let Type::ImplTrait(it) = &*pt.ty {
                    cx.push(diag::impl_trait_param(it.span()));
                }
            }
        }
    }
}

/// Every name in `wrt(..)` is a parameter of a differentiable type, not behind `&mut`.
fn wrt_names(names: &[syn::Ident], sig: &Signature, cx: &mut Ctxt) {
    for n in names {
        match sig.params.iter().find(|p| p.ident == *n) {
            None => cx.push(diag::wrt_unknown(n.span(), n, &parameter_list(sig))),
            // a `&mut self` receiver is reported by `parameters`
            Some(p) if p.ident == "self" && !p.wrt => {}
            Some(p) if matches!(&p.ty, Type::Reference(r) if r.mutability.is_some()) => {
                cx.push(diag::mut_ref_param(p.ty.span()))
            }
            Some(p)
                if !is_differentiable_type(&p.ty, &sig.float_params)
                    && !is_structured_type(&p.ty) =>
            {
                cx.push(diag::wrt_not_differentiable(
                    n.span(),
                    n,
                    &p.ty.to_token_stream(),
                ))
            }
            Some(_) => {}
        }
    }
}

/// Without `wrt`, `&mut Tensor` is refused and at least one parameter must be differentiable.
fn default_parameters(f: &ItemFn, sig: &Signature, cx: &mut Ctxt) {
    for p in &sig.params {
        if let Type::Reference(r) = &p.ty {
            if r.mutability.is_some() && is_tensor(&r.elem) {
                cx.push(diag::mut_ref_param(p.ty.span()));
            }
        }
    }
    if !cx.has_errors() && !sig.params.iter().any(|p| p.wrt) {
        let span = if f.sig.inputs.is_empty() {
            f.sig.ident.span()
        } else {
            f.sig.inputs.span()
        };
        cx.push(diag::no_differentiable_param(span, &f.sig.ident));
    }
}

/// The function returns a differentiable value (not a reference).
fn return_type(f: &ItemFn, sig: &Signature, cx: &mut Ctxt) {
    match &sig.output {
        Some(ty) => {
            let differentiable =
                is_differentiable_type(ty, &sig.float_params) || sig.structured_output;
            if !differentiable || matches!(ty, Type::Reference(_)) {
                cx.push(diag::return_not_differentiable(
                    ty.span(),
                    &ty.to_token_stream(),
                ));
            }
        }
        None => cx.push(diag::no_return_value(f.sig.paren_token.span.join())),
    }
}

fn parameter_list(sig: &Signature) -> String {
    if sig.params.is_empty() {
        return "(none)".into();
    }
    sig.params
        .iter()
        .map(|p| format!("`{}`", p.ident))
        .collect::<Vec<_>>()
        .join(", ")
}

// ----- the body --------------------------------------------------------------------------------------

/// Macros: no inline assembly; a macro other than printing/assertions must not see active values.
pub fn macro_call(scope: &impl Scope, mac: &syn::Macro, cx: &mut Ctxt) {
    let name = macro_name(mac);
    if is_asm(&name) {
        cx.push(diag::inline_asm(mac.path.span()));
    } else if !is_reading_macro(&name) && mentions_active(scope, &mac.tokens) {
        cx.push(diag::opaque_macro(mac.path.span(), &name));
    }
}

fn is_asm(name: &str) -> bool {
    matches!(name, "asm" | "global_asm" | "naked_asm")
}

/// Items inside the body: no `static mut`.
pub fn item(item: &syn::Item, cx: &mut Ctxt) {
    if let syn::Item::Static(s) = item {
        if matches!(s.mutability, syn::StaticMutability::Mut(_)) {
            cx.push(diag::static_mut(s.span()));
        }
    }
}

/// Inactive code is copied verbatim, but it must not hide what the transform cannot see:
/// closures capturing active values, `unsafe`, inline assembly, `&mut` borrows and in-place
/// mutation methods of active values.
pub fn verbatim_expr(scope: &impl Scope, e: &syn::Expr, cx: &mut Ctxt) {
    let mut v = VerbatimChecker { scope, cx };
    v.visit_expr(e);
}

struct VerbatimChecker<'s, 'c, S: Scope> {
    scope: &'s S,
    cx: &'c mut Ctxt,
}

impl<'ast, S: Scope> Visit<'ast> for VerbatimChecker<'_, '_, S> {
    fn visit_expr_closure(&mut self, c: &'ast syn::ExprClosure) {
        let params: HashSet<String> = c
            .inputs
            .iter()
            .flat_map(pat_idents)
            .map(|i| i.to_string())
            .collect();
        if let Some(id) = first_active_ident(self.scope, &c.body.to_token_stream(), &params) {
            self.cx.push(diag::closure_capture(c.span(), &id));
        }
    }
    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        if is_no_grad(&c.func) {
            return;
        }
        syn::visit::visit_expr_call(self, c);
    }
    fn visit_expr_unsafe(&mut self, u: &'ast syn::ExprUnsafe) {
        self.cx.push(diag::unsafe_block(u.unsafe_token.span));
    }
    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        if is_asm(&macro_name(m)) {
            self.cx.push(diag::inline_asm(m.path.span()));
        }
    }
    fn visit_expr_reference(&mut self, r: &'ast syn::ExprReference) {
        if r.mutability.is_some() && mentions_active(self.scope, &r.expr.to_token_stream()) {
            self.cx.push(diag::mut_borrow_active(r.span()));
        }
        syn::visit::visit_expr_reference(self, r);
    }
    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        let name = m.method.to_string();
        if is_in_place_method(&name) && mentions_active(self.scope, &m.receiver.to_token_stream()) {
            self.cx.push(diag::in_place_method(m.method.span(), &name));
        }
        syn::visit::visit_expr_method_call(self, m);
    }
    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

/// `x.push(..)`, `x.fill_(..)`, `x.add_assign(..)`, `x.as_mut_slice()`: methods that mutate their
/// receiver (and are not known operations).
fn is_in_place_method(name: &str) -> bool {
    method_kind(name).is_none()
        && (name.ends_with("_mut") || name.ends_with("_assign") || name.ends_with('_'))
}
