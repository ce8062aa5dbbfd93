//! A read-only health check of a TheSet database (`theset db check`).
//!
//! It reports the extensions the schema needs, migrations pending (or applied but unknown to this
//! build), tables holding app data without row level security, and every stored vote counter that
//! disagrees with what it counts: `setlist_songs.upvotes/downvotes/net_votes` against `votes`,
//! `setlists.total_votes` against its songs' counters, `shows.vote_count` against its setlists'
//! totals, `shows.setlist_count` against its setlists.
//!
//! Everything is read in one `REPEATABLE READ READ ONLY` transaction, so the figures compared come
//! from one snapshot and the check never writes. Setlist and show totals are folded from
//! `vote_totals_pending` (crate README, "Votes"): those named there are waiting for the next fold
//! and legitimately behind, so they are counted as awaiting it rather than compared.

use diesel::sql_types::{Array, BigInt, Bool, Integer, Text, Uuid as SqlUuid};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

use crate::ids::{SetlistId, SetlistSongId, ShowId};
use crate::migrations::{self, MigrationState};

/// Extensions the schema is built on (created before the migrations when missing).
pub const REQUIRED_EXTENSIONS: &[&str] = crate::replaceable::EXTENSIONS;

/// Disagreements listed per check; beyond these they are only counted.
pub const LISTED: i64 = 50;

/// Tables the vote checks read; when one is missing (a database not migrated yet) those checks
/// are skipped, and the pending migrations say why.
const VOTE_TABLES: &[&str] = &[
    "setlist_songs",
    "setlists",
    "shows",
    "votes",
    "vote_totals_pending",
];

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(
        "connected as {user}, whom row level security limits on table {table}: connect as the \
         schema owner or theset_service to see every row"
    )]
    RowSecurity { user: String, table: String },
    #[error("reading the applied migrations: {0}")]
    Migrations(String),
    #[error("{0}")]
    Database(#[from] diesel::result::Error),
}

/// What `db check` found.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// The required extensions (installed or not), then any other installed ones.
    pub extensions: Vec<ExtensionStatus>,
    pub migrations: MigrationState,
    /// The functions, triggers, policies and views (`crates/database/replaceable/`) are applied as
    /// this build has them.
    pub replaceable_schema_current: bool,
    /// Every table in `public` holding app data (not diesel's bookkeeping, not extensions' own).
    pub row_level_security: Vec<TableSecurity>,
    /// `None` when the vote tables do not exist (migrations pending).
    pub votes: Option<VoteCheck>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExtensionStatus {
    pub name: String,
    pub required: bool,
    /// The installed version; `None` when not installed.
    pub version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, QueryableByName)]
pub struct TableSecurity {
    #[diesel(sql_type = Text)]
    pub table: String,
    #[diesel(sql_type = Bool)]
    pub rls_enabled: bool,
}

/// Stored counters against what they count.
#[derive(Debug, Clone, Serialize)]
pub struct VoteCheck {
    pub setlist_songs_checked: i64,
    /// Songs whose `upvotes`, `downvotes` or `net_votes` disagree with their votes.
    pub song_counters: Disagreements<CounterMismatch>,
    pub setlists_checked: i64,
    /// Setlists whose `total_votes` disagrees with the sum of their songs' counters.
    pub setlist_totals: Disagreements<TotalMismatch<SetlistId>>,
    pub shows_checked: i64,
    /// Shows whose `vote_count` disagrees with the sum of their setlists' totals.
    pub show_totals: Disagreements<TotalMismatch<ShowId>>,
    /// Shows whose `setlist_count` disagrees with their setlists.
    pub show_setlist_counts: Disagreements<TotalMismatch<ShowId>>,
    /// Totals waiting for the next fold: not compared.
    pub awaiting_fold: AwaitingFold,
}

/// How many rows disagree, and the first [`LISTED`] of them by id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disagreements<T> {
    pub count: i64,
    pub listed: Vec<T>,
}

