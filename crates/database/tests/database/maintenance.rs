//! The maintenance computations (trending scores, artist statistics, show status transitions) on
//! hand-built data, run as the service role the worker uses.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use theset_database::enums::{SetlistType, ShowStatus, UserRole, VoteType};
use theset_database::ids::{ArtistId, ShowId, SongId, VenueId};
use theset_database::models::{
    Artist, ArtistStats, NewSetlist, NewSetlistSong, NewShow, NewShowArtist, NewSong, Setlist,
    SetlistSong, Show, ShowArtist, ShowUpdate, Song, StatusChanges, TrendingChanges, Vote,
};
use theset_database::schema::{artists, setlists, show_view_trends, shows, votes};
use theset_database::testing::{TestDatabase, fixtures};

const HOUR: f64 = 3600.0;
const HALF_LIFE_HOURS: f64 = 48.0;

fn weight(age_hours: f64) -> f64 {
    0.5f64.powf(age_hours / HALF_LIFE_HOURS)
}

fn slug(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

async fn new_show(
    conn: &mut AsyncPgConnection,
    artist: ArtistId,
    venue: VenueId,
    date: NaiveDate,
    time: Option<NaiveTime>,
) -> Show {
    Show::create(
        conn,
        &NewShow {
            venue_id: Some(venue),
            start_time: time,
            ..NewShow::new(artist, "Hand-built show".to_owned(), slug("show"), date)
        },
    )
    .await
    .unwrap()
}

async fn set_status(conn: &mut AsyncPgConnection, show: ShowId, status: ShowStatus) {
    Show::update(
        conn,
        show,
        &ShowUpdate {
            status: Some(status),
            ..Default::default()
        },
    )
    .await
    .unwrap();
}

async fn song(conn: &mut AsyncPgConnection, artist: &Artist, title: &str) -> Song {
    Song::create(
        conn,
        &NewSong::new(artist.id, title.to_owned(), artist.name.clone()),
    )
    .await
    .unwrap()
}

/// A setlist of `kind` for `artist` at `show` with these songs in order; `(song, tape)`.
async fn setlist(
    conn: &mut AsyncPgConnection,
    show: ShowId,
    artist: ArtistId,
    kind: SetlistType,
    songs: &[(SongId, bool)],
) -> Setlist {
    let setlist = Setlist::create(conn, &NewSetlist::new(show, artist, kind))
        .await
        .unwrap();
    for (position, (song, tape)) in songs.iter().enumerate() {
        SetlistSong::create(
            conn,
            &NewSetlistSong {
                is_tape: Some(*tape),
                ..NewSetlistSong::new(setlist.id, *song, i32::try_from(position + 1).unwrap())
            },
        )
        .await
        .unwrap();
    }
    setlist
}

async fn scores(conn: &mut AsyncPgConnection, show: ShowId, artist: ArtistId) -> (f64, f64) {
    let show_score = shows::table
        .find(show)
        .select(shows::trending_score)
        .first::<f64>(conn)
        .await
        .unwrap();
    let artist_score = artists::table
        .find(artist)
        .select(artists::trending_score)
        .first::<f64>(conn)
        .await
        .unwrap();
    (show_score, artist_score)
}

fn assert_close(actual: f64, expected: f64, what: &str) {
    assert!(
        (actual - expected).abs() < 1e-3,
        "{what}: {actual} (expected {expected})"
    );
}

#[tokio::test]
async fn trending_scores_decay_votes_and_views_and_roll_up_to_artists() {
    let db = TestDatabase::new().await;
    let mut owner = db.conn().await;
    let mut service = db.conn_as("theset_service").await;

    // Show one: three votes (two up, one down); show two, headlined by another artist with the
    // first one supporting: one vote.
    let one = fixtures::show(&mut owner, 3).await;
    let two = fixtures::show(&mut owner, 1).await;
    ShowArtist::create(
        &mut owner,
        &NewShowArtist {
            show_id: two.show.id,
            artist_id: one.artist.id,
            order_index: 1,
            set_length: None,
            is_headliner: false,
        },
    )
    .await
    .unwrap();
    let fans = [
        fixtures::user(&mut owner, UserRole::User).await,
        fixtures::user(&mut owner, UserRole::User).await,
    ];
    Vote::cast(
        &mut owner,
        fans[0].id,
        one.setlist_songs[0].id,
        VoteType::Up,
    )
    .await
    .unwrap();
    Vote::cast(
        &mut owner,
        fans[1].id,
        one.setlist_songs[0].id,
        VoteType::Up,
    )
    .await
    .unwrap();
    Vote::cast(
        &mut owner,
        fans[0].id,
        one.setlist_songs[1].id,
        VoteType::Down,
    )
    .await
    .unwrap();
    Vote::cast(
        &mut owner,
        fans[0].id,
        two.setlist_songs[0].id,
        VoteType::Up,
    )
    .await
    .unwrap();
    // Every vote cast at t0, exactly; show one seen 20 times so far.
    let t0 = Utc.with_ymd_and_hms(2031, 3, 1, 12, 0, 0).unwrap();
    diesel::update(votes::table)
        .set(votes::created_at.eq(t0))
        .execute(&mut owner)
        .await
        .unwrap();
    diesel::update(shows::table.find(one.show.id))
        .set(shows::view_count.eq(20))
        .execute(&mut owner)
        .await
        .unwrap();

    // Two days (one half-life) later.
    let t1 = t0 + Duration::hours(48);
    let changed = Show::recompute_trending(&mut service, Some(t1))
        .await
        .unwrap();
    assert_eq!(
        changed,
        TrendingChanges {
            shows: 2,
            artists: 2
        }
    );
    let show_one = 3.0 * weight(48.0) + 0.1 * 20.0;
    let show_two = weight(48.0);
    let (s1, a1) = scores(&mut service, one.show.id, one.artist.id).await;
    let (s2, a2) = scores(&mut service, two.show.id, two.artist.id).await;
    assert_close(s1, show_one, "show one");
    assert_close(s2, show_two, "show two");
    assert_close(
        a1,
        show_one + 0.5 * show_two,
        "headliner of one, support of two",
    );
    assert_close(a2, show_two, "headliner of two");

    // The same instant again: nothing moves.
    let again = Show::recompute_trending(&mut service, Some(t1))
        .await
        .unwrap();
    assert_eq!(
        again,
        TrendingChanges {
            shows: 0,
            artists: 0
        }
    );
    assert_eq!(
        scores(&mut service, one.show.id, one.artist.id).await,
        (s1, a1)
    );
    // Ten minutes on, decay alone moved every score by under 1 %: nothing is rewritten.
    let lazy = Show::recompute_trending(&mut service, Some(t1 + Duration::minutes(10)))
        .await
        .unwrap();
    assert_eq!(
        lazy,
        TrendingChanges {
            shows: 0,
            artists: 0
        }
    );

    // Two more days and ten more views: the old views have halved, the new ones count fully.
    diesel::update(shows::table.find(one.show.id))
        .set(shows::view_count.eq(30))
        .execute(&mut owner)
        .await
        .unwrap();
    let t2 = t0 + Duration::hours(96);
    Show::recompute_trending(&mut service, Some(t2))
        .await
        .unwrap();
    let views = 20.0 * weight(48.0) + 10.0;
    let show_one = 3.0 * weight(96.0) + 0.1 * views;
    let show_two = weight(96.0);
    let (s1, a1) = scores(&mut service, one.show.id, one.artist.id).await;
    assert_close(s1, show_one, "show one, later");
    assert_close(a1, show_one + 0.5 * show_two, "artist one, later");

    // A cancelled show does not trend, and no longer lifts its artists.
    set_status(&mut owner, two.show.id, ShowStatus::Cancelled).await;
    Show::recompute_trending(&mut service, Some(t2))
        .await
        .unwrap();
    let (s2, a2) = scores(&mut service, two.show.id, two.artist.id).await;
    assert_eq!((s2, a2), (0.0, 0.0));
    let (_, a1) = scores(&mut service, one.show.id, one.artist.id).await;
    assert_close(a1, show_one, "artist one without the cancelled show");

    // Fifteen days after the votes they fall out of the window; only decayed views remain.
    let t3 = t0 + Duration::days(15);
    Show::recompute_trending(&mut service, Some(t3))
        .await
        .unwrap();
    let (s1, _) = scores(&mut service, one.show.id, one.artist.id).await;
    let hours_since_t2 = (t3 - t2).num_seconds() as f64 / HOUR;
    assert_close(s1, 0.1 * views * weight(hours_since_t2), "views only");
    // No new views since t2: the folded total was not rewritten, it decays as it is read.
    let folded_at: DateTime<Utc> = show_view_trends::table
        .find(one.show.id)
        .select(show_view_trends::computed_at)
        .first(&mut service)
        .await
        .unwrap();
    assert_eq!(folded_at, t2);

    // Long after, what is left falls under 0.01 and is stored as 0.
    Show::recompute_trending(&mut service, Some(t0 + Duration::days(60)))
        .await
        .unwrap();
    assert_eq!(
        scores(&mut service, one.show.id, one.artist.id).await,
        (0.0, 0.0)
    );
}

#[tokio::test]
async fn trending_needs_the_service_role() {
    let db = TestDatabase::new().await;
    let mut api = db.conn_as("theset_api").await;
    let refused = Show::recompute_trending(&mut api, None).await;
    assert!(
        refused
            .unwrap_err()
            .to_string()
            .contains("permission denied"),
        "the API role may not recompute scores"
    );
}

#[tokio::test]
async fn artist_stats_count_actual_setlists_only_and_skip_tape() {
    let db = TestDatabase::new().await;
    let mut owner = db.conn().await;
    let mut service = db.conn_as("theset_service").await;
    let artist = fixtures::artist(&mut owner, "Stats Artist").await;
    let other = fixtures::artist(&mut owner, "Other Headliner").await;
    let quiet = fixtures::artist(&mut owner, "Quiet Artist").await;
    let untouched = fixtures::artist(&mut owner, "Not Refreshed").await;
    let venue = fixtures::venue(&mut owner, "Stats Hall", 52.52, 13.40, "UTC").await;
    let x = song(&mut owner, &artist, "Song X").await;
    let y = song(&mut owner, &artist, "Song Y").await;
    let z = song(&mut owner, &artist, "Song Z").await;
    let intro = song(&mut owner, &artist, "Intro Tape").await;
    let day = |d: u32| NaiveDate::from_ymd_opt(2030, 5, d).unwrap();
    let eight = NaiveTime::from_hms_opt(20, 0, 0);
    let as_of = Utc.with_ymd_and_hms(2030, 5, 20, 0, 0, 0).unwrap();

    // s1: X, Y, X again (a reprise), and tape. s2: X, Z. s3: the artist supports `other` and
    // plays Y. s4: only tape. s5 was cancelled; s6 is after `as_of`.
    let s1 = new_show(&mut owner, artist.id, venue.id, day(1), eight).await;
    let s2 = new_show(&mut owner, artist.id, venue.id, day(5), eight).await;
    let s3 = new_show(&mut owner, other.id, venue.id, day(9), eight).await;
    let s4 = new_show(&mut owner, artist.id, venue.id, day(12), eight).await;
    let s5 = new_show(&mut owner, artist.id, venue.id, day(15), eight).await;
    let s6 = new_show(&mut owner, artist.id, venue.id, day(25), eight).await;
    set_status(&mut owner, s5.id, ShowStatus::Cancelled).await;
    ShowArtist::create(
        &mut owner,
        &NewShowArtist {
            show_id: s3.id,
            artist_id: artist.id,
            order_index: 1,
            set_length: None,
            is_headliner: false,
        },
    )
    .await
    .unwrap();
    let actual = SetlistType::Actual;
    setlist(
        &mut owner,
        s1.id,
        artist.id,
        actual,
        &[
            (intro.id, true),
            (x.id, false),
            (y.id, false),
            (x.id, false),
        ],
    )
    .await;
    setlist(
        &mut owner,
        s2.id,
        artist.id,
        actual,
        &[(x.id, false), (z.id, false)],
    )
    .await;
    setlist(&mut owner, s3.id, artist.id, actual, &[(y.id, false)]).await;
    setlist(&mut owner, s4.id, artist.id, actual, &[(intro.id, true)]).await;
    // Predictions, however many, are not plays; nor are the tapes.
    for show in [s1.id, s2.id, s6.id] {
        setlist(
            &mut owner,
            show,
            artist.id,
            SetlistType::Predicted,
            &[(z.id, false), (intro.id, false)],
        )
        .await;
    }
    setlist(
        &mut owner,
        s6.id,
        artist.id,
        actual,
        &[(z.id, false), (z.id, false), (z.id, false)],
    )
    .await;

    let only = [artist.id, other.id, quiet.id];
    let written = ArtistStats::refresh(&mut service, Some(&only), Some(as_of))
        .await
        .unwrap();
    assert_eq!(written, 3, "a row for each named artist");

    let stats = artist.stats(&mut service).await.unwrap().unwrap();
    assert_eq!(
        stats.total_shows, 4,
        "s1, s2, s3 (as support) and s4; not the cancelled or the future one"
    );
    assert_eq!(stats.last_show_date, Some(s4.starts_at));
    assert_eq!(
        stats.total_setlists, 3,
        "s1, s2, s3: the tape-only setlist has no songs"
    );
    assert_eq!(
        stats.avg_setlist_length,
        Some(2.0),
        "(3 + 2 + 1) / 3, tape excluded"
    );
    // X and Y were each played at two shows (a reprise counts once: song_stats), and Y was
    // played last (s3).
    assert_eq!(stats.most_played_song.as_deref(), Some("Song Y"));

    let headliner = other.stats(&mut service).await.unwrap().unwrap();
    assert_eq!(
        (headliner.total_shows, headliner.total_setlists),
        (1, 0),
        "s3, where the headliner's own setlist is not known"
    );
    assert_eq!(headliner.avg_setlist_length, None);
    assert_eq!(headliner.last_show_date, Some(s3.starts_at));
    let nothing = quiet.stats(&mut service).await.unwrap().unwrap();
    assert_eq!(
        (
            nothing.total_shows,
            nothing.total_setlists,
            nothing.avg_setlist_length,
            nothing.most_played_song,
            nothing.last_show_date
        ),
        (0, 0, None, None, None)
    );
    assert!(
        untouched.stats(&mut service).await.unwrap().is_none(),
        "only the named artists are refreshed"
    );

    // Nothing changed: nothing rewritten. Then s6 is played (Z three times): Z leads, and the
    // figures follow.
    assert_eq!(
        ArtistStats::refresh(&mut service, Some(&only), Some(as_of))
            .await
            .unwrap(),
        0
    );
    let later = Utc.with_ymd_and_hms(2030, 5, 30, 0, 0, 0).unwrap();
    assert_eq!(
        ArtistStats::refresh(&mut service, Some(&[artist.id]), Some(later))
            .await
            .unwrap(),
        1
    );
    let stats = artist.stats(&mut service).await.unwrap().unwrap();
    assert_eq!(stats.total_shows, 5);
    assert_eq!(stats.total_setlists, 4);
    assert_eq!(stats.avg_setlist_length, Some(2.25));
    assert_eq!(stats.most_played_song.as_deref(), Some("Song Z"));
    assert_eq!(stats.last_show_date, Some(s6.starts_at));

    // Every artist, when none is named.
    let all = ArtistStats::refresh(&mut service, None, Some(later))
        .await
        .unwrap();
    assert_eq!(
        all, 1,
        "only the artist not refreshed before gets a new row"
    );
    assert!(untouched.stats(&mut service).await.unwrap().is_some());
}

#[tokio::test]
async fn most_played_ties_go_to_the_latest_play() {
    let db = TestDatabase::new().await;
    let mut owner = db.conn().await;
    let artist = fixtures::artist(&mut owner, "Tie Artist").await;
    let venue = fixtures::venue(&mut owner, "Tie Hall", 52.52, 13.40, "UTC").await;
    let early = song(&mut owner, &artist, "A Early Song").await;
    let late = song(&mut owner, &artist, "Z Late Song").await;
    let eight = NaiveTime::from_hms_opt(20, 0, 0);
    let first = new_show(
        &mut owner,
        artist.id,
        venue.id,
        NaiveDate::from_ymd_opt(2030, 1, 1).unwrap(),
        eight,
    )
    .await;
    let second = new_show(
        &mut owner,
        artist.id,
        venue.id,
        NaiveDate::from_ymd_opt(2030, 2, 1).unwrap(),
        eight,
    )
    .await;
    setlist(
        &mut owner,
        first.id,
        artist.id,
        SetlistType::Actual,
        &[(early.id, false)],
    )
    .await;
    setlist(
        &mut owner,
        second.id,
        artist.id,
        SetlistType::Actual,
        &[(late.id, false)],
    )
    .await;
    let as_of = Utc.with_ymd_and_hms(2030, 3, 1, 0, 0, 0).unwrap();
    ArtistStats::refresh(&mut owner, Some(&[artist.id]), Some(as_of))
        .await
        .unwrap();
    let stats = artist.stats(&mut owner).await.unwrap().unwrap();
    assert_eq!(stats.most_played_song.as_deref(), Some("Z Late Song"));
}

async fn status_of(conn: &mut AsyncPgConnection, show: ShowId) -> ShowStatus {
    shows::table
        .find(show)
        .select(shows::status)
        .first(conn)
        .await
        .unwrap()
}

async fn locked(conn: &mut AsyncPgConnection, show: ShowId) -> Vec<bool> {
    setlists::table
        .filter(setlists::show_id.eq(show))
        .filter(setlists::type_.eq(SetlistType::Predicted))
        .select(setlists::is_locked)
        .load(conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn shows_start_lock_their_predictions_and_complete_later() {
    let db = TestDatabase::new().await;
    let mut owner = db.conn().await;
    let mut service = db.conn_as("theset_service").await;
    let artist = fixtures::artist(&mut owner, "Status Artist").await;
    let venue = fixtures::venue(&mut owner, "Status Hall", 52.52, 13.40, "UTC").await;
    let day = NaiveDate::from_ymd_opt(2030, 7, 1).unwrap();
    let at = |h: u32| NaiveTime::from_hms_opt(h, 0, 0);
    let instant = |d: NaiveDate, h: u32| -> DateTime<Utc> {
        Utc.from_utc_datetime(&d.and_hms_opt(h, 0, 0).unwrap())
    };
    let as_of = instant(day, 20);

    let started = new_show(&mut owner, artist.id, venue.id, day, at(19)).await;
    let later = new_show(&mut owner, artist.id, venue.id, day, at(21)).await;
    let long_ago = new_show(&mut owner, artist.id, venue.id, day, at(13)).await;
    let running = new_show(&mut owner, artist.id, venue.id, day, at(12)).await;
    set_status(&mut owner, running.id, ShowStatus::Ongoing).await;
    let tba = new_show(&mut owner, artist.id, venue.id, day, None).await;
    let cancelled = new_show(&mut owner, artist.id, venue.id, day, at(10)).await;
    set_status(&mut owner, cancelled.id, ShowStatus::Cancelled).await;
    for show in [started.id, later.id, long_ago.id, tba.id] {
        setlist(&mut owner, show, artist.id, SetlistType::Predicted, &[]).await;
    }

    let changes = Show::advance_statuses(&mut service, Some(as_of))
        .await
        .unwrap();
    assert_eq!(
        changes,
        StatusChanges {
            started: 2,
            completed: 2,
            locked: 3
        },
        "started and tba start; long_ago and running complete; three predictions lock"
    );
    assert_eq!(
        status_of(&mut service, started.id).await,
        ShowStatus::Ongoing
    );
    assert_eq!(locked(&mut service, started.id).await, vec![true]);
    assert_eq!(
        status_of(&mut service, later.id).await,
        ShowStatus::Upcoming
    );
    assert_eq!(locked(&mut service, later.id).await, vec![false]);
    assert_eq!(
        status_of(&mut service, long_ago.id).await,
        ShowStatus::Completed,
        "seven hours past its start: straight to completed"
    );
    assert_eq!(locked(&mut service, long_ago.id).await, vec![true]);
    assert_eq!(
        status_of(&mut service, running.id).await,
        ShowStatus::Completed
    );
    assert_eq!(
        status_of(&mut service, tba.id).await,
        ShowStatus::Ongoing,
        "no announced time: the show may be tonight"
    );
    assert_eq!(locked(&mut service, tba.id).await, vec![true]);
    assert_eq!(
        status_of(&mut service, cancelled.id).await,
        ShowStatus::Cancelled
    );

    // Idempotent.
    assert_eq!(
        Show::advance_statuses(&mut service, Some(as_of))
            .await
            .unwrap(),
        StatusChanges {
            started: 0,
            completed: 0,
            locked: 0
        }
    );

    // Six hours after its start the show is over; the TBA show lasts until 06:00 the next day.
    let next_day = day.succ_opt().unwrap();
    let changes = Show::advance_statuses(&mut service, Some(instant(next_day, 3)))
        .await
        .unwrap();
    assert_eq!(changes.completed, 2, "started and later");
    assert_eq!(status_of(&mut service, tba.id).await, ShowStatus::Ongoing);
    let changes = Show::advance_statuses(&mut service, Some(instant(next_day, 6)))
        .await
        .unwrap();
    assert_eq!(changes.completed, 1);
    assert_eq!(status_of(&mut service, tba.id).await, ShowStatus::Completed);
    assert_eq!(
        status_of(&mut service, cancelled.id).await,
        ShowStatus::Cancelled
    );
    assert_eq!(Show::ONGOING_FOR, Duration::hours(6));
}
