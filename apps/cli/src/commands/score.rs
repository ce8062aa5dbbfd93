//! `theset score`: scores a show's predicted setlists against its actual one
//! (`theset_database::scoring::score_show`, what the imports run when an actual setlist lands).

use anyhow::{Context, bail};
use clap::Subcommand;
use diesel::OptionalExtension;
use diesel_async::AsyncConnection;
use serde::Serialize;
use theset_database::ids::SetlistId;
use theset_database::models::Show;
use theset_database::{Key, check, scoring};

use super::Outcome;
use crate::database::Database;
use crate::output;

#[derive(Debug, Subcommand)]
pub enum Score {
    /// Score every predicted setlist of a show against the show's actual setlist, write the
    /// scores (`setlists.accuracy_score`) and print them.
    Show {
        /// The show's id or slug.
        #[arg(value_parser = parse_key)]
        key: String,
        /// Print JSON: [{setlist_id, score, accuracy: {hits, precision, recall, order, encore}
        /// or null when there is no actual setlist to score against}].
        #[arg(long)]
        json: bool,
    },
}

fn parse_key(text: &str) -> Result<String, String> {
    let key = text.trim();
    if key.is_empty() || key.chars().any(char::is_whitespace) {
        Err(format!("{text:?} is not a show id or slug"))
    } else {
        Ok(key.to_owned())
    }
}

#[derive(Debug, Serialize)]
struct Scored {
    setlist_id: SetlistId,
    score: i32,
    accuracy: Option<Parts>,
}

#[derive(Debug, Serialize)]
struct Parts {
    hits: usize,
    precision: f64,
    recall: f64,
    order: f64,
    encore: f64,
}

impl From<scoring::SetlistScore> for Scored {
    fn from(scored: scoring::SetlistScore) -> Self {
        Self {
            setlist_id: scored.setlist_id,
            score: scored.accuracy.map_or(0, |a| a.score),
            accuracy: scored.accuracy.map(|a| Parts {
                hits: a.hits,
                precision: a.precision,
                recall: a.recall,
                order: a.order,
                encore: a.encore,
            }),
        }
    }
}

impl Score {
    pub async fn run(self, database: &Database) -> anyhow::Result<Outcome> {
        let Score::Show { key, json } = self;
        let mut conn = database.connect().await?;
        check::ensure_unrestricted(&mut conn, "setlists").await?;
        let (show, scores) = conn
            .transaction(async |conn| {
                let Some(show) = Show::find_by_key(conn, &Key::parse(&key))
                    .await
                    .optional()
                    .with_context(|| format!("finding the show {key}"))?
                else {
                    bail!("no show has the id or slug {key}");
                };
                let scores = scoring::score_show(conn, show.id)
                    .await
                    .with_context(|| format!("scoring the show {}", show.slug))?;
                Ok((show, scores))
            })
            .await?;
        let scores: Vec<Scored> = scores.into_iter().map(Scored::from).collect();
        if json {
            output::json(&scores)?;
        } else {
            output::text(&table(&show, &scores))?;
        }
        Ok(Outcome::Done)
    }
}

fn table(show: &Show, scores: &[Scored]) -> String {
    let mut out = format!("{} ({}, {})\n", show.name, show.slug, show.date);
    if scores.is_empty() {
        out.push_str("no predicted setlist to score\n");
        return out;
    }
    let mut rows = vec![
        [
            "SETLIST",
            "SCORE",
            "HITS",
            "PRECISION",
            "RECALL",
            "ORDER",
            "ENCORE",
        ]
        .map(str::to_owned)
        .to_vec(),
    ];
    let share = |x: f64| format!("{:.0}%", x * 100.0);
    for scored in scores {
        let mut row = vec![scored.setlist_id.to_string(), scored.score.to_string()];
        match &scored.accuracy {
            Some(a) => row.extend([
                a.hits.to_string(),
                share(a.precision),
                share(a.recall),
                share(a.order),
                share(a.encore),
            ]),
            None => row.push("no actual setlist to score against".to_owned()),
        }
        rows.push(row);
    }
    out.push_str(&output::table(&rows));
    out.push_str(&format!(
        "{} scored\n",
        output::counted(scores.len(), "predicted setlist")
    ));
    out
}
