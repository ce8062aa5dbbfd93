//! Test support (feature `testing`): every test gets its own database, cloned from a template
//! that has all migrations applied, so tests run in parallel and leave nothing behind.
//!
//! The server comes from `TEST_DATABASE_URL` (any database on it; the role must be able to create
//! databases, and roles for the RLS tests), by default the project's dev cluster that
//! `scripts/db start` runs on 127.0.0.1:54322. The template is named after a fingerprint of
//! `migrations/`, built once per change of the migrations, under an advisory lock so parallel
//! test processes build it once.
// Test support panics with a clear message instead of threading errors through every test.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::time::Duration;

use diesel::sql_types::Text;
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};

use crate::migrations;
use crate::pool::{DatabaseConfig, DbPool};

pub const DEFAULT_TEST_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:54322/postgres";
pub const TEST_DATABASE_PREFIX: &str = "theset_test_";
const TEMPLATE_PREFIX: &str = "theset_template_";
const TEMPLATE_LOCK: i64 = 0x7e5e_7000;

/// A fresh, migrated database, dropped when this value is dropped.
#[derive(Debug)]
pub struct TestDatabase {
    name: String,
    server_url: String,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

/// The URL of the test server.
pub fn server_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_TEST_DATABASE_URL.to_owned())
}

/// `url` with its database name replaced.
pub fn url_with_database(url: &str, database: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{database}?{query}"),
        None => format!("{base}/{database}"),
    }
}

/// `url` with its user replaced and any password dropped.
pub fn url_with_user(url: &str, user: &str) -> String {
    let scheme_end = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[scheme_end..];
    let host_start = rest.find('@').map_or(0, |at| at + 1);
    format!("{}{user}@{}", &url[..scheme_end], &rest[host_start..])
}

fn config(url: &str) -> DatabaseConfig {
    DatabaseConfig::from_url(url).unwrap_or_else(|e| panic!("TEST_DATABASE_URL: {e}"))
}

async fn admin_connection(server_url: &str) -> AsyncPgConnection {
    config(&url_with_database(server_url, "postgres")).connect().await.unwrap_or_else(|e| {
        panic!("cannot reach the test database server at {server_url}: {e}\n(run scripts/db start, or set TEST_DATABASE_URL)")
    })
}

/// Runs a statement that fails while another session is still connected to a database it
/// names (CREATE ... TEMPLATE, RENAME): a just-closed connection can take a moment to go away.
async fn execute_retrying(conn: &mut AsyncPgConnection, statement: &str) {
    for attempt in 0.. {
        match sql_query(statement).execute(conn).await {
            Ok(_) => return,
            Err(e) if attempt < 100 && e.to_string().contains("being accessed by other users") => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("{statement}: {e}"),
        }
    }
}

async fn ensure_template(server_url: &str) -> String {
    let template = format!("{TEMPLATE_PREFIX}{}", env!("THESET_MIGRATIONS_FINGERPRINT"));
    let mut admin = admin_connection(server_url).await;
    sql_query(format!("SELECT pg_advisory_lock({TEMPLATE_LOCK})"))
        .execute(&mut admin)
        .await
        .unwrap();
    // Supabase's roles exist before any template is migrated: the migrations grant to them when
    // they exist, so a template built before and one built after a hosted test created them would
    // differ (and a database migrated twice would not match its own dump).
    admin.batch_execute(HOSTED_ROLES).await.unwrap();
    let existing: Vec<Name> = sql_query(format!(
        "SELECT datname::text AS name FROM pg_database WHERE datname LIKE '{TEMPLATE_PREFIX}%'"
    ))
    .load(&mut admin)
    .await
    .unwrap();
    if !existing.iter().any(|db| db.name == template) {
        let building = format!("{template}_building");
        execute_retrying(
            &mut admin,
            &format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"),
        )
        .await;
        execute_retrying(&mut admin, &format!("CREATE DATABASE {building}")).await;
        migrations::run_pending(&config(&url_with_database(server_url, &building)))
            .await
            .unwrap_or_else(|e| panic!("migrating the test template: {e}"));
        execute_retrying(
            &mut admin,
            &format!("ALTER DATABASE {building} RENAME TO {template}"),
        )
        .await;
        execute_retrying(
            &mut admin,
            &format!("ALTER DATABASE {template} WITH IS_TEMPLATE true"),
        )
        .await;
        // Templates of older migrations are of no further use.
        for old in existing {
            execute_retrying(
                &mut admin,
                &format!("ALTER DATABASE {} WITH IS_TEMPLATE false", old.name),
            )
            .await;
            execute_retrying(
                &mut admin,
                &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", old.name),
            )
            .await;
        }
    }
    sql_query(format!("SELECT pg_advisory_unlock({TEMPLATE_LOCK})"))
        .execute(&mut admin)
        .await
        .unwrap();
    template
}

