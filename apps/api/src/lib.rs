#![doc = include_str!("../README.md")]

pub mod auth;
pub mod cache;
pub mod client;
pub mod config;
pub mod db;
pub mod error;
pub mod extract;
pub mod metrics;
pub mod openapi;
pub mod rate_limit;
pub mod replica;
pub mod routes;
pub mod state;
pub mod telemetry;

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::{App, web};

pub use config::Config;
pub use error::ApiError;
pub use state::AppState;

/// The application: every route, its middleware and state. `main` serves it; tests call it
/// through `actix_web::test`.
pub fn app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let cors = cors(&state.cors_origins);
    App::new()
        .app_data(web::Data::new(state))
        .configure(routes::configure)
        .default_service(web::to(routes::fallback::not_routed))
        .wrap(actix_web::middleware::from_fn(extract::reject_nul_in_path))
        // Outermost last: every response, errors and CORS preflights included, is logged with
        // its request id.
        .wrap(cors)
        .wrap(actix_web::middleware::from_fn(telemetry::request_span))
}

fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            // EventSource sends it when it reconnects to an event stream.
            header::HeaderName::from_static("last-event-id"),
            // A client revalidating a page or list it keeps (304 when unchanged).
            header::IF_NONE_MATCH,
        ])
        .expose_headers([
            header::RETRY_AFTER,
            header::ETAG,
            telemetry::REQUEST_ID.clone(),
        ])
        .max_age(3600);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}
