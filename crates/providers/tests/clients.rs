//! The clients against wiremock servers answering payloads shaped exactly like the real APIs
//! (tests/fixtures), including every quirk in the provider notes.
// Test helpers panic with the failing value rather than threading errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use theset_providers::setlistfm::SetlistSearch;
use theset_providers::ticketmaster::EventStatus;
use theset_providers::{
    ErrorKind, SetlistFm, SetlistFmConfig, Spotify, SpotifyConfig, Ticketmaster, TicketmasterConfig,
};
use wiremock::matchers::{header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

// Beside this binary's own tests: body and paging limits, and secrets kept out of text.
#[path = "clients/limits.rs"]
mod limits;
#[path = "clients/secrets.rs"]
mod secrets;

const MBID: &str = "a74b1b7f-71a5-4011-9441-d0b5e4122711";

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn json(name: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(fixture(name), "application/json")
}

fn setlistfm(server: &MockServer) -> SetlistFm {
    let mut config = SetlistFmConfig::new("sfm-key", &server.uri());
    config.http.requests_per_second = 50.0;
    config.http.initial_backoff = Duration::from_millis(10);
    SetlistFm::new(&config).unwrap()
}

fn ticketmaster(server: &MockServer) -> Ticketmaster {
    let mut config = TicketmasterConfig::new("tm-key", &server.uri());
    config.http.requests_per_second = 50.0;
    config.http.initial_backoff = Duration::from_millis(10);
    Ticketmaster::new(&config).unwrap()
}

fn spotify(server: &MockServer) -> Spotify {
    let mut config = SpotifyConfig::new("client-id", "client-secret", &server.uri(), &server.uri());
    config.http.requests_per_second = 50.0;
    config.http.initial_backoff = Duration::from_millis(10);
    Spotify::new(&config).unwrap()
}

#[tokio::test]
async fn setlistfm_setlists_keep_every_quirk() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/artist/{MBID}/setlists")))
        .and(query_param("p", "1"))
        .and(header("x-api-key", "sfm-key"))
        .and(header("accept", "application/json"))
        .respond_with(json("setlistfm/artist_setlists.json"))
        .expect(1)
        .mount(&server)
        .await;
    let page = setlistfm(&server).artist_setlists(MBID, 1).await.unwrap();
    assert_eq!((page.page, page.total), (Some(1), Some(3)));
    assert!(!page.has_more());
    assert_eq!(page.setlist.len(), 3);

    let full = &page.setlist[0];
    assert_eq!(full.version_id.as_deref(), Some("7be1aaa0"));
    assert_eq!(
        full.event_date,
        NaiveDate::from_ymd_opt(2022, 7, 8).unwrap()
    );
    assert_eq!(
        full.last_updated,
        Some(Utc.with_ymd_and_hms(2022, 7, 9, 10, 18, 8).unwrap())
    );
    assert_eq!(full.artist.mbid.as_deref(), Some(MBID));
    assert_eq!(full.artist.disambiguation, None, "empty strings are absent");
    assert!(
        full.url
            .as_deref()
            .unwrap()
            .starts_with("https://www.setlist.fm/setlist/")
    );
    assert_eq!(full.info.as_deref(), Some("Thom's birthday show"));
    assert_eq!(
        full.tour.as_ref().unwrap().name.as_deref(),
        Some("A Moon Shaped Pool")
    );
    let city = full.venue.as_ref().unwrap().city.as_ref().unwrap();
    assert_eq!(city.coords.unwrap().lat_long(), Some((-36.8485, 174.7633)));
    assert_eq!(city.country.as_ref().unwrap().code.as_deref(), Some("NZ"));

    assert_eq!(full.sets.len(), 4);
    let main = &full.sets[0];
    assert_eq!((main.name.as_deref(), main.encore), (None, None));
    assert_eq!(main.song.len(), 6);
    assert!(main.song[0].tape && !main.song[1].tape);
    assert_eq!(main.song[2].info.as_deref(), Some("extended intro"));
    let cover = main.song[3].cover.as_ref().unwrap();
    assert_eq!(cover.name.as_deref(), Some("Joy Division"));
    assert_eq!(
        cover.mbid.as_deref(),
        Some("f1106b17-dcbb-45f6-b938-199ccfab50cc")
    );
    assert_eq!(
        main.song[4].with.as_ref().unwrap().name.as_deref(),
        Some("Jonny Greenwood")
    );
    assert_eq!(main.song[5].name, main.song[1].name, "a reprise is kept");
    // A set whose single song is an object, not an array.
    assert_eq!(full.sets[1].name.as_deref(), Some("Acoustic set"));
    assert_eq!(full.sets[1].song.len(), 1);
    assert_eq!(full.sets[2].encore, Some(1));
    assert_eq!(full.sets[3].encore, Some(2));
    assert_eq!(full.songs().count(), 10);

    // `"sets": ""` and a venue without a city.
    let empty = &page.setlist[1];
    assert!(empty.sets.is_empty());
    assert!(empty.venue.as_ref().unwrap().city.is_none());

    // A single set given as an object, coordinates given as strings.
    let single = &page.setlist[2];
    assert_eq!(single.sets.len(), 1);
    assert_eq!(single.sets[0].song.len(), 2);
    let coords = single
        .venue
        .as_ref()
        .unwrap()
        .city
        .as_ref()
        .unwrap()
        .coords
        .unwrap();
    assert_eq!(coords.lat_long(), Some((-33.8678, 151.2073)));
}

