//! The catalogue: importing Microsoft's price list, products and prices, quotes, markup rules
//! and exchange rates.

use super::{blocking, date, date_or_today, given};
use crate::error::IpcError;
use crate::files;
use crate::state::AppState;
use chrono::NaiveDate;
use seatbook::catalogue::{BillingPlan, Product, ProductKey, Term};
use seatbook::money::{parse_percent, parse_price, Currency};
use seatbook::pricing::{ExchangeRate, Markup, MarkupRule};
use seatbook::store::{ImportSummary, PriceQuote};
use seatbook::subscription::{term_end, trial_end, window_end};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Runtime, State};

#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    /// The file's name (not its folder).
    pub file: String,
    pub market: String,
    pub summary: ImportSummary,
}

/// Import a price list chosen in a file dialog: read, check every line, write (all or
/// nothing), reporting progress as the `import` job. `null` when the dialog was cancelled.
/// `market` and `currency` select rows, as `seatbook pricelist import` does (default: the
/// company's market, every currency).
#[tauri::command(rename_all = "snake_case")]
pub async fn pricelist_import<R: Runtime>(
    app: AppHandle<R>,
    market: Option<String>,
    currency: Option<String>,
) -> Result<Option<ImportReport>, IpcError> {
    blocking(app, move |app, state| {
        // Bad filters are reported before a dialog is shown.
        let market = match given(market) {
            Some(m) => seatbook::customer::parse_country(&m, "--market")?,
            None => state.with_store(|s| s.company())?.market,
        };
        let currency = given(currency).map(|c| Currency::parse(&c, "--currency")).transpose()?;
        let Some(path) = files::pick_file(app, "Import Microsoft's price list", &files::CSV)? else {
            return Ok(None);
        };
        const STEPS: usize = 3;
        files::progress(app, "import", 0, STEPS);
        let bytes = files::read(&path)?;
        files::progress(app, "import", 1, STEPS);
        let parsed = seatbook::import::pricelist::parse(&bytes, Some(&market), currency).map_err(IpcError::from)?;
        files::progress(app, "import", 2, STEPS);
        let summary = state.with_store(|s| s.import_price_list(&parsed))?;
        files::progress(app, "import", STEPS, STEPS);
        let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        Ok(Some(ImportReport { file, market, summary }))
    })
    .await
}

/// Products whose id, title or description contains `search`, with the prices in force on `on`
/// (default today).
#[tauri::command(rename_all = "snake_case")]
pub async fn products_list(state: State<'_, AppState>, search: Option<String>, on: Option<String>) -> Result<Vec<Product>, IpcError> {
    let on = date_or_today(on.as_deref(), "--on", state.today())?;
    let search = given(search);
    state.with_store(|s| s.list_products(search.as_deref(), on))
}

/// What a quote is asked for: the subscription form before it is confirmed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct QuoteInput {
    pub customer: Option<i64>,
    pub product: String,
    pub term: String,
    pub billing: String,
    /// The first day (default today).
    pub start: Option<String>,
    /// A price per seat per month in the customer's currency, beating the markup rules.
    pub price: Option<String>,
    pub trial: bool,
}

/// A quote with the dates the user must know before confirming.
#[derive(Debug, Clone, Serialize)]
pub struct QuoteView {
    pub quote: PriceQuote,
    pub term_start: NaiveDate,
    pub term_end: NaiveDate,
    /// The last day it can still be cancelled (the 7-day window, or the trial's end).
    pub cancellable_until: NaiveDate,
    pub trial: bool,
}

