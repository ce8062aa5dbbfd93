//! Signing keys: ES256 and RS256 tokens verified against the project's JWKS, served here by a
//! wiremock server with keys made at run time. Each algorithm is bound to its key (no key
//! confusion, no `alg: none`), claims are checked (`iss`, `exp`, `iat`, lifetime), and the key
//! cache rotates, rate-limits its fetches and survives an outage.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::*;
use actix_web::test::{self, TestRequest};
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use p256::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use rand::rngs::OsRng;
use rsa::pkcs1::EncodeRsaPrivateKey;
use serde_json::{Value, json};
use theset_api::config::{AuthConfig, Config};
use uuid::Uuid;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const JWKS_PATH: &str = "/auth/v1/.well-known/jwks.json";

/// A key pair as a Supabase project holds it: the private half signs, the JWK is published.
struct SigningKey {
    kid: String,
    alg: Algorithm,
    encoding: EncodingKey,
    jwk: Value,
    /// The public key as PEM and DER (SPKI): what a key-confusion attacker has.
    public_pem: String,
    public_der: Vec<u8>,
}

fn ec_key(kid: &str) -> SigningKey {
    let secret = p256::SecretKey::random(&mut OsRng);
    let public = secret.public_key();
    signing_key(
        kid,
        Algorithm::ES256,
        EncodingKey::from_ec_der(secret.to_pkcs8_der().unwrap().as_bytes()),
        public.to_public_key_pem(LineEnding::LF).unwrap(),
        public.to_public_key_der().unwrap().into_vec(),
    )
}

fn rsa_key(kid: &str) -> SigningKey {
    let private = rsa::RsaPrivateKey::new(&mut OsRng, 2048).unwrap();
    let public = private.to_public_key();
    signing_key(
        kid,
        Algorithm::RS256,
        EncodingKey::from_rsa_der(private.to_pkcs1_der().unwrap().as_bytes()),
        public.to_public_key_pem(LineEnding::LF).unwrap(),
        public.to_public_key_der().unwrap().into_vec(),
    )
}

fn signing_key(
    kid: &str,
    alg: Algorithm,
    encoding: EncodingKey,
    public_pem: String,
    public_der: Vec<u8>,
) -> SigningKey {
    let mut jwk = serde_json::to_value(Jwk::from_encoding_key(&encoding, alg).unwrap()).unwrap();
    jwk["kid"] = json!(kid);
    jwk["use"] = json!("sig");
    SigningKey {
        kid: kid.to_owned(),
        alg,
        encoding,
        jwk,
        public_pem,
        public_der,
    }
}

fn jwks(keys: &[&SigningKey]) -> Value {
    json!({ "keys": keys.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>() })
}

/// What the JWKS endpoint answers, changed while the app runs.
#[derive(Clone)]
struct Answer(Arc<Mutex<ResponseTemplate>>);

impl Respond for Answer {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        self.0.lock().unwrap().clone()
    }
}

/// A Supabase project's auth server, as far as keys go.
struct Project {
    server: MockServer,
    answer: Answer,
}

impl Project {
    async fn start(keys: &[&SigningKey]) -> Self {
        Self::on(TcpListener::bind("127.0.0.1:0").unwrap(), keys).await
    }

    /// A server of its own (not wiremock's pool), so dropping it closes its port.
    async fn on(listener: TcpListener, keys: &[&SigningKey]) -> Self {
        let server = MockServer::builder().listener(listener).start().await;
        let answer = Answer(Arc::new(Mutex::new(ResponseTemplate::new(200))));
        Mock::given(method("GET"))
            .and(path(JWKS_PATH))
            .respond_with(answer.clone())
            .mount(&server)
            .await;
        let project = Self { server, answer };
        project.serve(keys);
        project
    }

    fn serve(&self, keys: &[&SigningKey]) {
        self.answer(
            ResponseTemplate::new(200)
                .insert_header("cache-control", "public, max-age=600")
                .set_body_json(jwks(keys)),
        );
    }

    fn answer(&self, template: ResponseTemplate) {
        *self.answer.0.lock().unwrap() = template;
    }

    fn issuer(&self) -> String {
        format!("{}/auth/v1", self.server.uri())
    }

    /// How many times the JWKS was fetched.
    async fn fetches(&self) -> usize {
        self.server.received_requests().await.unwrap().len()
    }

    fn config(&self, min_fetch_interval: Duration) -> impl FnOnce(&mut Config) + use<> {
        signing_keys_at(self.server.uri(), min_fetch_interval)
    }

