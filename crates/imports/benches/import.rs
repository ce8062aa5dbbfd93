//! A setlist.fm import of 2,000 setlists (100 pages of 20) served by a local wiremock server,
//! into a fresh database: wall time, rows written, peak RSS. Then the same import again (every
//! setlist unchanged) and a correction poll that replaces 100 of them. Run by
//! `scripts/bench-import` (release build).
//!
//! The client's rate limit is lifted for the benchmark: against the real API the standard key's
//! 2 requests/s (40 setlists/s) bounds an import long before our side does; this measures our
//! side.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::time::{Duration, Instant};

use diesel::sql_types::BigInt;
use diesel::{QueryableByName, sql_query};
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};
use theset_database::testing::TestDatabase;
use theset_imports::{
    ArtistKey, SetlistImportOptions, import_artist_setlists, poll_setlist_corrections,
};
use theset_providers::{SetlistFm, SetlistFmConfig};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const MBID: &str = "a74b1b7f-71a5-4011-9441-d0b5e4122711";
const SETLISTS: usize = 2_000;
const PER_PAGE: usize = 20;

const CITIES: &[(&str, &str, f64, f64)] = &[
    ("Auckland", "NZ", -36.8485, 174.7633),
    ("Sydney", "AU", -33.8678, 151.2073),
    ("Berlin", "DE", 52.52, 13.405),
    ("Paris", "FR", 48.8566, 2.3522),
    ("London", "GB", 51.5074, -0.1278),
    ("New York", "US", 40.7128, -74.006),
    ("Los Angeles", "US", 34.0522, -118.2437),
    ("Tokyo", "JP", 35.6762, 139.6503),
    ("São Paulo", "BR", -23.5505, -46.6333),
    ("Montréal", "CA", 45.5019, -73.5674),
    ("Reykjavík", "IS", 64.1466, -21.9426),
    ("Kraków", "PL", 50.0647, 19.945),
];

fn title(n: usize) -> String {
    const WORDS: &[&str] = &[
        "Paranoid",
        "Android",
        "Karma",
        "Police",
        "Airbag",
        "Lucky",
        "Creep",
        "Nude",
        "Reckoner",
        "Idioteque",
        "Bodysnatchers",
        "Daydreaming",
        "Café",
        "Ñandú",
        "Señorita",
        "Déjà",
        "Vu",
        "Glass",
        "Eyes",
        "Burn",
        "Witch",
        "Identikit",
        "Weird",
        "Fishes",
        "Arpeggi",
    ];
    let base = format!(
        "{} {}",
        WORDS[n % WORDS.len()],
        WORDS[(n / WORDS.len()) % WORDS.len()]
    );
    // Spellings people type: the same song with "(Live)" or different case.
    match n % 11 {
        0 => format!("{base} (Live)"),
        1 => base.to_uppercase(),
        _ => base,
    }
}

fn setlist(i: usize, version: &str) -> Value {
    let (city, country, lat, long) = CITIES[i % CITIES.len()];
    let venue = i % 150;
    let day = chrono::NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()
        - chrono::Duration::days(i as i64 * 3);
    let songs = 16 + i % 8;
    let mut sets = vec![json!({ "song": (0..songs - 3).map(|k| {
        let mut song = json!({ "name": title((i * 7 + k * 13) % 300) });
        if k == 0 { song["tape"] = json!(true); }
        if k == 5 { song["cover"] = json!({"mbid": "f1106b17-dcbb-45f6-b938-199ccfab50cc", "name": "Joy Division"}); }
        if k == 7 { song["info"] = json!("extended outro"); }
        song
    }).collect::<Vec<_>>() })];
    sets.push(json!({ "encore": 1, "song": [ { "name": title((i + 1) % 300) }, { "name": title((i + 2) % 300) } ] }));
    sets.push(json!({ "encore": 2, "song": { "name": title(i % 40) } }));
    json!({
        "id": format!("{:08x}", 0x1000_0000 + i),
        "versionId": version,
        "eventDate": day.format("%d-%m-%Y").to_string(),
        "lastUpdated": "2026-01-02T10:18:08.000+0000",
        "artist": { "mbid": MBID, "name": "Radiohead", "sortName": "Radiohead", "url": "https://www.setlist.fm/setlists/radiohead-bd6bd12.html" },
        "venue": {
            "id": format!("v{venue:07x}"),
            "name": format!("Hall {venue}"),
            "city": { "id": format!("{}", 1000 + i % CITIES.len()), "name": city, "coords": { "lat": lat + (venue as f64) * 0.001, "long": long }, "country": { "code": country, "name": country } },
            "url": format!("https://www.setlist.fm/venue/hall-{venue}.html")
        },
        "url": format!("https://www.setlist.fm/setlist/radiohead/{i}.html"),
        "sets": { "set": sets }
    })
}

