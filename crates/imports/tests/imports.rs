//! Imports against wiremock servers answering fixture payloads (tests/fixtures, shaped like the
//! real APIs) and a real PostgreSQL database per test.
// Test helpers panic with the failing value rather than threading errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel::{QueryableByName, sql_query};
use diesel_async::RunQueryDsl;
use serde_json::Value;
use theset_database::enums::{SetlistType, ShowStatus};
use theset_database::history::History;
use theset_database::ids::{SetlistId, ShowId};
use theset_database::models::*;
use theset_database::schema::{setlist_songs, setlists, shows, songs};
use theset_database::scoring::{self, PlayedSong};
use theset_database::testing::TestDatabase;
use theset_database::{AsyncPgConnection, DbPool};
use theset_imports::{
    ArtistKey, ImportError, SetlistImportOptions, import_artist_setlists, import_attraction,
    import_catalog, poll_setlist_corrections,
};
use theset_providers::{
    ErrorKind, SetlistFm, SetlistFmConfig, Spotify, SpotifyConfig, Ticketmaster, TicketmasterConfig,
};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const MBID: &str = "a74b1b7f-71a5-4011-9441-d0b5e4122711";
const ATTRACTION: &str = "K8vZ9171ob7";
const SPOTIFY_ID: &str = "4Z8W4fKeB5YxbusRsdQVPb";

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn fixture_json(name: &str) -> Value {
    serde_json::from_str(&fixture(name)).unwrap()
}

fn ok(body: &Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

fn fast(http: &mut theset_providers::HttpSettings) {
    http.requests_per_second = 100.0;
    http.initial_backoff = Duration::from_millis(5);
}

fn setlistfm(server: &MockServer) -> SetlistFm {
    let mut config = SetlistFmConfig::new("sfm-key", &server.uri());
    fast(&mut config.http);
    SetlistFm::new(&config).unwrap()
}

fn ticketmaster(server: &MockServer) -> Ticketmaster {
    let mut config = TicketmasterConfig::new("tm-key", &server.uri());
    fast(&mut config.http);
    Ticketmaster::new(&config).unwrap()
}

fn spotify(server: &MockServer) -> Spotify {
    let mut config = SpotifyConfig::new("id", "secret", &server.uri(), &server.uri());
    fast(&mut config.http);
    Spotify::new(&config).unwrap()
}

fn service_pool(db: &TestDatabase) -> DbPool {
    db.pool_as("theset_service", 2)
}

#[derive(QueryableByName)]
struct JsonRow {
    #[diesel(sql_type = Text)]
    row: String,
}

/// Every row of every table an import writes, as JSON, ordered by id. Sync bookkeeping
/// (`*_synced_at`, and so the artists' `updated_at`) is left out: it records when a run happened.
async fn dump(conn: &mut AsyncPgConnection) -> Vec<String> {
    let mut rows = Vec::new();
    for (table, skip) in [
        (
            "artists",
            "ARRAY['ticketmaster_synced_at', 'setlistfm_synced_at', 'last_synced_at', 'updated_at']",
        ),
        ("venues", "ARRAY[]::text[]"),
        ("shows", "ARRAY[]::text[]"),
        ("show_artists", "ARRAY[]::text[]"),
        ("songs", "ARRAY[]::text[]"),
        ("song_aliases", "ARRAY[]::text[]"),
        ("setlists", "ARRAY[]::text[]"),
        ("setlist_songs", "ARRAY[]::text[]"),
    ] {
        let table_rows: Vec<JsonRow> = sql_query(format!(
            "SELECT '{table} ' || (to_jsonb(t) - {skip})::text AS row FROM {table} t ORDER BY id"
        ))
        .load(conn)
        .await
        .unwrap();
        rows.extend(table_rows.into_iter().map(|r| r.row));
    }
    rows
}

/// The imported history by natural keys (setlist.fm ids, dates, titles), without generated ids
/// or timestamps: equal for two databases that hold the same data.
async fn canonical(conn: &mut AsyncPgConnection) -> Vec<String> {
    let rows: Vec<JsonRow> = sql_query(
        "SELECT jsonb_build_object(
           'show', sh.date, 'show_name', sh.name, 'status', sh.status, 'show_sfm', sh.setlistfm_id,
           'venue', v.name, 'city', v.city, 'venue_sfm', v.setlistfm_id, 'tz', v.timezone,
           'lat', v.latitude, 'type', sl.type, 'external_id', sl.external_id,
           'version', sl.source_version_id, 'url', sl.source_url, 'score', sl.accuracy_score,
           'songs', (SELECT jsonb_agg(jsonb_build_array(ss.position, so.title, ss.set_name, ss.encore,
                       ss.is_tape, ss.cover_artist_name, ss.guest_artist_name, ss.info) ORDER BY ss.position)
                     FROM setlist_songs ss JOIN songs so ON so.id = ss.song_id WHERE ss.setlist_id = sl.id)
         )::text AS row
         FROM setlists sl JOIN shows sh ON sh.id = sl.show_id LEFT JOIN venues v ON v.id = sh.venue_id
         UNION ALL
         SELECT jsonb_build_object('song', title, 'key', title_key)::text FROM songs
         ORDER BY row",
    )
    .load(conn)
    .await
    .unwrap();
    rows.into_iter().map(|r| r.row).collect()
}

// --- Ticketmaster -----------------------------------------------------------------------------

async fn mount_ticketmaster(server: &MockServer, events: &Value) {
    Mock::given(method("GET"))
        .and(path(format!("/attractions/{ATTRACTION}.json")))
        .and(query_param("apikey", "tm-key"))
        .respond_with(ok(&fixture_json("tm_attraction.json")))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/events.json"))
        .and(query_param("attractionId", ATTRACTION))
        .respond_with(ok(events))
        .mount(server)
        .await;
}

