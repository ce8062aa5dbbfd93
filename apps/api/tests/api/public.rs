//! Public routes: health, readiness, artists, venues, shows, search; and the error classes
//! anyone can meet (400 naming the parameter, 404, 414, 503).

use crate::common::*;
use actix_web::test::{self, TestRequest};
use theset_api::AppState;
use theset_database::Key;
use theset_database::models::{Show, ShowDetails};
use theset_database::testing::fixtures;

#[actix_web::test]
async fn health_and_readiness() {
    // /metrics is off the API's bind unless METRICS_TOKEN is set (apps/api/README.md, "Metrics").
    let ctx = ctx_with(|config| {
        config.metrics.token = Some("metrics-token-0123456789abcdef".to_owned());
    })
    .await;
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;
    let reply = send(&app, TestRequest::get().uri("/health").to_request()).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["status"], "ok");
    assert!(reply.headers.contains_key("x-request-id"));

    let reply = send(&app, TestRequest::get().uri("/ready").to_request()).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["database"], "ok");
    assert_eq!(reply.body["migrations"], "current");

    // Metrics count by route pattern, not raw path.
    send(
        &app,
        TestRequest::get().uri("/v1/shows/some-show").to_request(),
    )
    .await;
    send(
        &app,
        TestRequest::get().uri("/v1/shows/other-show").to_request(),
    )
    .await;
    let response = test::call_service(
        &app,
        TestRequest::get()
            .uri("/metrics")
            .insert_header(("Authorization", "Bearer metrics-token-0123456789abcdef"))
            .to_request(),
    )
    .await;
    assert_eq!(response.status(), 200);
    let text = String::from_utf8(test::read_body(response).await.to_vec()).unwrap();
    assert!(
        text.contains(
            "theset_http_requests_total{method=\"GET\",route=\"/v1/shows/{key}\",status=\"404\"} 2"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "theset_http_request_duration_seconds_bucket{method=\"GET\",route=\"/ready\""
        )
    );
    assert!(text.contains("theset_db_pool_connections{state=\"open\"}"));
    assert!(!text.contains("some-show"));
}

#[actix_web::test]
async fn database_down_is_503_with_retry_after() {
    let ctx = ctx().await;
    let mut config = config(&ctx.db);
    // Nothing listens on port 1: every connection attempt is refused.
    config.database = theset_database::DatabaseConfig::from_url(
        "postgres://theset_api@127.0.0.1:1/theset?connect_timeout=1",
    )
    .unwrap();
    let app = test::init_service(theset_api::app(AppState::new(&config).unwrap())).await;
    for uri in ["/ready", "/v1/shows/trending", "/v1/artists"] {
        let reply = send(&app, TestRequest::get().uri(uri).to_request()).await;
        assert_problem(&reply, 503, "unavailable");
        assert!(reply.headers.contains_key("retry-after"), "{uri}");
    }
    let reply = send(&app, TestRequest::get().uri("/health").to_request()).await;
    assert_eq!(reply.status, 200);
}

