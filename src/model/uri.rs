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

/// An absolute path with `.`, `..`, empty segments and trailing slashes
/// resolved: `/data//mlruns/./1/` → `/data/mlruns/1`.
pub fn normalize_path(path: &str) -> String {
    format!("/{}", segments(path).join("/"))
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

/// Like [`resolve`], but also places the URIs that are local to one server
/// — `mlflow-artifacts:` (scheme `mlflow-artifacts`) and relative paths
/// (scheme `relative`) — so that URIs known to belong to the same server or
/// file store can be compared with each other.
pub fn scoped_location(uri: &str) -> Option<Location> {
    match resolve(uri) {
        Resolved::Global(l) => Some(l),
        Resolved::Unknown => None,
        Resolved::Local => {
            let uri = uri.trim();
            let (scheme, rest) = match split_scheme(uri) {
                Some((s, rest)) if s.eq_ignore_ascii_case("mlflow-artifacts") => {
                    ("mlflow-artifacts", rest)
                }
                Some((s, rest)) if s.eq_ignore_ascii_case("file") => ("relative", rest),
                Some(_) => return None,
                None => ("relative", uri),
            };
            let (authority, path) = match rest.strip_prefix("//") {
                Some(r) => match r.find('/') {
                    Some(i) => (r[..i].to_ascii_lowercase(), &r[i..]),
                    None => (r.to_ascii_lowercase(), ""),
                },
                None => (String::new(), rest),
            };
            Some(Location {
                scheme: scheme.to_string(),
                authority,
                segments: segments(path),
            })
        }
    }
}

/// A tracking server's backend or registry store, as far as telling two
/// apart needs: credentials, driver and query are dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Store {
    /// `sqlite://` or `sqlite:///:memory:`: an in-memory database.
    Memory,
    /// A sqlite file (`sqlite:///rel.db`, `sqlite:////abs.db`) or a file
    /// store directory (`./mlruns`, `file:///data/mlruns`), as written:
    /// absolute or relative to the server's working directory.
    Path { path: String, sqlite: bool },
    /// A database server: the dialect without its driver (`postgresql`,
    /// `mysql`, `mssql`), host as written (lowercase), port (the dialect's
    /// default when absent) and database name.
    Database {
        family: String,
        host: String,
        port: Option<u16>,
        database: String,
    },
    /// Not comparable: unexpanded variables, Databricks, unknown schemes.
    Unknown,
}

/// Parse a backend or registry store URI (SQLAlchemy URL or file store path).
pub fn parse_store(uri: &str) -> Store {
    parse_store_in_env(uri, |_| Some(None))
}

