#![doc = include_str!("../README.md")]

pub mod error;
pub mod setlistfm;
mod slug;
pub mod spotify;
pub mod ticketmaster;

use std::str::FromStr;

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use theset_database::ids::ArtistId;
use theset_database::models::Artist;
use theset_database::schema::artists;
use theset_database::{AsyncPgConnection, Key};

pub use error::{ImportError, Result};
pub use setlistfm::{
    SetlistImportOptions, SetlistOutcome, SetlistReport, import_artist_setlists, import_setlist,
    poll_setlist_corrections,
};
pub use spotify::{SpotifyReport, enrich_artist, import_catalog};
pub use ticketmaster::{TicketmasterReport, import_attraction};

/// How a command names an artist: our id, our slug, or a MusicBrainz id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArtistKey {
    Id(ArtistId),
    Slug(String),
    Mbid(String),
}

impl FromStr for ArtistKey {
    type Err = std::convert::Infallible;

    /// A UUID-shaped value is a MusicBrainz id (what `--artist <slug|mbid>` means); anything
    /// else is a slug. Slugs can never be UUID-shaped.
    fn from_str(value: &str) -> std::result::Result<Self, Self::Err> {
        let value = value.trim();
        Ok(match uuid::Uuid::parse_str(value) {
            Ok(id) => Self::Mbid(id.hyphenated().to_string()),
            Err(_) => Self::Slug(value.to_lowercase()),
        })
    }
}

impl std::fmt::Display for ArtistKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Id(id) => write!(f, "artist {id}"),
            Self::Slug(slug) => write!(f, "artist {slug:?}"),
            Self::Mbid(mbid) => write!(f, "artist with MusicBrainz id {mbid}"),
        }
    }
}

impl ArtistKey {
    /// The artist, when it is in the database.
    pub async fn find(&self, conn: &mut AsyncPgConnection) -> Result<Option<Artist>> {
        let found = match self {
            Self::Id(id) => Artist::find(conn, *id).await.optional()?,
            Self::Slug(slug) => Artist::find_by_key(conn, &Key::Slug(slug.clone()))
                .await
                .optional()?,
            Self::Mbid(mbid) => artists::table
                .filter(artists::mbid.eq(mbid))
                .select(Artist::as_select())
                .first(conn)
                .await
                .optional()?,
        };
        Ok(found)
    }
}
