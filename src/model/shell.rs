//! Shell command lines as MLflow's users write them: words split as a POSIX
//! shell splits them (quotes, backslash-newline continuations, comments,
//! separators), each placed on the text it was written as, and variables
//! expanded from the environment the command sees.

use std::collections::HashMap;
use std::ops::Range;

use crate::source::{SourceFile, Span};

/// A word of a script: its text after quote removal, and the bytes of the
/// script it was written as (quotes included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawWord {
    pub text: String,
    pub raw: Range<usize>,
}

/// A word of a command line with the source span it came from.
#[derive(Clone, Debug)]
pub struct Token {
    pub text: String,
    pub span: Span,
}

/// Separators between commands: a word that is one of these ends a command.
pub fn is_separator(t: &str) -> bool {
    matches!(t, "&&" | "||" | ";" | "|" | "&" | "\n")
}

/// Split a script into words and separators (`\n`, `;`, `&&`, `||`, `|`,
/// `&`), as a POSIX shell would before expansion. Here-document bodies are
/// data, not commands: they are left out.
pub fn split(script: &str) -> Vec<RawWord> {
    split_with_comments(script).0
}

/// The delimiter of a here-document whose `<<` is at `at` (`<<EOF`,
/// `<<-'EOF'`, `<< "EOF"`), and whether tabs before it may indent it.
fn heredoc_delimiter(script: &str, at: usize) -> Option<(String, bool)> {
    let rest = script.get(at + 2..)?;
    if rest.starts_with('<') {
        return None;
    }
    let (dash, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let rest = rest.trim_start_matches([' ', '\t']);
    let end = rest
        .find(|c: char| c.is_whitespace() || matches!(c, ';' | '&' | '|' | '<' | '>' | ')'))
        .unwrap_or(rest.len());
    let word: String = rest[..end]
        .chars()
        .filter(|c| !matches!(c, '\'' | '"' | '\\'))
        .collect();
    (!word.is_empty()).then_some((word, dash))
}

/// Where the here-document bodies that start after the line ending at
/// `newline` end: the byte after the last delimiter line.
fn heredoc_end(script: &str, newline: usize, delimiters: &[(String, bool)]) -> usize {
    let mut pos = newline + 1;
    for (delimiter, dash) in delimiters {
        loop {
            if pos >= script.len() {
                return script.len();
            }
            let line_end = script[pos..].find('\n').map_or(script.len(), |i| pos + i);
            let line = script[pos..line_end].trim_end_matches('\r');
            let line = if *dash {
                line.trim_start_matches('\t')
            } else {
                line
            };
            pos = line_end + 1;
            if line == delimiter {
                break;
            }
        }
    }
    pos.min(script.len())
}

/// [`split`], and the byte ranges of the script's comments (`#` at the
/// start of a word, to the end of the line).
pub fn split_with_comments(script: &str) -> (Vec<RawWord>, Vec<Range<usize>>) {
    let mut comments = Vec::new();
    let mut heredocs: Vec<(String, bool)> = Vec::new();
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut start: Option<usize> = None;
    let mut chars = script.char_indices().peekable();
    let flush =
        |cur: &mut String, start: &mut Option<usize>, end: usize, words: &mut Vec<RawWord>| {
            if let Some(s) = start.take() {
                words.push(RawWord {
                    text: std::mem::take(cur),
                    raw: s..end,
                });
            }
        };
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, '\n')) => {}
                Some((_, n)) => {
                    start.get_or_insert(i);
                    cur.push(n);
                }
                None => {}
            },
            '\'' => {
                start.get_or_insert(i);
                for (_, n) in chars.by_ref() {
                    if n == '\'' {
                        break;
                    }
                    cur.push(n);
                }
            }
            '"' => {
                start.get_or_insert(i);
                while let Some((_, n)) = chars.next() {
                    match n {
                        '"' => break,
                        '\\' => {
                            if let Some((_, e)) = chars.next() {
                                if !matches!(e, '"' | '\\' | '$' | '`' | '\n') {
                                    cur.push('\\');
                                }
                                if e != '\n' {
                                    cur.push(e);
                                }
                            }
                        }
                        _ => cur.push(n),
                    }
                }
            }
            '<' if chars.peek().is_some_and(|&(_, n)| n == '<') => {
                if let Some(d) = heredoc_delimiter(script, i) {
                    heredocs.push(d);
                }
                start.get_or_insert(i);
                cur.push(c);
            }
            '\n' | ';' => {
                flush(&mut cur, &mut start, i, &mut words);
                words.push(RawWord {
                    text: if c == ';' { ";".into() } else { "\n".into() },
                    raw: i..i + 1,
                });
                if c == '\n' && !heredocs.is_empty() {
                    let end = heredoc_end(script, i, &heredocs);
                    heredocs.clear();
                    while chars.peek().is_some_and(|&(j, _)| j < end) {
                        chars.next();
                    }
                }
            }
            '&' | '|' => {
                flush(&mut cur, &mut start, i, &mut words);
                if chars.peek().is_some_and(|&(_, n)| n == c) {
                    chars.next();
                    words.push(RawWord {
                        text: format!("{c}{c}"),
                        raw: i..i + 2,
                    });
                } else {
                    words.push(RawWord {
                        text: c.to_string(),
                        raw: i..i + 1,
                    });
                }
            }
            '#' if start.is_none() => {
                let end = script[i..].find('\n').map_or(script.len(), |o| i + o);
                comments.push(i..end);
                while chars.peek().is_some_and(|&(j, _)| j < end) {
                    chars.next();
                }
                // The line break ends the command (and starts any
                // here-document body) as usual.
            }
            c if c.is_whitespace() => flush(&mut cur, &mut start, i, &mut words),
            c => {
                start.get_or_insert(i);
                cur.push(c);
            }
        }
    }
    flush(&mut cur, &mut start, script.len(), &mut words);
    (words, comments)
}

