//! Accent- and case-insensitive trigram search over the indexed `search_key` expressions.

use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use theset_database::schema::artists;
use theset_database::search::search;
use theset_database::sql::{search_key, trgm_similar};
use theset_database::testing::{TestDatabase, fixtures};

#[derive(QueryableByName)]
struct Plan {
    #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
    line: String,
}

async fn plan(conn: &mut AsyncPgConnection, sql: &str) -> String {
    let lines: Vec<Plan> = diesel::sql_query(format!("EXPLAIN {sql}"))
        .load(conn)
        .await
        .unwrap();
    lines
        .into_iter()
        .map(|p| p.line)
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn unaccented_lowercase_queries_find_accented_names_through_the_trigram_index() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    for name in [
        "Beyoncé",
        "Mötley Crüe",
        "Björk",
        "Sigur Rós",
        "Motörhead",
        "Queen",
        "坂本龍一",
        "The Strokes",
    ] {
        fixtures::artist(&mut conn, name).await;
    }
    let find = |query: &'static str| {
        artists::table
            .filter(trgm_similar(search_key(artists::name), search_key(query)))
            .select(artists::name)
    };
    assert_eq!(
        find("beyonce").load::<String>(&mut conn).await.unwrap(),
        vec!["Beyoncé"]
    );
    assert_eq!(
        find("motley crue").load::<String>(&mut conn).await.unwrap(),
        vec!["Mötley Crüe"]
    );
    assert_eq!(
        find("BJORK").load::<String>(&mut conn).await.unwrap(),
        vec!["Björk"]
    );
    assert_eq!(
        find("坂本龍一").load::<String>(&mut conn).await.unwrap(),
        vec!["坂本龍一"]
    );
    // Typo tolerance.
    assert_eq!(
        find("beyonse").load::<String>(&mut conn).await.unwrap(),
        vec!["Beyoncé"]
    );

    // With few rows the planner prefers a scan; forbid it to see that the index serves the query.
    diesel::sql_query("SET enable_seqscan = off")
        .execute(&mut conn)
        .await
        .unwrap();
    for (table, column, index) in [
        ("artists", "name", "idx_artists_name_trgm"),
        ("songs", "title", "idx_songs_title_trgm"),
        ("venues", "name", "idx_venues_name_trgm"),
    ] {
        let plan = plan(
            &mut conn,
            &format!("SELECT id FROM {table} WHERE search_key({column}) % search_key('beyonce')"),
        )
        .await;
        assert!(plan.contains(index), "{table}: {plan}");
    }
}

#[derive(QueryableByName, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Term {
    #[diesel(sql_type = Text)]
    word: String,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    entity_id: uuid::Uuid,
    #[diesel(sql_type = diesel::sql_types::SmallInt)]
    word_count: i16,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Array<Text>>)]
    words: Option<Vec<String>>,
}

async fn terms(conn: &mut AsyncPgConnection) -> Vec<Term> {
    diesel::sql_query(
        "SELECT word, kind, entity_id, word_count, words FROM search_terms ORDER BY entity_id, word",
    )
    .load(conn)
    .await
    .unwrap()
}

#[derive(QueryableByName, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Name {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    entity_id: uuid::Uuid,
    #[diesel(sql_type = diesel::sql_types::SmallInt)]
    word_count: i16,
    #[diesel(sql_type = diesel::sql_types::Array<Text>)]
    words: Vec<String>,
}

async fn names(conn: &mut AsyncPgConnection) -> Vec<Name> {
    diesel::sql_query(
        "SELECT kind, entity_id, word_count, words FROM search_names ORDER BY entity_id, kind",
    )
    .load(conn)
    .await
    .unwrap()
}

async fn artist_names(conn: &mut AsyncPgConnection, query: &str) -> Vec<String> {
    search(conn, query, 10)
        .await
        .unwrap()
        .artists
        .into_iter()
        .map(|a| a.name)
        .collect()
}

