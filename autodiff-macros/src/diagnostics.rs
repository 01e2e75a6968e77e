//! Every message the macro can emit, one constructor each, so the same problem is worded the
//! same wherever it is found. Style follows rustc: a lowercase message, then `help:` / `note:`
//! lines saying what to do instead.

use proc_macro2::Span;
use std::fmt::Display;
use syn::Error;

fn err(span: Span, msg: impl Display) -> Error {
    Error::new(span, msg)
}

// ----- the attribute and the item ---------------------------------------------------------------

pub fn not_a_function(span: Span) -> Error {
    err(
        span,
        "`#[differentiable]` can only be applied to ordinary functions with a body",
    )
}

pub fn wrt_twice(span: Span) -> Error {
    err(span, "`wrt` given twice")
}

pub fn wrt_empty(span: Span) -> Error {
    err(
        span,
        "`wrt()` names no argument\n\
         help: list the arguments to differentiate, e.g. `wrt(x, w)`",
    )
}

pub fn unknown_option(span: Span, name: &str) -> Error {
    err(
        span,
        format!(
            "unknown option `{name}` for `#[differentiable]`\n\
             help: the options are `wrt(arg, ..)`, `associated` (an associated function without `self`), `float = T` (a float type parameter of the `impl` block), `jvp`, `hvp` and `debug`"
        ),
    )
}

pub fn async_fn(span: Span) -> Error {
    err(
        span,
        "`#[differentiable]` cannot be applied to an `async fn`\n\
         help: make the computation a plain `fn` and call it from async code",
    )
}

pub fn const_fn(span: Span) -> Error {
    err(
        span,
        "`#[differentiable]` cannot be applied to a `const fn`\n\
         help: remove `const`; the generated `_vjp` function records values at run time",
    )
}

pub fn unsafe_fn(span: Span) -> Error {
    err(
        span,
        "`#[differentiable]` cannot be applied to an `unsafe fn`",
    )
}

pub fn variadic(span: Span) -> Error {
    err(span, "variadic functions are not differentiable")
}

pub fn self_receiver(span: Span) -> Error {
    err(
        span,
        "only `self` and `&self` receivers can be differentiated\n\
         help: take `&self` (a method cannot mutate the value it is differentiated at), or write a \
         free function that takes the value as an argument",
    )
}

pub fn param_pattern(span: Span) -> Error {
    err(
        span,
        "parameters of a `#[differentiable]` function must be plain identifiers\n\
         help: destructure the argument inside the body instead",
    )
}

pub fn impl_trait_param(span: Span) -> Error {
    err(
        span,
        "`impl Trait` parameters are not supported by `#[differentiable]`\n\
         help: use a named generic parameter instead",
    )
}

pub fn wrt_unknown(span: Span, name: &dyn Display, params: &str) -> Error {
    err(
        span,
        format!(
            "`wrt({name})` names no parameter of this function\n\
             help: the parameters are: {params}"
        ),
    )
}

pub fn wrt_not_differentiable(span: Span, name: &dyn Display, ty: &dyn Display) -> Error {
    err(
        span,
        format!(
            "`{name}` cannot be differentiated: its type `{ty}` is not differentiable\n\
             help: differentiable parameters are `f32`, `f64`, `T: Float`, `Tensor<..>`, `&Tensor<..>`, \
             and, named in `wrt(..)`, any `Differentiable` type (a struct deriving it, a `Vec`, slice, \
             array or tuple of differentiable values)"
        ),
    )
}

pub fn mut_ref_param(span: Span) -> Error {
    err(
        span,
        "`&mut` parameters cannot be differentiated: mutating a differentiable value in place is not supported\n\
         help: take `&Tensor` (or the value) and return the new value instead",
    )
}

pub fn no_differentiable_param(span: Span, fn_name: &dyn Display) -> Error {
    err(
        span,
        format!(
            "no differentiation parameters could be inferred for `{fn_name}`\n\
             note: differentiable parameters are `f32`, `f64`, `T: Float`, `Tensor<..>` and `&Tensor<..>`\n\
             help: add such a parameter, or name one with `#[differentiable(wrt(..))]`"
        ),
    )
}