#[tokio::test]
async fn ticketmaster_import_builds_shows_and_is_idempotent() {
    let db = TestDatabase::new().await;
    let pool = service_pool(&db);
    let server = MockServer::start().await;
    let mut events = fixture_json("tm_events.json");
    // A third event without a venue (TBA) is skipped, not fatal.
    let mut no_venue = events["_embedded"]["events"][0].clone();
    no_venue["id"] = "Z7r9jZ1AdJ9uR".into();
    no_venue["_embedded"]
        .as_object_mut()
        .unwrap()
        .remove("venues");
    events["_embedded"]["events"]
        .as_array_mut()
        .unwrap()
        .push(no_venue);
    mount_ticketmaster(&server, &events).await;
    let client = ticketmaster(&server);

    let report = import_attraction(&pool, &client, ATTRACTION).await.unwrap();
    assert_eq!(
        (
            report.events,
            report.shows,
            report.predicted_setlists_created
        ),
        // The cancelled show gets no crowd setlist: its predictions are closed.
        (3, 2, 1)
    );
    assert_eq!(
        report.skipped,
        vec![("Z7r9jZ1AdJ9uR".to_owned(), "no venue".to_owned())]
    );

    let mut conn = db.conn().await;
    let artist = ArtistKey::Mbid(MBID.to_owned())
        .find(&mut conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(artist.ticketmaster_id.as_deref(), Some(ATTRACTION));
    assert_eq!(artist.spotify_id.as_deref(), Some(SPOTIFY_ID));
    assert!(artist.ticketmaster_synced_at.is_some());

    let auckland = shows::table
        .filter(shows::ticketmaster_id.eq("Z7r9jZ1AdJ9uP"))
        .select(Show::as_select())
        .first(&mut conn)
        .await
        .unwrap();
    assert_eq!(auckland.date, NaiveDate::from_ymd_opt(2030, 7, 8).unwrap());
    assert_eq!(auckland.start_time, NaiveTime::from_hms_opt(20, 0, 0));
    // 20:00 in Auckland in July (NZST, UTC+12), as Ticketmaster's own dateTime says.
    assert_eq!(
        auckland.starts_at,
        Utc.with_ymd_and_hms(2030, 7, 8, 8, 0, 0).unwrap()
    );
    assert_eq!(auckland.status, ShowStatus::Upcoming);
    assert_eq!(auckland.ticketmaster_status.as_deref(), Some("onsale"));
    assert_eq!(
        (auckland.min_price, auckland.max_price),
        (Some(89), Some(190))
    );
    assert_eq!(auckland.currency, "NZD");
    let venue = auckland.venue(&mut conn).await.unwrap().unwrap();
    assert_eq!(
        (venue.latitude, venue.longitude),
        (Some(-36.8485), Some(174.7633))
    );
    assert_eq!(venue.timezone, "Pacific/Auckland");
    assert_eq!(venue.ticketmaster_id.as_deref(), Some("KovZpZAEkn6A"));
    assert_eq!(
        venue.address.as_deref(),
        Some("42-80 Mahuhu Crescent, Parnell")
    );
    let lineup = auckland.supporting_artists(&mut conn).await.unwrap();
    let billing: Vec<_> = lineup
        .iter()
        .map(|(slot, a)| (slot.order_index, slot.is_headliner, a.name.as_str()))
        .collect();
    assert_eq!(billing, vec![(0, true, "Radiohead"), (1, false, "Caribou")]);
    // The support act's Spotify link is an album: no Spotify id for it.
    assert_eq!(lineup[1].1.spotify_id, None);

    let sydney = shows::table
        .filter(shows::ticketmaster_id.eq("Z7r9jZ1AdJ9uQ"))
        .select(Show::as_select())
        .first(&mut conn)
        .await
        .unwrap();
    // No dateTime, time TBA: no start time, and the show starts at local midnight in Sydney.
    assert_eq!(sydney.start_time, None);
    assert_eq!(
        sydney.starts_at,
        Utc.with_ymd_and_hms(2030, 7, 11, 14, 0, 0).unwrap()
    );
    assert_eq!(sydney.status, ShowStatus::Cancelled);
    assert_eq!(sydney.ticketmaster_status.as_deref(), Some("canceled"));
    let lists = auckland.setlists(&mut conn).await.unwrap();
    assert_eq!(lists.len(), 1);
    assert_eq!(lists[0].type_, SetlistType::Predicted);
    assert_eq!(sydney.setlists(&mut conn).await.unwrap(), []);

    let before = dump(&mut conn).await;
    let again = import_attraction(&pool, &client, ATTRACTION).await.unwrap();
    assert_eq!((again.shows, again.predicted_setlists_created), (0, 0));
    assert_eq!(
        dump(&mut conn).await,
        before,
        "a second run changes nothing"
    );
}

#[tokio::test]
async fn ticketmaster_status_changes_follow_the_source() {
    let db = TestDatabase::new().await;
    let pool = service_pool(&db);
    let first = MockServer::start().await;
    mount_ticketmaster(&first, &fixture_json("tm_events.json")).await;
    import_attraction(&pool, &ticketmaster(&first), ATTRACTION)
        .await
        .unwrap();

    // Later: Auckland postponed and its support act gone; Sydney back on sale on a new date.
    let mut events = fixture_json("tm_events.json");
    let list = events["_embedded"]["events"].as_array_mut().unwrap();
    list[0]["dates"]["status"]["code"] = "postponed".into();
    list[0]["_embedded"]["attractions"]
        .as_array_mut()
        .unwrap()
        .truncate(1);
    list[1]["dates"]["status"]["code"] = "rescheduled".into();
    list[1]["dates"]["start"] = serde_json::json!({
        "localDate": "2030-07-20", "localTime": "19:30:00", "dateTime": "2030-07-20T09:30:00Z",
        "dateTBD": false, "dateTBA": false, "timeTBA": false, "noSpecificTime": false
    });
    let second = MockServer::start().await;
    mount_ticketmaster(&second, &events).await;
    let report = import_attraction(&pool, &ticketmaster(&second), ATTRACTION)
        .await
        .unwrap();
    assert_eq!(report.shows, 2);

    let mut conn = db.conn().await;
    let show = |id: &'static str| {
        shows::table
            .filter(shows::ticketmaster_id.eq(id))
            .select(Show::as_select())
    };
    let auckland = show("Z7r9jZ1AdJ9uP").first(&mut conn).await.unwrap();
    assert_eq!(auckland.status, ShowStatus::Upcoming);
    assert_eq!(auckland.ticketmaster_status.as_deref(), Some("postponed"));
    assert_eq!(
        auckland.supporting_artists(&mut conn).await.unwrap().len(),
        1
    );
    let sydney = show("Z7r9jZ1AdJ9uQ").first(&mut conn).await.unwrap();
    assert_eq!(sydney.status, ShowStatus::Upcoming, "no longer cancelled");
    assert_eq!(sydney.ticketmaster_status.as_deref(), Some("rescheduled"));
    assert_eq!(sydney.date, NaiveDate::from_ymd_opt(2030, 7, 20).unwrap());
    // 19:30 in Sydney in July (AEST, UTC+10).
    assert_eq!(
        sydney.starts_at,
        Utc.with_ymd_and_hms(2030, 7, 20, 9, 30, 0).unwrap()
    );
}

