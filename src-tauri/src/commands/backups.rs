//! Backups in Settings: the list, back up now, save a backup elsewhere, and restore one (picked
//! from the list or from a file, checked before the user confirms). The core
//! (`seatbook::app::backups`) does the work, as for the command line.

use super::blocking;
use crate::error::IpcError;
use crate::files;
use crate::state::AppState;
use seatbook::app::backups::{self as backups, BackupRow, BackupsView, RestoreReport};
use tauri::{AppHandle, Runtime, State};

#[tauri::command(rename_all = "snake_case")]
pub async fn backups_list(state: State<'_, AppState>) -> Result<BackupsView, IpcError> {
    Ok(backups::list(&state.db_path)?)
}

/// Back up into the backups folder now; the list with the new one.
#[tauri::command(rename_all = "snake_case")]
pub async fn backup_now<R: Runtime>(app: AppHandle<R>) -> Result<BackupsView, IpcError> {
    blocking(app, |_, state| {
        let clock = state.clock();
        let made = state.with_store(|s| backups::create(s, &state.db_path, &clock, None))?;
        Ok(BackupsView { made: Some(made.path), ..backups::list(&state.db_path)? })
    })
    .await
}

/// Save a backup where the user says; its path, or `null` when the dialog was cancelled.
#[tauri::command(rename_all = "snake_case")]
pub async fn backup_save_as<R: Runtime>(app: AppHandle<R>) -> Result<Option<String>, IpcError> {
    blocking(app, |app, state| {
        let clock = state.clock();
        let Some(path) = files::save_file(app, "Save a backup as", &backups::backup_name(&clock), &files::DATABASE)? else {
            return Ok(None);
        };
        state.with_store(|s| backups::create(s, &state.db_path, &clock, Some(&path)))?;
        Ok(Some(path.display().to_string()))
    })
    .await
}

/// Choose the backup to restore: by its name in the backups folder, or from a file dialog. It is
/// checked now, and restored by `backup_restore` once the user confirms.
#[tauri::command(rename_all = "snake_case")]
pub async fn backup_pick<R: Runtime>(app: AppHandle<R>, name: Option<String>) -> Result<Option<BackupRow>, IpcError> {
    blocking(app, move |app, state| {
        state.set_pending_restore(None);
        let path = match name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            Some(n) => backups::find(&state.db_path, n)?,
            None => match files::pick_file(app, "Restore which backup?", &files::DATABASE)? {
                Some(p) => p,
                None => return Ok(None),
            },
        };
        let candidate = backups::candidate(&path)?;
        state.set_pending_restore(Some(path));
        Ok(Some(candidate))
    })
    .await
}

/// Restore the backup chosen with `backup_pick`; the database as it was is kept aside.
#[tauri::command(rename_all = "snake_case")]
pub async fn backup_restore<R: Runtime>(app: AppHandle<R>) -> Result<RestoreReport, IpcError> {
    blocking(app, |_, state| {
        let Some(backup) = state.take_pending_restore() else {
            return Err(seatbook::Error::refused("choose the backup to restore first").into());
        };
        let clock = state.clock();
        state.reopen_after(|db| backups::restore(db, &backup, &clock))
    })
    .await
}