/// [`parse_store`] for a server whose environment has the libpq variables
/// `libpq(name)` (`PGHOST`, `PGPORT`, `PGDATABASE`): `Some(Some(value))`
/// when set, `Some(None)` when unset, `None` when set from somewhere that
/// cannot be read. As libpq does, they fill in the parts of a
/// `postgresql://` URI that it leaves out (`postgresql://`,
/// `postgresql+psycopg2://user@/`); a part left to a variable that cannot
/// be read makes the store unknown.
pub fn parse_store_in_env(uri: &str, libpq: impl Fn(&str) -> Option<Option<String>>) -> Store {
    let uri = uri.trim();
    if uri.is_empty() || uri.contains('$') {
        return Store::Unknown;
    }
    if matches!(uri, "databricks" | "databricks-uc" | "uc") {
        return Store::Unknown;
    }
    let Some((scheme, rest)) = split_scheme(uri) else {
        return Store::Path {
            path: uri.to_string(),
            sqlite: false,
        };
    };
    let scheme = scheme.to_ascii_lowercase();
    let dialect = scheme.split('+').next().unwrap_or("");
    match dialect {
        "file" => {
            let path = rest
                .strip_prefix("//")
                .map_or(rest, |r| r.find('/').map_or("", |i| &r[i..]));
            if path.is_empty() {
                return Store::Unknown;
            }
            Store::Path {
                path: path.to_string(),
                sqlite: false,
            }
        }
        "sqlite" => {
            let Some(after) = rest.strip_prefix("//") else {
                return Store::Unknown;
            };
            let (path, query) = after.split_once('?').unwrap_or((after, ""));
            // `sqlite:///x.db` is relative, `sqlite:////x.db` absolute.
            let path = path.strip_prefix('/').unwrap_or(path);
            if path.is_empty() || path == ":memory:" || query.contains("mode=memory") {
                return Store::Memory;
            }
            Store::Path {
                path: path.to_string(),
                sqlite: true,
            }
        }
        "postgresql" | "postgres" | "mysql" | "mariadb" | "mssql" | "oracle" => {
            let family = match dialect {
                "postgres" => "postgresql",
                "mariadb" => "mysql",
                d => d,
            };
            let Some(rest) = rest.strip_prefix("//") else {
                return Store::Unknown;
            };
            let rest = rest.split(['?', '#']).next().unwrap_or(rest);
            let (authority, database) = rest.split_once('/').unwrap_or((rest, ""));
            let hostport = authority.rsplit('@').next().unwrap_or(authority);
            let (host, port) = split_host_port(hostport);
            let (mut host, mut port, mut database) = (
                host.to_string(),
                port,
                database.trim_end_matches('/').to_string(),
            );
            if family == "postgresql" {
                for (var, missing) in [
                    ("PGHOST", host.is_empty()),
                    ("PGPORT", port.is_none()),
                    ("PGDATABASE", database.is_empty()),
                ] {
                    if !missing {
                        continue;
                    }
                    let Some(value) = libpq(var) else {
                        return Store::Unknown;
                    };
                    let Some(value) = value.map(|v| v.trim().to_string()) else {
                        continue;
                    };
                    match var {
                        "PGHOST" => host = value,
                        "PGPORT" => match value.parse() {
                            Ok(p) => port = Some(p),
                            Err(_) => return Store::Unknown,
                        },
                        _ => database = value,
                    }
                }
            }
            let port = port.or(match family {
                "postgresql" => Some(5432),
                "mysql" => Some(3306),
                "mssql" => Some(1433),
                "oracle" => Some(1521),
                _ => None,
            });
            Store::Database {
                family: family.to_string(),
                host: host.to_ascii_lowercase(),
                port,
                database,
            }
        }
        _ => Store::Unknown,
    }
}

fn split_host_port(s: &str) -> (&str, Option<u16>) {
    if let Some(v6) = s.strip_prefix('[') {
        return match v6.split_once(']') {
            Some((host, rest)) => (host, rest.strip_prefix(':').and_then(|p| p.parse().ok())),
            None => (s, None),
        };
    }
    match s.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) && !port.is_empty() => {
            (host, port.parse().ok())
        }
        _ => (s, None),
    }
}

