//! The migrations themselves: reversible, indexed, and in step with schema.rs.

use std::path::PathBuf;
use std::process::Command;

use diesel::sql_types::Text;
use diesel::{QueryableByName, sql_query};
use diesel_async::RunQueryDsl;
use theset_database::migrations;
use theset_database::testing::TestDatabase;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// `pg_dump --schema-only`, minus the per-run random `\restrict` key lines.
fn schema_dump(db: &TestDatabase) -> String {
    let pg_dump = std::env::var("PG_DUMP")
        .unwrap_or_else(|_| "/usr/lib/postgresql/15/bin/pg_dump".to_owned());
    let output = Command::new(&pg_dump)
        .args(["--schema-only", "--no-owner", "--dbname", &db.url()])
        .output()
        .unwrap_or_else(|e| panic!("running {pg_dump}: {e}"));
    assert!(
        output.status.success(),
        "pg_dump failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter(|line| !line.starts_with("\\restrict") && !line.starts_with("\\unrestrict"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[derive(QueryableByName, Debug)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[tokio::test(flavor = "multi_thread")]
async fn migrations_go_down_and_up_again_to_the_identical_schema() {
    let db = TestDatabase::new().await;
    let before = schema_dump(&db);
    assert!(
        before.contains("CREATE TABLE public.votes"),
        "the dump shows the schema"
    );

    let reverted = migrations::revert_all(&db.config()).await.unwrap();
    assert_eq!(
        reverted.len(),
        migrations::status(&db.config()).await.unwrap().len()
    );
    let mut conn = db.conn().await;
    let left: Vec<Name> = sql_query(
        "SELECT relname::text AS name FROM pg_class WHERE relnamespace = 'public'::regnamespace \
           AND relname NOT LIKE '__diesel_schema_migrations%' \
         UNION ALL SELECT typname::text FROM pg_type WHERE typnamespace = 'public'::regnamespace AND typtype = 'e' \
         UNION ALL SELECT proname::text FROM pg_proc WHERE pronamespace = 'public'::regnamespace \
         UNION ALL SELECT extname::text FROM pg_extension WHERE extname <> 'plpgsql'",
    )
    .load(&mut conn)
    .await
    .unwrap();
    assert!(
        left.is_empty(),
        "left behind after reverting everything: {left:?}"
    );
    drop(conn);

    let applied = migrations::run_pending(&db.config()).await.unwrap();
    assert_eq!(applied, reverted.iter().rev().cloned().collect::<Vec<_>>());
    assert_eq!(schema_dump(&db), before);
    assert!(
        migrations::status(&db.config())
            .await
            .unwrap()
            .iter()
            .all(|m| m.applied)
    );
}

#[tokio::test]
async fn every_foreign_key_has_an_index() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    // A foreign key is covered when its columns are the leading columns of some index.
    let uncovered: Vec<Name> = sql_query(
        "SELECT c.conrelid::regclass::text || ' (' || c.conname || ')' AS name \
         FROM pg_constraint c \
         WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace \
           AND NOT EXISTS ( \
             SELECT 1 FROM pg_index i \
             WHERE i.indrelid = c.conrelid \
               AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] @> c.conkey \
               AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] <@ c.conkey)",
    )
    .load(&mut conn)
    .await
    .unwrap();
    assert!(
        uncovered.is_empty(),
        "foreign keys without an index: {uncovered:?}"
    );
    let count: Vec<Name> = sql_query("SELECT conname::text AS name FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace")
        .load(&mut conn)
        .await
        .unwrap();
    assert!(
        count.len() >= 14,
        "the check saw the foreign keys: {count:?}"
    );
}

#[tokio::test]
async fn schema_rs_matches_the_migrations() {
    let db = TestDatabase::new().await;
    let root = repo_root();
    let diesel = std::env::var("DIESEL_CLI")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root.join(".tools/bin/diesel"));
    let output = Command::new(&diesel)
        .current_dir(&root)
        .args([
            "print-schema",
            "--config-file",
            "diesel.toml",
            "--database-url",
            &db.url(),
        ])
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "running {} (install it with scripts/install-tools): {e}",
                diesel.display()
            )
        });
    assert!(
        output.status.success(),
        "diesel print-schema: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let generated = String::from_utf8(output.stdout).unwrap();
    let committed = std::fs::read_to_string(root.join("crates/database/src/schema.rs")).unwrap();
    assert!(
        generated == committed,
        "crates/database/src/schema.rs differs from what the migrations generate: run scripts/schema write"
    );
}

