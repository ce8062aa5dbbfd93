//! Provider hygiene: capped response bodies, capped `Retry-After`, and a paging bound against
//! a provider that always says there is more.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use theset_providers::config::{
    DEFAULT_MAX_BODY_BYTES, SETLISTFM_MAX_PAGES, TICKETMASTER_MAX_BODY_BYTES,
    TICKETMASTER_MAX_PAGES,
};
use theset_providers::{
    ErrorKind, MAX_RETRY_AFTER, SetlistFm, SetlistFmConfig, Spotify, SpotifyConfig, Ticketmaster,
    TicketmasterConfig,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use super::{MBID, fixture, setlistfm};

fn query(request: &Request, name: &str) -> Option<String> {
    request
        .url
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

#[test]
fn the_documented_defaults() {
    assert_eq!(MAX_RETRY_AFTER, Duration::from_secs(3600));
    let sfm = SetlistFmConfig::new("k", "http://h");
    assert_eq!(sfm.http.max_body_bytes, DEFAULT_MAX_BODY_BYTES);
    assert_eq!(sfm.http.max_pages, SETLISTFM_MAX_PAGES);
    let tm = TicketmasterConfig::new("k", "http://h");
    assert_eq!(tm.http.max_body_bytes, TICKETMASTER_MAX_BODY_BYTES);
    assert_eq!(tm.http.max_pages, TICKETMASTER_MAX_PAGES);
    assert_eq!(DEFAULT_MAX_BODY_BYTES, 4 << 20);
}

#[tokio::test]
async fn a_body_over_the_cap_is_an_error_that_says_so() {
    let server = MockServer::start().await;
    let big = format!(r#"{{"id": "73de4e21", "info": "{}"}}"#, "x".repeat(300_000));
    Mock::given(method("GET"))
        .and(path("/setlist/73de4e21"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(big, "application/json"))
        .expect(1)
        .mount(&server)
        .await;
    let mut config = SetlistFmConfig::new("sfm-key", &server.uri());
    config.http.max_body_bytes = 256 * 1024;
    let error = SetlistFm::new(&config)
        .unwrap()
        .setlist("73de4e21")
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::TooLarge);
    assert!(!error.is_retryable());
    assert!(
        error
            .to_string()
            .contains("larger than the cap of 262144 bytes"),
        "{error}"
    );
}

/// A server answering every request with a 200 whose chunked body never ends.
async fn endless_body_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                            transfer-encoding: chunked\r\n\r\n";
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let mut chunk = format!("{:x}\r\n", 64 * 1024).into_bytes();
                chunk.extend(std::iter::repeat_n(b' ', 64 * 1024));
                chunk.extend_from_slice(b"\r\n");
                // Until the client hangs up.
                while socket.write_all(&chunk).await.is_ok() {}
            });
        }
    });
    format!("http://{address}")
}

#[tokio::test]
async fn an_endless_body_stops_at_the_cap() {
    let base = endless_body_server().await;
    let mut config = TicketmasterConfig::new("tm-key", &base);
    config.http.max_body_bytes = 1024 * 1024;
    config.http.requests_per_second = 100.0;
    let client = Ticketmaster::new(&config).unwrap();
    let error = tokio::time::timeout(Duration::from_secs(20), client.attraction("K8vZ9171ob7"))
        .await
        .expect("reading stopped at the cap")
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::TooLarge);
    assert!(error.to_string().contains("larger than the cap"), "{error}");
}

#[tokio::test]
async fn a_retry_after_of_years_is_capped_and_handed_back() {
    for huge in [
        "1000000000000",
        "1e300",
        "99999999999999999999999",
        "Fri, 31 Dec 9999 23:59:59 GMT",
    ] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/setlist/73de4e21"))
            .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", huge))
            .expect(1)
            .mount(&server)
            .await;
        let started = std::time::Instant::now();
        let error = setlistfm(&server).setlist("73de4e21").await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::RateLimited, "{huge}");
        assert_eq!(error.retry_after(), Some(MAX_RETRY_AFTER), "{huge}");
        assert!(started.elapsed() < Duration::from_secs(5), "{huge}: slept");
        // What a job would add to now: no overflow.
        let next = Utc::now() + TimeDelta::from_std(error.retry_after().unwrap()).unwrap();
        assert!(next < Utc::now() + TimeDelta::hours(2), "{huge}");
    }
}

