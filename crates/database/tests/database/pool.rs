//! Connections and the pool: bounded waits everywhere, TLS when the URL asks for it.

use std::time::Duration;

use diesel::sql_types::{Bool, Text};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use theset_database::testing::TestDatabase;
use theset_database::{DatabaseConfig, Error};

/// Every test below must finish well within this, whatever the database does.
const NO_HANG: Duration = Duration::from_secs(20);

#[tokio::test]
async fn an_exhausted_pool_answers_unavailable_after_its_wait_timeout() {
    let db = TestDatabase::new().await;
    let mut config = db.config_as("theset_api");
    config.pool_size = 1;
    config.pool_wait_timeout = Duration::from_millis(200);
    let pool = config.build_pool().unwrap();
    let held = pool.get().await.unwrap();
    let second = tokio::time::timeout(NO_HANG, pool.get())
        .await
        .expect("the pool wait is bounded");
    let error = Error::from(
        second
            .err()
            .expect("no second connection while the only one is held"),
    );
    assert!(matches!(error, Error::Unavailable(_)), "{error:?}");
    drop(held);
    assert!(
        pool.get().await.is_ok(),
        "the connection is back once released"
    );
}

/// `build_pool_on`: a connection's socket is driven by the runtime the pool was built on, so it
/// keeps working after the runtime that first asked for it is gone. (A plain `build_pool`
/// connection dies with the runtime that opened it: its driving task goes with that runtime.)
#[test]
fn connections_of_a_pool_built_on_a_runtime_outlive_the_runtimes_using_them() {
    let home = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let db = home.block_on(TestDatabase::new());
    let mut config = db.config_as("theset_api");
    config.pool_size = 1;
    let pool = config.build_pool_on(home.handle().clone()).unwrap();
    let backends: Vec<i32> = (0..3)
        .map(|_| {
            let caller = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            caller.block_on(async {
                let mut conn = tokio::time::timeout(NO_HANG, pool.get())
                    .await
                    .expect("the pool wait is bounded")
                    .unwrap();
                #[derive(QueryableByName)]
                struct Backend {
                    #[diesel(sql_type = diesel::sql_types::Integer)]
                    pid: i32,
                }
                let backend: Backend = tokio::time::timeout(
                    NO_HANG,
                    sql_query("SELECT pg_backend_pid() AS pid").get_result(&mut *conn),
                )
                .await
                .expect("the query answers")
                .expect("the connection still works after its first caller's runtime ended");
                backend.pid
            })
        })
        .collect();
    assert!(
        backends.windows(2).all(|w| w[0] == w[1]),
        "one connection served every caller: {backends:?}"
    );
}

#[tokio::test]
async fn a_server_that_never_answers_gives_a_connect_timeout() {
    // A listener that accepts and then says nothing, like a wedged server or a dead proxy.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            open.push(socket);
        }
    });
    let mut config =
        DatabaseConfig::from_url(&format!("postgres://nobody@127.0.0.1:{port}/none")).unwrap();
    config.connect_timeout = Duration::from_millis(300);
    let attempt = tokio::time::timeout(NO_HANG, config.connect())
        .await
        .expect("connecting is bounded");
    let message = attempt
        .err()
        .expect("a silent server yields no connection")
        .to_string();
    assert!(message.contains("timed out"), "{message}");

    // The pool gives up within its own limits too.
    config.pool_wait_timeout = Duration::from_millis(300);
    let pool = config.build_pool().unwrap();
    let pooled = tokio::time::timeout(NO_HANG, pool.get())
        .await
        .expect("the pool is bounded");
    assert!(matches!(
        Error::from(pooled.err().expect("no connection")),
        Error::Unavailable(_)
    ));
}