#[tokio::test]
async fn expected_extensions_and_indexes_exist() {
    let db = TestDatabase::new().await;
    let mut conn = db.conn().await;
    let names: Vec<Name> = sql_query(
        "SELECT extname::text AS name FROM pg_extension UNION ALL \
         SELECT indexname::text FROM pg_indexes WHERE schemaname = 'public'",
    )
    .load(&mut conn)
    .await
    .unwrap();
    let names: Vec<&str> = names.iter().map(|n| n.name.as_str()).collect();
    for expected in [
        "uuid-ossp",
        "postgis",
        "pg_trgm",
        "unaccent",
        "idx_artists_spotify_id",
        "idx_shows_date",
        "idx_shows_status",
        "idx_venues_location",
        "idx_setlist_songs_position",
        "idx_artists_name_trgm",
        "idx_songs_title_trgm",
        "idx_venues_name_trgm",
    ] {
        assert!(names.contains(&expected), "{expected} is missing");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn status_and_state_only_read_even_a_never_migrated_database() {
    let db = TestDatabase::new().await;
    let known = migrations::status(&db.config()).await.unwrap();
    assert!(known.iter().all(|m| m.applied && m.known), "{known:?}");
    migrations::revert_all(&db.config()).await.unwrap();
    let mut conn = db.conn().await;
    sql_query("DROP TABLE __diesel_schema_migrations")
        .execute(&mut conn)
        .await
        .unwrap();

    let state = migrations::state(&mut conn).await.unwrap();
    assert!(state.applied.is_empty() && state.unknown.is_empty());
    assert_eq!(
        state.pending,
        known.iter().map(|m| m.version.clone()).collect::<Vec<_>>()
    );
    let status = migrations::status(&db.config()).await.unwrap();
    assert!(status.iter().all(|m| !m.applied), "{status:?}");
    // Reading created nothing (diesel's harness would have created its table).
    let tables: Vec<Name> = sql_query(
        "SELECT relname::text AS name FROM pg_class WHERE relname = '__diesel_schema_migrations'",
    )
    .load(&mut conn)
    .await
    .unwrap();
    assert!(tables.is_empty(), "{tables:?}");

    assert_eq!(
        migrations::run_pending(&db.config()).await.unwrap().len(),
        known.len()
    );
    assert_eq!(
        migrations::pending(&mut conn).await.unwrap(),
        Vec::<String>::new()
    );
}

/// Two deploys migrating one fresh database at once: the advisory lock makes the second wait
/// for the first, which applies everything; the second then finds nothing pending. Without the
/// lock both try to create diesel's table and apply the first migration, and one fails.
#[tokio::test(flavor = "multi_thread")]
async fn concurrent_run_pending_on_a_fresh_database_apply_each_migration_once() {
    #[derive(QueryableByName, Debug)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let db = TestDatabase::new().await;
    let known = migrations::status(&db.config()).await.unwrap().len();
    migrations::revert_all(&db.config()).await.unwrap();
    let mut conn = db.conn().await;
    sql_query("DROP TABLE __diesel_schema_migrations")
        .execute(&mut conn)
        .await
        .unwrap();

    let (config_a, config_b) = (db.config(), db.config());
    let a = tokio::spawn(async move { migrations::run_pending(&config_a).await });
    let b = tokio::spawn(async move { migrations::run_pending(&config_b).await });
    let a = a
        .await
        .unwrap()
        .unwrap_or_else(|e| panic!("first migrator: {e}"));
    let b = b
        .await
        .unwrap()
        .unwrap_or_else(|e| panic!("second migrator: {e}"));

    let mut applied = [a.len(), b.len()];
    applied.sort();
    assert_eq!(
        applied,
        [0, known],
        "one applied everything, the other nothing"
    );
    let rows: Count = sql_query("SELECT count(*) AS n FROM __diesel_schema_migrations")
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(rows.n, known as i64);
    assert_eq!(
        migrations::pending(&mut conn).await.unwrap(),
        Vec::<String>::new()
    );
    // The lock is released: nobody holds it any more.
    let held: Count = sql_query(
        "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = 1953719668 \
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    )
    .get_result(&mut conn)
    .await
    .unwrap();
    assert_eq!(held.n, 0);
}
