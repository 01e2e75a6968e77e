//! `for` loops (and the iterator chains lowered as `for` loops) over a container of active
//! values that is not a binding: `for y in vec![x, x * x]`, `[a, b].iter().sum()`,
//! `make(x).iter()`. The container is bound to a fresh local first, as if the user had written
//! `let ys = vec![x, x * x]; for y in ys`, so that it is a local container whose elements give
//! their gradients back to what filled it. Rust evaluates the iterator expression once, before
//! the first iteration, so binding it first changes nothing.

use super::Lowerer;
use crate::syntax::strip_parens;
use quote::{format_ident, quote};
use syn::{Expr, ExprForLoop};

impl Lowerer {
    /// The loop with each active container that is not a binding replaced by a fresh local,
    /// bound (and lowered) here; `None` when there is none.
    pub(super) fn hoist_loop_containers(&mut self, f: &ExprForLoop) -> Option<Expr> {
        let mut hoisted = false;
        let iter = self.hoist_containers(&f.expr, &mut hoisted);
        hoisted.then(|| {
            let mut f = f.clone();
            f.expr = Box::new(iter);
            Expr::ForLoop(f)
        })
    }

    /// `e` (an iterator expression) with its containers bound to fresh locals.
    fn hoist_containers(&mut self, e: &Expr, hoisted: &mut bool) -> Expr {
        match strip_parens(e) {
            Expr::MethodCall(m) if is_adapter(m) => {
                let mut m = m.clone();
                m.receiver = Box::new(self.hoist_containers(&m.receiver, hoisted));
                if m.method == "zip" {
                    m.args[0] = self.hoist_containers(&m.args[0], hoisted);
                }
                Expr::MethodCall(m)
            }
            Expr::Reference(r) if r.mutability.is_none() => {
                let mut r = r.clone();
                r.expr = Box::new(self.hoist_containers(&r.expr, hoisted));
                Expr::Reference(r)
            }
            other if is_computed_container(other) && self.is_active(other) => {
                *hoisted = true;
                let name = format_ident!("__ad_elems{}", self.fresh());
                let id = self.declare(&name.to_string());
                let v = self.lower_value(other, Some(id));
                self.enter(&name.to_string(), id);
                self.structured_locals.insert(id);
                let v = v.unwrap_or_else(|| quote!(loop {}));
                self.emit(quote!(let #name = #v;));
                syn::parse_quote!(#name)
            }
            other => other.clone(),
        }
    }
}

/// The adapters between a container and the loop: `iter`, `into_iter`, `rev`, `enumerate`,
/// `zip`, `skip`, `take`, `step_by`, `copied`, `cloned`.
fn is_adapter(m: &syn::ExprMethodCall) -> bool {
    match m.method.to_string().as_str() {
        "iter" | "into_iter" | "rev" | "enumerate" | "copied" | "cloned" => m.args.is_empty(),
        "zip" | "skip" | "take" | "step_by" => m.args.len() == 1,
        _ => false,
    }
}

/// `vec![..]`, `[..]` or a function's result: a container that no binding names. (A tensor
/// has no iterator, so an active value iterated over is a container.)
pub(super) fn is_computed_container(e: &Expr) -> bool {
    match e {
        Expr::Array(_) | Expr::Call(_) => true,
        Expr::Macro(m) => crate::syntax::macro_name(&m.mac) == "vec",
        _ => false,
    }
}
