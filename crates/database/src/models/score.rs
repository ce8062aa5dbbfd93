//! `prediction_scores` and `fan_standings`: what scoring stores (written only by
//! `theset_database::scoring::score_show`) and the leaderboards read from it.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{
    Array, BigInt, Bool, Double, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

use crate::enums::PredictionKind;
use crate::ids::{ArtistId, SetlistId, ShowId, UserId};
use crate::schema::{fan_standings, prediction_scores};
use crate::scoring::{Breakdown, PRIOR_MEAN, PRIOR_WEIGHT};

/// A stored score with its breakdown.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = prediction_scores, check_for_backend(diesel::pg::Pg))]
pub struct PredictionScore {
    pub id: Uuid,
    pub show_id: ShowId,
    pub artist_id: ArtistId,
    pub kind: PredictionKind,
    pub setlist_id: Option<SetlistId>,
    pub user_id: Option<UserId>,
    pub actual_setlist_id: SetlistId,
    /// The actual setlist is imported or locked; provisional while a show is recorded live.
    pub is_final: bool,
    /// 0..=100 (see the crate README, "Scoring").
    pub score: f64,
    pub predicted_songs: i32,
    pub played_songs: i32,
    pub hits: i32,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub opener_hit: bool,
    pub closer_hit: bool,
    pub encore_predicted: i32,
    pub encore_played: i32,
    pub encore_hits: i32,
    /// Kendall's tau over the hits; null with fewer than two.
    pub order_tau: Option<f64>,
    pub rarity_points: f64,
    pub predicted_at: DateTime<Utc>,
    pub scored_at: DateTime<Utc>,
    /// A fan's rank on the show's board (equal score and rarity points share one); null for
    /// the bot and the crowd.
    pub rank: Option<i32>,
}

/// A score as `score_show` writes it.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = prediction_scores)]
pub struct NewPredictionScore {
    pub show_id: ShowId,
    pub artist_id: ArtistId,
    pub kind: PredictionKind,
    pub setlist_id: Option<SetlistId>,
    pub user_id: Option<UserId>,
    pub actual_setlist_id: SetlistId,
    pub is_final: bool,
    pub score: f64,
    pub predicted_songs: i32,
    pub played_songs: i32,
    pub hits: i32,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub opener_hit: bool,
    pub closer_hit: bool,
    pub encore_predicted: i32,
    pub encore_played: i32,
    pub encore_hits: i32,
    pub order_tau: Option<f64>,
    pub rarity_points: f64,
    pub predicted_at: DateTime<Utc>,
    /// Set by [`NewPredictionScore::rank_fans`].
    pub rank: Option<i32>,
}

/// What a show's predictions of one artist are scored against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScoredAgainst {
    pub show: ShowId,
    pub artist: ArtistId,
    /// The actual setlist.
    pub actual: SetlistId,
    /// Imported or locked: the scores are final.
    pub is_final: bool,
    /// The show's start, when predictions locked.
    pub starts_at: DateTime<Utc>,
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

impl NewPredictionScore {
    /// Ranks the fans' rows of a show: by score, then rarity points, highest first; equal ones
    /// share a rank, the next takes its place in the order (1, 1, 3).
    pub fn rank_fans(rows: &mut [NewPredictionScore]) {
        let mut fans: Vec<&mut NewPredictionScore> = rows
            .iter_mut()
            .filter(|r| r.kind == PredictionKind::Fan)
            .collect();
        fans.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(b.rarity_points.total_cmp(&a.rarity_points))
        });
        let mut previous: Option<(f64, f64, i32)> = None;
        for (index, row) in fans.into_iter().enumerate() {
            let rank = match previous {
                Some((score, rarity, rank))
                    if score == row.score && rarity == row.rarity_points =>
                {
                    rank
                }
                _ => i32::try_from(index + 1).unwrap_or(i32::MAX),
            };
            row.rank = Some(rank);
            previous = Some((row.score, row.rarity_points, rank));
        }
    }

    /// The score of one prediction against `against`; `setlist` is `(id, owner, created_at)`
    /// (`None`: the bot, which predicts at the show's start).
    pub fn new(
        against: &ScoredAgainst,
        kind: PredictionKind,
        setlist: Option<(SetlistId, Option<UserId>, DateTime<Utc>)>,
        b: &Breakdown,
    ) -> Self {
        Self {
            show_id: against.show,
            artist_id: against.artist,
            kind,
            setlist_id: setlist.map(|s| s.0),
            user_id: setlist.and_then(|s| s.1),
            actual_setlist_id: against.actual,
            is_final: against.is_final,
            score: b.score,
            predicted_songs: count(b.predicted),
            played_songs: count(b.played),
            hits: count(b.hits),
            precision: b.precision,
            recall: b.recall,
            f1: b.f1,
            opener_hit: b.opener_hit,
            closer_hit: b.closer_hit,
            encore_predicted: count(b.encore_predicted),
            encore_played: count(b.encore_played),
            encore_hits: count(b.encore_hits),
            order_tau: b.order_tau,
            rarity_points: b.rarity_points,
            predicted_at: setlist.map_or(against.starts_at, |s| s.2),
            rank: None,
        }
    }
}

