//! Renewals in the database: what `subscription::next_term` decides at the end of a term (a new
//! term with the scheduled changes, a converted trial, or an expiry), written with its history
//! event; for one subscription before a change dated after its term, or for the whole book.

use super::catalogue::Prices;
use super::subscription_rows::subscription_from_row;
use super::Store;
use crate::catalogue::ProductKey;
use crate::dates::add_days;
use crate::error::{Error, Result};
use crate::subscription::{expired, next_term, renewed, EventKind, RenewalOutcome, Subscription};
use chrono::NaiveDate;
use rusqlite::params;
use rust_decimal::Decimal;
use serde::Serialize;

/// One subscription renewed, converted or expired by a run.
#[derive(Debug, Clone, Serialize)]
pub struct RenewalEntry {
    pub subscription_id: i64,
    pub customer_id: i64,
    pub product: ProductKey,
    pub outcome: RenewalOutcome,
    /// The new term's first day, or the first day without service.
    pub date: NaiveDate,
    pub quantity: u32,
    pub unit_price: Decimal,
    pub price_currency: crate::money::Currency,
}

/// A subscription that could not renew (no price in force), left as it was.
#[derive(Debug, Clone, Serialize)]
pub struct RenewalProblem {
    pub subscription_id: i64,
    pub customer_id: i64,
    pub message: String,
}

/// What a renewal run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RenewalReport {
    pub through: Option<NaiveDate>,
    pub done: Vec<RenewalEntry>,
    pub problems: Vec<RenewalProblem>,
}

impl Store {
    /// Renew or expire every subscription whose term ended before `through`. A subscription
    /// that cannot renew (no price in force) is reported and left as it was; the rest go ahead.
    pub fn run_renewals(&mut self, through: NaiveDate, at: &str) -> Result<RenewalReport> {
        self.write(|s| s.renewals_in_transaction(through, at))
    }

    /// Live subscriptions whose term ends within `within_days` of `as_of`: the renewal is the
    /// only time seats can be cut, so these need a decision. The first `rows` of them, soonest
    /// first (all for `None`), and how many there are in all.
    pub(crate) fn renewals_due(&self, as_of: NaiveDate, within_days: u32, rows: Option<usize>) -> Result<(Vec<Subscription>, usize)> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT * FROM subscriptions WHERE status IN ('active', 'suspended') AND term_end >= ?1 AND term_end <= ?2
             ORDER BY term_end, customer_id, id LIMIT ?3",
        )?;
        let (from, until) = (as_of.to_string(), add_days(as_of, within_days as i64).to_string());
        let limit = rows.map_or(-1, |r| i64::try_from(r).unwrap_or(i64::MAX));
        let due = stmt.query_map(params![from, until, limit], subscription_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        if rows.is_none_or(|r| due.len() < r) {
            let total = due.len();
            return Ok((due, total));
        }
        let total: i64 = self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM subscriptions WHERE status IN ('active', 'suspended') AND term_end >= ?1 AND term_end <= ?2",
            )?
            .query_row(params![from, until], |r| r.get(0))?;
        Ok((due, total as usize))
    }
}

/// Writes: only inside a transaction (`Store::write`).
impl super::Tx<'_> {
    /// Renew or expire `sub` as many times as needed so that its term covers `through`
    /// (a new term starting on or before `through` is entered).
    pub(super) fn renew_through(&self, mut sub: Subscription, through: NaiveDate, at: &str) -> Result<Subscription> {
        let prices = Prices::of(self)?;
        while sub.status.is_live() && sub.term_end < through {
            sub = self.renew_once(&prices, sub, at)?.0;
        }
        Ok(sub)
    }

    /// Enter the next term (`subscription::next_term`: the scheduled changes at the price list
    /// then in force), convert a trial, or expire. All lookups happen before anything is written.
    pub(super) fn renew_once(&self, prices: &Prices, sub: Subscription, at: &str) -> Result<(Subscription, RenewalOutcome)> {
        let Some(next) = next_term(&sub) else {
            let (s, what) = expired(&sub);
            self.record(&s, EventKind::Expired, add_days(sub.term_end, 1), at, 0, what)?;
            return Ok((s, RenewalOutcome::Expired));
        };
        let (price, title) = self
            .quote_cached(prices, sub.customer_id, &next.product, next.term, next.billing, next.start, next.price_override)
            .map(|q| (q.price, q.product_title))
            .map_err(|e| Error::new(e.code, format!("subscription {} cannot renew on {}: {}", sub.id, next.start, e.message)))?;
        let (s, delta, outcome, what) = renewed(&sub, &next, price, title);
        let kind = if outcome == RenewalOutcome::Converted { EventKind::TrialConverted } else { EventKind::Renewed };
        self.record(&s, kind, next.start, at, delta, what)?;
        Ok((s, outcome))
    }

    /// `run_renewals` inside a transaction the caller holds (billing runs renewals first).
    pub(crate) fn renewals_in_transaction(&self, through: NaiveDate, at: &str) -> Result<RenewalReport> {
        // The due subscriptions in one read, and what pricing them reads once for all of them.
        let due: Vec<Subscription> = {
            let mut stmt = self
                .conn
                .prepare("SELECT * FROM subscriptions WHERE status IN ('active', 'suspended') AND term_end < ?1 ORDER BY term_end, id")?;
            let rows = stmt.query_map([through.to_string()], subscription_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
            rows
        };
        let prices = Prices::of(self)?;
        let mut report = RenewalReport { through: Some(through), ..Default::default() };
        for mut sub in due {
            let id = sub.id;
            while sub.status.is_live() && sub.term_end < through {
                match self.renew_once(&prices, sub.clone(), at) {
                    Ok((next, outcome)) => {
                        report.done.push(RenewalEntry {
                            subscription_id: id,
                            customer_id: next.customer_id,
                            product: next.product.clone(),
                            outcome: outcome.clone(),
                            date: match outcome {
                                RenewalOutcome::Expired => next.ended_on.unwrap_or(next.term_start),
                                _ => next.term_start,
                            },
                            quantity: next.quantity,
                            unit_price: next.price.unit_price,
                            price_currency: next.price.price_currency,
                        });
                        sub = next;
                    }
                    Err(e) if e.code.is_user_error() => {
                        report.problems.push(RenewalProblem { subscription_id: id, customer_id: sub.customer_id, message: e.message });
                        break;
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(report)
    }
}
