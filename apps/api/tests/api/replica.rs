//! Public reads on a streaming standby (`DATABASE_READ_URL`), on a primary and a hot standby of
//! the test's own (`PrivateServer::standby`). With the standby's replay paused, what a read
//! returns says where it was served: the standby shows the page as it was, the primary as it is.
//! Proven here: an anonymous read served by the standby; a fan's write, and that fan's next read,
//! on the primary, while another fan still reads the standby; reads back on the primary once the
//! lag passes its bound; and on the standby again once it catches up.

use std::time::{Duration, Instant};

use crate::common::*;
use actix_web::test::{self, TestRequest};
use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;
use serde_json::Value;
use theset_api::replica::ReplicaConfig;
use theset_database::UserRole;
use theset_database::pool::DatabaseConfig;
use theset_database::testing::{PrivateServer, TestDatabase, fixtures, url_with_user};

#[derive(diesel::QueryableByName)]
struct PauseState {
    #[diesel(sql_type = Text)]
    state: String,
}

/// Up to 30 s for `done`, checked every 20 ms.
async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[actix_web::test]
async fn public_reads_go_to_the_standby_while_it_keeps_up_and_writers_read_their_writes() {
    let primary = tokio::task::spawn_blocking(PrivateServer::start)
        .await
        .unwrap();
    let owner = primary.migrated("theset").await;
    let mut conn = owner.connect().await.unwrap();
    let sample = fixtures::show(&mut conn, 3).await;
    let voter = fixtures::user(&mut conn, UserRole::User).await;
    let other = fixtures::user(&mut conn, UserRole::User).await;
    drop(conn);
    let (primary, standby) = tokio::task::spawn_blocking(move || {
        let standby = primary.standby();
        (primary, standby)
    })
    .await
    .unwrap();

    let base = TestDatabase::new().await;
    let mut settings = config(&base);
    settings.database =
        DatabaseConfig::from_url(&url_with_user(&primary.url("theset"), "theset_api")).unwrap();
    // No cache: every show page is read from the database.
    settings.realtime.enabled = false;
    let max_lag = Duration::from_secs(5);
    settings.replica = Some(ReplicaConfig {
        database: DatabaseConfig::from_url(&url_with_user(&standby.url("theset"), "theset_api"))
            .unwrap(),
        max_lag,
        check_every: Duration::from_millis(50),
    });
    let state = theset_api::AppState::new(&settings).unwrap();
    let replica = state.replica.clone().expect("a replica");
    let app = test::init_service(theset_api::app(state)).await;
    until("the standby to serve", || replica.status().serving).await;

    let page = format!("/v1/shows/{}", sample.show.slug);
    let song = sample.setlist_songs[0].id;
    let upvotes = |page: &Value| -> i64 {
        page["setlists"][0]["songs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["entry"]["id"] == song.to_string())
            .map(|s| s["entry"]["upvotes"].as_i64().unwrap())
            .unwrap()
    };
    let read = |token: Option<String>| {
        let mut request = TestRequest::get().uri(&page);
        if let Some(token) = token {
            request = request.insert_header(bearer(&token));
        }
        let app = &app;
        async move {
            let reply = send(app, request.to_request()).await;
            assert_eq!(reply.status, 200, "{reply:?}");
            upvotes(&reply.body)
        }
    };
    let before = replica.status();
    assert_eq!(read(None).await, 0);
    assert_eq!(
        replica.status().reads_on_standby,
        before.reads_on_standby + 1,
        "an anonymous read is served by the standby"
    );

    // The standby stops replaying: what it serves from now on is the page as it was.
    let mut on_standby = DatabaseConfig::from_url(&standby.url("theset"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    diesel::sql_query("SELECT pg_wal_replay_pause()")
        .execute(&mut on_standby)
        .await
        .unwrap();
    for _ in 0..250 {
        let pause: PauseState =
            diesel::sql_query("SELECT pg_get_wal_replay_pause_state() AS state")
                .get_result(&mut on_standby)
                .await
                .unwrap();
        if pause.state == "paused" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let paused_at = Instant::now();

    let vote = send(
        &app,
        TestRequest::put()
            .uri(&format!("/v1/setlist-songs/{song}/vote"))
            .insert_header(bearer(&token_for(&voter)))
            .insert_header(("Content-Type", "application/json"))
            .set_payload(r#"{"vote_type":"up"}"#)
            .to_request(),
    )
    .await;
    assert_eq!(vote.status, 200, "{vote:?}");

    assert_eq!(read(None).await, 0, "anonymous: the standby, a vote behind");
    assert_eq!(
        read(Some(token_for(&other))).await,
        0,
        "a fan who wrote nothing: the standby"
    );
    assert_eq!(
        read(Some(token_for(&voter))).await,
        1,
        "the voter reads their own vote: the primary"
    );
    assert!(
        paused_at.elapsed() < max_lag,
        "the reads above ran within the lag bound, so the standby served them"
    );

    // The standby falls behind past the bound: public reads go back to the primary.
    until("the lag to pass its bound", || !replica.status().serving).await;
    assert!(replica.status().lag.is_none_or(|lag| lag > max_lag));
    let on_primary = replica.status().reads_on_primary;
    assert_eq!(read(None).await, 1, "past the lag bound: the primary");
    assert_eq!(replica.status().reads_on_primary, on_primary + 1);

    // It catches up: the standby serves again, the vote on it.
    diesel::sql_query("SELECT pg_wal_replay_resume()")
        .execute(&mut on_standby)
        .await
        .unwrap();
    until("the standby to catch up", || replica.status().serving).await;
    let on_standby_reads = replica.status().reads_on_standby;
    assert_eq!(read(None).await, 1);
    assert_eq!(replica.status().reads_on_standby, on_standby_reads + 1);
    drop(on_standby);
    drop((standby, primary));
}