#[tokio::test]
async fn ticketmaster_bad_key_is_not_retryable() {
    let db = TestDatabase::new().await;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            serde_json::json!({"fault": {"faultstring": "Invalid ApiKey", "detail": {"errorcode": "oauth.v2.InvalidApiKey"}}}),
        ))
        .mount(&server)
        .await;
    let error = import_attraction(&service_pool(&db), &ticketmaster(&server), ATTRACTION)
        .await
        .unwrap_err();
    assert_eq!(error.provider_kind(), Some(ErrorKind::BadKey));
    assert!(!error.is_retryable());
}

// --- setlist.fm ---------------------------------------------------------------------------------

struct World {
    artist: Artist,
    /// Radiohead at Spark Arena, Auckland, on 9 July 2022 (a day off setlist.fm's date).
    auckland: Show,
    /// Radiohead in Wellington on 8 July 2022: setlist.fm's date, another city.
    wellington: Show,
    predicted: Setlist,
}

async fn song(conn: &mut AsyncPgConnection, artist: &Artist, title: &str) -> Song {
    Song::create(
        conn,
        &NewSong::new(artist.id, title.to_owned(), artist.name.clone()),
    )
    .await
    .unwrap()
}

async fn world(db: &TestDatabase) -> World {
    let mut conn = db.conn().await;
    let artist = Artist::create(
        &mut conn,
        &NewArtist {
            mbid: Some(MBID.to_owned()),
            ..NewArtist::new("Radiohead".to_owned(), "radiohead".to_owned())
        },
    )
    .await
    .unwrap();
    let venue = |name: &str, slug: &str, city: &str, lat: f64, long: f64| NewVenue {
        latitude: Some(lat),
        longitude: Some(long),
        ..NewVenue::new(
            name.to_owned(),
            slug.to_owned(),
            city.to_owned(),
            "NZ".to_owned(),
            "Pacific/Auckland".to_owned(),
        )
    };
    let spark = Venue::create(
        &mut conn,
        &venue("Spark Arena", "spark-arena", "Auckland", -36.8473, 174.7618),
    )
    .await
    .unwrap();
    let tsb = Venue::create(
        &mut conn,
        &venue("TSB Arena", "tsb-arena", "Wellington", -41.2865, 174.7762),
    )
    .await
    .unwrap();
    let ahead = Utc::now().date_naive() + chrono::Duration::days(30);
    let show = |venue: &Venue, slug: &str, day: u32| NewShow {
        venue_id: Some(venue.id),
        start_time: NaiveTime::from_hms_opt(20, 0, 0),
        ..NewShow::new(
            artist.id,
            format!("Radiohead at {}", venue.name),
            slug.to_owned(),
            ahead + chrono::Duration::days(i64::from(day)),
        )
    };
    let auckland = Show::create(&mut conn, &show(&spark, "radiohead-auckland-2022", 9))
        .await
        .unwrap();
    let wellington = Show::create(&mut conn, &show(&tsb, "radiohead-wellington-2022", 8))
        .await
        .unwrap();
    let mut catalog = Vec::new();
    for title in [
        "Daydreaming",
        "Karma Police",
        "Cafe Song",
        "Exit Music (For a Film)",
    ] {
        catalog.push(song(&mut conn, &artist, title).await);
    }
    SongAlias::create(
        &mut conn,
        &NewSongAlias {
            artist_id: artist.id,
            song_id: catalog[3].id,
            alias: "Exit Music".to_owned(),
        },
    )
    .await
    .unwrap()
    .unwrap();
    let predicted = Setlist::create(
        &mut conn,
        &NewSetlist::new(auckland.id, artist.id, SetlistType::Predicted),
    )
    .await
    .unwrap();
    for (position, song) in catalog.iter().enumerate() {
        SetlistSong::create(
            &mut conn,
            &NewSetlistSong::new(predicted.id, song.id, i32::try_from(position + 1).unwrap()),
        )
        .await
        .unwrap();
    }
    // The crowd setlist was made while the show was ahead (the database refuses predictions of
    // a show that has started); then the show took place.
    let mut played = Vec::new();
    for (show, day) in [(&auckland, 9), (&wellington, 8)] {
        played.push(
            Show::update(
                &mut conn,
                show.id,
                &ShowUpdate {
                    date: NaiveDate::from_ymd_opt(2022, 7, day),
                    status: Some(ShowStatus::Completed),
                    ..Default::default()
                },
            )
            .await
            .unwrap(),
        );
    }
    let wellington = played.pop().unwrap();
    let auckland = played.pop().unwrap();
    World {
        artist,
        auckland,
        wellington,
        predicted,
    }
}

