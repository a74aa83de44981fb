//! Received bytes cut into whole lines.

use super::MAX_LINE;

/// Cuts received bytes into lines (without their line breaks). Complete lines are kept until
/// taken; the line still arriving stays at the end of `bytes`. A line longer than MAX_LINE bytes
/// keeps its first MAX_LINE bytes and the rest is dropped: a line without an end must not grow
/// memory without bound.
#[derive(Default)]
pub(super) struct LineSplitter {
    bytes: Vec<u8>,
    /// Where each complete line ends in `bytes`.
    ends: Vec<usize>,
}

impl LineSplitter {
    /// Takes in all of `chunk` and says how much that was.
    pub(super) fn feed(&mut self, chunk: &[u8]) -> usize {
        for piece in chunk.split_inclusive(|&b| b == b'\n') {
            let (text, complete) = match piece.split_last() {
                Some((b'\n', text)) => (text, true),
                _ => (piece, false),
            };
            let room = MAX_LINE.saturating_sub(self.bytes.len() - self.start());
            self.bytes.extend_from_slice(&text[..text.len().min(room)]);
            if complete {
                self.ends.push(self.bytes.len());
            }
        }
        chunk.len()
    }

    /// The stream ended: a last line without a line break still counts.
    pub(super) fn finish(&mut self) {
        if self.bytes.len() > self.start() {
            self.ends.push(self.bytes.len());
        }
    }

    /// Where the line still arriving starts.
    pub(super) fn start(&self) -> usize {
        self.ends.last().copied().unwrap_or(0)
    }

    /// The complete lines, oldest first.
    pub(super) fn lines(&self) -> impl Iterator<Item = &[u8]> {
        let mut from = 0;
        self.ends.iter().map(move |&end| {
            let line = &self.bytes[from..end];
            from = end;
            line
        })
    }

    /// Forgets the complete lines, keeping the one still arriving.
    pub(super) fn clear_lines(&mut self) {
        let start = self.start();
        self.bytes.drain(..start);
        self.ends.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taken(splitter: &mut LineSplitter) -> Vec<String> {
        let lines = splitter
            .lines()
            .map(|l| String::from_utf8_lossy(l).into_owned())
            .collect();
        splitter.clear_lines();
        lines
    }

    #[test]
    fn chunks_become_whole_lines_whatever_the_cuts() {
        let mut splitter = LineSplitter::default();
        assert_eq!(splitter.feed(b"one\ntw"), 6);
        assert_eq!(taken(&mut splitter), ["one"]);
        splitter.feed(b"o\n\nthr");
        splitter.feed(b"ee\r\nfour");
        assert_eq!(taken(&mut splitter), ["two", "", "three\r"]);
        assert!(
            taken(&mut splitter).is_empty(),
            "a line still arriving is not handed out"
        );
        splitter.finish();
        assert_eq!(taken(&mut splitter), ["four"], "the last line needs no line break");
        splitter.finish();
        assert!(taken(&mut splitter).is_empty());
    }

    #[test]
    fn an_endless_line_is_cut_and_the_next_one_kept() {
        let mut splitter = LineSplitter::default();
        let chunk = vec![b'x'; MAX_LINE / 2 + 1];
        for _ in 0..5 {
            splitter.feed(&chunk);
        }
        splitter.feed(b"xx\nnext\n");
        let lines = taken(&mut splitter);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].len(), MAX_LINE);
        assert_eq!(lines[1], "next");
    }
}
