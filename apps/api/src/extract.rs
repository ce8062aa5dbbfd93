//! Request extractors that fail with an `ApiError` naming the offending field, which actix's own
//! `Json` and `Query` do not do (serde_json and serde_urlencoded report a position, not a path).

use std::str::FromStr;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use futures_util::future::{LocalBoxFuture, Ready, ready};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, Code};

/// Largest request body accepted (larger ones get 413).
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Longest query string accepted (longer ones get 414): no route needs more.
pub const MAX_QUERY_BYTES: usize = 2048;

/// A JSON body, deserialised with the failing field's path in the error. Request body types are
/// `#[serde(deny_unknown_fields)]`, so a smuggled `user_id` or `role` is refused, not ignored.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim();
                mime.eq_ignore_ascii_case("application/json")
                    || (mime.starts_with("application/") && mime.ends_with("+json"))
            });
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if declared.is_some_and(|len| len > MAX_BODY_BYTES) {
                return Err(ApiError::payload_too_large(MAX_BODY_BYTES));
            }
            if !is_json {
                return Err(ApiError::new(
                    Code::UnsupportedMediaType,
                    "the body must be application/json",
                ));
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| ApiError::bad_request(format!("body: {e}")))?;
                if body.len() + chunk.len() > MAX_BODY_BYTES {
                    return Err(ApiError::payload_too_large(MAX_BODY_BYTES));
                }
                body.extend_from_slice(&chunk);
            }
            parse_json(&body).map(Json)
        })
    }
}

/// Deserialises a JSON body; the error names the field that failed (`body.song_id: ...`). A
/// string holding NUL (`\u0000`, which PostgreSQL cannot store in text) is refused by name too.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("malformed JSON: {e}")))?;
    if let Some(path) = nul_in(&value, "body") {
        return Err(ApiError::invalid_field(&path, "contains a NUL character"));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." {
            ApiError::invalid_field("body", inner)
        } else {
            ApiError::invalid_field(&format!("body.{path}"), inner)
        }
    })
}

/// The path of the first string (or key) holding NUL in a JSON document.
fn nul_in(value: &serde_json::Value, path: &str) -> Option<String> {
    match value {
        serde_json::Value::String(s) => s.contains('\0').then(|| path.to_owned()),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| nul_in(v, &format!("{path}[{i}]"))),
        serde_json::Value::Object(fields) => fields.iter().find_map(|(k, v)| {
            let here = format!("{path}.{k}");
            if k.contains('\0') {
                Some(here)
            } else {
                nul_in(v, &here)
            }
        }),
        _ => None,
    }
}

/// Refuses a request whose path holds an encoded NUL (`%00`): PostgreSQL cannot store it, and
/// slugs and ids are path segments of many routes.
pub async fn reject_nul_in_path<B: actix_web::body::MessageBody>(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<B>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::EitherBody<B>>, actix_web::Error> {
    use actix_web::ResponseError;
    if req.path().to_ascii_lowercase().contains("%00") {
        let problem = ApiError::invalid_field("path", "contains a NUL character").error_response();
        return Ok(req.into_response(problem).map_into_right_body());
    }
    next.call(req).await.map(|r| r.map_into_left_body())
}

/// Query parameters, deserialised with the failing parameter named. Query types are
/// `#[serde(deny_unknown_fields)]` too, so a misspelt parameter is an error, not a silent default.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse_query(req.query_string()).map(Query))
    }
}

pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    if query.len() > MAX_QUERY_BYTES {
        return Err(ApiError::new(
            Code::UriTooLong,
            format!("the query string exceeds {MAX_QUERY_BYTES} bytes"),
        ));
    }
    if let Some((name, _)) = form_urlencoded::parse(query.as_bytes())
        .find(|(name, value)| name.contains('\0') || value.contains('\0'))
    {
        return Err(ApiError::invalid_field(&name, "contains a NUL character"));
    }
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." {
            ApiError::invalid_field("query", inner)
        } else {
            ApiError::invalid_field(&path, inner)
        }
    })
}

/// Parses a path segment (an id) or answers 400 naming it.
pub fn path_id<T: FromStr>(name: &str, raw: &str) -> Result<T, ApiError>
where
    T::Err: std::fmt::Display,
{
    raw.parse()
        .map_err(|e| ApiError::invalid_field(name, format!("{raw:?} is not a UUID ({e})")))
}

/// A `limit` query parameter: 1..=100, or the default when absent.
pub fn limit(raw: Option<i64>) -> Result<i64, ApiError> {
    use theset_database::pagination::{DEFAULT_LIMIT, MAX_LIMIT};
    match raw {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(n) => Err(ApiError::invalid_field(
            "limit",
            format!("{n} is out of range 1..={MAX_LIMIT}"),
        )),
    }
}

/// A `cursor` query parameter, as a page's `next_cursor` gave it.
pub fn cursor(raw: Option<&str>) -> Result<Option<theset_database::Cursor>, ApiError> {
    // `cursor=` (a client that always sends the parameter) is the first page.
    raw.filter(|raw| !raw.is_empty())
        .map(|raw| {
            theset_database::Cursor::decode(raw)
                .map_err(|_| ApiError::invalid_field("cursor", "not a cursor this service issued"))
        })
        .transpose()
}

