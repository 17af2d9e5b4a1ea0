//! The shell's own settings: where PDFs go (a folder chosen in a dialog).

use super::blocking;
use crate::error::IpcError;
use crate::files;
use crate::state::AppState;
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};

#[derive(Debug, Clone, Serialize)]
pub struct SettingsView {
    pub pdf_dir: String,
    /// True while no folder was chosen.
    pub pdf_dir_is_default: bool,
    pub database: String,
}

fn view(state: &AppState) -> SettingsView {
    SettingsView {
        pdf_dir: state.pdf_dir().display().to_string(),
        pdf_dir_is_default: state.settings().pdf_dir.is_none(),
        database: state.db_path.display().to_string(),
    }
}

#[tauri::command(rename_all = "snake_case")]
pub async fn settings_get(state: State<'_, AppState>) -> Result<SettingsView, IpcError> {
    Ok(view(&state))
}

/// Choose the PDF folder in a dialog. `null` when the dialog was cancelled.
#[tauri::command(rename_all = "snake_case")]
pub async fn settings_pick_pdf_dir<R: Runtime>(app: AppHandle<R>) -> Result<Option<SettingsView>, IpcError> {
    blocking(app, |app, state| {
        let Some(dir) = files::pick_folder(app, "Where should invoice PDFs go?", &state.pdf_dir())? else {
            return Ok(None);
        };
        state.update_settings(|s| s.pdf_dir = Some(dir))?;
        Ok(Some(view(state)))
    })
    .await
}

/// Go back to the default PDF folder.
#[tauri::command(rename_all = "snake_case")]
pub async fn settings_reset_pdf_dir(state: State<'_, AppState>) -> Result<SettingsView, IpcError> {
    state.update_settings(|s| s.pdf_dir = None)?;
    Ok(view(&state))
}
