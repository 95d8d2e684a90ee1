//! Shared by the fuzz targets: the properties every input must satisfy, and
//! the `replay` mode that runs saved inputs without libFuzzer.

#![allow(dead_code)]

use tenantlint::source::{SourceFile, Span};

/// A span the loader or a rule produced must slice the text it names.
pub fn assert_span_in(file: &SourceFile, span: Span, what: &str) {
    let text = &file.text;
    let (start, end) = (span.start.byte as usize, span.end.byte as usize);
    assert!(
        start <= end && end <= text.len(),
        "{what}: span {start}..{end} outside a text of {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(start) && text.is_char_boundary(end),
        "{what}: span {start}..{end} splits a character"
    );
    assert!(
        span.start.line >= 1 && span.start.col >= 1,
        "{what}: 0 line or column"
    );
    // Line and column (what users see) agree with the byte offset (what
    // snippets are cut by). Known exception: granit does not count a BOM
    // (U+FEFF) at the start of a later document as a column, the line index
    // does; such lines may differ by a column.
    for (pos, what_end) in [(span.start, "start"), (span.end, "end")] {
        let expected = file.pos_of_byte(pos.byte as usize);
        if file.line_text(pos.line).contains('\u{feff}') {
            assert_eq!(expected.line, pos.line, "{what}: {what_end} line");
        } else {
            assert_eq!(expected, pos, "{what}: {what_end} line/column");
        }
    }
}

/// Replay: run `target` on every file named on the command line (or found
/// in a directory named there), printing each name first so that a crash
/// points at its input.
pub fn replay(target: fn(&[u8])) {
    let mut paths: Vec<std::path::PathBuf> = Vec::new();
    for arg in std::env::args_os().skip(1) {
        let p = std::path::PathBuf::from(arg);
        if p.is_dir() {
            let mut entries: Vec<_> = std::fs::read_dir(&p)
                .expect("readable directory")
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect();
            entries.sort();
            paths.extend(entries);
        } else {
            paths.push(p);
        }
    }
    for p in &paths {
        eprintln!("{}", p.display());
        let data = std::fs::read(p).expect("readable input");
        target(&data);
    }
    eprintln!("replayed {} inputs", paths.len());
}
