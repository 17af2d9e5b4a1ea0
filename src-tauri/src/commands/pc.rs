//! Partner Center: the connection (Settings → Partner Center), its status, and the sync with
//! the drift and taking in what is only at Microsoft. Network work runs off the UI thread; the
//! core (`seatbook::app::pc`) does it, as for `seatbook pc`.

use super::blocking;
use crate::error::IpcError;
use crate::state::AppState;
use seatbook::app::pc::{self, PcStatus, SyncResult};
use seatbook::store::Store;
use tauri::{AppHandle, Runtime, State};

#[tauri::command(rename_all = "snake_case")]
pub async fn pc_status(state: State<'_, AppState>) -> Result<PcStatus, IpcError> {
    let secret = state.launch.pc_client_secret.clone();
    state.with_store(|s| pc::status(s, secret.as_deref()))
}

/// Connect as the partner's application; the secret typed goes to the credential store.
#[tauri::command(rename_all = "snake_case")]
pub async fn pc_connect<R: Runtime>(
    app: AppHandle<R>,
    tenant: String,
    client_id: String,
    secret: Option<String>,
) -> Result<PcStatus, IpcError> {
    blocking(app, move |_, state| {
        let clock = state.clock();
        let endpoints = state.launch.pc_endpoints.clone();
        let from_env = state.launch.pc_client_secret.clone();
        // A connection of its own: the app's stays free while Microsoft answers.
        let mut store = Store::open(&state.db_path)?;
        Ok(pc::connect(&mut store, &clock, &endpoints, &tenant, &client_id, secret.as_deref(), from_env.as_deref())?)
    })
    .await
}

/// Compare the book with Partner Center; `apply` takes in what is only at Microsoft. Progress
/// goes to the `pc` progress bar.
#[tauri::command(rename_all = "snake_case")]
pub async fn pc_sync<R: Runtime>(app: AppHandle<R>, apply: Option<bool>) -> Result<SyncResult, IpcError> {
    blocking(app, move |app, state| {
        let clock = state.clock();
        let endpoints = state.launch.pc_endpoints.clone();
        let from_env = state.launch.pc_client_secret.clone();
        let mut progress = |done: usize, of: usize| crate::files::progress(app, "pc", done, of);
        let mut store = Store::open(&state.db_path)?;
        Ok(pc::sync(&mut store, &clock, &endpoints, from_env.as_deref(), apply.unwrap_or(false), &mut progress)?)
    })
    .await
}