#[actix_web::test]
async fn artist_directory_pages_with_cursors() {
    let ctx = ctx().await;
    let mut conn = ctx.db.conn().await;
    for name in ["Alpha", "Bravo", "Charlie", "Delta", "Echo"] {
        fixtures::artist(&mut conn, name).await;
    }
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;
    let mut names = Vec::new();
    let mut uri = "/v1/artists?limit=2".to_owned();
    for _ in 0..10 {
        let reply = send(&app, TestRequest::get().uri(&uri).to_request()).await;
        assert_eq!(reply.status, 200, "{reply:?}");
        let items = reply.body["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        names.extend(items.iter().map(|a| a["name"].as_str().unwrap().to_owned()));
        match reply.body["next_cursor"].as_str() {
            Some(cursor) => uri = format!("/v1/artists?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(names, ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]);

    for (uri, field) in [
        ("/v1/artists?limit=101", "limit"),
        ("/v1/artists?limit=0", "limit"),
        ("/v1/artists?limit=ten", "limit"),
        ("/v1/artists?cursor=not-a-cursor", "cursor"),
        ("/v1/artists?colour=blue", "colour"),
    ] {
        let reply = send(&app, TestRequest::get().uri(uri).to_request()).await;
        assert_problem(&reply, 400, field);
    }
}

#[actix_web::test]
async fn an_artist_with_shows_and_catalog() {
    let ctx = ctx().await;
    let mut conn = ctx.db.conn().await;
    let sample = fixtures::show(&mut conn, 3).await;
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;

    let by_slug = format!("/v1/artists/{}", sample.artist.slug);
    let by_id = format!("/v1/artists/{}", sample.artist.id);
    for uri in [&by_slug, &by_id] {
        let reply = send(&app, TestRequest::get().uri(uri).to_request()).await;
        assert_eq!(reply.status, 200, "{reply:?}");
        assert_eq!(reply.body["artist"]["id"], sample.artist.id.to_string());
        assert!(reply.body.get("stats").is_some());
    }
    for uri in [
        "/v1/artists/no-such-artist".to_owned(),
        format!("/v1/artists/{}", uuid::Uuid::new_v4()),
        "/v1/artists/no-such-artist/shows".to_owned(),
        "/v1/artists/no-such-artist/songs".to_owned(),
    ] {
        let reply = send(&app, TestRequest::get().uri(&uri).to_request()).await;
        assert_problem(&reply, 404, "artist");
    }

    let reply = send(
        &app,
        TestRequest::get()
            .uri(&format!("{by_slug}/shows"))
            .to_request(),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(
        reply.body["items"][0]["show"]["id"],
        sample.show.id.to_string()
    );
    assert_eq!(
        reply.body["items"][0]["venue"]["id"],
        sample.venue.id.to_string()
    );
    let reply = send(
        &app,
        TestRequest::get()
            .uri(&format!("{by_slug}/shows?status=completed"))
            .to_request(),
    )
    .await;
    assert_eq!(reply.body["items"], serde_json::json!([]));
    let reply = send(
        &app,
        TestRequest::get()
            .uri(&format!("{by_slug}/shows?status=cancelled"))
            .to_request(),
    )
    .await;
    assert_problem(&reply, 400, "status");

    // The catalog, two songs a page; an artist-list cursor is no cursor of a show list.
    let reply = send(
        &app,
        TestRequest::get()
            .uri(&format!("{by_slug}/songs?limit=2"))
            .to_request(),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["items"].as_array().unwrap().len(), 2);
    let cursor = reply.body["next_cursor"].as_str().unwrap().to_owned();
    let reply = send(
        &app,
        TestRequest::get()
            .uri(&format!("{by_slug}/songs?limit=2&cursor={cursor}"))
            .to_request(),
    )
    .await;
    assert_eq!(reply.body["items"].as_array().unwrap().len(), 1);
    assert!(reply.body["next_cursor"].is_null());
    let reply = send(
        &app,
        TestRequest::get()
            .uri(&format!("{by_slug}/shows?cursor={cursor}"))
            .to_request(),
    )
    .await;
    assert_problem(&reply, 400, "cursor");
}

#[actix_web::test]
async fn venues_by_key_and_nearby() {
    let ctx = ctx().await;
    let mut conn = ctx.db.conn().await;
    let sample = fixtures::show(&mut conn, 1).await;
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;

    let reply = send(
        &app,
        TestRequest::get()
            .uri(&format!("/v1/venues/{}", sample.venue.slug))
            .to_request(),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["id"], sample.venue.id.to_string());
    assert!(reply.body.get("location").is_none());
    let reply = send(
        &app,
        TestRequest::get().uri("/v1/venues/nowhere").to_request(),
    )
    .await;
    assert_problem(&reply, 404, "venue");

    // Alexanderplatz is about 1 km from the fixture venue.
    let reply = send(
        &app,
        TestRequest::get()
            .uri("/v1/venues/nearby?lat=52.5219&lng=13.4132&radius_km=5")
            .to_request(),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body[0]["id"], sample.venue.id.to_string());
    assert!(reply.body[0]["distance_m"].as_f64().unwrap() < 5000.0);
    let reply = send(
        &app,
        TestRequest::get()
            .uri("/v1/venues/nearby?lat=48.85&lng=2.35&radius_km=5")
            .to_request(),
    )
    .await;
    assert_eq!(reply.body, serde_json::json!([]));

    for (uri, field) in [
        ("/v1/venues/nearby?lat=91&lng=0", "lat"),
        ("/v1/venues/nearby?lat=NaN&lng=0", "lat"),
        ("/v1/venues/nearby?lat=0&lng=-181", "lng"),
        ("/v1/venues/nearby?lat=0", "lng"),
        ("/v1/venues/nearby?lat=0&lng=0&radius_km=0", "radius_km"),
        ("/v1/venues/nearby?lat=0&lng=0&radius_km=5000", "radius_km"),
    ] {
        let reply = send(&app, TestRequest::get().uri(uri).to_request()).await;
        assert_problem(&reply, 400, field);
    }
}

#[actix_web::test]
async fn shows_trending_nearby_and_details() {
    let ctx = ctx().await;
    let mut conn = ctx.db.conn().await;
    let sample = fixtures::show(&mut conn, 3).await;
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;

    let reply = send(
        &app,
        TestRequest::get()
            .uri("/v1/shows/trending?limit=5")
            .to_request(),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body[0]["show"]["id"], sample.show.id.to_string());
    assert_eq!(
        reply.body[0]["headliner"]["id"],
        sample.artist.id.to_string()
    );
    let reply = send(
        &app,
        TestRequest::get()
            .uri("/v1/shows/trending?limit=1000")
            .to_request(),
    )
    .await;
    assert_problem(&reply, 400, "limit");

    let reply = send(
        &app,
        TestRequest::get()
            .uri("/v1/shows/nearby?lat=52.52&lng=13.40&radius_km=10&order=soonest")
            .to_request(),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body[0]["show"]["id"], sample.show.id.to_string());
    assert!(reply.body[0]["distance_m"].is_number());
    // A window that ends before the show starts finds nothing.
    let reply = send(
        &app,
        TestRequest::get()
            .uri("/v1/shows/nearby?lat=52.52&lng=13.40&from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z")
            .to_request(),
    )
    .await;
    assert_eq!(reply.body, serde_json::json!([]));
    // A window that ends before it starts holds no shows.
    let empty = send(
        &app,
        TestRequest::get()
            .uri("/v1/shows/nearby?lat=52.52&lng=13.40&from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z")
            .to_request(),
    )
    .await;
    assert_eq!(empty.status, 200, "{empty:?}");
    assert_eq!(empty.body, serde_json::json!([]));
    for (uri, field) in [
        (
            "/v1/shows/nearby?lat=52.52&lng=13.40&from=yesterday",
            "from",
        ),
        ("/v1/shows/nearby?lat=52.52&lng=13.40&order=random", "order"),
    ] {
        let reply = send(&app, TestRequest::get().uri(uri).to_request()).await;
        assert_problem(&reply, 400, field);
    }

    for key in [sample.show.slug.clone(), sample.show.id.to_string()] {
        let reply = send(
            &app,
            TestRequest::get()
                .uri(&format!("/v1/shows/{key}"))
                .to_request(),
        )
        .await;
        assert_eq!(reply.status, 200, "{reply:?}");
        assert_eq!(reply.body["show"]["id"], sample.show.id.to_string());
        assert_eq!(reply.body["venue"]["id"], sample.venue.id.to_string());
        let songs = reply.body["setlists"][0]["songs"].as_array().unwrap();
        assert_eq!(songs.len(), 3);
        assert_eq!(songs[0]["entry"]["position"], 1);
        // The route passes PostgreSQL's document through: it must read back as the typed page.
        let typed: ShowDetails = serde_json::from_value(reply.body.clone()).unwrap();
        let expected = Show::details(&mut conn, &Key::parse(&key)).await.unwrap();
        assert_eq!(typed, expected);
    }
    let reply = send(
        &app,
        TestRequest::get()
            .uri("/v1/shows/no-such-show")
            .to_request(),
    )
    .await;
    assert_problem(&reply, 404, "show");
}

#[actix_web::test]
async fn search_ranks_each_kind() {
    let ctx = ctx().await;
    let mut conn = ctx.db.conn().await;
    fixtures::artist(&mut conn, "Mötley Crüe").await;
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;

    let reply = send(
        &app,
        TestRequest::get()
            .uri("/v1/search?q=motley%20crue&limit=5")
            .to_request(),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["artists"][0]["name"], "Mötley Crüe");
    assert!(reply.body["songs"].is_array() && reply.body["venues"].is_array());

    // A blank query finds nothing, as the document says (a search box cleared by the user).
    let blank = send(
        &app,
        TestRequest::get().uri("/v1/search?q=%20%20").to_request(),
    )
    .await;
    assert_eq!(blank.status, 200, "{blank:?}");
    assert_eq!(
        blank.body,
        serde_json::json!({ "artists": [], "songs": [], "venues": [] })
    );
    let long = "a".repeat(201);
    for (uri, field) in [
        ("/v1/search".to_owned(), "q"),
        (format!("/v1/search?q={long}"), "q"),
        ("/v1/search?q=x&limit=-1".to_owned(), "limit"),
    ] {
        let reply = send(&app, TestRequest::get().uri(&uri).to_request()).await;
        assert_problem(&reply, 400, field);
    }
}

#[actix_web::test]
async fn unknown_routes_and_oversized_queries() {
    let ctx = ctx().await;
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;
    let reply = send(
        &app,
        TestRequest::get().uri("/v1/nothing-here").to_request(),
    )
    .await;
    assert_problem(&reply, 404, "route");
    // A path that exists under other methods: 405 naming them.
    let reply = send(
        &app,
        TestRequest::delete().uri("/v1/shows/trending").to_request(),
    )
    .await;
    assert_problem(&reply, 405, "allowed: GET");
    assert_eq!(reply.headers.get("allow").unwrap(), "GET");
    let reply = send(
        &app,
        TestRequest::post()
            .uri(&format!("/v1/shows/{}", uuid::Uuid::new_v4()))
            .to_request(),
    )
    .await;
    assert_problem(&reply, 405, "POST");
    assert_eq!(reply.headers.get("allow").unwrap(), "GET, PATCH");
    let uri = format!("/v1/search?q={}", "a".repeat(3000));
    let reply = send(&app, TestRequest::get().uri(&uri).to_request()).await;
    assert_problem(&reply, 414, "query string");
}

#[actix_web::test]
async fn cors_lets_in_the_configured_front_end_only() {
    let ctx = ctx().await;
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;
    let preflight = |origin: &str| {
        TestRequest::default()
            .method(actix_web::http::Method::OPTIONS)
            .uri("/v1/setlist-songs/00000000-0000-0000-0000-000000000000/vote")
            .insert_header(("Origin", origin))
            .insert_header(("Access-Control-Request-Method", "PUT"))
            .insert_header((
                "Access-Control-Request-Headers",
                "authorization, content-type",
            ))
            .to_request()
    };
    let response = test::call_service(&app, preflight(ORIGIN)).await;
    assert!(response.status().is_success(), "{:?}", response.status());
    assert_eq!(
        response
            .headers()
            .get("access-control-allow-origin")
            .unwrap(),
        ORIGIN
    );
    let response = test::call_service(&app, preflight("https://evil.example")).await;
    assert!(
        response
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}

#[actix_web::test]
async fn sample_data_tour() {
    let ctx = ctx().await;
    let mut conn = ctx.db.conn().await;
    let seeds = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../seeds");
    theset_database::seed::sample::SampleData::read(&seeds)
        .unwrap()
        .apply(&mut conn, chrono::Utc::now().date_naive())
        .await
        .unwrap();
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;
    let reply = send(
        &app,
        TestRequest::get()
            .uri("/v1/shows/trending?limit=3")
            .to_request(),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let shows = reply.body.as_array().unwrap();
    assert!(!shows.is_empty());
    let slug = shows[0]["show"]["slug"].as_str().unwrap();
    let reply = send(
        &app,
        TestRequest::get()
            .uri(&format!("/v1/shows/{slug}"))
            .to_request(),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let artist = reply.body["headliner"]["name"].as_str().unwrap().to_owned();
    let q: String = artist.chars().take(6).collect();
    let uri = format!(
        "/v1/search?q={}",
        form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
    );
    let reply = send(&app, TestRequest::get().uri(&uri).to_request()).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert!(
        reply.body["artists"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["name"] == artist.as_str()),
        "{reply:?}"
    );
}

#[actix_web::test]
async fn an_exhausted_pool_is_503_after_a_bounded_wait() {
    let ctx = ctx_with(|config| {
        config.database.pool_size = 1;
        config.database.pool_wait_timeout = std::time::Duration::from_millis(200);
    })
    .await;
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;
    // Hold the only connection.
    let held = ctx.state.pool.get().await.unwrap();
    let started = std::time::Instant::now();
    let reply = send(&app, TestRequest::get().uri("/v1/artists").to_request()).await;
    assert_problem(&reply, 503, "unavailable");
    assert!(reply.headers.contains_key("retry-after"));
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    drop(held);
    let reply = send(&app, TestRequest::get().uri("/v1/artists").to_request()).await;
    assert_eq!(reply.status, 200, "{reply:?}");
}

#[actix_web::test]
async fn ready_answers_503_while_a_migration_is_pending() {
    let ctx = ctx().await;
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;
    let reverted = theset_database::migrations::revert_last(&ctx.db.config())
        .await
        .unwrap();
    let reply = send(&app, TestRequest::get().uri("/ready").to_request()).await;
    assert_problem(&reply, 503, &reverted);
    theset_database::migrations::run_pending(&ctx.db.config())
        .await
        .unwrap();
    let reply = send(&app, TestRequest::get().uri("/ready").to_request()).await;
    assert_eq!(reply.status, 200, "{reply:?}");
}
