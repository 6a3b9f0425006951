//! Byte offsets → 1-based line and column (in characters), and the text of a line.

/// The start of every line of a text, for fast position lookups.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes `text`.
    pub fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(idx, _)| idx + 1)).collect();
        LineIndex { text, starts }
    }

    /// The 1-based line and column of byte `offset` (clamped to the text).
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&start| start <= offset) - 1;
        let start = self.starts[line];
        let column = self.text.get(start..offset).map_or(offset - start, |before| before.chars().count());
        (line + 1, column + 1)
    }

    /// The byte offset of 1-based `line` and `column` (clamped to the line).
    pub fn offset(&self, line: usize, column: usize) -> usize {
        let Some(&start) = self.starts.get(line.wrapping_sub(1)) else { return self.text.len() };
        let text = self.line(line);
        start + text.char_indices().nth(column.saturating_sub(1)).map_or(text.len(), |(idx, _)| idx)
    }

    /// The text of 1-based `line`, without its line break (empty past the end).
    pub fn line(&self, line: usize) -> &'a str {
        let Some(&start) = self.starts.get(line.wrapping_sub(1)) else { return "" };
        let end = self.starts.get(line).map_or(self.text.len(), |next| next - 1);
        self.text[start..end].trim_end_matches('\r')
    }

    /// Every line with its 1-based number.
    pub fn lines(&self) -> impl Iterator<Item = (usize, &'a str)> + '_ {
        (1..=self.starts.len()).map(|line| (line, self.line(line)))
    }
}

#[cfg(test)]
mod tests {
    use super::LineIndex;

    #[test]
    fn positions_and_lines() {
        let index = LineIndex::new("ab\nçd\r\n\nx");
        assert_eq!(index.position(0), (1, 1));
        assert_eq!(index.position(3), (2, 1));
        assert_eq!(index.position(5), (2, 2));
        assert_eq!(index.position(100), (4, 2));
        assert_eq!(index.line(2), "çd");
        assert_eq!(index.lines().count(), 4);
        assert_eq!(index.line(9), "");
        assert_eq!(index.offset(2, 2), 5);
        assert_eq!(index.offset(4, 9), 10);
    }
}
