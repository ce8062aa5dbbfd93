//! The show cache (`theset_api::cache`): the show page and trending from memory, dropped when any
//! writer changes them. Writes are made as psql would make them (plain SQL as the table owner)
//! and the page must show them within 200 ms; `ETag` / `If-None-Match` answer 304 and the tag
//! moves with the content; a cached page never carries what RLS hides from a reader; after the
//! listener's connection is killed the cache starts over; without the listener it serves nothing;
//! it holds at most `SHOW_CACHE_MAX_ENTRIES` pages and reports its size. Search results likewise:
//! a catalogue write through psql shows in them within 200 ms, and other writes keep them.

use std::time::{Duration, Instant};

use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};
use theset_api::AppState;
use theset_api::config::Config;
use theset_database::UserRole;
use theset_database::testing::{TestDatabase, fixtures};

use crate::common::*;
use crate::realtime::{http, kill_listener, serve, sql, sql_vote};

/// The bound on how stale a page may be after a commit, with the default realtime
/// settings (25 ms ticks, 100 ms coalescing window).
const FRESH: Duration = Duration::from_millis(200);

fn cached_state(db: &TestDatabase, adjust: impl FnOnce(&mut Config)) -> AppState {
    let mut config = config(db);
    adjust(&mut config);
    AppState::new(&config).unwrap()
}

#[derive(Debug)]
struct Answer {
    status: u16,
    etag: String,
    body: Value,
}

/// A GET over HTTP, signed in with `token` and conditional on `if_none_match` when given.
async fn get_as(url: &str, token: Option<&str>, if_none_match: Option<&str>) -> Answer {
    let mut request = http().get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(tag) = if_none_match {
        request = request.header("if-none-match", tag);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let etag = response
        .headers()
        .get("etag")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let bytes = response.bytes().await.unwrap();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap()
    };
    Answer { status, etag, body }
}

async fn get(url: &str, if_none_match: Option<&str>) -> Answer {
    get_as(url, None, if_none_match).await
}

/// GETs `url` until an answer comes from memory (the listener connects on the first miss).
async fn warm(state: &AppState, url: &str) -> Answer {
    warm_as(state, url, None).await
}

