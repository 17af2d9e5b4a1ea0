//! The catalogue: Microsoft's price list, products and quotes, markup rules, exchange rates.

use super::blocking;
use crate::error::IpcError;
use crate::files;
use crate::state::AppState;
use seatbook::app::catalogue::{self as catalogue, MarkupRequest, PriceListImport, QuoteRequest, QuoteView, RateRequest, RuleRow};
use seatbook::catalogue::Product;
use seatbook::pricing::ExchangeRate;
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};

/// What an import did, with the file's name.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub file: String,
    pub market: String,
    pub summary: PriceListImport,
}

/// Import Microsoft's price list from a file the user picks; `null` when the dialog was cancelled.
#[tauri::command(rename_all = "snake_case")]
pub async fn pricelist_import<R: Runtime>(
    app: AppHandle<R>,
    market: Option<String>,
    currency: Option<String>,
) -> Result<Option<ImportReport>, IpcError> {
    blocking(app, move |app, state| {
        let rows = state.with_store(|s| catalogue::price_list_rows(s, market.as_deref(), currency.as_deref()))?;
        let Some(path) = files::pick_file(app, "Import Microsoft's price list", &files::CSV)? else {
            return Ok(None);
        };
        files::progress(app, "import", 0, 1);
        let summary = state.with_store(|s| catalogue::import_price_list(s, &path, &rows))?;
        files::progress(app, "import", 1, 1);
        let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        Ok(Some(ImportReport { file, market: summary.market.clone(), summary }))
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn products_list(state: State<'_, AppState>, search: Option<String>, on: Option<String>) -> Result<Vec<Product>, IpcError> {
    let today = state.today();
    state.with_store(|s| catalogue::products(s, today, search.as_deref(), on.as_deref()))
}

/// The price of a product for a customer, with the dates of a term starting on `start`.
#[tauri::command(rename_all = "snake_case")]
pub async fn product_quote(state: State<'_, AppState>, input: QuoteRequest) -> Result<QuoteView, IpcError> {
    let today = state.today();
    state.with_store(|s| catalogue::quote(s, today, &input))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn markup_list(state: State<'_, AppState>) -> Result<Vec<RuleRow>, IpcError> {
    Ok(state.with_store(|s| catalogue::markup_rules(s))?.rules)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn markup_set(state: State<'_, AppState>, input: MarkupRequest) -> Result<RuleRow, IpcError> {
    let today = state.today();
    state.with_store(|s| catalogue::set_markup(s, today, &input))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn fx_list(state: State<'_, AppState>) -> Result<Vec<ExchangeRate>, IpcError> {
    state.with_store(|s| catalogue::exchange_rates(s))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn fx_set(state: State<'_, AppState>, from: String, to: String, rate: String, on: String) -> Result<ExchangeRate, IpcError> {
    state.with_store(|s| catalogue::set_exchange_rate(s, &RateRequest { from, to, rate, on: Some(on) }))
}
