//! nginx configuration as structure: directives and blocks, printed with four-space indentation
//! and arguments quoted only where nginx's tokenizer needs it.

/// One item of an nginx configuration file.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `name arg …;`
    Directive(Vec<String>),
    /// `name arg … { items }`
    Block(Vec<String>, Vec<Item>),
    /// `# text`
    Comment(String),
    /// An empty line between groups.
    Blank,
}

/// A directive from its words.
pub fn directive<S: AsRef<str>>(words: &[S]) -> Item {
    Item::Directive(words.iter().map(|w| w.as_ref().to_owned()).collect())
}

/// A block from its head words and body.
pub fn block<S: AsRef<str>>(head: &[S], body: Vec<Item>) -> Item {
    Item::Block(head.iter().map(|w| w.as_ref().to_owned()).collect(), body)
}

/// A comment line.
pub fn comment(text: impl Into<String>) -> Item {
    Item::Comment(text.into())
}

/// Prints a file: a `#` header, then the items.
pub fn print(header: &str, items: &[Item]) -> String {
    let mut out = String::new();
    for line in header.lines() {
        push_comment(&mut out, 0, line);
    }
    if !header.is_empty() && !items.is_empty() {
        out.push('\n');
    }
    print_items(&mut out, 0, items);
    out
}

fn print_items(out: &mut String, depth: usize, items: &[Item]) {
    for item in items {
        match item {
            Item::Directive(words) => {
                indent(out, depth);
                out.push_str(&words.iter().map(|w| quote(w)).collect::<Vec<_>>().join(" "));
                out.push_str(";\n");
            }
            Item::Block(head, body) => {
                indent(out, depth);
                out.push_str(&head.iter().map(|w| quote(w)).collect::<Vec<_>>().join(" "));
                out.push_str(" {\n");
                print_items(out, depth + 1, body);
                indent(out, depth);
                out.push_str("}\n");
            }
            Item::Comment(text) => push_comment(out, depth, text),
            Item::Blank => out.push('\n'),
        }
    }
}

fn push_comment(out: &mut String, depth: usize, text: &str) {
    indent(out, depth);
    out.push('#');
    if !text.is_empty() {
        out.push(' ');
        out.push_str(text);
    }
    out.push('\n');
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("    ");
    }
}

/// A word as nginx reads it back: bare when it holds nothing the tokenizer treats specially,
/// otherwise double-quoted with `"` and `\` escaped.
fn quote(word: &str) -> String {
    let special = |c: char| c.is_whitespace() || matches!(c, ';' | '{' | '}' | '#' | '"' | '\'' | '\\');
    if !word.is_empty() && !word.chars().any(special) {
        return word.to_owned();
    }
    let mut quoted = String::from("\"");
    for c in word.chars() {
        if matches!(c, '"' | '\\') {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_nested_blocks_and_quotes_where_needed() {
        let items = vec![
            directive(&["worker_processes", "auto"]),
            Item::Blank,
            block(
                &["http"],
                vec![
                    comment("headers"),
                    directive(&["add_header", "X-Frame-Options", "DENY", "always"]),
                    directive(&["add_header", "Content-Security-Policy", "default-src 'self'", "always"]),
                    block(&["location", "~*", r"\.[0-9a-f]{8}\.js$"], vec![directive(&["return", "204"])]),
                    directive(&["proxy_set_header", "Connection", ""]),
                ],
            ),
        ];
        assert_eq!(
            print("a header", &items),
            r#"# a header

worker_processes auto;

http {
    # headers
    add_header X-Frame-Options DENY always;
    add_header Content-Security-Policy "default-src 'self'" always;
    location ~* "\\.[0-9a-f]{8}\\.js$" {
        return 204;
    }
    proxy_set_header Connection "";
}
"#
        );
    }
}
