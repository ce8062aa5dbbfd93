//! The synthetic benchmark dataset (`seed --scale`), against a real database.

use diesel::sql_types::{BigInt, Text};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use theset_database::seed::Silent;
use theset_database::seed::scale::{self, ScaleError, ScaleReport};
use theset_database::testing::TestDatabase;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Digest {
    #[diesel(sql_type = Text)]
    digest: String,
}

async fn count(conn: &mut AsyncPgConnection, sql: &str) -> i64 {
    sql_query(sql)
        .get_result::<Count>(conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .n
}

/// Asserts that `sql` (a `SELECT count(*) AS n ...` of offending rows) finds none.
async fn none(conn: &mut AsyncPgConnection, what: &str, sql: &str) {
    assert_eq!(count(conn, sql).await, 0, "{what}");
}

async fn stored_counts(conn: &mut AsyncPgConnection) -> ScaleReport {
    ScaleReport {
        artists: count(conn, "SELECT count(*) AS n FROM artists").await,
        venues: count(conn, "SELECT count(*) AS n FROM venues").await,
        shows: count(conn, "SELECT count(*) AS n FROM shows").await,
        songs: count(conn, "SELECT count(*) AS n FROM songs").await,
        setlists: count(
            conn,
            "SELECT count(*) AS n FROM setlists WHERE owner_id IS NULL",
        )
        .await,
        setlist_songs: count(
            conn,
            "SELECT count(*) AS n FROM setlist_songs ss JOIN setlists s ON s.id = ss.setlist_id
             WHERE s.owner_id IS NULL",
        )
        .await,
        users: count(conn, "SELECT count(*) AS n FROM users").await,
        votes: count(conn, "SELECT count(*) AS n FROM votes").await,
        predictions: count(
            conn,
            "SELECT count(*) AS n FROM setlists WHERE owner_id IS NOT NULL",
        )
        .await,
        prediction_songs: count(
            conn,
            "SELECT count(*) AS n FROM setlist_songs ss JOIN setlists s ON s.id = ss.setlist_id
             WHERE s.owner_id IS NOT NULL",
        )
        .await,
        scored_shows: count(
            conn,
            "SELECT count(DISTINCT show_id) AS n FROM prediction_scores",
        )
        .await,
        scores: count(conn, "SELECT count(*) AS n FROM prediction_scores").await,
    }
}

/// Every counter the triggers keep equals its aggregate, and every foreign key resolves (the
/// load runs with triggers, and so foreign key checks, turned off).
async fn assert_consistent(conn: &mut AsyncPgConnection) {
    none(
        conn,
        "setlist_songs.upvotes/downvotes = aggregates over votes",
        "SELECT count(*) AS n FROM setlist_songs ss
         LEFT JOIN (SELECT setlist_song_id, count(*) FILTER (WHERE vote_type = 'up') AS up,
                           count(*) FILTER (WHERE vote_type = 'down') AS down
                    FROM votes GROUP BY setlist_song_id) v ON v.setlist_song_id = ss.id
         WHERE ss.upvotes <> coalesce(v.up, 0) OR ss.downvotes <> coalesce(v.down, 0)",
    )
    .await;
    none(
        conn,
        "setlists.total_votes = sum of its songs' votes",
        "SELECT count(*) AS n FROM setlists s
         LEFT JOIN (SELECT setlist_id, sum(upvotes + downvotes) AS votes FROM setlist_songs
                    GROUP BY setlist_id) t ON t.setlist_id = s.id
         WHERE s.total_votes <> coalesce(t.votes, 0)",
    )
    .await;
    none(
        conn,
        "shows.vote_count and setlist_count = aggregates over setlists",
        "SELECT count(*) AS n FROM shows sh
         LEFT JOIN (SELECT show_id, sum(total_votes) AS votes, count(*) AS setlists FROM setlists
                    GROUP BY show_id) t ON t.show_id = sh.id
         WHERE sh.vote_count <> coalesce(t.votes, 0) OR sh.setlist_count <> coalesce(t.setlists, 0)",
    )
    .await;
    none(
        conn,
        "starts_at is what shows_resolve_starts_at computes",
        "SELECT count(*) AS n FROM shows s LEFT JOIN venues v ON v.id = s.venue_id
         WHERE s.starts_at IS DISTINCT FROM
               (s.date + coalesce(s.start_time, time '00:00')) AT TIME ZONE coalesce(v.timezone, 'UTC')",
    )
    .await;
    none(
        conn,
        "nothing left for refresh_vote_totals",
        "SELECT count(*) AS n FROM vote_totals_pending",
    )
    .await;
    // Every foreign key, whatever the migrations define: rows whose reference is missing.
    let foreign_keys: Vec<Fk> = sql_query(
        "SELECT c.conrelid::regclass::text AS child, a.attname::text AS child_column,
                c.confrelid::regclass::text AS parent, pa.attname::text AS parent_column
         FROM pg_constraint c
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
         JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = c.confkey[1]
         WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
           AND cardinality(c.conkey) = 1",
    )
    .load(conn)
    .await
    .unwrap();
    assert!(foreign_keys.len() >= 10);
    for fk in foreign_keys {
        none(
            conn,
            &format!("{}.{} references {}", fk.child, fk.child_column, fk.parent),
            &format!(
                "SELECT count(*) AS n FROM {child} c WHERE c.{col} IS NOT NULL
                 AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.{pcol} = c.{col})",
                child = fk.child,
                col = fk.child_column,
                parent = fk.parent,
                pcol = fk.parent_column
            ),
        )
        .await;
    }
    // Deferrable unique constraints are rechecked by a trigger, which the load turns off.
    none(
        conn,
        "setlist positions unique",
        "SELECT count(*) AS n FROM (SELECT 1 FROM setlist_songs GROUP BY setlist_id, position
                                   HAVING count(*) > 1) d",
    )
    .await;
    none(
        conn,
        "line-up positions unique",
        "SELECT count(*) AS n FROM (SELECT 1 FROM show_artists GROUP BY show_id, order_index
                                   HAVING count(*) > 1) d",
    )
    .await;
}

