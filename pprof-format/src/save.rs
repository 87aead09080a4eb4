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
        let path = path.as_ref();
        let io = |source| Error::Save {
            path: path.to_path_buf(),
            source,
        };
        let tmp = temp_path(path);
        let written = (|| -> Result<()> {
            let f = std::fs::File::create(&tmp).map_err(io)?;
            let mut w = std::io::BufWriter::new(f);
            if gzip {
                self.write_gzip(&mut w).map_err(|e| match e {
                    Error::Write(source) => io(source),
                    other => other,
                })?;
            } else {
                w.write_all(&self.encode()).map_err(io)?;
            }
            let f = w.into_inner().map_err(|e| io(e.into_error()))?;
            f.sync_all().map_err(io)?;
            std::fs::rename(&tmp, path).map_err(io)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written
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
