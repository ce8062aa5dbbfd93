//! One module per table family: the row struct, its insert (`New*`) and update (`*Update`)
//! structs, and its queries, side by side. Loaders named after the design card's "Schema Relations"
//! (`Show::setlists`, `Setlist::songs`, ...) sit on the row types.

mod artist;
mod score;
mod setlist;
mod show;
mod song;
mod user;
mod venue;
mod vote;

pub use artist::{
    Artist, ArtistStats, ArtistSummary, ArtistUpdate, ArtistWithStats, NewArtist, NewArtistStats,
    SpotifyEnrichment,
};
pub use score::{
    BoardRow, NewPredictionScore, PredictionRecord, PredictionScore, Scope, ScoredAgainst,
    ShowBoardKey, Standing, StandingKey,
};
pub use setlist::{
    ActualSetlistSource, ImportedSetlist, NewSetlist, NewSetlistSong, PlayedEntry, Setlist,
    SetlistEntry, SetlistOrder, SetlistSong, SetlistSongUpdate, SetlistUpdate, SetlistWithSongs,
};
pub use show::{
    LineupSlot, NearbyOrder, NearbyShow, NearbyShows, NewShow, NewShowArtist, SetlistCandidate,
    SetlistPlace, Show, ShowArtist, ShowCard, ShowDetails, ShowTimeline, ShowUpdate, ShowsOf,
    StatusChanges, TicketmasterShow, TrendingChanges,
};
pub use song::{NewSong, NewSongAlias, ResolvedTitle, Song, SongAlias, SongUpdate, SpotifyTrack};
pub use user::{AccountExport, NewUser, NewUserProfile, PublicFan, User, UserProfile, UserUpdate};
pub use venue::{
    NearbyVenue, NewVenue, SetlistfmVenue, TicketmasterVenue, Venue, VenueSummary, VenueUpdate,
};
pub use vote::{Vote, VoteCounts};