#[derive(QueryableByName)]
struct Fk {
    #[diesel(sql_type = Text)]
    child: String,
    #[diesel(sql_type = Text)]
    child_column: String,
    #[diesel(sql_type = Text)]
    parent: String,
    #[diesel(sql_type = Text)]
    parent_column: String,
}

#[tokio::test]
async fn loads_the_proportions_with_every_counter_right() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let report = scale::load(&mut conn, 0.01, &Silent).await.unwrap();

    let target = scale::target_counts(0.01).unwrap();
    assert_eq!(
        target,
        ScaleReport {
            artists: 100,
            venues: 20,
            shows: 500,
            songs: 2_000,
            setlists: 500,
            setlist_songs: 7_500,
            users: 1_000,
            votes: 10_000,
            predictions: 2_400,
            prediction_songs: 0,
            scored_shows: 0,
            scores: 0,
        }
    );
    // A hot show's fans are capped at the users there are: a few predictions may fall short.
    assert!(
        (target.predictions * 9 / 10..=target.predictions).contains(&report.predictions),
        "{report}"
    );
    assert_eq!(
        ScaleReport {
            predictions: target.predictions,
            prediction_songs: 0,
            scored_shows: 0,
            scores: 0,
            ..report
        },
        target
    );
    assert_eq!(stored_counts(&mut conn).await, report);
    assert_consistent(&mut conn).await;

    // Two thirds upcoming with a predicted setlist, one third past with an actual one.
    let upcoming = count(
        &mut conn,
        "SELECT count(*) AS n FROM shows WHERE date >= current_date",
    )
    .await;
    assert!((320..=350).contains(&upcoming), "{upcoming} upcoming");
    none(
        &mut conn,
        "upcoming shows are upcoming or cancelled, past ones completed",
        "SELECT count(*) AS n FROM shows WHERE (date >= current_date) <> (status IN ('upcoming', 'cancelled'))
           OR date > current_date + 366 OR date < current_date - 731",
    )
    .await;
    let cancelled = count(
        &mut conn,
        "SELECT count(*) AS n FROM shows WHERE status = 'cancelled'",
    )
    .await;
    assert!((1..=30).contains(&cancelled), "{cancelled} cancelled");
    none(
        &mut conn,
        "one setlist per show (fans' own aside), predicted when upcoming, actual when past",
        "SELECT count(*) AS n FROM shows sh JOIN setlists s ON s.show_id = sh.id AND s.owner_id IS NULL
         WHERE s.type <> CASE WHEN sh.date >= current_date THEN 'predicted' ELSE 'actual' END::setlist_type
            OR s.artist_id <> sh.headliner_artist_id",
    )
    .await;
    none(
        &mut conn,
        "actual setlists come from setlist.fm",
        "SELECT count(*) AS n FROM setlists WHERE type = 'actual'
           AND (imported_from IS DISTINCT FROM 'setlist.fm' OR external_id IS NULL
                OR source_url NOT LIKE 'https://www.setlist.fm/setlist/%' OR source_version_id IS NULL)",
    )
    .await;

    // Setlists: about 15 songs, positions 1..n, songs of the headliner, none twice.
    none(
        &mut conn,
        "positions are 1..n",
        "SELECT count(*) AS n FROM (SELECT setlist_id FROM setlist_songs GROUP BY setlist_id
                                   HAVING min(position) <> 1 OR max(position) <> count(*)) d",
    )
    .await;
    none(
        &mut conn,
        "setlists of 9 to 22 songs, fans' predictions of 8 to 14",
        "SELECT count(*) AS n FROM (SELECT s.owner_id IS NULL AS shared, count(*) AS songs
                                   FROM setlist_songs ss JOIN setlists s ON s.id = ss.setlist_id
                                   GROUP BY s.id) d
         WHERE songs NOT BETWEEN CASE WHEN shared THEN 9 ELSE 8 END AND CASE WHEN shared THEN 22 ELSE 14 END",
    )
    .await;
    none(
        &mut conn,
        "a song at most once per setlist",
        "SELECT count(*) AS n FROM (SELECT 1 FROM setlist_songs GROUP BY setlist_id, song_id
                                   HAVING count(*) > 1) d",
    )
    .await;
    none(
        &mut conn,
        "songs from the headliner's catalog",
        "SELECT count(*) AS n FROM setlist_songs ss JOIN setlists s ON s.id = ss.setlist_id
         JOIN songs so ON so.id = ss.song_id WHERE so.artist_id <> s.artist_id",
    )
    .await;
    let structured = count(
        &mut conn,
        "SELECT count(*) AS n FROM setlist_songs ss JOIN setlists s ON s.id = ss.setlist_id
         WHERE s.type = 'actual' AND (ss.encore > 0 OR ss.set_name IS NOT NULL)",
    )
    .await;
    let extras = count(
        &mut conn,
        "SELECT count(*) AS n FROM setlist_songs WHERE is_tape OR cover_artist_name IS NOT NULL",
    )
    .await;
    assert!(structured > 100 && extras > 20, "{structured} {extras}");
    none(
        &mut conn,
        "setlist.fm structure only on actual setlists, predicted encores only by fans",
        "SELECT count(*) AS n FROM setlist_songs ss JOIN setlists s ON s.id = ss.setlist_id
         WHERE s.type = 'predicted'
           AND ((ss.encore > 0 AND s.owner_id IS NULL) OR ss.encore > 1 OR ss.set_name IS NOT NULL
                OR ss.is_tape OR ss.cover_artist_name IS NOT NULL)",
    )
    .await;

    // Fans' own predictions: one per fan and show (the unique index), theirs, made while the
    // show was open, on past shows of the last two months and on upcoming shows.
    none(
        &mut conn,
        "a prediction is its owner's, predicted, for the headliner, made before the show started",
        "SELECT count(*) AS n FROM setlists s JOIN shows sh ON sh.id = s.show_id
         WHERE s.owner_id IS NOT NULL
           AND (s.created_by IS DISTINCT FROM s.owner_id OR s.type <> 'predicted'
                OR s.artist_id <> sh.headliner_artist_id OR s.created_at >= sh.starts_at
                OR s.created_at < now() - interval '62 days' OR s.is_locked <> (sh.status <> 'upcoming')
                OR sh.status = 'cancelled')",
    )
    .await;
    none(
        &mut conn,
        "a predicted encore is the end of the prediction",
        "SELECT count(*) AS n FROM setlist_songs a JOIN setlist_songs b ON b.setlist_id = a.setlist_id
         WHERE a.encore > 0 AND b.encore = 0 AND b.position > a.position",
    )
    .await;
    let (past, upcoming_predictions, encores) = (
        count(
            &mut conn,
            "SELECT count(*) AS n FROM setlists s JOIN shows sh ON sh.id = s.show_id
             WHERE s.owner_id IS NOT NULL AND sh.status = 'completed'",
        )
        .await,
        count(
            &mut conn,
            "SELECT count(*) AS n FROM setlists s JOIN shows sh ON sh.id = s.show_id
             WHERE s.owner_id IS NOT NULL AND sh.status = 'upcoming'",
        )
        .await,
        count(
            &mut conn,
            "SELECT count(DISTINCT ss.setlist_id) AS n FROM setlist_songs ss
             JOIN setlists s ON s.id = ss.setlist_id WHERE s.owner_id IS NOT NULL AND ss.encore > 0",
        )
        .await,
    );
    assert!(
        past + upcoming_predictions == report.predictions
            && past > 1_500
            && upcoming_predictions > 300,
        "{past} past, {upcoming_predictions} upcoming"
    );
    assert!(
        (report.predictions * 4 / 10..=report.predictions * 8 / 10).contains(&encores),
        "{encores} predictions with an encore"
    );
    let fans = count(
        &mut conn,
        "SELECT count(DISTINCT owner_id) AS n FROM setlists WHERE owner_id IS NOT NULL",
    )
    .await;
    assert!(fans > 500, "{fans} fans");

    // Scored after the load: every past prediction, final, with standings for every fan.
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM prediction_scores WHERE kind = 'fan' AND is_final"
        )
        .await,
        past
    );
    none(
        &mut conn,
        "accuracy_score is the stored score, rounded",
        "SELECT count(*) AS n FROM setlists s JOIN prediction_scores ps ON ps.setlist_id = s.id
         WHERE s.accuracy_score <> round(ps.score)",
    )
    .await;
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM fan_standings WHERE scope = 'all'"
        )
        .await,
        count(
            &mut conn,
            "SELECT count(DISTINCT s.owner_id) AS n FROM setlists s JOIN shows sh ON sh.id = s.show_id
             WHERE s.owner_id IS NOT NULL AND sh.status = 'completed'"
        )
        .await
    );
    none(
        &mut conn,
        "standings add up the fan's scores",
        "SELECT count(*) AS n FROM fan_standings st
         JOIN (SELECT user_id, count(*) AS n, sum(score) AS total FROM prediction_scores
               WHERE kind = 'fan' GROUP BY user_id) ps ON ps.user_id = st.user_id
         WHERE st.scope = 'all' AND (st.predictions <> ps.n OR abs(st.total_score - ps.total) > 1e-6)",
    )
    .await;
    let spread = count(
        &mut conn,
        "SELECT (max(score) - min(score))::bigint AS n FROM prediction_scores WHERE kind = 'fan'",
    )
    .await;
    assert!(spread >= 30, "scores spread over {spread} points");
    assert_eq!(
        report.scored_shows,
        stored_counts(&mut conn).await.scored_shows
    );
    none(
        &mut conn,
        "nothing left to score",
        "SELECT count(*) AS n FROM scores_pending",
    )
    .await;

    // Votes: only on predicted setlists, one per user and song (the unique index), skewed.
    none(
        &mut conn,
        "votes only on predicted setlists",
        "SELECT count(*) AS n FROM votes v JOIN setlist_songs ss ON ss.id = v.setlist_song_id
         JOIN setlists s ON s.id = ss.setlist_id WHERE s.type <> 'predicted'",
    )
    .await;
    let hottest = count(&mut conn, "SELECT max(vote_count)::bigint AS n FROM shows").await;
    assert!(
        hottest > 10 * 10_000 / 333,
        "hottest show has {hottest} votes"
    );
    let ups = count(
        &mut conn,
        "SELECT count(*) AS n FROM votes WHERE vote_type = 'up'",
    )
    .await;
    assert!((5_500..=8_500).contains(&ups), "{ups} upvotes");

    // Users, line-ups, statistics, trending.
    none(
        &mut conn,
        "e-mails at theset.test",
        "SELECT count(*) AS n FROM users WHERE email NOT LIKE '%@theset.test'",
    )
    .await;
    let staff = count(
        &mut conn,
        "SELECT count(*) AS n FROM users WHERE role <> 'user'",
    )
    .await;
    assert!((2..=20).contains(&staff), "{staff} staff");
    none(
        &mut conn,
        "every show has its headliner at order 0",
        "SELECT count(*) AS n FROM shows sh WHERE NOT EXISTS (
           SELECT 1 FROM show_artists sa WHERE sa.show_id = sh.id AND sa.artist_id = sh.headliner_artist_id
             AND sa.order_index = 0 AND sa.is_headliner)",
    )
    .await;
    none(
        &mut conn,
        "support acts are billed from 1 and are not headliners",
        "SELECT count(*) AS n FROM show_artists WHERE (order_index > 0) = is_headliner OR order_index > 2",
    )
    .await;
    let supported = count(
        &mut conn,
        "SELECT count(DISTINCT show_id) AS n FROM show_artists WHERE order_index > 0",
    )
    .await;
    assert!(
        (100..=200).contains(&supported),
        "{supported} shows with support"
    );
    none(
        &mut conn,
        "artist_stats for exactly the artists with past shows",
        "SELECT count(*) AS n FROM artists a
         FULL JOIN (SELECT DISTINCT headliner_artist_id AS id FROM shows WHERE date < current_date) p ON p.id = a.id
         LEFT JOIN artist_stats st ON st.artist_id = a.id
         WHERE (p.id IS NULL) <> (st.id IS NULL)",
    )
    .await;
    none(
        &mut conn,
        "artist_stats match the actual setlists",
        "SELECT count(*) AS n FROM artist_stats st
         JOIN (SELECT sh.headliner_artist_id AS id, count(*) AS shows, max(sh.starts_at) AS last_show
               FROM shows sh WHERE sh.date < current_date GROUP BY 1) p ON p.id = st.artist_id
         WHERE st.total_shows <> p.shows OR st.total_setlists <> p.shows OR st.last_show_date <> p.last_show
            OR st.avg_setlist_length NOT BETWEEN 9 AND 22 OR st.most_played_song IS NULL",
    )
    .await;
    let trending = count(
        &mut conn,
        "SELECT count(*) AS n FROM shows WHERE status = 'upcoming' AND trending_score > 0",
    )
    .await;
    let trending_artists = count(
        &mut conn,
        "SELECT count(*) AS n FROM artists WHERE trending_score > 0",
    )
    .await;
    assert!(
        trending > 250 && trending_artists == 100,
        "{trending} {trending_artists}"
    );

    // Realistic names: varied, some accented, a few in other scripts, unique slugs.
    let distinct_names = count(&mut conn, "SELECT count(DISTINCT name) AS n FROM artists").await;
    assert!(distinct_names >= 95, "{distinct_names} distinct names");
    let accented = count(
        &mut conn,
        "SELECT count(*) AS n FROM artists WHERE name <> public.unaccent(name)",
    )
    .await;
    let non_latin = count(
        &mut conn,
        "SELECT count(*) AS n FROM artists WHERE name ~ '[\\u0370-\\u03ff\\u0400-\\u04ff\\u3040-\\u30ff\\u4e00-\\u9fff\\uac00-\\ud7af]'",
    )
    .await;
    assert!(
        accented >= 5 && (1..=20).contains(&non_latin),
        "{accented} accented, {non_latin} non-Latin"
    );
    none(
        &mut conn,
        "no 'Artist 17' names",
        "SELECT count(*) AS n FROM artists WHERE name ~ '[0-9]'",
    )
    .await;
    let suffixed = count(
        &mut conn,
        "SELECT count(*) AS n FROM songs WHERE title_key <> public.search_key(title)
           AND (title LIKE '%(Live)' OR title LIKE '% - Remastered %')",
    )
    .await;
    assert!(suffixed > 50, "{suffixed} suffixed titles");
    none(
        &mut conn,
        "song.artist is the artist's name",
        "SELECT count(*) AS n FROM songs s JOIN artists a ON a.id = s.artist_id WHERE s.artist <> a.name",
    )
    .await;
    let countries = count(&mut conn, "SELECT count(DISTINCT country) AS n FROM venues").await;
    assert!(countries >= 5, "{countries} countries");
}

