//! Newtype ids, one per table, so a `ShowId` can never be passed where a `SetlistId` is expected.
//! `Default` is the nil UUID, which no row has: a forgotten reference fails its foreign key.

use diesel_derive_newtype::DieselNewType;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(
            DieselNewType, Debug, Default, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash,
            Serialize, Deserialize,
        )]
        #[serde(transparent)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = Uuid))]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new random (v4) id, for rows created in Rust rather than by the column default.
            pub fn new_random() -> Self {
                Self(Uuid::new_v4())
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    )*};
}

ids! {
    /// `users.id`: also the `sub` of the caller's token.
    UserId,
    /// `user_profiles.id`
    UserProfileId,
    /// `artists.id`
    ArtistId,
    /// `artist_stats.id`
    ArtistStatsId,
    /// `venues.id`
    VenueId,
    /// `shows.id`
    ShowId,
    /// `show_artists.id`
    ShowArtistId,
    /// `songs.id`
    SongId,
    /// `setlists.id`
    SetlistId,
    /// `setlist_songs.id`
    SetlistSongId,
    /// `votes.id`
    VoteId,
    /// `song_aliases.id`
    SongAliasId,
}
