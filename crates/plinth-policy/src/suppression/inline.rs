//! Inline suppressions: `# plinth:ignore RULE[,RULE…] reason="…" until=YYYY-MM-DD` in any format
//! with `#` comments (YAML, HCL, Dockerfiles), at the end of the finding's line or on the line above.

use super::{Scope, Suppression};
use crate::lines::LineIndex;

/// The marker that starts a directive inside a comment.
const MARKER: &str = "plinth:ignore";

/// Every `# plinth:ignore` directive of a file.
pub fn comments(path: &str, lines: &LineIndex<'_>) -> Vec<Suppression> {
    let mut out = Vec::new();
    for (number, line) in lines.lines() {
        let Some(idx) = line.find(MARKER) else { continue };
        // A comment starts at `#` at the start of the line or after whitespace.
        let before = line[..idx].trim_end();
        if !before.strip_suffix('#').is_some_and(|b| b.is_empty() || b.ends_with(char::is_whitespace)) {
            continue;
        }
        let column = line[..idx].chars().count() + 1;
        let mut suppression = directive(&line[idx + MARKER.len()..]);
        suppression.scope = Scope::Line(number);
        suppression.at = (path.to_owned(), number, column);
        out.push(suppression);
    }
    out
}

/// Reads the words after the marker: the rule ids, then `key=value` or `key="quoted value"` pairs.
fn directive(text: &str) -> Suppression {
    let mut suppression = Suppression {
        rules: Vec::new(),
        reason: None,
        until: None,
        problem: None,
        scope: Scope::Line(0),
        at: (String::new(), 0, 0),
    };
    let mut rest = text.trim_start();
    let (rules, after) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    suppression.rules = rules.split(',').filter(|r| !r.is_empty()).map(str::to_owned).collect();
    if suppression.rules.is_empty() {
        suppression.problem = Some("no rule id after `plinth:ignore`".to_owned());
    }
    rest = after.trim_start();
    while !rest.is_empty() {
        let Some((key, after_key)) = rest.split_once('=') else {
            suppression.problem = Some(format!("expected key=value, found `{rest}`"));
            break;
        };
        let (value, after_value) = match after_key.strip_prefix('"') {
            Some(quoted) => match quoted.split_once('"') {
                Some(pair) => pair,
                None => {
                    suppression.problem = Some(format!("unterminated quote after {key}="));
                    (quoted, "")
                }
            },
            None => after_key.split_once(char::is_whitespace).unwrap_or((after_key, "")),
        };
        match key.trim() {
            "reason" => suppression.reason = Some(value.to_owned()),
            "until" => suppression.until = Some(value.to_owned()),
            other => suppression.problem = Some(format!("unknown key `{other}` (use reason= and until=)")),
        }
        rest = after_value.trim_start();
    }
    suppression
}

#[cfg(test)]
mod tests {
    use super::comments;
    use crate::lines::LineIndex;

    #[test]
    fn directives_with_rules_reason_and_expiry() {
        let text = "a: 1 # plinth:ignore PL-K8S-001,PL-K8S-002 reason=\"needs root\" until=2030-01-01\n\
                    # plinth:ignore PL-K8S-003\nurl: http://x#plinth:ignore\n#plinth:ignore X reason=a=b oops\n";
        let found = comments("f.yaml", &LineIndex::new(text));
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].rules, ["PL-K8S-001", "PL-K8S-002"]);
        assert_eq!(found[0].reason.as_deref(), Some("needs root"));
        assert_eq!(found[0].until.as_deref(), Some("2030-01-01"));
        assert_eq!(found[0].at, ("f.yaml".to_owned(), 1, 8));
        assert_eq!((found[1].reason.as_deref(), found[1].problem.as_deref()), (None, None));
        assert_eq!(found[2].reason.as_deref(), Some("a=b"));
        assert!(found[2].problem.is_some());
    }
}