    /// Claims as Supabase Auth issues them, for a new user each time.
    fn claims(&self) -> Value {
        let sub = Uuid::new_v4();
        json!({
            "iss": self.issuer(),
            "sub": sub,
            "aud": "authenticated",
            "role": "authenticated",
            "email": format!("{sub}@example.test"),
            "iat": now(),
            "exp": now() + 3600,
            "session_id": Uuid::new_v4(),
        })
    }
}

/// Signing keys only (no legacy secret), from `<uri>/auth/v1`.
fn signing_keys_at(uri: String, min_fetch_interval: Duration) -> impl FnOnce(&mut Config) {
    move |config| {
        config.auth = AuthConfig {
            jwks_url: Some(format!("{uri}{JWKS_PATH}")),
            issuer: Some(format!("{uri}/auth/v1")),
            jwks_min_fetch_interval: min_fetch_interval,
            ..AuthConfig::default()
        }
    }
}

fn signed(key: &SigningKey, kid: Option<&str>, claims: &Value) -> String {
    let mut header = Header::new(key.alg);
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(&header, claims, &key.encoding).unwrap()
}

/// The token as Supabase would sign it: the key's own kid.
fn token_of(key: &SigningKey, claims: &Value) -> String {
    signed(key, Some(&key.kid), claims)
}

fn hs256(secret: &[u8], kid: Option<&str>, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::HS256);
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(secret)).unwrap()
}

/// `GET /v1/me` with the token, sent: the reply (a 200 makes the user's row on first sight).
macro_rules! me {
    ($app:expr, $token:expr) => {
        send(
            $app,
            TestRequest::get()
                .uri("/v1/me")
                .insert_header(bearer($token))
                .to_request(),
        )
    };
}

const SECS_5: Duration = Duration::from_secs(5);

async fn sleep_ms(ms: u64) {
    tokio::time::sleep(Duration::from_millis(ms)).await;
}

#[actix_web::test]
async fn es256_and_rs256_tokens_verify() {
    let (ec, rsa) = (ec_key("ec-1"), rsa_key("rsa-1"));
    let project = Project::start(&[&ec, &rsa]).await;
    let ctx = ctx_with(project.config(SECS_5)).await;
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;
    for key in [&ec, &rsa] {
        let claims = project.claims();
        let reply = me!(&app, &token_of(key, &claims)).await;
        assert_eq!(reply.status, 200, "{:?}: {reply:?}", key.alg);
        assert_eq!(reply.body["user"]["id"], claims["sub"]);
        assert_eq!(reply.body["user"]["email"], claims["email"]);
    }
    // The first token's unknown kid fetched the set; the second's was in it.
    assert_eq!(project.fetches().await, 1);
}

#[actix_web::test]
async fn tokens_must_name_a_known_key_of_their_algorithm() {
    let (a, b, rsa) = (ec_key("a"), ec_key("b"), rsa_key("rsa"));
    let outsider = ec_key("outsider");
    let project = Project::start(&[&a, &b, &rsa]).await;
    let ctx = ctx_with(project.config(SECS_5)).await;
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;
    let claims = project.claims();
    assert_eq!(me!(&app, &token_of(&a, &claims)).await.status, 200);
    for (case, token, needle) in [
        ("no kid", signed(&a, None, &claims), "kid"),
        ("unknown kid", signed(&a, Some("nope"), &claims), "unknown"),
        (
            "another key's kid",
            signed(&a, Some("b"), &claims),
            "signature",
        ),
        (
            "a key outside the set under a known kid",
            signed(&outsider, Some("a"), &claims),
            "signature",
        ),
        // RS256 named in the header, the kid of an EC key (and the other way round).
        (
            "RS256 with an EC kid",
            signed(&rsa, Some("a"), &claims),
            "match",
        ),
        (
            "ES256 with an RSA kid",
            signed(&a, Some("rsa"), &claims),
            "match",
        ),
        // No legacy secret is configured: HS256 is not accepted at all.
        (
            "HS256",
            hs256(SECRET.as_bytes(), None, &claims),
            "algorithm",
        ),
    ] {
        let reply = me!(&app, &token).await;
        assert_eq!(reply.status, 401, "{case}: {reply:?}");
        assert!(reply.is_problem(), "{case}: {reply:?}");
        assert!(reply.detail().contains(needle), "{case}: {reply:?}");
    }
}