#[tokio::test]
async fn the_word_index_follows_every_writer_and_equals_a_rebuild() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let strokes = fixtures::artist(&mut conn, "The Strokes").await;
    fixtures::artist(&mut conn, "Sigur Rós").await;
    fixtures::venue(
        &mut conn,
        "Théâtre du Châtelet",
        48.86,
        2.35,
        "Europe/Paris",
    )
    .await;

    assert_eq!(
        artist_names(&mut conn, "strokes").await,
        vec!["The Strokes"]
    );
    assert_eq!(
        artist_names(&mut conn, "sigur ros").await,
        vec!["Sigur Rós"]
    );
    assert_eq!(
        search(&mut conn, "theatre chatelet", 10)
            .await
            .unwrap()
            .venues[0]
            .name,
        "Théâtre du Châtelet"
    );

    // Plain SQL writes, as psql or any other writer would make them, move the index too.
    diesel::sql_query(format!(
        "UPDATE artists SET name = 'The Voidz' WHERE id = '{}'",
        strokes.id
    ))
    .execute(&mut conn)
    .await
    .unwrap();
    assert!(artist_names(&mut conn, "strokes").await.is_empty());
    assert_eq!(artist_names(&mut conn, "voidz").await, vec!["The Voidz"]);
    diesel::sql_query("DELETE FROM artists WHERE name = 'Sigur Rós'")
        .execute(&mut conn)
        .await
        .unwrap();
    assert!(artist_names(&mut conn, "sigur").await.is_empty());
    diesel::sql_query(
        "INSERT INTO songs (artist_id, title, artist) \
         SELECT id, 'Ágætis byrjun', name FROM artists WHERE name = 'The Voidz'",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let songs = search(&mut conn, "agaetis byrjun", 10).await.unwrap().songs;
    assert_eq!(songs.len(), 1);
    assert_eq!(songs[0].title, "Ágætis byrjun");
    assert_eq!(songs[0].artist_name, "The Voidz");

    let maintained = terms(&mut conn).await;
    assert!(!maintained.is_empty());
    let voidz: Vec<_> = maintained.iter().filter(|t| t.kind == "a").collect();
    assert!(
        voidz
            .iter()
            .all(|t| t.words.as_deref() == Some(&["the".to_string(), "voidz".to_string()][..])),
        "every posting carries its name's sorted words"
    );
    let maintained_names = names(&mut conn).await;
    assert_eq!(
        maintained_names
            .iter()
            .filter(|n| n.kind == "a")
            .map(|n| (n.word_count, n.words.clone()))
            .collect::<Vec<_>>(),
        vec![(2, vec!["the".to_string(), "voidz".to_string()])],
        "one row per name, with its sorted words"
    );
    diesel::sql_query("SELECT search_index_rebuild()")
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(terms(&mut conn).await, maintained);
    assert_eq!(names(&mut conn).await, maintained_names);
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    n: i32,
}

#[tokio::test]
async fn a_title_typed_out_whole_is_found_first_even_when_all_its_words_are_common() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let artist = fixtures::artist(&mut conn, "Catalog Artist").await;
    // Each of the title's words is in many shorter titles ("you zq3", ...): more than the
    // candidate cap of the call below, and all ranked before the title by length.
    let words = ["you", "and", "love", "forever"];
    let mut titles: Vec<String> = words
        .iter()
        .flat_map(|w| (0..8).map(move |i| format!("{w} zq{i}{}", w.len())))
        .collect();
    titles.push("You and Love Forever".to_string());
    for title in &titles {
        diesel::sql_query(format!(
            "INSERT INTO songs (artist_id, title, artist) VALUES ('{}', '{title}', 'Catalog Artist')",
            artist.id
        ))
        .execute(&mut conn)
        .await
        .unwrap();
    }
    let counted: Count = diesel::sql_query("SELECT search_words_count() AS n")
        .get_result(&mut conn)
        .await
        .unwrap();
    assert!(counted.n >= 4, "{} words recounted", counted.n);
    let common: Count = diesel::sql_query(
        "SELECT min(song_titles) AS n FROM search_words WHERE word IN ('you', 'and', 'love', 'forever')",
    )
    .get_result(&mut conn)
    .await
    .unwrap();
    assert_eq!(common.n, 9);
    // With at most 5 candidates per word, scoring the rarest word's shortest titles alone
    // never reached the title; the names holding every word are found by intersection.
    let top: (String, f32) = diesel::sql_query(
        "SELECT s.title, h.score FROM search_all('you and love forever', 3, 5) h \
         JOIN songs s ON s.id = h.entity_id WHERE h.kind = 's' ORDER BY h.score DESC LIMIT 1",
    )
    .get_result::<TitleScore>(&mut conn)
    .await
    .map(|t| (t.title, t.score))
    .unwrap();
    assert_eq!(top, ("You and Love Forever".to_string(), 1.0));
    // Through the API's search too (the default cap), with a typo.
    let songs = search(&mut conn, "you and love forevr", 5)
        .await
        .unwrap()
        .songs;
    assert_eq!(songs[0].title, "You and Love Forever");
    // A recount with nothing changed writes nothing.
    let again: Count = diesel::sql_query("SELECT search_words_count() AS n")
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(again.n, 0);
}

#[derive(QueryableByName)]
struct TitleScore {
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = diesel::sql_types::Float4)]
    score: f32,
}

