//! The SQLite tracking store that MLflow 3 uses by default
//! (`sqlite:///mlflow.db`), read into the same model as the file store.
//!
//! A store has no lines, so the rows that the rules may point at are laid
//! out as a text of their own, one field per line: `<locator>\t<value>`,
//! where the locator names the table, the row's key and the column
//! (`experiments/3/artifact_location`). Every field keeps a span into that
//! text, so the rules work on both stores unchanged; the engine turns a
//! span back into its locator, and reports print the locator and no line
//! numbers (SPEC §3).
//!
//! The file is opened strictly read-only: an `immutable=1` URI, so SQLite
//! takes no lock and creates no journal, WAL or shared-memory file, and the
//! file's bytes and modification time stay as they were.

use std::path::Path;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

use super::MlflowFile;
use super::file_store::{LoggedModel, ModelVersion, RegisteredModel, Run};
use super::mlflow::Experiment;
use crate::source::{FileId, Pos, Span, Spanned};

/// Rows read from one table at most; a store is never read without bound.
pub const MAX_ROWS: usize = 1_000_000;

/// Characters kept of one value; no real URI or name comes near it.
const MAX_VALUE_CHARS: usize = 4096;

/// The Alembic revisions of MLflow's tracking schema, oldest first, up to
/// the head of MLflow 3.18 (`mlflow/store/db_migrations/versions`).
pub const KNOWN_REVISIONS: &[&str] = include!("sqlite_revisions.in");

/// What reading a store gave.
#[derive(Debug, Default)]
pub struct StoreRead {
    /// The rows, one field per line (see the module docs).
    pub text: String,
    pub entities: Vec<MlflowFile>,
    /// Things the user should know that are not findings (stderr notes).
    pub notes: Vec<String>,
}

pub use crate::source::{SQLITE_HEADER, has_sqlite_header};

/// Whether the file at `path` starts with the SQLite header (reads 16 bytes).
pub fn file_has_sqlite_header(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && has_sqlite_header(&head)
}

/// An `immutable=1` read-only URI for `path`, percent-encoding what a URI
/// would otherwise read as syntax.
fn read_only_uri(path: &Path) -> String {
    let raw = path.to_string_lossy();
    let mut out = String::from("file:");
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'-' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out.push_str("?mode=ro&immutable=1");
    out
}

/// Open a store read-only and immutable: no lock, no journal, no write.
pub fn open(path: &Path) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(read_only_uri(path), flags)?;
    // Belt and braces: even a schema that asks for it cannot make this
    // connection write.
    conn.pragma_update(None, "query_only", true)?;
    Ok(conn)
}

