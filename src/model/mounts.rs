//! Where a path inside a container lives: which volume is mounted over it,
//! and what kind of storage that volume is.

use super::k8s::{Container, Object, PodTemplate, follow};
use crate::load::Node;
use crate::model::uri::normalize_path;
use crate::source::Span;

/// The storage behind a pod volume.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VolumeSource {
    /// Deleted with the pod.
    EmptyDir,
    /// A generic ephemeral volume (`ephemeral:`), also deleted with the pod.
    Ephemeral,
    /// The node's file system at this path.
    HostPath(String),
    /// An NFS export.
    Nfs { server: String, path: String },
    /// A PersistentVolumeClaim of the pod's namespace.
    Claim(String),
    /// Anything else (`configMap`, `secret`, CSI, …), by its key.
    Other(String),
}

/// A container path on a mounted volume.
#[derive(Clone, Debug)]
pub struct Mounted {
    pub volume: String,
    pub source: VolumeSource,
    /// The volume's type key in `volumes:` (`emptyDir:`), or its `- name:` entry.
    pub source_span: Span,
    /// The `mountPath` value.
    pub mount_span: Span,
    pub mount_path: String,
    /// The path inside the volume (`subPath` and what follows the mount path).
    pub path_in_volume: String,
}

/// The absolute form of a container path: relative paths resolve against
/// the container's `workingDir` when it is set (the image's is unknown).
pub fn absolute_path(container: &Container, path: &str) -> Option<String> {
    if path.starts_with('/') {
        return Some(normalize_path(path));
    }
    let wd = container.working_dir.as_deref()?;
    wd.starts_with('/')
        .then(|| normalize_path(&format!("{wd}/{path}")))
}

/// The volume mounted over absolute container path `path` (the deepest
/// mount that contains it), if any.
pub fn mounted(
    obj: &Object,
    template: &PodTemplate,
    container: &Container,
    path: &str,
) -> Option<Mounted> {
    let path = normalize_path(path);
    let root = obj.root();
    let c = follow(&root, &container.path)?;
    let mut best: Option<(&Node, String, usize)> = None;
    for m in c.get("volumeMounts")?.items() {
        let Some(mount_path) = m.get_str("mountPath") else {
            continue;
        };
        let mount_path = normalize_path(mount_path);
        let inside =
            mount_path == "/" || path == mount_path || path.starts_with(&format!("{mount_path}/"));
        let depth = mount_path.len();
        if inside && best.as_ref().is_none_or(|(_, _, d)| depth > *d) {
            best = Some((m, mount_path, depth));
        }
    }
    let (mount, mount_path, _) = best?;
    let volume = mount.get_str("name")?.to_string();
    let rest = path[mount_path.len()..].trim_start_matches('/');
    let sub = mount.get_str("subPath").unwrap_or("").trim_matches('/');
    let path_in_volume = normalize_path(&format!("{sub}/{rest}"));
    let vol = template
        .volumes(&root)
        .into_iter()
        .find(|v| v.get_str("name") == Some(volume.as_str()))?;
    let (source, source_span) = volume_source(vol);
    Some(Mounted {
        volume,
        source,
        source_span,
        mount_span: mount.get("mountPath").map_or(mount.span, |n| n.span),
        mount_path,
        path_in_volume,
    })
}

fn volume_source(vol: &Node) -> (VolumeSource, Span) {
    let name_span = vol.entry("name").map_or(vol.span, |e| e.key.span);
    for e in vol.entries() {
        let Some(key) = e.key.as_str() else { continue };
        let source = match key {
            "name" => continue,
            "emptyDir" => VolumeSource::EmptyDir,
            "ephemeral" => VolumeSource::Ephemeral,
            "hostPath" => {
                VolumeSource::HostPath(normalize_path(e.value.get_str("path").unwrap_or("/")))
            }
            "nfs" => VolumeSource::Nfs {
                server: e.value.get_str("server").unwrap_or("").to_ascii_lowercase(),
                path: normalize_path(e.value.get_str("path").unwrap_or("/")),
            },
            "persistentVolumeClaim" => {
                VolumeSource::Claim(e.value.get_str("claimName").unwrap_or("").to_string())
            }
            other => VolumeSource::Other(other.to_string()),
        };
        return (source, e.key.span);
    }
    // A volume with only a name is an `emptyDir` in Kubernetes.
    (VolumeSource::EmptyDir, name_span)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileKind, SourceFile};

    #[test]
    fn deepest_mount_with_sub_path() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    workingDir: /srv\n    volumeMounts:\n    - {name: data, mountPath: /srv}\n    - {name: db, mountPath: /srv/db/, subPath: team-a}\n  volumes:\n  - name: data\n    emptyDir: {}\n  - name: db\n    nfs: {server: NFS.local, path: /exports/mlflow}\n";
        let f = SourceFile::new(
            0,
            "p.yaml".into(),
            "p.yaml".into(),
            FileKind::Yaml,
            text.into(),
        );
        let parsed = crate::load::parse_yaml(&f);
        let model = crate::model::build::build_file(&f, parsed.docs);
        let obj = &model.objects[0];
        let t = &obj.workload().unwrap().templates[0];
        let c = &t.containers[0];
        let m = mounted(obj, t, c, "/srv/db/mlflow.db").unwrap();
        assert_eq!(m.volume, "db");
        assert_eq!(m.path_in_volume, "/team-a/mlflow.db");
        assert_eq!(
            m.source,
            VolumeSource::Nfs {
                server: "nfs.local".into(),
                path: "/exports/mlflow".into()
            }
        );
        let rel = absolute_path(c, "./mlruns").unwrap();
        assert_eq!(rel, "/srv/mlruns");
        let m = mounted(obj, t, c, &rel).unwrap();
        assert_eq!(m.source, VolumeSource::EmptyDir);
        assert_eq!(f.slice(m.source_span), "emptyDir");
        assert!(mounted(obj, t, c, "/tmp/x").is_none());
    }
}
