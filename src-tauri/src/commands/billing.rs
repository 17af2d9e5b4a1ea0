//! Billing a month (preview, issue) and the invoices it produced: the list, one invoice, and
//! credit notes.

use super::{blocking, date_or_today, given};
use crate::commands::documents::{write_pdfs, PdfBatch};
use crate::error::IpcError;
use crate::files;
use crate::state::AppState;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use seatbook::money::{parse_price, Currency};
use seatbook::receivables::InvoiceStatus;
use seatbook::store::{BillingRun, CreditMode, CreditNoteView, InvoiceState, InvoiceView};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Runtime, State};

fn month(s: &str) -> Result<String, IpcError> {
    seatbook::dates::parse_month(s, "--month")?;
    Ok(s.trim().to_string())
}

/// The drafts `month` would issue on `date` (default today), and the customers left out with
/// their problems. Changes nothing.
#[tauri::command(rename_all = "snake_case")]
pub async fn billing_preview(state: State<'_, AppState>, month: String, date: Option<String>) -> Result<BillingRun, IpcError> {
    let first = seatbook::dates::parse_month(&month, "--month")?;
    let date = date_or_today(date.as_deref(), "--date", state.today())?;
    let at = state.now();
    state.with_store(|s| s.preview_month(first, date, &at))
}

/// What an issue run did: the invoices, and their PDFs (written right after, as the `pdf`
/// job). A failure to write the PDFs does not undo the invoices: it is reported beside them.
#[derive(Debug, Clone, Serialize)]
pub struct IssueReport {
    pub run: BillingRun,
    pub pdfs: Option<PdfBatch>,
    pub pdf_error: Option<IpcError>,
}

/// Issue `month` on `date` (default today) in one transaction, off the UI thread, reporting
/// progress as the `billing` job; then write each new invoice's PDF into the month's folder.
#[tauri::command(rename_all = "snake_case")]
pub async fn billing_issue<R: Runtime>(app: AppHandle<R>, month: String, date: Option<String>) -> Result<IssueReport, IpcError> {
    blocking(app, move |app, state| {
        let first = seatbook::dates::parse_month(&month, "--month")?;
        let date = date_or_today(date.as_deref(), "--date", state.today())?;
        let at = state.now();
        files::progress(app, "billing", 0, 1);
        let run = state.with_store(|s| s.issue_month(first, date, &at))?;
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
        Ok(IssueReport { run, pdfs, pdf_error })
    })
    .await
}

/// An invoice as the list shows it.
#[derive(Debug, Clone, Serialize)]
pub struct InvoiceRow {
    pub number: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub date: NaiveDate,
    pub due_date: NaiveDate,
    pub month: String,
    pub currency: Currency,
    pub net: Decimal,
    pub vat: Decimal,
    pub total: Decimal,
    pub credited_net: Decimal,
    pub credit_notes: Vec<String>,
    /// `open`, `partly-paid`, `paid`, `overdue` or `credited`, as of today.
    pub status: InvoiceStatus,
    pub paid: Decimal,
    /// What is still owed (total − credit notes − payments).
    pub open: Decimal,
}

fn row(i: InvoiceView, state: Option<&InvoiceState>) -> InvoiceRow {
    InvoiceRow {
        number: i.number.unwrap_or_default(),
        customer_id: i.customer_id,
        customer_name: i.customer_name,
        date: i.date,
        due_date: i.due_date,
        month: i.month,
        currency: i.currency,
        net: i.net,
        vat: i.vat,
        // An invoice dated after today (issued ahead) is simply open.
        status: state.map(|s| s.status).unwrap_or(InvoiceStatus::Open),
        paid: state.map(|s| s.paid).unwrap_or(Decimal::ZERO),
        open: state.map(|s| s.open).unwrap_or(i.total),
        total: i.total,
        credited_net: i.credited_net,
        credit_notes: i.credit_notes,
    }
}

/// What the status filter accepts: a status, or `unpaid` for everything still owed.
const STATUS_FILTERS: [&str; 6] = ["unpaid", "open", "partly-paid", "paid", "overdue", "credited"];

