//! The `sarif` format: SARIF 2.1.0 for code-scanning UIs (SPEC §3).
//!
//! One run, with every built-in rule described in `tool.driver.rules` and one
//! result per finding. Regions use our own positions unchanged: 1-based lines,
//! columns counted in Unicode code points (declared with `columnKind`), and an
//! exclusive end, which is what SARIF means by `endColumn`.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

use serde_json::Value;
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, LogicalLocation, Message, MultiformatMessageString,
    Notification, PhysicalLocation, PropertyBag, Region, ReportingConfiguration,
    ReportingDescriptor, Result as SarifResult, ResultLevel, Run, RunAutomationDetails, Sarif,
    Tool, ToolComponent,
};

use super::ReportOptions;
use crate::diagnostic::{Diagnostic, ObjectRef, Severity};
use crate::discover::{WalkLevel, WalkWarning};
use crate::engine::CheckResult;
use crate::rules::{self, RuleMeta};
use crate::source::Span;

/// The schema every consumer knows this version by.
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The key of our entry in `partialFingerprints`; bump the version suffix if
/// the hashed fields ever change, so code scanning does not mix the two.
pub const FINGERPRINT_KEY: &str = "tenantlintFingerprint/v1";

fn level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Info => ResultLevel::Note,
    }
}

fn level_str(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn text(s: impl Into<String>) -> Message {
    Message {
        text: Some(s.into()),
        ..Message::default()
    }
}

fn multiformat(text: &str, markdown: Option<String>) -> MultiformatMessageString {
    let mut m = MultiformatMessageString::builder()
        .text(text.to_string())
        .build();
    m.markdown = markdown;
    m
}

/// GitHub code scanning ranks a `security` rule by `security-severity`
/// (0.1–3.9 low, 4.0–6.9 medium, 7.0–8.9 high, 9.0+ critical): an error
/// that breaks isolation between tenants is high, a warning medium.
pub fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "8.0",
        Severity::Warning => "5.0",
        Severity::Info => "2.0",
    }
}

fn descriptor(m: &RuleMeta) -> ReportingDescriptor {
    let mut props = PropertyBag {
        tags: Some(vec![
            "security".to_string(),
            "tenant-isolation".to_string(),
            m.category.as_str().to_string(),
        ]),
        ..PropertyBag::default()
    };
    props.additional_properties.insert(
        "security-severity".to_string(),
        Value::from(security_severity(m.severity)),
    );
    ReportingDescriptor::builder()
        .id(m.id)
        .name(m.name.to_string())
        .short_description(multiformat(m.summary, None))
        .full_description(multiformat(m.docs.what, None))
        .help(multiformat(m.docs.why, Some(crate::docs::rule_markdown(m))))
        .help_uri(m.doc_url())
        .default_configuration(ReportingConfiguration {
            level: Some(Value::from(level_str(m.severity))),
            ..ReportingConfiguration::default()
        })
        .properties(props)
        .build()
}

/// Percent-encode a report path into a URI reference: a relative reference
/// for repo-relative paths (what code scanning resolves against the checkout),
/// a `file:` URI for absolute ones.
pub fn path_to_uri(display: &str) -> String {
    let path = display.replace('\\', "/");
    let (prefix, rest) = if path.starts_with('/') {
        ("file://", path.as_str())
    } else if cfg!(windows)
        && path.len() >= 3
        && path.as_bytes()[0].is_ascii_alphabetic()
        && &path[1..3] == ":/"
    {
        // `C:/…`: a drive letter is kept as is inside a `file:` URI. (On
        // other systems `C:` is an ordinary directory name.)
        return format!("file:///{}{}", &path[..2], encode_path(&path[2..]));
    } else {
        ("", path.as_str())
    };
    format!("{prefix}{}", encode_path(rest))
}

fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        // Unreserved characters and the segment separator stay; everything
        // else (space, `%`, `#`, `?`, `:` — which would read as a scheme in a
        // first segment — and non-ASCII bytes) is encoded.
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn region(span: Span) -> Region {
    // Positions are 1-based; a zero would only come from a default span, and
    // the schema requires at least 1.
    let line = |l: u32| i64::from(l.max(1));
    Region {
        start_line: Some(line(span.start.line)),
        start_column: Some(line(span.start.col)),
        end_line: Some(line(span.end.line.max(span.start.line))),
        end_column: Some(line(span.end.col)),
        ..Region::default()
    }
}

/// The base that relative report paths are relative to: the working
/// directory, which in CI is the checkout.
pub const SRCROOT: &str = "%SRCROOT%";

