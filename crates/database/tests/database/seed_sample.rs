//! The sample data in seeds/: loads, is idempotent, fails cleanly, and the queries find it.

use std::path::{Path, PathBuf};

use chrono::Utc;
use diesel::sql_types::{BigInt, Text};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use theset_database::enums::SetlistType;
use theset_database::ids::UserId;
use theset_database::models::{PredictionScore, Scope, Setlist, Show, Standing, Vote};
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

/// Every row of every table (without updated_at), in a stable order. Scores are rewritten by
/// every load (new ids, scored_at): compared without those, in rank order.
async fn snapshot(conn: &mut AsyncPgConnection) -> String {
    let mut all = String::new();
    for (table, volatile, order) in [
        ("users", "", "t.id"),
        ("user_profiles", "", "t.id"),
        ("artists", "", "t.id"),
        ("songs", "", "t.id"),
        ("venues", "", "t.id"),
        ("shows", "", "t.id"),
        ("show_artists", "", "t.id"),
        ("setlists", "", "t.id"),
        ("setlist_songs", "", "t.id"),
        ("votes", "", "t.id"),
        (
            "prediction_scores",
            // The bot's prediction is made when it is scored.
            " - 'id' - 'scored_at' - CASE WHEN t.kind = 'bot' THEN 'predicted_at' ELSE '' END",
            "t.show_id, t.kind, t.setlist_id",
        ),
        ("fan_standings", "", "t.scope, t.user_id"),
    ] {
        let rows: Snapshot = sql_query(format!(
            "SELECT coalesce(string_agg((to_jsonb(t) - 'updated_at'{volatile})::text, E'\\n' ORDER BY {order}), '') AS rows FROM {table} t"
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
    let fan_predictions: usize = data.shows.iter().map(|s| s.predictions.len()).sum();
    assert_eq!(report.predictions, fan_predictions);
    // Every show with an actual setlist scores its crowd setlist, plus the fans who predicted it.
    let played: Vec<_> = data.shows.iter().filter(|s| s.actual.is_some()).collect();
    let scored_fans: usize = played.iter().map(|s| s.predictions.len()).sum();
    assert!(scored_fans > 0);
    assert!(report.scores >= played.len() + scored_fans, "{report}");
    let first = snapshot(&mut conn).await;
    data.apply(&mut conn, today).await.unwrap();
    let second = snapshot(&mut conn).await;
    let changed = first
        .lines()
        .zip(second.lines())
        .find(|(a, b)| a != b)
        .map(|(a, b)| format!("{a}\n  became\n{b}"));
    assert_eq!(changed, None, "a second run leaves the same rows");
    assert_eq!(first.len(), second.len(), "a second run adds no rows");

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
        !Vote::on_show(&mut conn, UserId(voter.id), show.id)
            .await
            .unwrap()
            .is_empty()
    );

    // Fans' own predictions: on upcoming shows, and on a finished show that is scored.
    assert!(
        data.shows
            .iter()
            .any(|s| s.date_offset_days > 0 && !s.predictions.is_empty())
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM setlists WHERE owner_id IS NOT NULL"
        )
        .await,
        i64::try_from(report.predictions).unwrap()
    );
    assert!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM setlist_songs ss JOIN setlists sl ON sl.id = ss.setlist_id
             WHERE sl.owner_id IS NOT NULL AND ss.encore > 0"
        )
        .await
            > 0,
        "some predictions mark the encore"
    );
    let finished = data
        .shows
        .iter()
        .find(|s| s.actual.is_some() && !s.predictions.is_empty())
        .unwrap();
    let show = Show::find_by_key(&mut conn, &Key::parse(&finished.slug))
        .await
        .unwrap();
    assert!(show.starts_at < Utc::now(), "back at its real, past date");
    let board = PredictionScore::show_board(&mut conn, show.id, None, 50)
        .await
        .unwrap();
    assert_eq!(board.len(), finished.predictions.len());
    assert!(board.iter().all(|row| row.is_final));
    assert_eq!(board[0].rank, 1);
    assert!(board.windows(2).all(|w| w[0].value >= w[1].value));
    assert!(
        board.iter().any(|r| r.display_name.is_some())
            && board.iter().any(|r| r.display_name.is_none()),
        "public and private fans"
    );
    let fan = data
        .users
        .iter()
        .find(|u| u.email == finished.predictions[0].fan)
        .unwrap();
    let own = PredictionScore::show_rank(&mut conn, show.id, UserId(fan.id))
        .await
        .unwrap()
        .unwrap();
    assert!(own.rank >= 1 && own.rank <= i64::try_from(board.len()).unwrap());
    let overall = Standing::board(&mut conn, &Scope::All, None, 50)
        .await
        .unwrap();
    assert_eq!(overall.len(), finished.predictions.len());
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM scores_pending").await,
        0,
        "every show with an actual setlist is scored"
    );
    assert!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM prediction_scores WHERE kind = 'crowd'"
        )
        .await
            > 0
    );
    // The rule still holds after the load: nobody predicts a show that has started.
    let late = data
        .users
        .iter()
        .find(|u| !finished.predictions.iter().any(|p| p.fan == u.email))
        .unwrap();
    let refused = Setlist::create_prediction(&mut conn, &show, UserId(late.id))
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("closed"), "{refused}");
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
