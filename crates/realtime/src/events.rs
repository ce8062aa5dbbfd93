//! What subscribers receive: the state of a show or a song, and the events that change it.
//!
//! Every event carries full current state (counts with their version, a whole setlist), never a
//! delta, so a missed event is healed by the next one. Each event is also rendered once as a
//! server-sent event frame ([`Update::sse`]) and that frame is shared by every subscriber.

use std::fmt;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use theset_database::enums::{SetlistType, ShowStatus};
use theset_database::ids::{SetlistId, SetlistSongId, ShowId, SongId, UserId};
pub use theset_database::live::SongVotes;

/// The id of an update within one stream. `Last-Event-ID` carries it, as
/// `<epoch>-<seq>-<horizon>-<at>-<structure>`:
/// - the listener generation (`epoch`, random per process and reconnection) and a sequence number
///   that grows across all streams of the process: the process that issued it replays exactly
///   from its history;
/// - what any process can resume from: the vote log `horizon` (every vote of a transaction
///   before it is in what the stream has sent), when the id was issued (`at`, Unix milliseconds,
///   for the retention) and a hash of the stream's state without its counts (`structure`: a
///   resume elsewhere replays votes only when the structure is unchanged, else resyncs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EventId {
    pub(crate) epoch: u32,
    pub(crate) seq: u64,
    pub(crate) horizon: i64,
    pub(crate) at: u64,
    pub(crate) structure: u64,
}

impl EventId {
    /// The listener generation (random per process and per reconnection).
    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    /// Grows with every update of the process.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// The vote log horizon: votes of transactions before it are in the stream so far.
    pub fn horizon(&self) -> i64 {
        self.horizon
    }

    /// When the id was issued, in Unix milliseconds.
    pub fn at(&self) -> u64 {
        self.at
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:08x}-{}-{}-{}-{:x}",
            self.epoch, self.seq, self.horizon, self.at, self.structure
        )
    }
}

impl std::str::FromStr for EventId {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.trim().split('-');
        let mut next = || parts.next().filter(|p| !p.is_empty()).ok_or(());
        let epoch = next()?;
        if epoch.len() != 8 {
            return Err(());
        }
        let id = Self {
            epoch: u32::from_str_radix(epoch, 16).map_err(|_| ())?,
            seq: next()?.parse().map_err(|_| ())?,
            horizon: next()?.parse().map_err(|_| ())?,
            at: next()?.parse().map_err(|_| ())?,
            structure: u64::from_str_radix(next()?, 16).map_err(|_| ())?,
        };
        if parts.next().is_some() {
            return Err(());
        }
        Ok(id)
    }
}

/// Milliseconds since the Unix epoch, now.
pub(crate) fn unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// A hash that is the same in every process (FNV-1a, 64 bits), for [`EventId`]'s structure.
pub(crate) fn stable_hash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl ShowState {
    /// A hash of everything but the counts: equal in two processes holding the same structure.
    pub(crate) fn structure(&self) -> u64 {
        let mut bare = self.clone();
        for song in bare.setlists.iter_mut().flat_map(|l| l.songs.iter_mut()) {
            song.upvotes = 0;
            song.downvotes = 0;
            song.net_votes = 0;
            song.version = 0;
        }
        stable_hash(&serde_json::to_vec(&bare).unwrap_or_default())
    }
}

/// A show as its realtime stream describes it: the header, every setlist with its songs (fans'
/// own predictions are not streamed), and the score summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShowState {
    pub show: ShowHeader,
    pub setlists: Vec<SetlistState>,
    pub scores: ScoreSummary,
}

/// A show's prediction scores at a glance (`realtime_score_summary`): what the snapshot, and the
/// `played` and `scored` events, carry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScoreSummary {
    /// Scored against a final actual setlist (imported, or locked by a moderator); false while
    /// the show is recorded live (provisional scores) or not scored at all.
    pub is_final: bool,
    /// When the show was last scored; `None`: never.
    pub scored_at: Option<DateTime<Utc>>,
    /// How many fans' predictions were scored.
    pub fans: i64,
    /// The bot's score (the artist's average setlist), when scored.
    pub bot: Option<f64>,
    /// The crowd setlist's score, when scored.
    pub crowd: Option<f64>,
    /// The top 10 fans: score, then rarity points (higher first), then the earlier prediction,
    /// then the user id.
    pub leaders: Vec<Leader>,
}

