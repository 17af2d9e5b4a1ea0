//! Subscriptions under Microsoft's rules: add, every change, and the view with its history. A
//! refused change comes back as `refused` with the rule and the date in its message.

use super::blocking;
use crate::error::IpcError;
use crate::state::AppState;
use seatbook::app::provision::{Changed, Provision};
use seatbook::app::subscriptions::{self as subscriptions, AddRequest, ScheduleRequest, SubscriptionRow};
use seatbook::app::Clock;
use seatbook::app::Store;
use seatbook::app::SubscriptionView;
use tauri::State;
use tauri::{AppHandle, Runtime};

#[tauri::command(rename_all = "snake_case")]
pub async fn subscriptions_list<R: Runtime>(
    app: AppHandle<R>,
    customer_id: Option<i64>,
    status: Option<String>,
    limit: Option<u32>,
) -> Result<Vec<SubscriptionRow>, IpcError> {
    // A reading: off the async runtime's few threads, so another screen's call is not held up.
    blocking(app, move |_, state| state.with_reader(|s| subscriptions::rows(s, customer_id, status.as_deref(), limit))).await
}

/// A subscription with its dates, windows and history, as of `as_of` (default today).
#[tauri::command(rename_all = "snake_case")]
pub async fn subscription_get(state: State<'_, AppState>, id: i64, as_of: Option<String>) -> Result<SubscriptionView, IpcError> {
    let today = state.today();
    state.with_store(|s| subscriptions::view(s, today, id, as_of.as_deref()))
}

/// Add a subscription; a customer on credit stop is refused (field `confirm`) unless `confirm`.
/// For a customer linked to Microsoft it is bought there too.
#[tauri::command(rename_all = "snake_case")]
pub async fn subscription_add<R: Runtime>(app: AppHandle<R>, input: AddRequest) -> Result<Changed, IpcError> {
    provisioned(app, move |s, clock, to| subscriptions::add(s, clock, to, &input)).await
}

/// A change made on a connection of its own, off the UI thread: when the subscription is
/// linked it goes to Microsoft as well, and Microsoft may take a while to answer (or the machine
/// be offline: then it waits in the outbox, `pending`).
async fn provisioned<R: Runtime>(
    app: AppHandle<R>,
    f: impl FnOnce(&mut Store, &Clock, Provision<'_>) -> seatbook::Result<Changed> + Send + 'static,
) -> Result<Changed, IpcError> {
    blocking(app, move |_, state| {
        let (clock, reach) = (state.clock(), state.pc_reach());
        let mut store = seatbook::app::open(&state.db_path)?;
        Ok(f(&mut store, &clock, Provision { reach: &reach, send: None })?)
    })
    .await
}

/// Add seats (any time) or remove them (only within 7 days of adding them).
#[tauri::command(rename_all = "snake_case")]
pub async fn subscription_quantity<R: Runtime>(app: AppHandle<R>, id: i64, quantity: String, on: String) -> Result<Changed, IpcError> {
    provisioned(app, move |s, clock, to| subscriptions::change_quantity(s, clock, to, id, &quantity, Some(&on))).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn subscription_cancel<R: Runtime>(app: AppHandle<R>, id: i64, on: String) -> Result<Changed, IpcError> {
    provisioned(app, move |s, clock, to| subscriptions::cancel(s, clock, to, id, Some(&on))).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn subscription_suspend<R: Runtime>(app: AppHandle<R>, id: i64, on: String) -> Result<Changed, IpcError> {
    provisioned(app, move |s, clock, to| subscriptions::suspend(s, clock, to, id, Some(&on))).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn subscription_reactivate<R: Runtime>(app: AppHandle<R>, id: i64, on: String) -> Result<Changed, IpcError> {
    provisioned(app, move |s, clock, to| subscriptions::reactivate(s, clock, to, id, Some(&on))).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn subscription_auto_renew<R: Runtime>(app: AppHandle<R>, id: i64, enabled: bool) -> Result<Changed, IpcError> {
    provisioned(app, move |s, clock, to| subscriptions::set_auto_renew(s, clock, to, id, enabled)).await
}

/// Changes for the next renewal; empty fields are left as scheduled.
#[tauri::command(rename_all = "snake_case")]
pub async fn subscription_schedule<R: Runtime>(app: AppHandle<R>, id: i64, changes: ScheduleRequest) -> Result<Changed, IpcError> {
    provisioned(app, move |s, clock, to| subscriptions::schedule(s, clock, to, id, &changes)).await
}

/// Move to a product that costs at least as much, from `on`.
#[tauri::command(rename_all = "snake_case")]
pub async fn subscription_upgrade<R: Runtime>(app: AppHandle<R>, id: i64, product: String, on: String) -> Result<Changed, IpcError> {
    provisioned(app, move |s, clock, to| subscriptions::upgrade(s, clock, to, id, &product, Some(&on))).await
}
