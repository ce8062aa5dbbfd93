//! `/metrics`: bounded labels, and not readable on the API's bind without the token.

use std::sync::Arc;

use actix_web::http::{Method, StatusCode};
use actix_web::test;
use theset_api::metrics::{self, Metrics};

use crate::common::{self, bearer};

const TOKEN: &str = "metrics-token-0123456789abcdef";

/// The body of a metrics reply, as text (it is not JSON).
async fn text<S, R, B>(app: &S, req: R) -> (StatusCode, String)
where
    S: actix_web::dev::Service<
            R,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let response = test::call_service(app, req).await;
    let status = response.status();
    let body = test::read_body(response).await;
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[actix_web::test]
async fn fifty_made_up_methods_add_at_most_one_series() {
    let mut ctx = common::ctx().await;
    ctx.state.metrics = Arc::new(Metrics::new(Some(TOKEN.to_owned())));
    let recorded = ctx.state.metrics.clone();
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;
    // A known route and an unknown path with a standard method first, so the baseline has them.
    for uri in ["/v1/artists", "/no/such/path"] {
        test::call_service(&app, test::TestRequest::get().uri(uri).to_request()).await;
    }
    // Made-up methods on made-up paths, then on a route: each batch adds one series at most
    // (method "other", the route's pattern or "unmatched", the one status answered).
    for uri in ["/made/up/{i}", "/v1/artists"] {
        let before = recorded.series_count();
        for i in 0..50 {
            let method = Method::from_bytes(format!("BREW{i}").as_bytes()).unwrap();
            test::call_service(
                &app,
                test::TestRequest::default()
                    .method(method)
                    .uri(&uri.replace("{i}", &i.to_string()))
                    .to_request(),
            )
            .await;
        }
        let after = recorded.series_count();
        assert!(
            after <= before + 1,
            "50 odd methods on {uri} added {} series",
            after - before
        );
    }

    let (status, body) = text(
        &app,
        test::TestRequest::get()
            .uri("/metrics")
            .insert_header(bearer(TOKEN))
            .to_request(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!body.contains("BREW"), "{body}");
    assert!(body.contains("method=\"other\""), "{body}");
    assert!(!body.contains("/made/up"), "{body}");
    assert!(body.contains("route=\"unmatched\""), "{body}");
    assert!(body.contains("route=\"/v1/artists\""), "{body}");
}

#[actix_web::test]
async fn metrics_are_not_public_on_the_api_bind() {
    // The default: no token, so no metrics on the API's bind at all.
    let ctx = common::ctx().await;
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;
    let (status, body) = text(&app, test::TestRequest::get().uri("/metrics").to_request()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!body.contains("theset_http_requests_total"), "{body}");

    // With a token: 401 without it or with another, 200 with it.
    let mut ctx = ctx;
    ctx.state.metrics = Arc::new(Metrics::new(Some(TOKEN.to_owned())));
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;
    for header in [None, Some("Bearer wrong-token-0123456789abcd"), Some(TOKEN)] {
        let mut req = test::TestRequest::get().uri("/metrics");
        if let Some(value) = header {
            req = req.insert_header(("Authorization", value.to_owned()));
        }
        let (status, body) = text(&app, req.to_request()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{header:?}");
        assert!(!body.contains("theset_http_requests_total"), "{body}");
    }
    let (status, body) = text(
        &app,
        test::TestRequest::get()
            .uri("/metrics")
            .insert_header(bearer(TOKEN))
            .to_request(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("theset_http_requests_total"), "{body}");
}

#[actix_web::test]
async fn the_metrics_bind_serves_only_metrics() {
    let mut ctx = common::ctx().await;
    let app = test::init_service(metrics::app(ctx.state.clone())).await;
    let (status, body) = text(&app, test::TestRequest::get().uri("/metrics").to_request()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("theset_db_pool_connections"), "{body}");
    let (status, _) = text(
        &app,
        test::TestRequest::get().uri("/v1/artists").to_request(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // With METRICS_TOKEN set too, the metrics bind asks for it as well.
    ctx.state.metrics = Arc::new(Metrics::new(Some(TOKEN.to_owned())));
    let app = test::init_service(metrics::app(ctx.state.clone())).await;
    let (status, _) = text(&app, test::TestRequest::get().uri("/metrics").to_request()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = text(
        &app,
        test::TestRequest::get()
            .uri("/metrics")
            .insert_header(bearer(TOKEN))
            .to_request(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}
