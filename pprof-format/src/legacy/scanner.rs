//! Line-by-line reading with the semantics of Go's `bufio.Scanner` (lines split on `\n`,
//! a trailing `\r` dropped, no empty final line), which the reference parsers' control
//! flow depends on: `text()` is the current line, `""` once input is exhausted.

/// A cursor over the lines of a text profile.
pub(crate) struct Scanner<'a> {
    rest: &'a [u8],
    cur: &'a [u8],
    /// 1-based number of the current line (0 before the first `scan`).
    pub line: usize,
}

impl<'a> Scanner<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Scanner {
            rest: data,
            cur: b"",
            line: 0,
        }
    }

    /// Advances to the next line; false at the end of input.
    pub fn scan(&mut self) -> bool {
        if self.rest.is_empty() {
            self.cur = b"";
            return false;
        }
        let (line, rest) = match memchr::memchr(b'\n', self.rest) {
            Some(i) => (&self.rest[..i], &self.rest[i + 1..]),
            None => (self.rest, &b""[..]),
        };
        self.cur = line.strip_suffix(b"\r").unwrap_or(line);
        self.rest = rest;
        self.line += 1;
        true
    }

    /// The current line.
    pub fn text(&self) -> &'a [u8] {
        self.cur
    }

    /// The lines after the current one.
    pub fn remaining(&mut self) -> impl Iterator<Item = &'a [u8]> + '_ {
        std::iter::from_fn(move || self.scan().then_some(self.cur))
    }

    /// google/pprof's `parseAdditionalSections`: skips to a memory-map sentinel line (the
    /// current line included) and returns the lines after it.
    pub fn after_memory_map(&mut self) -> impl Iterator<Item = &'a [u8]> + '_ {
        while !super::model::is_memory_map_sentinel(self.cur) && self.scan() {}
        self.remaining()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_like_bufio_scanner() {
        let mut s = Scanner::new(b"a\r\nb\n\nc");
        let mut got = Vec::new();
        while s.scan() {
            got.push(s.text());
        }
        assert_eq!(got, vec![&b"a"[..], b"b", b"", b"c"]);
        assert_eq!(s.text(), b"");
        assert_eq!(s.line, 4);
        let mut s = Scanner::new(b"x\n");
        assert!(s.scan());
        assert!(!s.scan());
    }
}
