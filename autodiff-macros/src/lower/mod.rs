//! The transform proper: one walk over the body that writes the forward sweep (the user's code
//! with each active operation replaced by its VJP form and a record push at the end of each
//! straight-line segment) and collects, per segment, the reverse code the pullback runs.
//!
//! - `tape`: segments, records and operands (what the forward sweep saves, what the pullback
//!   replays);
//! - `control`: blocks, statements, `if`, `match`, loops, jumps and assignments;
//! - `ops`: straight-line expressions, one VJP call per operation.
//!
//! # How control flow is reversed
//! The forward code keeps the user's structure (`if`, `match`, loops, labels, `break`,
//! `continue`, early `return`), so borrows and moves behave exactly as written. The body is cut
//! into *segments*: maximal straight-line runs of active operations inside one block. When a
//! segment ends (before any nested control flow, a jump, or the end of its block) the forward
//! sweep pushes the segment's pullbacks as one tuple onto that segment's own `Vec`, and the
//! segment's id onto one trace `Vec<u8|u16|u32>`. The pullback walks the trace backwards and runs
//! each segment's reverse code with the tuple popped (by reference) from its `Vec`. The trace is
//! exactly the executed order of segments, so every combination of branches, nested loops,
//! `break`/`continue` with labels and early `return` is reversed by the same mechanism, and no
//! condition is evaluated again.
//!
//! # Adjoints
//! One `Option<_>` adjoint per binding (after resolving shadowing, so `let x = x * 2.0` gets two),
//! declared at the top of the pullback. A definition or assignment *takes* its target's adjoint
//! (resetting it, which is what makes loop-carried variables and constant-initialised
//! accumulators correct) and passes it through the operation's pullback into the inputs'
//! adjoints, where values used several times sum.

mod aggregates;
mod call_activity;
mod calls;
mod checkpoint;
mod checkpoint_inputs;
pub use checkpoint::{ck_env, ck_len, ck_state, strip_checkpoint_attrs, CheckpointReplay};
mod closures;
mod control;
mod fuse;
pub use fuse::scalar_signature;
mod hoist;
mod ops;
mod places;
mod sizes;
mod tape;

pub use tape::{checkpointed_segments, Segment};

use crate::activity::{self, Scope};
use crate::ctxt::Ctxt;
use crate::names;
use proc_macro2::Span;
use proc_macro2::TokenStream;
use std::collections::{HashMap, HashSet};
use syn::{Block, Expr, Ident, Pat};

/// A binding of the body (a parameter, a `let`, a pattern variable) or the return slot.
struct BindingInfo {
    name: String,
    /// The binding's identity across rounds of the activity fixpoint.
    key: activity::BindingKey,
    /// The return slot is active by construction.
    always: bool,
}

/// A loop or labelled block that `break` can leave.
struct LoopCtx {
    label: Option<String>,
    dest: Option<usize>,
    /// A labelled block (`'a: { .. }`), which `continue` cannot target.
    is_block: bool,
}

/// The id of the return slot: the body's value flows there.
pub const RET: usize = 0;
/// Temporaries get ids from here on, so that the ids of real bindings do not depend on how many
/// operations earlier rounds of the activity fixpoint lowered.
const TEMP_BASE: usize = 1 << 24;

