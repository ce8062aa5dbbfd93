//! Who is calling: Supabase Auth access tokens, verified here and nowhere else.
//!
//! A token is accepted only when it is HS256-signed with the project's secret, its `aud` is
//! `authenticated` and it has not expired (a few seconds of clock skew allowed). `alg: none` and
//! every other algorithm are refused, whatever the header says: the accepted algorithm is fixed
//! here, not read from the token. Identity is the verified `sub`; the role is never taken from the
//! token but read from the `users` table (`crate::db`).

use std::future::{Ready, ready};
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, errors::ErrorKind};
use serde::Deserialize;
use theset_database::Claims;
use theset_database::ids::UserId;

use crate::error::ApiError;
use crate::state::AppState;

/// Clock skew tolerated on `exp` (jsonwebtoken's default is 60 s: too long for a revoked session).
pub const LEEWAY_SECS: u64 = 5;
/// The audience Supabase Auth gives tokens of signed-in users.
pub const AUDIENCE: &str = "authenticated";
/// Longest `Authorization` header read; a real token is well under this.
const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// The claims this API reads from a token; others (Supabase adds many) are ignored.
#[derive(Debug, Deserialize)]
struct TokenClaims {
    sub: uuid::Uuid,
    #[serde(default)]
    email: Option<String>,
}

/// Verifies access tokens with the project's JWT secret.
pub struct JwtVerifier {
    key: DecodingKey,
    validation: Validation,
}

impl std::fmt::Debug for JwtVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtVerifier").finish_non_exhaustive()
    }
}

impl JwtVerifier {
    pub fn new(secret: &str) -> Self {
        // Validation::new(HS256) accepts that algorithm alone; a token whose header names another
        // one (HS512, RS256, none) fails before its signature is looked at.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "sub", "aud"]);
        validation.leeway = LEEWAY_SECS;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        Self {
            key: DecodingKey::from_secret(secret.as_bytes()),
            validation,
        }
    }

    /// The claims of a valid token, or why it is not one (as a 401).
    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        let data = jsonwebtoken::decode::<TokenClaims>(token, &self.key, &self.validation)
            .map_err(|e| {
                let why = match e.kind() {
                    ErrorKind::ExpiredSignature => "the token has expired",
                    ErrorKind::InvalidAudience => "the token is not for this audience",
                    ErrorKind::InvalidSignature => "the token's signature is invalid",
                    ErrorKind::InvalidAlgorithm => "the token's algorithm is not accepted",
                    ErrorKind::ImmatureSignature => "the token is not valid yet",
                    ErrorKind::MissingRequiredClaim(_) => "the token lacks a required claim",
                    _ => "the token is malformed",
                };
                ApiError::unauthorized(why)
            })?;
        Ok(Claims::authenticated(
            UserId(data.claims.sub),
            data.claims.email,
        ))
    }
}

/// A signed-in caller: a handler taking `Caller` answers 401 to anyone without a valid token.
#[derive(Debug, Clone)]
pub struct Caller(pub Claims);

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(caller(req))
    }
}

/// A caller who may be signed in: no `Authorization` header is anonymous (`None`); a header
/// with a bad token is still 401, never silently anonymous.
#[derive(Debug, Clone)]
pub struct MaybeCaller(pub Option<Claims>);

impl FromRequest for MaybeCaller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(if req.headers().contains_key(header::AUTHORIZATION) {
            caller(req).map(|Caller(claims)| MaybeCaller(Some(claims)))
        } else {
            Ok(MaybeCaller(None))
        })
    }
}

fn caller(req: &HttpRequest) -> Result<Caller, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(ApiError::internal)?;
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized("sign in: no Authorization header"))?;
    if value.len() > MAX_TOKEN_BYTES {
        return Err(ApiError::unauthorized("the token is too long"));
    }
    let value = value
        .to_str()
        .map_err(|_| ApiError::unauthorized("the Authorization header is malformed"))?;
    let token = value
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|token| !token.is_empty())
        .ok_or_else(|| ApiError::unauthorized("expected Authorization: Bearer <token>"))?;
    state.jwt.verify(token).map(Caller)
}

/// Shared so `AppState` clones cheaply.
pub type SharedVerifier = Arc<JwtVerifier>;
