//! The prediction game over HTTP: fans' own predictions (create, songs, order, encore, delete),
//! hidden until the show starts; the database's lock for every kind of change (started,
//! cancelled, postponed, rescheduled, time TBA); live recording; scores, leaderboards, public
//! profiles and song statistics.

use crate::common::*;
use actix_web::test::{self, TestRequest};
use chrono::{Duration, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};
use theset_database::models::{
    ArtistStats, NewUserProfile, Setlist, SetlistUpdate, Show, ShowUpdate, UserProfile,
};
use theset_database::schema::shows;
use theset_database::testing::fixtures;
use theset_database::{AsyncPgConnection, UserRole, scoring};

fn request(method: &str, uri: &str, token: Option<&str>, body: Option<Value>) -> TestRequest {
    let method = actix_web::http::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = TestRequest::default().method(method).uri(uri);
    if let Some(token) = token {
        req = req.insert_header(bearer(token));
    }
    if let Some(body) = body {
        req = req
            .insert_header(("Content-Type", "application/json"))
            .set_payload(body.to_string());
    }
    req
}

async fn move_show(conn: &mut AsyncPgConnection, show: &Show, days: i64) {
    Show::update(
        conn,
        show.id,
        &ShowUpdate {
            date: Some((Utc::now() + Duration::days(days)).date_naive()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
}

async fn set_ticketmaster_status(conn: &mut AsyncPgConnection, show: &Show, status: &str) {
    diesel::update(shows::table.find(show.id))
        .set(shows::ticketmaster_status.eq(status))
        .execute(conn)
        .await
        .unwrap();
}

#[actix_web::test]
async fn a_fan_makes_one_prediction_orders_it_and_others_see_it_only_after_the_start() {
    let ctx = ctx().await;
    let mut conn = ctx.db.conn().await;
    let sample = fixtures::show(&mut conn, 4).await;
    let elsewhere = fixtures::show(&mut conn, 1).await;
    let fan = fixtures::user(&mut conn, UserRole::User).await;
    let other = fixtures::user(&mut conn, UserRole::User).await;
    let (token, other_token) = (token_for(&fan), token_for(&other));
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;
    let show_uri = format!("/v1/shows/{}/predictions", sample.show.slug);

    let reply = send(
        &app,
        request("POST", &show_uri, Some(&token), None).to_request(),
    )
    .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    assert_eq!(reply.body["owner_id"], fan.id.to_string());
    assert_eq!(reply.body["type"], "predicted");
    let setlist = reply.body["id"].as_str().unwrap().to_owned();
    let reply = send(
        &app,
        request("POST", &show_uri, Some(&token), None).to_request(),
    )
    .await;
    assert_problem(&reply, 409, "already");
    assert_eq!(reply.body["code"], "prediction_exists");

    // Songs of the artist's catalog, in the order added; never another artist's.
    let songs_uri = format!("/v1/setlists/{setlist}/songs");
    let mut entries = Vec::new();
    for song in sample.songs.iter().rev() {
        let body = json!({ "song_id": song.id });
        let reply = send(
            &app,
            request("POST", &songs_uri, Some(&token), Some(body)).to_request(),
        )
        .await;
        assert_eq!(reply.status, 201, "{reply:?}");
        entries.push(reply.body["id"].as_str().unwrap().to_owned());
    }
    let foreign = json!({ "song_id": elsewhere.songs[0].id });
    let reply = send(
        &app,
        request("POST", &songs_uri, Some(&token), Some(foreign)).to_request(),
    )
    .await;
    assert_problem(&reply, 422, "song_id");
    // Another fan may not add to someone else's prediction: hidden, it is not there for them.
    let body = json!({ "song_id": sample.songs[0].id });
    let reply = send(
        &app,
        request("POST", &songs_uri, Some(&other_token), Some(body)).to_request(),
    )
    .await;
    assert_problem(&reply, 404, "no such setlist");

    // Reorder: every entry once; the last two expected as the encore.
    let order_uri = format!("/v1/setlists/{setlist}/order");
    let twice = json!({ "entries": [entries[0], entries[0], entries[1], entries[2]] });
    let reply = send(
        &app,
        request("PUT", &order_uri, Some(&token), Some(twice)).to_request(),
    )
    .await;
    assert_problem(&reply, 422, "twice");
    let missing = json!({ "entries": [entries[0], entries[1]] });
    let reply = send(
        &app,
        request("PUT", &order_uri, Some(&token), Some(missing)).to_request(),
    )
    .await;
    assert_problem(&reply, 422, "every entry");
    let out_of_range = json!({ "entries": entries, "encore_from": 9 });
    let reply = send(
        &app,
        request("PUT", &order_uri, Some(&token), Some(out_of_range)).to_request(),
    )
    .await;
    assert_problem(&reply, 422, "encore_from");
    let reversed: Vec<&String> = entries.iter().rev().collect();
    let good = json!({ "entries": reversed, "encore_from": 3 });
    let reply = send(
        &app,
        request("PUT", &order_uri, Some(&other_token), Some(good.clone())).to_request(),
    )
    .await;
    assert_problem(&reply, 404, "no such setlist");
    let reply = send(
        &app,
        request("PUT", &order_uri, Some(&token), Some(good)).to_request(),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let rows = reply.body.as_array().unwrap();
    let order: Vec<(&str, i64, i64)> = rows
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap(),
                r["position"].as_i64().unwrap(),
                r["encore"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        order,
        [
            (entries[3].as_str(), 1, 0),
            (entries[2].as_str(), 2, 0),
            (entries[1].as_str(), 3, 1),
            (entries[0].as_str(), 4, 1)
        ]
    );

    // Hidden before the start: the owner sees it, other fans and anonymous callers do not, and
    // the show page carries only the crowd setlist.
    let mine_uri = format!("/v1/shows/{}/predictions/mine", sample.show.slug);
    let reply = send(
        &app,
        request("GET", &mine_uri, Some(&token), None).to_request(),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["songs"].as_array().unwrap().len(), 4);
    let reply = send(
        &app,
        request("GET", &mine_uri, Some(&other_token), None).to_request(),
    )
    .await;
    assert_problem(&reply, 404, "no prediction");
    for token in [None, Some(other_token.as_str())] {
        let reply = send(&app, request("GET", &show_uri, token, None).to_request()).await;
        assert_eq!(reply.status, 200, "{reply:?}");
        assert_eq!(reply.body["items"], json!([]), "{token:?}");
    }
    let reply = send(
        &app,
        request("GET", &show_uri, Some(&token), None).to_request(),
    )
    .await;
    assert_eq!(reply.body["items"].as_array().unwrap().len(), 1);
    let page = send(
        &app,
        request(
            "GET",
            &format!("/v1/shows/{}", sample.show.slug),
            None,
            None,
        )
        .to_request(),
    )
    .await;
    let setlists = page.body["setlists"].as_array().unwrap();
    assert_eq!(setlists.len(), 1, "only the crowd setlist");
    assert_eq!(setlists[0]["setlist"]["id"], sample.setlist.id.to_string());

    // Once the show has started, everyone sees it; nobody changes it.
    move_show(&mut conn, &sample.show, -1).await;
    let reply = send(&app, request("GET", &show_uri, None, None).to_request()).await;
    let items = reply.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["songs"].as_array().unwrap().len(), 4);
    let reply = send(
        &app,
        request(
            "DELETE",
            &format!("/v1/setlists/{setlist}"),
            Some(&token),
            None,
        )
        .to_request(),
    )
    .await;
    assert_problem(&reply, 409, "started");
    assert_eq!(reply.body["code"], "show_started");
    let cursor_of_another_list = "eyJrIjoiaGlzdG9yeToyMDI2LTAxLTAxIiwiaWQiOiIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDAifQ";
    let reply = send(
        &app,
        request(
            "GET",
            &format!("{show_uri}?cursor={cursor_of_another_list}"),
            None,
            None,
        )
        .to_request(),
    )
    .await;
    assert_problem(&reply, 400, "another list");
}

#[actix_web::test]
async fn every_change_is_refused_once_predictions_close_and_says_why() {
    let ctx = ctx().await;
    let mut conn = ctx.db.conn().await;
    let sample = fixtures::show(&mut conn, 3).await;
    let fan = fixtures::user(&mut conn, UserRole::User).await;
    let late = fixtures::user(&mut conn, UserRole::User).await;
    let token = token_for(&fan);
    let late_token = token_for(&late);
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;
    let show_uri = format!("/v1/shows/{}/predictions", sample.show.slug);
    let reply = send(
        &app,
        request("POST", &show_uri, Some(&token), None).to_request(),
    )
    .await;
    let setlist = reply.body["id"].as_str().unwrap().to_owned();
    let body = json!({ "song_id": sample.songs[0].id });
    let reply = send(
        &app,
        request(
            "POST",
            &format!("/v1/setlists/{setlist}/songs"),
            Some(&token),
            Some(body),
        )
        .to_request(),
    )
    .await;
    let entry = reply.body["id"].as_str().unwrap().to_owned();

    // Each attempt: (create a prediction, add a song, reorder, remove a song, vote, delete).
    let attempts = |code: &'static str| {
        let (show_uri, setlist, entry) = (show_uri.clone(), setlist.clone(), entry.clone());
        let crowd_song = sample.setlist_songs[0].id;
        let second_song = sample.songs[1].id;
        let (token, late_token) = (token.clone(), late_token.clone());
        let app = &app;
        async move {
            let checks = [
                (
                    "create",
                    request("POST", &show_uri, Some(&late_token), None),
                ),
                (
                    "add",
                    request(
                        "POST",
                        &format!("/v1/setlists/{setlist}/songs"),
                        Some(&token),
                        Some(json!({ "song_id": second_song })),
                    ),
                ),
                (
                    "order",
                    request(
                        "PUT",
                        &format!("/v1/setlists/{setlist}/order"),
                        Some(&token),
                        Some(json!({ "entries": [entry], "encore_from": 1 })),
                    ),
                ),
                (
                    "remove",
                    request(
                        "DELETE",
                        &format!("/v1/setlists/{setlist}/songs/{entry}"),
                        Some(&token),
                        None,
                    ),
                ),
                (
                    "vote",
                    request(
                        "PUT",
                        &format!("/v1/setlist-songs/{crowd_song}/vote"),
                        Some(&token),
                        Some(json!({ "vote_type": "up" })),
                    ),
                ),
                (
                    "delete",
                    request(
                        "DELETE",
                        &format!("/v1/setlists/{setlist}"),
                        Some(&token),
                        None,
                    ),
                ),
            ];
            for (what, req) in checks {
                let reply = send(app, req.to_request()).await;
                assert_eq!(reply.status, 409, "{what} with {code}: {reply:?}");
                assert_eq!(reply.body["code"], code, "{what}: {reply:?}");
            }
        }
    };

    // Cancelled (before its start): closed at once.
    Show::update(
        &mut conn,
        sample.show.id,
        &ShowUpdate {
            status: Some(theset_database::ShowStatus::Cancelled),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    attempts("show_cancelled").await;
    Show::update(
        &mut conn,
        sample.show.id,
        &ShowUpdate {
            status: Some(theset_database::ShowStatus::Upcoming),
            ..Default::default()
        },
    )
    .await
    .unwrap();

    // Postponed: closed while no new date is known, though its stale date is ahead.
    set_ticketmaster_status(&mut conn, &sample.show, "postponed").await;
    attempts("show_postponed").await;
    // Rescheduled to a new date: open again until the new start.
    set_ticketmaster_status(&mut conn, &sample.show, "rescheduled").await;
    move_show(&mut conn, &sample.show, 30).await;
    let reply = send(
        &app,
        request(
            "PUT",
            &format!("/v1/setlists/{setlist}/order"),
            Some(&token),
            Some(json!({ "entries": [entry], "encore_from": 1 })),
        )
        .to_request(),
    )
    .await;
    assert_eq!(reply.status, 200, "open again: {reply:?}");

    // A locked setlist.
    Setlist::update(
        &mut conn,
        setlist.parse().unwrap(),
        &SetlistUpdate {
            is_locked: Some(true),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let reply = send(
        &app,
        request(
            "DELETE",
            &format!("/v1/setlists/{setlist}/songs/{entry}"),
            Some(&token),
            None,
        )
        .to_request(),
    )
    .await;
    assert_eq!(reply.body["code"], "setlist_locked", "{reply:?}");
    Setlist::update(
        &mut conn,
        setlist.parse().unwrap(),
        &SetlistUpdate {
            is_locked: Some(false),
            ..Default::default()
        },
    )
    .await
    .unwrap();

    // Time TBA: the show starts (and predictions close) at local midnight of its date.
    Show::update(
        &mut conn,
        sample.show.id,
        &ShowUpdate {
            start_time: Some(None),
            date: Some((Utc::now() - Duration::days(1)).date_naive()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    attempts("show_started").await;
    move_show(&mut conn, &sample.show, 2).await;
    let reply = send(
        &app,
        request(
            "PUT",
            &format!("/v1/setlists/{setlist}/order"),
            Some(&token),
            Some(json!({ "entries": [entry] })),
        )
        .to_request(),
    )
    .await;
    assert_eq!(reply.status, 200, "TBA, two days ahead: open: {reply:?}");

    // Started; nothing of all that changed the prediction.
    move_show(&mut conn, &sample.show, -1).await;
    attempts("show_started").await;
    let songs = Setlist::find(&mut conn, setlist.parse().unwrap())
        .await
        .unwrap()
        .songs(&mut conn)
        .await
        .unwrap();
    assert_eq!(songs.len(), 1);
    assert_eq!(songs[0].0.encore, 0);
}

#[actix_web::test]
async fn a_live_show_is_recorded_scored_and_ranked() {
    let ctx = ctx().await;
    let mut conn = ctx.db.conn().await;
    let sample = fixtures::show(&mut conn, 4).await;
    let moderator = fixtures::user(&mut conn, UserRole::Moderator).await;
    let alice = fixtures::user(&mut conn, UserRole::User).await;
    let bob = fixtures::user(&mut conn, UserRole::User).await;
    let carol = fixtures::user(&mut conn, UserRole::User).await;
    // Alice's profile is public, Bob's and Carol's are not.
    UserProfile::upsert(
        &mut conn,
        &NewUserProfile {
            is_public: true,
            ..NewUserProfile::new(alice.id)
        },
    )
    .await
    .unwrap();
    theset_database::models::User::update(
        &mut conn,
        alice.id,
        &theset_database::models::UserUpdate {
            display_name: Some(Some("Alice".into())),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;
    let show_uri = format!("/v1/shows/{}", sample.show.slug);
    let s = &sample.songs;
    // Alice predicts songs 1 2 3, Bob 1 and 4, Carol 4 only.
    for (fan, picks) in [
        (&alice, vec![0, 1, 2]),
        (&bob, vec![0, 3]),
        (&carol, vec![3]),
    ] {
        let token = token_for(fan);
        let reply = send(
            &app,
            request(
                "POST",
                &format!("{show_uri}/predictions"),
                Some(&token),
                None,
            )
            .to_request(),
        )
        .await;
        let setlist = reply.body["id"].as_str().unwrap().to_owned();
        for i in picks {
            let body = json!({ "song_id": s[i].id });
            let reply = send(
                &app,
                request(
                    "POST",
                    &format!("/v1/setlists/{setlist}/songs"),
                    Some(&token),
                    Some(body),
                )
                .to_request(),
            )
            .await;
            assert_eq!(reply.status, 201, "{reply:?}");
        }
    }
    move_show(&mut conn, &sample.show, -1).await;

    // The moderator records songs 1, 2, 3 and a new song by title; fans may not.
    let live = format!("{show_uri}/live/songs");
    let mod_token = token_for(&moderator);
    let reply = send(
        &app,
        request(
            "POST",
            &live,
            Some(&token_for(&alice)),
            Some(json!({ "song_id": s[0].id })),
        )
        .to_request(),
    )
    .await;
    assert_eq!(reply.status, 403, "{reply:?}");
    for (i, song) in s[..3].iter().enumerate() {
        let reply = send(
            &app,
            request(
                "POST",
                &live,
                Some(&mod_token),
                Some(json!({ "song_id": song.id })),
            )
            .to_request(),
        )
        .await;
        assert_eq!(reply.status, 201, "{reply:?}");
        assert_eq!(reply.body["position"], i + 1);
        assert_eq!(reply.body["is_played"], true);
    }
    let reply = send(
        &app,
        request(
            "POST",
            &live,
            Some(&mod_token),
            Some(json!({ "title": "Brand New Song", "encore": 1 })),
        )
        .to_request(),
    )
    .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    assert_eq!(reply.body["encore"], 1);
    let reply = send(
        &app,
        request(
            "POST",
            &live,
            Some(&mod_token),
            Some(json!({ "title": "x", "song_id": s[0].id })),
        )
        .to_request(),
    )
    .await;
    assert_problem(&reply, 422, "not both");
    let reply = send(
        &app,
        request(
            "POST",
            &live,
            Some(&mod_token),
            Some(json!({ "song_id": uuid::Uuid::new_v4() })),
        )
        .to_request(),
    )
    .await;
    assert_problem(&reply, 422, "song_id");

    // PostgreSQL queued the show for scoring; score it as the worker's schedule would.
    let pending = scoring::pending_shows(&mut conn, 10, &[]).await.unwrap();
    assert_eq!(pending, [sample.show.id]);
    let scored = scoring::score_show(&mut conn, sample.show.id)
        .await
        .unwrap();
    assert!(!scored.is_final, "a live record is provisional");

    // Played: 1 2 3 New (encore). Alice: 3 hits of 3 predicted, recall 3/4, in order,
    // opener right, closer wrong. Bob: 1 hit (song 1) of 2, recall 1/4, opener right.
    let reply = send(
        &app,
        request(
            "GET",
            &format!("{show_uri}/leaderboard"),
            Some(&token_for(&carol)),
            None,
        )
        .to_request(),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let items = reply.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    let f1 = |p: f64, r: f64| 2.0 * p * r / (p + r);
    let alice_score = 100.0 * (0.6 * f1(1.0, 0.75) + 0.2 * 1.0 + 0.05);
    let bob_score = 100.0 * (0.6 * f1(0.5, 0.25) + 0.05);
    assert_eq!(items[0]["user_id"], alice.id.to_string());
    assert_eq!(items[0]["display_name"], "Alice");
    assert!(
        (items[0]["value"].as_f64().unwrap() - alice_score).abs() < 1e-9,
        "{items:?}"
    );
    assert_eq!(items[1]["user_id"], bob.id.to_string());
    assert!((items[1]["value"].as_f64().unwrap() - bob_score).abs() < 1e-9);
    assert_eq!(
        items[1]["display_name"],
        Value::Null,
        "private fans have no name"
    );
    assert_eq!(items[2]["value"], 0.0);
    assert_eq!(
        items
            .iter()
            .map(|i| i["rank"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert_eq!(reply.body["me"]["user_id"], carol.id.to_string());
    assert_eq!(reply.body["me"]["rank"], 3);
    assert_eq!(reply.body["me"]["is_final"], false);
    assert_eq!(reply.body["bot"], Value::Null, "no history: no bot");
    assert!(reply.body["crowd"]["score"].as_f64().unwrap() > 0.0);

    // Keyset paging: one by one, no repeats; a cursor from another board is refused.
    let mut seen = Vec::new();
    let mut next = format!("{show_uri}/leaderboard?limit=1");
    loop {
        let reply = send(&app, request("GET", &next, None, None).to_request()).await;
        assert_eq!(reply.status, 200, "{reply:?}");
        seen.push(
            reply.body["items"][0]["user_id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
        match reply.body["next_cursor"].as_str() {
            Some(cursor) => next = format!("{show_uri}/leaderboard?limit=1&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(
        seen,
        [
            alice.id.to_string(),
            bob.id.to_string(),
            carol.id.to_string()
        ]
    );
    let first = send(
        &app,
        request(
            "GET",
            &format!("{show_uri}/leaderboard?limit=1"),
            None,
            None,
        )
        .to_request(),
    )
    .await;
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    let reply = send(
        &app,
        request(
            "GET",
            &format!("/v1/leaderboard?cursor={cursor}"),
            None,
            None,
        )
        .to_request(),
    )
    .await;
    assert_problem(&reply, 400, "another list");
    let reply = send(
        &app,
        request("GET", "/v1/leaderboard?period=2026-13", None, None).to_request(),
    )
    .await;
    assert_problem(&reply, 400, "period");

    // Provisional scores stay off the standings; locking the live record makes them final.
    let reply = send(
        &app,
        request("GET", "/v1/leaderboard", None, None).to_request(),
    )
    .await;
    assert_eq!(reply.body["items"], json!([]));
    let actual = Setlist::live_actual(&mut conn, sample.show.id, sample.artist.id)
        .await
        .unwrap()
        .unwrap();
    let reply = send(
        &app,
        request(
            "POST",
            &format!("/v1/setlists/{actual}/lock"),
            Some(&mod_token),
            None,
        )
        .to_request(),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(
        scoring::pending_shows(&mut conn, 10, &[]).await.unwrap(),
        [sample.show.id]
    );
    assert!(
        scoring::score_show(&mut conn, sample.show.id)
            .await
            .unwrap()
            .is_final
    );
    let period = (Utc::now() - Duration::days(1))
        .date_naive()
        .format("%Y-%m")
        .to_string();
    for uri in [
        "/v1/leaderboard".to_owned(),
        format!("/v1/leaderboard?period={period}"),
        format!("/v1/artists/{}/leaderboard", sample.artist.slug),
    ] {
        let reply = send(
            &app,
            request("GET", &uri, Some(&token_for(&bob)), None).to_request(),
        )
        .await;
        assert_eq!(reply.status, 200, "{uri}: {reply:?}");
        let items = reply.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 3, "{uri}");
        // One prediction each: rating = (3 * 30 + score) / 4.
        let rating = (3.0 * 30.0 + alice_score) / 4.0;
        assert!(
            (items[0]["value"].as_f64().unwrap() - rating).abs() < 1e-9,
            "{uri}"
        );
        assert_eq!(reply.body["me"]["rank"], 2, "{uri}");
    }

    // History, and whether they beat the crowd; public profiles only.
    let reply = send(
        &app,
        request("GET", "/v1/me/predictions", Some(&token_for(&alice)), None).to_request(),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let record = &reply.body["items"][0];
    assert!((record["score"].as_f64().unwrap() - alice_score).abs() < 1e-9);
    assert_eq!(record["is_final"], true);
    assert_eq!(
        record["beat_crowd"],
        alice_score > record["crowd_score"].as_f64().unwrap()
    );
    let reply = send(
        &app,
        request("GET", &format!("/v1/fans/{}", alice.id), None, None).to_request(),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["fan"]["display_name"], "Alice");
    assert_eq!(reply.body["predictions"], 1);
    let reply = send(
        &app,
        request(
            "GET",
            &format!("/v1/fans/{}/predictions", alice.id),
            None,
            None,
        )
        .to_request(),
    )
    .await;
    assert_eq!(reply.body["items"].as_array().unwrap().len(), 1);
    for uri in [
        format!("/v1/fans/{}", bob.id),
        format!("/v1/fans/{}/predictions", bob.id),
    ] {
        let reply = send(&app, request("GET", &uri, None, None).to_request()).await;
        assert_problem(&reply, 404, "private");
    }

    // Song statistics from the (now final) history.
    ArtistStats::refresh(&mut conn, Some(&[sample.artist.id]), None)
        .await
        .unwrap();
    let reply = send(
        &app,
        request(
            "GET",
            &format!("/v1/artists/{}/song-stats", sample.artist.slug),
            None,
            None,
        )
        .to_request(),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let rows = reply.body.as_array().unwrap();
    assert_eq!(rows.len(), 4, "songs 1-3 and the new one");
    assert!(
        rows.iter()
            .all(|r| r["times_played"] == 1 && r["play_rate"] == 1.0)
    );
    let reply = send(
        &app,
        request("GET", &format!("/v1/songs/{}/stats", s[0].id), None, None).to_request(),
    )
    .await;
    assert_eq!(reply.body["opener_rate"], 1.0);
    assert_eq!(reply.body["average_position"], 1.0);
    let reply = send(
        &app,
        request("GET", &format!("/v1/songs/{}/stats", s[3].id), None, None).to_request(),
    )
    .await;
    assert_problem(&reply, 404, "never played");
    let reply = send(
        &app,
        request(
            "GET",
            &format!("/v1/artists/{}/average-setlist", sample.artist.slug),
            None,
            None,
        )
        .to_request(),
    )
    .await;
    assert_eq!(reply.body["shows"], 1);
    let titles: Vec<&str> = reply.body["songs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Song 1", "Song 2", "Song 3", "Brand New Song"]);
    assert_eq!(reply.body["songs"][3]["encore"], true);
    let artist = theset_database::models::Artist::find(&mut conn, sample.artist.id)
        .await
        .unwrap();
    let stats = artist.stats(&mut conn).await.unwrap().unwrap();
    assert!(stats.most_played_song.is_some());
}