#[tokio::test]
async fn refuses_a_database_that_is_not_empty() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let first = scale::load(&mut conn, 0.001, &Silent).await.unwrap();
    match scale::load(&mut conn, 0.001, &Silent).await {
        Err(error @ ScaleError::NotEmpty(_)) => {
            assert!(error.to_string().contains("fresh"), "{error}");
        }
        other => panic!("expected NotEmpty, got {other:?}"),
    }
    // The refused load changed nothing.
    assert_eq!(stored_counts(&mut conn).await, first);
}

#[tokio::test]
async fn refuses_bad_scales() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, scale::MAX_SCALE * 2.0] {
        assert!(matches!(
            scale::load(&mut conn, bad, &Silent).await,
            Err(ScaleError::InvalidScale(_))
        ));
    }
    assert_eq!(stored_counts(&mut conn).await, ScaleReport::default());
}

#[tokio::test]
async fn tiny_scales_still_load_consistently() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let report = scale::load(&mut conn, 0.0001, &Silent).await.unwrap();
    assert_eq!(stored_counts(&mut conn).await, report);
    assert!(report.artists >= 1 && report.shows >= 1 && report.votes >= 1);
    assert_consistent(&mut conn).await;
}

/// md5 of the rows that do not depend on the day of the load.
async fn digests(conn: &mut AsyncPgConnection) -> Vec<String> {
    let mut out = Vec::new();
    for (table, columns) in [
        ("artists", "name, slug, popularity, genres, spotify_id, bio"),
        (
            "venues",
            "name, slug, city, country, timezone, latitude, longitude, capacity",
        ),
        (
            "songs",
            "artist_id, title, title_key, album, spotify_id, duration_ms",
        ),
        ("users", "email, display_name, role"),
        (
            "shows",
            "headliner_artist_id, venue_id, name, slug, status, start_time, vote_count, setlistfm_id",
        ),
        ("show_artists", "show_id, artist_id, order_index"),
        (
            "setlists",
            "show_id, type, total_votes, external_id, source_url",
        ),
        (
            "setlist_songs",
            "setlist_id, song_id, position, upvotes, downvotes, encore, set_name, is_tape, cover_artist_name",
        ),
        ("votes", "user_id, setlist_song_id, vote_type"),
        ("setlists", "show_id, owner_id, accuracy_score, is_locked"),
    ] {
        let sql = format!(
            "SELECT md5(string_agg(concat_ws('|', id, {columns}), ',' ORDER BY id)) AS digest FROM {table}"
        );
        out.push(
            sql_query(&sql)
                .get_result::<Digest>(conn)
                .await
                .unwrap()
                .digest,
        );
    }
    out
}

#[tokio::test]
async fn the_same_scale_gives_the_same_rows() {
    let (one, two) = (TestDatabase::new().await, TestDatabase::new().await);
    let (mut a, mut b) = (one.conn().await, two.conn().await);
    let (ra, rb) = tokio::join!(
        scale::load(&mut a, 0.005, &Silent),
        scale::load(&mut b, 0.005, &Silent)
    );
    assert_eq!(ra.unwrap(), rb.unwrap());
    assert_eq!(digests(&mut a).await, digests(&mut b).await);
    // Scores too (their own ids and times aside).
    let scores = "SELECT md5(string_agg(concat_ws('|', show_id, kind, setlist_id, user_id, score, rarity_points),
                                       ',' ORDER BY show_id, kind, setlist_id)) AS digest
                  FROM prediction_scores";
    let (da, db) = (
        sql_query(scores)
            .get_result::<Digest>(&mut a)
            .await
            .unwrap(),
        sql_query(scores)
            .get_result::<Digest>(&mut b)
            .await
            .unwrap(),
    );
    assert_eq!(da.digest, db.digest);
}
