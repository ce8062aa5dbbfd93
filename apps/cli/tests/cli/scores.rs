//! `theset score show` and `theset leaderboard` as subprocesses against a fresh database, on a
//! worked example whose figures are computed by hand below.
//!
//! Four catalog songs s1..s4; the crowd setlist holds all four, s1 with one downvote; no
//! history, so no bot, and every hit is worth rarity 1 + log2((0 + 2) / (0 + 1)) = 2. Played:
//! s1, s3, s2.
//! Score = 100 * (0.6 F1 + 0.2 (tau + 1) / 2 + 0.05 opener + 0.05 closer + 0.1 encore part),
//! the encore part 1 when no encore was predicted or played.
//! - Ada (public) predicts s1 s2 s3: 3 hits, precision 1, recall 1, F1 1; opener yes, closer no
//!   (s3 vs s2); hits in predicted order were played 1st, 3rd, 2nd: tau (1 + 1 - 1) / 3 = 1/3;
//!   score 100 * (0.6 + 0.2 * 2/3 + 0.05 + 0.1) = 88.33; rarity 6.
//! - Bob (private) predicts s3 s4: 1 hit, precision 1/2, recall 1/3, F1 0.4; no opener, no
//!   closer, tau none (order part 0); score 100 * (0.24 + 0.1) = 34; rarity 2.
//! - The crowd: its setlist ranked by net votes (ties: earlier position), cut to the 3 songs
//!   performed and put back in setlist order: s2 s3 s4. 2 hits, precision 2/3, recall 2/3, F1
//!   2/3; no opener, no closer; the hits were played 3rd and 2nd: tau -1, order part 0; score
//!   100 * (0.6 * 2/3 + 0.1) = 50; rarity 4.
//!
//! Once final, ratings are shrunk averages, (3 * 30 + total) / (3 + n): Ada
//! (90 + 88.33) / 4 = 44.58, Bob (90 + 34) / 4 = 31.

use crate::common::*;
use diesel_async::SimpleAsyncConnection;
use theset_database::enums::UserRole;
use theset_database::testing::{TestDatabase, fixtures};

struct Example {
    slug: String,
    year: String,
    artist_slug: String,
    actual: uuid::Uuid,
    crowd: String,
    ada: String,
    bob: String,
}

async fn example(db: &TestDatabase) -> Example {
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 4).await;
    let ada = fixtures::user(&mut conn, UserRole::User).await;
    let bob = fixtures::user(&mut conn, UserRole::User).await;
    let (show, artist) = (sample.show.id, sample.artist.id);
    let s: Vec<String> = sample.songs.iter().map(|s| s.id.to_string()).collect();
    let (pa, pb, actual) = (
        uuid::Uuid::new_v4(),
        uuid::Uuid::new_v4(),
        uuid::Uuid::new_v4(),
    );
    conn.batch_execute(&format!(
        "UPDATE users SET display_name = 'Ada' WHERE id = '{ada}';
         UPDATE users SET display_name = 'Bob' WHERE id = '{bob}';
         INSERT INTO user_profiles (user_id, is_public) VALUES ('{ada}', true), ('{bob}', false);
         INSERT INTO setlists (id, show_id, artist_id, type, owner_id) VALUES
           ('{pa}', '{show}', '{artist}', 'predicted', '{ada}'),
           ('{pb}', '{show}', '{artist}', 'predicted', '{bob}');
         INSERT INTO setlist_songs (setlist_id, song_id, position) VALUES
           ('{pa}', '{s1}', 1), ('{pa}', '{s2}', 2), ('{pa}', '{s3}', 3),
           ('{pb}', '{s3}', 1), ('{pb}', '{s4}', 2);
         INSERT INTO votes (user_id, setlist_song_id, vote_type) VALUES ('{bob}', '{c1}', 'down');
         UPDATE shows SET status = 'ongoing' WHERE id = '{show}';
         INSERT INTO setlists (id, show_id, artist_id, type, imported_from)
           VALUES ('{actual}', '{show}', '{artist}', 'actual', 'manual');
         INSERT INTO setlist_songs (setlist_id, song_id, position) VALUES
           ('{actual}', '{s1}', 1), ('{actual}', '{s3}', 2), ('{actual}', '{s2}', 3);",
        ada = ada.id,
        bob = bob.id,
        s1 = s[0],
        s2 = s[1],
        s3 = s[2],
        s4 = s[3],
        c1 = sample.setlist_songs[0].id,
    ))
    .await
    .unwrap();
    Example {
        slug: sample.show.slug.clone(),
        year: sample.show.date.format("%Y").to_string(),
        artist_slug: sample.artist.slug.clone(),
        actual,
        crowd: sample.setlist.id.to_string(),
        ada: ada.id.to_string(),
        bob: bob.id.to_string(),
    }
}

