//! Secrets never reach the CLI's output: a failed job's stored error (left by an older version
//! or another writer) is printed by `theset jobs list` / `retry` without the key, and a failed
//! import prints its provider error without it.

use crate::common::*;
use theset_database::testing::TestDatabase;

const TM_KEY: &str = "tm-SECRET-7f3a9c41";

fn enqueued_id(output: &std::process::Output) -> i64 {
    stdout(output)
        .strip_prefix("enqueued job ")
        .and_then(|rest| rest.split(' ').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no job id: {}", both(output)))
}

#[track_caller]
fn assert_no_key(output: &std::process::Output) {
    let text = both(output);
    assert!(!text.contains(TM_KEY), "the key was printed: {text}");
    assert!(
        !text.contains("s3cretPW"),
        "the password was printed: {text}"
    );
}

#[tokio::test]
async fn a_failed_jobs_error_is_printed_without_the_key() {
    let db = TestDatabase::new().await;
    let url = db.url_as("theset_service");
    let mut conn = db.conn().await;
    let id = enqueued_id(&theset_on(
        &url,
        &[
            "jobs",
            "enqueue",
            "ticketmaster_sync_artist",
            r#"{"attraction_id": "K8vZ9171ob7"}"#,
        ],
    ));
    // As an older worker stored it: reqwest's error with the request's URL, the key in its
    // query string, and the key again as a provider echoed it.
    let stored = format!(
        "apikey={TM_KEY} refused: error sending request for url \
         (https://app.ticketmaster.com/discovery/v2/events.json?apikey={TM_KEY}&size=200); \
         key {TM_KEY}; via postgres://svc:s3cretPW@db/theset"
    );
    diesel_async::RunQueryDsl::execute(
        diesel::sql_query(
            "UPDATE jobs SET state = 'failed', attempts = max_attempts, last_error = $1, \
             finished_at = now() WHERE id = $2",
        )
        .bind::<diesel::sql_types::Text, _>(&stored)
        .bind::<diesel::sql_types::BigInt, _>(id),
        &mut conn,
    )
    .await
    .unwrap();
    let env = [("TICKETMASTER_API_KEY", TM_KEY)];

    let text = theset_with(&url, &["jobs", "list"], &env).await;
    assert_exit(&text, 0);
    assert_no_key(&text);
    assert!(
        stdout(&text).contains("apikey=[redacted]"),
        "{}",
        both(&text)
    );

    let listed = theset_with(&url, &["jobs", "list", "--json"], &env).await;
    assert_exit(&listed, 0);
    assert_no_key(&listed);
    let error = json(&listed)["jobs"][0]["last_error"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        error.contains("events.json?apikey=[redacted]&size=200"),
        "{error}"
    );
    assert!(error.contains("svc:[redacted]@db"), "{error}");

    // Even without the setting, the key's shapes are redacted.
    let retried = theset_with(&url, &["jobs", "retry", &id.to_string()], &[]).await;
    assert_exit(&retried, 0);
    assert!(
        stdout(&retried).contains("it last failed with"),
        "{}",
        both(&retried)
    );
    assert!(
        !stdout(&retried).contains(&format!("apikey={TM_KEY}")),
        "{}",
        both(&retried)
    );
    assert!(!stdout(&retried).contains("s3cretPW"), "{}", both(&retried));
}

#[tokio::test]
async fn a_failed_import_prints_no_key() {
    let db = TestDatabase::new().await;
    let url = db.url_as("theset_service");
    // Nothing listens there: every attempt is refused.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/discovery/v2", listener.local_addr().unwrap());
    drop(listener);
    let output = theset_with(
        &url,
        &[
            "import",
            "shows",
            "--ticketmaster-attraction",
            "K8vZ9171ob7",
        ],
        &[
            ("TICKETMASTER_API_KEY", TM_KEY),
            ("TICKETMASTER_BASE_URL", &base),
        ],
    )
    .await;
    assert_exit(&output, 1);
    assert_no_key(&output);
    // After the activity line: the error, on one line.
    let stderr = stderr(&output);
    let error = stderr.lines().last().unwrap_or_default();
    assert!(
        error.starts_with(
            "theset: importing Ticketmaster attraction K8vZ9171ob7: Ticketmaster: unavailable"
        ),
        "{error}"
    );
    assert!(error.contains("connection failed"), "{error}");
}
