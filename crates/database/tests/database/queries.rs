//! The prepared queries: ordering, empty results, not found, bad ids, pagination, round trips.

use chrono::{Duration, NaiveTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use theset_database::enums::{SetlistType, ShowStatus, UserRole, VoteType};
use theset_database::ids::{ArtistId, SetlistId, SongId};
use theset_database::models::*;
use theset_database::pagination::{Cursor, Key};
use theset_database::schema::setlist_songs;
use theset_database::search::search;
use theset_database::testing::{TestDatabase, fixtures};
use theset_database::{Claims, Closed, Error, transaction_as};

async fn show_at(
    conn: &mut AsyncPgConnection,
    artist: &Artist,
    venue: &Venue,
    days: i64,
    slug: &str,
    status: ShowStatus,
) -> Show {
    Show::create(
        conn,
        &NewShow {
            venue_id: Some(venue.id),
            start_time: NaiveTime::from_hms_opt(20, 0, 0),
            status: Some(status),
            ..NewShow::new(
                artist.id,
                slug.to_owned(),
                slug.to_owned(),
                (Utc::now() + Duration::days(days)).date_naive(),
            )
        },
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn show_details_returns_the_whole_page_in_one_statement() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 5).await;
    let support = fixtures::artist(&mut conn, "Opener").await;
    ShowArtist::create(
        &mut conn,
        &NewShowArtist {
            show_id: sample.show.id,
            artist_id: support.id,
            order_index: 1,
            set_length: Some(30),
            is_headliner: false,
        },
    )
    .await
    .unwrap();
    ShowArtist::create(
        &mut conn,
        &NewShowArtist {
            show_id: sample.show.id,
            artist_id: sample.artist.id,
            order_index: 0,
            set_length: None,
            is_headliner: true,
        },
    )
    .await
    .unwrap();
    let actual = Setlist::create(
        &mut conn,
        &NewSetlist {
            imported_from: Some("setlist.fm".into()),
            external_id: Some("abc".into()),
            source_version_id: Some("v1".into()),
            source_url: Some("https://www.setlist.fm/x".into()),
            ..NewSetlist::new(sample.show.id, sample.artist.id, SetlistType::Actual)
        },
    )
    .await
    .unwrap();
    for (position, song) in [(1, 3), (2, 0), (3, 3)] {
        SetlistSong::create(
            &mut conn,
            &NewSetlistSong {
                encore: Some(i32::from(position == 3)),
                info: (position == 3).then(|| "reprise".into()),
                ..NewSetlistSong::new(actual.id, sample.songs[song].id, position)
            },
        )
        .await
        .unwrap();
    }
    let fan = fixtures::user(&mut conn, UserRole::User).await;
    Vote::cast(&mut conn, fan.id, sample.setlist_songs[2].id, VoteType::Up)
        .await
        .unwrap();

    let by_id = Show::details(&mut conn, &Key::Id(sample.show.id.0))
        .await
        .unwrap();
    let by_slug = Show::details(&mut conn, &Key::parse(&sample.show.slug))
        .await
        .unwrap();
    assert_eq!(by_id, by_slug);
    assert_eq!(by_id.show.id, sample.show.id);
    assert_eq!(by_id.headliner, sample.artist);
    assert_eq!(by_id.venue.as_ref().map(|v| v.id), Some(sample.venue.id));
    assert_eq!(
        by_id
            .lineup
            .iter()
            .map(|l| (l.slot.order_index, l.artist.id))
            .collect::<Vec<_>>(),
        vec![(0, sample.artist.id), (1, support.id)]
    );
    // Predicted first, then actual; songs by position, each with its catalog entry.
    assert_eq!(
        by_id
            .setlists
            .iter()
            .map(|s| s.setlist.type_)
            .collect::<Vec<_>>(),
        vec![SetlistType::Predicted, SetlistType::Actual]
    );
    let predicted = &by_id.setlists[0];
    assert_eq!(
        predicted
            .songs
            .iter()
            .map(|e| e.entry.position)
            .collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5]
    );
    assert!(predicted.songs.iter().all(|e| e.entry.song_id == e.song.id));
    assert_eq!(predicted.songs[2].entry.upvotes, 1);
    assert_eq!(
        predicted.songs[2].entry,
        SetlistSong::find(&mut conn, sample.setlist_songs[2].id)
            .await
            .unwrap()
    );
    let played = &by_id.setlists[1];
    assert_eq!(
        played.songs.iter().map(|e| e.song.id).collect::<Vec<_>>(),
        vec![sample.songs[3].id, sample.songs[0].id, sample.songs[3].id]
    );
    assert_eq!(played.songs[2].entry.encore, 1);
    assert_eq!(
        played.setlist.source_url.as_deref(),
        Some("https://www.setlist.fm/x")
    );
    // Round-trips exactly through the typed models.
    assert_eq!(
        by_id.show,
        Show::find(&mut conn, sample.show.id).await.unwrap()
    );

    // Not found, by id and by slug; a show without venue or setlists still comes back whole.
    let missing = Show::details(&mut conn, &Key::Id(uuid::Uuid::new_v4()))
        .await
        .unwrap_err();
    assert!(matches!(Error::from(missing), Error::NotFound));
    let missing = Show::details(&mut conn, &Key::parse("no-such-show"))
        .await
        .unwrap_err();
    assert!(matches!(Error::from(missing), Error::NotFound));
    let bare = Show::create(
        &mut conn,
        &NewShow {
            venue_id: None,
            slug: "bare".into(),
            ..new_show_like(&sample.show)
        },
    )
    .await
    .unwrap();
    let bare = Show::details(&mut conn, &Key::Id(bare.id.0)).await.unwrap();
    assert!(bare.venue.is_none() && bare.lineup.is_empty() && bare.setlists.is_empty());
}

