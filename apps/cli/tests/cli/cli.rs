//! `theset`, run as a maintainer runs it: the built binary as a subprocess against a fresh
//! database per test, checking exit statuses, output (text and `--json`) and the rows changed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use diesel::sql_types::{BigInt, Text};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use theset_database::models::{User, Vote};
use theset_database::testing::{TestDatabase, fixtures};
use theset_database::{UserRole, VoteType};

const THESET: &str = env!("CARGO_BIN_EXE_theset");
/// Nothing listens there: a command that tried to connect would fail with a connection error.
const UNREACHABLE: &str = "postgres://nobody@127.0.0.1:1/none";

/// A folder with no `.env` anywhere above it, so only what a test passes reaches the binary.
fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join("theset-cli-tests")
        .join(format!("{name}-{}", uuid_suffix()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn uuid_suffix() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

fn command(args: &[&str]) -> Command {
    let mut command = Command::new(THESET);
    command
        .args(args)
        .env_remove("DATABASE_URL")
        .current_dir(std::env::temp_dir());
    command
}

fn theset(args: &[&str]) -> Output {
    command(args).output().unwrap()
}

/// `theset --database-url <url> <args>`.
fn theset_on(url: &str, args: &[&str]) -> Output {
    let mut all = vec!["--database-url", url];
    all.extend_from_slice(args);
    theset(&all)
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn both(output: &Output) -> String {
    format!("stdout:\n{}\nstderr:\n{}", stdout(output), stderr(output))
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", both(output)))
}

#[track_caller]
fn assert_exit(output: &Output, code: i32) {
    assert_eq!(output.status.code(), Some(code), "{}", both(output));
}

/// A failure is one line on stderr, prefixed with the binary's name, and nothing on stdout.
#[track_caller]
fn assert_one_line_error(output: &Output, code: i32, contains: &str) {
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

fn seeds_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../seeds")
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn count(conn: &mut AsyncPgConnection, sql: &str) -> i64 {
    sql_query(sql).get_result::<Count>(conn).await.unwrap().n
}

#[derive(QueryableByName, Debug, PartialEq, Eq)]
struct Row {
    #[diesel(sql_type = Text)]
    row: String,
}

/// Every user as `email role updated_at`, to compare before and after a command.
async fn users_snapshot(conn: &mut AsyncPgConnection) -> Vec<Row> {
    sql_query(
        "SELECT email || ' ' || role || ' ' || updated_at::text AS row FROM users ORDER BY email",
    )
    .load(conn)
    .await
    .unwrap()
}

async fn applied_versions(conn: &mut AsyncPgConnection) -> Vec<String> {
    sql_query("SELECT version AS row FROM __diesel_schema_migrations ORDER BY version")
        .load::<Row>(conn)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.row)
        .collect()
}

async fn function_exists(conn: &mut AsyncPgConnection, name: &str) -> bool {
    count(
        conn,
        &format!("SELECT count(*) AS n FROM pg_proc WHERE proname = '{name}'"),
    )
    .await
        > 0
}

/// Functions, relations (tables, indexes, ...) and triggers of the public schema: what a migration
/// creates or drops.
async fn schema_objects(conn: &mut AsyncPgConnection) -> i64 {
    count(
        conn,
        "SELECT (SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace) \
         + (SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace) \
         + (SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid \
            WHERE c.relnamespace = 'public'::regnamespace) AS n",
    )
    .await
}

// --- usage ---------------------------------------------------------------------------------------

#[test]
fn every_command_has_help() {
    for path in [
        &[][..],
        &["migrate"],
        &["migrate", "run"],
        &["migrate", "revert"],
        &["migrate", "redo"],
        &["migrate", "status"],
        &["seed"],
        &["users"],
        &["users", "list"],
        &["users", "set-role"],
        &["db"],
        &["db", "check"],
    ] {
        let mut args = path.to_vec();
        args.push("--help");
        let output = theset(&args);
        assert_exit(&output, 0);
        let usage = format!(
            "Usage: {}",
            ["theset"]
                .iter()
                .chain(path)
                .cloned()
                .collect::<Vec<_>>()
                .join(" ")
        );
        assert!(
            stdout(&output).contains(&usage),
            "{usage}: {}",
            both(&output)
        );
        assert!(
            stdout(&output).contains("--database-url"),
            "{}",
            both(&output)
        );
    }
    // The top-level help names every command and the exit statuses.
    let top = stdout(&theset(&["--help"]));
    for name in ["migrate", "seed", "users", "db", "Exit status"] {
        assert!(top.contains(name), "{name}: {top}");
    }
    let no_command = theset(&[]);
    assert_exit(&no_command, 2);
    assert!(
        stderr(&no_command).contains("Usage: theset"),
        "{}",
        both(&no_command)
    );
}

#[test]
fn bad_arguments_fail_before_connecting() {
    // Each of these would be a connection error (exit 1) had it tried the unreachable server.
    for (args, expected) in [
        (
            &["users", "set-role", "sam@theset.test", "boss"][..],
            "'boss'",
        ),
        (
            &["users", "set-role", "not-an-email", "admin"],
            "not an email address",
        ),
        (
            &["users", "set-role", "two words@theset.test", "admin"],
            "not an email address",
        ),
        (&["users", "set-role", "sam@theset.test"], "<ROLE>"),
        (&["users", "list", "--role", "owner"], "'owner'"),
        (&["users", "list", "--limit", "0"], "--limit"),
        (&["seed", "--scale", "0"], "positive"),
        (&["seed", "--scale", "100"], "at most 20"),
        (&["seed", "--scale", "lots"], "not a number"),
        (
            &["seed", "--scale", "1", "--dir", "seeds"],
            "cannot be used with",
        ),
        (&["migrate", "sideways"], "sideways"),
        (&["db", "check", "--fix"], "--fix"),
    ] {
        let output = theset_on(UNREACHABLE, args);
        assert_one_line_error(&output, 2, expected);
        assert!(!stderr(&output).contains("connecting"), "{}", both(&output));
    }
    // The line points at the right help.
    let output = theset_on(UNREACHABLE, &["users", "set-role", "x@y", "boss"]);
    assert!(
        stderr(&output).contains("(see theset users set-role --help)"),
        "{}",
        both(&output)
    );
}

#[tokio::test]
async fn bad_arguments_leave_the_database_untouched() {
    let db = TestDatabase::new().await;
    let url = db.url_as("theset_service");
    let mut conn = db.conn().await;
    let sam = fixtures::user(&mut conn, UserRole::User).await;
    let before = users_snapshot(&mut conn).await;
    for args in [
        &["users", "set-role", &sam.email, "superuser"][..],
        &["users", "set-role", "sam", "admin"],
        &["users", "set-role", &sam.email],
        &["seed", "--scale", "-1"],
    ] {
        assert_exit(&theset_on(&url, args), 2);
    }
    assert_eq!(users_snapshot(&mut conn).await, before);
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM artists").await,
        0
    );
}

#[test]
fn connection_problems_are_one_line_naming_the_server() {
    let output = theset_on(UNREACHABLE, &["users", "list"]);
    assert_one_line_error(&output, 1, "connecting to nobody@127.0.0.1:1/none");
    let output = theset(&["db", "check"]);
    assert_one_line_error(
        &output,
        1,
        "no database given: pass --database-url or set DATABASE_URL",
    );
    let output = theset_on("mysql://somewhere", &["db", "check"]);
    assert_one_line_error(&output, 1, "DATABASE_URL");
    // A password in the URL never reaches the message.
    let output = theset_on(
        "postgres://nobody:hunter2@127.0.0.1:1/none",
        &["migrate", "status"],
    );
    assert_exit(&output, 1);
    assert!(!stderr(&output).contains("hunter2"), "{}", both(&output));
}

#[tokio::test]
async fn the_database_comes_from_dotenv_and_the_flag_overrides_it() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let sam = fixtures::user(&mut conn, UserRole::Admin).await;

    let dir = scratch_dir("dotenv");
    std::fs::write(
        dir.join(".env"),
        format!("DATABASE_URL={}\n", db.url_as("theset_service")),
    )
    .unwrap();
    let from_dotenv = command(&["users", "list", "--json"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_exit(&from_dotenv, 0);
    assert_eq!(json(&from_dotenv)[0]["email"], sam.email.as_str());

    std::fs::write(dir.join(".env"), format!("DATABASE_URL={UNREACHABLE}\n")).unwrap();
    let unreachable = command(&["users", "list"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_one_line_error(&unreachable, 1, "connecting to nobody@127.0.0.1:1/none");
    let overridden = command(&[
        "--database-url",
        &db.url_as("theset_service"),
        "users",
        "list",
        "--json",
    ])
    .current_dir(&dir)
    .output()
    .unwrap();
    assert_exit(&overridden, 0);
    assert_eq!(json(&overridden).as_array().unwrap().len(), 1);
    // The environment also wins over .env (dotenvy never overrides what is set).
    let from_env = command(&["users", "list", "--json"])
        .current_dir(&dir)
        .env("DATABASE_URL", db.url_as("theset_service"))
        .output()
        .unwrap();
    assert_exit(&from_env, 0);
    std::fs::remove_dir_all(&dir).unwrap();
}

// --- migrate -------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn migrate_lists_reverts_reapplies_and_redoes() {
    let db = TestDatabase::new().await;
    let url = db.url();
    let mut conn = db.conn().await;
    let all = applied_versions(&mut conn).await;
    assert!(all.len() >= 4, "{all:?}");
    let last = all.last().unwrap().clone();

    let status = theset_on(&url, &["migrate", "status", "--json"]);
    assert_exit(&status, 0);
    let listed = json(&status);
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), all.len());
    for (entry, version) in listed.iter().zip(&all) {
        assert_eq!(entry["version"], version.as_str());
        assert_eq!(entry["applied"], true);
        assert_eq!(entry["known"], true);
    }

    let reverted = theset_on(&url, &["migrate", "revert"]);
    assert_exit(&reverted, 0);
    assert_eq!(stdout(&reverted), format!("reverted {last}\n"));
    assert_eq!(applied_versions(&mut conn).await, all[..all.len() - 1]);
    let status = theset_on(&url, &["migrate", "status"]);
    assert_exit(&status, 0);
    let lines: Vec<String> = stdout(&status).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), all.len());
    assert_eq!(lines.last().unwrap(), &format!("pending  {last}"));
    assert!(
        lines[..lines.len() - 1]
            .iter()
            .all(|l| l.starts_with("applied  ")),
        "{lines:?}"
    );

    let run = theset_on(&url, &["migrate", "run"]);
    assert_exit(&run, 0);
    assert_eq!(stdout(&run), format!("applied {last}\n"));
    assert_eq!(applied_versions(&mut conn).await, all);
    let again = theset_on(&url, &["migrate", "run"]);
    assert_eq!(stdout(&again), "no pending migrations\n");

    let redo = theset_on(&url, &["migrate", "redo"]);
    assert_exit(&redo, 0);
    assert_eq!(stdout(&redo), format!("reverted {last}\napplied {last}\n"));
    assert_eq!(applied_versions(&mut conn).await, all);
    assert!(function_exists(&mut conn, "show_details").await);

    let everything = theset_on(&url, &["migrate", "revert", "--all"]);
    assert_exit(&everything, 0);
    let expected: String = all
        .iter()
        .rev()
        .map(|v| format!("reverted {v}\n"))
        .collect();
    assert_eq!(stdout(&everything), expected);
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM pg_class WHERE relname = 'votes'"
        )
        .await,
        0
    );
    let status = json(&theset_on(&url, &["migrate", "status", "--json"]));
    assert!(
        status
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["applied"] == false),
        "{status}"
    );
    let nothing = theset_on(&url, &["migrate", "revert", "--all"]);
    assert_eq!(stdout(&nothing), "no applied migrations\n");

    let run = theset_on(&url, &["migrate", "run"]);
    assert_exit(&run, 0);
    assert_eq!(stdout(&run).lines().count(), all.len());
    assert_eq!(applied_versions(&mut conn).await, all);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_redo_leaves_the_migration_applied() {
    let db = TestDatabase::new().await;
    let url = db.url();
    let mut conn = db.conn().await;
    let all = applied_versions(&mut conn).await;
    // A migration's down drops what its up creates: refuse every CREATE in this database, so the
    // up fails after the down succeeded (whatever the last migration is).
    sql_query(
        "CREATE FUNCTION refuse_creation() RETURNS event_trigger LANGUAGE plpgsql AS \
         $$ BEGIN RAISE EXCEPTION 'creation is frozen here'; END $$",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    sql_query(
        "CREATE EVENT TRIGGER refuse_creation ON ddl_command_end \
         WHEN TAG IN ('CREATE FUNCTION', 'CREATE INDEX', 'CREATE TABLE', 'CREATE TRIGGER', \
         'CREATE POLICY', 'CREATE VIEW', 'CREATE TYPE', 'ALTER FUNCTION', 'ALTER TABLE') \
         EXECUTE FUNCTION refuse_creation()",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let objects = schema_objects(&mut conn).await;

    let redo = theset_on(&url, &["migrate", "redo"]);
    assert_one_line_error(&redo, 1, "creation is frozen here");
    assert!(
        stderr(&redo).contains("redoing the last migration of postgres@"),
        "{}",
        both(&redo)
    );
    // Reverted and re-applied in one transaction: nothing of the revert stayed.
    assert_eq!(applied_versions(&mut conn).await, all);
    assert_eq!(schema_objects(&mut conn).await, objects);
}

// --- seed ----------------------------------------------------------------------------------------

#[derive(serde::Deserialize)]
struct SeedUserFile {
    id: String,
    email: String,
}

fn seed_users() -> Vec<SeedUserFile> {
    serde_json::from_str(&std::fs::read_to_string(seeds_dir().join("users.json")).unwrap()).unwrap()
}

fn seed_len(file: &str) -> i64 {
    let text = std::fs::read_to_string(seeds_dir().join(file)).unwrap();
    i64::try_from(serde_json::from_str::<Vec<Value>>(&text).unwrap().len()).unwrap()
}

#[tokio::test]
async fn seed_loads_the_sample_data_and_loading_again_changes_nothing() {
    let db = TestDatabase::new().await;
    let url = db.url();
    let mut conn = db.conn().await;
    let dir = seeds_dir();
    let dir = dir.to_str().unwrap();
    let loaded = theset_on(&url, &["seed", "--dir", dir]);
    assert_exit(&loaded, 0);
    let users = seed_len("users.json");
    let artists = seed_len("artists.json");
    assert!(
        stdout(&loaded).starts_with(&format!(
            "loaded the sample data from {dir}: {users} users, {artists} artists,"
        )),
        "{}",
        both(&loaded)
    );
    let counts = "SELECT (SELECT count(*) FROM users) * 1000000 + (SELECT count(*) FROM artists) * 10000 \
                  + (SELECT count(*) FROM shows) * 100 + (SELECT count(*) FROM venues) AS n";
    let first = count(&mut conn, counts).await;
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM users").await,
        users
    );
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM artists").await,
        artists
    );
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM shows").await,
        seed_len("shows.json")
    );
    assert!(count(&mut conn, "SELECT count(*) AS n FROM votes").await > 0);

    let again = theset_on(&url, &["seed", "--dir", dir]);
    assert_exit(&again, 0);
    assert_eq!(count(&mut conn, counts).await, first);
    // And the result is consistent.
    assert_exit(&theset_on(&url, &["db", "check"]), 0);
}

