//! Calls that are not calls of another differentiable function: identity functions
//! (`std::hint::black_box`, `std::convert::identity`), conversions between float types
//! (`f64::from(x)`), and known methods called by path (`f64::max(x, y)`, `Float::sin(x)`,
//! `<f64 as Float>::exp(x)`, `T::sqrt(x)` for a `T: Float` parameter), which are lowered as the
//! method calls they stand for.

use super::tape::Operand;
use super::Lowerer;
use crate::methods::{method_kind, MethodKind};
use crate::names::{self, Operands};
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{Expr, ExprCall, ExprPath};

impl Lowerer {
    /// Lowers `c` if it is one of the special calls, else `None`.
    pub(super) fn lower_special_call(&mut self, c: &ExprCall, fp: &ExprPath) -> Option<Operand> {
        let segs = &fp.path.segments;
        let name = segs.last()?.ident.to_string();
        if is_identity_fn(fp, &name) && c.args.len() == 1 {
            return Some(self.identity_call(c, &c.args[0]));
        }
        if let Some(pair) = runtime_loss(&name) {
            return Some(self.loss_call(c, &name, pair));
        }
        if is_tensor_method_path(fp, &name) && !c.args.is_empty() {
            // `Tensor::exp(&x)`, `Tensor::matmul(&a, &b)`: the method calls they stand for
            return Some(self.lower_method(&as_method_call(c, fp)?));
        }
        let owner = self.float_owner(fp)?;
        if name == "from" && c.args.len() == 1 && (owner == "f64" || owner == "f32") {
            let x = self.lower_leaf(&c.args[0]);
            let f = names::cast_form(owner == "f64", segs.last()?.ident.span());
            let rt = names::rt();
            return Some(self.emit_op(quote!(#rt::#f), vec![x], c.span(), false));
        }
        match method_kind(&name) {
            Some(MethodKind::Unary | MethodKind::Binary) if !c.args.is_empty() => {
                Some(self.lower_method(&as_method_call(c, fp)?))
            }
            None if name == "mul_add" && c.args.len() == 3 => {
                Some(self.lower_method(&as_method_call(c, fp)?))
            }
            _ => None,
        }
    }

    /// `x.mul_add(a, b)` (`x * a + b`, one rounding) on numbers: the form named by its active
    /// operands (`mul_add_vjp_s`, `_a`, `_b`, `_sa`, `_sb`, `_ab`, `_sab`), whose pullback
    /// returns their gradients in order.
    pub(super) fn lower_mul_add(&mut self, m: &syn::ExprMethodCall) -> Operand {
        let recv = self.lower_leaf(&m.receiver);
        let a = self.lower_leaf(&m.args[0]);
        let b = self.lower_leaf(&m.args[1]);
        let suffix: String = [(&recv, 's'), (&a, 'a'), (&b, 'b')]
            .iter()
            .filter(|(o, _)| o.adj.is_some())
            .map(|(_, c)| *c)
            .collect();
        if suffix.is_empty() {
            return self.poisoned(&Expr::MethodCall(m.clone()));
        }
        let span = m.method.span();
        let f = syn::Ident::new(&format!("mul_add_vjp_{suffix}"), span);
        let inputs: Vec<Option<usize>> = [recv.adj, a.adj, b.adj]
            .into_iter()
            .flatten()
            .map(Some)
            .collect();
        let (r, at, bt) = (&recv.tokens, &a.tokens, &b.tokens);
        self.emit_call(
            quote_spanned!(span=> (#r).#f(#at, #bt)),
            &inputs,
            span,
            false,
        )
    }

    /// The float type a path call belongs to (`f64::`, `Float::`, `<f64 as Float>::`, `T::`
    /// for a `T: Float` parameter), if any.
    fn float_owner(&self, fp: &ExprPath) -> Option<String> {
        if let Some(q) = &fp.qself {
            return Some(q.ty.to_token_stream().to_string());
        }
        let segs = &fp.path.segments;
        if segs.len() < 2 {
            return None;
        }
        let owner = segs[segs.len() - 2].ident.to_string();
        let known = matches!(owner.as_str(), "f32" | "f64" | "Float" | "Real")
            || self.float_types.contains(&owner);
        known.then_some(owner)
    }

    /// A runtime loss: its VJP form lives in `autodiff::__rt` and returns a pullback struct.
    fn loss_call(&mut self, c: &ExprCall, name: &str, pair: bool) -> Operand {
        let args: Vec<Operand> = c.args.iter().map(|a| self.lower_leaf(a)).collect();
        let span = c.func.span();
        let f = match (pair, args.len()) {
            (true, 2) => {
                let which = Operands::of(args[0].adj.is_some(), args[1].adj.is_some())
                    .unwrap_or(Operands::Left);
                names::binary_method_form(name, which, span)
            }
            _ => names::vjp_form(name, span),
        };
        let rt = names::rt();
        self.emit_op(quote!(#rt::#f), args, c.span(), false)
    }

    fn identity_call(&mut self, c: &ExprCall, arg: &Expr) -> Operand {
        let inner = self.lower_leaf(arg);
        let out = self.temp();
        let t = self.temp_ident(out);
        let (f, v) = (&c.func, &inner.tokens);
        self.emit(quote_spanned!(c.span()=> let #t = #f(#v);));
        self.alias(Some(out), &inner);
        Operand {
            tokens: t.to_token_stream(),
            adj: Some(out),
        }
    }
}

/// `f(a, b, ..)` called by path as the method call `a.f(b, ..)` it stands for.
fn as_method_call(c: &ExprCall, fp: &ExprPath) -> Option<syn::ExprMethodCall> {
    let mut args = c.args.iter().cloned();
    let receiver = args.next()?;
    Some(syn::ExprMethodCall {
        attrs: Vec::new(),
        receiver: Box::new(receiver),
        dot_token: Default::default(),
        method: fp.path.segments.last()?.ident.clone(),
        turbofish: None,
        paren_token: c.paren_token,
        args: args.collect(),
    })
}

/// `Tensor::name` / `Tensor::<E>::name` for a tensor method the operation table knows (not one
/// of the associated functions with their own VJP forms, `Tensor::scalar` and friends).
fn is_tensor_method_path(fp: &ExprPath, name: &str) -> bool {
    let segs = &fp.path.segments;
    fp.qself.is_none()
        && segs.len() == 2
        && segs[0].ident == "Tensor"
        && !crate::methods::is_tensor_function(name)
        && method_kind(name).is_some()
}

/// The runtime's loss functions (`autodiff::tensor::cross_entropy` and friends): `Some(true)`
/// for the two-tensor ones with `_l`/`_r`/`_lr` forms, `Some(false)` for `cross_entropy`, whose
/// targets are class indices.
fn runtime_loss(name: &str) -> Option<bool> {
    match name {
        "cross_entropy" => Some(false),
        "mse_loss" | "binary_cross_entropy_with_logits" => Some(true),
        _ => None,
    }
}

/// `std::hint::black_box`, `core::convert::identity`, or those names imported.
fn is_identity_fn(fp: &ExprPath, name: &str) -> bool {
    let segs: Vec<String> = fp
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    match name {
        "black_box" => segs.len() == 1 || segs.iter().any(|s| s == "hint"),
        "identity" => segs.len() == 1 || segs.iter().any(|s| s == "convert"),
        _ => false,
    }
}

impl Lowerer {
    /// `x.layer_norm(&shape, Some(&w), Some(&b), eps)`: the weight and bias are optional, and
    /// the pullback returns their gradients as `Option`s.
    pub(super) fn lower_layer_norm(&mut self, m: &syn::ExprMethodCall) -> Operand {
        let span = m.method.span();
        if m.args.len() != 4 {
            self.cx.push(crate::diagnostics::layer_norm_arity(span));
            return self.poisoned(&Expr::MethodCall(m.clone()));
        }
        let x = self.lower_leaf(&m.receiver);
        let mut optional = Vec::new();
        for a in [&m.args[1], &m.args[2]] {
            optional.push(self.lower_optional(a));
        }
        for a in [&m.args[0], &m.args[3]] {
            if self.is_active(a) {
                self.cx.push(crate::diagnostics::active_config_argument(
                    a.span(),
                    "layer_norm",
                ));
            }
        }
        let (shape, eps) = (&m.args[0], &m.args[3]);
        let (w, b) = (&optional[0].tokens, &optional[1].tokens);
        let f = names::vjp_form("layer_norm", span);
        let xt = &x.tokens;
        let out = self.temp();
        let t = self.temp_ident(out);
        let pb = names::temp_pullback(out - super::TEMP_BASE);
        self.emit(quote_spanned!(span=> let (#t, #pb) = (#xt).#f(#shape, #w, #b, #eps);));
        let rt = names::rt();
        let g = names::local::grad();
        let live = |s: &Self, a: Option<usize>| {
            a.filter(|&a| s.is_active_binding(a))
                .map(|a| s.adj_ident(a))
        };
        let gx = match live(self, x.adj) {
            Some(a) => quote!(#rt::acc(&mut #a, __ad_gx);),
            None => quote!(let _ = __ad_gx;),
        };
        let opt = |s: &Self, a: Option<usize>, v: proc_macro2::TokenStream| match live(s, a) {
            Some(a) => {
                quote!(if let ::core::option::Option::Some(#g) = #v { #rt::acc(&mut #a, #g); })
            }
            None => quote!(let _ = #v;),
        };
        let gw = opt(self, optional[0].adj, quote!(__ad_gw));
        let gb = opt(self, optional[1].adj, quote!(__ad_gb));
        let d = self.adj_ident(out);
        self.cur_rev.push(quote! {
            if let ::core::option::Option::Some(#g) = ::core::option::Option::take(&mut #d) {
                let (__ad_gx, __ad_gw, __ad_gb) = #rt::Pullback::pull(#pb, #g);
                #gx
                #gw
                #gb
            }
        });
        self.cur_pbs.push(pb);
        Operand {
            tokens: t.to_token_stream(),
            adj: Some(out),
        }
    }

    /// `Some(e)` (with `e` lowered) or an inactive `Option` expression.
    fn lower_optional(&mut self, a: &Expr) -> Operand {
        if let Expr::Call(c) = crate::syntax::strip_parens(a) {
            let is_some = matches!(&*c.func, Expr::Path(p) if p.path.is_ident("Some"));
            if is_some && c.args.len() == 1 {
                let inner = self.lower_leaf(&c.args[0]);
                let t = &inner.tokens;
                return Operand {
                    tokens: quote!(::core::option::Option::Some(#t)),
                    adj: inner.adj,
                };
            }
        }
        if self.is_active(a) {
            self.cx.push(crate::diagnostics::active_config_argument(
                a.span(),
                "layer_norm",
            ));
        }
        Operand {
            tokens: a.to_token_stream(),
            adj: None,
        }
    }
}

impl Lowerer {
    /// `T::from(x).unwrap()` / `.expect(..)` of an active `x` (`num_traits::NumCast` between
    /// float types, with `T` a float type or a `T: Float` parameter): a conversion whose
    /// derivative is 1.
    pub(super) fn lower_numcast(&mut self, m: &syn::ExprMethodCall) -> Option<Operand> {
        if m.method != "unwrap" && m.method != "expect" {
            return None;
        }
        let Expr::Call(c) = crate::syntax::strip_parens(&m.receiver) else {
            return None;
        };
        let Expr::Path(fp) = crate::syntax::strip_parens(&c.func) else {
            return None;
        };
        let last = fp.path.segments.last()?;
        if last.ident != "from" || c.args.len() != 1 || !self.is_active(&c.args[0]) {
            return None;
        }
        let owner = self.float_owner(fp)?;
        let target: syn::Type = syn::parse_str(&owner).ok()?;
        let x = self.lower_leaf(&c.args[0]);
        let rt = names::rt_at(m.span());
        let span = m.span();
        Some(self.emit_op(
            quote_spanned!(span=> #rt::numcast::<_, #target>),
            vec![x],
            span,
            false,
        ))
    }
}
