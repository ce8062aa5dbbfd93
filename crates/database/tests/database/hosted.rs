//! A Supabase-like database: its roles and default privileges exist before TheSet is migrated,
//! the extensions live in schema `extensions`, and the migrating role is no superuser. Migrations
//! apply, the health check is green, and a signed-in user working through SQL as `authenticated`
//! (as Supabase's Data API lets them) or an anonymous one as `anon` cannot change what TheSet
//! protects.

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Bool, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use theset_database::check::CheckReport;
use theset_database::enums::{SetlistType, UserRole, VoteType};
use theset_database::ids::UserId;
use theset_database::models::{NewSetlist, Setlist, Vote};
use theset_database::testing::{HOSTED_MIGRATOR, TestDatabase, fixtures};

/// Runs `statement` as `role` the way the Data API does: `SET LOCAL ROLE` and the caller's
/// transaction-local claims. The rows it touched, or PostgreSQL's refusal.
async fn run_as(
    conn: &mut AsyncPgConnection,
    role: &str,
    caller: Option<UserId>,
    statement: &str,
) -> Result<usize, String> {
    let claims = caller.map_or_else(String::new, |id| {
        format!(r#"{{"sub": "{id}", "role": "{role}", "aud": "authenticated"}}"#)
    });
    conn.transaction::<_, diesel::result::Error, _>(async |conn| {
        conn.batch_execute(&format!("SET LOCAL ROLE {role}"))
            .await?;
        diesel::sql_query("SELECT set_config('request.jwt.claims', $1, true)")
            .bind::<Text, _>(&claims)
            .execute(conn)
            .await?;
        diesel::sql_query(statement).execute(conn).await
    })
    .await
    .map_err(|e| e.to_string())
}

#[derive(QueryableByName, Debug, PartialEq)]
struct Flag {
    #[diesel(sql_type = Bool)]
    flag: bool,
}

async fn flag(conn: &mut AsyncPgConnection, query: &str) -> bool {
    diesel::sql_query(query)
        .get_result::<Flag>(conn)
        .await
        .unwrap()
        .flag
}

#[tokio::test]
async fn migrates_as_a_non_superuser_with_extensions_in_their_own_schema() {
    let db = TestDatabase::hosted().await;
    let mut owner = db.conn().await;
    assert!(
        flag(
            &mut owner,
            &format!(
                "SELECT NOT rolsuper AND rolcreaterole AND rolbypassrls AS flag FROM pg_roles \
                 WHERE rolname = '{HOSTED_MIGRATOR}'"
            )
        )
        .await
    );
    // TheSet's tables belong to the migrating role; the extensions stayed where they were.
    assert!(
        flag(
            &mut owner,
            &format!(
                "SELECT pg_get_userbyid(relowner) = '{HOSTED_MIGRATOR}' AS flag FROM pg_class \
                 WHERE oid = 'public.shows'::regclass"
            )
        )
        .await
    );
    assert!(
        flag(
            &mut owner,
            "SELECT bool_and(extnamespace = 'extensions'::regnamespace) AND count(*) = 4 AS flag \
             FROM pg_extension WHERE extname IN ('uuid-ossp', 'postgis', 'pg_trgm', 'unaccent')"
        )
        .await
    );
    // Accent- and case-folding reaches the dictionary in `extensions`.
    assert!(flag(&mut owner, "SELECT search_key('Björk') = 'bjork' AS flag").await);
    let show = fixtures::show(&mut owner, 2).await;
    let mut service = db.conn_as("theset_service").await;
    let report = CheckReport::collect(&mut service).await.unwrap();
    assert!(report.is_healthy(), "{:?}", report.problems());
    // Running the migrations again changes nothing, and a search finds the fixture's venue.
    theset_database::migrations::run_pending(&db.config_as(HOSTED_MIGRATOR))
        .await
        .unwrap();
    let hits = theset_database::search::search(&mut service, &show.venue.name, 5)
        .await
        .unwrap();
    assert!(
        hits.venues.iter().any(|v| v.name == show.venue.name),
        "{:?}",
        hits.venues.len()
    );
}

#[derive(QueryableByName, Debug, PartialEq)]
struct State {
    #[diesel(sql_type = Text)]
    roles: String,
    #[diesel(sql_type = BigInt)]
    upvotes: i64,
    #[diesel(sql_type = Text)]
    others_vote: String,
    #[diesel(sql_type = BigInt)]
    vote_count: i64,
    #[diesel(sql_type = BigInt)]
    setlists: i64,
    #[diesel(sql_type = Text)]
    prediction_name: String,
    #[diesel(sql_type = Text)]
    artist_name: String,
}

async fn state(conn: &mut AsyncPgConnection) -> State {
    diesel::sql_query(
        "SELECT (SELECT string_agg(role::text, ',' ORDER BY role) FROM users) AS roles,
                (SELECT sum(upvotes) FROM setlist_songs)::bigint AS upvotes,
                (SELECT string_agg(vote_type::text, ',') FROM votes) AS others_vote,
                (SELECT sum(vote_count) FROM shows)::bigint AS vote_count,
                (SELECT count(*) FROM setlists) AS setlists,
                (SELECT coalesce(name, '') FROM setlists WHERE owner_id IS NOT NULL) AS prediction_name,
                (SELECT string_agg(name, ',') FROM artists) AS artist_name",
    )
    .get_result(conn)
    .await
    .unwrap()
}

#[tokio::test]
async fn supabase_roles_cannot_change_what_theset_protects() {
    let db = TestDatabase::hosted().await;
    let mut owner = db.conn().await;
    let show = fixtures::show(&mut owner, 2).await;
    let fan = fixtures::user(&mut owner, UserRole::User).await;
    let other = fixtures::user(&mut owner, UserRole::User).await;
    let song = show.setlist_songs[0].id;
    Vote::cast(&mut owner, other.id, song, VoteType::Up)
        .await
        .unwrap();
    let prediction = Setlist::create(
        &mut owner,
        &NewSetlist {
            owner_id: Some(other.id),
            created_by: Some(other.id),
            name: Some("theirs".to_owned()),
            ..NewSetlist::new(show.show.id, show.artist.id, SetlistType::Predicted)
        },
    )
    .await
    .unwrap();
    let before = state(&mut owner).await;

    // Supabase's Data API connects as authenticator and switches role per request.
    let mut data_api = db.conn_as("authenticator").await;
    let (me, them, crowd, sid) = (fan.id, other.id, show.setlist.id, show.show.id);
    let as_fan = [
        format!("UPDATE users SET role = 'admin' WHERE id = '{me}'"),
        format!("UPDATE setlist_songs SET upvotes = 1000 WHERE id = '{song}'"),
        format!("UPDATE setlist_songs SET vote_version = 0, net_votes = 99 WHERE id = '{song}'"),
        format!("UPDATE shows SET vote_count = 1000 WHERE id = '{sid}'"),
        format!("UPDATE setlists SET total_votes = 1000, created_by = '{me}' WHERE id = '{crowd}'"),
        format!(
            "UPDATE setlists SET created_by = '{me}' WHERE id = '{}'",
            prediction.id
        ),
        format!("UPDATE votes SET vote_type = 'down' WHERE user_id = '{them}'"),
        format!("DELETE FROM votes WHERE user_id = '{them}'"),
        format!(
            "INSERT INTO votes (user_id, setlist_song_id, vote_type) VALUES ('{them}', '{}', 'down')",
            show.setlist_songs[1].id
        ),
        format!(
            "UPDATE setlists SET name = 'mine now' WHERE id = '{}'",
            prediction.id
        ),
        format!("DELETE FROM setlists WHERE id = '{}'", prediction.id),
        format!(
            "INSERT INTO setlists (show_id, artist_id, type, owner_id, created_by) \
             VALUES ('{sid}', '{}', 'predicted', '{them}', '{them}')",
            show.artist.id
        ),
        format!(
            "UPDATE artists SET name = 'renamed' WHERE id = '{}'",
            show.artist.id
        ),
        "TRUNCATE votes".to_owned(),
        "DELETE FROM realtime_vote_log".to_owned(),
        "SELECT refresh_vote_totals()".to_owned(),
        "SELECT realtime_prune_vote_log('0 seconds')".to_owned(),
        "SELECT recompute_trending_scores(now())".to_owned(),
        "SELECT refresh_artist_stats(NULL, now())".to_owned(),
        "SELECT advance_show_statuses(now(), '1 hour')".to_owned(),
        "SELECT search_index_rebuild()".to_owned(),
        format!("SELECT rate_limit_take('votes', '{them}', 1, '1 minute', 1)"),
        "SELECT rate_limits_prune('0 seconds')".to_owned(),
        format!("SELECT search_index_put('a', '{}', 'x')", show.artist.id),
        // The API's one-statement votes take the claims as an argument: anyone calling them
        // could vote as anyone.
        format!(
            r#"SELECT cast_vote_as('{{"sub": "{them}", "role": "authenticated"}}', '{}', 'down')"#,
            show.setlist_songs[1].id
        ),
        format!(
            r#"SELECT retract_vote_as('{{"sub": "{them}", "role": "authenticated"}}', '{song}')"#
        ),
        format!(r#"SELECT caller_is_known('{{"sub": "{them}"}}')"#),
    ];
    for statement in &as_fan {
        let outcome = run_as(&mut data_api, "authenticated", Some(me), statement).await;
        assert!(
            matches!(outcome, Ok(0) | Err(_)),
            "authenticated: {statement}: {outcome:?}"
        );
        if statement.starts_with("SELECT") || statement.starts_with("TRUNCATE") {
            let refusal = outcome.unwrap_err();
            assert!(
                refusal.contains("permission denied"),
                "{statement}: {refusal}"
            );
        }
    }
    // anon writes nothing at all, not even what a signed-in fan may.
    let as_anon = [
        format!(
            "INSERT INTO users (id, email) VALUES ('{}', 'x@example.com')",
            uuid::Uuid::new_v4()
        ),
        format!(
            "UPDATE artists SET name = 'renamed' WHERE id = '{}'",
            show.artist.id
        ),
        format!("DELETE FROM artists WHERE id = '{}'", show.artist.id),
        format!("SELECT cast_vote('{me}', '{song}', 'up')"),
        format!("SELECT add_setlist_song('{crowd}', '{}')", show.songs[0].id),
        format!(
            r#"SELECT cast_vote_as('{{"sub": "{them}", "role": "authenticated"}}', '{song}', 'down')"#
        ),
        format!(
            "INSERT INTO votes (user_id, setlist_song_id, vote_type) VALUES ('{me}', '{song}', 'up')"
        ),
    ];
    for statement in &as_anon {
        let outcome = run_as(&mut data_api, "anon", None, statement).await;
        assert!(outcome.is_err(), "anon: {statement}: {outcome:?}");
    }
    assert_eq!(state(&mut owner).await, before);

    // What they may do still works: the fan votes for themselves, anon reads the catalog.
    run_as(
        &mut data_api,
        "authenticated",
        Some(me),
        &format!("SELECT cast_vote('{me}', '{song}', 'up')"),
    )
    .await
    .unwrap();
    assert_eq!(
        run_as(&mut data_api, "anon", None, "SELECT id FROM artists").await,
        Ok(1)
    );
    // Counters stay equal to their aggregates, as the health check reads them.
    let mut service = db.conn_as("theset_service").await;
    let report = CheckReport::collect(&mut service).await.unwrap();
    assert!(report.is_healthy(), "{:?}", report.problems());
    assert_eq!(state(&mut owner).await.upvotes, before.upvotes + 1);
}

#[tokio::test]
async fn tables_force_row_level_security_and_public_runs_no_security_definer_function() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    assert!(
        flag(
            &mut conn,
            "SELECT bool_and(relforcerowsecurity) AS flag FROM pg_class \
             WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' AND relrowsecurity"
        )
        .await
    );
    assert!(
        flag(
            &mut conn,
            "SELECT NOT bool_or(has_function_privilege('public', p.oid, 'EXECUTE')) AS flag \
             FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef \
               AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass \
                                 AND d.objid = p.oid AND d.deptype = 'e')"
        )
        .await
    );
}
