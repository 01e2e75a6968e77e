//! Plain numbers in a function's copy at dual numbers (`forward_tensor.rs`): `2.0`, or an `f64`
//! argument that is not differentiated, beside a `Tensor<Dual<f64>>`, which the standard
//! operators and the tensor's methods do not take. The copy goes through `autodiff::forward`
//! instead: arithmetic as `mixed_mul(x, h)` (any pair the operators take, plus dual tensors
//! with plain numbers), literal method arguments as `x.powf(lit_like(&x, 2.5))`, comparisons
//! with literals as `primal(&s) < 1000.0`. (`x.detach()` and `no_grad(..)` drop tangents in the
//! runtime, `forward/cut.rs`.) The user's own function is untouched.
//!
//! In the copy that reverse mode differentiates (for `NAME_hvp`), arithmetic stays as written:
//! the generated VJP forms accept plain numbers beside dual ones. Conversions there run inside
//! `no_grad(|| ..)`, so the generator sees them as the constants they are.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::visit_mut::VisitMut;
use syn::{BinOp, Expr, Lit, UnOp};

/// Rewrites the literals of a dual copy's body (`reverse`: the copy is differentiated by the
/// reverse-mode generator). `plain`: the `f32`/`f64` parameters that stay plain numbers in the
/// copy, which comparisons and method arguments take like literals.
pub fn rewrite(block: &mut syn::Block, reverse: bool, plain: &[syn::Ident]) {
    // in the reverse copy, a parameter whose name the body binds again may be a differentiated
    // value at a method argument, which a conversion would hide from the generator
    let rebound = bound_names(block);
    let method_plain: Vec<syn::Ident> = plain
        .iter()
        .filter(|p| !reverse || !rebound.contains(&p.to_string()))
        .cloned()
        .collect();
    Rewrite {
        reverse,
        n: 0,
        plain,
        method_plain: &method_plain,
    }
    .visit_block_mut(block);
    InferTensorElements.visit_block_mut(block);
}

/// Every name a pattern in `block` binds.
fn bound_names(block: &syn::Block) -> std::collections::HashSet<String> {
    struct B(std::collections::HashSet<String>);
    impl<'ast> syn::visit::Visit<'ast> for B {
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            self.0.insert(p.ident.to_string());
            syn::visit::visit_pat_ident(self, p);
        }
    }
    let mut b = B(Default::default());
    syn::visit::Visit::visit_block(&mut b, block);
    b.0
}

struct Rewrite<'p> {
    reverse: bool,
    n: usize,
    plain: &'p [syn::Ident],
    /// The plain parameters converted where they are method arguments.
    method_plain: &'p [syn::Ident],
}

