//! Constructors: from data, filled, ranges, identity, and the seeded normal generator that
//! defines the benchmark inputs.

use super::storage::{numel_of, Dims};
use super::{Element, ShapeError, Tensor};

impl<T: Element> Tensor<T> {
    /// A tensor of shape `shape` holding `data` in row-major order (no copy).
    ///
    /// # Panics
    /// If `data.len()` is not the product of `shape`, naming both; see
    /// [`try_from_vec`](Self::try_from_vec) for a `Result`.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    ///
    /// let x = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    /// assert_eq!(x.shape(), &[2, 3]);
    /// assert_eq!(x.to_string(), "tensor([[1., 2., 3.],\n        [4., 5., 6.]])");
    /// ```
    #[track_caller]
    pub fn from_vec(data: Vec<T>, shape: &[usize]) -> Self {
        match Self::try_from_vec(data, shape) {
            Ok(t) => t,
            Err(e) => panic!("{e}"),
        }
    }

    /// Like [`from_vec`](Self::from_vec), returning an error that names the data length and the
    /// shape instead of panicking.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    ///
    /// assert!(Tensor::try_from_vec(vec![1.0f32; 6], &[3, 2]).is_ok());
    /// let err = Tensor::try_from_vec(vec![1.0f32; 5], &[3, 2]).unwrap_err();
    /// assert_eq!(err.to_string(), "from_vec: data of length 5 cannot have shape [3, 2] (6 elements)");
    /// ```
    pub fn try_from_vec(data: Vec<T>, shape: &[usize]) -> Result<Self, ShapeError> {
        let numel = numel_of(shape);
        if data.len() != numel {
            return Err(ShapeError::new(
                "from_vec",
                &[data.len()],
                shape,
                format!(
                    "data of length {} cannot have shape {shape:?} ({numel} elements)",
                    data.len()
                ),
            ));
        }
        Ok(Tensor::from_parts(data, Dims::new(shape)))
    }

    /// A 0-d tensor holding `v` (PyTorch's `torch.tensor(v)`).
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let s = Tensor::scalar(3.0f32);
    /// assert_eq!((s.ndim(), s.item()), (0, 3.0));
    /// ```
    pub fn scalar(v: T) -> Self {
        Tensor::one_shaped(v, Dims::new(&[]))
    }

    /// A tensor of shape `shape` with every element equal to `value`.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// assert_eq!(Tensor::full(&[2], 4.5f32).to_vec(), vec![4.5, 4.5]);
    /// ```
    pub fn full(shape: &[usize], value: T) -> Self {
        match numel_of(shape) {
            1 => Tensor::one_shaped(value, Dims::new(shape)),
            n => Tensor::from_parts(super::pool::filled(n, value), Dims::new(shape)),
        }
    }

    /// A tensor of zeros.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// assert_eq!(Tensor::<f32>::zeros(&[2, 2]).sum().item(), 0.0);
    /// ```
    pub fn zeros(shape: &[usize]) -> Self {
        Self::full(shape, T::zero())
    }

    /// A tensor of ones.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// assert_eq!(Tensor::<f64>::ones(&[2, 3]).sum().item(), 6.0);
    /// ```
    pub fn ones(shape: &[usize]) -> Self {
        Self::full(shape, T::one())
    }

    /// Zeros with the shape of `self`.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::<f32>::ones(&[2, 3]);
    /// assert_eq!(x.zeros_like().shape(), &[2, 3]);
    /// ```
    pub fn zeros_like(&self) -> Self {
        self.full_like(T::zero())
    }

    /// Ones with the shape of `self`.
    pub fn ones_like(&self) -> Self {
        self.full_like(T::one())
    }

    /// `value` everywhere, in the shape of `self` (shared with it, not rebuilt).
    fn full_like(&self, value: T) -> Self {
        match self.numel() {
            1 => self.one_like(value),
            n => self.with_same_shape(super::pool::filled(n, value)),
        }
    }

    /// The 1-D tensor `[0, 1, .., end - 1]` as floats, like `torch.arange(4.0)`.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// assert_eq!(Tensor::<f32>::arange(4).to_string(), "tensor([0., 1., 2., 3.])");
    /// ```
    pub fn arange(end: usize) -> Self {
        (0..end)
            .map(|i| T::of_f64(i as f64))
            .collect::<Vec<T>>()
            .into()
    }

    /// The `n x n` identity matrix.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// assert_eq!(Tensor::<f32>::eye(2).to_vec(), vec![1.0, 0.0, 0.0, 1.0]);
    /// ```
    pub fn eye(n: usize) -> Self {
        let mut data = vec![T::zero(); n * n];
        data.iter_mut().step_by(n + 1).for_each(|v| *v = T::one());
        Tensor::from_parts(data, Dims::new(&[n, n]))
    }

