//! Helpers shared by the `seed_*` examples: a transcript that prints each notebook cell's output
//! as it goes (and keeps it so `tests/examples.rs` can assert it), and PyTorch's element-wise
//! `==`, which prints a bool tensor.
//!
//! Included with `#[path = "common/mod.rs"] mod common;` so the examples and the integration
//! test compile the same file.
#![allow(dead_code)] // each example uses a different subset

use autodiff::prelude::*;
use std::fmt::{self, Display};

/// The output of one notebook cell.
pub struct Cell {
    /// The notebook's label, e.g. `In [44]`.
    pub label: String,
    /// Every line the cell printed, joined with `\n`.
    pub output: String,
}

/// A notebook transcript: `cell` starts a cell (and prints its PyTorch source as a header),
/// `show` prints one output line and records it.
#[derive(Default)]
pub struct Notebook {
    cells: Vec<Cell>,
}

impl Notebook {
    /// An empty transcript.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts the cell `label` (e.g. `"In [44]"`) whose PyTorch source was `source`.
    pub fn cell(&mut self, label: &str, source: &str) {
        if !self.cells.is_empty() {
            println!();
        }
        let mut lines = source.lines();
        println!("{label}: {}", lines.next().unwrap_or(""));
        let indent = " ".repeat(label.len() + 2);
        for line in lines {
            if line.is_empty() {
                println!();
            } else {
                println!("{indent}{line}");
            }
        }
        self.cells.push(Cell {
            label: label.to_string(),
            output: String::new(),
        });
    }

    /// Prints one output line of the current cell.
    pub fn show(&mut self, value: impl Display) {
        let text = value.to_string();
        println!("{text}");
        let cell = self
            .cells
            .last_mut()
            .expect("`show` before the first `cell`");
        if !cell.output.is_empty() {
            cell.output.push('\n');
        }
        cell.output.push_str(&text);
    }

    /// What the cell `label` printed (the last cell of that label).
    ///
    /// # Panics
    /// If there is no such cell.
    pub fn output(&self, label: &str) -> &str {
        match self.cells.iter().rev().find(|c| c.label == label) {
            Some(c) => &c.output,
            None => panic!("no cell {label:?} in the transcript"),
        }
    }

    /// All cells, in order.
    pub fn cells(&self) -> &[Cell] {
        &self.cells
    }
}

/// `None` for a missing gradient (what PyTorch prints for `x.grad` before any `backward`).
pub fn or_none(value: Option<impl Display>) -> String {
    match value {
        Some(v) => v.to_string(),
        None => "None".to_string(),
    }
}

/// PyTorch's element-wise `a == b`: a bool tensor of the same shape.
///
/// The runtime's `==` is `PartialEq` (one `bool` for the whole tensor, like `torch.equal`);
/// the notebooks print the element-wise comparison, so this builds it.
///
/// # Panics
/// If the shapes differ (PyTorch would broadcast; no cell here needs it).
pub fn eq<T: Element>(a: &Tensor<T>, b: &Tensor<T>) -> BoolTensor {
    assert_eq!(a.shape(), b.shape(), "eq: shapes differ");
    BoolTensor {
        shape: a.shape().to_vec(),
        data: a
            .as_slice()
            .iter()
            .zip(b.as_slice())
            .map(|(x, y)| x == y)
            .collect(),
    }
}

/// A tensor of booleans, printed like PyTorch (`tensor([ True, False])`).
#[derive(Clone, Debug, PartialEq)]
pub struct BoolTensor {
    shape: Vec<usize>,
    data: Vec<bool>,
}

impl BoolTensor {
    /// Whether every element is `true` (PyTorch's `.all()`).
    pub fn all(&self) -> bool {
        self.data.iter().all(|&b| b)
    }

    fn write(&self, f: &mut fmt::Formatter<'_>, dim: usize, data: &[bool]) -> fmt::Result {
        // PyTorch pads every element to the widest one ("False" is one wider than "True").
        let width = if self.data.iter().all(|&b| b) { 4 } else { 5 };
        if dim == self.shape.len() {
            let s = if data[0] { "True" } else { "False" };
            return write!(f, "{s:>width$}");
        }
        let n = self.shape[dim];
        let inner: usize = self.shape[dim + 1..].iter().product();
        write!(f, "[")?;
        for i in 0..n {
            if i > 0 {
                if dim + 1 == self.shape.len() {
                    write!(f, ", ")?;
                } else {
                    // A new row: one newline per remaining dimension, aligned under `tensor([`.
                    write!(f, ",{}", "\n".repeat(self.shape.len() - dim - 1))?;
                    write!(f, "{}", " ".repeat("tensor(".len() + dim + 1))?;
                }
            }
            self.write(f, dim + 1, &data[i * inner..(i + 1) * inner])?;
        }
        write!(f, "]")
    }
}

impl Display for BoolTensor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tensor(")?;
        self.write(f, 0, &self.data)?;
        write!(f, ")")
    }
}
