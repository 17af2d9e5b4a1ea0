//! The subscription file of a reseller moving in:
//! `customer_domain,product,term,billing,quantity,start,price` (price optional, per seat per month),
//! optionally `auto_renew`, `ms_subscription_id` and `bill_from`.

use super::Table;
use crate::catalogue::{check_pair, BillingPlan, ProductKey, Term};
use crate::dates::parse_date;
use crate::error::{LineProblems, Result};
use crate::money::parse_price;
use chrono::NaiveDate;
use rust_decimal::Decimal;

const ALIASES: &[(&str, &[&str])] = &[
    ("customer_domain", &["customer_domain", "domain", "tenant_domain"]),
    ("product", &["product", "product_sku", "catalog_item"]),
    ("term", &["term", "term_duration"]),
    ("billing", &["billing", "billing_plan", "billing_frequency"]),
    ("quantity", &["quantity", "seats"]),
    ("start", &["start", "start_date"]),
    ("price", &["price", "unit_price"]),
    ("auto_renew", &["auto_renew", "autorenew"]),
    ("ms_subscription_id", &["ms_subscription_id", "subscription_id"]),
    ("bill_from", &["bill_from"]),
];

#[derive(Debug, Clone)]
pub struct SubscriptionRow {
    pub line: usize,
    pub customer_domain: String,
    pub product: ProductKey,
    pub term: Term,
    pub billing: BillingPlan,
    pub quantity: u32,
    pub start: NaiveDate,
    /// Price per seat per month, overriding the markup rules.
    pub price: Option<Decimal>,
    pub auto_renew: bool,
    pub ms_subscription_id: String,
    pub bill_from: Option<NaiveDate>,
}

/// The rows that parsed, and the problems of those that did not.
#[derive(Debug)]
pub struct ParsedSubscriptions {
    pub rows: Vec<SubscriptionRow>,
    pub problems: Vec<(usize, String)>,
}

/// Parse and validate what can be checked without the database; the store checks the rest
/// (customer, price list) and reports both kinds of problem together.
pub fn parse(bytes: &[u8]) -> Result<ParsedSubscriptions> {
    let t = Table::read(bytes, "subscription file", ALIASES, &["customer_domain", "product", "term", "billing", "quantity", "start"])?;
    let mut problems = Vec::new();
    let mut rows = Vec::new();
    for (line, r) in &t.records {
        let row = (|| -> Result<SubscriptionRow> {
            let term = Term::parse(t.get(r, "term"), "term")?;
            let billing = BillingPlan::parse(t.get(r, "billing"), "billing")?;
            check_pair(term, billing)?;
            let q = t.get(r, "quantity");
            let quantity =
                q.parse::<u32>().ok().filter(|q| *q > 0).ok_or_else(|| {
                    crate::Error::invalid("quantity", format!("quantity: '{q}' is not a whole number of seats (1 or more)"))
                })?;
            Ok(SubscriptionRow {
                line: *line,
                customer_domain: t.get(r, "customer_domain").to_ascii_lowercase(),
                product: ProductKey::parse(t.get(r, "product"), "product")?,
                term,
                billing,
                quantity,
                start: parse_date(t.get(r, "start"), "start")?,
                price: match t.get(r, "price") {
                    "" => None,
                    s => Some(parse_price(s, "price")?),
                },
                auto_renew: match t.get(r, "auto_renew").to_ascii_lowercase().as_str() {
                    "" | "yes" | "true" | "1" | "on" => true,
                    "no" | "false" | "0" | "off" => false,
                    other => return Err(crate::Error::invalid("auto_renew", format!("auto_renew: '{other}' is not yes or no"))),
                },
                ms_subscription_id: t.get(r, "ms_subscription_id").to_string(),
                bill_from: match t.get(r, "bill_from") {
                    "" => None,
                    s => Some(parse_date(s, "bill_from")?),
                },
            })
        })();
        match row {
            Ok(row) if row.customer_domain.is_empty() => problems.push((*line, "customer_domain must not be empty".to_string())),
            Ok(row) => rows.push(row),
            Err(e) => problems.push((*line, e.field_message())),
        }
    }
    if t.records.is_empty() {
        let mut none = LineProblems::new("subscription file");
        none.push(1, "the file has no subscription rows");
        none.into_result()?;
    }
    Ok(ParsedSubscriptions { rows, problems })
}