/// An artifact location: a relative path is relative to [`SRCROOT`].
fn artifact(display: &str) -> ArtifactLocation {
    let uri = path_to_uri(display);
    let relative = !uri.starts_with("file:");
    ArtifactLocation {
        uri: Some(uri),
        uri_base_id: relative.then(|| SRCROOT.to_string()),
        ..ArtifactLocation::default()
    }
}

/// `%SRCROOT%` as an absolute `file:` URI ending in `/`, as SARIF requires.
fn srcroot() -> Option<ArtifactLocation> {
    let dir = std::env::current_dir().ok()?;
    let mut uri = path_to_uri(&dir.to_string_lossy());
    if !uri.starts_with("file:") {
        return None;
    }
    if !uri.ends_with('/') {
        uri.push('/');
    }
    Some(ArtifactLocation {
        uri: Some(uri),
        ..ArtifactLocation::default()
    })
}

/// Escape `\`, `[` and `]` in text that gets embedded links (SARIF §3.11.6),
/// so that only the links read as links.
fn escape_link_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '[' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The message of a result, with each related location linked from it
/// (`[namespace `tenant1` is declared here](0)`): code-scanning UIs show
/// related locations only when the message links to them.
pub fn message_with_links(d: &Diagnostic) -> String {
    if d.related.is_empty() {
        return d.shown_message().into_owned();
    }
    let links: Vec<String> = d
        .related
        .iter()
        .enumerate()
        .map(|(i, r)| format!("[{}]({i})", escape_link_text(&r.message)))
        .collect();
    format!(
        "{} (see {})",
        escape_link_text(&d.shown_message()),
        links.join("; ")
    )
}

/// A location in a file; a row of a source without lines (an SQLite
/// store) has no region: its locator goes in a logical location.
fn physical(display: &str, span: Span, locator: Option<&str>) -> PhysicalLocation {
    PhysicalLocation {
        artifact_location: Some(artifact(display)),
        region: locator.is_none().then(|| region(span)),
        ..PhysicalLocation::default()
    }
}

/// The row and column of a store a finding sits on.
fn row_location(display: &str, locator: &str) -> LogicalLocation {
    LogicalLocation {
        name: Some(locator.to_string()),
        fully_qualified_name: Some(format!("{display}[{locator}]")),
        kind: Some("element".to_string()),
        ..LogicalLocation::default()
    }
}

fn object_identity(o: &ObjectRef) -> String {
    match &o.namespace {
        Some(ns) => format!("{}/{}/{}/{}", o.api_version, o.kind, ns, o.name),
        None => format!("{}/{}/{}", o.api_version, o.kind, o.name),
    }
}

fn logical(o: &ObjectRef) -> LogicalLocation {
    LogicalLocation {
        name: Some(o.name.clone()),
        fully_qualified_name: Some(object_identity(o)),
        kind: Some("resource".to_string()),
        ..LogicalLocation::default()
    }
}

