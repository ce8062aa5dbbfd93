//! `theset score`: scores a show's predictions (each fan's, the crowd setlist, the bot) against
//! its actual setlist (`theset_database::scoring::score_show`, what the imports and the worker's
//! scoring schedule run) and prints each breakdown.

use anyhow::{Context, bail};
use clap::Subcommand;
use diesel::OptionalExtension;
use diesel_async::AsyncConnection;
use serde::Serialize;
use theset_database::ids::{ArtistId, SetlistId, ShowId, UserId};
use theset_database::models::Show;
use theset_database::{Key, PredictionKind, check, scoring};

use super::Outcome;
use crate::database::Database;
use crate::output;

#[derive(Debug, Subcommand)]
pub enum Score {
    /// Score every prediction of a show against the show's actual setlist, store the scores
    /// (`prediction_scores`, `setlists.accuracy_score`, the fans' standings) and print each
    /// breakdown.
    Show {
        /// The show's id or slug.
        #[arg(value_parser = parse_key)]
        key: String,
        /// Print JSON: {show, is_final, unscored, predictions: [{kind, user_id, setlist_id,
        /// artist_id, score, predicted, played, hits, precision, recall, f1, opener_hit,
        /// closer_hit, encore_predicted, encore_played, encore_hits, order_tau, rarity_points,
        /// is_final}]}.
        #[arg(long)]
        json: bool,
    },
}

/// A show or artist key as typed: an id or a slug, one word.
pub fn parse_key(text: &str) -> Result<String, String> {
    let key = text.trim();
    if key.is_empty() || key.chars().any(char::is_whitespace) {
        Err(format!("{text:?} is not an id or slug"))
    } else {
        Ok(key.to_owned())
    }
}

#[derive(Debug, Serialize)]
struct ShowRef {
    id: ShowId,
    slug: String,
    name: String,
    date: chrono::NaiveDate,
}

#[derive(Debug, Serialize)]
struct Report {
    show: ShowRef,
    /// Scored against a final actual setlist (imported, or locked by a moderator).
    is_final: bool,
    /// Predictions left unscored (no actual setlist with a performed song for their artist).
    unscored: usize,
    predictions: Vec<Row>,
}

#[derive(Debug, Serialize)]
struct Row {
    kind: PredictionKind,
    user_id: Option<UserId>,
    setlist_id: Option<SetlistId>,
    artist_id: ArtistId,
    score: f64,
    predicted: usize,
    played: usize,
    hits: usize,
    precision: f64,
    recall: f64,
    f1: f64,
    opener_hit: bool,
    closer_hit: bool,
    encore_predicted: usize,
    encore_played: usize,
    encore_hits: usize,
    order_tau: Option<f64>,
    rarity_points: f64,
    is_final: bool,
}

impl Row {
    fn new(scored: scoring::ScoredPrediction, is_final: bool) -> Self {
        let b = scored.breakdown;
        Self {
            kind: scored.kind,
            user_id: scored.user_id,
            setlist_id: scored.setlist_id,
            artist_id: scored.artist_id,
            score: b.score,
            predicted: b.predicted,
            played: b.played,
            hits: b.hits,
            precision: b.precision,
            recall: b.recall,
            f1: b.f1,
            opener_hit: b.opener_hit,
            closer_hit: b.closer_hit,
            encore_predicted: b.encore_predicted,
            encore_played: b.encore_played,
            encore_hits: b.encore_hits,
            order_tau: b.order_tau,
            rarity_points: b.rarity_points,
            is_final,
        }
    }

    /// Baselines first (the bot, then the crowd), then fans by score, rarity points, user.
    fn order(
        &self,
    ) -> (
        u8,
        std::cmp::Reverse<Ordered>,
        std::cmp::Reverse<Ordered>,
        String,
    ) {
        let kind = match self.kind {
            PredictionKind::Bot => 0,
            PredictionKind::Crowd => 1,
            PredictionKind::Fan => 2,
        };
        (
            kind,
            std::cmp::Reverse(Ordered(self.score)),
            std::cmp::Reverse(Ordered(self.rarity_points)),
            self.who(),
        )
    }

    /// The fan's user id, the crowd's setlist id, or `-` for the bot.
    fn who(&self) -> String {
        match (self.user_id, self.setlist_id) {
            (Some(user), _) => user.to_string(),
            (None, Some(setlist)) => setlist.to_string(),
            (None, None) => "-".to_owned(),
        }
    }
}

/// f64 with a total order, for sorting.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Ordered(f64);

impl Eq for Ordered {}

impl PartialOrd for Ordered {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ordered {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
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
        let is_final = scores.is_final;
        let mut predictions: Vec<Row> = (scores.scores.into_iter())
            .map(|s| Row::new(s, is_final))
            .collect();
        predictions.sort_by_key(Row::order);
        let report = Report {
            show: ShowRef {
                id: show.id,
                slug: show.slug,
                name: show.name,
                date: show.date,
            },
            is_final,
            unscored: scores.unscored,
            predictions,
        };
        if json {
            output::json(&report)?;
        } else {
            output::text(&table(&report))?;
        }
        Ok(Outcome::Done)
    }
}

fn table(report: &Report) -> String {
    let show = &report.show;
    let mut out = format!("{} ({}, {})\n", show.name, show.slug, show.date);
    if report.predictions.is_empty() {
        out.push_str("nothing scored: the show has no actual setlist with a performed song\n");
    } else {
        let mut rows = vec![
            [
                "KIND",
                "USER/SETLIST",
                "SCORE",
                "HITS",
                "PRECISION",
                "RECALL",
                "F1",
                "OPENER",
                "CLOSER",
                "ENCORE",
                "TAU",
                "RARITY",
                "STATUS",
            ]
            .map(str::to_owned)
            .to_vec(),
        ];
        let two = |x: f64| format!("{x:.2}");
        let yes = |b: bool| if b { "yes" } else { "no" }.to_owned();
        for p in &report.predictions {
            rows.push(vec![
                p.kind.to_string(),
                p.who(),
                format!("{:.1}", p.score),
                format!("{}/{}", p.hits, p.played),
                two(p.precision),
                two(p.recall),
                two(p.f1),
                yes(p.opener_hit),
                yes(p.closer_hit),
                format!("{}/{}", p.encore_hits, p.encore_played),
                p.order_tau.map_or_else(|| "-".to_owned(), two),
                two(p.rarity_points),
                if p.is_final { "final" } else { "provisional" }.to_owned(),
            ]);
        }
        out.push_str(&output::table(&rows));
    }
    out.push_str(&format!(
        "{} scored, {} unscored\n",
        output::counted(report.predictions.len(), "prediction"),
        report.unscored
    ));
    out
}