#[tokio::test]
async fn a_failed_seed_writes_nothing() {
    let db = TestDatabase::new().await;
    let url = db.url();
    let mut conn = db.conn().await;
    // Someone else already holds the last seed user's email: users load first, so the earlier
    // users are written before this one fails, and must be rolled back with it.
    let seeds = seed_users();
    let last = seeds.last().unwrap();
    let squatter = fixtures::user(&mut conn, UserRole::User).await;
    sql_query("UPDATE users SET email = $1 WHERE id = $2")
        .bind::<Text, _>(&last.email)
        .bind::<diesel::sql_types::Uuid, _>(squatter.id)
        .execute(&mut conn)
        .await
        .unwrap();
    assert_ne!(squatter.id.to_string(), last.id);

    let dir = seeds_dir();
    let failed = theset_on(&url, &["seed", "--dir", dir.to_str().unwrap()]);
    assert_one_line_error(&failed, 1, &format!("users.json: user {:?}", last.email));
    assert_eq!(count(&mut conn, "SELECT count(*) AS n FROM users").await, 1);
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM artists").await,
        0
    );

    // A folder without the files fails on reading, before connecting.
    let missing = theset_on(UNREACHABLE, &["seed", "--dir", "/nonexistent-seeds"]);
    assert_one_line_error(&missing, 1, "/nonexistent-seeds/users.json");
    assert!(
        !stderr(&missing).contains("connecting"),
        "{}",
        both(&missing)
    );
}