/// The words of a script, as text.
pub fn shell_words(script: &str) -> Vec<String> {
    split(script).into_iter().map(|w| w.text).collect()
}

/// How far past the previous word the next one is looked for in a script's
/// source when the script is not written verbatim (a YAML block scalar).
const SEARCH_SLACK: usize = 1024;

/// The bytes of a raw word without one layer of enclosing quotes.
fn unquoted(raw: &str, range: Range<usize>) -> Range<usize> {
    let b = raw.as_bytes();
    if b.len() >= 2 && matches!(b[0], b'"' | b'\'') && b[b.len() - 1] == b[0] {
        range.start + 1..range.end - 1
    } else {
        range
    }
}

/// Split `script`, the value of the node at `span`, into words placed on
/// their text in the source: exactly when the node's source is the script
/// itself (a file, a plain scalar), else by looking for each word near the
/// previous one (a block scalar's indentation), else on the whole node.
/// Words are not expanded.
pub fn place(file: &SourceFile, span: Span, script: &str) -> Vec<Token> {
    let src = file.slice(span);
    let base = span.start.byte as usize;
    let verbatim = src == script;
    let mut cursor = 0usize;
    let mut last = span.start;
    let mut out = Vec::new();
    for w in split(script) {
        let raw_text = &script[w.raw.clone()];
        let found = if verbatim {
            Some(unquoted(raw_text, w.raw.clone()))
        } else if w.text == "\n" {
            None
        } else {
            // Only near the cursor: a word that is not in the source
            // verbatim must not cost a scan of the rest of the script.
            let mut end = (cursor + raw_text.len() + SEARCH_SLACK).min(src.len());
            while !src.is_char_boundary(end) {
                end -= 1;
            }
            let window = &src[cursor..end];
            match window.find(raw_text) {
                Some(off) if !raw_text.is_empty() => {
                    let at = cursor + off;
                    cursor = at + raw_text.len();
                    Some(unquoted(raw_text, at..at + raw_text.len()))
                }
                _ => match window.find(w.text.as_str()) {
                    Some(off) if !w.text.is_empty() => {
                        let at = cursor + off;
                        cursor = at + w.text.len();
                        Some(at..at + w.text.len())
                    }
                    _ => None,
                },
            }
        };
        let span = match found {
            Some(r) => {
                let start = file.pos_from(last, base + r.start);
                last = file.pos_from(start, base + r.end);
                Span::new(start, last)
            }
            None => span,
        };
        out.push(Token { text: w.text, span });
    }
    out
}

/// Split a script written in the node at `item` into tokens with their
/// variables expanded from `env`.
pub fn shell_tokens(
    file: &SourceFile,
    item: Span,
    script: &str,
    env: &HashMap<&str, &str>,
) -> Vec<Token> {
    let mut tokens = place(file, item, script);
    for t in &mut tokens {
        t.text = expand_vars(&t.text, env);
    }
    tokens
}

/// `NAME=value` written in `tok`: the name, its span, the value (without
/// quotes) and its span. `None` when the word is no assignment.
pub fn assignment(file: &SourceFile, tok: &Token) -> Option<(String, Span, String, Span)> {
    let (name, value) = tok.text.split_once('=')?;
    if name.is_empty()
        || name.starts_with(|c: char| c.is_ascii_digit())
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return None;
    }
    let src = file.slice(tok.span);
    let (name_span, value_span) = match src.split_once('=') {
        Some((n, v)) if n == name => {
            let start = tok.span.start.byte as usize;
            let name_span = file.span_of_bytes(start..start + n.len());
            let v_start = start + n.len() + 1;
            let v_range = unquoted(v, v_start..v_start + v.len());
            let value_span = if v_range.is_empty() {
                name_span
            } else {
                file.span_of_bytes(v_range)
            };
            (name_span, value_span)
        }
        _ => (tok.span, tok.span),
    };
    Some((name.to_string(), name_span, value.to_string(), value_span))
}

