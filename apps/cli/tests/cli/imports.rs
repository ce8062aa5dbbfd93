//! `theset import` as a subprocess against a fresh database, with the providers' base URLs
//! pointed at a wiremock server answering the payloads the importers' own tests use
//! (crates/imports/tests/fixtures, shaped like the real APIs): the rows written, that a second
//! run changes nothing, and the refusals (missing keys, a provider failure).

use crate::common::*;
use serde_json::Value;
use theset_database::testing::TestDatabase;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const MBID: &str = "a74b1b7f-71a5-4011-9441-d0b5e4122711";
const ATTRACTION: &str = "K8vZ9171ob7";
const SPOTIFY_ID: &str = "4Z8W4fKeB5YxbusRsdQVPb";

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/../../crates/imports/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn ok(name: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(fixture(name))
}

/// One server for the three providers (their paths do not overlap).
async fn providers() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/attractions/{ATTRACTION}.json")))
        .and(query_param("apikey", "tm-key"))
        .respond_with(ok("tm_attraction.json"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/events.json"))
        .and(query_param("attractionId", ATTRACTION))
        .respond_with(ok("tm_events.json"))
        .mount(&server)
        .await;
    for page in [1, 2] {
        Mock::given(method("GET"))
            .and(path(format!("/artist/{MBID}/setlists")))
            .and(query_param("p", page.to_string()))
            .respond_with(ok(&format!("sfm_setlists_p{page}.json")))
            .mount(&server)
            .await;
    }
    Mock::given(method("POST"))
        .and(path("/api/token"))
        .respond_with(ok("spotify_token.json"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/artists/{SPOTIFY_ID}")))
        .respond_with(ok("spotify_artist.json"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/artists/{SPOTIFY_ID}/top-tracks")))
        .respond_with(ResponseTemplate::new(403).set_body_json(fixture("spotify_forbidden.json")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/artists/{SPOTIFY_ID}/albums")))
        .respond_with(ok("spotify_albums.json"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/albums/6dVIqQ8qmQ5GBnJ9shOYGE/tracks"))
        .respond_with(ok("spotify_album_tracks.json"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/tracks"))
        .respond_with(ok("spotify_tracks.json"))
        .mount(&server)
        .await;
    server
}

fn env(uri: &str) -> Vec<(&'static str, String)> {
    vec![
        ("TICKETMASTER_API_KEY", "tm-key".to_owned()),
        ("TICKETMASTER_BASE_URL", uri.to_owned()),
        ("SETLISTFM_API_KEY", "sfm-key".to_owned()),
        ("SETLISTFM_BASE_URL", uri.to_owned()),
        ("SPOTIFY_CLIENT_ID", "id".to_owned()),
        ("SPOTIFY_CLIENT_SECRET", "secret".to_owned()),
        ("SPOTIFY_API_BASE_URL", uri.to_owned()),
        ("SPOTIFY_ACCOUNTS_BASE_URL", uri.to_owned()),
    ]
}

async fn run(url: &str, args: &[&str], env: &[(&'static str, String)]) -> std::process::Output {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    theset_with(url, args, &env).await
}

const TABLES: [&str; 8] = [
    "artists",
    "venues",
    "shows",
    "show_artists",
    "songs",
    "song_aliases",
    "setlists",
    "setlist_songs",
];
/// Sync bookkeeping records when a run happened, not what it imported.
const SYNC_COLUMNS: [&str; 4] = [
    "ticketmaster_synced_at",
    "setlistfm_synced_at",
    "last_synced_at",
    "updated_at",
];

#[tokio::test]
async fn imports_write_rows_once_and_a_second_run_changes_nothing() {
    let db = TestDatabase::new().await;
    let url = db.url_as("theset_service");
    let mut conn = db.conn().await;
    let server = providers().await;
    let env = env(&server.uri());

    // Ticketmaster: the artist and one show per event, each with a crowd setlist unless the
    // show is cancelled (a cancelled show takes no predictions).
    let all = fixture("tm_events.json")["_embedded"]["events"]
        .as_array()
        .unwrap()
        .clone();
    let events = all.len();
    let open = all
        .iter()
        .filter(|e| e["dates"]["status"]["code"] != "cancelled")
        .count();
    assert!(open < events, "the fixture has a cancelled event");
    let shows = run(
        &url,
        &["import", "shows", "--ticketmaster-attraction", ATTRACTION],
        &env,
    )
    .await;
    assert_exit(&shows, 0);
    assert!(
        stdout(&shows).starts_with(&format!("imported Ticketmaster attraction {ATTRACTION}: {events} events, {events} shows written, {open} predicted {} created", if open == 1 { "setlist" } else { "setlists" })),
        "{}",
        both(&shows)
    );
    assert!(
        stderr(&shows).contains(&format!(
            "importing Ticketmaster attraction {ATTRACTION}..."
        )),
        "{}",
        both(&shows)
    );
    let artist = rows(
        &mut conn,
        &format!("SELECT slug || ' ' || coalesce(spotify_id, '-') AS row FROM artists WHERE ticketmaster_id = '{ATTRACTION}' AND mbid = '{MBID}'"),
    )
    .await;
    assert_eq!(artist.len(), 1, "{artist:?}");
    let (slug, spotify) = artist[0].split_once(' ').unwrap();
    assert_eq!(spotify, SPOTIFY_ID);
    let slug = slug.to_owned();
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM shows WHERE ticketmaster_id IS NOT NULL"
        )
        .await,
        i64::try_from(events).unwrap()
    );

    // setlist.fm: every setlist of both pages lands as an actual setlist.
    let sfm: usize = [1, 2]
        .iter()
        .map(|p| {
            fixture(&format!("sfm_setlists_p{p}.json"))["setlist"]
                .as_array()
                .unwrap()
                .len()
        })
        .sum();
    let setlists = run(&url, &["import", "setlists", "--artist", MBID], &env).await;
    assert_exit(&setlists, 0);
    assert!(
        stdout(&setlists).contains(&format!("{sfm} setlists in 2 pages: {sfm} created")),
        "{}",
        both(&setlists)
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM setlists WHERE type = 'actual' AND external_id IS NOT NULL"
        )
        .await,
        i64::try_from(sfm).unwrap()
    );
    // --since leaves out older setlists: none of them is written again, and none is new.
    let since = run(
        &url,
        &[
            "import",
            "setlists",
            "--artist",
            MBID,
            "--since",
            "2100-01-01",
        ],
        &env,
    )
    .await;
    assert_exit(&since, 0);
    assert!(
        stdout(&since).contains(": 0 created, 0 replaced"),
        "{}",
        both(&since)
    );

    // Spotify, by our slug: the catalog's tracks become songs; the forbidden endpoint is named.
    let songs_before = count(
        &mut conn,
        "SELECT count(*) AS n FROM songs WHERE spotify_id IS NOT NULL",
    )
    .await;
    let catalog = run(&url, &["import", "catalog", "--artist", &slug], &env).await;
    assert_exit(&catalog, 0);
    assert!(
        stdout(&catalog).contains("artist enriched"),
        "{}",
        both(&catalog)
    );
    assert!(
        stdout(&catalog).contains("skipped top tracks: forbidden by Spotify"),
        "{}",
        both(&catalog)
    );
    assert!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM songs WHERE spotify_id IS NOT NULL"
        )
        .await
            > songs_before
    );
    assert_eq!(
        count(
            &mut conn,
            &format!(
                "SELECT count(*) AS n FROM artists WHERE slug = '{slug}' AND image_url IS NOT NULL"
            )
        )
        .await,
        1
    );

    // Again, all three: the same rows.
    let before = dump(&mut conn, &TABLES, &SYNC_COLUMNS).await;
    for args in [
        vec!["import", "shows", "--ticketmaster-attraction", ATTRACTION],
        vec!["import", "setlists", "--artist", MBID],
        vec!["import", "catalog", "--artist", &slug],
    ] {
        let again = run(&url, &args, &env).await;
        assert_exit(&again, 0);
        if args[1] == "setlists" {
            assert!(
                stdout(&again).contains(&format!("0 created, 0 replaced, {sfm} unchanged")),
                "{}",
                both(&again)
            );
        }
    }
    assert_eq!(dump(&mut conn, &TABLES, &SYNC_COLUMNS).await, before);

    // Every request the imports sent was counted in the budget the workers share.
    #[derive(diesel::QueryableByName)]
    struct Used {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        used: i64,
    }
    let used = diesel_async::RunQueryDsl::get_result::<Used>(
        diesel::sql_query(
            "SELECT coalesce(sum(day_used), 0)::bigint AS used FROM provider_budgets",
        ),
        &mut conn,
    )
    .await
    .unwrap();
    let sent = server.received_requests().await.unwrap().len();
    assert_eq!(usize::try_from(used.used).unwrap(), sent);
}

#[tokio::test]
async fn missing_keys_are_named_before_connecting() {
    let server = providers().await;
    let mut env = env(&server.uri());
    env.retain(|(name, _)| !name.ends_with("_KEY") && *name != "SPOTIFY_CLIENT_SECRET");
    for (args, says) in [
        (
            vec!["import", "shows", "--ticketmaster-attraction", ATTRACTION],
            "TICKETMASTER_API_KEY is not set",
        ),
        (
            vec!["import", "setlists", "--artist", "radiohead"],
            "SETLISTFM_API_KEY is not set",
        ),
        (
            vec!["import", "catalog", "--artist", "radiohead"],
            "SPOTIFY_CLIENT_SECRET is not set: needed to import from Spotify",
        ),
    ] {
        let output = run(UNREACHABLE, &args, &env).await;
        assert_one_line_error(&output, 1, says);
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_failed_import_is_one_line_and_writes_nothing() {
    let db = TestDatabase::new().await;
    let url = db.url_as("theset_service");
    let server = MockServer::start().await;
    let env = env(&server.uri());
    // Ticketmaster refuses the key.
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
            "fault": { "faultstring": "Invalid ApiKey", "detail": { "errorcode": "oauth.v2.InvalidApiKey" } }
        })))
        .mount(&server)
        .await;
    let output = run(
        &url,
        &["import", "shows", "--ticketmaster-attraction", ATTRACTION],
        &env,
    )
    .await;
    assert_exit(&output, 1);
    let err = stderr(&output);
    let last = err.lines().last().unwrap();
    assert!(
        last.starts_with(&format!(
            "theset: importing Ticketmaster attraction {ATTRACTION}: "
        )),
        "{}",
        both(&output)
    );
    assert!(output.stdout.is_empty(), "{}", both(&output));
    // An artist that is not there cannot be enriched: said, and nothing written.
    let catalog = run(
        &url,
        &["import", "catalog", "--artist", "nobody-here"],
        &env,
    )
    .await;
    assert_exit(&catalog, 1);
    assert!(
        stderr(&catalog).contains("nobody-here"),
        "{}",
        both(&catalog)
    );
    let mut conn = db.conn().await;
    assert_eq!(dump(&mut conn, &TABLES, &[]).await, Vec::<String>::new());

    let bad = run(
        UNREACHABLE,
        &[
            "import",
            "setlists",
            "--artist",
            MBID,
            "--since",
            "last week",
        ],
        &env,
    )
    .await;
    assert_one_line_error(&bad, 2, "is not a date (YYYY-MM-DD)");
}