/// [`warm`], signed in with `token`.
async fn warm_as(state: &AppState, url: &str, token: Option<&str>) -> Answer {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let before = state.cache.stats().hits;
        let answer = get_as(url, token, None).await;
        assert_eq!(answer.status, 200, "{answer:?}");
        if state.cache.stats().hits > before {
            return answer;
        }
        assert!(
            Instant::now() < deadline,
            "{url} never came from memory: {:?}",
            state.cache.stats()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// How long after now until a GET of `url` answers what `seen` looks for (at most 5 s).
async fn until(url: &str, seen: impl Fn(&Value) -> bool) -> Duration {
    let start = Instant::now();
    loop {
        let answer = get(url, None).await;
        assert_eq!(answer.status, 200, "{answer:?}");
        if seen(&answer.body) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{url} still answers {}",
            answer.body
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

#[track_caller]
fn assert_fresh(what: &str, took: Duration) {
    assert!(took < FRESH, "{what} showed after {took:?}");
}

#[actix_web::test]
async fn cache_shows_psql_writes_on_the_page_within_200_ms() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 3).await;
    let fan = fixtures::user(&mut conn, UserRole::User).await;
    let state = cached_state(&db, |_| {});
    let (base, _server) = serve(state.clone());
    let uri = format!("{base}/v1/shows/{}", sample.show.slug);
    let song = sample.setlist_songs[1].id;

    // Structural (a NOTIFY 'show:'): the show's name.
    warm(&state, &uri).await;
    sql(
        &mut conn,
        &format!(
            "UPDATE shows SET name = 'Renamed by psql' WHERE id = '{}'",
            sample.show.id
        ),
    )
    .await;
    let took = until(&uri, |page| page["show"]["name"] == "Renamed by psql").await;
    assert_fresh("a new show name", took);

    // A vote (the vote log, no NOTIFY).
    warm(&state, &uri).await;
    sql_vote(&mut conn, &fan, song, "up").await;
    let took = until(&uri, |page| {
        page["setlists"][0]["songs"][1]["entry"]["upvotes"] == 1
    })
    .await;
    assert_fresh("a vote", took);

    // The rest of the page (a NOTIFY 'page:'): the headliner's name, the folded vote totals, a
    // song's title, the venue, the line-up.
    let changes = [
        (
            format!(
                "UPDATE artists SET name = 'Artist by psql' WHERE id = '{}'",
                sample.artist.id
            ),
            json!(["headliner", "name"]),
            json!("Artist by psql"),
        ),
        (
            "SELECT refresh_vote_totals()".to_owned(),
            json!(["show", "vote_count"]),
            json!(1),
        ),
        (
            format!(
                "UPDATE songs SET title = 'Title by psql' WHERE id = '{}'",
                sample.songs[0].id
            ),
            json!(["setlists", 0, "songs", 0, "song", "title"]),
            json!("Title by psql"),
        ),
        (
            format!(
                "UPDATE venues SET name = 'Venue by psql' WHERE id = '{}'",
                sample.venue.id
            ),
            json!(["venue", "name"]),
            json!("Venue by psql"),
        ),
        (
            format!(
                "INSERT INTO show_artists (show_id, artist_id, order_index, is_headliner) \
                 VALUES ('{}', '{}', 0, true)",
                sample.show.id, sample.artist.id
            ),
            json!(["lineup", 0, "artist", "name"]),
            json!("Artist by psql"),
        ),
    ];
    for (statement, path, expected) in changes {
        warm(&state, &uri).await;
        sql(&mut conn, &statement).await;
        let took = until(&uri, |page| {
            let at = path
                .as_array()
                .unwrap()
                .iter()
                .fold(page, |v, step| match step {
                    Value::String(key) => &v[key.as_str()],
                    step => &v[usize::try_from(step.as_u64().unwrap()).unwrap()],
                });
            *at == expected
        })
        .await;
        assert_fresh(&statement, took);
    }
    assert!(state.cache.stats().invalidations >= 7);
}

#[actix_web::test]
async fn cache_shows_psql_catalog_writes_in_search_within_200_ms() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 2).await;
    let state = cached_state(&db, |_| {});
    let (base, _server) = serve(state.clone());
    let search = |q: &str| format!("{base}/v1/search?limit=5&q={}", q.replace(' ', "+"));
    let names = |hits: &Value, field: &str| -> Vec<String> {
        (hits.as_array().unwrap().iter())
            .map(|hit| hit[field].as_str().unwrap_or_default().to_owned())
            .collect()
    };

    // A new artist: the empty answer held for its name goes.
    let uri = search("Quuxly Zebrafont");
    assert!(
        warm(&state, &uri).await.body["artists"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    sql(
        &mut conn,
        "INSERT INTO artists (name, slug) VALUES ('Quuxly Zebrafont', 'quuxly-zebrafont')",
    )
    .await;
    let took = until(&uri, |found| {
        names(&found["artists"], "name") == ["Quuxly Zebrafont"]
    })
    .await;
    assert_fresh("a new artist", took);

    // What a hit shows: an artist's image, a song's new title, a venue's city.
    let changes = [
        (
            search("Quuxly Zebrafont"),
            "UPDATE artists SET image_url = 'https://img.example/q.jpg' WHERE slug = 'quuxly-zebrafont'".to_owned(),
            "artists",
            "image_url",
            "https://img.example/q.jpg",
        ),
        (
            search("Vexillo Anthem"),
            format!(
                "UPDATE songs SET title = 'Vexillo Anthem' WHERE id = '{}'",
                sample.songs[0].id
            ),
            "songs",
            "title",
            "Vexillo Anthem",
        ),
        (
            search("Sample Hall"),
            format!(
                "UPDATE venues SET city = 'Zebraton' WHERE id = '{}'",
                sample.venue.id
            ),
            "venues",
            "city",
            "Zebraton",
        ),
    ];
    for (uri, statement, kind, field, expected) in changes {
        warm(&state, &uri).await;
        sql(&mut conn, &statement).await;
        let took = until(&uri, |found| {
            names(&found[kind], field).into_iter().next().as_deref() == Some(expected)
        })
        .await;
        assert_fresh(&statement, took);
    }

    // A write to nothing a search shows keeps what is held: the next answer is from memory.
    let uri = search("Quuxly Zebrafont");
    warm(&state, &uri).await;
    sql(
        &mut conn,
        "UPDATE artists SET popularity = 99, trending_score = 5 WHERE slug = 'quuxly-zebrafont'",
    )
    .await;
    tokio::time::sleep(FRESH).await;
    let before = state.cache.stats();
    assert!(before.searches > 0, "{before:?}");
    get(&uri, None).await;
    assert_eq!(state.cache.stats().hits, before.hits + 1);

    // A removed artist leaves the results.
    sql(
        &mut conn,
        "DELETE FROM artists WHERE slug = 'quuxly-zebrafont'",
    )
    .await;
    let took = until(&uri, |found| {
        found["artists"].as_array().unwrap().is_empty()
    })
    .await;
    assert_fresh("a removed artist", took);
    assert!(state.cache.stats().invalidations >= 5);
}

#[actix_web::test]
async fn cache_etags_answer_304_and_change_after_a_write() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 2).await;
    let other = fixtures::show(&mut conn, 1).await;
    let state = cached_state(&db, |_| {});
    let (base, _server) = serve(state.clone());

    for uri in [
        format!("{base}/v1/shows/{}", sample.show.id),
        format!("{base}/v1/shows/trending"),
        format!("{base}/v1/search?q=sample+artist"),
    ] {
        // The tag is the same from memory as from the database.
        let first = get(&uri, None).await;
        let tag = first.etag.clone();
        assert!(
            tag.starts_with('"') && tag.ends_with('"'),
            "a strong tag: {tag}"
        );
        let cached = warm(&state, &uri).await;
        assert_eq!(cached.etag, tag);
        assert_eq!(cached.body, first.body);
        for current in [tag.clone(), format!("W/{tag}"), format!("\"x\", {tag}")] {
            let reply = get(&uri, Some(&current)).await;
            assert_eq!(reply.status, 304, "{uri} with {current}");
            assert_eq!(reply.etag, tag);
            assert_eq!(reply.body, Value::Null, "a 304 has no body");
        }
        assert_eq!(get(&uri, Some("\"x\"")).await.status, 200);
    }

    // A write moves the page's tag: the old one gets the new page.
    let uri = format!("{base}/v1/shows/{}", sample.show.id);
    let old = get(&uri, None).await.etag;
    sql(
        &mut conn,
        &format!(
            "UPDATE shows SET description = 'Doors at seven' WHERE id = '{}'",
            sample.show.id
        ),
    )
    .await;
    let took = until(&uri, |page| page["show"]["description"] == "Doors at seven").await;
    assert_fresh("a description", took);
    let reply = get(&uri, Some(&old)).await;
    assert_eq!(reply.status, 200);
    assert_ne!(reply.etag, old);
    assert_eq!(get(&uri, Some(&reply.etag)).await.status, 304);

    // Trending, as the worker's recompute writes it: the other show goes first.
    let trending = &format!("{base}/v1/shows/trending");
    let old = warm(&state, trending).await.etag;
    sql(
        &mut conn,
        &format!(
            "UPDATE shows SET trending_score = 99 WHERE id = '{}'",
            other.show.id
        ),
    )
    .await;
    // The new score, not only the order: the other show may have come first by id already.
    let first = other.show.id.to_string();
    let took = until(trending, |list| {
        list[0]["show"]["id"] == first.as_str() && list[0]["show"]["trending_score"] == 99.0
    })
    .await;
    assert_fresh("a trending score", took);
    let reply = get(trending, Some(&old)).await;
    assert_eq!(reply.status, 200);
    assert_ne!(reply.etag, old);

    // Lists not cached carry tags too.
    let artists = format!("{base}/v1/artists");
    let tag = get(&artists, None).await.etag;
    assert_eq!(get(&artists, Some(&tag)).await.status, 304);
}

