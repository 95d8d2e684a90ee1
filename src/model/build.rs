//! Building typed objects from YAML documents.

use super::FileModel;
use super::k8s::*;
use super::mlflow::{Kustomization, mlflow_document};
use super::workloads::{quantities, workload};
use super::{network, rbac, storage};
use crate::load::{Document, Node};
use crate::source::{SourceFile, Spanned};
use std::sync::Arc;

/// File names that are kustomizations (not objects).
pub fn is_kustomization_file(name: &str) -> bool {
    matches!(
        name,
        "kustomization.yaml" | "kustomization.yml" | "Kustomization"
    )
}

/// Build the model of one file from its documents.
pub fn build_file(file: &SourceFile, docs: Vec<Document>) -> FileModel {
    let mut builder = FileBuilder::new(file, None);
    for doc in docs {
        builder.add(doc);
    }
    builder.finish()
}

/// Builds the model of one file a document at a time, as the loader reads
/// them. With `store`, objects keep where their document is in the file
/// instead of its tree ([`Object::store_root`]): a set too big to keep
/// every tree in memory.
pub struct FileBuilder<'f> {
    file: &'f SourceFile,
    store: Option<&'f Arc<SourceFile>>,
    model: FileModel,
    shape: FileShape,
}

enum FileShape {
    Kustomization,
    Workflow,
    /// Manifests (or Compose, or MLflow files); `compose_name` when the
    /// file is named like a Compose file.
    Documents {
        compose_name: bool,
    },
}

impl<'f> FileBuilder<'f> {
    pub fn new(file: &'f SourceFile, store: Option<&'f Arc<SourceFile>>) -> Self {
        let file_name = file.file_name();
        let shape = if is_kustomization_file(file_name) {
            FileShape::Kustomization
        } else if super::workflow::is_workflow_path(&file.display)
            || super::workflow::is_workflow_path(&file.path.to_string_lossy().replace('\\', "/"))
        {
            FileShape::Workflow
        } else {
            FileShape::Documents {
                compose_name: super::compose::is_compose_name(&file_name.to_ascii_lowercase()),
            }
        };
        FileBuilder {
            file,
            store,
            model: FileModel::default(),
            shape,
        }
    }

    pub fn add(&mut self, doc: Document) {
        let file = self.file;
        let model = &mut self.model;
        model.documents += 1;
        let compose_name = match self.shape {
            FileShape::Kustomization => {
                model.kustomizations.push(Kustomization {
                    file: file.id,
                    dir: parent_dir(&file.display).to_string(),
                    namespace: doc.root.get("namespace").and_then(Node::spanned_str),
                });
                return;
            }
            FileShape::Workflow => {
                model
                    .processes
                    .extend(super::workflow::processes(file, &doc.root));
                return;
            }
            FileShape::Documents { compose_name } => compose_name,
        };
        if (compose_name && doc.root.get("kind").is_none())
            || super::compose::looks_like_compose(&doc.root)
        {
            model
                .processes
                .extend(super::compose::processes(file, &doc.root));
            return;
        }
        if let Some(m) = mlflow_document(file, &doc.root) {
            model.mlflow.push(m);
            return;
        }
        let index = doc.index;
        let root = doc.root;
        if is_list(&root) {
            // The items of a `kind: List` keep their trees: reading one item
            // again would parse the whole list, once per item.
            let Some(items) = take_items(root) else {
                return;
            };
            for item in items {
                if let Some(obj) = build_object(file, index, item) {
                    model.objects.push(Box::new(obj));
                }
            }
        } else if let Some(mut obj) = build_object(file, index, root) {
            if let Some(arc) = self.store {
                obj.store_root(arc, doc.region);
            }
            model.objects.push(Box::new(obj));
        }
    }

    pub fn finish(mut self) -> FileModel {
        self.model.objects.shrink_to_fit();
        self.model.mlflow.shrink_to_fit();
        self.model
    }
}

/// `kind: List`, or a typed list (`ConfigMapList`, `RoleBindingList`) with a
/// sequence of `items`: kubectl applies each item as an object.
pub fn is_list(root: &Node) -> bool {
    let items = root.get("items");
    match root.get_str("kind") {
        Some("List") => items.is_some(),
        Some(kind) if kind.ends_with("List") => {
            items.is_some_and(|i| matches!(i.value, crate::load::Value::Seq(_)))
        }
        _ => false,
    }
}

