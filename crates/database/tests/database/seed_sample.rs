//! The sample data in seeds/: loads, is idempotent, fails cleanly, and the queries find it.

use std::path::{Path, PathBuf};

use chrono::Utc;
use diesel::sql_types::{BigInt, Text};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use theset_database::enums::SetlistType;
use theset_database::models::{Show, Vote};
use theset_database::pagination::Key;
use theset_database::search::search;
use theset_database::seed::sample::{SampleData, SeedError};
use theset_database::testing::TestDatabase;

fn seeds() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../seeds")
}

#[derive(QueryableByName)]
struct Snapshot {
    #[diesel(sql_type = Text)]
    rows: String,
}

/// Every row of every table (without updated_at), in a stable order.
async fn snapshot(conn: &mut AsyncPgConnection) -> String {
    let mut all = String::new();
    for table in [
        "users",
        "artists",
        "songs",
        "venues",
        "shows",
        "show_artists",
        "setlists",
        "setlist_songs",
        "votes",
    ] {
        let rows: Snapshot = sql_query(format!(
            "SELECT coalesce(string_agg((to_jsonb(t) - 'updated_at')::text, E'\\n' ORDER BY t.id), '') AS rows FROM {table} t"
        ))
        .get_result(conn)
        .await
        .unwrap();
        all.push_str(&rows.rows);
    }
    all
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn count(conn: &mut AsyncPgConnection, sql: &str) -> i64 {
    sql_query(sql).get_result::<Count>(conn).await.unwrap().n
}

#[tokio::test]
async fn the_sample_data_meets_its_brief_and_loads_twice_to_the_same_rows() {
    let data = SampleData::read(&seeds()).unwrap();
    assert!(data.artists.len() >= 12);
    assert!(
        data.artists.iter().any(|a| !a.name.is_ascii()),
        "names with accents or other scripts"
    );
    assert!(data.venues.len() >= 10);
    let zones: std::collections::HashSet<_> =
        data.venues.iter().map(|v| v.timezone.as_str()).collect();
    assert!(zones.len() >= 5);
    assert!(
        data.users
            .iter()
            .any(|u| u.role == theset_database::UserRole::Moderator)
    );
    assert!(
        data.users
            .iter()
            .any(|u| u.role == theset_database::UserRole::Admin)
    );

    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let today = Utc::now().date_naive();
    let report = data.apply(&mut conn, today).await.unwrap();
    assert_eq!(report.shows, data.shows.len());
    assert!(report.votes > 0);
    let first = snapshot(&mut conn).await;
    data.apply(&mut conn, today).await.unwrap();
    assert_eq!(
        snapshot(&mut conn).await,
        first,
        "a second run leaves the same rows"
    );

    // What the brief asks the data to show, as stored.
    assert!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM shows WHERE starts_at < now()"
        )
        .await
            > 0
    );
    assert!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM shows WHERE starts_at > now()"
        )
        .await
            > 0
    );
    assert!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM setlist_songs WHERE encore > 0"
        )
        .await
            > 0
    );
    assert!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM setlist_songs WHERE is_tape"
        )
        .await
            > 0
    );
    assert!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM setlist_songs WHERE cover_artist_name IS NOT NULL"
        )
        .await
            > 0
    );
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM setlist_songs ss WHERE upvotes <> (SELECT count(*) FROM votes v WHERE v.setlist_song_id = ss.id AND vote_type = 'up')").await,
        0
    );
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM shows s WHERE vote_count <> (SELECT count(*) FROM votes v JOIN setlist_songs ss ON ss.id = v.setlist_song_id JOIN setlists sl ON sl.id = ss.setlist_id WHERE sl.show_id = s.id)").await,
        0,
        "totals folded at the end of the load"
    );

    // The queries on seeded data: a past show's page carries its actual setlist.
    let past = data.shows.iter().find(|s| s.actual.is_some()).unwrap();
    let details = Show::details(&mut conn, &Key::parse(&past.slug))
        .await
        .unwrap();
    let actual = details
        .setlists
        .iter()
        .find(|s| s.setlist.type_ == SetlistType::Actual)
        .unwrap();
    let played: usize = past
        .actual
        .as_ref()
        .unwrap()
        .sets
        .iter()
        .map(|s| s.songs.len())
        .sum();
    assert_eq!(actual.songs.len(), played);
    assert!(actual.setlist.source_url.is_some());
    // Every accented or non-Latin artist name is found by its plain, lower-case spelling.
    for artist in data.artists.iter().filter(|a| !a.name.is_ascii()) {
        let plain: String = artist.name.to_lowercase();
        let hits = search(&mut conn, &plain, 5).await.unwrap();
        assert_eq!(
            hits.artists[..].first().map(|h| h.slug.as_str()),
            Some(artist.slug.as_str()),
            "searching {plain:?}"
        );
    }
    let upcoming = data
        .shows
        .iter()
        .find(|s| s.predicted.as_ref().is_some_and(|p| !p.votes.is_empty()))
        .unwrap();
    let show = Show::find_by_key(&mut conn, &Key::parse(&upcoming.slug))
        .await
        .unwrap();
    let voter = data
        .users
        .iter()
        .find(|u| u.email == upcoming.predicted.as_ref().unwrap().votes[0].user)
        .unwrap();
    assert!(
        !Vote::on_show(&mut conn, theset_database::ids::UserId(voter.id), show.id)
            .await
            .unwrap()
            .is_empty()
    );
}

fn copy_seeds(to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for file in ["users.json", "artists.json", "venues.json", "shows.json"] {
        std::fs::copy(seeds().join(file), to.join(file)).unwrap();
    }
}

#[tokio::test]
async fn a_bad_seed_file_names_the_file_and_record_and_changes_nothing() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let dir = std::env::temp_dir().join(format!("theset-seeds-{}", db.name()));

    // Malformed JSON.
    copy_seeds(&dir);
    std::fs::write(dir.join("venues.json"), "[{\"slug\": ").unwrap();
    let err = SampleData::read(&dir).unwrap_err();
    assert!(
        matches!(&err, SeedError::File { file, .. } if file.ends_with("venues.json")),
        "{err}"
    );

    // A reference to a venue that does not exist.
    copy_seeds(&dir);
    let mut shows: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("shows.json")).unwrap()).unwrap();
    let slug = shows[0]["slug"].as_str().unwrap().to_owned();
    shows[0]["venue"] = "nowhere-hall".into();
    std::fs::write(dir.join("shows.json"), shows.to_string()).unwrap();
    let err = SampleData::read(&dir).unwrap_err().to_string();
    assert!(
        err.contains("shows.json") && err.contains(&slug) && err.contains("nowhere-hall"),
        "{err}"
    );

    // A value only the database refuses: the load fails naming the record, and rolls back.
    copy_seeds(&dir);
    let mut venues: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("venues.json")).unwrap()).unwrap();
    let last = venues.as_array().unwrap().len() - 1;
    let slug = venues[last]["slug"].as_str().unwrap().to_owned();
    venues[last]["timezone"] = "Mars/Olympus_Mons".into();
    std::fs::write(dir.join("venues.json"), venues.to_string()).unwrap();
    let data = SampleData::read(&dir).unwrap();
    let err = data
        .apply(&mut conn, Utc::now().date_naive())
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("venues.json") && err.contains(&slug), "{err}");
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM artists").await,
        0,
        "nothing half-written"
    );
    assert_eq!(count(&mut conn, "SELECT count(*) AS n FROM users").await, 0);
    std::fs::remove_dir_all(&dir).unwrap();
}
