//! Vote throughput on one hot show (run by `scripts/bench-votes`, which prints the comparison with
//! pgbench). Each client is an API-role connection voting as its own users, one transaction per
//! vote exactly as the API does it: BEGIN, set the caller's claims, cast/change/retract, COMMIT.
//!
//! Three designs are measured in the same run, rounds interleaved:
//! - `pending` (ours): votes append to vote_totals_pending, folded by refresh_vote_totals(), and
//!   to realtime_vote_log for the realtime listeners (with the song's vote_version bumped);
//! - `no realtime log`: the same with the vote trigger as it was before realtime
//!   (migrations/2026-11-24-000500_realtime/down.sql), for the cost of the realtime capture;
//! - `in-transaction` (the design card's denormalisation): a trigger also bumps
//!   setlists.total_votes and shows.vote_count in the voting transaction.
//!
//! Arguments: `--clients N` (32), `--seconds S` (8), `--rounds R` (3), `--songs K` (20).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::cast_possible_truncation
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use diesel::sql_types::BigInt;
use diesel::{QueryableByName, sql_query};
use diesel_async::RunQueryDsl;
use theset_database::enums::{UserRole, VoteType};
use theset_database::ids::SetlistSongId;
use theset_database::models::{Setlist, Show, Vote};
use theset_database::testing::{TestDatabase, fixtures};
use theset_database::{Claims, Error, transaction_as};

const IN_TRANSACTION_TOTALS: &str = r#"
CREATE FUNCTION bench_totals_in_transaction() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  delta integer := CASE TG_OP WHEN 'INSERT' THEN 1 WHEN 'DELETE' THEN -1 ELSE 0 END;
  target uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.setlist_song_id ELSE NEW.setlist_song_id END;
  list uuid;
  show uuid;
BEGIN
  IF delta = 0 THEN RETURN NULL; END IF;
  SELECT ss.setlist_id, s.show_id INTO list, show
  FROM setlist_songs ss JOIN setlists s ON s.id = ss.setlist_id WHERE ss.id = target;
  UPDATE setlists SET total_votes = total_votes + delta WHERE id = list;
  UPDATE shows SET vote_count = vote_count + delta WHERE id = show;
  RETURN NULL;
END $$;
CREATE TRIGGER bench_totals AFTER INSERT OR UPDATE OR DELETE ON votes
  FOR EACH ROW EXECUTE FUNCTION bench_totals_in_transaction();
"#;

/// The vote trigger as it was before realtime: counts and the totals queue, no vote log.
const TRIGGER_WITHOUT_REALTIME_LOG: &str = r#"
CREATE OR REPLACE FUNCTION votes_maintain_counts() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
  up_delta integer := 0;
  down_delta integer := 0;
  song uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.setlist_song_id ELSE NEW.setlist_song_id END;
  changed_setlist uuid;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    IF OLD.vote_type = 'up' THEN up_delta := up_delta - 1; ELSE down_delta := down_delta - 1; END IF;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    IF NEW.vote_type = 'up' THEN up_delta := up_delta + 1; ELSE down_delta := down_delta + 1; END IF;
  END IF;
  IF up_delta = 0 AND down_delta = 0 THEN
    RETURN NULL;
  END IF;
  UPDATE setlist_songs
  SET upvotes = upvotes + up_delta, downvotes = downvotes + down_delta
  WHERE id = song
  RETURNING setlist_id INTO changed_setlist;
  -- A changed direction leaves the number of votes as it was.
  IF changed_setlist IS NOT NULL AND TG_OP <> 'UPDATE' THEN
    INSERT INTO vote_totals_pending (setlist_id) VALUES (changed_setlist);
  END IF;
  RETURN NULL;
END
$$;
"#;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Design {
    Ours,
    NoRealtimeLog,
    InTransaction,
}

struct Args {
    clients: usize,
    seconds: u64,
    rounds: usize,
    songs: usize,
}

