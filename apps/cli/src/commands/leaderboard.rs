//! `theset leaderboard`: the top of a show's, an artist's or a period's leaderboard, as the API
//! serves it (`PredictionScore::show_board`, `Standing::board`): rank, fan (a private fan without
//! a name), value, predictions.

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use diesel::OptionalExtension;
use diesel_async::AsyncConnection;
use serde::Serialize;
use theset_database::Key;
use theset_database::models::{Artist, BoardRow, PredictionScore, Scope, Show, Standing};

use super::Outcome;
use super::score::parse_key;
use crate::database::Database;
use crate::output;

#[derive(Debug, Subcommand)]
pub enum Leaderboard {
    /// A show's fans by score (then rarity points, the earlier prediction, user id); includes
    /// provisional scores while the show is recorded live.
    Show {
        /// The show's id or slug.
        #[arg(value_parser = parse_key)]
        key: String,
        #[command(flatten)]
        options: Options,
    },
    /// An artist's fans by rating: the shrunk average of their final scores at the artist's
    /// shows (then more predictions, user id).
    Artist {
        /// The artist's id or slug.
        #[arg(value_parser = parse_key)]
        key: String,
        #[command(flatten)]
        options: Options,
    },
    /// Every fan by rating over the shows of a period (by show date).
    Period {
        /// `all`, a year (`2026`) or a month (`2026-12`).
        #[arg(value_parser = parse_period)]
        period: Scope,
        #[command(flatten)]
        options: Options,
    },
}

#[derive(Debug, Args)]
pub struct Options {
    /// How many fans, from the top (1 to 100).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(i64).range(1..=100))]
    limit: i64,
    /// Print JSON: {board, title, rows: [{rank, user_id, display_name, avatar_url, value,
    /// secondary, predictions, predicted_at, is_final}]}.
    #[arg(long)]
    json: bool,
}

fn parse_period(text: &str) -> Result<Scope, String> {
    Scope::parse_period(text.trim())
        .ok_or_else(|| format!("{text:?} is not a period: all, a year (2026) or a month (2026-12)"))
}

#[derive(Debug, Serialize)]
struct Board {
    /// `show:<id>`, or the standings scope (`all`, `year:2026`, `month:2026-12`,
    /// `artist:<id>`).
    board: String,
    title: String,
    rows: Vec<BoardRow>,
}

impl Leaderboard {
    pub async fn run(self, database: &Database) -> anyhow::Result<Outcome> {
        let (options, target) = match self {
            Leaderboard::Show { key, options } => (options, Target::Show(key)),
            Leaderboard::Artist { key, options } => (options, Target::Artist(key)),
            Leaderboard::Period { period, options } => (options, Target::Period(period)),
        };
        let limit = options.limit;
        let mut conn = database.connect().await?;
        // One transaction: the page and its ranks from one snapshot.
        let board = conn
            .transaction(async |conn| target.load(conn, limit).await)
            .await?;
        if options.json {
            output::json(&board)?;
        } else {
            output::text(&table(&board, matches!(target, Target::Show(_))))?;
        }
        Ok(Outcome::Done)
    }
}

enum Target {
    Show(String),
    Artist(String),
    Period(Scope),
}

impl Target {
    async fn load(
        &self,
        conn: &mut theset_database::AsyncPgConnection,
        limit: i64,
    ) -> anyhow::Result<Board> {
        match self {
            Target::Show(key) => {
                let Some(show) = Show::find_by_key(conn, &Key::parse(key))
                    .await
                    .optional()
                    .with_context(|| format!("finding the show {key}"))?
                else {
                    bail!("no show has the id or slug {key}");
                };
                let rows = PredictionScore::show_board(conn, show.id, None, limit)
                    .await
                    .context("reading the show's leaderboard")?;
                Ok(Board {
                    board: format!("show:{}", show.id),
                    title: format!("{} ({}, {})", show.name, show.slug, show.date),
                    rows,
                })
            }
            Target::Artist(key) => {
                let Some(artist) = Artist::find_by_key(conn, &Key::parse(key))
                    .await
                    .optional()
                    .with_context(|| format!("finding the artist {key}"))?
                else {
                    bail!("no artist has the id or slug {key}");
                };
                let scope = Scope::Artist(artist.id);
                let rows = Standing::board(conn, &scope, None, limit)
                    .await
                    .context("reading the artist's leaderboard")?;
                Ok(Board {
                    board: scope.key(),
                    title: format!("{} ({})", artist.name, artist.slug),
                    rows,
                })
            }
            Target::Period(scope) => {
                let rows = Standing::board(conn, scope, None, limit)
                    .await
                    .context("reading the leaderboard")?;
                let title = match scope {
                    Scope::All => "all time".to_owned(),
                    Scope::Year(y) => format!("{y:04}"),
                    Scope::Month(y, m) => format!("{y:04}-{m:02}"),
                    Scope::Artist(a) => format!("artist {a}"),
                };
                Ok(Board {
                    board: scope.key(),
                    title,
                    rows,
                })
            }
        }
    }
}

fn table(board: &Board, show: bool) -> String {
    let mut out = format!("{}\n", board.title);
    if board.rows.is_empty() {
        out.push_str(if show {
            "no fan's prediction scored yet\n"
        } else {
            "no fan with a final score yet\n"
        });
        return out;
    }
    let value = if show { "SCORE" } else { "RATING" };
    let mut rows = vec![
        ["RANK", "FAN", value, "PREDICTIONS"]
            .map(str::to_owned)
            .to_vec(),
    ];
    for row in &board.rows {
        rows.push(vec![
            row.rank.to_string(),
            row.display_name
                .clone()
                .unwrap_or_else(|| "private fan".to_owned()),
            format!("{:.1}", row.value),
            row.predictions.to_string(),
        ]);
    }
    out.push_str(&output::table(&rows));
    out.push_str(&output::counted(board.rows.len(), "fan"));
    out.push('\n');
    if show && board.rows.iter().any(|r| !r.is_final) {
        out.push_str("provisional: the actual setlist is not final yet\n");
    }
    out
}