/// One round of the walk over the body.
pub struct Lowerer {
    /// Bindings known to be active (from the previous round of the fixpoint).
    active: HashSet<activity::BindingKey>,
    keys: activity::KeyGen,
    /// Bindings that received an active value during this walk.
    assigned_active: HashSet<usize>,
    /// Bindings holding raw numbers read out of active values, with where they were read
    /// (from the previous round, and found in this one).
    raw: HashMap<activity::BindingKey, Span>,
    assigned_raw: HashMap<usize, Span>,
    bindings: Vec<BindingInfo>,
    scopes: Vec<Vec<(String, usize)>>,
    /// This round's errors (only the final round's are reported).
    pub cx: Ctxt,
    /// Forward statements, one buffer per open block.
    out: Vec<Vec<TokenStream>>,
    /// Reverse code and pullback names of the segment being built.
    cur_rev: Vec<TokenStream>,
    cur_pbs: Vec<Ident>,
    pub segments: Vec<Segment>,
    loops: Vec<LoopCtx>,
    fn_name: String,
    /// Type parameters bounded by `Float`, so `T::sin(x)` is known as `x.sin()`.
    float_types: Vec<String>,
    /// Every parameter and the result are plain numbers (see `fuse::scalar_signature`).
    scalar_fn: bool,
    ntemps: usize,
    /// Counter for other generated forward locals (saved indices, recorded zeros).
    nfresh: usize,
    /// Differentiated parameters of struct, container or tuple type (their zero is built once).
    structured_params: HashSet<usize>,
    /// Bindings that name a part of a differentiated argument.
    aliases: HashMap<usize, places::Alias>,
    /// Names bound `mut` anywhere in the function (a `move` closure capturing one may see a value
    /// other than the one it captured, so it is not inlined).
    mut_names: HashSet<String>,
    /// Temporaries that read a whole alias (`w` of `for w in ws.iter()`): a reference to an
    /// element, which arithmetic takes by value (`w.clone()` is `f64` for `w: &f64`).
    alias_reads: HashSet<usize>,
    /// A user function's `_vjp` is called (the pullback is then boxed).
    calls_user: bool,
    /// The function's own pullback type (cotangent, gradients), for boxing recursive calls.
    self_pullback: (TokenStream, TokenStream),
    /// Closures bound with `let`, inlined where they are called with active values.
    closures: HashMap<usize, closures::ClosureDef>,
    /// Local containers of differentiable values (`Vec`s filled with `push`, aggregates), whose
    /// elements may be read by index.
    structured_locals: HashSet<usize>,
    pub body_label: syn::Lifetime,
    /// The parameters each value may depend on (`call_activity.rs`), by adjoint slot.
    reach: HashMap<usize, u64>,
    /// The bits of the differentiated parameters.
    wrt_bits: u64,
    /// The function's own `Narrowed` mask, when some parameter is not differentiated.
    narrowed: Option<proc_macro2::Literal>,
    /// Some guard reads `__ad_want`.
    uses_want: bool,
    /// The call being emitted requested its arguments' activity (clear the request after it).
    requested: bool,
}

impl Scope for Lowerer {
    fn is_active_name(&self, name: &str) -> bool {
        self.resolve(name)
            .is_some_and(|b| self.is_active_binding(b))
    }
    fn raw_name(&self, name: &str) -> Option<Span> {
        let id = self.resolve(name)?;
        self.raw
            .get(&self.bindings[id].key)
            .or_else(|| self.assigned_raw.get(&id))
            .copied()
    }
    fn is_container(&self, e: &Expr) -> bool {
        let e = crate::syntax::strip_parens(e);
        self.is_elems_place(e) || (hoist::is_computed_container(e) && activity::is_active(self, e))
    }
}

impl Lowerer {
    pub fn new(
        active: HashSet<activity::BindingKey>,
        raw: HashMap<activity::BindingKey, Span>,
        fn_name: String,
    ) -> Self {
        let mut lw = Lowerer {
            active,
            keys: activity::KeyGen::default(),
            assigned_active: HashSet::new(),
            raw,
            assigned_raw: HashMap::new(),
            bindings: Vec::new(),
            scopes: vec![Vec::new()],
            cx: Ctxt::new(),
            out: vec![Vec::new()],
            cur_rev: Vec::new(),
            cur_pbs: Vec::new(),
            segments: Vec::new(),
            loops: Vec::new(),
            fn_name,
            float_types: Vec::new(),
            scalar_fn: false,
            ntemps: 0,
            nfresh: 0,
            structured_params: HashSet::new(),
            aliases: HashMap::new(),
            structured_locals: HashSet::new(),
            closures: HashMap::new(),
            self_pullback: (TokenStream::new(), TokenStream::new()),
            calls_user: false,
            alias_reads: HashSet::new(),
            mut_names: HashSet::new(),
            body_label: names::body_label(),
            reach: HashMap::new(),
            wrt_bits: 0,
            narrowed: None,
            uses_want: false,
            requested: false,
        };
        // the return slot, active by construction
        lw.declare("ret");
        lw.bindings[RET].always = true;
        lw
    }

