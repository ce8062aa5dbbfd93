//! Voting through HTTP: cast, change, retract, the caller's votes on a show, closed voting
//! (409), authorization attacks, the rate limit, and concurrent votes leaving every counter equal
//! to its aggregate.

use crate::common::*;
use actix_web::test::{self, TestRequest};
use chrono::Utc;
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Integer, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use serde_json::json;
use theset_database::UserRole;
use theset_database::models::{Setlist, SetlistUpdate, Show, ShowUpdate};
use theset_database::testing::fixtures;

fn vote(song: impl std::fmt::Display, token: &str, body: &str) -> TestRequest {
    TestRequest::put()
        .uri(&format!("/v1/setlist-songs/{song}/vote"))
        .insert_header(bearer(token))
        .insert_header(("Content-Type", "application/json"))
        .set_payload(body.to_owned())
}

fn retract(song: impl std::fmt::Display, token: &str) -> TestRequest {
    TestRequest::delete()
        .uri(&format!("/v1/setlist-songs/{song}/vote"))
        .insert_header(bearer(token))
}

#[actix_web::test]
async fn cast_change_and_retract() {
    let ctx = ctx().await;
    let mut conn = ctx.db.conn().await;
    let sample = fixtures::show(&mut conn, 2).await;
    let fan = fixtures::user(&mut conn, UserRole::User).await;
    let token = token_for(&fan);
    let song = sample.setlist_songs[0].id;
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;

    let reply = send(
        &app,
        vote(song, &token, r#"{"vote_type":"up"}"#).to_request(),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(
        (
            &reply.body["upvotes"],
            &reply.body["downvotes"],
            &reply.body["net_votes"]
        ),
        (&json!(1), &json!(0), &json!(1))
    );
    // Idempotent.
    let reply = send(
        &app,
        vote(song, &token, r#"{"vote_type":"up"}"#).to_request(),
    )
    .await;
    assert_eq!(reply.body["upvotes"], 1);
    let reply = send(
        &app,
        vote(song, &token, r#"{"vote_type":"down"}"#).to_request(),
    )
    .await;
    assert_eq!(
        (
            &reply.body["upvotes"],
            &reply.body["downvotes"],
            &reply.body["net_votes"]
        ),
        (&json!(0), &json!(1), &json!(-1))
    );

    let my_votes = |key: String| {
        TestRequest::get()
            .uri(&format!("/v1/shows/{key}/my-votes"))
            .insert_header(bearer(&token))
            .to_request()
    };
    let reply = send(&app, my_votes(sample.show.slug.clone())).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body.as_array().unwrap().len(), 1);
    assert_eq!(reply.body[0]["setlist_song_id"], song.to_string());
    assert_eq!(reply.body[0]["vote_type"], "down");

    let reply = send(&app, retract(song, &token).to_request()).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["downvotes"], 0);
    let reply = send(&app, retract(song, &token).to_request()).await;
    assert_eq!(reply.status, 200, "retracting nothing is a no-op");
    let reply = send(&app, my_votes(sample.show.id.to_string())).await;
    assert_eq!(reply.body, json!([]));
    let reply = send(&app, my_votes("no-such-show".into())).await;
    assert_problem(&reply, 404, "show");
}

#[actix_web::test]
async fn a_first_request_that_is_a_vote_creates_the_account() {
    let ctx = ctx().await;
    let mut conn = ctx.db.conn().await;
    let sample = fixtures::show(&mut conn, 1).await;
    let song = sample.setlist_songs[0].id;
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;
    let sub = uuid::Uuid::new_v4();
    let email = format!("{sub}@example.com");

    let reply = send(
        &app,
        vote(song, &token(sub, Some(&email)), r#"{"vote_type":"up"}"#).to_request(),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["upvotes"], 1);
    let user = theset_database::models::User::find(&mut conn, theset_database::ids::UserId(sub))
        .await
        .unwrap();
    assert_eq!(user.email, email);
    // Without an email there is nothing to create the account with: refused, nothing stored.
    let reply = send(
        &app,
        vote(
            song,
            &token(uuid::Uuid::new_v4(), None),
            r#"{"vote_type":"up"}"#,
        )
        .to_request(),
    )
    .await;
    assert_problem(&reply, 403, "email");
    let reply = send(&app, retract(song, &token(sub, Some(&email))).to_request()).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["upvotes"], 0);
}

#[actix_web::test]
async fn bad_votes_are_refused() {
    let ctx = ctx().await;
    let mut conn = ctx.db.conn().await;
    let sample = fixtures::show(&mut conn, 1).await;
    let fan = fixtures::user(&mut conn, UserRole::User).await;
    let other = fixtures::user(&mut conn, UserRole::User).await;
    let token = token_for(&fan);
    let song = sample.setlist_songs[0].id;
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;

    let reply = send(
        &app,
        vote(uuid::Uuid::new_v4(), &token, r#"{"vote_type":"up"}"#).to_request(),
    )
    .await;
    assert_problem(&reply, 404, "setlist song");
    let reply = send(&app, retract(uuid::Uuid::new_v4(), &token).to_request()).await;
    assert_problem(&reply, 404, "setlist song");
    let reply = send(
        &app,
        vote("not-a-uuid", &token, r#"{"vote_type":"up"}"#).to_request(),
    )
    .await;
    assert_problem(&reply, 400, "id");
    let reply = send(
        &app,
        vote(song, &token, r#"{"vote_type":"sideways"}"#).to_request(),
    )
    .await;
    assert_problem(&reply, 400, "body.vote_type");
    let reply = send(&app, vote(song, &token, r#"{}"#).to_request()).await;
    assert_problem(&reply, 400, "vote_type");
    // Voting as someone else: the body cannot name a user.
    let reply = send(
        &app,
        vote(
            song,
            &token,
            &format!(r#"{{"vote_type":"up","user_id":"{}"}}"#, other.id),
        )
        .to_request(),
    )
    .await;
    assert_problem(&reply, 400, "unknown field `user_id`");
    let reply = send(
        &app,
        TestRequest::put()
            .uri(&format!("/v1/setlist-songs/{song}/vote"))
            .insert_header(("Content-Type", "application/json"))
            .set_payload(r#"{"vote_type":"up"}"#)
            .to_request(),
    )
    .await;
    assert_problem(&reply, 401, "Authorization");

    // Another user's vote is theirs alone: my retraction leaves it, my votes do not list it.
    let theirs = token_for(&other);
    send(
        &app,
        vote(song, &theirs, r#"{"vote_type":"up"}"#).to_request(),
    )
    .await;
    let reply = send(&app, retract(song, &token).to_request()).await;
    assert_eq!(reply.body["upvotes"], 1);
    let reply = send(
        &app,
        TestRequest::get()
            .uri(&format!("/v1/shows/{}/my-votes", sample.show.id))
            .insert_header(bearer(&token))
            .to_request(),
    )
    .await;
    assert_eq!(reply.body, json!([]));
}

#[actix_web::test]
async fn closed_voting_is_409() {
    let ctx = ctx().await;
    let mut conn = ctx.db.conn().await;
    let locked = fixtures::show(&mut conn, 1).await;
    let started = fixtures::show(&mut conn, 1).await;
    let fan = fixtures::user(&mut conn, UserRole::User).await;
    Setlist::update(
        &mut conn,
        locked.setlist.id,
        &SetlistUpdate {
            is_locked: Some(true),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    Show::update(
        &mut conn,
        started.show.id,
        &ShowUpdate {
            date: Some((Utc::now() - chrono::Duration::days(1)).date_naive()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let token = token_for(&fan);
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;
    let reply = send(
        &app,
        vote(locked.setlist_songs[0].id, &token, r#"{"vote_type":"up"}"#).to_request(),
    )
    .await;
    assert_problem(&reply, 409, "locked");
    assert_eq!(reply.body["code"], "voting_closed");
    let reply = send(
        &app,
        vote(started.setlist_songs[0].id, &token, r#"{"vote_type":"up"}"#).to_request(),
    )
    .await;
    assert_problem(&reply, 409, "started");
    assert_eq!(reply.body["code"], "show_started");
}

#[actix_web::test]
async fn votes_are_rate_limited_per_user() {
    let ctx = ctx_with(|config| {
        config.rate_limits.votes = 2;
    })
    .await;
    let mut conn = ctx.db.conn().await;
    let sample = fixtures::show(&mut conn, 1).await;
    let fan = fixtures::user(&mut conn, UserRole::User).await;
    let other = fixtures::user(&mut conn, UserRole::User).await;
    let song = sample.setlist_songs[0].id;
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;
    let token = token_for(&fan);
    for _ in 0..2 {
        let reply = send(
            &app,
            vote(song, &token, r#"{"vote_type":"up"}"#).to_request(),
        )
        .await;
        assert_eq!(reply.status, 200, "{reply:?}");
    }
    let reply = send(
        &app,
        vote(song, &token, r#"{"vote_type":"down"}"#).to_request(),
    )
    .await;
    assert_problem(&reply, 429, "too many votes");
    let wait: u64 = reply
        .headers
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait));
    let reply = send(
        &app,
        vote(song, &token_for(&other), r#"{"vote_type":"up"}"#).to_request(),
    )
    .await;
    assert_eq!(reply.status, 200, "other users keep their own budget");
}

#[derive(QueryableByName, Debug)]
struct Counts {
    #[diesel(sql_type = SqlUuid)]
    id: uuid::Uuid,
    #[diesel(sql_type = Integer)]
    upvotes: i32,
    #[diesel(sql_type = Integer)]
    downvotes: i32,
    #[diesel(sql_type = BigInt)]
    ups: i64,
    #[diesel(sql_type = BigInt)]
    downs: i64,
}

#[actix_web::test]
async fn concurrent_votes_keep_counters_equal_to_aggregates() {
    let ctx = ctx_with(|config| config.database.pool_size = 8).await;
    let mut conn = ctx.db.conn().await;
    let sample = fixtures::show(&mut conn, 3).await;
    let mut tokens = Vec::new();
    for _ in 0..16 {
        tokens.push(token_for(&fixtures::user(&mut conn, UserRole::User).await));
    }
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;
    let songs: Vec<_> = sample.setlist_songs.iter().map(|s| s.id).collect();

    // Every user votes on every song at once; some change their vote, some retract it. Each
    // user's requests on one song stay in order, everything else interleaves.
    let pairs = tokens.iter().enumerate().flat_map(|(u, token)| {
        songs
            .iter()
            .enumerate()
            .map(move |(s, song)| (u, s, token, *song))
    });
    let app = &app;
    let replies = futures_util::future::join_all(pairs.map(|(u, s, token, song)| async move {
        let first = if (u + s) % 2 == 0 { "up" } else { "down" };
        let mut replies = vec![
            send(
                app,
                vote(song, token, &format!(r#"{{"vote_type":"{first}"}}"#)).to_request(),
            )
            .await,
        ];
        match (u * 3 + s) % 4 {
            0 => replies
                .push(send(app, vote(song, token, r#"{"vote_type":"up"}"#).to_request()).await),
            1 => replies.push(send(app, retract(song, token).to_request()).await),
            _ => {}
        }
        replies
    }))
    .await;
    for reply in replies.iter().flatten() {
        assert_eq!(reply.status, 200, "{reply:?}");
    }

    let counts: Vec<Counts> = diesel::sql_query(
        "SELECT ss.id, ss.upvotes, ss.downvotes,
                count(v.id) FILTER (WHERE v.vote_type = 'up') AS ups,
                count(v.id) FILTER (WHERE v.vote_type = 'down') AS downs
         FROM setlist_songs ss LEFT JOIN votes v ON v.setlist_song_id = ss.id
         WHERE ss.setlist_id = $1 GROUP BY ss.id",
    )
    .bind::<SqlUuid, _>(sample.setlist.id.0)
    .load(&mut conn)
    .await
    .unwrap();
    assert_eq!(counts.len(), 3);
    let mut total = 0;
    for song in &counts {
        assert_eq!(
            (i64::from(song.upvotes), i64::from(song.downvotes)),
            (song.ups, song.downs),
            "song {}",
            song.id
        );
        total += song.ups + song.downs;
    }
    // 48 first votes, 12 of them retracted.
    assert_eq!(total, 36);
}
