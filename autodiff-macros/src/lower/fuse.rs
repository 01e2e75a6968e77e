//! Compile-time fusion of element-wise chains.
//!
//! An active expression made of element-wise operations on one to four differentiated inputs
//! (bindings, each used any number of times, or non-element-wise active expressions such as
//! `a.mm(&b)`, lowered on their own) and float literals, with at least two operations in all,
//! is emitted as one runtime call instead of one VJP form per operation. With one input the
//! chain may end in `.sum()` / `.mean()`; several inputs are fused only in functions of plain
//! numbers ([`scalar_signature`]), since on tensors the element-wise dual numbers of several
//! directions do not vectorise:
//!
//! ```text
//! ((x + 2.0).powi(2) * 3.0).mean()
//!   => let (t, pb) = rt::fused_mean(&(x), |v0| (((v0 + 2.0)).powi(2) * 3.0));
//! p * x.sin() - q * x * x
//!   => let (t, pb) = rt::fused_map_n((&(p), &(x), &(q)), |[v0, v1, v2]| ((v0 * (v1).sin()) - ((v2 * v1) * v1)));
//! ```
//!
//! The closure is the user's chain with the inputs replaced by forward-mode dual numbers
//! (`autodiff_runtime::vjp::Dual`, `DualN`), so one pass computes the value and the derivatives
//! with respect to every input; the pullback multiplies the cotangent by the saved derivatives
//! (for a `sum`/`mean` seeded with 1, not even that). For scalars the record of the chain is its
//! `K` partial derivatives instead of one record per operation.
//!
//! Element-wise here means `+ - * /`, unary `-`, and the methods in [`METHODS`] plus `powi`
//! with an integer literal and `powf` with a float literal. In functions of plain numbers an
//! inactive variable (`h`, or `*k`) is a constant of the chain: there it can only be an
//! `f32`/`f64` or a reference to one, so it is evaluated once before the chain
//! (`rt::fuse_const(h, &first_input)`, which also gives an unsuffixed literal binding the
//! chain's type) and the closure owns it:
//!
//! ```text
//! x += h * (p * x.sin() - q * x * x)            (compound assignments: try_fuse_compound)
//!   => let (t, pb) = rt::fused_map_n((&(x), &(p), &(q)),
//!          { let c0 = rt::fuse_const(h, &(x)); move |[v0, v1, v2]| v0 + c0 * (..) });
//!      x = t;
//! ```
//!
//! Any other operand (an inactive variable in a function of tensors, an integer literal) leaves
//! the expression to the ordinary lowering: the macro does not know the types of variables, and
//! literals are the constants whose type the dual number fixes. Functions with `Float`/`Element`
//! type parameters are not fused (the dual numbers are implemented for `f32`, `f64` and
//! `Tensor<E>` inputs).

use super::tape::Operand;
use super::Lowerer;
use crate::names;
use crate::syntax::strip_parens;
use proc_macro2::TokenStream;
use quote::{format_ident, quote, ToTokens};
use syn::spanned::Spanned;
use syn::{BinOp, Expr, Lit, UnOp};

/// Element-wise methods without arguments that `Dual` implements.
/// (`tanh` is not fused: a tensor's `tanh` and a scalar's differ in the last bit, and the
/// macro cannot tell which one a chain holds, while fused values must equal unfused ones.)
const METHODS: &[&str] = &["exp", "ln", "sqrt", "sin", "cos", "sigmoid"];

/// At most this many distinct differentiated inputs in one fused chain.
const MAX_INPUTS: usize = 4;

/// One differentiated input of a chain: its first occurrence, and its name when it is a
/// binding (which may then occur several times).
struct Input<'e> {
    expr: &'e Expr,
    name: Option<String>,
}

