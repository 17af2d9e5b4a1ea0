//! Importing an existing book of subscriptions, all or nothing: each row lands in its current
//! term (`subscription::current_term_start`), priced from today's price list unless the row gives
//! a price, and is billed from `bill_from` (default `subscription::imported_bill_from`).

use super::Store;
use crate::error::{LineProblems, Result};
use crate::import::subscriptions::{ParsedSubscriptions, SubscriptionRow};
use crate::subscription::{current_term_start, imported_bill_from, term_end, Event, EventKind, RenewalChanges, Status, Subscription};
use chrono::NaiveDate;
use rusqlite::OptionalExtension;

/// What a subscription import wrote: how many, and the first of them as written.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SubscriptionImport {
    pub imported: usize,
    /// The first `SHOWN` subscriptions (a file may hold a million).
    pub subscriptions: Vec<Subscription>,
}

impl SubscriptionImport {
    pub const SHOWN: usize = 100;
}

impl Store {
    /// Import an existing book of subscriptions held in memory, all or nothing.
    pub fn import_subscriptions(&mut self, parsed: &ParsedSubscriptions, today: NaiveDate, at: &str) -> Result<SubscriptionImport> {
        let rows = parsed.problems.iter().cloned().map(Err).chain(parsed.rows.iter().cloned().map(Ok));
        self.import_subscription_rows(rows, today, at)
    }

    /// Import an existing book of subscriptions as it is read, all or nothing: each row checked
    /// against the book and written as it comes, in one transaction committed only when every
    /// line is good.
    pub fn import_subscription_rows(
        &mut self,
        rows: impl Iterator<Item = std::result::Result<SubscriptionRow, (usize, String)>>,
        today: NaiveDate,
        at: &str,
    ) -> Result<SubscriptionImport> {
        self.unmapped(|store| {
            store.write(|s| {
                let mut problems = LineProblems::new("subscription file");
                let before: i64 = s.conn.query_row("SELECT coalesce(max(id), 0) FROM subscriptions", [], |r| r.get(0))?;
                // The line of each subscription written (by id past `before`).
                let mut lines: Vec<u32> = Vec::new();
                let mut out = SubscriptionImport::default();
                let prices = super::catalogue::Prices::of(s)?;
                for row in rows {
                    let Some(row) = problems.take(row) else { continue };
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
                    // Two of the file's own rows are told apart by Microsoft's id only (a customer may
                    // buy the same product twice on one day).
                    let ms_id = row.ms_subscription_id.trim();
                    // By index each (the file's rows are written as they come: a scan would grow
                    // with every row).
                    let by_ms: Option<i64> = if ms_id.is_empty() {
                        None
                    } else {
                        s.conn
                        .prepare_cached(
                            "SELECT id FROM subscriptions WHERE ms_subscription_id <> '' AND lower(ms_subscription_id) = lower(?1) LIMIT 1",
                        )?
                        .query_row([ms_id], |r| r.get(0))
                        .optional()?
                    };
                    let existing = match by_ms {
                        Some(id) => Some(id),
                        None => s
                            .conn
                            .prepare_cached(
                                "SELECT id FROM subscriptions WHERE customer_id = ?2 AND id <= ?8 AND (?1 = '' OR ms_subscription_id = '')
                                AND product_id = ?3 AND sku_id = ?4 AND purchased_on = ?5 AND term = ?6 AND billing = ?7
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
                                    row.billing.as_str(),
                                    before
                                ],
                                |r| r.get(0),
                            )
                            .optional()?,
                    };
                    match existing {
                        Some(id) if id > before => {
                            let first = lines.get((id - before - 1) as usize).copied().unwrap_or_default();
                            problems.push(row.line, format!("Microsoft subscription {ms_id} appears again (first on line {first})"));
                            continue;
                        }
                        Some(id) => {
                            problems.push(row.line, format!("already in the book as subscription {id}: a file is imported once"));
                            continue;
                        }
                        None => {}
                    }
                    if row.start > today {
                        problems.push(
                            row.line,
                            format!("start {} is after today ({today}); add a subscription that starts later on its own", row.start),
                        );
                        continue;
                    }
                    let term_start = current_term_start(row.start, row.term, today);
                    let (price, title) = match s.quote_cached(&prices, customer.id, &row.product, row.term, row.billing, today, row.price) {
                        Ok(q) => (q.price, q.product_title),
                        Err(e) => {
                            problems.push_error(row.line, &e);
                            continue;
                        }
                    };
                    let mut sub = Subscription {
                        id: 0,
                        customer_id: customer.id,
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
                    let mut event = Event::capture(&sub, EventKind::Imported, term_start, at, sub.quantity as i64, String::new());
                    event.description =
                        crate::subscription::import_words(&event, row.line, sub.purchased_on, &sub.price.rule, sub.bill_from);
                    s.append(&event)?;
                    lines.push(u32::try_from(row.line).unwrap_or(u32::MAX));
                    out.imported += 1;
                    if out.subscriptions.len() < SubscriptionImport::SHOWN {
                        out.subscriptions.push(sub);
                    }
                }
                if out.imported == 0 && problems.is_empty() {
                    problems.push(1, "the file has no subscription rows");
                }
                problems.into_result()?;
                Ok(out)
            })
        })
    }
}
