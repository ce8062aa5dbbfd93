//! Connections and the connection pool.
//!
//! Connections are made by tokio-postgres (no libpq) and handed to diesel-async. Every connection
//! has a connect timeout (covering TCP, TLS and authentication), a server-side statement timeout,
//! and the pool a bounded wait, so a dead or saturated database yields an error, never a hang.
//!
//! TLS follows the URL's `sslmode`: `disable`, `allow`, `prefer` or none connect in plain text;
//! `require` encrypts and, like libpq, does not authenticate the server unless `sslrootcert`
//! names a CA file; `verify-ca`/`verify-full` verify against `sslrootcert` or the public web PKI
//! roots. Hosted databases (Supabase) work with `?sslmode=require`.

use std::sync::Arc;
use std::time::Duration;

use diesel::ConnectionError;
use diesel_async::AsyncPgConnection;
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use futures_util::FutureExt;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use tokio_postgres::config::SslMode;

pub type DbPool = diesel_async::pooled_connection::deadpool::Pool<AsyncPgConnection>;
pub type PooledConnection = diesel_async::pooled_connection::deadpool::Object<AsyncPgConnection>;
pub type PoolError = diesel_async::pooled_connection::deadpool::PoolError;

/// A setting that could not be used; names the setting.
#[derive(Debug, thiserror::Error)]
#[error("{setting}: {reason}")]
pub struct ConfigError {
    pub setting: String,
    pub reason: String,
}

impl ConfigError {
    fn new(setting: &str, reason: impl std::fmt::Display) -> Self {
        Self {
            setting: setting.to_owned(),
            reason: reason.to_string(),
        }
    }
}

#[derive(Debug, Clone)]
enum Tls {
    Off,
    /// Encrypted, server not authenticated (libpq's `sslmode=require` without a root cert).
    EncryptOnly,
    /// Encrypted and the server's certificate verified against these roots.
    Verify(Arc<rustls::RootCertStore>),
}

/// Where and how to connect: a parsed `DATABASE_URL` plus timeouts and pool size. `Debug`
/// shows [`DatabaseConfig::target`] and whether a password is set, never the password.
#[derive(Clone)]
pub struct DatabaseConfig {
    pg: tokio_postgres::Config,
    tls: Tls,
    /// Most connections the pool opens.
    pub pool_size: usize,
    /// Limit on establishing one connection (TCP, TLS, authentication).
    pub connect_timeout: Duration,
    /// Limit on waiting for a free pooled connection.
    pub pool_wait_timeout: Duration,
    /// Server-side limit on one statement; `None` leaves the server's setting.
    pub statement_timeout: Option<Duration>,
}

impl std::fmt::Debug for DatabaseConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tls = match &self.tls {
            Tls::Off => "off",
            Tls::EncryptOnly => "encrypt only",
            Tls::Verify(_) => "verify",
        };
        f.debug_struct("DatabaseConfig")
            .field("target", &self.target())
            .field("password", &self.pg.get_password().map(|_| "[redacted]"))
            .field("application_name", &self.pg.get_application_name())
            .field("tls", &tls)
            .field("pool_size", &self.pool_size)
            .field("connect_timeout", &self.connect_timeout)
            .field("pool_wait_timeout", &self.pool_wait_timeout)
            .field("statement_timeout", &self.statement_timeout)
            .finish()
    }
}

impl DatabaseConfig {
    pub const DEFAULT_POOL_SIZE: usize = 16;
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
    pub const DEFAULT_POOL_WAIT_TIMEOUT: Duration = Duration::from_secs(2);
    pub const DEFAULT_STATEMENT_TIMEOUT: Duration = Duration::from_secs(15);

