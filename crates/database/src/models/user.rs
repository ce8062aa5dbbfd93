//! `users` and `user_profiles`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};

use crate::enums::UserRole;
use crate::ids::{UserId, UserProfileId};
use crate::models::{PredictionScore, Setlist, SetlistWithSongs, Standing, Vote};
use crate::schema::{fan_standings, prediction_scores, setlists, user_profiles, users, votes};
use crate::sql;
use crate::types::TextList;

/// A signed-up fan (or moderator, or admin). `id` is the `sub` of their Supabase token.
#[derive(Clone, PartialEq, Queryable, Selectable, Identifiable, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub display_name: Option<String>,
    pub avatar_url: Option<String>,
    pub spotify_id: Option<String>,
    /// A credential: never serialised, never printed.
    #[serde(skip_serializing)]
    pub spotify_refresh_token: Option<String>,
    pub role: UserRole,
    pub email_verified: Option<DateTime<Utc>>,
    pub last_login_at: Option<DateTime<Utc>>,
    pub preferences: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("role", &self.role)
            .field(
                "spotify_refresh_token",
                &self.spotify_refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .finish_non_exhaustive()
    }
}

/// A new user row: exactly the columns the API role may insert (the role stays the default).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser {
    pub id: UserId,
    pub email: String,
    pub display_name: Option<String>,
    pub avatar_url: Option<String>,
}

/// What a user may change about themselves. `None` leaves a column as it is;
/// `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default, AsChangeset, Deserialize)]
#[diesel(table_name = users)]
pub struct UserUpdate {
    pub display_name: Option<Option<String>>,
    pub avatar_url: Option<Option<String>>,
    pub preferences: Option<serde_json::Value>,
    pub last_login_at: Option<Option<DateTime<Utc>>>,
}

impl User {
    pub async fn create(conn: &mut AsyncPgConnection, new: &NewUser) -> QueryResult<User> {
        diesel::insert_into(users::table)
            .values(new)
            .returning(User::as_returning())
            .get_result(conn)
            .await
    }

    pub async fn find(conn: &mut AsyncPgConnection, id: UserId) -> QueryResult<User> {
        users::table
            .find(id)
            .select(User::as_select())
            .first(conn)
            .await
    }

    pub async fn update(
        conn: &mut AsyncPgConnection,
        id: UserId,
        changes: &UserUpdate,
    ) -> QueryResult<User> {
        diesel::update(users::table.find(id))
            .set(changes)
            .returning(User::as_returning())
            .get_result(conn)
            .await
    }

    /// The user `new.id`, created from `new` when there is none yet (a caller's first request).
    /// Safe when first requests race: the loser finds the winner's row. `None` when the row could
    /// not be created because its email belongs to another account.
    pub async fn ensure(conn: &mut AsyncPgConnection, new: &NewUser) -> QueryResult<Option<User>> {
        if let Some(user) = Self::find(conn, new.id).await.optional()? {
            return Ok(Some(user));
        }
        diesel::insert_into(users::table)
            .values(new)
            .on_conflict_do_nothing()
            .execute(conn)
            .await?;
        Self::find(conn, new.id).await.optional()
    }

    /// Changes a user's role: for the service role (the CLI), never for the API.
    pub async fn set_role(
        conn: &mut AsyncPgConnection,
        id: UserId,
        role: UserRole,
    ) -> QueryResult<User> {
        diesel::update(users::table.find(id))
            .set(users::role.eq(role))
            .returning(User::as_returning())
            .get_result(conn)
            .await
    }

    /// The user's profile, if they made one (design card, "Schema Relations": `profile`).
    pub async fn profile(&self, conn: &mut AsyncPgConnection) -> QueryResult<Option<UserProfile>> {
        UserProfile::belonging_to(self)
            .select(UserProfile::as_select())
            .first(conn)
            .await
            .optional()
    }

