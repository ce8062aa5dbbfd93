//! Latency and throughput of the prepared queries on the scale-1 dataset (`scripts/bench-queries`
//! prepares the database and runs this). Prints one table.
//!
//! - every query: p50/p99 from one client (`--iterations`, after a warm-up);
//! - show details and trending: queries/s at 8 and 32 clients for `--seconds`, beside pgbench
//!   running the same SQL with `-M prepared` at the same concurrency (the ceiling), in
//!   `--rounds` alternating rounds; medians, and the spread of the per-round ratios.
//!
//! Environment: `BENCH_DATABASE_URL` (the dataset, as the schema owner), `PGBENCH` (optional path).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::cast_possible_truncation
)]

use std::future::Future;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Double, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use theset_database::enums::VoteType;
use theset_database::ids::{ArtistId, SetlistId, SetlistSongId, ShowId, SongId, UserId, VenueId};
use theset_database::models::*;
use theset_database::pagination::Key;
use theset_database::search::search;
use theset_database::{Claims, DatabaseConfig, Error, transaction_as};

struct Args {
    iterations: usize,
    seconds: u64,
    rounds: usize,
}

fn args() -> Args {
    let mut args = Args {
        iterations: 400,
        seconds: 5,
        rounds: 3,
    };
    let raw: Vec<String> = std::env::args().collect();
    for pair in raw.windows(2) {
        match (pair[0].as_str(), pair[1].parse::<u64>()) {
            ("--iterations", Ok(v)) => args.iterations = v as usize,
            ("--seconds", Ok(v)) => args.seconds = v,
            ("--rounds", Ok(v)) => args.rounds = (v as usize).max(1),
            _ => {}
        }
    }
    args
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = SqlUuid)]
    id: uuid::Uuid,
}

#[derive(QueryableByName)]
struct Named {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Place {
    #[diesel(sql_type = Double)]
    latitude: f64,
    #[diesel(sql_type = Double)]
    longitude: f64,
}

async fn ids(conn: &mut AsyncPgConnection, sql: &str) -> Vec<uuid::Uuid> {
    diesel::sql_query(sql)
        .load::<IdRow>(conn)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect()
}

/// Inputs drawn from the dataset, deterministically (ordered by a hash of the id).
struct Inputs {
    shows: Vec<ShowId>,
    slugs: Vec<String>,
    artists: Vec<ArtistId>,
    venues: Vec<VenueId>,
    places: Vec<(f64, f64)>,
    terms: Vec<String>,
    emails: Vec<String>,
    voters: Vec<UserId>,
    hot_songs: Vec<SetlistSongId>,
    setlist: (SetlistId, Vec<SongId>),
}

/// A search term as people type it: lower case, no accents, sometimes a word, sometimes a typo.
fn typed(name: &str, n: usize) -> String {
    let plain: String = name
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            other => other,
        })
        .collect();
    match n % 3 {
        0 => plain,
        1 => plain
            .split_whitespace()
            .max_by_key(|w| w.len())
            .unwrap_or(&plain)
            .to_owned(),
        _ => {
            let mut chars: Vec<char> = plain.chars().collect();
            if chars.len() > 4 {
                chars.swap(2, 3);
            }
            chars.into_iter().collect()
        }
    }
}