#[tokio::test]
async fn ticketmaster_paging_that_never_ends_stops_at_the_bound() {
    let server = MockServer::start().await;
    // Every page says there are a thousand, and holds events later than the window's start,
    // so every window moves on to a later one.
    Mock::given(method("GET"))
        .and(path("/events.json"))
        .respond_with(|request: &Request| {
            let start: DateTime<Utc> = query(request, "startDateTime").unwrap().parse().unwrap();
            let page: i64 = query(request, "page").unwrap().parse().unwrap();
            let events: Vec<_> = (0..2)
                .map(|n| {
                    let at = start + TimeDelta::days(1 + page * 2 + n);
                    let id = format!("E{}", at.timestamp());
                    super::tm_event(&id, &at.format("%Y-%m-%d").to_string())
                })
                .collect();
            ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "_embedded": { "events": events },
                "page": { "size": 2, "totalElements": 2000, "totalPages": 1000, "number": page }
            }))
        })
        .mount(&server)
        .await;
    let mut config = TicketmasterConfig::new("tm-key", &server.uri());
    config.page_size = 2;
    config.deep_paging_limit = 4;
    config.http.max_pages = 7;
    config.http.requests_per_second = 100.0;
    let client = Ticketmaster::new(&config).unwrap();
    let from = "2030-01-01T00:00:00Z".parse().unwrap();
    let error = tokio::time::timeout(
        Duration::from_secs(20),
        client.upcoming_events("K8vZ9171ob7", from),
    )
    .await
    .expect("paging ended")
    .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::TooLarge);
    assert!(!error.is_retryable());
    assert!(error.to_string().contains("after 7 pages"), "{error}");
    assert_eq!(server.received_requests().await.unwrap().len(), 7);
}

#[tokio::test]
async fn setlistfm_paging_that_never_ends_stops_at_the_bound() {
    let server = MockServer::start().await;
    let setlist: serde_json::Value =
        serde_json::from_str(&fixture("setlistfm/setlist_empty_object.json")).unwrap();
    Mock::given(method("GET"))
        .and(path(format!("/artist/{MBID}/setlists")))
        .respond_with(move |request: &Request| {
            let page: u32 = query(request, "p").unwrap().parse().unwrap();
            ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "itemsPerPage": 1, "page": page, "total": 1_000_000, "setlist": [setlist.clone()]
            }))
        })
        .mount(&server)
        .await;
    let mut config = SetlistFmConfig::new("sfm-key", &server.uri());
    config.http.max_pages = 5;
    config.http.requests_per_second = 100.0;
    let client = SetlistFm::new(&config).unwrap();
    // As the importer pages: on while `has_more`.
    let mut number = 1;
    let mut pages = 0;
    let error = loop {
        match client.artist_setlists(MBID, number).await {
            Ok(page) => {
                assert!(page.has_more());
                pages += 1;
                number += 1;
                assert!(pages <= 5, "paging went past its bound");
            }
            Err(error) => break error,
        }
    };
    assert_eq!(pages, 5);
    assert_eq!(error.kind(), ErrorKind::TooLarge);
    assert!(error.to_string().contains("after 5 pages"), "{error}");
    assert_eq!(server.received_requests().await.unwrap().len(), 5);
}

#[tokio::test]
async fn spotify_paging_that_never_ends_stops_at_the_bound() {
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
        .and(path("/v1/artists/4Z8W4fKeB5YxbusRsdQVPb/albums"))
        .respond_with(|request: &Request| {
            let offset: u32 = query(request, "offset").unwrap().parse().unwrap();
            ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "items": [{ "id": format!("album{offset}"), "name": "Again" }],
                "limit": 50, "offset": offset, "total": 1_000_000,
                "next": format!("https://api.spotify.com/v1/artists/x/albums?offset={}", offset + 50)
            }))
        })
        .mount(&server)
        .await;
    let mut config = SpotifyConfig::new("id", "secret", &server.uri(), &server.uri());
    config.http.max_pages = 4;
    config.http.requests_per_second = 100.0;
    let client = Spotify::new(&config).unwrap();
    let error = tokio::time::timeout(
        Duration::from_secs(20),
        client.artist_albums("4Z8W4fKeB5YxbusRsdQVPb"),
    )
    .await
    .expect("paging ended")
    .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::TooLarge);
    assert!(error.to_string().contains("after 4 pages"), "{error}");
    let albums = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path().ends_with("/albums"))
        .count();
    assert_eq!(albums, 4);
}
