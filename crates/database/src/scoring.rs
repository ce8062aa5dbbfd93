//! Scoring predicted setlists against what was actually played: the one definition of the rule
//! (documented in the crate README, "Scoring"). [`score`] is the pure rule; [`score_show`] scores
//! every prediction of a show (each fan's, the crowd setlist, the bot), stores the breakdowns
//! (`prediction_scores`), the headline number (`setlists.accuracy_score`) and, for final scores,
//! the fans' standings (`fan_standings`).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::enums::{PredictionKind, SetlistType};
use crate::error::Result;
use crate::history::History;
use crate::ids::{ArtistId, SetlistId, ShowId, SongId, UserId};
use crate::models::{NewPredictionScore, PredictionScore, ScoredAgainst, Standing};
use crate::schema::{setlist_songs, setlists, shows};

/// Weights of the parts of the headline score; they add up to 1.
pub const F1_WEIGHT: f64 = 0.6;
pub const ORDER_WEIGHT: f64 = 0.2;
pub const OPENER_WEIGHT: f64 = 0.05;
pub const CLOSER_WEIGHT: f64 = 0.05;
pub const ENCORE_WEIGHT: f64 = 0.1;

/// Leaderboards rank fans by a Bayesian average: `PRIOR_WEIGHT` imaginary predictions scoring
/// `PRIOR_MEAN` are added to every fan's own, so one lucky show cannot top a table. A constant
/// prior keeps ranks still until a score changes.
pub const PRIOR_MEAN: f64 = 30.0;
pub const PRIOR_WEIGHT: f64 = 3.0;

/// The shrunk average of `predictions` scores adding up to `total`.
pub fn rating(predictions: i64, total: f64) -> f64 {
    (PRIOR_WEIGHT * PRIOR_MEAN + total) / (PRIOR_WEIGHT + predictions as f64)
}

/// One entry of a prediction, in predicted order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PredictedSong {
    pub song_id: SongId,
    /// Predicted as part of the encore.
    pub encore: bool,
}

/// One entry of an actual setlist, in playing order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlayedSong {
    pub song_id: SongId,
    /// 0 for the main set, 1 for the first encore, 2 for the second...
    pub encore: i32,
    /// Played from tape: never counted.
    pub is_tape: bool,
}

/// A prediction's score and what it is made of.
#[derive(Debug, Clone, PartialEq)]
pub struct Breakdown {
    /// Distinct songs predicted.
    pub predicted: usize,
    /// Distinct songs performed (tape excluded).
    pub played: usize,
    /// Distinct songs both predicted and performed.
    pub hits: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// The predicted first song opened the show.
    pub opener_hit: bool,
    /// The predicted last song closed it.
    pub closer_hit: bool,
    /// Songs predicted for the encore, songs played in an encore, and both.
    pub encore_predicted: usize,
    pub encore_played: usize,
    pub encore_hits: usize,
    /// Kendall's tau between the predicted and the played order of the hits; `None` with
    /// fewer than two hits.
    pub order_tau: Option<f64>,
    /// Each hit is worth its rarity weight (`History::rarity`): a staple about 1, a song the
    /// artist rarely plays more.
    pub rarity_points: f64,
    /// 0..=100.
    pub score: f64,
}