/// A fan on a show's leaderboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Leader {
    pub user_id: UserId,
    /// `None` for a fan without a public profile.
    pub display_name: Option<String>,
    pub score: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShowHeader {
    pub id: ShowId,
    pub slug: String,
    pub name: String,
    pub status: ShowStatus,
    /// Voting closes at this instant.
    pub starts_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetlistState {
    pub id: SetlistId,
    #[serde(rename = "type")]
    pub type_: SetlistType,
    pub name: String,
    pub order_index: i32,
    pub is_locked: bool,
    /// In position order.
    pub songs: Vec<SongEntry>,
}

/// A song at a position of a setlist, with its counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SongEntry {
    /// The setlist song's id (what votes name).
    pub id: SetlistSongId,
    /// The catalog song.
    pub song_id: SongId,
    pub title: String,
    pub position: i32,
    /// 0 in the main set; 1, 2, ... the encore it belongs to.
    pub encore: i32,
    /// Played from tape (an intro, an outro): never counted by scoring.
    pub is_tape: bool,
    pub notes: Option<String>,
    pub is_played: Option<bool>,
    pub play_time: Option<DateTime<Utc>>,
    pub upvotes: i32,
    pub downvotes: i32,
    pub net_votes: i32,
    /// `setlist_songs.vote_version`: only grows; the higher of two states is the newer.
    pub version: i64,
}

impl SongEntry {
    pub(crate) fn votes(&self, setlist_id: SetlistId, show_id: ShowId) -> SongVotes {
        SongVotes {
            setlist_song_id: self.id,
            setlist_id,
            show_id,
            upvotes: self.upvotes,
            downvotes: self.downvotes,
            net_votes: self.net_votes,
            version: self.version,
        }
    }

    /// Everything but the counts.
    fn same_placement(&self, other: &Self) -> bool {
        (
            self.id,
            self.song_id,
            &self.title,
            self.position,
            (self.encore, self.is_tape),
            &self.notes,
            self.is_played,
            self.play_time,
        ) == (
            other.id,
            other.song_id,
            &other.title,
            other.position,
            (other.encore, other.is_tape),
            &other.notes,
            other.is_played,
            other.play_time,
        )
    }

    fn played(&self) -> PlayedEntry {
        PlayedEntry {
            id: self.id,
            song_id: self.song_id,
            title: self.title.clone(),
            position: self.position,
            encore: self.encore,
            is_tape: self.is_tape,
        }
    }
}

/// Why a stream sends the whole state again instead of the events in between.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ResyncReason {
    /// The subscriber read too slowly and its buffer overflowed.
    Lagged,
    /// The listener's database connection was lost and has been re-established: changes in
    /// between are in this state, not in events.
    Reconnected,
    /// The `Last-Event-ID` asked for is no longer held (too old, or from another process).
    Expired,
}

/// What changed in a setlist, besides its full new state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetlistChanges {
    /// The setlist is new.
    pub created: bool,
    /// Setlist songs added.
    pub added: Vec<SetlistSongId>,
    /// Setlist songs removed.
    pub removed: Vec<SetlistSongId>,
    /// Songs that stayed changed their order (closing the gap of a removal is not a reorder).
    pub reordered: bool,
    /// Songs marked played or unplayed, or whose play time changed.
    pub played: Vec<SetlistSongId>,
    /// Songs whose notes changed.
    pub noted: Vec<SetlistSongId>,
    /// Songs moved into or out of an encore, or marked tape or not.
    #[serde(default)]
    pub marked: Vec<SetlistSongId>,
    /// The new lock state, when it changed.
    pub locked: Option<bool>,
    /// Name, type or order among the show's setlists changed.
    pub renamed: bool,
}