pub fn return_not_differentiable(span: Span, ty: &dyn Display) -> Error {
    err(
        span,
        format!(
            "the return type `{ty}` is not differentiable\n\
             note: a `#[differentiable]` function returns `f32`, `f64`, `T: Float`, `Tensor<..>`, or a \
             `Differentiable` struct, tuple or array of them (not a reference)"
        ),
    )
}

pub fn no_return_value(span: Span) -> Error {
    err(
        span,
        "a `#[differentiable]` function must return a value\n\
         help: return the quantity to differentiate, e.g. `-> Tensor` or `-> f64`",
    )
}

// ----- the body: language features ----------------------------------------------------------------

pub fn unsafe_block(span: Span) -> Error {
    err(
        span,
        "`unsafe` blocks are not supported in differentiable functions\n\
         help: move the unsafe code into a function with its own `_vjp`, or out of the differentiable function",
    )
}

pub fn inline_asm(span: Span) -> Error {
    err(
        span,
        "inline assembly is not supported in differentiable functions",
    )
}

pub fn static_mut(span: Span) -> Error {
    err(
        span,
        "`static mut` is not supported in differentiable functions\n\
         help: pass the value in as an argument",
    )
}

pub fn global_write(span: Span, name: &dyn Display) -> Error {
    err(
        span,
        format!(
            "writes to globals are not supported in differentiable functions: `{name}` is not a local variable\n\
             help: pass the value in as an argument and return the result"
        ),
    )
}

pub fn opaque_macro(span: Span, name: &str) -> Error {
    err(
        span,
        format!(
            "cannot differentiate through macro `{name}!`: its expansion is not visible to `#[differentiable]`\n\
             help: write the computation as ordinary code, or in a function with its own `_vjp`\n\
             note: printing and assertion macros (`println!`, `assert!`, `dbg!`, ..) may read differentiable values"
        ),
    )
}

pub fn try_operator(span: Span) -> Error {
    err(
        span,
        "the `?` operator is not supported on differentiable values\n\
         help: handle the error before the differentiable computation, or use `match`/`if let` on an inactive value",
    )
}

pub fn jump_in_expression(span: Span) -> Error {
    err(
        span,
        "not supported yet: a jump (`return`, `break`, `continue`, `?`) inside a differentiable expression\n\
         help: compute the value in its own `let` statement first",
    )
}

// ----- the body: differentiable values where they cannot go -----------------------------------------

pub fn destructure_active(span: Span) -> Error {
    err(
        span,
        "this pattern cannot take a differentiable value apart: `..` in a tuple or slice pattern, \
         `ref` bindings and `name @ pattern` are not supported\n\
         help: name every element (`let (a, _, c) = ..`), or read the parts by field (`t.0`, `s.w`)",
    )
}

pub fn iterate_active(span: Span) -> Error {
    err(
        span,
        "iterating over a differentiable value is not supported yet\n\
         help: iterate over indices (`for i in 0..n`) and index inactive data, or use tensor operations",
    )
}

pub fn pattern_on_active(span: Span, what: &str) -> Error {
    err(
        span,
        format!(
            "pattern matching on a differentiable value in {what} is not supported\n\
             help: match on an inactive value (a flag, an index, `x.item() > 0.0`)"
        ),
    )
}

pub fn pattern_binds_active_part(span: Span) -> Error {
    err(
        span,
        "this pattern cannot match a differentiable value: only `_`, literals, ranges and plain bindings can\n\
         help: bind the value (`v if (0.0..=1.0).contains(&v) => ..`) and test it in a guard",
    )
}

pub fn in_place_mutation(span: Span) -> Error {
    err(
        span,
        "mutating a differentiable value in place is not supported (like PyTorch's \
         \"a leaf Variable that requires grad is being used in an in-place operation\")\n\
         help: build a new value instead, e.g. with tensor operations, and bind it with `let`",
    )
}

pub fn in_place_method(span: Span, name: &str) -> Error {
    err(
        span,
        format!(
            "mutating a differentiable value in place is not supported (`{name}`)\n\
             help: build a new value instead"
        ),
    )
}

