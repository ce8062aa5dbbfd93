//! The import jobs through the queue, against wiremock servers answering the fixture payloads
//! of `crates/imports/tests/fixtures` (shaped like the real APIs) and a real database per test:
//! rows written, a 429's `Retry-After` honoured, a bad key failing at once, a disabled provider
//! named, the fan-out schedules enqueued once per period by two workers, and postponed shows
//! left waiting by the status maintenance.

use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDate, NaiveTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};
use theset_database::JobState;
use theset_database::enums::{SetlistType, ShowStatus};
use theset_database::models::{Artist, NewArtist, NewSetlist, NewShow, Setlist, Show};
use theset_database::schema::{artists, jobs, setlists, shows, song_stats};
use theset_database::testing::{TestDatabase, fixtures};
use theset_jobs::{Runner, RunnerConfig};
use theset_providers::{
    HttpSettings, Providers, SetlistFm, SetlistFmConfig, Ticketmaster, TicketmasterConfig,
};
use theset_worker::{
    Enabled, Intervals, JobContext, JobSettings, Scheduler, WorkerConfig, schedules,
};
use tokio_util::sync::CancellationToken;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const MBID: &str = "a74b1b7f-71a5-4011-9441-d0b5e4122711";
const ATTRACTION: &str = "K8vZ9171ob7";

