//! `+ - * /` and unary `-` in VJP form, for every operand combination the operators accept:
//! `Tensor`, `&Tensor` and a scalar on either side, and plain `f32`/`f64`/`T: Float` scalars.
//!
//! Broadcasting adjoints reduce back to each operand's shape (`sum_to`), and a scalar operand of
//! a tensor operation receives the sum of its cotangent.
//!
//! Layout: `operand` (what is saved, broadcast notes, reduction), `tensor` (tensor operator
//! rules), `scalar` (scalar operator rules), `neg` (unary minus) and `dispatch` (the
//! [`BinaryVjp`] trait and the entry points the macro calls).

mod dispatch;
mod neg;
mod operand;
mod scalar;
mod tensor;

pub use dispatch::*;
pub use neg::*;
pub use operand::*;
pub use scalar::*;
pub(crate) use tensor::{left_grad, right_grad, tensor_scalar_pull};
pub use tensor::{BinOp, TensorBinL, TensorBinLR, TensorBinR, TensorScalarPb};