/// The cells of the table line whose second cell is `who`.
fn line_of(out: &str, who: &str) -> Vec<String> {
    out.lines()
        .map(|l| l.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
        .find(|cells| cells.get(1).is_some_and(|c| c == who))
        .unwrap_or_else(|| panic!("no line for {who}: {out}"))
}

#[track_caller]
fn close(value: &serde_json::Value, expected: f64) {
    let got = value
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {value}"));
    assert!((got - expected).abs() < 1e-9, "{got} != {expected}");
}

#[tokio::test]
async fn score_show_prints_each_breakdown_provisional_then_final() {
    let db = TestDatabase::new().await;
    let url = db.url_as("theset_service");
    let ex = example(&db).await;

    let text = theset_on(&url, &["score", "show", &ex.slug]);
    assert_exit(&text, 0);
    let out = stdout(&text);
    assert!(out.contains(&ex.slug), "{out}");
    let header: Vec<&str> = out.lines().nth(1).unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        [
            "KIND",
            "USER/SETLIST",
            "SCORE",
            "HITS",
            "PRECISION",
            "RECALL",
            "F1",
            "OPENER",
            "CLOSER",
            "ENCORE",
            "TAU",
            "RARITY",
            "STATUS"
        ]
    );
    // The crowd first (no bot without history), then the fans by score.
    assert!(out.lines().nth(2).unwrap().starts_with("crowd"), "{out}");
    assert_eq!(
        line_of(&out, &ex.crowd),
        [
            "crowd",
            &ex.crowd,
            "50.0",
            "2/3",
            "0.67",
            "0.67",
            "0.67",
            "no",
            "no",
            "0/0",
            "-1.00",
            "4.00",
            "provisional"
        ]
    );
    assert_eq!(
        line_of(&out, &ex.ada),
        [
            "fan",
            &ex.ada,
            "88.3",
            "3/3",
            "1.00",
            "1.00",
            "1.00",
            "yes",
            "no",
            "0/0",
            "0.33",
            "6.00",
            "provisional"
        ]
    );
    assert_eq!(
        line_of(&out, &ex.bob),
        [
            "fan",
            &ex.bob,
            "34.0",
            "1/3",
            "0.50",
            "0.33",
            "0.40",
            "no",
            "no",
            "0/0",
            "-",
            "2.00",
            "provisional"
        ]
    );
    assert!(out.contains("3 predictions scored, 0 unscored"), "{out}");
    let ada_line = out.lines().position(|l| l.contains(&ex.ada)).unwrap();
    let bob_line = out.lines().position(|l| l.contains(&ex.bob)).unwrap();
    assert!(ada_line < bob_line, "{out}");

    // The moderator locks the live record: the same figures, now final, as JSON.
    db.conn()
        .await
        .batch_execute(&format!(
            "UPDATE setlists SET is_locked = true WHERE id = '{}'",
            ex.actual
        ))
        .await
        .unwrap();
    let scored = theset_on(&url, &["score", "show", &ex.slug, "--json"]);
    assert_exit(&scored, 0);
    let report = json(&scored);
    assert_eq!(report["show"]["slug"], ex.slug.as_str());
    assert_eq!(report["is_final"], true);
    assert_eq!(report["unscored"], 0);
    let predictions = report["predictions"].as_array().unwrap();
    let kinds: Vec<&str> = predictions
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["crowd", "fan", "fan"]);
    let ada = &predictions[1];
    assert_eq!(ada["user_id"], ex.ada.as_str());
    close(&ada["score"], 100.0 * (0.6 + 0.2 * 2.0 / 3.0 + 0.05 + 0.1));
    close(&ada["order_tau"], 1.0 / 3.0);
    close(&ada["rarity_points"], 6.0);
    assert_eq!(
        (ada["hits"].as_u64(), ada["played"].as_u64()),
        (Some(3), Some(3))
    );
    assert_eq!(ada["opener_hit"], true);
    assert_eq!(ada["closer_hit"], false);
    assert_eq!(ada["is_final"], true);
    let bob = &predictions[2];
    close(&bob["score"], 34.0);
    close(&bob["f1"], 0.4);
    assert_eq!(bob["order_tau"], serde_json::Value::Null);
    let crowd = &predictions[0];
    assert_eq!(crowd["setlist_id"], ex.crowd.as_str());
    assert_eq!(crowd["user_id"], serde_json::Value::Null);
    close(&crowd["score"], 100.0 * (0.6 * 2.0 / 3.0 + 0.1));
    close(&crowd["order_tau"], -1.0);
    assert_eq!(crowd["predicted"], 3, "cut to the songs performed");

    let missing = theset_on(&url, &["score", "show", "no-such-show"]);
    assert_one_line_error(&missing, 1, "no show has the id or slug no-such-show");
    let bad = theset_on(UNREACHABLE, &["score", "show", "two words"]);
    assert_one_line_error(&bad, 2, "is not an id or slug");
}

