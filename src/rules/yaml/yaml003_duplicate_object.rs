//! YAML003 duplicate-object.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::diagnostic::{Diagnostic, SHOWN, Severity, more_note};
use crate::index::Bundle;
use crate::model::build::parent_dir;
use crate::model::content::applied_content;
use crate::model::{Object, Scope};
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "YAML003",
        name: "duplicate-object",
        category: Category::Input,
        severity: Severity::Error,
        summary: "two objects with the same group, kind, namespace and name",
        docs: Docs {
            what: "Reports objects that have the same identity in the cluster — API group (not \
                   version), kind, namespace and name — but different content, on the \
                   `metadata.name` of every occurrence, with the others as related locations. \
                   Objects whose namespace is unset are compared with the other objects of \
                   their directory, which are deployed together.",
            why: "The API server keeps one object per identity: whichever document is applied \
                  last silently replaces the other. When two tenants' manifests both define \
                  `ConfigMap shared/pipeline-config`, or a copy-pasted Deployment keeps its \
                  original name, one team's change overwrites the other's, and which one wins \
                  depends on the order files are applied in.",
            example: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: pipeline-config\n  namespace: ml-shared\ndata:\n  owner: team-a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: pipeline-config\n  namespace: ml-shared\ndata:\n  owner: team-b\n",
            use_instead: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: team-a-pipeline-config\n  namespace: ml-shared\ndata:\n  owner: team-a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: team-b-pipeline-config\n  namespace: ml-shared\ndata:\n  owner: team-b\n",
            options: None,
            known_problems: Some(
                "A linted set may hold files that are never applied together, so only \
                 likely collisions are reported. Identical copies (ignoring `status` and the \
                 metadata the server fills in) replace each other with nothing new and are \
                 not reported. Under a `kustomization.yaml` only duplicates within one file \
                 count: other files of a kustomize tree are resources of other overlays or \
                 patches, and `kustomize build` itself rejects two resources with one \
                 identity. The same holds below directories named `examples`, `samples`, \
                 `docs`, `test`, `tests`, `testdata` or `e2e` (relative to the repository \
                 root, the nearest directory with `.git` or a config file), whose files are \
                 separate cases. \
                 Two files that mostly define the same objects — more than half of the \
                 smaller one's — are taken as alternatives (install flavours, one directory \
                 per cluster or environment) and not compared; a tenant directory copied \
                 whole without renaming its objects is therefore not reported. Names \
                 containing Helm template expressions (`{{ … }}`) are not compared.",
            ),
            references: Some(
                "- [Kubernetes: object names and IDs](https://kubernetes.io/docs/concepts/overview/working-with-objects/names/)",
            ),
        },
    },
    check: Check::Set(check),
};

/// Which objects can meet in one `apply`: the whole set, except that a file
/// under a kustomization, or a bundle of its own (below a directory of test
/// data, examples or samples of its repository), only meets itself.
fn deployment_unit(obj: &Object, ctx: &Context, kustomized: &HashSet<&str>) -> Bundle {
    let bundle = ctx.index.bundle(obj.file);
    if bundle.is_case() {
        return bundle;
    }
    let mut dir = parent_dir(&ctx.file(obj.file).display);
    loop {
        if kustomized.contains(dir) {
            return Bundle {
                file: Some(obj.file),
                ..bundle
            };
        }
        if dir.is_empty() {
            return bundle;
        }
        dir = parent_dir(dir);
    }
}

/// An object's identity in the cluster: group, kind, namespace (or, when
/// unset, its directory; `""` for cluster-scoped kinds) and name.
type Identity<'a> = (&'a str, &'a str, String, &'a str);

fn identity<'a>(obj: &'a Object, ctx: &Context) -> Option<Identity<'a>> {
    let name = obj.name.as_ref()?;
    if name.contains("{{") {
        return None;
    }
    let namespace = match (obj.scope, obj.namespace()) {
        (Scope::Cluster, _) => String::new(),
        (_, Some(ns)) => format!("ns:{ns}"),
        (_, None) => format!("dir:{}", parent_dir(&ctx.file(obj.file).display)),
    };
    Some((
        obj.group.as_str(),
        obj.kind.as_str(),
        namespace,
        name.as_str(),
    ))
}

