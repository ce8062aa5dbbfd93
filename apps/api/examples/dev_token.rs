//! DEVELOPMENT ONLY: mints an access token like Supabase Auth's, signed with the legacy HS256
//! `SUPABASE_JWT_SECRET` (from the environment or `.env`), for trying the API locally. (Tokens
//! of signing keys come from Supabase Auth itself: their private halves never leave it.)
//!
//! cargo run -p theset-api --example dev_token -- <user-uuid> <email> [minutes]
#![allow(clippy::print_stdout)]

use std::process::ExitCode;

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

fn main() -> ExitCode {
    let _ = dotenvy::dotenv();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(sub), Some(email)) = (args.first(), args.get(1)) else {
        eprintln!("usage: dev_token <user-uuid> <email> [minutes, default 60]");
        return ExitCode::FAILURE;
    };
    if uuid::Uuid::parse_str(sub).is_err() {
        eprintln!("dev_token: {sub:?} is not a UUID");
        return ExitCode::FAILURE;
    }
    let minutes: i64 = match args.get(2).map(|m| m.parse()) {
        None => 60,
        Some(Ok(m)) => m,
        Some(Err(_)) => {
            eprintln!("dev_token: minutes must be a whole number");
            return ExitCode::FAILURE;
        }
    };
    let Ok(secret) = std::env::var("SUPABASE_JWT_SECRET") else {
        eprintln!("dev_token: SUPABASE_JWT_SECRET is not set");
        return ExitCode::FAILURE;
    };
    let now = chrono::Utc::now().timestamp();
    let mut claims = json!({
        "sub": sub,
        "email": email,
        "aud": "authenticated",
        "role": "authenticated",
        "iat": now,
        "exp": now + minutes * 60,
    });
    // The API checks `iss` when SUPABASE_URL or SUPABASE_JWT_ISSUER names one (and refuses
    // tokens living longer than JWT_MAX_LIFETIME_SECS, a day by default).
    if let Some(issuer) = theset_api::config::issuer(|name| std::env::var(name).ok()) {
        claims["iss"] = json!(issuer);
    }
    match jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    ) {
        Ok(token) => {
            println!("{token}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("dev_token: {e}");
            ExitCode::FAILURE
        }
    }
}