/// The migrating role of [`TestDatabase::hosted`]: like Supabase's `postgres`, no superuser,
/// with CREATEROLE and BYPASSRLS.
pub const HOSTED_MIGRATOR: &str = "theset_test_migrator";

/// Supabase's roles, as it creates them (the setup its own realtime repository uses for its dev
/// database): `anon`, `authenticated` and `service_role`, and the login role `authenticator` its
/// Data API connects as and switches from; and the migrating role. Cluster-wide: created once.
const HOSTED_ROLES: &str = "
DO $$
BEGIN
  IF to_regrole('anon') IS NULL THEN CREATE ROLE anon NOLOGIN NOINHERIT; END IF;
  IF to_regrole('authenticated') IS NULL THEN CREATE ROLE authenticated NOLOGIN NOINHERIT; END IF;
  IF to_regrole('service_role') IS NULL THEN
    CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS;
  END IF;
  IF to_regrole('authenticator') IS NULL THEN CREATE ROLE authenticator LOGIN NOINHERIT; END IF;
  IF to_regrole('theset_test_migrator') IS NULL THEN
    CREATE ROLE theset_test_migrator LOGIN CREATEROLE BYPASSRLS;
  END IF;
END
$$;
GRANT anon, authenticated, service_role TO authenticator;";

/// A new Supabase database before anything is migrated: the extensions in their own schema (as
/// Supabase installs them), that schema on the search path, and the default privileges that give
/// Supabase's roles every right on what the migrating role creates in `public`.
const HOSTED_DATABASE: &str = "
CREATE SCHEMA extensions;
GRANT USAGE ON SCHEMA extensions TO PUBLIC;
CREATE EXTENSION \"uuid-ossp\" SCHEMA extensions;
CREATE EXTENSION postgis SCHEMA extensions;
CREATE EXTENSION pg_trgm SCHEMA extensions;
CREATE EXTENSION unaccent SCHEMA extensions;
GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE theset_test_migrator IN SCHEMA public
  GRANT ALL ON TABLES TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE theset_test_migrator IN SCHEMA public
  GRANT ALL ON FUNCTIONS TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE theset_test_migrator IN SCHEMA public
  GRANT ALL ON SEQUENCES TO anon, authenticated, service_role;";

impl TestDatabase {
    /// Creates a fresh database with every migration applied.
    pub async fn new() -> Self {
        let server_url = server_url();
        let template = ensure_template(&server_url).await;
        let name = format!("{TEST_DATABASE_PREFIX}{}", uuid::Uuid::new_v4().simple());
        let mut admin = admin_connection(&server_url).await;
        execute_retrying(
            &mut admin,
            &format!("CREATE DATABASE {name} TEMPLATE {template}"),
        )
        .await;
        Self { name, server_url }
    }

    /// A fresh database set up the way a Supabase project is (roles, default privileges,
    /// extensions in schema `extensions`), then migrated by [`HOSTED_MIGRATOR`], a role that is no
    /// superuser. Not cloned from the template: what is tested is the migration itself.
    pub async fn hosted() -> Self {
        let server_url = server_url();
        // The template's build creates theset_api and theset_service as the superuser (on
        // PostgreSQL 15 only a superuser, or Supabase's supautils, may give BYPASSRLS), and
        // Supabase's roles.
        ensure_template(&server_url).await;
        let mut admin = admin_connection(&server_url).await;
        let name = format!("{TEST_DATABASE_PREFIX}{}", uuid::Uuid::new_v4().simple());
        execute_retrying(
            &mut admin,
            &format!("CREATE DATABASE {name} OWNER {HOSTED_MIGRATOR}"),
        )
        .await;
        let database = Self { name, server_url };
        let mut conn = database.conn().await;
        conn.batch_execute(HOSTED_DATABASE).await.unwrap();
        conn.batch_execute(&format!(
            "ALTER DATABASE {} SET search_path = \"$user\", public, extensions",
            database.name
        ))
        .await
        .unwrap();
        drop(conn);
        migrations::run_pending(&database.config_as(HOSTED_MIGRATOR))
            .await
            .unwrap_or_else(|e| panic!("migrating as {HOSTED_MIGRATOR}: {e}"));
        database
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// URL of this database as the server's superuser (the schema owner).
    pub fn url(&self) -> String {
        url_with_database(&self.server_url, &self.name)
    }

    /// URL of this database as another role (`theset_api`, `theset_service`).
    pub fn url_as(&self, role: &str) -> String {
        url_with_user(&self.url(), role)
    }

    pub fn config(&self) -> DatabaseConfig {
        config(&self.url())
    }

    pub fn config_as(&self, role: &str) -> DatabaseConfig {
        config(&self.url_as(role))
    }

    /// A connection as the schema owner.
    pub async fn conn(&self) -> AsyncPgConnection {
        self.config().connect().await.unwrap()
    }

    /// A connection as `role`.
    pub async fn conn_as(&self, role: &str) -> AsyncPgConnection {
        self.config_as(role).connect().await.unwrap()
    }

    /// A pool of `size` connections as `role`.
    pub fn pool_as(&self, role: &str, size: usize) -> DbPool {
        let mut config = self.config_as(role);
        config.pool_size = size;
        config.build_pool().unwrap()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // Drop runs outside async context guarantees: use a thread with its own small runtime.
        let server_url = self.server_url.clone();
        let statement = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async move {
                let mut admin = config(&url_with_database(&server_url, "postgres"))
                    .connect()
                    .await
                    .ok()?;
                sql_query(statement).execute(&mut admin).await.ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(_))) {
            eprintln!("warning: could not drop test database {}", self.name);
        }
    }
}

