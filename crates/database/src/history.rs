//! An artist's history of actual setlists: what rarity weights, the bot's prediction (the
//! "average setlist") and the per-song statistics (`song_stats`) are computed from. One
//! setlist per show (the most recently imported), performed songs only (tape excluded), each
//! song once per show at its first performance.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::enums::{SetlistType, ShowStatus};
use crate::ids::{ArtistId, SetlistId, ShowId, SongId};
use crate::schema::{setlist_songs, setlists, shows, song_stats};
use crate::scoring::PredictedSong;

/// Setlists rarity is taken from: the artist's latest shows before the scored one.
pub const RARITY_WINDOW: i64 = 50;
/// Setlists the bot's average setlist is built from.
pub const BOT_WINDOW: usize = 20;

/// One show of the history: its date and performed songs in order, with their encore flag.
#[derive(Debug, Clone, PartialEq)]
pub struct PastShow {
    pub date: NaiveDate,
    pub songs: Vec<(SongId, bool)>,
}

/// An artist's past shows, newest first.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct History {
    pub shows: Vec<PastShow>,
}

/// Rarity weights of an artist's songs, from a history ([`History::rarity`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rarity {
    shows: usize,
    plays: HashMap<SongId, usize>,
}

impl Rarity {
    pub fn weight(&self, song: SongId) -> f64 {
        let plays = self.plays.get(&song).copied().unwrap_or(0) as f64;
        1.0 + ((self.shows as f64 + 2.0) / (plays + 1.0)).log2()
    }
}

/// What `song_stats` holds for one song.
#[derive(Debug, Clone, PartialEq)]
pub struct SongStatistics {
    pub song_id: SongId,
    pub times_played: i32,
    pub play_rate: f64,
    pub first_played: NaiveDate,
    pub last_played: NaiveDate,
    pub shows_since_played: i32,
    pub opener_rate: f64,
    pub closer_rate: f64,
    pub encore_rate: f64,
    pub average_position: f64,
}

impl History {
    /// The artist's history: shows not cancelled that started by `as_of` (now when `None`);
    /// with `before`, only shows dated before it (and never that show), the latest
    /// [`RARITY_WINDOW`] of them.
    pub async fn load(
        conn: &mut AsyncPgConnection,
        artist: ArtistId,
        before: Option<(NaiveDate, ShowId)>,
        as_of: Option<DateTime<Utc>>,
    ) -> QueryResult<Self> {
        let mut query = setlists::table
            .inner_join(shows::table)
            .filter(setlists::artist_id.eq(artist))
            .filter(setlists::type_.eq(SetlistType::Actual))
            .filter(shows::status.ne(ShowStatus::Cancelled))
            .filter(shows::starts_at.le(as_of.unwrap_or_else(Utc::now)))
            .order((
                shows::date.desc(),
                shows::id,
                setlists::imported_at.desc().nulls_last(),
                setlists::id,
            ))
            .select((setlists::id, shows::id, shows::date))
            .into_boxed();
        if let Some((date, show)) = before {
            query = query
                .filter(shows::date.lt(date))
                .filter(shows::id.ne(show))
                // Several setlists per show are rare; twice the window leaves room for them.
                .limit(RARITY_WINDOW * 2);
        }
        let lists: Vec<(SetlistId, ShowId, NaiveDate)> = query.load(conn).await?;
        let mut chosen: Vec<(SetlistId, NaiveDate)> = Vec::new();
        let mut last_show = None;
        for (id, show, date) in lists {
            if last_show != Some(show) {
                chosen.push((id, date));
                last_show = Some(show);
            }
        }
        let ids: Vec<SetlistId> = chosen.iter().map(|(id, _)| *id).collect();
        let entries: Vec<(SetlistId, SongId, i32)> = setlist_songs::table
            .filter(setlist_songs::setlist_id.eq_any(&ids))
            .filter(setlist_songs::is_tape.eq(false))
            .order((setlist_songs::setlist_id, setlist_songs::position))
            .select((
                setlist_songs::setlist_id,
                setlist_songs::song_id,
                setlist_songs::encore,
            ))
            .load(conn)
            .await?;
        let mut songs_of: HashMap<SetlistId, Vec<(SongId, bool)>> = HashMap::new();
        for (list, song, encore) in entries {
            let songs = songs_of.entry(list).or_default();
            if !songs.iter().any(|(s, _)| *s == song) {
                songs.push((song, encore > 0));
            }
        }
        let mut shows: Vec<PastShow> = chosen
            .into_iter()
            .filter_map(|(id, date)| songs_of.remove(&id).map(|songs| PastShow { date, songs }))
            .collect();
        if before.is_some() {
            shows.truncate(usize::try_from(RARITY_WINDOW).unwrap_or(50));
        }
        Ok(Self { shows })
    }

