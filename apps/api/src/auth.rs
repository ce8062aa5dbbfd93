//! Who is calling: Supabase Auth access tokens, verified here and nowhere else.
//!
//! Two kinds of key, either or both configured (`config::AuthConfig`):
//! - **signing keys** (ES256, RS256): the project's public keys, fetched from its JWKS and found
//!   by the token's `kid` ([`Jwks`]);
//! - **the legacy secret** (HS256).
//!
//! The algorithm is bound to the key, never taken from the token alone: an EC P-256 key verifies
//! ES256 only, an RSA key RS256 only, the secret HS256 only, so an HS256 token "signed" with a
//! public key's bytes meets the secret (or nothing) and fails. `alg: none` and every other
//! algorithm are refused. A token must have `aud` `authenticated`, `exp` (a few seconds of clock
//! skew allowed), `iat` (not in the future) with `exp - iat` at most the configured lifetime, and
//! `iss` when an issuer is configured. Identity is the verified `sub`; the role is never taken
//! from the token but read from the `users` table (`crate::db`).

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use jsonwebtoken::jwk::PublicKeyUse;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, KeyOperations};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, errors::ErrorKind};
use serde::Deserialize;
use theset_database::Claims;
use theset_database::ids::UserId;

use crate::config::AuthConfig;
use crate::error::ApiError;
use crate::state::AppState;

/// Clock skew tolerated on `exp` (jsonwebtoken's default is 60 s: too long for a revoked session).
pub const LEEWAY_SECS: u64 = 5;
/// The audience Supabase Auth gives tokens of signed-in users.
pub const AUDIENCE: &str = "authenticated";
/// Longest `Authorization` header read; a real token is well under this.
const MAX_TOKEN_BYTES: usize = 8 * 1024;
/// A JWKS fetch gives up after this long (connecting included).
pub const JWKS_FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest JWKS body read: a set of a few keys is a few KiB.
pub const MAX_JWKS_BYTES: usize = 64 * 1024;
/// Kept for a JWKS answer without `Cache-Control: max-age` (then bounded like any other).
const JWKS_DEFAULT_TTL: Duration = Duration::from_secs(300);

/// The claims this API reads from a token; others (Supabase adds many) are ignored.
#[derive(Debug, Deserialize)]
struct TokenClaims {
    sub: uuid::Uuid,
    #[serde(default)]
    email: Option<String>,
    // Options so that a missing one is "lacks a required claim", not "malformed" (jsonwebtoken
    // requires `exp` itself; `iat` is checked here).
    #[serde(default)]
    exp: Option<i64>,
    #[serde(default)]
    iat: Option<i64>,
}

/// Verifies access tokens with the legacy secret and/or the project's signing keys.
pub struct JwtVerifier {
    secret: Option<DecodingKey>,
    jwks: Option<Arc<Jwks>>,
    hs256: Validation,
    es256: Validation,
    rs256: Validation,
    max_lifetime_secs: i64,
}

impl std::fmt::Debug for JwtVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtVerifier")
            .field("legacy_secret", &self.secret.is_some())
            .field("jwks", &self.jwks.as_ref().map(|j| &j.url))
            .finish_non_exhaustive()
    }
}

/// `Validation::new(alg)` accepts that algorithm alone: a token whose header names another fails
/// before its signature is looked at.
fn validation(alg: Algorithm, issuer: Option<&str>) -> Validation {
    let mut validation = Validation::new(alg);
    validation.set_audience(&[AUDIENCE]);
    let mut required = vec!["exp", "sub", "aud"];
    if let Some(issuer) = issuer {
        validation.set_issuer(&[issuer]);
        required.push("iss");
    }
    validation.set_required_spec_claims(&required);
    validation.leeway = LEEWAY_SECS;
    validation.validate_exp = true;
    validation.validate_nbf = true;
    validation
}

fn refused(e: &jsonwebtoken::errors::Error) -> ApiError {
    ApiError::unauthorized(match e.kind() {
        ErrorKind::ExpiredSignature => "the token has expired",
        ErrorKind::InvalidAudience => "the token is not for this audience",
        ErrorKind::InvalidIssuer => "the token is from another issuer",
        ErrorKind::InvalidSignature => "the token's signature is invalid",
        ErrorKind::InvalidAlgorithm => "the token's algorithm is not accepted",
        ErrorKind::ImmatureSignature => "the token is not valid yet",
        ErrorKind::MissingRequiredClaim(_) => "the token lacks a required claim",
        _ => "the token is malformed",
    })
}