#[tokio::test]
async fn scale_seeding_prints_progress_lines_when_not_on_a_terminal() {
    let db = TestDatabase::new().await;
    let url = db.url();
    let mut conn = db.conn().await;
    let loaded = theset_on(&url, &["seed", "--scale", "0.001"]);
    assert_exit(&loaded, 0);
    let out = stdout(&loaded);
    assert!(
        out.starts_with("loaded the benchmark dataset at scale 0.001 in "),
        "{}",
        both(&loaded)
    );
    // stdout's report matches the rows written.
    for (table, label) in [
        ("artists", "artists"),
        ("shows", "shows"),
        ("users", "users"),
        ("votes", "votes"),
    ] {
        let rows = count(&mut conn, &format!("SELECT count(*) AS n FROM {table}")).await;
        assert!(rows > 0, "{table}");
        assert!(
            out.contains(&format!(" {rows} {label}")),
            "{table}: {rows}: {out}"
        );
    }
    // One line as each step starts and one as it ends; no terminal escapes.
    let err = stderr(&loaded);
    assert!(err.contains("votes: ") && err.contains(" rows..."), "{err}");
    assert!(
        err.lines().filter(|l| l.contains(": done in ")).count() >= 5,
        "{err}"
    );
    assert!(!err.contains('\u{1b}') && !err.contains('\r'), "{err:?}");
    // The loader computed every counter itself: they agree with the votes.
    let check = theset_on(&url, &["db", "check", "--json"]);
    assert_exit(&check, 0);
    assert_eq!(json(&check)["healthy"], true);

    // Loading into a database that has rows is refused, and changes nothing.
    let votes = count(&mut conn, "SELECT count(*) AS n FROM votes").await;
    let refused = theset_on(&url, &["seed", "--scale", "0.001"]);
    assert_one_line_error(&refused, 1, "not empty");
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM votes").await,
        votes
    );
}