fn new_show_like(show: &Show) -> NewShow {
    NewShow {
        venue_id: show.venue_id,
        start_time: show.start_time,
        ..NewShow::new(
            show.headliner_artist_id,
            show.name.clone(),
            show.slug.clone(),
            show.date,
        )
    }
}

#[tokio::test]
async fn trending_lists_upcoming_shows_by_score() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    assert!(
        Show::trending(&mut conn, 10).await.unwrap().is_empty(),
        "empty database, empty list"
    );
    let artist = fixtures::artist(&mut conn, "Trend").await;
    let venue = fixtures::venue(&mut conn, "Hall", 51.5, -0.12, "Europe/London").await;
    let mut expected = Vec::new();
    for (n, score) in [3.0, 9.0, 1.0, 9.0, 5.0].into_iter().enumerate() {
        let show = show_at(
            &mut conn,
            &artist,
            &venue,
            10 + n as i64,
            &format!("trend-{n}"),
            ShowStatus::Upcoming,
        )
        .await;
        Show::update(
            &mut conn,
            show.id,
            &ShowUpdate {
                trending_score: Some(score),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        expected.push((score, show.id));
    }
    let done = show_at(
        &mut conn,
        &artist,
        &venue,
        -3,
        "trend-past",
        ShowStatus::Completed,
    )
    .await;
    Show::update(
        &mut conn,
        done.id,
        &ShowUpdate {
            trending_score: Some(100.0),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    expected.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let trending = Show::trending(&mut conn, 3).await.unwrap();
    assert_eq!(
        trending.iter().map(|c| c.show.id).collect::<Vec<_>>(),
        expected.iter().take(3).map(|e| e.1).collect::<Vec<_>>()
    );
    assert!(
        trending.iter().all(
            |c| c.headliner.id == artist.id && c.venue.as_ref().map(|v| v.id) == Some(venue.id)
        )
    );
}

#[tokio::test]
async fn artist_and_venue_show_lists_page_by_cursor() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let artist = fixtures::artist(&mut conn, "Pager").await;
    let other = fixtures::artist(&mut conn, "Other").await;
    let venue = fixtures::venue(&mut conn, "Club", 40.7, -74.0, "America/New_York").await;
    let mut upcoming = Vec::new();
    for n in 0..7 {
        upcoming.push(
            show_at(
                &mut conn,
                &artist,
                &venue,
                5 + n,
                &format!("up-{n}"),
                ShowStatus::Upcoming,
            )
            .await
            .id,
        );
    }
    let mut past = Vec::new();
    for n in 0..4 {
        past.push(
            show_at(
                &mut conn,
                &artist,
                &venue,
                -5 - n,
                &format!("past-{n}"),
                ShowStatus::Completed,
            )
            .await
            .id,
        );
    }
    show_at(
        &mut conn,
        &other,
        &venue,
        3,
        "someone-else",
        ShowStatus::Upcoming,
    )
    .await;

    let mut seen = Vec::new();
    let mut cursor: Option<Cursor> = None;
    loop {
        let page = Show::list(
            &mut conn,
            ShowsOf::Headliner(artist.id),
            ShowTimeline::Upcoming,
            cursor.as_ref(),
            3,
        )
        .await
        .unwrap();
        assert!(page.items.len() <= 3);
        seen.extend(page.items.iter().map(|c| c.show.id));
        match page.next_cursor {
            Some(next) => cursor = Some(Cursor::decode(&next).unwrap()),
            None => break,
        }
    }
    assert_eq!(seen, upcoming, "soonest first, every show once");
    let completed = Show::list(
        &mut conn,
        ShowsOf::Headliner(artist.id),
        ShowTimeline::Completed,
        None,
        10,
    )
    .await
    .unwrap();
    assert_eq!(
        completed
            .items
            .iter()
            .map(|c| c.show.id)
            .collect::<Vec<_>>(),
        past,
        "most recent first"
    );
    assert_eq!(completed.next_cursor, None);
    let at_venue = Show::list(
        &mut conn,
        ShowsOf::Venue(venue.id),
        ShowTimeline::Upcoming,
        None,
        100,
    )
    .await
    .unwrap();
    assert_eq!(at_venue.items.len(), 8);
    let nobody = Show::list(
        &mut conn,
        ShowsOf::Headliner(ArtistId::new_random()),
        ShowTimeline::Upcoming,
        None,
        10,
    )
    .await
    .unwrap();
    assert!(nobody.items.is_empty() && nobody.next_cursor.is_none());
    assert!(Cursor::decode("not a cursor").is_err());
    assert!(Cursor::decode(&"A".repeat(2000)).is_err());
}

#[tokio::test]
async fn artists_catalog_and_lookups() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let names = ["Zebra", "Alpha", "Mötley Crüe", "Beta", "Alpha"];
    let mut artists = Vec::new();
    for name in names {
        artists.push(fixtures::artist(&mut conn, name).await);
    }
    let mut pages = Vec::new();
    let mut cursor: Option<Cursor> = None;
    loop {
        let page = Artist::list(&mut conn, cursor.as_ref(), 2).await.unwrap();
        pages.extend(page.items.iter().map(|a| (a.name.clone(), a.id)));
        match page.next_cursor {
            Some(next) => cursor = Some(Cursor::decode(&next).unwrap()),
            None => break,
        }
    }
    let mut expected: Vec<(String, ArtistId)> =
        artists.iter().map(|a| (a.name.clone(), a.id)).collect();
    expected.sort();
    assert_eq!(pages, expected);

    let with_stats = Artist::find_with_stats(&mut conn, &Key::parse(&artists[0].slug))
        .await
        .unwrap();
    assert_eq!(
        (with_stats.artist.id, with_stats.stats),
        (artists[0].id, None)
    );
    ArtistStats::upsert(
        &mut conn,
        &NewArtistStats {
            artist_id: artists[0].id,
            total_shows: 4,
            total_setlists: 2,
            avg_setlist_length: Some(18.0),
            most_played_song: None,
            last_show_date: None,
        },
    )
    .await
    .unwrap();
    let with_stats = Artist::find_with_stats(&mut conn, &Key::Id(artists[0].id.0))
        .await
        .unwrap();
    assert_eq!(with_stats.stats.map(|s| s.total_shows), Some(4));
    assert!(matches!(
        Error::from(
            Artist::find_by_key(&mut conn, &Key::parse("nobody"))
                .await
                .unwrap_err()
        ),
        Error::NotFound
    ));

    for title in ["b-side", "A Song", "Ça plane pour moi", "a song (Live)"] {
        let created = Song::create(
            &mut conn,
            &NewSong::new(artists[0].id, title.into(), "Zebra".into()),
        )
        .await;
        if title == "a song (Live)" {
            assert!(
                matches!(
                    Error::from(created.unwrap_err()),
                    Error::UniqueViolation { .. }
                ),
                "same title key as \"A Song\""
            );
        } else {
            created.unwrap();
        }
    }
    let catalog = Song::catalog(&mut conn, artists[0].id, None, 2)
        .await
        .unwrap();
    assert_eq!(
        catalog
            .items
            .iter()
            .map(|s| s.title.as_str())
            .collect::<Vec<_>>(),
        vec!["A Song", "b-side"]
    );
    let rest = Song::catalog(
        &mut conn,
        artists[0].id,
        Some(&Cursor::decode(catalog.next_cursor.as_deref().unwrap()).unwrap()),
        2,
    )
    .await
    .unwrap();
    assert_eq!(
        rest.items
            .iter()
            .map(|s| s.title.as_str())
            .collect::<Vec<_>>(),
        vec!["Ça plane pour moi"]
    );
    assert!(rest.next_cursor.is_none());
    assert!(
        Song::catalog(&mut conn, artists[1].id, None, 10)
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

#[tokio::test]
async fn venues_and_shows_near_a_point() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let artist = fixtures::artist(&mut conn, "Nearby").await;
    let columbiahalle = fixtures::venue(
        &mut conn,
        "Columbiahalle",
        52.4840,
        13.3906,
        "Europe/Berlin",
    )
    .await;
    let tempodrom =
        fixtures::venue(&mut conn, "Tempodrom", 52.5005, 13.3817, "Europe/Berlin").await;
    let waschhaus =
        fixtures::venue(&mut conn, "Waschhaus", 52.4046, 13.0766, "Europe/Berlin").await;
    let olympia = fixtures::venue(&mut conn, "Olympia", 48.8701, 2.3283, "Europe/Paris").await;
    let (lat, lng) = (52.5200, 13.4050);

    let near = Venue::nearby(&mut conn, lat, lng, 10.0, 10).await.unwrap();
    assert_eq!(
        near.iter().map(|v| v.venue.id).collect::<Vec<_>>(),
        vec![tempodrom.id, columbiahalle.id]
    );
    assert!(near[0].distance_m < near[1].distance_m && near[1].distance_m < 10_000.0);
    assert_eq!(
        Venue::nearby(&mut conn, lat, lng, 50.0, 10)
            .await
            .unwrap()
            .len(),
        3
    );
    assert!(
        Venue::nearby(&mut conn, -33.86, 151.2, 50.0, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        Venue::find_by_key(&mut conn, &Key::parse(&olympia.slug))
            .await
            .unwrap(),
        olympia
    );

    let soon_far = show_at(
        &mut conn,
        &artist,
        &waschhaus,
        2,
        "soon-far",
        ShowStatus::Upcoming,
    )
    .await;
    let late_near = show_at(
        &mut conn,
        &artist,
        &tempodrom,
        30,
        "late-near",
        ShowStatus::Upcoming,
    )
    .await;
    let mid = show_at(
        &mut conn,
        &artist,
        &columbiahalle,
        10,
        "mid",
        ShowStatus::Upcoming,
    )
    .await;
    show_at(
        &mut conn,
        &artist,
        &olympia,
        5,
        "paris",
        ShowStatus::Upcoming,
    )
    .await;
    show_at(
        &mut conn,
        &artist,
        &tempodrom,
        -5,
        "over",
        ShowStatus::Completed,
    )
    .await;
    let search = |order, to: Option<i64>| NearbyShows {
        latitude: lat,
        longitude: lng,
        radius_km: 50.0,
        from: Utc::now(),
        to: to.map(|d| Utc::now() + Duration::days(d)),
        order,
        limit: 10,
    };
    let nearest = Show::nearby(&mut conn, &search(NearbyOrder::Nearest, None))
        .await
        .unwrap();
    assert_eq!(
        nearest.iter().map(|s| s.card.show.id).collect::<Vec<_>>(),
        vec![late_near.id, mid.id, soon_far.id]
    );
    let soonest = Show::nearby(&mut conn, &search(NearbyOrder::Soonest, None))
        .await
        .unwrap();
    assert_eq!(
        soonest.iter().map(|s| s.card.show.id).collect::<Vec<_>>(),
        vec![soon_far.id, mid.id, late_near.id]
    );
    assert!(
        nearest
            .windows(2)
            .all(|w| w[0].distance_m < w[1].distance_m),
        "distances grow: {:?}",
        nearest.iter().map(|s| s.distance_m).collect::<Vec<_>>()
    );
    assert_eq!(
        nearest
            .iter()
            .map(|s| s.card.venue.as_ref().map(|v| v.id))
            .collect::<Vec<_>>(),
        vec![
            Some(tempodrom.id),
            Some(columbiahalle.id),
            Some(waschhaus.id)
        ]
    );
    // The limit keeps the first shows of the whole order, not of some other order.
    let first_two = Show::nearby(
        &mut conn,
        &NearbyShows {
            limit: 2,
            ..search(NearbyOrder::Soonest, None)
        },
    )
    .await
    .unwrap();
    assert_eq!(
        first_two.iter().map(|s| s.card.show.id).collect::<Vec<_>>(),
        vec![soon_far.id, mid.id]
    );
    let window = Show::nearby(&mut conn, &search(NearbyOrder::Soonest, Some(15)))
        .await
        .unwrap();
    assert_eq!(
        window.iter().map(|s| s.card.show.id).collect::<Vec<_>>(),
        vec![soon_far.id, mid.id]
    );
}

#[tokio::test]
async fn search_ranks_artists_songs_and_venues() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let beyonce = fixtures::artist(&mut conn, "Beyoncé").await;
    fixtures::artist(&mut conn, "Beyoncé Tribute Band").await;
    fixtures::artist(&mut conn, "Mötley Crüe").await;
    Song::create(
        &mut conn,
        &NewSong::new(beyonce.id, "Halo".into(), "Beyoncé".into()),
    )
    .await
    .unwrap();
    fixtures::venue(&mut conn, "Halo Hall", 1.0, 1.0, "UTC").await;

    let results = search(&mut conn, "beyonce", 10).await.unwrap();
    assert_eq!(
        results.artists[..].first().map(|a| a.name.as_str()),
        Some("Beyoncé"),
        "the exact match ranks first"
    );
    assert_eq!(results.artists.len(), 2);
    assert!(results.artists[0].score > results.artists[1].score);
    let results = search(&mut conn, "MOTLEY crue", 10).await.unwrap();
    assert_eq!(
        results
            .artists
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>(),
        vec!["Mötley Crüe"]
    );
    let results = search(&mut conn, "halo", 10).await.unwrap();
    assert_eq!(
        results
            .songs
            .iter()
            .map(|s| (s.title.as_str(), s.artist_slug.as_str()))
            .collect::<Vec<_>>(),
        vec![("Halo", beyonce.slug.as_str())]
    );
    assert_eq!(results.venues.len(), 1);
    assert_eq!(
        search(&mut conn, "   ", 10).await.unwrap(),
        Default::default()
    );
    assert_eq!(
        search(&mut conn, "zzzzqqq", 10).await.unwrap(),
        Default::default()
    );
    let long = "x".repeat(10_000);
    assert!(
        search(&mut conn, &long, 10)
            .await
            .unwrap()
            .artists
            .is_empty()
    );
    assert_eq!(
        search(&mut conn, "beyonce", 1).await.unwrap().artists.len(),
        1
    );
}

#[tokio::test]
async fn users_by_email_and_spotify_id_and_their_votes_on_a_show() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 3).await;
    let other = fixtures::show(&mut conn, 1).await;
    let fan = fixtures::user(&mut conn, UserRole::User).await;
    assert_eq!(
        User::find_by_email(&mut conn, &fan.email).await.unwrap(),
        fan
    );
    assert!(matches!(
        Error::from(
            User::find_by_email(&mut conn, "nobody@example.test")
                .await
                .unwrap_err()
        ),
        Error::NotFound
    ));
    assert!(matches!(
        Error::from(
            User::find_by_spotify_id(&mut conn, "spotify-x")
                .await
                .unwrap_err()
        ),
        Error::NotFound
    ));
    diesel::update(theset_database::schema::users::table.find(fan.id))
        .set(theset_database::schema::users::spotify_id.eq("spotify-x"))
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        User::find_by_spotify_id(&mut conn, "spotify-x")
            .await
            .unwrap()
            .id,
        fan.id
    );

    assert!(
        Vote::on_show(&mut conn, fan.id, sample.show.id)
            .await
            .unwrap()
            .is_empty()
    );
    Vote::cast(
        &mut conn,
        fan.id,
        sample.setlist_songs[2].id,
        VoteType::Down,
    )
    .await
    .unwrap();
    Vote::cast(&mut conn, fan.id, sample.setlist_songs[0].id, VoteType::Up)
        .await
        .unwrap();
    Vote::cast(&mut conn, fan.id, other.setlist_songs[0].id, VoteType::Up)
        .await
        .unwrap();
    let mine = Vote::on_show(&mut conn, fan.id, sample.show.id)
        .await
        .unwrap();
    assert_eq!(
        mine.iter()
            .map(|v| (v.setlist_song_id, v.vote_type))
            .collect::<Vec<_>>(),
        vec![
            (sample.setlist_songs[0].id, VoteType::Up),
            (sample.setlist_songs[2].id, VoteType::Down)
        ]
    );
}