    /// The identity of a binding across rounds of the fixpoint (`None` for temporaries).
    pub fn binding_key(&self, id: usize) -> Option<activity::BindingKey> {
        self.bindings.get(id).map(|b| b.key.clone())
    }

    /// Binds a parameter (in order: parameters are ids `1..=n`); a differentiated one is active.
    pub fn bind_param(&mut self, name: &str, differentiated: bool, structured: bool) {
        let id = self.bind(name);
        if differentiated {
            self.assigned_active.insert(id);
            if structured {
                self.structured_params.insert(id);
            }
        }
    }

    /// Parameters declared `mut` (with the body's `mut` bindings, the state a `#[checkpoint]`
    /// loop stores per block).
    pub fn add_mut_params(&mut self, names: impl IntoIterator<Item = String>) {
        self.mut_names.extend(names);
    }

    /// The bindings that received an active value in this round.
    pub fn assigned_active(&self) -> &HashSet<usize> {
        &self.assigned_active
    }

    /// The function's cotangent and gradient types (a recursive call's pullback is boxed as
    /// `dyn Fn(cotangent) -> gradients`).
    pub fn set_self_pullback(&mut self, cot: TokenStream, grads: TokenStream) {
        self.self_pullback = (cot, grads);
    }

    /// Type parameters bounded by `Float` (`T::sin(x)` is `x.sin()`).
    pub fn set_float_types(&mut self, types: Vec<String>) {
        self.float_types = types;
    }

    /// Every parameter and the result are plain numbers (enables fusing chains of several
    /// inputs, `fuse.rs`).
    pub fn set_scalar_fn(&mut self, scalar: bool) {
        self.scalar_fn = scalar;
    }

    /// The bindings that received raw numbers in this round.
    pub fn assigned_raw(&self) -> &HashMap<usize, Span> {
        &self.assigned_raw
    }

    /// Does the body call another differentiable function's `_vjp`?
    pub fn calls_user_functions(&self) -> bool {
        self.calls_user
    }

    /// Does the function's result depend on a differentiated argument?
    pub fn output_is_active(&self) -> bool {
        self.assigned_active.contains(&RET)
    }

    // ----- bindings and scopes ---------------------------------------------------------------------

    fn bind(&mut self, name: &str) -> usize {
        let id = self.declare(name);
        self.enter(name, id);
        id
    }

    /// A binding that is not in scope yet (a `let`'s own name while its initialiser runs).
    fn declare(&mut self, name: &str) -> usize {
        let id = self.bindings.len();
        let key = self.keys.key(name);
        self.bindings.push(BindingInfo {
            name: name.to_string(),
            key,
            always: false,
        });
        id
    }

    fn enter(&mut self, name: &str, id: usize) {
        self.scopes
            .last_mut()
            .expect("scope")
            .push((name.to_string(), id));
    }

    /// A number for a generated forward local that has no adjoint.
    fn fresh(&mut self) -> usize {
        self.nfresh += 1;
        self.nfresh
    }

    fn temp(&mut self) -> usize {
        self.ntemps += 1;
        TEMP_BASE + self.ntemps
    }

