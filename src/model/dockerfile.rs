//! Dockerfiles (`Dockerfile`, `Dockerfile.*`, `*.Dockerfile`,
//! `Containerfile`): the image's process (SPEC §4.8) is read from the last
//! stage — and the stages it is built `FROM` — with `ENTRYPOINT` and `CMD`
//! in exec (`["mlflow", "server"]`) and shell form, `ENV`, `ARG` defaults,
//! `WORKDIR` and backslash continuations.

use std::ops::Range;

use super::process::{EnvSetting, EnvSource, Process, Producer, ScriptEnv, script_processes};
use super::shell::{Token, assignment, place};
use crate::source::{SourceFile, Span};

/// Dockerfile names, lowercased: `dockerfile`, `dockerfile.dev`,
/// `api.dockerfile`, `containerfile`.
pub fn is_dockerfile_name(lower: &str) -> bool {
    lower == "dockerfile"
        || lower == "containerfile"
        || lower.starts_with("dockerfile.")
        || lower.starts_with("containerfile.")
        || lower.ends_with(".dockerfile")
        || lower.ends_with(".containerfile")
}

/// One instruction: its keyword (uppercased), the keyword's span and the
/// bytes of its arguments (continuations included).
struct Instruction {
    keyword: String,
    keyword_span: Span,
    args: Range<usize>,
}

/// The instructions of a Dockerfile, continuation lines joined.
fn instructions(file: &SourceFile) -> Vec<Instruction> {
    let text = file.text.as_str();
    let mut out = Vec::new();
    let mut pos = 0usize;
    while pos < text.len() {
        let line_end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let line = &text[pos..line_end];
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            pos = line_end + 1;
            continue;
        }
        let kw_start = pos + (line.len() - trimmed.len());
        let kw_len = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
        let keyword = trimmed[..kw_len].to_ascii_uppercase();
        let args_start = kw_start + kw_len;
        // The logical line ends at the first line not ending in `\`.
        // Comment lines inside an instruction are dropped by Docker: they
        // neither end it nor continue it.
        let mut end = line_end;
        let mut continued = false;
        while end < text.len() {
            let current = &text[text[..end].rfind('\n').map_or(0, |i| i + 1)..end];
            let is_comment = continued && current.trim_start().starts_with('#');
            if !is_comment && !current.trim_end_matches([' ', '\t', '\r']).ends_with('\\') {
                break;
            }
            continued = true;
            end = text[end + 1..]
                .find('\n')
                .map_or(text.len(), |i| end + 1 + i);
        }
        let args_start = args_start
            + text[args_start..end]
                .find(|c: char| !c.is_whitespace())
                .unwrap_or(end - args_start);
        out.push(Instruction {
            keyword,
            keyword_span: file.span_of_bytes(kw_start..kw_start + kw_len),
            args: args_start..end.max(args_start),
        });
        pos = end + 1;
    }
    out
}

/// A JSON array of strings (exec form) with the bytes of each string's
/// content; `None` when the text is not one (Docker then runs it as a
/// shell command).
fn json_words(text: &str, base: usize) -> Option<Vec<(String, Range<usize>)>> {
    let t = text.trim_end();
    let mut chars = t.char_indices().peekable();
    // Whitespace, and the backslash of a continuation line.
    let skip_ws = |chars: &mut std::iter::Peekable<std::str::CharIndices>| {
        while chars
            .peek()
            .is_some_and(|&(i, c)| c.is_whitespace() || (c == '\\' && is_continuation(&t[i + 1..])))
        {
            chars.next();
        }
    };
    if chars.next()?.1 != '[' {
        return None;
    }
    let mut words = Vec::new();
    skip_ws(&mut chars);
    if chars.peek().is_some_and(|&(_, c)| c == ']') {
        chars.next();
        return chars.next().is_none().then_some(words);
    }
    loop {
        skip_ws(&mut chars);
        let (open, c) = chars.next()?;
        if c != '"' {
            return None;
        }
        let mut s = String::new();
        let end = loop {
            let (i, c) = chars.next()?;
            match c {
                '"' => break i,
                '\\' => match chars.next()?.1 {
                    'n' => s.push('\n'),
                    't' => s.push('\t'),
                    'u' => {
                        let hex: String = (0..4)
                            .filter_map(|_| chars.next().map(|(_, c)| c))
                            .collect();
                        s.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?).unwrap_or('?'));
                    }
                    e => s.push(e),
                },
                c => s.push(c),
            }
        };
        words.push((s, base + open + 1..base + end));
        skip_ws(&mut chars);
        match chars.next()?.1 {
            ',' => continue,
            ']' => break,
            _ => return None,
        }
    }
    skip_ws(&mut chars);
    chars.next().is_none().then_some(words)
}