#[derive(QueryableByName)]
struct Page {
    #[diesel(sql_type = diesel::sql_types::Text)]
    page: String,
}

#[actix_web::test]
async fn cache_never_serves_a_page_with_what_rls_hides() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 3).await;
    let fan = fixtures::user(&mut conn, UserRole::User).await;
    let staff = fixtures::user(&mut conn, UserRole::Moderator).await;
    let state = cached_state(&db, |_| {});
    let (base, _server) = serve(state.clone());
    let token = token_for(&fan);

    // The fan's own prediction, hidden from everyone else until the show starts.
    let response = http()
        .post(format!("{base}/v1/shows/{}/predictions", sample.show.slug))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let reply: Value = response.json().await.unwrap();
    let prediction = reply["id"].as_str().unwrap().to_owned();
    let response = http()
        .post(format!("{base}/v1/setlists/{prediction}/songs"))
        .bearer_auth(&token)
        .json(&json!({ "song_id": sample.songs[2].id }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);

    // The fan reads the page first (signed in), so the cache is filled on their request; then
    // the page is read from memory by anyone, the fan, and staff (whom RLS shows every
    // prediction).
    let url = format!("{base}/v1/shows/{}", sample.show.slug);
    let mut pages = vec![get_as(&url, Some(&token), None).await];
    for reader in [None, Some(token.clone()), Some(token_for(&staff))] {
        pages.push(warm_as(&state, &url, reader.as_deref()).await);
    }
    // What an anonymous reader may see, as the API's role with no caller reads it.
    let mut api = db.conn_as("theset_api").await;
    let public: Page = diesel::sql_query(format!(
        "SELECT show_details('{}', NULL) AS page",
        sample.show.id
    ))
    .get_result(&mut api)
    .await
    .unwrap();
    let public: Value = serde_json::from_str(&public.page).unwrap();
    for page in &pages {
        assert_eq!(page.status, 200);
        assert_eq!(
            page.body, public,
            "the page is the public one, whoever asks"
        );
        let setlists = page.body["setlists"].as_array().unwrap();
        assert_eq!(setlists.len(), 1, "only the crowd setlist: {setlists:?}");
        assert_eq!(setlists[0]["setlist"]["id"], sample.setlist.id.to_string());
        assert!(!page.body.to_string().contains(&prediction));
    }
    assert!(state.cache.stats().hits >= 3);
}

