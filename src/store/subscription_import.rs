//! Importing an existing book of subscriptions, all or nothing: each row lands in its current
//! term (`subscription::current_term_start`), priced from today's price list unless the row gives
//! a price, and is billed from `bill_from` (default `subscription::imported_bill_from`).

use super::Store;
use crate::error::{LineProblems, Result};
use crate::import::subscriptions::ParsedSubscriptions;
use crate::subscription::{current_term_start, imported_bill_from, term_end, Event, EventKind, RenewalChanges, Status, Subscription};
use chrono::NaiveDate;
use rusqlite::OptionalExtension;

impl Store {
    /// Import an existing book of subscriptions, all or nothing.
    pub fn import_subscriptions(&mut self, parsed: &ParsedSubscriptions, today: NaiveDate, at: &str) -> Result<Vec<Subscription>> {
        let ids = self.write(|s| {
            let mut problems = LineProblems::new("subscription file");
            for (line, problem) in &parsed.problems {
                problems.push(*line, problem.clone());
            }
            let mut plans = Vec::new();
            let mut seen_ms = std::collections::HashMap::new();
            for row in &parsed.rows {
                let customer = match s.customer_by_domain(&row.customer_domain)? {
                    Some(c) if c.closed_on.is_none() => c,
                    Some(c) => {
                        problems.push(row.line, format!("customer {} ({}) is closed", c.id, c.domain));
                        continue;
                    }
                    None => {
                        problems.push(row.line, format!("no customer has the domain {}", row.customer_domain));
                        continue;
                    }
                };
                // A subscription already in the book (by Microsoft's id, or the same purchase of
                // the same customer) is not imported twice: a file imported again adds nothing.
                let ms_id = row.ms_subscription_id.trim();
                if !ms_id.is_empty() {
                    if let Some(first) = seen_ms.insert(ms_id.to_ascii_lowercase(), row.line) {
                        problems.push(row.line, format!("Microsoft subscription {ms_id} appears again (first on line {first})"));
                        continue;
                    }
                }
                let existing: Option<i64> = s
                    .conn
                    .prepare_cached(
                        "SELECT id FROM subscriptions WHERE (?1 <> '' AND lower(ms_subscription_id) = lower(?1))
                            OR ((?1 = '' OR ms_subscription_id = '')
                                AND customer_id = ?2 AND product_id = ?3 AND sku_id = ?4 AND purchased_on = ?5 AND term = ?6 AND billing = ?7)
                         LIMIT 1",
                    )?
                    .query_row(
                        rusqlite::params![
                            ms_id,
                            customer.id,
                            row.product.product_id,
                            row.product.sku_id,
                            row.start.to_string(),
                            row.term.as_str(),
                            row.billing.as_str()
                        ],
                        |r| r.get(0),
                    )
                    .optional()?;
                if let Some(id) = existing {
                    problems.push(row.line, format!("already in the book as subscription {id}: a file is imported once"));
                    continue;
                }
                if row.start > today {
                    problems.push(
                        row.line,
                        format!("start {} is after today ({today}); add a subscription that starts later on its own", row.start),
                    );
                    continue;
                }
                let term_start = current_term_start(row.start, row.term, today);
                match s.lock_for(customer.id, &row.product, row.term, row.billing, today, row.price) {
                    Ok((price, title)) => plans.push((row, customer.id, term_start, price, title)),
                    Err(e) => problems.push_error(row.line, &e),
                }
            }
            problems.into_result()?;
            let mut ids = Vec::new();
            for (row, customer_id, term_start, price, title) in plans {
                let mut sub = Subscription {
                    id: 0,
                    customer_id,
                    product: row.product.clone(),
                    product_title: title,
                    term: row.term,
                    billing: row.billing,
                    quantity: row.quantity,
                    status: Status::Active,
                    auto_renew: row.auto_renew,
                    trial: false,
                    purchased_on: row.start,
                    term_start,
                    term_end: term_end(term_start, row.term),
                    ms_subscription_id: row.ms_subscription_id.clone(),
                    price,
                    price_override: row.price,
                    scheduled: RenewalChanges::default(),
                    ended_on: None,
                    bill_from: row.bill_from.unwrap_or_else(|| imported_bill_from(term_start, row.term, row.billing, today)),
                };
                sub.id = s.insert_subscription(&sub)?;
                let what = format!(
                    "imported (line {}): {} seats since {}, current term {} to {}, at {} per seat per term ({}); billed from {}",
                    row.line,
                    sub.quantity,
                    sub.purchased_on,
                    sub.term_start,
                    sub.term_end,
                    super::subscriptions::money(sub.price.unit_price, sub.price.price_currency),
                    sub.price.rule,
                    sub.bill_from
                );
                s.append(&Event::capture(&sub, EventKind::Imported, term_start, at, sub.quantity as i64, what))?;
                ids.push(sub.id);
            }
            Ok(ids)
        })?;
        ids.into_iter().map(|id| self.subscription(id)).collect()
    }
}
