//! Accent- and case-insensitive trigram search over the indexed `search_key` expressions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use theset_database::schema::artists;
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