async fn mount_setlists(server: &MockServer) {
    for page in [1, 2] {
        Mock::given(method("GET"))
            .and(path(format!("/artist/{MBID}/setlists")))
            .and(query_param("p", page.to_string()))
            .respond_with(ok(&fixture_json(&format!("sfm_setlists_p{page}.json"))))
            .mount(server)
            .await;
    }
}

async fn actual_of(conn: &mut AsyncPgConnection, show: ShowId) -> Option<Setlist> {
    setlists::table
        .filter(setlists::show_id.eq(show))
        .filter(setlists::type_.eq(SetlistType::Actual))
        .select(Setlist::as_select())
        .first(conn)
        .await
        .optional()
        .unwrap()
}

async fn entries(conn: &mut AsyncPgConnection, setlist: SetlistId) -> Vec<(SetlistSong, Song)> {
    Setlist::find(conn, setlist)
        .await
        .unwrap()
        .songs(conn)
        .await
        .unwrap()
}

/// The score the rule gives for the stored rows: the crowd setlist's most voted songs, cut to
/// as many as were performed, against the performed songs.
async fn expected_score(
    conn: &mut AsyncPgConnection,
    predicted: SetlistId,
    actual: SetlistId,
) -> i32 {
    let list = Setlist::find(conn, predicted).await.unwrap();
    let show = Show::find(conn, list.show_id).await.unwrap();
    let history = History::load(conn, list.artist_id, Some((show.date, show.id)), None)
        .await
        .unwrap();
    let ranked: Vec<_> = entries(conn, predicted)
        .await
        .iter()
        .map(|(e, _)| (e.song_id, e.position, e.net_votes, e.encore))
        .collect();
    let played: Vec<_> = entries(conn, actual)
        .await
        .iter()
        .map(|(e, _)| PlayedSong {
            song_id: e.song_id,
            encore: e.encore,
            is_tape: e.is_tape,
        })
        .collect();
    let rarity = history.rarity();
    let length = scoring::performed_length(&played);
    #[allow(clippy::cast_possible_truncation)]
    scoring::score(&scoring::crowd_prediction(&ranked, length), &played, |s| {
        rarity.weight(s)
    })
    .map_or(0, |b| b.score.round() as i32)
}

