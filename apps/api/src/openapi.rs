//! The OpenAPI 3 document, generated from the route annotations (utoipa) and served at
//! `/v1/openapi.json`. `apps/api/openapi.json` is the committed copy; a test fails when the two
//! differ (`UPDATE_OPENAPI=1 cargo test -p theset-api --test api openapi` rewrites it).
//!
//! Response bodies are the `theset-database` types themselves, whose schemas that crate derives
//! under its `openapi` feature, so the document cannot drift from what handlers serialise.

use actix_web::{HttpResponse, get};
use theset_database::pagination::{DEFAULT_LIMIT, MAX_CURSOR_CHARS, MAX_LIMIT};
use utoipa::Number;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
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
                       email belongs to another account gets 409 `email_in_use` on any route. A method a path \
                       does not offer answers 405 with `Allow`; an unknown path 404.",
    ),
    components(schemas(
        crate::error::Code,
        theset_realtime::ShowState,
        theset_realtime::ShowVotes,
        theset_realtime::SetlistUpdate,
        theset_realtime::SetlistRemoved,
        theset_realtime::ShowHeader,
        theset_realtime::Played,
        theset_realtime::Scored,
        theset_realtime::ShowResync,
        theset_realtime::ShowRemoved,
        theset_realtime::SongVotes,
        theset_realtime::SongResync,
        theset_realtime::SongRemoved,
    )),
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
    modifiers(&BearerAuth, &StandardResponses, &ParameterBounds),
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

/// The statuses whole classes of routes can answer, documented once here rather than on every
/// route: a route's own entry for a status (with its specific codes) is kept, and the standard
/// meaning added to it where it differs (409 `email_in_use` on a signed-in route).
#[derive(Debug)]
struct StandardResponses;

/// A standard status: (status, description, whether an operation of this shape answers it).
type Rule = (&'static str, &'static str, fn(&Operation) -> bool);

impl StandardResponses {
    /// (status, description, applies): `applies` reads the operation's shape.
    const RULES: &[Rule] = &[
        (
            "400",
            "A malformed parameter or body (a NUL character included), named in `detail`",
            |_| true,
        ),
        ("401", "No valid access token", is_signed_in),
        (
            "403",
            "Not permitted, or the token's account was deleted",
            is_signed_in,
        ),
        (
            "409",
            "`email_in_use`: the token's email belongs to another account",
            is_signed_in,
        ),
        ("413", "Body over 64 KiB", has_body),
        ("414", "Query string too long", has_query),
        ("415", "The body is not `application/json`", has_body),
        (
            "422",
            "Well-formed but invalid: a value out of range, a reference to a missing row",
            has_body,
        ),
        (
            "503",
            "Database unavailable, or the server is at capacity; see Retry-After",
            |_| true,
        ),
    ];
}

fn is_signed_in(op: &Operation) -> bool {
    op.security.as_ref().is_some_and(|s| !s.is_empty())
}

fn has_body(op: &Operation) -> bool {
    op.request_body.is_some()
}

fn has_query(op: &Operation) -> bool {
    op.parameters
        .iter()
        .flatten()
        .any(|p| p.parameter_in == ParameterIn::Query)
}

/// Every operation of the document.
fn operations(openapi: &mut utoipa::openapi::OpenApi) -> impl Iterator<Item = &mut Operation> {
    openapi.paths.paths.values_mut().flat_map(|item| {
        [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
    })
}

impl Modify for StandardResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for op in operations(openapi) {
            for (status, description, applies) in Self::RULES {
                if !applies(op) {
                    continue;
                }
                match op.responses.responses.get_mut(*status) {
                    Some(RefOr::T(own)) => {
                        if *status == "409" && !own.description.contains("email_in_use") {
                            own.description.push_str("; or ");
                            own.description.push_str(description);
                        }
                    }
                    Some(RefOr::Ref(_)) => {}
                    None => {
                        op.responses
                            .responses
                            .insert((*status).to_owned(), RefOr::T(problem(description)));
                    }
                }
            }
        }
    }
}

fn problem(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
}

/// The bounds of the query parameters every route reads alike (`extract::limit`,
/// `extract::cursor`, `venues::point_and_radius`, the search), declared where those functions'
/// constants are, once for every route that takes the parameter.
#[derive(Debug)]
struct ParameterBounds;