/// What a scan of a candidate chain found.
#[derive(Default)]
struct Chain<'e> {
    inputs: Vec<Input<'e>>,
    /// Element-wise operations that depend on an input.
    ops: usize,
    /// Inactive variables used as constants (functions of plain numbers only).
    consts: Vec<&'e Expr>,
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
        let k = chain.inputs.len();
        if chain.ops + usize::from(reduce.is_some()) < 2 || (k > 1 && reduce.is_some()) {
            return None;
        }
        if k > 1 && !self.scalar_fn {
            // On tensors, a chain of several inputs evaluated element by element on dual
            // numbers does not vectorise: slower than the tensor operations it replaces.
            return None;
        }
        let operands: Vec<Operand> = chain
            .inputs
            .iter()
            .map(|i| self.lower_leaf(i.expr))
            .collect();
        if operands.iter().any(|o| o.adj.is_none()) {
            // an input that failed to lower has reported its error; lowering again would
            // report it twice
            return Some(self.poisoned(e));
        }
        let consts: Vec<TokenStream> = chain
            .consts
            .iter()
            .map(|c| self.lower_leaf(c).tokens)
            .collect();
        let vars: Vec<syn::Ident> = (0..k).map(|i| format_ident!("__ad_fv{}", i)).collect();
        let cvars: Vec<syn::Ident> = (0..consts.len())
            .map(|i| format_ident!("__ad_fc{}", i))
            .collect();
        let naming = Names {
            inputs: &chain.inputs,
            vars: &vars,
            consts: &chain.consts,
            cvars: &cvars,
        };
        let closure_body = rewrite(body, &naming);
        let rt = names::rt();
        let toks = operands.iter().map(|o| &o.tokens);
        let closure = match reduce.as_deref() {
            _ if k > 1 => quote!(|[#(#vars),*]| #closure_body),
            _ => quote!(|#(#vars)*| #closure_body),
        };
        let closure = if consts.is_empty() {
            closure
        } else {
            // the constants evaluated once, before the chain (typed like its first input);
            // the closure owns them
            let like = &operands[0].tokens;
            quote!({ #(let #cvars = #rt::fuse_const(#consts, &(#like));)* move #closure })
        };
        let call = match reduce.as_deref() {
            _ if k > 1 => quote!(#rt::fused_map_n((#(&(#toks),)*), #closure)),
            None => quote!(#rt::fused_map(#(&(#toks))*, #closure)),
            Some("sum") => quote!(#rt::fused_sum(#(&(#toks))*, #closure)),
            Some(_) => quote!(#rt::fused_mean(#(&(#toks))*, #closure)),
        };
        let adjs: Vec<Option<usize>> = operands.iter().map(|o| o.adj).collect();
        Some(self.emit_call(call, &adjs, e.span(), false))
    }

    /// The fused form of the compound assignment `left op= right` (`x += h * (p * x.sin())`),
    /// as the chain `left op (right)`, if that is a chain.
    pub(super) fn try_fuse_compound(
        &mut self,
        left: &Expr,
        op: &BinOp,
        right: &Expr,
    ) -> Option<Operand> {
        let op = match op {
            BinOp::AddAssign(t) => quote::quote_spanned!(t.spans[0]=> +),
            BinOp::SubAssign(t) => quote::quote_spanned!(t.spans[0]=> -),
            BinOp::MulAssign(t) => quote::quote_spanned!(t.spans[0]=> *),
            BinOp::DivAssign(t) => quote::quote_spanned!(t.spans[0]=> /),
            _ => return None,
        };
        let chain: Expr = syn::parse_quote!(#left #op (#right));
        self.try_fuse(&chain)
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
            Expr::Unary(u)
                if matches!(u.op, UnOp::Deref(_))
                    && matches!(strip_parens(&u.expr), Expr::Path(_))
                    && self.scalar_fn
                    && !self.is_active(e) =>
            {
                chain.consts.push(e); // `*k` of an inactive `k: &f64`
                Some(false)
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
                if !self.is_active(e) {
                    // in a function of plain numbers, an inactive variable in a chain with an
                    // active one is an `f32`/`f64` (or a reference to one): a constant
                    if self.scalar_fn && p.qself.is_none() {
                        chain.consts.push(e);
                        return Some(false);
                    }
                    return None;
                }
                let name = p.path.get_ident()?.to_string();
                if !chain
                    .inputs
                    .iter()
                    .any(|i| i.name.as_deref() == Some(&name))
                {
                    chain.inputs.push(Input {
                        expr: e,
                        name: Some(name),
                    });
                }
                (chain.inputs.len() <= MAX_INPUTS).then_some(true)
            }
            _ => {
                // a non-element-wise active operand, lowered on its own
                if !self.is_active(e) {
                    return None;
                }
                chain.inputs.push(Input {
                    expr: e,
                    name: None,
                });
                (chain.inputs.len() <= MAX_INPUTS).then_some(true)
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

/// What the closure calls the inputs and the constants of a chain.
struct Names<'a, 'e> {
    inputs: &'a [Input<'e>],
    vars: &'a [syn::Ident],
    consts: &'a [&'e Expr],
    cvars: &'a [syn::Ident],
}

/// The chain with input `k` replaced by `vars[k]` and constant `c` by `cvars[c]` (references
/// dropped: dual numbers are `Copy`).
fn rewrite(e: &Expr, names: &Names) -> TokenStream {
    let r = |e: &Expr| rewrite(e, names);
    if let Some(c) = names.consts.iter().position(|c| std::ptr::eq(e, *c)) {
        return names.cvars[c].to_token_stream();
    }
    let input = names.inputs.iter().position(|i| match (&i.name, e) {
        (Some(n), Expr::Path(p)) => p.path.is_ident(n),
        (None, _) => std::ptr::eq(e, i.expr),
        _ => false,
    });
    if let Some(k) = input {
        return names.vars[k].to_token_stream();
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
        other => other.to_token_stream(),
    }
}

/// Whether every parameter and the result of the function are plain numbers (`f32`, `f64`,
/// integers, `bool`, or references to them): then every differentiated value is a scalar and
/// chains of several inputs are fused (their forward computes the partial derivatives on
/// scalars, which is cheap; on tensors it would not vectorise).
pub fn scalar_signature(sig: &crate::parse::Signature) -> bool {
    fn plain(ty: &syn::Type) -> bool {
        match ty {
            syn::Type::Reference(r) => plain(&r.elem),
            syn::Type::Paren(p) => plain(&p.elem),
            syn::Type::Group(g) => plain(&g.elem),
            syn::Type::Path(p) if p.qself.is_none() => p.path.get_ident().is_some_and(|i| {
                matches!(
                    i.to_string().as_str(),
                    "f32"
                        | "f64"
                        | "usize"
                        | "isize"
                        | "u8"
                        | "u16"
                        | "u32"
                        | "u64"
                        | "i8"
                        | "i16"
                        | "i32"
                        | "i64"
                        | "bool"
                )
            }),
            _ => false,
        }
    }
    sig.params.iter().all(|p| plain(&p.ty)) && sig.output.as_ref().is_some_and(plain)
}

#[cfg(test)]
mod tests {
    use crate::expand::expand;
    use quote::quote;

    /// The generated forward sweep of `body` in a function of plain numbers.
    fn forward_of(body: proc_macro2::TokenStream) -> String {
        let f = quote!(fn f(x0: f64, p: f64, c: f64, steps: usize) -> f64 { #body });
        let out = expand(quote!(wrt(x0, p)), f).to_string();
        let vjp = out.find("fn f_vjp").expect("a _vjp function");
        let pullback = out[vjp..].find("__ad_pullback").expect("a pullback");
        out[vjp..vjp + pullback].to_string()
    }

    /// Compound assignments and `x = x + chain` with inactive numbers (a local, a reference, a
    /// parameter outside `wrt`) are one fused chain each, their constants evaluated once.
    #[test]
    fn compound_assignments_are_fused_with_their_constants() {
        let fwd = forward_of(quote! {
            let h = 0.05f64;
            let k = &h;
            let mut x = x0;
            for _ in 0..steps {
                x += h * (p * x.sin() - c * x * x);
                x -= *k * (x.cos() * p);
                x *= 1.0 + h * (p - x).sin();
                x /= 1.0 + c * (x * x * h);
                x = x + k * (p.exp() * x).sin();
            }
            x
        });
        // four of `x` and `p`, one of `x` alone (`x /= ..`)
        assert_eq!(fwd.matches("fused_map_n").count(), 4, "{fwd}");
        assert_eq!(fwd.matches("fused_map").count(), 5, "{fwd}");
        assert_eq!(fwd.matches("fuse_const").count(), 7, "{fwd}");
        for op in ["add_lr", "sub_lr", "mul_lr", "div_lr", "mul_r", "mul_l"] {
            assert!(!fwd.contains(op), "{op} in {fwd}");
        }
    }

    /// In a function of tensors an inactive variable is not a constant of a chain (it may be a
    /// tensor): the chain is not fused.
    #[test]
    fn inactive_variables_are_not_constants_on_tensors() {
        let f = quote!(
            fn g(x: &Tensor, y: &Tensor) -> Tensor {
                ((x * y).exp() + 1.0).sum()
            }
        );
        let out = expand(quote!(wrt(x)), f).to_string();
        assert!(!out.contains("fuse_const"), "{out}");
        assert!(!out.contains("fused_sum"), "{out}");
    }
}