/// The value of a float literal (possibly negated or parenthesised), as an unsuffixed `f64`
/// literal.
fn float_literal(e: &Expr) -> Option<TokenStream> {
    match e {
        Expr::Paren(p) => float_literal(&p.expr),
        Expr::Group(g) => float_literal(&g.expr),
        Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => {
            let v = float_literal(&u.expr)?;
            Some(quote!(-#v))
        }
        Expr::Lit(l) => match &l.lit {
            Lit::Float(f) => {
                let mut digits = f.base10_digits().to_string();
                if !digits.contains(['.', 'e', 'E']) {
                    digits.push_str(".0");
                }
                let lit = syn::LitFloat::new(&digits, f.span());
                Some(quote!(#lit))
            }
            _ => None,
        },
        _ => None,
    }
}

pub(crate) fn arith(op: &BinOp) -> Option<&'static str> {
    Some(match op {
        BinOp::Add(_) | BinOp::AddAssign(_) => "add",
        BinOp::Sub(_) | BinOp::SubAssign(_) => "sub",
        BinOp::Mul(_) | BinOp::MulAssign(_) => "mul",
        BinOp::Div(_) | BinOp::DivAssign(_) => "div",
        _ => return None,
    })
}

fn is_comparison(op: &BinOp) -> bool {
    matches!(
        op,
        BinOp::Lt(_) | BinOp::Le(_) | BinOp::Gt(_) | BinOp::Ge(_) | BinOp::Eq(_) | BinOp::Ne(_)
    )
}

fn is_compound(op: &BinOp) -> bool {
    matches!(
        op,
        BinOp::AddAssign(_) | BinOp::SubAssign(_) | BinOp::MulAssign(_) | BinOp::DivAssign(_)
    )
}

/// Methods of tensors and floats whose number arguments have the receiver's element type.
const SCALAR_METHODS: &[&str] = &[
    "powf",
    "clamp",
    "max",
    "min",
    "leaky_relu",
    "elu",
    "masked_fill",
    "hypot",
    "atan2",
    "copysign",
    "mul_add",
    "rem_euclid",
    "allclose",
];

impl Rewrite<'_> {
    /// A plain number parameter, by name (the name may be shadowed by a dual value: the
    /// conversions it goes through take either).
    fn plain_param(&self, e: &Expr) -> bool {
        is_one_of(e, self.plain)
    }

    /// `conv` run as a constant (inside `no_grad`) in the reverse copy.
    fn constant(&self, conv: TokenStream) -> TokenStream {
        if self.reverse {
            quote!(::autodiff::no_grad(|| #conv))
        } else {
            conv
        }
    }

    fn binary(&self, b: &syn::ExprBinary) -> Option<Expr> {
        let fwd = quote!(::autodiff::forward);
        let (l, r) = (&b.left, &b.right);
        if is_comparison(&b.op) {
            // beside a literal or a plain parameter, both sides are compared by their primal
            // values (a parameter may be shadowed by a dual value)
            let (lit_l, lit_r) = (float_literal(l), float_literal(r));
            let plain = |e: &Expr, lit: &Option<TokenStream>| lit.is_some() || self.plain_param(e);
            if (!plain(l, &lit_l) && !plain(r, &lit_r)) || (lit_l.is_some() && lit_r.is_some()) {
                return None;
            }
            let side = |e: &Expr, lit: Option<TokenStream>| {
                lit.unwrap_or_else(|| self.constant(quote!(#fwd::primal(&(#e)))))
            };
            let (sl, sr, op) = (side(l, lit_l), side(r, lit_r), &b.op);
            return syn::parse2(quote!(#sl #op #sr)).ok();
        }
        if self.reverse {
            return None; // the VJP forms take plain numbers beside dual ones
        }
        // every operation: a plain number may meet a dual tensor (`MixedOp`)
        let name = arith(&b.op)?;
        let f = syn::Ident::new(&format!("mixed_{name}"), Span::call_site());
        let ts = if is_compound(&b.op) {
            if !matches!(**l, Expr::Path(_)) {
                return None;
            }
            quote!(#l = #fwd::#f(#l, #r))
        } else {
            quote!(#fwd::#f(#l, #r))
        };
        syn::parse2(ts).ok()
    }

    /// `r.m(.., 2.5, ..)` for a method whose number arguments have the receiver's scalar type
    /// (`SCALAR_METHODS`): the literal arguments typed like the receiver.
    fn method(&mut self, m: &syn::ExprMethodCall) -> Option<Expr> {
        let known = SCALAR_METHODS.iter().any(|k| m.method == k);
        if !known
            || float_literal(&m.receiver).is_some()
            || !m
                .args
                .iter()
                .any(|a| float_literal(a).is_some() || is_one_of(a, self.method_plain))
        {
            return None;
        }
        self.n += 1;
        let recv = syn::Ident::new(&format!("__ad_lit_recv{}", self.n), Span::call_site());
        let fwd = quote!(::autodiff::forward);
        let args = m.args.iter().map(|a| match float_literal(a) {
            Some(v) => self.constant(quote!(#fwd::lit_like(&#recv, #v))),
            // the argument is not a constant if a dual value shadows the parameter: only the
            // type witness is (in the reverse copy an active one is then refused, not cut)
            None if is_one_of(a, self.method_plain) => {
                let like = self.constant(quote!(#fwd::lit_like(&#recv, 0.0)));
                quote!(#fwd::value_like(&#like, #a))
            }
            None => quote!(#a),
        });
        let (receiver, method, turbofish) = (&m.receiver, &m.method, &m.turbofish);
        let args: Vec<TokenStream> = args.collect();
        syn::parse2(quote!({
            let #recv = &(#receiver);
            #recv.#method #turbofish (#(#args),*)
        }))
        .ok()
    }
}

/// A path naming one of `names`.
fn is_one_of(e: &Expr, names: &[syn::Ident]) -> bool {
    match e {
        Expr::Paren(p) => is_one_of(&p.expr, names),
        Expr::Path(p) if p.qself.is_none() => {
            p.path.get_ident().is_some_and(|id| names.contains(id))
        }
        _ => false,
    }
}

/// `Tensor<f32>` / `Tensor<f64>` in a type or path written in the body: `Tensor<_>`, so a local
/// annotated with a plain tensor type, or a constructor called as `Tensor::<f64>::zeros`, takes
/// the dual element type from its use.
struct InferTensorElements;

impl VisitMut for InferTensorElements {
    fn visit_path_mut(&mut self, p: &mut syn::Path) {
        syn::visit_mut::visit_path_mut(self, p);
        for seg in p.segments.iter_mut().filter(|s| s.ident == "Tensor") {
            let syn::PathArguments::AngleBracketed(a) = &mut seg.arguments else {
                continue;
            };
            let plain = a.args.iter().all(|g| {
                matches!(g, syn::GenericArgument::Type(syn::Type::Path(t))
                    if t.path.is_ident("f32") || t.path.is_ident("f64"))
            });
            if plain {
                a.args = syn::parse_quote!(_);
            }
        }
    }
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

impl VisitMut for Rewrite<'_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        syn::visit_mut::visit_expr_mut(self, e);
        let new = match e {
            Expr::Binary(b) => self.binary(b),
            Expr::MethodCall(m) => self.method(m),
            _ => None,
        };
        if let Some(new) = new {
            *e = new;
        }
    }
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}
