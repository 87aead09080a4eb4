//! Reading ahead on a second thread: inflating gzip costs about as much as decoding what
//! it yields, and the two need not take turns on one core. The reader runs on a scoped
//! thread and hands over chunks through a bounded channel, so at most [`IN_FLIGHT`]
//! chunks are held beyond what the consumer has taken, and chunks come back to be
//! refilled instead of being allocated again.

use std::io::{self, Read};
use std::sync::OnceLock;
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};

/// Chunks read but not taken yet, at most.
const IN_FLIGHT: usize = 2;

/// Worth a thread: more than one core to run it on.
pub(crate) fn worthwhile() -> bool {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get())) > 1
}

/// Runs `f` with a reader that yields what `src` yields, read on another thread in
/// chunks of `chunk` bytes. Errors of `src` arrive in order, after the bytes before them.
/// The thread ends when `src` ends or fails, or soon after `f` returns.
pub(crate) fn read_ahead<R: Read + Send, T>(
    mut src: R,
    chunk: usize,
    f: impl FnOnce(&mut ReadAhead) -> T,
) -> T {
    let (to_consumer, from_reader) = sync_channel::<io::Result<Vec<u8>>>(IN_FLIGHT);
    let (to_reader, returned) = channel::<Vec<u8>>();
    std::thread::scope(|s| {
        s.spawn(move || fill(&mut src, chunk, &to_consumer, &returned));
        let mut r = ReadAhead {
            from_reader,
            to_reader,
            cur: Vec::new(),
            pos: 0,
            done: false,
        };
        // Dropped before the scope waits for the thread: a reader blocked on a full
        // channel then sees the consumer gone and stops.
        f(&mut r)
    })
}

/// The reading thread: full chunks until the source ends (an empty chunk says so) or
/// fails, or the consumer is gone.
fn fill<R: Read>(
    src: &mut R,
    chunk: usize,
    out: &SyncSender<io::Result<Vec<u8>>>,
    returned: &Receiver<Vec<u8>>,
) {
    loop {
        let mut buf = returned.try_recv().unwrap_or_default();
        buf.resize(chunk, 0);
        let mut n = 0;
        let res = loop {
            match src.read(&mut buf[n..]) {
                Ok(0) => break Ok(()),
                Ok(k) => {
                    n += k;
                    if n == buf.len() {
                        break Ok(());
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        };
        buf.truncate(n);
        let end = n == 0 || res.is_err();
        if n > 0 && out.send(Ok(buf)).is_err() {
            return;
        }
        match res {
            Err(e) => {
                let _ = out.send(Err(e));
                return;
            }
            Ok(()) if end => {
                let _ = out.send(Ok(Vec::new()));
                return;
            }
            Ok(()) => {}
        }
    }
}

/// The consumer's side of [`read_ahead`].
pub(crate) struct ReadAhead {
    from_reader: Receiver<io::Result<Vec<u8>>>,
    to_reader: Sender<Vec<u8>>,
    cur: Vec<u8>,
    pos: usize,
    done: bool,
}

impl Read for ReadAhead {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.cur.len() {
            if self.done || out.is_empty() {
                return Ok(0);
            }
            let next = match self.from_reader.recv() {
                Ok(next) => next,
                Err(_) => return Err(io::Error::other("the reading thread stopped")),
            };
            let used = std::mem::replace(&mut self.cur, next.inspect_err(|_| self.done = true)?);
            let _ = self.to_reader.send(used);
            self.pos = 0;
            self.done = self.cur.is_empty();
        }
        let n = out.len().min(self.cur.len() - self.pos);
        out[..n].copy_from_slice(&self.cur[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Yields `data` a few bytes at a time, then fails if asked to.
    struct Trickle<'a> {
        data: &'a [u8],
        fail: bool,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.data.is_empty() && self.fail {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "corrupt deflate stream",
                ));
            }
            let n = out.len().min(self.data.len()).min(7);
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn yields_the_same_bytes_then_the_same_error() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
        for chunk in [1, 10, 4096, 1 << 20] {
            let got = read_ahead(
                Trickle {
                    data: &data,
                    fail: false,
                },
                chunk,
                |r| {
                    let mut v = Vec::new();
                    r.read_to_end(&mut v).map(|_| v)
                },
            );
            assert_eq!(got.unwrap(), data, "chunk {chunk}");
            let (got, err) = read_ahead(
                Trickle {
                    data: &data,
                    fail: true,
                },
                chunk,
                |r| {
                    let mut v = Vec::new();
                    let e = r.read_to_end(&mut v).unwrap_err();
                    (v, e)
                },
            );
            assert_eq!(got, data, "chunk {chunk}");
            assert_eq!(err.to_string(), "corrupt deflate stream");
        }
    }

    #[test]
    fn a_consumer_that_stops_early_lets_the_thread_end() {
        let data = vec![1u8; 10 << 20];
        let first = read_ahead(
            Trickle {
                data: &data,
                fail: false,
            },
            4096,
            |r| {
                let mut b = [0u8; 3];
                r.read_exact(&mut b).map(|()| b)
            },
        );
        assert_eq!(first.unwrap(), [1, 1, 1]);
    }
}
