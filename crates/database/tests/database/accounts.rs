//! A fan's own data: the export reads exactly their rows; deleting the account takes everything
//! of theirs (votes of past shows included) with every counter still exact, and leaves a tombstone.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use theset_database::check::CheckReport;
use theset_database::enums::{SetlistType, UserRole, VoteType};
use theset_database::models::{NewSetlist, NewUserProfile, Setlist, User, UserProfile, Vote};
use theset_database::schema::{setlist_songs, setlists, shows, users, votes};
use theset_database::testing::{TestDatabase, fixtures};
use theset_database::{Claims, Error, transaction_as};

fn claims(user: &User) -> Claims {
    Claims::authenticated(user.id, Some(user.email.clone()))
}

#[tokio::test]
async fn a_fan_exports_their_data_and_deletes_their_account() {
    let db = TestDatabase::new().await;
    let mut owner = db.conn().await;
    let sample = fixtures::show(&mut owner, 2).await;
    let [first, second] = [sample.setlist_songs[0].id, sample.setlist_songs[1].id];
    let fan = fixtures::user(&mut owner, UserRole::User).await;
    let other = fixtures::user(&mut owner, UserRole::User).await;
    // The crowd setlist is the fan's; so is a prediction of their own.
    diesel::update(setlists::table.find(sample.setlist.id))
        .set(setlists::created_by.eq(fan.id))
        .execute(&mut owner)
        .await
        .unwrap();
    let prediction = Setlist::create(
        &mut owner,
        &NewSetlist {
            owner_id: Some(fan.id),
            created_by: Some(fan.id),
            ..NewSetlist::new(sample.show.id, sample.artist.id, SetlistType::Predicted)
        },
    )
    .await
    .unwrap();
    let mut api = db.conn_as("theset_api").await;
    let fan_claims = claims(&fan);
    let (me, others) = (fan.id, other.id);
    transaction_as(&mut api, Some(&fan_claims), |conn| {
        Box::pin(async move {
            Vote::cast(conn, me, first, VoteType::Up).await?;
            Vote::cast(conn, me, second, VoteType::Down).await?;
            UserProfile::upsert(conn, &NewUserProfile::new(me)).await?;
            Ok::<_, Error>(())
        })
    })
    .await
    .unwrap();
    transaction_as(&mut api, Some(&claims(&other)), |conn| {
        Box::pin(
            async move { Ok::<_, Error>(Vote::cast(conn, others, first, VoteType::Up).await?) },
        )
    })
    .await
    .unwrap();

    let export = transaction_as(&mut api, Some(&fan_claims), |conn| {
        Box::pin(async move { Ok::<_, Error>(User::find(conn, me).await?.export(conn).await?) })
    })
    .await
    .unwrap();
    assert_eq!(export.account.id, fan.id);
    assert!(export.profile.is_some());
    assert_eq!(export.votes.len(), 2, "only the fan's own votes");
    assert!(export.votes.iter().all(|v| v.user_id == fan.id));
    assert_eq!(export.predictions.len(), 1);
    assert_eq!(export.predictions[0].setlist.id, prediction.id);
    assert_eq!(export.created_setlists.len(), 1);
    assert_eq!(export.created_setlists[0].id, sample.setlist.id);
    let json = serde_json::to_value(&export).unwrap();
    assert!(json["account"].get("spotify_refresh_token").is_none());

    // The show has happened: its votes are closed, and still the deletion takes them.
    diesel::update(shows::table.find(sample.show.id))
        .set(shows::status.eq(theset_database::enums::ShowStatus::Completed))
        .execute(&mut owner)
        .await
        .unwrap();
    let deleted = transaction_as(&mut api, Some(&fan_claims), |conn| {
        Box::pin(async move { Ok::<_, Error>(User::delete_own_account(conn).await?) })
    })
    .await
    .unwrap();
    assert!(deleted);
    let again = transaction_as(&mut api, Some(&fan_claims), |conn| {
        Box::pin(async move { Ok::<_, Error>(User::delete_own_account(conn).await?) })
    })
    .await
    .unwrap();
    assert!(!again, "a tombstone is not deleted twice");

    let left: i64 = votes::table
        .filter(votes::user_id.eq(fan.id))
        .count()
        .get_result(&mut owner)
        .await
        .unwrap();
    assert_eq!(left, 0);
    let counts: Vec<(i32, i32)> = setlist_songs::table
        .filter(setlist_songs::setlist_id.eq(sample.setlist.id))
        .order(setlist_songs::position)
        .select((setlist_songs::upvotes, setlist_songs::downvotes))
        .load(&mut owner)
        .await
        .unwrap();
    assert_eq!(counts, [(1, 0), (0, 0)], "the other fan's vote stays");
    let predictions: i64 = setlists::table
        .filter(setlists::owner_id.eq(fan.id))
        .count()
        .get_result(&mut owner)
        .await
        .unwrap();
    assert_eq!(predictions, 0);
    let crowd = Setlist::find(&mut owner, sample.setlist.id).await.unwrap();
    assert_eq!(crowd.created_by, None);
    let tombstone = User::find(&mut owner, fan.id).await.unwrap();
    assert!(tombstone.deleted_at.is_some());
    assert_eq!(tombstone.display_name, None);
    assert_ne!(tombstone.email, fan.email);
    assert_eq!(tombstone.profile(&mut owner).await.unwrap(), None);
    let users_left: i64 = users::table
        .filter(users::id.eq(fan.id))
        .count()
        .get_result(&mut owner)
        .await
        .unwrap();
    assert_eq!(users_left, 1);

    // Counters and folded totals agree with the votes that are left.
    let mut service = db.conn_as("theset_service").await;
    Vote::refresh_totals(&mut service).await.unwrap();
    let report = CheckReport::collect(&mut service).await.unwrap();
    assert!(report.is_healthy(), "{:?}", report.problems());
}

#[tokio::test]
async fn nobody_deletes_an_account_without_claims() {
    let db = TestDatabase::new().await;
    let mut api = db.conn_as("theset_api").await;
    let refused = transaction_as(&mut api, None, |conn| {
        Box::pin(async move { Ok::<_, Error>(User::delete_own_account(conn).await?) })
    })
    .await;
    assert!(refused.is_err(), "{refused:?}");
}
