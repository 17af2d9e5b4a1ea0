//! Azure usage: Microsoft's daily rated usage imported (a file chosen in a dialog, read off the
//! UI thread), a customer's usage month by month, and the pricing rules. The core
//! (`seatbook::app::usage`) does the work, as for `seatbook usage`.

use super::blocking;
use crate::error::IpcError;
use crate::files;
use crate::state::AppState;
use seatbook::app::usage::{self, BudgetStatus, UsageImported, UsageRow};
use seatbook::azure::UsageRule;
use tauri::{AppHandle, Runtime, State};

/// Import a usage file; `null` when the dialog was cancelled.
#[tauri::command(rename_all = "snake_case")]
pub async fn usage_import<R: Runtime>(app: AppHandle<R>) -> Result<Option<UsageImported>, IpcError> {
    blocking(app, move |app, state| {
        let Some(path) = files::pick_file(app, "Import Microsoft's daily rated usage", &files::USAGE)? else {
            return Ok(None);
        };
        files::progress(app, "usage", 0, 1);
        let clock = state.clock();
        let done = state.with_store(|s| usage::import(s, &clock, &path))?;
        files::progress(app, "usage", 1, 1);
        Ok(Some(done))
    })
    .await
}

/// Usage per customer (or unknown tenant), Azure subscription and month.
#[tauri::command(rename_all = "snake_case")]
pub async fn usage_list<R: Runtime>(
    app: AppHandle<R>,
    month: Option<String>,
    customer_id: Option<i64>,
    estimates: Option<bool>,
) -> Result<Vec<UsageRow>, IpcError> {
    // A reading: off the async runtime's few threads, so another screen's call is not held up.
    blocking(app, move |_, state| state.with_reader(|s| usage::list(s, month.as_deref(), customer_id, estimates.unwrap_or(false)))).await
}

/// The pricing rules.
#[tauri::command(rename_all = "snake_case")]
pub async fn usage_rules(state: State<'_, AppState>) -> Result<Vec<UsageRule>, IpcError> {
    state.with_store(|s| usage::rules(s))
}

/// Set a pricing rule (a customer's, or the default without one).
#[tauri::command(rename_all = "snake_case")]
pub async fn usage_rule_set(
    state: State<'_, AppState>,
    customer_id: Option<i64>,
    basis: String,
    percent: String,
    on: Option<String>,
) -> Result<Vec<UsageRule>, IpcError> {
    let clock = state.clock();
    state.with_store(|s| {
        usage::set_rule(s, &clock, customer_id, &basis, &percent, on.as_deref())?;
        usage::rules(s)
    })
}

/// A customer's Azure budget against this month's spend (`null`: none).
#[tauri::command(rename_all = "snake_case")]
pub async fn usage_budget(state: State<'_, AppState>, customer_id: i64) -> Result<Option<BudgetStatus>, IpcError> {
    let today = state.today();
    state.with_store(|s| usage::budgets(s, today, Some(customer_id)).map(|b| b.into_iter().next()))
}

/// Set a customer's monthly Azure budget (0 removes it).
#[tauri::command(rename_all = "snake_case")]
pub async fn usage_budget_set(state: State<'_, AppState>, customer_id: i64, amount: String) -> Result<Option<BudgetStatus>, IpcError> {
    let clock = state.clock();
    state.with_store(|s| usage::set_budget(s, &clock, customer_id, &amount))
}
