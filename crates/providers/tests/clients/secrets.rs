//! Secrets stay secret: no key, client secret or token in an error's `Display` or `Debug`, in a
//! log line, or in the `Debug` of a config or a client, whatever way a request fails.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use theset_providers::{
    ErrorKind, ProviderError, Providers, SetlistFm, SetlistFmConfig, Spotify, SpotifyConfig,
    Ticketmaster, TicketmasterConfig,
};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::fixture;

const TM_KEY: &str = "tm-SECRET-7f3a9c41";
const SFM_KEY: &str = "sfm-SECRET-2b8e55d0";
const SPOTIFY_ID: &str = "spotify-ID-91c4aa2e";
const SPOTIFY_SECRET: &str = "spotify-SECRET-5d0f7b13";
/// The access token of tests/fixtures/spotify/token.json.
const SPOTIFY_TOKEN: &str = "BQDg-mock-token-1";
const ALL: [&str; 5] = [TM_KEY, SFM_KEY, SPOTIFY_ID, SPOTIFY_SECRET, SPOTIFY_TOKEN];

#[track_caller]
fn assert_clean(text: &str) {
    for secret in ALL {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
}

#[track_caller]
fn assert_error_clean(error: &ProviderError) {
    assert_clean(&error.to_string());
    assert_clean(&format!("{error:?}"));
    assert_clean(&format!("{error:#?}"));
}

fn fast(http: &mut theset_providers::HttpSettings) {
    http.requests_per_second = 100.0;
    http.initial_backoff = Duration::from_millis(5);
}

fn ticketmaster_at(base_url: &str) -> Ticketmaster {
    let mut config = TicketmasterConfig::new(TM_KEY, base_url);
    fast(&mut config.http);
    Ticketmaster::new(&config).unwrap()
}

fn spotify_at(server: &MockServer) -> Spotify {
    let mut config = SpotifyConfig::new(SPOTIFY_ID, SPOTIFY_SECRET, &server.uri(), &server.uri());
    fast(&mut config.http);
    Spotify::new(&config).unwrap()
}

/// A local port nothing listens on: connecting is refused.
async fn refused_base_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}/discovery/v2")
}

/// Log lines of every level, written while the guard lives (this thread only).
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logs {
    fn capture(&self) -> tracing::subscriber::DefaultGuard {
        let logs = self.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || logs.clone())
            .finish();
        tracing::subscriber::set_default(subscriber)
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[tokio::test]
async fn ticketmaster_connection_refused_names_no_key_in_errors_or_logs() {
    let logs = Logs::default();
    let _guard = logs.capture();
    let client = ticketmaster_at(&refused_base_url().await);
    let error = client
        .upcoming_events("K8vZ9171ob7", Utc::now())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unavailable);
    assert!(error.to_string().contains("connection failed"), "{error}");
    assert_error_clean(&error);
    // The retries were logged, with the error: without the key.
    let logs = logs.text();
    assert!(logs.contains("retrying"), "{logs}");
    assert_clean(&logs);

    let error = client.attraction("K8vZ9171ob7").await.unwrap_err();
    assert_error_clean(&error);
}

#[tokio::test]
async fn ticketmaster_timeout_names_no_key() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/events.json"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let mut config = TicketmasterConfig::new(TM_KEY, &server.uri());
    fast(&mut config.http);
    config.http.request_timeout = Duration::from_millis(200);
    config.http.max_retries = 0;
    let error = Ticketmaster::new(&config)
        .unwrap()
        .upcoming_events("K8vZ9171ob7", Utc::now())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unavailable);
    assert!(error.to_string().contains("timed out"), "{error}");
    assert_error_clean(&error);
}

#[tokio::test]
async fn ticketmaster_server_error_echoing_the_request_names_no_key() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/events.json"))
        .and(query_param("apikey", TM_KEY))
        .respond_with(ResponseTemplate::new(500).set_body_string(format!(
            "upstream failed for GET /discovery/v2/events.json?apikey={TM_KEY}&size=200 \
             (consumer key {TM_KEY})"
        )))
        .expect(4)
        .mount(&server)
        .await;
    let error = ticketmaster_at(&server.uri())
        .upcoming_events("K8vZ9171ob7", Utc::now())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unavailable);
    // The message still says what happened.
    assert!(error.to_string().contains("HTTP 500"), "{error}");
    assert!(error.to_string().contains("apikey=[redacted]"), "{error}");
    assert_error_clean(&error);
}