async fn positions(conn: &mut AsyncPgConnection, setlist: SetlistId) -> Vec<(i32, SongId)> {
    setlist_songs::table
        .filter(setlist_songs::setlist_id.eq(setlist))
        .order(setlist_songs::position)
        .select((setlist_songs::position, setlist_songs::song_id))
        .load(conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn songs_are_added_at_the_end_once_and_removed_closing_the_gap() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 0).await;
    let mut catalog = Vec::new();
    for n in 0..4 {
        catalog.push(
            Song::create(
                &mut conn,
                &NewSong::new(sample.artist.id, format!("Track {n}"), "x".into()),
            )
            .await
            .unwrap()
            .id,
        );
    }
    for song in &catalog {
        Setlist::add_song(&mut conn, sample.setlist.id, *song, None)
            .await
            .unwrap();
    }
    assert_eq!(
        positions(&mut conn, sample.setlist.id).await,
        vec![
            (1, catalog[0]),
            (2, catalog[1]),
            (3, catalog[2]),
            (4, catalog[3])
        ]
    );
    let again = Error::from(
        Setlist::add_song(&mut conn, sample.setlist.id, catalog[1], None)
            .await
            .unwrap_err(),
    );
    assert!(
        matches!(&again, Error::UniqueViolation { constraint } if constraint == "setlist_songs_song_once"),
        "{again:?}"
    );
    let stranger = fixtures::artist(&mut conn, "Stranger").await;
    let foreign = Song::create(
        &mut conn,
        &NewSong::new(stranger.id, "Not Theirs".into(), "x".into()),
    )
    .await
    .unwrap();
    let wrong = Error::from(
        Setlist::add_song(&mut conn, sample.setlist.id, foreign.id, None)
            .await
            .unwrap_err(),
    );
    assert!(
        matches!(&wrong, Error::ForeignKeyViolation { constraint } if constraint == "setlist_songs_song_in_catalog"),
        "{wrong:?}"
    );
    assert!(matches!(
        Error::from(
            Setlist::add_song(&mut conn, SetlistId::new_random(), catalog[0], None)
                .await
                .unwrap_err()
        ),
        Error::NotFound
    ));

    let entries = sample.setlist.songs(&mut conn).await.unwrap();
    Setlist::remove_song(&mut conn, sample.setlist.id, entries[1].0.id)
        .await
        .unwrap();
    assert_eq!(
        positions(&mut conn, sample.setlist.id).await,
        vec![(1, catalog[0]), (2, catalog[2]), (3, catalog[3])]
    );
    assert!(matches!(
        Error::from(
            Setlist::remove_song(&mut conn, sample.setlist.id, entries[1].0.id)
                .await
                .unwrap_err()
        ),
        Error::NotFound
    ));
    Setlist::add_song(&mut conn, sample.setlist.id, catalog[1], Some("acoustic"))
        .await
        .unwrap();
    assert_eq!(
        positions(&mut conn, sample.setlist.id).await.last(),
        Some(&(4, catalog[1]))
    );

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
    let locked = Error::from(
        Setlist::add_song(&mut conn, sample.setlist.id, catalog[0], None)
            .await
            .unwrap_err(),
    );
    assert!(
        matches!(locked, Error::SetlistClosed(Closed::SetlistLocked)),
        "{locked:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_adds_never_duplicate_a_position_or_a_song() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 0).await;
    let mut catalog = Vec::new();
    for n in 0..12 {
        catalog.push(
            Song::create(
                &mut conn,
                &NewSong::new(sample.artist.id, format!("Race {n}"), "x".into()),
            )
            .await
            .unwrap()
            .id,
        );
    }
    let mut fans = Vec::new();
    for _ in 0..8 {
        fans.push(fixtures::user(&mut conn, UserRole::User).await);
    }
    let pool = db.pool_as("theset_api", 8);
    let mut tasks = Vec::new();
    for (n, fan) in fans.into_iter().enumerate() {
        let pool = pool.clone();
        let catalog = catalog.clone();
        let setlist = sample.setlist.id;
        tasks.push(tokio::spawn(async move {
            let mut conn = pool.get().await.unwrap();
            let claims = Claims::authenticated(fan.id, None);
            let mut added = 0;
            // Every fan tries every song, starting at a different one.
            for k in 0..catalog.len() {
                let song = catalog[(n * 5 + k) % catalog.len()];
                let result: Result<SetlistSong, Error> =
                    transaction_as(&mut conn, Some(&claims), |conn| {
                        Box::pin(
                            async move { Ok(Setlist::add_song(conn, setlist, song, None).await?) },
                        )
                    })
                    .await;
                match result {
                    Ok(_) => added += 1,
                    Err(Error::UniqueViolation { .. }) => {}
                    Err(other) => panic!("{other:?}"),
                }
            }
            added
        }));
    }
    let mut total = 0;
    for task in tasks {
        total += task.await.unwrap();
    }
    let rows = positions(&mut conn, sample.setlist.id).await;
    assert_eq!(total, catalog.len());
    assert_eq!(
        rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        (1..=12).collect::<Vec<_>>()
    );
    let mut songs: Vec<SongId> = rows.iter().map(|r| r.1).collect();
    songs.sort();
    songs.dedup();
    assert_eq!(songs.len(), 12);
}
