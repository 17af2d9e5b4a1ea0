//! Reminders of overdue invoices: the ones due today, and sending them (letters written into the
//! PDF folder's `reminders/<date>/`, then recorded).

use super::blocking;
use crate::error::IpcError;
use crate::files;
use crate::state::AppState;
use seatbook::app::mail::Pass;
use seatbook::app::receivables;
use seatbook::app::{Reminder, SentReminder};
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};

#[derive(Debug, Serialize)]
pub struct RemindersSent {
    pub sent: Vec<SentReminder>,
    pub folder: String,
    /// The letters that go by e-mail (written to the outbox with the run), sent now.
    pub mail: Option<Pass>,
}

fn letters_folder(state: &AppState) -> std::path::PathBuf {
    state.pdf_dir().join("reminders").join(state.today().to_string())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn reminders_open_folder<R: Runtime>(app: AppHandle<R>) -> Result<String, IpcError> {
    blocking(app, move |app, state| {
        let folder = letters_folder(state);
        std::fs::create_dir_all(&folder).map_err(|e| IpcError::io(format!("cannot create {}: {e}", folder.display())))?;
        files::open_in_system(app, &folder)?;
        Ok(folder.display().to_string())
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn reminders_due(state: State<'_, AppState>) -> Result<Vec<Reminder>, IpcError> {
    let today = state.today();
    state.with_store(|s| receivables::due_reminders(s, today, None))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn reminders_send<R: Runtime>(app: AppHandle<R>) -> Result<RemindersSent, IpcError> {
    blocking(app, move |app, state| {
        let clock = state.clock();
        let folder = letters_folder(state);
        let sent = state.with_store(|s| receivables::send_reminders(s, &clock, None, &folder))?;
        // The reminders are recorded whatever the sending does: what cannot go waits.
        let mail = crate::commands::mail::deliver_if_waiting(app, state);
        Ok(RemindersSent { sent, folder: folder.display().to_string(), mail })
    })
    .await
}
