//! The one "does this look like a secret" heuristic of the rules: whether a variable, key or
//! attribute name holds a credential ([`is_secret_name`]), whether a value is a reference filled
//! in elsewhere rather than a literal ([`is_reference`]), whether a URL carries a literal password
//! ([`url_has_password`]), and the three together ([`leak`]).

/// Words that mark a credential on their own (`DB_PASSWORD`, `SMTP_PASS`, `GITHUB_TOKEN`).
const SECRET_WORDS: &[&str] = &["PASS", "CREDENTIAL", "CREDENTIALS"];

/// Words that mark a credential, alone or as the end of a run-together word (`DBPASSWORD`,
/// `AUTHTOKEN`, `APIKEY`).
const SECRET_ENDINGS: &[&str] =
    &["PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY", "ACCESSKEY", "PRIVATEKEY", "SECRETKEY", "AUTHKEY"];

/// First words of `…_KEY` names that hold a key (`API_KEY`, `SIGNING_KEY`); a plain `KEY` can be a
/// lookup key or a key's name, so it needs one of these before it.
const KEY_KINDS: &[&str] = &["API", "ACCESS", "PRIVATE", "SECRET", "SIGNING", "ENCRYPTION", "MASTER", "AUTH"];

/// Last words of names that say something about a credential rather than hold it
/// (`PASSWORD_FILE`, `TOKEN_URL`, `PASSWORD_MIN_LENGTH`, `AWS_ACCESS_KEY_ID`).
const ABOUT_A_SECRET: &[&str] = &[
    "FILE", "PATH", "DIR", "NAME", "ID", "ARN", "REF", "TYPE", "URL", "URI", "ENDPOINT", "HOST", "PORT", "USER",
    "HEADER", "TTL", "EXPIRY", "LENGTH", "TIMEOUT", "ENABLED",
];

/// Whether a variable, key or attribute named `name` holds a credential.
///
/// The name is split into words (at `_`, `-`, `.` and other punctuation, and where camelCase turns
/// to upper case) and compared case-insensitively, word by word: `DB_PASSWORD`, `smtpPass`,
/// `STRIPE_API_KEY`, `client-secret` and `GOOGLE_CREDENTIALS` hold one; `PASSWORD_FILE`,
/// `TOKEN_URL`, `PASSWORD_MIN_LENGTH`, `BYPASS` and `TOKENIZER` do not.
pub fn is_secret_name(name: &str) -> bool {
    let words = words(name);
    if words.last().is_some_and(|last| ABOUT_A_SECRET.contains(&last.as_str())) {
        return false;
    }
    let secret_word = |word: &String| {
        SECRET_WORDS.contains(&word.as_str()) || SECRET_ENDINGS.iter().any(|ending| word.ends_with(ending))
    };
    words.iter().any(secret_word)
        || words.windows(2).any(|pair| pair[1] == "KEY" && KEY_KINDS.contains(&pair[0].as_str()))
}

/// The upper-cased words of a name.
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut previous_lower = false;
    for ch in name.chars() {
        if !ch.is_ascii_alphanumeric() {
            words.extend((!word.is_empty()).then(|| std::mem::take(&mut word)));
            previous_lower = false;
            continue;
        }
        if ch.is_ascii_uppercase() && previous_lower {
            words.push(std::mem::take(&mut word));
        }
        previous_lower = ch.is_ascii_lowercase() || ch.is_ascii_digit();
        word.push(ch.to_ascii_uppercase());
    }
    words.extend((!word.is_empty()).then_some(word));
    words
}

/// Whether `value` holds no literal: it is empty (or blank), or it takes its content from a
/// reference filled in elsewhere: `${VAR}` and `$VAR` (compose, shell, Terraform), `$(VAR)`
/// (Kubernetes env), `${{ expression }}` (GitHub Actions) or `{{ template }}` (Helm, Jinja). `$$`
/// is an escaped dollar, not a reference.
pub fn is_reference(value: &str) -> bool {
    let value = value.trim();
    let bytes = value.as_bytes();
    if bytes.is_empty() {
        return true;
    }
    let mut idx = 0;
    while idx + 1 < bytes.len() {
        match (bytes[idx], bytes[idx + 1]) {
            (b'$', b'$') => idx += 2,
            (b'$', next) if next == b'{' || next == b'(' || next == b'_' || next.is_ascii_alphabetic() => return true,
            (b'{', b'{') if value[idx..].contains("}}") => return true,
            _ => idx += 1,
        }
    }
    false
}

