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

/// Every link names an operation of the document, each of that operation's path parameters,
/// and a property the response's schema has (a renamed field or operation breaks the flow a
/// client follows).
#[test]
fn links_lead_to_real_operations_with_values_the_response_has() {
    let document: serde_json::Value =
        serde_json::from_str(theset_api::openapi::document()).unwrap();
    let mut operations = std::collections::HashMap::new();
    for item in document["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            if let Some(id) = operation["operationId"].as_str() {
                operations.insert(id.to_owned(), operation.clone());
            }
        }
    }
    let resolve = |schema: &serde_json::Value| -> serde_json::Value {
        match schema["$ref"].as_str() {
            Some(r) => document
                .pointer(r.trim_start_matches('#'))
                .cloned()
                .unwrap(),
            None => schema.clone(),
        }
    };
    let mut links = 0;
    for item in document["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            let Some(responses) = operation["responses"].as_object() else {
                continue;
            };
            for response in responses.values() {
                let Some(named) = response["links"].as_object() else {
                    continue;
                };
                let body = resolve(&response["content"]["application/json"]["schema"]);
                for (name, link) in named {
                    links += 1;
                    let target = &operations[link["operationId"].as_str().unwrap()];
                    let wanted: Vec<&str> = target["parameters"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter(|p| p["in"] == "path")
                        .map(|p| p["name"].as_str().unwrap())
                        .collect();
                    let given = link["parameters"].as_object().unwrap();
                    for parameter in &wanted {
                        let expression = given[*parameter].as_str().unwrap();
                        let mut schema = body.clone();
                        for step in expression.trim_start_matches("$response.body#/").split('/') {
                            schema = if step.parse::<usize>().is_ok() {
                                resolve(&schema["items"])
                            } else {
                                resolve(&schema["properties"][step])
                            };
                            assert!(
                                !schema.is_null(),
                                "link {name}: {expression} is not in the body"
                            );
                        }
                    }
                    assert_eq!(
                        given.len(),
                        wanted.len(),
                        "link {name} names other parameters"
                    );
                }
            }
        }
    }
    assert!(links >= 10, "{links} links");
}
