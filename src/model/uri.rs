//! Normalised storage locations, for comparing MLflow artifact roots.

/// Where an artifact root or store points, normalised for comparison:
/// lowercase scheme and authority (bucket, host, container@account), path
/// segments without empty parts, `.` or trailing slashes, `..` resolved.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    pub scheme: String,
    pub authority: String,
    pub segments: Vec<String>,
}

/// How a URI relates to the server or experiment that uses it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    /// A location shared by anyone who names it (an object store, an absolute path).
    Global(Location),
    /// A location private to its server: `mlflow-artifacts:` proxied URIs and
    /// relative paths (`./mlruns`), which resolve inside each server's own
    /// working directory.
    Local,
    /// Not comparable (unexpanded variables, empty).
    Unknown,
}

impl Location {
    /// `true` when `self` is `other` or contains it.
    pub fn contains(&self, other: &Location) -> bool {
        self.scheme == other.scheme
            && self.authority == other.authority
            && other.segments.starts_with(&self.segments)
    }

    pub fn overlaps(&self, other: &Location) -> bool {
        self.contains(other) || other.contains(self)
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.scheme == "file" {
            write!(f, "/{}", self.segments.join("/"))
        } else {
            write!(
                f,
                "{}://{}/{}",
                self.scheme,
                self.authority,
                self.segments.join("/")
            )
        }
    }
}

fn segments(path: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s.to_string()),
        }
    }
    out
}

/// Normalise an artifact-root-like URI.
pub fn resolve(uri: &str) -> Resolved {
    let uri = uri.trim();
    if uri.is_empty() || uri.contains("$(") || uri.contains("${") || uri.contains('$') {
        return Resolved::Unknown;
    }
    let Some((scheme, rest)) = split_scheme(uri) else {
        // A plain path: absolute paths are global on the host or volume;
        // relative ones belong to the process that uses them.
        if uri.starts_with('/') {
            return Resolved::Global(Location {
                scheme: "file".into(),
                authority: String::new(),
                segments: segments(uri),
            });
        }
        return Resolved::Local;
    };
    let scheme = scheme.to_ascii_lowercase();
    match scheme.as_str() {
        "mlflow-artifacts" => Resolved::Local,
        "file" => {
            // file:///abs, file:/abs, file://host/abs, file:relative
            let path = rest
                .strip_prefix("//")
                .map_or(rest, |r| r.find('/').map_or("", |i| &r[i..]));
            if path.starts_with('/') {
                Resolved::Global(Location {
                    scheme: "file".into(),
                    authority: String::new(),
                    segments: segments(path),
                })
            } else {
                Resolved::Local
            }
        }
        _ => {
            let scheme = match scheme.as_str() {
                "s3a" | "s3n" => "s3".to_string(),
                "gcs" => "gs".to_string(),
                "abfss" => "abfs".to_string(),
                "wasbs" => "wasb".to_string(),
                _ => scheme,
            };
            let rest = rest.strip_prefix("//").unwrap_or(rest);
            let rest = rest.split(['?', '#']).next().unwrap_or(rest);
            let (authority, path) = match rest.find('/') {
                Some(i) => (&rest[..i], &rest[i..]),
                None => (rest, ""),
            };
            // Credentials never identify a location.
            let authority = authority.rsplit('@').next().unwrap_or(authority);
            let authority = if scheme == "wasb" || scheme == "abfs" {
                // container@account.host: keep the container, it is the bucket.
                rest.split('/').next().unwrap_or("").to_ascii_lowercase()
            } else {
                authority.to_ascii_lowercase()
            };
            Resolved::Global(Location {
                scheme,
                authority,
                segments: segments(path),
            })
        }
    }
}

fn split_scheme(uri: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = uri.split_once(':')?;
    let valid = !scheme.is_empty()
        && scheme.len() > 1 // not a Windows drive letter
        && scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some((scheme, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(s: &str) -> Location {
        match resolve(s) {
            Resolved::Global(l) => l,
            other => panic!("{s}: {other:?}"),
        }
    }

    #[test]
    fn prefixes_compare_by_segment() {
        assert!(!loc("s3://ml/team-a").overlaps(&loc("s3://ml/team-ab")));
        assert!(loc("s3://ml/mlruns").overlaps(&loc("s3://ml/mlruns/team-a/")));
        assert!(loc("S3://ML/x/").overlaps(&loc("s3a://ml/./x")));
        assert!(!loc("s3://ml/x").overlaps(&loc("gs://ml/x")));
        assert!(!loc("s3://a/x").overlaps(&loc("s3://b/x")));
        assert!(loc("file:///data/mlruns").overlaps(&loc("/data/mlruns/1")));
        assert!(loc("s3://ml").contains(&loc("s3://ml/anything")));
    }

    #[test]
    fn local_and_unknown_roots() {
        assert_eq!(resolve("mlflow-artifacts:/0"), Resolved::Local);
        assert_eq!(resolve("./mlruns"), Resolved::Local);
        assert_eq!(resolve("mlartifacts"), Resolved::Local);
        assert_eq!(resolve("$(ROOT)"), Resolved::Unknown);
        assert_eq!(resolve("C:/data").clone(), Resolved::Local);
    }
}
