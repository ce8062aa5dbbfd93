//! Scoring a show's predicted setlists against what was actually played (the definition is in
//! the crate README, "Scoring"). [`accuracy`] is the pure rule; [`score_show`] loads a show's
//! setlists and writes `setlists.accuracy_score`.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::enums::SetlistType;
use crate::error::Result;
use crate::ids::{ArtistId, SetlistId, ShowId, SongId};
use crate::schema::{setlist_songs, setlists};

/// Weights of the three parts of the score; they add up to 1.
pub const SONG_WEIGHT: f64 = 0.7;
pub const ORDER_WEIGHT: f64 = 0.2;
pub const ENCORE_WEIGHT: f64 = 0.1;

/// One entry of an actual setlist, in playing order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlayedSong {
    pub song_id: SongId,
    /// 0 for the main set, 1 for the first encore, 2 for the second...
    pub encore: i32,
    /// Played from tape: never counted.
    pub is_tape: bool,
}

/// A score and the parts it is made of (each 0..=1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Accuracy {
    /// 0..=100.
    pub score: i32,
    /// Distinct songs both predicted and played.
    pub hits: usize,
    /// Share of the predicted songs that were played.
    pub precision: f64,
    /// Share of the played songs that were predicted.
    pub recall: f64,
    /// How much of the playing order the prediction got right, among the hits.
    pub order: f64,
    /// Share of the encore songs predicted at the end of the setlist (equal to `order` when the
    /// show had no encore).
    pub encore: f64,
}

/// Scores a predicted setlist (songs in predicted order) against an actual one (entries in
/// playing order). `None` when the actual setlist has no performed song (nothing to score
/// against: an empty or tape-only setlist).
pub fn accuracy(predicted: &[SongId], actual: &[PlayedSong]) -> Option<Accuracy> {
    // Performed songs, each once (a reprise keeps its first position), tape excluded.
    let mut played: Vec<SongId> = Vec::new();
    let mut seen = HashSet::new();
    let mut encore_songs: Vec<SongId> = Vec::new();
    for entry in actual.iter().filter(|e| !e.is_tape) {
        if seen.insert(entry.song_id) {
            played.push(entry.song_id);
            if entry.encore > 0 {
                encore_songs.push(entry.song_id);
            }
        }
    }
    if played.is_empty() {
        return None;
    }
    let mut predicted_once = HashSet::new();
    let predicted: Vec<SongId> = predicted
        .iter()
        .copied()
        .filter(|s| predicted_once.insert(*s))
        .collect();
    if predicted.is_empty() {
        return Some(Accuracy {
            score: 0,
            hits: 0,
            precision: 0.0,
            recall: 0.0,
            order: 0.0,
            encore: 0.0,
        });
    }

    let played_set: HashSet<SongId> = played.iter().copied().collect();
    let predicted_hits: Vec<SongId> = predicted
        .iter()
        .copied()
        .filter(|s| played_set.contains(s))
        .collect();
    let hits = predicted_hits.len();
    let precision = ratio(hits, predicted.len());
    let recall = ratio(hits, played.len());
    let f1 = if hits == 0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };

    let order = match hits {
        0 => 0.0,
        1 => 1.0,
        _ => {
            let hit_set: HashSet<SongId> = predicted_hits.iter().copied().collect();
            let played_hits: Vec<SongId> = played
                .iter()
                .copied()
                .filter(|s| hit_set.contains(s))
                .collect();
            ratio(
                longest_common_subsequence(&predicted_hits, &played_hits),
                hits,
            )
        }
    };

    let encore = if encore_songs.is_empty() {
        order
    } else {
        // The prediction's closing songs, as many as the show's encores had.
        let tail: HashSet<SongId> = predicted
            .iter()
            .rev()
            .take(encore_songs.len())
            .copied()
            .collect();
        ratio(
            encore_songs.iter().filter(|s| tail.contains(s)).count(),
            encore_songs.len(),
        )
    };

    let raw = SONG_WEIGHT * f1 + ORDER_WEIGHT * order + ENCORE_WEIGHT * encore;
    // Clamped to 0..=100 first, so the cast cannot truncate.
    #[allow(clippy::cast_possible_truncation)]
    let score = (raw * 100.0).round().clamp(0.0, 100.0) as i32;
    Some(Accuracy {
        score,
        hits,
        precision,
        recall,
        order,
        encore,
    })
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