fn take_items(root: Node) -> Option<Vec<Node>> {
    match root.value {
        crate::load::Value::Map(entries) => entries
            .into_iter()
            .rev()
            .find(|e| e.key.as_scalar() == Some("items"))
            .map(|e| match e.value.value {
                crate::load::Value::Seq(items) => items,
                _ => Vec::new(),
            }),
        _ => None,
    }
}

pub fn parent_dir(display: &str) -> &str {
    match display.rsplit_once('/') {
        Some((dir, _)) => dir,
        None => "",
    }
}

/// A mapping with a string `kind` is a Kubernetes object (CRDs and unknown
/// kinds included); anything else is not.
pub fn build_object(file: &SourceFile, doc: u32, root: Node) -> Option<Object> {
    let kind = root.get("kind")?.spanned_str()?;
    let api_version = root.get("apiVersion").and_then(Node::spanned_str);
    let group = match &api_version {
        Some(v) => group_of(v).to_string(),
        None => group_of_bare_kind(&kind).unwrap_or_default().to_string(),
    };
    let metadata = root.entry("metadata");
    let metadata_key = metadata.map(|e| e.key.span).unwrap_or(kind.span);
    let meta = metadata.map(|e| &e.value);
    let name_node = meta.and_then(|m| m.get("name"));
    let name = name_node.and_then(Node::spanned_str);
    let name_scalar_span = name_node
        .filter(|n| n.as_scalar().is_some())
        .map(|n| n.span);
    let generate_name = meta
        .and_then(|m| m.get("generateName"))
        .and_then(Node::as_str)
        .is_some_and(|s| !s.is_empty());
    let has_status = root.get("status").is_some();
    let namespace_node = meta.and_then(|m| m.get("namespace"));
    let placeholder_namespace = namespace_node
        .filter(|n| super::placeholder::is_placeholder(n))
        .map(|n| n.span);
    let explicit_namespace = namespace_node
        .filter(|_| placeholder_namespace.is_none())
        .and_then(Node::spanned_str);
    let scope = builtin_scope(&group, &kind);
    let spec = build_spec(&root, &kind, &group);
    let app_label = meta
        .and_then(|m| m.get("labels"))
        .and_then(|l| {
            l.get_str("app.kubernetes.io/name")
                .or_else(|| l.get_str("app"))
        })
        .map(str::to_string);
    let ignore_annotation = meta
        .and_then(|m| m.path(&["annotations", IGNORE_ANNOTATION]))
        .and_then(|n| Some(Box::new(Spanned::new(n.as_str()?.to_string(), n.span))));
    let _ = file;
    Some(Object {
        file: file.id,
        doc,
        root: Root::Resident(root),
        api_version,
        group,
        kind,
        name,
        name_scalar_span,
        generate_name,
        has_status,
        metadata_key,
        explicit_namespace,
        namespace: match placeholder_namespace {
            Some(span) => NamespaceSource::Unknown(span),
            None => NamespaceSource::Unset,
        },
        scope,
        spec,
        build: None,
        app_label,
        ignore_annotation,
    })
}

