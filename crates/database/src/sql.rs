//! SQL functions, declared once. Their bodies live in `crates/database/replaceable/`.

use diesel::define_sql_function;
use diesel::sql_types::*;

use crate::schema::sql_types::VoteType;

define_sql_function! {
    /// `lower(unaccent(value))`, the key the trigram indexes are built on.
    fn search_key(value: Text) -> Text;
}

define_sql_function! {
    /// Whether a slug is allowed (URL-safe words, lower case, not shaped like a UUID).
    fn is_valid_slug(slug: Text) -> Bool;
}

define_sql_function! {
    /// `lower(value)`.
    fn lower(value: Text) -> Text;
}

define_sql_function! {
    /// The caller's user id from the transaction-local `request.jwt.claims`, as Supabase's `auth.uid()`.
    fn current_user_id() -> Nullable<Uuid>;
}

define_sql_function! {
    /// Casts or changes a vote; returns the song's `(upvotes, downvotes, net_votes)` after it.
    fn cast_vote(voter: Uuid, target: Uuid, kind: VoteType) -> Record<(Int4, Int4, Int4)>;
}

define_sql_function! {
    /// Retracts a vote (a no-op when there is none); returns the song's counts after it.
    fn retract_vote(voter: Uuid, target: Uuid) -> Record<(Int4, Int4, Int4)>;
}

define_sql_function! {
    /// `cast_vote` for the caller named by `claims` (set transaction-locally), one statement.
    fn cast_vote_as(claims: Text, target: Uuid, kind: VoteType) -> Record<(Int4, Int4, Int4)>;
}

define_sql_function! {
    /// `retract_vote` for the caller named by `claims` (set transaction-locally), one statement.
    fn retract_vote_as(claims: Text, target: Uuid) -> Record<(Int4, Int4, Int4)>;
}

define_sql_function! {
    /// Folds pending vote totals into `setlists.total_votes` and `shows.vote_count`.
    fn refresh_vote_totals() -> Int4;
}

define_sql_function! {
    /// Recounts each search word's names per kind (`search_words`' counts); returns the words
    /// whose counts changed.
    fn search_words_count() -> Int4;
}

define_sql_function! {
    /// pg_trgm's similarity of two strings, 0 to 1.
    fn similarity(left: Text, right: Text) -> Float4;
}

diesel::infix_operator!(TrgmSimilar, " % ", backend: diesel::pg::Pg);

/// pg_trgm's `left % right`: similar above `pg_trgm.similarity_threshold` (0.3). Served by the
/// GIN trigram indexes when `left` is an indexed expression such as `search_key(name)`.
pub fn trgm_similar<L, R>(left: L, right: R) -> TrgmSimilar<L, R::Expression>
where
    L: diesel::Expression<SqlType = Text>,
    R: diesel::expression::AsExpression<Text>,
{
    TrgmSimilar::new(left, right.as_expression())
}

define_sql_function! {
    /// The whole show page as JSON (see the `show_details` SQL function); NULL when not found.
    fn show_details(show_id: Nullable<Uuid>, show_slug: Nullable<Text>) -> Nullable<Text>;
}

define_sql_function! {
    /// Distance in metres between two geography points.
    #[sql_name = "ST_Distance"]
    fn st_distance(left: postgis_diesel::sql_types::Geography, right: postgis_diesel::sql_types::Geography) -> Float8;
}

define_sql_function! {
    /// Recomputes `shows.trending_score` and `artists.trending_score` as of an instant (NULL: now);
    /// returns how many `(shows, artists)` changed.
    fn recompute_trending_scores(as_of: Nullable<Timestamptz>) -> Record<(Int4, Int4)>;
}

define_sql_function! {
    /// Recomputes `artist_stats` of the given artists (NULL: all) as of an instant (NULL: now);
    /// returns how many rows were written.
    fn refresh_artist_stats(only_artists: Nullable<Array<Uuid>>, as_of: Nullable<Timestamptz>) -> Int4;
}

define_sql_function! {
    /// Moves shows to `ongoing` and `completed` and locks the predictions of started shows, as of
    /// an instant (NULL: now); returns `(started, completed, locked)`.
    fn advance_show_statuses(as_of: Nullable<Timestamptz>) -> Record<(Int4, Int4, Int4)>;
}

define_sql_function! {
    /// Deletes the caller's account (cascading everything of theirs) and leaves a tombstone;
    /// false when it was deleted already.
    fn delete_my_account() -> Bool;
}

define_sql_function! {
    /// Deletes the API's rate-limit windows that ended more than `keep` ago; how many went.
    fn rate_limits_prune(keep: Interval) -> BigInt;
}