#[actix_web::test]
async fn key_confusion_and_alg_none_are_refused() {
    let (ec, rsa) = (ec_key("ec"), rsa_key("rsa"));
    let project = Project::start(&[&ec, &rsa]).await;
    // With signing keys alone, and with the legacy secret beside them (a project migrating).
    for legacy in [false, true] {
        let config = project.config(SECS_5);
        let ctx = ctx_with(|c| {
            config(c);
            if legacy {
                c.auth.jwt_secret = Some(SECRET.to_owned());
            }
        })
        .await;
        let app = test::init_service(theset_api::app(ctx.state.clone())).await;
        let claims = project.claims();
        assert_eq!(me!(&app, &token_of(&ec, &claims)).await.status, 200);
        assert_eq!(me!(&app, &token_of(&rsa, &claims)).await.status, 200);
        let expected = if legacy { "signature" } else { "algorithm" };
        for key in [&ec, &rsa] {
            // The classic attack: HS256 "signed" with bytes of the public key.
            let jwk_bytes = serde_json::to_vec(&key.jwk).unwrap();
            for secret in [key.public_pem.as_bytes(), &key.public_der, &jwk_bytes[..]] {
                for kid in [Some(key.kid.as_str()), None] {
                    let reply = me!(&app, &hs256(secret, kid, &claims)).await;
                    assert_problem(&reply, 401, expected);
                }
            }
        }
        let reply = me!(&app, &unsigned_with_kid(&claims, "ec")).await;
        assert_problem(&reply, 401, "token");
        let reply = me!(&app, &unsigned(&claims)).await;
        assert_problem(&reply, 401, "token");
        if legacy {
            // The legacy secret still verifies HS256 (its tokens carry the issuer too).
            let reply = me!(&app, &hs256(SECRET.as_bytes(), None, &claims)).await;
            assert_eq!(reply.status, 200, "{reply:?}");
        }
    }
}

/// `alg: none` naming a key: still never accepted.
fn unsigned_with_kid(claims: &Value, kid: &str) -> String {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header =
        URL_SAFE_NO_PAD.encode(json!({"alg": "none", "typ": "JWT", "kid": kid}).to_string());
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{header}.{payload}.")
}

#[actix_web::test]
async fn issuer_expiry_and_lifetime_are_checked() {
    let key = ec_key("k");
    let project = Project::start(&[&key]).await;
    let config = project.config(SECS_5);
    let ctx = ctx_with(|c| {
        config(c);
        c.auth.jwt_secret = Some(SECRET.to_owned());
        c.auth.max_lifetime = Duration::from_secs(3600);
    })
    .await;
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;
    let iat = now() - 60;
    let good = project.claims();
    let good = {
        let mut claims = good;
        claims["iat"] = json!(iat);
        claims["exp"] = json!(iat + 3600);
        claims
    };
    let with = |name: &str, value: Value| {
        let mut claims = good.clone();
        claims[name] = value;
        claims
    };
    let without = |name: &str| {
        let mut claims = good.clone();
        claims.as_object_mut().unwrap().remove(name);
        claims
    };
    // Exactly the maximum lifetime is fine.
    let reply = me!(&app, &token_of(&key, &good)).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    for (case, claims, needle) in [
        (
            "wrong iss",
            with("iss", json!("https://other.supabase.co/auth/v1")),
            "issuer",
        ),
        ("no iss", without("iss"), "claim"),
        ("no exp", without("exp"), "claim"),
        ("no iat", without("iat"), "claim"),
        ("expired", with("exp", json!(now() - 30)), "expired"),
        ("anon audience", with("aud", json!("anon")), "audience"),
        (
            "lives over JWT_MAX_LIFETIME_SECS",
            with("exp", json!(iat + 3601)),
            "longer",
        ),
        (
            "issued in the future",
            with("iat", json!(now() + 60)),
            "future",
        ),
    ] {
        for token in [
            token_of(&key, &claims),
            hs256(SECRET.as_bytes(), None, &claims),
        ] {
            let reply = me!(&app, &token).await;
            assert_eq!(reply.status, 401, "{case}: {reply:?}");
            assert!(reply.detail().contains(needle), "{case}: {reply:?}");
        }
    }
}

