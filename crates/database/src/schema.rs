// @generated automatically by Diesel CLI.

pub mod sql_types {
    #[derive(
        diesel::query_builder::QueryId, Clone, std::fmt::Debug, diesel::sql_types::SqlType,
    )]
    #[diesel(postgres_type(name = "job_state"))]
    pub struct JobState;

    #[derive(
        diesel::query_builder::QueryId, Clone, std::fmt::Debug, diesel::sql_types::SqlType,
    )]
    #[diesel(postgres_type(name = "prediction_kind"))]
    pub struct PredictionKind;

    #[derive(
        diesel::query_builder::QueryId, Clone, std::fmt::Debug, diesel::sql_types::SqlType,
    )]
    #[diesel(postgres_type(name = "setlist_type"))]
    pub struct SetlistType;

    #[derive(
        diesel::query_builder::QueryId, Clone, std::fmt::Debug, diesel::sql_types::SqlType,
    )]
    #[diesel(postgres_type(name = "show_status"))]
    pub struct ShowStatus;

    #[derive(
        diesel::query_builder::QueryId, Clone, std::fmt::Debug, diesel::sql_types::SqlType,
    )]
    #[diesel(postgres_type(name = "user_role"))]
    pub struct UserRole;

    #[derive(
        diesel::query_builder::QueryId, Clone, std::fmt::Debug, diesel::sql_types::SqlType,
    )]
    #[diesel(postgres_type(name = "vote_type"))]
    pub struct VoteType;
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;

    artist_stats (id) {
        id -> Uuid,
        artist_id -> Uuid,
        total_shows -> Int4,
        total_setlists -> Int4,
        avg_setlist_length -> Nullable<Float8>,
        most_played_song -> Nullable<Text>,
        last_show_date -> Nullable<Timestamptz>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;

    artists (id) {
        id -> Uuid,
        spotify_id -> Nullable<Text>,
        name -> Text,
        slug -> Text,
        image_url -> Nullable<Text>,
        small_image_url -> Nullable<Text>,
        genres -> Array<Nullable<Text>>,
        popularity -> Int4,
        followers -> Int4,
        monthly_listeners -> Nullable<Int4>,
        verified -> Bool,
        bio -> Nullable<Text>,
        external_urls -> Jsonb,
        last_synced_at -> Nullable<Timestamptz>,
        trending_score -> Float8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        mbid -> Nullable<Text>,
        ticketmaster_id -> Nullable<Text>,
        ticketmaster_synced_at -> Nullable<Timestamptz>,
        setlistfm_synced_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;

    fan_standings (scope, user_id) {
        scope -> Text,
        user_id -> Uuid,
        predictions -> Int4,
        total_score -> Float8,
        best_score -> Float8,
        rating -> Float8,
        beat_bot -> Int4,
        beat_crowd -> Int4,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;
    use super::sql_types::JobState;

    jobs (id) {
        id -> Int8,
        kind -> Text,
        payload -> Jsonb,
        priority -> Int2,
        state -> JobState,
        run_at -> Timestamptz,
        attempts -> Int4,
        max_attempts -> Int4,
        last_error -> Nullable<Text>,
        dedup_key -> Nullable<Text>,
        locked_at -> Nullable<Timestamptz>,
        locked_by -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
        queue -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;
    use super::sql_types::PredictionKind;

    prediction_scores (id) {
        id -> Uuid,
        show_id -> Uuid,
        artist_id -> Uuid,
        kind -> PredictionKind,
        setlist_id -> Nullable<Uuid>,
        user_id -> Nullable<Uuid>,
        actual_setlist_id -> Uuid,
        is_final -> Bool,
        score -> Float8,
        predicted_songs -> Int4,
        played_songs -> Int4,
        hits -> Int4,
        precision -> Float8,
        recall -> Float8,
        f1 -> Float8,
        opener_hit -> Bool,
        closer_hit -> Bool,
        encore_predicted -> Int4,
        encore_played -> Int4,
        encore_hits -> Int4,
        order_tau -> Nullable<Float8>,
        rarity_points -> Float8,
        predicted_at -> Timestamptz,
        rank -> Nullable<Int4>,
        scored_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;

    provider_budgets (provider) {
        provider -> Text,
        next_at -> Timestamptz,
        day -> Date,
        day_used -> Int4,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;

    search_names (entity_id, kind) {
        kind -> Text,
        entity_id -> Uuid,
        word_count -> Int2,
        words -> Array<Nullable<Text>>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;

    search_terms (word, kind, word_count, entity_id) {
        word -> Text,
        kind -> Text,
        entity_id -> Uuid,
        word_count -> Int2,
        words -> Nullable<Array<Nullable<Text>>>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;

    search_words (word) {
        word -> Text,
        artist_names -> Int4,
        song_titles -> Int4,
        venue_names -> Int4,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;

    setlist_songs (id) {
        id -> Uuid,
        setlist_id -> Uuid,
        song_id -> Uuid,
        position -> Int4,
        notes -> Nullable<Text>,
        is_played -> Nullable<Bool>,
        play_time -> Nullable<Timestamptz>,
        set_name -> Nullable<Text>,
        encore -> Int4,
        is_tape -> Bool,
        cover_artist_name -> Nullable<Text>,
        cover_artist_mbid -> Nullable<Text>,
        guest_artist_name -> Nullable<Text>,
        guest_artist_mbid -> Nullable<Text>,
        info -> Nullable<Text>,
        upvotes -> Int4,
        downvotes -> Int4,
        net_votes -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        vote_version -> Int8,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;
    use super::sql_types::SetlistType;

    setlists (id) {
        id -> Uuid,
        show_id -> Uuid,
        artist_id -> Uuid,
        #[sql_name = "type"]
        type_ -> SetlistType,
        name -> Text,
        order_index -> Int4,
        is_locked -> Bool,
        total_votes -> Int4,
        accuracy_score -> Int4,
        imported_from -> Nullable<Text>,
        external_id -> Nullable<Text>,
        source_version_id -> Nullable<Text>,
        source_url -> Nullable<Text>,
        imported_at -> Nullable<Timestamptz>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        owner_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;

    show_artists (id) {
        id -> Uuid,
        show_id -> Uuid,
        artist_id -> Uuid,
        order_index -> Int4,
        set_length -> Nullable<Int4>,
        is_headliner -> Bool,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;

    show_view_trends (show_id) {
        show_id -> Uuid,
        views_seen -> Int4,
        decayed_views -> Float8,
        computed_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;
    use super::sql_types::ShowStatus;

    shows (id) {
        id -> Uuid,
        headliner_artist_id -> Uuid,
        venue_id -> Nullable<Uuid>,
        name -> Text,
        slug -> Text,
        date -> Date,
        start_time -> Nullable<Time>,
        doors_time -> Nullable<Time>,
        starts_at -> Timestamptz,
        status -> ShowStatus,
        description -> Nullable<Text>,
        ticket_url -> Nullable<Text>,
        min_price -> Nullable<Int4>,
        max_price -> Nullable<Int4>,
        currency -> Text,
        view_count -> Int4,
        attendee_count -> Int4,
        setlist_count -> Int4,
        vote_count -> Int4,
        trending_score -> Float8,
        is_featured -> Bool,
        is_verified -> Bool,
        ticketmaster_id -> Nullable<Text>,
        setlistfm_id -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        ticketmaster_status -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;

    song_aliases (id) {
        id -> Uuid,
        artist_id -> Uuid,
        song_id -> Uuid,
        alias -> Text,
        alias_key -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;

    song_stats (song_id) {
        song_id -> Uuid,
        artist_id -> Uuid,
        times_played -> Int4,
        play_rate -> Float8,
        first_played -> Date,
        last_played -> Date,
        shows_since_played -> Int4,
        opener_rate -> Float8,
        closer_rate -> Float8,
        encore_rate -> Float8,
        average_position -> Float8,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;

    songs (id) {
        id -> Uuid,
        artist_id -> Uuid,
        spotify_id -> Nullable<Text>,
        title -> Text,
        title_key -> Text,
        artist -> Text,
        album -> Nullable<Text>,
        album_art_url -> Nullable<Text>,
        release_date -> Nullable<Date>,
        duration_ms -> Nullable<Int4>,
        popularity -> Int4,
        preview_url -> Nullable<Text>,
        is_explicit -> Bool,
        is_playable -> Bool,
        acousticness -> Nullable<Float8>,
        danceability -> Nullable<Float8>,
        energy -> Nullable<Float8>,
        valence -> Nullable<Float8>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        isrc -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;

    user_profiles (id) {
        id -> Uuid,
        user_id -> Uuid,
        bio -> Nullable<Text>,
        location -> Nullable<Text>,
        website -> Nullable<Text>,
        favorite_genres -> Array<Nullable<Text>>,
        concert_count -> Int4,
        is_public -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;
    use super::sql_types::UserRole;

    users (id) {
        id -> Uuid,
        email -> Text,
        display_name -> Nullable<Text>,
        avatar_url -> Nullable<Text>,
        spotify_id -> Nullable<Text>,
        spotify_refresh_token -> Nullable<Text>,
        role -> UserRole,
        email_verified -> Nullable<Timestamptz>,
        last_login_at -> Nullable<Timestamptz>,
        preferences -> Jsonb,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;

    venues (id) {
        id -> Uuid,
        name -> Text,
        slug -> Text,
        address -> Nullable<Text>,
        city -> Text,
        state -> Nullable<Text>,
        country -> Text,
        postal_code -> Nullable<Text>,
        latitude -> Nullable<Float8>,
        longitude -> Nullable<Float8>,
        location -> Nullable<Geography>,
        timezone -> Text,
        capacity -> Nullable<Int4>,
        venue_type -> Nullable<Text>,
        phone_number -> Nullable<Text>,
        website -> Nullable<Text>,
        image_url -> Nullable<Text>,
        description -> Nullable<Text>,
        amenities -> Array<Nullable<Text>>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        ticketmaster_id -> Nullable<Text>,
        setlistfm_id -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;
    use super::sql_types::VoteType;

    votes (id) {
        id -> Uuid,
        user_id -> Uuid,
        setlist_song_id -> Uuid,
        vote_type -> VoteType,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(artist_stats -> artists (artist_id));
diesel::joinable!(fan_standings -> users (user_id));
diesel::joinable!(prediction_scores -> artists (artist_id));
diesel::joinable!(prediction_scores -> shows (show_id));
diesel::joinable!(prediction_scores -> users (user_id));
diesel::joinable!(setlist_songs -> setlists (setlist_id));
diesel::joinable!(setlist_songs -> songs (song_id));
diesel::joinable!(setlists -> artists (artist_id));
diesel::joinable!(setlists -> shows (show_id));
diesel::joinable!(show_artists -> artists (artist_id));
diesel::joinable!(show_artists -> shows (show_id));
diesel::joinable!(show_view_trends -> shows (show_id));
diesel::joinable!(shows -> artists (headliner_artist_id));
diesel::joinable!(shows -> venues (venue_id));
diesel::joinable!(song_aliases -> artists (artist_id));
diesel::joinable!(song_stats -> artists (artist_id));
diesel::joinable!(song_stats -> songs (song_id));
diesel::joinable!(songs -> artists (artist_id));
diesel::joinable!(user_profiles -> users (user_id));
diesel::joinable!(votes -> setlist_songs (setlist_song_id));
diesel::joinable!(votes -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    artist_stats,
    artists,
    fan_standings,
    jobs,
    prediction_scores,
    provider_budgets,
    search_names,
    search_terms,
    search_words,
    setlist_songs,
    setlists,
    show_artists,
    show_view_trends,
    shows,
    song_aliases,
    song_stats,
    songs,
    user_profiles,
    users,
    venues,
    votes,
);