    /// What a correctly predicted song is worth: `1 + log2((n + 2) / (plays + 1))` over the `n`
    /// shows of the history (a Laplace-smoothed play rate): about 1 for a song played every
    /// night, more the rarer it is, and `1 + log2(n + 2)` for one never played before.
    pub fn rarity(&self) -> Rarity {
        let mut plays: HashMap<SongId, usize> = HashMap::new();
        for show in &self.shows {
            for (song, _) in &show.songs {
                *plays.entry(*song).or_default() += 1;
            }
        }
        Rarity {
            shows: self.shows.len(),
            plays,
        }
    }

    /// The artist's most likely next setlist (the bot's prediction), from the latest
    /// [`BOT_WINDOW`] shows: as many songs as the median show had (the longer middle one for an
    /// even count), the most played first (ties: earlier average position, then song id), put
    /// in order of their average relative position, with the songs played in an encore more
    /// often than not marked as the encore. Empty without history.
    pub fn average_setlist(&self) -> Vec<PredictedSong> {
        let window = &self.shows[..self.shows.len().min(BOT_WINDOW)];
        if window.is_empty() {
            return Vec::new();
        }
        let mut lengths: Vec<usize> = window.iter().map(|s| s.songs.len()).collect();
        lengths.sort_unstable();
        let length = lengths[lengths.len() / 2];
        // song -> (plays, sum of relative positions, encore plays)
        let mut tally: HashMap<SongId, (usize, f64, usize)> = HashMap::new();
        for show in window {
            let last = (show.songs.len().max(2) - 1) as f64;
            for (index, (song, encore)) in show.songs.iter().enumerate() {
                let entry = tally.entry(*song).or_insert((0, 0.0, 0));
                entry.0 += 1;
                entry.1 += index as f64 / last;
                entry.2 += usize::from(*encore);
            }
        }
        let mut ranked: Vec<(SongId, usize, f64, usize)> = tally
            .into_iter()
            .map(|(song, (plays, positions, encores))| {
                (song, plays, positions / plays as f64, encores)
            })
            .collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.total_cmp(&b.2)).then(a.0.cmp(&b.0)));
        ranked.truncate(length);
        ranked.sort_by(|a, b| a.2.total_cmp(&b.2).then(a.0.cmp(&b.0)));
        ranked
            .into_iter()
            .map(|(song_id, plays, _, encores)| PredictedSong {
                song_id,
                encore: encores * 2 > plays,
            })
            .collect()
    }

    /// Per-song statistics over the whole history, most played first.
    pub fn song_statistics(&self) -> Vec<SongStatistics> {
        let total = self.shows.len();
        let mut by_song: HashMap<SongId, SongStatistics> = HashMap::new();
        // Oldest first, so the first sighting is the first play.
        for (age, show) in self.shows.iter().enumerate().rev() {
            let count = show.songs.len();
            for (index, (song, encore)) in show.songs.iter().enumerate() {
                let stat = by_song.entry(*song).or_insert(SongStatistics {
                    song_id: *song,
                    times_played: 0,
                    play_rate: 0.0,
                    first_played: show.date,
                    last_played: show.date,
                    shows_since_played: 0,
                    opener_rate: 0.0,
                    closer_rate: 0.0,
                    encore_rate: 0.0,
                    average_position: 0.0,
                });
                stat.times_played += 1;
                stat.last_played = show.date;
                // Shows are newest first: `age` shows came after this one.
                stat.shows_since_played = i32::try_from(age).unwrap_or(i32::MAX);
                stat.opener_rate += f64::from(u8::from(index == 0));
                stat.closer_rate += f64::from(u8::from(index + 1 == count));
                stat.encore_rate += f64::from(u8::from(*encore));
                stat.average_position += (index + 1) as f64;
            }
        }
        let mut stats: Vec<SongStatistics> = by_song
            .into_values()
            .map(|mut s| {
                let plays = f64::from(s.times_played);
                s.play_rate = plays / total as f64;
                s.opener_rate /= plays;
                s.closer_rate /= plays;
                s.encore_rate /= plays;
                s.average_position /= plays;
                s
            })
            .collect();
        stats.sort_by(|a, b| {
            b.times_played
                .cmp(&a.times_played)
                .then(b.last_played.cmp(&a.last_played))
                .then(a.song_id.cmp(&b.song_id))
        });
        stats
    }
}

