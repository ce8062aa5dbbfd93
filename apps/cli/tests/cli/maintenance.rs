//! `theset stats refresh` and `theset trending recompute` as subprocesses against a fresh
//! database: what they print and the rows they write, and that a second run writes nothing
//! (`theset score show` is in scores.rs).

use crate::common::*;
use diesel_async::RunQueryDsl;
use theset_database::testing::{TestDatabase, fixtures};

#[tokio::test]
async fn stats_refresh_writes_each_artists_figures_once() {
    let db = TestDatabase::new().await;
    let url = db.url_as("theset_service");
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 3).await;
    let other = fixtures::artist(&mut conn, "Other Artist").await;
    // A show that has happened counts; the fixture's is a week ahead.
    diesel::sql_query("UPDATE shows SET date = date - 30, status = 'completed'")
        .execute(&mut conn)
        .await
        .unwrap();

    let one = theset_on(&url, &["stats", "refresh", "--artist", &sample.artist.slug]);
    assert_exit(&one, 0);
    assert_eq!(
        stdout(&one),
        format!(
            "refreshed statistics of {}: 1 row written (unchanged ones kept)\n",
            sample.artist.slug
        )
    );
    // Progress goes to stderr, as lines when it is not a terminal.
    assert!(
        stderr(&one).contains("refreshing statistics of"),
        "{}",
        both(&one)
    );
    assert!(stderr(&one).contains("done in"), "{}", both(&one));
    assert_eq!(
        rows(
            &mut conn,
            "SELECT artist_id::text || ' ' || total_shows AS row FROM artist_stats"
        )
        .await,
        vec![format!("{} 1", sample.artist.id)]
    );

    let all = theset_on(&url, &["stats", "refresh"]);
    assert_exit(&all, 0);
    assert!(
        stdout(&all).starts_with("refreshed artist statistics: 1 row written"),
        "{}",
        both(&all)
    );
    assert_eq!(
        count(
            &mut conn,
            &format!(
                "SELECT count(*) AS n FROM artist_stats WHERE artist_id = '{}'",
                other.id
            )
        )
        .await,
        1
    );
    let before = dump(&mut conn, &["artist_stats"], &[]).await;
    let again = theset_on(&url, &["stats", "refresh"]);
    assert!(
        stdout(&again).starts_with("refreshed artist statistics: 0 rows written"),
        "{}",
        both(&again)
    );
    assert_eq!(dump(&mut conn, &["artist_stats"], &[]).await, before);

    let missing = theset_on(&url, &["stats", "refresh", "--artist", "nobody-at-all"]);
    assert_one_line_error(&missing, 1, "no artist has the slug or id nobody-at-all");
}

#[tokio::test]
async fn trending_recompute_replaces_stale_scores_and_is_idempotent() {
    let db = TestDatabase::new().await;
    let url = db.url_as("theset_service");
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 2).await;
    diesel::sql_query("UPDATE shows SET trending_score = 1234.5")
        .execute(&mut conn)
        .await
        .unwrap();

    let first = theset_on(&url, &["trending", "recompute"]);
    assert_exit(&first, 0);
    assert!(
        stdout(&first).starts_with("recomputed trending scores: 1 show and"),
        "{}",
        both(&first)
    );
    assert_eq!(
        count(
            &mut conn,
            &format!(
                "SELECT count(*) AS n FROM shows WHERE id = '{}' AND trending_score <> 1234.5",
                sample.show.id
            )
        )
        .await,
        1
    );
    let before = dump(&mut conn, &["shows", "artists"], &[]).await;
    let second = theset_on(&url, &["trending", "recompute"]);
    assert_exit(&second, 0);
    assert_eq!(
        stdout(&second),
        "recomputed trending scores: 0 shows and 0 artists changed\n"
    );
    assert_eq!(dump(&mut conn, &["shows", "artists"], &[]).await, before);

    let api = theset_on(&db.url_as("theset_api"), &["trending", "recompute"]);
    assert_exit(&api, 1);
}

#[tokio::test]
async fn long_work_shows_a_spinner_on_a_terminal() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    fixtures::show(&mut conn, 1).await;
    // util-linux `script` runs the command on a pseudo-terminal.
    let line = format!(
        "stty cols 100 rows 40; '{THESET}' --database-url '{}' stats refresh",
        db.url_as("theset_service")
    );
    let output = std::process::Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .env_remove("DATABASE_URL")
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap();
    assert_exit(&output, 0);
    let screen = stdout(&output);
    assert!(
        screen.contains("refreshing artist statistics: done"),
        "the spinner's last word: {screen:?}"
    );
    assert!(
        !screen.contains("refreshing artist statistics..."),
        "no plain lines on a terminal: {screen:?}"
    );
    assert!(
        screen.contains("refreshed artist statistics: 1 row written"),
        "{screen:?}"
    );
}
