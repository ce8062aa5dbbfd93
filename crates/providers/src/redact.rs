//! Keeping provider secrets out of text: error messages, log lines, and whatever stores them
//! (`jobs.last_error`: the worker's job runners pass every error through [`redact`]; the CLI's
//! output). The one implementation of these rules.
//!
//! Two rules, applied to every message a client builds:
//!
//! - **Known values**: each client knows its own secrets (Ticketmaster's key, setlist.fm's key,
//!   Spotify's client id and secret) and replaces them wherever they appear, also
//!   percent-encoded ([`Secrets`]).
//! - **Shapes** ([`redact`]): the value of a secret-named parameter (`apikey=...`,
//!   `client_secret=...`, `"x-api-key": "..."`, `Authorization: ...`), a bearer token
//!   (`Bearer ...`), and the password of a URL's user information (`postgres://u:...@h`).
//!
//! The source comes first: reqwest's errors are stripped of their URL before they are turned
//! into text (`reqwest::Error::without_url`), so the query string carrying Ticketmaster's key
//! never reaches a message in the first place; these rules catch a provider echoing a request
//! back in its error body, and anything that slips through.

use std::fmt;
use std::sync::LazyLock;

use regex::Regex;

/// What stands in for a secret.
pub const REDACTED: &str = "[redacted]";

/// Parameter (and header, and JSON field) names whose values are secrets, compared without
/// regard to case. A name matches at a word boundary, followed by `=` or `:` (optionally quoted
/// and spaced, for JSON and headers).
pub const SECRET_NAMES: &[&str] = &[
    "apikey",
    "api_key",
    "api-key",
    "x-api-key",
    "key",
    "access_token",
    "refresh_token",
    "id_token",
    "token",
    "client_secret",
    "client_id",
    "password",
    "passwd",
    "secret",
    "signature",
    "sig",
];

/// Secrets shorter than this are not searched for by value (they would match ordinary words);
/// real keys are 20 characters and more.
const MIN_SECRET_LEN: usize = 4;

/// `text` with the value of every secret-shaped part replaced by [`REDACTED`] (see the module
/// documentation). Text without any is returned unchanged; redacting twice changes nothing.
pub fn redact(text: &str) -> String {
    static RULES: LazyLock<[(Regex, &str); 4]> = LazyLock::new(|| {
        // A value ends at the next separator of a query string, a header list, JSON or prose.
        const VALUE: &str = r#"[^\s&;,"'<>()#{}\[\]\\]+"#;
        let names = SECRET_NAMES.join("|");
        let rule = |pattern: &str, replacement| {
            // The patterns are constants of this file, checked by its tests.
            #[allow(clippy::expect_used)]
            (Regex::new(pattern).expect("a valid pattern"), replacement)
        };
        [
            // `apikey=SECRET`, `"client_secret": "SECRET"`, `x-api-key: SECRET`: a whole name
            // (not the end of `monkey`, not `keyboard`), `=` or `:`, optional quotes and spaces.
            rule(
                &format!(r#"(?i)(^|[^\w-])((?:{names})["']?[ \t]*[=:][ \t]*["']?){VALUE}"#),
                "${1}${2}[redacted]",
            ),
            // `Authorization: Basic abc=` (and `Proxy-Authorization`): the whole value, scheme
            // included, to the end of the line or the closing quote.
            rule(
                r#"(?i)(authorization["']?[ \t]*[=:][ \t]*["']?)[^\n\r"',}]+"#,
                "${1}[redacted]",
            ),
            // `Bearer TOKEN` anywhere.
            rule(
                r"(?i)(^|[^\w-])(bearer +)[A-Za-z0-9\-._~+/=]+",
                "${1}${2}[redacted]",
            ),
            // `scheme://user:PASSWORD@host`.
            rule(r"(://[^\s/?#@:]*:)[^\s/?#@]+@", "${1}[redacted]@"),
        ]
    });
    let mut text = text.to_owned();
    for (pattern, replacement) in RULES.iter() {
        if let std::borrow::Cow::Owned(replaced) = pattern.replace_all(&text, *replacement) {
            text = replaced;
        }
    }
    text
}

/// A client's own secrets, replaced by value in every message it builds.
#[derive(Clone, Default)]
pub(crate) struct Secrets(Vec<String>);

impl Secrets {
    pub(crate) fn new(values: &[&str]) -> Self {
        let mut all = Vec::new();
        for value in values.iter().map(|v| v.trim()) {
            if value.chars().count() < MIN_SECRET_LEN {
                continue;
            }
            all.push(value.to_owned());
            // As a query string or a form carries it: `%20` or `+` for a space.
            let encoded = percent_encode(value);
            all.push(encoded.replace("%20", "+"));
            all.push(encoded);
        }
        // Longest first: a secret containing another is replaced whole.
        all.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        all.dedup();
        Self(all)
    }

    /// `text` with every known secret and every secret-shaped part redacted.
    pub(crate) fn clean(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for secret in &self.0 {
            if text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), REDACTED);
            }
        }
        redact(&text)
    }
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secrets({} redacted)", self.0.len())
    }
}

/// Percent-encoding as a query string carries a value (unreserved characters kept).
fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_parameters_headers_and_json_fields() {
        assert_eq!(
            redact(
                "error for url (https://app.ticketmaster.com/discovery/v2/events.json?apikey=AbC123&size=200)"
            ),
            "error for url (https://app.ticketmaster.com/discovery/v2/events.json?apikey=[redacted]&size=200)"
        );
        assert_eq!(redact("?size=1&APIKEY=x%2By"), "?size=1&APIKEY=[redacted]");
        assert_eq!(
            redact(r#"{"client_secret": "s3cr3t", "x-api-key":"k"}"#),
            r#"{"client_secret": "[redacted]", "x-api-key":"[redacted]"}"#
        );
        assert_eq!(redact("x-api-key: abcd-ef"), "x-api-key: [redacted]");
        assert_eq!(
            redact("Authorization: Basic aWQ6c2VjcmV0\nnext"),
            "Authorization: [redacted]\nnext"
        );
        assert_eq!(redact("sent Bearer eyJ.a-b_c"), "sent Bearer [redacted]");
        assert_eq!(
            redact("postgres://svc:pw@db:5432/x and http://h/p"),
            "postgres://svc:[redacted]@db:5432/x and http://h/p"
        );
    }

    #[test]
    fn ordinary_text_is_left_alone() {
        for text in [
            "Ticketmaster: unavailable: events: HTTP 503: upstream down",
            "the dedup key of a job",
            "monkey=1 turkey: 2 keyboard=3 tokens=4",
            "postgres://svc@db/x",
            "über=1",
            "",
        ] {
            assert_eq!(redact(text), text);
        }
        // Idempotent.
        let once = redact("a?apikey=k&b=Bearer t postgres://u:p@h");
        assert_eq!(redact(&once), once);
    }

    #[test]
    fn known_values_are_replaced_also_encoded() {
        let secrets = Secrets::new(&["tm key/1", "k"]);
        assert_eq!(
            secrets.clean("echo tm key/1 and tm%20key%2F1 or tm+key%2F1, k stays"),
            "echo [redacted] and [redacted] or [redacted], k stays"
        );
        assert!(!format!("{secrets:?}").contains("tm"));
    }
}
