//! Leaf paths: where a leaf sits inside a value (`layers.0.w`), built without allocating once
//! the path's buffer has grown to the value's depth.

use std::fmt;

/// One step of a [`LeafPath`]: a named struct field or a position (in a `Vec`, an array, a
/// tuple or a tuple struct).
///
/// ```
/// use autodiff_runtime::differentiable::PathSegment;
/// assert_eq!(PathSegment::Field("w").to_string(), "w");
/// assert_eq!(PathSegment::Index(3).to_string(), "3");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PathSegment {
    /// A named field.
    Field(&'static str),
    /// A position: a `Vec`/array element, a tuple or tuple-struct field.
    Index(usize),
}

impl fmt::Display for PathSegment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathSegment::Field(name) => f.write_str(name),
            PathSegment::Index(i) => write!(f, "{i}"),
        }
    }
}

/// The path from the root of a value to one of its leaves, printed the way PyTorch names
/// `state_dict` entries: segments joined by `.` (`layers.0.w`).
///
/// The visitors of [`Differentiable`](super::Differentiable) push a segment before descending
/// into a field or element and pop it afterwards, so one `LeafPath` is reused for a whole
/// traversal; the string form is only built when asked for ([`Display`](fmt::Display)).
///
/// ```
/// use autodiff_runtime::differentiable::LeafPath;
///
/// let mut path = LeafPath::new();
/// path.push_field("layers");
/// path.push_index(0);
/// path.push_field("w");
/// assert_eq!(path.to_string(), "layers.0.w");
/// path.pop();
/// assert_eq!(path.to_string(), "layers.0");
/// assert_eq!(path.len(), 2);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct LeafPath {
    segments: Vec<PathSegment>,
}

impl LeafPath {
    /// The empty path (the root of the value).
    pub fn new() -> Self {
        Self::default()
    }

    /// Descends into the named field `name`.
    #[inline]
    pub fn push_field(&mut self, name: &'static str) {
        self.segments.push(PathSegment::Field(name));
    }

    /// Descends into position `index`.
    #[inline]
    pub fn push_index(&mut self, index: usize) {
        self.segments.push(PathSegment::Index(index));
    }

    /// Goes back up one level.
    #[inline]
    pub fn pop(&mut self) {
        self.segments.pop();
    }

    /// Forgets every segment, keeping the buffer for the next traversal.
    #[inline]
    pub fn clear(&mut self) {
        self.segments.clear();
    }

    /// The segments from the root down.
    pub fn segments(&self) -> &[PathSegment] {
        &self.segments
    }

    /// The number of segments (0 at the root).
    pub fn len(&self) -> usize {
        self.segments.len()
    }

    /// Whether this is the root (no segment).
    pub fn is_empty(&self) -> bool {
        self.segments.is_empty()
    }
}

impl fmt::Display for LeafPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.segments.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "{segment}")?;
        }
        Ok(())
    }
}
