//! [`Profile::save`]: writing a profile to a file without ever leaving a damaged one.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::profile::Profile;

impl Profile {
    /// Writes the profile to `path`, gzipped (the form `go tool pprof` writes) or raw.
    ///
    /// The bytes go to a temporary file beside `path`, which is flushed to disk and then
    /// renamed over `path`: a full disk, a crash or an interrupt leaves either the old
    /// file or the new one, never a truncated mix, and the temporary file is removed
    /// on failure.
    ///
    /// ```
    /// # use pprof_format::{Profile, ProfileBuilder};
    /// let mut b = ProfileBuilder::new();
    /// b.sample_type("samples", "count").comment("saved");
    /// let p = b.build().unwrap();
    /// let path = std::env::temp_dir().join(format!("save-doc-{}.pb.gz", std::process::id()));
    /// p.save(&path, true).unwrap();
    /// assert_eq!(Profile::open(&path).unwrap(), p);
    /// # std::fs::remove_file(&path).unwrap();
    /// ```
    pub fn save(&self, path: impl AsRef<Path>, gzip: bool) -> Result<()> {
        let mut f = AtomicFile::create(path.as_ref())?;
        let path = f.path.clone();
        if gzip {
            self.write_gzip(&mut f).map_err(|e| match e {
                Error::Write(source) => Error::Save { path, source },
                other => other,
            })?;
        } else {
            f.write_all(&self.encode())
                .map_err(|source| Error::Save { path, source })?;
        }
        f.commit()
    }
}

/// A file written in full or not at all: the bytes go to a temporary file beside the
/// destination, which [`AtomicFile::commit`] flushes, `fsync`s and renames over it.
/// Dropped without a commit (an error, a panic), the temporary file is removed and the
/// destination is as it was. A program that can be interrupted removes
/// [`AtomicFile::temp_path`] in its signal handler (the `gprofops` command does).
///
/// ```
/// use std::io::Write;
/// use pprof_format::AtomicFile;
/// let path = std::env::temp_dir().join(format!("atomic-doc-{}.txt", std::process::id()));
/// std::fs::write(&path, "old").unwrap();
/// let mut f = AtomicFile::create(&path).unwrap();
/// f.write_all(b"new").unwrap();
/// assert_eq!(std::fs::read(&path).unwrap(), b"old"); // not yet
/// f.commit().unwrap();
/// assert_eq!(std::fs::read(&path).unwrap(), b"new");
/// # std::fs::remove_file(&path).unwrap();
/// ```
pub struct AtomicFile {
    path: PathBuf,
    tmp: PathBuf,
    /// `None` once committed.
    w: Option<std::io::BufWriter<std::fs::File>>,
    /// The temporary file became the destination.
    renamed: bool,
}

impl AtomicFile {
    /// Creates the temporary file for `path` (`DIR/.NAME.PID.tmp`: the same file system,
    /// so the rename is atomic). Errors are [`Error::Save`] naming `path`.
    pub fn create(path: impl AsRef<Path>) -> Result<AtomicFile> {
        let path = path.as_ref().to_path_buf();
        let tmp = temp_path(&path);
        let f = std::fs::File::create(&tmp).map_err(|source| Error::Save {
            path: path.clone(),
            source,
        })?;
        Ok(AtomicFile {
            path,
            tmp,
            w: Some(std::io::BufWriter::with_capacity(1 << 16, f)),
            renamed: false,
        })
    }

    /// The temporary file being written (removed by `commit`'s rename or on drop).
    pub fn temp_path(&self) -> &Path {
        &self.tmp
    }

    /// Flushes the bytes to disk and renames the temporary file over the destination.
    pub fn commit(mut self) -> Result<()> {
        let io = |source| Error::Save {
            path: self.path.clone(),
            source,
        };
        let w = self.w.take().expect("an AtomicFile is committed once");
        let f = w.into_inner().map_err(|e| io(e.into_error()))?;
        f.sync_all().map_err(io)?;
        drop(f);
        // On an error, `drop` removes the temporary file.
        std::fs::rename(&self.tmp, &self.path).map_err(io)?;
        self.renamed = true;
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.w.as_mut().map_or(Ok(0), |w| w.write(buf))
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        match self.w.as_mut() {
            Some(w) => w.write_all(buf),
            None => Err(std::io::ErrorKind::BrokenPipe.into()),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.w.as_mut().map_or(Ok(()), |w| w.flush())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.renamed {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// `DIR/.NAME.PID.tmp` beside `path` (same file system, so the rename is atomic).
fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "profile".into());
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

#[cfg(test)]
mod tests {
    use crate::{Profile, ProfileBuilder};

    fn profile(comment: &str) -> Profile {
        let mut b = ProfileBuilder::new();
        b.sample_type("samples", "count").comment(comment);
        b.build().unwrap()
    }

    #[test]
    fn replaces_an_existing_file_raw_and_gzipped() {
        let dir = std::env::temp_dir().join(format!("pprof-save-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("out.pb");
        profile("old").save(&path, false).unwrap();
        let new = profile("new");
        new.save(&path, true).unwrap();
        assert_eq!(Profile::open(&path).unwrap(), new);
        // Only the profile is left: no temporary file.
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_failed_write_keeps_the_old_file() {
        let dir = std::env::temp_dir().join(format!("pprof-save-fail-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("out.pb.gz");
        let old = profile("old");
        old.save(&path, true).unwrap();
        // A directory where the temporary file would go makes the write fail.
        std::fs::create_dir(dir.join(format!(".out.pb.gz.{}.tmp", std::process::id()))).unwrap();
        let err = profile("new").save(&path, true).unwrap_err();
        assert!(matches!(err, crate::Error::Save { .. }), "{err}");
        assert!(err.to_string().starts_with("writing "), "{err}");
        assert_eq!(Profile::open(&path).unwrap(), old);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
