//! `theset-api`: serves the HTTP API. Settings come from the environment and `.env`
//! (`.env.example` lists them); a bad one stops start-up with its name.

use std::process::ExitCode;

use actix_web::HttpServer;
use theset_api::{AppState, Config};
use tracing_subscriber::EnvFilter;

/// Seconds in-flight requests get to finish after SIGTERM/SIGINT before the process exits.
const SHUTDOWN_GRACE_SECS: u64 = 30;

fn main() -> ExitCode {
    // A missing .env is fine; a malformed one is not silently half-read.
    if let Err(e) = dotenvy::dotenv()
        && !e.not_found()
    {
        eprintln!("theset-api: .env: {e}");
        return ExitCode::FAILURE;
    }
    // Colours only on a terminal: log files and collectors get plain text.
    tracing_subscriber::fmt()
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("theset-api: configuration: {e}");
            return ExitCode::FAILURE;
        }
    };
    match actix_web::rt::System::new().block_on(serve(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("theset-api: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> std::io::Result<()> {
    theset_api::db::refuse_privileged_role(&config.database)
        .await
        .map_err(std::io::Error::other)?;
    if let Some(replica) = &config.replica {
        theset_api::db::refuse_privileged_role(&replica.database)
            .await
            .map_err(std::io::Error::other)?;
    }
    let state = AppState::new(&config).map_err(std::io::Error::other)?;
    // The signing keys before the first request; if the JWKS is unreachable the API serves
    // anyway (a warning is logged) and fetches again when a token names a key.
    state.jwt.prefetch().await;
    let bind = config.bind;
    tracing::info!(%bind, "serving TheSet API");
    let realtime = state.realtime.clone();
    // METRICS_BIND: /metrics alone on a listener of its own, stopped with the API.
    let metrics = &config.metrics;
    let metrics_server = match metrics.bind {
        Some(metrics_bind) => {
            tracing::info!(%metrics_bind, token = metrics.token.is_some(), "serving metrics");
            let state = state.clone();
            Some(
                HttpServer::new(move || theset_api::metrics::app(state.clone()))
                    .workers(1)
                    .shutdown_timeout(1)
                    .disable_signals()
                    .bind(metrics_bind)?
                    .run(),
            )
        }
        None => None,
    };
    let metrics_handle = metrics_server.as_ref().map(actix_web::dev::Server::handle);
    if let Some(metrics_server) = metrics_server {
        actix_web::rt::spawn(async move {
            if let Err(e) = metrics_server.await {
                tracing::warn!(error = %e, "the metrics listener stopped");
            }
        });
    }
    let server = HttpServer::new(move || theset_api::app(state.clone()))
        .shutdown_timeout(SHUTDOWN_GRACE_SECS)
        .disable_signals()
        .bind(bind)?
        .run();
    // On SIGTERM/SIGINT: end the event streams (they would otherwise hold the graceful stop for
    // its whole grace period), stop accepting, and let in-flight requests finish.
    let handle = server.handle();
    actix_web::rt::spawn(async move {
        stop_signal().await;
        tracing::info!("stopping");
        if let Some(realtime) = realtime {
            realtime.close();
        }
        if let Some(metrics) = metrics_handle {
            metrics.stop(true).await;
        }
        handle.stop(true).await;
    });
    server.await
}

async fn stop_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = interrupt => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
