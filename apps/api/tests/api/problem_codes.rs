//! Every problem `code` is produced and documented: each is provoked here (over HTTP where a
//! request can reach it, from the database error it maps otherwise), and the OpenAPI document's
//! `Code` schema lists exactly the codes the API defines.

use std::collections::BTreeSet;

use crate::common;
use crate::common::*;
use actix_web::test::{self, TestRequest};
use chrono::Utc;
use theset_api::error::{ApiError, Code};
use theset_database::models::{Setlist, SetlistUpdate, Show, ShowUpdate};
use theset_database::testing::fixtures;
use theset_database::{Closed, Error as DbError, UserRole};
use uuid::Uuid;

fn json_request(method: &str, uri: &str, token: &str, body: &str) -> TestRequest {
    let method = actix_web::http::Method::from_bytes(method.as_bytes()).unwrap();
    TestRequest::default()
        .method(method)
        .uri(uri)
        .insert_header(bearer(token))
        .insert_header(("Content-Type", "application/json"))
        .set_payload(body.to_owned())
}

/// The reply's `code`, checked against its status.
#[track_caller]
fn code_of(reply: &Reply) -> Code {
    assert!(reply.is_problem(), "not a problem+json reply: {reply:?}");
    let name = reply.body["code"].as_str().expect("a code");
    let code = *Code::ALL
        .iter()
        .find(|c| c.as_str() == name)
        .unwrap_or_else(|| panic!("{name} is not a defined code"));
    assert_eq!(code.status(), reply.status, "{reply:?}");
    code
}

