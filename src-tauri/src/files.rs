//! Files the user chose: native dialogs (or, for automated tests, answers from a folder), writing
//! PDFs, opening files and folders in the system's programs, and progress events. Every path the
//! app reads or writes comes from here, never from the page.
//!
//! The dialog functions block until the user answers: call them inside `spawn_blocking`, never on
//! the main thread.

use crate::error::IpcError;
use crate::state::AppState;
use serde::Serialize;
use std::path::{Path, PathBuf};
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;

/// A file type offered by a dialog.
pub struct Filter {
    pub name: &'static str,
    pub extensions: &'static [&'static str],
}

pub const CSV: Filter = Filter { name: "Price list (CSV)", extensions: &["csv"] };
pub const IMAGE: Filter = Filter { name: "Logo (PNG or JPEG)", extensions: &["png", "jpg", "jpeg"] };
pub const DATABASE: Filter = Filter { name: "Seatbook backup (.db)", extensions: &["db"] };
pub const CSV_EXPORT: Filter = Filter { name: "CSV", extensions: &["csv"] };
pub const PDF: Filter = Filter { name: "PDF", extensions: &["pdf"] };
/// Partner Center's CSV, or the Graph export's gzip-compressed JSON Lines (`*.jsonl.gz`).
pub const USAGE: Filter = Filter { name: "Microsoft's daily rated usage (CSV, or JSON Lines .gz)", extensions: &["csv", "gz"] };
pub const RECON: Filter = Filter { name: "Microsoft's reconciliation file (CSV, or JSON Lines .gz)", extensions: &["csv", "gz"] };

fn automation<R: Runtime>(app: &AppHandle<R>) -> Option<PathBuf> {
    app.state::<AppState>().launch.automation_dir.clone()
}

fn dialog_path(answer: Option<tauri_plugin_dialog::FilePath>) -> Result<Option<PathBuf>, IpcError> {
    answer.map(|p| p.into_path().map_err(|e| IpcError::io(format!("the chosen file is not on this computer: {e}")))).transpose()
}

/// Ask for a file to read. `None` when the user cancelled.
pub fn pick_file<R: Runtime>(app: &AppHandle<R>, title: &str, filter: &Filter) -> Result<Option<PathBuf>, IpcError> {
    if let Some(dir) = automation(app) {
        // The first file of the right type in the folder, by name.
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map_err(|e| IpcError::io(format!("cannot read {}: {e}", dir.display())))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && has_extension(p, filter.extensions))
            .collect();
        files.sort();
        return Ok(files.into_iter().next());
    }
    dialog_path(app.dialog().file().set_title(title).add_filter(filter.name, filter.extensions).blocking_pick_file())
}

/// Ask where to save a file, suggesting `file_name`. `None` when the user cancelled.
pub fn save_file<R: Runtime>(app: &AppHandle<R>, title: &str, file_name: &str, filter: &Filter) -> Result<Option<PathBuf>, IpcError> {
    if let Some(dir) = automation(app) {
        return Ok(Some(dir.join(file_name)));
    }
    let path = dialog_path(
        app.dialog().file().set_title(title).set_file_name(file_name).add_filter(filter.name, filter.extensions).blocking_save_file(),
    )?;
    // Some desktops drop the extension the user did not type.
    Ok(path.map(|p| if p.extension().is_none() { p.with_extension(filter.extensions[0]) } else { p }))
}

/// Ask for a folder. `None` when the user cancelled.
pub fn pick_folder<R: Runtime>(app: &AppHandle<R>, title: &str, start: &Path) -> Result<Option<PathBuf>, IpcError> {
    if let Some(dir) = automation(app) {
        return Ok(Some(dir));
    }
    let mut dialog = app.dialog().file().set_title(title);
    if start.is_dir() {
        dialog = dialog.set_directory(start);
    }
    dialog_path(dialog.blocking_pick_folder())
}

/// Open a file or folder in the system's default program (a PDF viewer, the file manager).
pub fn open_in_system<R: Runtime>(app: &AppHandle<R>, path: &Path) -> Result<(), IpcError> {
    if automation(app).is_some() {
        return Ok(());
    }
    app.opener().open_path(path.to_string_lossy(), None::<&str>).map_err(|e| {
        IpcError::io(format!("{} is ready, but no program could open it ({e}); open it from your file manager", path.display()))
    })
}

pub fn has_extension(path: &Path, extensions: &[&str]) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| extensions.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// Write `bytes` to `path` whole or not at all (the core's writer, as the command line's),
/// creating its folder.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), IpcError> {
    Ok(seatbook::app::files::write(path, bytes)?)
}

/// How far a long job has come: sent to the page as the `progress` event.
#[derive(Debug, Clone, Serialize)]
pub struct Progress {
    /// `import`, `billing`, `pdf` or `recon`.
    pub job: &'static str,
    pub done: u64,
    pub total: u64,
    /// What `done` and `total` count when it is not items: `bytes` (the page shows a percentage).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<&'static str>,
}

pub fn progress<R: Runtime>(app: &AppHandle<R>, job: &'static str, done: usize, total: usize) {
    emit(app, Progress { job, done: done as u64, total: total as u64, unit: None });
}

/// Progress through a file, in bytes.
pub fn progress_bytes<R: Runtime>(app: &AppHandle<R>, job: &'static str, done: u64, total: u64) {
    emit(app, Progress { job, done, total, unit: Some("bytes") });
}

fn emit<R: Runtime>(app: &AppHandle<R>, p: Progress) {
    // A window that is gone cannot be told; the job goes on.
    let _ = app.emit("progress", p);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_are_matched_in_any_case() {
        assert!(has_extension(Path::new("/tmp/a.CSV"), CSV.extensions));
        assert!(!has_extension(Path::new("/tmp/a.txt"), CSV.extensions));
    }
}