/// One row of a leaderboard: a fan as the public may see them (a private fan without name and
/// avatar), with their rank.
#[derive(Debug, Clone, PartialEq, QueryableByName, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BoardRow {
    #[diesel(sql_type = BigInt)]
    pub rank: i64,
    #[diesel(sql_type = SqlUuid)]
    pub user_id: UserId,
    #[diesel(sql_type = Nullable<Text>)]
    pub display_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub avatar_url: Option<String>,
    /// Show boards: the score. Artist and period boards: the rating (shrunk average).
    #[diesel(sql_type = Double)]
    pub value: f64,
    /// Show boards: rarity points. Other boards: the average score.
    #[diesel(sql_type = Double)]
    pub secondary: f64,
    /// Show boards: 1. Other boards: scored predictions.
    #[diesel(sql_type = BigInt)]
    pub predictions: i64,
    /// Show boards: when the prediction was made (the tie-break). Other boards: null.
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub predicted_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Bool)]
    pub is_final: bool,
}

/// Where a show board page starts: after this (rank, predicted at, user).
pub type ShowBoardKey = (i64, DateTime<Utc>, UserId);
/// Where a standings page starts: after this (rating, predictions, user).
pub type StandingKey = (f64, i64, UserId);

/// Gives a page of board rows their ranks (1 + rows strictly ahead; equal rank keys share a
/// rank). `ahead` and `equal` count the board's rows strictly ahead of the page's first row's
/// rank key and equal to it; the page holds every row between its first and last.
fn assign_ranks(
    rows: &mut [BoardRow],
    ahead: i64,
    equal: i64,
    key: impl Fn(&BoardRow) -> (f64, f64),
) {
    let Some(first) = <[BoardRow]>::first(rows).map(&key) else {
        return;
    };
    let mut passed = 0; // page rows after the first key group, before the current row
    let mut current: Option<((f64, f64), i64)> = None;
    for row in rows.iter_mut() {
        let k = key(row);
        if k == first {
            row.rank = ahead + 1;
            continue;
        }
        row.rank = match current {
            Some((held, rank)) if held == k => rank,
            _ => ahead + equal + passed + 1,
        };
        current = Some((k, row.rank));
        passed += 1;
    }
}

#[derive(QueryableByName)]
struct AheadEqual {
    #[diesel(sql_type = BigInt)]
    ahead: i64,
    #[diesel(sql_type = BigInt)]
    equal: i64,
}