#[actix_web::test]
async fn every_code_is_produced() {
    let ctx = ctx_with(|config| config.rate_limits.votes = 1).await;
    let mut conn = ctx.db.conn().await;
    let open = fixtures::show(&mut conn, 2).await;
    let locked = fixtures::show(&mut conn, 1).await;
    let started = fixtures::show(&mut conn, 1).await;
    let fan = fixtures::user(&mut conn, UserRole::User).await;
    // One voter per vote below: the rate limit (one vote each) is checked before the rules.
    let closed_voter = fixtures::user(&mut conn, UserRole::User).await;
    let late_voter = fixtures::user(&mut conn, UserRole::User).await;
    let voter = fixtures::user(&mut conn, UserRole::User).await;
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
    let cancelled = fixtures::show(&mut conn, 1).await;
    Show::update(
        &mut conn,
        cancelled.show.id,
        &ShowUpdate {
            status: Some(theset_database::ShowStatus::Cancelled),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let postponed = fixtures::show(&mut conn, 1).await;
    {
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        use theset_database::schema::shows;
        diesel::update(shows::table.find(postponed.show.id))
            .set(shows::ticketmaster_status.eq("postponed"))
            .execute(&mut conn)
            .await
            .unwrap();
    }
    let cancelled_voter = fixtures::user(&mut conn, UserRole::User).await;
    let token = token_for(&fan);
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;
    let predict = |show: &Show| {
        json_request(
            "POST",
            &format!("/v1/shows/{}/predictions", show.id),
            &token,
            "",
        )
    };
    let first = send(&app, predict(&open.show).to_request()).await;
    assert_eq!(first.status, 201, "{first:?}");
    let songs = |setlist: &Setlist| format!("/v1/setlists/{}/songs", setlist.id);
    let vote = |song: &dyn std::fmt::Display, token: &str| {
        json_request(
            "PUT",
            &format!("/v1/setlist-songs/{song}/vote"),
            token,
            r#"{"vote_type":"up"}"#,
        )
    };
    let listed = format!(r#"{{"song_id":"{}"}}"#, open.songs[0].id);

    let requests: Vec<(Code, TestRequest)> = vec![
        (
            Code::BadRequest,
            TestRequest::get().uri("/v1/artists?limit=many"),
        ),
        (Code::Unauthorized, TestRequest::get().uri("/v1/me")),
        (
            Code::Forbidden,
            json_request(
                "POST",
                &format!("/v1/setlists/{}/lock", open.setlist.id),
                &token,
                "{}",
            ),
        ),
        (
            Code::NotFound,
            TestRequest::get().uri(&format!("/v1/shows/{}", Uuid::new_v4())),
        ),
        (
            Code::MethodNotAllowed,
            TestRequest::delete().uri("/v1/artists"),
        ),
        (
            Code::EmailInUse,
            TestRequest::get()
                .uri("/v1/me")
                .insert_header(bearer(&common::token(Uuid::new_v4(), Some(&fan.email)))),
        ),
        (
            Code::DuplicateSong,
            json_request("POST", &songs(&open.setlist), &token, &listed),
        ),
        (
            Code::VotingClosed,
            vote(&locked.setlist_songs[0].id, &token_for(&closed_voter)),
        ),
        (
            Code::ShowStarted,
            vote(&started.setlist_songs[0].id, &token_for(&late_voter)),
        ),
        (
            Code::ShowCancelled,
            vote(&cancelled.setlist_songs[0].id, &token_for(&cancelled_voter)),
        ),
        (Code::ShowPostponed, predict(&postponed.show)),
        (Code::PredictionExists, predict(&open.show)),
        (
            Code::SetlistLocked,
            json_request(
                "POST",
                &songs(&locked.setlist),
                &token,
                &format!(r#"{{"song_id":"{}"}}"#, locked.songs[0].id),
            ),
        ),
        (
            Code::PayloadTooLarge,
            json_request(
                "POST",
                &songs(&open.setlist),
                &token,
                &format!(
                    r#"{{"song_id":"{}","notes":"{}"}}"#,
                    open.songs[0].id,
                    "x".repeat(100_000)
                ),
            ),
        ),
        (
            Code::UriTooLong,
            TestRequest::get().uri(&format!("/v1/search?q={}", "a".repeat(3_000))),
        ),
        (
            Code::UnsupportedMediaType,
            TestRequest::post()
                .uri(&songs(&open.setlist))
                .insert_header(bearer(&token))
                .insert_header(("Content-Type", "text/plain"))
                .set_payload(listed.clone()),
        ),
        (
            Code::Validation,
            json_request(
                "POST",
                &songs(&open.setlist),
                &token,
                &format!(r#"{{"song_id":"{}"}}"#, locked.songs[0].id),
            ),
        ),
        // The voter's first vote is taken, the second is over the limit of one.
        (
            Code::RateLimited,
            vote(&open.setlist_songs[1].id, &token_for(&voter)),
        ),
        (
            Code::RateLimited,
            vote(&open.setlist_songs[1].id, &token_for(&voter)),
        ),
    ];
    let mut produced = BTreeSet::new();
    let mut first_vote = true;
    for (expected, request) in requests {
        let reply = send(&app, request.to_request()).await;
        if expected == Code::RateLimited && std::mem::take(&mut first_vote) {
            assert_eq!(reply.status, 200, "{reply:?}");
            continue;
        }
        assert_eq!(code_of(&reply), expected, "{reply:?}");
        produced.insert(expected.as_str());
    }

    // Reached from database errors that no request here can cause on purpose.
    for (error, expected) in [
        (
            DbError::UniqueViolation {
                constraint: "artists_slug_key".into(),
            },
            Code::AlreadyExists,
        ),
        (
            DbError::Unavailable("pool timed out".into()),
            Code::Unavailable,
        ),
        (
            DbError::Query(diesel::result::Error::RollbackTransaction),
            Code::Internal,
        ),
        (
            DbError::VotingClosed(Closed::ShowStarted),
            Code::ShowStarted,
        ),
    ] {
        assert_eq!(ApiError::from(error).code, expected);
        produced.insert(expected.as_str());
    }

    let defined: BTreeSet<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(produced, defined, "defined codes that nothing produces");
}

#[test]
fn every_code_is_documented() {
    let document: serde_json::Value =
        serde_json::from_str(theset_api::openapi::document()).unwrap();
    let documented: BTreeSet<&str> = document["components"]["schemas"]["Code"]["enum"]
        .as_array()
        .expect("the Code schema lists its values")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    let defined: BTreeSet<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(documented, defined);
    assert_eq!(
        document["components"]["schemas"]["Problem"]["required"]
            .as_array()
            .map(|r| r.iter().any(|f| f == "code")),
        Some(true),
        "every problem carries a code"
    );
}