#[actix_web::test]
async fn keys_rotate_without_restart() {
    let (a, b) = (ec_key("a"), rsa_key("b"));
    let project = Project::start(&[&a]).await;
    let ctx = ctx_with(project.config(Duration::from_millis(300))).await;
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;
    let claims = project.claims();
    assert_eq!(me!(&app, &token_of(&a, &claims)).await.status, 200);

    // A new key appears: its first token fetches the set again.
    project.serve(&[&a, &b]);
    sleep_ms(350).await;
    assert_eq!(me!(&app, &token_of(&b, &claims)).await.status, 200);
    assert_eq!(project.fetches().await, 2);

    // The old key is removed: it verifies until the next refresh, then not.
    project.serve(&[&b]);
    assert_eq!(me!(&app, &token_of(&a, &claims)).await.status, 200);
    sleep_ms(350).await;
    let reply = me!(&app, &signed(&b, Some("c"), &claims)).await;
    assert_problem(&reply, 401, "unknown");
    assert_eq!(project.fetches().await, 3);
    let reply = me!(&app, &token_of(&a, &claims)).await;
    assert_problem(&reply, 401, "unknown");
    assert_eq!(me!(&app, &token_of(&b, &claims)).await.status, 200);
}

#[actix_web::test]
async fn unknown_kids_fetch_at_most_once_per_interval() {
    let (a, b) = (ec_key("a"), ec_key("b"));
    let project = Project::start(&[&a]).await;
    let ctx = ctx_with(project.config(Duration::from_secs(3))).await;
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;
    let claims = project.claims();

    // Nothing fetched yet: concurrent tokens, known and unknown kids, share one fetch.
    let tokens: Vec<String> = (0..40)
        .map(|i| {
            let kid = if i % 2 == 0 {
                "a".to_owned()
            } else {
                format!("unknown-{i}")
            };
            signed(&a, Some(&kid), &claims)
        })
        .collect();
    let replies = futures_util::future::join_all(tokens.iter().map(|token| me!(&app, token))).await;
    for (i, reply) in replies.iter().enumerate() {
        assert_eq!(
            reply.status,
            if i % 2 == 0 { 200 } else { 401 },
            "{i}: {reply:?}"
        );
    }
    assert_eq!(project.fetches().await, 1);

    // More unknown kids within the interval: no more fetches, whatever the traffic.
    for i in 0..30 {
        let reply = me!(&app, &signed(&a, Some(&format!("more-{i}")), &claims)).await;
        assert_problem(&reply, 401, "unknown");
    }
    // Even a key just published waits for the interval to end.
    project.serve(&[&a, &b]);
    assert_problem(&me!(&app, &token_of(&b, &claims)).await, 401, "unknown");
    assert_eq!(project.fetches().await, 1);

    sleep_ms(3_100).await;
    assert_eq!(me!(&app, &token_of(&b, &claims)).await.status, 200);
    assert_eq!(project.fetches().await, 2);
}

#[actix_web::test]
async fn known_keys_keep_verifying_through_an_outage() {
    let key = ec_key("k");
    let project = Project::start(&[&key]).await;
    let ctx = ctx_with(project.config(Duration::from_millis(200))).await;
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;
    let claims = project.claims();
    assert_eq!(me!(&app, &token_of(&key, &claims)).await.status, 200);

    // An empty but well-formed set over 64 KiB would replace the keys if it were read whole.
    let oversized = json!({"keys": [], "padding": "x".repeat(70 * 1024)});
    let bad_answers = [
        ResponseTemplate::new(500),
        ResponseTemplate::new(503).set_body_json(jwks(&[])),
        ResponseTemplate::new(200).set_body_string("<html>maintenance</html>"),
        ResponseTemplate::new(200).set_body_json(json!({"keys": "none"})),
        ResponseTemplate::new(200).set_body_json(oversized),
        // A redirect is not followed (the configured URL answers itself).
        ResponseTemplate::new(302).insert_header("location", "http://127.0.0.1:9/jwks.json"),
    ];
    let mut fetches = 1;
    for answer in bad_answers {
        project.answer(answer);
        sleep_ms(250).await;
        // An unknown kid makes the cache try again...
        let reply = me!(&app, &signed(&key, Some("new"), &claims)).await;
        assert_problem(&reply, 401, "unknown");
        fetches += 1;
        assert_eq!(project.fetches().await, fetches);
        // ... and the known key still verifies.
        let reply = me!(&app, &token_of(&key, &claims)).await;
        assert_eq!(reply.status, 200, "{reply:?}");
    }

    // The server is gone altogether.
    drop(project);
    sleep_ms(250).await;
    let reply = me!(&app, &signed(&key, Some("new"), &claims)).await;
    assert_problem(&reply, 401, "unknown");
    assert_eq!(me!(&app, &token_of(&key, &claims)).await.status, 200);
}

