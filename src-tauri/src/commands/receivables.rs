//! Payments, refunds, reversals, the credit stop and statements.

use crate::error::IpcError;
use crate::state::AppState;
use seatbook::app::receivables::{self as receivables, PaymentRequest, RefundRequest};
use seatbook::app::PaymentView;
use tauri::State;

#[tauri::command(rename_all = "snake_case")]
pub async fn payment_add(state: State<'_, AppState>, input: PaymentRequest) -> Result<PaymentView, IpcError> {
    let clock = state.clock();
    state.with_store(|s| receivables::add_payment(s, &clock, &input))
}

/// Reverse a payment that bounced (default today).
#[tauri::command(rename_all = "snake_case")]
pub async fn payment_reverse(
    state: State<'_, AppState>,
    id: i64,
    date: Option<String>,
    reference: Option<String>,
) -> Result<PaymentView, IpcError> {
    let clock = state.clock();
    state.with_store(|s| receivables::reverse_payment(s, &clock, id, date.as_deref(), reference.as_deref()))
}

/// Pay unapplied credit back to the customer.
#[tauri::command(rename_all = "snake_case")]
pub async fn credit_refund(
    state: State<'_, AppState>,
    customer_id: i64,
    amount: String,
    date: Option<String>,
    method: Option<String>,
    reference: Option<String>,
) -> Result<PaymentView, IpcError> {
    let clock = state.clock();
    let request = RefundRequest { customer_id, amount, date, method, reference };
    state.with_store(|s| receivables::refund_credit(s, &clock, &request))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn payments_list(state: State<'_, AppState>, customer_id: i64) -> Result<Vec<PaymentView>, IpcError> {
    state.with_store(|s| receivables::payments(s, Some(customer_id)))
}

/// Why the customer is on credit stop as of today, or `null`.
#[tauri::command(rename_all = "snake_case")]
pub async fn customer_credit_stop(state: State<'_, AppState>, customer_id: i64) -> Result<Option<String>, IpcError> {
    let today = state.today();
    state.with_store(|s| receivables::credit_stop(s, today, customer_id))
}

/// Save a customer's statement as a PDF where the user says; `null` when the dialog was cancelled.
#[tauri::command(rename_all = "snake_case")]
pub async fn statement_save_as<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    customer_id: i64,
    from: Option<String>,
    to: Option<String>,
) -> Result<Option<String>, IpcError> {
    super::blocking(app, move |app, state| {
        let today = state.today();
        let pdf = state.with_store(|s| {
            let statement = receivables::statement(s, today, customer_id, from.as_deref(), to.as_deref())?;
            receivables::statement_pdf(s, &statement)
        })?;
        let Some(path) = crate::files::save_file(app, "Save the statement as", &pdf.file_name, &crate::files::PDF)? else {
            return Ok(None);
        };
        crate::files::write(&path, &pdf.bytes)?;
        Ok(Some(path.display().to_string()))
    })
    .await
}
