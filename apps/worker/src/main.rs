//! `theset-worker`: runs TheSet's background jobs and schedules until SIGTERM or SIGINT, then
//! shuts down gracefully. Settings come from the environment and `.env` (`.env.example` lists
//! them); a bad one stops start-up with its name.

use std::process::ExitCode;

use theset_worker::WorkerConfig;
use tokio_util::sync::CancellationToken;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    if let Err(e) = dotenvy::dotenv()
        && !e.not_found()
    {
        eprintln!("theset-worker: .env: {e}");
        return ExitCode::FAILURE;
    }
    tracing_subscriber::fmt()
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let config = match WorkerConfig::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("theset-worker: configuration: {e}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("theset-worker: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("theset-worker: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: WorkerConfig) -> anyhow::Result<()> {
    let stop = CancellationToken::new();
    let grace = config.runner.shutdown_grace;
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let signals = stop.clone();
    tokio::spawn(async move {
        tokio::select! {
            _ = terminate.recv() => tracing::info!(?grace, "SIGTERM: shutting down"),
            _ = tokio::signal::ctrl_c() => tracing::info!(?grace, "SIGINT: shutting down"),
        }
        signals.cancel();
    });
    let report = theset_worker::run(config, stop).await?;
    if !report.released.is_empty() {
        tracing::warn!(
            released = ?report.released,
            "jobs still running at the end of the grace period were given back to the queue"
        );
    }
    Ok(())
}