impl PredictionScore {
    /// Replaces a show's scores, and writes each scored setlist's `accuracy_score` (rounded).
    /// Answers the fans the replaced scores were for, and whether each was final.
    pub async fn replace_for_show(
        conn: &mut AsyncPgConnection,
        show: ShowId,
        rows: &[NewPredictionScore],
    ) -> QueryResult<Vec<(UserId, bool)>> {
        let replaced: Vec<(Option<UserId>, bool)> =
            diesel::delete(prediction_scores::table.filter(prediction_scores::show_id.eq(show)))
                .returning((prediction_scores::user_id, prediction_scores::is_final))
                .get_results(conn)
                .await?;
        // 22 columns a row: 2,000 rows stay under PostgreSQL's 65,535 parameters.
        for chunk in rows.chunks(2_000) {
            diesel::insert_into(prediction_scores::table)
                .values(chunk)
                .execute(conn)
                .await?;
        }
        let (ids, scores): (Vec<Uuid>, Vec<i32>) = rows
            .iter()
            .filter_map(|r| {
                #[allow(clippy::cast_possible_truncation)]
                let rounded = r.score.round().clamp(0.0, 100.0) as i32;
                r.setlist_id.map(|id| (id.0, rounded))
            })
            .unzip();
        // raw SQL: one UPDATE from two arrays, changing only the scores that moved; setlists of
        // the show that lost their score go back to 0.
        diesel::sql_query(
            "UPDATE setlists s SET accuracy_score = coalesce(n.score, 0)
             FROM setlists s2
             LEFT JOIN unnest($2::uuid[], $3::integer[]) AS n (id, score) ON n.id = s2.id
             WHERE s2.show_id = $1 AND s2.type = 'predicted' AND s.id = s2.id
               AND s.accuracy_score <> coalesce(n.score, 0)",
        )
        .bind::<SqlUuid, _>(show.0)
        .bind::<Array<SqlUuid>, _>(ids)
        .bind::<Array<diesel::sql_types::Integer>, _>(scores)
        .execute(conn)
        .await?;
        Ok(replaced
            .into_iter()
            .filter_map(|(fan, is_final)| fan.map(|f| (f, is_final)))
            .collect())
    }

    /// All scores of a show: the bot's and the crowd's first, then fans by rank.
    pub async fn of_show(conn: &mut AsyncPgConnection, show: ShowId) -> QueryResult<Vec<Self>> {
        prediction_scores::table
            .filter(prediction_scores::show_id.eq(show))
            .order((
                prediction_scores::kind.desc(),
                prediction_scores::score.desc(),
                prediction_scores::rarity_points.desc(),
                prediction_scores::predicted_at,
            ))
            .select(Self::as_select())
            .load(conn)
            .await
    }

    /// The score of a fan's prediction of a show.
    pub async fn of_fan(
        conn: &mut AsyncPgConnection,
        show: ShowId,
        fan: UserId,
    ) -> QueryResult<Option<Self>> {
        prediction_scores::table
            .filter(prediction_scores::show_id.eq(show))
            .filter(prediction_scores::user_id.eq(fan))
            .select(Self::as_select())
            .first(conn)
            .await
            .optional()
    }

    /// A show's leaderboard page: fans by rank (score, then rarity points), then the earlier
    /// prediction, then user id. Ranks are stored by scoring, so a page is one index range.
    pub async fn show_board(
        conn: &mut AsyncPgConnection,
        show: ShowId,
        after: Option<ShowBoardKey>,
        limit: i64,
    ) -> QueryResult<Vec<BoardRow>> {
        let limit = limit.clamp(1, 101);
        // raw SQL: keyset on the board index, identities for the page at once. The first page
        // has no keyset condition at all, so its plan is the plain index range.
        let keyset = if after.is_some() {
            "AND (ps.rank, ps.predicted_at, ps.user_id) > ($2::integer, $3, $4)"
        } else {
            ""
        };
        let query = diesel::sql_query(format!(
            "WITH page AS (
               SELECT * FROM prediction_scores ps
               WHERE ps.show_id = $1 AND ps.kind = 'fan' {keyset}
               ORDER BY ps.rank, ps.predicted_at, ps.user_id
               LIMIT {limit})
             {SHOW_BOARD_SELECT}
             ORDER BY p.rank, p.predicted_at, p.user_id"
        ))
        .bind::<SqlUuid, _>(show.0)
        .into_boxed();
        let query = match after {
            Some((rank, at, user)) => query
                .bind::<BigInt, _>(rank)
                .bind::<Timestamptz, _>(at)
                .bind::<SqlUuid, _>(user.0),
            None => query,
        };
        query.load(conn).await
    }

    /// A fan's row of a show's leaderboard, with their rank.
    pub async fn show_rank(
        conn: &mut AsyncPgConnection,
        show: ShowId,
        fan: UserId,
    ) -> QueryResult<Option<BoardRow>> {
        diesel::sql_query(format!(
            "WITH page AS (
               SELECT * FROM prediction_scores WHERE show_id = $1 AND user_id = $2 AND kind = 'fan')
             {SHOW_BOARD_SELECT}"
        ))
        .bind::<SqlUuid, _>(show.0)
        .bind::<SqlUuid, _>(fan.0)
        .get_result(conn)
        .await
        .optional()
    }
}

