//! Text PostgreSQL cannot store (NUL) is refused with a 400 naming where it was, wherever it
//! comes in (query strings, path segments, cursors, JSON strings and keys), and nothing changes.

use crate::common::*;
use actix_web::test::{self, TestRequest};
use theset_database::testing::fixtures;
use theset_database::{Error as DbError, UserRole};

#[actix_web::test]
async fn nul_anywhere_is_a_400_naming_it() {
    let ctx = ctx().await;
    let mut conn = ctx.db.conn().await;
    let sample = fixtures::show(&mut conn, 1).await;
    let fan = fixtures::user(&mut conn, UserRole::User).await;
    let app = test::init_service(theset_api::app(ctx.state.clone())).await;

    for (uri, field) in [
        ("/v1/search?q=ab%00c".to_owned(), "q"),
        ("/v1/shows/sample%00show".to_owned(), "path"),
        ("/v1/artists/x%00/songs".to_owned(), "path"),
        ("/v1/artists?cursor=%00".to_owned(), "cursor"),
        (
            format!("/v1/shows/{}/leaderboard?cursor=a%00", sample.show.slug),
            "cursor",
        ),
    ] {
        let reply = send(&app, TestRequest::get().uri(&uri).to_request()).await;
        assert_problem(&reply, 400, field);
        assert!(reply.detail().contains("NUL"), "{uri}: {reply:?}");
    }

    let uri = format!("/v1/setlists/{}/songs", sample.setlist.id);
    for (body, field) in [
        (
            format!(
                r#"{{"song_id":"{}","notes":"a\u0000b"}}"#,
                sample.songs[0].id
            ),
            "body.notes",
        ),
        (r#"{"so\u0000ng_id":"x"}"#.to_owned(), "body.so"),
    ] {
        let reply = send(
            &app,
            TestRequest::post()
                .uri(&uri)
                .insert_header(bearer(&token_for(&fan)))
                .insert_header(("Content-Type", "application/json"))
                .set_payload(body)
                .to_request(),
        )
        .await;
        assert_problem(&reply, 400, field);
    }
    // Nothing was added.
    let songs = sample.setlist.songs(&mut conn).await.unwrap();
    assert_eq!(songs.len(), 1);

    // Whatever reaches PostgreSQL anyway is named as bad text, not a failure.
    let err = theset_database::models::Show::find_by_key(
        &mut conn,
        &theset_database::Key::Slug("a\0b".into()),
    )
    .await
    .unwrap_err();
    assert!(matches!(DbError::from(err), DbError::InvalidText(_)));
}
