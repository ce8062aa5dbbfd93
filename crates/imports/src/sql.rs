//! Small helpers shared by the imports: slugs, id rows, distances, predicted setlists.

use diesel::sql_types::{Bool, Text, Uuid as SqlUuid};
use diesel::{OptionalExtension, QueryableByName, sql_query};
use diesel_async::RunQueryDsl;
use theset_database::AsyncPgConnection;
use theset_database::ids::{ArtistId, SetlistId, ShowId};

#[derive(Debug, QueryableByName)]
pub(crate) struct IdRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: uuid::Uuid,
}

#[derive(Debug, QueryableByName)]
struct Valid {
    #[diesel(sql_type = Bool)]
    valid: bool,
}

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
    let valid: Valid = sql_query("SELECT is_valid_slug($1) AS valid")
        .bind::<Text, _>(&candidate)
        .get_result(conn)
        .await?;
    Ok(if valid.valid {
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

/// Great-circle distance in kilometres.
pub(crate) fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lon1) = (a.0.to_radians(), a.1.to_radians());
    let (lat2, lon2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

/// Gives a show a predicted setlist for its headliner when it has none, seeded with the
/// songs most played in the artist's 20 latest actual setlists (as many songs as those setlists
/// average), most played first, then most recently played, then by title. Empty when there is no history yet: fans fill it.
/// Returns the new setlist, or `None` when the show already had one.
pub(crate) async fn ensure_predicted_setlist(
    conn: &mut AsyncPgConnection,
    show: ShowId,
    artist: ArtistId,
) -> diesel::QueryResult<Option<SetlistId>> {
    let created: Option<IdRow> = sql_query(
        "INSERT INTO setlists (show_id, artist_id, type, name)
         SELECT $1, $2, 'predicted', 'Main Set'
         WHERE NOT EXISTS (
           SELECT 1 FROM setlists WHERE show_id = $1 AND artist_id = $2 AND type = 'predicted')
         RETURNING id",
    )
    .bind::<SqlUuid, _>(show.0)
    .bind::<SqlUuid, _>(artist.0)
    .get_result(conn)
    .await
    .optional()?;
    let Some(created) = created else {
        return Ok(None);
    };
    sql_query(
        "WITH recent AS (
           SELECT sl.id, sh.date
           FROM setlists sl JOIN shows sh ON sh.id = sl.show_id
           WHERE sl.artist_id = $2 AND sl.type = 'actual'
             AND EXISTS (SELECT 1 FROM setlist_songs ss WHERE ss.setlist_id = sl.id AND NOT ss.is_tape)
           ORDER BY sh.date DESC, sl.id
           LIMIT 20),
         history AS (
           SELECT r.id AS setlist_id, ss.song_id, r.date
           FROM recent r JOIN setlist_songs ss ON ss.setlist_id = r.id
           WHERE NOT ss.is_tape),
         usual_length AS (
           SELECT coalesce(round(avg(n)), 0)::integer AS n
           FROM (SELECT count(DISTINCT song_id) AS n FROM history GROUP BY setlist_id) per_show),
         ranked AS (
           SELECT h.song_id, count(DISTINCT h.setlist_id) AS plays, max(h.date) AS last_played,
                  so.title_key
           FROM history h JOIN songs so ON so.id = h.song_id
           GROUP BY h.song_id, so.title_key
           ORDER BY plays DESC, last_played DESC, so.title_key
           LIMIT (SELECT n FROM usual_length))
         INSERT INTO setlist_songs (setlist_id, song_id, position)
         SELECT $1, song_id,
                row_number() OVER (ORDER BY plays DESC, last_played DESC, title_key)::integer
         FROM ranked",
    )
    .bind::<SqlUuid, _>(created.id)
    .bind::<SqlUuid, _>(artist.0)
    .execute(conn)
    .await?;
    Ok(Some(SetlistId(created.id)))
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

    #[test]
    fn distances() {
        let auckland = (-36.8485, 174.7633);
        let sydney = (-33.8678, 151.2073);
        let d = distance_km(auckland, sydney);
        assert!((2150.0..2170.0).contains(&d), "{d}");
        assert!(distance_km(auckland, auckland) < 1e-9);
    }
}
