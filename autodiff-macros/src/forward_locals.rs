//! Which names of a function's copy at dual numbers hold dual values (`locals`), decided per
//! function from what each name is bound to: `let`, `for`, assignments, `if let` / `while let`
//! / `match` arm patterns, and the parameters of closures passed to adapters of dual items.

use crate::forward_dual::{mentions, pat_names};
use std::collections::HashSet;
use syn::visit::Visit;
use syn::Expr;

/// The names bound in `block` (locals, closures, loop variables, `if let` / `while let` /
/// `match` arm patterns, parameters of closures passed to adapters) and, of them, those that
/// hold dual values: bound from an expression that reads a dual name (to a fixpoint; scopes
/// are not told apart, which can only add names: a plain value under a dual name is then a
/// type error, never a constant). A dual value missed here would be taken for a plain one: in
/// the copy `hvp` differentiates its conversion to a constant (`forward::ConstantScalar`) is a
/// compile error rather than a dropped derivative.
pub(crate) fn locals(
    block: &syn::Block,
    seeds: &HashSet<String>,
) -> (HashSet<String>, HashSet<String>) {
    let mut dual = seeds.clone();
    let mut bound = HashSet::new();
    loop {
        let before = dual.len();
        L {
            dual: &mut dual,
            bound: &mut bound,
        }
        .visit_block(block);
        if dual.len() == before {
            return (bound, dual);
        }
    }
}

struct L<'a> {
    dual: &'a mut HashSet<String>,
    bound: &'a mut HashSet<String>,
}
impl L<'_> {
    fn bind(&mut self, pat: &syn::Pat, from: Option<&Expr>) {
        let mut names = HashSet::new();
        pat_names(pat, &mut names);
        if from.is_some_and(|e| mentions(e, self.dual)) {
            self.dual.extend(names.iter().cloned());
        }
        self.bound.extend(names);
    }

    /// A closure parameter taking the items of `it`: of `a.zip(b)` a pair `(p, q)` of
    /// `a`'s and `b`'s items, of `a.enumerate()` a pair `(i, v)` of an index and `a`'s
    /// item (through the adapters that keep items).
    fn bind_item(&mut self, pat: &syn::Pat, it: &Expr) {
        let pat = match pat {
            syn::Pat::Reference(r) => &*r.pat,
            syn::Pat::Type(t) => &*t.pat,
            p => p,
        };
        let mut src = it;
        while let Expr::MethodCall(m) = src {
            let keeps = [
                "iter",
                "into_iter",
                "copied",
                "cloned",
                "filter",
                "rev",
                "skip",
                "take",
            ];
            if keeps.iter().any(|k| m.method == k) {
                src = &m.receiver;
                continue;
            }
            if let (syn::Pat::Tuple(t), true) = (pat, t_len(pat) == 2) {
                if m.method == "zip" && m.args.len() == 1 {
                    self.bind_item(&t.elems[0], &m.receiver);
                    self.bind_item(&t.elems[1], &m.args[0]);
                    return;
                }
                if m.method == "enumerate" {
                    self.bind(&t.elems[0], None);
                    self.bind_item(&t.elems[1], &m.receiver);
                    return;
                }
            }
            break;
        }
        self.bind(pat, Some(it));
    }
}
fn t_len(p: &syn::Pat) -> usize {
    match p {
        syn::Pat::Tuple(t) => t.elems.len(),
        _ => 0,
    }
}
impl<'ast> Visit<'ast> for L<'_> {
    fn visit_local(&mut self, l: &'ast syn::Local) {
        self.bind(&l.pat, l.init.as_ref().map(|i| &*i.expr));
        syn::visit::visit_local(self, l);
    }
    fn visit_expr_for_loop(&mut self, f: &'ast syn::ExprForLoop) {
        self.bind(&f.pat, Some(&f.expr));
        syn::visit::visit_expr_for_loop(self, f);
    }
    fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
        if let Expr::Path(p) = &*a.left {
            if let Some(id) = p.path.get_ident() {
                if mentions(&a.right, self.dual) {
                    self.dual.insert(id.to_string());
                }
            }
        }
        syn::visit::visit_expr_assign(self, a);
    }
    // `if let Some(v) = o`, `while let`: `v` is dual when `o` is
    fn visit_expr_let(&mut self, l: &'ast syn::ExprLet) {
        self.bind(&l.pat, Some(&l.expr));
        syn::visit::visit_expr_let(self, l);
    }
    fn visit_expr_match(&mut self, m: &'ast syn::ExprMatch) {
        for arm in &m.arms {
            self.bind(&arm.pat, Some(&m.expr));
        }
        syn::visit::visit_expr_match(self, m);
    }
    // the parameters of closures passed to adapters of dual items (`a.iter().map(|v|
    // ..)`, `o.map(|v| ..)`), and `fold`'s accumulator when it starts from a dual value
    // or folds dual items
    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        let items = mentions(&m.receiver, self.dual);
        let acc = m.method == "fold" && m.args.len() == 2 && mentions(&m.args[0], self.dual);
        for (k, a) in m.args.iter().enumerate() {
            let Expr::Closure(c) = a else { continue };
            let n = c.inputs.len();
            for (j, p) in c.inputs.iter().enumerate() {
                let fold_acc = m.method == "fold" && k == 1 && j == 0 && n == 2;
                if fold_acc && acc {
                    self.bind(p, Some(&m.args[0]));
                } else if fold_acc && items {
                    // an accumulator of dual items
                    self.bind(p, Some(&m.receiver));
                } else if items {
                    self.bind_item(p, &m.receiver);
                }
            }
        }
        syn::visit::visit_expr_method_call(self, m);
    }
    fn visit_expr_closure(&mut self, c: &'ast syn::ExprClosure) {
        for p in &c.inputs {
            self.bind(p, None);
        }
        syn::visit::visit_expr_closure(self, c);
    }
    fn visit_item(&mut self, _: &'ast syn::Item) {}
}
