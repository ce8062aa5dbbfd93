//! `theset jobs` as a subprocess against a fresh database: enqueue (new, duplicate, refused
//! before connecting), list (text, `--json`, `--state`), retry (and its refusals).

use crate::common::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use theset_database::testing::TestDatabase;

/// Marks a job failed after its last attempt, as the runner does.
async fn fail(conn: &mut AsyncPgConnection, id: i64) {
    diesel::sql_query(format!(
        "UPDATE jobs SET state = 'failed', attempts = max_attempts, last_error = 'boom\nDETAIL: x', \
         finished_at = now() WHERE id = {id}"
    ))
    .execute(conn)
    .await
    .unwrap();
}

fn enqueued_id(output: &std::process::Output) -> i64 {
    let out = stdout(output);
    out.strip_prefix("enqueued job ")
        .and_then(|rest| rest.split(' ').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no job id: {}", both(output)))
}

#[tokio::test]
async fn enqueue_adds_a_job_once_per_key() {
    let db = TestDatabase::new().await;
    let url = db.url_as("theset_service");
    let mut conn = db.conn().await;

    let first = theset_on(&url, &["jobs", "enqueue", "refresh_artist_stats", "{}"]);
    assert_exit(&first, 0);
    let id = enqueued_id(&first);
    assert_eq!(
        rows(&mut conn, "SELECT id || ' ' || kind || ' ' || state || ' ' || payload::text || ' ' || coalesce(dedup_key, '-') AS row FROM jobs").await,
        vec![format!("{id} refresh_artist_stats queued {{}} refresh_artist_stats")]
    );

    // Same key while the first is queued: nothing new, and the existing job is named.
    let again = theset_on(&url, &["jobs", "enqueue", "refresh_artist_stats", "{}"]);
    assert_exit(&again, 0);
    assert!(
        stdout(&again).starts_with("not enqueued:"),
        "{}",
        both(&again)
    );
    assert!(
        stdout(&again).contains(&format!("(job {id})")),
        "{}",
        both(&again)
    );
    assert_eq!(count(&mut conn, "SELECT count(*) AS n FROM jobs").await, 1);

    // A payload naming artists is a job of its own.
    let artist = uuid::Uuid::new_v4();
    let one = theset_on(
        &url,
        &[
            "jobs",
            "enqueue",
            "refresh_artist_stats",
            &format!(r#"{{"artists": ["{artist}"]}}"#),
        ],
    );
    assert_exit(&one, 0);
    let other = enqueued_id(&one);
    assert_ne!(other, id);
    assert_eq!(
        rows(
            &mut conn,
            &format!("SELECT payload->'artists'->>0 AS row FROM jobs WHERE id = {other}")
        )
        .await,
        vec![artist.to_string()]
    );
}

#[tokio::test]
async fn bad_kinds_and_payloads_never_touch_the_database() {
    let db = TestDatabase::new().await;
    for (args, says) in [
        (
            vec!["jobs", "enqueue", "make_coffee", "{}"],
            "unknown job kind \"make_coffee\"",
        ),
        (vec!["jobs", "enqueue", "prune_jobs", "{oops"], "not JSON"),
        (
            vec![
                "jobs",
                "enqueue",
                "refresh_artist_stats",
                r#"{"artists": ["not-a-uuid"]}"#,
            ],
            "payload of a refresh_artist_stats job",
        ),
        (
            vec!["jobs", "list", "--state", "stuck"],
            "invalid value 'stuck'",
        ),
        (vec!["jobs", "list", "--limit", "0"], "--limit"),
        (vec!["jobs", "retry", "zero"], "invalid value 'zero'"),
    ] {
        // Against a server that is not there: reaching it would be a connection error, status 1.
        let output = theset_on(UNREACHABLE, &args);
        assert_one_line_error(&output, 2, says);
        assert!(
            stderr(&output).contains("(see theset jobs "),
            "{}",
            both(&output)
        );
    }
    // And against a real database nothing was written.
    let output = theset_on(
        &db.url_as("theset_service"),
        &[
            "jobs",
            "enqueue",
            "refresh_artist_stats",
            r#"{"artists": 5}"#,
        ],
    );
    assert_one_line_error(&output, 2, "payload of a refresh_artist_stats job");
    let mut conn = db.conn().await;
    assert_eq!(count(&mut conn, "SELECT count(*) AS n FROM jobs").await, 0);
}

#[tokio::test]
async fn list_shows_jobs_newest_first_with_counts() {
    let db = TestDatabase::new().await;
    let url = db.url_as("theset_service");
    let mut conn = db.conn().await;
    let empty = theset_on(&url, &["jobs", "list"]);
    assert_exit(&empty, 0);
    assert!(stdout(&empty).contains("0 jobs"), "{}", both(&empty));

    let mut ids = Vec::new();
    for kind in ["recompute_trending", "prune_jobs", "advance_show_statuses"] {
        ids.push(enqueued_id(&theset_on(
            &url,
            &["jobs", "enqueue", kind, "{}"],
        )));
    }
    fail(&mut conn, ids[1]).await;

    let text = theset_on(&url, &["jobs", "list"]);
    assert_exit(&text, 0);
    let out = stdout(&text);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("ID"), "{out}");
    // Newest first.
    assert!(lines[1].starts_with(&format!("{} ", ids[2])), "{out}");
    assert!(
        lines[2].contains("failed") && lines[2].contains("boom DETAIL: x"),
        "{out}"
    );
    assert!(out.contains("3 jobs"), "{out}");
    assert!(out.contains("in the queue:"), "{out}");

    let failed = json(&theset_on(
        &url,
        &["jobs", "list", "--state", "failed", "--json"],
    ));
    let jobs = failed["jobs"].as_array().unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0]["id"], ids[1]);
    assert_eq!(jobs[0]["kind"], "prune_jobs");
    assert_eq!(jobs[0]["state"], "failed");
    // Counts cover every state, whatever the filter.
    let counts = failed["counts"].as_array().unwrap();
    let total: i64 = counts.iter().map(|c| c["jobs"].as_i64().unwrap()).sum();
    assert_eq!(total, 3);
    assert!(
        counts
            .iter()
            .any(|c| c["kind"] == "prune_jobs" && c["state"] == "failed" && c["jobs"] == 1)
    );

    let limited = json(&theset_on(
        &url,
        &["jobs", "list", "--limit", "2", "--json"],
    ));
    let limited: Vec<i64> = limited["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["id"].as_i64().unwrap())
        .collect();
    assert_eq!(limited, vec![ids[2], ids[1]]);
}