/// Sample rows for tests: built as the schema owner, named uniquely so several fit in one database.
pub mod fixtures {
    use chrono::{Duration as Days, NaiveTime, Utc};

    use crate::enums::{SetlistType, UserRole};
    use crate::ids::UserId;
    use crate::models::*;
    use diesel_async::AsyncPgConnection;

    /// An upcoming show (in a week, 20:00 in Berlin) with a predicted setlist of `songs` songs.
    #[derive(Debug, Clone)]
    pub struct SampleShow {
        pub artist: Artist,
        pub venue: Venue,
        pub show: Show,
        pub setlist: Setlist,
        pub songs: Vec<Song>,
        pub setlist_songs: Vec<SetlistSong>,
    }

    fn unique(prefix: &str) -> String {
        format!(
            "{prefix}-{}",
            &uuid::Uuid::new_v4().simple().to_string()[..12]
        )
    }

    pub async fn user(conn: &mut AsyncPgConnection, role: UserRole) -> User {
        let id = UserId::new_random();
        let user = User::create(
            conn,
            &NewUser {
                id,
                email: format!("{id}@example.test"),
                display_name: None,
                avatar_url: None,
            },
        )
        .await
        .unwrap();
        if role == UserRole::User {
            user
        } else {
            User::set_role(conn, id, role).await.unwrap()
        }
    }

    pub async fn artist(conn: &mut AsyncPgConnection, name: &str) -> Artist {
        Artist::create(conn, &NewArtist::new(name.to_owned(), unique("artist")))
            .await
            .unwrap()
    }

    pub async fn venue(
        conn: &mut AsyncPgConnection,
        name: &str,
        lat: f64,
        lng: f64,
        timezone: &str,
    ) -> Venue {
        Venue::create(
            conn,
            &NewVenue {
                latitude: Some(lat),
                longitude: Some(lng),
                ..NewVenue::new(
                    name.to_owned(),
                    unique("venue"),
                    "Berlin".to_owned(),
                    "DE".to_owned(),
                    timezone.to_owned(),
                )
            },
        )
        .await
        .unwrap()
    }

    pub async fn show(conn: &mut AsyncPgConnection, songs: usize) -> SampleShow {
        let artist = artist(conn, "Sample Artist").await;
        let venue = venue(conn, "Sample Hall", 52.5200, 13.4050, "Europe/Berlin").await;
        let show = Show::create(
            conn,
            &NewShow {
                venue_id: Some(venue.id),
                start_time: NaiveTime::from_hms_opt(20, 0, 0),
                ..NewShow::new(
                    artist.id,
                    "Sample Show".to_owned(),
                    unique("show"),
                    (Utc::now() + Days::days(7)).date_naive(),
                )
            },
        )
        .await
        .unwrap();
        let setlist = Setlist::create(
            conn,
            &NewSetlist::new(show.id, artist.id, SetlistType::Predicted),
        )
        .await
        .unwrap();
        let mut catalog = Vec::new();
        let mut setlist_songs = Vec::new();
        for position in 1..=songs {
            let song = Song::create(
                conn,
                &NewSong::new(artist.id, format!("Song {position}"), artist.name.clone()),
            )
            .await
            .unwrap();
            let entry = SetlistSong::create(
                conn,
                &NewSetlistSong::new(setlist.id, song.id, i32::try_from(position).unwrap()),
            )
            .await
            .unwrap();
            catalog.push(song);
            setlist_songs.push(entry);
        }
        SampleShow {
            artist,
            venue,
            show,
            setlist,
            songs: catalog,
            setlist_songs,
        }
    }
}