impl<T> Default for Disagreements<T> {
    fn default() -> Self {
        Self {
            count: 0,
            listed: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CounterMismatch {
    pub setlist_song_id: SetlistSongId,
    pub setlist_id: SetlistId,
    pub upvotes: i32,
    pub downvotes: i32,
    pub net_votes: i32,
    /// What `votes` holds for this song.
    pub counted_upvotes: i64,
    pub counted_downvotes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TotalMismatch<Id> {
    pub id: Id,
    pub stored: i64,
    pub counted: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, QueryableByName)]
pub struct AwaitingFold {
    #[diesel(sql_type = BigInt)]
    pub setlists: i64,
    #[diesel(sql_type = BigInt)]
    pub shows: i64,
}

impl CheckReport {
    /// Runs every check in one read-only snapshot. Fails when the connected role cannot see every
    /// row of the vote tables (row level security would make counters look wrong).
    pub async fn collect(conn: &mut AsyncPgConnection) -> Result<Self, CheckError> {
        conn.build_transaction()
            .read_only()
            .repeatable_read()
            .run(async |conn| collect_in_snapshot(conn).await)
            .await
    }

    /// One line per problem; empty when the database is healthy.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for extension in &self.extensions {
            if extension.required && extension.version.is_none() {
                problems.push(format!("extension {} is not installed", extension.name));
            }
        }
        for version in &self.migrations.pending {
            problems.push(format!("migration {version} is pending"));
        }
        if self.migrations.pending.is_empty() && !self.replaceable_schema_current {
            problems.push(
                "the replaceable schema (functions, triggers, policies, views) is not as this \
                 build has it: run `theset migrate run`"
                    .to_owned(),
            );
        }
        for version in &self.migrations.unknown {
            problems.push(format!(
                "migration {version} is applied but unknown to this build (the database is newer)"
            ));
        }
        for table in &self.row_level_security {
            if !table.rls_enabled {
                problems.push(format!(
                    "table {} has row level security disabled",
                    table.table
                ));
            }
        }
        let Some(votes) = &self.votes else {
            return problems;
        };
        for m in &votes.song_counters.listed {
            problems.push(format!(
                "setlist song {} (setlist {}): upvotes {}, downvotes {}, net_votes {}, but its \
                 votes are {} up, {} down",
                m.setlist_song_id,
                m.setlist_id,
                m.upvotes,
                m.downvotes,
                m.net_votes,
                m.counted_upvotes,
                m.counted_downvotes
            ));
        }
        more(&mut problems, &votes.song_counters, "setlist songs");
        for m in &votes.setlist_totals.listed {
            problems.push(format!(
                "setlist {}: total_votes {}, but its songs' counters sum to {}",
                m.id, m.stored, m.counted
            ));
        }
        more(&mut problems, &votes.setlist_totals, "setlist totals");
        for m in &votes.show_totals.listed {
            problems.push(format!(
                "show {}: vote_count {}, but its setlists' totals sum to {}",
                m.id, m.stored, m.counted
            ));
        }
        more(&mut problems, &votes.show_totals, "show vote counts");
        for m in &votes.show_setlist_counts.listed {
            problems.push(format!(
                "show {}: setlist_count {}, but it has {} setlists",
                m.id, m.stored, m.counted
            ));
        }
        more(
            &mut problems,
            &votes.show_setlist_counts,
            "show setlist counts",
        );
        problems
    }

    /// No problems.
    pub fn is_healthy(&self) -> bool {
        self.problems().is_empty()
    }
}

fn more<T>(problems: &mut Vec<String>, found: &Disagreements<T>, what: &str) {
    let unlisted = found.count - i64::try_from(found.listed.len()).unwrap_or(i64::MAX);
    if unlisted > 0 {
        problems.push(format!("... and {unlisted} more {what} disagree"));
    }
}

/// Fails unless the connected role reads every row of `table` (a superuser, the table's owner, or
/// a role with BYPASSRLS): through row level security a listing or a count shows only what the
/// role may see, which looks like an answer but is not one. A missing table passes.
pub async fn ensure_unrestricted(
    conn: &mut AsyncPgConnection,
    table: &str,
) -> Result<(), CheckError> {
    #[derive(QueryableByName)]
    struct Limited {
        #[diesel(sql_type = Text)]
        user: String,
        #[diesel(sql_type = Bool)]
        limited: bool,
    }
    let found: Limited = sql_query(
        "SELECT current_user::text AS user, \
                coalesce(row_security_active(to_regclass('public.' || quote_ident($1))), false) \
                  AS limited",
    )
    .bind::<Text, _>(table)
    .get_result(conn)
    .await?;
    if found.limited {
        return Err(CheckError::RowSecurity {
            user: found.user,
            table: table.to_owned(),
        });
    }
    Ok(())
}

async fn collect_in_snapshot(conn: &mut AsyncPgConnection) -> Result<CheckReport, CheckError> {
    let extensions = extensions(conn).await?;
    let migrations = migrations::state(conn)
        .await
        .map_err(|e| CheckError::Migrations(e.to_string()))?;
    let replaceable_schema_current = crate::replaceable::is_up_to_date(conn)
        .await
        .map_err(|e| CheckError::Migrations(e.to_string()))?;
    let row_level_security = sql_query(
        "SELECT c.relname::text AS table, c.relrowsecurity AS rls_enabled \
         FROM pg_class c \
         WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') \
           AND c.relname <> '__diesel_schema_migrations' \
           AND NOT EXISTS (SELECT 1 FROM pg_depend d \
                           WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid \
                             AND d.deptype = 'e') \
         ORDER BY c.relname",
    )
    .load::<TableSecurity>(conn)
    .await?;
    let votes = if vote_tables_exist(conn).await? {
        for table in VOTE_TABLES {
            ensure_unrestricted(conn, table).await?;
        }
        Some(vote_check(conn).await?)
    } else {
        None
    };
    Ok(CheckReport {
        extensions,
        migrations,
        replaceable_schema_current,
        row_level_security,
        votes,
    })
}

async fn extensions(conn: &mut AsyncPgConnection) -> Result<Vec<ExtensionStatus>, CheckError> {
    #[derive(QueryableByName)]
    struct Installed {
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Text)]
        version: String,
    }
    let installed = sql_query(
        "SELECT extname::text AS name, extversion AS version FROM pg_extension ORDER BY extname",
    )
    .load::<Installed>(conn)
    .await?;
    let version = |name: &str| {
        installed
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.version.clone())
    };
    let mut all: Vec<ExtensionStatus> = REQUIRED_EXTENSIONS
        .iter()
        .map(|name| ExtensionStatus {
            name: (*name).to_owned(),
            required: true,
            version: version(name),
        })
        .collect();
    all.extend(
        installed
            .iter()
            .filter(|e| !REQUIRED_EXTENSIONS.contains(&e.name.as_str()))
            .map(|e| ExtensionStatus {
                name: e.name.clone(),
                required: false,
                version: Some(e.version.clone()),
            }),
    );
    Ok(all)
}