#[tokio::test]
async fn setlistfm_import_matches_shows_and_keeps_every_detail() {
    let db = TestDatabase::new().await;
    let w = world(&db).await;
    let pool = service_pool(&db);
    let server = MockServer::start().await;
    mount_setlists(&server).await;
    let client = setlistfm(&server);
    let key: ArtistKey = MBID.parse().unwrap();
    let report = import_artist_setlists(&pool, &client, &key, &SetlistImportOptions::default())
        .await
        .unwrap();
    assert_eq!(report.pages, 2);
    assert_eq!(
        (report.setlists, report.created, report.shows_created),
        (4, 4, 3)
    );
    // Intro Music, Airbag, Ceremony, Present Tense, Fake Plastic Trees, Let Down, Creep,
    // 15 Step, Bodysnatchers: the rest matched the catalog (by key or alias).
    assert_eq!(report.songs_created, 9);

    let mut conn = db.conn().await;
    // Matched by venue, a day off, rather than the same-day show in another city.
    assert!(actual_of(&mut conn, w.wellington.id).await.is_none());
    let actual = actual_of(&mut conn, w.auckland.id).await.unwrap();
    assert_eq!(actual.external_id.as_deref(), Some("63de4613"));
    assert_eq!(actual.source_version_id.as_deref(), Some("7be1aaa0"));
    assert_eq!(
        actual.source_url.as_deref(),
        Some("https://www.setlist.fm/setlist/radiohead/2022/63de4613.html")
    );
    let show = Show::find(&mut conn, w.auckland.id).await.unwrap();
    assert_eq!(show.setlistfm_id.as_deref(), Some("63de4613"));

    let rows = entries(&mut conn, actual.id).await;
    let titles: Vec<&str> = rows.iter().map(|(_, s)| s.title.as_str()).collect();
    assert_eq!(
        titles,
        vec![
            "Intro Music",
            "Daydreaming",
            "Airbag",
            "Ceremony",
            "Present Tense",
            "Exit Music (For a Film)",
            "Cafe Song",
            "Daydreaming",
            "Fake Plastic Trees",
            "Let Down",
            "Karma Police",
            "Creep"
        ]
    );
    let positions: Vec<i32> = rows.iter().map(|(e, _)| e.position).collect();
    assert_eq!(positions, (1..=12).collect::<Vec<_>>());
    let (e, _) = &rows[0];
    assert!(e.is_tape);
    assert!(rows[1..].iter().all(|(e, _)| !e.is_tape));
    assert_eq!(rows[2].0.info.as_deref(), Some("extended intro"));
    assert_eq!(rows[3].0.cover_artist_name.as_deref(), Some("Joy Division"));
    assert_eq!(
        rows[3].0.cover_artist_mbid.as_deref(),
        Some("f1106b17-dcbb-45f6-b938-199ccfab50cc")
    );
    assert_eq!(
        rows[4].0.guest_artist_name.as_deref(),
        Some("Jonny Greenwood")
    );
    assert_eq!(
        rows[4].0.guest_artist_mbid.as_deref(),
        Some("8bfac288-ccc5-448d-9573-c33ea2aa5c30")
    );
    // The reprise is the same catalog song twice.
    assert_eq!(rows[1].0.song_id, rows[7].0.song_id);
    assert_eq!(rows[7].0.info.as_deref(), Some("reprise"));
    assert_eq!(rows[8].0.set_name.as_deref(), Some("Acoustic set"));
    let encores: Vec<i32> = rows.iter().map(|(e, _)| e.encore).collect();
    assert_eq!(encores, vec![0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2]);

    // The prediction was scored against it.
    let predicted = Setlist::find(&mut conn, w.predicted.id).await.unwrap();
    let expected = expected_score(&mut conn, w.predicted.id, actual.id).await;
    assert!(expected > 0);
    assert_eq!(predicted.accuracy_score, expected);

    // Setlists without a show of ours made one: `"sets": ""` with a venue without a city...
    let created: Vec<Show> = shows::table
        .filter(shows::setlistfm_id.eq_any(["13de4d05", "2bde4c1a", "73de4e21"]))
        .order(shows::date)
        .select(Show::as_select())
        .load(&mut conn)
        .await
        .unwrap();
    assert_eq!(created.len(), 3);
    assert!(created.iter().all(|s| s.status == ShowStatus::Completed));
    let [first, sydney, unknown] = [&created[0], &created[1], &created[2]];
    let unknown_venue = unknown.venue(&mut conn).await.unwrap().unwrap();
    assert_eq!(
        (unknown_venue.city.as_str(), unknown_venue.timezone.as_str()),
        ("Unknown", "UTC")
    );
    let empty = actual_of(&mut conn, unknown.id).await.unwrap();
    assert!(entries(&mut conn, empty.id).await.is_empty());
    // ...string coordinates and a single set given as an object...
    let qudos = sydney.venue(&mut conn).await.unwrap().unwrap();
    assert_eq!(
        (qudos.latitude, qudos.longitude),
        (Some(-33.8678), Some(151.2073))
    );
    assert_eq!(qudos.setlistfm_id.as_deref(), Some("53d6b3e5"));
    let sydney_actual = actual_of(&mut conn, sydney.id).await.unwrap();
    let sydney_songs = entries(&mut conn, sydney_actual.id).await;
    assert_eq!(sydney_songs.len(), 2);
    // ...and `"sets": {}` at a new setlist.fm venue next to a known one, whose timezone it takes.
    let spark = first.venue(&mut conn).await.unwrap().unwrap();
    assert_eq!(spark.timezone, "Pacific/Auckland");
    assert_eq!(first.date, NaiveDate::from_ymd_opt(2022, 7, 1).unwrap());

    // Titles in other forms matched the catalog: accents, "(Live)", an alias.
    let catalog: i64 = songs::table
        .filter(songs::artist_id.eq(w.artist.id))
        .count()
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(catalog, 13);

    // A second run writes nothing.
    let before = dump(&mut conn).await;
    let again = import_artist_setlists(&pool, &client, &key, &SetlistImportOptions::default())
        .await
        .unwrap();
    assert_eq!((again.unchanged, again.created, again.replaced), (4, 0, 0));
    assert_eq!(dump(&mut conn).await, before);
}

#[tokio::test]
async fn a_corrected_setlist_is_replaced_and_rescored() {
    let db = TestDatabase::new().await;
    let w = world(&db).await;
    let pool = service_pool(&db);
    let key = ArtistKey::Slug("radiohead".to_owned());
    let server = MockServer::start().await;
    mount_setlists(&server).await;
    import_artist_setlists(
        &pool,
        &setlistfm(&server),
        &key,
        &SetlistImportOptions::default(),
    )
    .await
    .unwrap();
    let mut conn = db.conn().await;
    let before = actual_of(&mut conn, w.auckland.id).await.unwrap();
    let old_score = Setlist::find(&mut conn, w.predicted.id)
        .await
        .unwrap()
        .accuracy_score;
    let synced = ArtistKey::Slug("radiohead".to_owned())
        .find(&mut conn)
        .await
        .unwrap()
        .unwrap()
        .setlistfm_synced_at
        .unwrap();
    let untouched = actual_of(&mut conn, w.auckland.id).await.unwrap();
    let sydney = shows::table
        .filter(shows::setlistfm_id.eq("2bde4c1a"))
        .select(shows::id)
        .first::<ShowId>(&mut conn)
        .await
        .unwrap();
    let sydney_before = actual_of(&mut conn, sydney).await.unwrap();

    // Correction polling asks for setlists edited since the last import (an hour of overlap).
    let corrections = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/search/setlists"))
        .and(query_param("artistMbid", MBID))
        .and(query_param(
            "lastUpdated",
            (synced - chrono::Duration::hours(1))
                .format("%Y%m%d%H%M%S")
                .to_string(),
        ))
        .respond_with(ok(&fixture_json("sfm_corrected.json")))
        .expect(1)
        .mount(&corrections)
        .await;
    let report = poll_setlist_corrections(&pool, &setlistfm(&corrections), &key)
        .await
        .unwrap();
    assert_eq!((report.replaced, report.created), (1, 0));

    let after = actual_of(&mut conn, w.auckland.id).await.unwrap();
    assert_eq!(
        after.id, before.id,
        "the same setlist row, its songs replaced"
    );
    assert_eq!(after.source_version_id.as_deref(), Some("8ce2bbb1"));
    assert_ne!(untouched.source_version_id, after.source_version_id);
    let titles: Vec<String> = entries(&mut conn, after.id)
        .await
        .into_iter()
        .map(|(_, s)| s.title)
        .collect();
    assert_eq!(titles.last().map(String::as_str), Some("Paranoid Android"));
    assert!(!titles.iter().any(|t| t == "Karma Police" || t == "Creep"));
    let rescored = Setlist::find(&mut conn, w.predicted.id)
        .await
        .unwrap()
        .accuracy_score;
    assert_eq!(
        rescored,
        expected_score(&mut conn, w.predicted.id, after.id).await
    );
    assert_ne!(
        rescored, old_score,
        "losing a predicted song lowers the score"
    );
    // Setlists that did not change were not touched.
    assert_eq!(actual_of(&mut conn, sydney).await.unwrap(), sydney_before);
    // No song of a replaced setlist lingers.
    let orphans: i64 = setlist_songs::table
        .filter(setlist_songs::setlist_id.eq(after.id))
        .count()
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(orphans, i64::try_from(titles.len()).unwrap());
}