impl Modify for ParameterBounds {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for op in operations(openapi) {
            for param in op.parameters.iter_mut().flatten() {
                if param.parameter_in != ParameterIn::Query {
                    continue;
                }
                let Some(RefOr::T(Schema::Object(schema))) = param.schema.as_mut() else {
                    continue;
                };
                match param.name.as_str() {
                    "limit" => {
                        schema.minimum = Some(Number::Int(1));
                        schema.maximum = Some(Number::Int(
                            isize::try_from(MAX_LIMIT).unwrap_or(isize::MAX),
                        ));
                        param.description = Some(format!(
                            "Page size, 1 to {MAX_LIMIT} ({DEFAULT_LIMIT} when absent)"
                        ));
                    }
                    "cursor" => {
                        schema.max_length = Some(MAX_CURSOR_CHARS);
                        schema.pattern = Some("^[A-Za-z0-9_-]*$".to_owned());
                        param.description = Some(
                                "The `next_cursor` of the previous page, as given (opaque); empty or absent: the first page"
                                    .to_owned(),
                            );
                    }
                    "lat" => {
                        schema.minimum = Some(Number::Float(-90.0));
                        schema.maximum = Some(Number::Float(90.0));
                    }
                    "lng" => {
                        schema.minimum = Some(Number::Float(-180.0));
                        schema.maximum = Some(Number::Float(180.0));
                    }
                    "radius_km" => {
                        schema.exclusive_minimum = Some(Number::Float(0.0));
                        schema.maximum = Some(Number::Float(venues::MAX_RADIUS_KM));
                        param.description = Some(format!(
                            "Kilometres, above 0 and at most {} ({} when absent)",
                            venues::MAX_RADIUS_KM,
                            venues::DEFAULT_RADIUS_KM
                        ));
                    }
                    "q" => {
                        schema.max_length = Some(search::MAX_QUERY_CHARS);
                        param.description = Some(format!(
                            "Words of a name or title, at most {} characters; a blank query finds nothing",
                            search::MAX_QUERY_CHARS
                        ));
                    }
                    _ => {}
                }
            }
        }
    }
}

/// Each event stream's events and the schema of their data (the names are the events' own,
/// `theset_realtime::Event::name`), written into the document by [`document`]: as the
/// `text/event-stream` schema of the stream's 200 answer (one event: `event`, `id`, and `data`,
/// JSON of the named schema, as OpenAPI 3.1 describes an event stream), and as
/// `x-theset-events` (event name to schema) for client generators.
const STREAMS: &[(&str, &[(&str, &str)])] = &[
    (
        "/v1/shows/{key}/events",
        &[
            ("snapshot", "ShowState"),
            ("votes", "ShowVotes"),
            ("setlist", "SetlistUpdate"),
            ("setlist_removed", "SetlistRemoved"),
            ("show", "ShowHeader"),
            ("played", "Played"),
            ("scored", "Scored"),
            ("resync", "ShowResync"),
            ("removed", "ShowRemoved"),
        ],
    ),
    (
        "/v1/setlist-songs/{id}/events",
        &[
            ("snapshot", "SongVotes"),
            ("votes", "SongVotes"),
            ("resync", "SongResync"),
            ("removed", "SongRemoved"),
        ],
    ),
];

/// The JSON pointer of a path's entry in the document (RFC 6901 escapes).
fn path_pointer(path: &str) -> String {
    format!("/paths/{}", path.replace('~', "~0").replace('/', "~1"))
}

fn describe_streams(document: &mut serde_json::Value) {
    use serde_json::{Value, json};
    for (path, events) in STREAMS {
        let Some(op) = document
            .pointer_mut(&format!("{}/get", path_pointer(path)))
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        let schema = |name: &str| json!({ "$ref": format!("#/components/schemas/{name}") });
        let one_event: Vec<Value> = events
            .iter()
            .map(|(event, name)| {
                json!({
                    "type": "object",
                    "required": ["event", "data"],
                    "properties": {
                        "event": { "const": event },
                        "id": { "type": "string" },
                        "data": {
                            "type": "string",
                            "contentMediaType": "application/json",
                            "contentSchema": schema(name),
                        },
                    },
                })
            })
            .collect();
        let map: serde_json::Map<String, Value> = events
            .iter()
            .map(|(event, name)| ((*event).to_owned(), schema(name)))
            .collect();
        op.insert("x-theset-events".to_owned(), Value::Object(map));
        if let Some(content) = op
            .get_mut("responses")
            .and_then(|r| r.get_mut("200"))
            .and_then(|r| r.get_mut("content"))
            .and_then(|c| c.get_mut("text/event-stream"))
            .and_then(Value::as_object_mut)
        {
            content.insert("schema".to_owned(), json!({ "oneOf": one_event }));
        }
    }
}

