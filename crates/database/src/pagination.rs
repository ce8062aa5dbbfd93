//! Keyset pagination: lists are ordered by a key plus the row id, and a page's cursor names the
//! last row it showed, so the next page starts strictly after it (no OFFSET: constant cost per
//! page, and rows added meanwhile never shift or repeat entries).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use diesel::QueryResult;
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Most rows a list returns at once.
pub const MAX_LIMIT: i64 = 100;
/// Rows a list returns when the caller does not say.
pub const DEFAULT_LIMIT: i64 = 20;

/// Longest cursor accepted (the ones issued are far shorter).
pub const MAX_CURSOR_CHARS: usize = 512;

/// Clamps a requested page size to 1..=MAX_LIMIT.
pub fn clamp_limit(limit: Option<i64>) -> i64 {
    limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
}

/// A query with its row limit written into the SQL (`LIMIT 20`), not bound as a parameter.
///
/// With `LIMIT $n`, PostgreSQL's generic plan for a prepared statement has to assume a tenth of
/// the rows are wanted, so for an ordered index scan it costs far more than the plan for any real
/// limit, and PostgreSQL keeps planning every execution afresh (0.3-0.7 ms for the trending list,
/// more than running it). A literal limit gives one cached plan per distinct limit; limits are
/// clamped to 1..=[`MAX_LIMIT`], so there are at most a hundred.
#[derive(Debug, Clone, Copy)]
pub struct LiteralLimit<Q> {
    query: Q,
    limit: i64,
}

/// `.literal_limit(n)` on any query, in place of diesel's bound `.limit(n)`.
pub trait LiteralLimitDsl: Sized {
    fn literal_limit(self, limit: i64) -> LiteralLimit<Self> {
        LiteralLimit { query: self, limit }
    }
}

impl<Q: Query> LiteralLimitDsl for Q {}

impl<Q: Query> Query for LiteralLimit<Q> {
    type SqlType = Q::SqlType;
}

impl<Q> QueryId for LiteralLimit<Q> {
    type QueryId = ();
    // Statements differ by their limit, so they are cached by their SQL text.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for LiteralLimit<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.query.walk_ast(out.reborrow())?;
        out.push_sql(" LIMIT ");
        out.push_sql(&self.limit.to_string());
        Ok(())
    }
}

/// The position after which a page starts: the sort key of the last row shown, and its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    #[serde(rename = "k")]
    pub key: String,
    pub id: Uuid,
}

/// A cursor string that is not one this service issued.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid cursor")]
pub struct InvalidCursor;

impl Cursor {
    pub fn new(key: impl Into<String>, id: Uuid) -> Self {
        Self {
            key: key.into(),
            id,
        }
    }

    /// The opaque form handed to clients.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    pub fn decode(raw: &str) -> Result<Self, InvalidCursor> {
        if raw.len() > MAX_CURSOR_CHARS {
            return Err(InvalidCursor);
        }
        let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| InvalidCursor)?;
        serde_json::from_slice(&bytes).map_err(|_| InvalidCursor)
    }

    /// The key as an instant, for lists ordered by time.
    pub fn instant(&self) -> Result<chrono::DateTime<chrono::Utc>, InvalidCursor> {
        chrono::DateTime::parse_from_rfc3339(&self.key)
            .map(|t| t.to_utc())
            .map_err(|_| InvalidCursor)
    }
}

/// One page of a list, with the cursor of the next page when there is one.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows: the extra row only tells that more follow.
    pub fn from_rows(mut rows: Vec<T>, limit: i64, cursor_of: impl Fn(&T) -> Cursor) -> Self {
        let limit = usize::try_from(limit).unwrap_or(0);
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next_cursor = if more {
            rows.last().map(|last| cursor_of(last).encode())
        } else {
            None
        };
        Self {
            items: rows,
            next_cursor,
        }
    }
}

/// How a route names an entity that has a slug: by id or by slug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    Id(Uuid),
    Slug(String),
}

impl Key {
    /// A UUID is an id; anything else is a slug (slugs are never UUID-shaped).
    pub fn parse(raw: &str) -> Self {
        match Uuid::parse_str(raw) {
            Ok(id) => Key::Id(id),
            Err(_) => Key::Slug(raw.to_owned()),
        }
    }

    pub fn id(&self) -> Option<Uuid> {
        match self {
            Key::Id(id) => Some(*id),
            Key::Slug(_) => None,
        }
    }

    pub fn slug(&self) -> Option<&str> {
        match self {
            Key::Id(_) => None,
            Key::Slug(slug) => Some(slug),
        }
    }
}
