//! Compile-time fusion of element-wise chains.
//!
//! An active expression made of element-wise operations on ONE differentiated value `x` (a
//! binding used any number of times, or a single non-element-wise active expression such as
//! `a.mm(&b)`) and float literals, optionally ending in `.sum()` / `.mean()`, with at least two
//! operations in all, is emitted as one runtime call instead of one VJP form per operation:
//!
//! ```text
//! ((x + 2.0).powi(2) * 3.0).mean()
//!   => let (t, pb) = rt::fused_mean(&(x), |v| (((v + 2.0)).powi(2) * 3.0));
//! ```
//!
//! The closure is the user's chain with `x` replaced by a forward-mode dual number
//! (`autodiff_runtime::vjp::Dual`), so one pass computes the value and the derivative; the
//! pullback is one multiplication per element (none for a `sum`/`mean` seeded with 1).
//!
//! Element-wise here means `+ - * /`, unary `-`, and the methods in [`METHODS`] plus `powi`
//! with an integer literal and `powf` with a float literal. Any other operand (an inactive
//! variable, an integer literal, a call) leaves the expression to the ordinary lowering: the
//! macro does not know the types of variables, and literals are the constants whose type the
//! dual number fixes. Functions with `Float`/`Element` type parameters are not fused (the dual
//! number is implemented for `f32`, `f64` and `Tensor<E>` inputs).

use super::tape::Operand;
use super::Lowerer;
use crate::names;
use crate::syntax::strip_parens;
use proc_macro2::TokenStream;
use quote::{format_ident, quote, ToTokens};
use syn::spanned::Spanned;
use syn::{BinOp, Expr, Lit, UnOp};

/// Element-wise methods without arguments that `Dual` implements.
const METHODS: &[&str] = &["exp", "ln", "sqrt", "sin", "cos", "tanh", "sigmoid"];

/// What a scan of a candidate chain found.
#[derive(Default)]
struct Chain<'e> {
    /// The differentiated input: its first occurrence.
    leaf: Option<&'e Expr>,
    /// Its name when it is a binding (which may then occur several times).
    leaf_name: Option<String>,
    /// Element-wise operations that depend on the input.
    ops: usize,
}

impl Lowerer {
    /// The fused form of `e`, if `e` is a chain as described in the module documentation.
    pub(super) fn try_fuse(&mut self, e: &Expr) -> Option<Operand> {
        if !self.float_types.is_empty() {
            return None;
        }
        let (body, reduce) = match strip_parens(e) {
            Expr::MethodCall(m)
                if m.args.is_empty()
                    && m.turbofish.is_none()
                    && (m.method == "sum" || m.method == "mean") =>
            {
                (&*m.receiver, Some(m.method.to_string()))
            }
            other => (other, None),
        };
        let mut chain = Chain::default();
        if !self.scan(body, &mut chain)? {
            return None;
        }
        let leaf = chain.leaf?;
        if chain.ops == 0 || chain.ops + usize::from(reduce.is_some()) < 2 {
            return None;
        }
        let input = self.lower_leaf(leaf);
        input.adj?;
        let v = format_ident!("__ad_fv");
        let closure_body = rewrite(body, leaf, chain.leaf_name.as_deref(), &v);
        let rt = names::rt();
        let form = match reduce.as_deref() {
            None => format_ident!("fused_map"),
            Some("sum") => format_ident!("fused_sum"),
            Some(_) => format_ident!("fused_mean"),
        };
        let t = &input.tokens;
        let call = quote!(#rt::#form(&(#t), |#v| #closure_body));
        Some(self.emit_call(call, &[input.adj], e.span(), false))
    }

    /// Checks that `e` is element-wise in one input; `Some(true)` when `e` depends on the
    /// input, `Some(false)` for a constant (literal) part, `None` when `e` cannot be fused.
    fn scan<'e>(&self, e: &'e Expr, chain: &mut Chain<'e>) -> Option<bool> {
        match e {
            Expr::Paren(p) => self.scan(&p.expr, chain),
            Expr::Group(g) => self.scan(&g.expr, chain),
            Expr::Reference(r) if r.mutability.is_none() => self.scan(&r.expr, chain),
            Expr::Lit(l) => matches!(l.lit, Lit::Float(_)).then_some(false),
            Expr::Binary(b) => {
                if !matches!(
                    b.op,
                    BinOp::Add(_) | BinOp::Sub(_) | BinOp::Mul(_) | BinOp::Div(_)
                ) {
                    return None;
                }
                let dep = self.scan(&b.left, chain)? | self.scan(&b.right, chain)?;
                chain.ops += usize::from(dep);
                Some(dep)
            }
            Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => {
                let dep = self.scan(&u.expr, chain)?;
                chain.ops += usize::from(dep);
                Some(dep)
            }
            Expr::MethodCall(m) if m.turbofish.is_none() && method_ok(m) => {
                let dep = self.scan(&m.receiver, chain)?;
                chain.ops += usize::from(dep);
                Some(dep)
            }
            Expr::Path(p) => {
                let name = p.path.get_ident()?.to_string();
                if !self.is_active(e) {
                    return None;
                }
                match (&chain.leaf, &chain.leaf_name) {
                    (None, _) => {
                        chain.leaf = Some(e);
                        chain.leaf_name = Some(name);
                    }
                    (Some(_), Some(n)) if *n == name => {}
                    _ => return None,
                }
                Some(true)
            }
            _ => {
                // one non-element-wise active operand, lowered on its own
                if chain.leaf.is_some() || !self.is_active(e) {
                    return None;
                }
                chain.leaf = Some(e);
                Some(true)
            }
        }
    }
}

/// `x.exp()`, `x.powi(2)`, `x.powf(0.5)`, ... (see [`METHODS`]).
fn method_ok(m: &syn::ExprMethodCall) -> bool {
    let name = m.method.to_string();
    match (name.as_str(), m.args.len()) {
        (n, 0) => METHODS.contains(&n),
        ("powi", 1) => is_literal(&m.args[0], |l| matches!(l, Lit::Int(_))),
        ("powf", 1) => is_literal(&m.args[0], |l| matches!(l, Lit::Float(_))),
        _ => false,
    }
}

/// A literal accepted by `kind`, possibly negated or parenthesised.
fn is_literal(e: &Expr, kind: impl Fn(&Lit) -> bool) -> bool {
    match strip_parens(e) {
        Expr::Lit(l) => kind(&l.lit),
        Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => is_literal(&u.expr, kind),
        _ => false,
    }
}

/// The chain with its input replaced by `v` (references dropped: the dual number is `Copy`).
fn rewrite(e: &Expr, leaf: &Expr, leaf_name: Option<&str>, v: &syn::Ident) -> TokenStream {
    let r = |e: &Expr| rewrite(e, leaf, leaf_name, v);
    if std::ptr::eq(e, leaf) {
        return v.to_token_stream();
    }
    match e {
        Expr::Paren(p) => r(&p.expr),
        Expr::Group(g) => r(&g.expr),
        Expr::Reference(x) => r(&x.expr),
        Expr::Binary(b) => {
            let (l, op, rr) = (r(&b.left), &b.op, r(&b.right));
            quote!((#l #op #rr))
        }
        Expr::Unary(u) => {
            let x = r(&u.expr);
            quote!((-#x))
        }
        Expr::MethodCall(m) => {
            let (recv, method, args) = (r(&m.receiver), &m.method, &m.args);
            quote!((#recv).#method(#args))
        }
        Expr::Path(p) if leaf_name.is_some_and(|n| p.path.is_ident(n)) => v.to_token_stream(),
        other => other.to_token_stream(),
    }
}