/// Two files are alternatives of one another — flavours of one install,
/// test cases, variants to choose from — rather than parts applied
/// together when more than half of the smaller one's objects have an
/// identity that the other also defines.
fn alternatives(a: &HashSet<Identity>, b: &HashSet<Identity>) -> bool {
    let shared = a.intersection(b).count();
    shared * 2 > a.len().min(b.len())
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let index = ctx.index;
    let kustomized: HashSet<&str> = index
        .kustomizations
        .iter()
        .map(|k| k.dir.as_str())
        .collect();
    let mut groups: BTreeMap<(Identity, Bundle), Vec<&Object>> = BTreeMap::new();
    let mut by_file: HashMap<u32, HashSet<Identity>> = HashMap::new();
    for obj in &index.objects {
        // kustomize refuses a build with two objects of one id; objects of
        // different builds (overlays) are different deployments.
        if obj.build.is_some() {
            continue;
        }
        let Some(id) = identity(obj, ctx) else {
            continue;
        };
        by_file.entry(obj.file).or_default().insert(id.clone());
        groups
            .entry((id, deployment_unit(obj, ctx, &kustomized)))
            .or_default()
            .push(obj);
    }
    // Whether two files are alternatives, asked once per pair of files.
    let mut alternative_files: HashMap<(u32, u32), bool> = HashMap::new();
    let mut are_alternatives = |a: u32, b: u32| {
        *alternative_files
            .entry((a.min(b), a.max(b)))
            .or_insert_with(|| alternatives(&by_file[&a], &by_file[&b]))
    };
    for objects in groups.values() {
        if objects.len() < 2 {
            continue;
        }
        let contents: Vec<String> = objects.iter().map(|o| applied_content(o)).collect();
        // file → content → the objects with it: an object collides with
        // those of other content in its own file and in every file that is
        // not an alternative of its own. Counting by content and listing
        // the first few keeps a name defined N times linear, not N².
        let mut files: BTreeMap<u32, (usize, BTreeMap<&str, Vec<usize>>)> = BTreeMap::new();
        for (i, o) in objects.iter().enumerate() {
            let (count, by_content) = files.entry(o.file).or_default();
            *count += 1;
            by_content.entry(contents[i].as_str()).or_default().push(i);
        }
        for (i, obj) in objects.iter().enumerate() {
            let Some(name) = &obj.name else { continue };
            let mut total = 0;
            let mut others: Vec<usize> = Vec::new();
            for (&file, (count, by_content)) in &files {
                if file != obj.file && are_alternatives(obj.file, file) {
                    continue;
                }
                total += count - by_content.get(contents[i].as_str()).map_or(0, Vec::len);
                for (content, members) in by_content {
                    if others.len() == SHOWN {
                        break;
                    }
                    if *content != contents[i] {
                        let room = SHOWN - others.len();
                        others.extend(members.iter().take(room));
                    }
                }
            }
            if total == 0 {
                continue;
            }
            others.sort_unstable();
            let what = obj.describe();
            let mut d = Diagnostic::on(
                &RULE.meta,
                obj,
                name.span,
                format!(
                    "`{what}` is defined {} times with different content; the one applied last wins",
                    total + 1
                ),
            )
            .help("remove the duplicate, or give each object a name of its own");
            for (n, &j) in others.iter().enumerate() {
                let other = objects[j];
                let more = if n + 1 == others.len() {
                    more_note(others.len(), total)
                } else {
                    String::new()
                };
                if let Some(other_name) = &other.name {
                    d = d.related(
                        other.file,
                        other_name.span,
                        format!("`{what}` is also defined here{more}"),
                    );
                }
            }
            out.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{lint, positions};

    fn cm(name: &str, ns: &str) -> String {
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: {ns}\n---\n"
        )
    }

    #[test]
    fn every_occurrence_with_the_others_related() {
        let text = cm_with("a", "t", "x") + &cm_with("a", "t", "y") + &cm_with("a", "t", "z");
        assert_eq!(positions("YAML003", &text), [(4, 9), (11, 9), (18, 9)]);
    }

    #[test]
    fn identity_is_group_kind_namespace_name() {
        assert!(positions("YAML003", &(cm("a", "t") + &cm("a", "u"))).is_empty());
        assert!(positions("YAML003", &(cm("a", "t") + &cm("b", "t"))).is_empty());
        let secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\n  namespace: t\n";
        assert!(positions("YAML003", &(cm("a", "t") + secret)).is_empty());
        // The version is not part of the identity; the group is.
        let v1 = "apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata: {name: h, namespace: t}\n---\n";
        let v2 = "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h, namespace: t}\n---\n";
        assert_eq!(positions("YAML003", &format!("{v1}{v2}")).len(), 2);
        let ext = v2.replace("autoscaling/v2", "example.com/v1");
        assert!(positions("YAML003", &format!("{v1}{ext}")).is_empty());
    }

    fn cm_with(name: &str, ns: &str, owner: &str) -> String {
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: {ns}\ndata: {{owner: {owner}}}\n---\n"
        )
    }

    #[test]
    fn across_files_with_different_content() {
        let a = cm_with("config", "shared", "a") + &cm_with("a-only", "shared", "a");
        let b = cm_with("config", "shared", "b") + &cm_with("b-only", "shared", "b");
        let found = lint("YAML003", &[("team-a/cm.yaml", &a), ("team-b/cm.yaml", &b)]);
        assert_eq!(found.len(), 2);
        let ns = |label: &str| {
            format!(
                "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shared\n  labels: {{l: {label}}}\n---\n"
            )
        };
        let a = ns("a") + &cm_with("a-only", "shared", "a");
        let b = ns("b") + &cm_with("b-only", "shared", "b");
        let found = lint("YAML003", &[("a/ns.yaml", &a), ("b/ns.yaml", &b)]);
        assert_eq!(found.len(), 2);
    }

    #[test]
    fn identical_copies_do_not_conflict() {
        let copy = cm_with("config", "t", "a");
        assert!(positions("YAML003", &format!("{copy}{copy}")).is_empty());
        // Server-filled fields and status are not what `apply` writes.
        let live = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config\n  namespace: t\n  uid: 1234\n  resourceVersion: \"7\"\ndata: {owner: a}\nstatus: {phase: x}\n---\n";
        assert!(positions("YAML003", &format!("{copy}{live}")).is_empty());
    }

    #[test]
    fn alternative_files_and_case_directories_are_not_compared() {
        // Each file defines mostly the same objects: flavours of one install.
        let a = cm_with("config", "t", "a") + &cm_with("settings", "t", "a");
        let b = cm_with("config", "t", "b") + &cm_with("settings", "t", "b");
        assert!(lint("YAML003", &[("install.yaml", &a), ("ha-install.yaml", &b)]).is_empty());
        let a = cm_with("config", "t", "a") + &cm_with("a-only", "t", "a");
        let b = cm_with("config", "t", "b") + &cm_with("b-only", "t", "b");
        let other = cm_with("other", "t", "c");
        let in_case_dirs = |x: &str, y: &str| {
            lint(
                "YAML003",
                &[(x, &a), (y, &b), ("repo/deploy/other.yaml", &other)],
            )
        };
        assert!(in_case_dirs("repo/testdata/a.yaml", "repo/testdata/b.yaml").is_empty());
        assert!(in_case_dirs("repo/examples/x/a.yaml", "repo/examples/y/b.yaml").is_empty());
        // Directory names count relative to the repository root, whatever
        // folder the command was given.
        let found = lint(
            "YAML003",
            &[("tests/repo/a.yaml", &a), ("tests/repo/b.yaml", &b)],
        );
        assert!(found.is_empty());
        let found = lint("YAML003", &[("deploy/a.yaml", &a), ("deploy/b.yaml", &b)]);
        assert_eq!(found.len(), 2);
        let twice = format!("{a}{b}");
        assert_eq!(lint("YAML003", &[("testdata/a.yaml", &twice)]).len(), 2);
    }

    #[test]
    fn unset_namespaces_meet_only_in_their_directory() {
        let file = |owner: &str| {
            format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config\ndata: {{owner: {owner}}}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: only-{owner}\n"
            )
        };
        let (a, b) = (file("a"), file("b"));
        assert!(lint("YAML003", &[("a/cm.yaml", &a), ("b/cm.yaml", &b)]).is_empty());
        assert_eq!(
            lint("YAML003", &[("a/x.yaml", &a), ("a/y.yaml", &b)]).len(),
            2
        );
    }

    #[test]
    fn kustomize_trees_compare_within_a_file() {
        let deploy = |replicas: u32| {
            format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: trainer\nspec: {{replicas: {replicas}}}\n"
            )
        };
        let found = lint(
            "YAML003",
            &[
                (
                    "app/kustomization.yaml",
                    "resources: [deploy.yaml, svc.yaml]\npatches: [{path: patch.yaml}]\n",
                ),
                ("app/deploy.yaml", &deploy(1)),
                ("app/patch.yaml", &deploy(2)),
                (
                    "app/svc.yaml",
                    "apiVersion: v1\nkind: Service\nmetadata:\n  name: trainer\n",
                ),
            ],
        );
        assert!(found.is_empty(), "{found:?}");
        let twice = format!("{}---\n{}", deploy(1), deploy(2));
        let found = lint(
            "YAML003",
            &[
                ("app/kustomization.yaml", "resources: [deploy.yaml]\n"),
                ("app/deploy.yaml", &twice),
            ],
        );
        assert_eq!(found.len(), 2);
    }

    #[test]
    fn unnamed_and_templated_objects_are_not_compared() {
        let generated = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: run-\n  namespace: t\n---\n";
        assert!(positions("YAML003", &format!("{generated}{generated}")).is_empty());
        let tpl = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"{{ .Release.Name }}\"\n  namespace: t\n---\n";
        assert!(positions("YAML003", &format!("{tpl}{tpl}")).is_empty());
    }
}
