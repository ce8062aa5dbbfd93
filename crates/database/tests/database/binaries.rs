//! The `migrate` and `seed` binaries, run as a maintainer runs them.

use std::process::{Command, Output};

use diesel::QueryableByName;
use diesel::sql_types::BigInt;
use diesel_async::RunQueryDsl;
use theset_database::testing::TestDatabase;

#[derive(Debug, QueryableByName)]
struct Counts {
    #[diesel(sql_type = BigInt)]
    predictions: i64,
    #[diesel(sql_type = BigInt)]
    scores: i64,
    #[diesel(sql_type = BigInt)]
    standings: i64,
}

fn run(bin: &str, args: &[&str]) -> Output {
    Command::new(bin)
        .args(args)
        .env_remove("DATABASE_URL")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[tokio::test]
async fn migrate_reports_status_reverts_and_reapplies() {
    let db = TestDatabase::new().await;
    let url = db.url();
    let migrate = env!("CARGO_BIN_EXE_migrate");
    let status = run(migrate, &["--database-url", &url, "status"]);
    assert!(status.status.success(), "{}", text(&status));
    let listed = String::from_utf8_lossy(&status.stdout).to_string();
    assert!(
        listed.lines().count() >= 4 && listed.lines().all(|l| l.starts_with("applied")),
        "{listed}"
    );

    let reverted = run(migrate, &["--database-url", &url, "revert"]);
    assert!(reverted.status.success(), "{}", text(&reverted));
    let status = run(migrate, &["--database-url", &url, "status"]);
    assert_eq!(
        String::from_utf8_lossy(&status.stdout)
            .lines()
            .filter(|l| l.starts_with("pending"))
            .count(),
        1
    );
    let redo = run(migrate, &["--database-url", &url, "run"]);
    assert!(
        redo.status.success() && text(&redo).contains("applied"),
        "{}",
        text(&redo)
    );
    let again = run(migrate, &["--database-url", &url, "run"]);
    assert!(
        text(&again).contains("no pending migrations"),
        "{}",
        text(&again)
    );

    let bad = run(
        migrate,
        &[
            "--database-url",
            "postgres://nobody@127.0.0.1:1/none",
            "status",
        ],
    );
    assert!(!bad.status.success());
    assert!(text(&bad).starts_with("migrate: "), "{}", text(&bad));
    let unknown = run(migrate, &["--database-url", &url, "sideways"]);
    assert!(!unknown.status.success());
}

#[tokio::test]
async fn seed_loads_the_sample_data_and_refuses_bad_input() {
    let db = TestDatabase::new().await;
    let url = db.url();
    let seed = env!("CARGO_BIN_EXE_seed");
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../seeds");
    let mut conn = db.conn().await;
    for _ in 0..2 {
        let loaded = run(seed, &["--database-url", &url, "--dir", dir]);
        assert!(loaded.status.success(), "{}", text(&loaded));
        assert!(
            text(&loaded).contains("sample data loaded")
                && text(&loaded).contains("fan predictions"),
            "{}",
            text(&loaded)
        );
        // Fans' predictions, a scored finished show and standings, the same after each run.
        let counts: Counts = diesel::sql_query(
            "SELECT (SELECT count(*) FROM setlists WHERE owner_id IS NOT NULL) AS predictions,
                    (SELECT count(*) FROM prediction_scores WHERE kind = 'fan' AND is_final) AS scores,
                    (SELECT count(*) FROM fan_standings WHERE scope = 'all') AS standings",
        )
        .get_result(&mut conn)
        .await
        .unwrap();
        assert!(
            counts.predictions > counts.scores && counts.scores > 0 && counts.standings > 0,
            "{counts:?}"
        );
    }
    let missing = run(
        seed,
        &["--database-url", &url, "--dir", "/nonexistent-seeds"],
    );
    assert!(!missing.status.success());
    assert!(text(&missing).contains("users.json"), "{}", text(&missing));
    let bad_scale = run(seed, &["--database-url", &url, "--scale", "-3"]);
    assert!(!bad_scale.status.success(), "{}", text(&bad_scale));
    let not_empty = run(seed, &["--database-url", &url, "--scale", "0.01"]);
    assert!(
        !not_empty.status.success(),
        "the scale dataset needs an empty database: {}",
        text(&not_empty)
    );
}