/// The price a customer would be locked at (or the general price without a customer), per
/// term and per charge cycle, and the last day of the cancellation window.
#[tauri::command(rename_all = "snake_case")]
pub async fn product_quote(state: State<'_, AppState>, input: QuoteInput) -> Result<QuoteView, IpcError> {
    let product = ProductKey::parse(&input.product, "--product")?;
    let term = Term::parse(&input.term, "--term")?;
    let billing = BillingPlan::parse(&input.billing, "--billing")?;
    seatbook::catalogue::check_pair(term, billing)?;
    let start = date_or_today(input.start.as_deref(), "--start", state.today())?;
    let price = given(input.price).map(|p| parse_price(&p, "--price")).transpose()?;
    let quote = state.with_store(|s| match input.customer {
        Some(c) => s.quote(c, &product, term, billing, start, price),
        None => s.general_quote(&product, term, billing, start),
    })?;
    let (end, cancellable_until) =
        if input.trial { (trial_end(start), trial_end(start)) } else { (term_end(start, term), window_end(start)) };
    Ok(QuoteView { quote, term_start: start, term_end: end, cancellable_until, trial: input.trial })
}

/// A markup rule with its description in words.
#[derive(Debug, Clone, Serialize)]
pub struct RuleRow {
    #[serde(flatten)]
    pub rule: MarkupRule,
    pub description: String,
}

impl From<MarkupRule> for RuleRow {
    fn from(rule: MarkupRule) -> Self {
        RuleRow { description: rule.describe(), rule }
    }
}

#[tauri::command(rename_all = "snake_case")]
pub async fn markup_list(state: State<'_, AppState>) -> Result<Vec<RuleRow>, IpcError> {
    Ok(state.with_store(|s| s.markup_rules())?.into_iter().map(RuleRow::from).collect())
}

/// The markup form: a percentage, or a fixed price per seat per month for one product.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MarkupInput {
    /// A customer's id; empty for every customer.
    pub customer: Option<String>,
    /// `PRODUCTID:SKUID`; empty for every product.
    pub product: Option<String>,
    pub percent: Option<String>,
    pub price: Option<String>,
    pub currency: Option<String>,
    /// From (default today).
    pub on: Option<String>,
}

/// Add a markup rule (or replace the one of the same scope and day), as `seatbook markup set`.
#[tauri::command(rename_all = "snake_case")]
pub async fn markup_set(state: State<'_, AppState>, input: MarkupInput) -> Result<RuleRow, IpcError> {
    let on = date_or_today(input.on.as_deref(), "--on", state.today())?;
    let customer = given(input.customer)
        .map(|c| c.trim().parse::<i64>().map_err(|_| IpcError::invalid("customer", format!("'{c}' is not a customer"))))
        .transpose()?;
    let product = given(input.product).map(|p| ProductKey::parse(&p, "--product")).transpose()?;
    let percent = given(input.percent);
    let price = given(input.price);
    let currency = given(input.currency).map(|c| Currency::parse(&c, "--currency")).transpose()?;
    let rule = state.with_store(|s| {
        let markup = match (percent, price) {
            (Some(p), None) => Markup::Percent { percent: parse_percent(&p, "--percent")? },
            (None, Some(p)) => {
                // A price is in the customer's currency unless another is named, as on the command line.
                let currency = match (currency, customer) {
                    (Some(c), _) => c,
                    (None, Some(id)) => s.customer(id)?.currency,
                    (None, None) => s.company()?.currency,
                };
                Markup::Price { amount: parse_price(&p, "--price")?, currency }
            }
            (Some(_), Some(_)) => return Err(seatbook::Error::invalid("--percent", "give a percentage or a fixed price, not both")),
            (None, None) => return Err(seatbook::Error::invalid("--percent", "give a percentage or a fixed price")),
        };
        s.set_markup(customer, product.as_ref(), &markup, on)
    })?;
    Ok(rule.into())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn fx_list(state: State<'_, AppState>) -> Result<Vec<ExchangeRate>, IpcError> {
    state.with_store(|s| s.exchange_rates())
}

/// How many units of `to` one unit of `from` buys, from `on`.
#[tauri::command(rename_all = "snake_case")]
pub async fn fx_set(state: State<'_, AppState>, from: String, to: String, rate: String, on: String) -> Result<ExchangeRate, IpcError> {
    let from = Currency::parse(&from, "--from")?;
    let to = Currency::parse(&to, "--to")?;
    let rate = parse_price(&rate, "--rate")?;
    let on = date(&on, "--on")?;
    state.with_store(|s| s.set_exchange_rate(from, to, rate, on))
}