#[actix_web::test]
async fn the_api_starts_while_the_jwks_is_unreachable() {
    let key = ec_key("k");
    // A port nothing listens on (yet).
    let addr = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let ctx = ctx_with(signing_keys_at(
        format!("http://{addr}"),
        Duration::from_millis(200),
    ))
    .await;
    ctx.state.jwt.prefetch().await; // what main does before serving: logs, does not fail
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;
    let issuer = format!("http://{addr}/auth/v1");
    let sub = Uuid::new_v4();
    let claims = json!({
        "iss": issuer, "sub": sub, "aud": "authenticated", "email": format!("{sub}@example.test"),
        "iat": now(), "exp": now() + 600,
    });
    sleep_ms(250).await;
    let reply = me!(&app, &token_of(&key, &claims)).await;
    assert_problem(&reply, 401, "unknown");

    // The project answers again: the next fetch brings the key in.
    let project = Project::on(TcpListener::bind(addr).unwrap(), &[&key]).await;
    sleep_ms(250).await;
    let reply = me!(&app, &token_of(&key, &claims)).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(project.fetches().await, 1);
}

#[actix_web::test]
async fn cache_control_max_age_is_honoured() {
    let (a, b) = (ec_key("a"), ec_key("b"));
    let project = Project::start(&[]).await;
    let answer = |keys: &[&SigningKey]| {
        ResponseTemplate::new(200)
            .insert_header("cache-control", "max-age=2")
            .set_body_json(jwks(keys))
    };
    project.answer(answer(&[&a]));
    let config = project.config(Duration::from_secs(1));
    let ctx = ctx_with(|c| {
        config(c);
        c.auth.jwks_min_ttl = Duration::from_millis(100);
    })
    .await;
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;
    let claims = project.claims();
    assert_eq!(me!(&app, &token_of(&a, &claims)).await.status, 200);

    // Within max-age a known key fetches nothing.
    sleep_ms(300).await;
    assert_eq!(me!(&app, &token_of(&a, &claims)).await.status, 200);
    assert_eq!(project.fetches().await, 1);

    // Past it, the cached key still answers at once and a refresh runs in the background.
    project.answer(answer(&[&b]));
    sleep_ms(2_000).await;
    assert_eq!(me!(&app, &token_of(&a, &claims)).await.status, 200);
    sleep_ms(300).await;
    assert_eq!(project.fetches().await, 2);
    assert_problem(&me!(&app, &token_of(&a, &claims)).await, 401, "unknown");
    assert_eq!(me!(&app, &token_of(&b, &claims)).await.status, 200);
    assert_eq!(project.fetches().await, 2);
}

#[actix_web::test]
async fn only_signature_keys_of_their_own_algorithm_are_used() {
    let good = ec_key("good");
    let (enc, mislabelled) = (ec_key("enc"), ec_key("mislabelled"));
    let project = Project::start(&[]).await;
    let mut enc_jwk = enc.jwk.clone();
    enc_jwk["use"] = json!("enc");
    let mut mislabelled_jwk = mislabelled.jwk.clone();
    mislabelled_jwk["alg"] = json!("RS256");
    // A symmetric key in a JWKS would let anyone who reads the set sign HS256 tokens.
    let oct_secret = b"a-secret-anyone-can-read-in-the-jwks-0123";
    let oct = json!({"kty": "oct", "kid": "oct", "alg": "HS256", "use": "sig",
        "k": base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, oct_secret)});
    let weird = json!({"kty": "PQC", "kid": "weird", "pub": "..."});
    project.answer(
        ResponseTemplate::new(200).set_body_json(
            json!({"keys": [enc_jwk, mislabelled_jwk, oct, weird, good.jwk.clone()]}),
        ),
    );
    let ctx = ctx_with(project.config(SECS_5)).await;
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;
    let claims = project.claims();
    assert_eq!(me!(&app, &token_of(&good, &claims)).await.status, 200);
    for token in [
        token_of(&enc, &claims),
        token_of(&mislabelled, &claims),
        signed(&good, Some("oct"), &claims),
    ] {
        assert_problem(&me!(&app, &token).await, 401, "unknown");
    }
    let reply = me!(&app, &hs256(oct_secret, Some("oct"), &claims)).await;
    assert_problem(&reply, 401, "algorithm");
}
