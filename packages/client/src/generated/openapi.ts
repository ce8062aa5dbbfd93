// Generated from apps/api/openapi.json by packages/client/scripts/generate.mjs
// (openapi-typescript). Do not edit: run `npm run generate -w @repo/client`.

export interface paths {
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The process is up (no dependency is checked). */
        get: operations["health_health"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Ready for traffic: the database answers and no migration is pending. 503 otherwise. */
        get: operations["health_ready"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/artists": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["artists_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/artists/{key}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An artist by slug or id, with statistics. */
        get: operations["artists_find"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/artists/{key}/average-setlist": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The artist's average setlist: the most likely next setlist (the bot's prediction). */
        get: operations["stats_average_setlist"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/artists/{key}/leaderboard": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An artist's leaderboard: fans by rating over their final scores of the artist's shows. */
        get: operations["leaderboards_artist"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/artists/{key}/shows": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The artist's upcoming (soonest first) or completed (latest first) headline shows. */
        get: operations["artists_shows"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/artists/{key}/song-stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The artist's songs with statistics, most played first. */
        get: operations["stats_artist_songs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/artists/{key}/songs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The artist's catalog by title. */
        get: operations["artists_songs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/fans/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A fan's public profile (404 when it is private). */
        get: operations["fans_profile"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/fans/{id}/predictions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A public fan's predictions of shows that have started (404 when the profile is private). */
        get: operations["fans_predictions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/leaderboard": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The overall leaderboard of a period: fans by rating over their final scores of the
         *     period's shows.
         */
        get: operations["leaderboards_period"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's account and profile (the account is created on the first signed-in request). */
        get: operations["me_get"];
        put?: never;
        post?: never;
        /**
         * Deletes the caller's account: their votes are retracted (counters and totals stay exact),
         *     their own predictions with their scores and standings, and their profile are removed, crowd
         *     setlists they started lose their creator; a tombstone keeps the id, so this account's tokens
         *     are refused from now on (403). The Supabase Auth user is the front end's to delete.
         */
        delete: operations["me_delete"];
        options?: never;
        head?: never;
        patch: operations["me_update"];
        trace?: never;
    };
    "/v1/me/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Everything TheSet holds about the caller as one JSON document: account, profile, votes, own
         *     predictions with their songs, crowd setlists they started, scores and standings. The Spotify
         *     refresh token is a credential and is left out (`spotify_connected` says whether one is held).
         */
        get: operations["me_export"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/predictions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller's predictions, newest show first, with scores and whether they beat the bot and
         *     the crowd.
         */
        get: operations["me_predictions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/profile": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put: operations["me_put_profile"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["openapi_json"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/search": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Up to `limit` hits of each kind, best first. */
        get: operations["search_search"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/setlist-songs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch: operations["setlists_update_song"];
        trace?: never;
    };
    "/v1/setlist-songs/{id}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One setlist song's vote counts, live.
         * @description Events (schemas of this document, also under `x-theset-events`): `snapshot` (`SongVotes`)
         *     first; `votes` (`SongVotes`, coalesced over at most 100 ms); `resync` (`SongResync`);
         *     `removed` (`SongRemoved`) when the song leaves its setlist (the stream then ends).
         */
        get: operations["votes_events"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/setlist-songs/{id}/vote": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Casts or changes the caller's vote (idempotent); answers the song's new counts. */
        put: operations["votes_cast"];
        post?: never;
        /** Retracts the caller's vote (a no-op when there is none); answers the song's new counts. */
        delete: operations["votes_retract"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/setlists/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Deletes a setlist: a fan's own prediction while the show is open; moderators any
         *     prediction, at any time.
         */
        delete: operations["setlists_delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/setlists/{id}/lock": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Locks a setlist: no more votes or edits by fans (moderators). */
        post: operations["setlists_lock"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/setlists/{id}/order": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Reorders a prediction and marks the expected encore (its owner while open; moderators). */
        put: operations["setlists_order"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/setlists/{id}/songs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Adds a song of the artist's catalog to a predicted setlist, at the end. */
        post: operations["setlists_add_song"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/setlists/{id}/songs/{setlist_song_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Removes an entry and closes the gap: the setlist's creator while it is unlocked, or staff. */
        delete: operations["setlists_remove_song"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/setlists/{id}/unlock": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: operations["setlists_unlock"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/shows/nearby": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Upcoming shows within `radius_km` of a point, starting in `[from, to)`. */
        get: operations["shows_nearby"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/shows/trending": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Upcoming shows by trending score, highest first. */
        get: operations["shows_trending"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/shows/{key}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The whole show page: show, headliner, venue, line-up, setlists with songs (one statement). */
        get: operations["shows_details"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Moderators set a show's status (`upcoming`, `ongoing`, `completed`, `cancelled`). */
        patch: operations["shows_update"];
        trace?: never;
    };
    "/v1/shows/{key}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A show's setlists, live: songs added, removed, reordered or marked played, vote counts, lock
         *     and unlock, show status.
         * @description Each event is an `event:` name and a JSON `data:` of a schema of this document (also listed,
         *     machine-readable, under `x-theset-events`): `snapshot` (`ShowState`) first; `votes`
         *     (`ShowVotes`: the changed songs' counts, `id` the setlist song's), coalesced over at most
         *     100 ms, each song's `version` only growing; `setlist` (`SetlistUpdate`: the setlist's full new
         *     state and what changed); `setlist_removed` (`SetlistRemoved`); `show` (`ShowHeader`);
         *     `played` (`Played`) when songs are recorded on the actual setlist (live, or imported), with
         *     the current (provisional) score summary; `scored` (`Scored`) when the show's scores change;
         *     `resync` (`ShowResync`) when the client fell behind, the server's database listener
         *     reconnected, or the `Last-Event-ID` is no longer held; `removed` (`ShowRemoved`) when the
         *     show is deleted (the stream then ends).
         */
        get: operations["shows_events"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/shows/{key}/leaderboard": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A show's leaderboard: fans by score, then rarity points (equal ones share a rank), then the
         *     earlier prediction.
         */
        get: operations["leaderboards_show"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/shows/{key}/live/songs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Appends a played song to the show's actual setlist for the artist (created on first use),
         *     at the next position, marked played now (moderators).
         */
        post: operations["live_played"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/shows/{key}/my-votes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's votes on the songs of this show's predicted setlists. */
        get: operations["shows_my_votes"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/shows/{key}/predictions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Fans' predictions of a show, oldest first: everyone's once the show has started; before
         *     that only the caller's own (no copying).
         */
        get: operations["predictions_of_show"];
        put?: never;
        /**
         * Creates the caller's own prediction of a show (for its headliner), empty: add songs with
         *     `POST /v1/setlists/{id}/songs`.
         */
        post: operations["predictions_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/shows/{key}/predictions/mine": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's own prediction of a show, with its songs. */
        get: operations["predictions_mine"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/songs/{id}/stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One song's statistics (404 when it was never played). */
        get: operations["stats_song"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/venues/nearby": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Venues within `radius_km` of a point, nearest first. */
        get: operations["venues_nearby"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/venues/{key}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["venues_find"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /**
         * @description Everything TheSet holds about a fan, as `GET /v1/me/export` gives it: read as the fan, so RLS
         *     shows exactly their own rows. The Spotify refresh token is a credential and stays out (`User`
         *     never serialises it); `spotify_connected` says whether one is stored.
         */
        AccountExport: {
            account: components["schemas"]["User"];
            /** @description Crowd setlists the fan started. */
            created_setlists: components["schemas"]["Setlist"][];
            /** Format: date-time */
            exported_at: string;
            /** @description The fan's own predictions with their songs. */
            predictions: components["schemas"]["SetlistWithSongs"][];
            profile?: null | components["schemas"]["UserProfile"];
            /** @description The scores of the fan's predictions. */
            scores: components["schemas"]["PredictionScore"][];
            spotify_connected: boolean;
            /** @description The fan's leaderboard standings, one per scope. */
            standings: components["schemas"]["Standing"][];
            /** @description Every vote, newest first. */
            votes: components["schemas"]["Vote"][];
        };
        AddSongBody: {
            notes?: string | null;
            /** Format: uuid */
            song_id: string;
        };
        Artist: {
            bio?: string | null;
            /** Format: date-time */
            created_at: string;
            external_urls: unknown;
            /** Format: int32 */
            followers: number;
            genres: components["schemas"]["TextList"];
            id: components["schemas"]["ArtistId"];
            image_url?: string | null;
            /** Format: date-time */
            last_synced_at?: string | null;
            /** @description MusicBrainz id: the key setlist.fm searches by (from Ticketmaster's external links). */
            mbid?: string | null;
            /** Format: int32 */
            monthly_listeners?: number | null;
            name: string;
            /** Format: int32 */
            popularity: number;
            /**
             * Format: date-time
             * @description When the last complete setlist.fm import of this artist started (the next correction
             *     poll asks for setlists edited since then).
             */
            setlistfm_synced_at?: string | null;
            slug: string;
            small_image_url?: string | null;
            spotify_id?: string | null;
            /** @description Ticketmaster attraction id: the key of the upcoming-shows sync. */
            ticketmaster_id?: string | null;
            /**
             * Format: date-time
             * @description When the last complete Ticketmaster import of this artist finished.
             */
            ticketmaster_synced_at?: string | null;
            /** Format: double */
            trending_score: number;
            /** Format: date-time */
            updated_at: string;
            verified: boolean;
        };
        ArtistHit: {
            id: components["schemas"]["ArtistId"];
            image_url?: string | null;
            name: string;
            /** Format: float */
            score: number;
            slug: string;
        };
        /**
         * Format: uuid
         * @description `artists.id`
         */
        ArtistId: string;
        /** @description Figures computed from an artist's history (one row per artist). */
        ArtistStats: {
            artist_id: components["schemas"]["ArtistId"];
            /** Format: double */
            avg_setlist_length?: number | null;
            id: components["schemas"]["ArtistStatsId"];
            /** Format: date-time */
            last_show_date?: string | null;
            most_played_song?: string | null;
            /** Format: int32 */
            total_setlists: number;
            /** Format: int32 */
            total_shows: number;
            /** Format: date-time */
            updated_at: string;
        };
        /**
         * Format: uuid
         * @description `artist_stats.id`
         */
        ArtistStatsId: string;
        /** @description What lists show of an artist (show cards, line-ups in lists). */
        ArtistSummary: {
            id: components["schemas"]["ArtistId"];
            image_url?: string | null;
            name: string;
            slug: string;
            small_image_url?: string | null;
            verified: boolean;
        };
        /** @description An artist with its statistics, once computed. */
        ArtistWithStats: {
            artist: components["schemas"]["Artist"];
            stats?: null | components["schemas"]["ArtistStats"];
        };
        AverageSetlist: {
            /** @description How many of the artist's latest shows it is built from (at most 20). */
            shows: number;
            songs: components["schemas"]["AverageSong"][];
        };
        /** @description A song of the average setlist. */
        AverageSong: {
            /** @description Played in an encore more often than not. */
            encore: boolean;
            /** Format: uuid */
            song_id: string;
            title: string;
        };
        /** @description A page of a leaderboard. */
        Board: {
            items: components["schemas"]["BoardRow"][];
            me?: null | components["schemas"]["BoardRow"];
            next_cursor?: string | null;
        };
        /**
         * @description One row of a leaderboard: a fan as the public may see them (a private fan without name and
         *     avatar), with their rank.
         */
        BoardRow: {
            avatar_url?: string | null;
            display_name?: string | null;
            is_final: boolean;
            /**
             * Format: date-time
             * @description Show boards: when the prediction was made (the tie-break). Other boards: null.
             */
            predicted_at?: string | null;
            /**
             * Format: int64
             * @description Show boards: 1. Other boards: scored predictions.
             */
            predictions: number;
            /** Format: int64 */
            rank: number;
            /**
             * Format: double
             * @description Show boards: rarity points. Other boards: the average score.
             */
            secondary: number;
            user_id: components["schemas"]["UserId"];
            /**
             * Format: double
             * @description Show boards: the score. Artist and period boards: the rating (shrunk average).
             */
            value: number;
        };
        /**
         * @description What kind of problem a reply reports, stable across releases: clients branch on `code`,
         *     never on `detail` (which is for people and may be reworded). Each code has one status.
         * @enum {string}
         */
        Code: "bad_request" | "unauthorized" | "forbidden" | "not_found" | "method_not_allowed" | "already_exists" | "email_in_use" | "duplicate_song" | "voting_closed" | "show_started" | "show_cancelled" | "show_postponed" | "setlist_locked" | "prediction_exists" | "payload_too_large" | "uri_too_long" | "unsupported_media_type" | "validation" | "rate_limited" | "internal" | "unavailable";
        /** @description A fan's public profile with their overall standing. */
        FanProfile: {
            /** Format: double */
            average_score?: number | null;
            /** Format: int32 */
            beat_bot?: number | null;
            /** Format: int32 */
            beat_crowd?: number | null;
            fan: components["schemas"]["PublicFan"];
            /**
             * Format: int32
             * @description Scored predictions, average score and rating over all time; null before any is final.
             */
            predictions?: number | null;
            /** Format: double */
            rating?: number | null;
        };
        /** @description A fan on a show's leaderboard. */
        Leader: {
            /** @description `None` for a fan without a public profile. */
            display_name?: string | null;
            /** Format: double */
            score: number;
            user_id: components["schemas"]["UserId"];
        };
        LineupSlot: {
            artist: components["schemas"]["Artist"];
            slot: components["schemas"]["ShowArtist"];
        };
        /** @description What a user may change about their account. Absent fields stay; `null` clears. */
        MePatch: {
            /** Format: iri */
            avatar_url?: string | null;
            display_name?: string | null;
            /** @description A JSON object, replacing the previous preferences. */
            preferences?: Record<string, unknown> | null;
        };
        /** @description `GET /v1/me`: the account and, once written, the profile. */
        MeReply: {
            profile?: null | components["schemas"]["UserProfile"];
            user: components["schemas"]["User"];
        };
        /** @description A show near a point, with its venue's distance from it. */
        NearbyShow: components["schemas"]["ShowCard"] & {
            /** Format: double */
            distance_m: number;
        };
        /** @description A venue near a point, with its distance from it. */
        NearbyVenue: components["schemas"]["Venue"] & {
            /** Format: double */
            distance_m: number;
        };
        /** @description The new order of a setlist: every entry once, and where the encore starts. */
        OrderBody: {
            /**
             * Format: int32
             * @description 1-based position of the first song expected in the encore; absent or null: no encore.
             */
            encore_from?: number | null;
            /** @description Every entry (setlist song id) of the setlist, once each, in the new order. */
            entries: string[];
        };
        /** @description One page of a list, with the cursor of the next page when there is one. */
        Page_Artist: {
            items: {
                bio?: string | null;
                /** Format: date-time */
                created_at: string;
                external_urls: unknown;
                /** Format: int32 */
                followers: number;
                genres: components["schemas"]["TextList"];
                id: components["schemas"]["ArtistId"];
                image_url?: string | null;
                /** Format: date-time */
                last_synced_at?: string | null;
                /** @description MusicBrainz id: the key setlist.fm searches by (from Ticketmaster's external links). */
                mbid?: string | null;
                /** Format: int32 */
                monthly_listeners?: number | null;
                name: string;
                /** Format: int32 */
                popularity: number;
                /**
                 * Format: date-time
                 * @description When the last complete setlist.fm import of this artist started (the next correction
                 *     poll asks for setlists edited since then).
                 */
                setlistfm_synced_at?: string | null;
                slug: string;
                small_image_url?: string | null;
                spotify_id?: string | null;
                /** @description Ticketmaster attraction id: the key of the upcoming-shows sync. */
                ticketmaster_id?: string | null;
                /**
                 * Format: date-time
                 * @description When the last complete Ticketmaster import of this artist finished.
                 */
                ticketmaster_synced_at?: string | null;
                /** Format: double */
                trending_score: number;
                /** Format: date-time */
                updated_at: string;
                verified: boolean;
            }[];
            next_cursor?: string | null;
        };
        /** @description One page of a list, with the cursor of the next page when there is one. */
        Page_PredictionRecord: {
            items: {
                /** @description Scored above the bot (null when either is unscored). */
                beat_bot?: boolean | null;
                beat_crowd?: boolean | null;
                /** Format: double */
                bot_score?: number | null;
                /** Format: date-time */
                created_at: string;
                /** Format: double */
                crowd_score?: number | null;
                is_final?: boolean | null;
                /**
                 * Format: double
                 * @description Null until the show is scored.
                 */
                score?: number | null;
                setlist_id: components["schemas"]["SetlistId"];
                /** Format: date */
                show_date: string;
                show_id: components["schemas"]["ShowId"];
                show_name: string;
                show_slug: string;
            }[];
            next_cursor?: string | null;
        };
        /** @description One page of a list, with the cursor of the next page when there is one. */
        Page_SetlistWithSongs: {
            items: {
                setlist: components["schemas"]["Setlist"];
                songs: components["schemas"]["SetlistEntry"][];
            }[];
            next_cursor?: string | null;
        };
        /** @description One page of a list, with the cursor of the next page when there is one. */
        Page_ShowCard: {
            items: {
                headliner: components["schemas"]["ArtistSummary"];
                show: components["schemas"]["Show"];
                venue?: null | components["schemas"]["VenueSummary"];
            }[];
            next_cursor?: string | null;
        };
        /** @description One page of a list, with the cursor of the next page when there is one. */
        Page_Song: {
            items: {
                /** Format: double */
                acousticness?: number | null;
                album?: string | null;
                album_art_url?: string | null;
                /** @description The primary artist's name, as the source spelled it. */
                artist: string;
                artist_id: components["schemas"]["ArtistId"];
                /** Format: date-time */
                created_at: string;
                /** Format: double */
                danceability?: number | null;
                /** Format: int32 */
                duration_ms?: number | null;
                /** Format: double */
                energy?: number | null;
                id: components["schemas"]["SongId"];
                is_explicit: boolean;
                is_playable: boolean;
                /** @description ISRC from Spotify's `external_ids`. */
                isrc?: string | null;
                /** Format: int32 */
                popularity: number;
                preview_url?: string | null;
                /** Format: date */
                release_date?: string | null;
                spotify_id?: string | null;
                title: string;
                /** @description Normalised title for matching across sources, generated by PostgreSQL (`song_title_key`). */
                title_key: string;
                /** Format: date-time */
                updated_at: string;
                /** Format: double */
                valence?: number | null;
            }[];
            next_cursor?: string | null;
        };
        /**
         * @description Songs just played: entries appended to an actual setlist (a moderator recording the show
         *     live, or an import), with the show's score summary as it stands (provisional scores follow
         *     in a `scored` event once the worker has scored the show).
         */
        Played: {
            scores: components["schemas"]["ScoreSummary"];
            setlist_id: components["schemas"]["SetlistId"];
            show_id: components["schemas"]["ShowId"];
            /** @description The new entries, in position order. */
            songs: components["schemas"]["PlayedEntry"][];
        };
        /**
         * @description A song as it is played. Name the song by `song_id` (the artist's catalog) or by `title`
         *     (matched to the catalog, added to it when new).
         */
        PlayedBody: {
            /**
             * Format: uuid
             * @description The performing artist: the headliner when absent (a support act must be on the bill).
             */
            artist_id?: string | null;
            cover_artist_name?: string | null;
            /**
             * Format: int32
             * @description 0 main set (default), 1 first encore, ...
             */
            encore?: number;
            guest_artist_name?: string | null;
            info?: string | null;
            /** @description Played from tape (never scored). */
            is_tape?: boolean;
            /** Format: uuid */
            song_id?: string | null;
            /** @description Not blank; at most 200 characters. */
            title?: ((string & (string | null)) | null) & (string | null);
        };
        /** @description One entry of a `played` event. */
        PlayedEntry: {
            /** Format: int32 */
            encore: number;
            /** @description The setlist song's id (as in the snapshot's song entries). */
            id: components["schemas"]["SetlistSongId"];
            is_tape: boolean;
            /** Format: int32 */
            position: number;
            song_id: components["schemas"]["SongId"];
            title: string;
        };
        /**
         * @description `prediction_kind`: whose prediction a score is for: a fan's own, the show's crowd setlist
         *     (ranked by votes), or the bot (the artist's average setlist from history).
         * @enum {string}
         */
        PredictionKind: "fan" | "crowd" | "bot";
        /** @description A fan's prediction with its score and the show's baselines: one entry of their history. */
        PredictionRecord: {
            /** @description Scored above the bot (null when either is unscored). */
            beat_bot?: boolean | null;
            beat_crowd?: boolean | null;
            /** Format: double */
            bot_score?: number | null;
            /** Format: date-time */
            created_at: string;
            /** Format: double */
            crowd_score?: number | null;
            is_final?: boolean | null;
            /**
             * Format: double
             * @description Null until the show is scored.
             */
            score?: number | null;
            setlist_id: components["schemas"]["SetlistId"];
            /** Format: date */
            show_date: string;
            show_id: components["schemas"]["ShowId"];
            show_name: string;
            show_slug: string;
        };
        /** @description A stored score with its breakdown. */
        PredictionScore: {
            actual_setlist_id: components["schemas"]["SetlistId"];
            artist_id: components["schemas"]["ArtistId"];
            closer_hit: boolean;
            /** Format: int32 */
            encore_hits: number;
            /** Format: int32 */
            encore_played: number;
            /** Format: int32 */
            encore_predicted: number;
            /** Format: double */
            f1: number;
            /** Format: int32 */
            hits: number;
            /** Format: uuid */
            id: string;
            /** @description The actual setlist is imported or locked; provisional while a show is recorded live. */
            is_final: boolean;
            kind: components["schemas"]["PredictionKind"];
            opener_hit: boolean;
            /**
             * Format: double
             * @description Kendall's tau over the hits; null with fewer than two.
             */
            order_tau?: number | null;
            /** Format: int32 */
            played_songs: number;
            /** Format: double */
            precision: number;
            /** Format: date-time */
            predicted_at: string;
            /** Format: int32 */
            predicted_songs: number;
            /**
             * Format: int32
             * @description A fan's rank on the show's board (equal score and rarity points share one); null for
             *     the bot and the crowd.
             */
            rank?: number | null;
            /** Format: double */
            rarity_points: number;
            /** Format: double */
            recall: number;
            /**
             * Format: double
             * @description 0..=100 (see the crate README, "Scoring").
             */
            score: number;
            /** Format: date-time */
            scored_at: string;
            setlist_id?: null | components["schemas"]["SetlistId"];
            show_id: components["schemas"]["ShowId"];
            user_id?: null | components["schemas"]["UserId"];
        };
        /** @description The body of every error reply (`application/problem+json`, RFC 9457, with a `code`). */
        Problem: {
            /** @description What went wrong, for programs: stable, one status each. */
            code: components["schemas"]["Code"];
            /** @description What went wrong, for people, naming the field at fault where there is one. */
            detail: string;
            /** Format: int32 */
            status: number;
            /** @description The HTTP status's reason phrase. */
            title: string;
            /** @description A URI naming the kind of problem (`https://theset.example/problems/<code>`). */
            type: string;
        };
        /** @description The whole profile; absent fields take their defaults (PUT replaces). */
        ProfileBody: {
            bio?: string | null;
            /** Format: int32 */
            concert_count?: number;
            /** @description At most 50, each at most 100 characters. */
            favorite_genres?: string[];
            is_public?: boolean;
            location?: string | null;
            /** Format: iri */
            website?: string | null;
        };
        /** @description A fan as anyone may see them: only when their profile is public. */
        PublicFan: {
            avatar_url?: string | null;
            bio?: string | null;
            /** Format: int32 */
            concert_count: number;
            display_name?: string | null;
            location?: string | null;
            user_id: components["schemas"]["UserId"];
            website?: string | null;
        };
        /**
         * @description Why a stream sends the whole state again instead of the events in between.
         * @enum {string}
         */
        ResyncReason: "lagged" | "reconnected" | "expired";
        /**
         * @description A show's prediction scores at a glance (`realtime_score_summary`): what the snapshot, and the
         *     `played` and `scored` events, carry.
         */
        ScoreSummary: {
            /**
             * Format: double
             * @description The bot's score (the artist's average setlist), when scored.
             */
            bot?: number | null;
            /**
             * Format: double
             * @description The crowd setlist's score, when scored.
             */
            crowd?: number | null;
            /**
             * Format: int64
             * @description How many fans' predictions were scored.
             */
            fans: number;
            /**
             * @description Scored against a final actual setlist (imported, or locked by a moderator); false while
             *     the show is recorded live (provisional scores) or not scored at all.
             */
            is_final: boolean;
            /**
             * @description The top 10 fans: score, then rarity points (higher first), then the earlier prediction,
             *     then the user id.
             */
            leaders: components["schemas"]["Leader"][];
            /**
             * Format: date-time
             * @description When the show was last scored; `None`: never.
             */
            scored_at?: string | null;
        };
        /** @description A show's scores changed: its new summary. */
        Scored: {
            scores: components["schemas"]["ScoreSummary"];
            show_id: components["schemas"]["ShowId"];
        };
        /** @description Up to `limit` hits of each kind, best first. */
        SearchResults: {
            artists: components["schemas"]["ArtistHit"][];
            songs: components["schemas"]["SongHit"][];
            venues: components["schemas"]["VenueHit"][];
        };
        /** @description A show's setlist: fans' prediction, or what was actually played (imported from setlist.fm). */
        Setlist: {
            /** Format: int32 */
            accuracy_score: number;
            artist_id: components["schemas"]["ArtistId"];
            /** Format: date-time */
            created_at: string;
            created_by?: null | components["schemas"]["UserId"];
            external_id?: string | null;
            id: components["schemas"]["SetlistId"];
            /** Format: date-time */
            imported_at?: string | null;
            imported_from?: string | null;
            is_locked: boolean;
            name: string;
            /** Format: int32 */
            order_index: number;
            owner_id?: null | components["schemas"]["UserId"];
            show_id: components["schemas"]["ShowId"];
            /** @description Attribution link to the source page, to be shown wherever this setlist is. */
            source_url?: string | null;
            /** @description The source's version id (setlist.fm `versionId`): a new one means the source was corrected. */
            source_version_id?: string | null;
            /**
             * Format: int32
             * @description Votes on this setlist's songs; folded in by `refresh_vote_totals` (see the crate README).
             */
            total_votes: number;
            type: components["schemas"]["SetlistType"];
            /** Format: date-time */
            updated_at: string;
        };
        /** @description What changed in a setlist, besides its full new state. */
        SetlistChanges: {
            /** @description Setlist songs added. */
            added: components["schemas"]["SetlistSongId"][];
            /** @description The setlist is new. */
            created: boolean;
            /** @description The new lock state, when it changed. */
            locked?: boolean | null;
            /** @description Songs moved into or out of an encore, or marked tape or not. */
            marked?: components["schemas"]["SetlistSongId"][];
            /** @description Songs whose notes changed. */
            noted: components["schemas"]["SetlistSongId"][];
            /** @description Songs marked played or unplayed, or whose play time changed. */
            played: components["schemas"]["SetlistSongId"][];
            /** @description Setlist songs removed. */
            removed: components["schemas"]["SetlistSongId"][];
            /** @description Name, type or order among the show's setlists changed. */
            renamed: boolean;
            /** @description Songs that stayed changed their order (closing the gap of a removal is not a reorder). */
            reordered: boolean;
        };
        SetlistEntry: {
            entry: components["schemas"]["SetlistSong"];
            song: components["schemas"]["Song"];
        };
        /**
         * Format: uuid
         * @description `setlists.id`
         */
        SetlistId: string;
        /** @description The data of a show stream's `setlist_removed`. */
        SetlistRemoved: {
            setlist_id: components["schemas"]["SetlistId"];
            show_id: components["schemas"]["ShowId"];
        };
        /** @description A song at a position of a setlist, with its live vote counts. */
        SetlistSong: {
            cover_artist_mbid?: string | null;
            cover_artist_name?: string | null;
            /** Format: date-time */
            created_at: string;
            /** Format: int32 */
            downvotes: number;
            /**
             * Format: int32
             * @description 0 for the main set, 1 for the first encore, 2 for the second...
             */
            encore: number;
            guest_artist_mbid?: string | null;
            guest_artist_name?: string | null;
            id: components["schemas"]["SetlistSongId"];
            info?: string | null;
            is_played?: boolean | null;
            /** @description Played from tape, not performed: shown, never counted as played. */
            is_tape: boolean;
            /** Format: int32 */
            net_votes: number;
            notes?: string | null;
            /** Format: date-time */
            play_time?: string | null;
            /**
             * Format: int32
             * @description 1-based.
             */
            position: number;
            /** @description setlist.fm's set name ("Acoustic set"), when the set had one. */
            set_name?: string | null;
            setlist_id: components["schemas"]["SetlistId"];
            song_id: components["schemas"]["SongId"];
            /** Format: date-time */
            updated_at: string;
            /** Format: int32 */
            upvotes: number;
            /**
             * Format: int64
             * @description Grows by one with every change of the counts (the vote trigger sets it): of two states of
             *     one song, the higher version is the newer. Realtime vote events carry it.
             */
            vote_version: number;
        };
        /**
         * Format: uuid
         * @description `setlist_songs.id`
         */
        SetlistSongId: string;
        /** @description Live marking during a show. Absent fields stay; `null` clears. */
        SetlistSongPatch: {
            cover_artist_name?: string | null;
            /** Format: int32 */
            encore?: number | null;
            guest_artist_name?: string | null;
            info?: string | null;
            is_played?: boolean | null;
            is_tape?: boolean | null;
            notes?: string | null;
            /** Format: date-time */
            play_time?: string | null;
            /**
             * Format: uuid
             * @description Live corrections of an actual setlist: the song played (the artist's catalog), its
             *     encore, tape, cover and guest marks.
             */
            song_id?: string | null;
        };
        SetlistState: {
            id: components["schemas"]["SetlistId"];
            is_locked: boolean;
            name: string;
            /** Format: int32 */
            order_index: number;
            /** @description In position order. */
            songs: components["schemas"]["SongEntry"][];
            type: components["schemas"]["SetlistType"];
        };
        /**
         * @description `setlist_type`: fans' prediction, or what was actually played.
         * @enum {string}
         */
        SetlistType: "predicted" | "actual";
        /** @description A setlist's new state and what changed in it. */
        SetlistUpdate: {
            changes: components["schemas"]["SetlistChanges"];
            setlist: components["schemas"]["SetlistState"];
            show_id: components["schemas"]["ShowId"];
        };
        /** @description A setlist with its songs in order, each with its catalog entry. */
        SetlistWithSongs: {
            setlist: components["schemas"]["Setlist"];
            songs: components["schemas"]["SetlistEntry"][];
        };
        Show: {
            /** Format: int32 */
            attendee_count: number;
            /** Format: date-time */
            created_at: string;
            currency: string;
            /**
             * Format: date
             * @description The venue-local date.
             */
            date: string;
            description?: string | null;
            doors_time?: string | null;
            headliner_artist_id: components["schemas"]["ArtistId"];
            id: components["schemas"]["ShowId"];
            is_featured: boolean;
            is_verified: boolean;
            /** Format: int32 */
            max_price?: number | null;
            /** Format: int32 */
            min_price?: number | null;
            name: string;
            /** Format: int32 */
            setlist_count: number;
            setlistfm_id?: string | null;
            slug: string;
            /** @description The venue-local start time; `None` while it is not announced. */
            start_time?: string | null;
            /**
             * Format: date-time
             * @description The instant the show starts and predictions lock, resolved by PostgreSQL from `date`,
             *     `start_time` and the venue's timezone (local midnight while the time is not announced).
             */
            starts_at: string;
            status: components["schemas"]["ShowStatus"];
            ticket_url?: string | null;
            ticketmaster_id?: string | null;
            /**
             * @description Ticketmaster's status code (`onsale`, `offsale`, `canceled`, `postponed`,
             *     `rescheduled`): a postponed show stays `upcoming` on a date that may not hold.
             */
            ticketmaster_status?: string | null;
            /** Format: double */
            trending_score: number;
            /** Format: date-time */
            updated_at: string;
            venue_id?: null | components["schemas"]["VenueId"];
            /** Format: int32 */
            view_count: number;
            /** Format: int32 */
            vote_count: number;
        };
        /** @description An artist on a show's bill; `order_index` 0 is the headliner. */
        ShowArtist: {
            artist_id: components["schemas"]["ArtistId"];
            /** Format: date-time */
            created_at: string;
            id: components["schemas"]["ShowArtistId"];
            is_headliner: boolean;
            /** Format: int32 */
            order_index: number;
            /** Format: int32 */
            set_length?: number | null;
            show_id: components["schemas"]["ShowId"];
        };
        /**
         * Format: uuid
         * @description `show_artists.id`
         */
        ShowArtistId: string;
        /** @description A show's leaderboard with the baselines the fans are measured against. */
        ShowBoard: components["schemas"]["Board"] & {
            bot?: null | components["schemas"]["PredictionScore"];
            crowd?: null | components["schemas"]["PredictionScore"];
            /** Format: uuid */
            show_id: string;
        };
        /** @description A show as lists show it: with a summary of its headliner and venue. */
        ShowCard: {
            headliner: components["schemas"]["ArtistSummary"];
            show: components["schemas"]["Show"];
            venue?: null | components["schemas"]["VenueSummary"];
        };
        /** @description A show page: the show with its headliner, venue, line-up and setlists (`Show::details`). */
        ShowDetails: {
            headliner: components["schemas"]["Artist"];
            /** @description The bill in order (`order_index`), each slot with its artist. */
            lineup: components["schemas"]["LineupSlot"][];
            /** @description Predicted setlists first, then actual ones, each with its songs in order. */
            setlists: components["schemas"]["SetlistWithSongs"][];
            show: components["schemas"]["Show"];
            venue?: null | components["schemas"]["Venue"];
        };
        ShowHeader: {
            id: components["schemas"]["ShowId"];
            name: string;
            slug: string;
            /**
             * Format: date-time
             * @description Voting closes at this instant.
             */
            starts_at: string;
            status: components["schemas"]["ShowStatus"];
        };
        /**
         * Format: uuid
         * @description `shows.id`
         */
        ShowId: string;
        ShowPatch: {
            status: components["schemas"]["ShowStatus"];
        };
        /** @description The data of a show stream's `removed` (the stream ends). */
        ShowRemoved: {
            show_id: components["schemas"]["ShowId"];
        };
        /** @description The data of a show stream's `resync`: the state, and why it is sent again. */
        ShowResync: components["schemas"]["ShowState"] & {
            reason: components["schemas"]["ResyncReason"];
        };
        /**
         * @description A show as its realtime stream describes it: the header, every setlist with its songs (fans'
         *     own predictions are not streamed), and the score summary.
         */
        ShowState: {
            scores: components["schemas"]["ScoreSummary"];
            setlists: components["schemas"]["SetlistState"][];
            show: components["schemas"]["ShowHeader"];
        };
        /**
         * @description `show_status`
         * @enum {string}
         */
        ShowStatus: "upcoming" | "ongoing" | "completed" | "cancelled";
        /** @description The data of a show stream's `votes`. */
        ShowVotes: {
            songs: components["schemas"]["SongCounts"][];
        };
        Song: {
            /** Format: double */
            acousticness?: number | null;
            album?: string | null;
            album_art_url?: string | null;
            /** @description The primary artist's name, as the source spelled it. */
            artist: string;
            artist_id: components["schemas"]["ArtistId"];
            /** Format: date-time */
            created_at: string;
            /** Format: double */
            danceability?: number | null;
            /** Format: int32 */
            duration_ms?: number | null;
            /** Format: double */
            energy?: number | null;
            id: components["schemas"]["SongId"];
            is_explicit: boolean;
            is_playable: boolean;
            /** @description ISRC from Spotify's `external_ids`. */
            isrc?: string | null;
            /** Format: int32 */
            popularity: number;
            preview_url?: string | null;
            /** Format: date */
            release_date?: string | null;
            spotify_id?: string | null;
            title: string;
            /** @description Normalised title for matching across sources, generated by PostgreSQL (`song_title_key`). */
            title_key: string;
            /** Format: date-time */
            updated_at: string;
            /** Format: double */
            valence?: number | null;
        };
        /**
         * @description A song's counts in a show's `votes` event: the show and setlist are known from the snapshot,
         *     and leaving them out makes the frames every subscriber receives 40 % smaller.
         */
        SongCounts: {
            /** Format: int32 */
            downvotes: number;
            /** @description The setlist song. */
            id: components["schemas"]["SetlistSongId"];
            /** Format: int32 */
            net_votes: number;
            /** Format: int32 */
            upvotes: number;
            /** Format: int64 */
            version: number;
        };
        /** @description A song at a position of a setlist, with its counts. */
        SongEntry: {
            /** Format: int32 */
            downvotes: number;
            /**
             * Format: int32
             * @description 0 in the main set; 1, 2, ... the encore it belongs to.
             */
            encore: number;
            /** @description The setlist song's id (what votes name). */
            id: components["schemas"]["SetlistSongId"];
            is_played?: boolean | null;
            /** @description Played from tape (an intro, an outro): never counted by scoring. */
            is_tape: boolean;
            /** Format: int32 */
            net_votes: number;
            notes?: string | null;
            /** Format: date-time */
            play_time?: string | null;
            /** Format: int32 */
            position: number;
            /** @description The catalog song. */
            song_id: components["schemas"]["SongId"];
            title: string;
            /** Format: int32 */
            upvotes: number;
            /**
             * Format: int64
             * @description `setlist_songs.vote_version`: only grows; the higher of two states is the newer.
             */
            version: number;
        };
        SongHit: {
            artist_id: components["schemas"]["ArtistId"];
            artist_name: string;
            artist_slug: string;
            id: components["schemas"]["SongId"];
            /** Format: float */
            score: number;
            title: string;
        };
        /**
         * Format: uuid
         * @description `songs.id`
         */
        SongId: string;
        /** @description The data of a song stream's `removed` (the stream ends). */
        SongRemoved: {
            setlist_song_id: components["schemas"]["SetlistSongId"];
        };
        /** @description The data of a song stream's `resync`: the counts, and why they are sent again. */
        SongResync: components["schemas"]["SongVotes"] & {
            reason: components["schemas"]["ResyncReason"];
        };
        /** @description A song's statistics as stored, with its title. */
        SongStatsRow: {
            /**
             * Format: double
             * @description 1-based, among the performed songs.
             */
            average_position: number;
            /** Format: double */
            closer_rate: number;
            /** Format: double */
            encore_rate: number;
            /** Format: date */
            first_played: string;
            /** Format: date */
            last_played: string;
            /** Format: double */
            opener_rate: number;
            /**
             * Format: double
             * @description Share of the artist's shows with a setlist that played it.
             */
            play_rate: number;
            /**
             * Format: int32
             * @description The artist's shows since it was last played (0: played at the latest).
             */
            shows_since_played: number;
            song_id: components["schemas"]["SongId"];
            /** Format: int32 */
            times_played: number;
            title: string;
        };
        /**
         * @description A setlist song's counts at one version: what the vote log yields and what realtime vote
         *     events carry.
         */
        SongVotes: {
            /** Format: int32 */
            downvotes: number;
            /** Format: int32 */
            net_votes: number;
            setlist_id: components["schemas"]["SetlistId"];
            setlist_song_id: components["schemas"]["SetlistSongId"];
            show_id: components["schemas"]["ShowId"];
            /** Format: int32 */
            upvotes: number;
            /**
             * Format: int64
             * @description Only grows (`setlist_songs.vote_version`): ignore a state older than one already held.
             */
            version: number;
        };
        /** @description A fan's standing in a scope. */
        Standing: {
            /** Format: int32 */
            beat_bot: number;
            /** Format: int32 */
            beat_crowd: number;
            /** Format: double */
            best_score: number;
            /** Format: int32 */
            predictions: number;
            /** Format: double */
            rating: number;
            scope: string;
            /** Format: double */
            total_score: number;
            /** Format: date-time */
            updated_at: string;
            user_id: components["schemas"]["UserId"];
        };
        /**
         * @description A `text[]` list of strings (genres, amenities). PostgreSQL array elements are always nullable
         *     in the schema; CHECK constraints keep NULLs out of these columns, so Rust sees plain strings.
         */
        TextList: string[];
        /** @description A signed-up fan (or moderator, or admin). `id` is the `sub` of their Supabase token. */
        User: {
            avatar_url?: string | null;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            deleted_at?: string | null;
            display_name?: string | null;
            email: string;
            /** Format: date-time */
            email_verified?: string | null;
            id: components["schemas"]["UserId"];
            /** Format: date-time */
            last_login_at?: string | null;
            preferences: unknown;
            role: components["schemas"]["UserRole"];
            spotify_id?: string | null;
            /** Format: date-time */
            updated_at: string;
        };
        /**
         * Format: uuid
         * @description `users.id`: also the `sub` of the caller's token.
         */
        UserId: string;
        /** @description A user's public-facing profile (one per user). */
        UserProfile: {
            bio?: string | null;
            /** Format: int32 */
            concert_count: number;
            /** Format: date-time */
            created_at: string;
            favorite_genres: components["schemas"]["TextList"];
            id: components["schemas"]["UserProfileId"];
            is_public: boolean;
            location?: string | null;
            /** Format: date-time */
            updated_at: string;
            user_id: components["schemas"]["UserId"];
            website?: string | null;
        };
        /**
         * Format: uuid
         * @description `user_profiles.id`
         */
        UserProfileId: string;
        /**
         * @description `user_role`: what a user may do beyond voting. Read from `users`, never from a token.
         * @enum {string}
         */
        UserRole: "user" | "moderator" | "admin";
        Venue: {
            address?: string | null;
            amenities: components["schemas"]["TextList"];
            /** Format: int32 */
            capacity?: number | null;
            city: string;
            country: string;
            /** Format: date-time */
            created_at: string;
            description?: string | null;
            id: components["schemas"]["VenueId"];
            image_url?: string | null;
            /** Format: double */
            latitude?: number | null;
            /** Format: double */
            longitude?: number | null;
            name: string;
            phone_number?: string | null;
            postal_code?: string | null;
            setlistfm_id?: string | null;
            slug: string;
            state?: string | null;
            ticketmaster_id?: string | null;
            /** @description IANA zone name, e.g. `Europe/Berlin`: show start instants are resolved in it. */
            timezone: string;
            /** Format: date-time */
            updated_at: string;
            venue_type?: string | null;
            website?: string | null;
        };
        VenueHit: {
            city: string;
            country: string;
            id: components["schemas"]["VenueId"];
            name: string;
            /** Format: float */
            score: number;
            slug: string;
        };
        /**
         * Format: uuid
         * @description `venues.id`
         */
        VenueId: string;
        /** @description What lists show of a venue. */
        VenueSummary: {
            city: string;
            country: string;
            id: components["schemas"]["VenueId"];
            /** Format: double */
            latitude?: number | null;
            /** Format: double */
            longitude?: number | null;
            name: string;
            slug: string;
            state?: string | null;
            timezone: string;
        };
        Vote: {
            /** Format: date-time */
            created_at: string;
            id: components["schemas"]["VoteId"];
            setlist_song_id: components["schemas"]["SetlistSongId"];
            /** Format: date-time */
            updated_at: string;
            user_id: components["schemas"]["UserId"];
            vote_type: components["schemas"]["VoteType"];
        };
        VoteBody: {
            vote_type: components["schemas"]["VoteType"];
        };
        /**
         * Format: uuid
         * @description `votes.id`
         */
        VoteId: string;
        /** @description A setlist song's counts right after the caller's vote changed them. */
        VoteReply: {
            /** Format: int32 */
            downvotes: number;
            /** Format: int32 */
            net_votes: number;
            /** Format: uuid */
            setlist_song_id: string;
            /** Format: int32 */
            upvotes: number;
            vote_type?: null | components["schemas"]["VoteType"];
        };
        /**
         * @description `vote_type`
         * @enum {string}
         */
        VoteType: "up" | "down";
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    health_health: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The process is up */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, unknown>;
                };
            };
            /** @description A malformed parameter or body (a NUL character included), named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable, or the server is at capacity; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    health_ready: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The database answers and no migration is pending */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, unknown>;
                };
            };
            /** @description A malformed parameter or body (a NUL character included), named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    artists_list: {
        parameters: {
            query?: {
                /** @description The `next_cursor` of the previous page, as given (opaque); empty or absent: the first page */
                cursor?: string;
                /** @description Page size, 1 to 100 (20 when absent) */
                limit?: number;
            };
            header?: {
                /** @description An `ETag` of an earlier answer: 304 while it is current */
                "If-None-Match"?: string | null;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of artists by name */
            200: {
                headers: {
                    /** @description Strong tag of the content */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_Artist"];
                };
            };
            /** @description Not modified: the tag of `If-None-Match` is current */
            304: {
                headers: {
                    /** @description Strong tag of the content */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description A malformed parameter or body, named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Query string too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    artists_find: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Slug or UUID */
                key: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The artist with its statistics */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ArtistWithStats"];
                };
            };
            /** @description A malformed parameter or body (a NUL character included), named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    stats_average_setlist: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Artist slug or UUID */
                key: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The average setlist, empty without history */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AverageSetlist"];
                };
            };
            /** @description A malformed parameter or body (a NUL character included), named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    leaderboards_artist: {
        parameters: {
            query?: {
                /** @description The `next_cursor` of the previous page, as given (opaque); empty or absent: the first page */
                cursor?: string;
                /** @description Page size, 1 to 100 (20 when absent) */
                limit?: number;
            };
            header?: never;
            path: {
                /** @description Artist slug or UUID */
                key: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of the artist's board and the caller's row */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Board"];
                };
            };
            /** @description A malformed parameter, or a cursor of another list */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A token was sent and is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Query string too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    artists_shows: {
        parameters: {
            query?: {
                status?: "upcoming" | "completed";
                /** @description The `next_cursor` of the previous page, as given (opaque); empty or absent: the first page */
                cursor?: string;
                /** @description Page size, 1 to 100 (20 when absent) */
                limit?: number;
            };
            header?: {
                /** @description An `ETag` of an earlier answer: 304 while it is current */
                "If-None-Match"?: string | null;
            };
            path: {
                /** @description Slug or UUID */
                key: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of the artist's shows */
            200: {
                headers: {
                    /** @description Strong tag of the content */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_ShowCard"];
                };
            };
            /** @description Not modified: the tag of `If-None-Match` is current */
            304: {
                headers: {
                    /** @description Strong tag of the content */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description A malformed parameter or body, named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Query string too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    stats_artist_songs: {
        parameters: {
            query?: {
                /** @description The `next_cursor` of the previous page, as given (opaque); empty or absent: the first page */
                cursor?: string;
                /** @description Page size, 1 to 100 (20 when absent) */
                limit?: number;
            };
            header?: never;
            path: {
                /** @description Artist slug or UUID */
                key: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Per-song statistics */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SongStatsRow"][];
                };
            };
            /** @description A malformed parameter or body, named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Query string too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    artists_songs: {
        parameters: {
            query?: {
                /** @description The `next_cursor` of the previous page, as given (opaque); empty or absent: the first page */
                cursor?: string;
                /** @description Page size, 1 to 100 (20 when absent) */
                limit?: number;
            };
            header?: {
                /** @description An `ETag` of an earlier answer: 304 while it is current */
                "If-None-Match"?: string | null;
            };
            path: {
                /** @description Slug or UUID */
                key: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of the artist's catalog */
            200: {
                headers: {
                    /** @description Strong tag of the content */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_Song"];
                };
            };
            /** @description Not modified: the tag of `If-None-Match` is current */
            304: {
                headers: {
                    /** @description Strong tag of the content */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description A malformed parameter or body, named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Query string too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    fans_profile: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description User id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The fan's public profile */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FanProfile"];
                };
            };
            /** @description A malformed parameter or body, named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such fan, or a private profile */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    fans_predictions: {
        parameters: {
            query?: {
                /** @description The `next_cursor` of the previous page, as given (opaque); empty or absent: the first page */
                cursor?: string;
                /** @description Page size, 1 to 100 (20 when absent) */
                limit?: number;
            };
            header?: never;
            path: {
                /** @description User id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of the fan's predictions */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_PredictionRecord"];
                };
            };
            /** @description A malformed parameter, or a cursor of another list */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A token was sent and is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such fan, or a private profile */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Query string too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    leaderboards_period: {
        parameters: {
            query?: {
                /** @description `all` (default), a year (`2026`) or a month (`2026-12`), by show date. */
                period?: string;
                /** @description The `next_cursor` of the previous page, as given (opaque); empty or absent: the first page */
                cursor?: string;
                /** @description Page size, 1 to 100 (20 when absent) */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of the period's board and the caller's row */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Board"];
                };
            };
            /** @description A malformed parameter, or a cursor of another list */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A token was sent and is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Query string too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    me_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The caller's account and profile */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MeReply"];
                };
            };
            /** @description A malformed parameter or body (a NUL character included), named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid access token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not permitted */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The token's email belongs to another account (`code`: `email_in_use`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    me_delete: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The account is deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description A malformed parameter or body (a NUL character included), named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid access token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The account has been deleted already */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The token's email belongs to another account (`code`: `email_in_use`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests; see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    me_update: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MePatch"];
            };
        };
        responses: {
            /** @description The updated account */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            /** @description A malformed parameter or body, named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid access token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not permitted, or the token's account was deleted */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `email_in_use`: the token's email belongs to another account */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body over 64 KiB */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid value */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests; see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    me_export: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The caller's data, as a download */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AccountExport"];
                };
            };
            /** @description A malformed parameter or body (a NUL character included), named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid access token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The account has been deleted */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The token's email belongs to another account (`code`: `email_in_use`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests; see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    me_predictions: {
        parameters: {
            query?: {
                /** @description The `next_cursor` of the previous page, as given (opaque); empty or absent: the first page */
                cursor?: string;
                /** @description Page size, 1 to 100 (20 when absent) */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of the caller's predictions */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_PredictionRecord"];
                };
            };
            /** @description A malformed parameter, or a cursor of another list */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid access token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not permitted, or the token's account was deleted */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `email_in_use`: the token's email belongs to another account */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Query string too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    me_put_profile: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ProfileBody"];
            };
        };
        responses: {
            /** @description The profile as stored */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserProfile"];
                };
            };
            /** @description A malformed parameter or body, named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid access token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not permitted, or the token's account was deleted */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `email_in_use`: the token's email belongs to another account */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body over 64 KiB */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid value */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests; see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    openapi_json: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description This document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, unknown>;
                };
            };
            /** @description A malformed parameter or body (a NUL character included), named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable, or the server is at capacity; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    search_search: {
        parameters: {
            query: {
                /** @description Words of a name or title, at most 200 characters; a blank query finds nothing */
                q: string;
                /** @description Page size, 1 to 100 (20 when absent) */
                limit?: number;
            };
            header?: {
                /** @description An `ETag` of an earlier answer: 304 while it is current */
                "If-None-Match"?: string | null;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Artists, songs and venues, each ranked */
            200: {
                headers: {
                    /** @description Strong tag of the content */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SearchResults"];
                };
            };
            /** @description Not modified: the tag of `If-None-Match` is current */
            304: {
                headers: {
                    /** @description Strong tag of the content */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description A malformed parameter or body, named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Query string too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests; see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    setlists_update_song: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Setlist song id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SetlistSongPatch"];
            };
        };
        responses: {
            /** @description The updated setlist entry */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SetlistSong"];
                };
            };
            /** @description A malformed parameter or body, named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid access token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not permitted */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `email_in_use`: the token's email belongs to another account */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body over 64 KiB */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid value */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests; see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    votes_events: {
        parameters: {
            query?: {
                /**
                 * @description Resume after this event id, as the `Last-Event-ID` header does (the header wins); for
                 *     clients that cannot set headers.
                 */
                last_event_id?: string;
            };
            header?: {
                /** @description Resume after this event id */
                "Last-Event-ID"?: string | null;
            };
            path: {
                /** @description Setlist song id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A text/event-stream of the song's counts */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": {
                        data: string;
                        /** @constant */
                        event: "snapshot";
                        id?: string;
                    } | {
                        data: string;
                        /** @constant */
                        event: "votes";
                        id?: string;
                    } | {
                        data: string;
                        /** @constant */
                        event: "resync";
                        id?: string;
                    } | {
                        data: string;
                        /** @constant */
                        event: "removed";
                        id?: string;
                    };
                };
            };
            /** @description A malformed parameter or body, named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Query string too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many streams or stream opens from this address; see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable, live updates switched off, or too many streams; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    votes_cast: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Setlist song id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["VoteBody"];
            };
        };
        responses: {
            /** @description The song's new counts */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VoteReply"];
                };
            };
            /** @description A malformed parameter or body, named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid access token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not permitted, or the token's account was deleted */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Voting closed (`code`: `voting_closed`, `show_started`); or `email_in_use`: the token's email belongs to another account */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body over 64 KiB */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Well-formed but invalid: a value out of range, a reference to a missing row */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many votes; see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    votes_retract: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Setlist song id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The song's new counts */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VoteReply"];
                };
            };
            /** @description A malformed parameter or body, named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid access token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not permitted, or the token's account was deleted */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Voting closed (`code`: `voting_closed`, `show_started`); or `email_in_use`: the token's email belongs to another account */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many votes; see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    setlists_delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Setlist id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description A malformed parameter or body, named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid access token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not permitted */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Predictions are closed (`show_started`, `show_cancelled`, `show_postponed`, `setlist_locked`); or `email_in_use`: the token's email belongs to another account */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests; see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    setlists_lock: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Setlist id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The locked setlist */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Setlist"];
                };
            };
            /** @description A malformed parameter or body, named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid access token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not permitted */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `email_in_use`: the token's email belongs to another account */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests; see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    setlists_order: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Setlist id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OrderBody"];
            };
        };
        responses: {
            /** @description The setlist's entries in their new order */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SetlistSong"][];
                };
            };
            /** @description A malformed parameter or body, named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid access token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not permitted */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Predictions are closed (`show_started`, `show_cancelled`, `show_postponed`, `setlist_locked`); or `email_in_use`: the token's email belongs to another account */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body over 64 KiB */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An entry named twice, missing, or not of this setlist; `encore_from` out of range */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests; see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    setlists_add_song: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Setlist id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AddSongBody"];
            };
        };
        responses: {
            /** @description The new setlist entry */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SetlistSong"];
                };
            };
            /** @description A malformed parameter or body, named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid access token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not permitted */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The setlist cannot take this edit (`code`: `duplicate_song`, `setlist_locked`); or `email_in_use`: the token's email belongs to another account */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body over 64 KiB */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid value */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests; see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    setlists_remove_song: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Setlist id */
                id: string;
                /** @description Setlist song id */
                setlist_song_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Removed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description A malformed parameter or body, named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid access token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not permitted */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The setlist cannot take this edit (`code`: `duplicate_song`, `setlist_locked`); or `email_in_use`: the token's email belongs to another account */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests; see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    setlists_unlock: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Setlist id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The unlocked setlist */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Setlist"];
                };
            };
            /** @description A malformed parameter or body, named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid access token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not permitted */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `email_in_use`: the token's email belongs to another account */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests; see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    shows_nearby: {
        parameters: {
            query: {
                lat: number;
                lng: number;
                /** @description Kilometres, above 0 and at most 500 (50 when absent) */
                radius_km?: number;
                /** @description Start of the window (RFC 3339); now when absent. */
                from?: string;
                /** @description End of the window, exclusive; open when absent. */
                to?: string;
                /** @description `nearest` (default) or `soonest`. */
                order?: "nearest" | "soonest";
                /** @description Page size, 1 to 100 (20 when absent) */
                limit?: number;
            };
            header?: {
                /** @description An `ETag` of an earlier answer: 304 while it is current */
                "If-None-Match"?: string | null;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Upcoming shows near the point, with distance_m */
            200: {
                headers: {
                    /** @description Strong tag of the content */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NearbyShow"][];
                };
            };
            /** @description Not modified: the tag of `If-None-Match` is current */
            304: {
                headers: {
                    /** @description Strong tag of the content */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description A malformed parameter or body, named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Query string too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    shows_trending: {
        parameters: {
            query?: {
                /** @description Page size, 1 to 100 (20 when absent) */
                limit?: number;
            };
            header?: {
                /** @description An `ETag` of an earlier answer: 304 while it is current */
                "If-None-Match"?: string | null;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Upcoming shows by trending score */
            200: {
                headers: {
                    /** @description Strong tag of the content */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ShowCard"][];
                };
            };
            /** @description Not modified: the tag of `If-None-Match` is current */
            304: {
                headers: {
                    /** @description Strong tag of the content */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description A malformed parameter or body, named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Query string too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    shows_details: {
        parameters: {
            query?: never;
            header?: {
                /** @description An `ETag` of an earlier answer: 304 while it is current */
                "If-None-Match"?: string | null;
            };
            path: {
                /** @description Slug or UUID */
                key: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The show with headliner, venue, line-up and setlists */
            200: {
                headers: {
                    /** @description Strong tag of the content */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ShowDetails"];
                };
            };
            /** @description Not modified: the tag of `If-None-Match` is current */
            304: {
                headers: {
                    /** @description Strong tag of the content */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description A malformed parameter or body (a NUL character included), named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    shows_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Slug or UUID */
                key: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ShowPatch"];
            };
        };
        responses: {
            /** @description The updated show */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Show"];
                };
            };
            /** @description A malformed parameter or body, named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid access token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not permitted */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `email_in_use`: the token's email belongs to another account */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body over 64 KiB */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Well-formed but invalid: a value out of range, a reference to a missing row */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    shows_events: {
        parameters: {
            query?: {
                /**
                 * @description Resume after this event id, as the `Last-Event-ID` header does (the header wins); for
                 *     clients that cannot set headers.
                 */
                last_event_id?: string;
            };
            header?: {
                /** @description Resume after this event id */
                "Last-Event-ID"?: string | null;
            };
            path: {
                /** @description Slug or UUID */
                key: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A text/event-stream of the show's changes */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": {
                        data: string;
                        /** @constant */
                        event: "snapshot";
                        id?: string;
                    } | {
                        data: string;
                        /** @constant */
                        event: "votes";
                        id?: string;
                    } | {
                        data: string;
                        /** @constant */
                        event: "setlist";
                        id?: string;
                    } | {
                        data: string;
                        /** @constant */
                        event: "setlist_removed";
                        id?: string;
                    } | {
                        data: string;
                        /** @constant */
                        event: "show";
                        id?: string;
                    } | {
                        data: string;
                        /** @constant */
                        event: "played";
                        id?: string;
                    } | {
                        data: string;
                        /** @constant */
                        event: "scored";
                        id?: string;
                    } | {
                        data: string;
                        /** @constant */
                        event: "resync";
                        id?: string;
                    } | {
                        data: string;
                        /** @constant */
                        event: "removed";
                        id?: string;
                    };
                };
            };
            /** @description A malformed parameter or body (a NUL character included), named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Query string too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many streams or stream opens from this address; see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable, live updates switched off, or too many streams; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    leaderboards_show: {
        parameters: {
            query?: {
                /** @description The `next_cursor` of the previous page, as given (opaque); empty or absent: the first page */
                cursor?: string;
                /** @description Page size, 1 to 100 (20 when absent) */
                limit?: number;
            };
            header?: never;
            path: {
                /** @description Show slug or UUID */
                key: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of the show's board, the caller's row, the baselines */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ShowBoard"];
                };
            };
            /** @description A malformed parameter, or a cursor of another list */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A token was sent and is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Query string too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    live_played: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Show slug or UUID */
                key: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PlayedBody"];
            };
        };
        responses: {
            /** @description The new entry of the actual setlist */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SetlistSong"];
                };
            };
            /** @description A malformed parameter or body, named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid access token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not permitted */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `email_in_use`: the token's email belongs to another account */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body over 64 KiB */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid value: a song of another artist, an artist not on the bill */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests; see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    shows_my_votes: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Slug or UUID */
                key: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The caller's votes on the show's predicted setlists */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Vote"][];
                };
            };
            /** @description A malformed parameter or body (a NUL character included), named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid access token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not permitted, or the token's account was deleted */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `email_in_use`: the token's email belongs to another account */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    predictions_of_show: {
        parameters: {
            query?: {
                /** @description The `next_cursor` of the previous page, as given (opaque); empty or absent: the first page */
                cursor?: string;
                /** @description Page size, 1 to 100 (20 when absent) */
                limit?: number;
            };
            header?: never;
            path: {
                /** @description Show slug or UUID */
                key: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of predictions with their songs */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_SetlistWithSongs"];
                };
            };
            /** @description A malformed parameter or body, named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Query string too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    predictions_create: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Show slug or UUID */
                key: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The new prediction */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Setlist"];
                };
            };
            /** @description A malformed parameter or body (a NUL character included), named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid access token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not permitted, or the token's account was deleted */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A prediction of this show exists (`prediction_exists`), or predictions are closed (`show_started`, `show_cancelled`, `show_postponed`); or `email_in_use`: the token's email belongs to another account */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests; see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    predictions_mine: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Show slug or UUID */
                key: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The caller's prediction */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SetlistWithSongs"];
                };
            };
            /** @description A malformed parameter or body (a NUL character included), named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No valid access token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not permitted, or the token's account was deleted */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such show, or no prediction of it */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `email_in_use`: the token's email belongs to another account */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    stats_song: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Song id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The song's statistics */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SongStatsRow"];
                };
            };
            /** @description A malformed parameter or body, named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such song, or never played */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    venues_nearby: {
        parameters: {
            query: {
                lat: number;
                lng: number;
                /** @description Kilometres, above 0 and at most 500 (50 when absent) */
                radius_km?: number;
                /** @description Page size, 1 to 100 (20 when absent) */
                limit?: number;
            };
            header?: {
                /** @description An `ETag` of an earlier answer: 304 while it is current */
                "If-None-Match"?: string | null;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Venues nearest first, with distance_m */
            200: {
                headers: {
                    /** @description Strong tag of the content */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NearbyVenue"][];
                };
            };
            /** @description Not modified: the tag of `If-None-Match` is current */
            304: {
                headers: {
                    /** @description Strong tag of the content */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description A malformed parameter or body, named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Query string too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    venues_find: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Slug or UUID */
                key: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The venue */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Venue"];
                };
            };
            /** @description A malformed parameter or body (a NUL character included), named in `detail` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Database unavailable; see Retry-After */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
}
