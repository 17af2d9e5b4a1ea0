//! Partner Center: the connection (Settings → Partner Center), its status, and the sync with
//! the drift and taking in what is only at Microsoft. Network work runs off the UI thread; the
//! core (`seatbook::app::pc`) does it, as for `seatbook pc`.

use super::blocking;
use crate::error::IpcError;
use crate::state::AppState;
use seatbook::app::pc::{self, PcStatus, SyncResult};
use seatbook::app::provision::{self, OutboxEntry};
use tauri::{AppHandle, Runtime, State};

#[tauri::command(rename_all = "snake_case")]
pub async fn pc_status(state: State<'_, AppState>) -> Result<PcStatus, IpcError> {
    let reach = state.pc_reach();
    state.with_store(|s| pc::status(s, &reach))
}

/// What the comparison made when the app started found: `null` when none was made (not
/// connected) or it is still running; `{"error"}` when Partner Center could not be reached.
#[tauri::command(rename_all = "snake_case")]
pub async fn pc_on_start(state: State<'_, AppState>) -> Result<Option<serde_json::Value>, IpcError> {
    Ok(state.pc_on_start().map(|r| match r {
        Ok(result) => serde_json::to_value(result).unwrap_or_default(),
        Err(message) => serde_json::json!({ "error": message }),
    }))
}

/// On start, when connected: compare the book with Partner Center in the background (on a
/// connection of its own), keep the result for Settings, and tell the window (`pc-compared`).
pub fn compare_on_start<R: Runtime>(app: AppHandle<R>) {
    std::thread::spawn(move || {
        let state = tauri::Manager::state::<AppState>(&app);
        // A connection of its own, as for every Partner Center call: the app's stays free.
        let Ok(mut store) = seatbook::app::open(&state.db_path) else { return };
        let (clock, reach) = (state.clock(), state.pc_reach());
        let Some(r) = pc::compare_if_connected(&mut store, &clock, &reach) else { return };
        state.set_pc_on_start(r.map_err(|e| e.message));
        let _ = tauri::Emitter::emit(&app, "pc-compared", ());
    });
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
        let (clock, reach) = (state.clock(), state.pc_reach());
        // A connection of its own: the app's stays free while Microsoft answers.
        let mut store = seatbook::app::open(&state.db_path)?;
        Ok(pc::connect(&mut store, &clock, &reach, &tenant, &client_id, secret.as_deref())?)
    })
    .await
}

/// Compare the book with Partner Center; `apply` takes in what is only at Microsoft. Progress
/// goes to the `pc` progress bar.
#[tauri::command(rename_all = "snake_case")]
pub async fn pc_sync<R: Runtime>(app: AppHandle<R>, apply: Option<bool>) -> Result<SyncResult, IpcError> {
    blocking(app, move |app, state| {
        let (clock, reach) = (state.clock(), state.pc_reach());
        let mut progress = |done: usize, of: usize| crate::files::progress(app, "pc", done, of);
        let mut store = seatbook::app::open(&state.db_path)?;
        Ok(pc::sync(&mut store, &clock, &reach, apply.unwrap_or(false), &mut progress)?)
    })
    .await
}

/// Changes sent to Microsoft, the latest first (the Subscriptions badge counts those waiting).
/// `send`: `all` sends what waits now, `due` what has waited out its back-off (the app's timer);
/// on a connection of its own, off the UI thread.
#[tauri::command(rename_all = "snake_case")]
pub async fn pc_outbox<R: Runtime>(app: AppHandle<R>, send: Option<String>) -> Result<Vec<OutboxEntry>, IpcError> {
    blocking(app, move |_, state| {
        let (clock, reach) = (state.clock(), state.pc_reach());
        let mut store = seatbook::app::open(&state.db_path)?;
        match send.as_deref() {
            Some("all") => Ok(provision::outbox(&mut store, &clock, &reach, true)?),
            Some("due") => {
                provision::deliver(&mut store, &clock, &reach, None, false)?;
                Ok(provision::outbox(&mut store, &clock, &reach, false)?)
            }
            _ => Ok(provision::outbox(&mut store, &clock, &reach, false)?),
        }
    })
    .await
}

/// Take Microsoft's seats, status and auto-renew into the book for a subscription that differs.
#[tauri::command(rename_all = "snake_case")]
pub async fn pc_take<R: Runtime>(app: AppHandle<R>, id: i64) -> Result<provision::Aligned, IpcError> {
    blocking(app, move |_, state| {
        let (clock, reach) = (state.clock(), state.pc_reach());
        let mut store = seatbook::app::open(&state.db_path)?;
        Ok(provision::take(&mut store, &clock, &reach, id, None)?)
    })
    .await
}

/// Send the book's seats, status and auto-renew to Microsoft for a subscription that differs.
#[tauri::command(rename_all = "snake_case")]
pub async fn pc_push<R: Runtime>(app: AppHandle<R>, id: i64) -> Result<provision::Aligned, IpcError> {
    blocking(app, move |_, state| {
        let (clock, reach) = (state.clock(), state.pc_reach());
        let mut store = seatbook::app::open(&state.db_path)?;
        Ok(provision::push(&mut store, &clock, &reach, id)?)
    })
    .await
}

/// Make a book's customer at Microsoft with its agreement (Customers → a customer → Microsoft).
#[tauri::command(rename_all = "snake_case")]
pub async fn customer_provision<R: Runtime>(
    app: AppHandle<R>,
    id: i64,
    request: provision::CustomerRequest,
) -> Result<provision::ProvisionedCustomer, IpcError> {
    blocking(app, move |_, state| {
        let (clock, reach) = (state.clock(), state.pc_reach());
        let mut store = seatbook::app::open(&state.db_path)?;
        Ok(provision::provision_customer(&mut store, &clock, &reach, id, &request)?)
    })
    .await
}

/// Sign in as application and user, first step: Microsoft's device code for the user to enter.
#[tauri::command(rename_all = "snake_case")]
pub async fn pc_device_start<R: Runtime>(app: AppHandle<R>, tenant: String, client_id: String) -> Result<pc::DeviceCode, IpcError> {
    blocking(app, move |_, state| Ok(pc::device_code_start(&state.pc_reach(), &tenant, &client_id)?)).await
}

/// Second step: wait for the user's sign-in, keep the refresh token, connect as `app+user`.
#[tauri::command(rename_all = "snake_case")]
pub async fn pc_device_finish<R: Runtime>(
    app: AppHandle<R>,
    tenant: String,
    client_id: String,
    code: pc::DeviceCode,
) -> Result<PcStatus, IpcError> {
    blocking(app, move |_, state| {
        let (clock, reach) = (state.clock(), state.pc_reach());
        let mut store = seatbook::app::open(&state.db_path)?;
        Ok(pc::device_code_finish(&mut store, &clock, &reach, &tenant, &client_id, &code)?)
    })
    .await
}
