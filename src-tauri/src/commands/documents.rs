//! Invoice and credit-note PDFs: written into the PDF folder (one sub-folder per billing month),
//! opened in the system viewer, saved elsewhere through a dialog, combined for printing.

use super::blocking;
use crate::error::IpcError;
use crate::files;
use crate::state::AppState;
use seatbook::pdf::{Document, DocumentKind};
use seatbook::store::Store;
use serde::Serialize;
use std::path::PathBuf;
use tauri::{AppHandle, Runtime};

/// PDFs written for a month.
#[derive(Debug, Clone, Serialize)]
pub struct PdfBatch {
    pub folder: String,
    pub files: Vec<String>,
}

/// The billing month an invoice or credit note belongs to (a credit note goes with its invoice).
fn month_of(s: &Store, doc: &Document) -> seatbook::Result<String> {
    let invoice = match &doc.kind {
        DocumentKind::TaxInvoice => &doc.number,
        DocumentKind::CreditNote { corrects, .. } => corrects,
    };
    Ok(s.invoice(invoice)?.month)
}

fn month_folder(state: &AppState, month: &str) -> PathBuf {
    state.pdf_dir().join(month)
}

fn render(doc: &Document) -> Result<Vec<u8>, IpcError> {
    Ok(seatbook::pdf::render(doc)?)
}

/// Render `numbers` into the month's folder, one `pdf` progress event per document.
pub(crate) fn write_pdfs<R: Runtime>(app: &AppHandle<R>, state: &AppState, month: &str, numbers: &[String]) -> Result<PdfBatch, IpcError> {
    let docs = state.with_store(|s| numbers.iter().map(|n| s.document(n)).collect::<seatbook::Result<Vec<_>>>())?;
    let folder = month_folder(state, month);
    let total = docs.len();
    files::progress(app, "pdf", 0, total);
    let mut written = Vec::with_capacity(total);
    for (i, doc) in docs.iter().enumerate() {
        let path = folder.join(files::pdf_name(&doc.number, &doc.customer.name));
        files::write(&path, &render(doc)?)?;
        written.push(path.display().to_string());
        files::progress(app, "pdf", i + 1, total);
    }
    Ok(PdfBatch { folder: folder.display().to_string(), files: written })
}

/// Write the PDF of every invoice of `month` into its folder (as the `pdf` job).
#[tauri::command(rename_all = "snake_case")]
pub async fn pdfs_write_month<R: Runtime>(app: AppHandle<R>, month: String) -> Result<PdfBatch, IpcError> {
    blocking(app, move |app, state| {
        seatbook::dates::parse_month(&month, "--month")?;
        let numbers = state.with_store(|s| s.invoice_numbers(month.trim()))?;
        if numbers.is_empty() {
            return Err(IpcError::from(seatbook::Error::not_found(format!("no invoices were issued for {month}")).with_field("--month")));
        }
        write_pdfs(app, state, month.trim(), &numbers)
    })
    .await
}

/// Write an invoice's or credit note's PDF into its month's folder and open it in the system's
/// PDF viewer. Returns the file's path.
#[tauri::command(rename_all = "snake_case")]
pub async fn pdf_open<R: Runtime>(app: AppHandle<R>, number: String) -> Result<String, IpcError> {
    blocking(app, move |app, state| {
        let (doc, month) = state.with_store(|s| {
            let doc = s.document(&number)?;
            let month = month_of(s, &doc)?;
            Ok((doc, month))
        })?;
        let path = month_folder(state, &month).join(files::pdf_name(&doc.number, &doc.customer.name));
        files::write(&path, &render(&doc)?)?;
        files::open_in_system(app, &path)?;
        Ok(path.display().to_string())
    })
    .await
}

/// Save an invoice's or credit note's PDF where the user says in a save dialog. `null` when
/// the dialog was cancelled.
#[tauri::command(rename_all = "snake_case")]
pub async fn pdf_save_as<R: Runtime>(app: AppHandle<R>, number: String) -> Result<Option<String>, IpcError> {
    blocking(app, move |app, state| {
        let doc = state.with_store(|s| s.document(&number))?;
        let bytes = render(&doc)?;
        let name = files::pdf_name(&doc.number, &doc.customer.name);
        let Some(path) = files::save_file(app, &format!("Save {} as", doc.number), &name, &files::PDF)? else {
            return Ok(None);
        };
        files::write(&path, &bytes)?;
        Ok(Some(path.display().to_string()))
    })
    .await
}

/// Every invoice of `month` in one PDF, each on new pages, opened in the system viewer to print.
/// Returns the file's path.
#[tauri::command(rename_all = "snake_case")]
pub async fn pdf_print_combined<R: Runtime>(app: AppHandle<R>, month: String) -> Result<String, IpcError> {
    blocking(app, move |app, state| {
        seatbook::dates::parse_month(&month, "--month")?;
        let month = month.trim().to_string();
        let docs = state.with_store(|s| {
            let numbers = s.invoice_numbers(&month)?;
            numbers.iter().map(|n| s.document(n)).collect::<seatbook::Result<Vec<_>>>()
        })?;
        if docs.is_empty() {
            return Err(IpcError::from(seatbook::Error::not_found(format!("no invoices were issued for {month}")).with_field("--month")));
        }
        files::progress(app, "pdf", 0, 1);
        let bytes = seatbook::pdf::render_combined(&docs)?;
        let path = month_folder(state, &month).join(format!("{month}_all-invoices.pdf"));
        files::write(&path, &bytes)?;
        files::progress(app, "pdf", 1, 1);
        files::open_in_system(app, &path)?;
        Ok(path.display().to_string())
    })
    .await
}

/// Open the PDF folder (or one month's) in the file manager. Returns its path.
#[tauri::command(rename_all = "snake_case")]
pub async fn pdf_open_folder<R: Runtime>(app: AppHandle<R>, month: Option<String>) -> Result<String, IpcError> {
    blocking(app, move |app, state| {
        let folder = match super::given(month) {
            Some(m) => {
                seatbook::dates::parse_month(&m, "--month")?;
                month_folder(state, m.trim())
            }
            None => state.pdf_dir(),
        };
        std::fs::create_dir_all(&folder).map_err(|e| IpcError::io(format!("cannot create {}: {e}", folder.display())))?;
        files::open_in_system(app, &folder)?;
        Ok(folder.display().to_string())
    })
    .await
}
