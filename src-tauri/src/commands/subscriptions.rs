//! Subscriptions under Microsoft's rules: add, every change, and the view with its history. A
//! refused change comes back as `refused` with the rule and the date in its message.

use crate::error::IpcError;
use crate::state::AppState;
use seatbook::app::subscriptions::{self as subscriptions, AddRequest, ScheduleRequest};
use seatbook::store::SubscriptionView;
use seatbook::subscription::Subscription;
use tauri::State;

#[tauri::command(rename_all = "snake_case")]
pub async fn subscriptions_list(
    state: State<'_, AppState>,
    customer_id: Option<i64>,
    status: Option<String>,
) -> Result<Vec<Subscription>, IpcError> {
    state.with_store(|s| subscriptions::list(s, customer_id, status.as_deref()))
}

/// A subscription with its dates, windows and history, as of `as_of` (default today).
#[tauri::command(rename_all = "snake_case")]
pub async fn subscription_get(state: State<'_, AppState>, id: i64, as_of: Option<String>) -> Result<SubscriptionView, IpcError> {
    let today = state.today();
    state.with_store(|s| subscriptions::view(s, today, id, as_of.as_deref()))
}

/// Add a subscription; a customer on credit stop is refused (field `confirm`) unless `confirm`.
#[tauri::command(rename_all = "snake_case")]
pub async fn subscription_add(state: State<'_, AppState>, input: AddRequest) -> Result<Subscription, IpcError> {
    let clock = state.clock();
    state.with_store(|s| subscriptions::add(s, &clock, &input))
}

/// Add seats (any time) or remove them (only within 7 days of adding them).
#[tauri::command(rename_all = "snake_case")]
pub async fn subscription_quantity(state: State<'_, AppState>, id: i64, quantity: String, on: String) -> Result<Subscription, IpcError> {
    let clock = state.clock();
    state.with_store(|s| subscriptions::change_quantity(s, &clock, id, &quantity, Some(&on)))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn subscription_cancel(state: State<'_, AppState>, id: i64, on: String) -> Result<Subscription, IpcError> {
    let clock = state.clock();
    state.with_store(|s| subscriptions::cancel(s, &clock, id, Some(&on)))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn subscription_suspend(state: State<'_, AppState>, id: i64, on: String) -> Result<Subscription, IpcError> {
    let clock = state.clock();
    state.with_store(|s| subscriptions::suspend(s, &clock, id, Some(&on)))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn subscription_reactivate(state: State<'_, AppState>, id: i64, on: String) -> Result<Subscription, IpcError> {
    let clock = state.clock();
    state.with_store(|s| subscriptions::reactivate(s, &clock, id, Some(&on)))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn subscription_auto_renew(state: State<'_, AppState>, id: i64, enabled: bool) -> Result<Subscription, IpcError> {
    let clock = state.clock();
    state.with_store(|s| subscriptions::set_auto_renew(s, &clock, id, enabled))
}

/// Changes for the next renewal; empty fields are left as scheduled.
#[tauri::command(rename_all = "snake_case")]
pub async fn subscription_schedule(state: State<'_, AppState>, id: i64, changes: ScheduleRequest) -> Result<Subscription, IpcError> {
    let clock = state.clock();
    state.with_store(|s| subscriptions::schedule(s, &clock, id, &changes))
}

/// Move to a product that costs at least as much, from `on`.
#[tauri::command(rename_all = "snake_case")]
pub async fn subscription_upgrade(state: State<'_, AppState>, id: i64, product: String, on: String) -> Result<Subscription, IpcError> {
    let clock = state.clock();
    state.with_store(|s| subscriptions::upgrade(s, &clock, id, &product, Some(&on)))
}
