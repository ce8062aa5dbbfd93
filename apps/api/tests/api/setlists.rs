//! Editing setlists and moderation: adding and removing songs (201, 204, 403, 404, 409, 422),
//! locking and unlocking, live marking, show status; plain users on moderator routes get 403.

use crate::common::*;
use actix_web::test::{self, TestRequest};
use serde_json::json;
use theset_database::models::{NewSetlist, NewSong, Setlist, Song};
use theset_database::testing::fixtures;
use theset_database::{SetlistType, UserRole};

fn json_request(method: &str, uri: &str, token: &str, body: &str) -> TestRequest {
    let method = actix_web::http::Method::from_bytes(method.as_bytes()).unwrap();
    TestRequest::default()
        .method(method)
        .uri(uri)
        .insert_header(bearer(token))
        .insert_header(("Content-Type", "application/json"))
        .set_payload(body.to_owned())
}

fn plain_request(method: &str, uri: &str, token: &str) -> TestRequest {
    let method = actix_web::http::Method::from_bytes(method.as_bytes()).unwrap();
    TestRequest::default()
        .method(method)
        .uri(uri)
        .insert_header(bearer(token))
}

#[actix_web::test]
async fn fans_add_songs_to_predicted_setlists() {
    let ctx = ctx().await;
    let mut conn = ctx.db.conn().await;
    let sample = fixtures::show(&mut conn, 3).await;
    let elsewhere = fixtures::show(&mut conn, 1).await;
    let fan = fixtures::user(&mut conn, UserRole::User).await;
    let new_song = Song::create(
        &mut conn,
        &NewSong::new(
            sample.artist.id,
            "Deep Cut".into(),
            sample.artist.name.clone(),
        ),
    )
    .await
    .unwrap();
    let token = token_for(&fan);
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;
    let uri = format!("/v1/setlists/{}/songs", sample.setlist.id);

    let body = format!(r#"{{"song_id":"{}","notes":"opener?"}}"#, new_song.id);
    let reply = send(&app, json_request("POST", &uri, &token, &body).to_request()).await;
    assert_eq!(reply.status, 201, "{reply:?}");
    assert_eq!(reply.body["position"], 4);
    assert_eq!(reply.body["notes"], "opener?");
    let reply = send(&app, json_request("POST", &uri, &token, &body).to_request()).await;
    assert_problem(&reply, 409, "already");
    assert_eq!(reply.body["code"], "duplicate_song");

    let foreign = format!(r#"{{"song_id":"{}"}}"#, elsewhere.songs[0].id);
    let reply = send(
        &app,
        json_request("POST", &uri, &token, &foreign).to_request(),
    )
    .await;
    assert_problem(&reply, 422, "song_id");
    let missing = format!("/v1/setlists/{}/songs", uuid::Uuid::new_v4());
    let reply = send(
        &app,
        json_request("POST", &missing, &token, &body).to_request(),
    )
    .await;
    assert_problem(&reply, 404, "setlist");
    let reply = send(
        &app,
        json_request("POST", "/v1/setlists/nope/songs", &token, &body).to_request(),
    )
    .await;
    assert_problem(&reply, 400, "id");
    let smuggled = format!(r#"{{"song_id":"{}","position":1}}"#, sample.songs[0].id);
    let reply = send(
        &app,
        json_request("POST", &uri, &token, &smuggled).to_request(),
    )
    .await;
    assert_problem(&reply, 400, "unknown field `position`");

    // Once a moderator locks it, the setlist takes no more songs.
    let moderator = fixtures::user(&mut conn, UserRole::Moderator).await;
    let reply = send(
        &app,
        plain_request(
            "POST",
            &format!("/v1/setlists/{}/lock", sample.setlist.id),
            &token_for(&moderator),
        )
        .to_request(),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let another = Song::create(
        &mut conn,
        &NewSong::new(
            sample.artist.id,
            "Rarity".into(),
            sample.artist.name.clone(),
        ),
    )
    .await
    .unwrap();
    let body = format!(r#"{{"song_id":"{}"}}"#, another.id);
    let reply = send(&app, json_request("POST", &uri, &token, &body).to_request()).await;
    assert_problem(&reply, 409, "locked");
    assert_eq!(reply.body["code"], "setlist_locked");
}

#[actix_web::test]
async fn creators_and_moderators_remove_songs() {
    let ctx = ctx().await;
    let mut conn = ctx.db.conn().await;
    let sample = fixtures::show(&mut conn, 3).await;
    let creator = fixtures::user(&mut conn, UserRole::User).await;
    let stranger = fixtures::user(&mut conn, UserRole::User).await;
    let moderator = fixtures::user(&mut conn, UserRole::Moderator).await;
    let own = Setlist::create(
        &mut conn,
        &NewSetlist {
            show_id: sample.show.id,
            artist_id: sample.artist.id,
            type_: SetlistType::Predicted,
            name: Some("My guess".into()),
            order_index: Some(1),
            is_locked: None,
            imported_from: None,
            external_id: None,
            source_version_id: None,
            source_url: None,
            imported_at: None,
            created_by: Some(creator.id),
            owner_id: Some(creator.id),
        },
    )
    .await
    .unwrap();
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;
    let add = |song: &Song| {
        json_request(
            "POST",
            &format!("/v1/setlists/{}/songs", own.id),
            &token_for(&creator),
            &format!(r#"{{"song_id":"{}"}}"#, song.id),
        )
        .to_request()
    };
    let first = send(&app, add(&sample.songs[0])).await;
    let second = send(&app, add(&sample.songs[1])).await;
    assert_eq!(second.body["position"], 2);
    let remove = |setlist: String, entry: String, user: &theset_database::models::User| {
        plain_request(
            "DELETE",
            &format!("/v1/setlists/{setlist}/songs/{entry}"),
            &token_for(user),
        )
        .to_request()
    };
    let first_id = first.body["id"].as_str().unwrap().to_owned();
    let second_id = second.body["id"].as_str().unwrap().to_owned();

    let reply = send(
        &app,
        remove(own.id.to_string(), first_id.clone(), &stranger),
    )
    .await;
    // A fan's own prediction is hidden from other fans until the show starts: not there.
    assert_problem(&reply, 404, "setlist");
    let reply = send(&app, remove(own.id.to_string(), first_id.clone(), &creator)).await;
    assert_eq!(reply.status, 204, "{reply:?}");
    let reply = send(&app, remove(own.id.to_string(), first_id.clone(), &creator)).await;
    assert_problem(&reply, 404, "setlist song");
    // The gap is closed.
    let reply = send(
        &app,
        TestRequest::get()
            .uri(&format!("/v1/shows/{}/predictions/mine", sample.show.id))
            .insert_header(bearer(&token_for(&creator)))
            .to_request(),
    )
    .await;
    let mine = &reply.body;
    assert_eq!(mine["setlist"]["id"], own.id.to_string());
    assert_eq!(mine["songs"][0]["entry"]["id"], second_id.as_str());
    assert_eq!(mine["songs"][0]["entry"]["position"], 1);

    // The fixture's setlist has no creator: only staff remove from it.
    let entry = sample.setlist_songs[0].id.to_string();
    let reply = send(
        &app,
        remove(sample.setlist.id.to_string(), entry.clone(), &creator),
    )
    .await;
    assert_problem(&reply, 403, "moderator");
    let reply = send(&app, remove(own.id.to_string(), entry.clone(), &moderator)).await;
    assert_problem(&reply, 404, "in this setlist");
    let reply = send(
        &app,
        remove(sample.setlist.id.to_string(), entry.clone(), &moderator),
    )
    .await;
    assert_eq!(reply.status, 204, "{reply:?}");
    let reply = send(
        &app,
        remove(uuid::Uuid::new_v4().to_string(), entry.clone(), &moderator),
    )
    .await;
    assert_problem(&reply, 404, "setlist");
    let reply = send(&app, remove(own.id.to_string(), "x".into(), &moderator)).await;
    assert_problem(&reply, 400, "setlist_song_id");

    // Locked: even the creator cannot remove.
    send(
        &app,
        plain_request(
            "POST",
            &format!("/v1/setlists/{}/lock", own.id),
            &token_for(&moderator),
        )
        .to_request(),
    )
    .await;
    let reply = send(&app, remove(own.id.to_string(), second_id, &creator)).await;
    assert_problem(&reply, 409, "locked");
}

#[actix_web::test]
async fn moderation_routes_are_for_staff_only() {
    let ctx = ctx().await;
    let mut conn = ctx.db.conn().await;
    let sample = fixtures::show(&mut conn, 2).await;
    let fan = fixtures::user(&mut conn, UserRole::User).await;
    let moderator = fixtures::user(&mut conn, UserRole::Moderator).await;
    let admin = fixtures::user(&mut conn, UserRole::Admin).await;
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;
    let lock = format!("/v1/setlists/{}/lock", sample.setlist.id);
    let unlock = format!("/v1/setlists/{}/unlock", sample.setlist.id);
    let song = format!("/v1/setlist-songs/{}", sample.setlist_songs[0].id);
    let show = format!("/v1/shows/{}", sample.show.slug);

    // A plain user, even one whose token claims a role, is refused everywhere.
    let forged_role = sign(
        &json!({
            "sub": fan.id, "email": fan.email, "aud": "authenticated",
            "role": "service_role", "user_role": "admin", "exp": now() + 600, "iat": now(),
        }),
        jsonwebtoken::Algorithm::HS256,
        SECRET,
    );
    for token in [token_for(&fan), forged_role] {
        for request in [
            plain_request("POST", &lock, &token),
            plain_request("POST", &unlock, &token),
            json_request("PATCH", &song, &token, r#"{"is_played":true}"#),
            json_request("PATCH", &show, &token, r#"{"status":"ongoing"}"#),
        ] {
            let reply = send(&app, request.to_request()).await;
            assert_problem(&reply, 403, "moderators");
        }
    }

    let staff = token_for(&moderator);
    let reply = send(&app, plain_request("POST", &lock, &staff).to_request()).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["is_locked"], true);
    let vote = json_request(
        "PUT",
        &format!("/v1/setlist-songs/{}/vote", sample.setlist_songs[0].id),
        &token_for(&fan),
        r#"{"vote_type":"up"}"#,
    );
    let reply = send(&app, vote.to_request()).await;
    assert_problem(&reply, 409, "locked");
    let reply = send(
        &app,
        plain_request("POST", &unlock, &token_for(&admin)).to_request(),
    )
    .await;
    assert_eq!(reply.body["is_locked"], false);
    let reply = send(
        &app,
        plain_request(
            "POST",
            &format!("/v1/setlists/{}/lock", uuid::Uuid::new_v4()),
            &staff,
        )
        .to_request(),
    )
    .await;
    assert_problem(&reply, 404, "setlist");

    // Live marking.
    let reply = send(
        &app,
        json_request(
            "PATCH",
            &song,
            &staff,
            r#"{"is_played":true,"play_time":"2030-01-01T21:05:00Z","notes":"extended intro"}"#,
        )
        .to_request(),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["is_played"], true);
    assert_eq!(reply.body["notes"], "extended intro");
    let reply = send(
        &app,
        json_request("PATCH", &song, &staff, r#"{"notes":null}"#).to_request(),
    )
    .await;
    assert!(reply.body["notes"].is_null());
    assert_eq!(reply.body["is_played"], true);
    let reply = send(
        &app,
        json_request("PATCH", &song, &staff, "{}").to_request(),
    )
    .await;
    assert_problem(&reply, 422, "nothing to change");
    let reply = send(
        &app,
        json_request("PATCH", &song, &staff, r#"{"upvotes":1000}"#).to_request(),
    )
    .await;
    assert_problem(&reply, 400, "unknown field `upvotes`");
    let reply = send(
        &app,
        json_request(
            "PATCH",
            &format!("/v1/setlist-songs/{}", uuid::Uuid::new_v4()),
            &staff,
            r#"{"is_played":true}"#,
        )
        .to_request(),
    )
    .await;
    assert_problem(&reply, 404, "setlist song");

    // Show status.
    let reply = send(
        &app,
        json_request("PATCH", &show, &staff, r#"{"status":"ongoing"}"#).to_request(),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["status"], "ongoing");
    let reply = send(
        &app,
        json_request("PATCH", &show, &staff, r#"{"status":"postponed"}"#).to_request(),
    )
    .await;
    assert_problem(&reply, 400, "body.status");
    let reply = send(
        &app,
        json_request(
            "PATCH",
            "/v1/shows/no-such-show",
            &staff,
            r#"{"status":"completed"}"#,
        )
        .to_request(),
    )
    .await;
    assert_problem(&reply, 404, "show");
}
