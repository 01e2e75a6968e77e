//! `Serialize` / `Deserialize` for [`Tensor`] (feature `serde`): a tensor is written as its
//! shape and its elements in row-major order, `{"shape": [2, 3], "data": [..6 numbers..]}` in
//! JSON, and reading checks that the two agree.
//!
//! ```
//! use autodiff_runtime::Tensor;
//!
//! let t = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
//! let json = serde_json::to_string(&t).unwrap();
//! assert_eq!(json, r#"{"shape":[2,3],"data":[1.0,2.0,3.0,4.0,5.0,6.0]}"#);
//! let back: Tensor = serde_json::from_str(&json).unwrap();
//! assert_eq!(back, t);
//!
//! let err = serde_json::from_str::<Tensor>(r#"{"shape":[2,2],"data":[1.0]}"#).unwrap_err();
//! assert_eq!(err.to_string(), "from_vec: data of length 1 cannot have shape [2, 2] (4 elements)");
//! ```
//!
//! Every digit is written, so the round trip is exact where the format's reader is exact:
//! `serde_json` parses `f64` exactly only with its `float_roundtrip` feature (without it a
//! value can come back one ulp off).
//!
//! The element type is not stored (like the data of a JSON array, it is the reader's choice:
//! an `f32` tensor can be read as `Tensor<f64>`). Formats without non-finite numbers (JSON
//! writes NaN and infinities as `null`) cannot read back tensors holding them; a binary format
//! such as `bincode` or the safetensors checkpoints can.

use super::{Element, Tensor};
use serde::de::{Deserialize, Deserializer, Error as _};
use serde::ser::{Serialize, SerializeStruct, Serializer};

/// The field names, in the order they are written.
const FIELDS: &[&str] = &["shape", "data"];

impl<T: Element + Serialize> Serialize for Tensor<T> {
    /// Writes the struct `Tensor { shape, data }` (the data in row-major order).
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Tensor", FIELDS.len())?;
        s.serialize_field("shape", self.shape())?;
        s.serialize_field("data", self.as_slice())?;
        s.end()
    }
}

/// What is read: both fields, checked against each other afterwards.
#[derive(serde::Deserialize)]
#[serde(rename = "Tensor", deny_unknown_fields)]
struct TensorFields<T> {
    shape: Vec<usize>,
    data: Vec<T>,
}

impl<'de, T: Element + Deserialize<'de>> Deserialize<'de> for Tensor<T> {
    /// Reads `Tensor { shape, data }`; an error names both when the data's length is not the
    /// shape's number of elements.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let TensorFields { shape, data } = TensorFields::deserialize(deserializer)?;
        Tensor::try_from_vec(data, &shape).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tensors_round_trip_through_json() {
        for shape in [&[][..], &[0], &[5], &[2, 3], &[2, 1, 3]] {
            let t = Tensor::<f64>::randn(shape, 7);
            let json = serde_json::to_string(&t).unwrap();
            let back: Tensor<f64> = serde_json::from_str(&json).unwrap();
            assert_eq!(back.shape(), shape);
            assert_eq!(back.to_vec(), t.to_vec(), "f64 values are written exactly");
        }
        let t = Tensor::<f32>::randn(&[3, 4], 3);
        let back: Tensor<f32> = serde_json::from_str(&serde_json::to_string(&t).unwrap()).unwrap();
        assert_eq!(back.to_vec(), t.to_vec(), "f32 values are written exactly");
    }

    #[test]
    fn malformed_input_is_an_error() {
        let missing = serde_json::from_str::<Tensor>(r#"{"shape":[2]}"#).unwrap_err();
        assert!(
            missing.to_string().contains("missing field `data`"),
            "{missing}"
        );
        let unknown = serde_json::from_str::<Tensor>(r#"{"shape":[1],"data":[1.0],"dtype":"f32"}"#);
        assert!(unknown.is_err());
        let scalar: Tensor = serde_json::from_str(r#"{"shape":[],"data":[2.5]}"#).unwrap();
        assert_eq!(scalar.item(), 2.5);
    }
}