/// 64-bit FNV-1a: tiny, and unlike `std`'s hasher, stable across Rust
/// releases and platforms, which is the whole point of a fingerprint.
fn fnv1a(fields: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for f in fields {
        for b in f.bytes().chain(std::iter::once(0x1f)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// A fingerprint that survives edits elsewhere in the file: rule, file,
/// object identity and message, but no line or column.
pub fn fingerprint_base(d: &Diagnostic, file: &str) -> String {
    let object = d.object.as_ref().map(object_identity).unwrap_or_default();
    format!("{:016x}", fnv1a(&[&d.rule_id, file, &object, &d.message]))
}

/// A note or warning about the run (a skipped file), for `invocations`.
fn notification(w: &WalkWarning) -> Notification {
    let level = match w.level {
        WalkLevel::Note => "note",
        WalkLevel::Warning => "warning",
    };
    Notification::builder()
        .message(text(format!("{}: {}", w.path, w.message)))
        .level(Value::from(level))
        .build()
}

/// `runAutomationDetails.id`: `tenantlint/` for the whole working
/// directory, else `tenantlint/<paths>/` — everything before the last `/`
/// is the category, so two jobs that lint different paths of a repository
/// keep two analyses. Long path lists are hashed.
pub fn automation_id(linted: &[String]) -> String {
    let mut paths: Vec<&str> = linted
        .iter()
        .map(|p| {
            let p = p.strip_prefix("./").unwrap_or(p).trim_end_matches('/');
            if p.is_empty() { "." } else { p }
        })
        .collect();
    paths.sort_unstable();
    paths.dedup();
    if paths.is_empty() || paths == ["."] {
        return "tenantlint/".to_string();
    }
    let joined = paths.join(",");
    if joined.len() <= 100 {
        format!("tenantlint/{joined}/")
    } else {
        format!("tenantlint/{:016x}/", fnv1a(&paths))
    }
}

/// The whole SARIF document (its results built in memory; [`write`]
/// streams them instead).
pub fn to_sarif(result: &CheckResult, options: &ReportOptions) -> Sarif {
    let (mut sarif, results) = parts(result, options);
    if let Some(run) = sarif.runs.first_mut() {
        run.results = Some(results.collect());
    }
    sarif
}

/// The SARIF document with an empty `results`, and its results, built one
/// at a time as they are read.
fn parts<'r>(
    result: &'r CheckResult,
    options: &ReportOptions,
) -> (Sarif, impl Iterator<Item = SarifResult> + 'r) {
    let mut rule_index: HashMap<&str, usize> = rules::all()
        .enumerate()
        .map(|(i, r)| (r.meta.id, i))
        .collect();
    let mut descriptors: Vec<ReportingDescriptor> =
        rules::all().map(|r| descriptor(&r.meta)).collect();
    // User policies (SPEC §4.10) are rules of this run too: one descriptor
    // each, with the policy's id, name and severity.
    for d in result.diagnostics.iter().chain(&result.suppressed) {
        if rule_index.contains_key(d.rule_id.as_ref()) {
            continue;
        }
        rule_index.insert(d.rule_id.as_ref(), descriptors.len());
        descriptors.push(
            ReportingDescriptor::builder()
                .id(d.rule_id.to_string())
                .name(d.rule_name.to_string())
                .short_description(multiformat(&format!("user policy `{}`", d.rule_name), None))
                .default_configuration(ReportingConfiguration {
                    level: Some(Value::from(level_str(d.severity))),
                    ..ReportingConfiguration::default()
                })
                .properties(PropertyBag {
                    tags: Some(vec!["tenant-isolation".to_string(), "policy".to_string()]),
                    ..PropertyBag::default()
                })
                .build(),
        );
    }
    let fingerprints =
        super::numbered_fingerprints(result, result.diagnostics.iter().chain(&result.suppressed));
    let results = result
        .diagnostics
        .iter()
        .chain(&result.suppressed)
        .zip(fingerprints)
        .map(move |(d, fingerprint)| {
            let display = &result.files[d.file as usize].display;
            let logical_locations: Vec<LogicalLocation> = d
                .locator
                .as_deref()
                .map(|l| row_location(display, l))
                .into_iter()
                .chain(d.object.as_ref().map(logical))
                .collect();
            let location = Location {
                physical_location: Some(physical(display, d.span, d.locator.as_deref())),
                logical_locations: (!logical_locations.is_empty()).then_some(logical_locations),
                ..Location::default()
            };
            let related: Vec<Location> = d
                .related
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let display = &result.files[r.file as usize].display;
                    Location {
                        id: Some(i as i64),
                        physical_location: Some(physical(display, r.span, r.locator.as_deref())),
                        logical_locations: r
                            .locator
                            .as_deref()
                            .map(|l| vec![row_location(display, l)]),
                        message: Some(text(r.message.clone())),
                        ..Location::default()
                    }
                })
                .collect();
            let mut fingerprints = BTreeMap::new();
            fingerprints.insert(FINGERPRINT_KEY.to_string(), fingerprint);
            let builder = SarifResult::builder()
                .rule_id(d.rule_id.to_string())
                .level(level(d.severity))
                .message(text(message_with_links(d)))
                .locations(vec![location])
                .partial_fingerprints(fingerprints);
            let mut r = builder.build();
            if !d.help.is_empty() {
                let mut props = PropertyBag::default();
                props
                    .additional_properties
                    .insert("help".to_string(), Value::from(d.help.clone()));
                r.properties = Some(props);
            }
            if !related.is_empty() {
                r.related_locations = Some(related);
            }
            // Suppressed findings are listed with `suppressions`, so code
            // scanning shows them as dismissed instead of losing them.
            if let Some(by) = &d.suppressed_by {
                let kind = if by.in_source { "inSource" } else { "external" };
                let mut s = serde_sarif::sarif::Suppression::builder()
                    .kind(Value::from(kind))
                    .build();
                s.justification = by.justification.clone();
                r.suppressions = Some(vec![s]);
            }
            r.rule_index = rule_index.get(d.rule_id.as_ref()).map(|&i| i as i64);
            r
        });
    let driver = ToolComponent::builder()
        .name("tenantlint")
        .version(env!("CARGO_PKG_VERSION").to_string())
        .semantic_version(env!("CARGO_PKG_VERSION").to_string())
        .information_uri(env!("CARGO_PKG_REPOSITORY").to_string())
        .rules(descriptors)
        .build();
    let mut invocation = Invocation::builder()
        .execution_successful(true)
        .exit_code(i64::from(super::exit_code(result, options)))
        .build();
    if !result.warnings.is_empty() {
        invocation.tool_execution_notifications =
            Some(result.warnings.iter().map(notification).collect());
    }
    let mut run = Run::builder()
        .tool(Tool::from(driver))
        .results(Vec::new())
        .column_kind(Value::from("unicodeCodePoints"))
        .invocations(vec![invocation])
        // Code scanning replaces the previous analysis of the same category
        // with this one (and ignores upload-sarif's `category` input when
        // the file names one): one category per set of linted paths.
        .automation_details(RunAutomationDetails {
            id: Some(automation_id(&options.linted)),
            ..RunAutomationDetails::default()
        })
        .build();
    run.original_uri_base_ids = srcroot().map(|root| BTreeMap::from([(SRCROOT.to_string(), root)]));
    let sarif = Sarif::builder()
        .schema(SCHEMA_URI.to_string())
        .version(Value::from("2.1.0"))
        .runs(vec![run])
        .build();
    (sarif, results)
}