impl SetlistChanges {
    /// The changes from `old` (absent: a new setlist) to `new`; `None` when only counts changed.
    pub(crate) fn between(old: Option<&SetlistState>, new: &SetlistState) -> Option<Self> {
        let Some(old) = old else {
            return Some(Self {
                created: true,
                added: new.songs.iter().map(|s| s.id).collect(),
                ..Self::default()
            });
        };
        let mut changes = Self {
            locked: (old.is_locked != new.is_locked).then_some(new.is_locked),
            renamed: (&old.name, old.type_, old.order_index)
                != (&new.name, new.type_, new.order_index),
            ..Self::default()
        };
        fn find(songs: &[SongEntry], id: SetlistSongId) -> Option<&SongEntry> {
            songs.iter().find(|s| s.id == id)
        }
        for song in &new.songs {
            match find(&old.songs, song.id) {
                None => changes.added.push(song.id),
                Some(before) => {
                    if (before.is_played, before.play_time) != (song.is_played, song.play_time) {
                        changes.played.push(song.id);
                    }
                    if before.notes != song.notes {
                        changes.noted.push(song.id);
                    }
                    if (before.encore, before.is_tape) != (song.encore, song.is_tape) {
                        changes.marked.push(song.id);
                    }
                }
            }
        }
        changes.removed = old
            .songs
            .iter()
            .filter(|s| find(&new.songs, s.id).is_none())
            .map(|s| s.id)
            .collect();
        let kept = |from: &[SongEntry], other: &[SongEntry]| -> Vec<SetlistSongId> {
            from.iter()
                .filter(|s| find(other, s.id).is_some())
                .map(|s| s.id)
                .collect()
        };
        changes.reordered = kept(&old.songs, &new.songs) != kept(&new.songs, &old.songs);
        let placement_changed = old.songs.len() != new.songs.len()
            || old
                .songs
                .iter()
                .zip(&new.songs)
                .any(|(a, b)| !a.same_placement(b));
        (changes != Self::default() || placement_changed).then_some(changes)
    }
}

/// A setlist's new state and what changed in it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetlistUpdate {
    pub show_id: ShowId,
    pub setlist: SetlistState,
    pub changes: SetlistChanges,
}

/// Songs just played: entries appended to an actual setlist (a moderator recording the show
/// live, or an import), with the show's score summary as it stands (provisional scores follow
/// in a `scored` event once the worker has scored the show).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Played {
    pub show_id: ShowId,
    pub setlist_id: SetlistId,
    /// The new entries, in position order.
    pub songs: Vec<PlayedEntry>,
    pub scores: ScoreSummary,
}

/// One entry of a `played` event.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlayedEntry {
    /// The setlist song's id (as in the snapshot's song entries).
    pub id: SetlistSongId,
    pub song_id: SongId,
    pub title: String,
    pub position: i32,
    pub encore: i32,
    pub is_tape: bool,
}

/// A show's scores changed: its new summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Scored {
    pub show_id: ShowId,
    pub scores: ScoreSummary,
}

impl ShowState {
    /// The events that take a subscriber holding `old` to `self`, in order: the header, each
    /// changed setlist (followed by `played` when songs were appended to an actual setlist),
    /// removed setlists, counts newer than those held when nothing else moved, and `scored`
    /// when the score summary changed.
    pub(crate) fn events_since(&self, old: &ShowState) -> Vec<ShowEvent> {
        let show_id = self.show.id;
        let mut events = Vec::new();
        if old.show != self.show {
            events.push(ShowEvent::Show(Arc::new(self.show.clone())));
        }
        let mut votes = Vec::new();
        for setlist in &self.setlists {
            let before = old.setlists.iter().find(|l| l.id == setlist.id);
            match SetlistChanges::between(before, setlist) {
                Some(changes) => {
                    let played: Vec<PlayedEntry> = if setlist.type_ == SetlistType::Actual {
                        (setlist.songs.iter())
                            .filter(|s| changes.added.contains(&s.id))
                            .map(SongEntry::played)
                            .collect()
                    } else {
                        Vec::new()
                    };
                    events.push(ShowEvent::Setlist(Arc::new(SetlistUpdate {
                        show_id,
                        setlist: setlist.clone(),
                        changes,
                    })));
                    if !played.is_empty() {
                        events.push(ShowEvent::Played(Arc::new(Played {
                            show_id,
                            setlist_id: setlist.id,
                            songs: played,
                            scores: self.scores.clone(),
                        })));
                    }
                }
                None => {
                    // Same songs in the same places: only counts may be newer.
                    for song in &setlist.songs {
                        let held = before
                            .and_then(|b| b.songs.iter().find(|s| s.id == song.id))
                            .map_or(-1, |s| s.version);
                        if song.version > held {
                            votes.push(song.votes(setlist.id, show_id));
                        }
                    }
                }
            }
        }
        for setlist in &old.setlists {
            if !self.setlists.iter().any(|l| l.id == setlist.id) {
                events.push(ShowEvent::SetlistRemoved {
                    show_id,
                    setlist_id: setlist.id,
                });
            }
        }
        if !votes.is_empty() {
            events.push(ShowEvent::Votes(votes.into()));
        }
        if old.scores != self.scores {
            events.push(ShowEvent::Scored(Arc::new(Scored {
                show_id,
                scores: self.scores.clone(),
            })));
        }
        events
    }
}