    /// Standard-normal samples from a fixed, seeded generator; the same `(shape, seed)` gives the
    /// same tensor on every machine.
    ///
    /// The generator is the benchmark definition (`benches/WORKLOADS.md`): SplitMix64 from
    /// `seed`, two outputs per element, Box-Muller (cosine branch) in `f64`, row-major. For `f32`
    /// tensors the `f64` sample is rounded to `f32`, bit for bit as in the definition; for `f64`
    /// tensors the `f64` sample is kept as is (so an `f64` tensor rounded to `f32` equals the
    /// `f32` tensor of the same seed).
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::<f32>::randn(&[4], 1);
    /// assert_eq!(x.to_vec(), vec![-0.0282497462, -0.227919519, 0.103090949, -0.506204069]);
    /// ```
    pub fn randn(shape: &[usize], seed: u64) -> Self {
        Self::randn_scaled(shape, seed, 1.0)
    }

    /// Like [`randn`](Self::randn) with every sample multiplied by `scale` (in `f64`, before
    /// rounding): `randn(seed, n, scale)` of the benchmark definition.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let w = Tensor::<f32>::randn_scaled(&[784, 256], 53, 0.05);
    /// assert!(w.abs().mean().item() < 0.05);
    /// ```
    pub fn randn_scaled(shape: &[usize], seed: u64, scale: f64) -> Self {
        let mut rng = SplitMix64(seed);
        let data = (0..numel_of(shape))
            .map(|_| {
                let (r1, r2) = (rng.next(), rng.next());
                let u1 = ((r1 >> 11) + 1) as f64 * (1.0 / 9007199254740992.0); // (0, 1]
                let u2 = (r2 >> 11) as f64 * (1.0 / 9007199254740992.0); // [0, 1)
                let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
                T::of_f64(scale * z)
            })
            .collect();
        Tensor::from_parts(data, Dims::new(shape))
    }
}

/// Sebastiano Vigna's SplitMix64, as in the benchmark definition.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E3779B97F4A7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The benchmark definition, verbatim.
    fn reference_randn(seed: u64, n: usize, scale: f64) -> Vec<f32> {
        let mut s = seed;
        let mut next = || {
            s = s.wrapping_add(0x9E3779B97F4A7C15);
            let mut z = s;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
            z ^ (z >> 31)
        };
        (0..n)
            .map(|_| {
                let (r1, r2) = (next(), next());
                let u1 = ((r1 >> 11) + 1) as f64 * (1.0 / 9007199254740992.0);
                let u2 = (r2 >> 11) as f64 * (1.0 / 9007199254740992.0);
                let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
                (scale * z) as f32
            })
            .collect()
    }

    #[test]
    #[allow(clippy::excessive_precision)] // the digits published with the benchmark definition
    fn randn_is_bit_exact_with_the_benchmark_definition() {
        let x = Tensor::<f32>::randn(&[4], 1);
        assert_eq!(
            x.to_vec(),
            vec![-0.0282497462f32, -0.227919519, 0.103090949, -0.506204069]
        );
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        for (seed, scale) in [(1, 1.0), (3, 1e-3), (53, 0.05), (61, 0.03)] {
            let ours = Tensor::<f32>::randn_scaled(&[10, 100], seed, scale);
            assert_eq!(
                bits(ours.as_slice()),
                bits(&reference_randn(seed, 1000, scale))
            );
            let wide = Tensor::<f64>::randn_scaled(&[1000], seed, scale);
            let narrowed: Vec<f32> = wide.as_slice().iter().map(|&v| v as f32).collect();
            assert_eq!(bits(&narrowed), bits(ours.as_slice()));
        }
    }

    #[test]
    fn filled_constructors() {
        let z = Tensor::<f32>::zeros(&[2, 3]);
        assert_eq!((z.shape(), z.numel()), (&[2, 3][..], 6));
        assert_eq!(Tensor::<f64>::ones(&[]).to_vec(), vec![1.0]);
        assert_eq!(
            Tensor::<f32>::eye(3).to_vec(),
            vec![1., 0., 0., 0., 1., 0., 0., 0., 1.]
        );
        assert_eq!(Tensor::<f32>::eye(0).numel(), 0);
        assert_eq!(Tensor::<f32>::arange(0).shape(), &[0]);
        let x = Tensor::from_vec(vec![1.0f64, 2.0], &[2, 1]);
        assert_eq!(x.ones_like().to_vec(), vec![1.0, 1.0]);
        assert_eq!(x.ones_like().shape(), &[2, 1]);
    }

    #[test]
    #[should_panic(expected = "from_vec: data of length 3 cannot have shape [2, 2] (4 elements)")]
    fn from_vec_panics_on_length_mismatch() {
        Tensor::from_vec(vec![1.0f32; 3], &[2, 2]);
    }
}
