//! Signing in: token verification (every way a token can be wrong is a 401), the user row made
//! on first sight, the caller's own account and profile, body errors (400, 413, 415, 422), and
//! that a pooled connection never carries one request's identity into the next.

use crate::common::*;
use actix_web::test::{self, TestRequest};
use diesel::QueryableByName;
use diesel::sql_types::{Nullable, Text};
use diesel_async::RunQueryDsl;
use jsonwebtoken::Algorithm;
use serde_json::json;
use theset_database::UserRole;
use theset_database::testing::fixtures;
use uuid::Uuid;

fn claims(sub: Uuid) -> serde_json::Value {
    json!({
        "sub": sub,
        "aud": "authenticated",
        "role": "authenticated",
        "email": format!("{sub}@example.test"),
        "exp": now() + 3600,
        "iat": now(),
    })
}

#[actix_web::test]
async fn every_bad_token_is_401() {
    let ctx = ctx().await;
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;
    let sub = Uuid::new_v4();
    let good = claims(sub);
    let with = |key: &str, value: serde_json::Value| {
        let mut claims = good.clone();
        claims[key] = value;
        claims
    };
    let mut without_exp = good.clone();
    without_exp.as_object_mut().unwrap().remove("exp");
    let mut without_iat = good.clone();
    without_iat.as_object_mut().unwrap().remove("iat");
    let signed = |claims: &serde_json::Value| {
        Some(format!("Bearer {}", sign(claims, Algorithm::HS256, SECRET)))
    };
    let cases: Vec<(&str, Option<String>, &str)> = vec![
        ("no header", None, "no Authorization"),
        ("basic scheme", Some("Basic dXNlcjpwYXNz".into()), "Bearer"),
        ("empty bearer", Some("Bearer ".into()), "Bearer"),
        ("garbage", Some("Bearer not.a.token".into()), "malformed"),
        (
            "bad signature",
            Some(format!(
                "Bearer {}",
                sign(
                    &good,
                    Algorithm::HS256,
                    "another-secret-0123456789abcdef0123"
                )
            )),
            "signature",
        ),
        (
            // Past exp by more than the few seconds of leeway (jsonwebtoken's default is 60).
            "expired",
            Some(format!(
                "Bearer {}",
                sign(&with("exp", json!(now() - 30)), Algorithm::HS256, SECRET)
            )),
            "expired",
        ),
        (
            "wrong audience",
            Some(format!(
                "Bearer {}",
                sign(&with("aud", json!("anon")), Algorithm::HS256, SECRET)
            )),
            "audience",
        ),
        (
            "no exp",
            Some(format!(
                "Bearer {}",
                sign(&without_exp, Algorithm::HS256, SECRET)
            )),
            "claim",
        ),
        ("no iat", signed(&without_iat), "claim"),
        (
            // Longer than JWT_MAX_LIFETIME_SECS (default a day), though not expired.
            "lives too long",
            signed(&with("exp", json!(now() + 2 * 24 * 3600))),
            "longer",
        ),
        (
            // A future iat would make a long-lived token look short-lived.
            "issued in the future",
            signed(&with("iat", json!(now() + 600))),
            "future",
        ),
        (
            "sub not a uuid",
            Some(format!(
                "Bearer {}",
                sign(&with("sub", json!("admin")), Algorithm::HS256, SECRET)
            )),
            "malformed",
        ),
        (
            "alg none",
            Some(format!("Bearer {}", unsigned(&good))),
            "token",
        ),
        (
            "HS512 with the right secret",
            Some(format!("Bearer {}", sign(&good, Algorithm::HS512, SECRET))),
            "algorithm",
        ),
    ];
    for (case, header, needle) in cases {
        let mut req = TestRequest::get().uri("/v1/me");
        if let Some(header) = header {
            req = req.insert_header(("Authorization", header));
        }
        let reply = send(&app, req.to_request()).await;
        assert_eq!(reply.status, 401, "{case}: {reply:?}");
        assert!(reply.is_problem(), "{case}");
        assert!(reply.detail().contains(needle), "{case}: {reply:?}");
    }
    // None of them made a user row.
    let reply = send(
        &app,
        TestRequest::get()
            .uri("/v1/me")
            .insert_header(bearer(&token(sub, Some("fresh@example.test"))))
            .to_request(),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["user"]["email"], "fresh@example.test");
}