/// A whole number in a JSON body, written `2` or `2.0` alike (JSON Schema's `integer`, which
/// the document promises, counts both); a fraction or a value outside `i32` is refused. Use with
/// `#[serde(deserialize_with = "whole_number")]`.
pub fn whole_number<'de, D>(de: D) -> Result<i32, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let number: serde_json::Number = serde::Deserialize::deserialize(de)?;
    to_i32(&number)
}

/// [`whole_number`] for optional fields (`null` or absent: `None`); with
/// `#[serde(default, deserialize_with = "optional_whole_number")]`.
pub fn optional_whole_number<'de, D>(de: D) -> Result<Option<i32>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    <Option<serde_json::Number> as serde::Deserialize>::deserialize(de)?
        .map(|number| to_i32(&number))
        .transpose()
}

fn to_i32<E: serde::de::Error>(number: &serde_json::Number) -> Result<i32, E> {
    let whole = match number.as_i64() {
        Some(n) => i32::try_from(n).ok(),
        None => number.as_f64().and_then(|f| {
            // Within i32 and with no fraction, the conversion is exact.
            #[allow(clippy::cast_possible_truncation)]
            let whole = f as i32;
            (f.fract() == 0.0 && f >= f64::from(i32::MIN) && f <= f64::from(i32::MAX))
                .then_some(whole)
        }),
    };
    whole.ok_or_else(|| E::custom(format!("expected a whole number within i32, got {number}")))
}

/// `Option<Option<T>>` for PATCH bodies: absent leaves a field as it is (`None`), `null` clears
/// it (`Some(None)`). Use with `#[serde(default, deserialize_with = "double_option")]`.
pub fn double_option<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    serde::Deserialize::deserialize(de).map(Some)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        song_id: uuid::Uuid,
        #[serde(default, deserialize_with = "double_option")]
        notes: Option<Option<String>>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Params {
        limit: Option<i64>,
        lat: f64,
    }

    #[test]
    fn json_errors_name_the_field() {
        let e = parse_json::<Body>(br#"{"song_id": "nope"}"#).unwrap_err();
        assert!(e.detail.starts_with("body.song_id:"), "{}", e.detail);
        let e = parse_json::<Body>(br#"{"song_id": "#).unwrap_err();
        assert!(e.detail.starts_with("malformed JSON"), "{}", e.detail);
        let id = uuid::Uuid::nil();
        let e = parse_json::<Body>(format!(r#"{{"song_id":"{id}","user_id":"{id}"}}"#).as_bytes())
            .unwrap_err();
        assert!(e.detail.contains("unknown field `user_id`"), "{}", e.detail);
    }

    #[test]
    fn null_clears_and_absence_keeps() {
        let id = uuid::Uuid::nil();
        let b: Body =
            parse_json(format!(r#"{{"song_id":"{id}","notes":null}}"#).as_bytes()).unwrap();
        assert_eq!(b.notes, Some(None));
        let b: Body = parse_json(format!(r#"{{"song_id":"{id}"}}"#).as_bytes()).unwrap();
        assert_eq!(b.notes, None);
    }

    #[test]
    fn query_errors_name_the_parameter() {
        let e = parse_query::<Params>("lat=north").unwrap_err();
        assert!(e.detail.starts_with("lat:"), "{}", e.detail);
        let e = parse_query::<Params>("lat=1&limit=x").unwrap_err();
        assert!(e.detail.starts_with("limit:"), "{}", e.detail);
        let e = parse_query::<Params>("limit=1").unwrap_err();
        assert!(e.detail.contains("lat"), "{}", e.detail);
        let long = format!("lat=1&x={}", "a".repeat(MAX_QUERY_BYTES));
        assert_eq!(
            parse_query::<Params>(&long).unwrap_err().status().as_u16(),
            414
        );
        assert!(limit(Some(101)).is_err());
        #[derive(serde::Deserialize)]
        struct Body {
            #[serde(deserialize_with = "whole_number")]
            n: i32,
            #[serde(default, deserialize_with = "optional_whole_number")]
            m: Option<i32>,
        }
        let body: Body = serde_json::from_str(r#"{"n": 2.0, "m": 3}"#).unwrap();
        assert_eq!((body.n, body.m), (2, Some(3)));
        let body: Body = serde_json::from_str(r#"{"n": -7, "m": null}"#).unwrap();
        assert_eq!((body.n, body.m), (-7, None));
        assert!(serde_json::from_str::<Body>(r#"{"n": 2.5}"#).is_err());
        assert!(serde_json::from_str::<Body>(r#"{"n": 3000000000}"#).is_err());
        assert!(serde_json::from_str::<Body>(r#"{"n": "2"}"#).is_err());
        assert_eq!(limit(Some(100)).unwrap(), 100);
    }
}
