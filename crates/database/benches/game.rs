//! The prediction game's benchmarks (scripts/bench-game runs this on the scale dataset):
//!
//! - a show's leaderboard page (`PredictionScore::show_board`) and a fan's own rank on it
//!   (`PredictionScore::show_rank`), and the overall leaderboard page (`Standing::board`, scope
//!   `all`): from `--clients` connections as the API role for `--seconds`, in `--rounds` rounds
//!   alternating with pgbench running the same SQL (`-M prepared`, each transaction's latency
//!   logged); queries/s, p50 and p99 of both, medians over the rounds;
//! - scoring a show with `--predictions` fans' predictions (`scoring::score_show`, in its own
//!   transaction, commit included), `--rounds` times (each replaces the last).
//!
//! Environment: `BENCH_DATABASE_URL` (the schema owner), `BENCH_API_URL` (the API role),
//! `PGBENCH` (optional path).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss
)]

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use theset_database::DatabaseConfig;
use theset_database::ids::{ShowId, UserId};
use theset_database::models::{PredictionScore, Scope, Standing};
use theset_database::scoring::score_show;

const PAGE: i64 = 50;

struct Args {
    seconds: u64,
    rounds: usize,
    clients: usize,
    predictions: i64,
}

fn args() -> Args {
    let mut args = Args {
        seconds: 5,
        rounds: 3,
        clients: 32,
        predictions: 10_000,
    };
    let raw: Vec<String> = std::env::args().collect();
    for pair in raw.windows(2) {
        match (pair[0].as_str(), pair[1].parse::<u64>()) {
            ("--seconds", Ok(v)) => args.seconds = v.max(1),
            ("--rounds", Ok(v)) => args.rounds = (v as usize).max(1),
            ("--clients", Ok(v)) => args.clients = (v as usize).max(1),
            ("--predictions", Ok(v)) => args.predictions = (v as i64).max(1),
            _ => {}
        }
    }
    args
}

#[derive(QueryableByName)]
struct Fan {
    #[diesel(sql_type = SqlUuid)]
    show_id: uuid::Uuid,
    #[diesel(sql_type = SqlUuid)]
    user_id: uuid::Uuid,
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = SqlUuid)]
    id: uuid::Uuid,
}

#[derive(QueryableByName)]
struct N {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn exec(conn: &mut AsyncPgConnection, sql: &str) {
    diesel::sql_query(sql)
        .execute(conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1000.0
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

/// One round's figures: calls per second, p50 and p99 in milliseconds.
#[derive(Clone, Copy)]
struct Figures {
    per_s: f64,
    p50: f64,
    p99: f64,
}

#[derive(Clone, Copy)]
enum Kind {
    ShowBoard,
    ShowRank,
    Overall,
}

/// Ours: `clients` connections calling the model function in a loop for `seconds`.
async fn ours(
    config: &DatabaseConfig,
    clients: usize,
    seconds: u64,
    kind: Kind,
    inputs: Arc<Vec<(ShowId, UserId)>>,
) -> Figures {
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for client in 0..clients {
        let mut conn = config.connect().await.unwrap();
        let (stop, inputs) = (stop.clone(), inputs.clone());
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut i = client * 7919;
            let mut warm = 20;
            while !AtomicBool::load(&stop, Ordering::Relaxed) {
                let (show, fan) = inputs[i % inputs.len()];
                let start = Instant::now();
                let rows = match kind {
                    Kind::ShowBoard => PredictionScore::show_board(&mut conn, show, None, PAGE)
                        .await
                        .unwrap()
                        .len(),
                    Kind::ShowRank => PredictionScore::show_rank(&mut conn, show, fan)
                        .await
                        .unwrap()
                        .map_or(0, |_| 1),
                    Kind::Overall => Standing::board(&mut conn, &Scope::All, None, PAGE)
                        .await
                        .unwrap()
                        .len(),
                };
                assert!(rows > 0, "an empty board: the dataset has no scores");
                if warm > 0 {
                    warm -= 1;
                } else {
                    times.push(start.elapsed());
                }
                i += 1;
            }
            times
        }));
    }
    let start = Instant::now();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut times = Vec::new();
    for task in tasks {
        times.extend(task.await.unwrap());
    }
    let elapsed = start.elapsed().as_secs_f64();
    times.sort();
    Figures {
        per_s: times.len() as f64 / elapsed,
        p50: percentile(&times, 0.5),
        p99: percentile(&times, 0.99),
    }
}