#[actix_web::test]
async fn first_request_creates_the_user_row() {
    let ctx = ctx().await;
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;
    let sub = Uuid::new_v4();
    let me = || {
        TestRequest::get()
            .uri("/v1/me")
            .insert_header(bearer(&token(sub, Some("new.fan@example.test"))))
            .to_request()
    };
    let first = send(&app, me()).await;
    assert_eq!(first.status, 200, "{first:?}");
    assert_eq!(first.body["user"]["id"], sub.to_string());
    assert_eq!(first.body["user"]["role"], "user");
    assert!(first.body["profile"].is_null());
    assert!(first.body["user"].get("spotify_refresh_token").is_none());
    let second = send(&app, me()).await;
    assert_eq!(
        second.body["user"]["created_at"],
        first.body["user"]["created_at"]
    );

    // A new user whose token has no email cannot get an account made.
    let reply = send(
        &app,
        TestRequest::get()
            .uri("/v1/me")
            .insert_header(bearer(&token(Uuid::new_v4(), None)))
            .to_request(),
    )
    .await;
    assert_problem(&reply, 403, "email");

    // Another account's email: 409, not someone else's row.
    let reply = send(
        &app,
        TestRequest::get()
            .uri("/v1/me")
            .insert_header(bearer(&token(Uuid::new_v4(), Some("new.fan@example.test"))))
            .to_request(),
    )
    .await;
    assert_problem(&reply, 409, "email");
}

#[actix_web::test]
async fn concurrent_first_requests_make_one_row() {
    let ctx = ctx().await;
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;
    let sub = Uuid::new_v4();
    let token = token(sub, Some("racer@example.test"));
    let replies = futures_util::future::join_all((0..8).map(|_| {
        send(
            &app,
            TestRequest::get()
                .uri("/v1/me")
                .insert_header(bearer(&token))
                .to_request(),
        )
    }))
    .await;
    for reply in replies {
        assert_eq!(reply.status, 200, "{reply:?}");
    }
}

