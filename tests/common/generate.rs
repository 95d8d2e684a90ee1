//! Generators of synthetic manifests, shared by the benches (`benches/`) and
//! the hostile-input tests (`tests/hostile.rs`), which include this file with
//! `#[path]`. Everything is deterministic: the same arguments give the same
//! bytes, so benchmark runs are comparable.

#![allow(dead_code)]

use std::fmt::Write as _;

/// One realistic Deployment (about 700 bytes): labels, a pod template with a
/// service account, two containers, env, resources and a comment.
pub fn deployment(i: usize, namespace: &str) -> String {
    let team = ["vision", "nlp", "ranking", "speech"][i % 4];
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: {team}-trainer-{i}
  namespace: {namespace}
  labels:
    app.kubernetes.io/name: {team}-trainer
    app.kubernetes.io/part-of: ml-platform
    tenant: {team}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: {team}-trainer-{i}
  template:
    metadata:
      labels:
        app: {team}-trainer-{i}
    spec:
      serviceAccountName: {team}-runner
      containers:
        - name: trainer
          image: registry.example.com/{team}/trainer:1.{i}
          args: [\"--epochs\", \"10\", \"--data\", \"s3://{team}-data/train\"]
          env:
            - name: MLFLOW_TRACKING_URI
              value: http://mlflow.{namespace}.svc:5000
            - name: WORKER_ID
              value: \"{i}\"
          resources:
            limits: {{cpu: \"2\", memory: 4Gi}}
        - name: sidecar # metrics exporter
          image: registry.example.com/platform/exporter:0.9
          ports:
            - containerPort: 9100
"
    )
}

/// `count` Deployments in `namespaces` namespaces, as one multi-document file.
pub fn deployments(count: usize, namespaces: usize) -> String {
    let mut s = String::with_capacity(count * 1200);
    for i in 0..count {
        if i > 0 {
            s.push_str("---\n");
        }
        let ns = format!("team-{}", i % namespaces.max(1));
        s.push_str(&deployment(i, &ns));
    }
    s
}

/// Valid manifests of at least `bytes` bytes (Deployments plus, per
/// namespace, a Namespace, a ResourceQuota, a LimitRange and a default-deny
/// NetworkPolicy, so that the set is clean of namespace-level findings).
pub fn manifests_of_size(bytes: usize) -> String {
    let mut s = String::with_capacity(bytes + 4096);
    let namespaces = 50;
    for n in 0..namespaces {
        let _ = write!(
            s,
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-{n}\n---\n{}",
            namespace_guards(&format!("team-{n}"))
        );
    }
    let mut i = 0;
    while s.len() < bytes {
        s.push_str(&deployment(i, &format!("team-{}", i % namespaces)));
        s.push_str("---\n");
        i += 1;
    }
    s
}

/// A ResourceQuota, a LimitRange and a default-deny NetworkPolicy for `ns`.
pub fn namespace_guards(ns: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: quota\n  namespace: {ns}\n\
         spec:\n  hard: {{pods: \"50\"}}\n---\n\
         apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: defaults\n  namespace: {ns}\n\
         spec:\n  limits: [{{type: Container, defaultRequest: {{cpu: 100m, memory: 128Mi}}, default: {{memory: 256Mi}}}}]\n---\n\
         apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny\n  namespace: {ns}\n\
         spec:\n  podSelector: {{}}\n  policyTypes: [Ingress, Egress]\n---\n"
    )
}

/// A file of exactly `count` findings (NS001: objects in `default`) in about
/// `count * 100` bytes; 10,000 findings make a 1 MB file.
pub fn findings_file(count: usize) -> String {
    let mut s = String::with_capacity(count * 104);
    for i in 0..count {
        let _ = write!(
            s,
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i:06}\n  namespace: default\ndata: {{k: v{i:06}}}\n"
        );
    }
    s
}