#[tokio::test]
async fn setlistfm_empty_sets_object_and_unknown_setlist() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/setlist/73de4e21"))
        .respond_with(json("setlistfm/setlist_empty_object.json"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/setlist/nope"))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_raw(fixture("setlistfm/not_found.json"), "application/json"),
        )
        .mount(&server)
        .await;
    let client = setlistfm(&server);
    let setlist = client.setlist("73de4e21").await.unwrap();
    assert!(setlist.sets.is_empty());
    let missing = client.setlist("nope").await.unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::NotFound);
    assert!(!missing.is_retryable());
}

#[tokio::test]
async fn setlistfm_search_without_results_is_an_empty_page() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/search/setlists"))
        .and(query_param("artistMbid", MBID))
        .and(query_param("lastUpdated", "20220709101808"))
        .and(query_param("date", "08-07-2022"))
        .and(query_param("p", "1"))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_raw(fixture("setlistfm/not_found.json"), "application/json"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let search = SetlistSearch {
        artist_mbid: Some(MBID.to_owned()),
        date: NaiveDate::from_ymd_opt(2022, 7, 8),
        last_updated: Some(Utc.with_ymd_and_hms(2022, 7, 9, 10, 18, 8).unwrap()),
        ..SetlistSearch::default()
    };
    let page = setlistfm(&server)
        .search_setlists(&search, 1)
        .await
        .unwrap();
    assert!(page.setlist.is_empty());
    assert!(!page.has_more());
}

#[tokio::test]
async fn a_429_is_retried_after_retry_after() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/setlist/73de4e21"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/setlist/73de4e21"))
        .respond_with(json("setlistfm/setlist_empty_object.json"))
        .expect(1)
        .mount(&server)
        .await;
    let started = Instant::now();
    let setlist = setlistfm(&server).setlist("73de4e21").await.unwrap();
    assert_eq!(setlist.id, "73de4e21");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_long_retry_after_is_handed_back_to_the_job() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/setlist/73de4e21"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "3600"))
        .expect(1)
        .mount(&server)
        .await;
    let error = setlistfm(&server).setlist("73de4e21").await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::RateLimited);
    assert!(error.is_retryable());
    assert_eq!(error.retry_after(), Some(Duration::from_secs(3600)));
}

#[tokio::test]
async fn server_errors_are_retried_then_reported_unavailable() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/setlist/73de4e21"))
        .respond_with(ResponseTemplate::new(503).set_body_string("upstream down"))
        .expect(4)
        .mount(&server)
        .await;
    let error = setlistfm(&server).setlist("73de4e21").await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unavailable);
    assert!(error.is_retryable());
    assert!(error.to_string().contains("503"), "{error}");
}

