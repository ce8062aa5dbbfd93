//! The prediction game in PostgreSQL: the lock holds for every writer (the service role and the
//! schema owner too, with no worker running), scores are stored with their breakdown, and
//! standings rank by the shrunk average with shared ranks for ties.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use theset_database::models::{
    NewSetlist, NewSetlistSong, PredictionScore, Scope, Setlist, SetlistSong, Show, ShowUpdate,
    Standing, Vote,
};
use theset_database::schema::{fan_standings, setlist_songs, setlists};
use theset_database::testing::{TestDatabase, fixtures};
use theset_database::{
    AsyncPgConnection, Claims, Closed, Error, PredictionKind, SetlistType, UserRole, VoteType,
    scoring,
};

async fn move_show(conn: &mut AsyncPgConnection, show: &Show, days: i64) {
    Show::update(
        conn,
        show.id,
        &ShowUpdate {
            date: Some((Utc::now() + Duration::days(days)).date_naive()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
}

fn closed(result: QueryResult<impl std::fmt::Debug>) -> Closed {
    match result.map_err(Error::from) {
        Err(Error::SetlistClosed(why) | Error::VotingClosed(why)) => why,
        other => panic!("expected a closed prediction, got {other:?}"),
    }
}

#[tokio::test]
async fn a_started_show_refuses_every_writer_but_moderation() {
    let db = TestDatabase::new().await;
    let mut owner = db.conn().await;
    let mut service = db.conn_as("theset_service").await;
    let sample = fixtures::show(&mut owner, 3).await;
    let fan = fixtures::user(&mut owner, UserRole::User).await;
    let other = fixtures::user(&mut owner, UserRole::User).await;
    let prediction = Setlist::create(
        &mut owner,
        &NewSetlist::prediction(sample.show.id, sample.artist.id, fan.id),
    )
    .await
    .unwrap();
    let entry = SetlistSong::create(
        &mut owner,
        &NewSetlistSong::new(prediction.id, sample.songs[0].id, 1),
    )
    .await
    .unwrap();
    // A second prediction by the same fan is refused by the unique index.
    let twice = Setlist::create(
        &mut owner,
        &NewSetlist::prediction(sample.show.id, sample.artist.id, fan.id),
    )
    .await
    .map_err(Error::from);
    assert!(
        matches!(&twice, Err(Error::UniqueViolation { constraint }) if constraint == "setlists_one_prediction_per_fan"),
        "{twice:?}"
    );

    // Votes are for the crowd setlist, not for fans' own predictions.
    let vote = Vote::cast(&mut owner, other.id, entry.id, VoteType::Up)
        .await
        .map_err(Error::from);
    assert!(
        matches!(&vote, Err(Error::CheckViolation { constraint }) if constraint == "votes_crowd_setlist_only"),
        "{vote:?}"
    );
    // So too for the API's fan, under RLS, to whom the prediction is hidden: the rule reads the
    // setlist as it is, not as the caller may see it (it once read nothing, and let the vote in).
    let mut api = db.conn_as("theset_api").await;
    let hidden = Vote::cast_as(
        &mut api,
        &Claims::authenticated(other.id, None),
        entry.id,
        VoteType::Up,
    )
    .await
    .map_err(Error::from);
    assert!(
        matches!(&hidden, Err(Error::CheckViolation { constraint }) if constraint == "votes_crowd_setlist_only"),
        "{hidden:?}"
    );
    let counts: (i32, i64) = setlist_songs::table
        .find(entry.id)
        .select((
            setlist_songs::upvotes,
            theset_database::schema::votes::table
                .filter(theset_database::schema::votes::setlist_song_id.eq(entry.id))
                .count()
                .single_value()
                .assume_not_null(),
        ))
        .first(&mut owner)
        .await
        .unwrap();
    assert_eq!(counts, (0, 0), "nothing was written");

    move_show(&mut owner, &sample.show, -1).await;
    for conn in [&mut owner, &mut service] {
        let add = SetlistSong::create(
            conn,
            &NewSetlistSong::new(prediction.id, sample.songs[1].id, 2),
        )
        .await;
        assert_eq!(closed(add), Closed::ShowStarted);
        let moved = diesel::update(setlist_songs::table.find(entry.id))
            .set(setlist_songs::position.eq(5))
            .execute(conn)
            .await;
        assert_eq!(closed(moved), Closed::ShowStarted);
        let renamed = diesel::update(setlists::table.find(prediction.id))
            .set(setlists::name.eq("after the fact"))
            .execute(conn)
            .await;
        assert_eq!(closed(renamed), Closed::ShowStarted);
        let created = Setlist::create(
            conn,
            &NewSetlist::prediction(sample.show.id, sample.artist.id, other.id),
        )
        .await;
        assert_eq!(closed(created), Closed::ShowStarted);
        let vote = Vote::cast(conn, fan.id, sample.setlist_songs[0].id, VoteType::Up).await;
        assert_eq!(closed(vote), Closed::ShowStarted);
    }
    // The owner's prediction stays as it was; moderation (the service role) may remove it.
    let songs = prediction.songs(&mut owner).await.unwrap();
    assert_eq!(songs.len(), 1);
    assert_eq!(songs[0].0.position, 1);
    Setlist::delete(&mut service, prediction.id).await.unwrap();
}

#[tokio::test]
async fn scores_keep_their_breakdown_and_standings_rank_with_shared_ties() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 4).await;
    let fans = [
        fixtures::user(&mut conn, UserRole::User).await,
        fixtures::user(&mut conn, UserRole::User).await,
        fixtures::user(&mut conn, UserRole::User).await,
    ];
    let s = &sample.songs;
    // Fans 0 and 1 predict the same (songs 1 and 2), fan 2 songs 3 and 1.
    for (fan, picks) in fans.iter().zip([[0, 1], [0, 1], [2, 0]]) {
        let own = Setlist::create(
            &mut conn,
            &NewSetlist::prediction(sample.show.id, sample.artist.id, fan.id),
        )
        .await
        .unwrap();
        for (position, pick) in picks.iter().enumerate() {
            SetlistSong::create(
                &mut conn,
                &NewSetlistSong::new(own.id, s[*pick].id, i32::try_from(position).unwrap() + 1),
            )
            .await
            .unwrap();
        }
    }
    move_show(&mut conn, &sample.show, -1).await;
    // Played: 1, 2, 3, imported (final).
    let actual = Setlist::create(
        &mut conn,
        &NewSetlist {
            imported_from: Some("setlist.fm".into()),
            external_id: Some("abc".into()),
            ..NewSetlist::new(sample.show.id, sample.artist.id, SetlistType::Actual)
        },
    )
    .await
    .unwrap();
    for (i, song) in s[..3].iter().enumerate() {
        SetlistSong::create(
            &mut conn,
            &NewSetlistSong::new(actual.id, song.id, i32::try_from(i).unwrap() + 1),
        )
        .await
        .unwrap();
    }
    let scored = scoring::score_show(&mut conn, sample.show.id)
        .await
        .unwrap();
    assert!(scored.is_final);
    // Three fans and the crowd (the fixture's setlist: songs 1-4); no history: no bot.
    assert_eq!(scored.scores.len(), 4);
    assert_eq!(scored.unscored, 0);

    // Fans 0 and 1: 2 hits of 2, recall 2/3, in order (tau 1), opener right, closer wrong.
    let f1 = 2.0 * (2.0 / 3.0) / (1.0 + 2.0 / 3.0);
    let same = 100.0 * (0.6 * f1 + 0.2 + 0.05 + 0.1);
    // Fan 2: songs 3 then 1, played 1 before 3: tau -1, opener wrong, closer wrong.
    let reversed = 100.0 * (0.6 * f1 + 0.1);
    let stored = PredictionScore::of_fan(&mut conn, sample.show.id, fans[0].id)
        .await
        .unwrap()
        .unwrap();
    assert!((stored.score - same).abs() < 1e-9, "{stored:?}");
    assert_eq!(
        (stored.hits, stored.predicted_songs, stored.played_songs),
        (2, 2, 3)
    );
    assert_eq!(stored.order_tau, Some(1.0));
    assert!(stored.opener_hit && !stored.closer_hit && stored.is_final);
    // No history: each hit is worth 1 + log2(2 / 1) = 2.
    assert!((stored.rarity_points - 4.0).abs() < 1e-9);
    let third = PredictionScore::of_fan(&mut conn, sample.show.id, fans[2].id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(third.order_tau, Some(-1.0));
    assert!((third.score - reversed).abs() < 1e-9);
    let accuracy: i32 = setlists::table
        .find(third.setlist_id.unwrap())
        .select(setlists::accuracy_score)
        .first(&mut conn)
        .await
        .unwrap();
    assert_eq!(f64::from(accuracy), reversed.round());

    // The show's board: fans 0 and 1 share rank 1, fan 2 is third.
    let board = PredictionScore::show_board(&mut conn, sample.show.id, None, 10)
        .await
        .unwrap();
    assert_eq!(board.iter().map(|r| r.rank).collect::<Vec<_>>(), [1, 1, 3]);
    // Paged one row at a time, the ranks are the same.
    let mut after = None;
    let mut ranks = Vec::new();
    loop {
        let page = PredictionScore::show_board(&mut conn, sample.show.id, after, 1)
            .await
            .unwrap();
        let Some(row) = page.into_iter().next() else {
            break;
        };
        ranks.push(row.rank);
        after = Some((row.rank, row.predicted_at.unwrap(), row.user_id));
    }
    assert_eq!(ranks, [1, 1, 3]);
    let rank = PredictionScore::show_rank(&mut conn, sample.show.id, fans[2].id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rank.rank, 3);

    // Standings: every scope of the show, rating (3 * 30 + score) / (3 + 1).
    let scopes: Vec<String> = fan_standings::table
        .filter(fan_standings::user_id.eq(fans[0].id))
        .select(fan_standings::scope)
        .order(fan_standings::scope)
        .load(&mut conn)
        .await
        .unwrap();
    assert_eq!(scopes.len(), 4, "{scopes:?}");
    let standing = Standing::find(&mut conn, &Scope::All, fans[0].id)
        .await
        .unwrap()
        .unwrap();
    assert!((standing.rating - scoring::rating(1, same)).abs() < 1e-9);
    assert!((standing.rating - (90.0 + same) / 4.0).abs() < 1e-9);
    let crowd = scored
        .scores
        .iter()
        .find(|p| p.kind == PredictionKind::Crowd)
        .unwrap();
    assert_eq!(standing.beat_crowd, i32::from(same > crowd.breakdown.score));
    let board = Standing::board(&mut conn, &Scope::Artist(sample.artist.id), None, 2)
        .await
        .unwrap();
    assert_eq!(board.iter().map(|r| r.rank).collect::<Vec<_>>(), [1, 1]);
    let next = Standing::board(
        &mut conn,
        &Scope::Artist(sample.artist.id),
        Some((board[1].value, board[1].predictions, board[1].user_id)),
        2,
    )
    .await
    .unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!((next[0].user_id, next[0].rank), (fans[2].id, 3));

    // A corrected setlist re-scores: song 3 was not played after all.
    diesel::delete(
        setlist_songs::table
            .filter(setlist_songs::setlist_id.eq(actual.id))
            .filter(setlist_songs::song_id.eq(s[2].id)),
    )
    .execute(&mut conn)
    .await
    .unwrap();
    scoring::score_show(&mut conn, sample.show.id)
        .await
        .unwrap();
    let again = PredictionScore::of_fan(&mut conn, sample.show.id, fans[0].id)
        .await
        .unwrap()
        .unwrap();
    // Now perfect: songs 1 and 2, in order, opener and closer.
    assert!((again.score - 100.0).abs() < 1e-9, "{again:?}");
    let standing = Standing::find(&mut conn, &Scope::All, fans[0].id)
        .await
        .unwrap()
        .unwrap();
    assert!((standing.rating - scoring::rating(1, 100.0)).abs() < 1e-9);
}