pub fn mut_borrow_active(span: Span) -> Error {
    err(
        span,
        "`&mut` borrows of differentiable values are not supported: mutating a differentiable value in place is not supported\n\
         help: build a new value instead",
    )
}

pub fn closure_capture(span: Span, captured: &dyn Display) -> Error {
    err(
        span,
        format!(
            "this closure captures the differentiable value `{captured}` and is passed where the macro \
             cannot follow it\n\
             help: bind it with `let` and call it (`let f = |k| ..; f(2.0)`), give it to an iterator chain \
             (`map`, `filter`, `fold`, `sum`, ..), or write a `#[differentiable]` function; \
             `no_grad(|| ..)` may capture values whose gradient is not needed"
        ),
    )
}

pub fn operator_not_differentiable(span: Span, op: &dyn Display) -> Error {
    err(
        span,
        format!("expression is not differentiable: the operator `{op}` has no derivative"),
    )
}

pub fn compound_not_differentiable(span: Span, op: &dyn Display) -> Error {
    err(span, format!("the operator `{op}` is not differentiable"))
}

pub fn unknown_method(span: Span, name: &str) -> Error {
    err(
        span,
        format!(
            "expression is not differentiable: method `{name}` has no known derivative\n\
             help: mark the function behind `{name}` `#[differentiable]`, write a `{name}_vjp` \
             function with the generated signature and call it as a function, \
             or wrap the call in `no_grad(|| ..)` if no gradient should flow through it"
        ),
    )
}

pub fn active_config_argument(span: Span, name: &str) -> Error {
    err(
        span,
        format!(
            "the argument of `{name}` cannot be differentiated: only the receiver of `{name}` is differentiable\n\
             help: pass an inactive value (a constant, or a value read through `x.detach()`)"
        ),
    )
}

pub fn binary_method_arity(span: Span, name: &str) -> Error {
    err(span, format!("`{name}` takes one argument"))
}

pub fn unnamed_callee(span: Span) -> Error {
    err(
        span,
        "expression is not differentiable: only calls of named functions can be differentiated\n\
         help: call a function that is `#[differentiable]` or has a hand-written `_vjp`",
    )
}

pub fn variant_of_active(span: Span) -> Error {
    err(
        span,
        "not supported yet: an enum variant (other than `Some`) or tuple struct holding a differentiable value\n\
         help: keep each differentiable value in its own variable, or use a struct deriving `Differentiable`",
    )
}

pub fn place_of_active(span: Span) -> Error {
    err(
        span,
        "not supported yet: indexing or field access on a differentiable value\n\
         help: use whole-tensor operations (`sum_axis`, `reshape`, `mm`, ..), or keep the data inactive\n\
         help: for a `Vec`, array or tuple that a call returns, give its binding the type: `let v: Vec<f64> = f(x);`",
    )
}

pub fn aggregate_of_active(span: Span) -> Error {
    err(
        span,
        "not supported yet: a tuple, array or struct holding a differentiable value\n\
         help: keep each differentiable value in its own variable, or use a struct deriving `Differentiable`",
    )
}

pub fn unsupported_expression(span: Span) -> Error {
    err(
        span,
        "not supported yet: this expression cannot be differentiated by `#[differentiable]`",
    )
}

pub fn raw_read_reaches_output(span: Span) -> Error {
    err(
        span,
        "this reads raw numbers out of a differentiable value, and they reach the result without their derivative\n\
         help: read one element with `x.get(&[i, ..])` or a scalar with `x.item()` (both differentiable), \
         or cut the gradient explicitly with `x.detach()` before reading\n\
         note: raw reads may decide conditions, loop bounds, indices and what is printed",
    )
}

pub fn too_many_call_gradients(span: Span, n: usize) -> Error {
    err(
        span,
        format!(
            "this call passes {n} differentiable arguments; a call can pass at most 16\n\
             help: group the parameters in a `#[derive(Differentiable)]` struct, or split the function"
        ),
    )
}

