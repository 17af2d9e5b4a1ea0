//! Reconcile: Microsoft's monthly invoice, imported from its reconciliation file (chosen in a
//! dialog, read off the UI thread with progress), the invoices imported, the report of one (its
//! findings, totals and margin), its findings as CSV, the fix a finding offers, and the money
//! leaked on the last invoice for the dashboard. The core (`seatbook::app::recon`) does the work,
//! as for `seatbook recon`.

use super::blocking;
use crate::error::IpcError;
use crate::files;
use crate::state::AppState;
use rust_decimal::Decimal;
use seatbook::app::recon::{self as recon, FixOutcome, ReconImportOutcome};
use seatbook::app::ReconImport;
use seatbook::money::Currency;
use seatbook::recon::Reconciliation;
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};

/// Import one of Microsoft's reconciliation files; `null` when the dialog was cancelled.
///
/// When the file holds an invoice imported before from other data, the import is refused with
/// `conflict` (field `replace`) and the file is kept aside: `replace: true` then imports that
/// same file again, replacing the earlier one, without asking for it a second time.
#[tauri::command(rename_all = "snake_case")]
pub async fn recon_import<R: Runtime>(app: AppHandle<R>, replace: Option<bool>) -> Result<Option<ReconImportOutcome>, IpcError> {
    blocking(app, move |app, state| {
        let replace = replace.unwrap_or(false);
        let kept = state.take_pending_recon();
        let path = match kept.filter(|_| replace) {
            Some(path) => path,
            None => match files::pick_file(app, "Import Microsoft's reconciliation file", &files::RECON)? {
                Some(path) => path,
                None => return Ok(None),
            },
        };
        // The bytes read of the file, in each pass over it, then the whole file once done.
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        files::progress_bytes(app, "recon", 0, size);
        let clock = state.clock();
        let outcome = state.with_store(|s| {
            recon::import(s, &clock, &path, replace, &mut |p| files::progress_bytes(app, "recon", p.read.min(p.total), p.total))
        });
        match outcome {
            Ok(done) => {
                files::progress_bytes(app, "recon", size, size);
                Ok(Some(done))
            }
            Err(e) => {
                if e.code == seatbook::ErrorCode::Conflict.as_str() {
                    state.set_pending_recon(Some(path));
                }
                Err(e)
            }
        }
    })
    .await
}

/// Microsoft's invoices imported, the latest first.
#[tauri::command(rename_all = "snake_case")]
pub async fn recon_list<R: Runtime>(app: AppHandle<R>) -> Result<Vec<ReconImport>, IpcError> {
    // A reading: off the async runtime's few threads, so another screen's call is not held up.
    blocking(app, move |_, state| state.with_reader(recon::list)).await
}

/// The reconciliation of Microsoft's invoice `invoice` with the book.
#[tauri::command(rename_all = "snake_case")]
pub async fn recon_report<R: Runtime>(app: AppHandle<R>, invoice: String) -> Result<Reconciliation, IpcError> {
    blocking(app, move |_, state| state.with_reader(|s| recon::report(s, &invoice))).await
}

/// Write the findings of `invoice` as CSV where the user says in a save dialog (the bytes of
/// `seatbook recon report INVOICE --csv FILE`). Its path, or `null` when the dialog was cancelled.
#[tauri::command(rename_all = "snake_case")]
pub async fn recon_export_csv<R: Runtime>(app: AppHandle<R>, invoice: String) -> Result<Option<String>, IpcError> {
    blocking(app, move |app, state| {
        let r = state.with_reader(|s| recon::report(s, &invoice))?;
        let t = recon::table(&r);
        let name = format!("seatbook-recon-{}-{}.csv", file_safe(&r.invoice), state.today());
        let Some(path) = files::save_file(app, &format!("Export the {} as", t.title), &name, &files::CSV_EXPORT)? else {
            return Ok(None);
        };
        files::write(&path, t.to_csv().as_bytes())?;
        Ok(Some(path.display().to_string()))
    })
    .await
}

/// Put right what a finding says is wrong in the book.
#[tauri::command(rename_all = "snake_case")]
pub async fn recon_fix(state: State<'_, AppState>, finding: String) -> Result<FixOutcome, IpcError> {
    let clock = state.clock();
    state.with_store(|s| recon::fix(s, &clock, &finding))
}

/// The money leaked on the invoice reconciled last.
#[derive(Debug, Clone, Serialize)]
pub struct LastLeak {
    pub invoice: String,
    pub currency: Currency,
    pub leaked: Decimal,
}

/// The dashboard's "leaked on Microsoft's last invoice"; `null` before any import.
#[tauri::command(rename_all = "snake_case")]
pub async fn recon_last_leak<R: Runtime>(app: AppHandle<R>) -> Result<Option<LastLeak>, IpcError> {
    blocking(app, |_, state| {
        let last = state.with_reader(recon::last_leak)?;
        Ok(last.map(|(invoice, currency, leaked)| LastLeak { invoice, currency, leaked }))
    })
    .await
}

/// Microsoft's invoice number as part of a file name: letters, digits, `-` and `_` only.
fn file_safe(invoice: &str) -> String {
    invoice.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn invoice_numbers_make_safe_file_names() {
        assert_eq!(super::file_safe("G012345678"), "G012345678");
        assert_eq!(super::file_safe("../x y"), "___x_y");
    }
}