/// Scores a prediction against an actual setlist. `None` when the actual setlist has no
/// performed song (nothing to score against).
pub fn score(
    predicted: &[PredictedSong],
    actual: &[PlayedSong],
    rarity: impl Fn(SongId) -> f64,
) -> Option<Breakdown> {
    // Performed songs, each once at its first performance (a reprise counts once), tape excluded.
    let mut played: Vec<SongId> = Vec::new();
    let mut played_at: HashMap<SongId, usize> = HashMap::new();
    let mut encore_played: HashSet<SongId> = HashSet::new();
    for entry in actual.iter().filter(|e| !e.is_tape) {
        if let std::collections::hash_map::Entry::Vacant(slot) = played_at.entry(entry.song_id) {
            slot.insert(played.len());
            played.push(entry.song_id);
            if entry.encore > 0 {
                encore_played.insert(entry.song_id);
            }
        }
    }
    if played.is_empty() {
        return None;
    }
    let mut seen = HashSet::new();
    let predicted: Vec<PredictedSong> = predicted
        .iter()
        .copied()
        .filter(|p| seen.insert(p.song_id))
        .collect();
    let encore_predicted: HashSet<SongId> = predicted
        .iter()
        .filter(|p| p.encore)
        .map(|p| p.song_id)
        .collect();

    // The hits in predicted order, with where each was played.
    let hit_positions: Vec<usize> = predicted
        .iter()
        .filter_map(|p| played_at.get(&p.song_id).copied())
        .collect();
    let hits = hit_positions.len();
    let precision = ratio(hits, predicted.len());
    let recall = ratio(hits, played.len());
    let f1 = if hits == 0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    let opener_hit = <[PredictedSong]>::first(&predicted).map(|p| p.song_id)
        == <[SongId]>::first(&played).copied();
    let closer_hit = predicted.last().map(|p| p.song_id) == played.last().copied();
    let encore_hits = encore_predicted.intersection(&encore_played).count();
    let encore_union = encore_predicted.union(&encore_played).count();
    let encore_part = if encore_union == 0 {
        1.0
    } else {
        ratio(encore_hits, encore_union)
    };
    let order_tau = kendall_tau(&hit_positions);
    let rarity_points: f64 = predicted
        .iter()
        .filter(|p| played_at.contains_key(&p.song_id))
        .map(|p| rarity(p.song_id))
        .sum();

    let score = if hits == 0 {
        0.0
    } else {
        let order_part = order_tau.map_or(0.0, |tau| (tau + 1.0) / 2.0);
        let raw = F1_WEIGHT * f1
            + ORDER_WEIGHT * order_part
            + OPENER_WEIGHT * f64::from(u8::from(opener_hit))
            + CLOSER_WEIGHT * f64::from(u8::from(closer_hit))
            + ENCORE_WEIGHT * encore_part;
        (raw * 100.0).clamp(0.0, 100.0)
    };
    Some(Breakdown {
        predicted: predicted.len(),
        played: played.len(),
        hits,
        precision,
        recall,
        f1,
        opener_hit,
        closer_hit,
        encore_predicted: encore_predicted.len(),
        encore_played: encore_played.len(),
        encore_hits,
        order_tau,
        rarity_points,
        score,
    })
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Kendall's tau of a sequence of distinct ranks against sorted order: (concordant pairs -
/// discordant pairs) / pairs. `None` below two elements.
pub fn kendall_tau(ranks: &[usize]) -> Option<f64> {
    let n = ranks.len();
    if n < 2 {
        return None;
    }
    let mut balance: i64 = 0;
    for i in 0..n {
        for j in i + 1..n {
            balance += if ranks[i] < ranks[j] { 1 } else { -1 };
        }
    }
    let pairs = (n * (n - 1) / 2) as f64;
    Some(balance as f64 / pairs)
}

/// The crowd's prediction: the crowd setlist's songs ranked by net votes (ties: earlier
/// position), cut to `length`, in setlist order. Entries are `(song, position, net votes,
/// encore)`.
pub fn crowd_prediction(entries: &[(SongId, i32, i32, i32)], length: usize) -> Vec<PredictedSong> {
    let mut ranked: Vec<&(SongId, i32, i32, i32)> = entries.iter().collect();
    ranked.sort_by_key(|(_, position, net, _)| (std::cmp::Reverse(*net), *position));
    ranked.truncate(length);
    ranked.sort_by_key(|(_, position, _, _)| *position);
    ranked
        .into_iter()
        .map(|(song_id, _, _, encore)| PredictedSong {
            song_id: *song_id,
            encore: *encore > 0,
        })
        .collect()
}

/// Distinct performed songs of an actual setlist (tape excluded, a reprise once).
pub fn performed_length(actual: &[PlayedSong]) -> usize {
    actual
        .iter()
        .filter(|e| !e.is_tape)
        .map(|e| e.song_id)
        .collect::<HashSet<_>>()
        .len()
}

/// One prediction's new score.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredPrediction {
    pub kind: PredictionKind,
    pub artist_id: ArtistId,
    /// `None` for the bot.
    pub setlist_id: Option<SetlistId>,
    pub user_id: Option<UserId>,
    pub breakdown: Breakdown,
}

