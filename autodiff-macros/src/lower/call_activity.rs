//! Skipping the gradient work of arguments that are inactive at a call (runtime side:
//! `vjp::call_activity`).
//!
//! Each parameter `i` of the function has the bit `1 << i` (the receiver first). The macro
//! follows those bits forward through the operations it records: an operation's *reach* is the
//! union of its inputs' reaches, the parameters its value depends on. A binding other than an
//! unreassigned parameter, or any value that did not come out of a recorded operation, reaches
//! every parameter as far as this analysis knows, so the guards below never drop work that a
//! needed gradient depends on.
//!
//! At run time the pullback knows which parameters its caller needs (`__ad_want`, taken from the
//! caller's request when the forward sweep starts). A reverse step whose reach misses every
//! needed parameter is skipped; an input whose reach misses them receives nothing; a two-input
//! step needing one side asks its pullback for that side only (`Pullback::pull_part`). Calls of
//! other differentiable functions pass the request on: an argument is active at the inner call
//! when its reach meets what this call needs.

use super::tape::Operand;
use super::Lowerer;
use crate::names;
use crate::parse::Signature;
use proc_macro2::{Literal, TokenStream};
use quote::quote;

/// What every parameter reaching means: no information.
pub(super) const ALL: u64 = u64::MAX;

impl Lowerer {
    /// Gives each differentiated parameter its bit, and its slot (binding `i + 1`) that reach
    /// unless the body can give it another value (`mut x`, `x: &mut _`, `mut self`, `&mut self`).
    pub fn set_param_reach(&mut self, sig: &Signature, f: &syn::ItemFn) {
        let muts = crate::syntax::mut_params(f);
        let mut_receiver = f.sig.receiver().is_some_and(|r| r.mutability.is_some());
        self.narrowed = sig.narrowed_mask();
        for (i, p) in sig.params.iter().enumerate() {
            if !p.wrt || i >= 64 {
                continue;
            }
            self.wrt_bits |= 1 << i;
            let reassignable = muts.iter().any(|m| p.ident == m)
                || matches!(&p.ty, syn::Type::Reference(r) if r.mutability.is_some())
                || (p.ident == "self" && mut_receiver);
            if !reassignable {
                self.reach.insert(i + 1, 1 << i);
            }
        }
    }

    /// An active value of unknown reach is written to `id`.
    pub(super) fn mark_active(&mut self, id: usize) {
        self.assigned_active.insert(id);
        self.reach.insert(id, ALL);
    }

    /// `src` is written to the binding `dest` (a `let`, an assignment, a block's value). An
    /// immutable binding reaches what its writes reach (it is written once per run of its
    /// `let`, after what it is computed from); a `mut` one (or one the macro made, such as an
    /// iterator chain's accumulator) may carry a value around a loop, so it reaches everything.
    /// Temporaries written this way (an `if`'s value) are left unknown.
    pub(super) fn note_write(&mut self, dest: usize, src: usize) {
        if dest >= super::TEMP_BASE || dest == super::RET {
            return;
        }
        let name = &self.bindings[dest].name;
        // `__ad_` locals are the macro's own, such as an iterator chain's accumulator (`mut`)
        let r = if self.mut_names.contains(name) || name.starts_with("__ad_") {
            ALL
        } else {
            self.reach_of(src)
        };
        let prev = self.reach.get(&dest).copied().unwrap_or(0);
        self.reach.insert(dest, prev | r);
    }

    /// The function's own `Narrowed` mask, when some parameter is not differentiated.
    pub(super) fn narrowed_mask(&self) -> Option<&Literal> {
        self.narrowed.as_ref()
    }

    /// Does the generated code read `__ad_want` (the pullback must then take its request)?
    pub fn uses_call_activity(&self) -> bool {
        self.uses_want
    }

    /// The parameters slot `id`'s value may depend on ([`ALL`] when unknown).
    pub(super) fn reach_of(&self, id: usize) -> u64 {
        self.reach.get(&id).copied().unwrap_or(ALL)
    }

    /// Does a step reaching `mask` need a run-time test (it misses some parameter)?
    fn partial(&self, mask: u64) -> bool {
        mask != ALL && mask != 0 && self.wrt_bits & !mask != 0
    }

    /// The run-time test that a step reaching `mask` is needed.
    pub(super) fn want_test(&mut self, mask: u64) -> Option<TokenStream> {
        if !self.partial(mask) {
            return None;
        }
        self.uses_want = true;
        let want = names::local::want();
        let m = Literal::u64_unsuffixed(mask);
        Some(quote!((#want & #m) != 0))
    }

    /// The reach of an operation whose active inputs are `inputs`, remembered for `out`.
    pub(super) fn op_reach(&mut self, out: usize, inputs: &[Option<usize>]) -> u64 {
        let mask = inputs
            .iter()
            .flatten()
            .filter(|&&i| self.is_active_binding(i))
            .fold(0, |m, &i| m | self.reach_of(i));
        if mask != 0 && mask != ALL {
            self.reach.insert(out, mask);
        }
        mask
    }

    /// A call of another differentiable function `callee` (an expression of type
    /// `vjp::Callee`) with `args` (the receiver first): the request of which arguments are
    /// active, made when the last argument has been evaluated, or `None` when every argument is
    /// needed. Returns the last argument's tokens wrapped in the request.
    pub(super) fn request_call_activity(
        &mut self,
        callee: &TokenStream,
        args: &[&Operand],
    ) -> Option<TokenStream> {
        if args.len() < 2 || args.len() > 64 {
            return None;
        }
        let mut stat = 0u64;
        let mut dynamic = Vec::new();
        for (i, a) in args.iter().enumerate() {
            let Some(slot) = a.adj else { continue };
            // an argument whose reach misses some parameter is active when this call needs it
            match self.want_test(self.reach_of(slot)) {
                Some(test) => {
                    let bit = Literal::u64_unsuffixed(1 << i);
                    dynamic.push(quote!((if #test { #bit } else { 0 })));
                }
                None => stat |= 1 << i,
            }
        }
        let every = if args.len() == 64 {
            ALL
        } else {
            (1u64 << args.len()) - 1
        };
        if dynamic.is_empty() && stat == every {
            return None;
        }
        let rt = names::rt();
        let stat = Literal::u64_unsuffixed(stat);
        let last = &args[args.len() - 1].tokens;
        Some(quote!(#rt::with_call_activity(#callee, #stat #(| #dynamic)*, #last)))
    }
}