/// Recomputes `song_stats` of an artist from its whole history as of `as_of` (now when
/// `None`). `ArtistStats::refresh` runs it before `artist_stats`, whose `most_played_song` is
/// read from `song_stats`. Answers how many songs have statistics.
pub async fn refresh_song_stats(
    conn: &mut AsyncPgConnection,
    artist: ArtistId,
    as_of: Option<DateTime<Utc>>,
) -> QueryResult<usize> {
    let history = History::load(conn, artist, None, as_of).await?;
    let stats = history.song_statistics();
    diesel::delete(song_stats::table.filter(song_stats::artist_id.eq(artist)))
        .execute(conn)
        .await?;
    for chunk in stats.chunks(2_000) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|s| {
                (
                    song_stats::song_id.eq(s.song_id),
                    song_stats::artist_id.eq(artist),
                    song_stats::times_played.eq(s.times_played),
                    song_stats::play_rate.eq(s.play_rate),
                    song_stats::first_played.eq(s.first_played),
                    song_stats::last_played.eq(s.last_played),
                    song_stats::shows_since_played.eq(s.shows_since_played),
                    song_stats::opener_rate.eq(s.opener_rate),
                    song_stats::closer_rate.eq(s.closer_rate),
                    song_stats::encore_rate.eq(s.encore_rate),
                    song_stats::average_position.eq(s.average_position),
                )
            })
            .collect();
        diesel::insert_into(song_stats::table)
            .values(rows)
            .execute(conn)
            .await?;
    }
    Ok(stats.len())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, d).unwrap()
    }

    #[test]
    fn statistics_and_average_setlist_by_hand() {
        let [a, b, c, d] = [1u128, 2, 3, 4].map(|n| SongId(uuid::Uuid::from_u128(n)));
        // Newest first: day 3 played A B D(encore); day 2 A C; day 1 B A C(encore).
        let history = History {
            shows: vec![
                PastShow {
                    date: day(3),
                    songs: vec![(a, false), (b, false), (d, true)],
                },
                PastShow {
                    date: day(2),
                    songs: vec![(a, false), (c, false)],
                },
                PastShow {
                    date: day(1),
                    songs: vec![(b, false), (a, false), (c, true)],
                },
            ],
        };
        let stats = history.song_statistics();
        let of = |s: SongId| stats.iter().find(|x| x.song_id == s).unwrap().clone();
        let sa = of(a);
        assert_eq!(sa.times_played, 3);
        assert_eq!((sa.first_played, sa.last_played), (day(1), day(3)));
        assert_eq!(sa.shows_since_played, 0);
        // Opened day 3 and day 2, second on day 1.
        assert!((sa.opener_rate - 2.0 / 3.0).abs() < 1e-9);
        assert!((sa.average_position - 4.0 / 3.0).abs() < 1e-9);
        let sc = of(c);
        assert_eq!((sc.times_played, sc.shows_since_played), (2, 1));
        assert!((sc.closer_rate - 1.0).abs() < 1e-9);
        assert!((sc.encore_rate - 0.5).abs() < 1e-9);
        assert_eq!(stats[0].song_id, a);
        // Rarity: n = 3; A played 3 times: 1 + log2(5/4); D once: 1 + log2(5/2).
        let rarity = history.rarity();
        assert!((rarity.weight(a) - (1.0 + (5.0f64 / 4.0).log2())).abs() < 1e-9);
        assert!((rarity.weight(d) - (1.0 + (5.0f64 / 2.0).log2())).abs() < 1e-9);
        // Median length of (3, 2, 3) is 3: A (3 plays), B and C (2 each; B's average relative
        // position (0.5 + 0) / 2 = 0.25 beats C's (1 + 1) / 2 = 1), in order of average
        // relative position: A (0 + 0 + 0.5) / 3, B 0.25, C 1. C's encore rate is one of two:
        // not more than half, so no encore.
        let bot = history.average_setlist();
        let ids: Vec<SongId> = bot.iter().map(|p| p.song_id).collect();
        assert_eq!(ids, [a, b, c]);
        assert!(bot.iter().all(|p| !p.encore));
        assert!(History::default().average_setlist().is_empty());
    }
}

/// A song's statistics as stored, with its title.
#[derive(Debug, Clone, PartialEq, serde::Serialize, Queryable, Selectable)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = song_stats, check_for_backend(diesel::pg::Pg))]
pub struct SongStatsRow {
    pub song_id: SongId,
    #[diesel(select_expression = crate::schema::songs::title)]
    pub title: String,
    pub times_played: i32,
    /// Share of the artist's shows with a setlist that played it.
    pub play_rate: f64,
    pub first_played: NaiveDate,
    pub last_played: NaiveDate,
    /// The artist's shows since it was last played (0: played at the latest).
    pub shows_since_played: i32,
    pub opener_rate: f64,
    pub closer_rate: f64,
    pub encore_rate: f64,
    /// 1-based, among the performed songs.
    pub average_position: f64,
}

impl SongStatsRow {
    /// An artist's songs with statistics, most played first (ties: most recently played, then
    /// song id).
    pub async fn of_artist(
        conn: &mut AsyncPgConnection,
        artist: ArtistId,
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        song_stats::table
            .inner_join(crate::schema::songs::table)
            .filter(song_stats::artist_id.eq(artist))
            .order((
                song_stats::times_played.desc(),
                song_stats::last_played.desc(),
                song_stats::song_id,
            ))
            .limit(limit)
            .select(SongStatsRow::as_select())
            .load(conn)
            .await
    }

    /// One song's statistics; `None` when it was never played (or not refreshed yet).
    pub async fn of_song(conn: &mut AsyncPgConnection, song: SongId) -> QueryResult<Option<Self>> {
        song_stats::table
            .inner_join(crate::schema::songs::table)
            .filter(song_stats::song_id.eq(song))
            .select(SongStatsRow::as_select())
            .first(conn)
            .await
            .optional()
    }
}