fn algorithm_refused() -> ApiError {
    ApiError::unauthorized("the token's algorithm is not accepted")
}

impl JwtVerifier {
    /// Fails only when the HTTP client for the JWKS cannot be built.
    pub fn new(config: &AuthConfig) -> Result<Self, String> {
        let issuer = config.issuer.as_deref();
        let jwks = match &config.jwks_url {
            Some(url) => Some(Arc::new(Jwks::new(url, config)?)),
            None => None,
        };
        Ok(Self {
            secret: config
                .jwt_secret
                .as_ref()
                .map(|s| DecodingKey::from_secret(s.as_bytes())),
            jwks,
            hs256: validation(Algorithm::HS256, issuer),
            es256: validation(Algorithm::ES256, issuer),
            rs256: validation(Algorithm::RS256, issuer),
            max_lifetime_secs: i64::try_from(config.max_lifetime.as_secs()).unwrap_or(i64::MAX),
        })
    }

    /// Fetches the signing keys once (start-up); a failure is logged and the API starts anyway:
    /// tokens of unknown keys get 401 until a later fetch succeeds.
    pub async fn prefetch(&self) {
        if let Some(jwks) = &self.jwks {
            jwks.refresh().await;
        }
    }

    /// The claims of a valid token, or why it is not one (as a 401).
    pub async fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        let header = jsonwebtoken::decode_header(token).map_err(|e| refused(&e))?;
        let data = match header.alg {
            // Only the secret verifies HS256, whatever `kid` the header names.
            Algorithm::HS256 => {
                let secret = self.secret.as_ref().ok_or_else(algorithm_refused)?;
                jsonwebtoken::decode::<TokenClaims>(token, secret, &self.hs256)
            }
            Algorithm::ES256 | Algorithm::RS256 => {
                let jwks = self.jwks.as_ref().ok_or_else(algorithm_refused)?;
                let kid = header.kid.as_deref().ok_or_else(|| {
                    ApiError::unauthorized("the token names no signing key (kid)")
                })?;
                let key = jwks
                    .key(kid)
                    .await
                    .ok_or_else(|| ApiError::unauthorized("the token's signing key is unknown"))?;
                if key.alg != header.alg {
                    return Err(ApiError::unauthorized(
                        "the token's algorithm does not match its signing key",
                    ));
                }
                // The key's algorithm picks the validation, which accepts that one alone.
                let validation = match key.alg {
                    Algorithm::ES256 => &self.es256,
                    _ => &self.rs256,
                };
                jsonwebtoken::decode::<TokenClaims>(token, &key.key, validation)
            }
            _ => return Err(algorithm_refused()),
        }
        .map_err(|e| refused(&e))?;
        let claims = data.claims;
        let (Some(exp), Some(iat)) = (claims.exp, claims.iat) else {
            return Err(ApiError::unauthorized("the token lacks a required claim"));
        };
        // A future `iat` would let a long-lived token pass the lifetime check below.
        let leeway = i64::try_from(LEEWAY_SECS).unwrap_or(0);
        if iat > chrono::Utc::now().timestamp().saturating_add(leeway) {
            return Err(ApiError::unauthorized("the token was issued in the future"));
        }
        if exp.saturating_sub(iat) > self.max_lifetime_secs {
            return Err(ApiError::unauthorized(
                "the token lives longer than this API accepts",
            ));
        }
        Ok(Claims::authenticated(UserId(claims.sub), claims.email))
    }
}

/// A public key from the JWKS with the one algorithm it verifies.
struct Key {
    alg: Algorithm,
    key: DecodingKey,
}

/// The keys of one fetch.
#[derive(Default)]
struct KeySet {
    keys: HashMap<String, Arc<Key>>,
    /// When to fetch again (`max-age`, bounded); `None` before the first successful fetch.
    stale_at: Option<Instant>,
}