/// Events of a show's stream ([`crate::realtime::Realtime::subscribe_to_setlist_updates`]).
#[derive(Debug, Clone, PartialEq)]
pub enum ShowEvent {
    /// The current state; the first event of every stream not resumed from a `Last-Event-ID`.
    Snapshot(Arc<ShowState>),
    /// The current state again, replacing whatever the subscriber held.
    Resync {
        reason: ResyncReason,
        state: Arc<ShowState>,
    },
    /// New counts of songs of the show, coalesced over a short window: each song at most once,
    /// at the newest version read. (As SSE data each song is `{id, upvotes, downvotes,
    /// net_votes, version}`, like the snapshot's song entries.)
    Votes(Arc<[SongVotes]>),
    /// A setlist was created or changed (songs added, removed, reordered, played, noted; locked or
    /// unlocked; renamed): its full new state.
    Setlist(Arc<SetlistUpdate>),
    /// A setlist was deleted.
    SetlistRemoved {
        show_id: ShowId,
        setlist_id: SetlistId,
    },
    /// The show's header changed (status, start, name).
    Show(Arc<ShowHeader>),
    /// Songs were appended to an actual setlist (after the `setlist` event with its new state).
    Played(Arc<Played>),
    /// The show's prediction scores changed: the new summary.
    Scored(Arc<Scored>),
    /// The show was deleted; the stream ends after this event.
    Removed { show_id: ShowId },
}

/// Events of a setlist song's stream ([`crate::realtime::Realtime::subscribe_to_vote_updates`]).
#[derive(Debug, Clone, PartialEq)]
pub enum SongEvent {
    /// The current counts; the first event of every stream not resumed from a `Last-Event-ID`.
    Snapshot(SongVotes),
    /// The current counts again, replacing whatever the subscriber held.
    Resync {
        reason: ResyncReason,
        votes: SongVotes,
    },
    /// New counts (coalesced over a short window).
    Votes(SongVotes),
    /// The song was removed from its setlist; the stream ends after this event.
    Removed { setlist_song_id: SetlistSongId },
}

/// An event as a server-sent event: its name and its JSON data.
pub trait Event: Clone + Send + Sync + fmt::Debug + 'static {
    /// The SSE `event:` field.
    fn name(&self) -> &'static str;
    /// The SSE `data:` field: JSON.
    fn data(&self) -> serde_json::Result<Vec<u8>>;
    /// The last event of a stream.
    fn is_final(&self) -> bool;
}

#[derive(Serialize)]
struct Resync<'a, T> {
    reason: ResyncReason,
    #[serde(flatten)]
    state: &'a T,
}

/// The data of a show stream's `resync`: the state, and why it is sent again.
#[cfg(feature = "openapi")]
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[allow(dead_code)] // a schema only: `Resync` serialises it
pub struct ShowResync {
    reason: ResyncReason,
    #[serde(flatten)]
    state: ShowState,
}

/// The data of a song stream's `resync`: the counts, and why they are sent again.
#[cfg(feature = "openapi")]
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[allow(dead_code)] // a schema only: `Resync` serialises it
pub struct SongResync {
    reason: ResyncReason,
    #[serde(flatten)]
    votes: SongVotes,
}

/// The data of a show stream's `setlist_removed`.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetlistRemoved {
    pub show_id: ShowId,
    pub setlist_id: SetlistId,
}