/// Whether the text after a backslash ends its line (spaces allowed).
fn is_continuation(after: &str) -> bool {
    after
        .trim_start_matches([' ', '\t', '\r'])
        .starts_with('\n')
}

/// `CMD` / `ENTRYPOINT` arguments as tokens, and whether they are in shell form.
fn command(file: &SourceFile, args: &Range<usize>) -> (Vec<Token>, bool) {
    let text = &file.text[args.clone()];
    if let Some(words) = json_words(text, args.start) {
        let tokens = words
            .into_iter()
            .map(|(text, r)| Token {
                text,
                span: file.span_of_bytes(r),
            })
            .collect();
        return (tokens, false);
    }
    (words(file, args), true)
}

/// The shell words of an instruction's arguments. Its lines were joined by
/// continuations, so a line break left is a comment line, which Docker
/// drops.
fn words(file: &SourceFile, args: &Range<usize>) -> Vec<Token> {
    let mut tokens = place(
        file,
        file.span_of_bytes(args.clone()),
        &file.text[args.clone()],
    );
    tokens.retain(|t| t.text != "\n");
    tokens
}

/// One build stage: its base, its name and its instructions.
struct Stage {
    base: String,
    name: Option<String>,
    instructions: Vec<Instruction>,
}

/// The image's process, when its command runs MLflow.
pub fn processes(file: &SourceFile) -> Vec<Process> {
    let mut stages: Vec<Stage> = Vec::new();
    for ins in instructions(file) {
        if ins.keyword == "FROM" {
            let words: Vec<&str> = file.text[ins.args.clone()]
                .split_whitespace()
                .filter(|w| !w.starts_with("--"))
                .collect();
            let name = match words.as_slice() {
                [_, as_, name, ..] if as_.eq_ignore_ascii_case("as") => {
                    Some(name.to_ascii_lowercase())
                }
                _ => None,
            };
            stages.push(Stage {
                base: words.first().unwrap_or(&"").to_ascii_lowercase(),
                name,
                instructions: Vec::new(),
            });
        } else if let Some(stage) = stages.last_mut() {
            stage.instructions.push(ins);
        }
    }
    let Some(last) = stages.len().checked_sub(1) else {
        return Vec::new();
    };
    // The last stage and the stages it is built from, base first.
    let mut chain = vec![last];
    loop {
        let cur = chain[chain.len() - 1];
        let base = stages[cur].base.as_str();
        // Earlier stages only: the chain ends.
        match stages[..cur]
            .iter()
            .rposition(|s| s.name.as_deref() == Some(base))
        {
            Some(i) => chain.push(i),
            None => break,
        }
    }
    chain.reverse();
    let image = stages[chain[0]].base.clone();
    let mut template = Process::new(
        file.id,
        Producer::Dockerfile,
        format!("the image of {}", file.display),
        Span::default(),
    );
    template.scope = Some(file.display.clone());
    template.image = Some(image);
    let mut env = ScriptEnv::default();
    let mut args_env: Vec<EnvSetting> = Vec::new();
    let mut entrypoint: Option<(Vec<Token>, bool, Span, Span)> = None;
    let mut cmd: Option<(Vec<Token>, bool, Span, Span)> = None;
    for &s in &chain {
        for ins in &stages[s].instructions {
            let span = file.span_of_bytes(ins.args.clone());
            match ins.keyword.as_str() {
                "ENV" => {
                    for setting in env_settings(file, ins) {
                        env.set(setting);
                    }
                }
                "ARG" => args_env.extend(
                    env_settings(file, ins)
                        .into_iter()
                        .filter(|s| s.value_span != s.name_span),
                ),
                "WORKDIR" => {
                    template.working_dir = Some(file.text[ins.args.clone()].trim().to_string())
                }
                "ENTRYPOINT" => {
                    let (tokens, shell) = command(file, &ins.args);
                    entrypoint = Some((tokens, shell, ins.keyword_span, span));
                    // Setting an entrypoint resets the command of the base.
                    cmd = None;
                }
                "CMD" => {
                    let (tokens, shell) = command(file, &ins.args);
                    cmd = Some((tokens, shell, ins.keyword_span, span));
                }
                _ => {}
            }
        }
    }
    template.build_args = args_env;
    template.explicit_command = entrypoint.is_some();
    let mut words = Vec::new();
    let mut entry_span = None;
    let shell_entrypoint = entrypoint.as_ref().is_some_and(|e| e.1);
    for (tokens, _, kw, span) in [entrypoint, if shell_entrypoint { None } else { cmd }]
        .into_iter()
        .flatten()
    {
        entry_span.get_or_insert(kw);
        template.command_spans.push(span);
        words.extend(tokens);
    }
    let Some(entry_span) = entry_span else {
        return Vec::new();
    };
    template.entry_span = entry_span;
    let mut out = Vec::new();
    script_processes(file, &words, &mut env.clone(), &template, &mut out);
    if out.is_empty() && template.image_is_mlflow() && !words.is_empty() {
        // An MLflow image given only its arguments (`CMD ["server", …]`).
        let mut p = template;
        p.words = words;
        p.env = env.settings;
        out.push(p);
    }
    for p in &mut out {
        p.entry_span = entry_span;
    }
    out
}