/// The name of a `$(NAME)` / `${NAME}` reference at the start of `inner`
/// (after the opening bracket) and the bytes the reference takes after the
/// `$`; `("", 0)` when `close` does not end a name there.
fn closed_name(inner: &str, close: char) -> (&str, usize) {
    let n = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
        .unwrap_or(inner.len());
    if inner[n..].starts_with(close) {
        (&inner[..n], n + 2)
    } else {
        ("", 0)
    }
}

/// Expand `$(VAR)` (Kubernetes), `${VAR}` and `$VAR` (shell) from literal env values.
/// Unknown variables are left as written.
pub fn expand_vars(s: &str, env: &HashMap<&str, &str>) -> String {
    expand_with(s, |name| env.get(name).copied())
}

/// [`expand_vars`] with the values looked up by `lookup`.
pub fn expand_with<'v>(s: &str, lookup: impl Fn(&str) -> Option<&'v str>) -> String {
    if !s.contains('$') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        // A name ends at the first character that cannot be in one, so
        // each `$` looks only at its own name: an unclosed `$(` does not
        // scan the rest of a megabyte script for a `)` (quadratic).
        let (name, consumed) = if let Some(inner) = after.strip_prefix('(') {
            closed_name(inner, ')')
        } else if let Some(inner) = after.strip_prefix('{') {
            closed_name(inner, '}')
        } else {
            let n = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..n], n)
        };
        match lookup(name) {
            Some(v) if !name.is_empty() => {
                out.push_str(v);
                rest = &after[consumed..];
            }
            _ => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileKind;

    #[test]
    fn shell_words_split_like_a_shell() {
        assert_eq!(
            shell_words(
                "mlflow server \\\n  --host 0.0.0.0 --default-artifact-root 's3://b/x' && echo \"a b\""
            ),
            [
                "mlflow",
                "server",
                "--host",
                "0.0.0.0",
                "--default-artifact-root",
                "s3://b/x",
                "&&",
                "echo",
                "a b"
            ]
        );
    }

    #[test]
    fn here_documents_and_comments() {
        let script = "cat <<-'EOF' > x.yaml\n\tmlflow server --host 0.0.0.0 # tenantlint: ignore[X]\n\tEOF\nmlflow ui # a comment\necho '# no comment'\n";
        let (words, comments) = split_with_comments(script);
        let texts: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "cat",
                "<<-EOF",
                ">",
                "x.yaml",
                "\n",
                "mlflow",
                "ui",
                "\n",
                "echo",
                "# no comment",
                "\n"
            ]
        );
        assert_eq!(comments.len(), 1);
        assert_eq!(&script[comments[0].clone()], "# a comment");
    }

    #[test]
    fn words_are_placed_on_their_text() {
        let text = "export AWS_SECRET_ACCESS_KEY=\"abc123\"\nmlflow server \\\n  --host '0.0.0.0' # listen\n";
        let f = SourceFile::new(
            0,
            "s.sh".into(),
            "s.sh".into(),
            FileKind::Shell,
            text.into(),
        );
        let all = Span::new(f.pos_of_byte(0), f.pos_of_byte(text.len()));
        let tokens = place(&f, all, text);
        let host = tokens.iter().find(|t| t.text == "0.0.0.0").unwrap();
        assert_eq!(f.slice(host.span), "0.0.0.0");
        assert_eq!((host.span.start.line, host.span.start.col), (3, 11));
        let (name, _, value, value_span) = assignment(&f, &tokens[1]).unwrap();
        assert_eq!(
            (name.as_str(), value.as_str()),
            ("AWS_SECRET_ACCESS_KEY", "abc123")
        );
        assert_eq!(f.slice(value_span), "abc123");
    }

    #[test]
    fn variables_expand_from_env() {
        let env: HashMap<&str, &str> = [("ROOT", "s3://b/team")].into();
        assert_eq!(expand_vars("--x=$(ROOT)/a", &env), "--x=s3://b/team/a");
        // Unclosed and unknown references stay as written, in linear time.
        let unclosed = "$(".repeat(200_000);
        assert_eq!(expand_vars(&unclosed, &env), unclosed);
        assert_eq!(expand_vars("$(ROOT", &env), "$(ROOT");
        assert_eq!(expand_vars("${ROOT}x", &env), "s3://b/teamx");
        assert_eq!(
            expand_vars("${ROOT} $ROOT $OTHER", &env),
            "s3://b/team s3://b/team $OTHER"
        );
    }
}