#[tokio::test]
async fn scale_seeding_draws_a_bar_on_a_terminal() {
    let db = TestDatabase::new().await;
    // util-linux `script` runs the command on a pseudo-terminal of 100 columns.
    let line = format!(
        "stty cols 100 rows 40; '{THESET}' --database-url '{}' seed --scale 0.001",
        db.url()
    );
    let output = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .env_remove("DATABASE_URL")
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap();
    assert_exit(&output, 0);
    let screen = stdout(&output);
    assert!(
        screen.contains("[========================================]"),
        "a finished bar: {screen:?}"
    );
    assert!(
        screen.contains("\r\u{1b}[2K"),
        "bars redraw in place: {screen:?}"
    );
    assert!(
        !screen.contains(" rows..."),
        "no plain lines on a terminal: {screen:?}"
    );
    assert!(
        screen.contains("loaded the benchmark dataset at scale 0.001"),
        "{screen:?}"
    );
}

// --- users ---------------------------------------------------------------------------------------

#[tokio::test]
async fn users_list_filters_limits_and_prints_json() {
    let db = TestDatabase::new().await;
    let url = db.url_as("theset_service");
    let mut conn = db.conn().await;
    let fan = fixtures::user(&mut conn, UserRole::User).await;
    let moderator = fixtures::user(&mut conn, UserRole::Moderator).await;
    let admin = fixtures::user(&mut conn, UserRole::Admin).await;
    let other_admin = fixtures::user(&mut conn, UserRole::Admin).await;

    let listed = theset_on(&url, &["users", "list"]);
    assert_exit(&listed, 0);
    let text = stdout(&listed);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6, "{text}");
    assert!(
        lines[0].starts_with("EMAIL") && lines[0].contains("ROLE"),
        "{text}"
    );
    assert_eq!(lines[5], "4 users");
    let mut emails = vec![
        &fan.email,
        &moderator.email,
        &admin.email,
        &other_admin.email,
    ];
    emails.sort();
    for (line, email) in lines[1..5].iter().zip(&emails) {
        assert!(line.starts_with(email.as_str()), "{line} / {email}");
    }
    assert!(
        text.contains(&format!("{}  moderator", moderator.email)),
        "{text}"
    );

    let admins = theset_on(&url, &["users", "list", "--role", "admin", "--json"]);
    assert_exit(&admins, 0);
    let admins = json(&admins);
    let admins = admins.as_array().unwrap();
    let mut expected = vec![admin.email.as_str(), other_admin.email.as_str()];
    expected.sort_unstable();
    assert_eq!(
        admins
            .iter()
            .map(|u| u["email"].as_str().unwrap())
            .collect::<Vec<_>>(),
        expected
    );
    for user in admins {
        assert_eq!(user["role"], "admin");
        assert!(
            user["created_at"].is_string() && user["id"].is_string(),
            "{user}"
        );
        assert!(user.get("spotify_refresh_token").is_none(), "{user}");
    }

    let limited = json(&theset_on(
        &url,
        &["users", "list", "--limit", "1", "--json"],
    ));
    assert_eq!(limited.as_array().unwrap().len(), 1);
    assert_eq!(limited[0]["email"], emails[0].as_str());
    let nobody = theset_on(
        &url,
        &["users", "list", "--role", "moderator", "--limit", "5"],
    );
    assert!(stdout(&nobody).ends_with("1 user\n"), "{}", both(&nobody));

    // Through row level security the listing would be empty: refused, clearly.
    let api = theset_on(&db.url_as("theset_api"), &["users", "list"]);
    assert_one_line_error(
        &api,
        1,
        "connected as theset_api, whom row level security limits",
    );
}

