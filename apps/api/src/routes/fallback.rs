//! What a request that no route takes gets: 405 with `Allow` when the path exists under other
//! methods, 404 otherwise. The paths and their methods come from the OpenAPI document, so the
//! answer follows the routes without a second list to keep in step.

use std::sync::OnceLock;

use actix_web::dev::ResourceDef;
use actix_web::http::header::{ALLOW, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use utoipa::OpenApi;

use crate::error::{ApiError, Code};
use crate::openapi::ApiDoc;

/// Each documented path (in actix's pattern syntax, which OpenAPI shares) and its methods.
fn routes() -> &'static [(ResourceDef, String)] {
    static ROUTES: OnceLock<Vec<(ResourceDef, String)>> = OnceLock::new();
    ROUTES.get_or_init(|| {
        ApiDoc::openapi()
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ]
                .into_iter()
                .filter_map(|(name, present)| present.then_some(name))
                .collect::<Vec<_>>()
                .join(", ");
                (ResourceDef::new(path.as_str()), methods)
            })
            .collect()
    })
}

pub async fn not_routed(request: HttpRequest) -> HttpResponse {
    let path = request.path();
    let allowed = routes()
        .iter()
        .find(|(pattern, _)| pattern.is_match(path))
        .map(|(_, methods)| methods.as_str());
    match allowed {
        Some(methods) => {
            let mut response = ApiError::new(
                Code::MethodNotAllowed,
                format!(
                    "{} is not allowed here; allowed: {methods}",
                    request.method()
                ),
            )
            .error_response();
            if let Ok(value) = HeaderValue::from_str(methods) {
                response.headers_mut().insert(ALLOW, value);
            }
            response
        }
        None => ApiError::not_found("no such route").error_response(),
    }
}
