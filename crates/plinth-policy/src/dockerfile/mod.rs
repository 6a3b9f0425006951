//! A Dockerfile split into its instructions, each with the 1-based line it starts on.
//!
//! No crate on crates.io parses today's Dockerfiles with positions: `dockerfile-parser` (pest) has
//! spans but rejects heredocs (`RUN <<EOF`) and the `# escape=` directive, and
//! `dockerfile-parser-rs` keeps no positions. This splitter follows the Dockerfile reference
//! instead: parser directives at the top, whole-line comments (also inside a continued
//! instruction), the escape character (`\`, or `` ` `` after `# escape=`) continuing a line, and
//! heredoc bodies (`<<EOF`, `<<-"EOF"`) kept as part of their instruction. It never fails: a line
//! that is not an instruction becomes one with its first word as keyword, which no rule knows.

mod shell;

pub use shell::{Command, commands};

use crate::rule::RuleDoc;

/// A rule over a whole Dockerfile.
#[derive(Debug, Clone, Copy)]
pub struct DockerfileRule {
    /// Identity and documentation.
    pub doc: RuleDoc,
    /// Pushes one [`LineHit`] per violation found in the Dockerfile.
    pub check: fn(&Dockerfile, &mut Vec<LineHit>),
}

/// One place a Dockerfile rule found broken: the 1-based line of the instruction, and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineHit {
    /// The line of the instruction at fault (of the `FROM` of a stage that lacks something).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl LineHit {
    /// A hit at the instruction `at`.
    pub fn new(at: &Instruction, message: impl Into<String>) -> Self {
        LineHit { line: at.line, message: message.into() }
    }
}

/// A parsed Dockerfile.
#[derive(Debug, Clone, Default)]
pub struct Dockerfile {
    /// Every instruction, in order.
    pub instructions: Vec<Instruction>,
}

/// One instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// The 1-based line its keyword is on.
    pub line: usize,
    /// The keyword, upper-cased (`RUN`).
    pub keyword: String,
    /// Everything after the keyword, continuation lines joined with a space and heredoc bodies
    /// appended after a line break.
    pub arguments: String,
}

impl Dockerfile {
    /// Splits `text` into instructions.
    pub fn parse(text: &str) -> Self {
        let escape = escape_character(text);
        let mut instructions = Vec::new();
        let mut lines = text.lines().enumerate().map(|(idx, line)| (idx + 1, line.trim_end_matches('\r')));
        while let Some((number, line)) = lines.next() {
            let trimmed = line.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let mut joined = String::new();
            let mut current = trimmed;
            loop {
                match current.trim_end().strip_suffix(escape) {
                    Some(continued) => {
                        joined.push_str(continued);
                        joined.push(' ');
                    }
                    None => {
                        joined.push_str(current);
                        break;
                    }
                }
                // Comment lines and blank lines inside a continued instruction are skipped.
                let next = lines.by_ref().map(|(_, l)| l.trim_start()).find(|l| !l.is_empty() && !l.starts_with('#'));
                match next {
                    Some(next) => current = next,
                    None => break,
                }
            }
            for delimiter in heredocs(&joined) {
                joined.push('\n');
                for (_, body) in lines.by_ref() {
                    if body.trim_start_matches('\t') == delimiter {
                        break;
                    }
                    joined.push_str(body);
                    joined.push('\n');
                }
            }
            let (keyword, arguments) = joined.split_once(char::is_whitespace).unwrap_or((&joined, ""));
            instructions.push(Instruction {
                line: number,
                keyword: keyword.to_ascii_uppercase(),
                arguments: arguments.trim().to_owned(),
            });
        }
        Dockerfile { instructions }
    }

    /// The last stage, the one that becomes the image (empty when there is no `FROM`).
    pub fn final_stage(&self) -> &[Instruction] {
        let start = self.instructions.iter().rposition(|i| i.keyword == "FROM");
        start.map_or(&[], |start| &self.instructions[start..])
    }

    /// Every instruction with `keyword`.
    pub fn all<'a>(&'a self, keyword: &'a str) -> impl Iterator<Item = &'a Instruction> {
        self.instructions.iter().filter(move |i| i.keyword == keyword)
    }
}