async fn inputs(conn: &mut AsyncPgConnection) -> Inputs {
    let shows = ids(
        conn,
        "SELECT id FROM shows ORDER BY md5(id::text) LIMIT 2000",
    )
    .await;
    let slugs =
        diesel::sql_query("SELECT id, slug AS name FROM shows ORDER BY md5(slug) LIMIT 500")
            .load::<Named>(conn)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.name)
            .collect();
    let artists = ids(
        conn,
        "SELECT id FROM artists ORDER BY md5(id::text) LIMIT 1000",
    )
    .await;
    let venues = ids(
        conn,
        "SELECT id FROM venues ORDER BY md5(id::text) LIMIT 500",
    )
    .await;
    let places = diesel::sql_query(
        "SELECT latitude, longitude FROM venues WHERE latitude IS NOT NULL ORDER BY md5(id::text) LIMIT 300",
    )
    .load::<Place>(conn)
    .await
    .unwrap()
    .into_iter()
    .map(|p| (p.latitude, p.longitude))
    .collect();
    let mut terms = Vec::new();
    for (n, row) in diesel::sql_query(
        "(SELECT id, name FROM artists ORDER BY md5(id::text) LIMIT 200) \
         UNION ALL (SELECT id, title FROM songs ORDER BY md5(id::text) LIMIT 200) \
         UNION ALL (SELECT id, name FROM venues ORDER BY md5(id::text) LIMIT 100)",
    )
    .load::<Named>(conn)
    .await
    .unwrap()
    .into_iter()
    .enumerate()
    {
        terms.push(typed(&row.name, n));
    }
    let emails =
        diesel::sql_query("SELECT id, email AS name FROM users ORDER BY md5(id::text) LIMIT 500")
            .load::<Named>(conn)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.name)
            .collect();
    let voters = ids(
        conn,
        "SELECT id FROM users ORDER BY md5(id::text) LIMIT 2000",
    )
    .await;
    // The hottest open predicted setlist: where votes are cast.
    let hot = ids(
        conn,
        "SELECT sl.id FROM setlists sl JOIN shows s ON s.id = sl.show_id \
         WHERE sl.type = 'predicted' AND NOT sl.is_locked AND s.starts_at > now() + interval '1 day' \
         ORDER BY s.vote_count DESC, sl.id LIMIT 1",
    )
    .await;
    let hot_songs = ids(
        conn,
        &format!(
            "SELECT id FROM setlist_songs WHERE setlist_id = '{}'",
            hot[0]
        ),
    )
    .await;
    let spare = ids(
        conn,
        &format!(
            "SELECT so.id FROM songs so JOIN setlists sl ON sl.artist_id = so.artist_id WHERE sl.id = '{}' \
             AND so.id NOT IN (SELECT song_id FROM setlist_songs WHERE setlist_id = '{}') LIMIT 50",
            hot[0], hot[0]
        ),
    )
    .await;
    Inputs {
        shows: shows.into_iter().map(ShowId).collect(),
        slugs,
        artists: artists.into_iter().map(ArtistId).collect(),
        venues: venues.into_iter().map(VenueId).collect(),
        places,
        terms,
        emails,
        voters: voters.into_iter().map(UserId).collect(),
        hot_songs: hot_songs.into_iter().map(SetlistSongId).collect(),
        setlist: (SetlistId(hot[0]), spare.into_iter().map(SongId).collect()),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn latency(
    conn: &mut AsyncPgConnection,
    iterations: usize,
    mut run: impl AsyncFnMut(&mut AsyncPgConnection, usize),
) -> (Duration, Duration) {
    for i in 0..iterations / 10 + 5 {
        run(conn, i).await;
    }
    let mut times = Vec::with_capacity(iterations);
    for i in 0..iterations {
        let start = Instant::now();
        run(conn, i).await;
        times.push(start.elapsed());
    }
    times.sort();
    (percentile(&times, 0.5), percentile(&times, 0.99))
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0)
}