async fn vote_tables_exist(conn: &mut AsyncPgConnection) -> Result<bool, CheckError> {
    #[derive(QueryableByName)]
    struct Missing {
        #[diesel(sql_type = BigInt)]
        missing: i64,
    }
    let found: Missing = sql_query(
        "SELECT count(*) AS missing FROM unnest($1) AS t (name) \
         WHERE to_regclass('public.' || quote_ident(t.name)) IS NULL",
    )
    .bind::<Array<Text>, _>(VOTE_TABLES)
    .get_result(conn)
    .await?;
    Ok(found.missing == 0)
}

#[derive(QueryableByName)]
struct CounterRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    setlist_id: Uuid,
    #[diesel(sql_type = Integer)]
    upvotes: i32,
    #[diesel(sql_type = Integer)]
    downvotes: i32,
    #[diesel(sql_type = Integer)]
    net_votes: i32,
    #[diesel(sql_type = BigInt)]
    counted_up: i64,
    #[diesel(sql_type = BigInt)]
    counted_down: i64,
    #[diesel(sql_type = BigInt)]
    total: i64,
}

#[derive(QueryableByName)]
struct TotalRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = BigInt)]
    stored: i64,
    #[diesel(sql_type = BigInt)]
    counted: i64,
    #[diesel(sql_type = BigInt)]
    total: i64,
}