/// The data of a show stream's `removed` (the stream ends).
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShowRemoved {
    pub show_id: ShowId,
}

/// The data of a song stream's `removed` (the stream ends).
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SongRemoved {
    pub setlist_song_id: SetlistSongId,
}

/// A song's counts in a show's `votes` event: the show and setlist are known from the snapshot,
/// and leaving them out makes the frames every subscriber receives 40 % smaller.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SongCounts {
    /// The setlist song.
    pub id: SetlistSongId,
    pub upvotes: i32,
    pub downvotes: i32,
    pub net_votes: i32,
    pub version: i64,
}

/// The data of a show stream's `votes`.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShowVotes {
    pub songs: Vec<SongCounts>,
}

impl Event for ShowEvent {
    fn name(&self) -> &'static str {
        match self {
            Self::Snapshot(_) => "snapshot",
            Self::Resync { .. } => "resync",
            Self::Votes(_) => "votes",
            Self::Setlist(_) => "setlist",
            Self::SetlistRemoved { .. } => "setlist_removed",
            Self::Show(_) => "show",
            Self::Played(_) => "played",
            Self::Scored(_) => "scored",
            Self::Removed { .. } => "removed",
        }
    }

    fn data(&self) -> serde_json::Result<Vec<u8>> {
        match self {
            Self::Snapshot(state) => serde_json::to_vec(&**state),
            Self::Resync { reason, state } => serde_json::to_vec(&Resync {
                reason: *reason,
                state: &**state,
            }),
            Self::Votes(songs) => serde_json::to_vec(&ShowVotes {
                songs: songs
                    .iter()
                    .map(|v| SongCounts {
                        id: v.setlist_song_id,
                        upvotes: v.upvotes,
                        downvotes: v.downvotes,
                        net_votes: v.net_votes,
                        version: v.version,
                    })
                    .collect(),
            }),
            Self::Setlist(update) => serde_json::to_vec(&**update),
            Self::SetlistRemoved {
                show_id,
                setlist_id,
            } => serde_json::to_vec(&SetlistRemoved {
                show_id: *show_id,
                setlist_id: *setlist_id,
            }),
            Self::Show(header) => serde_json::to_vec(&**header),
            Self::Played(played) => serde_json::to_vec(&**played),
            Self::Scored(scored) => serde_json::to_vec(&**scored),
            Self::Removed { show_id } => serde_json::to_vec(&ShowRemoved { show_id: *show_id }),
        }
    }

    fn is_final(&self) -> bool {
        matches!(self, Self::Removed { .. })
    }
}

impl Event for SongEvent {
    fn name(&self) -> &'static str {
        match self {
            Self::Snapshot(_) => "snapshot",
            Self::Resync { .. } => "resync",
            Self::Votes(_) => "votes",
            Self::Removed { .. } => "removed",
        }
    }

    fn data(&self) -> serde_json::Result<Vec<u8>> {
        match self {
            Self::Snapshot(votes) | Self::Votes(votes) => serde_json::to_vec(votes),
            Self::Resync { reason, votes } => serde_json::to_vec(&Resync {
                reason: *reason,
                state: votes,
            }),
            Self::Removed { setlist_song_id } => serde_json::to_vec(&SongRemoved {
                setlist_song_id: *setlist_song_id,
            }),
        }
    }

    fn is_final(&self) -> bool {
        matches!(self, Self::Removed { .. })
    }
}

/// One event of a stream with its id. Shared (`Arc`) by every subscriber of the stream, and so is
/// its SSE frame, rendered on first use.
#[derive(Debug)]
pub struct Update<E> {
    pub id: EventId,
    pub event: E,
    frame: OnceLock<Bytes>,
}

impl<E: Event> Update<E> {
    pub(crate) fn new(id: EventId, event: E) -> Self {
        Self {
            id,
            event,
            frame: OnceLock::new(),
        }
    }

