//! Links between rendered artifacts: the runbook URL every alert carries and the heading anchors
//! the runbooks must have for those URLs to resolve.

use crate::model::Platform;

/// The file (relative to the rendered output) holding one section per alert of an environment.
pub fn alerts_runbook_path(platform: &Platform) -> String {
    format!("environments/{}/runbooks/alerts.md", platform.environment.name)
}

/// The URL of the runbook section for `alert`: `<observability.runbooks>/<path>#<anchor>`, or the
/// path relative to the rendered output when the spec sets no base URL.
pub fn runbook_url(platform: &Platform, alert: &str) -> String {
    let path = alerts_runbook_path(platform);
    match &platform.observability.runbooks {
        Some(base) => format!("{base}/{path}#{}", anchor(alert)),
        None => format!("{path}#{}", anchor(alert)),
    }
}

/// GitHub's anchor for a Markdown heading: lower case, punctuation other than `-` and `_` dropped,
/// spaces as `-`.
pub fn anchor(heading: &str) -> String {
    heading
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::anchor;

    #[test]
    fn anchors_follow_github() {
        assert_eq!(anchor("HighErrorRate"), "higherrorrate");
        assert_eq!(anchor("SLO burn: api (fast)"), "slo-burn-api-fast");
        assert_eq!(anchor("Database restore"), "database-restore");
    }
}