#[tokio::test]
async fn correction_polling_with_no_edits_is_a_404_and_no_change() {
    let db = TestDatabase::new().await;
    world(&db).await;
    let pool = service_pool(&db);
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/search/setlists"))
        .respond_with(ResponseTemplate::new(404).set_body_json(
            serde_json::json!({"code": 404, "status": "Not Found", "message": "not found"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let mut conn = db.conn().await;
    sql_query("UPDATE artists SET setlistfm_synced_at = now()")
        .execute(&mut conn)
        .await
        .unwrap();
    let before = dump(&mut conn).await;
    let report =
        poll_setlist_corrections(&pool, &setlistfm(&server), &"radiohead".parse().unwrap())
            .await
            .unwrap();
    assert_eq!((report.pages, report.setlists), (1, 0));
    assert_eq!(dump(&mut conn).await, before);
}

#[tokio::test]
async fn an_interrupted_import_converges_when_run_again() {
    let key: ArtistKey = MBID.parse().unwrap();
    // The reference: one uninterrupted import.
    let clean = TestDatabase::new().await;
    world(&clean).await;
    let server = MockServer::start().await;
    mount_setlists(&server).await;
    import_artist_setlists(
        &service_pool(&clean),
        &setlistfm(&server),
        &key,
        &SetlistImportOptions::default(),
    )
    .await
    .unwrap();

    // The same import, cut off after the first page (setlist.fm down), then run again.
    let db = TestDatabase::new().await;
    world(&db).await;
    let pool = service_pool(&db);
    let failing = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/artist/{MBID}/setlists")))
        .and(query_param("p", "1"))
        .respond_with(ok(&fixture_json("sfm_setlists_p1.json")))
        .mount(&failing)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/artist/{MBID}/setlists")))
        .and(query_param("p", "2"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&failing)
        .await;
    let error = import_artist_setlists(
        &pool,
        &setlistfm(&failing),
        &key,
        &SetlistImportOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(error, ImportError::Provider(_)));
    assert!(error.is_retryable());
    let mut conn = db.conn().await;
    let artist = key.find(&mut conn).await.unwrap().unwrap();
    assert_eq!(
        artist.setlistfm_synced_at, None,
        "an incomplete run is not recorded as a sync"
    );
    assert_ne!(
        canonical(&mut conn).await,
        canonical(&mut clean.conn().await).await
    );

    let report = import_artist_setlists(
        &pool,
        &setlistfm(&server),
        &key,
        &SetlistImportOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!((report.unchanged, report.created), (3, 1));
    assert_eq!(
        canonical(&mut conn).await,
        canonical(&mut clean.conn().await).await
    );
}

#[tokio::test]
async fn since_stops_at_older_setlists() {
    let db = TestDatabase::new().await;
    world(&db).await;
    let server = MockServer::start().await;
    mount_setlists(&server).await;
    let options = SetlistImportOptions {
        since: NaiveDate::from_ymd_opt(2022, 7, 5),
        ..SetlistImportOptions::default()
    };
    let report = import_artist_setlists(
        &service_pool(&db),
        &setlistfm(&server),
        &"radiohead".parse().unwrap(),
        &options,
    )
    .await
    .unwrap();
    // 8 and 6 July; 4 July is older, and page 2 is never asked for.
    assert_eq!((report.pages, report.created), (1, 2));
}

#[tokio::test]
async fn new_shows_get_a_prediction_seeded_from_history() {
    let db = TestDatabase::new().await;
    world(&db).await;
    let pool = service_pool(&db);
    let sfm = MockServer::start().await;
    mount_setlists(&sfm).await;
    import_artist_setlists(
        &pool,
        &setlistfm(&sfm),
        &MBID.parse().unwrap(),
        &SetlistImportOptions::default(),
    )
    .await
    .unwrap();
    let tm = MockServer::start().await;
    mount_ticketmaster(&tm, &fixture_json("tm_events.json")).await;
    let report = import_attraction(&pool, &ticketmaster(&tm), ATTRACTION)
        .await
        .unwrap();
    // Not the cancelled show's: its predictions are closed.
    assert_eq!(report.predicted_setlists_created, 1);

    let mut conn = db.conn().await;
    // The artist was found by its MusicBrainz id and gained its Ticketmaster id.
    let artist = ArtistKey::Slug("radiohead".to_owned())
        .find(&mut conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(artist.ticketmaster_id.as_deref(), Some(ATTRACTION));
    let show = shows::table
        .filter(shows::ticketmaster_id.eq("Z7r9jZ1AdJ9uP"))
        .select(Show::as_select())
        .first(&mut conn)
        .await
        .unwrap();
    let predicted = show.setlists(&mut conn).await.unwrap().remove(0);
    let titles: Vec<String> = predicted
        .songs(&mut conn)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, s)| s.title)
        .collect();
    // History: 10 performed songs on 8 July, 2 on 4 July: six songs (their average), each
    // played once, the latest show's first, then by title.
    assert_eq!(
        titles,
        vec![
            "Airbag",
            "Cafe Song",
            "Ceremony",
            "Creep",
            "Daydreaming",
            "Exit Music (For a Film)"
        ]
    );
}

#[tokio::test]
async fn title_keys_fold_every_script() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    #[derive(QueryableByName)]
    struct Key {
        #[diesel(sql_type = Text)]
        key: String,
    }
    let key = async |conn: &mut AsyncPgConnection, title: &str| {
        sql_query("SELECT song_title_key($1) AS key")
            .bind::<Text, _>(title)
            .get_result::<Key>(conn)
            .await
            .unwrap()
            .key
    };
    for (a, b) in [
        ("Café Song", "cafe song"),
        ("ＬＯＶＥ (Live)", "love"),
        ("Don't Stop Me Now - Remastered 2011", "dont stop me now"),
        ("Song feat. Someone", "song"),
        ("Ⅻ ﬁre", "xii fire"),
        ("Дом (Live at Wembley)", "дом"),
        ("ΑΓΆΠΗ", "αγαπη"),
        ("Tiếng Việt", "tieng viet"),
    ] {
        assert_eq!(key(&mut conn, a).await, b, "{a}");
    }
    // Letters are never dropped: kana keep their voicing marks, Hangul its syllables, Cyrillic
    // й stays apart from и.
    assert_ne!(key(&mut conn, "Мой").await, key(&mut conn, "Мои").await);
    assert_eq!(key(&mut conn, "ガラス").await, "ガラス");
    assert_eq!(key(&mut conn, "ｶﾞﾗｽ").await, "ガラス");
    assert_eq!(key(&mut conn, "사랑해").await, "사랑해");
    assert_ne!(
        key(&mut conn, "ガラス").await,
        key(&mut conn, "カラス").await
    );
}

// --- Spotify ------------------------------------------------------------------------------------

async fn mount_spotify(server: &MockServer, artist_forbidden: bool) {
    Mock::given(method("POST"))
        .and(path("/api/token"))
        .respond_with(ok(&fixture_json("spotify_token.json")))
        .mount(server)
        .await;
    let forbidden =
        || ResponseTemplate::new(403).set_body_json(fixture_json("spotify_forbidden.json"));
    Mock::given(method("GET"))
        .and(path(format!("/v1/artists/{SPOTIFY_ID}")))
        .respond_with(if artist_forbidden {
            forbidden()
        } else {
            ok(&fixture_json("spotify_artist.json"))
        })
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/artists/{SPOTIFY_ID}/top-tracks")))
        .respond_with(forbidden())
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/artists/{SPOTIFY_ID}/albums")))
        .respond_with(ok(&fixture_json("spotify_albums.json")))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/albums/6dVIqQ8qmQ5GBnJ9shOYGE/tracks"))
        .respond_with(ok(&fixture_json("spotify_album_tracks.json")))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/tracks"))
        .respond_with(ok(&fixture_json("spotify_tracks.json")))
        .mount(server)
        .await;
}

async fn spotify_artist(db: &TestDatabase) -> Artist {
    let mut conn = db.conn().await;
    let artist = Artist::create(
        &mut conn,
        &NewArtist {
            spotify_id: Some(SPOTIFY_ID.to_owned()),
            ..NewArtist::new("Radiohead".to_owned(), "radiohead".to_owned())
        },
    )
    .await
    .unwrap();
    song(&mut conn, &artist, "Karma Police").await;
    artist
}

#[tokio::test]
async fn spotify_catalog_enrichment_skips_forbidden_endpoints() {
    let db = TestDatabase::new().await;
    let artist = spotify_artist(&db).await;
    let pool = service_pool(&db);
    let server = MockServer::start().await;
    mount_spotify(&server, false).await;
    let client = spotify(&server);
    let key = ArtistKey::Id(artist.id);
    let report = import_catalog(&pool, &client, &key).await.unwrap();
    assert!(report.artist_enriched);
    assert_eq!(report.skipped, vec!["top tracks".to_owned()]);
    assert_eq!(
        (report.tracks, report.songs_created, report.songs_updated),
        (2, 1, 1)
    );

    let mut conn = db.conn().await;
    let enriched = Artist::find(&mut conn, artist.id).await.unwrap();
    assert_eq!(
        enriched.image_url.as_deref(),
        Some("https://i.scdn.co/image/radiohead-640")
    );
    assert_eq!(
        enriched.small_image_url.as_deref(),
        Some("https://i.scdn.co/image/radiohead-160")
    );
    assert_eq!(enriched.genres.0.len(), 3);
    assert_eq!((enriched.popularity, enriched.followers), (79, 9_876_543));
    let catalog: Vec<Song> = songs::table
        .filter(songs::artist_id.eq(artist.id))
        .order(songs::title_key)
        .select(Song::as_select())
        .load(&mut conn)
        .await
        .unwrap();
    let airbag = &catalog[0];
    assert_eq!(airbag.title, "Airbag");
    assert_eq!(airbag.isrc.as_deref(), Some("GBAYE9701230"));
    assert_eq!(airbag.duration_ms, Some(284_400));
    assert_eq!(airbag.release_date, NaiveDate::from_ymd_opt(1997, 5, 28));
    // "Karma Police - Remastered 2017" joined the existing "Karma Police".
    let karma = &catalog[1];
    assert_eq!(karma.title, "Karma Police");
    assert_eq!(karma.spotify_id.as_deref(), Some("63OQupATfueTdZMWTxW03A"));
    assert_eq!(karma.isrc.as_deref(), Some("GBAYE9701241"));
    assert_eq!(karma.album.as_deref(), Some("OK Computer"));

    let before = dump(&mut conn).await;
    let again = import_catalog(&pool, &client, &key).await.unwrap();
    assert_eq!((again.songs_created, again.songs_updated), (0, 0));
    assert_eq!(dump(&mut conn).await, before);
}

#[tokio::test]
async fn spotify_artist_403_skips_enrichment_and_keeps_the_catalog_going() {
    let db = TestDatabase::new().await;
    let artist = spotify_artist(&db).await;
    let server = MockServer::start().await;
    mount_spotify(&server, true).await;
    let report = import_catalog(
        &service_pool(&db),
        &spotify(&server),
        &ArtistKey::Id(artist.id),
    )
    .await
    .unwrap();
    assert!(!report.artist_enriched);
    assert_eq!(
        report.skipped,
        vec!["artist".to_owned(), "top tracks".to_owned()]
    );
    assert_eq!(report.songs_created, 1);
    let unchanged = Artist::find(&mut db.conn().await, artist.id).await.unwrap();
    assert_eq!(unchanged.image_url, None);
}

#[tokio::test]
async fn unknown_or_unsearchable_artists_are_clear_errors() {
    let db = TestDatabase::new().await;
    let server = MockServer::start().await;
    let pool = service_pool(&db);
    let missing = import_artist_setlists(
        &pool,
        &setlistfm(&server),
        &"nobody".parse().unwrap(),
        &SetlistImportOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(missing, ImportError::NotFound(_)), "{missing}");
    let artist = spotify_artist(&db).await;
    // No MusicBrainz id: setlist.fm cannot be asked.
    let invalid = import_artist_setlists(
        &pool,
        &setlistfm(&server),
        &ArtistKey::Id(artist.id),
        &SetlistImportOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(invalid, ImportError::Invalid(_)), "{invalid}");
    assert!(!invalid.is_retryable());
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_rate_limited_import_tells_the_job_when_to_retry() {
    let db = TestDatabase::new().await;
    world(&db).await;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/artist/{MBID}/setlists")))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "3600"))
        .expect(1)
        .mount(&server)
        .await;
    let error = import_artist_setlists(
        &service_pool(&db),
        &setlistfm(&server),
        &MBID.parse().unwrap(),
        &SetlistImportOptions::default(),
    )
    .await
    .unwrap_err();
    assert_eq!(error.provider_kind(), Some(ErrorKind::RateLimited));
    assert!(error.is_retryable());
    assert_eq!(error.retry_after(), Some(Duration::from_secs(3600)));
}

#[tokio::test]
async fn a_live_record_is_taken_over_by_the_import_and_its_scores_become_final() {
    let db = TestDatabase::new().await;
    let w = world(&db).await;
    let mut conn = db.conn().await;
    // A moderator recorded the show live: one song so far, scored provisionally.
    let moderator =
        theset_database::testing::fixtures::user(&mut conn, theset_database::UserRole::Moderator)
            .await;
    let live = Setlist::ensure_actual(&mut conn, w.auckland.id, w.artist.id, moderator.id)
        .await
        .unwrap();
    let first = entries(&mut conn, w.predicted.id).await[0].1.id;
    Setlist::append_played(&mut conn, live, first, &PlayedEntry::default())
        .await
        .unwrap();
    let provisional = scoring::score_show(&mut conn, w.auckland.id).await.unwrap();
    assert!(!provisional.is_final);
    assert!(!provisional.scores.is_empty());

    let pool = service_pool(&db);
    let server = MockServer::start().await;
    mount_setlists(&server).await;
    import_artist_setlists(
        &pool,
        &setlistfm(&server),
        &MBID.parse().unwrap(),
        &SetlistImportOptions::default(),
    )
    .await
    .unwrap();

    // The same row, now the imported setlist with its attribution and version.
    let actual = actual_of(&mut conn, w.auckland.id).await.unwrap();
    assert_eq!(actual.id, live);
    assert_eq!(actual.imported_from.as_deref(), Some("setlist.fm"));
    assert_eq!(actual.external_id.as_deref(), Some("63de4613"));
    assert_eq!(actual.source_version_id.as_deref(), Some("7be1aaa0"));
    assert!(actual.source_url.is_some());
    let titles: Vec<String> = entries(&mut conn, live)
        .await
        .into_iter()
        .map(|(_, s)| s.title)
        .collect();
    assert_eq!(
        titles.len(),
        12,
        "the imported songs replaced the live ones"
    );
    let scores = PredictionScore::of_show(&mut conn, w.auckland.id)
        .await
        .unwrap();
    assert!(!scores.is_empty());
    assert!(
        scores
            .iter()
            .all(|s| s.is_final && s.actual_setlist_id == live)
    );
    let setlists_of_show: i64 = setlists::table
        .filter(setlists::show_id.eq(w.auckland.id))
        .filter(setlists::type_.eq(SetlistType::Actual))
        .count()
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(setlists_of_show, 1, "no second actual setlist");
}
