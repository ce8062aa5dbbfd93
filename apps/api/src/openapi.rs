//! The OpenAPI 3 document, generated from the route annotations (utoipa) and served at
//! `/v1/openapi.json`. `apps/api/openapi.json` is the committed copy; a test fails when the two
//! differ (`UPDATE_OPENAPI=1 cargo test -p theset-api --test api openapi` rewrites it).
//!
//! Response bodies are the `theset-database` types themselves, whose schemas that crate derives
//! under its `openapi` feature, so the document cannot drift from what handlers serialise.

use actix_web::{HttpResponse, get};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes::{
    artists, events, fans, health, leaderboards, live, me, predictions, search, setlists, shows,
    stats, venues, votes,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "TheSet API",
        description = "Concert setlist predictions: artists, venues, shows, predicted setlists and votes. \
                       Errors are application/problem+json with a stable `code` (the `Code` schema; one \
                       status per code): branch on `code`, show `detail`. A signed-in request whose token's \
                       email belongs to another account gets 409 `email_in_use` on any route.",
    ),
    components(schemas(crate::error::Code)),
    paths(
        health::health,
        health::ready,
        artists::list,
        artists::find,
        artists::shows,
        artists::songs,
        venues::nearby,
        venues::find,
        shows::trending,
        shows::nearby,
        shows::details,
        shows::my_votes,
        shows::update,
        events::show_events,
        events::song_events,
        search::search,
        me::get,
        me::update,
        me::put_profile,
        me::export,
        me::delete_account,
        votes::cast,
        votes::retract,
        setlists::add_song,
        setlists::remove_song,
        setlists::lock,
        setlists::unlock,
        setlists::update_song,
        predictions::create,
        predictions::mine,
        predictions::of_show,
        predictions::order,
        predictions::remove,
        leaderboards::show,
        leaderboards::artist,
        leaderboards::period,
        fans::my_predictions,
        fans::profile,
        fans::predictions,
        live::played,
        stats::artist_songs,
        stats::average_setlist,
        stats::song,
        openapi_json,
    ),
    modifiers(&BearerAuth),
)]
#[derive(Debug)]
pub struct ApiDoc;

/// Declares the `bearer` scheme the signed-in routes name: a Supabase Auth access token.
#[derive(Debug)]
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.bearer_format = Some("JWT".to_owned());
        scheme.description =
            Some("A Supabase Auth access token (ES256 or RS256 from the project's JWKS, or HS256 with the legacy secret; aud \"authenticated\")".to_owned());
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// The document as JSON text, stable across runs (the committed copy is compared with it).
pub fn document() -> String {
    ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|_| "{}".to_owned())
}

#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "This document", body = Object))
)]
#[get("/v1/openapi.json")]
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(document())
}
