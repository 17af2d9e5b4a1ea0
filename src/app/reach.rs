//! Reaching Partner Center from the application layer: where it is, the secret to sign in with,
//! the connection's settings, and a runtime of its own for the network (the fronts call these
//! from a worker thread, never the UI's).

use crate::pc::client::Endpoints;
use crate::secrets;
use crate::store::{PcSettings, Store};
use crate::{Error, Result};

/// Where a front reaches Partner Center: its addresses, and a secret its environment gives.
#[derive(Debug, Clone, Default)]
pub struct Reach {
    pub endpoints: Endpoints,
    pub secret_from_environment: Option<String>,
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