/// The document is written as it is made: the run's `results` are
/// serialised one by one, never all in memory (a result took kilobytes as a
/// SARIF value: 180,000 findings, 1.4 GB). The same bytes as the whole
/// document serialised at once.
pub fn write(out: &mut dyn Write, result: &CheckResult, options: &ReportOptions) -> io::Result<()> {
    let (skeleton, results) = parts(result, options);
    // With `preserve_order`, a value keeps the fields in the order the
    // SARIF types write them.
    let skeleton = serde_json::to_value(&skeleton).map_err(io::Error::other)?;
    super::write_json(
        out,
        &Streamed {
            skeleton: &skeleton,
            results: std::cell::RefCell::new(Some(results)),
        },
    )
}

/// A SARIF document whose first run's `results` come from an iterator:
/// the document, its `runs`, the first run and its `results`.
struct Streamed<'a, I> {
    skeleton: &'a Value,
    results: std::cell::RefCell<Option<I>>,
}

struct Runs<'a, I> {
    runs: &'a Value,
    results: &'a std::cell::RefCell<Option<I>>,
}

struct FirstRun<'a, I> {
    run: &'a Value,
    results: &'a std::cell::RefCell<Option<I>>,
}

struct Results<'a, I>(&'a std::cell::RefCell<Option<I>>);

/// The mapping `value`, with the entry `key` written by `entry`.
fn map_with<S: serde::Serializer>(
    s: S,
    value: &Value,
    key: &str,
    entry: &impl serde::Serialize,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let Value::Object(fields) = value else {
        return serde::Serialize::serialize(value, s);
    };
    let mut map = s.serialize_map(Some(fields.len()))?;
    for (k, v) in fields {
        if k == key {
            map.serialize_entry(k, entry)?;
        } else {
            map.serialize_entry(k, v)?;
        }
    }
    map.end()
}

impl<I: Iterator<Item = SarifResult>> serde::Serialize for Streamed<'_, I> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let runs = Runs {
            runs: self.skeleton.get("runs").unwrap_or(&Value::Null),
            results: &self.results,
        };
        map_with(s, self.skeleton, "runs", &runs)
    }
}

impl<I: Iterator<Item = SarifResult>> serde::Serialize for Runs<'_, I> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let Value::Array(runs) = self.runs else {
            return serde::Serialize::serialize(self.runs, s);
        };
        let mut seq = s.serialize_seq(Some(runs.len()))?;
        for (i, run) in runs.iter().enumerate() {
            if i == 0 {
                seq.serialize_element(&FirstRun {
                    run,
                    results: self.results,
                })?;
            } else {
                seq.serialize_element(run)?;
            }
        }
        seq.end()
    }
}

impl<I: Iterator<Item = SarifResult>> serde::Serialize for FirstRun<'_, I> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        map_with(s, self.run, "results", &Results(self.results))
    }
}

impl<I: Iterator<Item = SarifResult>> serde::Serialize for Results<'_, I> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.borrow_mut().take().into_iter().flatten())
    }
}

#[cfg(test)]
mod tests {
    use super::automation_id;

    fn id(paths: &[&str]) -> String {
        automation_id(&paths.iter().map(|p| p.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn one_category_per_set_of_linted_paths() {
        assert_eq!(id(&[]), "tenantlint/");
        assert_eq!(id(&["."]), "tenantlint/");
        assert_eq!(id(&["./"]), "tenantlint/");
        assert_eq!(id(&["mlflow/", "./k8s"]), "tenantlint/k8s,mlflow/");
        assert_eq!(id(&["k8s", "mlflow"]), id(&["mlflow", "k8s/"]));
        let many: Vec<String> = (0..40)
            .map(|i| format!("teams/team-{i}/manifests"))
            .collect();
        let long = automation_id(&many);
        assert!(long.len() < 40 && long.ends_with('/'), "{long}");
    }
}