    /// The update as a `text/event-stream` frame (`id:`, `event:`, `data:`, blank line).
    pub fn sse(&self) -> Bytes {
        self.frame
            .get_or_init(|| {
                let data = self.event.data().unwrap_or_else(|_| b"{}".to_vec());
                let mut frame = Vec::with_capacity(data.len() + 48);
                frame.extend_from_slice(
                    format!("id: {}\nevent: {}\ndata: ", self.id, self.event.name()).as_bytes(),
                );
                // serde_json escapes control characters, so the JSON is one line.
                frame.extend_from_slice(&data);
                frame.extend_from_slice(b"\n\n");
                Bytes::from(frame)
            })
            .clone()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use uuid::Uuid;

    fn entry(n: u128, position: i32) -> SongEntry {
        SongEntry {
            id: SetlistSongId(Uuid::from_u128(n)),
            song_id: SongId(Uuid::from_u128(100 + n)),
            title: format!("Song {n}"),
            position,
            encore: 0,
            is_tape: false,
            notes: None,
            is_played: None,
            play_time: None,
            upvotes: 0,
            downvotes: 0,
            net_votes: 0,
            version: 0,
        }
    }

    fn setlist(songs: Vec<SongEntry>) -> SetlistState {
        SetlistState {
            id: SetlistId(Uuid::from_u128(9)),
            type_: SetlistType::Predicted,
            name: "Main Set".into(),
            order_index: 0,
            is_locked: false,
            songs,
        }
    }

    #[test]
    fn event_ids_round_trip_and_reject_garbage() {
        let id = EventId {
            epoch: 0xdead_beef,
            seq: 42,
            horizon: 7_000,
            at: 1_700_000_000_000,
            structure: 0xabc,
        };
        assert_eq!(id.to_string(), "deadbeef-42-7000-1700000000000-abc");
        assert_eq!(
            "deadbeef-42-7000-1700000000000-abc".parse::<EventId>(),
            Ok(id)
        );
        for bad in [
            "",
            "42",
            "xyz-1",
            "deadbeef-",
            "deadbeef--1",
            "1-2",
            "deadbeef-42",
            "deadbeef-42-7000-1700000000000-abc-1",
            "deadbeef-42-x-1-1",
        ] {
            assert!(bad.parse::<EventId>().is_err(), "{bad}");
        }
    }

    #[test]
    fn setlist_changes_name_what_happened() {
        let old = setlist(vec![entry(1, 1), entry(2, 2), entry(3, 3)]);
        // Only counts changed: no setlist event.
        let mut counted = old.clone();
        counted.songs[0].upvotes = 5;
        counted.songs[0].version = 1;
        assert_eq!(SetlistChanges::between(Some(&old), &counted), None);
        // Removing the middle song closes the gap: removed, not reordered.
        let removed = setlist(vec![entry(1, 1), entry(3, 2)]);
        let changes = SetlistChanges::between(Some(&old), &removed).unwrap();
        assert_eq!(changes.removed, [SetlistSongId(Uuid::from_u128(2))]);
        assert!(!changes.reordered);
        // Swapping two songs is a reorder.
        let swapped = setlist(vec![entry(2, 1), entry(1, 2), entry(3, 3)]);
        assert!(
            SetlistChanges::between(Some(&old), &swapped)
                .unwrap()
                .reordered
        );
        // Added, played, locked.
        let mut later = setlist(vec![entry(1, 1), entry(2, 2), entry(3, 3), entry(4, 4)]);
        later.songs[1].is_played = Some(true);
        later.is_locked = true;
        let changes = SetlistChanges::between(Some(&old), &later).unwrap();
        assert_eq!(changes.added, [SetlistSongId(Uuid::from_u128(4))]);
        assert_eq!(changes.played, [SetlistSongId(Uuid::from_u128(2))]);
        assert_eq!(changes.locked, Some(true));
        assert!(SetlistChanges::between(None, &old).unwrap().created);
    }

    #[test]
    fn frames_are_single_line_sse() {
        let mut song = entry(1, 1);
        song.notes = Some("two\nlines".into());
        let state = Arc::new(ShowState {
            show: ShowHeader {
                id: ShowId(Uuid::from_u128(7)),
                slug: "s".into(),
                name: "S".into(),
                status: ShowStatus::Upcoming,
                starts_at: Utc::now(),
            },
            setlists: vec![setlist(vec![song])],
            scores: ScoreSummary::default(),
        });
        let update = Update::new(
            EventId {
                epoch: 1,
                seq: 2,
                horizon: 3,
                at: 4,
                structure: 5,
            },
            ShowEvent::Resync {
                reason: ResyncReason::Lagged,
                state,
            },
        );
        let frame = String::from_utf8(update.sse().to_vec()).unwrap();
        assert!(frame.starts_with("id: 00000001-2-3-4-5\nevent: resync\ndata: {"));
        assert!(frame.ends_with("}\n\n"));
        assert_eq!(frame.matches('\n').count(), 4, "{frame}");
        let data: serde_json::Value = serde_json::from_str(
            frame
                .lines()
                .nth(2)
                .unwrap()
                .strip_prefix("data: ")
                .unwrap(),
        )
        .unwrap();
        assert_eq!(data["reason"], "lagged");
        assert_eq!(data["setlists"][0]["songs"][0]["notes"], "two\nlines");
    }

    fn show(setlists: Vec<SetlistState>, scores: ScoreSummary) -> ShowState {
        ShowState {
            show: ShowHeader {
                id: ShowId(Uuid::from_u128(7)),
                slug: "s".into(),
                name: "S".into(),
                status: ShowStatus::Ongoing,
                starts_at: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
            },
            setlists,
            scores,
        }
    }

    fn actual(songs: Vec<SongEntry>) -> SetlistState {
        SetlistState {
            id: SetlistId(Uuid::from_u128(10)),
            type_: SetlistType::Actual,
            ..setlist(songs)
        }
    }

    fn summary(fans: i64, leader_score: f64) -> ScoreSummary {
        ScoreSummary {
            is_final: false,
            scored_at: DateTime::from_timestamp(1_800_000_100, 0),
            fans,
            bot: Some(40.0),
            crowd: None,
            leaders: vec![Leader {
                user_id: UserId(Uuid::from_u128(50)),
                display_name: None,
                score: leader_score,
            }],
        }
    }

    fn names(events: &[ShowEvent]) -> Vec<&'static str> {
        events.iter().map(Event::name).collect()
    }