#[tokio::test]
async fn ranking_is_per_word_and_tolerates_typos_in_each_word() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    for name in [
        "Midnight Oil",
        "Midnight",
        "The Midnight Hour Band",
        "Oil Can Harry",
        "Nightwish",
    ] {
        fixtures::artist(&mut conn, name).await;
    }
    // One word: the exact name first, then the shorter names holding it.
    assert_eq!(
        artist_names(&mut conn, "midnight").await,
        vec!["Midnight", "Midnight Oil", "The Midnight Hour Band"]
    );
    // Two words, one with a typo: the name holding both ranks first.
    let names = artist_names(&mut conn, "midngiht oil").await;
    assert_eq!(names[0], "Midnight Oil");
    let hits = search(&mut conn, "midnight oil", 10).await.unwrap().artists;
    assert_eq!(hits[0].score, 1.0, "an exact match of every word scores 1");
    assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
    // Non-Latin scripts are words too.
    fixtures::artist(&mut conn, "坂本龍一").await;
    assert_eq!(artist_names(&mut conn, "坂本龍一").await, vec!["坂本龍一"]);
}

#[tokio::test]
async fn the_api_role_can_search() {
    let db = TestDatabase::new().await;
    let mut owner = db.conn().await;
    fixtures::artist(&mut owner, "Björk").await;
    let mut api = db.conn_as("theset_api").await;
    assert_eq!(artist_names(&mut api, "bjork").await, vec!["Björk"]);
}

#[derive(QueryableByName)]
struct Scans {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    scans: i64,
}

async fn index_scans(conn: &mut AsyncPgConnection, index: &str) -> i64 {
    diesel::sql_query(format!(
        "SELECT pg_stat_clear_snapshot(), coalesce(sum(idx_scan), 0)::bigint AS scans \
         FROM pg_stat_user_indexes WHERE indexrelname = '{index}'"
    ))
    .get_result::<Scans>(conn)
    .await
    .unwrap()
    .scans
}

#[tokio::test]
async fn a_search_is_served_by_the_word_indexes() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    for name in ["Beyoncé", "Beyoncé Tribute Band", "Mötley Crüe"] {
        fixtures::artist(&mut conn, name).await;
    }
    // With few rows the planner prefers scans; forbid them to see that the indexes serve it.
    diesel::sql_query("SET enable_seqscan = off")
        .execute(&mut conn)
        .await
        .unwrap();
    let mut observer = db.conn().await;
    let indexes = [
        "idx_search_words_trgm",
        "search_terms_pkey",
        "idx_search_names_words",
    ];
    let mut before = Vec::new();
    for index in indexes {
        before.push(index_scans(&mut observer, index).await);
    }
    assert_eq!(artist_names(&mut conn, "beyonse").await.len(), 2);
    assert_eq!(
        artist_names(&mut conn, "beyonce tribute").await,
        vec!["Beyoncé Tribute Band", "Beyoncé"]
    );
    diesel::sql_query("SELECT pg_stat_force_next_flush()")
        .execute(&mut conn)
        .await
        .unwrap();
    // Statistics reach other sessions once the searching session is idle and has flushed them.
    drop(conn);
    for (index, before) in indexes.iter().zip(before) {
        let mut after = before;
        for _ in 0..50 {
            after = index_scans(&mut observer, index).await;
            if after > before {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(after > before, "{index} was not used by the search");
    }
}

#[tokio::test]
async fn a_name_too_long_to_carry_its_words_is_still_scored_on_all_of_them() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    fixtures::artist(&mut conn, "Quasar Nebula").await;
    // 150 distinct words: their list (over 1,000 bytes) is not stored beside each posting.
    let long: String = std::iter::once("Quasar Nebula".to_string())
        .chain((0..150).map(|i| format!("filler{i:04}")))
        .collect::<Vec<_>>()
        .join(" ");
    fixtures::artist(&mut conn, &long).await;
    let stored: Vec<Term> = terms(&mut conn)
        .await
        .into_iter()
        .filter(|t| t.word == "quasar")
        .collect();
    assert_eq!(stored.len(), 2);
    assert_eq!(
        stored.iter().filter(|t| t.words.is_none()).count(),
        1,
        "only the long name's postings go without their words"
    );

    let hits = search(&mut conn, "quasar nebula", 10)
        .await
        .unwrap()
        .artists;
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[0].name, "Quasar Nebula");
    assert_eq!(hits[0].score, 1.0);
    assert_eq!(hits[1].name, long);
    // Both query words matched: 2 / (2 query words + 152 name words - 2).
    assert!(
        (hits[1].score - 2.0 / 152.0).abs() < 1e-6,
        "{}",
        hits[1].score
    );
}
