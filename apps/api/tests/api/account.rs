//! A fan's own data over HTTP: `GET /v1/me/export` and `DELETE /v1/me`; afterwards the account's
//! token is refused and the counts it moved are back.

use crate::common::*;
use actix_web::test::{self, TestRequest};
use serde_json::json;
use theset_database::UserRole;
use theset_database::testing::fixtures;

#[actix_web::test]
async fn a_fan_exports_and_deletes_their_account() {
    let ctx = ctx().await;
    let mut conn = ctx.db.conn().await;
    let sample = fixtures::show(&mut conn, 2).await;
    let fan = fixtures::user(&mut conn, UserRole::User).await;
    let token = token_for(&fan);
    let song = sample.setlist_songs[0].id;
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;

    let voted = send(
        &app,
        TestRequest::put()
            .uri(&format!("/v1/setlist-songs/{song}/vote"))
            .insert_header(bearer(&token))
            .insert_header(("Content-Type", "application/json"))
            .set_payload(r#"{"vote_type":"up"}"#)
            .to_request(),
    )
    .await;
    assert_eq!(voted.status, 200, "{voted:?}");
    let predicted = send(
        &app,
        TestRequest::post()
            .uri(&format!("/v1/shows/{}/predictions", sample.show.slug))
            .insert_header(bearer(&token))
            .to_request(),
    )
    .await;
    assert_eq!(predicted.status, 201, "{predicted:?}");

    let export = send(
        &app,
        TestRequest::get()
            .uri("/v1/me/export")
            .insert_header(bearer(&token))
            .to_request(),
    )
    .await;
    assert_eq!(export.status, 200, "{export:?}");
    assert_eq!(export.body["account"]["id"], json!(fan.id));
    assert_eq!(export.body["account"]["email"], json!(fan.email));
    assert_eq!(export.body["votes"][0]["setlist_song_id"], json!(song));
    assert_eq!(
        export.body["predictions"][0]["setlist"]["id"],
        predicted.body["id"].clone()
    );
    assert!(
        export.body["account"]
            .get("spotify_refresh_token")
            .is_none()
    );

    let deleted = send(
        &app,
        TestRequest::delete()
            .uri("/v1/me")
            .insert_header(bearer(&token))
            .to_request(),
    )
    .await;
    assert_eq!(deleted.status, 204, "{deleted:?}");
    // The same (still unexpired) token is refused everywhere, and nothing is re-created.
    for request in [
        TestRequest::get().uri("/v1/me"),
        TestRequest::get().uri("/v1/me/export"),
        TestRequest::delete().uri("/v1/me"),
        // A vote is one statement that finds no live account, then the path that refuses it.
        TestRequest::put()
            .uri(&format!("/v1/setlist-songs/{song}/vote"))
            .insert_header(("Content-Type", "application/json"))
            .set_payload(r#"{"vote_type":"up"}"#),
        TestRequest::delete().uri(&format!("/v1/setlist-songs/{song}/vote")),
    ] {
        let reply = send(&app, request.insert_header(bearer(&token)).to_request()).await;
        assert_problem(&reply, 403, "deleted");
    }
    let show = send(
        &app,
        TestRequest::get()
            .uri(&format!("/v1/shows/{}", sample.show.slug))
            .to_request(),
    )
    .await;
    assert_eq!(show.status, 200);
    let songs = show.body["setlists"][0]["songs"].as_array().unwrap();
    let entry = songs
        .iter()
        .find(|s| s["entry"]["id"] == json!(song))
        .unwrap();
    assert_eq!(
        entry["entry"]["upvotes"],
        json!(0),
        "the vote was retracted"
    );
}
