//! The billing run (preview, issue and the PDFs), invoices with their status, and credit notes.

use super::blocking;
use crate::commands::documents::{write_pdfs, PdfBatch};
use crate::commands::mail::{deliver, Mailed};
use crate::error::IpcError;
use crate::files;
use crate::state::AppState;
use seatbook::app::billing::{self as billing, CreditRequest, InvoiceDetail, InvoicePage};
use seatbook::app::mail;
use seatbook::app::{BillingRun, CreditNoteView};
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};

/// What the run would issue for `month`, dated `date` (default today); nothing is written.
#[tauri::command(rename_all = "snake_case")]
pub async fn billing_preview(state: State<'_, AppState>, month: String, date: Option<String>) -> Result<BillingRun, IpcError> {
    let clock = state.clock();
    state.with_store(|s| billing::run(s, &clock, &month, date.as_deref(), false))
}

#[derive(Debug, Serialize)]
pub struct IssueReport {
    pub run: BillingRun,
    pub pdfs: Option<PdfBatch>,
    /// The invoices are issued even when their PDFs could not be written (they can be again).
    pub pdf_error: Option<IpcError>,
    /// When invoices are e-mailed as they are issued: what went, what waits, what is not e-mailed.
    pub mail: Option<Mailed>,
    /// The invoices are issued even when their e-mail could not go (it waits in the outbox).
    pub mail_error: Option<IpcError>,
}

/// Issue the month's invoices, then write their PDFs into the month's folder.
#[tauri::command(rename_all = "snake_case")]
pub async fn billing_issue<R: Runtime>(app: AppHandle<R>, month: String, date: Option<String>) -> Result<IssueReport, IpcError> {
    blocking(app, move |app, state| {
        let clock = state.clock();
        files::progress(app, "billing", 0, 1);
        let run = state.with_store(|s| billing::run(s, &clock, &month, date.as_deref(), true))?;
        files::progress(app, "billing", 1, 1);
        let numbers: Vec<String> = run.invoices.iter().filter_map(|i| i.number.clone()).collect();
        let (pdfs, pdf_error) = if numbers.is_empty() {
            (None, None)
        } else {
            match write_pdfs(app, state, &run.month, &numbers) {
                Ok(batch) => (Some(batch), None),
                Err(e) => (None, Some(e)),
            }
        };
        // Invoices e-mailed as they are issued went to the outbox with them: they go now.
        let (mail, mail_error) = if numbers.is_empty() {
            (None, None)
        } else {
            match state.with_store(|s| mail::issued_month(s, &clock, &run.month)) {
                Ok(None) => (None, None),
                Ok(Some(enqueued)) => match deliver(app, state, false) {
                    Ok(delivery) => (Some(Mailed { enqueued, delivery }), None),
                    Err(e) => (None, Some(e)),
                },
                Err(e) => (None, Some(e)),
            }
        };
        Ok(IssueReport { run, pdfs, pdf_error, mail, mail_error })
    })
    .await
}

/// Issued invoices (of a month, a customer, a status) with their status as of today, newest
/// first: the first `rows` of them (all for none) and how many there are.
#[tauri::command(rename_all = "snake_case")]
pub async fn invoices_list<R: Runtime>(
    app: AppHandle<R>,
    month: Option<String>,
    customer_id: Option<i64>,
    status: Option<String>,
    rows: Option<usize>,
) -> Result<InvoicePage, IpcError> {
    // A reading: off the async runtime's few threads, so another screen's call is not held up.
    blocking(app, move |_, state| {
        let today = state.today();
        state.with_reader(|s| billing::invoices_page(s, today, month.as_deref(), customer_id, status.as_deref(), rows))
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn invoice_get(state: State<'_, AppState>, number: String) -> Result<InvoiceDetail, IpcError> {
    let today = state.today();
    state.with_store(|s| billing::invoice(s, today, &number))
}

/// Correct an issued invoice with a credit note: the whole of it, chosen lines, or an amount.
#[tauri::command(rename_all = "snake_case")]
pub async fn invoice_credit<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    input: CreditRequest,
) -> Result<CreditNoteView, IpcError> {
    let clock = state.clock();
    let cn = state.with_store(|s| billing::credit(s, &clock, &input))?;
    // A credit note e-mailed as it is issued went to the outbox with it: it goes now.
    crate::commands::mail::send_soon(&app);
    Ok(cn)
}
