//! Microsoft's price list, the products, the price of a product for a customer, markup rules and
//! exchange rates.

use super::{date_or, given};
use crate::catalogue::{check_pair, BillingPlan, Product, ProductKey, Term};
use crate::money::{parse_percent, parse_price, Currency};
use crate::pricing::{ExchangeRate, Markup, MarkupRule};
use crate::store::{ImportSummary, PriceQuote, Store};
use crate::subscription::{term_end, trial_end, window_end};
use crate::{Error, Result};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What an import of the price list did, and for which market.
#[derive(Debug, Clone, Serialize)]
pub struct PriceListImport {
    pub market: String,
    /// Only rows in this currency were taken, if one was given.
    pub currency: Option<Currency>,
    #[serde(flatten)]
    pub summary: ImportSummary,
}

/// Which rows of a price list to take: one market's, and of one currency if given.
#[derive(Debug, Clone)]
pub struct PriceListRows {
    pub market: String,
    pub currency: Option<Currency>,
}

/// The rows to take as typed: `market` (default: the company's), `currency` (default: all).
/// Checked before a file is chosen.
pub fn price_list_rows(store: &Store, market: Option<&str>, currency: Option<&str>) -> Result<PriceListRows> {
    let market = match given(market) {
        Some(m) => crate::customer::parse_country(m, "market")?,
        None => store.company()?.market,
    };
    let currency = given(currency).map(|c| Currency::parse(c, "currency")).transpose()?;
    Ok(PriceListRows { market, currency })
}

/// Import Microsoft's price list from a file, the rows chosen, read as it is written to the book
/// (never the whole file at once). All or nothing.
pub fn import_price_list(store: &mut Store, path: &std::path::Path, rows: &PriceListRows) -> Result<PriceListImport> {
    let file = crate::files::open(path, "file")?;
    let mut read = crate::import::pricelist::Rows::new(file, Some(&rows.market), rows.currency).map_err(|e| {
        if e.field.is_none() {
            e.with_field("file")
        } else {
            e
        }
    })?;
    let summary = store.import_price_rows(&mut read)?;
    let c = read.counts;
    let summary = crate::store::ImportSummary { read: c.read, other_market: c.other_market, other_currency: c.other_currency, ..summary };
    Ok(PriceListImport { market: rows.market.clone(), currency: rows.currency, summary })
}

/// Products whose name or code matches `search`, with the prices in force on `on` (default today).
pub fn products(store: &Store, today: NaiveDate, search: Option<&str>, on: Option<&str>) -> Result<Vec<Product>> {
    let on = date_or(on, "on", today)?;
    store.list_products(given(search), on)
}

/// What a quote is asked for: a product, term and plan, for a customer or in general.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct QuoteRequest {
    pub customer: Option<i64>,
    pub product: String,
    pub term: String,
    pub billing: String,
    /// The day the term would start (default today).
    pub start: Option<String>,
    /// A price per seat per month in the customer's currency, beating the markup rules.
    pub price: Option<String>,
    pub trial: bool,
}

/// A price with the dates a new term would have.
#[derive(Debug, Clone, Serialize)]
pub struct QuoteView {
    pub quote: PriceQuote,
    pub term_start: NaiveDate,
    pub term_end: NaiveDate,
    pub cancellable_until: NaiveDate,
    pub trial: bool,
}

