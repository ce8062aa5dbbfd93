//! Vote rules and counters, against a real database.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use theset_database::enums::{UserRole, VoteType};
use theset_database::ids::{SetlistSongId, UserId};
use theset_database::models::{
    Setlist, SetlistSong, SetlistUpdate, Show, ShowUpdate, Vote, VoteCounts,
};
use theset_database::schema::{setlist_songs, setlists, shows, users};
use theset_database::testing::{TestDatabase, fixtures};
use theset_database::{Claims, Closed, Error};

/// The counters of a song as stored, and as aggregated from votes.
async fn stored_and_counted(
    conn: &mut AsyncPgConnection,
    song: SetlistSongId,
) -> (VoteCounts, VoteCounts) {
    let stored = SetlistSong::find(conn, song).await.unwrap();
    #[derive(QueryableByName)]
    struct Agg {
        #[diesel(sql_type = BigInt)]
        up: i64,
        #[diesel(sql_type = BigInt)]
        down: i64,
    }
    let agg: Agg = diesel::sql_query(
        "SELECT count(*) FILTER (WHERE vote_type = 'up') AS up, count(*) FILTER (WHERE vote_type = 'down') AS down \
         FROM votes WHERE setlist_song_id = $1",
    )
    .bind::<SqlUuid, _>(song.0)
    .get_result(conn)
    .await
    .unwrap();
    let counted = VoteCounts {
        upvotes: i32::try_from(agg.up).unwrap(),
        downvotes: i32::try_from(agg.down).unwrap(),
        net_votes: i32::try_from(agg.up - agg.down).unwrap(),
    };
    (
        VoteCounts {
            upvotes: stored.upvotes,
            downvotes: stored.downvotes,
            net_votes: stored.net_votes,
        },
        counted,
    )
}

fn counts(upvotes: i32, downvotes: i32) -> VoteCounts {
    VoteCounts {
        upvotes,
        downvotes,
        net_votes: upvotes - downvotes,
    }
}

#[tokio::test]
async fn insert_change_retract_and_revote_keep_counters_exact() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 2).await;
    let song = sample.setlist_songs[0].id;
    let alice = fixtures::user(&mut conn, UserRole::User).await;
    let bob = fixtures::user(&mut conn, UserRole::User).await;

    let steps: Vec<(&str, VoteCounts)> = vec![
        ("alice up", counts(1, 0)),
        ("bob up", counts(2, 0)),
        ("alice up again (no-op)", counts(2, 0)),
        ("alice changes to down", counts(1, 1)),
        ("bob retracts", counts(0, 1)),
        ("bob retracts again (no-op)", counts(0, 1)),
        ("bob re-votes down", counts(0, 2)),
        ("alice retracts", counts(0, 1)),
    ];
    for (step, expected) in steps {
        let returned = match step {
            "alice up" | "alice up again (no-op)" => {
                Vote::cast(&mut conn, alice.id, song, VoteType::Up).await
            }
            "bob up" => Vote::cast(&mut conn, bob.id, song, VoteType::Up).await,
            "alice changes to down" => Vote::cast(&mut conn, alice.id, song, VoteType::Down).await,
            "bob retracts" | "bob retracts again (no-op)" => {
                Vote::retract(&mut conn, bob.id, song).await
            }
            "bob re-votes down" => Vote::cast(&mut conn, bob.id, song, VoteType::Down).await,
            "alice retracts" => Vote::retract(&mut conn, alice.id, song).await,
            _ => unreachable!(),
        }
        .unwrap();
        assert_eq!(returned, expected, "returned counts after {step}");
        let (stored, counted) = stored_and_counted(&mut conn, song).await;
        assert_eq!(stored, expected, "stored counters after {step}");
        assert_eq!(counted, expected, "aggregate over votes after {step}");
    }
    // The other song was never touched.
    let (other, _) = stored_and_counted(&mut conn, sample.setlist_songs[1].id).await;
    assert_eq!(other, counts(0, 0));
    // Plain SQL writers get the same counters as the Rust API.
    diesel::sql_query("UPDATE votes SET vote_type = 'up' WHERE user_id = $1")
        .bind::<SqlUuid, _>(bob.id.0)
        .execute(&mut conn)
        .await
        .unwrap();
    let (stored, counted) = stored_and_counted(&mut conn, song).await;
    assert_eq!(stored, counts(1, 0));
    assert_eq!(counted, stored);
    diesel::sql_query("DELETE FROM votes")
        .execute(&mut conn)
        .await
        .unwrap();
    let (stored, _) = stored_and_counted(&mut conn, song).await;
    assert_eq!(stored, counts(0, 0));
}

