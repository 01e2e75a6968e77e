//! The crate documentation is `docs/overview.md` (`#![doc = include_str!(..)]` in `src/lib.rs`,
//! so its examples run as doctests); the README must show the same opening and examples. This
//! test fails when one is edited without the other.

#[test]
fn readme_opens_with_the_crate_docs() {
    let readme = include_str!("../README.md");
    let overview = include_str!("../docs/overview.md");
    // the overview's sections, each of which the README holds verbatim, in the same order
    let mut sections = overview.split("\n## ");
    let opening = sections.next().unwrap();
    assert!(
        readme.starts_with(&format!("# autodiff\n\n{}", opening.trim_end())),
        "README.md must open with docs/overview.md's first paragraphs"
    );
    let mut from = 0;
    for section in sections {
        let text = format!("\n## {}", section.trim_end());
        match readme[from..].find(&text) {
            Some(at) => from += at + text.len(),
            None => panic!(
                "README.md lacks (or misorders) docs/overview.md's section `## {}`",
                section.lines().next().unwrap_or("")
            ),
        }
    }
}