/// Queries per second from `clients` connections, each running `run` in a loop.
async fn throughput<F>(config: &DatabaseConfig, clients: usize, seconds: u64, run: F) -> f64
where
    F: Fn(&mut AsyncPgConnection, usize) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send + '_>>
        + Send
        + Sync
        + 'static,
{
    let run = Arc::new(run);
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for client in 0..clients {
        let mut conn = config.connect().await.unwrap();
        let (run, stop, done) = (run.clone(), stop.clone(), done.clone());
        tasks.push(tokio::spawn(async move {
            let mut i = client * 7919;
            for _ in 0..20 {
                run(&mut conn, i).await;
                i += 1;
            }
            while !AtomicBool::load(&stop, Ordering::Relaxed) {
                run(&mut conn, i).await;
                i += 1;
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    let start = Instant::now();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.unwrap();
    }
    AtomicU64::load(&done, Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}

/// One query's throughput rounds: ours and pgbench's, side by side.
#[derive(Default)]
struct Rounds {
    ours: Vec<f64>,
    ceiling: Vec<f64>,
    ratios: Vec<f64>,
}

impl Rounds {
    fn push(&mut self, ours: f64, ceiling: f64) {
        self.ours.push(ours);
        self.ceiling.push(ceiling);
        self.ratios.push(ours / ceiling);
    }

    fn print(&self, name: &str, clients: usize) {
        let (min, max) = self
            .ratios
            .iter()
            .fold((f64::MAX, f64::MIN), |(lo, hi), r| (lo.min(*r), hi.max(*r)));
        println!(
            "{name:<26} {clients:>8} {:>12.0} {:>12.0} {:>7.2} {:>18}",
            median(&self.ours),
            median(&self.ceiling),
            median(&self.ratios),
            format!("{min:.2}-{max:.2}")
        );
    }
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 0 {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    }
}

fn pgbench(url: &str, script: &str, clients: usize, seconds: u64) -> f64 {
    let path = std::env::temp_dir().join(format!("theset-bench-{}.sql", std::process::id()));
    std::fs::write(&path, script).unwrap();
    let bin =
        std::env::var("PGBENCH").unwrap_or_else(|_| "/usr/lib/postgresql/15/bin/pgbench".into());
    let output = Command::new(bin)
        .args([
            "-n",
            "-M",
            "prepared",
            "-c",
            &clients.to_string(),
            "-j",
            "2",
            "-T",
            &seconds.to_string(),
            "-f",
        ])
        .arg(&path)
        .arg(url)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&path);
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .find_map(|l| {
            l.strip_prefix("tps = ")
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or_else(|| {
            panic!(
                "pgbench said: {text}{}",
                String::from_utf8_lossy(&output.stderr)
            )
        })
}

#[tokio::main]
async fn main() {
    let args = args();
    let owner_url =
        std::env::var("BENCH_DATABASE_URL").expect("BENCH_DATABASE_URL names the scale-1 database");
    let api_url = theset_database::testing::url_with_user(&owner_url, "theset_api");
    let config = DatabaseConfig::from_url(&api_url).unwrap();
    let mut owner = DatabaseConfig::from_url(&owner_url)
        .unwrap()
        .connect()
        .await
        .unwrap();
    let inputs = Arc::new(inputs(&mut owner).await);
    // pgbench picks show ids from this table, in the order our clients pick them.
    diesel::sql_query("DROP TABLE IF EXISTS bench_show_ids")
        .execute(&mut owner)
        .await
        .unwrap();
    diesel::sql_query("CREATE TABLE bench_show_ids (n int PRIMARY KEY, id uuid NOT NULL)")
        .execute(&mut owner)
        .await
        .unwrap();
    for (n, id) in inputs.shows.iter().enumerate() {
        diesel::sql_query("INSERT INTO bench_show_ids VALUES ($1, $2)")
            .bind::<diesel::sql_types::Integer, _>(n as i32)
            .bind::<SqlUuid, _>(id.0)
            .execute(&mut owner)
            .await
            .unwrap();
    }
    diesel::sql_query("GRANT SELECT ON bench_show_ids TO theset_api")
        .execute(&mut owner)
        .await
        .unwrap();
    diesel::sql_query("ANALYZE bench_show_ids")
        .execute(&mut owner)
        .await
        .unwrap();

    let mut conn = config.connect().await.unwrap();
    let n = args.iterations;
    let i = &inputs;
    let mut rows: Vec<(&str, (Duration, Duration))> = Vec::new();
    rows.push((
        "show details (by id)",
        latency(&mut conn, n, async move |c, k| {
            Show::details(c, &Key::Id(i.shows[k % i.shows.len()].0))
                .await
                .unwrap();
        })
        .await,
    ));
    rows.push((
        "show details (by slug)",
        latency(&mut conn, n, async move |c, k| {
            Show::details(c, &Key::Slug(i.slugs[k % i.slugs.len()].clone()))
                .await
                .unwrap();
        })
        .await,
    ));
    rows.push((
        "trending shows (20)",
        latency(&mut conn, n, async move |c, _| {
            Show::trending(c, 20).await.unwrap();
        })
        .await,
    ));
    rows.push((
        "artist with stats",
        latency(&mut conn, n, async move |c, k| {
            Artist::find_with_stats(c, &Key::Id(i.artists[k % i.artists.len()].0))
                .await
                .unwrap();
        })
        .await,
    ));
    rows.push((
        "artist upcoming shows (page of 20)",
        latency(&mut conn, n, async move |c, k| {
            Show::list(
                c,
                ShowsOf::Headliner(i.artists[k % i.artists.len()]),
                ShowTimeline::Upcoming,
                None,
                20,
            )
            .await
            .unwrap();
        })
        .await,
    ));
    rows.push((
        "artist past shows (page of 20)",
        latency(&mut conn, n, async move |c, k| {
            Show::list(
                c,
                ShowsOf::Headliner(i.artists[k % i.artists.len()]),
                ShowTimeline::Completed,
                None,
                20,
            )
            .await
            .unwrap();
        })
        .await,
    ));
    rows.push((
        "artist catalog (page of 50)",
        latency(&mut conn, n, async move |c, k| {
            Song::catalog(c, i.artists[k % i.artists.len()], None, 50)
                .await
                .unwrap();
        })
        .await,
    ));
    rows.push((
        "artist directory (page of 50)",
        latency(&mut conn, n, async move |c, _| {
            Artist::list(c, None, 50).await.unwrap();
        })
        .await,
    ));
    rows.push((
        "venue by id",
        latency(&mut conn, n, async move |c, k| {
            Venue::find_by_key(c, &Key::Id(i.venues[k % i.venues.len()].0))
                .await
                .unwrap();
        })
        .await,
    ));
    rows.push((
        "venues within 25 km",
        latency(&mut conn, n, async move |c, k| {
            let (lat, lng) = i.places[k % i.places.len()];
            Venue::nearby(c, lat, lng, 25.0, 20).await.unwrap();
        })
        .await,
    ));
    rows.push((
        "shows within 50 km, next 90 days",
        latency(&mut conn, n, async move |c, k| {
            let (lat, lng) = i.places[k % i.places.len()];
            let search = NearbyShows {
                latitude: lat,
                longitude: lng,
                radius_km: 50.0,
                from: Utc::now(),
                to: Some(Utc::now() + chrono::Duration::days(90)),
                order: NearbyOrder::Nearest,
                limit: 20,
            };
            Show::nearby(c, &search).await.unwrap();
        })
        .await,
    ));
    rows.push((
        "shows at a venue (page of 20)",
        latency(&mut conn, n, async move |c, k| {
            Show::list(
                c,
                ShowsOf::Venue(i.venues[k % i.venues.len()]),
                ShowTimeline::Upcoming,
                None,
                20,
            )
            .await
            .unwrap();
        })
        .await,
    ));
    rows.push((
        "search (artists, songs, venues; 10 each)",
        latency(&mut conn, n, async move |c, k| {
            search(c, &i.terms[k % i.terms.len()], 10).await.unwrap();
        })
        .await,
    ));
    rows.push((
        "user by email",
        latency(&mut conn, n, async move |c, k| {
            let email = i.emails[k % i.emails.len()].clone();
            let _ = User::find_by_email(c, &email).await;
        })
        .await,
    ));
    rows.push((
        "a user's votes on a show",
        latency(&mut conn, n, async move |c, k| {
            let user = i.voters[k % i.voters.len()];
            let claims = Claims::authenticated(user, None);
            let show = i.shows[k % i.shows.len()];
            let _: Vec<Vote> = transaction_as(c, Some(&claims), |c| {
                Box::pin(async move { Ok::<_, Error>(Vote::on_show(c, user, show).await?) })
            })
            .await
            .unwrap();
        })
        .await,
    ));
    rows.push((
        "cast or change a vote (API transaction)",
        latency(&mut conn, n, async move |c, k| {
            let user = i.voters[k % i.voters.len()];
            let song = i.hot_songs[k % i.hot_songs.len()];
            let kind = if k % 3 == 0 {
                VoteType::Down
            } else {
                VoteType::Up
            };
            let claims = Claims::authenticated(user, None);
            let _: VoteCounts = transaction_as(c, Some(&claims), |c| {
                Box::pin(async move { Ok::<_, Error>(Vote::cast(c, user, song, kind).await?) })
            })
            .await
            .unwrap();
        })
        .await,
    ));
    rows.push((
        "retract a vote (API transaction)",
        latency(&mut conn, n, async move |c, k| {
            let user = i.voters[k % i.voters.len()];
            let song = i.hot_songs[k % i.hot_songs.len()];
            let claims = Claims::authenticated(user, None);
            let _: VoteCounts = transaction_as(c, Some(&claims), |c| {
                Box::pin(async move { Ok::<_, Error>(Vote::retract(c, user, song).await?) })
            })
            .await
            .unwrap();
        })
        .await,
    ));
    let mut owner_conn = DatabaseConfig::from_url(&owner_url)
        .unwrap()
        .connect()
        .await
        .unwrap();
    let spare = i.setlist.1.len().max(1);
    rows.push((
        "add + remove a predicted song",
        latency(&mut owner_conn, n.min(spare * 4), async move |c, k| {
            if let Some(song) = i.setlist.1.get(k % spare) {
                let added = Setlist::add_song(c, i.setlist.0, *song, None)
                    .await
                    .unwrap();
                Setlist::remove_song(c, i.setlist.0, added.id)
                    .await
                    .unwrap();
            }
        })
        .await,
    ));

    println!();
    println!(
        "{:<44} {:>10} {:>10}",
        format!("query ({n} runs, one client)"),
        "p50 ms",
        "p99 ms"
    );
    for (name, (p50, p99)) in &rows {
        println!("{name:<44} {:>10} {:>10}", ms(*p50), ms(*p99));
    }

    let trending_sql = diesel::debug_query::<Pg, _>(&Show::trending_query(20)).to_string();
    let trending_sql = trending_sql.split(" -- binds:").next().unwrap();
    let count = inputs.shows.len();
    let details_script = format!(
        "\\set n random(0, {})\nSELECT show_details(id, NULL) FROM bench_show_ids WHERE n = :n;\n",
        count - 1
    );
    let trending_script = format!("{trending_sql};\n");
    println!();
    println!(
        "throughput (queries/s; {} alternating rounds of {} s, medians)",
        args.rounds, args.seconds
    );
    println!(
        "{:<26} {:>8} {:>12} {:>12} {:>7} {:>18}",
        "", "clients", "TheSet", "pgbench", "ratio", "ratio min-max"
    );
    for clients in [8, 32] {
        let mut details = Rounds::default();
        let mut trending = Rounds::default();
        // Ours and pgbench take turns, so a slow spell of the shared machine falls on both.
        for _ in 0..args.rounds {
            let ours = throughput(&config, clients, args.seconds, {
                let inputs = inputs.clone();
                move |c, k| {
                    let key = Key::Id(inputs.shows[k % inputs.shows.len()].0);
                    Box::pin(async move {
                        Show::details(c, &key).await.unwrap();
                    })
                }
            })
            .await;
            details.push(
                ours,
                pgbench(&api_url, &details_script, clients, args.seconds),
            );
            let ours = throughput(&config, clients, args.seconds, |c, _| {
                Box::pin(async move {
                    Show::trending(c, 20).await.unwrap();
                })
            })
            .await;
            trending.push(
                ours,
                pgbench(&api_url, &trending_script, clients, args.seconds),
            );
        }
        details.print("show details", clients);
        trending.print("trending shows", clients);
    }
    println!();
    println!("pgbench scripts: {details_script:?} and {trending_script:?}");
    diesel::sql_query("DROP TABLE IF EXISTS bench_show_ids")
        .execute(&mut owner)
        .await
        .unwrap();
}