const SHOW_BOARD_SELECT: &str =
    "SELECT p.rank::bigint AS rank, p.user_id, f.display_name, f.avatar_url,
         p.score AS value, p.rarity_points AS secondary, 1::bigint AS predictions,
         p.predicted_at, p.is_final
  FROM page p
  LEFT JOIN fan_identities(ARRAY(SELECT user_id FROM page)) f ON f.user_id = p.user_id";

/// A fan's prediction with its score and the show's baselines: one entry of their history.
#[derive(Debug, Clone, PartialEq, QueryableByName, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PredictionRecord {
    #[diesel(sql_type = SqlUuid)]
    pub setlist_id: SetlistId,
    #[diesel(sql_type = SqlUuid)]
    pub show_id: ShowId,
    #[diesel(sql_type = Text)]
    pub show_slug: String,
    #[diesel(sql_type = Text)]
    pub show_name: String,
    #[diesel(sql_type = diesel::sql_types::Date)]
    pub show_date: NaiveDate,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    /// Null until the show is scored.
    #[diesel(sql_type = Nullable<Double>)]
    pub score: Option<f64>,
    #[diesel(sql_type = Nullable<Bool>)]
    pub is_final: Option<bool>,
    #[diesel(sql_type = Nullable<Double>)]
    pub bot_score: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub crowd_score: Option<f64>,
    /// Scored above the bot (null when either is unscored).
    #[diesel(sql_type = Nullable<Bool>)]
    pub beat_bot: Option<bool>,
    #[diesel(sql_type = Nullable<Bool>)]
    pub beat_crowd: Option<bool>,
}

impl PredictionRecord {
    /// A fan's predictions, newest show first, after `(show date, setlist id)`; RLS decides
    /// which the caller sees (another fan's only once their show has started).
    pub async fn history_of(
        conn: &mut AsyncPgConnection,
        fan: UserId,
        after: Option<(NaiveDate, SetlistId)>,
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        let (date, id) = after.map_or((None, None), |(d, i)| (Some(d), Some(i.0)));
        // raw SQL: the baselines are a lateral pick of the show's two other score rows.
        diesel::sql_query(format!(
            "SELECT sl.id AS setlist_id, sh.id AS show_id, sh.slug AS show_slug,
                    sh.name AS show_name, sh.date AS show_date, sl.created_at, ps.score,
                    ps.is_final, bot.score AS bot_score, crowd.score AS crowd_score,
                    ps.score > bot.score AS beat_bot, ps.score > crowd.score AS beat_crowd
             FROM setlists sl
             JOIN shows sh ON sh.id = sl.show_id
             LEFT JOIN prediction_scores ps ON ps.setlist_id = sl.id
             LEFT JOIN prediction_scores bot
               ON bot.show_id = sl.show_id AND bot.artist_id = sl.artist_id AND bot.kind = 'bot'
             LEFT JOIN prediction_scores crowd
               ON crowd.show_id = sl.show_id AND crowd.artist_id = sl.artist_id AND crowd.kind = 'crowd'
             WHERE sl.owner_id = $1
               AND ($2::date IS NULL OR (sh.date, sl.id) < ($2, $3))
             ORDER BY sh.date DESC, sl.id DESC
             LIMIT {}",
            limit.clamp(1, 101)
        ))
        .bind::<SqlUuid, _>(fan.0)
        .bind::<Nullable<diesel::sql_types::Date>, _>(date)
        .bind::<Nullable<SqlUuid>, _>(id)
        .load(conn)
        .await
    }
}

/// A leaderboard scope of `fan_standings`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Year(i32),
    Month(i32, u32),
    Artist(ArtistId),
}

impl Scope {
    pub fn key(&self) -> String {
        match self {
            Scope::All => "all".to_owned(),
            Scope::Year(y) => format!("year:{y:04}"),
            Scope::Month(y, m) => format!("month:{y:04}-{m:02}"),
            Scope::Artist(a) => format!("artist:{a}"),
        }
    }

