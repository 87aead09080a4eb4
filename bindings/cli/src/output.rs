//! Output files: written whole or not at all ([`pprof::AtomicFile`]), also when the
//! command is interrupted. SIGINT, SIGTERM or SIGHUP during a write removes the temporary
//! file and exits with status 128 + the signal's number, so OUT keeps its old contents
//! (the default action of those signals would leave the temporary file behind); SIGXFSZ
//! (a file-size limit) is caught, so the write fails with an error that removes it.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once, PoisonError};

use profile_ops::pprof::{self, AtomicFile};

/// Temporary files being written, removed by the signal handler.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Handles the signals that end a write (see the module's documentation). Where that
/// fails, an interrupt may leave the temporary file; OUT is intact either way.
fn catch_signals() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM, SIGXFSZ};
    let _ = signal_hook::flag::register(SIGXFSZ, Default::default());
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            let pending = PENDING.lock().unwrap_or_else(PoisonError::into_inner);
            for tmp in pending.iter() {
                let _ = std::fs::remove_file(tmp);
            }
            std::process::exit(128 + sig);
        }
    });
}

/// An output file being written; [`Output::commit`] puts it in place.
pub struct Output {
    /// `None` once committed.
    file: Option<AtomicFile>,
    tmp: PathBuf,
}

impl Output {
    /// Starts writing `path` (the file appears only on [`Output::commit`]).
    pub fn create(path: &Path) -> pprof::Result<Output> {
        static HANDLER: Once = Once::new();
        HANDLER.call_once(catch_signals);
        let file = AtomicFile::create(path)?;
        let tmp = file.temp_path().to_path_buf();
        PENDING
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(tmp.clone());
        Ok(Output {
            file: Some(file),
            tmp,
        })
    }

    /// Flushes, syncs and renames the file over its destination.
    pub fn commit(mut self) -> pprof::Result<()> {
        self.file.take().map_or(Ok(()), AtomicFile::commit)
    }

    fn file(&mut self) -> std::io::Result<&mut AtomicFile> {
        self.file
            .as_mut()
            .ok_or_else(|| std::io::ErrorKind::BrokenPipe.into())
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        // The file is renamed or removed (by `AtomicFile`'s drop) by now.
        drop(self.file.take());
        PENDING
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|p| *p != self.tmp);
    }
}

impl std::io::Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file()?.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.file()?.write_all(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file()?.flush()
    }
}