    /// Parses a `postgres://` URL (see the module docs for `sslmode` and `sslrootcert`).
    pub fn from_url(url: &str) -> Result<Self, ConfigError> {
        let (base, params) = url.split_once('?').unwrap_or((url, ""));
        let mut kept = Vec::new();
        let mut sslmode = String::from("prefer");
        let mut root_cert = None;
        for pair in params.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "sslmode" => sslmode = value.to_owned(),
                "sslrootcert" => root_cert = Some(value.to_owned()),
                _ => kept.push(pair),
            }
        }
        let pg_url = if kept.is_empty() {
            base.to_owned()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        let mut pg: tokio_postgres::Config = pg_url.parse().map_err(|e| {
            ConfigError::new("DATABASE_URL", format!("not a valid PostgreSQL URL: {e}"))
        })?;
        let roots = |required: bool| -> Result<Option<Arc<rustls::RootCertStore>>, ConfigError> {
            match &root_cert {
                Some(path) => load_roots(path).map(|r| Some(Arc::new(r))),
                None if required => Ok(Some(Arc::new(rustls::RootCertStore {
                    roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
                }))),
                None => Ok(None),
            }
        };
        let tls = match sslmode.as_str() {
            "disable" | "allow" | "prefer" => Tls::Off,
            "require" => roots(false)?.map_or(Tls::EncryptOnly, Tls::Verify),
            "verify-ca" | "verify-full" => roots(true)?.map_or(Tls::EncryptOnly, Tls::Verify),
            other => {
                return Err(ConfigError::new(
                    "DATABASE_URL",
                    format!("unsupported sslmode {other:?}"),
                ));
            }
        };
        pg.ssl_mode(if matches!(tls, Tls::Off) {
            SslMode::Disable
        } else {
            SslMode::Require
        });
        Ok(Self {
            pg,
            tls,
            pool_size: Self::DEFAULT_POOL_SIZE,
            connect_timeout: Self::DEFAULT_CONNECT_TIMEOUT,
            pool_wait_timeout: Self::DEFAULT_POOL_WAIT_TIMEOUT,
            statement_timeout: Some(Self::DEFAULT_STATEMENT_TIMEOUT),
        })
    }

    /// `DATABASE_URL` plus the optional `DATABASE_POOL_SIZE`, `DATABASE_CONNECT_TIMEOUT_MS`,
    /// `DATABASE_POOL_WAIT_TIMEOUT_MS` and `DATABASE_STATEMENT_TIMEOUT_MS` (0 = server default).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_env_with_url("DATABASE_URL")
    }

    /// As [`DatabaseConfig::from_env`], with the URL read from `url_var` (say, a process that
    /// must connect as another role than the one `DATABASE_URL` names).
    pub fn from_env_with_url(url_var: &str) -> Result<Self, ConfigError> {
        let url = std::env::var(url_var).map_err(|_| ConfigError::new(url_var, "is not set"))?;
        Self::from_url_and_env(&url).map_err(|mut e| {
            if e.setting == "DATABASE_URL" {
                e.setting = url_var.to_owned();
            }
            e
        })
    }

    /// `url` (given on a command line, say) with the other settings of [`Self::from_env`] read
    /// from the environment.
    pub fn from_url_and_env(url: &str) -> Result<Self, ConfigError> {
        let mut config = Self::from_url(url)?;
        if let Some(size) = env_number("DATABASE_POOL_SIZE")? {
            if size == 0 {
                return Err(ConfigError::new("DATABASE_POOL_SIZE", "must be at least 1"));
            }
            config.pool_size =
                usize::try_from(size).map_err(|e| ConfigError::new("DATABASE_POOL_SIZE", e))?;
        }
        if let Some(ms) = env_number("DATABASE_CONNECT_TIMEOUT_MS")? {
            config.connect_timeout = Duration::from_millis(ms.max(1));
        }
        if let Some(ms) = env_number("DATABASE_POOL_WAIT_TIMEOUT_MS")? {
            config.pool_wait_timeout = Duration::from_millis(ms.max(1));
        }
        if let Some(ms) = env_number("DATABASE_STATEMENT_TIMEOUT_MS")? {
            config.statement_timeout = (ms > 0).then(|| Duration::from_millis(ms));
        }
        Ok(config)
    }

    /// The same server, another database.
    pub fn with_database(mut self, name: &str) -> Self {
        self.pg.dbname(name);
        self
    }

    /// The same server, another role (password cleared unless given).
    pub fn with_user(mut self, user: &str, password: Option<&str>) -> Self {
        self.pg.user(user);
        self.pg.password(password.unwrap_or_default());
        self
    }

    /// The same settings, naming connections `name` in `pg_stat_activity`.
    pub fn with_application_name(mut self, name: &str) -> Self {
        self.pg.application_name(name);
        self
    }

    pub fn database(&self) -> Option<&str> {
        self.pg.get_dbname()
    }

    pub fn user(&self) -> Option<&str> {
        self.pg.get_user()
    }

    /// `user@host:port/database`, for messages: never the password.
    pub fn target(&self) -> String {
        use tokio_postgres::config::Host;
        let host = match self.pg.get_hosts().first() {
            Some(Host::Tcp(name)) => name.clone(),
            Some(Host::Unix(path)) => path.display().to_string(),
            None => "localhost".to_owned(),
        };
        let port = self.pg.get_ports().first().copied().unwrap_or(5432);
        format!(
            "{}@{host}:{port}/{}",
            self.user().unwrap_or(""),
            self.database().or(self.user()).unwrap_or("")
        )
    }

    /// Opens one connection outside any pool (migrations, listeners, tests).
    pub async fn connect(&self) -> Result<AsyncPgConnection, ConnectionError> {
        let timeout = self.connect_timeout;
        tokio::time::timeout(timeout, self.connect_inner())
            .await
            .unwrap_or_else(|_| {
                Err(ConnectionError::BadConnection(format!(
                    "connecting timed out after {timeout:?}"
                )))
            })
    }

    async fn connect_inner(&self) -> Result<AsyncPgConnection, ConnectionError> {
        let mut pg = self.pg.clone();
        pg.connect_timeout(self.connect_timeout);
        if let Some(limit) = self.statement_timeout {
            let existing = pg.get_options().unwrap_or_default().to_owned();
            pg.options(format!("{existing} -c statement_timeout={}", limit.as_millis()).trim());
        }
        let bad = |e: tokio_postgres::Error| ConnectionError::BadConnection(describe(&e));
        match &self.tls {
            Tls::Off => {
                let (client, connection) = pg.connect(tokio_postgres::NoTls).await.map_err(bad)?;
                AsyncPgConnection::try_from_client_and_connection(client, connection).await
            }
            tls => {
                let config = rustls_config(tls)
                    .map_err(|e| ConnectionError::BadConnection(e.to_string()))?;
                let connector = tokio_postgres_rustls::MakeRustlsConnect::new(config);
                let (client, connection) = pg.connect(connector).await.map_err(bad)?;
                AsyncPgConnection::try_from_client_and_connection(client, connection).await
            }
        }
    }

    /// Builds the pool. No connection is opened until one is needed.
    pub fn build_pool(&self) -> Result<DbPool, ConfigError> {
        self.pool_on(None)
    }

    /// As [`Self::build_pool`], with every connection opened on `runtime`, so that its socket is
    /// read and written there (tokio-postgres drives a connection from a task on the runtime that
    /// opened it), whichever runtime the queries are issued from.
    pub fn build_pool_on(&self, runtime: tokio::runtime::Handle) -> Result<DbPool, ConfigError> {
        self.pool_on(Some(runtime))
    }

    fn pool_on(&self, runtime: Option<tokio::runtime::Handle>) -> Result<DbPool, ConfigError> {
        let config = self.clone();
        let mut manager_config = ManagerConfig::<AsyncPgConnection>::default();
        manager_config.custom_setup = Box::new(move |_url| {
            let config = config.clone();
            let runtime = runtime.clone();
            async move {
                match runtime {
                    None => config.connect().await,
                    Some(runtime) => runtime
                        .spawn(async move { config.connect().await })
                        .await
                        .unwrap_or_else(|e| Err(ConnectionError::BadConnection(e.to_string()))),
                }
            }
            .boxed()
        });
        // Fast: a checkout costs no extra round trip; a broken connection is detected by the
        // pool (and dropped) the first time it is used.
        manager_config.recycling_method = RecyclingMethod::Fast;
        let manager =
            AsyncDieselConnectionManager::new_with_config("postgres://configured", manager_config);
        DbPool::builder(manager)
            .max_size(self.pool_size)
            .wait_timeout(Some(self.pool_wait_timeout))
            .create_timeout(Some(self.connect_timeout))
            .recycle_timeout(Some(self.connect_timeout))
            .runtime(deadpool::Runtime::Tokio1)
            .build()
            .map_err(|e| ConfigError::new("DATABASE_POOL_SIZE", e))
    }
}