    /// A period as the API and CLI name it: `all`, `2026` or `2026-12`.
    pub fn parse_period(text: &str) -> Option<Scope> {
        if text == "all" {
            return Some(Scope::All);
        }
        let (year, month) = match text.split_once('-') {
            Some((y, m)) => (y, Some(m)),
            None => (text, None),
        };
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let year: i32 = year.parse().ok()?;
        match month {
            None => Some(Scope::Year(year)),
            Some(m) if m.len() == 2 => {
                let month: u32 = m.parse().ok()?;
                (1..=12)
                    .contains(&month)
                    .then_some(Scope::Month(year, month))
            }
            Some(_) => None,
        }
    }
}

/// A fan's standing in a scope.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = fan_standings, check_for_backend(diesel::pg::Pg))]
pub struct Standing {
    pub scope: String,
    pub user_id: UserId,
    pub predictions: i32,
    pub total_score: f64,
    pub best_score: f64,
    pub rating: f64,
    pub beat_bot: i32,
    pub beat_crowd: i32,
    pub updated_at: DateTime<Utc>,
}

impl Standing {
    /// The scopes a show's scores count in: all time, its year, its month (by show date), and
    /// each of the artists it scored.
    pub fn scopes_of(date: NaiveDate, artists: &[ArtistId]) -> Vec<String> {
        use chrono::Datelike;
        let mut scopes = vec![
            Scope::All.key(),
            Scope::Year(date.year()).key(),
            Scope::Month(date.year(), date.month()).key(),
        ];
        scopes.extend(artists.iter().map(|a| Scope::Artist(*a).key()));
        scopes
    }

