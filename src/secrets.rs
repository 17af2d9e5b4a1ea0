//! Secrets (the mail server's password) in the operating system's credential store: Windows
//! Credential Manager, the macOS Keychain, the Secret Service on Linux. Never in the database, a
//! backup, an export or a log. Where the system has none (a headless Linux machine), Seatbook
//! says so and does not keep the secret anywhere else; automation gives it in the environment
//! instead, read each time and never stored.

use crate::{Error, Result};

/// The service name the secrets are kept under.
pub const SERVICE: &str = "Seatbook";

/// The environment variable a front reads the mail server's password from, for automation and
/// machines without a credential store.
pub const SMTP_PASSWORD_ENV: &str = "SEATBOOK_SMTP_PASSWORD";

/// The environment variables a front reads Partner Center's client secret and refresh token from.
pub const PC_CLIENT_SECRET_ENV: &str = "SEATBOOK_PC_CLIENT_SECRET";
pub const PC_REFRESH_TOKEN_ENV: &str = "SEATBOOK_PC_REFRESH_TOKEN";

/// The account Partner Center's client secret is kept under, per application.
pub fn pc_account(client_id: &str) -> String {
    format!("partner-center:{}", client_id.to_ascii_lowercase())
}

/// The account the refresh token of an application-and-user sign-in is kept under.
pub fn pc_refresh_account(client_id: &str) -> String {
    format!("partner-center-refresh:{}", client_id.to_ascii_lowercase())
}

fn entry(account: &str) -> Result<keyring::Entry> {
    keyring::Entry::new(SERVICE, account).map_err(|e| unavailable(account, &e))
}

fn unavailable(account: &str, e: &keyring::Error) -> Error {
    let (what, env) = if account.starts_with("partner-center-refresh:") {
        ("refresh token", PC_REFRESH_TOKEN_ENV)
    } else if account.starts_with("partner-center:") {
        ("client secret", PC_CLIENT_SECRET_ENV)
    } else {
        ("password", SMTP_PASSWORD_ENV)
    };
    Error::unavailable(format!(
        "this system has no credential store Seatbook can use ({e}); nothing was stored. Give the {what} in the environment variable {env} instead"
    ))
}

/// Keep `secret` under `account`.
pub fn store(account: &str, secret: &str) -> Result<()> {
    entry(account)?.set_password(secret).map_err(|e| unavailable(account, &e))
}

/// Forget what is kept under `account` (nothing kept is not an error).
pub fn forget(account: &str) -> Result<()> {
    match entry(account)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(unavailable(account, &e)),
    }
}

/// Where a secret came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Environment,
    CredentialStore,
}

/// The secret: `from_environment` when the front found one there (the core reads no
/// environment), else from the credential store; `None` when neither has one.
pub fn read(account: &str, from_environment: Option<&str>) -> Result<Option<(String, Source)>> {
    if let Some(v) = from_environment.filter(|v| !v.is_empty()) {
        return Ok(Some((v.to_string(), Source::Environment)));
    }
    match entry(account)?.get_password() {
        Ok(p) => Ok(Some((p, Source::CredentialStore))),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(unavailable(account, &e)),
    }
}