#[actix_web::test]
async fn a_user_edits_their_account_and_profile() {
    let ctx = ctx().await;
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;
    let sub = Uuid::new_v4();
    let auth = bearer(&token(sub, Some("editor@example.test")));
    let patch = |body: &str| {
        TestRequest::patch()
            .uri("/v1/me")
            .insert_header(auth.clone())
            .insert_header(("Content-Type", "application/json"))
            .set_payload(body.to_owned())
            .to_request()
    };

    let reply = send(
        &app,
        patch(r#"{"display_name":"Ada","preferences":{"theme":"dark"}}"#),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["display_name"], "Ada");
    assert_eq!(reply.body["preferences"]["theme"], "dark");
    let reply = send(&app, patch(r#"{"avatar_url":"https://img.example/a.png"}"#)).await;
    assert_eq!(reply.body["display_name"], "Ada", "absent fields stay");
    let reply = send(&app, patch(r#"{"display_name":null}"#)).await;
    assert!(reply.body["display_name"].is_null(), "null clears");
    assert_eq!(reply.body["avatar_url"], "https://img.example/a.png");

    // Mass assignment: role (or anything else unknown) is refused, not ignored.
    let reply = send(&app, patch(r#"{"display_name":"Ada","role":"admin"}"#)).await;
    assert_problem(&reply, 400, "unknown field `role`");
    let reply = send(&app, patch(r#"{"display_name":42}"#)).await;
    assert_problem(&reply, 400, "body.display_name");
    let reply = send(&app, patch(r#"{"display_name":"Ada""#)).await;
    assert_problem(&reply, 400, "malformed JSON");
    let reply = send(&app, patch("{}")).await;
    assert_problem(&reply, 422, "nothing to change");
    let reply = send(&app, patch(r#"{"preferences":[1,2]}"#)).await;
    assert_problem(&reply, 422, "preferences");
    let reply = send(&app, patch(r#"{"avatar_url":"javascript:alert(1)"}"#)).await;
    assert_problem(&reply, 422, "avatar_url");
    let reply = send(
        &app,
        TestRequest::patch()
            .uri("/v1/me")
            .insert_header(auth.clone())
            .insert_header(("Content-Type", "text/plain"))
            .set_payload(r#"{"display_name":"Ada"}"#)
            .to_request(),
    )
    .await;
    assert_problem(&reply, 415, "application/json");
    let big = format!(r#"{{"display_name":"{}"}}"#, "a".repeat(70 * 1024));
    let reply = send(&app, patch(&big)).await;
    assert_problem(&reply, 413, "bytes");

    let put = |body: &str| {
        TestRequest::put()
            .uri("/v1/me/profile")
            .insert_header(auth.clone())
            .insert_header(("Content-Type", "application/json"))
            .set_payload(body.to_owned())
            .to_request()
    };
    let reply = send(
        &app,
        put(r#"{"bio":"Front row","favorite_genres":["rock","jazz"],"concert_count":12}"#),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["user_id"], sub.to_string());
    assert_eq!(reply.body["favorite_genres"], json!(["rock", "jazz"]));
    let reply = send(&app, put(r#"{"is_public":true}"#)).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert!(
        reply.body["bio"].is_null(),
        "PUT replaces the whole profile"
    );
    assert_eq!(reply.body["concert_count"], 0);
    let reply = send(&app, put(r#"{"concert_count":-1}"#)).await;
    assert_problem(&reply, 422, "concert_count");
    let reply = send(&app, put(&format!(r#"{{"user_id":"{}"}}"#, Uuid::new_v4()))).await;
    assert_problem(&reply, 400, "unknown field `user_id`");

    let reply = send(
        &app,
        TestRequest::get()
            .uri("/v1/me")
            .insert_header(auth.clone())
            .to_request(),
    )
    .await;
    assert_eq!(reply.body["profile"]["is_public"], true);
}

#[derive(QueryableByName)]
struct Setting {
    #[diesel(sql_type = Nullable<Text>)]
    claims: Option<String>,
}

#[actix_web::test]
async fn pooled_connections_carry_no_identity() {
    // One connection, so every request below uses the same one.
    let ctx = ctx_with(|config| config.database.pool_size = 1).await;
    let mut conn = ctx.db.conn().await;
    let moderator = fixtures::user(&mut conn, UserRole::Moderator).await;
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;

    let reply = send(
        &app,
        TestRequest::get()
            .uri("/v1/me")
            .insert_header(bearer(&token_for(&moderator)))
            .to_request(),
    )
    .await;
    assert_eq!(reply.body["user"]["role"], "moderator");
    let plain = Uuid::new_v4();
    let reply = send(
        &app,
        TestRequest::get()
            .uri("/v1/me")
            .insert_header(bearer(&token(plain, Some("plain@example.test"))))
            .to_request(),
    )
    .await;
    assert_eq!(reply.body["user"]["id"], plain.to_string());
    assert_eq!(reply.body["user"]["role"], "user");

    let mut pooled = ctx.state.pool.get().await.unwrap();
    let setting: Setting =
        diesel::sql_query("SELECT current_setting('request.jwt.claims', true) AS claims")
            .get_result(&mut pooled)
            .await
            .unwrap();
    assert!(
        setting.claims.unwrap_or_default().is_empty(),
        "the pooled connection kept a caller's claims"
    );
}
