//! The subscription file of a reseller moving in:
//! `customer_domain,product,term,billing,quantity,start,price` (price optional, per seat per month),
//! optionally `auto_renew`, `ms_subscription_id` and `bill_from`.

use super::rows::{RawRow, RowReader, Spec};
use crate::catalogue::{check_pair, BillingPlan, ProductKey, Term};
use crate::dates::parse_date;
use crate::error::Result;
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

/// How a subscription file is read.
pub static SPEC: Spec = Spec {
    what: "subscription file",
    question: "is this a subscription file (customer_domain, product, term, billing, quantity, start)?",
    columns: ALIASES,
    required: &["customer_domain", "product", "term", "billing", "quantity", "start"],
};

/// A subscription file's rows, read one at a time (never the whole file at once), each checked
/// for what can be checked without the book; the store checks the rest (customer, price list).
pub struct Rows(RowReader);

impl Rows {
    pub fn new(input: impl std::io::Read + 'static) -> Result<Rows> {
        Ok(Rows(RowReader::new(input, &SPEC)?))
    }
}

impl Iterator for Rows {
    type Item = std::result::Result<SubscriptionRow, (usize, String)>;

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next_row().map(|r| r.and_then(|raw| row(&raw).map_err(|e| (raw.line, e))))
    }
}

fn row(r: &RawRow<'_>) -> std::result::Result<SubscriptionRow, String> {
    let row = (|| -> Result<SubscriptionRow> {
        let term = Term::parse(r.get("term"), "term")?;
        let billing = BillingPlan::parse(r.get("billing"), "billing")?;
        check_pair(term, billing)?;
        let q = r.get("quantity");
        let quantity = q
            .parse::<u32>()
            .ok()
            .filter(|q| *q > 0)
            .ok_or_else(|| crate::Error::invalid("quantity", format!("quantity: '{q}' is not a whole number of seats (1 or more)")))?;
        Ok(SubscriptionRow {
            line: r.line,
            customer_domain: r.get("customer_domain").to_ascii_lowercase(),
            product: ProductKey::parse(r.get("product"), "product")?,
            term,
            billing,
            quantity,
            start: parse_date(r.get("start"), "start")?,
            price: match r.get("price") {
                "" => None,
                s => Some(parse_price(s, "price")?),
            },
            auto_renew: match r.get("auto_renew").to_ascii_lowercase().as_str() {
                "" | "yes" | "true" | "1" | "on" => true,
                "no" | "false" | "0" | "off" => false,
                other => return Err(crate::Error::invalid("auto_renew", format!("auto_renew: '{other}' is not yes or no"))),
            },
            ms_subscription_id: r.get("ms_subscription_id").to_string(),
            bill_from: match r.get("bill_from") {
                "" => None,
                s => Some(parse_date(s, "bill_from")?),
            },
        })
    })();
    match row {
        Ok(row) if row.customer_domain.is_empty() => Err("customer_domain must not be empty".to_string()),
        Ok(row) => Ok(row),
        Err(e) => Err(e.field_message()),
    }
}

/// Every row of a subscription file held in memory (tests build books with it): the rows that
/// parsed, and the problems of those that did not.
pub fn parse(bytes: &[u8]) -> Result<ParsedSubscriptions> {
    let mut out = ParsedSubscriptions { rows: Vec::new(), problems: Vec::new() };
    for r in Rows::new(std::io::Cursor::new(bytes.to_vec()))? {
        match r {
            Ok(row) => out.rows.push(row),
            Err(p) => out.problems.push(p),
        }
    }
    Ok(out)
}