    #[test]
    fn songs_appended_to_the_actual_setlist_are_played_with_the_current_scores() {
        let scores = summary(3, 61.5);
        let old = show(
            vec![setlist(vec![entry(1, 1)]), actual(vec![entry(2, 1)])],
            scores.clone(),
        );
        let mut encore = entry(4, 3);
        encore.encore = 1;
        let mut tape = entry(3, 2);
        tape.is_tape = true;
        let new = show(
            vec![
                setlist(vec![entry(1, 1)]),
                actual(vec![entry(2, 1), tape, encore]),
            ],
            scores.clone(),
        );
        let events = new.events_since(&old);
        assert_eq!(names(&events), ["setlist", "played"]);
        let ShowEvent::Played(played) = &events[1] else {
            unreachable!()
        };
        assert_eq!(played.setlist_id, SetlistId(Uuid::from_u128(10)));
        assert_eq!(played.scores, scores, "the summary as it stands");
        let entries: Vec<_> = played
            .songs
            .iter()
            .map(|s| (s.id.0.as_u128(), s.position, s.encore, s.is_tape))
            .collect();
        assert_eq!(entries, [(3, 2, 0, true), (4, 3, 1, false)]);
        let data: serde_json::Value = serde_json::from_slice(&events[1].data().unwrap()).unwrap();
        assert_eq!(data["songs"][1]["title"], "Song 4");
        assert_eq!(
            data["songs"][1]["song_id"],
            Uuid::from_u128(104).to_string()
        );
        assert_eq!(data["scores"]["fans"], 3);
        assert_eq!(data["scores"]["crowd"], serde_json::Value::Null);
        assert_eq!(
            data["scores"]["leaders"][0]["display_name"],
            serde_json::Value::Null
        );

        // Songs added to a predicted setlist are not played.
        let predicted = show(
            vec![
                setlist(vec![entry(1, 1), entry(5, 2)]),
                actual(vec![entry(2, 1)]),
            ],
            scores.clone(),
        );
        assert_eq!(names(&predicted.events_since(&old)), ["setlist"]);
        // A new actual setlist with songs: all of them played.
        let first = show(vec![setlist(vec![entry(1, 1)])], scores.clone());
        let events = old.events_since(&first);
        assert_eq!(names(&events), ["setlist", "played"]);
        // Removing a played song (a correction) is a setlist change, nothing played.
        let corrected = show(vec![setlist(vec![entry(1, 1)]), actual(vec![])], scores);
        assert_eq!(names(&corrected.events_since(&old)), ["setlist"]);
    }