#[tokio::test]
async fn set_role_changes_exactly_one_row() {
    let db = TestDatabase::new().await;
    let url = db.url_as("theset_service");
    let mut conn = db.conn().await;
    let sam = fixtures::user(&mut conn, UserRole::User).await;
    let kim = fixtures::user(&mut conn, UserRole::User).await;
    let before = users_snapshot(&mut conn).await;

    let promoted = theset_on(&url, &["users", "set-role", &sam.email, "moderator"]);
    assert_exit(&promoted, 0);
    assert_eq!(
        stdout(&promoted),
        format!("{}: role user -> moderator\n", sam.email)
    );
    assert_eq!(
        User::find(&mut conn, sam.id).await.unwrap().role,
        UserRole::Moderator
    );
    let after = users_snapshot(&mut conn).await;
    let changed: Vec<_> = before.iter().zip(&after).filter(|(b, a)| b != a).collect();
    assert_eq!(changed.len(), 1, "{before:?} -> {after:?}");
    assert!(
        changed[0]
            .1
            .row
            .starts_with(&format!("{} moderator ", sam.email))
    );
    assert_eq!(
        User::find(&mut conn, kim.id).await.unwrap().role,
        UserRole::User
    );

    // Setting the role it has changes nothing, not even updated_at.
    let same = theset_on(&url, &["users", "set-role", &sam.email, "moderator"]);
    assert_exit(&same, 0);
    assert!(
        stdout(&same).contains("already moderator"),
        "{}",
        both(&same)
    );
    assert_eq!(users_snapshot(&mut conn).await, after);

    // As the schema owner too.
    let demoted = theset_on(&db.url(), &["users", "set-role", &sam.email, "user"]);
    assert_exit(&demoted, 0);
    assert_eq!(
        User::find(&mut conn, sam.id).await.unwrap().role,
        UserRole::User
    );
}

