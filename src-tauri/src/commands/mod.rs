//! The app's commands, one file per screen's area. Each command is a few lines: take the state,
//! call one action of the core's application layer (`seatbook::app`, which the command line
//! calls too), and map the error. Commands are `async`, so none runs on the UI thread; long work
//! (imports, billing runs, batches of PDFs) and native dialogs run in `spawn_blocking`.
//!
//! Arguments are snake_case on both sides (`customer_id`), like the inputs of the page.

pub mod app;
pub mod backups;
pub mod billing;
pub mod books;
pub mod catalogue;
pub mod company;
pub mod customers;
pub mod documents;
pub mod mail;
pub mod pc;
pub mod receivables;
pub mod recon;
pub mod reminders;
pub mod reports;
pub mod settings;
pub mod subscriptions;
pub mod usage;

use crate::error::IpcError;
use crate::state::AppState;
use tauri::{AppHandle, Manager, Runtime};

/// Run `f` on a thread that may block (a dialog waiting for the user, a long job).
pub(crate) async fn blocking<R: Runtime, T: Send + 'static, F>(app: AppHandle<R>, f: F) -> Result<T, IpcError>
where
    F: FnOnce(&AppHandle<R>, &AppState) -> Result<T, IpcError> + Send + 'static,
{
    tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        let name = crate::trace::command_name::<F>();
        crate::trace::mark(&format!("{name} begins"));
        let out = f(&app, &state);
        crate::trace::mark(&format!("{name} ends"));
        out
    })
    .await
    .map_err(|e| IpcError::io(format!("the job stopped unexpectedly: {e}")))?
}