#[tokio::test]
async fn ticketmaster_bad_json_quoting_the_key_names_no_key() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/events.json"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            format!(r#"{{"_embedded": {{"events": [{{"id": "E1", "dates": "{TM_KEY}"}}]}}}}"#),
            "application/json",
        ))
        .mount(&server)
        .await;
    let error = ticketmaster_at(&server.uri())
        .upcoming_events("K8vZ9171ob7", Utc::now())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Decode);
    assert!(error.to_string().contains("struct Dates"), "{error}");
    assert_error_clean(&error);

    // Not JSON at all.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/events.json"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("<html>", "text/html"))
        .mount(&server)
        .await;
    let error = ticketmaster_at(&server.uri())
        .upcoming_events("K8vZ9171ob7", Utc::now())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Decode);
    assert_error_clean(&error);
}

#[tokio::test]
async fn setlistfm_key_echoed_in_an_error_body_is_redacted() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/setlist/73de4e21"))
        .respond_with(ResponseTemplate::new(400).set_body_string(format!(
            "bad request; headers were x-api-key: {SFM_KEY}, accept: application/json"
        )))
        .mount(&server)
        .await;
    let mut config = SetlistFmConfig::new(SFM_KEY, &server.uri());
    fast(&mut config.http);
    let error = SetlistFm::new(&config)
        .unwrap()
        .setlist("73de4e21")
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::BadRequest);
    assert_error_clean(&error);
}

#[tokio::test]
async fn spotify_credentials_and_token_never_reach_errors_or_debug() {
    // The accounts service refusing the credentials, quoting them back.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/token"))
        .respond_with(ResponseTemplate::new(400).set_body_string(format!(
            r#"{{"error": "invalid_client", "error_description": "Invalid client {SPOTIFY_ID} with secret {SPOTIFY_SECRET}"}}"#
        )))
        .mount(&server)
        .await;
    let error = spotify_at(&server).artist("x").await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::BadKey);
    assert!(error.to_string().contains("invalid_client"), "{error}");
    assert_error_clean(&error);

    // A token, then an API error echoing the request's Authorization header.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture("spotify/token.json"), "application/json"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/artists/x"))
        .respond_with(ResponseTemplate::new(502).set_body_string(format!(
            "bad gateway for request with Authorization: Bearer {SPOTIFY_TOKEN}"
        )))
        .mount(&server)
        .await;
    let client = spotify_at(&server);
    let error = client.artist("x").await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unavailable);
    assert_error_clean(&error);
    // The token is cached now: the client's Debug still does not show it.
    let debug = format!("{client:?}");
    assert!(debug.contains("Token"), "{debug}");
    assert_clean(&debug);
}

#[tokio::test]
async fn debug_of_configs_clients_and_providers_shows_no_secret() {
    let sfm = SetlistFmConfig::new(SFM_KEY, "http://127.0.0.1:9");
    let tm = TicketmasterConfig::new(TM_KEY, "http://127.0.0.1:9");
    let spotify = SpotifyConfig::new(
        SPOTIFY_ID,
        SPOTIFY_SECRET,
        "http://127.0.0.1:9",
        "http://127.0.0.1:9",
    );
    let providers = Providers {
        setlistfm: Some(SetlistFm::new(&sfm).unwrap()),
        ticketmaster: Some(Ticketmaster::new(&tm).unwrap()),
        spotify: Some(Spotify::new(&spotify).unwrap()),
    };
    for text in [
        format!("{sfm:?} {tm:?} {spotify:?}"),
        format!("{sfm:#?} {tm:#?} {spotify:#?}"),
        format!("{providers:?}"),
        format!("{providers:#?}"),
    ] {
        assert!(text.contains("[redacted]"), "{text}");
        assert_clean(&text);
    }
}