/// What scoring a show did.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ShowScores {
    pub scores: Vec<ScoredPrediction>,
    /// The actual setlist is final (imported, or locked by a moderator), so the scores are too.
    pub is_final: bool,
    /// Predictions left unscored: their artist has no actual setlist with a performed song.
    pub unscored: usize,
}

struct Listed {
    id: SetlistId,
    artist: ArtistId,
    kind: SetlistType,
    owner: Option<UserId>,
    is_locked: bool,
    imported_from: Option<String>,
    created_at: DateTime<Utc>,
}

type EntryRow = (SetlistId, SongId, i32, i32, bool, i32);

/// Scores every predicted setlist of a show against the actual setlist of its artist (the
/// most recently imported one when there are several; a live record until then) and stores the
/// result, replacing the show's earlier scores. Run it when an actual setlist lands or changes
/// (in the same transaction as an import; from the score job while a show is recorded live).
pub async fn score_show(conn: &mut AsyncPgConnection, show: ShowId) -> Result<ShowScores> {
    // Scored now from what this transaction sees: a queued request for it is answered.
    take_pending_show(conn, show).await?;
    let (show_date, starts_at) = shows::table
        .find(show)
        .select((shows::date, shows::starts_at))
        .first::<(chrono::NaiveDate, DateTime<Utc>)>(conn)
        .await?;
    let lists: Vec<Listed> = setlists::table
        .filter(setlists::show_id.eq(show))
        .order((
            setlists::type_,
            setlists::imported_at.desc().nulls_last(),
            setlists::created_at.desc(),
            setlists::id,
        ))
        .select((
            setlists::id,
            setlists::artist_id,
            setlists::type_,
            setlists::owner_id,
            setlists::is_locked,
            setlists::imported_from,
            setlists::created_at,
        ))
        .load::<(
            SetlistId,
            ArtistId,
            SetlistType,
            Option<UserId>,
            bool,
            Option<String>,
            DateTime<Utc>,
        )>(conn)
        .await?
        .into_iter()
        .map(
            |(id, artist, kind, owner, is_locked, imported_from, created_at)| Listed {
                id,
                artist,
                kind,
                owner,
                is_locked,
                imported_from,
                created_at,
            },
        )
        .collect();
    let mut actual_of: HashMap<ArtistId, &Listed> = HashMap::new();
    for list in lists.iter().filter(|l| l.kind == SetlistType::Actual) {
        actual_of.entry(list.artist).or_insert(list);
    }
    let ids: Vec<SetlistId> = lists.iter().map(|l| l.id).collect();
    let entries: Vec<EntryRow> = setlist_songs::table
        .filter(setlist_songs::setlist_id.eq_any(&ids))
        .order((setlist_songs::setlist_id, setlist_songs::position))
        .select((
            setlist_songs::setlist_id,
            setlist_songs::song_id,
            setlist_songs::position,
            setlist_songs::encore,
            setlist_songs::is_tape,
            setlist_songs::net_votes,
        ))
        .load(conn)
        .await?;
    let mut entries_of: HashMap<SetlistId, Vec<EntryRow>> = HashMap::new();
    for row in entries {
        entries_of.entry(row.0).or_default().push(row);
    }
    let played_of = |id: SetlistId| -> Vec<PlayedSong> {
        entries_of.get(&id).map_or_else(Vec::new, |rows| {
            rows.iter()
                .map(|&(_, song_id, _, encore, is_tape, _)| PlayedSong {
                    song_id,
                    encore,
                    is_tape,
                })
                .collect()
        })
    };

    let mut result = ShowScores::default();
    let mut rows: Vec<NewPredictionScore> = Vec::new();
    let mut any_final = false;
    for (artist, actual) in &actual_of {
        let played = played_of(actual.id);
        if !played.iter().any(|p| !p.is_tape) {
            continue;
        }
        let is_final = actual.is_locked || actual.imported_from.as_deref() != Some("manual");
        any_final |= is_final;
        let against = ScoredAgainst {
            show,
            artist: *artist,
            actual: actual.id,
            is_final,
            starts_at,
        };
        let history = History::load(conn, *artist, Some((show_date, show)), None).await?;
        let weights = history.rarity();
        let rarity = |song: SongId| weights.weight(song);
        let bot = history.average_setlist();
        // The crowd's list is cut to the length of what was played (its top n against the n
        // played songs): a stated length that neither history nor the import order moves.
        let crowd_length = performed_length(&played);
        let mut push = |kind: PredictionKind,
                        list: Option<&Listed>,
                        predicted: &[PredictedSong],
                        result: &mut ShowScores| {
            let Some(breakdown) = score(predicted, &played, rarity) else {
                return;
            };
            rows.push(NewPredictionScore::new(
                &against,
                kind,
                list.map(|l| (l.id, l.owner, l.created_at)),
                &breakdown,
            ));
            result.scores.push(ScoredPrediction {
                kind,
                artist_id: *artist,
                setlist_id: list.map(|l| l.id),
                user_id: list.and_then(|l| l.owner),
                breakdown,
            });
        };
        if !bot.is_empty() {
            push(PredictionKind::Bot, None, &bot, &mut result);
        }
        for list in lists
            .iter()
            .filter(|l| l.kind == SetlistType::Predicted && l.artist == *artist)
        {
            let rows = entries_of.get(&list.id).map_or(&[][..], Vec::as_slice);
            let (kind, predicted) = if list.owner.is_some() {
                let predicted: Vec<PredictedSong> = rows
                    .iter()
                    .map(|&(_, song_id, _, encore, _, _)| PredictedSong {
                        song_id,
                        encore: encore > 0,
                    })
                    .collect();
                (PredictionKind::Fan, predicted)
            } else {
                let ranked: Vec<(SongId, i32, i32, i32)> = rows
                    .iter()
                    .map(|&(_, song, position, encore, _, net)| (song, position, net, encore))
                    .collect();
                (
                    PredictionKind::Crowd,
                    crowd_prediction(&ranked, crowd_length),
                )
            };
            push(kind, Some(list), &predicted, &mut result);
        }
    }
    result.unscored = lists
        .iter()
        .filter(|l| l.kind == SetlistType::Predicted)
        .count()
        - result
            .scores
            .iter()
            .filter(|s| s.setlist_id.is_some())
            .count();
    result.is_final = any_final;

    NewPredictionScore::rank_fans(&mut rows);
    let before = PredictionScore::replace_for_show(conn, show, &rows).await?;
    let was_final = before.iter().any(|(_, is_final)| *is_final);
    // Standings count final scores only: a provisional re-score (a show recorded live) leaves
    // them as they are. Otherwise the fans whose scores changed, including those whose
    // prediction lost its score, in the scopes of this show.
    if any_final || was_final {
        let mut fans: HashSet<UserId> = before.into_iter().map(|(fan, _)| fan).collect();
        fans.extend(result.scores.iter().filter_map(|s| s.user_id));
        let fans: Vec<UserId> = fans.into_iter().collect();
        let mut artists: Vec<ArtistId> = lists.iter().map(|l| l.artist).collect();
        artists.sort_unstable();
        artists.dedup();
        Standing::refresh_for(conn, &fans, &Standing::scopes_of(show_date, &artists)).await?;
    }
    Ok(result)
}