#[actix_web::test]
async fn cache_starts_over_when_the_listener_reconnects() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 2).await;
    let state = cached_state(&db, |_| {});
    let (base, _server) = serve(state.clone());
    let uri = format!("{base}/v1/shows/{}", sample.show.id);
    warm(&state, &uri).await;
    let generation = state.cache.stats().generation;
    assert!(generation > 0);

    // The listener's connection dies, and a change is made while it is away: its notification
    // reaches nobody. Meanwhile the page comes from the database, and after the reconnection
    // the cache has started over.
    kill_listener(&mut conn).await;
    sql(
        &mut conn,
        &format!(
            "UPDATE shows SET name = 'Renamed while away' WHERE id = '{}'",
            sample.show.id
        ),
    )
    .await;
    let took = until(&uri, |page| page["show"]["name"] == "Renamed while away").await;
    assert_fresh("a change made while the listener was away", took);
    let deadline = Instant::now() + Duration::from_secs(10);
    while state.cache.stats().generation <= generation {
        assert!(Instant::now() < deadline, "the listener never came back");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let page = warm(&state, &uri).await;
    assert_eq!(page.body["show"]["name"], "Renamed while away");
    assert!(
        state.cache.stats().bypasses > 0,
        "{:?}",
        state.cache.stats()
    );
}

#[actix_web::test]
async fn cache_serves_nothing_without_the_listener() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 1).await;
    let state = cached_state(&db, |c| c.realtime.enabled = false);
    let (base, _server) = serve(state.clone());
    let uri = format!("{base}/v1/shows/{}", sample.show.id);
    let first = get(&uri, None).await;
    assert_eq!(get(&uri, Some(&first.etag)).await.status, 304);
    sql(
        &mut conn,
        &format!(
            "UPDATE shows SET name = 'Straight from the database' WHERE id = '{}'",
            sample.show.id
        ),
    )
    .await;
    let page = get(&uri, None).await;
    assert_eq!(page.body["show"]["name"], "Straight from the database");
    assert_ne!(page.etag, first.etag.clone());
    let stats = state.cache.stats();
    assert_eq!((stats.hits, stats.pages, stats.max_pages), (0, 0, 0));
    assert_eq!(stats.bypasses, 3);
}

#[actix_web::test]
async fn cache_holds_at_most_its_bound_and_reports_its_size() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let mut shows = Vec::new();
    for _ in 0..3 {
        shows.push(fixtures::show(&mut conn, 1).await);
    }
    let state = cached_state(&db, |c| c.realtime.show_cache_max_entries = 2);
    let (base, _server) = serve(state.clone());
    for sample in &shows {
        warm(&state, &format!("{base}/v1/shows/{}", sample.show.slug)).await;
        assert!(state.cache.stats().pages <= 2);
    }
    let stats = state.cache.stats();
    assert_eq!((stats.pages, stats.max_pages), (2, 2));
    assert!(stats.bytes > 0);
    let text = state.metrics.render(&state.pool, &stats, None);
    assert!(
        text.contains("theset_show_cache_entries{kind=\"page\"} 2"),
        "{text}"
    );
    assert!(text.contains("theset_show_cache_entries{kind=\"max\"} 2"));
    assert!(text.contains(&format!("theset_show_cache_bytes {}", stats.bytes)));
    assert!(text.contains("theset_show_cache_lookups_total{result=\"hit\"} "));
}