    /// The user's votes, newest first (design card, "Schema Relations": `votes`).
    pub async fn votes(&self, conn: &mut AsyncPgConnection) -> QueryResult<Vec<Vote>> {
        Vote::belonging_to(self)
            .select(Vote::as_select())
            .order((votes::created_at.desc(), votes::id))
            .load(conn)
            .await
    }

    /// Setlists this user created, newest first (design card, "Schema Relations": `createdSetlists`).
    pub async fn created_setlists(
        &self,
        conn: &mut AsyncPgConnection,
    ) -> QueryResult<Vec<Setlist>> {
        Setlist::belonging_to(self)
            .select(Setlist::as_select())
            .order((setlists::created_at.desc(), setlists::id))
            .load(conn)
            .await
    }
}

/// A user's public-facing profile (one per user).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, Associations, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[diesel(table_name = user_profiles, belongs_to(User), check_for_backend(diesel::pg::Pg))]
pub struct UserProfile {
    pub id: UserProfileId,
    pub user_id: UserId,
    pub bio: Option<String>,
    pub location: Option<String>,
    pub website: Option<String>,
    pub favorite_genres: TextList,
    pub concert_count: i32,
    pub is_public: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A profile as written by its owner.
#[derive(Debug, Clone, Insertable, Deserialize)]
#[diesel(table_name = user_profiles)]
pub struct NewUserProfile {
    pub user_id: UserId,
    pub bio: Option<String>,
    pub location: Option<String>,
    pub website: Option<String>,
    pub favorite_genres: TextList,
    pub concert_count: i32,
    pub is_public: bool,
}

impl NewUserProfile {
    /// A profile belongs to a user; the rest takes the column defaults' values.
    pub fn new(user: UserId) -> Self {
        NewUserProfile {
            user_id: user,
            bio: None,
            location: None,
            website: None,
            favorite_genres: TextList::default(),
            concert_count: 0,
            is_public: false,
        }
    }
}

impl UserProfile {
    /// Creates or replaces the user's profile (`PUT /v1/me/profile`).
    pub async fn upsert(
        conn: &mut AsyncPgConnection,
        profile: &NewUserProfile,
    ) -> QueryResult<UserProfile> {
        diesel::insert_into(user_profiles::table)
            .values(profile)
            .on_conflict(user_profiles::user_id)
            .do_update()
            .set((
                user_profiles::bio.eq(&profile.bio),
                user_profiles::location.eq(&profile.location),
                user_profiles::website.eq(&profile.website),
                user_profiles::favorite_genres.eq(&profile.favorite_genres),
                user_profiles::concert_count.eq(profile.concert_count),
                user_profiles::is_public.eq(profile.is_public),
            ))
            .returning(UserProfile::as_returning())
            .get_result(conn)
            .await
    }
}

impl User {
    /// Every user (deleted ones too), with `role` only, ordered by email; at most `limit`.
    /// For the service role (the CLI): the API role sees only its caller's row.
    pub async fn list(
        conn: &mut AsyncPgConnection,
        role: Option<UserRole>,
        limit: Option<i64>,
    ) -> QueryResult<Vec<User>> {
        let mut query = users::table
            .select(User::as_select())
            .order((users::email, users::id))
            .into_boxed();
        if let Some(role) = role {
            query = query.filter(users::role.eq(role));
        }
        if let Some(limit) = limit {
            query = query.limit(limit);
        }
        query.load(conn).await
    }

    /// Users whose email equals `email` ignoring case (emails are unique as written, so this
    /// finds what a maintainer may have meant when the exact address matches nobody).
    pub async fn find_by_email_ignoring_case(
        conn: &mut AsyncPgConnection,
        email: &str,
    ) -> QueryResult<Vec<User>> {
        users::table
            .filter(sql::lower(users::email).eq(sql::lower(email)))
            .select(User::as_select())
            .order(users::email)
            .load(conn)
            .await
    }

    pub async fn find_by_email(conn: &mut AsyncPgConnection, email: &str) -> QueryResult<User> {
        users::table
            .filter(users::email.eq(email))
            .select(User::as_select())
            .first(conn)
            .await
    }

