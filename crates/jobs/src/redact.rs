//! Keeping secrets out of `jobs.last_error` and the runner's log lines: the sink's defence in
//! depth. A handler's error should carry no key in the first place (the provider clients
//! redact at the source, `theset_providers::redact`); whatever text still reaches
//! [`crate::runner`] passes through [`redact_secrets`] before it is logged or stored.
//!
//! The rules are those of `theset_providers::redact` (this crate does not depend on the
//! provider clients; keep the two alike): the value of a secret-named parameter (`apikey=...`,
//! `client_secret=...`, `"x-api-key": "..."`, `Authorization: ...`), a bearer token
//! (`Bearer ...`), and the password of a URL's user information (`postgres://u:...@h`).

/// What stands in for a secret.
pub const REDACTED: &str = "[redacted]";

/// Parameter (and header, and JSON field) names whose values are secrets, compared without
/// regard to case, at a word boundary, followed by `=` or `:` (optionally quoted and spaced).
const SECRET_NAMES: &[&str] = &[
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

/// `text` with the value of every secret-shaped part replaced by [`REDACTED`]: what the runner
/// stores as `last_error` and logs, and what the CLI prints of a job's error.
pub fn redact_secrets(text: &str) -> String {
    let text = redact_named_values(text);
    let text = redact_authorization(&text);
    let text = redact_bearer(&text);
    redact_userinfo(&text)
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
    fn secret_parameters_tokens_and_passwords() {
        assert_eq!(
            redact_secrets(
                "Ticketmaster: unavailable: error sending request for url \
                 (https://app.ticketmaster.com/discovery/v2/events.json?apikey=AbC123&size=200)"
            ),
            "Ticketmaster: unavailable: error sending request for url \
             (https://app.ticketmaster.com/discovery/v2/events.json?apikey=[redacted]&size=200)"
        );
        assert_eq!(
            redact_secrets(r#"{"client_secret": "s3cr3t"} x-api-key: k1 Bearer t.o-k"#),
            r#"{"client_secret": "[redacted]"} x-api-key: [redacted] Bearer [redacted]"#
        );
        assert_eq!(
            redact_secrets("Authorization: Basic aWQ6c2VjcmV0"),
            "Authorization: [redacted]"
        );
        assert_eq!(
            redact_secrets("postgres://svc:pw@db/x"),
            "postgres://svc:[redacted]@db/x"
        );
    }

    #[test]
    fn ordinary_errors_are_left_alone() {
        for text in [
            "boom number 2",
            "the key is wrong",
            "worker w1 stopped renewing its lease at 2026-01-01 00:00:00+00",
            "database: could not serialize access; keyboard=1",
            "über: é",
        ] {
            assert_eq!(redact_secrets(text), text);
        }
        let once = redact_secrets("?apikey=k Bearer t postgres://u:p@h");
        assert_eq!(redact_secrets(&once), once);
    }
}