/// Escape a key segment of a locator: `/` separates segments.
fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '/' | '%' | '\t' => out.push_str(&format!("%{:02X}", c as u32)),
            c if c.is_control() => out.push_str(&format!("%{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// The locator prefix of a row: `table/key`, each key part escaped.
fn row(table: &str, keys: &[&str]) -> String {
    let mut out = table.to_string();
    for k in keys {
        out.push('/');
        out.push_str(&segment(k));
    }
    out
}

/// A value as one line of the row text: control characters made visible.
fn line_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Builds the row text and the spans of its values.
struct Rows {
    text: String,
    line: u32,
}

impl Rows {
    /// Add `<row>/<column><TAB>value` and return the value's span; `row`
    /// is `table/key` (see [`row`]).
    fn field(&mut self, row: &str, column: &str, value: &str) -> Span {
        let locator = format!("{row}/{column}");
        let shown = line_value(value);
        let start_byte = self.text.len() + locator.len() + 1;
        let start_col = locator.chars().count() as u32 + 2;
        let start = Pos {
            byte: start_byte as u32,
            line: self.line,
            col: start_col,
        };
        let end = Pos {
            byte: (start_byte + shown.len()) as u32,
            line: self.line,
            col: start_col + shown.chars().count() as u32,
        };
        self.text.push_str(&locator);
        self.text.push('\t');
        self.text.push_str(&shown);
        self.text.push('\n');
        self.line += 1;
        Span::new(start, end)
    }

    /// A field that a rule may point at, when the row has a value for it.
    fn spanned(
        &mut self,
        row: &str,
        column: &str,
        value: Option<String>,
    ) -> Option<Spanned<String>> {
        let v = value?;
        let span = self.field(row, column, &v);
        Some(Spanned::new(v, span))
    }
}

/// The locator of the field a span of the row text sits on.
pub fn locator_at(text: &str, span: Span) -> Option<String> {
    let line = line_of(text, span.start.byte as usize);
    line.split_once('\t').map(|(l, _)| l.to_string())
}

fn line_of(text: &str, byte: usize) -> &str {
    let byte = byte.min(text.len());
    let start = text[..byte].rfind('\n').map_or(0, |i| i + 1);
    let end = text[byte..].find('\n').map_or(text.len(), |i| byte + i);
    &text[start..end]
}

/// The fields of the row that `locator` names, as (column, value) pairs,
/// for reports that show a row instead of a snippet.
pub fn row_fields(text: &str, span: Span) -> Vec<(&str, &str)> {
    let byte = (span.start.byte as usize).min(text.len());
    let Some((locator, _)) = line_of(text, byte).split_once('\t') else {
        return Vec::new();
    };
    let Some((row, _)) = locator.rsplit_once('/') else {
        return Vec::new();
    };
    let prefix = format!("{row}/");
    // Fields of a row are written together: walk back to the row's first
    // line, then forward while lines belong to it.
    let mut start = text[..byte].rfind('\n').map_or(0, |i| i + 1);
    while start > 0 {
        let prev_start = text[..start - 1].rfind('\n').map_or(0, |i| i + 1);
        if !text[prev_start..].starts_with(&prefix) {
            break;
        }
        start = prev_start;
    }
    text[start..]
        .lines()
        .take_while(|l| l.starts_with(&prefix))
        .filter_map(|l| {
            let (loc, value) = l.split_once('\t')?;
            Some((&loc[prefix.len()..], value))
        })
        .collect()
}

fn value_string(v: ValueRef<'_>) -> Option<String> {
    match v {
        ValueRef::Null | ValueRef::Blob(_) => None,
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Text(t) => {
            let s = String::from_utf8_lossy(t);
            Some(s.chars().take(MAX_VALUE_CHARS).collect())
        }
    }
}

/// A table's columns (empty when the table is absent).
fn columns(conn: &Connection, table: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(&format!("PRAGMA table_info(\"{table}\")"))?;
    let names = stmt.query_map([], |r| r.get::<_, String>(1))?;
    names.collect()
}

/// Rows of `table` as maps of the wanted columns that exist, at most
/// [`MAX_ROWS`]; `None` for columns the table does not have.
fn select(
    conn: &Connection,
    table: &str,
    wanted: &[&str],
    notes: &mut Vec<String>,
) -> rusqlite::Result<Vec<Vec<Option<String>>>> {
    let present = columns(conn, table)?;
    if present.is_empty() {
        return Ok(Vec::new());
    }
    let exprs: Vec<String> = wanted
        .iter()
        .map(|c| {
            if present.iter().any(|p| p == c) {
                format!("substr(\"{c}\", 1, {MAX_VALUE_CHARS})")
            } else {
                "NULL".to_string()
            }
        })
        .collect();
    let sql = format!(
        "SELECT {} FROM \"{table}\" LIMIT {}",
        exprs.join(", "),
        MAX_ROWS + 1
    );
    let mut stmt = conn.prepare(&sql)?;
    let n = wanted.len();
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        if out.len() == MAX_ROWS {
            notes.push(format!(
                "table `{table}` has more than {MAX_ROWS} rows; only the first {MAX_ROWS} were read"
            ));
            break;
        }
        let mut values = Vec::with_capacity(n);
        for i in 0..n {
            values.push(value_string(row.get_ref(i)?));
        }
        out.push(values);
    }
    Ok(out)
}

fn tables(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table'")?;
    let names = stmt.query_map([], |r| r.get::<_, String>(0))?;
    names.collect()
}

/// Why a file is not read as a store.
#[derive(Debug)]
pub enum StoreError {
    /// A readable SQLite database without MLflow's tables: not an error.
    NotMlflow,
    /// Not readable as SQLite (corrupt, truncated, encrypted, …).
    Unreadable(String),
}

/// Read the store at `path`. `display` is its name in reports (keys of
/// its experiments and models are made unique across the set with it).
pub fn read(path: &Path, file: FileId, display: &str) -> Result<StoreRead, StoreError> {
    let unreadable = |e: rusqlite::Error| StoreError::Unreadable(e.to_string());
    let conn = open(path).map_err(unreadable)?;
    let names = tables(&conn).map_err(unreadable)?;
    let has = |t: &str| names.iter().any(|n| n == t);
    if !has("experiments") || !has("runs") {
        return Err(StoreError::NotMlflow);
    }
    read_tables(&conn, file, display, &has).map_err(unreadable)
}

fn read_tables(
    conn: &Connection,
    file: FileId,
    display: &str,
    has: &dyn Fn(&str) -> bool,
) -> rusqlite::Result<StoreRead> {
    let mut notes = Vec::new();
    if has("alembic_version") {
        let revision: Option<String> = conn
            .query_row("SELECT version_num FROM alembic_version", [], |r| r.get(0))
            .ok();
        match revision {
            Some(r) if !KNOWN_REVISIONS.contains(&r.as_str()) => notes.push(format!(
                "schema revision `{r}` is not one tenantlint knows (it knows MLflow's up to `{}`); the tables and columns it recognises were read",
                KNOWN_REVISIONS.last().copied().unwrap_or("")
            )),
            Some(_) => {}
            None => notes.push(
                "the store records no schema revision; the tables and columns tenantlint recognises were read"
                    .to_string(),
            ),
        }
    }
    let mut rows = Rows {
        text: String::new(),
        line: 1,
    };
    let mut entities = Vec::new();
    let key = |id: &str| format!("{display}#{id}");

    let workspace_tags = if has("experiment_tags") {
        select(
            conn,
            "experiment_tags",
            &["experiment_id", "key", "value"],
            &mut notes,
        )?
    } else {
        Vec::new()
    };
    for r in select(
        conn,
        "experiments",
        &[
            "experiment_id",
            "name",
            "artifact_location",
            "lifecycle_stage",
            "workspace",
        ],
        &mut notes,
    )? {
        let mut r = r.into_iter();
        let (id, name, location, stage, workspace) = (
            r.next().flatten(),
            r.next().flatten(),
            r.next().flatten(),
            r.next().flatten(),
            r.next().flatten(),
        );
        let Some(id) = id else { continue };
        let rw = row("experiments", &[&id]);
        let name = rows.spanned(&rw, "name", name);
        let artifact_location = rows.spanned(&rw, "artifact_location", location);
        let lifecycle_stage = stage.inspect(|s| {
            rows.field(&rw, "lifecycle_stage", s);
        });
        // A workspace column, else MLflow's `mlflow.workspace` tag.
        let workspace = workspace.or_else(|| {
            workspace_tags
                .iter()
                .find(|tag| {
                    tag[0].as_deref() == Some(id.as_str())
                        && tag[1].as_deref() == Some("mlflow.workspace")
                })
                .and_then(|tag| tag[2].clone())
        });
        let workspace = rows.spanned(&rw, "workspace", workspace);
        entities.push(MlflowFile::Experiment(Experiment {
            file,
            key: key(&id),
            store: display.to_string(),
            experiment_id: Some(id),
            name,
            artifact_location,
            workspace,
            lifecycle_stage,
        }));
    }
    for r in select(
        conn,
        "runs",
        &[
            "run_uuid",
            "experiment_id",
            "artifact_uri",
            "lifecycle_stage",
        ],
        &mut notes,
    )? {
        let mut r = r.into_iter();
        let (id, experiment, uri, stage) = (
            r.next().flatten(),
            r.next().flatten(),
            r.next().flatten(),
            r.next().flatten(),
        );
        let Some(id) = id else { continue };
        let rw = row("runs", &[&id]);
        let experiment_key = experiment.as_deref().map(key).unwrap_or_default();
        let experiment_id = rows.spanned(&rw, "experiment_id", experiment);
        let artifact_uri = rows.spanned(&rw, "artifact_uri", uri);
        let lifecycle_stage = stage.inspect(|s| {
            rows.field(&rw, "lifecycle_stage", s);
        });
        let run_id = rows.spanned(&rw, "run_uuid", Some(id.clone()));
        entities.push(MlflowFile::Run(Run {
            file,
            run_id,
            experiment_id,
            artifact_uri,
            lifecycle_stage,
            experiment_key,
            store: display.to_string(),
        }));
    }
    if has("logged_models") {
        for r in select(
            conn,
            "logged_models",
            &[
                "model_id",
                "experiment_id",
                "name",
                "artifact_location",
                "source_run_id",
                "lifecycle_stage",
            ],
            &mut notes,
        )? {
            let mut r = r.into_iter();
            let (id, experiment, name, location, run, stage) = (
                r.next().flatten(),
                r.next().flatten(),
                r.next().flatten(),
                r.next().flatten(),
                r.next().flatten(),
                r.next().flatten(),
            );
            let Some(id) = id else { continue };
            let rw = row("logged_models", &[&id]);
            let experiment_key = experiment.as_deref().map(key).unwrap_or_default();
            let model_id = rows.spanned(&rw, "model_id", Some(id.clone()));
            let name = rows.spanned(&rw, "name", name);
            let artifact_location = rows.spanned(&rw, "artifact_location", location);
            entities.push(MlflowFile::LoggedModel(LoggedModel {
                file,
                model_id,
                experiment_id: experiment,
                experiment_key,
                name,
                artifact_location,
                source_run_id: run,
                lifecycle_stage: stage,
            }));
        }
    }
    if has("registered_models") {
        for r in select(
            conn,
            "registered_models",
            &["name", "workspace"],
            &mut notes,
        )? {
            let mut r = r.into_iter();
            let (name, workspace) = (r.next().flatten(), r.next().flatten());
            let Some(name) = name else { continue };
            let rw = row("registered_models", &[&name]);
            let model_key = key(&format!("model:{name}"));
            let workspace = rows.spanned(&rw, "workspace", workspace);
            let name = rows.spanned(&rw, "name", Some(name.clone()));
            entities.push(MlflowFile::RegisteredModel(RegisteredModel {
                file,
                name,
                workspace,
                key: model_key,
            }));
        }
    }
    if has("model_versions") {
        for r in select(
            conn,
            "model_versions",
            &[
                "name",
                "version",
                "source",
                "storage_location",
                "run_id",
                "workspace",
                "current_stage",
            ],
            &mut notes,
        )? {
            let mut r = r.into_iter();
            let (name, version, source, storage, run_id, workspace, stage) = (
                r.next().flatten(),
                r.next().flatten(),
                r.next().flatten(),
                r.next().flatten(),
                r.next().flatten(),
                r.next().flatten(),
                r.next().flatten(),
            );
            let (Some(name), Some(version)) = (name, version) else {
                continue;
            };
            // Deleted versions stay in the table, marked by their stage.
            if stage.as_deref() == Some("Deleted_Internal") {
                continue;
            }
            let rw = row("model_versions", &[&name, &version]);
            let model_key = key(&format!("model:{name}"));
            let name_s = rows.spanned(&rw, "name", Some(name.clone()));
            let source = rows.spanned(&rw, "source", source);
            let storage_location = rows.spanned(&rw, "storage_location", storage);
            let workspace = rows.spanned(&rw, "workspace", workspace);
            if let Some(run) = &run_id {
                rows.field(&rw, "run_id", run);
            }
            entities.push(MlflowFile::ModelVersion(ModelVersion {
                file,
                name: name_s,
                version: Some(version),
                source,
                storage_location,
                run_id,
                workspace,
                model_key,
                store: display.to_string(),
            }));
        }
    }
    Ok(StoreRead {
        text: rows.text,
        entities,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_text_and_locators() {
        let mut rows = Rows {
            text: String::new(),
            line: 1,
        };
        rows.field(&row("experiments", &["1"]), "name", "a");
        let span = rows.field(&row("experiments", &["1"]), "artifact_location", "s3://b/x");
        rows.field(&row("runs", &["r/1"]), "experiment_id", "1\n2");
        assert_eq!(&rows.text[span.byte_range()], "s3://b/x");
        assert_eq!(span.start.line, 2);
        assert_eq!(
            locator_at(&rows.text, span).as_deref(),
            Some("experiments/1/artifact_location")
        );
        assert_eq!(
            row_fields(&rows.text, span),
            [("name", "a"), ("artifact_location", "s3://b/x")]
        );
        assert!(rows.text.ends_with("runs/r%2F1/experiment_id\t1\\n2\n"));
    }

    #[test]
    fn uri_escapes_query_syntax() {
        assert_eq!(
            read_only_uri(Path::new("/a b/x?y#z.db")),
            "file:/a%20b/x%3Fy%23z.db?mode=ro&immutable=1"
        );
    }
}