#[tokio::test]
async fn set_role_on_an_unknown_or_deleted_user_fails_clearly() {
    let db = TestDatabase::new().await;
    let url = db.url_as("theset_service");
    let mut conn = db.conn().await;
    let sam = fixtures::user(&mut conn, UserRole::User).await;
    let gone = fixtures::user(&mut conn, UserRole::User).await;
    sql_query("UPDATE users SET deleted_at = now() WHERE id = $1")
        .bind::<diesel::sql_types::Uuid, _>(gone.id)
        .execute(&mut conn)
        .await
        .unwrap();
    let before = users_snapshot(&mut conn).await;

    let unknown = theset_on(&url, &["users", "set-role", "nobody@theset.test", "admin"]);
    assert_one_line_error(&unknown, 1, "no user has the email nobody@theset.test");
    let shouted = sam.email.to_uppercase();
    let case = theset_on(&url, &["users", "set-role", &shouted, "admin"]);
    assert_one_line_error(
        &case,
        1,
        &format!(
            "no user has the email {shouted} (did you mean {}?)",
            sam.email
        ),
    );
    let deleted = theset_on(&url, &["users", "set-role", &gone.email, "admin"]);
    assert_one_line_error(&deleted, 1, "is deleted");
    assert_eq!(users_snapshot(&mut conn).await, before);
}

// --- db check ------------------------------------------------------------------------------------

