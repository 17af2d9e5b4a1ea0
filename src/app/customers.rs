//! Customers: add, change, close, import, the contact log, and a customer's page with what they
//! owe and whether they are on credit stop.

use super::{date_or, Clock};
use crate::customer::{ContactEntry, Customer, CustomerFields};
use crate::money::Currency;
use crate::store::Store;
use crate::subscription::Subscription;
use crate::Result;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

pub fn add(store: &mut Store, fields: &CustomerFields) -> Result<Customer> {
    store.add_customer(fields)
}

pub fn update(store: &mut Store, id: i64, fields: &CustomerFields) -> Result<Customer> {
    store.update_customer(id, fields)
}

pub fn get(store: &Store, id: i64) -> Result<Customer> {
    store.customer(id)
}

/// Customers whose name, domain, e-mail, VAT number or contact matches `search`; closed ones too
/// if `include_closed`; at most `limit`.
pub fn list(store: &Store, search: Option<&str>, include_closed: bool, limit: Option<u32>) -> Result<Vec<Customer>> {
    store.list_customers(super::given(search), include_closed, limit)
}

/// A customer's page: the profile, what they owe, their credit and credit-stop state, the
/// contact log and their subscriptions.
#[derive(Debug, Clone, Serialize)]
pub struct CustomerPage {
    pub customer: Customer,
    pub as_of: NaiveDate,
    pub currency: Currency,
    /// What the customer owes (negative: the reseller owes the customer).
    pub balance: Decimal,
    /// Money received and not yet applied to an invoice.
    pub unapplied_credit: Decimal,
    /// What is past its due date.
    pub overdue: Decimal,
    /// Why the customer is on credit stop, or `None`.
    pub credit_stop: Option<String>,
    pub contact_log: Vec<ContactEntry>,
    pub subscriptions: Vec<Subscription>,
}

pub fn page(store: &Store, today: NaiveDate, id: i64) -> Result<CustomerPage> {
    let customer = store.customer(id)?;
    let account = store.account(id, today)?;
    let overdue = account.invoices.iter().filter(|i| i.days_overdue > 0).map(|i| i.open).sum();
    Ok(CustomerPage {
        as_of: today,
        currency: account.currency,
        balance: account.balance,
        unapplied_credit: account.credit,
        overdue,
        credit_stop: store.credit_stop(id, today)?,
        contact_log: store.contact_log(id)?,
        subscriptions: store.list_subscriptions(Some(id), None)?,
        customer,
    })
}

/// Close a customer on `on` (default today).
pub fn close(store: &mut Store, today: NaiveDate, id: i64, on: Option<&str>) -> Result<Customer> {
    let on = date_or(on, "on", today)?;
    store.close_customer(id, on)
}

/// Import customers from a CSV file, read as it is written to the book (never the whole file at
/// once): all or nothing, the first bad lines reported with how many there are.
pub fn import(store: &mut Store, path: &std::path::Path) -> Result<crate::store::CustomerImport> {
    let file = crate::files::open(path, "file")?;
    let rows = crate::import::customers::Rows::new(file).map_err(|e| if e.field.is_none() { e.with_field("file") } else { e })?;
    store.import_customer_rows(rows)
}

/// Note a contact with the customer (a call, an e-mail) on `on` (default today).
pub fn note(store: &mut Store, clock: &Clock, id: i64, on: Option<&str>, channel: &str, summary: &str) -> Result<ContactEntry> {
    let on = date_or(on, "on", clock.today)?;
    store.add_contact_entry(id, on, channel, summary, &clock.now)
}

pub fn contact_log(store: &Store, id: i64) -> Result<Vec<ContactEntry>> {
    store.contact_log(id)
}