#[tokio::test]
async fn a_brief_outage_is_ridden_out() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/setlist/73de4e21"))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/setlist/73de4e21"))
        .respond_with(json("setlistfm/setlist_empty_object.json"))
        .mount(&server)
        .await;
    assert!(setlistfm(&server).setlist("73de4e21").await.is_ok());
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn requests_are_spaced_by_the_rate_limit() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/setlist/73de4e21"))
        .respond_with(json("setlistfm/setlist_empty_object.json"))
        .mount(&server)
        .await;
    let mut config = SetlistFmConfig::new("sfm-key", &server.uri());
    config.http.requests_per_second = 10.0;
    let client = SetlistFm::new(&config).unwrap();
    let started = Instant::now();
    for _ in 0..5 {
        client.setlist("73de4e21").await.unwrap();
    }
    // Five requests at 10/s without bursts: four gaps of 100 ms at least.
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn ticketmaster_bad_key_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/events.json"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_raw(fixture("ticketmaster/fault_401.json"), "application/json"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let error = ticketmaster(&server)
        .upcoming_events("K8vZ9171ob7", Utc::now())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::BadKey);
    assert!(!error.is_retryable());
    assert!(error.to_string().contains("Invalid ApiKey"), "{error}");
}

#[tokio::test]
async fn ticketmaster_events_and_attraction() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/events.json"))
        .and(query_param("apikey", "tm-key"))
        .and(query_param("attractionId", "K8vZ9171ob7"))
        .and(query_param("sort", "date,asc"))
        .and(query_param("page", "0"))
        .respond_with(json("ticketmaster/events.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/attractions/K8vZ9171ob7.json"))
        .and(query_param("apikey", "tm-key"))
        .respond_with(json("ticketmaster/attraction.json"))
        .mount(&server)
        .await;
    let client = ticketmaster(&server);
    let attraction = client.attraction("K8vZ9171ob7").await.unwrap();
    assert_eq!(attraction.musicbrainz_id(), Some(MBID));
    assert_eq!(
        attraction.spotify_artist_id().as_deref(),
        Some("4Z8W4fKeB5YxbusRsdQVPb")
    );
    assert_eq!(attraction.aliases, vec!["radio head".to_owned()]);

    let events = client
        .upcoming_events("K8vZ9171ob7", Utc::now())
        .await
        .unwrap();
    assert_eq!(events.len(), 2);
    let first = &events[0];
    let venue = &first.venues()[0];
    // Coordinates come as strings.
    assert_eq!(
        venue.location.unwrap().lat_long(),
        Some((-36.8485, 174.7633))
    );
    assert_eq!(venue.timezone.as_deref(), Some("Pacific/Auckland"));
    assert_eq!(
        venue.address.as_ref().unwrap().line2.as_deref(),
        Some("Parnell")
    );
    let start = first.start().unwrap();
    assert_eq!(start.announced_time(), NaiveTime::from_hms_opt(20, 0, 0));
    assert_eq!(
        start.date_time,
        Some(Utc.with_ymd_and_hms(2030, 7, 8, 8, 0, 0).unwrap())
    );
    assert_eq!(first.status(), EventStatus::OnSale);
    assert_eq!(first.price_ranges[0].min, Some(89.9));
    let billing: Vec<_> = first
        .attractions()
        .iter()
        .map(|a| a.name.as_deref())
        .collect();
    assert_eq!(billing, vec![Some("Radiohead"), Some("Caribou")]);
    // The support act's Spotify link is an album: not an artist id.
    assert_eq!(first.attractions()[1].spotify_artist_id(), None);

    // No dateTime (time not announced), "cancelled" spelling, no price ranges.
    let second = &events[1];
    let start = second.start().unwrap();
    assert_eq!(start.date_time, None);
    assert_eq!(start.local_date, NaiveDate::from_ymd_opt(2030, 7, 12));
    assert_eq!(start.announced_time(), None);
    assert_eq!(second.status(), EventStatus::Cancelled);
    assert!(second.price_ranges.is_empty());
}

#[tokio::test]
async fn ticketmaster_without_results_has_no_embedded() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/events.json"))
        .respond_with(json("ticketmaster/events_none.json"))
        .expect(1)
        .mount(&server)
        .await;
    let events = ticketmaster(&server)
        .upcoming_events("K8vZ917nobody", Utc::now())
        .await
        .unwrap();
    assert!(events.is_empty());
}

fn tm_event(id: &str, date: &str) -> serde_json::Value {
    serde_json::json!({
        "name": format!("Show {id}"), "type": "event", "id": id,
        "dates": {
            "start": { "localDate": date, "localTime": "19:30:00", "dateTime": format!("{date}T09:30:00Z"),
                       "dateTBD": false, "dateTBA": false, "timeTBA": false, "noSpecificTime": false },
            "timezone": "Pacific/Auckland", "status": { "code": "onsale" }
        }
    })
}

