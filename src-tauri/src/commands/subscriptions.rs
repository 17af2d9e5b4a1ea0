//! Subscriptions under Microsoft's rules: add, every change, and the view with its history. A
//! refused change comes back as `refused` with the rule and the date in its message.

use super::{date, date_or_today, given, whole};
use crate::error::IpcError;
use crate::state::AppState;
use seatbook::catalogue::{BillingPlan, ProductKey, Term};
use seatbook::money::parse_price;
use seatbook::store::{NewSubscription, SubscriptionView};
use seatbook::subscription::{RenewalChanges, Status, Subscription};
use serde::Deserialize;
use tauri::State;

#[tauri::command(rename_all = "snake_case")]
pub async fn subscriptions_list(
    state: State<'_, AppState>,
    customer_id: Option<i64>,
    status: Option<String>,
) -> Result<Vec<Subscription>, IpcError> {
    let status = given(status).map(|s| Status::parse(&s, "--status")).transpose()?;
    state.with_store(|s| s.list_subscriptions(customer_id, status))
}

/// A subscription with its dates, windows and history, as of `as_of` (default today).
#[tauri::command(rename_all = "snake_case")]
pub async fn subscription_get(state: State<'_, AppState>, id: i64, as_of: Option<String>) -> Result<SubscriptionView, IpcError> {
    let as_of = date_or_today(as_of.as_deref(), "--as-of", state.today())?;
    state.with_store(|s| s.subscription_view(id, as_of))
}

/// The subscription form.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SubscriptionInput {
    pub customer: Option<i64>,
    pub product: String,
    pub term: String,
    pub billing: String,
    pub quantity: String,
    pub start: String,
    /// A price per seat per month in the customer's currency, beating the markup rules.
    pub price: Option<String>,
    pub auto_renew: Option<bool>,
    pub trial: bool,
    pub ms_subscription_id: Option<String>,
}

#[tauri::command(rename_all = "snake_case")]
pub async fn subscription_add(state: State<'_, AppState>, input: SubscriptionInput) -> Result<Subscription, IpcError> {
    let customer_id = input.customer.ok_or_else(|| IpcError::invalid("customer", "choose a customer"))?;
    let product = if input.product.trim().is_empty() {
        return Err(IpcError::invalid("product", "choose a product"));
    } else {
        ProductKey::parse(&input.product, "--product")?
    };
    let new = NewSubscription {
        customer_id,
        product,
        term: Term::parse(&input.term, "--term")?,
        billing: BillingPlan::parse(&input.billing, "--billing")?,
        quantity: whole(&input.quantity, "--quantity")?,
        start: date(&input.start, "--start")?,
        auto_renew: input.auto_renew.unwrap_or(true),
        trial: input.trial,
        ms_subscription_id: input.ms_subscription_id.unwrap_or_default(),
        price_override: given(input.price).map(|p| parse_price(&p, "--price")).transpose()?,
    };
    let at = state.now();
    state.with_store(|s| s.add_subscription(&new, &at))
}

/// Add seats (any time) or remove them (only within 7 days of adding them).
#[tauri::command(rename_all = "snake_case")]
pub async fn subscription_quantity(state: State<'_, AppState>, id: i64, quantity: String, on: String) -> Result<Subscription, IpcError> {
    let quantity = whole(&quantity, "--quantity")?;
    let on = date(&on, "--on")?;
    let at = state.now();
    state.with_store(|s| s.change_quantity(id, quantity, on, &at))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn subscription_cancel(state: State<'_, AppState>, id: i64, on: String) -> Result<Subscription, IpcError> {
    let on = date(&on, "--on")?;
    let at = state.now();
    state.with_store(|s| s.cancel_subscription(id, on, &at))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn subscription_suspend(state: State<'_, AppState>, id: i64, on: String) -> Result<Subscription, IpcError> {
    let on = date(&on, "--on")?;
    let at = state.now();
    state.with_store(|s| s.suspend_subscription(id, on, &at))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn subscription_reactivate(state: State<'_, AppState>, id: i64, on: String) -> Result<Subscription, IpcError> {
    let on = date(&on, "--on")?;
    let at = state.now();
    state.with_store(|s| s.reactivate_subscription(id, on, &at))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn subscription_auto_renew(state: State<'_, AppState>, id: i64, enabled: bool) -> Result<Subscription, IpcError> {
    let (today, at) = (state.today(), state.now());
    state.with_store(|s| s.set_auto_renew(id, enabled, today, &at))
}

/// Changes for the next renewal; empty fields are left as scheduled.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ScheduleInput {
    pub quantity: Option<String>,
    pub term: Option<String>,
    pub billing: Option<String>,
    pub product: Option<String>,
}

#[tauri::command(rename_all = "snake_case")]
pub async fn subscription_schedule(state: State<'_, AppState>, id: i64, changes: ScheduleInput) -> Result<Subscription, IpcError> {
    let changes = RenewalChanges {
        quantity: given(changes.quantity).map(|q| whole(&q, "--quantity")).transpose()?,
        term: given(changes.term).map(|t| Term::parse(&t, "--term")).transpose()?,
        billing: given(changes.billing).map(|b| BillingPlan::parse(&b, "--billing")).transpose()?,
        product: given(changes.product).map(|p| ProductKey::parse(&p, "--product")).transpose()?,
    };
    let (today, at) = (state.today(), state.now());
    state.with_store(|s| s.schedule_renewal_changes(id, &changes, today, &at))
}

/// Move to a product that costs at least as much, from `on`.
#[tauri::command(rename_all = "snake_case")]
pub async fn subscription_upgrade(state: State<'_, AppState>, id: i64, product: String, on: String) -> Result<Subscription, IpcError> {
    if product.trim().is_empty() {
        return Err(IpcError::invalid("product", "choose the product to upgrade to"));
    }
    let product = ProductKey::parse(&product, "--product")?;
    let on = date(&on, "--on")?;
    let at = state.now();
    state.with_store(|s| s.upgrade_subscription(id, &product, on, &at))
}
