//! The posture as one self-contained HTML page: inline CSS, no script, no
//! network, no external font. A failing cell links to a panel with its
//! findings (file, line, message, snippet) that CSS shows when the URL
//! fragment names it (`:target`), so a click, Enter on the focused link or
//! a URL ending in `#c-0-4` opens it. Every state has a symbol and a word,
//! not only a colour; printed on A4, every panel is shown.

use std::io::{self, Write};

use super::{CONTROLS, Cell, Posture, Row, code_segments, plural, printable};
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::CheckResult;
use crate::source::SourceFile;

/// Text for HTML content and attribute values: markup characters as
/// references; control characters, bidi overrides and noncharacters (which
/// HTML does not allow) shown as `\u{…}` escapes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in printable(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A message with its `backticked` values as `<code>`.
fn message(text: &str) -> String {
    let mut out = String::new();
    for (run, is_code) in code_segments(text) {
        if is_code {
            out.push_str(&format!("<code>{}</code>", escape(&run)));
        } else {
            out.push_str(&escape(&run));
        }
    }
    out
}

const STYLE: &str = r#"
:root { --ok: #116329; --ok-bg: #dafbe1; --fail: #a40e26; --fail-bg: #ffebe9;
  --na: #57606a; --na-bg: #f6f8fa; --line: #d0d7de; --mark: #fff8c5; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: #1f2328; background: #fff; margin: 0; padding: 1.2rem 1.6rem 3rem; max-width: 78rem; }
h1 { font-size: 1.5rem; margin: 0 0 .3rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .6rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
h3 { font-size: 1rem; margin: 0 0 .4rem; }
p { margin: .3rem 0; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: .86em; }
code { background: #eff1f3; border-radius: 4px; padding: 0 .25em; overflow-wrap: anywhere; }
a { color: #0550ae; }
a:focus-visible, th a:focus, td a:focus { outline: 3px solid #0969da; outline-offset: 1px; }
.meta { color: #59636e; }
.legend span { display: inline-block; margin-right: 1rem; }
.scroll { overflow-x: auto; }
table.matrix { border-collapse: collapse; font-size: .9rem; }
table.matrix caption { caption-side: bottom; text-align: left; color: #59636e; padding-top: .4rem; font-size: .85rem; }
table.matrix th, table.matrix td { border: 1px solid var(--line); padding: .3rem .45rem; text-align: center; white-space: nowrap; }
table.matrix thead th { background: #f6f8fa; font-weight: 600; vertical-align: bottom; }
table.matrix thead abbr { text-decoration: none; border-bottom: 1px dotted #59636e; cursor: help; }
table.matrix tbody th, table.matrix thead th:first-child { text-align: left; font-weight: 600; }
td.ok { background: var(--ok-bg); color: var(--ok); }
td.fail { background: var(--fail-bg); }
td.fail a { color: var(--fail); font-weight: 700; display: block; text-decoration: underline; }
td.na, td.off { background: var(--na-bg); color: var(--na); }
.panel { display: none; border: 2px solid var(--fail); border-radius: 6px; padding: .8rem 1rem; background: #fff; }
.panel:target { display: block; position: fixed; left: 1.6rem; right: 1.6rem; bottom: 1rem; max-height: 58vh;
  overflow: auto; box-shadow: 0 0 0 100vmax rgba(31, 35, 40, .28), 0 8px 24px rgba(31, 35, 40, .3); z-index: 1; }
.panel .close { float: right; }
ol.findings { padding-left: 1.4rem; margin: .4rem 0 0; }
ol.findings > li { margin: 0 0 1rem; }
.sev { font-weight: 700; text-transform: uppercase; font-size: .75rem; letter-spacing: .03em; padding: .05rem .35rem; border-radius: 3px; border: 1px solid currentColor; }
.sev.error { color: var(--fail); }
.sev.warning { color: #7d4e00; }
.sev.info { color: #0550ae; }
pre.snippet { background: #f6f8fa; border: 1px solid var(--line); border-radius: 4px; padding: .4rem 0; margin: .4rem 0; overflow-x: auto; }
pre.snippet code { display: block; background: none; padding: 0; border-radius: 0; }
pre.snippet span { display: block; padding: 0 .6rem; white-space: pre; }
pre.snippet span.hit { background: var(--mark); box-shadow: inset 3px 0 0 #bf8700; }
pre.snippet b { display: inline-block; min-width: 3.2em; color: #6e7781; font-weight: 400; user-select: none; }
.help { color: #3d444d; }
.tenants { display: grid; grid-template-columns: repeat(auto-fill, minmax(22rem, 1fr)); gap: .8rem; }
.tenant { border: 1px solid var(--line); border-radius: 6px; padding: .7rem .9rem; }
.tenant ul { margin: .3rem 0 0; padding-left: 1.2rem; }
.tenant.clean { border-left: 5px solid var(--ok); }
.tenant.failing { border-left: 5px solid var(--fail); }
.printonly { display: none; }
@page { size: A4; margin: 12mm; }
@media print {
  body { font-size: 9.5pt; padding: 0; max-width: none; }
  table.matrix { font-size: 8pt; }
  table.matrix th, table.matrix td { padding: .15rem .25rem; }
  .panel, .panel:target { display: block; position: static; max-height: none; overflow: visible;
    box-shadow: none; border: 1px solid #999; margin: .6rem 0; }
  .panel .close, .noprint { display: none; }
  .printonly { display: block; }
  ol.findings > li, .tenant { break-inside: avoid; }
  a { color: inherit; }
  td.fail a { color: var(--fail); }
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
"#;

fn cell_id(row: usize, control: usize) -> String {
    format!("c-{row}-{control}")
}

fn cell_html(out: &mut String, posture_row: usize, control: usize, cell: &Cell, tenant: &str) {
    let c = &CONTROLS[control];
    match cell {
        Cell::Ok => out.push_str(&format!(
            "<td class=\"ok\" title=\"{}: ok\"><span aria-hidden=\"true\">✓</span> ok</td>",
            escape(c.title)
        )),
        Cell::Failing(f) => out.push_str(&format!(
            "<td class=\"fail\"><a href=\"#{}\" aria-label=\"{}: {} failing, {}\">✗ {}<span class=\"noprint\"> fail</span></a></td>",
            cell_id(posture_row, control),
            escape(tenant),
            escape(c.title),
            plural(f.len(), "finding"),
            f.len()
        )),
        Cell::NotApplicable => out.push_str(&format!(
            "<td class=\"na\" title=\"{}: not applicable, applies when {}\"><span aria-hidden=\"true\">–</span> n/a</td>",
            escape(c.title),
            c.needs.applies_when()
        )),
        Cell::NotChecked => out.push_str(&format!(
            "<td class=\"off\" title=\"{}: not checked, its rules are turned off\"><span aria-hidden=\"true\">○</span> off</td>",
            escape(c.title)
        )),
    }
}

fn matrix(out: &mut String, posture: &Posture) {
    out.push_str("<div class=\"scroll\"><table class=\"matrix\">\n");
    out.push_str("<caption>Each cell is <strong>✓ ok</strong>, <strong>✗ N fail</strong> (N findings; select it to see them), <strong>– n/a</strong> (not applicable) or <strong>○ off</strong> (its rules are turned off).</caption>\n");
    out.push_str("<thead><tr><th scope=\"col\">tenant</th>");
    for c in CONTROLS {
        out.push_str(&format!(
            "<th scope=\"col\"><abbr title=\"{} ({})\">{}</abbr></th>",
            escape(c.title),
            c.rules.join(", "),
            c.short
        ));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for (r, row) in posture.rows.iter().enumerate() {
        out.push_str(&format!(
            "<tr><th scope=\"row\"><a href=\"#t-{r}\">{}</a></th>",
            escape(&row.tenant)
        ));
        for (c, cell) in row.cells.iter().enumerate() {
            cell_html(out, r, c, cell, &row.tenant);
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
}

/// A few lines around the finding, the flagged ones marked.
fn snippet(out: &mut String, file: &SourceFile, d: &Diagnostic) {
    const CONTEXT: u32 = 2;
    const MAX_LINES: u32 = 12;
    const MAX_CHARS: usize = 160;
    let (start, end) = (d.span.start.line, d.span.end.line.max(d.span.start.line));
    if start == 0 || file.text.is_empty() {
        return;
    }
    let last = (file.line_count() as u32)
        .min(end + CONTEXT)
        .min(start + MAX_LINES);
    let first = start.saturating_sub(CONTEXT).max(1);
    out.push_str("<pre class=\"snippet\"><code>");
    for line in first..=last {
        let text = file.line_text(line).replace('\t', "    ");
        let shown: String = if text.chars().count() > MAX_CHARS {
            text.chars().take(MAX_CHARS - 1).chain(['…']).collect()
        } else {
            text
        };
        let hit = line >= start && line <= end;
        out.push_str(&format!(
            "<span{}><b>{line}</b>{}</span>",
            if hit { " class=\"hit\"" } else { "" },
            escape(&shown)
        ));
    }
    out.push_str("</code></pre>");
}

/// The fields of a row of a store without lines (SQLite), the flagged one
/// marked, in place of a snippet.
fn row(out: &mut String, file: &SourceFile, d: &Diagnostic, locator: &str) {
    let column = locator.rsplit('/').next().unwrap_or("");
    out.push_str("<pre class=\"snippet\"><code>");
    for (c, v) in crate::model::sqlite_store::row_fields(&file.text, d.span) {
        out.push_str(&format!(
            "<span{}><b>{}</b> {}</span>",
            if c == column { " class=\"hit\"" } else { "" },
            escape(c),
            escape(v)
        ));
    }
    out.push_str("</code></pre>");
}

fn finding(out: &mut String, result: &CheckResult, d: &Diagnostic) {
    let file = &result.files[d.file as usize];
    out.push_str(&format!(
        "<li><p><span class=\"sev {sev}\">{sev}</span> <strong>{}</strong> {} · <code>{}</code></p>\n<p>{}</p>\n",
        escape(&d.rule_id),
        escape(&d.rule_name),
        escape(&crate::report::position(file, d.span, d.locator.as_deref())),
        message(&d.message),
        sev = d.severity.as_str(),
    ));
    match &d.locator {
        Some(locator) => row(out, file, d, locator),
        None => snippet(out, file, d),
    }
    if !d.help.is_empty() {
        out.push_str(&format!("<p class=\"help\">help: {}</p>", message(&d.help)));
    }
    out.push_str("</li>\n");
}

fn panel(out: &mut String, id: &str, title: &str, result: &CheckResult, findings: &[usize]) {
    out.push_str(&format!(
        "<section class=\"panel\" id=\"{id}\" aria-labelledby=\"{id}-h\">\n<a class=\"close\" href=\"#matrix\">close ✕</a>\n<h3 id=\"{id}-h\">{title}</h3>\n<ol class=\"findings\">\n"
    ));
    for &i in findings {
        finding(out, result, &result.diagnostics[i]);
    }
    out.push_str("</ol>\n</section>\n");
}

fn panels(out: &mut String, posture: &Posture, result: &CheckResult) {
    for (r, row) in posture.rows.iter().enumerate() {
        for (c, cell) in row.cells.iter().enumerate() {
            if let Cell::Failing(f) = cell {
                let title = format!(
                    "{} · {}: {}",
                    escape(&row.tenant),
                    escape(CONTROLS[c].title),
                    plural(f.len(), "finding")
                );
                panel(out, &cell_id(r, c), &title, result, f);
            }
        }
        if !row.other.is_empty() {
            let title = format!(
                "{} · other findings: {}",
                escape(&row.tenant),
                row.other.len()
            );
            panel(out, &format!("o-{r}"), &title, result, &row.other);
        }
    }
    for (p, ns) in posture.platform.iter().enumerate() {
        if !ns.findings.is_empty() {
            let title = format!(
                "platform namespace {}: {}",
                escape(&ns.name),
                plural(ns.findings.len(), "finding")
            );
            panel(out, &format!("p-{p}"), &title, result, &ns.findings);
        }
    }
    if !posture.unattributed.is_empty() {
        let title = format!(
            "no tenant: {}",
            plural(posture.unattributed.len(), "finding")
        );
        panel(out, "u", &title, result, &posture.unattributed);
    }
}

fn severity_counts(result: &CheckResult, findings: impl Iterator<Item = usize>) -> String {
    let (mut errors, mut warnings, mut infos) = (0, 0, 0);
    for i in findings {
        match result.diagnostics[i].severity {
            Severity::Error => errors += 1,
            Severity::Warning => warnings += 1,
            Severity::Info => infos += 1,
        }
    }
    let mut parts = vec![plural(errors, "error"), plural(warnings, "warning")];
    if infos > 0 {
        parts.push(plural(infos, "info"));
    }
    parts.join(", ")
}

fn tenant_summary(out: &mut String, r: usize, row: &Row, result: &CheckResult) {
    let failing = row.count("failing");
    let applicable = failing + row.count("ok");
    out.push_str(&format!(
        "<section class=\"tenant {}\" id=\"t-{r}\" aria-labelledby=\"t-{r}-h\">\n<h3 id=\"t-{r}-h\">{}</h3>\n",
        if failing == 0 { "clean" } else { "failing" },
        escape(&row.tenant)
    ));
    if !row.namespaces.is_empty() {
        let list: Vec<String> = row
            .namespaces
            .iter()
            .map(|n| format!("<code>{}</code>", escape(n)))
            .collect();
        out.push_str(&format!(
            "<p class=\"meta\">{}: {}</p>\n",
            if list.len() == 1 {
                "namespace"
            } else {
                "namespaces"
            },
            list.join(", ")
        ));
    }
    let all = row
        .cells
        .iter()
        .flat_map(|c| c.findings().iter().copied())
        .chain(row.other.iter().copied());
    if failing == 0 {
        out.push_str(&format!(
            "<p><span aria-hidden=\"true\">✓</span> every applicable control ok: {applicable} of {}",
            CONTROLS.len()
        ));
    } else {
        out.push_str(&format!(
            "<p><span aria-hidden=\"true\">✗</span> {failing} of {applicable} applicable controls failing"
        ));
    }
    if row.findings() > 0 {
        out.push_str(&format!(
            "; {}: {}",
            plural(row.findings(), "finding"),
            severity_counts(result, all)
        ));
    }
    out.push_str("</p>\n");
    let failing_items: Vec<String> = row
        .cells
        .iter()
        .enumerate()
        .filter_map(|(c, cell)| match cell {
            Cell::Failing(f) => Some(format!(
                "<li><a href=\"#{}\">✗ {}</a>: {}</li>",
                cell_id(r, c),
                escape(CONTROLS[c].title),
                plural(f.len(), "finding")
            )),
            _ => None,
        })
        .chain((!row.other.is_empty()).then(|| {
            format!(
                "<li><a href=\"#o-{r}\">other findings</a>: {} that no control is about</li>",
                row.other.len()
            )
        }))
        .collect();
    if !failing_items.is_empty() {
        out.push_str(&format!("<ul>{}</ul>\n", failing_items.join("")));
    }
    out.push_str("</section>\n");
}

fn page(posture: &Posture, result: &CheckResult) -> String {
    let mut out = String::with_capacity(64 * 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n<title>Tenancy posture · tenantlint</title>\n<style>");
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n<header>\n<h1>Tenancy posture</h1>\n");
    let failing_tenants = posture
        .rows
        .iter()
        .filter(|r| r.count("failing") > 0)
        .count();
    out.push_str(&format!(
        "<p class=\"meta\">{} ({} with a failing control) against {} isolation controls · {} · {} in {} ({}) · tenantlint {}</p>\n",
        plural(posture.rows.len(), "tenant"),
        failing_tenants,
        CONTROLS.len(),
        plural(result.diagnostics.len(), "finding"),
        severity_counts(result, 0..result.diagnostics.len()),
        plural(result.files.len(), "file"),
        plural(result.objects, "object"),
        env!("CARGO_PKG_VERSION")
    ));
    out.push_str("</header>\n<main>\n<section id=\"matrix\" aria-labelledby=\"matrix-h\">\n<h2 id=\"matrix-h\">Matrix</h2>\n");
    if posture.rows.is_empty() {
        out.push_str("<p>No tenant in the linted set.</p>\n");
    } else {
        matrix(&mut out, posture);
    }
    out.push_str("</section>\n");
    out.push_str("<section aria-labelledby=\"tenants-h\">\n<h2 id=\"tenants-h\">Tenants</h2>\n<div class=\"tenants\">\n");
    for (r, row) in posture.rows.iter().enumerate() {
        tenant_summary(&mut out, r, row, result);
    }
    out.push_str("</div>\n</section>\n");
    out.push_str(
        "<section aria-labelledby=\"controls-h\">\n<h2 id=\"controls-h\">Controls</h2>\n<dl>\n",
    );
    for c in CONTROLS {
        out.push_str(&format!(
            "<dt><strong>{}</strong>: {}</dt><dd>fails on findings of {}; applies when {}</dd>\n",
            c.short,
            escape(c.title),
            c.rules.join(", "),
            c.needs.applies_when()
        ));
    }
    out.push_str("</dl>\n</section>\n");
    if !posture.platform.is_empty() || !posture.unattributed.is_empty() {
        out.push_str("<section aria-labelledby=\"apart-h\">\n<h2 id=\"apart-h\">Outside the tenants</h2>\n<ul>\n");
        for (p, ns) in posture.platform.iter().enumerate() {
            let findings = if ns.findings.is_empty() {
                "no finding".to_string()
            } else {
                format!(
                    "<a href=\"#p-{p}\">{}</a>",
                    plural(ns.findings.len(), "finding")
                )
            };
            out.push_str(&format!(
                "<li>platform namespace <code>{}</code>, trusted and not rated: {}, {findings}</li>\n",
                escape(&ns.name),
                plural(ns.objects, "object")
            ));
        }
        if !posture.unattributed.is_empty() {
            out.push_str(&format!(
                "<li><a href=\"#u\">{}</a> belong to no tenant (namespace <code>default</code> or unset, cluster-wide objects, files no tenant owns)</li>\n",
                plural(posture.unattributed.len(), "finding")
            ));
        }
        out.push_str("</ul>\n</section>\n");
    }
    // On screen a panel opens over the page (fixed); on paper they all
    // follow the summaries.
    out.push_str("<section id=\"cells\" aria-label=\"Findings by cell\">\n<h2 class=\"printonly\">Findings by cell</h2>\n");
    panels(&mut out, posture, result);
    out.push_str("</section>\n</main>\n</body>\n</html>\n");
    out
}

pub fn write(out: &mut dyn Write, posture: &Posture, result: &CheckResult) -> io::Result<()> {
    out.write_all(page(posture, result).as_bytes())
}