#[derive(QueryableByName)]
struct Checked {
    #[diesel(sql_type = BigInt)]
    setlist_songs: i64,
    #[diesel(sql_type = BigInt)]
    setlists: i64,
    #[diesel(sql_type = BigInt)]
    shows: i64,
}

/// Shows whose totals wait for a fold: named in `vote_totals_pending`, or owning a setlist named
/// there (the fold recomputes those shows too).
const SHOWS_AWAITING_FOLD: &str = "SELECT p.show_id FROM vote_totals_pending p \
     WHERE p.show_id IS NOT NULL \
     UNION SELECT s.show_id FROM vote_totals_pending p JOIN setlists s ON s.id = p.setlist_id";

async fn vote_check(conn: &mut AsyncPgConnection) -> Result<VoteCheck, CheckError> {
    let checked: Checked = sql_query(
        "SELECT (SELECT count(*) FROM setlist_songs) AS setlist_songs, \
                (SELECT count(*) FROM setlists) AS setlists, \
                (SELECT count(*) FROM shows) AS shows",
    )
    .get_result(conn)
    .await?;
    let counters: Vec<CounterRow> = sql_query(format!(
        "WITH counted AS ( \
           SELECT setlist_song_id, \
                  count(*) FILTER (WHERE vote_type = 'up') AS up, \
                  count(*) FILTER (WHERE vote_type = 'down') AS down \
           FROM votes GROUP BY setlist_song_id \
         ) \
         SELECT ss.id, ss.setlist_id, ss.upvotes, ss.downvotes, ss.net_votes, \
                coalesce(c.up, 0) AS counted_up, coalesce(c.down, 0) AS counted_down, \
                count(*) OVER () AS total \
         FROM setlist_songs ss LEFT JOIN counted c ON c.setlist_song_id = ss.id \
         WHERE ss.upvotes <> coalesce(c.up, 0) OR ss.downvotes <> coalesce(c.down, 0) \
            OR ss.net_votes <> coalesce(c.up, 0) - coalesce(c.down, 0) \
         ORDER BY ss.id LIMIT {LISTED}"
    ))
    .load(conn)
    .await?;
    let setlist_totals: Vec<TotalRow> = sql_query(format!(
        "WITH sums AS ( \
           SELECT setlist_id, sum(upvotes + downvotes) AS votes FROM setlist_songs \
           GROUP BY setlist_id \
         ) \
         SELECT s.id, s.total_votes::bigint AS stored, coalesce(x.votes, 0)::bigint AS counted, \
                count(*) OVER () AS total \
         FROM setlists s LEFT JOIN sums x ON x.setlist_id = s.id \
         WHERE s.total_votes <> coalesce(x.votes, 0) \
           AND NOT EXISTS (SELECT 1 FROM vote_totals_pending p WHERE p.setlist_id = s.id) \
         ORDER BY s.id LIMIT {LISTED}"
    ))
    .load(conn)
    .await?;
    let show_totals: Vec<TotalRow> = sql_query(format!(
        "WITH sums AS (SELECT show_id, sum(total_votes) AS votes FROM setlists GROUP BY show_id), \
              awaiting AS ({SHOWS_AWAITING_FOLD}) \
         SELECT sh.id, sh.vote_count::bigint AS stored, coalesce(x.votes, 0)::bigint AS counted, \
                count(*) OVER () AS total \
         FROM shows sh LEFT JOIN sums x ON x.show_id = sh.id \
         WHERE sh.vote_count <> coalesce(x.votes, 0) \
           AND NOT EXISTS (SELECT 1 FROM awaiting a WHERE a.show_id = sh.id) \
         ORDER BY sh.id LIMIT {LISTED}"
    ))
    .load(conn)
    .await?;
    let setlist_counts: Vec<TotalRow> = sql_query(format!(
        "WITH counted AS (SELECT show_id, count(*) AS setlists FROM setlists GROUP BY show_id) \
         SELECT sh.id, sh.setlist_count::bigint AS stored, coalesce(c.setlists, 0) AS counted, \
                count(*) OVER () AS total \
         FROM shows sh LEFT JOIN counted c ON c.show_id = sh.id \
         WHERE sh.setlist_count <> coalesce(c.setlists, 0) \
         ORDER BY sh.id LIMIT {LISTED}"
    ))
    .load(conn)
    .await?;
    let awaiting_fold: AwaitingFold = sql_query(format!(
        "SELECT (SELECT count(DISTINCT setlist_id) FROM vote_totals_pending) AS setlists, \
                (SELECT count(*) FROM ({SHOWS_AWAITING_FOLD}) AS a) AS shows"
    ))
    .get_result(conn)
    .await?;

    Ok(VoteCheck {
        setlist_songs_checked: checked.setlist_songs,
        song_counters: Disagreements {
            count: counters[..].first().map_or(0, |r| r.total),
            listed: counters
                .into_iter()
                .map(|r| CounterMismatch {
                    setlist_song_id: SetlistSongId(r.id),
                    setlist_id: SetlistId(r.setlist_id),
                    upvotes: r.upvotes,
                    downvotes: r.downvotes,
                    net_votes: r.net_votes,
                    counted_upvotes: r.counted_up,
                    counted_downvotes: r.counted_down,
                })
                .collect(),
        },
        setlists_checked: checked.setlists,
        setlist_totals: totals(setlist_totals, SetlistId),
        shows_checked: checked.shows,
        show_totals: totals(show_totals, ShowId),
        show_setlist_counts: totals(setlist_counts, ShowId),
        awaiting_fold,
    })
}