#[tokio::test]
async fn db_check_passes_on_a_fresh_database() {
    let db = TestDatabase::new().await;
    let url = db.url_as("theset_service");
    let text = theset_on(&url, &["db", "check"]);
    assert_exit(&text, 0);
    let out = stdout(&text);
    for section in [
        "extensions",
        "migrations",
        "row level security",
        "song counters",
        "vote totals",
    ] {
        assert!(
            out.lines()
                .any(|l| l.starts_with(section) && l.contains(" ok ")),
            "{section}: {out}"
        );
    }
    assert!(out.ends_with("no problems found\n"), "{out}");

    let report = json(&theset_on(&url, &["db", "check", "--json"]));
    assert_eq!(report["healthy"], true);
    assert_eq!(report["problems"], Value::Array(vec![]));
    for name in ["postgis", "pg_trgm", "unaccent", "uuid-ossp"] {
        let extension = report["extensions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == name)
            .unwrap_or_else(|| panic!("{name}: {report}"));
        assert_eq!(extension["required"], true);
        assert!(extension["version"].is_string(), "{extension}");
    }
    assert_eq!(report["migrations"]["pending"], Value::Array(vec![]));
    let tables: Vec<&str> = report["row_level_security"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["table"].as_str().unwrap())
        .collect();
    for table in ["users", "votes", "setlist_songs", "vote_totals_pending"] {
        assert!(tables.contains(&table), "{table}: {tables:?}");
    }
    // PostGIS's own table and diesel's bookkeeping hold no app data.
    assert!(
        !tables.contains(&"spatial_ref_sys") && !tables.contains(&"__diesel_schema_migrations")
    );
    assert_eq!(report["votes"]["song_counters"]["count"], 0);
}

#[tokio::test]
async fn db_check_catches_a_corrupted_counter_and_accounts_for_pending_totals() {
    let db = TestDatabase::new().await;
    let url = db.url_as("theset_service");
    let mut conn = db.conn().await;
    let sample = fixtures::show(&mut conn, 3).await;
    let voters = [
        fixtures::user(&mut conn, UserRole::User).await,
        fixtures::user(&mut conn, UserRole::User).await,
    ];
    let target = sample.setlist_songs[0].id;
    for voter in &voters {
        Vote::cast(&mut conn, voter.id, target, VoteType::Up)
            .await
            .unwrap();
    }
    Vote::cast(
        &mut conn,
        voters[0].id,
        sample.setlist_songs[1].id,
        VoteType::Down,
    )
    .await
    .unwrap();

    // Votes not folded yet: the totals lag, legitimately, and are not reported.
    let pending = json(&theset_on(&url, &["db", "check", "--json"]));
    assert_eq!(pending["healthy"], true, "{pending}");
    assert_eq!(pending["votes"]["awaiting_fold"]["setlists"], 1);
    assert_eq!(pending["votes"]["awaiting_fold"]["shows"], 1);
    Vote::refresh_totals(&mut conn).await.unwrap();
    let folded = json(&theset_on(&url, &["db", "check", "--json"]));
    assert_eq!(folded["healthy"], true, "{folded}");
    assert_eq!(folded["votes"]["awaiting_fold"]["setlists"], 0);
    assert_eq!(folded["votes"]["setlist_songs_checked"], 3);

    // Corrupt one counter as the owner (no trigger guards direct updates of the counters).
    sql_query("UPDATE setlist_songs SET upvotes = upvotes + 5 WHERE id = $1")
        .bind::<diesel::sql_types::Uuid, _>(target)
        .execute(&mut conn)
        .await
        .unwrap();
    let caught = theset_on(&url, &["db", "check", "--json"]);
    assert_exit(&caught, 3);
    let report = json(&caught);
    assert_eq!(report["healthy"], false);
    let counters = &report["votes"]["song_counters"];
    assert_eq!(counters["count"], 1, "{report}");
    let wrong = &counters["listed"][0];
    assert_eq!(wrong["setlist_song_id"], target.to_string());
    assert_eq!(wrong["setlist_id"], sample.setlist.id.to_string());
    assert_eq!(
        (wrong["upvotes"].clone(), wrong["counted_upvotes"].clone()),
        (7.into(), 2.into())
    );
    assert_eq!(wrong["net_votes"], 7);
    // The setlist's stored total (3 votes) now disagrees with its songs' counters (8).
    let totals = &report["votes"]["setlist_totals"];
    assert_eq!(totals["count"], 1, "{report}");
    assert_eq!(totals["listed"][0]["id"], sample.setlist.id.to_string());
    assert_eq!(
        (
            totals["listed"][0]["stored"].clone(),
            totals["listed"][0]["counted"].clone()
        ),
        (3.into(), 8.into())
    );
    assert_eq!(report["votes"]["show_totals"]["count"], 0);
    let problems = report["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 2, "{report}");
    assert!(problems[0].as_str().unwrap().contains(&target.to_string()));

    let text = theset_on(&url, &["db", "check"]);
    assert_exit(&text, 3);
    let out = stdout(&text);
    assert!(
        out.lines()
            .any(|l| l.starts_with("song counters") && l.contains("PROBLEM")),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "setlist song {target} (setlist {})",
            sample.setlist.id
        )),
        "{out}"
    );
    assert!(
        out.contains("upvotes 7, downvotes 0, net_votes 7, but its votes are 2 up, 0 down"),
        "{out}"
    );
}

