//! Slugs for imported rows (a URL slug from readable parts plus a stable suffix).

use diesel_async::RunQueryDsl;
use theset_database::AsyncPgConnection;
use theset_database::sql::is_valid_slug;

/// A URL slug from readable parts plus a stable suffix (derived from the source's id), so the
/// same source row always gets the same slug and two rows never collide. Letters of every
/// script are kept; PostgreSQL's `is_valid_slug` has the last word (falling back to the
/// prefix and suffix alone).
pub(crate) async fn slug(
    conn: &mut AsyncPgConnection,
    prefix: &str,
    parts: &[&str],
    stable_id: &str,
) -> diesel::QueryResult<String> {
    let suffix = short_hash(stable_id);
    let mut words = String::new();
    for part in parts {
        for c in part.chars().flat_map(char::to_lowercase) {
            if c.is_alphabetic() || c.is_ascii_digit() {
                words.push(c);
            } else if !words.ends_with('-') && !words.is_empty() {
                words.push('-');
            }
        }
        if !words.is_empty() && !words.ends_with('-') {
            words.push('-');
        }
    }
    let words: String = words.trim_matches('-').chars().take(150).collect();
    let words = words.trim_matches('-');
    let candidate = if words.is_empty() {
        format!("{prefix}-{suffix}")
    } else {
        format!("{words}-{suffix}")
    };
    let valid: bool = diesel::select(is_valid_slug(&candidate))
        .get_result(conn)
        .await?;
    Ok(if valid {
        candidate
    } else {
        format!("{prefix}-{suffix}")
    })
}

/// 12 hex digits of FNV-1a over `value`: stable across runs and builds.
pub(crate) fn short_hash(value: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in value.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:012x}", hash & 0xffff_ffff_ffff)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_stable() {
        assert_eq!(short_hash("Z7r9jZ1AdJ9uP"), short_hash("Z7r9jZ1AdJ9uP"));
        assert_ne!(short_hash("a"), short_hash("b"));
        assert_eq!(short_hash("").len(), 12);
    }
}
