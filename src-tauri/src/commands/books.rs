//! The books: the trial balance, the journal exported for an accountant's tool, and every table
//! as CSV. The core (`seatbook::app::books`) makes them, as for the command line.

use super::blocking;
use crate::error::IpcError;
use crate::files;
use seatbook::app::books::{self as books, ExportAll, TrialBalance};
use serde::Serialize;
use tauri::{AppHandle, Runtime};

#[tauri::command(rename_all = "snake_case")]
pub async fn books_trial_balance<R: Runtime>(app: AppHandle<R>) -> Result<TrialBalance, IpcError> {
    // A reading: off the async runtime's few threads, so another screen's call is not held up.
    blocking(app, move |_, state| state.report(|kept| kept.trial_balance(), |s| books::trial_balance(s))).await
}

#[derive(Debug, Clone, Serialize)]
pub struct JournalSaved {
    pub file: String,
    pub entries: usize,
}

/// Export the journal (`csv`, `hledger` or `beancount`) where the user says; `null` when the
/// dialog was cancelled.
#[tauri::command(rename_all = "snake_case")]
pub async fn books_export_journal<R: Runtime>(app: AppHandle<R>, format: String) -> Result<Option<JournalSaved>, IpcError> {
    let f = books::format(&format)?;
    blocking(app, move |app, state| {
        let name = format!("seatbook-journal-{}.{}", state.today(), f.extensions[0]);
        let filter = files::Filter { name: f.label, extensions: f.extensions };
        let Some(path) = files::save_file(app, "Export the journal as", &name, &filter)? else {
            return Ok(None);
        };
        let journal = state.with_store(|s| books::journal(s, f))?;
        files::write(&path, journal.text.as_bytes())?;
        Ok(Some(JournalSaved { file: path.display().to_string(), entries: journal.entries.len() }))
    })
    .await
}

/// Write every table as `<table>.csv` into a folder the user picks. `null` when the dialog was
/// cancelled.
#[tauri::command(rename_all = "snake_case")]
pub async fn books_export_all<R: Runtime>(app: AppHandle<R>) -> Result<Option<ExportAll>, IpcError> {
    blocking(app, |app, state| {
        let Some(dir) = files::pick_folder(app, "Export all data into which folder?", &state.pdf_dir())? else {
            return Ok(None);
        };
        Ok(Some(state.with_store(|s| books::export_all(s, &dir))?))
    })
    .await
}