/// `ENV A=1 B="2 3"`, the legacy `ENV A 1 2`, and `ARG A=1` / `ARG A`.
fn env_settings(file: &SourceFile, ins: &Instruction) -> Vec<EnvSetting> {
    let tokens = words(file, &ins.args);
    let mut out = Vec::new();
    let Some(first) = tokens.first() else {
        return out;
    };
    if !first.text.contains('=') {
        // `ENV NAME value with spaces`, or `ARG NAME` without a default.
        let name_end = first.span;
        let rest = file.text[name_end.end.byte as usize..ins.args.end].trim();
        let (value, value_span) = if rest.is_empty() {
            (None, first.span)
        } else {
            let start = file.text[name_end.end.byte as usize..ins.args.end]
                .find(rest)
                .map_or(0, |o| o + name_end.end.byte as usize);
            (
                Some(rest.to_string()),
                file.span_of_bytes(start..start + rest.len()),
            )
        };
        out.push(EnvSetting {
            name: first.text.clone(),
            source: if value.is_some() {
                EnvSource::Literal
            } else {
                EnvSource::Reference
            },
            value,
            file: file.id,
            name_span: first.span,
            value_span,
        });
        return out;
    }
    for t in &tokens {
        if let Some((name, name_span, value, value_span)) = assignment(file, t) {
            out.push(EnvSetting {
                name,
                value: Some(value),
                source: EnvSource::Literal,
                file: file.id,
                name_span,
                value_span,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileKind;

    fn file(text: &str) -> SourceFile {
        SourceFile::new(
            0,
            "Dockerfile".into(),
            "Dockerfile".into(),
            FileKind::Dockerfile,
            text.into(),
        )
    }

    #[test]
    fn names() {
        for yes in [
            "dockerfile",
            "dockerfile.dev",
            "api.dockerfile",
            "containerfile",
        ] {
            assert!(is_dockerfile_name(yes), "{yes}");
        }
        assert!(!is_dockerfile_name("dockerfiles.md"));
    }

    #[test]
    fn exec_and_shell_forms_of_the_last_stage() {
        let f = file(
            "FROM python:3.12 AS base\nENV AWS_SECRET_ACCESS_KEY=abc123\nCMD [\"python\"]\n\nFROM base\nARG ROOT=s3://b/x\nCMD [\"mlflow\", \"server\", \\\n     \"--host\", \"0.0.0.0\"]\n",
        );
        let ps = processes(&f);
        assert_eq!(ps.len(), 1);
        let host = ps[0].words.iter().find(|w| w.text == "0.0.0.0").unwrap();
        assert_eq!((host.span.start.line, host.span.start.col), (8, 17));
        let secret = &ps[0].env[0];
        assert_eq!(f.slice(secret.value_span), "abc123");
        assert_eq!(ps[0].build_args[0].name, "ROOT");
        let f = file("FROM x\nENV MLFLOW_HOST 0.0.0.0\nCMD mlflow server \\\n  --port 5000\n");
        let ps = processes(&f);
        assert_eq!(ps[0].words.len(), 4);
        assert_eq!(f.slice(ps[0].env[0].value_span), "0.0.0.0");
    }
}