fn tm_page(events: &[serde_json::Value], number: u32, total_pages: u32) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(serde_json::json!({
        "_embedded": { "events": events },
        "_links": {},
        "page": { "size": 2, "totalElements": total_pages * 2, "totalPages": total_pages, "number": number }
    }))
}

#[tokio::test]
async fn ticketmaster_deep_paging_moves_to_a_new_date_window() {
    let server = MockServer::start().await;
    let from = Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
    let events: Vec<_> = (1..=5)
        .map(|n| tm_event(&format!("E{n}"), &format!("2030-0{n}-10")))
        .collect();
    // First window: two pages of two, then the limit (size * page >= 4) is reached.
    for (page, slice) in [(0, &events[0..2]), (1, &events[2..4])] {
        Mock::given(method("GET"))
            .and(path("/events.json"))
            .and(query_param("startDateTime", "2030-01-01T00:00:00Z"))
            .and(query_param("page", page.to_string()))
            .and(query_param("size", "2"))
            .respond_with(tm_page(slice, page, 3))
            .expect(1)
            .mount(&server)
            .await;
    }
    // Second window starts at the last event seen (E4), which it answers again.
    Mock::given(method("GET"))
        .and(path("/events.json"))
        .and(query_param("startDateTime", "2030-04-10T09:30:00Z"))
        .and(query_param("page", "0"))
        .respond_with(tm_page(&events[3..5], 0, 1))
        .expect(1)
        .mount(&server)
        .await;
    let mut config = TicketmasterConfig::new("tm-key", &server.uri());
    config.page_size = 2;
    config.deep_paging_limit = 4;
    config.http.requests_per_second = 50.0;
    let client = Ticketmaster::new(&config).unwrap();
    let found = client.upcoming_events("K8vZ9171ob7", from).await.unwrap();
    let ids: Vec<_> = found.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, vec!["E1", "E2", "E3", "E4", "E5"]);
    let requests = server.received_requests().await.unwrap();
    assert!(requests.iter().all(|r| {
        let page: u32 = r
            .url
            .query_pairs()
            .find(|(k, _)| k == "page")
            .unwrap()
            .1
            .parse()
            .unwrap();
        page * 2 < 4
    }));
}

async fn mount_token(server: &MockServer, body: &str, times: u64) {
    Mock::given(method("POST"))
        .and(path("/api/token"))
        // base64("client-id:client-secret")
        .and(header(
            "authorization",
            "Basic Y2xpZW50LWlkOmNsaWVudC1zZWNyZXQ=",
        ))
        .and(wiremock::matchers::body_string(
            "grant_type=client_credentials",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body.to_owned(), "application/json"))
        .expect(times)
        .mount(server)
        .await;
}