pub fn unsupported_tensor_function(span: Span, name: &str) -> Error {
    err(
        span,
        format!(
            "`Tensor::{name}` cannot take differentiable arguments inside `#[differentiable]` yet\n\
             help: the differentiable constructors are `Tensor::scalar(s)` and `Tensor::full(&shape, s)`; \
             for others call the runtime's `Tensor::{name}_vjp` in a hand-written `_vjp` function"
        ),
    )
}

pub fn dbg_several_values(span: Span) -> Error {
    err(
        span,
        "`dbg!` of several differentiable values is not supported\n\
         help: write one `dbg!(..)` per value",
    )
}

// ----- the expansion itself ------------------------------------------------------------------------

pub fn internal_error(span: Span) -> Error {
    err(
        span,
        "internal error in `#[differentiable]`; please report it with this function",
    )
}

pub fn active_index(span: Span) -> Error {
    err(
        span,
        "an index must not depend on a differentiated value\n\
         help: compute the index from data (a loop counter, a length, a detached value)",
    )
}

pub fn range_of_active(span: Span) -> Error {
    err(
        span,
        "not supported yet: slicing a differentiable container with a range\n\
         help: read the elements one at a time (`for i in a..b { .. m.layers[i] .. }`), or iterate over the whole container",
    )
}

pub fn reassign_alias(span: Span, name: &dyn Display) -> Error {
    err(
        span,
        format!(
            "`{name}` names a part of a differentiated argument and cannot be reassigned\n\
             help: bind each part with its own `let`"
        ),
    )
}

pub fn closure_capture_shadowed(span: Span, name: &dyn Display) -> Error {
    err(
        span,
        format!(
            "this call of a closure cannot be differentiated: `{name}`, which the closure captures, \
             is shadowed between the closure's definition and this call\n\
             help: rename one of the two bindings"
        ),
    )
}

pub fn closure_arity(span: Span, params: usize, args: usize) -> Error {
    err(
        span,
        format!("this closure takes {params} argument(s) but is given {args}"),
    )
}

pub fn closure_with_return(span: Span) -> Error {
    err(
        span,
        "a closure called with differentiable values cannot `return` or use `?`: its body is \
         differentiated in place\n\
         help: make the body an expression (`if .. { a } else { b }`), or write a `#[differentiable]` function",
    )
}

pub fn closure_as_value(span: Span, name: &dyn Display) -> Error {
    err(
        span,
        format!(
            "`{name}` captures differentiable values: it can be called (`{name}(x)`) or given to an \
             iterator chain (`map`, `filter`, `fold`, ..), but not passed on as a value\n\
             help: write a `#[differentiable]` function and pass its arguments explicitly"
        ),
    )
}

pub fn layer_norm_arity(span: Span) -> Error {
    err(
        span,
        "`layer_norm` takes four arguments: `(&normalized_shape, weight, bias, eps)`, with `weight` \
         and `bias` each `Some(&tensor)` or `None`",
    )
}

pub fn forward_mode_needs_generic(span: Span) -> Error {
    err(
        span,
        "`jvp` and `hvp` are generated for functions of numbers, tensors, and structs, \
         containers and tuples of them (`fn f(p: &Model, x: &Tensor<f64>) -> Tensor<f64>`, \
         `&self` methods, functions generic over one `T: Float` or `T: Element`) with a number, \
         tensor, struct or tuple result (`hvp`: a scalar result): they run the function at dual \
         numbers\n\
         note: functions generic over more than their element type, generic methods, \
         differentiated struct arguments of generic functions that do not hold the element type \
         (forward mode rebuilds a `&Params<T>` at `Dual<T>`), and `&[Tensor]` slices as \
         differentiated arguments are not supported\n\
         help: write the function in one of those forms (a `&Vec<Tensor<f64>>` for a slice), or \
         use `autodiff::calculus::jacobian` (reverse mode) for its Jacobian",
    )
}

pub fn forward_method_on_place(span: Span, recv: &syn::Expr, method: &syn::Ident) -> Error {
    let recv = quote::ToTokens::to_token_stream(recv).to_string();
    err(
        span,
        format!(
            "`hvp` cannot call `{method}` on `{recv}` with more than 6 arguments: the macro does \
             not know the type of `{recv}`, and calls the copy of `{method}` through \
             `autodiff::forward::DualMethodHvp`, which takes up to 6\n\
             help: call it by its type's path, `TypeOfIt::{method}(&{recv}, ..)`, or bind it with \
             its type first (`let l: &TypeOfIt = &{recv};`, in a loop `let l: &TypeOfIt = l;`) \
             and call `l.{method}(..)`"
        ),
    )
}

