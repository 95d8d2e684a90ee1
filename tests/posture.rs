//! `tenantlint tenants` (SPEC §8): the matrix of `examples/` checked cell by
//! cell against `check --format json`, the HTML page with two parsers
//! (well-formed, self-contained, every failing cell linked to its
//! findings), the Markdown rendered as a table, exit codes, hostile names.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde_json::Value;

mod common;

use common::{command, write};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Run in `dir` with `args`; stdout and the exit code.
fn run(dir: &Path, args: &[&str]) -> (String, i32) {
    let out = command().current_dir(dir).args(args).output().unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap_or(-1),
    )
}

fn json(dir: &Path, args: &[&str]) -> Value {
    let (out, _) = run(dir, args);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// A stable key for a finding: everything `check --format json` says about it.
fn key(d: &Value) -> String {
    serde_json::to_string(d).unwrap()
}

/// Every finding a posture document lists, with where it was listed.
fn listed(posture: &Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for t in posture["tenants"].as_array().unwrap() {
        let tenant = t["name"].as_str().unwrap().to_string();
        for (control, cell) in t["cells"].as_object().unwrap() {
            for d in cell["findings"].as_array().into_iter().flatten() {
                out.push((tenant.clone(), control.clone(), key(d)));
            }
        }
        for d in t["other_findings"].as_array().unwrap() {
            out.push((tenant.clone(), "other".into(), key(d)));
        }
    }
    for p in posture["platform_namespaces"].as_array().unwrap() {
        for d in p["findings"].as_array().unwrap() {
            out.push((format!("platform:{}", p["name"]), "-".into(), key(d)));
        }
    }
    for d in posture["unattributed"].as_array().unwrap() {
        out.push(("-".into(), "-".into(), key(d)));
    }
    out
}

/// The control each rule id belongs to, from the document itself.
fn control_of_rule(posture: &Value) -> HashMap<String, String> {
    let mut map = HashMap::new();
    for c in posture["controls"].as_array().unwrap() {
        for r in c["rules"].as_array().unwrap() {
            map.insert(
                r.as_str().unwrap().to_string(),
                c["id"].as_str().unwrap().to_string(),
            );
        }
    }
    map
}

/// The namespace → tenant map of the default tenancy (each namespace its own
/// tenant), read from the check findings' objects: a finding on an object
/// in namespace `ns` (or on the Namespace `ns`) is tenant `ns`'s.
fn tenant_by_object(d: &Value) -> Option<String> {
    let o = d.get("object").filter(|o| !o.is_null())?;
    if let Some(ns) = o["namespace"].as_str() {
        return Some(ns.to_string());
    }
    (o["kind"] == "Namespace").then(|| o["name"].as_str().unwrap().to_string())
}

#[test]
fn examples_matrix_matches_check_findings_cell_by_cell() {
    let root = repo();
    let check = json(&root, &["check", "examples", "--format", "json"]);
    let posture = json(&root, &["tenants", "examples", "--format", "json"]);
    let findings: Vec<&Value> = check["diagnostics"].as_array().unwrap().iter().collect();
    let rule_control = control_of_rule(&posture);

    // Every finding of `check` is listed exactly once, and nothing else is.
    let listed = listed(&posture);
    let mut check_keys: Vec<String> = findings.iter().map(|d| key(d)).collect();
    let mut posture_keys: Vec<String> = listed.iter().map(|(_, _, k)| k.clone()).collect();
    check_keys.sort();
    posture_keys.sort();
    assert_eq!(check_keys, posture_keys);

    let tenants: BTreeMap<String, &Value> = posture["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap().to_string(), t))
        .collect();
    assert_eq!(
        tenants.keys().collect::<Vec<_>>(),
        ["team-alpha", "team-beta", "team-gamma"]
    );

    // Each cell ↔ the check findings of its rules whose object lies in the
    // tenant's namespace (findings without an object are placed by the
    // MLflow model; they are checked against the listing above).
    for (tenant, t) in &tenants {
        for (control, cell) in t["cells"].as_object().unwrap() {
            let expected: BTreeSet<String> = findings
                .iter()
                .filter(|d| {
                    rule_control.get(d["rule"].as_str().unwrap()) == Some(control)
                        && tenant_by_object(d).as_deref() == Some(tenant.as_str())
                })
                .map(|d| key(d))
                .collect();
            let got: BTreeSet<String> = cell["findings"]
                .as_array()
                .into_iter()
                .flatten()
                .map(key)
                .filter(|k| {
                    let d: Value = serde_json::from_str(k).unwrap();
                    tenant_by_object(&d).is_some()
                })
                .collect();
            assert_eq!(got, expected, "{tenant} / {control}");
            let count = cell["count"].as_u64().unwrap() as usize;
            let all = cell["findings"].as_array().map_or(0, Vec::len);
            assert_eq!(count, all, "{tenant} / {control}: count");
            match cell["state"].as_str().unwrap() {
                "failing" => assert!(count > 0, "{tenant} / {control}"),
                "ok" | "not_applicable" | "not_checked" => {
                    assert_eq!(count, 0, "{tenant} / {control}")
                }
                s => panic!("unknown state {s}"),
            }
        }
    }

    // The three teams differ visibly.
    let states = |t: &str| -> Vec<String> {
        tenants[t]["cells"]
            .as_object()
            .unwrap()
            .values()
            .map(|c| c["state"].as_str().unwrap().to_string())
            .collect()
    };
    let (a, b, g) = (
        states("team-alpha"),
        states("team-beta"),
        states("team-gamma"),
    );
    assert!(a != b && b != g && a != g, "{a:?}\n{b:?}\n{g:?}");
    assert!(a.iter().any(|s| s == "failing") && b.iter().any(|s| s == "failing"));
    assert!(
        !g.iter().any(|s| s == "failing"),
        "team-gamma is the clean one"
    );
    let cell = |t: &str, c: &str| {
        tenants[t]["cells"][c]["state"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(cell("team-alpha", "service-accounts"), "failing");
    assert_eq!(cell("team-alpha", "tracking-auth"), "failing");
    assert_eq!(cell("team-beta", "resource-quota"), "failing");
    assert_eq!(cell("team-gamma", "tracking-auth"), "ok");
}

#[test]
fn exit_codes_follow_fail_on() {
    let root = repo();
    let (_, code) = run(&root, &["tenants", "examples"]);
    assert_eq!(code, 1);
    let (_, code) = run(&root, &["tenants", "examples", "--fail-on", "never"]);
    assert_eq!(code, 0);
    let (_, code) = run(&root, &["tenants", "does-not-exist"]);
    assert_eq!(code, 2);
    let (_, code) = run(&root, &["tenants", "examples", "--select", "NOPE999"]);
    assert_eq!(code, 2);
}

#[test]
fn deselected_controls_are_not_checked_rather_than_ok() {
    let root = repo();
    let posture = json(
        &root,
        &["tenants", "examples", "--format", "json", "--select", "SA"],
    );
    for t in posture["tenants"].as_array().unwrap() {
        assert_eq!(t["cells"]["resource-quota"]["state"], "not_checked");
        assert_ne!(t["cells"]["service-accounts"]["state"], "not_checked");
    }
}

#[test]
fn human_table_has_a_symbol_for_every_state_and_colour_only_when_asked() {
    let root = repo();
    let (plain, _) = run(&root, &["tenants", "examples", "--color", "never"]);
    assert!(!plain.contains('\x1b'), "{plain}");
    let header = plain.lines().next().unwrap();
    assert!(header.starts_with("tenant") && header.contains("quota"));
    for t in ["team-alpha", "team-beta", "team-gamma"] {
        assert!(plain.lines().any(|l| l.starts_with(t)), "{t}: {plain}");
    }
    assert!(plain.contains('✓') && plain.contains('✗') && plain.contains('–'));
    assert!(plain.contains("dedicated service accounts: 2 findings (SA001 ×2)"));
    let (coloured, _) = run(&root, &["tenants", "examples", "--color", "always"]);
    assert!(coloured.contains("\x1b[1;31m✗"));
}

/// Parse errors html5ever reports for a page (none for a valid document).
fn html_parse_errors(html: &str) -> Vec<String> {
    use html5ever::tendril::TendrilSink;
    let opts = html5ever::ParseOpts {
        tokenizer: html5ever::tokenizer::TokenizerOpts {
            exact_errors: true,
            ..Default::default()
        },
        tree_builder: html5ever::tree_builder::TreeBuilderOpts {
            exact_errors: true,
            ..Default::default()
        },
    };
    let dom = html5ever::parse_document(markup5ever_rcdom::RcDom::default(), opts)
        .from_utf8()
        .read_from(&mut html.as_bytes())
        .unwrap();
    dom.errors.borrow().iter().map(|e| e.to_string()).collect()
}

/// Check one page: valid HTML, well-formed, no reference outside itself,
/// every internal link resolves, every failing cell opens a panel listing
/// exactly its findings. Returns the number of failing cells.
fn check_page(html: &str, posture: &Value) -> usize {
    assert_eq!(html_parse_errors(html), Vec::<String>::new());
    let doc = roxmltree::Document::parse_with_options(
        html,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .expect("the page is well-formed (every element closed, properly nested)");
    // No element or construct that loads anything: raw markup can only hold
    // these as tags or CSS (text from the input is escaped).
    let lower = html.to_ascii_lowercase();
    for banned in [
        "@import",
        "url(",
        "<script",
        "<link",
        "<iframe",
        "<img",
        "<object",
        "<embed",
        "<base",
        "<svg",
        "<video",
        "<audio",
        "<source",
        "<form",
        "http-equiv",
    ] {
        assert!(!lower.contains(banned), "{banned} in the page");
    }
    assert!(
        doc.descendants().all(|n| n.attribute("style").is_none()),
        "inline style attributes"
    );
    let style: String = doc
        .descendants()
        .filter(|n| n.has_tag_name("style"))
        .filter_map(|n| n.text())
        .collect();
    assert!(!style.contains("http") && !style.contains("url(") && !style.contains("@import"));
    let ids: HashMap<&str, roxmltree::Node> = doc
        .descendants()
        .filter_map(|n| n.attribute("id").map(|id| (id, n)))
        .collect();
    for n in doc.descendants().filter(|n| n.is_element()) {
        for attr in ["src", "href", "action", "srcset", "poster", "data"] {
            if let Some(v) = n.attribute(attr) {
                let target = v
                    .strip_prefix('#')
                    .unwrap_or_else(|| panic!("{attr}=\"{v}\" leaves the page"));
                assert!(ids.contains_key(target), "#{target} does not exist");
            }
        }
    }
    let mut failing = 0;
    for (r, t) in posture["tenants"].as_array().unwrap().iter().enumerate() {
        for (c, (_, cell)) in t["cells"].as_object().unwrap().iter().enumerate() {
            if cell["state"] != "failing" {
                continue;
            }
            failing += 1;
            let id = format!("c-{r}-{c}");
            let link = doc
                .descendants()
                .find(|n| n.has_tag_name("a") && n.attribute("href") == Some(&format!("#{id}")))
                .unwrap_or_else(|| panic!("no link to {id}"));
            assert!(
                link.ancestors().any(|a| a.has_tag_name("td")),
                "{id} is linked from its cell"
            );
            let panel = ids[id.as_str()];
            let items: Vec<String> = panel
                .descendants()
                .filter(|n| n.has_tag_name("li"))
                .map(|li| {
                    li.descendants()
                        .filter(|n| n.is_text())
                        .filter_map(|n| n.text())
                        .collect()
                })
                .collect();
            let expected = cell["findings"].as_array().unwrap();
            assert_eq!(items.len(), expected.len(), "{id}");
            for (item, d) in items.iter().zip(expected) {
                let file = d["file"].as_str().unwrap();
                let at = match d["locator"].as_str() {
                    Some(locator) => format!("{file}[{locator}]"),
                    None => format!("{file}:{}:{}", d["line"], d["column"]),
                };
                assert!(item.contains(&at), "{id}: {at} in {item}");
                assert!(item.contains(d["rule"].as_str().unwrap()), "{id}");
            }
            assert!(
                panel.descendants().any(|n| n.has_tag_name("pre")),
                "{id} shows a snippet"
            );
        }
    }
    failing
}

#[test]
fn html_page_is_self_contained_and_links_every_failing_cell() {
    let root = repo();
    let (html, code) = run(&root, &["tenants", "examples", "--format", "html"]);
    assert_eq!(code, 1);
    let posture = json(&root, &["tenants", "examples", "--format", "json"]);
    let failing = check_page(&html, &posture);
    assert!(failing >= 5, "{failing} failing cells");
    for t in ["team-alpha", "team-beta", "team-gamma"] {
        assert!(html.contains(&format!(">{t}</a></th>")), "{t} has a row");
    }
    assert!(html.contains("@page") && html.contains("@media print"));
}

#[test]
fn hostile_names_are_escaped_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    // A namespace name cannot hold these, but a tenant label value can.
    write(dir.path(), ".tenantlint.yaml", "tenant-label: tenant\n");
    write(
        dir.path(),
        "ns.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: evil\n  labels:\n    tenant: \"<script>x</script>|`*\\e[31m\\u0007 & \\\"q\\\" \\uFDD0\"\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: evil\nspec:\n  hostNetwork: true\n  containers:\n  - name: c\n    image: x\n",
    );
    let (html, _) = run(dir.path(), &["tenants", ".", "--format", "html"]);
    let posture = json(dir.path(), &["tenants", ".", "--format", "json"]);
    assert_eq!(posture["tenants"].as_array().unwrap().len(), 1, "{posture}");
    check_page(&html, &posture);
    assert!(!html.contains("<script>"));
    let (md, _) = run(dir.path(), &["tenants", ".", "--format", "markdown"]);
    assert!(
        !md.contains('\x1b') && !md.contains('\x07') && !md.contains("<script>"),
        "{md}"
    );
    markdown_table(&md, 1);
    let (human, _) = run(dir.path(), &["tenants", ".", "--color", "never"]);
    assert!(
        !human.contains('\x1b') && !human.contains('\x07'),
        "{human}"
    );
}

/// Render Markdown as GitHub does (tables on) and return the table's rows:
/// header first, each a list of cell texts. Asserts there is one table.
fn markdown_table(md: &str, tenants: usize) -> Vec<Vec<String>> {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let mut rows: Vec<Vec<String>> = Vec::new();
    let (mut tables, mut in_cell) = (0, false);
    for event in Parser::new_ext(md, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Table(_)) => tables += 1,
            Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => rows.push(Vec::new()),
            Event::Start(Tag::TableCell) => {
                in_cell = true;
                rows.last_mut().unwrap().push(String::new());
            }
            Event::End(TagEnd::TableCell) => in_cell = false,
            Event::Text(t) | Event::Code(t) if in_cell => {
                rows.last_mut().unwrap().last_mut().unwrap().push_str(&t)
            }
            _ => {}
        }
    }
    assert_eq!(tables, 1, "{md}");
    assert_eq!(rows.len(), tenants + 1, "{md}");
    assert!(rows.iter().all(|r| r.len() == 14), "{rows:?}");
    rows
}

#[test]
fn markdown_renders_as_a_table_with_details_per_failing_tenant() {
    let root = repo();
    let (md, _) = run(&root, &["tenants", "examples", "--format", "markdown"]);
    let rows = markdown_table(&md, 3);
    assert_eq!(rows[0][0], "tenant");
    assert_eq!(rows[0][1], "ns");
    let gamma = rows.iter().find(|r| r[0] == "team-gamma").unwrap();
    assert!(
        gamma[1..].iter().all(|c| c == "✅" || c == "➖"),
        "{gamma:?}"
    );
    let alpha = rows.iter().find(|r| r[0] == "team-alpha").unwrap();
    assert!(alpha.iter().any(|c| c.starts_with("❌")), "{alpha:?}");
    assert_eq!(md.matches("<details>").count(), 2, "{md}");
    assert_eq!(md.matches("</details>").count(), 2);
    assert!(md.contains("`examples/teams/alpha/notebook.yaml:20:27` error\\[SA001\\]"));
}

#[test]
fn readme_lists_every_control_as_the_json_does() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let posture = json(&repo(), &["tenants", "examples", "--format", "json"]);
    for c in posture["controls"].as_array().unwrap() {
        let rules: Vec<&str> = c["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        let line = format!(
            "| `{}` | {} | {} |",
            c["header"].as_str().unwrap(),
            c["title"].as_str().unwrap(),
            rules.join(", ")
        );
        assert!(readme.contains(&line), "README lacks `{line}`");
    }
    assert!(readme.contains(">> \"$GITHUB_STEP_SUMMARY\""));
}

#[test]
fn sqlite_store_rows_belong_to_the_tenants_of_their_experiments() {
    let dir = tempfile::tempdir().unwrap();
    let conn = rusqlite::Connection::open(dir.path().join("mlflow.db")).unwrap();
    conn.execute_batch(include_str!("data/mlflow_schema.sql"))
        .unwrap();
    conn.execute_batch(
        "INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage) VALUES
           (0, 'Default', '/srv/mlruns/0', 'active'),
           (3, 'team-a/shared', 's3://ml/shared', 'active'),
           (4, 'team-b/shared', 's3://ml/shared/', 'active');
         INSERT INTO runs (run_uuid, experiment_id, artifact_uri, lifecycle_stage) VALUES
           ('aaa', 0, '/srv/mlruns/0/aaa/artifacts', 'active');",
    )
    .unwrap();
    drop(conn);
    write(
        dir.path(),
        ".tenantlint.yaml",
        "tenants:\n  team-a: [\"team-a/*\"]\n  team-b: [\"team-b/*\"]\n",
    );
    let posture = json(dir.path(), &["tenants", ".", "--format", "json"]);
    let cell = |t: usize, c: &str| posture["tenants"][t]["cells"][c].clone();
    assert_eq!(posture["tenants"][0]["name"], "team-a");
    assert_eq!(posture["tenants"][1]["name"], "team-b");
    for (t, id) in [(0, "3"), (1, "4")] {
        let art = cell(t, "artifact-root");
        assert_eq!(art["state"], "failing", "{posture}");
        assert_eq!(
            art["findings"][0]["locator"],
            format!("experiments/{id}/artifact_location")
        );
        assert_eq!(cell(t, "resource-quota")["state"], "not_applicable");
    }
    // Runs in `Default` belong to no tenant.
    let nobody: Vec<&str> = posture["unattributed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    assert_eq!(nobody, ["MLF003"]);
    let (html, _) = run(dir.path(), &["tenants", ".", "--format", "html"]);
    check_page(&html, &posture);
    assert!(html.contains("mlflow.db[experiments/3/artifact_location]"));
    let (md, _) = run(dir.path(), &["tenants", ".", "--format", "markdown"]);
    assert!(
        md.contains("`mlflow.db[experiments/4/artifact_location]`"),
        "{md}"
    );
}