    /// Every adjoint slot the pullback must declare.
    pub fn adjoints(&self) -> Vec<Ident> {
        let mut v: Vec<Ident> = (0..self.bindings.len())
            .filter(|&i| {
                self.is_active_binding(i)
                    && !self.aliases.contains_key(&i)
                    && !self.closures.contains_key(&i)
            })
            .map(|i| self.adj_ident(i))
            .collect();
        v.extend((1..=self.ntemps).map(|n| self.adj_ident(TEMP_BASE + n)));
        v
    }

    fn resolve(&self, name: &str) -> Option<usize> {
        for scope in self.scopes.iter().rev() {
            if let Some((_, id)) = scope.iter().rev().find(|(n, _)| n == name) {
                return Some(*id);
            }
        }
        None
    }

    fn is_active_binding(&self, id: usize) -> bool {
        id >= TEMP_BASE || self.bindings[id].always || self.active.contains(&self.bindings[id].key)
    }

    pub fn adj_ident(&self, id: usize) -> Ident {
        if id >= TEMP_BASE {
            names::temp_adjoint(id - TEMP_BASE)
        } else {
            names::binding_adjoint(id, &self.bindings[id].name)
        }
    }

    fn temp_ident(&self, id: usize) -> Ident {
        names::temp_value(id - TEMP_BASE)
    }

    fn push_scope(&mut self) {
        self.scopes.push(Vec::new());
    }

    fn pop_scope(&mut self) {
        self.scopes.pop();
    }

    fn bind_pattern_inactive(&mut self, pat: &Pat) {
        self.bind_pattern_from(pat, None);
    }

    /// Binds a pattern's variables as inactive; they hold raw numbers when the matched value
    /// does (`raw` is where those were read).
    fn bind_pattern_from(&mut self, pat: &Pat, raw: Option<Span>) {
        for id in crate::syntax::pat_idents(pat) {
            let b = self.bind(&id.to_string());
            if let Some(span) = raw {
                self.assigned_raw.entry(b).or_insert(span);
            }
        }
    }

    /// Where `e` reads raw numbers out of an active value, if it does.
    fn raw_read(&self, e: &Expr) -> Option<Span> {
        activity::raw_read(self, e)
    }

    /// Raw numbers flow to `dest`: fine for an inactive binding (which then holds raw numbers),
    /// refused for the result or an active binding.
    fn raw_flows_to(&mut self, dest: Option<usize>, read: Span) {
        match dest {
            Some(d) if d == RET || self.is_active_binding(d) => {
                self.cx
                    .push(crate::diagnostics::raw_read_reaches_output(read));
            }
            Some(d) => {
                self.assigned_raw.entry(d).or_insert(read);
            }
            None => {}
        }
    }

    // ----- activity and output ------------------------------------------------------------------

    fn is_active(&self, e: &Expr) -> bool {
        activity::is_active(self, e)
    }

    fn emit(&mut self, ts: TokenStream) {
        self.out.last_mut().expect("buffer").push(ts);
    }

    /// Lowers the function body; its value flows to the return slot.
    pub fn lower_body(&mut self, block: &Block) -> TokenStream {
        self.mut_names.extend(crate::syntax::mut_bindings(block));
        self.lower_block(block, Some(RET))
    }
}

// ----- rules and rewrites the walk applies ----------------------------------------------------------

impl Lowerer {
    /// Runs a rule from `check` with this walk's view of activity.
    fn check(&mut self, rule: impl FnOnce(&Self, &mut Ctxt)) {
        let mut cx = Ctxt::new();
        rule(self, &mut cx);
        self.cx.append(cx);
    }

    fn check_macro(&mut self, mac: &syn::Macro) {
        self.check(|s, cx| crate::check::macro_call(s, mac, cx));
    }

    /// Inactive code is copied verbatim, but some of it still hides things we must reject.
    fn check_verbatim(&mut self, e: &Expr) {
        self.check(|s, cx| crate::check::verbatim_expr(s, e, cx));
    }

    fn rewrite_returns_expr(&self, e: &Expr) -> TokenStream {
        crate::syntax::rewrite_returns_expr(e, &self.body_label)
    }
}
