//! What the body of a `#[checkpoint]` loop reads from outside it (`checkpoint.rs`): the names
//! it binds itself and those it reads before binding them, with Rust's scoping, and whether a
//! `while` condition may change the loop's state.

use crate::syntax::strip_parens;
use proc_macro2::TokenStream;
use syn::visit::Visit;
use syn::{Expr, Ident};

/// What a checkpointed loop's body reads from outside: values it only reads (`env`, stored
/// once), `mut` bindings (`state`, stored at every block start), and bindings declared without
/// a value that the loop assigns (`deferred`: nothing to store, declared again for the replay).
pub(super) struct Inputs {
    pub env: Vec<Ident>,
    pub state: Vec<Ident>,
    pub deferred: Vec<Ident>,
    /// The `while` condition may change the state: the state is stored before it runs, and the
    /// replay runs it again.
    pub rerun_cond: bool,
}

/// Can evaluating `cond` change a binding: an assignment, a `&mut` borrow, or a method call on
/// a `mut` binding (`it.next()`, `rng.gen::<f64>()`)?
pub(super) fn may_mutate(cond: &Expr, mut_names: &std::collections::HashSet<String>) -> bool {
    struct M<'m> {
        mut_names: &'m std::collections::HashSet<String>,
        found: bool,
    }
    impl<'ast> Visit<'ast> for M<'_> {
        fn visit_expr(&mut self, e: &'ast Expr) {
            match e {
                Expr::Assign(_) => self.found = true,
                Expr::Binary(b) if is_compound(&b.op) => self.found = true,
                Expr::Reference(r) if r.mutability.is_some() => self.found = true,
                Expr::MethodCall(m) => {
                    if let Expr::Path(p) = strip_parens(&m.receiver) {
                        let on_mut = p
                            .path
                            .get_ident()
                            .is_some_and(|id| self.mut_names.contains(&id.to_string()));
                        self.found |= on_mut;
                    }
                }
                _ => {}
            }
            syn::visit::visit_expr(self, e);
        }
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut m = M {
        mut_names,
        found: false,
    };
    m.visit_expr(cond);
    m.found
}

fn is_compound(op: &syn::BinOp) -> bool {
    use syn::BinOp::*;
    matches!(
        op,
        AddAssign(_)
            | SubAssign(_)
            | MulAssign(_)
            | DivAssign(_)
            | RemAssign(_)
            | BitXorAssign(_)
            | BitAndAssign(_)
            | BitOrAssign(_)
            | ShlAssign(_)
            | ShrAssign(_)
    )
}

/// The names a loop (its condition, pattern and body) binds, and those it reads before binding
/// them (free), found with Rust's scoping: a `let` binds after its initialiser, patterns of
/// `for`, `match`, `if let`, `while let` and closure parameters bind in their own scope, and
/// identifiers inside macro calls count as read.
#[derive(Clone, Default)]
pub(super) struct BodyNames {
    pub bound: std::collections::HashSet<String>,
    pub free: std::collections::HashSet<String>,
    /// Names from outside assigned as a whole (`name = ..`).
    pub assigned: std::collections::HashSet<String>,
    /// Set by `loop_inputs`: the loop reads a closure bound outside it (whose captures the
    /// lowered body mentions).
    pub reads_closure: bool,
}

impl BodyNames {
    /// The names of a loop with condition `cond` (`while`), pattern `pat` (`for`) and `body`.
    pub fn of(cond: Option<&Expr>, pat: Option<&syn::Pat>, body: &syn::Block) -> Self {
        let mut w = FreeWalk {
            names: BodyNames::default(),
            scopes: vec![Vec::new()],
        };
        if let Some(cond) = cond {
            w.visit_expr(cond);
        }
        if let Some(pat) = pat {
            w.bind(pat);
        }
        w.visit_block(body);
        w.names
    }
}

struct FreeWalk {
    names: BodyNames,
    scopes: Vec<Vec<String>>,
}

impl FreeWalk {
    fn bind(&mut self, pat: &syn::Pat) {
        for id in crate::syntax::pat_idents(pat) {
            let name = id.to_string();
            self.names.bound.insert(name.clone());
            self.scopes.last_mut().expect("scope").push(name);
        }
    }
    fn read(&mut self, name: String) {
        if !self.scopes.iter().any(|s| s.contains(&name)) {
            self.names.free.insert(name);
        }
    }
    fn scoped(&mut self, f: impl FnOnce(&mut Self)) {
        self.scopes.push(Vec::new());
        f(self);
        self.scopes.pop();
    }
    fn read_tokens(&mut self, ts: &TokenStream) {
        crate::activity::scan_free_idents(ts, &mut |id| {
            let name = id.to_string();
            if !self.scopes.iter().any(|s| s.contains(&name)) {
                self.names.free.insert(name);
            }
        });
    }
}

impl<'ast> Visit<'ast> for FreeWalk {
    fn visit_block(&mut self, b: &'ast syn::Block) {
        self.scoped(|w| syn::visit::visit_block(w, b));
    }
    fn visit_local(&mut self, l: &'ast syn::Local) {
        if let Some(init) = &l.init {
            self.visit_expr(&init.expr);
            if let Some((_, diverge)) = &init.diverge {
                self.visit_expr(diverge);
            }
        }
        self.bind(&l.pat);
    }
    fn visit_expr_closure(&mut self, c: &'ast syn::ExprClosure) {
        self.scoped(|w| {
            for p in &c.inputs {
                w.bind(p);
            }
            w.visit_expr(&c.body);
        });
    }
    fn visit_expr_for_loop(&mut self, f: &'ast syn::ExprForLoop) {
        self.visit_expr(&f.expr);
        self.scoped(|w| {
            w.bind(&f.pat);
            w.visit_block(&f.body);
        });
    }
    fn visit_expr_if(&mut self, i: &'ast syn::ExprIf) {
        self.scoped(|w| {
            w.visit_expr(&i.cond);
            w.visit_block(&i.then_branch);
        });
        if let Some((_, e)) = &i.else_branch {
            self.visit_expr(e);
        }
    }
    fn visit_expr_while(&mut self, wh: &'ast syn::ExprWhile) {
        self.scoped(|w| {
            w.visit_expr(&wh.cond);
            w.visit_block(&wh.body);
        });
    }
    fn visit_expr_let(&mut self, l: &'ast syn::ExprLet) {
        self.visit_expr(&l.expr);
        self.bind(&l.pat);
    }
    fn visit_arm(&mut self, a: &'ast syn::Arm) {
        self.scoped(|w| {
            w.bind(&a.pat);
            if let Some((_, g)) = &a.guard {
                w.visit_expr(g);
            }
            w.visit_expr(&a.body);
        });
    }
    fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
        if let Expr::Path(p) = strip_parens(&a.left) {
            if let Some(id) = p.path.get_ident() {
                let name = id.to_string();
                if !self.scopes.iter().any(|s| s.contains(&name)) {
                    self.names.assigned.insert(name);
                }
            }
        }
        syn::visit::visit_expr_assign(self, a);
    }
    fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
        if p.qself.is_none() {
            if let Some(id) = p.path.get_ident() {
                self.read(id.to_string());
                return;
            }
        }
        syn::visit::visit_expr_path(self, p);
    }
    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        self.read_tokens(&m.tokens);
    }
    fn visit_item(&mut self, _: &'ast syn::Item) {}
}