#[tokio::test]
async fn vote_totals_fold_into_setlists_and_shows() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 3).await;
    let users = [
        fixtures::user(&mut conn, UserRole::User).await,
        fixtures::user(&mut conn, UserRole::User).await,
    ];
    for user in &users {
        for entry in &sample.setlist_songs {
            Vote::cast(&mut conn, user.id, entry.id, VoteType::Up)
                .await
                .unwrap();
        }
    }
    Vote::cast(
        &mut conn,
        users[0].id,
        sample.setlist_songs[0].id,
        VoteType::Down,
    )
    .await
    .unwrap();
    // Not folded yet: the totals lag until refresh_totals runs.
    assert_eq!(
        Setlist::find(&mut conn, sample.setlist.id)
            .await
            .unwrap()
            .total_votes,
        0
    );
    assert!(Vote::refresh_totals(&mut conn).await.unwrap() >= 2);
    assert_eq!(
        Setlist::find(&mut conn, sample.setlist.id)
            .await
            .unwrap()
            .total_votes,
        6
    );
    assert_eq!(
        Show::find(&mut conn, sample.show.id)
            .await
            .unwrap()
            .vote_count,
        6
    );
    // Nothing pending: nothing changes.
    assert_eq!(Vote::refresh_totals(&mut conn).await.unwrap(), 0);

    // Removing a song takes its votes with it, and the totals follow.
    diesel::delete(setlist_songs::table.find(sample.setlist_songs[2].id))
        .execute(&mut conn)
        .await
        .unwrap();
    Vote::refresh_totals(&mut conn).await.unwrap();
    assert_eq!(
        Setlist::find(&mut conn, sample.setlist.id)
            .await
            .unwrap()
            .total_votes,
        4
    );
    assert_eq!(
        Show::find(&mut conn, sample.show.id)
            .await
            .unwrap()
            .vote_count,
        4
    );

    // Removing the whole setlist too.
    diesel::delete(setlists::table.find(sample.setlist.id))
        .execute(&mut conn)
        .await
        .unwrap();
    Vote::refresh_totals(&mut conn).await.unwrap();
    let show = Show::find(&mut conn, sample.show.id).await.unwrap();
    assert_eq!((show.vote_count, show.setlist_count), (0, 0));
}

