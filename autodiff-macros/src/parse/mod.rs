//! The input as plain data: the attribute's options and a model of the function's signature
//! (which parameters are differentiated, the output and gradient types). Nothing here reports a
//! problem except syntax errors in the attribute; the rules live in `check`.

mod options;
mod signature;

pub use options::Options;
pub use signature::{
    is_data_type, is_differentiable_type, is_structured_type, is_tensor, plain_ident,
    receiver_type_ok, structured_tangent, tangent_type, Param, Signature,
};