#[tokio::test]
async fn leaderboards_rank_fans_by_score_and_by_rating() {
    let db = TestDatabase::new().await;
    let url = db.url_as("theset_service");
    let ex = example(&db).await;
    // Nothing scored yet.
    let empty = theset_on(&url, &["leaderboard", "show", &ex.slug]);
    assert_exit(&empty, 0);
    assert!(
        stdout(&empty).contains("no fan's prediction scored yet"),
        "{}",
        both(&empty)
    );
    // Provisional scores rank a show's board; the private fan has no name.
    assert_exit(&theset_on(&url, &["score", "show", &ex.slug]), 0);
    let show = theset_on(&url, &["leaderboard", "show", &ex.slug]);
    assert_exit(&show, 0);
    let out = stdout(&show);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].contains(&ex.slug), "{out}");
    assert_eq!(
        lines[1].split_whitespace().collect::<Vec<_>>(),
        ["RANK", "FAN", "SCORE", "PREDICTIONS"]
    );
    assert_eq!(
        lines[2].split_whitespace().collect::<Vec<_>>(),
        ["1", "Ada", "88.3", "1"]
    );
    assert_eq!(
        lines[3]
            .split("  ")
            .filter(|c| !c.is_empty())
            .map(str::trim)
            .collect::<Vec<_>>(),
        ["2", "private fan", "34.0", "1"]
    );
    assert_eq!(lines[4], "2 fans");
    assert!(out.contains("provisional"), "{out}");
    assert!(!out.contains("Bob"), "{out}");
    // Standings hold final scores only.
    let none = theset_on(&url, &["leaderboard", "period", "all"]);
    assert_exit(&none, 0);
    assert!(stdout(&none).contains("no fan with a final score yet"));

    db.conn()
        .await
        .batch_execute(&format!(
            "UPDATE setlists SET is_locked = true WHERE id = '{}'",
            ex.actual
        ))
        .await
        .unwrap();
    assert_exit(&theset_on(&url, &["score", "show", &ex.slug]), 0);
    for args in [
        vec!["leaderboard", "period", "all"],
        vec!["leaderboard", "period", ex.year.as_str()],
        vec!["leaderboard", "artist", ex.artist_slug.as_str()],
    ] {
        let board = theset_on(&url, &args);
        assert_exit(&board, 0);
        let out = stdout(&board);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[1].split_whitespace().collect::<Vec<_>>(),
            ["RANK", "FAN", "RATING", "PREDICTIONS"],
            "{out}"
        );
        assert_eq!(
            lines[2].split_whitespace().collect::<Vec<_>>(),
            ["1", "Ada", "44.6", "1"],
            "{args:?}: {out}"
        );
        assert_eq!(
            lines[3]
                .split("  ")
                .filter(|c| !c.is_empty())
                .map(str::trim)
                .collect::<Vec<_>>(),
            ["2", "private fan", "31.0", "1"],
            "{args:?}: {out}"
        );
    }
    // JSON, cut by --limit.
    let top = theset_on(
        &url,
        &["leaderboard", "period", "all", "--limit", "1", "--json"],
    );
    assert_exit(&top, 0);
    let board = json(&top);
    assert_eq!(board["board"], "all");
    let rows = board["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["rank"], 1);
    assert_eq!(rows[0]["user_id"], ex.ada.as_str());
    assert_eq!(rows[0]["display_name"], "Ada");
    close(
        &rows[0]["value"],
        (90.0 + 100.0 * (0.6 + 0.2 * 2.0 / 3.0 + 0.15)) / 4.0,
    );
    let show = json(&theset_on(
        &url,
        &["leaderboard", "show", &ex.slug, "--json"],
    ));
    let rows = show["rows"].as_array().unwrap();
    assert_eq!(rows[1]["display_name"], serde_json::Value::Null);
    assert_eq!(rows[1]["rank"], 2);
    assert_eq!(rows[1]["is_final"], true);
    close(&rows[1]["value"], 34.0);

    // Bad input: a message and a non-zero exit, before connecting where arguments are wrong.
    let month = theset_on(UNREACHABLE, &["leaderboard", "period", "2026-13"]);
    assert_one_line_error(&month, 2, "is not a period");
    let word = theset_on(UNREACHABLE, &["leaderboard", "period", "lately"]);
    assert_one_line_error(&word, 2, "is not a period");
    for limit in ["0", "101", "many"] {
        let bad = theset_on(UNREACHABLE, &["leaderboard", "show", "x", "--limit", limit]);
        assert_one_line_error(&bad, 2, "--limit");
    }
    let missing = theset_on(&url, &["leaderboard", "show", "no-such-show"]);
    assert_one_line_error(&missing, 1, "no show has the id or slug no-such-show");
    let missing = theset_on(&url, &["leaderboard", "artist", "no-such-artist"]);
    assert_one_line_error(&missing, 1, "no artist has the id or slug no-such-artist");
    let none = theset_on(UNREACHABLE, &["leaderboard"]);
    assert_exit(&none, 2);
}