/// The project's JWKS, cached: kept for its `max-age` (bounded), refreshed in the background
/// when stale (known keys keep verifying meanwhile), and fetched at once for an unknown `kid`;
/// all fetches share one lock and happen at most once per `min_fetch_interval`, so concurrent
/// tokens naming unknown kids wait for one fetch and a flood of them makes no more. A failed
/// fetch (down, an error status, garbage, too large) keeps the keys already known.
struct Jwks {
    url: String,
    client: reqwest::Client,
    min_fetch_interval: Duration,
    min_ttl: Duration,
    max_ttl: Duration,
    current: RwLock<Arc<KeySet>>,
    /// When the last fetch ended, held across the fetch: the single flight.
    last_fetch: tokio::sync::Mutex<Option<Instant>>,
}

impl Jwks {
    fn new(url: &str, config: &AuthConfig) -> Result<Self, String> {
        // reqwest is built without a bundled crypto provider: ring, as the rest of the
        // workspace (a second install changes nothing).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .connect_timeout(JWKS_FETCH_TIMEOUT)
            .timeout(JWKS_FETCH_TIMEOUT)
            // A redirect could lead anywhere; the configured URL answers itself.
            .redirect(reqwest::redirect::Policy::none())
            // Fetches are seconds apart and may run on any worker's runtime: no pooled
            // connection outlives the runtime that opened it.
            .pool_max_idle_per_host(0)
            .user_agent(concat!("TheSet/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot build the JWKS client: {e}"))?;
        Ok(Self {
            url: url.to_owned(),
            client,
            min_fetch_interval: config.jwks_min_fetch_interval,
            min_ttl: config.jwks_min_ttl,
            max_ttl: config.jwks_max_ttl,
            current: RwLock::new(Arc::default()),
            last_fetch: tokio::sync::Mutex::new(None),
        })
    }

    fn current(&self) -> Arc<KeySet> {
        // A poisoned lock still holds a whole set (it is only ever replaced).
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    async fn key(self: &Arc<Self>, kid: &str) -> Option<Arc<Key>> {
        let set = self.current();
        if let Some(key) = set.keys.get(kid) {
            if set.stale_at.is_none_or(|at| Instant::now() >= at) {
                self.refresh_in_background();
            }
            return Some(key.clone());
        }
        // Perhaps a new key: fetch (or wait for the fetch under way), unless one just ran.
        self.refresh().await;
        self.current().keys.get(kid).cloned()
    }

    fn refresh_in_background(self: &Arc<Self>) {
        // Spawn only when a fetch would happen: none under way, none too recent.
        let due = self
            .last_fetch
            .try_lock()
            .is_ok_and(|last| last.is_none_or(|at| at.elapsed() >= self.min_fetch_interval));
        if let (true, Ok(runtime)) = (due, tokio::runtime::Handle::try_current()) {
            let this = Arc::clone(self);
            runtime.spawn(async move { this.refresh().await });
        }
    }

    async fn refresh(&self) {
        let mut last = self.last_fetch.lock().await;
        // Whoever held the lock before us just fetched: their answer is ours.
        if last.is_some_and(|at| at.elapsed() < self.min_fetch_interval) {
            return;
        }
        // Counted from the start even if this future is dropped mid-fetch (a caller gone), and
        // again from the end, so those who waited for this fetch do not start another.
        *last = Some(Instant::now());
        let result = self.fetch().await;
        *last = Some(Instant::now());
        match result {
            Ok(set) => {
                tracing::debug!(url = %self.url, keys = set.keys.len(), "fetched the JWKS");
                *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(set);
            }
            Err(error) => tracing::warn!(
                url = %self.url,
                %error,
                "could not refresh the JWKS; the keys already known stay in use"
            ),
        }
    }

    async fn fetch(&self) -> Result<KeySet, String> {
        let mut response = self
            .client
            .get(&self.url)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("answered {}", response.status()));
        }
        let ttl = cache_ttl(response.headers(), self.min_ttl, self.max_ttl);
        let too_large = || format!("the answer is over {MAX_JWKS_BYTES} bytes");
        if response
            .content_length()
            .is_some_and(|n| n > MAX_JWKS_BYTES as u64)
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| e.to_string())? {
            if body.len() + chunk.len() > MAX_JWKS_BYTES {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(KeySet {
            keys: parse_jwks(&body)?,
            stale_at: Some(Instant::now() + ttl),
        })
    }
}