struct Pages {
    pages: Vec<Value>,
}

impl Respond for Pages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let page: usize = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "p")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(1);
        match self.pages.get(page - 1) {
            Some(body) => ResponseTemplate::new(200).set_body_json(body),
            None => ResponseTemplate::new(404),
        }
    }
}

fn paged(setlists: &[Value]) -> Vec<Value> {
    setlists
        .chunks(PER_PAGE)
        .enumerate()
        .map(|(n, chunk)| {
            json!({ "type": "setlists", "itemsPerPage": PER_PAGE, "page": n + 1, "total": setlists.len(), "setlist": chunk })
        })
        .collect()
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

#[tokio::main]
async fn main() {
    let all: Vec<Value> = (0..SETLISTS).map(|i| setlist(i, "v1")).collect();
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path_regex(r"^/artist/[^/]+/setlists$"))
        .respond_with(Pages { pages: paged(&all) })
        .mount(&server)
        .await;
    // Correction polling: 100 setlists edited at the source.
    let corrected: Vec<Value> = (0..100).map(|i| setlist(i * 20, "v2")).collect();
    Mock::given(method("GET"))
        .and(path("/search/setlists"))
        .respond_with(Pages {
            pages: paged(&corrected),
        })
        .mount(&server)
        .await;

    let db = TestDatabase::new().await;
    let pool = db.pool_as("theset_service", 2);
    let mut config = SetlistFmConfig::new("bench-key", &server.uri());
    config.http.requests_per_second = 10_000.0;
    config.http.read_timeout = Duration::from_secs(60);
    let client = SetlistFm::new(&config).unwrap();
    let key: ArtistKey = MBID.parse().unwrap();

    let started = Instant::now();
    let first = import_artist_setlists(&pool, &client, &key, &SetlistImportOptions::default())
        .await
        .unwrap();
    let first_time = started.elapsed();
    let rss_after_first = peak_rss_mib();

    let started = Instant::now();
    let second = import_artist_setlists(&pool, &client, &key, &SetlistImportOptions::default())
        .await
        .unwrap();
    let second_time = started.elapsed();

    let started = Instant::now();
    let poll = poll_setlist_corrections(&pool, &client, &key)
        .await
        .unwrap();
    let poll_time = started.elapsed();

    let mut conn = db.conn().await;
    let entries: Count = sql_query("SELECT count(*) AS n FROM setlist_songs")
        .get_result(&mut conn)
        .await
        .unwrap();

    println!(
        "first import: {} setlists in {} pages, {:.2} s wall, {:.0} setlists/s",
        first.setlists,
        first.pages,
        first_time.as_secs_f64(),
        first.setlists as f64 / first_time.as_secs_f64()
    );
    println!(
        "  rows written {} (setlist entries {}, songs {}, shows created {}); entries in database {}",
        first.rows_written,
        first.entries_written,
        first.songs_created,
        first.shows_created,
        entries.n
    );
    println!("  peak RSS after the first import {rss_after_first:.1} MiB");
    println!(
        "second import (all unchanged): {} setlists, {:.2} s wall, rows written {}",
        second.unchanged,
        second_time.as_secs_f64(),
        second.rows_written
    );
    println!(
        "correction poll: {} replaced, {:.2} s wall, rows written {}",
        poll.replaced,
        poll_time.as_secs_f64(),
        poll.rows_written
    );
    println!("peak RSS {:.1} MiB", peak_rss_mib());
    println!(
        "RESULT setlists={} wall_s={:.2} rows_written={} peak_rss_mib={:.1}",
        first.setlists,
        first_time.as_secs_f64(),
        first.rows_written,
        peak_rss_mib()
    );
}
