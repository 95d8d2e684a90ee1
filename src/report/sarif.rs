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
    ArtifactLocation, Location, LogicalLocation, Message, MultiformatMessageString,
    PhysicalLocation, PropertyBag, Region, ReportingConfiguration, ReportingDescriptor,
    Result as SarifResult, ResultLevel, Run, Sarif, Tool, ToolComponent,
};

use crate::diagnostic::{Diagnostic, ObjectRef, Severity};
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

fn descriptor(m: &RuleMeta) -> ReportingDescriptor {
    let props = PropertyBag {
        tags: Some(vec![
            "security".to_string(),
            "tenant-isolation".to_string(),
            m.category.as_str().to_string(),
        ]),
        ..PropertyBag::default()
    };
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

fn physical(uri: String, span: Span) -> PhysicalLocation {
    PhysicalLocation {
        artifact_location: Some(ArtifactLocation {
            uri: Some(uri),
            ..ArtifactLocation::default()
        }),
        region: Some(region(span)),
        ..PhysicalLocation::default()
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

pub fn to_sarif(result: &CheckResult) -> Sarif {
    let rule_index: HashMap<&str, usize> = rules::all()
        .enumerate()
        .map(|(i, r)| (r.meta.id, i))
        .collect();
    let descriptors: Vec<ReportingDescriptor> = rules::all().map(|r| descriptor(&r.meta)).collect();
    // Findings that hash alike (same rule, object and message) are told
    // apart by their order, as GitHub's own `primaryLocationLineHash` does.
    let mut seen: HashMap<String, usize> = HashMap::new();
    let results: Vec<SarifResult> = result
        .diagnostics
        .iter()
        .chain(&result.suppressed)
        .map(|d| {
            let display = &result.files[d.file as usize].display;
            let base = fingerprint_base(d, display);
            let n = seen.entry(base.clone()).or_insert(0);
            *n += 1;
            let fingerprint = format!("{base}:{n}");
            let location = Location {
                physical_location: Some(physical(path_to_uri(display), d.span)),
                logical_locations: d.object.as_ref().map(|o| vec![logical(o)]),
                ..Location::default()
            };
            let related: Vec<Location> = d
                .related
                .iter()
                .enumerate()
                .map(|(i, r)| Location {
                    id: Some(i as i64),
                    physical_location: Some(physical(
                        path_to_uri(&result.files[r.file as usize].display),
                        r.span,
                    )),
                    message: Some(text(r.message.clone())),
                    ..Location::default()
                })
                .collect();
            let mut fingerprints = BTreeMap::new();
            fingerprints.insert(FINGERPRINT_KEY.to_string(), fingerprint);
            let builder = SarifResult::builder()
                .rule_id(d.rule_id.to_string())
                .level(level(d.severity))
                .message(text(d.message.clone()))
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
            // A user policy's id is not in the driver's rules: no index then.
            r.rule_index = rule_index.get(d.rule_id.as_ref()).map(|&i| i as i64);
            r
        })
        .collect();
    let driver = ToolComponent::builder()
        .name("tenantlint")
        .version(env!("CARGO_PKG_VERSION").to_string())
        .semantic_version(env!("CARGO_PKG_VERSION").to_string())
        .information_uri(env!("CARGO_PKG_REPOSITORY").to_string())
        .rules(descriptors)
        .build();
    let run = Run::builder()
        .tool(Tool::from(driver))
        .results(results)
        .column_kind(Value::from("unicodeCodePoints"))
        .build();
    Sarif::builder()
        .schema(SCHEMA_URI.to_string())
        .version(Value::from("2.1.0"))
        .runs(vec![run])
        .build()
}

pub fn write(out: &mut dyn Write, result: &CheckResult) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_sarif(result))?;
    writeln!(out)
}
