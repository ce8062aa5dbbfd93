//! What the subprocess tests share: running the built `theset` with only the settings a test
//! gives it, and reading what it printed.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

use diesel::sql_types::{BigInt, Text};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;

pub const THESET: &str = env!("CARGO_BIN_EXE_theset");
/// Nothing listens there: a command that tried to connect would fail with a connection error.
pub const UNREACHABLE: &str = "postgres://nobody@127.0.0.1:1/none";

/// Settings read from the environment that a test must not inherit.
const SETTINGS: [&str; 9] = [
    "DATABASE_URL",
    "TICKETMASTER_API_KEY",
    "TICKETMASTER_BASE_URL",
    "SETLISTFM_API_KEY",
    "SETLISTFM_BASE_URL",
    "SPOTIFY_CLIENT_ID",
    "SPOTIFY_CLIENT_SECRET",
    "SPOTIFY_API_BASE_URL",
    "SPOTIFY_ACCOUNTS_BASE_URL",
];

/// `theset --database-url <url> <args>` with `env` set, run from a folder without a `.env`.
pub fn command(url: &str, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(THESET);
    command
        .arg("--database-url")
        .arg(url)
        .args(args)
        .current_dir(std::env::temp_dir());
    for name in SETTINGS {
        command.env_remove(name);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    command
}

pub fn theset_on(url: &str, args: &[&str]) -> Output {
    command(url, args, &[]).output().unwrap()
}

/// As [`theset_on`], off the async runtime (a mock server answers on it meanwhile).
pub async fn theset_with(url: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = command(url, args, env);
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn both(output: &Output) -> String {
    format!("stdout:\n{}\nstderr:\n{}", stdout(output), stderr(output))
}

pub fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", both(output)))
}

#[track_caller]
pub fn assert_exit(output: &Output, code: i32) {
    assert_eq!(output.status.code(), Some(code), "{}", both(output));
}

/// A failure is one line on stderr, prefixed with the binary's name, and nothing on stdout.
#[track_caller]
pub fn assert_one_line_error(output: &Output, code: i32, contains: &str) {
    assert_exit(output, code);
    let err = stderr(output);
    assert_eq!(err.lines().count(), 1, "{}", both(output));
    assert!(err.starts_with("theset: "), "{}", both(output));
    assert!(
        err.contains(contains),
        "wanted {contains:?}: {}",
        both(output)
    );
    assert!(output.stdout.is_empty(), "{}", both(output));
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

pub async fn count(conn: &mut AsyncPgConnection, sql: &str) -> i64 {
    sql_query(sql).get_result::<Count>(conn).await.unwrap().n
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    row: String,
}

/// Each row of `sql` (one text column named `row`).
pub async fn rows(conn: &mut AsyncPgConnection, sql: &str) -> Vec<String> {
    sql_query(sql)
        .load::<Row>(conn)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.row)
        .collect()
}

/// Every row of `tables` as JSON without the columns in `skip`, ordered by id: equal before and
/// after a command that changed nothing.
pub async fn dump(conn: &mut AsyncPgConnection, tables: &[&str], skip: &[&str]) -> Vec<String> {
    let skip = skip
        .iter()
        .map(|c| format!("'{c}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut all = Vec::new();
    for table in tables {
        all.extend(
            rows(
                conn,
                &format!(
                    "SELECT '{table} ' || (to_jsonb(t) - ARRAY[{skip}]::text[])::text AS row \
                     FROM {table} t ORDER BY id"
                ),
            )
            .await,
        );
    }
    all
}
