//! Each table through its model; enums both ways; constraint violations as typed errors;
//! generated and derived columns (location, starts_at, title_key, updated_at).

use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;
use theset_database::Error;
use theset_database::enums::{SetlistType, ShowStatus, UserRole, VoteType};
use theset_database::ids::{ArtistId, UserId};
use theset_database::models::*;
use theset_database::schema::venues;
use theset_database::testing::{TestDatabase, fixtures};
use theset_database::types::TextList;

#[tokio::test]
async fn every_table_round_trips_through_its_model() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;

    let user = fixtures::user(&mut conn, UserRole::Admin).await;
    assert_eq!(User::find(&mut conn, user.id).await.unwrap(), user);
    let updated = User::update(
        &mut conn,
        user.id,
        &UserUpdate {
            display_name: Some(Some("Dee".into())),
            preferences: Some(serde_json::json!({"theme": "dark"})),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(updated.display_name.as_deref(), Some("Dee"));
    assert_eq!(updated.preferences["theme"], "dark");
    assert!(updated.updated_at >= user.updated_at);

    let profile = UserProfile::upsert(
        &mut conn,
        &NewUserProfile {
            bio: Some("hi".into()),
            favorite_genres: ["rock", "jazz"].into_iter().collect(),
            concert_count: 3,
            is_public: true,
            ..NewUserProfile::new(user.id)
        },
    )
    .await
    .unwrap();
    assert_eq!(
        user.profile(&mut conn).await.unwrap(),
        Some(profile.clone())
    );
    assert_eq!(
        profile.favorite_genres,
        TextList(vec!["rock".into(), "jazz".into()])
    );

    let artist = Artist::create(
        &mut conn,
        &NewArtist {
            genres: Some(["post-rock"].into_iter().collect()),
            external_urls: Some(
                serde_json::json!({"spotify": "https://open.spotify.com/artist/x"}),
            ),
            ..NewArtist::new("Sigur Rós".into(), "sigur-ros".into())
        },
    )
    .await
    .unwrap();
    assert_eq!(Artist::find(&mut conn, artist.id).await.unwrap(), artist);
    assert_eq!(artist.genres.len(), 1);
    let stats = ArtistStats::upsert(
        &mut conn,
        &NewArtistStats {
            artist_id: artist.id,
            total_shows: 2,
            total_setlists: 1,
            avg_setlist_length: Some(17.5),
            most_played_song: Some("Hoppípolla".into()),
            last_show_date: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(artist.stats(&mut conn).await.unwrap(), Some(stats));

    let sample = fixtures::show(&mut conn, 2).await;
    assert_eq!(
        Venue::find(&mut conn, sample.venue.id).await.unwrap(),
        sample.venue
    );
    // The setlist added after the show counted itself into setlist_count (and touched updated_at).
    let found = Show::find(&mut conn, sample.show.id).await.unwrap();
    assert_eq!(found.setlist_count, 1);
    assert_eq!(
        Show {
            setlist_count: 0,
            updated_at: sample.show.updated_at,
            ..found
        },
        sample.show
    );
    assert_eq!(
        sample.show.headliner(&mut conn).await.unwrap(),
        sample.artist
    );
    assert_eq!(
        sample.show.venue(&mut conn).await.unwrap(),
        Some(sample.venue.clone())
    );
    assert_eq!(
        sample.show.setlists(&mut conn).await.unwrap(),
        vec![sample.setlist.clone()]
    );
    assert_eq!(sample.artist.shows(&mut conn).await.unwrap().len(), 1);
    assert_eq!(
        sample.artist.setlists(&mut conn).await.unwrap(),
        vec![sample.setlist.clone()]
    );

    let support = ShowArtist::create(
        &mut conn,
        &NewShowArtist {
            show_id: sample.show.id,
            artist_id: artist.id,
            order_index: 1,
            set_length: Some(40),
            is_headliner: false,
        },
    )
    .await
    .unwrap();
    assert_eq!(
        sample.show.supporting_artists(&mut conn).await.unwrap(),
        vec![(support, artist.clone())]
    );

    let songs = sample.setlist.songs(&mut conn).await.unwrap();
    assert_eq!(
        songs
            .iter()
            .map(|(entry, _)| entry.position)
            .collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert_eq!(songs[0].1, sample.songs[0]);
    assert_eq!(
        Song::find(&mut conn, sample.songs[1].id).await.unwrap(),
        sample.songs[1]
    );
    assert_eq!(
        SetlistSong::find(&mut conn, sample.setlist_songs[0].id)
            .await
            .unwrap(),
        sample.setlist_songs[0]
    );
    assert_eq!(
        sample.setlist.show(&mut conn).await.unwrap().id,
        sample.show.id
    );
    assert_eq!(
        sample.setlist.artist(&mut conn).await.unwrap(),
        sample.artist
    );
    assert_eq!(sample.setlist.creator(&mut conn).await.unwrap(), None);

    let marked = SetlistSong::update(
        &mut conn,
        sample.setlist_songs[0].id,
        &SetlistSongUpdate {
            is_played: Some(Some(true)),
            notes: Some(Some("acoustic".into())),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        (marked.is_played, marked.notes.as_deref()),
        (Some(true), Some("acoustic"))
    );

    Vote::cast(
        &mut conn,
        user.id,
        sample.setlist_songs[0].id,
        VoteType::Down,
    )
    .await
    .unwrap();
    let vote = Vote::find(&mut conn, user.id, sample.setlist_songs[0].id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(vote.vote_type, VoteType::Down);
    assert_eq!(user.votes(&mut conn).await.unwrap(), vec![vote]);
    assert!(user.created_setlists(&mut conn).await.unwrap().is_empty());

    // A credential never leaves through serde.
    let mut with_token = user.clone();
    with_token.spotify_refresh_token = Some("secret-token".into());
    let json = serde_json::to_string(&with_token).unwrap();
    assert!(
        !json.contains("secret-token") && !json.contains("spotify_refresh_token"),
        "{json}"
    );
    assert!(!format!("{with_token:?}").contains("secret-token"));
}

#[tokio::test]
async fn enums_map_both_ways() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    #[derive(QueryableByName)]
    struct Label {
        #[diesel(sql_type = Text)]
        label: String,
    }
    async fn labels(conn: &mut diesel_async::AsyncPgConnection, ty: &str) -> Vec<String> {
        diesel::sql_query(format!(
            "SELECT unnest(enum_range(NULL::{ty}))::text AS label"
        ))
        .load::<Label>(conn)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.label)
        .collect()
    }
    assert_eq!(
        labels(&mut conn, "user_role").await,
        UserRole::ALL
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
    );
    assert_eq!(
        labels(&mut conn, "show_status").await,
        ShowStatus::ALL
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
    );
    assert_eq!(
        labels(&mut conn, "setlist_type").await,
        SetlistType::ALL
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
    );
    assert_eq!(
        labels(&mut conn, "vote_type").await,
        VoteType::ALL
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
    );

    let user = fixtures::user(&mut conn, UserRole::User).await;
    for role in UserRole::ALL {
        assert_eq!(
            User::set_role(&mut conn, user.id, *role)
                .await
                .unwrap()
                .role,
            *role
        );
    }
    let sample = fixtures::show(&mut conn, 0).await;
    for status in ShowStatus::ALL {
        let show = Show::update(
            &mut conn,
            sample.show.id,
            &ShowUpdate {
                status: Some(*status),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(show.status, *status);
    }
    assert!("sideways".parse::<VoteType>().is_err());
    assert_eq!(
        serde_json::to_string(&SetlistType::Predicted).unwrap(),
        "\"predicted\""
    );
}

#[tokio::test]
async fn violations_come_back_as_typed_errors() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let artist = fixtures::artist(&mut conn, "Dup").await;
    let dup = Artist::create(
        &mut conn,
        &NewArtist::new("Dup".into(), artist.slug.clone()),
    )
    .await;
    match Error::from(dup.unwrap_err()) {
        Error::UniqueViolation { constraint } => assert_eq!(constraint, "artists_slug_key"),
        other => panic!("{other:?}"),
    }
    let orphan = Song::create(
        &mut conn,
        &NewSong::new(ArtistId::new_random(), "x".into(), "x".into()),
    )
    .await;
    match Error::from(orphan.unwrap_err()) {
        Error::ForeignKeyViolation { constraint } => assert_eq!(constraint, "songs_artist_id_fkey"),
        other => panic!("{other:?}"),
    }
    // The catalog keeps one entry per normalised title of an artist.
    let first = Song::create(
        &mut conn,
        &NewSong::new(artist.id, "Don't Stop Me Now".into(), "Dup".into()),
    )
    .await
    .unwrap();
    assert_eq!(first.title_key, "dont stop me now");
    let remaster = Song::create(
        &mut conn,
        &NewSong::new(
            artist.id,
            "Don’t Stop Me Now - Remastered 2011".into(),
            "Dup".into(),
        ),
    )
    .await;
    assert!(matches!(
        Error::from(remaster.unwrap_err()),
        Error::UniqueViolation { .. }
    ));
    let bad_slug = Artist::create(
        &mut conn,
        &NewArtist::new("Bad".into(), "Not A Slug".into()),
    )
    .await;
    assert!(
        matches!(Error::from(bad_slug.unwrap_err()), Error::CheckViolation { constraint } if constraint == "artists_slug_check")
    );
    let uuid_slug = Artist::create(
        &mut conn,
        &NewArtist::new("Bad".into(), uuid::Uuid::new_v4().to_string()),
    )
    .await;
    assert!(matches!(
        Error::from(uuid_slug.unwrap_err()),
        Error::CheckViolation { .. }
    ));
    let bad_zone = Venue::create(
        &mut conn,
        &NewVenue::new(
            "V".into(),
            "v".into(),
            "c".into(),
            "c".into(),
            "Mars/Olympus_Mons".into(),
        ),
    )
    .await;
    assert!(
        matches!(Error::from(bad_zone.unwrap_err()), Error::CheckViolation { constraint } if constraint == "venues_timezone_check")
    );
    let half_coordinates = Venue::create(
        &mut conn,
        &NewVenue {
            latitude: Some(1.0),
            ..NewVenue::new("V".into(), "v".into(), "c".into(), "c".into(), "UTC".into())
        },
    )
    .await;
    assert!(matches!(
        Error::from(half_coordinates.unwrap_err()),
        Error::CheckViolation { .. }
    ));
    let missing = User::find(&mut conn, UserId::new_random()).await;
    assert!(matches!(Error::from(missing.unwrap_err()), Error::NotFound));
}

#[tokio::test]
async fn show_start_instant_follows_the_venue_timezone() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let artist = fixtures::artist(&mut conn, "Tz").await;
    let tokyo = fixtures::venue(&mut conn, "Budokan", 35.6933, 139.7499, "Asia/Tokyo").await;
    let new_show = |date: NaiveDate, time: Option<NaiveTime>, slug: &str| NewShow {
        venue_id: Some(tokyo.id),
        start_time: time,
        ..NewShow::new(artist.id, "Tz".into(), slug.into(), date)
    };
    let date = NaiveDate::from_ymd_opt(2031, 3, 1).unwrap();
    let show = Show::create(
        &mut conn,
        &new_show(date, NaiveTime::from_hms_opt(19, 0, 0), "tz-1"),
    )
    .await
    .unwrap();
    assert_eq!(
        show.starts_at,
        Utc.with_ymd_and_hms(2031, 3, 1, 10, 0, 0).unwrap()
    );
    // Time not announced: local midnight.
    let tba = Show::create(&mut conn, &new_show(date, None, "tz-2"))
        .await
        .unwrap();
    assert_eq!(
        tba.starts_at,
        Utc.with_ymd_and_hms(2031, 2, 28, 15, 0, 0).unwrap()
    );
    // Announcing the time moves the instant; so does the venue changing zone.
    let announced = Show::update(
        &mut conn,
        tba.id,
        &ShowUpdate {
            start_time: Some(NaiveTime::from_hms_opt(18, 30, 0)),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        announced.starts_at,
        Utc.with_ymd_and_hms(2031, 3, 1, 9, 30, 0).unwrap()
    );
    Venue::update(
        &mut conn,
        tokyo.id,
        &VenueUpdate {
            timezone: Some("Europe/London".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        Show::find(&mut conn, show.id).await.unwrap().starts_at,
        Utc.with_ymd_and_hms(2031, 3, 1, 19, 0, 0).unwrap()
    );
    // Writing starts_at by hand cannot put it out of step.
    diesel::update(theset_database::schema::shows::table.find(show.id))
        .set(theset_database::schema::shows::starts_at.eq(Utc::now()))
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        Show::find(&mut conn, show.id).await.unwrap().starts_at,
        Utc.with_ymd_and_hms(2031, 3, 1, 19, 0, 0).unwrap()
    );
}

#[tokio::test]
async fn venue_location_follows_its_coordinates_and_radius_queries_find_the_right_venues() {
    use postgis_diesel::functions::st_d_within;
    use postgis_diesel::types::Point;

    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let berlin = fixtures::venue(
        &mut conn,
        "Columbiahalle",
        52.4840,
        13.3906,
        "Europe/Berlin",
    )
    .await;
    let potsdam = fixtures::venue(&mut conn, "Waschhaus", 52.4046, 13.0766, "Europe/Berlin").await;
    let _paris = fixtures::venue(&mut conn, "Olympia", 48.8701, 2.3283, "Europe/Paris").await;
    let location = berlin.location.unwrap();
    assert!((location.x - 13.3906).abs() < 1e-9 && (location.y - 52.4840).abs() < 1e-9);
    assert_eq!(location.srid, Some(4326));

    let centre = Point {
        x: 13.4050,
        y: 52.5200,
        srid: Some(4326),
    };
    let within = |km: f64| {
        venues::table
            .filter(st_d_within(
                venues::location.assume_not_null(),
                centre,
                km * 1000.0,
            ))
            .select(venues::slug)
            .order(venues::slug)
    };
    let near: Vec<String> = within(10.0).load(&mut conn).await.unwrap();
    assert_eq!(near, vec![berlin.slug.clone()]);
    let mut wider: Vec<String> = within(40.0).load(&mut conn).await.unwrap();
    wider.sort();
    let mut expected = vec![berlin.slug.clone(), potsdam.slug.clone()];
    expected.sort();
    assert_eq!(wider, expected);

    // Moving the venue moves its location; clearing the coordinates clears it.
    let moved = Venue::update(
        &mut conn,
        potsdam.id,
        &VenueUpdate {
            latitude: Some(Some(52.5163)),
            longitude: Some(Some(13.3777)),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!((moved.location.unwrap().y - 52.5163).abs() < 1e-9);
    let near: Vec<String> = within(10.0).load(&mut conn).await.unwrap();
    assert_eq!(near.len(), 2);
    let cleared = Venue::update(
        &mut conn,
        berlin.id,
        &VenueUpdate {
            latitude: Some(None),
            longitude: Some(None),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(cleared.location, None);

    // The radius query can use the GiST index.
    #[derive(QueryableByName)]
    struct Plan {
        #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
        line: String,
    }
    diesel::sql_query("SET enable_seqscan = off")
        .execute(&mut conn)
        .await
        .unwrap();
    let plan: Vec<Plan> = diesel::sql_query(
        "EXPLAIN SELECT slug FROM venues WHERE ST_DWithin(location, ST_SetSRID(ST_MakePoint(13.405, 52.52), 4326)::geography, 10000)",
    )
    .load(&mut conn)
    .await
    .unwrap();
    assert!(
        plan.iter().any(|p| p.line.contains("idx_venues_location")),
        "{:?}",
        plan.iter().map(|p| &p.line).collect::<Vec<_>>()
    );
}