#[tokio::test]
async fn retry_requeues_failed_jobs_only() {
    let db = TestDatabase::new().await;
    let url = db.url_as("theset_service");
    let mut conn = db.conn().await;
    let id = enqueued_id(&theset_on(&url, &["jobs", "enqueue", "prune_jobs", "{}"]));
    let id_arg = id.to_string();

    // Queued: not retryable, and unchanged.
    let queued = theset_on(&url, &["jobs", "retry", &id_arg]);
    assert_one_line_error(
        &queued,
        1,
        &format!("job {id} is queued: only failed jobs can be retried"),
    );

    fail(&mut conn, id).await;
    let retried = theset_on(&url, &["jobs", "retry", &id_arg]);
    assert_exit(&retried, 0);
    assert!(
        stdout(&retried).starts_with(&format!(
            "job {id} (prune_jobs) is queued again; it last failed with: boom"
        )),
        "{}",
        both(&retried)
    );
    assert_eq!(
        rows(&mut conn, &format!("SELECT state || ' ' || attempts || ' ' || (finished_at IS NULL) AS row FROM jobs WHERE id = {id}")).await,
        vec!["queued 0 true".to_owned()]
    );

    // Failed again while a new job with the same key waits: retrying would make two.
    fail(&mut conn, id).await;
    let newer = enqueued_id(&theset_on(&url, &["jobs", "enqueue", "prune_jobs", "{}"]));
    let duplicate = theset_on(&url, &["jobs", "retry", &id_arg]);
    assert_one_line_error(
        &duplicate,
        1,
        "another job with key \"prune_jobs\" is already queued or running",
    );
    assert_eq!(
        rows(
            &mut conn,
            "SELECT id || ' ' || state AS row FROM jobs ORDER BY id"
        )
        .await,
        vec![format!("{id} failed"), format!("{newer} queued")]
    );

    let missing = theset_on(&url, &["jobs", "retry", "999999"]);
    assert_one_line_error(&missing, 1, "job 999999 not found");
}

#[tokio::test]
async fn the_api_role_is_refused() {
    let db = TestDatabase::new().await;
    let output = theset_on(&db.url_as("theset_api"), &["jobs", "list"]);
    assert_exit(&output, 1);
    assert!(stderr(&output).contains("jobs"), "{}", both(&output));
}
