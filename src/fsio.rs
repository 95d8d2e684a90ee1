//! Reading the files that steer a run (config, baseline, policies) and
//! writing reports, safely against a hostile checkout (SPEC §1).
//!
//! A pull request can commit a `.tenantlint.yaml` or a baseline that is a
//! symbolic link to `/dev/zero` (read until memory runs out), to a FIFO
//! (opening it blocks forever), or make `--output report.json` a link to a
//! file outside the checkout (overwritten by the run). Inputs are therefore
//! read only when they are regular files, and only up to a size limit;
//! outputs are never written through a symbolic link.

use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

/// Largest config file read: a config with tens of thousands of tenants
/// is still far below it.
pub const CONFIG_LIMIT: u64 = 16 << 20;
/// Largest baseline read.
pub const BASELINE_LIMIT: u64 = 256 << 20;

/// Read `path` when it is a regular file (or a link to one) of at most
/// `limit` bytes. A FIFO, socket or device is refused before it is opened,
/// and the read stops at the limit whatever the file claims its size is.
pub fn read_limited(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    if meta.len() > limit {
        return Err(too_large(limit));
    }
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(limit));
    }
    Ok(bytes)
}

fn too_large(limit: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("larger than the limit of {} MiB", limit >> 20),
    )
}

/// The first symbolic link on the way to `path`, not counting the
/// directories that hold the current directory (the user chose to run
/// there; a link among them, such as macOS's `/tmp`, is theirs).
pub fn symlink_on_path(path: &Path) -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    let mut prefix = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::CurDir => continue,
            Component::ParentDir => {
                prefix.pop();
                continue;
            }
            c => prefix.push(c),
        }
        if cwd.starts_with(&prefix) {
            continue;
        }
        if std::fs::symlink_metadata(&prefix).is_ok_and(|m| m.file_type().is_symlink()) {
            return Some(prefix);
        }
    }
    None
}

/// Create (or truncate) `path` for writing, refusing when the path goes
/// through a symbolic link.
pub fn create_no_follow(path: &Path) -> io::Result<std::fs::File> {
    if let Some(link) = symlink_on_path(path) {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!(
                "`{}` is a symbolic link; refusing to write through it",
                link.display()
            ),
        ));
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        // Also refuse a link created between the check and the open.
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(O_NOFOLLOW);
    }
    options.open(path)
}

/// `O_NOFOLLOW`: its value differs between kernels.
#[cfg(any(target_os = "linux", target_os = "android"))]
const O_NOFOLLOW: i32 = 0o400000;
#[cfg(all(unix, not(any(target_os = "linux", target_os = "android"))))]
const O_NOFOLLOW: i32 = 0x100;

/// Write `bytes` to `path`, never through a symbolic link.
pub fn write_no_follow(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut file = create_no_follow(path)?;
    file.write_all(bytes)?;
    file.flush()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn refuses_devices_and_fifos_and_big_files() {
        let err = read_limited(Path::new("/dev/zero"), 1024).unwrap_err();
        assert_eq!(err.to_string(), "not a regular file");
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'a'; 2048]).unwrap();
        assert!(read_limited(&big, 1024).is_err());
        assert_eq!(read_limited(&big, 4096).unwrap().len(), 2048);
    }

    #[test]
    fn never_writes_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside");
        std::fs::write(&outside, "secret").unwrap();
        let link = dir.path().join("report.json");
        std::os::unix::fs::symlink(&outside, &link).unwrap();
        assert!(write_no_follow(&link, b"report").is_err());
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "secret");
        let linked_dir = dir.path().join("out");
        std::os::unix::fs::symlink(dir.path(), &linked_dir).unwrap();
        assert!(write_no_follow(&linked_dir.join("r.json"), b"report").is_err());
        let plain = dir.path().join("plain.json");
        write_no_follow(&plain, b"report").unwrap();
        write_no_follow(&plain, b"again").unwrap();
        assert_eq!(std::fs::read_to_string(&plain).unwrap(), "again");
    }
}