#[tokio::test]
async fn db_check_catches_tables_without_row_level_security() {
    let db = TestDatabase::new().await;
    let url = db.url_as("theset_service");
    let mut conn = db.conn().await;
    sql_query("ALTER TABLE votes DISABLE ROW LEVEL SECURITY")
        .execute(&mut conn)
        .await
        .unwrap();
    sql_query("CREATE TABLE scratch_notes (id integer)")
        .execute(&mut conn)
        .await
        .unwrap();

    let caught = theset_on(&url, &["db", "check", "--json"]);
    assert_exit(&caught, 3);
    let report = json(&caught);
    let disabled: Vec<&str> = report["row_level_security"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["rls_enabled"] == false)
        .map(|t| t["table"].as_str().unwrap())
        .collect();
    assert_eq!(disabled, ["scratch_notes", "votes"]);
    assert_eq!(
        report["problems"],
        serde_json::json!([
            "table scratch_notes has row level security disabled",
            "table votes has row level security disabled"
        ])
    );
    let text = stdout(&theset_on(&url, &["db", "check"]));
    assert!(text.contains("disabled on 2 of "), "{text}");
    assert!(text.contains("scratch_notes, votes"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn db_check_reports_pending_migrations_and_missing_extensions() {
    let db = TestDatabase::new().await;
    let url = db.url();
    let mut conn = db.conn().await;
    let all = applied_versions(&mut conn).await;

    assert_exit(&theset_on(&url, &["migrate", "revert"]), 0);
    let one = json(&theset_on(&url, &["db", "check", "--json"]));
    assert_eq!(
        one["migrations"]["pending"],
        serde_json::json!([all.last().unwrap()])
    );
    assert_eq!(one["healthy"], false);

    assert_exit(&theset_on(&url, &["migrate", "revert", "--all"]), 0);
    let empty = theset_on(&url, &["db", "check", "--json"]);
    assert_exit(&empty, 3);
    let report = json(&empty);
    assert_eq!(
        report["migrations"]["pending"].as_array().unwrap().len(),
        all.len()
    );
    assert!(
        report["votes"].is_null(),
        "vote checks skipped without tables: {report}"
    );
    let problems: Vec<&str> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(
        problems.contains(&"extension postgis is not installed"),
        "{problems:?}"
    );
    assert!(
        problems.contains(&"extension unaccent is not installed"),
        "{problems:?}"
    );
    let text = stdout(&theset_on(&url, &["db", "check"]));
    assert!(text.contains("skipped"), "{text}");
}

#[tokio::test]
async fn db_check_reports_a_stale_replaceable_schema_until_migrate_applies_it() {
    let db = TestDatabase::new().await;
    let url = db.url();
    let mut conn = db.conn().await;
    // As a database last migrated by a build whose functions differed.
    sql_query("UPDATE __theset_replaceable_schema SET md5 = 'older' WHERE part <> 'foundation'")
        .execute(&mut conn)
        .await
        .unwrap();
    let stale = theset_on(&url, &["db", "check", "--json"]);
    assert_exit(&stale, 3);
    let report = json(&stale);
    assert_eq!(report["replaceable_schema_current"], false, "{report}");
    assert!(
        report["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p.as_str().unwrap().starts_with("the replaceable schema")),
        "{report}"
    );

    assert_exit(&theset_on(&url, &["migrate", "run"]), 0);
    let fresh = json(&theset_on(&url, &["db", "check", "--json"]));
    assert_eq!(fresh["replaceable_schema_current"], true, "{fresh}");
    assert_eq!(fresh["healthy"], true, "{fresh}");
}

#[tokio::test]
async fn db_check_refuses_a_role_that_row_level_security_limits() {
    let db = TestDatabase::new().await;
    let output = theset_on(&db.url_as("theset_api"), &["db", "check"]);
    assert_one_line_error(
        &output,
        1,
        "connected as theset_api, whom row level security limits",
    );
    assert!(
        stderr(&output).contains("checking theset_api@"),
        "{}",
        both(&output)
    );
}

#[tokio::test]
async fn migrations_applied_by_a_newer_build_are_reported() {
    let db = TestDatabase::new().await;
    let url = db.url_as("theset_service");
    let mut owner = db.conn().await;
    sql_query("INSERT INTO __diesel_schema_migrations (version) VALUES ('29991231000000')")
        .execute(&mut owner)
        .await
        .unwrap();
    let status = theset_on(&db.url(), &["migrate", "status"]);
    assert_exit(&status, 0);
    assert!(
        stdout(&status).ends_with("unknown  29991231000000\n"),
        "{}",
        both(&status)
    );
    let check = theset_on(&url, &["db", "check", "--json"]);
    assert_exit(&check, 3);
    let report = json(&check);
    assert_eq!(
        report["migrations"]["unknown"],
        serde_json::json!(["29991231000000"])
    );
    assert_eq!(
        report["problems"],
        serde_json::json!([
            "migration 29991231000000 is applied but unknown to this build (the database is newer)"
        ])
    );
}
