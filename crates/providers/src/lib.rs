#![doc = include_str!("../README.md")]

pub mod config;
pub mod de;
pub mod error;
pub mod redact;
pub mod setlistfm;
pub mod spotify;
pub mod ticketmaster;
mod transport;

pub use config::{HttpSettings, SetlistFmConfig, SpotifyConfig, TicketmasterConfig};
pub use error::{ErrorKind, ProviderError, Result};
pub use setlistfm::SetlistFm;
pub use spotify::Spotify;
pub use ticketmaster::Ticketmaster;
pub use transport::MAX_RETRY_AFTER;

/// The three data sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Provider {
    SetlistFm,
    Ticketmaster,
    Spotify,
}

impl std::fmt::Display for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::SetlistFm => "setlist.fm",
            Self::Ticketmaster => "Ticketmaster",
            Self::Spotify => "Spotify",
        })
    }
}

/// The clients configured in the environment; a provider without its key is `None` (and a
/// warning says so), so a process without, say, Spotify credentials still runs the rest.
#[derive(Debug, Default)]
pub struct Providers {
    pub setlistfm: Option<SetlistFm>,
    pub ticketmaster: Option<Ticketmaster>,
    pub spotify: Option<Spotify>,
}

impl Providers {
    /// Reads every provider's settings from the environment. Fails only when an HTTP client
    /// cannot be built at all; missing keys disable their provider.
    pub fn from_env() -> Result<Self> {
        Ok(Self {
            setlistfm: SetlistFm::from_env()?,
            ticketmaster: Ticketmaster::from_env()?,
            spotify: Spotify::from_env()?,
        })
    }
}