fn fixture_json(name: &str) -> Value {
    let text = std::fs::read_to_string(format!(
        "{}/../../crates/imports/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn ok(body: &Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

fn fast(http: &mut HttpSettings) {
    http.requests_per_second = 100.0;
    http.initial_backoff = Duration::from_millis(5);
}

fn providers(server: &MockServer) -> Providers {
    let mut sfm = SetlistFmConfig::new("sfm-key", &server.uri());
    fast(&mut sfm.http);
    let mut tm = TicketmasterConfig::new("tm-key", &server.uri());
    fast(&mut tm.http);
    Providers {
        setlistfm: Some(SetlistFm::new(&sfm).unwrap()),
        ticketmaster: Some(Ticketmaster::new(&tm).unwrap()),
        spotify: None,
    }
}

fn worker_config(db: &TestDatabase, worker: &str) -> WorkerConfig {
    WorkerConfig {
        database: db.config_as("theset_service"),
        runner: RunnerConfig {
            worker_id: worker.to_owned(),
            concurrency: 2,
            poll_interval: Duration::from_millis(100),
            visibility_timeout: Duration::from_secs(5),
            shutdown_grace: Duration::from_secs(5),
            backoff_base: Duration::from_millis(100),
            backoff_max: Duration::from_secs(1),
        },
        queues: theset_worker::config::default_queues(2),
        schedules: true,
        intervals: Intervals {
            vote_totals: None,
            scores: None,
            show_status: None,
            trending: None,
            artist_stats: None,
            prune_jobs: None,
            ticketmaster_sync: Some(Duration::from_secs(3600)),
            setlistfm_recent: Some(Duration::from_secs(3600)),
            setlistfm_corrections: None,
        },
        jobs: JobSettings {
            setlistfm_recent_days: 3,
            ..JobSettings::default()
        },
    }
}

/// A runner (and, with `schedule`, a scheduler) over its own pool, as one worker process.
fn start_worker(
    db: &TestDatabase,
    worker: &str,
    providers: Providers,
    schedule: bool,
    stop: &CancellationToken,
) -> Vec<tokio::task::JoinHandle<()>> {
    let config = worker_config(db, worker);
    let pool = db.pool_as("theset_service", 6);
    let enabled = Enabled::of(&providers);
    let context = JobContext {
        pool: pool.clone(),
        settings: Arc::new(config.jobs.clone()),
        providers: Arc::new(providers),
    };
    let runner = Runner::new(pool.clone(), theset_worker::registry(), context)
        .config(config.runner.clone())
        .listen(config.database.clone());
    let mut tasks = vec![tokio::spawn({
        let stop = stop.clone();
        async move {
            runner.run(stop).await;
        }
    })];
    if schedule {
        let scheduler = Scheduler::new(pool, schedules(&config.intervals, enabled));
        tasks.push(tokio::spawn(scheduler.run(stop.clone())));
    }
    tasks
}

async fn stop_all(stop: CancellationToken, tasks: Vec<tokio::task::JoinHandle<()>>) {
    stop.cancel();
    for task in tasks {
        task.await.unwrap();
    }
}

async fn wait_for<F, Fut>(what: &str, limit: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + limit;
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for: {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[derive(Debug, Queryable)]
struct JobRow {
    state: JobState,
    attempts: i32,
    run_at: chrono::DateTime<Utc>,
    last_error: Option<String>,
}

async fn job_of_kind(db: &TestDatabase, kind: &str) -> Option<JobRow> {
    jobs::table
        .filter(jobs::kind.eq(kind))
        .select((jobs::state, jobs::attempts, jobs::run_at, jobs::last_error))
        .first(&mut db.conn_as("theset_service").await)
        .await
        .optional()
        .unwrap()
}

/// Enqueues a job the way the CLI does: by kind name and JSON payload.
async fn enqueue(db: &TestDatabase, kind: &str, payload: Value) {
    let job = theset_worker::registry().new_job(kind, payload).unwrap();
    let enqueued = job
        .enqueue(&mut db.conn_as("theset_service").await)
        .await
        .unwrap();
    assert!(enqueued.is_new());
}

async fn radiohead(db: &TestDatabase, ticketmaster_id: Option<&str>) -> Artist {
    Artist::create(
        &mut db.conn().await,
        &NewArtist {
            mbid: Some(MBID.to_owned()),
            ticketmaster_id: ticketmaster_id.map(str::to_owned),
            ..NewArtist::new("Radiohead".to_owned(), "radiohead".to_owned())
        },
    )
    .await
    .unwrap()
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

async fn actual_setlists(db: &TestDatabase) -> Vec<(String, NaiveDate)> {
    setlists::table
        .inner_join(shows::table)
        .filter(setlists::type_.eq(SetlistType::Actual))
        .select((setlists::external_id.assume_not_null(), shows::date))
        .order(shows::date)
        .load(&mut db.conn().await)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_setlistfm_import_job_writes_the_setlists() {
    let db = TestDatabase::new().await;
    radiohead(&db, None).await;
    let server = MockServer::start().await;
    mount_setlists(&server).await;
    enqueue(&db, "setlistfm_import_artist", json!({ "artist": MBID })).await;

    let stop = CancellationToken::new();
    let tasks = start_worker(&db, "w1", providers(&server), false, &stop);
    wait_for(
        "the import job to finish",
        Duration::from_secs(30),
        || async {
            job_of_kind(&db, "setlistfm_import_artist")
                .await
                .is_some_and(|job| job.state != JobState::Queued && job.state != JobState::Running)
        },
    )
    .await;
    stop_all(stop, tasks).await;

    let job = job_of_kind(&db, "setlistfm_import_artist").await.unwrap();
    assert_eq!(job.state, JobState::Done, "{:?}", job.last_error);
    // Every setlist of both fixture pages, each on its show (created from setlist.fm).
    let mut expected: Vec<(String, NaiveDate)> = Vec::new();
    for page in ["sfm_setlists_p1.json", "sfm_setlists_p2.json"] {
        for setlist in fixture_json(page)["setlist"].as_array().unwrap() {
            let date =
                NaiveDate::parse_from_str(setlist["eventDate"].as_str().unwrap(), "%d-%m-%Y")
                    .unwrap();
            expected.push((setlist["id"].as_str().unwrap().to_owned(), date));
        }
    }
    expected.sort_by_key(|(_, date)| *date);
    assert_eq!(actual_setlists(&db).await, expected);
    let synced: Option<chrono::DateTime<Utc>> = artists::table
        .filter(artists::mbid.eq(MBID))
        .select(artists::setlistfm_synced_at)
        .first(&mut db.conn().await)
        .await
        .unwrap();
    assert!(synced.is_some());
    // The artist's statistics were refreshed by the import job itself (no schedule runs here):
    // every setlist counted, and per-song statistics for the songs played.
    let artist = Artist::find_by_key(
        &mut db.conn().await,
        &theset_database::Key::parse("radiohead"),
    )
    .await
    .unwrap();
    let stats = artist.stats(&mut db.conn().await).await.unwrap().unwrap();
    assert!(stats.total_setlists > 0, "{stats:?}");
    assert!(stats.most_played_song.is_some(), "{stats:?}");
    let songs: i64 = song_stats::table
        .filter(song_stats::artist_id.eq(artist.id))
        .count()
        .get_result(&mut db.conn().await)
        .await
        .unwrap();
    assert!(songs > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limited_import_is_retried_after_retry_after() {
    let db = TestDatabase::new().await;
    radiohead(&db, None).await;
    let server = MockServer::start().await;
    // Longer than the client sleeps through itself: handed back to the queue.
    Mock::given(method("GET"))
        .and(path(format!("/artist/{MBID}/setlists")))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "3600"))
        .mount(&server)
        .await;
    enqueue(
        &db,
        "setlistfm_import_artist",
        json!({ "artist": "radiohead" }),
    )
    .await;

    let stop = CancellationToken::new();
    let before = Utc::now();
    let tasks = start_worker(&db, "w1", providers(&server), false, &stop);
    wait_for("the first attempt", Duration::from_secs(30), || async {
        job_of_kind(&db, "setlistfm_import_artist")
            .await
            .is_some_and(|job| job.attempts == 1 && job.state == JobState::Queued)
    })
    .await;
    stop_all(stop, tasks).await;

    let job = job_of_kind(&db, "setlistfm_import_artist").await.unwrap();
    assert_eq!(job.state, JobState::Queued, "waiting to retry, not failed");
    assert!(
        job.run_at >= before + chrono::Duration::seconds(3590),
        "retried after Retry-After, not the 100 ms backoff: {}",
        job.run_at
    );
    assert!(
        job.last_error.as_deref().unwrap().contains("rate limited"),
        "{:?}",
        job.last_error
    );
    assert!(actual_setlists(&db).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_key_fails_the_job_without_retrying() {
    let db = TestDatabase::new().await;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "fault": {"faultstring": "Invalid ApiKey", "detail": {"errorcode": "oauth.v2.InvalidApiKey"}}
        })))
        .mount(&server)
        .await;
    enqueue(
        &db,
        "ticketmaster_sync_artist",
        json!({ "attraction_id": ATTRACTION }),
    )
    .await;
    // A provider without its key: failed at once, naming the setting.
    enqueue(
        &db,
        "spotify_import_catalog",
        json!({ "artist": "radiohead" }),
    )
    .await;

    let stop = CancellationToken::new();
    let tasks = start_worker(&db, "w1", providers(&server), false, &stop);
    for kind in ["ticketmaster_sync_artist", "spotify_import_catalog"] {
        wait_for(kind, Duration::from_secs(30), || async {
            job_of_kind(&db, kind)
                .await
                .is_some_and(|job| job.state == JobState::Failed)
        })
        .await;
    }
    stop_all(stop, tasks).await;

    let job = job_of_kind(&db, "ticketmaster_sync_artist").await.unwrap();
    assert_eq!(job.attempts, 1, "a bad key is not retried");
    assert!(
        job.last_error.as_deref().unwrap().contains("refused"),
        "{:?}",
        job.last_error
    );
    let job = job_of_kind(&db, "spotify_import_catalog").await.unwrap();
    assert_eq!(job.attempts, 1);
    assert!(
        job.last_error
            .as_deref()
            .unwrap()
            .contains("SPOTIFY_CLIENT_ID"),
        "{:?}",
        job.last_error
    );
}

#[derive(Debug, Queryable, PartialEq, Eq)]
struct KindKey {
    kind: String,
    key: Option<String>,
    state: JobState,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_fan_out_each_import_schedule_once_per_period() {
    let db = TestDatabase::new().await;
    // Tracked by Ticketmaster, and played one and two days ago (in the 3-day window).
    let artist = radiohead(&db, Some(ATTRACTION)).await;
    let other = fixtures::artist(&mut db.conn().await, "Other").await;
    diesel::update(artists::table.find(other.id))
        .set(artists::ticketmaster_id.eq("K8vZ917_unknown"))
        .execute(&mut db.conn().await)
        .await
        .unwrap();
    for (slug, days_ago) in [("radiohead-recent-1", 1), ("radiohead-recent-2", 2)] {
        Show::create(
            &mut db.conn().await,
            &NewShow {
                status: Some(ShowStatus::Completed),
                ..NewShow::new(
                    artist.id,
                    slug.to_owned(),
                    slug.to_owned(),
                    Utc::now().date_naive() - chrono::Days::new(days_ago),
                )
            },
        )
        .await
        .unwrap();
    }
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/attractions/{ATTRACTION}.json")))
        .respond_with(ok(&fixture_json("tm_attraction.json")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/events.json"))
        .and(query_param("attractionId", ATTRACTION))
        .respond_with(ok(&fixture_json("tm_events.json")))
        .mount(&server)
        .await;
    // The other attraction is unknown to Ticketmaster (404: its job fails, alone).
    mount_setlists(&server).await;

    let stop = CancellationToken::new();
    let mut tasks = start_worker(&db, "w1", providers(&server), true, &stop);
    tasks.extend(start_worker(&db, "w2", providers(&server), true, &stop));
    let finished = || async {
        let rows: Vec<JobState> = jobs::table
            .select(jobs::state)
            .load(&mut db.conn_as("theset_service").await)
            .await
            .unwrap();
        rows.len() == 5
            && rows
                .iter()
                .all(|state| matches!(state, JobState::Done | JobState::Failed))
    };
    wait_for(
        "the fan-outs and their imports",
        Duration::from_secs(60),
        finished,
    )
    .await;
    // Both schedulers keep running through the period: nothing more is enqueued.
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop_all(stop, tasks).await;

    let mut rows: Vec<KindKey> = jobs::table
        .select((jobs::kind, jobs::dedup_key, jobs::state))
        .load(&mut db.conn_as("theset_service").await)
        .await
        .unwrap();
    rows.sort_by(|a, b| (&a.kind, &a.key).cmp(&(&b.kind, &b.key)));
    let since = Utc::now().date_naive() - chrono::Days::new(4);
    let row = |kind: &str, key: String, state| KindKey {
        kind: kind.to_owned(),
        key: Some(key),
        state,
    };
    let period = |name: &str| {
        let every = 3600;
        let now = Utc::now().timestamp();
        let start = chrono::DateTime::from_timestamp(now - now % every, 0).unwrap();
        format!("{name}:{}", start.format("%Y-%m-%dT%H:%M"))
    };
    let mut expected = vec![
        row(
            "setlistfm_import_artist",
            format!("setlistfm_import_artist:{MBID}"),
            JobState::Done,
        ),
        row(
            "setlistfm_import_recent",
            period("setlistfm-recent"),
            JobState::Done,
        ),
        row(
            "ticketmaster_sync_artist",
            format!("ticketmaster_sync_artist:{ATTRACTION}"),
            JobState::Done,
        ),
        row(
            "ticketmaster_sync_artist",
            "ticketmaster_sync_artist:K8vZ917_unknown".to_owned(),
            JobState::Failed,
        ),
        row(
            "ticketmaster_sync_tracked",
            period("ticketmaster-sync"),
            JobState::Done,
        ),
    ];
    expected.sort_by(|a, b| (&a.kind, &a.key).cmp(&(&b.kind, &b.key)));
    assert_eq!(rows, expected);
    let payload: Value = jobs::table
        .filter(jobs::kind.eq("setlistfm_import_artist"))
        .select(jobs::payload)
        .first(&mut db.conn_as("theset_service").await)
        .await
        .unwrap();
    assert_eq!(
        payload,
        json!({"artist": MBID, "since": since.to_string()}),
        "three days back, and one more for venue-local dates"
    );
    // The imports wrote their rows: Ticketmaster's upcoming shows, setlist.fm's setlists
    // since the window (the fixtures' setlists are older: none).
    let tm_shows: i64 = shows::table
        .filter(shows::ticketmaster_id.is_not_null())
        .count()
        .get_result(&mut db.conn().await)
        .await
        .unwrap();
    assert_eq!(tm_shows, 2);
    assert!(actual_setlists(&db).await.is_empty());
}

async fn state(
    conn: &mut theset_database::AsyncPgConnection,
    ids: &[theset_database::ids::ShowId],
) -> Vec<(ShowStatus, bool)> {
    let mut out = Vec::new();
    for id in ids {
        let status: ShowStatus = shows::table
            .find(id)
            .select(shows::status)
            .first(conn)
            .await
            .unwrap();
        let locked: bool = setlists::table
            .filter(setlists::show_id.eq(id))
            .select(setlists::is_locked)
            .first(conn)
            .await
            .unwrap();
        out.push((status, locked));
    }
    out
}

#[tokio::test]
async fn postponed_shows_do_not_start_or_lock() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let artist = fixtures::artist(&mut conn, "Postponer").await;
    // Three days ago: past the start and the 6 h after it.
    let date = Utc::now().date_naive() - chrono::Days::new(3);
    let mut ids = Vec::new();
    for slug in ["postponed-a", "postponed-b", "on-sale"] {
        // Predictions are created while the show is open, then its date moves into the past
        // (no prediction can be created after the start).
        let show = Show::create(
            &mut conn,
            &NewShow {
                start_time: NaiveTime::from_hms_opt(0, 0, 1),
                ..NewShow::new(
                    artist.id,
                    slug.to_owned(),
                    slug.to_owned(),
                    date + chrono::Days::new(10),
                )
            },
        )
        .await
        .unwrap();
        Setlist::create(
            &mut conn,
            &NewSetlist::new(show.id, artist.id, SetlistType::Predicted),
        )
        .await
        .unwrap();
        diesel::update(shows::table.find(show.id))
            .set(shows::date.eq(date))
            .execute(&mut conn)
            .await
            .unwrap();
        ids.push(show.id);
    }
    diesel::update(shows::table.filter(shows::id.eq_any(&ids[..2])))
        .set(shows::ticketmaster_status.eq("postponed"))
        .execute(&mut conn)
        .await
        .unwrap();
    Show::advance_statuses(&mut conn, None).await.unwrap();
    assert_eq!(
        state(&mut conn, &ids).await,
        [
            (ShowStatus::Upcoming, false),
            (ShowStatus::Upcoming, false),
            (ShowStatus::Completed, true)
        ],
        "postponed shows wait for their new date"
    );
    // Ticketmaster gives the new date (rescheduled): the show advances as usual.
    diesel::update(shows::table.filter(shows::id.eq_any(&ids[..2])))
        .set(shows::ticketmaster_status.eq("rescheduled"))
        .execute(&mut conn)
        .await
        .unwrap();
    Show::advance_statuses(&mut conn, None).await.unwrap();
    assert_eq!(
        state(&mut conn, &ids).await,
        [(ShowStatus::Completed, true); 3]
    );
}

#[derive(QueryableByName)]
struct TextRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    row: String,
}

/// The imported history by natural keys (setlist.fm ids, dates, titles), without generated ids
/// or timestamps: equal for two databases that hold the same data.
async fn canonical(db: &TestDatabase) -> Vec<String> {
    let rows: Vec<TextRow> = diesel::sql_query(
        "SELECT jsonb_build_object(
           'show', sh.date, 'status', sh.status, 'show_sfm', sh.setlistfm_id, 'venue', v.name,
           'venue_sfm', v.setlistfm_id, 'type', sl.type, 'external_id', sl.external_id,
           'version', sl.source_version_id, 'url', sl.source_url, 'score', sl.accuracy_score,
           'songs', (SELECT jsonb_agg(jsonb_build_array(ss.position, so.title, ss.set_name, ss.encore,
                       ss.is_tape, ss.cover_artist_name, ss.guest_artist_name, ss.info) ORDER BY ss.position)
                     FROM setlist_songs ss JOIN songs so ON so.id = ss.song_id WHERE ss.setlist_id = sl.id)
         )::text AS row
         FROM setlists sl JOIN shows sh ON sh.id = sl.show_id LEFT JOIN venues v ON v.id = sh.venue_id
         UNION ALL
         SELECT jsonb_build_object('song', title, 'key', title_key)::text FROM songs
         UNION ALL
         SELECT jsonb_build_object('artist', slug, 'synced', setlistfm_synced_at IS NOT NULL)::text
         FROM artists
         ORDER BY row",
    )
    .load(&mut db.conn().await)
    .await
    .unwrap();
    rows.into_iter().map(|r| r.row).collect()
}

fn spawn_binary(db: &TestDatabase, server: &MockServer, worker: &str) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_theset-worker"))
        .current_dir(std::env::temp_dir())
        .env_remove("DATABASE_URL")
        .env_remove("TICKETMASTER_API_KEY")
        .env_remove("SPOTIFY_CLIENT_ID")
        .env_remove("SPOTIFY_CLIENT_SECRET")
        .env("WORKER_DATABASE_URL", db.url_as("theset_service"))
        .env("WORKER_ID", worker)
        .env("WORKER_SCHEDULES", "false")
        .env("WORKER_POLL_INTERVAL_MS", "100")
        .env("WORKER_VISIBILITY_TIMEOUT_SECS", "1")
        .env("SETLISTFM_API_KEY", "sfm-key")
        .env("SETLISTFM_BASE_URL", server.uri())
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_killed_mid_import_converges_when_restarted() {
    // The reference: one uninterrupted import, in process.
    let clean = TestDatabase::new().await;
    radiohead(&clean, None).await;
    let fast_server = MockServer::start().await;
    mount_setlists(&fast_server).await;
    let mut sfm = SetlistFmConfig::new("sfm-key", &fast_server.uri());
    fast(&mut sfm.http);
    theset_imports::import_artist_setlists(
        &clean.pool_as("theset_service", 2),
        &SetlistFm::new(&sfm).unwrap(),
        &MBID.parse().unwrap(),
        &theset_imports::SetlistImportOptions::default(),
    )
    .await
    .unwrap();
    let expected = canonical(&clean).await;

    // The worker binary, killed (SIGKILL) while page 2 is on its way: page 1 is written.
    let db = TestDatabase::new().await;
    radiohead(&db, None).await;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/artist/{MBID}/setlists")))
        .and(query_param("p", "1"))
        .respond_with(ok(&fixture_json("sfm_setlists_p1.json")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/artist/{MBID}/setlists")))
        .and(query_param("p", "2"))
        .respond_with(ok(&fixture_json("sfm_setlists_p2.json")).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    enqueue(&db, "setlistfm_import_artist", json!({ "artist": MBID })).await;
    let mut first = spawn_binary(&db, &server, "doomed");
    wait_for(
        "page 2 to be asked for",
        Duration::from_secs(30),
        || async {
            server
                .received_requests()
                .await
                .unwrap()
                .iter()
                .any(|r| r.url.query().is_some_and(|q| q.contains("p=2")))
        },
    )
    .await;
    first.kill().unwrap();
    first.wait().unwrap();
    let job = job_of_kind(&db, "setlistfm_import_artist").await.unwrap();
    assert_eq!(job.state, JobState::Running, "the dead worker's lease");
    let partial = canonical(&db).await;
    assert_ne!(partial, expected, "cut off mid-import");
    assert!(
        !actual_setlists(&db).await.is_empty(),
        "page 1 was written before the kill"
    );

    // Restarted: the lease expires, the job runs again and converges.
    let mut second = spawn_binary(&db, &server, "successor");
    wait_for("the job to be done", Duration::from_secs(60), || async {
        job_of_kind(&db, "setlistfm_import_artist")
            .await
            .is_some_and(|job| job.state == JobState::Done)
    })
    .await;
    second.kill().unwrap();
    second.wait().unwrap();
    assert_eq!(canonical(&db).await, expected);
    let job = job_of_kind(&db, "setlistfm_import_artist").await.unwrap();
    assert_eq!(job.attempts, 2, "taken back once after the kill");
}