fn args() -> Args {
    let mut args = Args {
        clients: 32,
        seconds: 8,
        rounds: 3,
        songs: 20,
    };
    let raw: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i < raw.len() {
        let value = raw.get(i + 1).and_then(|v| v.parse::<u64>().ok());
        match (raw[i].as_str(), value) {
            ("--clients", Some(v)) => args.clients = v as usize,
            ("--seconds", Some(v)) => args.seconds = v,
            ("--rounds", Some(v)) => args.rounds = v as usize,
            ("--songs", Some(v)) => args.songs = v as usize,
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    args
}

struct Prepared {
    db: TestDatabase,
    songs: Vec<SetlistSongId>,
    users: Vec<Claims>,
    setlist: Setlist,
    show: Show,
}

async fn prepare(args: &Args, design: Design) -> Prepared {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, args.songs).await;
    let mut users = Vec::new();
    for _ in 0..args.clients * 4 {
        let user = fixtures::user(&mut conn, UserRole::User).await;
        users.push(Claims::authenticated(user.id, Some(user.email)));
    }
    let extra = match design {
        Design::Ours => String::new(),
        Design::NoRealtimeLog => TRIGGER_WITHOUT_REALTIME_LOG.to_owned(),
        Design::InTransaction => IN_TRANSACTION_TOTALS.to_owned(),
    };
    if !extra.is_empty() {
        diesel_async::SimpleAsyncConnection::batch_execute(&mut conn, &extra)
            .await
            .unwrap();
    }
    Prepared {
        songs: sample.setlist_songs.iter().map(|s| s.id).collect(),
        users,
        setlist: sample.setlist,
        show: sample.show,
        db,
    }
}

/// Runs the clients for the configured time; returns votes per second.
async fn run(args: &Args, prepared: &Prepared) -> f64 {
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for client in 0..args.clients {
        let mut conn = prepared.db.conn_as("theset_api").await;
        let users: Vec<Claims> = prepared
            .users
            .iter()
            .skip(client)
            .step_by(args.clients)
            .cloned()
            .collect();
        let songs = prepared.songs.clone();
        let (stop, done) = (stop.clone(), done.clone());
        tasks.push(tokio::spawn(async move {
            let mut state = 0x2545_f491_u32.wrapping_mul(client as u32 + 1) | 1;
            while !AtomicBool::load(&stop, Ordering::Relaxed) {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                let claims = &users[(state as usize) % users.len()];
                let song = songs[(state as usize >> 4) % songs.len()];
                let action = (state >> 12) % 4;
                let voter = claims.sub;
                let result: Result<_, Error> = transaction_as(&mut conn, Some(claims), |conn| {
                    Box::pin(async move {
                        Ok(match action {
                            0 | 1 => Vote::cast(conn, voter, song, VoteType::Up).await?,
                            2 => Vote::cast(conn, voter, song, VoteType::Down).await?,
                            _ => Vote::retract(conn, voter, song).await?,
                        })
                    })
                })
                .await;
                result.unwrap();
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    let start = Instant::now();
    tokio::time::sleep(Duration::from_secs(args.seconds)).await;
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.unwrap();
    }
    AtomicU64::load(&done, Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}

#[derive(QueryableByName)]
struct Mismatches {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Checks every counter against its aggregate (and the totals after a fold); returns a report.
async fn check(prepared: &Prepared) -> String {
    let mut conn = prepared.db.conn().await;
    Vote::refresh_totals(&mut conn).await.unwrap();
    let wrong: Mismatches = sql_query(
        "SELECT count(*) AS n FROM setlist_songs ss LEFT JOIN LATERAL ( \
           SELECT count(*) FILTER (WHERE vote_type = 'up') AS up, count(*) FILTER (WHERE vote_type = 'down') AS down \
           FROM votes WHERE setlist_song_id = ss.id) v ON true \
         WHERE ss.upvotes <> v.up OR ss.downvotes <> v.down OR ss.net_votes <> v.up - v.down",
    )
    .get_result(&mut conn)
    .await
    .unwrap();
    let votes: Mismatches = sql_query("SELECT count(*) AS n FROM votes")
        .get_result(&mut conn)
        .await
        .unwrap();
    let setlist = Setlist::find(&mut conn, prepared.setlist.id).await.unwrap();
    let show = Show::find(&mut conn, prepared.show.id).await.unwrap();
    let ok = wrong.n == 0
        && i64::from(setlist.total_votes) == votes.n
        && i64::from(show.vote_count) == votes.n;
    format!(
        "{} ({} votes; {} song counters wrong; setlist total {}, show total {})",
        if ok { "counters OK" } else { "COUNTERS WRONG" },
        votes.n,
        wrong.n,
        setlist.total_votes,
        show.vote_count
    )
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

#[tokio::main]
async fn main() {
    let args = args();
    let pending = prepare(&args, Design::Ours).await;
    let no_log = prepare(&args, Design::NoRealtimeLog).await;
    let direct = prepare(&args, Design::InTransaction).await;
    // Warm up all three (connections, plans, first-call costs).
    let warm = Args { seconds: 1, ..args };
    run(&warm, &pending).await;
    run(&warm, &no_log).await;
    run(&warm, &direct).await;
    let (mut ours, mut bare, mut theirs) = (Vec::new(), Vec::new(), Vec::new());
    for round in 1..=args.rounds {
        let a = run(&args, &pending).await;
        let c = run(&args, &no_log).await;
        let b = run(&args, &direct).await;
        println!(
            "round {round}: pending totals {a:.0} votes/s, without the realtime log {c:.0} votes/s, in-transaction totals {b:.0} votes/s"
        );
        ours.push(a);
        bare.push(c);
        theirs.push(b);
    }
    let (ours, bare, theirs) = (median(&mut ours), median(&mut bare), median(&mut theirs));
    println!("pending-totals check: {}", check(&pending).await);
    println!("no-realtime-log check: {}", check(&no_log).await);
    println!("in-transaction check: {}", check(&direct).await);
    println!(
        "RESULT pending_votes_per_s={ours:.0} in_transaction_votes_per_s={theirs:.0} no_realtime_log_votes_per_s={bare:.0} ratio={:.2} realtime_ratio={:.2}",
        ours / theirs,
        ours / bare
    );
}