pub fn method_attr_in_trait_impl(header: &str) -> Error {
    err(
        Span::call_site(),
        format!(
            "`#[differentiable]` on a method of a trait impl (`{header}`) needs `#[differentiable]` \
             on the `impl` block as well: the generated `_vjp` and `_grad` functions are not \
             members of the trait, and the block's attribute puts them in an inherent `impl` of \
             the type\n\
             help: write `#[differentiable]` on the line above `{header}`"
        ),
    )
}

pub fn trait_impl_param_not_in_self_type(param: &syn::Ident) -> Error {
    err(
        param.span(),
        format!(
            "`#[differentiable]` on a trait `impl` puts the generated `_vjp` / `_grad` functions in \
             an inherent `impl` of the self type with the same generics, where `{param}` would not \
             be constrained: it appears only in the trait\n\
             help: use a concrete type for `{param}` in this `impl`, or differentiate a free \
             function or an inherent method that the trait method calls"
        ),
    )
}

pub fn impl_attr_on_generic_impl(span: Span) -> Error {
    err(
        span,
        "`#[differentiable]` on an `impl` block takes non-generic `impl` blocks only: forward \
         mode calls the methods of generic `impl` blocks by their type's path\n\
         help: remove `#[differentiable]` from the `impl` block, and call its methods by their \
         type's path (`Lin::<f64>::forward(&self.l1, ..)`) in functions with `jvp` / `hvp`",
    )
}

pub fn hvp_generic_needs_scalar_output(span: Span) -> Error {
    err(
        span,
        "`hvp` is generated for functions with a scalar result (a number or a one-element \
         tensor): the Hessian-vector product is that of a scalar function\n\
         help: a generic function with a struct or tuple result needs only `#[differentiable]` \
         for the `hvp` of the functions that call it (it runs at dual numbers as written); use \
         `jvp` for its own directional derivative",
    )
}

pub fn move_closure_of_mut(span: Span, name: &dyn Display) -> Error {
    err(
        span,
        format!(
            "this `move` closure captures `{name}`, which is reassigned in this function: \
             differentiated in place, the call would read its current value instead of the \
             captured one\n\
             help: bind the value to capture with its own `let` (`let c = {name};`) and capture that"
        ),
    )
}

// ----- checkpointed loops -----------------------------------------------------------------------

pub fn checkpoint_needs_every(span: Span) -> Error {
    err(
        span,
        "`#[checkpoint]` needs the block length\n\
         help: write `#[checkpoint(every = K)]`: the loop's state is stored every K iterations",
    )
}

pub fn checkpoint_jump(span: Span, what: &str) -> Error {
    err(
        span,
        format!(
            "{what} is not supported in a `#[checkpoint]` loop\n\
             note: the pullback runs blocks of the loop again, and such a block must end where the loop's iterations end\n\
             help: set a flag and `break;`, then act on it after the loop, or remove `#[checkpoint]`"
        ),
    )
}

pub fn checkpoint_for_range(span: Span) -> Error {
    err(
        span,
        "a `#[checkpoint]` `for` loop must iterate over a range of plain numbers (`for i in 0..n`)\n\
         note: the pullback restarts the iteration from stored positions, so the iterator is stored, and a range is cheap to store\n\
         help: iterate over indices (`for i in 0..v.len()`) and read the elements inside the loop",
    )
}

pub fn checkpoint_capture(span: Span, name: &str) -> Error {
    err(
        span,
        format!(
            "a `#[checkpoint]` loop cannot use `{name}` from outside the loop\n\
             note: the pullback runs the loop's body again, so what it uses is stored; `self` and bindings to parts of differentiated arguments cannot be\n\
             help: bind what the loop needs to a local before the loop (`let w = self.w.clone();`), or index the argument inside the loop"
        ),
    )
}
