//! A small Markdown writer: headings, paragraphs, lists, fenced code and tables, with blank lines
//! where CommonMark needs them, and links to other runbooks' headings by GitHub's anchors.

use plinth_spec::links::anchor;

/// A Markdown document being written.
#[derive(Debug, Default)]
pub struct Markdown {
    text: String,
}

impl Markdown {
    /// A document starting with its `# title`.
    pub fn new(title: &str) -> Self {
        let mut doc = Markdown::default();
        doc.heading(1, title);
        doc
    }

    /// A heading of `level` (1 to 6).
    pub fn heading(&mut self, level: usize, text: &str) -> &mut Self {
        self.block(&format!("{} {text}", "#".repeat(level.clamp(1, 6))))
    }

    /// A paragraph.
    pub fn para(&mut self, text: &str) -> &mut Self {
        self.block(text)
    }

    /// A bulleted list.
    pub fn bullets<I, S>(&mut self, items: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let lines: Vec<String> = items.into_iter().map(|item| format!("- {}", item.as_ref())).collect();
        if lines.is_empty() { self } else { self.block(&lines.join("\n")) }
    }

    /// A numbered list.
    pub fn steps<I, S>(&mut self, items: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let lines: Vec<String> =
            items.into_iter().enumerate().map(|(idx, item)| format!("{}. {}", idx + 1, item.as_ref())).collect();
        if lines.is_empty() { self } else { self.block(&lines.join("\n")) }
    }

    /// A fenced code block in `language`.
    pub fn code<I, S>(&mut self, language: &str, lines: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let body: Vec<String> = lines.into_iter().map(|line| line.as_ref().to_owned()).collect();
        self.block(&format!("```{language}\n{}\n```", body.join("\n")))
    }

    /// A table; cells' `|` are escaped.
    pub fn table(&mut self, header: &[&str], rows: &[Vec<String>]) -> &mut Self {
        let row = |cells: Vec<String>| format!("| {} |", cells.join(" | "));
        let mut lines = vec![
            row(header.iter().map(|h| (*h).to_owned()).collect()),
            row(header.iter().map(|_| "---".to_owned()).collect()),
        ];
        lines.extend(rows.iter().map(|cells| row(cells.iter().map(|c| c.replace('|', "\\|")).collect())));
        self.block(&lines.join("\n"))
    }

    /// The document's text.
    pub fn finish(self) -> String {
        self.text
    }

    fn block(&mut self, text: &str) -> &mut Self {
        if !self.text.is_empty() {
            self.text.push('\n');
        }
        self.text.push_str(text);
        self.text.push('\n');
        self
    }
}

/// A link to `heading` of the runbook `file` (`rollback.md`), or to the file when `heading` is
/// `None`: `[text](rollback.md#service-api)`.
pub fn link(text: &str, file: &str, heading: Option<&str>) -> String {
    match heading {
        Some(heading) => format!("[{text}]({file}#{})", anchor(heading)),
        None => format!("[{text}]({file})"),
    }
}

/// Inline code.
pub fn code(text: &str) -> String {
    format!("`{text}`")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_separated_by_blank_lines() {
        let mut doc = Markdown::new("Title");
        doc.para("text").bullets(["a", "b"]).code("bash", ["ls"]).table(&["x"], &[vec!["a|b".to_owned()]]);
        assert_eq!(doc.finish(), "# Title\n\ntext\n\n- a\n- b\n\n```bash\nls\n```\n\n| x |\n| --- |\n| a\\|b |\n");
        assert_eq!(link("API", "rollback.md", Some("Service api")), "[API](rollback.md#service-api)");
    }
}
