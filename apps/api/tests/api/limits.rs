//! Rate limits shared by every API process (counted in PostgreSQL): per user for votes, edits
//! and profile writes, per client address for searches, with the address taken from
//! X-Forwarded-For only when the peer is a trusted proxy. 429 with Retry-After.

use crate::common::*;
use actix_web::test::{self, TestRequest};
use theset_api::AppState;
use theset_api::client::TrustedProxies;
use theset_database::UserRole;
use theset_database::testing::fixtures;

fn vote(song: impl std::fmt::Display, token: &str) -> TestRequest {
    TestRequest::put()
        .uri(&format!("/v1/setlist-songs/{song}/vote"))
        .insert_header(bearer(token))
        .insert_header(("Content-Type", "application/json"))
        .set_payload(r#"{"vote_type":"up"}"#)
}

#[actix_web::test]
async fn two_processes_share_one_vote_budget() {
    let ctx = ctx_with(|config| config.rate_limits.votes = 3).await;
    let mut settings = config(&ctx.db);
    settings.rate_limits.votes = 3;
    // A second process: its own pool, its own memory, the same database.
    let other = AppState::new(&settings).unwrap();
    let mut conn = ctx.db.conn().await;
    let sample = fixtures::show(&mut conn, 1).await;
    let fan = fixtures::user(&mut conn, UserRole::User).await;
    let token = token_for(&fan);
    let song = sample.setlist_songs[0].id;
    let a = test::init_service(theset_api::app(ctx.state.clone())).await;
    let b = test::init_service(theset_api::app(other)).await;
    for app in [&a, &a] {
        assert_eq!(send(app, vote(song, &token).to_request()).await.status, 200);
    }
    assert_eq!(send(&b, vote(song, &token).to_request()).await.status, 200);
    for app in [&b, &a] {
        let reply = send(app, vote(song, &token).to_request()).await;
        assert_problem(&reply, 429, "too many votes");
        assert!(reply.headers.contains_key("retry-after"));
    }
    // Another fan's budget is their own; failing votes spend it too.
    let failing = token_for(&fixtures::user(&mut conn, UserRole::User).await);
    let missing = uuid::Uuid::new_v4();
    for _ in 0..3 {
        let reply = send(&a, vote(missing, &failing).to_request()).await;
        assert_eq!(reply.status, 404, "{reply:?}");
    }
    assert_problem(
        &send(&b, vote(song, &failing).to_request()).await,
        429,
        "too many votes",
    );
    let next = token_for(&fixtures::user(&mut conn, UserRole::User).await);
    assert_eq!(send(&b, vote(song, &next).to_request()).await.status, 200);
}

#[actix_web::test]
async fn edits_and_profile_writes_are_limited_per_user() {
    let ctx = ctx_with(|config| {
        config.rate_limits.edits = 2;
        config.rate_limits.profile = 1;
    })
    .await;
    let mut conn = ctx.db.conn().await;
    let sample = fixtures::show(&mut conn, 2).await;
    let fan = fixtures::user(&mut conn, UserRole::User).await;
    let token = token_for(&fan);
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;
    let created = send(
        &app,
        TestRequest::post()
            .uri(&format!("/v1/shows/{}/predictions", sample.show.slug))
            .insert_header(bearer(&token))
            .to_request(),
    )
    .await;
    assert_eq!(created.status, 201, "{created:?}");
    let setlist = created.body["id"].as_str().unwrap().to_owned();
    let add = |song: String| {
        TestRequest::post()
            .uri(&format!("/v1/setlists/{setlist}/songs"))
            .insert_header(bearer(&token))
            .insert_header(("Content-Type", "application/json"))
            .set_payload(format!(r#"{{"song_id":"{song}"}}"#))
            .to_request()
    };
    let added = send(&app, add(sample.songs[0].id.to_string())).await;
    assert_eq!(added.status, 201, "{added:?}");
    let refused = send(&app, add(sample.songs[1].id.to_string())).await;
    assert_problem(&refused, 429, "too many edits");

    let rename = |name: &str| {
        TestRequest::patch()
            .uri("/v1/me")
            .insert_header(bearer(&token))
            .insert_header(("Content-Type", "application/json"))
            .set_payload(format!(r#"{{"display_name":"{name}"}}"#))
            .to_request()
    };
    assert_eq!(send(&app, rename("First")).await.status, 200);
    assert_problem(&send(&app, rename("Second")).await, 429, "account changes");
}

#[actix_web::test]
async fn searches_are_limited_per_client_address() {
    let ctx = ctx_with(|config| {
        config.rate_limits.search = 2;
        config.trusted_proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
    })
    .await;
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;
    let search = |peer: &str, forwarded: Option<&str>| {
        let mut req = TestRequest::get()
            .uri("/v1/search?q=anything")
            .peer_addr(peer.parse().unwrap());
        if let Some(chain) = forwarded {
            req = req.insert_header(("X-Forwarded-For", chain.to_owned()));
        }
        req.to_request()
    };
    for _ in 0..2 {
        assert_eq!(
            send(&app, search("203.0.113.1:4000", None)).await.status,
            200
        );
    }
    let refused = send(&app, search("203.0.113.1:4001", None)).await;
    assert_problem(&refused, 429, "too many searches");
    // A header from an untrusted peer changes nothing.
    let spoofed = send(&app, search("203.0.113.1:4002", Some("198.51.100.9"))).await;
    assert_eq!(spoofed.status, 429);
    // Another address has its own budget, also behind the trusted proxy.
    assert_eq!(
        send(&app, search("203.0.113.2:4000", None)).await.status,
        200
    );
    for _ in 0..2 {
        let proxied = send(&app, search("10.0.0.5:4000", Some("198.51.100.9"))).await;
        assert_eq!(proxied.status, 200);
    }
    let proxied = send(&app, search("10.0.0.6:4000", Some("198.51.100.9"))).await;
    assert_eq!(
        proxied.status, 429,
        "the proxied client's own budget is spent"
    );
}

#[actix_web::test]
async fn stream_opens_are_limited_per_client_address() {
    let ctx = ctx_with(|config| config.rate_limits.stream_opens = 1).await;
    let mut conn = ctx.db.conn().await;
    let sample = fixtures::show(&mut conn, 1).await;
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;
    let open = |peer: &str| {
        TestRequest::get()
            .uri(&format!("/v1/shows/{}/events", sample.show.slug))
            .peer_addr(peer.parse().unwrap())
            .to_request()
    };
    let first = test::call_service(&app, open("203.0.113.7:1000")).await;
    assert_eq!(first.status(), 200);
    drop(first);
    let refused = send(&app, open("203.0.113.7:1001")).await;
    assert_problem(&refused, 429, "event streams");
    let elsewhere = test::call_service(&app, open("203.0.113.8:1000")).await;
    assert_eq!(elsewhere.status(), 200);
}

#[actix_web::test]
async fn batches_held_by_two_processes_never_exceed_the_budget() {
    // A budget of 40: each process takes 4 at a time and spends them from memory.
    let ctx = ctx_with(|config| config.rate_limits.votes = 40).await;
    let mut settings = config(&ctx.db);
    settings.rate_limits.votes = 40;
    let other = AppState::new(&settings).unwrap();
    let mut conn = ctx.db.conn().await;
    let sample = fixtures::show(&mut conn, 1).await;
    let token = token_for(&fixtures::user(&mut conn, UserRole::User).await);
    let song = sample.setlist_songs[0].id;
    let a = test::init_service(theset_api::app(ctx.state.clone())).await;
    let b = test::init_service(theset_api::app(other)).await;
    let mut allowed = 0;
    for round in 0..60 {
        let app = if round % 3 == 0 { &b } else { &a };
        let reply = send(app, vote(song, &token).to_request()).await;
        match reply.status.as_u16() {
            200 => allowed += 1,
            429 => assert!(reply.headers.contains_key("retry-after")),
            other => panic!("{other}: {reply:?}"),
        }
    }
    // Never more than the budget; at most a batch short of it per process.
    assert!((33..=40).contains(&allowed), "{allowed} votes allowed");
}
