//! Shared by the HTTP tests: a fresh database per test, the real app over it (as `theset_api`),
//! tokens minted like Supabase Auth's, and a request helper that returns status, headers and JSON.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::HeaderMap;
use actix_web::test;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use theset_api::AppState;
use theset_api::config::{AuthConfig, Config, RealtimeConfig};
use theset_api::rate_limit::RateLimits;
use theset_database::models::User;
use theset_database::testing::TestDatabase;
use uuid::Uuid;

pub const SECRET: &str = "test-only-secret-0123456789abcdef0123456789";
pub const ORIGIN: &str = "https://front.theset.example";

pub struct Ctx {
    pub db: TestDatabase,
    pub state: AppState,
}

pub fn config(db: &TestDatabase) -> Config {
    Config {
        bind: "127.0.0.1:0".parse().unwrap(),
        database: db.config_as("theset_api"),
        auth: AuthConfig {
            jwt_secret: Some(SECRET.to_owned()),
            ..AuthConfig::default()
        },
        cors_origins: vec![ORIGIN.to_owned()],
        // Limits are tested on their own (`tests/api/limits.rs`, `votes.rs`).
        rate_limits: RateLimits::off(),
        trusted_proxies: Default::default(),
        metrics: Default::default(),
        realtime: RealtimeConfig::default(),
        replica: None,
    }
}

pub async fn ctx() -> Ctx {
    ctx_with(|_| {}).await
}

pub async fn ctx_with(adjust: impl FnOnce(&mut Config)) -> Ctx {
    let db = TestDatabase::new().await;
    let mut config = config(&db);
    adjust(&mut config);
    let state = AppState::new(&config).unwrap();
    Ctx { db, state }
}

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A token as Supabase Auth issues it for a signed-in user.
pub fn token(sub: Uuid, email: Option<&str>) -> String {
    let mut claims = json!({
        "sub": sub,
        "aud": "authenticated",
        "role": "authenticated",
        "exp": now() + 3600,
        "iat": now(),
    });
    if let Some(email) = email {
        claims["email"] = json!(email);
    }
    sign(&claims, Algorithm::HS256, SECRET)
}

/// A token for a fixture user (whose email is `<id>@example.test`).
pub fn token_for(user: &User) -> String {
    token(user.id.0, Some(&user.email))
}

pub fn sign(claims: &Value, alg: Algorithm, secret: &str) -> String {
    jsonwebtoken::encode(
        &Header::new(alg),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

/// An unsigned token (`alg: none`), which must never be accepted.
pub fn unsigned(claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap());
    format!("{header}.{payload}.")
}

pub fn bearer(token: &str) -> (&'static str, String) {
    ("Authorization", format!("Bearer {token}"))
}

#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    /// The problem's `detail`, for asserting on error replies.
    pub fn detail(&self) -> &str {
        self.body["detail"].as_str().unwrap_or_default()
    }

    pub fn is_problem(&self) -> bool {
        self.headers
            .get("content-type")
            .is_some_and(|v| v == "application/problem+json")
            && self.body["status"] == self.status.as_u16()
            && self.body["title"].is_string()
            && self.body["type"].is_string()
            && self.body["code"].is_string()
    }
}

/// Sends a request (`TestRequest::...to_request()`) and reads the reply.
pub async fn send<S, R, B>(app: &S, req: R) -> Reply
where
    S: Service<R, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let response = test::call_service(app, req).await;
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = test::read_body(response).await;
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&bytes)))
    };
    Reply {
        status,
        headers,
        body,
    }
}

/// Asserts an error reply: its status, problem+json shape, and that `detail` mentions `needle`.
#[track_caller]
pub fn assert_problem(reply: &Reply, status: u16, needle: &str) {
    assert_eq!(reply.status.as_u16(), status, "{reply:?}");
    assert!(reply.is_problem(), "not a problem+json reply: {reply:?}");
    assert!(
        reply.detail().contains(needle),
        "detail {:?} does not mention {needle:?}",
        reply.detail()
    );
}
