//! STORE002 cross-namespace-reference.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Object;
use crate::model::storage::RefKind;
use crate::rules::{Category, Check, Context, Docs, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "STORE002",
        name: "cross-namespace-reference",
        category: Category::Storage,
        severity: Severity::Warning,
        summary: "a pod that uses a Secret, ConfigMap or claim the linted set defines only in another namespace",
        docs: Docs {
            what: "Reports a reference from a pod template — a `secret`, `configMap`, \
                   `projected` or `persistentVolumeClaim` volume, an `envFrom` source, or an \
                   env `valueFrom` key reference — to a Secret, ConfigMap or \
                   PersistentVolumeClaim that the linted set defines, but only in other \
                   namespaces. The finding sits on the referenced name, with the definitions \
                   as related locations.",
            why: "A pod can only use Secrets, ConfigMaps and claims of its own namespace. A \
                  reference that matches only another namespace's object is either a pod \
                  placed in the wrong namespace, or a plan to copy another tenant's \
                  credentials or data next to it — and until someone does, the pod does not \
                  start.",
            example: "apiVersion: v1\nkind: Secret\nmetadata:\n  name: warehouse-credentials\n  namespace: team-b\ntype: Opaque\n---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: train\n  namespace: team-a\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: train\n        image: ml/train:1.4\n        envFrom:\n        - secretRef:\n            name: warehouse-credentials\n",
            use_instead: "apiVersion: v1\nkind: Secret\nmetadata:\n  name: warehouse-credentials\n  namespace: team-a\ntype: Opaque\n---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: train\n  namespace: team-a\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: train\n        image: ml/train:1.4\n        envFrom:\n        - secretRef:\n            name: warehouse-credentials\n",
            options: None,
            known_problems: Some(
                "Objects the set does not define (created by an operator, a generator, or by \
                 hand) are not reported, nor are references from pods whose namespace is \
                 unset, nor definitions whose namespace is unset (they may be deployed next \
                 to the pod). Definitions that a replication tool copies into other \
                 namespaces (emberstack Reflector, mittwald replicator, kubed annotations) \
                 and objects of an HNC parent namespace (`HierarchyConfiguration`, \
                 `SubnamespaceAnchor`) count as defined in the namespaces they reach. Each file below an `examples`, `samples`, `docs`, `test`, `tests`, `testdata` \
                 or `e2e` directory of its repository (the nearest directory with `.git` or a \
                 config file) is a case of its own, grouped only with itself.",
            ),
            references: Some(
                "- [Kubernetes: Secrets](https://kubernetes.io/docs/concepts/configuration/secret/)\n- [Kubernetes: ConfigMaps](https://kubernetes.io/docs/concepts/configuration/configmap/)",
            ),
        },
    },
    check: Check::Set(check),
};

/// Annotation prefixes of tools that copy an object into other namespaces.
const REPLICATION_ANNOTATIONS: &[&str] = &[
    "reflector.v1.k8s.emberstack.com/",
    "replicator.v1.mittwald.de/",
    "kubed.appscode.com/",
];

fn is_replicated(obj: &Object) -> bool {
    obj.annotation_keys()
        .iter()
        .any(|k| REPLICATION_ANNOTATIONS.iter().any(|p| k.starts_with(p)))
}

/// Definitions of one kind and name: namespaces that hold one, and whether
/// any may land anywhere (namespace unset, or replicated).
#[derive(Default)]
struct Definitions<'a> {
    namespaces: Vec<(&'a str, &'a Object)>,
    anywhere: bool,
}

/// HNC: child namespace → parent namespace.
fn hierarchy<'a>(ctx: &Context<'a>) -> HashMap<&'a str, String> {
    let mut parents = HashMap::new();
    for obj in &ctx.index.objects {
        if obj.group != "hnc.x-k8s.io" {
            continue;
        }
        match obj.kind.as_str() {
            "HierarchyConfiguration" => {
                if let (Some(ns), Some(parent)) = (obj.namespace(), obj.str_at(&["spec", "parent"]))
                {
                    parents.insert(ns, parent);
                }
            }
            "SubnamespaceAnchor" => {
                if let (Some(ns), Some(child)) = (obj.namespace(), obj.name.as_ref()) {
                    parents.insert(child.as_str(), ns.to_string());
                }
            }
            _ => {}
        }
    }
    parents
}