/// Up to `limit` shows queued for scoring (`scores_pending`: their actual setlist's songs or
/// lock changed, by whichever writer), other than those in `skip` (shows that failed already in
/// this run). Takes nothing: [`take_pending_show`] does, in the transaction that scores the
/// show, so a failure rolls the take back and the show stays queued, and a show that keeps
/// failing holds up no other.
pub async fn pending_shows(
    conn: &mut AsyncPgConnection,
    limit: i64,
    skip: &[ShowId],
) -> Result<Vec<ShowId>> {
    #[derive(QueryableByName)]
    struct Pending {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        show_id: ShowId,
    }
    let skip: Vec<uuid::Uuid> = skip.iter().map(|s| s.0).collect();
    // raw SQL: scores_pending is a queue outside schema.rs, like vote_totals_pending.
    let rows: Vec<Pending> = diesel::sql_query(
        "SELECT DISTINCT show_id FROM scores_pending WHERE show_id <> ALL ($2) LIMIT $1",
    )
    .bind::<diesel::sql_types::BigInt, _>(limit)
    .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(skip)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.show_id).collect())
}

/// Takes `show` off the queue, in the caller's transaction (the one that scores it). False when
/// it was no longer queued: another worker scored it meanwhile. A concurrent taker holds the
/// rows until its transaction ends, so two workers never score one show at once.
pub async fn take_pending_show(conn: &mut AsyncPgConnection, show: ShowId) -> Result<bool> {
    // raw SQL: as above.
    let taken = diesel::sql_query("DELETE FROM scores_pending WHERE show_id = $1")
        .bind::<diesel::sql_types::Uuid, _>(show.0)
        .execute(conn)
        .await?;
    Ok(taken > 0)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn songs(n: usize) -> Vec<SongId> {
        (0..n).map(|_| SongId::new_random()).collect()
    }

    fn predicted(ids: &[SongId]) -> Vec<PredictedSong> {
        ids.iter()
            .map(|&song_id| PredictedSong {
                song_id,
                encore: false,
            })
            .collect()
    }

    fn main_set(ids: &[SongId]) -> Vec<PlayedSong> {
        ids.iter()
            .map(|&song_id| PlayedSong {
                song_id,
                encore: 0,
                is_tape: false,
            })
            .collect()
    }

    fn flat(_: SongId) -> f64 {
        1.0
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn a_perfect_prediction_scores_100() {
        let s = songs(10);
        let b = score(&predicted(&s), &main_set(&s), flat).unwrap();
        assert_eq!((b.hits, b.order_tau), (10, Some(1.0)));
        assert!(b.opener_hit && b.closer_hit);
        assert!(close(b.score, 100.0));
        assert!(close(b.rarity_points, 10.0));
    }

    #[test]
    fn nothing_right_scores_0_and_empty_actual_is_not_scored() {
        let b = score(&predicted(&songs(5)), &main_set(&songs(5)), flat).unwrap();
        assert_eq!((b.hits, b.score), (0, 0.0));
        assert_eq!(score(&predicted(&songs(3)), &[], flat), None);
        let tape = PlayedSong {
            song_id: SongId::new_random(),
            encore: 0,
            is_tape: true,
        };
        assert_eq!(score(&predicted(&songs(3)), &[tape], flat), None);
    }

    #[test]
    fn worked_example_by_hand() {
        // Played: A B C D, then E as the encore. Predicted: B A C X, with E as the encore.
        let [a, b, c, d, e, x] = [0; 6].map(|_| SongId::new_random());
        let mut actual = main_set(&[a, b, c, d]);
        actual.push(PlayedSong {
            song_id: e,
            encore: 1,
            is_tape: false,
        });
        let mut guess = predicted(&[b, a, c, x]);
        guess.push(PredictedSong {
            song_id: e,
            encore: true,
        });
        let weight = |s: SongId| if s == e { 4.0 } else { 1.0 };
        let got = score(&guess, &actual, weight).unwrap();
        // Hits: B A C E (4 of 5 predicted, 4 of 5 played).
        assert_eq!((got.predicted, got.played, got.hits), (5, 5, 4));
        assert!(close(got.precision, 0.8) && close(got.recall, 0.8) && close(got.f1, 0.8));
        // Opener predicted B, played A; closer E both.
        assert!(!got.opener_hit && got.closer_hit);
        // Encore: {E} vs {E}.
        assert_eq!(
            (got.encore_predicted, got.encore_played, got.encore_hits),
            (1, 1, 1)
        );
        // Played positions of the hits in predicted order: B=1 A=0 C=2 E=4. Pairs: (1,0) -,
        // (1,2) +, (1,4) +, (0,2) +, (0,4) +, (2,4) +: (5 - 1) / 6.
        let tau = 4.0 / 6.0;
        assert!(close(got.order_tau.unwrap(), tau));
        assert!(close(got.rarity_points, 1.0 + 1.0 + 1.0 + 4.0));
        let expected = 100.0 * (0.6 * 0.8 + 0.2 * (tau + 1.0) / 2.0 + 0.05 * 0.0 + 0.05 + 0.1);
        assert!(close(got.score, expected), "{} vs {expected}", got.score);
    }

    #[test]
    fn tape_never_counts_and_a_reprise_counts_once() {
        let s = songs(3);
        let mut actual = vec![PlayedSong {
            song_id: s[0],
            encore: 0,
            is_tape: true,
        }];
        actual.extend(main_set(&s[1..]));
        actual.extend(main_set(&s[1..2]));
        let b = score(&predicted(&s), &actual, flat).unwrap();
        assert_eq!((b.played, b.hits), (2, 2));
        assert!(close(b.precision, 2.0 / 3.0));
        assert!(close(
            score(&predicted(&s[1..]), &actual, flat).unwrap().score,
            100.0
        ));
    }

    #[test]
    fn encore_is_a_set_match() {
        let s = songs(4);
        let mut actual = main_set(&s[..3]);
        actual.push(PlayedSong {
            song_id: s[3],
            encore: 1,
            is_tape: false,
        });
        // Predicting no encore at all against a show with one: the encore part is 0 of 1.
        let b = score(&predicted(&s), &actual, flat).unwrap();
        assert_eq!((b.encore_predicted, b.encore_hits), (0, 0));
        let expected = 100.0 * (0.6 + 0.2 + 0.05 + 0.05);
        assert!(close(b.score, expected));
    }

    #[test]
    fn kendall_tau_counts_pairs() {
        assert_eq!(kendall_tau(&[0]), None);
        assert_eq!(kendall_tau(&[0, 1, 2]), Some(1.0));
        assert_eq!(kendall_tau(&[2, 1, 0]), Some(-1.0));
        // One swapped pair of three.
        assert!(close(kendall_tau(&[1, 0, 2]).unwrap(), 1.0 / 3.0));
    }

    #[test]
    fn crowd_takes_the_most_voted_songs_in_setlist_order() {
        let s = songs(4);
        let entries = [
            (s[0], 1, 2, 0),
            (s[1], 2, 9, 0),
            (s[2], 3, 2, 0),
            (s[3], 4, 5, 1),
        ];
        let crowd = crowd_prediction(&entries, 3);
        // Ranked: s1 (9), s3 (5), then s0 and s2 tie at 2 and the earlier position wins.
        let ids: Vec<SongId> = crowd.iter().map(|p| p.song_id).collect();
        assert_eq!(ids, [s[0], s[1], s[3]]);
        assert!(crowd[2].encore);
    }

    #[test]
    fn rating_shrinks_towards_the_prior() {
        // One lucky 90 ranks below five steady 60s.
        assert!(close(rating(1, 90.0), (90.0 + 90.0) / 4.0));
        assert!(rating(1, 90.0) < rating(5, 300.0));
        assert!(close(rating(0, 0.0), PRIOR_MEAN));
    }
}