/// The price of a product for a customer (or the general price), and when a term starting on
/// `start` would end and could be cancelled until.
pub fn quote(store: &Store, today: NaiveDate, r: &QuoteRequest) -> Result<QuoteView> {
    if r.product.trim().is_empty() {
        return Err(Error::invalid("product", "choose a product"));
    }
    let product = ProductKey::parse(&r.product, "product")?;
    let term = Term::parse(&r.term, "term")?;
    let billing = BillingPlan::parse(&r.billing, "billing")?;
    check_pair(term, billing)?;
    let start = date_or(r.start.as_deref(), "start", today)?;
    let price = given(r.price.as_deref()).map(|p| parse_price(p, "price")).transpose()?;
    let quote = match r.customer {
        Some(c) => store.quote(c, &product, term, billing, start, price)?,
        None => store.general_quote(&product, term, billing, start)?,
    };
    let (end, cancellable_until) = if r.trial { (trial_end(start), trial_end(start)) } else { (term_end(start, term), window_end(start)) };
    Ok(QuoteView { quote, term_start: start, term_end: end, cancellable_until, trial: r.trial })
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

/// The markup rules, most specific first, and the company's default that applies otherwise.
#[derive(Debug, Clone, Serialize)]
pub struct MarkupRules {
    pub rules: Vec<RuleRow>,
    pub default_markup: rust_decimal::Decimal,
}

pub fn markup_rules(store: &Store) -> Result<MarkupRules> {
    Ok(MarkupRules {
        rules: store.markup_rules()?.into_iter().map(RuleRow::from).collect(),
        default_markup: store.company()?.default_markup,
    })
}

/// A markup rule as typed: for a customer and/or a product (neither: everyone's default), a
/// percentage or a fixed price per seat per month, from a day.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MarkupRequest {
    pub customer: Option<String>,
    pub product: Option<String>,
    pub percent: Option<String>,
    pub price: Option<String>,
    /// The fixed price's currency: default the customer's, else the company's.
    pub currency: Option<String>,
    pub on: Option<String>,
}

pub fn set_markup(store: &mut Store, today: NaiveDate, r: &MarkupRequest) -> Result<RuleRow> {
    let on = date_or(r.on.as_deref(), "on", today)?;
    let customer = given(r.customer.as_deref())
        .map(|c| c.parse::<i64>().map_err(|_| Error::invalid("customer", format!("'{c}' is not a customer number"))))
        .transpose()?;
    let product = given(r.product.as_deref()).map(|p| ProductKey::parse(p, "product")).transpose()?;
    let currency = given(r.currency.as_deref()).map(|c| Currency::parse(c, "currency")).transpose()?;
    let markup = match (given(r.percent.as_deref()), given(r.price.as_deref())) {
        (Some(p), None) => Markup::Percent { percent: parse_percent(p, "percent")? },
        (None, Some(p)) => {
            let currency = match (currency, customer) {
                (Some(c), _) => c,
                (None, Some(id)) => store.customer(id).map_err(|e| e.with_field("customer"))?.currency,
                (None, None) => store.company()?.currency,
            };
            Markup::Price { amount: parse_price(p, "price")?, currency }
        }
        (Some(_), Some(_)) => return Err(Error::invalid("percent", "give a percentage or a fixed price, not both")),
        (None, None) => return Err(Error::invalid("percent", "give a percentage or a fixed price")),
    };
    Ok(store.set_markup(customer, product.as_ref(), &markup, on)?.into())
}

pub fn exchange_rates(store: &Store) -> Result<Vec<ExchangeRate>> {
    store.exchange_rates()
}

/// An exchange rate as typed: 1 `from` = `rate` `to`, from the day `on`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RateRequest {
    pub from: String,
    pub to: String,
    pub rate: String,
    pub on: Option<String>,
}

pub fn set_exchange_rate(store: &mut Store, r: &RateRequest) -> Result<ExchangeRate> {
    let from = Currency::parse(&r.from, "from")?;
    let to = Currency::parse(&r.to, "to")?;
    let rate = parse_price(&r.rate, "rate")?;
    // No currency is worth a million of another: with prices and seats bounded too, no product
    // in billing can overflow.
    if rate >= rust_decimal::Decimal::from(1_000_000) {
        return Err(Error::bad_value("rate", format!("{rate} is out of range (less than 1000000)")));
    }
    let on = super::date(r.on.as_deref(), "on")?;
    store.set_exchange_rate(from, to, rate, on)
}
