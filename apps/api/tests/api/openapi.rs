//! The OpenAPI document: served at /v1/openapi.json, covering every route, and equal to the
//! committed `apps/api/openapi.json` (`UPDATE_OPENAPI=1` rewrites the committed copy).

use crate::common::*;
use actix_web::test::{self, TestRequest};

const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");

#[actix_web::test]
async fn served_document_covers_every_route_and_matches_the_committed_one() {
    let ctx = ctx().await;
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;
    let reply = send(
        &app,
        TestRequest::get().uri("/v1/openapi.json").to_request(),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert!(reply.body["openapi"].as_str().unwrap().starts_with("3."));
    let paths = reply.body["paths"].as_object().unwrap();
    for (path, method) in [
        ("/health", "get"),
        ("/ready", "get"),
        ("/v1/artists", "get"),
        ("/v1/artists/{key}", "get"),
        ("/v1/artists/{key}/shows", "get"),
        ("/v1/artists/{key}/songs", "get"),
        ("/v1/venues/{key}", "get"),
        ("/v1/venues/nearby", "get"),
        ("/v1/shows/trending", "get"),
        ("/v1/shows/nearby", "get"),
        ("/v1/shows/{key}", "get"),
        ("/v1/shows/{key}", "patch"),
        ("/v1/shows/{key}/my-votes", "get"),
        ("/v1/shows/{key}/events", "get"),
        ("/v1/setlist-songs/{id}/events", "get"),
        ("/v1/search", "get"),
        ("/v1/me", "get"),
        ("/v1/me", "patch"),
        ("/v1/me/profile", "put"),
        ("/v1/setlist-songs/{id}/vote", "put"),
        ("/v1/setlist-songs/{id}/vote", "delete"),
        ("/v1/setlist-songs/{id}", "patch"),
        ("/v1/setlists/{id}/songs", "post"),
        ("/v1/setlists/{id}/songs/{setlist_song_id}", "delete"),
        ("/v1/setlists/{id}/lock", "post"),
        ("/v1/setlists/{id}/unlock", "post"),
        ("/v1/openapi.json", "get"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} is not documented"
        );
    }
    assert!(reply.body["components"]["securitySchemes"]["bearer"].is_object());

    let generated = theset_api::openapi::document();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(COMMITTED, format!("{generated}\n")).unwrap();
    }
    let committed = std::fs::read_to_string(COMMITTED).unwrap_or_default();
    assert!(
        committed.trim_end() == generated,
        "apps/api/openapi.json is out of date: run UPDATE_OPENAPI=1 cargo test -p theset-api --test api openapi"
    );
}