fn longest_common_subsequence(a: &[SongId], b: &[SongId]) -> usize {
    let mut previous = vec![0usize; b.len() + 1];
    let mut current = vec![0usize; b.len() + 1];
    for x in a {
        for (j, y) in b.iter().enumerate() {
            current[j + 1] = if x == y {
                previous[j] + 1
            } else {
                current[j].max(previous[j + 1])
            };
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// One predicted setlist's new score (`None`: its artist has no actual setlist with a performed
/// song on this show, and its score was set to 0).
#[derive(Debug, Clone, PartialEq)]
pub struct SetlistScore {
    pub setlist_id: SetlistId,
    pub accuracy: Option<Accuracy>,
}

/// Scores every predicted setlist of a show against the actual setlist of the same artist
/// (the most recently imported one when there are several) and writes
/// `setlists.accuracy_score`. Run it after an actual setlist lands or changes, inside the same
/// transaction. Rows whose score does not change are not written.
pub async fn score_show(conn: &mut AsyncPgConnection, show: ShowId) -> Result<Vec<SetlistScore>> {
    let lists: Vec<(SetlistId, ArtistId, SetlistType)> = setlists::table
        .filter(setlists::show_id.eq(show))
        .order((
            setlists::type_,
            setlists::imported_at.desc().nulls_last(),
            setlists::created_at.desc(),
            setlists::id,
        ))
        .select((setlists::id, setlists::artist_id, setlists::type_))
        .load(conn)
        .await?;
    let mut actual_of: HashMap<ArtistId, SetlistId> = HashMap::new();
    for (id, artist, kind) in &lists {
        if *kind == SetlistType::Actual {
            actual_of.entry(*artist).or_insert(*id);
        }
    }
    let ids: Vec<SetlistId> = lists.iter().map(|(id, _, _)| *id).collect();
    let entries: Vec<(SetlistId, SongId, i32, bool)> = setlist_songs::table
        .filter(setlist_songs::setlist_id.eq_any(&ids))
        .order((setlist_songs::setlist_id, setlist_songs::position))
        .select((
            setlist_songs::setlist_id,
            setlist_songs::song_id,
            setlist_songs::encore,
            setlist_songs::is_tape,
        ))
        .load(conn)
        .await?;
    let mut songs_of: HashMap<SetlistId, Vec<PlayedSong>> = HashMap::new();
    for (setlist, song_id, encore, is_tape) in entries {
        songs_of.entry(setlist).or_default().push(PlayedSong {
            song_id,
            encore,
            is_tape,
        });
    }

    let mut scores = Vec::new();
    for (id, artist, kind) in lists {
        if kind != SetlistType::Predicted {
            continue;
        }
        let accuracy = actual_of.get(&artist).and_then(|actual| {
            let predicted: Vec<SongId> = songs_of
                .get(&id)
                .map(|s| s.iter().map(|e| e.song_id).collect())
                .unwrap_or_default();
            accuracy(
                &predicted,
                songs_of.get(actual).map_or(&[][..], Vec::as_slice),
            )
        });
        let score = accuracy.map_or(0, |a| a.score);
        diesel::update(setlists::table.find(id))
            .filter(setlists::accuracy_score.ne(score))
            .set(setlists::accuracy_score.eq(score))
            .execute(conn)
            .await?;
        scores.push(SetlistScore {
            setlist_id: id,
            accuracy,
        });
    }
    Ok(scores)
}

#[cfg(test)]
#[allow(clippy::cast_possible_truncation)]
mod tests {
    use super::*;

    fn songs(n: usize) -> Vec<SongId> {
        (0..n).map(|_| SongId::new_random()).collect()
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

    #[test]
    fn a_perfect_prediction_scores_100() {
        let s = songs(10);
        let a = accuracy(&s, &main_set(&s)).unwrap();
        assert_eq!((a.score, a.hits), (100, 10));
        assert_eq!(
            (a.precision, a.recall, a.order, a.encore),
            (1.0, 1.0, 1.0, 1.0)
        );
    }

    #[test]
    fn nothing_right_scores_0() {
        let a = accuracy(&songs(5), &main_set(&songs(5))).unwrap();
        assert_eq!((a.score, a.hits), (0, 0));
    }

    #[test]
    fn an_empty_actual_setlist_is_not_scored() {
        assert_eq!(accuracy(&songs(3), &[]), None);
        // Tape only: nothing was performed.
        let tape = PlayedSong {
            song_id: SongId::new_random(),
            encore: 0,
            is_tape: true,
        };
        assert_eq!(accuracy(&songs(3), &[tape]), None);
    }

    #[test]
    fn an_empty_prediction_scores_0() {
        let a = accuracy(&[], &main_set(&songs(4))).unwrap();
        assert_eq!(a.score, 0);
    }

    #[test]
    fn right_songs_in_the_wrong_order_lose_the_order_part() {
        let s = songs(4);
        let reversed: Vec<SongId> = s.iter().rev().copied().collect();
        let a = accuracy(&reversed, &main_set(&s)).unwrap();
        // F1 = 1; the longest run in order is one song of four; no encore, so encore = order.
        assert_eq!(a.order, 0.25);
        assert_eq!(
            a.score,
            (100.0_f64 * (0.7 + 0.2 * 0.25 + 0.1 * 0.25)).round() as i32
        );
        assert_eq!(a.score, 78);
    }

    #[test]
    fn half_the_songs_predicted() {
        let s = songs(10);
        // Predicted the first five, in order, and nothing else.
        let a = accuracy(&s[..5], &main_set(&s)).unwrap();
        assert_eq!((a.precision, a.recall), (1.0, 0.5));
        let f1 = 2.0 * 0.5 / 1.5;
        assert_eq!(a.score, (100.0_f64 * (0.7 * f1 + 0.3)).round() as i32);
        // Padding a prediction with wrong songs costs precision.
        let mut padded = s[..5].to_vec();
        padded.extend(songs(5));
        let b = accuracy(&padded, &main_set(&s)).unwrap();
        assert_eq!(b.precision, 0.5);
        assert!(b.score < a.score);
    }

    #[test]
    fn tape_is_never_counted() {
        let s = songs(3);
        let mut actual = vec![PlayedSong {
            song_id: s[0],
            encore: 0,
            is_tape: true,
        }];
        actual.extend(main_set(&s[1..]));
        // Predicting the intro tape is a miss; the performed songs are the two others.
        let a = accuracy(&s, &actual).unwrap();
        assert_eq!((a.hits, a.recall), (2, 1.0));
        assert!((a.precision - 2.0 / 3.0).abs() < 1e-9);
        let b = accuracy(&s[1..], &actual).unwrap();
        assert_eq!(b.score, 100);
    }

    #[test]
    fn a_reprise_counts_once() {
        let s = songs(3);
        let mut actual = main_set(&s);
        actual.push(PlayedSong {
            song_id: s[0],
            encore: 0,
            is_tape: false,
        });
        let a = accuracy(&s, &actual).unwrap();
        assert_eq!((a.score, a.hits, a.recall), (100, 3, 1.0));
    }

    #[test]
    fn encores_reward_predicted_closers() {
        let s = songs(6);
        let mut actual = main_set(&s[..4]);
        actual.extend(s[4..].iter().enumerate().map(|(i, &song_id)| PlayedSong {
            song_id,
            // One song in the first encore, one in the second.
            encore: i32::try_from(i).unwrap() + 1,
            is_tape: false,
        }));
        // The right songs, encores last: perfect.
        assert_eq!(accuracy(&s, &actual).unwrap().score, 100);
        // The encore songs predicted as openers: all songs right, order and encore parts lost.
        let mut openers = s[4..].to_vec();
        openers.extend_from_slice(&s[..4]);
        let a = accuracy(&openers, &actual).unwrap();
        assert_eq!(a.encore, 0.0);
        assert_eq!(a.order, 4.0 / 6.0);
        assert_eq!(
            a.score,
            (100.0_f64 * (0.7 + 0.2 * 4.0 / 6.0)).round() as i32
        );
    }

    #[test]
    fn longest_common_subsequence_counts_songs_in_order() {
        let s = songs(5);
        let a = [s[0], s[1], s[2], s[3], s[4]];
        let b = [s[1], s[0], s[2], s[4], s[3]];
        assert_eq!(longest_common_subsequence(&a, &b), 3);
        assert_eq!(longest_common_subsequence(&a, &[]), 0);
    }
}
