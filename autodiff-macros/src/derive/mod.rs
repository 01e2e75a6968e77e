//! `#[derive(Differentiable)]`: implements `autodiff::Differentiable` for a struct and generates
//! its tangent struct.
//!
//! For `struct Mlp { layers: Vec<Layer>, #[differentiable(skip)] act: Act }` it writes
//! `struct MlpTangent { layers: <Vec<Layer> as Differentiable>::Tangent }`: always a new struct
//! named `NameTangent`, with the same field names and visibilities minus the skipped fields (a
//! tuple struct keeps every position, a skipped one holding `()`, so `.0`, `.2` mean the same
//! field in the value and its tangent), and hand-written `Clone` and `Debug` impls that need no
//! bound on the generic parameters. `Self` is never the tangent, even when no field is skipped,
//! so that the tangent of a field is always `<FieldType as Differentiable>::Tangent` and the
//! transform can rely on one rule.
//!
//! `parse` reads the struct and its `#[differentiable(skip)]` marks, `generics` decides which
//! generic parameters and bounds the tangent struct keeps, and `emit` writes the code.

mod dual;
pub(crate) mod dual_elem;
mod emit;
mod generics;

use proc_macro2::TokenStream;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Member};

/// One field of the struct.
pub(crate) struct FieldInfo {
    /// `name` or `0`.
    pub(crate) member: Member,
    pub(crate) ty: syn::Type,
    pub(crate) vis: syn::Visibility,
    /// Marked `#[differentiable(skip)]`: carried, never differentiated.
    pub(crate) skip: bool,
}

/// The parsed struct.
pub(crate) struct StructInfo<'a> {
    pub(crate) input: &'a DeriveInput,
    pub(crate) fields: Vec<FieldInfo>,
    /// A tuple struct (`struct W(Tensor)`) or a unit struct.
    pub(crate) tuple: bool,
}

/// Expands `#[derive(Differentiable)]`; every problem becomes a spanned `compile_error!`.
pub(crate) fn expand(input: TokenStream) -> TokenStream {
    let parsed = syn::parse2::<DeriveInput>(input).and_then(|input| {
        let info = parse(&input)?;
        let mut out = emit::emit(&info);
        out.extend(match dual_elem::element(&info) {
            Some(elem) => dual_elem::emit(&info, &elem),
            None => dual::emit(&info),
        });
        Ok(out)
    });
    parsed.unwrap_or_else(|e| e.to_compile_error())
}

/// Reads the struct, refusing enums and unions.
fn parse(input: &DeriveInput) -> syn::Result<StructInfo<'_>> {
    for attr in &input.attrs {
        if attr.path().is_ident("differentiable") {
            return Err(syn::Error::new(
                attr.span(),
                "`#[differentiable(..)]` options go on fields (`#[differentiable(skip)]`), not on \
                 the struct",
            ));
        }
    }
    let fields = match &input.data {
        Data::Struct(s) => &s.fields,
        Data::Enum(e) => {
            return Err(syn::Error::new(
                e.enum_token.span,
                format!(
                    "`#[derive(Differentiable)]` supports structs only, and `{}` is an enum\n\
                     help: a value whose variant can change has no single tangent structure; hold \
                     the differentiable parts in a struct, and mark an enum-typed configuration \
                     field `#[differentiable(skip)]`, or implement `autodiff::Differentiable` by \
                     hand",
                    input.ident
                ),
            ))
        }
        Data::Union(u) => {
            return Err(syn::Error::new(
                u.union_token.span,
                "`#[derive(Differentiable)]` supports structs only, not unions",
            ))
        }
    };
    let tuple = !matches!(fields, Fields::Named(_));
    let fields = fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            Ok(FieldInfo {
                member: match &f.ident {
                    Some(ident) => Member::Named(ident.clone()),
                    None => Member::Unnamed(i.into()),
                },
                ty: f.ty.clone(),
                vis: f.vis.clone(),
                skip: is_skipped(&f.attrs)?,
            })
        })
        .collect::<syn::Result<Vec<_>>>()?;
    Ok(StructInfo {
        input,
        fields,
        tuple,
    })
}

/// Whether a field carries `#[differentiable(skip)]`; any other option is an error.
fn is_skipped(attrs: &[syn::Attribute]) -> syn::Result<bool> {
    let mut skip = false;
    for attr in attrs.iter().filter(|a| a.path().is_ident("differentiable")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("skip") {
                skip = true;
                Ok(())
            } else {
                Err(meta.error(
                    "unknown field option: the only one is `#[differentiable(skip)]` (carry the \
                     field, never differentiate it)",
                ))
            }
        })?;
    }
    Ok(skip)
}
