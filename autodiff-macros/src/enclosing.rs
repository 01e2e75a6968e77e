//! What a method's attribute cannot see: whether the method sits in a trait `impl`.
//!
//! A method's `#[differentiable]` adds `NAME_vjp` / `NAME_grad` next to it, which in a trait
//! impl are not members of the trait (rustc's E0407, four times, plus follow-up errors). The
//! attribute is given the method's tokens only, so it reads the enclosing block's header from
//! the source file (`proc_macro::Span::local_file`, stable since Rust 1.88) and, for a trait
//! impl, reports one error saying to put `#[differentiable]` on the block (`trait_impls.rs`).
//! Only ever used to choose that error: when the file cannot be read, nothing changes.
//!
//! A struct literal in a copy at dual numbers needs to know whether the struct is generic when
//! the function never writes its arguments (`forward_struct_lit.rs`): the file is read for its
//! definition, when the struct is defined there.

/// The header (`impl Layer for Dense`) of the trait impl around the given 1-based line, if the
/// innermost block enclosing that line is one.
pub fn trait_impl_header(text: &str, line: usize) -> Option<String> {
    let code = blank_comments_and_strings(text);
    let start = code
        .split_inclusive('\n')
        .take(line.checked_sub(1)?)
        .map(str::len)
        .sum::<usize>();
    let bytes = code.as_bytes();
    // the innermost `{` still open at `start`
    let mut depth = 0usize;
    let mut open = None;
    for i in (0..start.min(bytes.len())).rev() {
        match bytes[i] {
            b'}' => depth += 1,
            b'{' if depth == 0 => {
                open = Some(i);
                break;
            }
            b'{' => depth -= 1,
            _ => {}
        }
    }
    let open = open?;
    let from = code[..open].rfind([';', '{', '}']).map_or(0, |i| i + 1);
    let header = strip_attributes(&code[from..open]);
    let header = header.split_whitespace().collect::<Vec<_>>().join(" ");
    let words: Vec<&str> = header
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .collect();
    let is_impl = matches!(
        words.iter().find(|w| !w.is_empty()),
        Some(&"impl") | Some(&"unsafe")
    ) && words.contains(&"impl");
    // `for` as a word, not the `for<'a>` of a higher-ranked bound
    let has_for = header
        .match_indices("for")
        .any(|(i, _)| is_word_at(&header, i, 3) && !header[i + 3..].trim_start().starts_with('<'));
    (is_impl && has_for).then_some(header)
}

/// Whether `text` defines a struct named `name` with generic parameters (`struct Gen<T: Float>
/// {`); `None` when it defines no struct of that name.
pub fn struct_is_generic(text: &str, name: &str) -> Option<bool> {
    let code = blank_comments_and_strings(text);
    let mut found = None;
    for (i, _) in code.match_indices("struct") {
        if !is_word_at(&code, i, 6) {
            continue;
        }
        let rest = code[i + 6..].trim_start();
        let Some(after) = rest.strip_prefix(name) else {
            continue;
        };
        if after.starts_with(|c: char| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let generic = after.trim_start().starts_with('<');
        found = Some(found.unwrap_or(false) || generic);
    }
    found
}

fn is_word_at(s: &str, i: usize, len: usize) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    !s[..i].chars().next_back().is_some_and(ident)
        && !s[i + len..].chars().next().is_some_and(ident)
}

/// `text` with `#[..]` attributes removed (balanced brackets).
fn strip_attributes(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '#' && chars.peek() == Some(&'[') {
            let mut depth = 0;
            for d in chars.by_ref() {
                match d {
                    '[' => depth += 1,
                    ']' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `text` with the insides of comments, string and char literals replaced by spaces (same
/// byte offsets, newlines kept), so that braces in them are not counted. Raw strings with `#`
/// and lifetimes are told apart from char literals well enough for brace counting.
fn blank_comments_and_strings(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for c in &mut out[from..to.min(b.len())] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    };
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                let end = text[i..].find('\n').map_or(b.len(), |e| i + e);
                blank(&mut out, i, end);
                i = end;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let end = text[i + 2..].find("*/").map_or(b.len(), |e| i + 2 + e + 2);
                blank(&mut out, i, end);
                i = end;
            }
            b'"' => {
                let mut j = i + 1;
                while j < b.len() && b[j] != b'"' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                blank(&mut out, i + 1, j);
                i = j + 1;
            }
            b'\'' if b.get(i + 2) == Some(&b'\'') || b.get(i + 1) == Some(&b'\\') => {
                let end = text[i + 1..].find('\'').map_or(b.len(), |e| i + 1 + e + 1);
                let end = if b.get(i + 1) == Some(&b'\\') && b.get(i + 2) == Some(&b'\'') {
                    i + 4 // '\''
                } else {
                    end
                };
                blank(&mut out, i, end);
                i = end;
            }
            _ => i += 1,
        }
    }
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::{struct_is_generic, trait_impl_header};

    #[test]
    fn finds_generic_struct_definitions() {
        let src = "// struct Pt<T>\nstruct Pt { x: f64 }\npub struct Gen<T: Float> { k: T }\nstruct Genx;";
        assert_eq!(struct_is_generic(src, "Pt"), Some(false));
        assert_eq!(struct_is_generic(src, "Gen"), Some(true));
        assert_eq!(struct_is_generic(src, "Other"), None);
    }

    const SRC: &str = r#"
struct S;
impl Layer for S {
    // a comment with a brace {
    #[differentiable]
    fn apply(&self, x: f64) -> f64 { let s = "}"; let c = '{'; x }
}
impl S {
    #[differentiable]
    fn inherent(&self, x: f64) -> f64 { x }
}
impl<F> Wrap<F> where F: for<'a> Fn(&'a f64) {
    #[differentiable]
    fn hr(&self, x: f64) -> f64 { x }
}
#[differentiable]
fn free(x: f64) -> f64 { x }
mod m {
    #[differentiable]
    fn in_mod(x: f64) -> f64 { x }
}
"#;

    fn line_of(needle: &str) -> usize {
        SRC.lines().position(|l| l.contains(needle)).unwrap() + 1
    }

    #[test]
    fn finds_the_trait_impl_around_a_method_only() {
        let h = trait_impl_header(SRC, line_of("fn apply")).unwrap();
        assert_eq!(h, "impl Layer for S");
        assert_eq!(trait_impl_header(SRC, line_of("fn inherent")), None);
        assert_eq!(trait_impl_header(SRC, line_of("fn hr")), None);
        assert_eq!(trait_impl_header(SRC, line_of("fn free")), None);
        assert_eq!(trait_impl_header(SRC, line_of("fn in_mod")), None);
    }
}
