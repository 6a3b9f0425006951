//! Just enough of the shell to read a `RUN`: commands separated by `&&`, `||`, `;`, `&`, `|` and
//! line breaks, each a list of words with their quotes removed.

/// One simple command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// Its words, quotes removed, leading `NAME=value` assignments included.
    pub words: Vec<String>,
    /// Whether its output is piped (`|`) into the next command.
    pub piped: bool,
}

impl Command {
    /// The words from the program on: without leading assignments
    /// (`DEBIAN_FRONTEND=noninteractive`), `sudo` or `env`.
    pub fn program(&self) -> &[String] {
        let start = self
            .words
            .iter()
            .position(|w| (w.starts_with('-') || !w.contains('=')) && w != "sudo" && w != "env")
            .unwrap_or(self.words.len());
        &self.words[start..]
    }

    /// Whether it runs `program` with `subcommand` (`apt-get install`), and the words after it.
    pub fn runs(&self, programs: &[&str], subcommands: &[&str]) -> Option<&[String]> {
        let words = self.program();
        let name = words.first()?.rsplit('/').next()?;
        if !programs.contains(&name) {
            return None;
        }
        let at = words.iter().skip(1).position(|w| !w.starts_with('-'))? + 1;
        subcommands.contains(&words[at].as_str()).then(|| &words[at + 1..])
    }
}

/// The simple commands of a shell script.
pub fn commands(script: &str) -> Vec<Command> {
    let mut out = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    let mut chars = script.chars().peekable();
    let mut finish = |words: &mut Vec<String>, word: &mut String, piped: bool| {
        if !word.is_empty() {
            words.push(std::mem::take(word));
        }
        if !words.is_empty() {
            out.push(Command { words: std::mem::take(words), piped });
        }
    };
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => quote = Some(c),
            (None, '|') if chars.peek() != Some(&'|') => finish(&mut words, &mut word, true),
            (None, '&' | '|') if chars.peek() == Some(&c) => {
                chars.next();
                finish(&mut words, &mut word, false);
            }
            (None, ';' | '&' | '\n' | '(' | ')' | '{' | '}') => finish(&mut words, &mut word, false),
            (None, c) if c.is_whitespace() => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            (None, c) => word.push(c),
        }
    }
    finish(&mut words, &mut word, false);
    out
}

/// `text` split at whitespace outside quotes, quotes kept.
pub fn words(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    let mut quote = None;
    for (idx, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => {
                quote = Some(c);
                start.get_or_insert(idx);
            }
            (None, c) if c.is_whitespace() => {
                if let Some(from) = start.take() {
                    out.push(&text[from..idx]);
                }
            }
            (None, _) => {
                start.get_or_insert(idx);
            }
        }
    }
    if let Some(from) = start {
        out.push(&text[from..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{commands, words};

    #[test]
    fn commands_pipes_and_programs() {
        let found = commands("apt-get update && DEBIAN_FRONTEND=x sudo apt-get -y install 'a b' c; curl -fsSL u | sh");
        let list: Vec<(Vec<&str>, bool)> =
            found.iter().map(|c| (c.words.iter().map(String::as_str).collect(), c.piped)).collect();
        assert_eq!(list[1].0, ["DEBIAN_FRONTEND=x", "sudo", "apt-get", "-y", "install", "a b", "c"]);
        assert_eq!(found[1].runs(&["apt-get"], &["install"]).unwrap(), ["a b", "c"]);
        assert!(found[0].runs(&["apt-get"], &["install"]).is_none());
        assert_eq!((list[2].1, list[3].0.clone()), (true, vec!["sh"]));
        assert_eq!(words("A=1 B=\"two words\""), ["A=1", "B=\"two words\""]);
    }
}