fn build_spec(root: &Node, kind: &str, group: &str) -> Spec {
    match kind {
        "Namespace" if group.is_empty() => Spec::Namespace(Namespace {
            labels: root
                .path(&["metadata", "labels"])
                .map(|l| {
                    l.entries()
                        .iter()
                        .filter_map(|e| {
                            Some((e.key.as_str()?.to_string(), e.value.as_str()?.to_string()))
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }),
        "ResourceQuota" if group.is_empty() => {
            let spec = root.entry("spec");
            Spec::ResourceQuota(Box::new(ResourceQuota {
                hard: quantities(spec.and_then(|s| s.value.get("hard"))),
                scopes: spec
                    .and_then(|s| s.value.get("scopes"))
                    .map(|s| {
                        s.items()
                            .iter()
                            .filter_map(|i| i.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default(),
                spec_key: spec
                    .map(|s| s.key.span)
                    .or_else(|| root.entry("metadata").map(|m| m.key.span))
                    .unwrap_or(root.span),
            }))
        }
        "LimitRange" if group.is_empty() => Spec::LimitRange(LimitRange {
            limits: root
                .path(&["spec", "limits"])
                .map(|l| {
                    l.items()
                        .iter()
                        .map(|item| LimitRangeItem {
                            kind: item.get_str("type").unwrap_or("").to_string(),
                            default: quantities(item.get("default")),
                            default_request: quantities(item.get("defaultRequest")),
                            max: quantities(item.get("max")),
                            min: item
                                .get("min")
                                .map(|m| {
                                    m.entries()
                                        .iter()
                                        .filter_map(|e| e.key.as_str().map(str::to_string))
                                        .collect()
                                })
                                .unwrap_or_default(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }),
        "ServiceAccount" if group.is_empty() => {
            Spec::ServiceAccount(Box::new(service_account(root)))
        }
        "Service" if group.is_empty() => Spec::Service(Box::new(network::service(root))),
        "PersistentVolume" if group.is_empty() => {
            Spec::PersistentVolume(Box::new(storage::persistent_volume(root)))
        }
        "NetworkPolicy" if group == "networking.k8s.io" => {
            Spec::NetworkPolicy(Box::new(network::network_policy(root)))
        }
        "Role" | "ClusterRole" if group == rbac::RBAC_GROUP => Spec::Role(rbac::role(root)),
        "RoleBinding" | "ClusterRoleBinding" if group == rbac::RBAC_GROUP => Spec::RoleBinding(
            Box::new(rbac::role_binding(root, kind == "ClusterRoleBinding")),
        ),
        "ReferenceGrant" if group == network::GATEWAY_GROUP => {
            Spec::ReferenceGrant(network::reference_grant(root))
        }
        _ if group == network::GATEWAY_GROUP && network::ROUTE_KINDS.contains(&kind) => {
            Spec::Route(network::route(root))
        }
        _ => match workload(root, kind, group) {
            Some(w) => Spec::Workload(w),
            None => Spec::Other,
        },
    }
}

fn spanned_bool(node: Option<&Node>) -> Option<Spanned<bool>> {
    let node = node?;
    node.as_bool().map(|b| Spanned::new(b, node.span))
}

fn service_account(root: &Node) -> ServiceAccount {
    let annotations = root.path(&["metadata", "annotations"]);
    let cloud_identities = CLOUD_IDENTITY_ANNOTATIONS
        .iter()
        .filter_map(|key| {
            let v = annotations?.get(key)?.spanned_str()?;
            Some((key.to_string(), v))
        })
        .collect();
    ServiceAccount {
        automount_token: spanned_bool(root.get("automountServiceAccountToken")),
        cloud_identities,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::parse_yaml;
    use crate::source::FileKind;

    fn model(name: &str, text: &str) -> FileModel {
        let f = SourceFile::new(0, name.into(), name.into(), FileKind::Yaml, text.into());
        let parsed = parse_yaml(&f);
        build_file(&f, parsed.docs)
    }

    /// Every object of `text`, modelled with its tree in memory and with its
    /// tree stored (read again from the file): the same roots, spans and all.
    pub(crate) fn stored_and_resident(name: &str, text: &str) -> (FileModel, FileModel) {
        let f = Arc::new(SourceFile::new(
            3,
            name.into(),
            name.into(),
            FileKind::Yaml,
            text.into(),
        ));
        let resident = build_file(&f, parse_yaml(&f).docs);
        let mut builder = FileBuilder::new(&f, Some(&f));
        crate::load::parse_yaml_each(&f, |doc| builder.add(doc));
        (resident, builder.finish())
    }

    #[test]
    fn stored_roots_read_again_are_the_trees() {
        let text = concat!(
            "%YAML 1.2\n",
            "---\n",
            "# tenantlint: ignore[NS001]\n",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: t}\n",
            "data:\n  base: &b {x: \"1\"}\n  merged: {<<: *b, y: 2}\n  script: |\n    echo é\n\n",
            "--- # a comment after the marker\n",
            "apiVersion: v1\nkind: List\nitems:\n",
            "- {apiVersion: v1, kind: Secret, metadata: {name: s}}\n",
            "- apiVersion: apps/v1\n  kind: Deployment\n  metadata:\n    name: d\n",
            "...\n",
            "--- {apiVersion: v1, kind: Namespace, metadata: {name: t}}\n",
            "---\r\napiVersion: v1\r\nkind: ServiceAccount\r\nmetadata:\r\n  name: keep-\r\n",
            "---\nkind: Pod\nmetadata:\n  name: last\nspec:\n  note: |+\n    kept\n\n",
        );
        let (resident, stored) = stored_and_resident("all.yaml", text);
        assert_eq!(resident.objects.len(), 6);
        assert_eq!(stored.objects.len(), resident.objects.len());
        for (i, (r, s)) in resident.objects.iter().zip(&stored.objects).enumerate() {
            // The list's two items keep their trees (parsing one again would
            // parse the whole list).
            let list_item = i == 1 || i == 2;
            assert_eq!(
                matches!(s.root(), RootRef::Parsed(_)),
                !list_item,
                "{}",
                s.describe()
            );
            assert!(matches!(r.root(), RootRef::Resident(_)));
            assert_eq!(*s.root(), *r.root(), "{}", s.describe());
            assert_eq!(s.root_span(), r.root_span());
            assert_eq!(s.root().span.file, 3);
        }
        // Read twice (from the per-thread cache the second time).
        let sa = &stored.objects[4];
        assert_eq!(
            sa.root().path(&["metadata", "name"]).unwrap().as_str(),
            Some("keep-")
        );
        assert_eq!(*sa.root(), *resident.objects[4].root());
    }

    #[test]
    fn list_items_become_objects() {
        let m = model(
            "l.yaml",
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n- apiVersion: v1\n  kind: Secret\n  metadata: {name: b}\n",
        );
        let kinds: Vec<_> = m.objects.iter().map(|o| o.kind.value.clone()).collect();
        assert_eq!(kinds, ["ConfigMap", "Secret"]);
        let typed = model(
            "l.yaml",
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBindingList\nitems:\n- apiVersion: rbac.authorization.k8s.io/v1\n  kind: RoleBinding\n  metadata: {name: a}\n",
        );
        let kinds: Vec<_> = typed.objects.iter().map(|o| o.kind.value.clone()).collect();
        assert_eq!(kinds, ["RoleBinding"]);
        let not_a_list = model("l.yaml", "apiVersion: v1\nkind: NotAList\nitems:\n");
        assert_eq!(not_a_list.objects.len(), 1);
    }

    #[test]
    fn quotas_limit_ranges_and_resources() {
        let m = model(
            "q.yaml",
            "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: a}\nspec:\n  hard:\n    requests.nvidia.com/gpu: \"4\"\n---\napiVersion: v1\nkind: LimitRange\nmetadata: {name: l, namespace: a}\nspec:\n  limits:\n  - type: Container\n    defaultRequest: {cpu: 100m}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec:\n  containers:\n  - name: c\n    resources: {requests: {cpu: 1}, limits: {memory: 1Gi}}\n",
        );
        let Spec::ResourceQuota(q) = &m.objects[0].spec else {
            panic!()
        };
        assert_eq!(q.hard[0].0, "requests.nvidia.com/gpu");
        assert_eq!(q.hard[0].1.value, "4");
        let Spec::LimitRange(l) = &m.objects[1].spec else {
            panic!()
        };
        assert_eq!(l.limits[0].default_request[0].0, "cpu");
        let c = &m.objects[2].workload().unwrap().templates[0].containers[0];
        assert_eq!(c.requests[0].0, "cpu");
        assert_eq!(c.limits[0].1.value, "1Gi");
    }

    #[test]
    fn pytorch_job_templates() {
        let m = model(
            "j.yaml",
            "apiVersion: kubeflow.org/v1\nkind: PyTorchJob\nmetadata: {name: t}\nspec:\n  pytorchReplicaSpecs:\n    Master:\n      template:\n        spec:\n          serviceAccountName: trainer\n          containers: [{name: c}]\n    Worker:\n      template:\n        spec:\n          containers: [{name: c}]\n",
        );
        let w = m.objects[0].workload().unwrap();
        assert_eq!(w.templates.len(), 2);
        assert_eq!(
            w.templates[0].service_account.as_ref().unwrap().value,
            "trainer"
        );
        assert_eq!(w.templates[1].role.as_deref(), Some("Worker"));
        let root = m.objects[0].root();
        let spec = follow(&root, &w.templates[1].spec_path).unwrap();
        assert!(spec.get("containers").is_some());
    }
}
