//! Column types with no ready-made Rust mapping.

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::{Array, Nullable, Text};
use serde::{Deserialize, Serialize};

/// A `text[]` list of strings (genres, amenities). PostgreSQL array elements are always nullable
/// in the schema; CHECK constraints keep NULLs out of these columns, so Rust sees plain strings.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, Hash, AsExpression, FromSqlRow, Serialize, Deserialize,
)]
#[diesel(sql_type = Array<Nullable<Text>>)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = Vec<String>))]
pub struct TextList(pub Vec<String>);

impl FromSql<Array<Nullable<Text>>, Pg> for TextList {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        let items: Vec<Option<String>> = FromSql::<Array<Nullable<Text>>, Pg>::from_sql(value)?;
        Ok(Self(items.into_iter().flatten().collect()))
    }
}

impl ToSql<Array<Nullable<Text>>, Pg> for TextList {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        let items: Vec<Option<&str>> = self.0.iter().map(|s| Some(s.as_str())).collect();
        ToSql::<Array<Nullable<Text>>, Pg>::to_sql(&items, &mut out.reborrow())
    }
}

impl<S: Into<String>> FromIterator<S> for TextList {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        Self(iter.into_iter().map(Into::into).collect())
    }
}

impl std::ops::Deref for TextList {
    type Target = [String];
    fn deref(&self) -> &[String] {
        &self.0
    }
}
