//! Money received: payments (applied to picked invoices, then oldest first), reversals of
//! bounced payments, refunds of credit, and a customer's list of them.

use super::{date_or_today, given};
use crate::error::IpcError;
use crate::state::AppState;
use seatbook::money::parse_price;
use seatbook::receivables::Method;
use seatbook::store::PaymentView;
use serde::Deserialize;
use tauri::State;

/// The "Record payment" dialog.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PaymentInput {
    pub customer_id: i64,
    pub amount: String,
    /// Default today.
    pub date: Option<String>,
    /// `eft`, `card`, `cash` or `other`.
    pub method: String,
    pub reference: String,
    /// Invoices to pay first (by number); the rest goes oldest first.
    pub invoices: Vec<String>,
}

fn amount(s: &str) -> Result<rust_decimal::Decimal, IpcError> {
    if s.trim().is_empty() {
        return Err(IpcError::invalid("amount", "give the amount received"));
    }
    Ok(parse_price(s, "--amount")?)
}

fn method(s: &str) -> Result<Method, IpcError> {
    Ok(Method::parse(if s.trim().is_empty() { "eft" } else { s }, "--method")?)
}

/// Record a payment and apply it; what is left over becomes the customer's credit.
#[tauri::command(rename_all = "snake_case")]
pub async fn payment_add(state: State<'_, AppState>, input: PaymentInput) -> Result<PaymentView, IpcError> {
    let amount = amount(&input.amount)?;
    let method = method(&input.method)?;
    let date = date_or_today(input.date.as_deref(), "--date", state.today())?;
    let at = state.now();
    let picks: Vec<String> = input.invoices.into_iter().filter(|n| !n.trim().is_empty()).collect();
    state.with_store(|s| s.add_payment(input.customer_id, date, amount, method, &input.reference, &picks, &at))
}

/// Reverse a payment (bounced, charged back): a new entry; the invoices it paid reopen.
#[tauri::command(rename_all = "snake_case")]
pub async fn payment_reverse(
    state: State<'_, AppState>,
    id: i64,
    date: Option<String>,
    reference: Option<String>,
) -> Result<PaymentView, IpcError> {
    let date = date_or_today(date.as_deref(), "--date", state.today())?;
    let at = state.now();
    let reference = given(reference).unwrap_or_default();
    state.with_store(|s| s.reverse_payment(id, date, &reference, &at))
}

/// Pay (part of) a customer's credit back to them.
#[tauri::command(rename_all = "snake_case")]
pub async fn credit_refund(
    state: State<'_, AppState>,
    customer_id: i64,
    amount: String,
    date: Option<String>,
    method: Option<String>,
    reference: Option<String>,
) -> Result<PaymentView, IpcError> {
    let amount = self::amount(&amount)?;
    let method = self::method(method.as_deref().unwrap_or(""))?;
    let date = date_or_today(date.as_deref(), "--date", state.today())?;
    let at = state.now();
    let reference = given(reference).unwrap_or_default();
    state.with_store(|s| s.refund_credit(customer_id, amount, date, method, &reference, &at))
}

/// A customer's payments, refunds and reversals, in the order they were recorded.
#[tauri::command(rename_all = "snake_case")]
pub async fn payments_list(state: State<'_, AppState>, customer_id: i64) -> Result<Vec<PaymentView>, IpcError> {
    state.with_store(|s| {
        s.customer(customer_id)?;
        s.list_payments(Some(customer_id))
    })
}

/// Why the customer is on credit stop today (over the credit limit, or an invoice long
/// overdue), or `null`: the page asks for confirmation before adding a subscription.
#[tauri::command(rename_all = "snake_case")]
pub async fn customer_credit_stop(state: State<'_, AppState>, customer_id: i64) -> Result<Option<String>, IpcError> {
    let today = state.today();
    state.with_store(|s| s.credit_stop(customer_id, today))
}

/// A statement for `from`–`to` (default: the first of this month a year ago to today) as a
/// PDF, saved where the user says in a save dialog. Its path, or `null` when cancelled.
#[tauri::command(rename_all = "snake_case")]
pub async fn statement_save_as<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    customer_id: i64,
    from: Option<String>,
    to: Option<String>,
) -> Result<Option<String>, IpcError> {
    super::blocking(app, move |app, state| {
        use chrono::Datelike;
        let to = date_or_today(to.as_deref(), "--to", state.today())?;
        let year_ago = chrono::NaiveDate::from_ymd_opt(to.year() - 1, to.month(), 1).unwrap_or(to);
        let from = date_or_today(from.as_deref(), "--from", year_ago)?;
        if from > to {
            return Err(IpcError::invalid("from", format!("from ({from}) is after to ({to})")));
        }
        let (doc, name) = state.with_store(|s| {
            let st = s.statement(customer_id, from, to)?;
            let name = s.customer(customer_id)?.name;
            Ok((s.statement_document(&st)?, name))
        })?;
        let bytes = seatbook::pdf::render_statement(&doc)?;
        let file = crate::files::pdf_name(&format!("Statement-{to}"), &name);
        let Some(path) = crate::files::save_file(app, "Save the statement as", &file, &crate::files::PDF)? else {
            return Ok(None);
        };
        crate::files::write(&path, &bytes)?;
        Ok(Some(path.display().to_string()))
    })
    .await
}