fn keeps(filter: &str, status: InvoiceStatus) -> bool {
    match filter {
        "unpaid" => matches!(status, InvoiceStatus::Open | InvoiceStatus::PartlyPaid | InvoiceStatus::Overdue),
        f => status.as_str() == f,
    }
}

/// Issued invoices, filtered by month (`YYYY-MM`), customer and status (`unpaid`, `open`,
/// `partly-paid`, `paid`, `overdue`, `credited`, as of today), in number order.
#[tauri::command(rename_all = "snake_case")]
pub async fn invoices_list(
    state: State<'_, AppState>,
    month: Option<String>,
    customer_id: Option<i64>,
    status: Option<String>,
) -> Result<Vec<InvoiceRow>, IpcError> {
    let month = given(month).map(|m| self::month(&m)).transpose()?;
    let status = given(status);
    if let Some(s) = &status {
        if !STATUS_FILTERS.contains(&s.as_str()) {
            return Err(IpcError::invalid("status", format!("'{s}' is not a status ({})", STATUS_FILTERS.join(", "))));
        }
    }
    let today = state.today();
    let (list, states) =
        state.with_store(|s| Ok((s.list_invoices(month.as_deref(), customer_id)?, s.invoice_states(customer_id, today)?)))?;
    Ok(list
        .into_iter()
        .map(|i| {
            let st = i.number.as_ref().and_then(|n| states.get(n));
            row(i, st)
        })
        .filter(|r| status.as_deref().is_none_or(|s| keeps(s, r.status)))
        .collect())
}

#[derive(Debug, Clone, Serialize)]
pub struct InvoiceDetail {
    #[serde(flatten)]
    pub invoice: InvoiceView,
    pub status: InvoiceStatus,
    pub paid: Decimal,
    pub open: Decimal,
}

#[tauri::command(rename_all = "snake_case")]
pub async fn invoice_get(state: State<'_, AppState>, number: String) -> Result<InvoiceDetail, IpcError> {
    let today = state.today();
    let (invoice, states) = state.with_store(|s| {
        let invoice = s.invoice(&number)?;
        let states = s.invoice_states(Some(invoice.customer_id), today)?;
        Ok((invoice, states))
    })?;
    let st = invoice.number.as_ref().and_then(|n| states.get(n));
    Ok(InvoiceDetail {
        status: st.map(|s| s.status).unwrap_or(InvoiceStatus::Open),
        paid: st.map(|s| s.paid).unwrap_or(Decimal::ZERO),
        open: st.map(|s| s.open).unwrap_or(invoice.total),
        invoice,
    })
}

/// The credit-note dialog.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CreditInput {
    pub number: String,
    /// `whole`, `lines` or `amount`.
    pub mode: String,
    pub lines: Vec<u32>,
    pub amount: Option<String>,
    pub reason: String,
    /// The credit note's date (default today).
    pub date: Option<String>,
}

/// Credit the whole invoice, chosen lines, or a net amount, with a reason.
#[tauri::command(rename_all = "snake_case")]
pub async fn invoice_credit(state: State<'_, AppState>, input: CreditInput) -> Result<CreditNoteView, IpcError> {
    let mode = match input.mode.as_str() {
        "whole" | "" => CreditMode::Whole,
        "lines" if input.lines.is_empty() => return Err(IpcError::invalid("lines", "choose the lines to credit")),
        "lines" => CreditMode::Lines(input.lines),
        "amount" => match given(input.amount) {
            Some(a) => CreditMode::Amount(parse_price(&a, "--amount")?),
            None => return Err(IpcError::invalid("amount", "give the net amount to credit")),
        },
        other => return Err(IpcError::invalid("mode", format!("'{other}' is not a way to credit (whole, lines or amount)"))),
    };
    let date = date_or_today(input.date.as_deref(), "--date", state.today())?;
    let at = state.now();
    state.with_store(|s| s.credit_invoice(&input.number, &mode, &input.reason, date, &at))
}