/// Byte ranges of literal passwords in the `user:password@` part of every
/// URI in `text`. A password that is a variable reference (`$(DB_PASSWORD)`,
/// `${DB_PASSWORD}`, `$DB_PASSWORD`), a template (`{{ … }}`) or a
/// placeholder (`<password>`) is not literal.
pub fn literal_passwords(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("://") {
        let start = from + i + 3;
        let end = text[start..]
            .find(|c: char| {
                matches!(c, '/' | '?' | '#' | '"' | '\'' | '`' | ',' | ';') || c.is_whitespace()
            })
            .map_or(text.len(), |j| start + j);
        let authority = &text[start..end];
        if let Some(at) = authority.rfind('@')
            && let Some(colon) = authority[..at].find(':')
        {
            let password = &authority[colon + 1..at];
            let placeholder = password.starts_with('<') && password.ends_with('>');
            if !password.is_empty()
                && !password.contains('$')
                && !password.contains("{{")
                && !placeholder
            {
                out.push(start + colon + 1..start + at);
            }
        }
        from = end.max(start);
    }
    out
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

    #[test]
    fn stores_normalise_driver_port_and_credentials() {
        let a = parse_store("postgresql+psycopg2://user:pw@DB.example:5432/mlflow");
        let b = parse_store("postgresql://db.example/mlflow?sslmode=require");
        assert_eq!(a, b);
        assert_ne!(a, parse_store("postgresql://db.example/other"));
        assert_eq!(
            parse_store("mysql+pymysql://u:p@mysql-service:3306/model_db"),
            Store::Database {
                family: "mysql".into(),
                host: "mysql-service".into(),
                port: Some(3306),
                database: "model_db".into()
            }
        );
        assert_eq!(parse_store("sqlite:///:memory:"), Store::Memory);
        assert_eq!(parse_store("sqlite://"), Store::Memory);
        assert_eq!(
            parse_store("sqlite:////data/mlflow.db"),
            Store::Path {
                path: "/data/mlflow.db".into(),
                sqlite: true
            }
        );
        assert_eq!(
            parse_store("sqlite:///mlflow.db"),
            Store::Path {
                path: "mlflow.db".into(),
                sqlite: true
            }
        );
        assert_eq!(
            parse_store("file:///mnt/mlruns"),
            Store::Path {
                path: "/mnt/mlruns".into(),
                sqlite: false
            }
        );
        assert_eq!(parse_store("$(MLFLOW_TRACKING_URI)"), Store::Unknown);
        let env = |var: &str| match var {
            "PGHOST" => Some(Some("DB.platform".to_string())),
            "PGDATABASE" => Some(Some("mlflow".to_string())),
            "PGPORT" => None,
            _ => Some(None),
        };
        assert_eq!(
            parse_store_in_env("postgresql://u@:5433/", env),
            Store::Database {
                family: "postgresql".into(),
                host: "db.platform".into(),
                port: Some(5433),
                database: "mlflow".into()
            }
        );
        // The port is left to a variable that cannot be read.
        assert_eq!(parse_store_in_env("postgresql://", env), Store::Unknown);
        // The URI's own parts win; other dialects ignore libpq.
        assert_eq!(
            parse_store_in_env("postgresql://h:5432/db", env),
            parse_store("postgresql://h/db")
        );
        assert_eq!(
            parse_store_in_env("mysql://h/db", env),
            parse_store("mysql://h/db")
        );
        assert_eq!(parse_store("databricks"), Store::Unknown);
    }

    #[test]
    fn scoped_locations_of_local_uris() {
        let exp = scoped_location("mlflow-artifacts:/1").unwrap();
        assert!(exp.contains(&scoped_location("mlflow-artifacts:/1/abc/artifacts").unwrap()));
        assert!(!exp.contains(&scoped_location("mlflow-artifacts:/2/abc").unwrap()));
        let rel = scoped_location("./mlruns/1").unwrap();
        assert!(rel.contains(&scoped_location("mlruns/1/abc/artifacts").unwrap()));
        assert_eq!(scoped_location("s3://b/x"), Some(loc("s3://b/x")));
        assert_eq!(scoped_location("$(X)"), None);
    }

    #[test]
    fn literal_passwords_in_uris() {
        let text = "postgresql+psycopg2://user:password@postgres:5432/airflow";
        let found = literal_passwords(text);
        assert_eq!(found.len(), 1);
        assert_eq!(&text[found[0].clone()], "password");
        assert!(literal_passwords("postgresql://u:$(DB_PASSWORD)@h/db").is_empty());
        assert!(literal_passwords("postgresql://u:${P}@h/db http://mlflow@h:5000").is_empty());
        assert!(literal_passwords("s3://bucket/a:b@c").is_empty());
        let two = "x https://a:b@h and mysql://c:d@e/f";
        let found: Vec<&str> = literal_passwords(two)
            .into_iter()
            .map(|r| &two[r])
            .collect();
        assert_eq!(found, ["b", "d"]);
    }
}