#[tokio::test]
async fn votes_are_refused_when_voting_is_closed() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 1).await;
    let song = sample.setlist_songs[0].id;
    let fan = fixtures::user(&mut conn, UserRole::User).await;
    Vote::cast(&mut conn, fan.id, song, VoteType::Up)
        .await
        .unwrap();

    // Locked setlist: no new vote, no change, no retraction.
    Setlist::update(
        &mut conn,
        sample.setlist.id,
        &SetlistUpdate {
            is_locked: Some(true),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let err = Error::from(
        Vote::cast(&mut conn, fan.id, song, VoteType::Down)
            .await
            .unwrap_err(),
    );
    assert!(
        matches!(err, Error::VotingClosed(Closed::SetlistLocked)),
        "{err:?}"
    );
    let err = Error::from(Vote::retract(&mut conn, fan.id, song).await.unwrap_err());
    assert!(
        matches!(err, Error::VotingClosed(Closed::SetlistLocked)),
        "{err:?}"
    );
    Setlist::update(
        &mut conn,
        sample.setlist.id,
        &SetlistUpdate {
            is_locked: Some(false),
            ..Default::default()
        },
    )
    .await
    .unwrap();

    // Show started: yesterday's date.
    let yesterday = (chrono::Utc::now() - chrono::Duration::days(1)).date_naive();
    Show::update(
        &mut conn,
        sample.show.id,
        &ShowUpdate {
            date: Some(yesterday),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let err = Error::from(
        Vote::cast(&mut conn, fan.id, song, VoteType::Down)
            .await
            .unwrap_err(),
    );
    assert!(
        matches!(err, Error::VotingClosed(Closed::ShowStarted)),
        "{err:?}"
    );

    // Actual setlist (the show open again first: a closed prediction cannot change).
    diesel::update(shows::table.find(sample.show.id))
        .set(shows::date.eq((chrono::Utc::now() + chrono::Duration::days(3)).date_naive()))
        .execute(&mut conn)
        .await
        .unwrap();
    diesel::update(setlists::table.find(sample.setlist.id))
        .set(setlists::type_.eq(theset_database::SetlistType::Actual))
        .execute(&mut conn)
        .await
        .unwrap();
    let err = Error::from(
        Vote::cast(&mut conn, fan.id, song, VoteType::Down)
            .await
            .unwrap_err(),
    );
    assert!(
        matches!(err, Error::VotingClosed(Closed::ActualSetlist)),
        "{err:?}"
    );

    // Nothing of that changed the counts.
    let stored = SetlistSong::find(&mut conn, song).await.unwrap();
    assert_eq!((stored.upvotes, stored.downvotes), (1, 0));

    // A vote on a song that does not exist is a foreign key error, not a crash.
    let err = Error::from(
        Vote::cast(&mut conn, fan.id, SetlistSongId::new_random(), VoteType::Up)
            .await
            .unwrap_err(),
    );
    assert!(matches!(err, Error::ForeignKeyViolation { .. }), "{err:?}");
    let err = Error::from(
        Vote::retract(&mut conn, fan.id, SetlistSongId::new_random())
            .await
            .unwrap_err(),
    );
    assert!(matches!(err, Error::NotFound), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_voting_keeps_every_counter_equal_to_its_aggregate() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 3).await;
    let mut users = Vec::new();
    for _ in 0..12 {
        users.push(fixtures::user(&mut conn, UserRole::User).await);
    }
    let songs: Vec<SetlistSongId> = sample.setlist_songs.iter().map(|s| s.id).collect();
    let pool = db.pool_as("theset_service", 16);

    let mut tasks = Vec::new();
    for (n, user) in users.iter().enumerate() {
        let pool = pool.clone();
        let songs = songs.clone();
        let user = user.id;
        tasks.push(tokio::spawn(async move {
            let mut conn = pool.get().await.unwrap();
            // A deterministic but varied mix of casts, changes and retractions per user.
            let mut state = 0x9e37_79b9_u32.wrapping_mul(u32::try_from(n).unwrap() + 1);
            for _ in 0..150 {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                let song = songs[(state % 3) as usize];
                match (state >> 8) % 3 {
                    0 => Vote::cast(&mut conn, user, song, VoteType::Up)
                        .await
                        .unwrap(),
                    1 => Vote::cast(&mut conn, user, song, VoteType::Down)
                        .await
                        .unwrap(),
                    _ => Vote::retract(&mut conn, user, song).await.unwrap(),
                };
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let mut total = 0;
    for song in &songs {
        let (stored, counted) = stored_and_counted(&mut conn, *song).await;
        assert_eq!(
            stored, counted,
            "counters of {song} after concurrent voting"
        );
        total += stored.upvotes + stored.downvotes;
    }
    assert!(total > 0, "the workload left some votes");
    Vote::refresh_totals(&mut conn).await.unwrap();
    assert_eq!(
        Setlist::find(&mut conn, sample.setlist.id)
            .await
            .unwrap()
            .total_votes,
        total
    );
    assert_eq!(
        Show::find(&mut conn, sample.show.id)
            .await
            .unwrap()
            .vote_count,
        total
    );
}

#[tokio::test]
async fn only_the_service_role_folds_vote_totals() {
    let db = TestDatabase::new().await;
    let mut api = db.conn_as("theset_api").await;
    let err = Error::from(Vote::refresh_totals(&mut api).await.unwrap_err());
    assert!(matches!(err, Error::Forbidden(_)), "{err:?}");
    let mut service = db.conn_as("theset_service").await;
    Vote::refresh_totals(&mut service).await.unwrap();
}

#[tokio::test]
async fn a_vote_by_claims_is_one_statement_that_acts_for_the_caller_alone() {
    let db = TestDatabase::new().await;
    let mut owner = db.conn().await;
    let show = fixtures::show(&mut owner, 1).await;
    let song = show.setlist_songs[0].id;
    let fan = fixtures::user(&mut owner, UserRole::User).await;
    let claims = Claims::authenticated(fan.id, Some(fan.email.clone()));
    let mut api = db.conn_as("theset_api").await;

    let cast = Vote::cast_as(&mut api, &claims, song, VoteType::Up).await;
    assert_eq!(cast.unwrap(), Some(counts(1, 0)));
    let changed = Vote::cast_as(&mut api, &claims, song, VoteType::Down).await;
    assert_eq!(changed.unwrap(), Some(counts(0, 1)));
    let stored = Vote::find(&mut owner, fan.id, song).await.unwrap();
    assert_eq!(stored.map(|v| v.vote_type), Some(VoteType::Down));
    // The claims ended with the statement: the next one on the connection acts for nobody.
    let after: Option<uuid::Uuid> = diesel::select(theset_database::sql::current_user_id())
        .get_result(&mut api)
        .await
        .unwrap();
    assert_eq!(after, None);
    let retracted = Vote::retract_as(&mut api, &claims, song).await;
    assert_eq!(retracted.unwrap(), Some(counts(0, 0)));

    // No account yet, or a deleted one: nothing is written, and the caller is told.
    let stranger = Claims::authenticated(UserId::new_random(), Some("new@example.com".into()));
    let unknown = Vote::cast_as(&mut api, &stranger, song, VoteType::Up).await;
    assert_eq!(unknown.unwrap(), None);
    diesel::update(users::table.find(fan.id))
        .set(users::deleted_at.eq(diesel::dsl::now))
        .execute(&mut owner)
        .await
        .unwrap();
    let deleted = Vote::cast_as(&mut api, &claims, song, VoteType::Up).await;
    assert_eq!(deleted.unwrap(), None);
    assert_eq!(
        stored_and_counted(&mut owner, song).await,
        (counts(0, 0), counts(0, 0))
    );

    // The song must exist, and the vote rules hold as for any vote.
    let missing = SetlistSongId(uuid::Uuid::new_v4());
    let other = fixtures::user(&mut owner, UserRole::User).await;
    let other = Claims::authenticated(other.id, Some(other.email.clone()));
    let err = Vote::cast_as(&mut api, &other, missing, VoteType::Up)
        .await
        .unwrap_err();
    assert!(matches!(
        Error::from(err),
        Error::ForeignKeyViolation { .. }
    ));
    Setlist::update(
        &mut owner,
        show.setlist.id,
        &SetlistUpdate {
            is_locked: Some(true),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let err = Vote::cast_as(&mut api, &other, song, VoteType::Up)
        .await
        .unwrap_err();
    assert!(matches!(
        Error::from(err),
        Error::VotingClosed(Closed::SetlistLocked)
    ));
}
