//! LISTEN on the jobs channel, on a connection of its own (outside the pool: the notification
//! stream borrows the connection for as long as it listens). Each notification wakes the runner;
//! a lost connection is reopened with backoff, and the runner's poll interval covers the gap.

use std::sync::Arc;
use std::time::Duration;

use diesel_async::{AsyncPgConnection, SimpleAsyncConnection};
use futures_util::StreamExt;
use theset_database::DatabaseConfig;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::queue::CHANNEL;

/// How often an idle listening connection is checked (a half-open TCP connection would
/// otherwise go unnoticed until the kernel's keepalive gives up, hours later).
const CHECK_EVERY: Duration = Duration::from_secs(30);
const CHECK_TIMEOUT: Duration = Duration::from_secs(5);
const MAX_RECONNECT_DELAY: Duration = Duration::from_secs(30);

enum Event {
    Stop,
    Notified,
    Closed(Option<String>),
    Check,
}

pub(crate) async fn listen(database: DatabaseConfig, wake: Arc<Notify>, stop: CancellationToken) {
    let mut delay = Duration::from_millis(500);
    loop {
        match open(&database).await {
            Ok(mut conn) => {
                tracing::debug!(channel = CHANNEL, "listening for new jobs");
                delay = Duration::from_millis(500);
                // Jobs may have been enqueued while nobody listened.
                wake.notify_one();
                if !follow(&mut conn, &wake, &stop).await {
                    return;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for new jobs; polling meanwhile");
            }
        }
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(delay) => {}
        }
        delay = (delay * 2).min(MAX_RECONNECT_DELAY);
    }
}

async fn open(database: &DatabaseConfig) -> anyhow::Result<AsyncPgConnection> {
    let mut conn = database.connect().await?;
    conn.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
    Ok(conn)
}

/// Wakes the runner on each notification until the connection is lost (false: stop asked).
async fn follow(conn: &mut AsyncPgConnection, wake: &Notify, stop: &CancellationToken) -> bool {
    loop {
        let event = {
            let mut notifications = std::pin::pin!(conn.notifications_stream());
            tokio::select! {
                () = stop.cancelled() => Event::Stop,
                item = notifications.next() => match item {
                    Some(Ok(_)) => Event::Notified,
                    Some(Err(e)) => Event::Closed(Some(e.to_string())),
                    None => Event::Closed(None),
                },
                () = tokio::time::sleep(CHECK_EVERY) => Event::Check,
            }
        };
        match event {
            Event::Stop => return false,
            Event::Notified => wake.notify_one(),
            Event::Closed(error) => {
                tracing::warn!(error, "the job listener's connection closed; reconnecting");
                return true;
            }
            Event::Check => {
                let alive = tokio::time::timeout(CHECK_TIMEOUT, conn.batch_execute("SELECT 1"))
                    .await
                    .is_ok_and(|r| r.is_ok());
                if !alive {
                    tracing::warn!("the job listener's connection stopped answering; reconnecting");
                    return true;
                }
            }
        }
    }
}
