//! PDFs of issued documents, kept in the PDF folder a month each (`<folder>/<YYYY-MM>/`): a
//! month's batch, one document opened or saved elsewhere, the month combined for printing. The
//! core renders them (`seatbook::app::billing`), as for `seatbook invoice pdf`.

use super::blocking;
use crate::error::IpcError;
use crate::files;
use crate::state::AppState;
use seatbook::app::billing;
use serde::Serialize;
use std::path::PathBuf;
use tauri::{AppHandle, Runtime};

#[derive(Debug, Clone, Serialize)]
pub struct PdfBatch {
    pub folder: String,
    pub files: Vec<String>,
}

fn month_folder(state: &AppState, month: &str) -> PathBuf {
    state.pdf_dir().join(month)
}

/// Write the PDFs of `docs` into the month's folder, reporting progress one document at a time.
/// Write the PDFs of the invoices numbered `numbers` into the month's folder, with progress.
pub(crate) fn write_pdfs<R: Runtime>(app: &AppHandle<R>, state: &AppState, month: &str, numbers: &[String]) -> Result<PdfBatch, IpcError> {
    let folder = month_folder(state, month);
    // The documents are read a chunk at a time, on a reader of the book: the rest of the app
    // answers during a long batch.
    let docs = billing::documents_by_chunk(numbers, |chunk| state.with_reader(|s| billing::printables(s, chunk)));
    let written =
        billing::write_pdfs::<IpcError>(&folder, docs, numbers.len(), &mut |done, total| files::progress(app, "pdf", done, total))?;
    Ok(PdfBatch { folder: folder.display().to_string(), files: written.iter().map(|p| p.display().to_string()).collect() })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn pdfs_write_month<R: Runtime>(app: AppHandle<R>, month: String) -> Result<PdfBatch, IpcError> {
    blocking(app, move |app, state| {
        let numbers = state.with_store(|s| billing::month_numbers(s, &month))?;
        write_pdfs(app, state, month.trim(), &numbers)
    })
    .await
}

/// Write one document's PDF into its month's folder and open it.
#[tauri::command(rename_all = "snake_case")]
pub async fn pdf_open<R: Runtime>(app: AppHandle<R>, number: String) -> Result<String, IpcError> {
    blocking(app, move |app, state| {
        let pdf = state.with_store(|s| billing::pdf(s, &number))?;
        let path = month_folder(state, &pdf.month).join(&pdf.file_name);
        files::write(&path, &pdf.bytes)?;
        files::open_in_system(app, &path)?;
        Ok(path.display().to_string())
    })
    .await
}

/// Save one document's PDF where the user says; `null` when the dialog was cancelled.
#[tauri::command(rename_all = "snake_case")]
pub async fn pdf_save_as<R: Runtime>(app: AppHandle<R>, number: String) -> Result<Option<String>, IpcError> {
    blocking(app, move |app, state| {
        let pdf = state.with_store(|s| billing::pdf(s, &number))?;
        let Some(path) = files::save_file(app, &format!("Save {} as", number.trim()), &pdf.file_name, &files::PDF)? else {
            return Ok(None);
        };
        files::write(&path, &pdf.bytes)?;
        Ok(Some(path.display().to_string()))
    })
    .await
}

/// Every invoice of a month in one PDF, written into the month's folder and opened for printing.
#[tauri::command(rename_all = "snake_case")]
pub async fn pdf_print_combined<R: Runtime>(app: AppHandle<R>, month: String) -> Result<String, IpcError> {
    blocking(app, move |app, state| {
        let docs = state.with_store(|s| billing::month_documents(s, &month))?;
        files::progress(app, "pdf", 0, 1);
        let pdf = billing::render_combined(&month, &docs)?;
        let path = month_folder(state, &pdf.month).join(&pdf.file_name);
        files::write(&path, &pdf.bytes)?;
        files::progress(app, "pdf", 1, 1);
        files::open_in_system(app, &path)?;
        Ok(path.display().to_string())
    })
    .await
}

/// Open the PDF folder, or a month's folder in it.
#[tauri::command(rename_all = "snake_case")]
pub async fn pdf_open_folder<R: Runtime>(app: AppHandle<R>, month: Option<String>) -> Result<String, IpcError> {
    blocking(app, move |app, state| {
        let folder = match month.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
            Some(m) => {
                seatbook::dates::parse_month(m, "month")?;
                month_folder(state, m)
            }
            None => state.pdf_dir(),
        };
        std::fs::create_dir_all(&folder).map_err(|e| IpcError::io(format!("cannot create {}: {e}", folder.display())))?;
        files::open_in_system(app, &folder)?;
        Ok(folder.display().to_string())
    })
    .await
}