    pub async fn find_by_spotify_id(
        conn: &mut AsyncPgConnection,
        spotify_id: &str,
    ) -> QueryResult<User> {
        users::table
            .filter(users::spotify_id.eq(spotify_id))
            .select(User::as_select())
            .first(conn)
            .await
    }
}

/// A fan as anyone may see them: only when their profile is public.
#[derive(Debug, Clone, PartialEq, QueryableByName, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicFan {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub user_id: UserId,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub display_name: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub avatar_url: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub bio: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub location: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub website: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pub concert_count: i32,
}

impl PublicFan {
    /// The fan's public face; `None` when they have no public profile (or no such fan).
    pub async fn find(conn: &mut AsyncPgConnection, user: UserId) -> QueryResult<Option<Self>> {
        // raw SQL: the name and avatar come through fan_identities() (users rows are private).
        diesel::sql_query(
            "SELECT f.user_id, f.display_name, f.avatar_url, p.bio, p.location, p.website,
                    p.concert_count
             FROM fan_identities(ARRAY[$1]::uuid[]) f
             JOIN user_profiles p ON p.user_id = f.user_id
             WHERE f.is_public",
        )
        .bind::<diesel::sql_types::Uuid, _>(user.0)
        .get_result(conn)
        .await
        .optional()
    }
}

/// Everything TheSet holds about a fan, as `GET /v1/me/export` gives it: read as the fan, so RLS
/// shows exactly their own rows. The Spotify refresh token is a credential and stays out (`User`
/// never serialises it); `spotify_connected` says whether one is stored.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountExport {
    pub exported_at: DateTime<Utc>,
    pub account: User,
    pub spotify_connected: bool,
    pub profile: Option<UserProfile>,
    /// Every vote, newest first.
    pub votes: Vec<Vote>,
    /// The fan's own predictions with their songs.
    pub predictions: Vec<SetlistWithSongs>,
    /// Crowd setlists the fan started.
    pub created_setlists: Vec<Setlist>,
    /// The scores of the fan's predictions.
    pub scores: Vec<PredictionScore>,
    /// The fan's leaderboard standings, one per scope.
    pub standings: Vec<Standing>,
}

impl User {
    /// What [`AccountExport`] holds, read in the caller's transaction.
    pub async fn export(self, conn: &mut AsyncPgConnection) -> QueryResult<AccountExport> {
        let profile = self.profile(conn).await?;
        let votes = self.votes(conn).await?;
        let own = setlists::table
            .filter(setlists::owner_id.eq(self.id))
            .select(Setlist::as_select())
            .order((setlists::created_at, setlists::id))
            .load(conn)
            .await?;
        let predictions = Setlist::with_songs(conn, own).await?;
        let created_setlists = self
            .created_setlists(conn)
            .await?
            .into_iter()
            .filter(|s| s.owner_id.is_none())
            .collect();
        let scores = prediction_scores::table
            .filter(prediction_scores::user_id.eq(self.id))
            .select(PredictionScore::as_select())
            .order((prediction_scores::scored_at, prediction_scores::id))
            .load(conn)
            .await?;
        let standings = fan_standings::table
            .filter(fan_standings::user_id.eq(self.id))
            .select(Standing::as_select())
            .order(fan_standings::scope)
            .load(conn)
            .await?;
        Ok(AccountExport {
            exported_at: Utc::now(),
            spotify_connected: self.spotify_refresh_token.is_some(),
            account: self,
            profile,
            votes,
            predictions,
            created_setlists,
            scores,
            standings,
        })
    }

    /// Deletes the caller's account (the transaction's claims name them): everything of theirs
    /// goes by cascade, counters stay exact, and a tombstone keeps their id from coming back
    /// (`replaceable/25_accounts.sql`). False when the account was deleted already.
    pub async fn delete_own_account(conn: &mut AsyncPgConnection) -> QueryResult<bool> {
        diesel::select(sql::delete_my_account())
            .get_result(conn)
            .await
    }
}
