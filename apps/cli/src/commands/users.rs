//! `theset users`: listing users and changing roles, which the API never does (a user's role is
//! not theirs to set; `theset_api` has no grant on `users.role`).

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use clap::{Subcommand, ValueEnum};
use diesel::OptionalExtension;
use diesel_async::AsyncConnection;
use serde::Serialize;
use theset_database::check;
use theset_database::ids::UserId;
use theset_database::models::User;
use theset_database::{AsyncPgConnection, UserRole};

use super::Outcome;
use crate::database::Database;
use crate::output;

#[derive(Debug, Subcommand)]
pub enum Users {
    /// List users (deleted ones too), ordered by email.
    List {
        /// Only users with this role.
        #[arg(long, value_enum)]
        role: Option<Role>,
        /// At most this many users.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(1..))]
        limit: Option<i64>,
        /// Print JSON: an array of {id, email, display_name, role, created_at, last_login_at,
        /// deleted_at}.
        #[arg(long)]
        json: bool,
    },
    /// Change a user's role (one transaction; a no-op when it already has that role).
    SetRole {
        /// The user's email address, as stored.
        #[arg(value_parser = parse_email)]
        email: String,
        /// The new role.
        #[arg(value_enum)]
        role: Role,
    },
}

/// `user_role`, as clap parses and lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Role {
    User,
    Moderator,
    Admin,
}

impl From<Role> for UserRole {
    fn from(role: Role) -> Self {
        match role {
            Role::User => UserRole::User,
            Role::Moderator => UserRole::Moderator,
            Role::Admin => UserRole::Admin,
        }
    }
}

/// The shape `users.email` is CHECKed to have (`^[^@\s]+@[^@\s]+$`), checked before connecting.
fn parse_email(text: &str) -> Result<String, String> {
    let valid = match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !text.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if valid {
        Ok(text.to_owned())
    } else {
        Err(format!("{text:?} is not an email address"))
    }
}

/// A user as listed: no credentials, no preferences.
#[derive(Debug, Serialize)]
struct Listed {
    id: UserId,
    email: String,
    display_name: Option<String>,
    role: UserRole,
    created_at: DateTime<Utc>,
    last_login_at: Option<DateTime<Utc>>,
    deleted_at: Option<DateTime<Utc>>,
}

impl From<User> for Listed {
    fn from(user: User) -> Self {
        Self {
            id: user.id,
            email: user.email,
            display_name: user.display_name,
            role: user.role,
            created_at: user.created_at,
            last_login_at: user.last_login_at,
            deleted_at: user.deleted_at,
        }
    }
}

/// What `set-role` did.
enum RoleChange {
    Changed { from: UserRole, to: UserRole },
    Unchanged(UserRole),
}

impl Users {
    pub async fn run(self, database: &Database) -> anyhow::Result<Outcome> {
        let mut conn = database.connect().await?;
        // Through row level security a listing would show only the caller's own row.
        check::ensure_unrestricted(&mut conn, "users").await?;
        match self {
            Users::List { role, limit, json } => {
                let users = User::list(&mut conn, role.map(UserRole::from), limit)
                    .await
                    .context("listing users")?;
                let users: Vec<Listed> = users.into_iter().map(Listed::from).collect();
                if json {
                    output::json(&users)?;
                } else {
                    output::text(&table(&users))?;
                }
            }
            Users::SetRole { email, role } => {
                let change = set_role(&mut conn, &email, role.into()).await?;
                output::text(&match change {
                    RoleChange::Changed { from, to } => format!("{email}: role {from} -> {to}\n"),
                    RoleChange::Unchanged(role) => {
                        format!("{email}: role is already {role} (unchanged)\n")
                    }
                })?;
            }
        }
        Ok(Outcome::Done)
    }
}

async fn set_role(
    conn: &mut AsyncPgConnection,
    email: &str,
    role: UserRole,
) -> anyhow::Result<RoleChange> {
    conn.transaction(async |conn| {
        let Some(user) = User::find_by_email(conn, email).await.optional()? else {
            let similar = User::find_by_email_ignoring_case(conn, email).await?;
            match similar.first() {
                Some(other) => bail!(
                    "no user has the email {email} (did you mean {}?)",
                    other.email
                ),
                None => bail!("no user has the email {email}"),
            }
        };
        if user.deleted_at.is_some() {
            bail!(
                "the user {email} is deleted; their role stays {}",
                user.role
            );
        }
        if user.role == role {
            return Ok(RoleChange::Unchanged(role));
        }
        let updated = User::set_role(conn, user.id, role)
            .await
            .with_context(|| format!("setting the role of {email}"))?;
        Ok(RoleChange::Changed {
            from: user.role,
            to: updated.role,
        })
    })
    .await
}

fn table(users: &[Listed]) -> String {
    let mut rows = vec![vec![
        "EMAIL".to_owned(),
        "ROLE".to_owned(),
        "CREATED".to_owned(),
        "LAST LOGIN".to_owned(),
        "NAME".to_owned(),
    ]];
    for user in users {
        let role = if user.deleted_at.is_some() {
            format!("{} (deleted)", user.role)
        } else {
            user.role.to_string()
        };
        rows.push(vec![
            user.email.clone(),
            role,
            user.created_at.format("%Y-%m-%d").to_string(),
            user.last_login_at
                .map_or_else(|| "-".to_owned(), |t| t.format("%Y-%m-%d").to_string()),
            user.display_name.clone().unwrap_or_default(),
        ]);
    }
    let mut out = output::table(&rows);
    out.push_str(&output::counted(users.len(), "user"));
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_parses_by_its_sql_label() {
        for role in UserRole::ALL {
            let parsed = Role::from_str(role.as_str(), false).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(UserRole::from(parsed), *role);
        }
        assert_eq!(Role::value_variants().len(), UserRole::ALL.len());
    }

    #[test]
    fn emails_have_the_stored_shape() {
        assert!(parse_email("sam.okafor@theset.test").is_ok());
        for bad in [
            "",
            "sam",
            "@theset.test",
            "sam@",
            "sam@a@b",
            "sam okafor@theset.test",
        ] {
            assert!(parse_email(bad).is_err(), "{bad:?}");
        }
    }
}