    #[test]
    fn a_changed_score_summary_is_scored_and_nothing_else() {
        let old = show(vec![actual(vec![entry(2, 1)])], ScoreSummary::default());
        let scored = show(vec![actual(vec![entry(2, 1)])], summary(1, 20.0));
        let events = scored.events_since(&old);
        assert_eq!(names(&events), ["scored"]);
        let ShowEvent::Scored(update) = &events[0] else {
            unreachable!()
        };
        assert_eq!(update.scores, summary(1, 20.0));
        let data: serde_json::Value = serde_json::from_slice(&events[0].data().unwrap()).unwrap();
        assert_eq!(data["show_id"], Uuid::from_u128(7).to_string());
        assert_eq!(data["scores"]["leaders"][0]["score"], 20.0);
        assert_eq!(data["scores"]["bot"], 40.0);
        // A leader's new score, a newly final show: scored again.
        let rescored = show(vec![actual(vec![entry(2, 1)])], summary(1, 25.0));
        assert_eq!(names(&rescored.events_since(&scored)), ["scored"]);
        let mut finalised = rescored.clone();
        finalised.scores.is_final = true;
        assert_eq!(names(&finalised.events_since(&rescored)), ["scored"]);
        // The same summary: nothing.
        assert!(rescored.events_since(&rescored.clone()).is_empty());
        // A song played and the show scored between two reads: both, played first.
        let both = show(
            vec![actual(vec![entry(2, 1), entry(3, 2)])],
            summary(2, 30.0),
        );
        assert_eq!(
            names(&both.events_since(&rescored)),
            ["setlist", "played", "scored"]
        );
    }

    #[test]
    fn encore_and_tape_marks_are_setlist_changes() {
        let old = setlist(vec![entry(1, 1), entry(2, 2)]);
        let mut marked = old.clone();
        marked.songs[1].encore = 1;
        marked.songs[0].is_tape = true;
        let changes = SetlistChanges::between(Some(&old), &marked).unwrap();
        assert_eq!(
            changes.marked,
            [
                SetlistSongId(Uuid::from_u128(1)),
                SetlistSongId(Uuid::from_u128(2))
            ]
        );
        assert!(changes.added.is_empty() && !changes.reordered);
    }

    #[test]
    fn the_state_sql_shape_decodes() {
        // As realtime_show_states writes it (json_build_object of PostgreSQL's types).
        let state: ShowState = serde_json::from_value(serde_json::json!({
            "show": {"id": Uuid::from_u128(7), "slug": "s", "name": "S", "status": "ongoing",
                     "starts_at": "2026-12-06T20:00:00+00:00"},
            "setlists": [{"id": Uuid::from_u128(10), "type": "actual", "name": "Main Set",
                          "order_index": 0, "is_locked": false, "songs": [
                {"id": Uuid::from_u128(2), "song_id": Uuid::from_u128(102), "title": "Song 2",
                 "position": 1, "encore": 1, "is_tape": false, "notes": null, "is_played": true,
                 "play_time": "2026-12-06T20:03:11.123456+00:00", "upvotes": 0,
                 "downvotes": 0, "net_votes": 0, "version": 0}]}],
            "scores": {"is_final": false, "scored_at": "2026-12-06T20:03:12.5+00:00", "fans": 1,
                       "bot": null, "crowd": 12.5, "leaders": [
                {"user_id": Uuid::from_u128(50), "display_name": "Ada", "score": 80}]}
        }))
        .unwrap();
        assert_eq!(state.setlists[0].songs[0].encore, 1);
        assert_eq!(state.scores.crowd, Some(12.5));
        assert_eq!(state.scores.leaders[0].display_name.as_deref(), Some("Ada"));
        assert_eq!(state.scores.leaders[0].score, 80.0);
    }
}
