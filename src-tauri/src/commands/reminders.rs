//! Overdue reminders: what is due today, and sending them (recorded once per invoice and level,
//! one PDF letter each, written to the PDF folder's `reminders/<date>` folder).

use super::blocking;
use crate::error::IpcError;
use crate::files;
use seatbook::store::{Reminder, SentReminder};
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};

use crate::state::AppState;

#[derive(Debug, Serialize)]
pub struct RemindersSent {
    pub sent: Vec<SentReminder>,
    /// Where the letters are.
    pub folder: String,
}

/// Where today's letters go: `<PDF folder>/reminders/<today>`.
fn letters_folder(state: &AppState) -> std::path::PathBuf {
    state.pdf_dir().join("reminders").join(state.today().to_string())
}

/// Open the folder of today's letters in the file manager. Returns its path.
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

/// The reminders due today; records nothing.
#[tauri::command(rename_all = "snake_case")]
pub async fn reminders_due(state: State<'_, AppState>) -> Result<Vec<Reminder>, IpcError> {
    let today = state.today();
    state.with_store(|s| s.due_reminders(today))
}

/// Send the reminders due today: each letter is written to `<PDF folder>/reminders/<today>/`,
/// then the reminders are recorded (so each goes out once). A letter that cannot be written
/// records nothing, and the next run tries again.
#[tauri::command(rename_all = "snake_case")]
pub async fn reminders_send<R: Runtime>(app: AppHandle<R>) -> Result<RemindersSent, IpcError> {
    blocking(app, move |_app, state| {
        let today = state.today();
        let at = state.now();
        let folder = letters_folder(state);
        let sent = state.with_store(|s| {
            s.send_reminders(today, &at, |r, letter| {
                let path = folder.join(seatbook::pdf::reminder_file_name(&r.invoice, r.level));
                files::write(&path, letter).map_err(|e| seatbook::Error::io(e.message))?;
                Ok(path.display().to_string())
            })
        })?;
        Ok(RemindersSent { sent, folder: folder.display().to_string() })
    })
    .await
}
