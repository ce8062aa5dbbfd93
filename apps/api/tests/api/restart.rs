//! PostgreSQL restarting under load (`pg_ctl restart -m fast`: every session is terminated with
//! 57P01, then connections are refused until the server is back): the API answers 503 with
//! Retry-After meanwhile, never 500, and 200 again within 5 seconds of the server accepting
//! connections; every vote it acknowledged is stored, and the counters equal their aggregates.
//! On a server of the test's own, so the shared one stays up.

use std::time::{Duration, Instant};

use crate::common::*;
use actix_web::test::{self, TestRequest};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use futures_util::future::join_all;
use theset_database::UserRole;
use theset_database::check::CheckReport;
use theset_database::ids::{SetlistSongId, UserId};
use theset_database::models::Vote;
use theset_database::pool::DatabaseConfig;
use theset_database::schema::votes;
use theset_database::testing::{PrivateServer, TestDatabase, fixtures, url_with_user};

/// Each round, each fan votes up the round's song: a vote is new until the songs come round.
const SONGS: usize = 60;

#[actix_web::test]
async fn a_restarting_database_answers_503_never_500() {
    let server = tokio::task::spawn_blocking(PrivateServer::start)
        .await
        .unwrap();
    let owner = server.migrated("theset").await;
    let mut conn = owner.connect().await.unwrap();
    let sample = fixtures::show(&mut conn, SONGS).await;
    let mut fans = Vec::new();
    for _ in 0..4 {
        fans.push(fixtures::user(&mut conn, UserRole::User).await);
    }
    let tokens: Vec<String> = fans.iter().map(token_for).collect();
    drop(conn);
    // The app's settings as every HTTP test has them, on the private server.
    let base = TestDatabase::new().await;
    let mut settings = config(&base);
    settings.database =
        DatabaseConfig::from_url(&url_with_user(&server.url("theset"), "theset_api")).unwrap();
    settings.realtime.enabled = false;
    let state = theset_api::AppState::new(&settings).unwrap();
    let app = test::init_service(theset_api::app(state)).await;

    let show = format!("/v1/shows/{}", sample.show.slug);
    let mut restart = Some(tokio::task::spawn_blocking(move || {
        std::thread::sleep(Duration::from_millis(800));
        server.restart();
        (server, Instant::now())
    }));
    let started = Instant::now();
    let mut server = None;
    // When the server accepted connections again, and how long until a round was all 200.
    let mut back: Option<Instant> = None;
    let mut recovered: Option<Duration> = None;
    let mut seen = Vec::new();
    let mut acknowledged = std::collections::HashSet::new();
    for round in 0_usize.. {
        if let Some(done) = restart.take_if(|r| r.is_finished()) {
            let (kept, at) = done.await.unwrap();
            server = Some(kept);
            back = Some(at);
        }
        let song = sample.setlist_songs[round % SONGS].id;
        let replies = join_all((0..8).map(|i| {
            let request = if i % 2 == 0 {
                TestRequest::get().uri(&show).to_request()
            } else {
                TestRequest::put()
                    .uri(&format!("/v1/setlist-songs/{song}/vote"))
                    .insert_header(bearer(&tokens[i / 2]))
                    .insert_header(("Content-Type", "application/json"))
                    .set_payload(r#"{"vote_type":"up"}"#)
                    .to_request()
            };
            send(&app, request)
        }))
        .await;
        for (i, reply) in replies.iter().enumerate() {
            if i % 2 == 1 && reply.status == 200 {
                acknowledged.insert((fans[i / 2].id, song));
            }
        }
        let all_ok = replies.iter().all(|r| r.status == 200);
        seen.extend(replies);
        if let Some(at) = back {
            if all_ok && recovered.is_none() {
                recovered = Some(at.elapsed());
            }
            if recovered.is_some() || at.elapsed() > Duration::from_secs(10) {
                break;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the restart never finished"
        );
    }
    for reply in &seen {
        match reply.status.as_u16() {
            200 => {}
            503 => {
                assert!(reply.is_problem(), "{reply:?}");
                assert!(reply.headers.contains_key("retry-after"), "{reply:?}");
            }
            _ => panic!("while PostgreSQL restarted: {reply:?}"),
        }
    }
    let recovered = recovered.expect("no round of 200s within 10 s of the restart");
    assert!(
        recovered <= Duration::from_secs(5),
        "200 again only {recovered:?} after the server accepted connections"
    );
    let unavailable = seen.iter().filter(|r| r.status == 503).count();
    eprintln!("{} requests, {unavailable} answered 503", seen.len());

    // Every acknowledged vote is stored; counters and folded totals equal their aggregates.
    let mut conn = owner.connect().await.unwrap();
    let stored: std::collections::HashSet<_> = votes::table
        .select((votes::user_id, votes::setlist_song_id))
        .load::<(UserId, SetlistSongId)>(&mut conn)
        .await
        .unwrap()
        .into_iter()
        .collect();
    assert!(!acknowledged.is_empty());
    let lost: Vec<_> = acknowledged.difference(&stored).collect();
    assert!(lost.is_empty(), "acknowledged but not stored: {lost:?}");
    let service_url = url_with_user(&server.as_ref().unwrap().url("theset"), "theset_service");
    let mut service = DatabaseConfig::from_url(&service_url)
        .unwrap()
        .connect()
        .await
        .unwrap();
    Vote::refresh_totals(&mut service).await.unwrap();
    let report = CheckReport::collect(&mut service).await.unwrap();
    assert!(report.is_healthy(), "{:?}", report.problems());
    drop(server);
}