/// What a literal `value` under `name` leaks, if anything: a URL with a literal password whatever
/// the name, or a credential when the name marks one and the value is not a reference.
pub fn leak(name: &str, value: &str) -> Option<&'static str> {
    if url_has_password(value) {
        return Some("URL with a password");
    }
    (is_secret_name(name) && !is_reference(value)).then_some("credential")
}

/// Whether `value` holds a URL with a literal password (`scheme://user:password@host`).
pub fn url_has_password(value: &str) -> bool {
    let Some((_, rest)) = value.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let Some((userinfo, _)) = authority.rsplit_once('@') else {
        return false;
    };
    let Some((_, password)) = userinfo.split_once(':') else {
        return false;
    };
    !is_reference(password)
}

#[cfg(test)]
mod tests {
    use super::{is_reference, is_secret_name, leak, url_has_password};

    #[test]
    fn names_that_hold_a_secret() {
        for name in [
            "DB_PASSWORD",
            "POSTGRES_PASSWORD",
            "MYSQL_ROOT_PASSWD",
            "SMTP_PASS",
            "JWT_SECRET",
            "client-secret",
            "GITHUB_TOKEN",
            "accessToken",
            "AUTHTOKEN",
            "STRIPE_API_KEY",
            "apiKey",
            "APIKEY",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_ACCESS_KEY",
            "TLS_PRIVATE_KEY",
            "SIGNING_KEY",
            "ENCRYPTION_KEY",
            "MASTER_KEY",
            "GOOGLE_CREDENTIALS",
            "master_password",
            "secret_key",
            "password",
            "app.secret",
        ] {
            assert!(is_secret_name(name), "{name} holds a secret");
        }
    }

    #[test]
    fn names_about_a_secret_or_unrelated() {
        for name in [
            "POSTGRES_PASSWORD_FILE",
            "DB_PASSWORD_PATH",
            "SECRETS_DIR",
            "PASSWORD_MIN_LENGTH",
            "TOKEN_TTL",
            "ACCESS_TOKEN_TTL",
            "TOKEN_URL",
            "SESSION_SECRET_PATH",
            "AWS_ACCESS_KEY_ID",
            "kms_key_id",
            "secret_arn",
            "DB_USER",
            "LOG_LEVEL",
            "BYPASS",
            "PASSPORT_NUMBER",
            "TOKENIZER_MODEL",
            "KEY",
            "CACHE_KEY",
            "topologyKey",
            "",
        ] {
            assert!(!is_secret_name(name), "{name} holds no secret");
        }
    }

    #[test]
    fn references_and_literals() {
        for value in [
            "",
            "  ",
            "${DB_PASSWORD}",
            "${DB_PASSWORD:?write it to .env}",
            "${REDIS_PASSWORD-}",
            "$GITHUB_TOKEN",
            "$(FROM_SECRET)",
            "$(A)$(B)",
            "Bearer $(TOKEN)",
            "${{ secrets.NPM_TOKEN }}",
            "{{ .Values.password }}",
        ] {
            assert!(is_reference(value), "{value:?} is a reference");
        }
        for value in ["hunter2", "p@$$word", "price: 5$", "{{ unclosed", "s3cret-pw"] {
            assert!(!is_reference(value), "{value:?} is a literal");
        }
    }

    #[test]
    fn passwords_in_urls() {
        assert!(url_has_password("postgres://app:s3cret@db:5432/app"));
        assert!(url_has_password("postgres://app:s3cret@db:5432/$(DB_NAME)"));
        assert!(!url_has_password("rediss://:$(REDIS_PASSWORD)@redis:6379"));
        assert!(!url_has_password("postgres://app:${DB_PASSWORD}@db:5432/app"));
        assert!(!url_has_password("postgres://app@db/app"));
        assert!(!url_has_password("postgres://app:@db/app"));
        assert!(!url_has_password("https://auth.example.com/oauth/token"));
        assert!(!url_has_password("not a url"));
    }

    #[test]
    fn credentials_by_name_and_in_urls() {
        assert_eq!(leak("DB_PASSWORD", "hunter2"), Some("credential"));
        assert_eq!(leak("STRIPE_API_KEY", "sk_live_x"), Some("credential"));
        assert_eq!(leak("DATABASE_URL", "postgres://app:s3cret@db/app"), Some("URL with a password"));
        assert_eq!(leak("PASSWORD_FILE", "/run/secrets/db"), None);
        assert_eq!(leak("TOKEN_URL", "https://auth/token"), None);
        assert_eq!(leak("REDIS_URL", "rediss://:$(REDIS_PASSWORD)@redis:6379"), None);
        assert_eq!(leak("PORT", "3000"), None);
        assert_eq!(leak("DB_PASSWORD", "$(FROM_SECRET)"), None);
        assert_eq!(leak("DB_PASSWORD", ""), None);
    }
}