impl Instruction {
    /// The arguments as words, without the leading `--flag=value` options (`--platform=…`,
    /// `--chown=…`, `--mount=…`).
    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.arguments.split_whitespace().skip_while(|w| w.starts_with("--"))
    }

    /// The value of option `--name=value` given before the arguments.
    pub fn option(&self, name: &str) -> Option<&str> {
        self.arguments
            .split_whitespace()
            .take_while(|w| w.starts_with("--"))
            .find_map(|w| w[2..].strip_prefix(name)?.strip_prefix('='))
    }

    /// The shell command of a `RUN` (or `CMD`, `ENTRYPOINT`): the shell form as written, the
    /// exec form (`["apt-get", "install", "x"]`) joined with spaces.
    pub fn command(&self) -> String {
        let mut rest = self.arguments.as_str();
        while rest.starts_with("--") {
            rest = rest.split_once(char::is_whitespace).map_or("", |(_, after)| after.trim_start());
        }
        serde_json::from_str::<Vec<String>>(rest).map_or_else(|_| rest.to_owned(), |exec| exec.join(" "))
    }

    /// `KEY=value` pairs of `ENV`, `ARG` or `LABEL` (also the legacy `ENV KEY value`), with
    /// quotes removed; a key without `=` (an `ARG` without default) has no value.
    pub fn pairs(&self) -> Vec<(&str, Option<String>)> {
        let args = self.arguments.trim();
        match args.split_once(char::is_whitespace) {
            Some((key, value)) if !key.contains('=') && self.keyword == "ENV" => {
                vec![(key, Some(unquote(value.trim())))]
            }
            _ => shell::words(args)
                .into_iter()
                .map(|word| match word.split_once('=') {
                    Some((key, value)) => (key, Some(unquote(value))),
                    None => (word, None),
                })
                .collect(),
        }
    }
}

/// The escape character set by a `# escape=` parser directive at the top, or `\`.
fn escape_character(text: &str) -> char {
    for line in text.lines() {
        let Some(directive) = line.trim().strip_prefix('#') else { break };
        let Some((key, value)) = directive.split_once('=') else { break };
        if key.trim().eq_ignore_ascii_case("escape") && value.trim() == "`" {
            return '`';
        }
    }
    '\\'
}

/// The delimiters of the heredocs an instruction opens (`<<EOF`, `<<-EOF`, `<<"EOF"`), in order.
fn heredocs(instruction: &str) -> Vec<String> {
    instruction
        .match_indices("<<")
        .filter_map(|(idx, _)| {
            let rest = instruction[idx + 2..].trim_start_matches('-');
            let word: String = rest.chars().take_while(|c| !c.is_whitespace() && !";|&>".contains(*c)).collect();
            let word = unquote(&word);
            (!word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')).then_some(word)
        })
        .collect()
}

/// `value` without one pair of surrounding quotes.
fn unquote(value: &str) -> String {
    ['"', '\''].iter().find_map(|q| value.strip_prefix(*q).and_then(|v| v.strip_suffix(*q))).unwrap_or(value).to_owned()
}

#[cfg(test)]
mod tests {
    use super::Dockerfile;

    #[test]
    fn instructions_continuations_comments_and_heredocs() {
        let text = "# syntax=docker/dockerfile:1\nARG BASE=alpine\nFROM $BASE AS build\nRUN apk add \\\n  # a comment\n\n  curl\n\
                    RUN <<EOF\nset -e\necho hi\nEOF\nuser app\nFROM scratch\nCOPY --from=build /x /x\n";
        let file = Dockerfile::parse(text);
        let lines: Vec<(usize, &str)> = file.instructions.iter().map(|i| (i.line, i.keyword.as_str())).collect();
        assert_eq!(lines, [(2, "ARG"), (3, "FROM"), (4, "RUN"), (8, "RUN"), (12, "USER"), (13, "FROM"), (14, "COPY")]);
        assert_eq!(file.instructions[2].arguments, "apk add  curl");
        assert_eq!(file.instructions[3].command(), "<<EOF\nset -e\necho hi");
        assert_eq!(file.final_stage().len(), 2);
        assert_eq!(file.instructions[6].option("from"), Some("build"));
        assert_eq!(file.instructions[6].words().collect::<Vec<_>>(), ["/x", "/x"]);
    }

    #[test]
    fn escape_directive_exec_form_and_pairs() {
        let file = Dockerfile::parse(
            "# escape=`\nFROM x\nRUN [\"apt-get\", \"install\", `\n  \"curl\"]\nENV A=1 B=\"two words\"\nENV C three words\n",
        );
        assert_eq!(file.instructions[1].command(), "apt-get install curl");
        assert_eq!(file.instructions[2].pairs(), [("A", Some("1".to_owned())), ("B", Some("two words".to_owned()))]);
        assert_eq!(file.instructions[3].pairs(), [("C", Some("three words".to_owned()))]);
    }
}