/// The error with its causes: tokio-postgres prints only "db error" and keeps the server's words
/// (say, "database \"x\" does not exist") in the source.
fn describe(error: &tokio_postgres::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn env_number(name: &str) -> Result<Option<u64>, ConfigError> {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => {
            value.trim().parse().map(Some).map_err(|_| {
                ConfigError::new(name, format!("expected a whole number, got {value:?}"))
            })
        }
        _ => Ok(None),
    }
}

fn load_roots(path: &str) -> Result<rustls::RootCertStore, ConfigError> {
    let pem =
        std::fs::read(path).map_err(|e| ConfigError::new("sslrootcert", format!("{path}: {e}")))?;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
        let cert = cert.map_err(|e| ConfigError::new("sslrootcert", format!("{path}: {e}")))?;
        roots
            .add(cert)
            .map_err(|e| ConfigError::new("sslrootcert", format!("{path}: {e}")))?;
    }
    if roots.is_empty() {
        return Err(ConfigError::new(
            "sslrootcert",
            format!("{path}: no certificate found"),
        ));
    }
    Ok(roots)
}

fn rustls_config(tls: &Tls) -> Result<rustls::ClientConfig, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?;
    Ok(match tls {
        Tls::Verify(roots) => builder
            .with_root_certificates(roots.clone())
            .with_no_client_auth(),
        Tls::EncryptOnly | Tls::Off => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(EncryptOnly(provider)))
            .with_no_client_auth(),
    })
}