/// Whether `ancestor` is `ns` or above it in the HNC hierarchy.
fn reaches(parents: &HashMap<&str, String>, ancestor: &str, ns: &str) -> bool {
    let mut seen = HashSet::new();
    let mut current = ns;
    while seen.insert(current) {
        if current == ancestor {
            return true;
        }
        match parents.get(current) {
            Some(p) => current = p.as_str(),
            None => return false,
        }
    }
    false
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let index = ctx.index;
    // By bundle (SPEC §4): a file of examples or tests only sees its own.
    let mut defined: HashMap<(crate::index::Bundle, RefKind, &str), Definitions> = HashMap::new();
    for obj in &index.objects {
        let Some(kind) = RefKind::of_kind(&obj.kind).filter(|_| obj.group.is_empty()) else {
            continue;
        };
        let Some(name) = &obj.name else { continue };
        let defs = defined
            .entry((index.bundle(obj.file), kind, name.as_str()))
            .or_default();
        match obj.namespace() {
            Some(ns) if !is_replicated(obj) => defs.namespaces.push((ns, obj)),
            _ => defs.anywhere = true,
        }
    }
    if defined.is_empty() {
        return;
    }
    let parents = hierarchy(ctx);
    for obj in &index.objects {
        let (Some(w), Some(ns)) = (obj.workload(), obj.namespace()) else {
            continue;
        };
        for t in &w.templates {
            for r in &t.refs {
                let name = r.name.as_str();
                let Some(defs) = defined.get(&(index.bundle(obj.file), r.kind, name)) else {
                    continue;
                };
                if defs.anywhere
                    || defs
                        .namespaces
                        .iter()
                        .any(|(def_ns, _)| reaches(&parents, def_ns, ns))
                {
                    continue;
                }
                let kind = r.kind.kind();
                let elsewhere: BTreeSet<&str> = defs.namespaces.iter().map(|(n, _)| *n).collect();
                let list = elsewhere
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let noun = if elsewhere.len() == 1 {
                    "namespace"
                } else {
                    "namespaces"
                };
                let mut d = Diagnostic::on(
                    &RULE.meta,
                    obj,
                    r.name.span,
                    format!(
                        "{kind} `{name}` is defined only in {noun} {list}, not in `{ns}` where this pod runs"
                    ),
                )
                .help(format!(
                    "define the {kind} in `{ns}`, or move the {} to the namespace that owns it",
                    *obj.kind
                ));
                for (def_ns, def) in &defs.namespaces {
                    let span = def.name.as_ref().map_or(def.metadata_key, |n| n.span);
                    d = d.related(
                        def.file,
                        span,
                        format!("{kind} `{name}` is defined in `{def_ns}` here"),
                    );
                }
                out.push(d);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::positions;

    fn def(kind: &str, name: &str, ns: &str) -> String {
        format!("apiVersion: v1\nkind: {kind}\nmetadata:\n  name: {name}\n  namespace: {ns}\n---\n")
    }

    const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: a\nspec:\n  containers:\n  - name: c\n    envFrom:\n    - secretRef: {name: creds}\n    env:\n    - name: X\n      valueFrom: {configMapKeyRef: {name: settings, key: x}}\n  volumes:\n  - name: d\n    persistentVolumeClaim: {claimName: data}\n  - name: p\n    projected:\n      sources: [{secret: {name: creds}}]\n";

    #[test]
    fn every_kind_of_reference() {
        let text = def("Secret", "creds", "b")
            + &def("ConfigMap", "settings", "b")
            + &def("PersistentVolumeClaim", "data", "b")
            + POD;
        assert_eq!(
            positions("STORE002", &text),
            [(28, 25), (31, 43), (34, 40), (37, 33)]
        );
    }

    #[test]
    fn defined_here_too_unset_or_nowhere() {
        let here = def("Secret", "creds", "b") + &def("Secret", "creds", "a") + POD;
        assert!(positions("STORE002", &here).is_empty());
        let unset = "apiVersion: v1\nkind: Secret\nmetadata: {name: creds}\n---\n".to_string()
            + &def("Secret", "creds", "b")
            + POD;
        assert!(positions("STORE002", &unset).is_empty());
        assert!(positions("STORE002", POD).is_empty());
    }

    #[test]
    fn replicated_or_inherited_definitions() {
        let reflected = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\n  namespace: b\n  annotations:\n    reflector.v1.k8s.emberstack.com/reflection-allowed: \"true\"\n---\n".to_string() + POD;
        assert!(positions("STORE002", &reflected).is_empty());
        let hnc = "apiVersion: hnc.x-k8s.io/v1alpha2\nkind: HierarchyConfiguration\nmetadata: {name: hierarchy, namespace: a}\nspec: {parent: b}\n---\n".to_string()
            + &def("Secret", "creds", "b")
            + POD;
        assert!(positions("STORE002", &hnc).is_empty());
    }
}
