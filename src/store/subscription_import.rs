//! Importing an existing book of subscriptions, all or nothing: each row lands in its current
//! term (`subscription::current_term_start`), priced from today's price list unless the row gives
//! a price, and is billed from `bill_from` (default `subscription::imported_bill_from`).

use super::Store;
use crate::error::{LineProblems, Result};
use crate::import::subscriptions::ParsedSubscriptions;
use crate::subscription::{current_term_start, imported_bill_from, term_end, Event, EventKind, RenewalChanges, Status, Subscription};
use chrono::NaiveDate;

impl Store {
    /// Import an existing book of subscriptions, all or nothing.
    pub fn import_subscriptions(&mut self, parsed: &ParsedSubscriptions, today: NaiveDate, at: &str) -> Result<Vec<Subscription>> {
        let ids = self.write(|s| {
            let mut problems = LineProblems::new("subscription file");
            for (line, problem) in &parsed.problems {
                problems.push(*line, problem.clone());
            }
            let mut plans = Vec::new();
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