/// libpq's `sslmode=require`: the channel is encrypted, the server's identity is not checked.
#[derive(Debug)]
struct EncryptOnly(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::DatabaseConfig;

    #[test]
    fn target_names_the_server_but_never_the_password() {
        let config = DatabaseConfig::from_url(
            "postgres://svc:s3cret@db.example:6543/theset?sslmode=disable",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.target(), "svc@db.example:6543/theset");
        let defaults =
            DatabaseConfig::from_url("postgres://svc@db.example").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(defaults.target(), "svc@db.example:5432/svc");
    }

    #[test]
    fn debug_and_errors_never_show_the_password() {
        for url in [
            "postgres://svc:s3cretPW@db.example:6543/theset?sslmode=disable",
            "postgres://svc@db.example/theset?password=s3cretPW&application_name=cli",
        ] {
            let config = DatabaseConfig::from_url(url).unwrap_or_else(|e| panic!("{e}"));
            for debug in [format!("{config:?}"), format!("{config:#?}")] {
                assert!(!debug.contains("s3cretPW"), "{debug}");
                assert!(debug.contains("svc@db.example"), "{debug}");
                assert!(debug.contains("[redacted]"), "{debug}");
            }
            let other = config.with_user("theset_service", Some("0therPW"));
            assert!(!format!("{other:?}").contains("0therPW"));
        }
        for bad in [
            "postgres://svc:s3cretPW@db.example:notaport/theset",
            "postgres://svc:s3cretPW@db.example/theset?nonsense=1",
        ] {
            let error = DatabaseConfig::from_url(bad)
                .map(|_| ())
                .expect_err("refused");
            assert!(!error.to_string().contains("s3cretPW"), "{error}");
            assert!(!format!("{error:?}").contains("s3cretPW"), "{error:?}");
        }
    }
}