    /// Recomputes the standings of these fans in these scopes (a scored show's: the others
    /// did not move) from their final scores; rows of fans with none left in a scope go. The
    /// rating is `scoring::rating`.
    pub async fn refresh_for(
        conn: &mut AsyncPgConnection,
        fans: &[UserId],
        scopes: &[String],
    ) -> QueryResult<()> {
        if fans.is_empty() || scopes.is_empty() {
            return Ok(());
        }
        let ids: Vec<Uuid> = fans.iter().map(|f| f.0).collect();
        diesel::delete(
            fan_standings::table
                .filter(fan_standings::user_id.eq_any(&ids))
                .filter(fan_standings::scope.eq_any(scopes)),
        )
        .execute(conn)
        .await?;
        // raw SQL: one INSERT ... SELECT aggregating every scope of these fans at once.
        diesel::sql_query(
            "INSERT INTO fan_standings (scope, user_id, predictions, total_score, best_score,
                                        rating, beat_bot, beat_crowd)
             SELECT sc.scope, ps.user_id, count(*), sum(ps.score), max(ps.score),
                    ($2 * $3 + sum(ps.score)) / ($2 + count(*)),
                    count(*) FILTER (WHERE ps.score > bot.score),
                    count(*) FILTER (WHERE ps.score > crowd.score)
             FROM prediction_scores ps
             JOIN shows sh ON sh.id = ps.show_id
             LEFT JOIN prediction_scores bot
               ON bot.show_id = ps.show_id AND bot.artist_id = ps.artist_id AND bot.kind = 'bot'
             LEFT JOIN prediction_scores crowd
               ON crowd.show_id = ps.show_id AND crowd.artist_id = ps.artist_id AND crowd.kind = 'crowd'
             CROSS JOIN LATERAL (VALUES ('all'), ('year:' || to_char(sh.date, 'YYYY')),
                                        ('month:' || to_char(sh.date, 'YYYY-MM')),
                                        ('artist:' || ps.artist_id)) AS sc (scope)
             WHERE ps.kind = 'fan' AND ps.is_final AND ps.user_id = ANY ($1)
               AND sc.scope = ANY ($4)
             GROUP BY sc.scope, ps.user_id",
        )
        .bind::<Array<SqlUuid>, _>(ids)
        .bind::<Double, _>(PRIOR_WEIGHT)
        .bind::<Double, _>(PRIOR_MEAN)
        .bind::<Array<Text>, _>(scopes)
        .execute(conn)
        .await?;
        Ok(())
    }

    /// A fan's standing in a scope.
    pub async fn find(
        conn: &mut AsyncPgConnection,
        scope: &Scope,
        fan: UserId,
    ) -> QueryResult<Option<Standing>> {
        fan_standings::table
            .find((scope.key(), fan))
            .select(Standing::as_select())
            .first(conn)
            .await
            .optional()
    }

    /// A standings page: by rating, then more predictions, then user id; equal rating and
    /// predictions share a rank.
    pub async fn board(
        conn: &mut AsyncPgConnection,
        scope: &Scope,
        after: Option<StandingKey>,
        limit: i64,
    ) -> QueryResult<Vec<BoardRow>> {
        let limit = limit.clamp(1, 101);
        // raw SQL: keyset on the rank index's expressions, identities for the page at once; the
        // first page has no keyset condition, so its plan is the plain index range.
        let keyset = if after.is_some() {
            "AND (-st.rating, -st.predictions, st.user_id) > (-$2::float8, -$3::integer, $4)"
        } else {
            ""
        };
        let query = diesel::sql_query(format!(
            "WITH page AS (
               SELECT * FROM fan_standings st
               WHERE st.scope = $1 {keyset}
               ORDER BY -st.rating, -st.predictions, st.user_id
               LIMIT {limit})
             {STANDING_SELECT}
             ORDER BY -p.rating, -p.predictions, p.user_id"
        ))
        .bind::<Text, _>(scope.key())
        .into_boxed();
        let query = match after {
            Some((rating, n, user)) => query
                .bind::<Double, _>(rating)
                .bind::<BigInt, _>(n)
                .bind::<SqlUuid, _>(user.0),
            None => query,
        };
        let mut rows: Vec<BoardRow> = query.load(conn).await?;
        let Some(first) = rows.as_slice().first() else {
            return Ok(rows);
        };
        // The first page starts the board: nobody is ahead, and its first group is all here.
        let counts = if after.is_some() {
            Self::ahead(conn, scope, first.value, first.predictions).await?
        } else {
            let key = (first.value, first.predictions);
            AheadEqual {
                ahead: 0,
                equal: rows
                    .iter()
                    .take_while(|r| (r.value, r.predictions) == key)
                    .count() as i64,
            }
        };
        #[allow(clippy::cast_precision_loss)]
        assign_ranks(&mut rows, counts.ahead, counts.equal, |r| {
            (r.value, r.predictions as f64)
        });
        Ok(rows)
    }

    async fn ahead(
        conn: &mut AsyncPgConnection,
        scope: &Scope,
        rating: f64,
        predictions: i64,
    ) -> QueryResult<AheadEqual> {
        // raw SQL: a row comparison on the rank index's expressions.
        diesel::sql_query(
            "SELECT count(*) FILTER (WHERE (-rating, -predictions) < (-$2::float8, -$3::integer)) AS ahead,
                    count(*) FILTER (WHERE (-rating, -predictions) = (-$2::float8, -$3::integer)) AS equal
             FROM fan_standings
             WHERE scope = $1 AND (-rating, -predictions) <= (-$2::float8, -$3::integer)",
        )
        .bind::<Text, _>(scope.key())
        .bind::<Double, _>(rating)
        .bind::<BigInt, _>(predictions)
        .get_result(conn)
        .await
    }

    /// A fan's row in a scope's board, with their rank.
    pub async fn rank(
        conn: &mut AsyncPgConnection,
        scope: &Scope,
        fan: UserId,
    ) -> QueryResult<Option<BoardRow>> {
        let rows: Vec<BoardRow> = diesel::sql_query(format!(
            "WITH page AS (SELECT * FROM fan_standings WHERE scope = $1 AND user_id = $2)
             {STANDING_SELECT}"
        ))
        .bind::<Text, _>(scope.key())
        .bind::<SqlUuid, _>(fan.0)
        .load(conn)
        .await?;
        let Some(mut row) = rows.into_iter().next() else {
            return Ok(None);
        };
        row.rank = Self::ahead(conn, scope, row.value, row.predictions)
            .await?
            .ahead
            + 1;
        Ok(Some(row))
    }
}

const STANDING_SELECT: &str = "SELECT 0::bigint AS rank, p.user_id, f.display_name, f.avatar_url,
         p.rating AS value, p.total_score / p.predictions AS secondary,
         p.predictions::bigint AS predictions, NULL::timestamptz AS predicted_at, true AS is_final
  FROM page p
  LEFT JOIN fan_identities(ARRAY(SELECT user_id FROM page)) f ON f.user_id = p.user_id";
