//! Tolerant deserialisation helpers for payloads typed by people (setlist.fm) or assembled from
//! many sources (Ticketmaster): numbers given as strings, one object where a list is expected,
//! empty strings where an object is expected, dates in several shapes.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// A number given as a JSON number or a string (`"-36.8485"`); anything else is `None`.
pub fn lenient_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok().filter(|v| v.is_finite()),
        _ => None,
    })
}

/// A non-negative integer given as a number or a string (`"1"`); anything else is `None`.
pub fn lenient_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Number(n)) => n.as_u64().and_then(|v| u32::try_from(v).ok()),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

/// `true`, `"true"`; anything else (absent, null, false) is false.
pub fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Bool(b)) => b,
        Some(Value::String(s)) => s.trim().eq_ignore_ascii_case("true"),
        _ => false,
    })
}

/// A value parsed from a string with `FromStr`; absent, null, empty or unparsable is `None`.
pub fn lenient_parse<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr,
{
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

/// A non-empty trimmed string; absent, null, `""` or a non-string is `None`.
/// `(latitude, longitude)` when both are present and in range; (0, 0) is how both providers
/// say "unknown".
pub fn lat_long(lat: Option<f64>, long: Option<f64>) -> Option<(f64, f64)> {
    match (lat, long) {
        (Some(lat), Some(long))
            if (-90.0..=90.0).contains(&lat)
                && (-180.0..=180.0).contains(&long)
                && (lat, long) != (0.0, 0.0) =>
        {
            Some((lat, long))
        }
        _ => None,
    }
}

pub fn non_empty<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

/// A list given as an array, a single object, or nothing (absent, null, `""`, `{}`).
pub fn one_or_many<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = Option::<Value>::deserialize(d)?;
    one_or_many_value(value.unwrap_or(Value::Null)).map_err(D::Error::custom)
}

pub(crate) fn one_or_many_value<T: DeserializeOwned>(value: Value) -> serde_json::Result<Vec<T>> {
    match value {
        Value::Array(items) => items.into_iter().map(serde_json::from_value).collect(),
        Value::Object(map) if map.is_empty() => Ok(Vec::new()),
        object @ Value::Object(_) => Ok(vec![serde_json::from_value(object)?]),
        _ => Ok(Vec::new()),
    }
}

/// setlist.fm's `eventDate`: `dd-MM-yyyy`.
pub fn setlistfm_date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    let text = String::deserialize(d)?;
    parse_setlistfm_date(&text)
        .ok_or_else(|| D::Error::custom(format!("eventDate {text:?} is not dd-MM-yyyy")))
}

pub fn parse_setlistfm_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%d-%m-%Y").ok()
}

/// setlist.fm's `lastUpdated`: `2013-10-20T05:18:08.000+0000` (also accepts RFC 3339).
pub fn setlistfm_timestamp<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::String(s)) => parse_setlistfm_timestamp(&s),
        _ => None,
    })
}

pub fn parse_setlistfm_timestamp(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z")
        .or_else(|_| DateTime::parse_from_rfc3339(text))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, Timelike};

    #[derive(Deserialize)]
    struct Coords {
        #[serde(default, deserialize_with = "lenient_f64")]
        lat: Option<f64>,
    }

    #[test]
    fn coordinates_as_numbers_or_strings() {
        let parse = |json| serde_json::from_str::<Coords>(json).unwrap().lat;
        assert_eq!(parse(r#"{"lat": -36.8485}"#), Some(-36.8485));
        assert_eq!(parse(r#"{"lat": "-36.8485"}"#), Some(-36.8485));
        assert_eq!(parse(r#"{"lat": ""}"#), None);
        assert_eq!(parse(r#"{"lat": null}"#), None);
        assert_eq!(parse(r#"{}"#), None);
    }

    #[test]
    fn setlistfm_dates() {
        let d = parse_setlistfm_date("08-07-2022").unwrap();
        assert_eq!((d.day(), d.month(), d.year()), (8, 7, 2022));
        assert!(parse_setlistfm_date("2022-07-08").is_none());
        let t = parse_setlistfm_timestamp("2013-10-20T05:18:08.000+0000").unwrap();
        assert_eq!((t.year(), t.hour(), t.second()), (2013, 5, 8));
        let t = parse_setlistfm_timestamp("2013-10-20T07:18:08.000+0200").unwrap();
        assert_eq!(t.hour(), 5);
    }

    #[test]
    fn lists_of_one_many_or_none() {
        let many: Vec<u32> = one_or_many_value(serde_json::json!([1, 2])).unwrap();
        assert_eq!(many, vec![1, 2]);
        let one: Vec<Coords> = one_or_many_value(serde_json::json!({"lat": 1})).unwrap();
        assert_eq!(one.len(), 1);
        let none: Vec<Coords> = one_or_many_value(serde_json::json!({})).unwrap();
        assert!(none.is_empty());
        let none: Vec<Coords> = one_or_many_value(serde_json::json!("")).unwrap();
        assert!(none.is_empty());
    }
}
