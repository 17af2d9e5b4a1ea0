//! Money received and refunded, statements of account, reminders and the credit stop.

use super::{date_or, given, Clock};
use crate::money::parse_price;
use crate::receivables::Method;
use crate::store::{CreditStop, PaymentView, Reminder, SentReminder, Store};
use crate::{Error, Result};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::path::Path;

fn amount(s: &str) -> Result<Decimal> {
    if s.trim().is_empty() {
        return Err(Error::invalid("amount", "give the amount"));
    }
    parse_price(s, "amount")
}

/// A payment's reference (the bank's text), plain.
fn reference(s: Option<&str>) -> Result<String> {
    crate::customer::plain_text(s.unwrap_or_default(), "reference", 200, false)
}

/// `eft` when not given.
fn method(s: Option<&str>) -> Result<Method> {
    Method::parse(given(s).unwrap_or("eft"), "method")
}

/// Money received as typed, optionally applied to chosen invoices first.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PaymentRequest {
    pub customer_id: i64,
    pub amount: String,
    pub date: Option<String>,
    pub method: Option<String>,
    pub reference: Option<String>,
    pub invoices: Vec<String>,
}

pub fn add_payment(store: &mut Store, clock: &Clock, r: &PaymentRequest) -> Result<PaymentView> {
    let amount = amount(&r.amount)?;
    let method = method(r.method.as_deref())?;
    let date = date_or(r.date.as_deref(), "date", clock.today)?;
    let picks: Vec<String> = r.invoices.iter().filter(|n| !n.trim().is_empty()).cloned().collect();
    let reference = reference(r.reference.as_deref())?;
    store.add_payment(r.customer_id, date, amount, method, &reference, &picks, &clock.now)
}

/// Reverse a payment that bounced, on `date` (default today).
pub fn reverse_payment(store: &mut Store, clock: &Clock, id: i64, date: Option<&str>, reference: Option<&str>) -> Result<PaymentView> {
    let date = date_or(date, "date", clock.today)?;
    store.reverse_payment(id, date, &self::reference(reference)?, &clock.now)
}

/// Pay a customer's unapplied credit back to them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RefundRequest {
    pub customer_id: i64,
    pub amount: String,
    pub date: Option<String>,
    pub method: Option<String>,
    pub reference: Option<String>,
}

pub fn refund_credit(store: &mut Store, clock: &Clock, r: &RefundRequest) -> Result<PaymentView> {
    let amount = amount(&r.amount)?;
    let method = method(r.method.as_deref())?;
    let date = date_or(r.date.as_deref(), "date", clock.today)?;
    store.refund_credit(r.customer_id, amount, date, method, &reference(r.reference.as_deref())?, &clock.now)
}

/// A customer's payments, refunds and reversals (everyone's if `customer` is `None`).
pub fn payments(store: &Store, customer: Option<i64>) -> Result<Vec<PaymentView>> {
    if let Some(id) = customer {
        store.customer(id).map_err(|e| e.with_field("customer"))?;
    }
    store.list_payments(customer)
}

pub use super::statements::{statement, statement_pdf};

/// The reminders due as of a day (default today): each level once per invoice.
pub fn due_reminders(store: &Store, today: NaiveDate, as_of: Option<&str>) -> Result<Vec<Reminder>> {
    store.due_reminders(date_or(as_of, "as_of", today)?)
}

/// Send the reminders due as of a day: each letter is written into `folder`, then all are
/// recorded at once, with an e-mail carrying each letter to the customers who take e-mail (when
/// e-mail is set up); a letter that cannot be written records nothing, and the next run tries
/// again.
pub fn send_reminders(store: &mut Store, clock: &Clock, as_of: Option<&str>, folder: &Path) -> Result<Vec<SentReminder>> {
    let as_of = date_or(as_of, "as_of", clock.today)?;
    store.send_reminders(
        as_of,
        &clock.now,
        |r, letter| {
            let path = folder.join(crate::pdf::reminder_file_name(&r.invoice, r.level));
            super::files::write(&path, letter)?;
            Ok(path.display().to_string())
        },
        |store, letters| {
            let named: Vec<_> =
                letters.iter().map(|(r, l)| (r.clone(), crate::pdf::reminder_file_name(&r.invoice, r.level), l.clone())).collect();
            super::mail::reminder_messages(store, &named)
        },
    )
}

/// Why a customer is on credit stop as of today, or `None`.
pub fn credit_stop(store: &Store, today: NaiveDate, customer: i64) -> Result<Option<String>> {
    store.credit_stop(customer, today)
}

/// Everyone on credit stop as of a day (default today), and why.
pub fn credit_stops(store: &Store, today: NaiveDate, as_of: Option<&str>) -> Result<Vec<CreditStop>> {
    store.credit_stops(date_or(as_of, "as_of", today)?)
}

/// A customer's account: invoiced, credited, received, refunded, balance, credit and the open
/// invoices, as of a day (default today).
pub fn account(store: &Store, today: NaiveDate, customer: i64, as_of: Option<&str>) -> Result<crate::store::Account> {
    store.account(customer, date_or(as_of, "as_of", today)?)
}