#[tokio::test]
async fn statements_are_cut_off_by_the_statement_timeout() {
    let db = TestDatabase::new().await;
    let mut config = db.config();
    config.statement_timeout = Some(Duration::from_millis(200));
    let mut conn = config.connect().await.unwrap();
    let slow = tokio::time::timeout(NO_HANG, sql_query("SELECT pg_sleep(5)").execute(&mut conn))
        .await
        .unwrap();
    let message = slow.expect_err("the statement is cancelled").to_string();
    assert!(message.contains("statement timeout"), "{message}");
    // The connection is still usable afterwards.
    sql_query("SELECT 1").execute(&mut conn).await.unwrap();
}

#[tokio::test]
async fn connection_errors_carry_the_server_s_reason() {
    let db = TestDatabase::new().await;
    let missing = db.config().with_database("theset_no_such_database");
    let error = missing
        .connect()
        .await
        .err()
        .expect("no such database")
        .to_string();
    assert!(error.contains("does not exist"), "{error}");
    let pool = missing.build_pool().unwrap();
    let pooled = Error::from(pool.get().await.err().expect("no connection"));
    assert!(pooled.to_string().contains("does not exist"), "{pooled}");
}

#[test]
fn bad_settings_are_reported_by_name() {
    let bad_url = DatabaseConfig::from_url("mysql://nope").unwrap_err();
    assert_eq!(bad_url.setting, "DATABASE_URL");
    let bad_mode =
        DatabaseConfig::from_url("postgres://u@localhost/db?sslmode=sometimes").unwrap_err();
    assert!(bad_mode.reason.contains("sslmode"), "{bad_mode}");
    let missing_ca = DatabaseConfig::from_url(
        "postgres://u@localhost/db?sslmode=verify-full&sslrootcert=/nonexistent.pem",
    )
    .unwrap_err();
    assert_eq!(missing_ca.setting, "sslrootcert");
    let fine = DatabaseConfig::from_url(
        "postgres://u@localhost:5432/db?sslmode=require&application_name=theset",
    )
    .unwrap();
    assert_eq!((fine.user(), fine.database()), (Some("u"), Some("db")));
}

#[derive(QueryableByName)]
struct Ssl {
    #[diesel(sql_type = Bool)]
    ssl: bool,
}

async fn uses_tls(conn: &mut AsyncPgConnection) -> bool {
    sql_query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .get_result::<Ssl>(conn)
        .await
        .unwrap()
        .ssl
}

#[tokio::test]
async fn sslmode_require_encrypts_and_verify_full_checks_the_certificate() {
    let db = TestDatabase::new().await;
    let mut owner = db.conn().await;
    #[derive(QueryableByName)]
    struct Setting {
        #[diesel(sql_type = Text)]
        value: String,
    }
    let ssl: Setting = sql_query("SELECT current_setting('ssl') AS value")
        .get_result(&mut owner)
        .await
        .unwrap();
    assert_eq!(
        ssl.value, "on",
        "the test server must have ssl=on (scripts/db sets it up)"
    );
    assert!(!uses_tls(&mut owner).await, "no sslmode: plain text");

    let with = |params: &str| DatabaseConfig::from_url(&format!("{}?{params}", db.url())).unwrap();
    let mut encrypted = with("sslmode=require").connect().await.unwrap();
    assert!(uses_tls(&mut encrypted).await);

    // The dev server's certificate comes from a private CA: not trusted by the public roots...
    let untrusted = with("sslmode=verify-full").connect().await;
    assert!(
        untrusted.is_err(),
        "a self-signed certificate must fail verification"
    );
    // ...but trusted when that CA is named as the root.
    let cert: Setting = sql_query("SELECT pg_read_file(current_setting('ssl_ca_file')) AS value")
        .get_result(&mut owner)
        .await
        .unwrap();
    let dir = std::env::temp_dir().join(format!("theset-ca-{}", db.name()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca = dir.join("root.crt");
    std::fs::write(&ca, cert.value).unwrap();
    let mut verified = with(&format!("sslmode=verify-full&sslrootcert={}", ca.display()))
        .connect()
        .await
        .unwrap();
    assert!(uses_tls(&mut verified).await);
    std::fs::remove_dir_all(&dir).unwrap();
}