#[tokio::test]
async fn spotify_token_is_cached_and_enrichment_decodes() {
    let server = MockServer::start().await;
    mount_token(&server, &fixture("spotify/token.json"), 1).await;
    Mock::given(method("GET"))
        .and(path("/v1/artists/4Z8W4fKeB5YxbusRsdQVPb"))
        .and(header("authorization", "Bearer BQDg-mock-token-1"))
        .respond_with(json("spotify/artist.json"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/artists/4Z8W4fKeB5YxbusRsdQVPb/top-tracks"))
        .and(query_param("market", "US"))
        .respond_with(json("spotify/top_tracks.json"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/artists/4Z8W4fKeB5YxbusRsdQVPb/albums"))
        .and(query_param("include_groups", "album,single"))
        .and(query_param("offset", "0"))
        .respond_with(json("spotify/albums.json"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/albums/6dVIqQ8qmQ5GBnJ9shOYGE/tracks"))
        .respond_with(json("spotify/album_tracks.json"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/tracks"))
        .and(query_param(
            "ids",
            "6LgJvl0Xdtc73RJ1mmpotq,63OQupATfueTdZMWTxW03A",
        ))
        .respond_with(json("spotify/tracks.json"))
        .mount(&server)
        .await;
    let client = spotify(&server);
    let artist = client.artist("4Z8W4fKeB5YxbusRsdQVPb").await.unwrap();
    assert_eq!(artist.genres.len(), 3);
    assert_eq!(artist.followers.unwrap().total, Some(9_876_543));
    let (large, small) = artist.large_and_small_images();
    assert_eq!(large.unwrap().width, Some(640));
    assert_eq!(small.unwrap().width, Some(160));

    let top = client.top_tracks("4Z8W4fKeB5YxbusRsdQVPb").await.unwrap();
    assert_eq!(top[0].isrc(), Some("GBAYE9701241"));
    assert_eq!(
        top[1].album.as_ref().unwrap().release_date(),
        NaiveDate::from_ymd_opt(1992, 1, 1)
    );
    assert_eq!(top[1].popularity, None);
    assert_eq!(top[0].preview_url, None);

    let albums = client
        .artist_albums("4Z8W4fKeB5YxbusRsdQVPb")
        .await
        .unwrap();
    let tracks = client
        .album_tracks(albums[0].id.as_deref().unwrap())
        .await
        .unwrap();
    assert!(
        tracks
            .iter()
            .all(|t| t.album.is_none() && t.isrc().is_none())
    );
    let ids: Vec<String> = tracks.iter().filter_map(|t| t.id.clone()).collect();
    let full = client.tracks(&ids).await.unwrap();
    assert_eq!(full[0].isrc(), Some("GBAYE9701230"));
    assert_eq!(full[0].duration_ms, Some(284_400));
}

#[tokio::test]
async fn spotify_dev_mode_payload_lacks_fields() {
    let server = MockServer::start().await;
    mount_token(&server, &fixture("spotify/token.json"), 1).await;
    Mock::given(method("GET"))
        .and(path("/v1/artists/4Z8W4fKeB5YxbusRsdQVPb"))
        .respond_with(json("spotify/artist_dev_mode.json"))
        .mount(&server)
        .await;
    let artist = spotify(&server)
        .artist("4Z8W4fKeB5YxbusRsdQVPb")
        .await
        .unwrap();
    assert_eq!((artist.popularity, artist.followers), (None, None));
    assert_eq!(artist.large_and_small_images(), (None, None));
}

#[tokio::test]
async fn spotify_403_is_forbidden_and_not_retried() {
    let server = MockServer::start().await;
    mount_token(&server, &fixture("spotify/token.json"), 1).await;
    Mock::given(method("GET"))
        .and(path("/v1/artists/4Z8W4fKeB5YxbusRsdQVPb/top-tracks"))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_raw(fixture("spotify/forbidden.json"), "application/json"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let error = spotify(&server)
        .top_tracks("4Z8W4fKeB5YxbusRsdQVPb")
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Forbidden);
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn spotify_token_is_refreshed_before_expiry() {
    let server = MockServer::start().await;
    // A token that lives one second is refreshed half a second before it ends.
    mount_token(
        &server,
        r#"{"access_token": "short", "token_type": "Bearer", "expires_in": 1}"#,
        2,
    )
    .await;
    Mock::given(method("GET"))
        .and(path("/v1/artists/4Z8W4fKeB5YxbusRsdQVPb"))
        .respond_with(json("spotify/artist.json"))
        .mount(&server)
        .await;
    let client = spotify(&server);
    client.artist("4Z8W4fKeB5YxbusRsdQVPb").await.unwrap();
    client.artist("4Z8W4fKeB5YxbusRsdQVPb").await.unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    client.artist("4Z8W4fKeB5YxbusRsdQVPb").await.unwrap();
}

#[tokio::test]
async fn spotify_bad_credentials_are_a_bad_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            serde_json::json!({"error": "invalid_client", "error_description": "Invalid client"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let error = spotify(&server).artist("x").await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::BadKey);
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn spotify_revoked_token_is_fetched_again_once() {
    let server = MockServer::start().await;
    mount_token(&server, &fixture("spotify/token.json"), 2).await;
    Mock::given(method("GET"))
        .and(path("/v1/artists/4Z8W4fKeB5YxbusRsdQVPb"))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            serde_json::json!({"error": {"status": 401, "message": "The access token expired"}}),
        ))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/artists/4Z8W4fKeB5YxbusRsdQVPb"))
        .and(query_param_is_missing("nothing"))
        .respond_with(json("spotify/artist.json"))
        .mount(&server)
        .await;
    let artist = spotify(&server)
        .artist("4Z8W4fKeB5YxbusRsdQVPb")
        .await
        .unwrap();
    assert_eq!(artist.name.as_deref(), Some("Radiohead"));
}
