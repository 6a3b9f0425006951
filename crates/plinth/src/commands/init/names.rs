//! The naming rules of `plinth.yaml` that `plinth init` checks before it writes, and turning a
//! directory or compose name into a valid one.

/// `Web_App` → `web-app`: lowercase letters, digits and single `-`, starting with a letter, at most
/// `max` characters; `None` when nothing is left.
pub fn dns_label(raw: &str, max: usize) -> Option<String> {
    let mut out = String::new();
    for c in raw.chars().map(|c| c.to_ascii_lowercase()) {
        if c.is_ascii_lowercase() || (c.is_ascii_digit() && !out.is_empty()) {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.truncate(max);
    let out = out.trim_end_matches('-');
    (!out.is_empty()).then(|| out.to_owned())
}

/// The application name: a DNS label of at most 40 characters starting with a letter.
pub fn is_app_name(name: &str) -> bool {
    dns_label(name, 40).as_deref() == Some(name)
}

/// A region such as `ap-south-1`.
pub fn is_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[..parts.len() - 1].iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].len() == 1
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
}

/// An environment variable name as the spec accepts it (`JWT_SECRET`).
pub fn is_env_name(name: &str) -> bool {
    name.bytes().next().is_some_and(|b| b.is_ascii_uppercase() || b == b'_')
        && name.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// A PostgreSQL database name as the spec accepts it (`auth_service`).
pub fn is_database_name(name: &str) -> bool {
    name.len() <= 63
        && name.bytes().next().is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(dns_label("Web_App", 63).as_deref(), Some("web-app"));
        assert_eq!(dns_label("2fast--api_", 63).as_deref(), Some("fast-api"));
        assert_eq!(dns_label("__", 63), None);
        assert!(is_app_name("business-app") && !is_app_name("Shop") && !is_app_name("a-"));
        assert!(is_region("ap-south-1") && is_region("us-gov-west-1") && !is_region("mumbai"));
    }
}
