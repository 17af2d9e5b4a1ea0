//! Backups of the open database: the automatic ones in `backups/` beside it, one made now, one
//! saved where the user says, and a restore from a file the user picks (checked before anything
//! is replaced; the database is closed for the swap and opened again).

use super::blocking;
use crate::error::IpcError;
use crate::files;
use crate::state::AppState;
use seatbook::store::{backup_dir, check_backup_file, list_backups, restore_backup};
use serde::Serialize;
use std::path::{Path, PathBuf};
use tauri::{AppHandle, Runtime, State};

#[derive(Debug, Clone, Serialize)]
pub struct BackupRow {
    /// The file's name (inside `folder`).
    pub name: String,
    pub path: String,
    pub bytes: u64,
    /// When the file was last written, `YYYY-MM-DDTHH:MM:SSZ`, if the system says.
    pub modified: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BackupsView {
    pub folder: String,
    pub database: String,
    /// Newest first.
    pub backups: Vec<BackupRow>,
    /// The backup `backup_now` just made (its path); `null` from `backups_list`.
    pub made: Option<String>,
}

fn modified_time(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).ok()?.modified().ok()
}

fn modified(path: &Path) -> Option<String> {
    let t = modified_time(path)?;
    Some(chrono::DateTime::<chrono::Utc>::from(t).format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

fn view(state: &AppState) -> Result<BackupsView, IpcError> {
    let dir = backup_dir(&state.db_path);
    // Newest first by when each file was written: by name, the day's automatic backup
    // (`seatbook-DAY.db`) would sort after the ones made later that day (`seatbook-DAY-HHMMSS.db`).
    let mut found: Vec<(Option<std::time::SystemTime>, BackupRow)> = list_backups(&dir)?
        .into_iter()
        .map(|b| {
            let path = PathBuf::from(&b.path);
            let row = BackupRow {
                name: path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                modified: modified(&path),
                path: b.path,
                bytes: b.bytes,
            };
            (modified_time(&path), row)
        })
        .collect();
    found.sort_by(|(ta, a), (tb, b)| tb.cmp(ta).then_with(|| b.name.cmp(&a.name)));
    let backups = found.into_iter().map(|(_, row)| row).collect();
    Ok(BackupsView { folder: dir.display().to_string(), database: state.db_path.display().to_string(), backups, made: None })
}

fn stamp() -> String {
    chrono::Utc::now().format("%Y%m%d-%H%M%S").to_string()
}

/// A backup's file name for today and now.
fn backup_name(state: &AppState) -> String {
    format!("seatbook-{}-{}.db", state.today(), chrono::Local::now().format("%H%M%S"))
}

/// `name`, or `name` with `-2`, `-3`, … before `.db` when `dir` already holds it: two backups
/// in the same second are two files.
fn free_name(dir: &Path, name: &str) -> String {
    let stem = name.strip_suffix(".db").unwrap_or(name);
    let mut candidate = name.to_string();
    let mut n = 2;
    while dir.join(&candidate).exists() {
        candidate = format!("{stem}-{n}.db");
        n += 1;
    }
    candidate
}

#[tauri::command(rename_all = "snake_case")]
pub async fn backups_list(state: State<'_, AppState>) -> Result<BackupsView, IpcError> {
    view(&state)
}

/// A checked backup into the backups folder, now.
#[tauri::command(rename_all = "snake_case")]
pub async fn backup_now<R: Runtime>(app: AppHandle<R>) -> Result<BackupsView, IpcError> {
    blocking(app, |_, state| {
        let dir = backup_dir(&state.db_path);
        let dest = dir.join(free_name(&dir, &backup_name(state)));
        let made = state.with_store(|s| s.backup_to(&dest))?;
        Ok(BackupsView { made: Some(made.path), ..view(state)? })
    })
    .await
}

/// A checked backup written where the user says in a save dialog; its path, or `null` when the
/// dialog was cancelled.
#[tauri::command(rename_all = "snake_case")]
pub async fn backup_save_as<R: Runtime>(app: AppHandle<R>) -> Result<Option<String>, IpcError> {
    blocking(app, |app, state| {
        let Some(path) = files::save_file(app, "Save a backup as", &backup_name(state), &files::DATABASE)? else {
            return Ok(None);
        };
        state.with_store(|s| s.backup_to(&path))?;
        Ok(Some(path.display().to_string()))
    })
    .await
}

/// The backup chosen for a restore, waiting for the user's confirmation.
#[derive(Debug, Clone, Serialize)]
pub struct RestoreCandidate {
    pub name: String,
    pub path: String,
    pub bytes: u64,
    pub modified: Option<String>,
}

/// Choose the backup to restore: `name` picks one of the backups folder's files, no name opens
/// a file dialog. The file is checked now (a damaged or foreign file is refused with the core's
/// message) and kept for `backup_restore`; nothing changes yet. `null` when cancelled.
#[tauri::command(rename_all = "snake_case")]
pub async fn backup_pick<R: Runtime>(app: AppHandle<R>, name: Option<String>) -> Result<Option<RestoreCandidate>, IpcError> {
    blocking(app, move |app, state| {
        state.set_pending_restore(None);
        let path = match super::given(name) {
            Some(n) => {
                let n = n.trim();
                if n.contains(['/', '\\']) || n.starts_with('.') {
                    return Err(IpcError::invalid("name", format!("'{n}' is not a backup's file name")));
                }
                let p = backup_dir(&state.db_path).join(n);
                if !p.is_file() {
                    return Err(seatbook::Error::not_found(format!("there is no backup {n}")).with_field("name").into());
                }
                p
            }
            None => match files::pick_file(app, "Restore which backup?", &files::DATABASE)? {
                Some(p) => p,
                None => return Ok(None),
            },
        };
        check_backup_file(&path)?;
        let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let candidate = RestoreCandidate {
            name: path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            path: path.display().to_string(),
            bytes,
            modified: modified(&path),
        };
        state.set_pending_restore(Some(path));
        Ok(Some(candidate))
    })
    .await
}

/// What a restore did.
#[derive(Debug, Clone, Serialize)]
pub struct RestoreReport {
    pub restored: String,
    /// Where the database as it was before is kept.
    pub kept_aside: String,
}

/// Restore the backup chosen with `backup_pick`: the database is closed, replaced (the old one
/// kept aside), and opened again. A refused file changes nothing.
#[tauri::command(rename_all = "snake_case")]
pub async fn backup_restore<R: Runtime>(app: AppHandle<R>) -> Result<RestoreReport, IpcError> {
    blocking(app, |_, state| {
        let Some(backup) = state.take_pending_restore() else {
            return Err(seatbook::Error::refused("choose the backup to restore first").into());
        };
        let aside = state.reopen_after(|db| restore_backup(db, &backup, &stamp()))?;
        Ok(RestoreReport { restored: backup.display().to_string(), kept_aside: aside.display().to_string() })
    })
    .await
}