/// A PostgreSQL server of one test's own (initdb in a temporary directory, a free port), for
/// tests that restart or stop the server: the shared test server must stay up for the others.
/// Its data goes when the value is dropped.
#[derive(Debug)]
pub struct PrivateServer {
    dir: std::path::PathBuf,
    port: u16,
}

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

impl PrivateServer {
    /// Creates and starts the server (a few seconds; blocking). `scripts/db start` installs the
    /// binaries it uses.
    pub fn start() -> Self {
        let server = Self::place();
        let port = server.port;
        server.pg(&[
            "initdb",
            "-D",
            &server.data(),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-instructions",
        ]);
        std::fs::write(
            server.dir.join("data/postgresql.conf.theset"),
            format!(
                "listen_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = ''\n\
                 fsync = off\nsynchronous_commit = off\nmax_connections = 100\n"
            ),
        )
        .unwrap();
        let conf = server.dir.join("data/postgresql.conf");
        let mut text = std::fs::read_to_string(&conf).unwrap();
        text.push_str("\ninclude = 'postgresql.conf.theset'\n");
        std::fs::write(&conf, text).unwrap();
        server.chown();
        server.ctl(&["start", "-w", "-t", "60"]);
        server
    }

    /// A hot standby of this server, streaming from it (`pg_basebackup -R`), started on a port
    /// of its own (a few seconds; blocking). Databases created on the primary appear on it.
    pub fn standby(&self) -> Self {
        let standby = Self::place();
        let port = standby.port;
        let primary_port = self.port.to_string();
        standby.pg(&[
            "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            &primary_port,
            "-U",
            "postgres",
            "-D",
            &standby.data(),
            "-X",
            "stream",
            "-R",
            // An immediate checkpoint: the default spreads it over minutes.
            "--checkpoint=fast",
        ]);
        // postgresql.auto.conf is read last: the standby's own port over the copied one.
        let auto = standby.dir.join("data/postgresql.auto.conf");
        let mut text = std::fs::read_to_string(&auto).unwrap();
        text.push_str(&format!("\nport = {port}\nhot_standby = on\n"));
        std::fs::write(&auto, text).unwrap();
        standby.chown();
        standby.ctl(&["start", "-w", "-t", "60"]);
        standby
    }

    /// A free port and an empty directory the server's owner may write, for a new server.
    fn place() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let dir = std::env::temp_dir().join(format!("theset-pg-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let server = Self { dir, port };
        server.chown();
        server
    }

    /// The superuser's URL for database `database`.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// `pg_ctl restart -m fast`: sessions are terminated (57P01) and the server comes back.
    pub fn restart(&self) {
        self.ctl(&["restart", "-m", "fast", "-w", "-t", "60"]);
    }

    /// Creates database `name` and applies every migration.
    pub async fn migrated(&self, name: &str) -> DatabaseConfig {
        let mut admin = config(&self.url("postgres")).connect().await.unwrap();
        sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .unwrap();
        let owner = config(&self.url(name));
        migrations::run_pending(&owner).await.unwrap();
        owner
    }

    fn data(&self) -> String {
        self.dir.join("data").to_string_lossy().into_owned()
    }

    fn ctl(&self, args: &[&str]) {
        let log = self.dir.join("server.log").to_string_lossy().into_owned();
        let data = self.data();
        let mut all = vec!["pg_ctl", "-D", &data, "-l", &log, "-s"];
        all.extend_from_slice(args);
        self.pg(&all);
    }

    /// Runs a PostgreSQL program as the server's owner (initdb and postgres refuse root).
    fn pg(&self, args: &[&str]) {
        let program = format!("{PG_BIN}/{}", args[0]);
        let mut command = if is_root() {
            let mut c = std::process::Command::new("runuser");
            c.args(["-u", "postgres", "--", &program]);
            c
        } else {
            std::process::Command::new(&program)
        };
        let output = command
            .args(&args[1..])
            .current_dir("/")
            .output()
            .unwrap_or_else(|e| panic!("{program}: {e} (run scripts/db start to install it)"));
        assert!(
            output.status.success(),
            "{program} {:?}: {}{}",
            &args[1..],
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    fn chown(&self) {
        if is_root() {
            let status = std::process::Command::new("chown")
                .args(["-R", "postgres:postgres", &self.dir.to_string_lossy()])
                .status()
                .unwrap();
            assert!(status.success());
        }
    }
}

impl Drop for PrivateServer {
    fn drop(&mut self) {
        let data = self.data();
        let program = format!("{PG_BIN}/pg_ctl");
        let args = ["-D", data.as_str(), "stop", "-m", "immediate", "-s"];
        let _ = if is_root() {
            std::process::Command::new("runuser")
                .args(["-u", "postgres", "--", &program])
                .args(args)
                .output()
        } else {
            std::process::Command::new(&program).args(args).output()
        };
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}