/// Every string a request carries (parameters, and the fields of JSON bodies) is refused with
/// 400 when it holds a NUL character (`extract`: PostgreSQL's text cannot store one); the
/// document says so on each of them with a pattern, beside any pattern of its own.
fn forbid_nul_in_requests(document: &mut serde_json::Value) {
    use serde_json::Value;
    const NO_NUL: &str = "^[^\\u0000]*$";
    fn mark(schema: &mut Value) {
        let Some(object) = schema.as_object_mut() else {
            return;
        };
        let is_string = match object.get("type") {
            Some(Value::String(t)) => t == "string",
            Some(Value::Array(types)) => types.iter().any(|t| t == "string"),
            _ => false,
        };
        let marked = object.get("pattern").is_some_and(|p| p == NO_NUL);
        if is_string && !marked && !object.contains_key("enum") && !object.contains_key("format") {
            if object.contains_key("pattern") {
                // The member repeats the type: generated TypeScript reads a member without one
                // as `unknown` (`string & unknown`).
                let member =
                    serde_json::json!([{ "type": object["type"].clone(), "pattern": NO_NUL }]);
                object.insert("allOf".to_owned(), member);
            } else {
                object.insert("pattern".to_owned(), Value::from(NO_NUL));
            }
        }
        if let Some(Value::Object(properties)) = object.get_mut("properties") {
            properties.values_mut().for_each(mark);
        }
        for key in ["items", "additionalProperties"] {
            if let Some(inner) = object.get_mut(key) {
                mark(inner);
            }
        }
        for key in ["oneOf", "anyOf", "allOf"] {
            if let Some(Value::Array(alternatives)) = object.get_mut(key) {
                alternatives.iter_mut().for_each(mark);
            }
        }
    }
    let mut bodies = std::collections::BTreeSet::new();
    if let Some(Value::Object(paths)) = document.get_mut("paths") {
        for op in paths
            .values_mut()
            .filter_map(Value::as_object_mut)
            .flat_map(|item| item.values_mut().filter_map(Value::as_object_mut))
        {
            if let Some(Value::Array(parameters)) = op.get_mut("parameters") {
                for parameter in parameters.iter_mut() {
                    if let Some(schema) = parameter.get_mut("schema") {
                        mark(schema);
                    }
                }
            }
            if let Some(reference) = op
                .get("requestBody")
                .and_then(|body| body.pointer("/content/application~1json/schema/$ref"))
                .and_then(Value::as_str)
            {
                bodies.insert(reference.rsplit('/').next().unwrap_or_default().to_owned());
            }
        }
    }
    for name in bodies {
        if let Some(schema) = document.pointer_mut(&format!("/components/schemas/{name}")) {
            mark(schema);
        }
    }
}

/// A response by (path, method, status).
type Answer = (&'static str, &'static str, &'static str);
/// A link's target operation id and its parameters as (name, runtime expression).
type Link = (&'static str, &'static [(&'static str, &'static str)]);

/// What a response hands the next request (OpenAPI links), by (path, method, status): a fan's
/// flow is create a prediction, add songs, vote on them, lock it. Clients read them as
/// documentation; schemathesis's stateful phase follows them.
const LINKS: &[(Answer, &[(&str, Link)])] = &[
    (
        ("/v1/shows/{key}/predictions", "post", "201"),
        &[
            (
                "AddSong",
                ("setlists_add_song", &[("id", "$response.body#/id")]),
            ),
            (
                "Reorder",
                ("setlists_order", &[("id", "$response.body#/id")]),
            ),
            ("Lock", ("setlists_lock", &[("id", "$response.body#/id")])),
            (
                "Delete",
                ("setlists_delete", &[("id", "$response.body#/id")]),
            ),
        ],
    ),
    (
        ("/v1/setlists/{id}/songs", "post", "201"),
        &[
            ("Vote", ("votes_cast", &[("id", "$response.body#/id")])),
            (
                "Retract",
                ("votes_retract", &[("id", "$response.body#/id")]),
            ),
            (
                "Update",
                ("setlists_update_song", &[("id", "$response.body#/id")]),
            ),
            ("Events", ("votes_events", &[("id", "$response.body#/id")])),
            (
                "Remove",
                (
                    "setlists_remove_song",
                    &[
                        ("id", "$response.body#/setlist_id"),
                        ("setlist_song_id", "$response.body#/id"),
                    ],
                ),
            ),
        ],
    ),
    (
        ("/v1/setlists/{id}/lock", "post", "200"),
        &[(
            "Unlock",
            ("setlists_unlock", &[("id", "$response.body#/id")]),
        )],
    ),
    (
        ("/v1/artists/{key}/songs", "get", "200"),
        &[(
            "Stats",
            ("stats_song", &[("id", "$response.body#/items/0/id")]),
        )],
    ),
];

fn link_responses(document: &mut serde_json::Value) {
    for ((path, method, status), links) in LINKS {
        let pointer = format!("{}/{method}/responses/{status}", path_pointer(path));
        let Some(serde_json::Value::Object(response)) = document.pointer_mut(&pointer) else {
            continue;
        };
        let links: serde_json::Map<String, serde_json::Value> = links
            .iter()
            .map(|(name, (operation, parameters))| {
                let parameters: serde_json::Map<String, serde_json::Value> = parameters
                    .iter()
                    .map(|(name, value)| ((*name).to_owned(), (*value).into()))
                    .collect();
                (
                    (*name).to_owned(),
                    serde_json::json!({ "operationId": operation, "parameters": parameters }),
                )
            })
            .collect();
        response.insert("links".to_owned(), links.into());
    }
}

/// The document as JSON text, stable across runs (the committed copy is compared with it);
/// built once per process (some 170 KB of JSON), not per request.
pub fn document() -> &'static str {
    static DOCUMENT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DOCUMENT.get_or_init(build_document)
}

fn build_document() -> String {
    let Ok(mut document) = serde_json::to_value(ApiDoc::openapi()) else {
        return "{}".to_owned();
    };
    describe_streams(&mut document);
    forbid_nul_in_requests(&mut document);
    link_responses(&mut document);
    serde_json::to_string_pretty(&document).unwrap_or_else(|_| "{}".to_owned())
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