/// The usable keys of a JWKS body by `kid`; a body that is not a JWKS is an error, a key this
/// API does not use is left out (logged).
fn parse_jwks(body: &[u8]) -> Result<HashMap<String, Arc<Key>>, String> {
    // Each key on its own: one key of a type jsonwebtoken does not know must not void the set.
    #[derive(Deserialize)]
    struct Set {
        keys: Vec<serde_json::Value>,
    }
    let set: Set = serde_json::from_slice(body).map_err(|e| format!("not a JWKS: {e}"))?;
    let mut keys = HashMap::new();
    for value in set.keys {
        let kid = value.get("kid").and_then(|k| k.as_str()).map(str::to_owned);
        match serde_json::from_value::<Jwk>(value)
            .map_err(|e| e.to_string())
            .and_then(|jwk| usable(&jwk))
        {
            Ok((kid, key)) => {
                keys.entry(kid).or_insert_with(|| Arc::new(key));
            }
            Err(why) => tracing::warn!(?kid, why, "a JWKS key is not used"),
        }
    }
    Ok(keys)
}

/// The key's `kid` and the one algorithm it verifies, or why it is not used.
fn usable(jwk: &Jwk) -> Result<(String, Key), String> {
    let common = &jwk.common;
    let kid = common.key_id.clone().ok_or("no kid")?;
    if common
        .public_key_use
        .as_ref()
        .is_some_and(|u| *u != PublicKeyUse::Signature)
    {
        return Err("its use is not sig".into());
    }
    if common
        .key_operations
        .as_ref()
        .is_some_and(|ops| !ops.contains(&KeyOperations::Verify))
    {
        return Err("its key_ops lack verify".into());
    }
    // Symmetric (oct) keys never come from a JWKS: only the configured secret verifies HS256.
    let (alg, named) = match &jwk.algorithm {
        AlgorithmParameters::EllipticCurve(ec) if ec.curve == EllipticCurve::P256 => {
            (Algorithm::ES256, KeyAlgorithm::ES256)
        }
        AlgorithmParameters::RSA(_) => (Algorithm::RS256, KeyAlgorithm::RS256),
        _ => return Err("neither EC P-256 nor RSA".into()),
    };
    if common.key_algorithm.is_some_and(|a| a != named) {
        return Err(format!("its alg is not {named}"));
    }
    let key = DecodingKey::from_jwk(jwk).map_err(|e| e.to_string())?;
    Ok((kid, Key { alg, key }))
}

/// How long to keep a JWKS answer: its `max-age` (`no-store`/`no-cache`: as short as allowed),
/// within `[min, max]`.
fn cache_ttl(headers: &reqwest::header::HeaderMap, min: Duration, max: Duration) -> Duration {
    let mut max_age = None;
    let mut no_store = false;
    let directives = headers
        .get_all(reqwest::header::CACHE_CONTROL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','));
    for directive in directives {
        let directive = directive.trim().to_ascii_lowercase();
        if directive == "no-store" || directive == "no-cache" {
            no_store = true;
        } else if let Some(secs) = directive.strip_prefix("max-age=") {
            max_age = max_age.or(secs.trim_matches('"').parse().ok().map(Duration::from_secs));
        }
    }
    let ttl = if no_store {
        Duration::ZERO
    } else {
        max_age.unwrap_or(JWKS_DEFAULT_TTL)
    };
    // max/min rather than clamp: clamp panics when min > max.
    ttl.max(min).min(max)
}

/// A signed-in caller: a handler taking `Caller` answers 401 to anyone without a valid token.
#[derive(Debug, Clone)]
pub struct Caller(pub Claims);

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let bearer = bearer(req);
        Box::pin(async move {
            let (jwt, token) = bearer?;
            jwt.verify(&token).await.map(Caller)
        })
    }
}

/// A caller who may be signed in: no `Authorization` header is anonymous (`None`); a header
/// with a bad token is still 401, never silently anonymous.
#[derive(Debug, Clone)]
pub struct MaybeCaller(pub Option<Claims>);