/// pgbench running `script`, each transaction's latency logged.
fn pgbench(url: &str, script: &str, clients: usize, seconds: u64) -> Figures {
    let dir = std::env::temp_dir().join(format!("theset-bench-game-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("script.sql");
    std::fs::write(&path, script).unwrap();
    let bin =
        std::env::var("PGBENCH").unwrap_or_else(|_| "/usr/lib/postgresql/15/bin/pgbench".into());
    let output = Command::new(bin)
        .current_dir(&dir)
        .args([
            "-n",
            "-M",
            "prepared",
            "-c",
            &clients.to_string(),
            "-j",
            "2",
        ])
        .args(["-T", &seconds.to_string(), "-l", "--log-prefix=tx", "-f"])
        .arg(&path)
        .arg(url)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    let tps: f64 = text
        .lines()
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
        });
    // Log lines: client, transaction, latency in microseconds, script, epoch, microseconds.
    let mut times: Vec<Duration> = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("tx"))
        {
            for line in std::fs::read_to_string(&path).unwrap().lines() {
                if let Some(us) = line.split(' ').nth(2).and_then(|v| v.parse::<u64>().ok()) {
                    times.push(Duration::from_micros(us));
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    times.sort();
    Figures {
        per_s: tps,
        p50: percentile(&times, 0.5),
        p99: percentile(&times, 0.99),
    }
}

// The model functions' SQL (crates/database/src/models/score.rs), each call's statements in
// order, first pages as ours asks them. Inputs come from bench_game_inputs by a primary-key
// lookup (one more statement than ours makes).
const SHOW_BOARD_SELECT: &str =
    "SELECT p.rank::bigint AS rank, p.user_id, f.display_name, f.avatar_url,
       p.score AS value, p.rarity_points AS secondary, 1::bigint AS predictions,
       p.predicted_at, p.is_final
FROM page p
LEFT JOIN fan_identities(ARRAY(SELECT user_id FROM page)) f ON f.user_id = p.user_id";

fn show_board_script(inputs: usize) -> String {
    format!(
        "\\set n random(0, {last})
SELECT show_id AS s FROM bench_game_inputs WHERE n = :n \\gset
WITH page AS (
  SELECT * FROM prediction_scores ps
  WHERE ps.show_id = :s AND ps.kind = 'fan'
  ORDER BY ps.rank, ps.predicted_at, ps.user_id
  LIMIT {limit})
{SHOW_BOARD_SELECT}
ORDER BY p.rank, p.predicted_at, p.user_id;
",
        last = inputs - 1,
        limit = PAGE,
    )
}

fn show_rank_script(inputs: usize) -> String {
    format!(
        "\\set n random(0, {last})
SELECT show_id AS s, user_id AS u FROM bench_game_inputs WHERE n = :n \\gset
WITH page AS (
  SELECT * FROM prediction_scores WHERE show_id = :s AND user_id = :u AND kind = 'fan')
{SHOW_BOARD_SELECT};
",
        last = inputs - 1,
    )
}

fn overall_script() -> String {
    format!(
        "WITH page AS (
  SELECT * FROM fan_standings st
  WHERE st.scope = 'all'
  ORDER BY -st.rating, -st.predictions, st.user_id
  LIMIT {limit})
SELECT 0::bigint AS rank, p.user_id, f.display_name, f.avatar_url,
       p.rating AS value, p.total_score / p.predictions AS secondary,
       p.predictions::bigint AS predictions, NULL::timestamptz AS predicted_at, true AS is_final
FROM page p
LEFT JOIN fan_identities(ARRAY(SELECT user_id FROM page)) f ON f.user_id = p.user_id
ORDER BY -p.rating, -p.predictions, p.user_id;
",
        limit = PAGE,
    )
}

/// Scoring: a new show of a scored artist gets `n` fans' predictions (12 catalog songs each,
/// the last two as the encore) while it is open, then moves to yesterday and gets the actual
/// setlist of the artist's latest show; `score_show` is timed `rounds` times. The show is
/// removed afterwards, and its fans' standings recomputed.
async fn scoring(owner: &mut AsyncPgConnection, n: i64, rounds: usize) -> (Vec<f64>, usize) {
    let source: Vec<Id> = diesel::sql_query(
        "SELECT a.id FROM setlists a JOIN shows sh ON sh.id = a.show_id
         WHERE a.type = 'actual' ORDER BY sh.date DESC, a.id LIMIT 1",
    )
    .load(owner)
    .await
    .unwrap();
    let actual = source[0].id;
    exec(owner, "DELETE FROM shows WHERE slug = 'bench-game-scoring'").await;
    let show: Id = diesel::sql_query(format!(
        "INSERT INTO shows (headliner_artist_id, venue_id, name, slug, date, start_time, status)
         SELECT sh.headliner_artist_id, sh.venue_id, 'Bench: {n} predictions', 'bench-game-scoring',
                current_date + 30, '20:00', 'upcoming'
         FROM setlists a JOIN shows sh ON sh.id = a.show_id WHERE a.id = '{actual}'
         RETURNING id"
    ))
    .get_result(owner)
    .await
    .unwrap();
    let show_id = show.id;
    let started = Instant::now();
    exec(
        owner,
        &format!(
            "INSERT INTO setlists (show_id, artist_id, type, name, owner_id, created_by)
             SELECT '{show_id}', sh.headliner_artist_id, 'predicted', 'My prediction', u.id, u.id
             FROM shows sh, (SELECT id FROM users ORDER BY md5(id::text) LIMIT {n}) u
             WHERE sh.id = '{show_id}'"
        ),
    )
    .await;
    exec(
        owner,
        &format!(
            "INSERT INTO setlist_songs (setlist_id, song_id, position, encore)
             SELECT sl.id, c.id, c.position, CASE WHEN c.position > 10 THEN 1 ELSE 0 END
             FROM setlists sl,
             LATERAL (SELECT so.id, row_number() OVER (ORDER BY md5(sl.id::text || so.id::text))::integer AS position
                      FROM songs so WHERE so.artist_id = sl.artist_id
                      ORDER BY md5(sl.id::text || so.id::text) LIMIT 12) c
             WHERE sl.show_id = '{show_id}' AND sl.owner_id IS NOT NULL"
        ),
    )
    .await;
    exec(
        owner,
        &format!(
            "UPDATE shows SET date = current_date - 1, status = 'completed' WHERE id = '{show_id}'"
        ),
    )
    .await;
    exec(
        owner,
        &format!(
            "WITH a AS (
               INSERT INTO setlists (show_id, artist_id, type, name, imported_from, external_id, imported_at)
               SELECT '{show_id}', artist_id, 'actual', 'Actual Setlist', 'setlist.fm', 'bench-game', now()
               FROM setlists WHERE id = '{actual}' RETURNING id)
             INSERT INTO setlist_songs (setlist_id, song_id, position, encore, is_tape, is_played)
             SELECT a.id, ss.song_id, ss.position, ss.encore, ss.is_tape, true
             FROM a, setlist_songs ss WHERE ss.setlist_id = '{actual}'"
        ),
    )
    .await;
    exec(owner, "ANALYZE setlists, setlist_songs").await;
    println!(
        "scoring: show {show_id} with {n} predictions prepared in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let mut times = Vec::new();
    let mut scored = 0;
    for _ in 0..rounds {
        let start = Instant::now();
        let scores = owner
            .transaction(async |conn| score_show(conn, ShowId(show_id)).await)
            .await
            .unwrap();
        times.push(start.elapsed().as_secs_f64());
        scored = scores.scores.len();
    }
    let fans: Vec<Id> = diesel::sql_query(format!(
        "SELECT owner_id AS id FROM setlists WHERE show_id = '{show_id}' AND owner_id IS NOT NULL"
    ))
    .load(owner)
    .await
    .unwrap();
    exec(owner, &format!("DELETE FROM shows WHERE id = '{show_id}'")).await;
    exec(
        owner,
        &format!("DELETE FROM scores_pending WHERE show_id = '{show_id}'"),
    )
    .await;
    let fans: Vec<UserId> = fans.into_iter().map(|f| UserId(f.id)).collect();
    // Every scope these fans stand in, so the removed show's scores leave them all.
    let scopes: Vec<String> = {
        use diesel::{ExpressionMethods, QueryDsl};
        use theset_database::schema::fan_standings;
        fan_standings::table
            .filter(fan_standings::user_id.eq_any(&fans))
            .select(fan_standings::scope)
            .distinct()
            .load(owner)
            .await
            .unwrap()
    };
    Standing::refresh_for(owner, &fans, &scopes).await.unwrap();
    (times, scored)
}

#[tokio::main]
async fn main() {
    let args = args();
    let owner_url = std::env::var("BENCH_DATABASE_URL").expect("BENCH_DATABASE_URL");
    let api_url = std::env::var("BENCH_API_URL").expect("BENCH_API_URL");
    let config = DatabaseConfig::from_url(&api_url).unwrap();
    let mut owner = DatabaseConfig::from_url(&owner_url)
        .unwrap()
        .connect()
        .await
        .unwrap();

    let count = |sql: &'static str| diesel::sql_query(sql);
    let predictions = count("SELECT count(*) AS n FROM setlists WHERE owner_id IS NOT NULL")
        .get_result::<N>(&mut owner)
        .await
        .unwrap()
        .n;
    let scored = count("SELECT count(*) AS n FROM prediction_scores WHERE kind = 'fan'")
        .get_result::<N>(&mut owner)
        .await
        .unwrap()
        .n;
    let standings = count("SELECT count(*) AS n FROM fan_standings WHERE scope = 'all'")
        .get_result::<N>(&mut owner)
        .await
        .unwrap()
        .n;
    let biggest = count(
        "SELECT max(n) AS n FROM (SELECT count(*) AS n FROM prediction_scores WHERE kind = 'fan'
                                  GROUP BY show_id) d",
    )
    .get_result::<N>(&mut owner)
    .await
    .unwrap()
    .n;
    println!(
        "dataset: {predictions} fans' predictions, {scored} scored, {standings} fans on the overall \
         board, the largest show board {biggest} fans"
    );

    // Inputs: scored fans drawn at random, so shows come up as often as they have fans (a busy
    // show's board is asked for more); pgbench reads the same list by number.
    let fans: Vec<Fan> = diesel::sql_query(
        "SELECT show_id, user_id FROM prediction_scores WHERE kind = 'fan'
         ORDER BY md5(id::text) LIMIT 2000",
    )
    .load(&mut owner)
    .await
    .unwrap();
    let inputs: Vec<(ShowId, UserId)> = fans
        .iter()
        .map(|f| (ShowId(f.show_id), UserId(f.user_id)))
        .collect();
    let inputs = Arc::new(inputs);
    exec(&mut owner, "DROP TABLE IF EXISTS bench_game_inputs").await;
    exec(
        &mut owner,
        "CREATE TABLE bench_game_inputs (n int PRIMARY KEY, show_id uuid NOT NULL,
           user_id uuid NOT NULL)",
    )
    .await;
    for (n, (show, fan)) in inputs.iter().enumerate() {
        exec(
            &mut owner,
            &format!(
                "INSERT INTO bench_game_inputs (n, show_id, user_id) VALUES ({n}, '{}', '{}')",
                show.0, fan.0
            ),
        )
        .await;
    }
    exec(
        &mut owner,
        "GRANT SELECT ON bench_game_inputs TO theset_api",
    )
    .await;
    exec(&mut owner, "ANALYZE bench_game_inputs").await;

    let scenarios = [
        (
            "show leaderboard page",
            Kind::ShowBoard,
            show_board_script(inputs.len()),
            10.0,
        ),
        (
            "a fan's own show rank",
            Kind::ShowRank,
            show_rank_script(inputs.len()),
            10.0,
        ),
        (
            "overall leaderboard page",
            Kind::Overall,
            overall_script(),
            20.0,
        ),
    ];
    let mut rows = Vec::new();
    for (name, kind, script, target) in &scenarios {
        let (mut ours_r, mut theirs_r) = (Vec::new(), Vec::new());
        // Ours and pgbench take turns, so a slow spell of the shared machine falls on both.
        for round in 0..args.rounds {
            let a = ours(&config, args.clients, args.seconds, *kind, inputs.clone()).await;
            let b = pgbench(&api_url, script, args.clients, args.seconds);
            println!(
                "{name}, round {}: ours {:.0}/s p99 {:.2} ms; pgbench {:.0}/s p99 {:.2} ms",
                round + 1,
                a.per_s,
                a.p99,
                b.per_s,
                b.p99
            );
            ours_r.push(a);
            theirs_r.push(b);
        }
        rows.push((*name, ours_r, theirs_r, *target));
    }
    let (times, scored_now) = scoring(&mut owner, args.predictions, args.rounds).await;
    exec(&mut owner, "DROP TABLE IF EXISTS bench_game_inputs").await;

    println!();
    println!(
        "{:<26} {:>8} {:>9} {:>9} {:>9} {:>10} {:>9} {:>7} {:>8}",
        "scenario",
        "clients",
        "ours/s",
        "p50 ms",
        "p99 ms",
        "pgbench/s",
        "p99 ms",
        "ratio",
        "target"
    );
    for (name, ours_r, theirs_r, target) in &rows {
        let m =
            |v: &[Figures], f: fn(&Figures) -> f64| median(&v.iter().map(f).collect::<Vec<_>>());
        let ratios: Vec<f64> = ours_r
            .iter()
            .zip(theirs_r)
            .map(|(a, b)| a.per_s / b.per_s)
            .collect();
        let p99 = m(ours_r, |f| f.p99);
        println!(
            "{name:<26} {:>8} {:>9.0} {:>9.2} {:>9.2} {:>10.0} {:>9.2} {:>7.2} {:>8}",
            args.clients,
            m(ours_r, |f| f.per_s),
            m(ours_r, |f| f.p50),
            p99,
            m(theirs_r, |f| f.per_s),
            m(theirs_r, |f| f.p99),
            median(&ratios),
            format!(
                "{}{target} ms",
                if p99 <= *target { "ok <= " } else { "MISS " }
            ),
        );
    }
    let best = times.iter().copied().fold(f64::MAX, f64::min);
    println!(
        "{:<26} {:>8} {:>9} {:>9.3} s (median of {}, best {:.3} s, {} scores) target <= 2 s: {}",
        format!("score a show ({} fans)", args.predictions),
        1,
        "",
        median(&times),
        times.len(),
        best,
        scored_now,
        if median(&times) <= 2.0 { "ok" } else { "MISS" }
    );
}
