//! Reaching Partner Center from the application layer: where it is, the secret to sign in with,
//! the connection's settings, and a runtime of its own for the network (the fronts call these
//! from a worker thread, never the UI's).

use crate::pc::client::Endpoints;
use crate::secrets;
use crate::store::{PcSettings, Store};
use crate::{Error, Result};

/// Where a front reaches Partner Center: its addresses, and the secrets its environment gives
/// (`SEATBOOK_PC_CLIENT_SECRET`, `SEATBOOK_PC_REFRESH_TOKEN`; used, never kept).
#[derive(Debug, Clone, Default)]
pub struct Reach {
    pub endpoints: Endpoints,
    pub secret_from_environment: Option<String>,
    pub refresh_token_from_environment: Option<String>,
}

/// How the connection signs in: the application's secret (`app`), or a user's refresh token
/// (`app+user`, with the application's secret when there is one).
pub(super) fn credentials(s: &PcSettings, reach: &Reach) -> Result<crate::pc::client::Credentials> {
    let (tenant, client_id) = (s.tenant.clone(), s.client_id.clone());
    if s.sign_in == "app+user" {
        let refresh = match secrets::read(&secrets::pc_refresh_account(&client_id), reach.refresh_token_from_environment.as_deref())? {
            Some((t, _)) => t,
            None => {
                return Err(Error::refused(format!(
                    "no refresh token is kept for application {client_id}: sign in again, or give it in {}",
                    secrets::PC_REFRESH_TOKEN_ENV
                )))
            }
        };
        let secret =
            secrets::read(&secrets::pc_account(&client_id), reach.secret_from_environment.as_deref()).ok().flatten().map(|(s, _)| s);
        return Ok(crate::pc::client::Credentials { tenant, client_id, secret, refresh_token: Some(refresh) });
    }
    let secret = secret(&client_id, reach.secret_from_environment.as_deref())?;
    Ok(crate::pc::client::Credentials { tenant, client_id, secret: Some(secret), refresh_token: None })
}

/// Keep the refresh token Microsoft rotated to, where the old one was kept (one from the
/// environment is the environment's to change).
pub(super) fn keep_rotated(s: &PcSettings, reach: &Reach, before: Option<&str>, now: Option<&str>) {
    if let (Some(new), true) = (now, reach.refresh_token_from_environment.is_none()) {
        if Some(new) != before {
            let _ = secrets::store(&secrets::pc_refresh_account(&s.client_id), new);
        }
    }
}

/// A runtime of its own for the network, on the calling thread (the caller's thread waits;
/// never the UI's). A client's timers belong to the runtime it first ran on: one runtime per
/// client.
pub(super) fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::unavailable(format!("cannot start the network runtime: {e}")))
}

/// Run `f` to its end on a runtime of its own.
pub(super) fn block_on<T>(f: impl std::future::Future<Output = T>) -> Result<T> {
    Ok(runtime()?.block_on(f))
}

/// The secret: given in the environment, else the one kept for the application.
pub(super) fn secret(client_id: &str, from_environment: Option<&str>) -> Result<String> {
    match secrets::read(&secrets::pc_account(client_id), from_environment)? {
        Some((s, _)) => Ok(s),
        None => Err(Error::refused(format!(
            "no client secret is kept for application {client_id}: connect again, or give it in {}",
            secrets::PC_CLIENT_SECRET_ENV
        ))),
    }
}

/// The connection's settings, or a refusal when the book is not connected.
pub(super) fn connected(store: &Store) -> Result<PcSettings> {
    store.pc_settings()?.ok_or_else(|| Error::refused("Seatbook is not connected to Partner Center: connect it first"))
}