impl FromRequest for MaybeCaller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if !req.headers().contains_key(header::AUTHORIZATION) {
            return Box::pin(async { Ok(MaybeCaller(None)) });
        }
        let caller = Caller::from_request(req, payload);
        Box::pin(async move { caller.await.map(|Caller(claims)| MaybeCaller(Some(claims))) })
    }
}

/// The verifier and the bearer token of a request, read before any await.
pub(crate) fn bearer(req: &HttpRequest) -> Result<(SharedVerifier, String), ApiError> {
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
    Ok((state.jwt.clone(), token.to_owned()))
}

/// Shared so `AppState` clones cheaply.
pub type SharedVerifier = Arc<JwtVerifier>;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use reqwest::header::{CACHE_CONTROL, HeaderMap, HeaderValue};

    #[test]
    fn cache_ttl_follows_max_age_within_bounds() {
        let (min, max) = (Duration::from_secs(60), Duration::from_secs(600));
        let ttl = |values: &[&str]| {
            let mut headers = HeaderMap::new();
            for v in values {
                headers.append(CACHE_CONTROL, HeaderValue::from_str(v).unwrap());
            }
            cache_ttl(&headers, min, max).as_secs()
        };
        assert_eq!(ttl(&[]), 300);
        assert_eq!(ttl(&["public, max-age=120"]), 120);
        assert_eq!(ttl(&["Max-Age=\"200\""]), 200);
        assert_eq!(ttl(&["max-age=5"]), 60);
        assert_eq!(ttl(&["max-age=86400, must-revalidate"]), 600);
        assert_eq!(ttl(&["max-age=120", "no-store"]), 60);
        assert_eq!(ttl(&["no-cache"]), 60);
        assert_eq!(ttl(&["max-age=soon"]), 300);
    }

    #[test]
    fn keys_are_bound_to_one_algorithm() {
        // x, y of a P-256 point and an RSA modulus: verification is not attempted here.
        let ec = r#"{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0""#;
        let rsa = r#"{"kty":"RSA","n":"sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yxBIDmHPfOhdQVCsuBmNLvSHVnsjHpnB9NWf9cPzxr81NTB8k_r2HDO8FmRcwZ3lNaZOEPXEOvmzVOHeB10d79p6P7wCWCuuYCCtpyXxNq8mvNL-ySVc5N3MFbO6oKMy8CZT5ufEjrrxUy6ySzxm4Ny11Rpu4ErBQW1IiHrqRXDjoFSYmKuQk1Z5L_P5jVTsYSKLwGuN-QPYuYpB1jvCmUINXLXP3pPIXlovwB-4pkVQW3_rhpgBqqQ","e":"AQAB""#;
        let key = |json: String| usable(&serde_json::from_str::<Jwk>(&json).unwrap());
        let ok = key(format!(r#"{ec},"kid":"a","use":"sig","alg":"ES256"}}"#)).unwrap();
        assert_eq!((ok.0.as_str(), ok.1.alg), ("a", Algorithm::ES256));
        assert_eq!(
            key(format!(r#"{rsa},"kid":"b"}}"#)).unwrap().1.alg,
            Algorithm::RS256
        );
        for refused in [
            format!(r#"{ec}}}"#),
            format!(r#"{ec},"kid":"a","use":"enc"}}"#),
            format!(r#"{ec},"kid":"a","alg":"RS256"}}"#),
            format!(r#"{ec},"kid":"a","key_ops":["encrypt"]}}"#),
            format!(r#"{rsa},"kid":"b","alg":"PS256"}}"#),
            r#"{"kty":"oct","k":"c2VjcmV0","kid":"c","alg":"HS256"}"#.to_owned(),
        ] {
            assert!(key(refused.clone()).is_err(), "{refused}");
        }
        // One key of an unknown type does not void the set; garbage does.
        let set = format!(
            r#"{{"keys":[{ec},"kid":"a"}},{{"kty":"XYZ","kid":"z"}},{{"kty":"oct","k":"eA","kid":"c"}}]}}"#
        );
        let keys = parse_jwks(set.as_bytes()).unwrap();
        assert_eq!(keys.keys().collect::<Vec<_>>(), ["a"]);
        assert!(parse_jwks(b"<html>").is_err());
        assert!(parse_jwks(br#"{"keys":{}}"#).is_err());
    }
}
