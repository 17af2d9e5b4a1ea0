//! Customers: the list, the form, closing, the contact log and the balance.

use super::blocking;
use crate::error::IpcError;
use crate::state::AppState;
use chrono::NaiveDate;
use seatbook::app::provision::{self, CustomerChanged, Provision};
use seatbook::app::Account;
use seatbook::app::{customers, receivables};
use seatbook::customer::{ContactEntry, Customer, CustomerFields};
use seatbook::money::Currency;
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};

/// A customer as the list shows it (the list can hold ten thousand: only what a row needs).
#[derive(Debug, Clone, Serialize)]
pub struct CustomerRow {
    pub id: i64,
    pub name: String,
    pub domain: String,
    pub email: String,
    pub contact_person: String,
    pub country: String,
    pub currency: Currency,
    pub closed_on: Option<NaiveDate>,
}

impl From<Customer> for CustomerRow {
    fn from(c: Customer) -> Self {
        CustomerRow {
            id: c.id,
            name: c.name,
            domain: c.domain,
            email: c.email,
            contact_person: c.contact_person,
            country: c.country,
            currency: c.currency,
            closed_on: c.closed_on,
        }
    }
}

/// Customers whose name, domain, email, VAT number or contact contains `search`, by name.
#[tauri::command(rename_all = "snake_case")]
pub async fn customers_list<R: Runtime>(
    app: AppHandle<R>,
    search: Option<String>,
    include_closed: Option<bool>,
    limit: Option<u32>,
) -> Result<Vec<CustomerRow>, IpcError> {
    // A reading: off the async runtime's few threads, so another screen's call is not held up.
    blocking(app, move |_, state| {
        let list = state.with_reader(|s| customers::list(s, search.as_deref(), include_closed.unwrap_or(false), limit))?;
        Ok(list.into_iter().map(CustomerRow::from).collect())
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn customer_get(state: State<'_, AppState>, id: i64) -> Result<Customer, IpcError> {
    state.with_store(|s| customers::get(s, id))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn customer_add(state: State<'_, AppState>, fields: CustomerFields) -> Result<Customer, IpcError> {
    state.with_store(|s| customers::add(s, &fields))
}

/// Change a customer; a linked customer's name, contact, e-mail and phone go to its billing
/// profile at Microsoft too, off the UI thread on a connection of its own (offline, the change
/// waits in the outbox: `pending`).
#[tauri::command(rename_all = "snake_case")]
pub async fn customer_update<R: Runtime>(app: AppHandle<R>, id: i64, fields: CustomerFields) -> Result<CustomerChanged, IpcError> {
    super::blocking(app, move |_, state| {
        let (clock, reach) = (state.clock(), state.pc_reach());
        let mut store = seatbook::app::open(&state.db_path)?;
        Ok(provision::update_customer(&mut store, &clock, Provision { reach: &reach, send: None }, id, &fields)?)
    })
    .await
}

/// Close a customer on `on` (default today); refused while a subscription still runs.
#[tauri::command(rename_all = "snake_case")]
pub async fn customer_close(state: State<'_, AppState>, id: i64, on: Option<String>) -> Result<Customer, IpcError> {
    let today = state.today();
    state.with_store(|s| customers::close(s, today, id, on.as_deref()))
}

/// Add an entry to the contact log.
#[tauri::command(rename_all = "snake_case")]
pub async fn customer_note(
    state: State<'_, AppState>,
    id: i64,
    channel: String,
    summary: String,
    on: Option<String>,
) -> Result<ContactEntry, IpcError> {
    let clock = state.clock();
    state.with_store(|s| customers::note(s, &clock, id, on.as_deref(), &channel, &summary))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn contact_log(state: State<'_, AppState>, id: i64) -> Result<Vec<ContactEntry>, IpcError> {
    state.with_store(|s| customers::contact_log(s, id))
}

/// The customer's account as of today: invoiced, credited, received, refunded, the balance,
/// unapplied credit, and every invoice still open.
#[tauri::command(rename_all = "snake_case")]
pub async fn customer_account(state: State<'_, AppState>, id: i64) -> Result<Account, IpcError> {
    let today = state.today();
    state.with_store(|s| receivables::account(s, today, id, None))
}
