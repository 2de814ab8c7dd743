//! Files the gateway writes (its history database, spool, compressed
//! copies of the console): readable by its own user only, whatever the
//! umask, in folders it creates for its own user only.

use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Mode of every file the gateway writes.
pub const FILE_MODE: u32 = 0o600;
/// Mode of every folder it creates.
pub const DIR_MODE: u32 = 0o700;

/// Creates `dir` and its missing parents, each for this user only
/// (folders that exist keep their mode: they are the operator's).
pub fn private_dir(dir: &Path) -> io::Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(dir)
}

/// Makes `path` a file for this user only: created empty if missing,
/// narrowed if it exists (a file from an older gateway).
pub fn private_file(path: &Path) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        private_dir(dir)?;
    }
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(FILE_MODE)
        .open(path)?;
    narrow(path)
}

/// Narrows an existing file to this user (nothing if it is not there).
pub fn narrow(path: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_file() && m.permissions().mode() & 0o777 != FILE_MODE => {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(FILE_MODE))
        }
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Writes `bytes` to `path` through a temporary file of this user only,
/// so a reader (or a second gateway starting at once) never sees half a
/// file; a link at `path` is replaced, never followed.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}.tmp", std::process::id()));
    let tmp = std::path::PathBuf::from(tmp);
    let _ = std::fs::remove_file(&tmp);
    {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(FILE_MODE)
            .open(&tmp)?;
        f.write_all(bytes)?;
    }
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_gateway_writes_is_its_own_whatever_the_umask() {
        let dir = tempfile::tempdir().expect("dir");
        // SAFETY: umask(2) only sets the process's file mode mask.
        let before = unsafe { libc::umask(0o022) };
        let nested = dir.path().join("a/b");
        private_file(&nested.join("history.sqlite")).expect("file");
        write_atomically(&dir.path().join("x.br"), b"x").expect("write");
        // SAFETY: as above, restoring the mask.
        unsafe { libc::umask(before) };
        let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&nested.join("history.sqlite")), FILE_MODE);
        assert_eq!(mode(&nested), DIR_MODE);
        assert_eq!(mode(&dir.path().join("a")), DIR_MODE);
        assert_eq!(mode(&dir.path().join("x.br")), FILE_MODE);
        std::fs::set_permissions(
            nested.join("history.sqlite"),
            std::fs::Permissions::from_mode(0o644),
        )
        .expect("chmod");
        private_file(&nested.join("history.sqlite")).expect("again");
        assert_eq!(mode(&nested.join("history.sqlite")), FILE_MODE);
    }
}