fn totals<Id>(rows: Vec<TotalRow>, id: impl Fn(Uuid) -> Id) -> Disagreements<TotalMismatch<Id>> {
    Disagreements {
        count: rows[..].first().map_or(0, |r| r.total),
        listed: rows
            .into_iter()
            .map(|r| TotalMismatch {
                id: id(r.id),
                stored: r.stored,
                counted: r.counted,
            })
            .collect(),
    }
}

/// What the connected role may do beyond Row Level Security: the API refuses to serve as a role
/// with any of these (it would see and change every row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, QueryableByName)]
pub struct RolePowers {
    #[diesel(sql_type = Bool)]
    pub superuser: bool,
    #[diesel(sql_type = Bool)]
    pub bypass_rls: bool,
    /// Owns a table of the schema (owners bypass RLS unless it is forced).
    #[diesel(sql_type = Bool)]
    pub owns_tables: bool,
}

impl RolePowers {
    /// The connected role's powers.
    pub async fn of_current_role(conn: &mut AsyncPgConnection) -> diesel::QueryResult<Self> {
        sql_query(
            "SELECT r.rolsuper AS superuser, r.rolbypassrls AS bypass_rls,
                    EXISTS (SELECT 1 FROM pg_class c
                            WHERE c.relowner = r.oid AND c.relnamespace = 'public'::regnamespace
                              AND c.relkind IN ('r', 'p')) AS owns_tables
             FROM pg_roles r WHERE r.rolname = current_user",
        )
        .get_result(conn)
        .await
    }

    /// Why the role may not serve the API, if it may not.
    pub fn refusal(&self) -> Option<&'static str> {
        if self.superuser {
            Some("is a superuser")
        } else if self.bypass_rls {
            Some("has BYPASSRLS")
        } else if self.owns_tables {
            Some("owns tables of the schema")
        } else {
            None
        }
    }
}
