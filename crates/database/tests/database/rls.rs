//! Row Level Security as the API role sees it: identities come only from transaction-local claims.

use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use theset_database::enums::{SetlistType, UserRole, VoteType};
use theset_database::ids::{ArtistId, ShowId, UserId};
use theset_database::models::{
    NewSetlist, NewSetlistSong, NewUser, Setlist, SetlistSong, User, Vote,
};
use theset_database::schema::{setlist_songs, setlists, users, votes};
use theset_database::testing::{TestDatabase, fixtures};
use theset_database::{Claims, Error, transaction_as};

fn claims(user: &User) -> Claims {
    Claims::authenticated(user.id, Some(user.email.clone()))
}

async fn vote_count(conn: &mut AsyncPgConnection, user: UserId) -> i64 {
    votes::table
        .filter(votes::user_id.eq(user))
        .count()
        .get_result(conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn api_role_owns_nothing_and_cannot_bypass_rls() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    #[derive(QueryableByName, Debug)]
    struct Role {
        #[diesel(sql_type = Bool)]
        rolsuper: bool,
        #[diesel(sql_type = Bool)]
        rolbypassrls: bool,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        owned: i64,
    }
    let api: Role = diesel::sql_query(
        "SELECT rolsuper, rolbypassrls, \
           (SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid) + \
           (SELECT count(*) FROM pg_proc p WHERE p.proowner = r.oid) AS owned \
         FROM pg_roles r WHERE rolname = 'theset_api'",
    )
    .get_result(&mut conn)
    .await
    .unwrap();
    assert!(
        !api.rolsuper && !api.rolbypassrls && api.owned == 0,
        "{api:?}"
    );
    // Every table of ours has RLS enabled.
    #[derive(QueryableByName)]
    struct Table {
        #[diesel(sql_type = Text)]
        relname: String,
    }
    let unprotected: Vec<Table> = diesel::sql_query(
        "SELECT relname::text FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' \
           AND NOT relrowsecurity AND relname NOT IN ('spatial_ref_sys', '__diesel_schema_migrations')",
    )
    .load(&mut conn)
    .await
    .unwrap();
    assert!(
        unprotected.is_empty(),
        "tables without RLS: {:?}",
        unprotected.iter().map(|t| &t.relname).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn a_user_writes_only_their_own_votes() {
    let db = TestDatabase::new().await;
    let mut owner = db.conn().await;
    let sample = fixtures::show(&mut owner, 2).await;
    let song = sample.setlist_songs[0].id;
    let alice = fixtures::user(&mut owner, UserRole::User).await;
    let bob = fixtures::user(&mut owner, UserRole::User).await;
    Vote::cast(&mut owner, bob.id, song, VoteType::Up)
        .await
        .unwrap();

    let mut api = db.conn_as("theset_api").await;
    let alice_claims = claims(&alice);
    // Alice casting a vote in Bob's name is refused.
    let refused: Result<_, Error> = transaction_as(&mut api, Some(&alice_claims), |conn| {
        Box::pin(async move { Ok(Vote::cast(conn, bob.id, song, VoteType::Down).await?) })
    })
    .await;
    assert!(matches!(refused, Err(Error::Forbidden(_))), "{refused:?}");
    // Changing or deleting Bob's vote matches no row.
    let (changed, deleted): (usize, usize) =
        transaction_as(&mut api, Some(&alice_claims), |conn| {
            Box::pin(async move {
                let changed = diesel::update(votes::table.filter(votes::user_id.eq(bob.id)))
                    .set(votes::vote_type.eq(VoteType::Down))
                    .execute(conn)
                    .await?;
                let deleted = diesel::delete(votes::table.filter(votes::user_id.eq(bob.id)))
                    .execute(conn)
                    .await?;
                Ok::<_, diesel::result::Error>((changed, deleted))
            })
        })
        .await
        .unwrap();
    assert_eq!((changed, deleted), (0, 0));
    // Alice cannot even see Bob's vote, but sees and changes her own.
    let (seen, counts) = transaction_as(&mut api, Some(&alice_claims), |conn| {
        Box::pin(async move {
            let seen: i64 = votes::table.count().get_result(conn).await?;
            let counts = Vote::cast(conn, alice.id, song, VoteType::Down).await?;
            Ok::<_, diesel::result::Error>((seen, counts))
        })
    })
    .await
    .unwrap();
    assert_eq!(seen, 0);
    assert_eq!((counts.upvotes, counts.downvotes), (1, 1));
    let bobs: Vec<Vote> = votes::table
        .filter(votes::user_id.eq(bob.id))
        .select(Vote::as_select())
        .load(&mut owner)
        .await
        .unwrap();
    assert_eq!(bobs.len(), 1);
    assert_eq!(bobs[0].vote_type, VoteType::Up);
    assert_eq!(vote_count(&mut owner, alice.id).await, 1);

    // The API role may not touch counters directly, not even on its own rows.
    let tampered: Result<usize, Error> = transaction_as(&mut api, Some(&alice_claims), |conn| {
        Box::pin(async move {
            Ok(diesel::update(setlist_songs::table.find(song))
                .set(setlist_songs::upvotes.eq(1000))
                .execute(conn)
                .await?)
        })
    })
    .await;
    assert!(matches!(tampered, Err(Error::Forbidden(_))), "{tampered:?}");
}

#[tokio::test]
async fn without_an_identity_nothing_is_written() {
    let db = TestDatabase::new().await;
    let mut owner = db.conn().await;
    let sample = fixtures::show(&mut owner, 1).await;
    let alice = fixtures::user(&mut owner, UserRole::User).await;
    let song = sample.setlist_songs[0].id;
    let mut api = db.conn_as("theset_api").await;

    let vote: Result<_, Error> = transaction_as(&mut api, None, |conn| {
        Box::pin(async move { Ok(Vote::cast(conn, alice.id, song, VoteType::Up).await?) })
    })
    .await;
    assert!(matches!(vote, Err(Error::Forbidden(_))), "{vote:?}");
    let new_user: Result<_, Error> = transaction_as(&mut api, None, |conn| {
        Box::pin(async move {
            let id = UserId::new_random();
            Ok(User::create(
                conn,
                &NewUser {
                    id,
                    email: format!("{id}@example.test"),
                    display_name: None,
                    avatar_url: None,
                },
            )
            .await?)
        })
    })
    .await;
    assert!(matches!(new_user, Err(Error::Forbidden(_))), "{new_user:?}");
    let setlist: Result<_, Error> = transaction_as(&mut api, None, |conn| {
        Box::pin(
            async move { Ok(Setlist::create(conn, &predicted(&sample_ids(&sample), None)).await?) },
        )
    })
    .await;
    assert!(matches!(setlist, Err(Error::Forbidden(_))), "{setlist:?}");
    // Reading the public catalog works anonymously; reading users does not reveal anyone.
    let (setlist_rows, user_rows) = transaction_as(&mut api, None, |conn| {
        Box::pin(async move {
            let s: i64 = setlists::table.count().get_result(conn).await?;
            let u: i64 = users::table.count().get_result(conn).await?;
            Ok::<_, diesel::result::Error>((s, u))
        })
    })
    .await
    .unwrap();
    assert_eq!((setlist_rows, user_rows), (1, 0));
    assert_eq!(vote_count(&mut owner, alice.id).await, 0);
}

fn sample_ids(sample: &fixtures::SampleShow) -> (ShowId, ArtistId) {
    (sample.show.id, sample.artist.id)
}

fn predicted((show_id, artist_id): &(ShowId, ArtistId), by: Option<UserId>) -> NewSetlist {
    // A fan's own prediction: they create it, and own it.
    NewSetlist {
        created_by: by,
        owner_id: by,
        ..NewSetlist::new(*show_id, *artist_id, SetlistType::Predicted)
    }
}

#[tokio::test]
async fn plain_users_cannot_write_actual_or_locked_setlists_but_staff_can() {
    let db = TestDatabase::new().await;
    let mut owner = db.conn().await;
    let sample = fixtures::show(&mut owner, 1).await;
    let ids = sample_ids(&sample);
    let fan = fixtures::user(&mut owner, UserRole::User).await;
    let moderator = fixtures::user(&mut owner, UserRole::Moderator).await;
    let mut api = db.conn_as("theset_api").await;
    let song_id = sample.songs[0].id;

    // A fan creates a predicted setlist as themself, and adds a song to it.
    let fan_claims = claims(&fan);
    let own = transaction_as(&mut api, Some(&fan_claims), |conn| {
        Box::pin(async move {
            let setlist = Setlist::create(conn, &predicted(&ids, Some(fan.id))).await?;
            SetlistSong::create(conn, &NewSetlistSong::new(setlist.id, song_id, 1)).await?;
            Ok::<_, diesel::result::Error>(setlist)
        })
    })
    .await
    .unwrap();
    assert_eq!(own.created_by, Some(fan.id));

    // ... but not in someone else's name, and not an actual setlist.
    let as_other: Result<_, Error> = transaction_as(&mut api, Some(&fan_claims), |conn| {
        Box::pin(
            async move { Ok(Setlist::create(conn, &predicted(&ids, Some(moderator.id))).await?) },
        )
    })
    .await;
    assert!(matches!(as_other, Err(Error::Forbidden(_))), "{as_other:?}");
    let actual: Result<_, Error> = transaction_as(&mut api, Some(&fan_claims), |conn| {
        Box::pin(async move {
            let mut new = predicted(&ids, Some(fan.id));
            new.type_ = SetlistType::Actual;
            Ok(Setlist::create(conn, &new).await?)
        })
    })
    .await;
    assert!(matches!(actual, Err(Error::Forbidden(_))), "{actual:?}");

    // An actual setlist made by the service role: the fan can neither add to it nor change it.
    let mut service = db.conn_as("theset_service").await;
    let mut new_actual = predicted(&ids, None);
    new_actual.type_ = SetlistType::Actual;
    let actual = Setlist::create(&mut service, &new_actual).await.unwrap();
    let add: Result<_, Error> = transaction_as(&mut api, Some(&fan_claims), |conn| {
        Box::pin(async move {
            Ok(SetlistSong::create(conn, &NewSetlistSong::new(actual.id, song_id, 1)).await?)
        })
    })
    .await;
    assert!(matches!(add, Err(Error::Forbidden(_))), "{add:?}");
    let renamed: usize = transaction_as(&mut api, Some(&fan_claims), |conn| {
        Box::pin(async move {
            diesel::update(setlists::table.find(actual.id))
                .set(setlists::name.eq("mine now"))
                .execute(conn)
                .await
        })
    })
    .await
    .unwrap();
    assert_eq!(renamed, 0);
    // Nor lock their own setlist.
    let locked: Result<usize, Error> = transaction_as(&mut api, Some(&fan_claims), |conn| {
        Box::pin(async move {
            Ok(diesel::update(setlists::table.find(own.id))
                .set(setlists::is_locked.eq(true))
                .execute(conn)
                .await?)
        })
    })
    .await;
    assert!(matches!(locked, Err(Error::Forbidden(_))), "{locked:?}");

    // A moderator (role from users, not from the token) writes the actual setlist and locks.
    let mod_claims = claims(&moderator);
    transaction_as(&mut api, Some(&mod_claims), |conn| {
        Box::pin(async move {
            SetlistSong::create(conn, &NewSetlistSong::new(actual.id, song_id, 1)).await?;
            let n = diesel::update(setlists::table.find(own.id))
                .set(setlists::is_locked.eq(true))
                .execute(conn)
                .await?;
            assert_eq!(n, 1);
            Ok::<_, diesel::result::Error>(())
        })
    })
    .await
    .unwrap();
    // Once locked, the fan's own setlist is closed to them.
    let after_lock: Result<_, Error> = transaction_as(&mut api, Some(&fan_claims), |conn| {
        Box::pin(async move {
            Ok(
                diesel::delete(setlist_songs::table.filter(setlist_songs::setlist_id.eq(own.id)))
                    .execute(conn)
                    .await?,
            )
        })
    })
    .await;
    assert!(
        matches!(after_lock, Ok(0) | Err(Error::Forbidden(_))),
        "{after_lock:?}"
    );
    let remaining: i64 = setlist_songs::table
        .filter(setlist_songs::setlist_id.eq(own.id))
        .count()
        .get_result(&mut owner)
        .await
        .unwrap();
    assert_eq!(remaining, 1);

    // A claims-supplied role means nothing: a fan claiming "admin" in the token is still a fan.
    let forged = Claims {
        sub: fan.id,
        email: None,
        role: "service_role".to_owned(),
    };
    let still_fan: Result<_, Error> = transaction_as(&mut api, Some(&forged), |conn| {
        Box::pin(async move {
            Ok(SetlistSong::create(conn, &NewSetlistSong::new(actual.id, song_id, 2)).await?)
        })
    })
    .await;
    assert!(
        matches!(still_fan, Err(Error::Forbidden(_))),
        "{still_fan:?}"
    );
}

#[tokio::test]
async fn users_see_and_change_only_their_own_row_and_never_their_role() {
    let db = TestDatabase::new().await;
    let mut owner = db.conn().await;
    let alice = fixtures::user(&mut owner, UserRole::User).await;
    let bob = fixtures::user(&mut owner, UserRole::User).await;
    let mut api = db.conn_as("theset_api").await;
    let alice_claims = claims(&alice);
    let (visible, renamed_bob) = transaction_as(&mut api, Some(&alice_claims), |conn| {
        Box::pin(async move {
            let visible: Vec<UserId> = users::table.select(users::id).load(conn).await?;
            let renamed_bob = diesel::update(users::table.find(bob.id))
                .set(users::display_name.eq("pwned"))
                .execute(conn)
                .await?;
            Ok::<_, diesel::result::Error>((visible, renamed_bob))
        })
    })
    .await
    .unwrap();
    assert_eq!(visible, vec![alice.id]);
    assert_eq!(renamed_bob, 0);
    let promote: Result<usize, Error> = transaction_as(&mut api, Some(&alice_claims), |conn| {
        Box::pin(async move {
            Ok(diesel::update(users::table.find(alice.id))
                .set(users::role.eq(UserRole::Admin))
                .execute(conn)
                .await?)
        })
    })
    .await;
    assert!(matches!(promote, Err(Error::Forbidden(_))), "{promote:?}");
    assert_eq!(
        User::find(&mut owner, alice.id).await.unwrap().role,
        UserRole::User
    );
    assert_eq!(
        User::find(&mut owner, bob.id).await.unwrap().display_name,
        None
    );

    // A new user may create their own row (first sign-in), as a plain user only.
    let newcomer = UserId::new_random();
    let claims_new = Claims::authenticated(newcomer, None);
    let created = transaction_as(&mut api, Some(&claims_new), |conn| {
        Box::pin(async move {
            User::create(
                conn,
                &NewUser {
                    id: newcomer,
                    email: "new@example.test".into(),
                    display_name: None,
                    avatar_url: None,
                },
            )
            .await
        })
    })
    .await
    .unwrap();
    assert_eq!(created.role, UserRole::User);
}

#[tokio::test]
async fn claims_never_outlive_their_transaction_on_a_pooled_connection() {
    let db = TestDatabase::new().await;
    let mut owner = db.conn().await;
    let alice = fixtures::user(&mut owner, UserRole::User).await;
    // One connection in the pool: the second checkout is the same connection.
    let pool = db.pool_as("theset_api", 1);
    let alice_claims = claims(&alice);
    {
        let mut conn = pool.get().await.unwrap();
        let inside: Option<uuid::Uuid> = transaction_as(&mut conn, Some(&alice_claims), |conn| {
            Box::pin(async move {
                diesel::select(theset_database::sql::current_user_id())
                    .get_result(conn)
                    .await
            })
        })
        .await
        .unwrap();
        assert_eq!(inside, Some(alice.id.0));
    }
    let mut conn = pool.get().await.unwrap();
    let after: Option<uuid::Uuid> = diesel::select(theset_database::sql::current_user_id())
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(after, None);
    #[derive(QueryableByName)]
    struct Setting {
        #[diesel(sql_type = Nullable<Text>)]
        value: Option<String>,
    }
    let raw: Setting =
        diesel::sql_query("SELECT current_setting('request.jwt.claims', true) AS value")
            .get_result(&mut conn)
            .await
            .unwrap();
    assert!(raw.value.unwrap_or_default().is_empty());
    let anonymous: Option<uuid::Uuid> = transaction_as(&mut conn, None, |conn| {
        Box::pin(async move {
            diesel::select(theset_database::sql::current_user_id())
                .get_result(conn)
                .await
        })
    })
    .await
    .unwrap();
    assert_eq!(anonymous, None);
}
