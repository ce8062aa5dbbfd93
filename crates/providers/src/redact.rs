//! Keeping provider secrets out of text: error messages, log lines, and whatever stores them
//! (`jobs.last_error`, the CLI's output).
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
/// documentation). Text without any is returned unchanged.
pub fn redact(text: &str) -> String {
    let text = redact_named_values(text);
    let text = redact_authorization(&text);
    let text = redact_bearer(&text);
    redact_userinfo(&text)
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

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

/// Where a value ends: the next separator of a query string, a header list, JSON, or prose.
fn ends_value(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '&' | ';'
                | ','
                | '"'
                | '\''
                | '<'
                | '>'
                | ')'
                | '('
                | '#'
                | '}'
                | ']'
                | '{'
                | '['
                | '\\'
        )
}

/// Whether `text` starts with `prefix`, compared without regard to ASCII case.
fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len()
        && text.is_char_boundary(prefix.len())
        && text[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// After a name: optional closing quote, spaces, `=` or `:`, spaces, optional opening quote.
/// Returns the byte offset of the value, or `None` when no assignment follows.
fn assignment(rest: &str) -> Option<usize> {
    fn skip(chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>, set: &[char]) {
        while chars.peek().is_some_and(|(_, c)| set.contains(c)) {
            chars.next();
        }
    }
    let mut chars = rest.char_indices().peekable();
    skip(&mut chars, &['"', '\'']);
    skip(&mut chars, &[' ', '\t']);
    match chars.next() {
        Some((_, '=' | ':')) => {}
        _ => return None,
    }
    skip(&mut chars, &[' ', '\t']);
    skip(&mut chars, &['"', '\'']);
    Some(chars.peek().map_or(rest.len(), |(i, _)| *i))
}

/// Byte length of the value at the start of `text`.
fn value_len(text: &str) -> usize {
    text.char_indices()
        .find(|(_, c)| ends_value(*c))
        .map_or(text.len(), |(i, _)| i)
}

/// `apikey=SECRET`, `"client_secret": "SECRET"`, `x-api-key: SECRET`.
fn redact_named_values(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut previous: Option<char> = None;
    while i < text.len() {
        let rest = &text[i..];
        if !previous.is_some_and(is_word) {
            let matched = SECRET_NAMES.iter().find_map(|name| {
                if !starts_with_ignore_case(rest, name) {
                    return None;
                }
                let after = &rest[name.len()..];
                if after.chars().next().is_some_and(is_word) {
                    return None;
                }
                assignment(after).map(|offset| name.len() + offset)
            });
            if let Some(value_at) = matched {
                let len = value_len(&rest[value_at..]);
                if len > 0 && &rest[value_at..value_at + len] != REDACTED {
                    out.push_str(&rest[..value_at]);
                    out.push_str(REDACTED);
                    i += value_at + len;
                    previous = Some(']');
                    continue;
                }
            }
        }
        let Some(c) = rest.chars().next() else {
            break;
        };
        out.push(c);
        previous = Some(c);
        i += c.len_utf8();
    }
    out
}

/// `Authorization: Basic abc=` (and `Proxy-Authorization`): the whole value, scheme included,
/// to the end of the line or the closing quote.
fn redact_authorization(text: &str) -> String {
    const NAME: &str = "authorization";
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        if starts_with_ignore_case(rest, NAME)
            && let Some(offset) = assignment(&rest[NAME.len()..])
        {
            let value_at = NAME.len() + offset;
            let value = &rest[value_at..];
            let len = value
                .char_indices()
                .find(|(_, c)| matches!(c, '\n' | '\r' | '"' | '\'' | ',' | '}'))
                .map_or(value.len(), |(i, _)| i);
            if len > 0 && !value[..len].starts_with(REDACTED) {
                out.push_str(&rest[..value_at]);
                out.push_str(REDACTED);
                i += value_at + len;
                continue;
            }
        }
        let Some(c) = rest.chars().next() else {
            break;
        };
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// `Bearer TOKEN` anywhere.
fn redact_bearer(text: &str) -> String {
    const NAME: &str = "bearer ";
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut previous: Option<char> = None;
    while i < text.len() {
        let rest = &text[i..];
        if !previous.is_some_and(is_word) && starts_with_ignore_case(rest, NAME) {
            let after = &rest[NAME.len()..];
            let spaces = after.len() - after.trim_start_matches(' ').len();
            let token = &after[spaces..];
            let len = token
                .char_indices()
                .find(|(_, c)| !(c.is_ascii_alphanumeric() || "-._~+/=".contains(*c)))
                .map_or(token.len(), |(i, _)| i);
            if len > 0 {
                out.push_str(&rest[..NAME.len() + spaces]);
                out.push_str(REDACTED);
                i += NAME.len() + spaces + len;
                previous = Some(']');
                continue;
            }
        }
        let Some(c) = rest.chars().next() else {
            break;
        };
        out.push(c);
        previous = Some(c);
        i += c.len_utf8();
    }
    out
}

/// `scheme://user:PASSWORD@host`.
fn redact_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (before, after) = rest.split_at(at + 3);
        out.push_str(before);
        let authority_len = after
            .char_indices()
            .find(|(_, c)| matches!(c, '/' | '?' | '#') || ends_value(*c))
            .map_or(after.len(), |(i, _)| i);
        let authority = &after[..authority_len];
        match authority.rfind('@').and_then(|user_end| {
            let user = &authority[..user_end];
            user.find(':').map(|colon| (colon, user_end))
        }) {
            Some((colon, user_end)) if &authority[colon + 1..user_end] != REDACTED => {
                out.push_str(&authority[..=colon]);
                out.push_str(REDACTED);
                out.push_str(&authority[user_end..]);
            }
            _ => out.push_str(authority),
        }
        rest = &after[authority_len..];
    }
    out.push_str(rest);
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
