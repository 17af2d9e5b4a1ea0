//! Subscriptions in the database: every change loads the subscription, asks the rules in
//! `crate::subscription`, then writes the new state and appends one history event, all in one
//! transaction. Renewals happen here too, lazily before a change dated after the term end, and
//! for the whole book in `run_renewals`.

use super::col;
use super::col::Positions;
use super::subscription_rows::{event_at, subscription_at, subscription_from_row, EventCol, SubCol, EVENT_COLUMNS, EVENT_JOINS};
use super::Store;
use crate::catalogue::{check_pair, BillingPlan, ProductKey, Term};
use crate::dates::add_days;
use crate::error::{Error, Result};
use crate::pricing::LockedPrice;
use crate::subscription::{
    charge_cycle, check_auto_renew, check_cancel, check_change_date, check_quantity_change, check_reactivate, check_schedule,
    check_suspend, check_upgrade, cycle_containing, reducible_seats, reducible_until, seat_batches, term_end, trial_end, window_end,
    ChargeCycle, Event, EventKind, RenewalChanges, SeatBatch, Status, Subscription,
};
use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension};
use rust_decimal::Decimal;
use serde::Serialize;

/// What `subscription add` asks for.
#[derive(Debug, Clone)]
pub struct NewSubscription {
    pub customer_id: i64,
    pub product: ProductKey,
    pub term: Term,
    pub billing: BillingPlan,
    pub quantity: u32,
    pub start: NaiveDate,
    pub auto_renew: bool,
    pub trial: bool,
    pub ms_subscription_id: String,
    /// Resale price per seat per month in the customer's currency, beating the markup rules.
    pub price_override: Option<Decimal>,
}

/// A subscription with everything `subscription show` prints.
#[derive(Debug, Clone, Serialize)]
pub struct SubscriptionView {
    pub subscription: Subscription,
    pub customer_name: String,
    pub as_of: NaiveDate,
    /// The charge cycle containing `as_of` (none during a trial or after the subscription ended).
    pub current_cycle: Option<ChargeCycle>,
    /// Resale price per seat per charge cycle.
    pub price_per_cycle: Decimal,
    pub seat_batches: Vec<SeatBatch>,
    /// Seats that can be removed on `as_of`, and the last day some of them still can.
    pub reducible_seats: u32,
    pub reducible_until: Option<NaiveDate>,
    /// The last day the subscription can be cancelled, if that day has not passed.
    pub cancellable_until: Option<NaiveDate>,
    /// The day the next term starts, if it will renew.
    pub renews_on: Option<NaiveDate>,
    pub history: Vec<Event>,
    /// Changes sent to Microsoft that it has not finished (waiting or accepted).
    pub pending_at_microsoft: Vec<super::PcOutboxEntry>,
}

impl Store {
    pub fn subscription(&self, id: i64) -> Result<Subscription> {
        self.conn
            .prepare_cached("SELECT * FROM subscriptions WHERE id = ?1")?
            .query_row([id], subscription_from_row)
            .optional()?
            .ok_or_else(|| Error::not_found(format!("there is no subscription {id}")).with_field("id"))
    }

    pub fn subscription_events(&self, id: i64) -> Result<Vec<Event>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {EVENT_COLUMNS} FROM subscription_events e {EVENT_JOINS} WHERE e.subscription_id = ?1 ORDER BY e.id"
        ))?;
        let at = Positions::of(&stmt, EventCol::NAMES)?;
        let rows = stmt.query_map([id], |r| event_at(r, &at))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn list_subscriptions(&self, customer_id: Option<i64>, status: Option<Status>) -> Result<Vec<Subscription>> {
        self.first_subscriptions(customer_id, status, None)
    }

    /// `list_subscriptions`, the first `limit` of them (all for `None`): a long list's first page.
    pub fn first_subscriptions(&self, customer_id: Option<i64>, status: Option<Status>, limit: Option<u32>) -> Result<Vec<Subscription>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT * FROM subscriptions WHERE {} AND (?2 IS NULL OR status = ?2) ORDER BY customer_id, id LIMIT ?3",
            super::filter(customer_id.is_some(), "customer_id = ?1", 1)
        ))?;
        let at = Positions::of(&stmt, SubCol::NAMES)?;
        let limit = limit.map_or(-1, i64::from);
        let rows = stmt.query_map(params![customer_id, status.map(|s| s.as_str()), limit], |r| subscription_at(r, &at))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    fn last_event_date(&self, id: i64) -> Result<NaiveDate> {
        self.conn
            .prepare_cached("SELECT max(effective) FROM subscription_events WHERE subscription_id = ?1")?
            .query_row([id], |r| col::date(r, 0))
            .map_err(|_| Error::database(format!("damaged history of subscription {id}")))
    }

    /// Events of the current term, for the seat batches.
    fn term_events(&self, s: &Subscription) -> Result<Vec<Event>> {
        let all = self.subscription_events(s.id)?;
        let from = all.iter().rposition(|e| e.kind.starts_term()).unwrap_or(0);
        Ok(all[from..].to_vec())
    }

    /// Lock the price of a term for a subscription's customer.
    pub(super) fn lock_for(
        &self,
        customer_id: i64,
        product: &ProductKey,
        term: Term,
        billing: BillingPlan,
        on: NaiveDate,
        override_monthly: Option<Decimal>,
    ) -> Result<(LockedPrice, String)> {
        let q = self.quote(customer_id, product, term, billing, on, override_monthly)?;
        Ok((q.price, q.product_title))
    }

    pub fn add_subscription(&mut self, new: &NewSubscription, recorded_at: &str) -> Result<Subscription> {
        if new.quantity == 0 {
            return Err(Error::invalid("quantity", "the number of seats must be at least 1"));
        }
        check_pair(new.term, new.billing)?;
        let id = self.write(|s| {
            s.check_customer_open(new.customer_id)?;
            let (price, title) = s.lock_for(new.customer_id, &new.product, new.term, new.billing, new.start, new.price_override)?;
            let mut sub = Subscription {
                id: 0,
                customer_id: new.customer_id,
                product: new.product.clone(),
                product_title: title,
                term: new.term,
                billing: new.billing,
                quantity: new.quantity,
                status: Status::Active,
                auto_renew: new.auto_renew,
                trial: new.trial,
                purchased_on: new.start,
                term_start: new.start,
                term_end: if new.trial { trial_end(new.start) } else { term_end(new.start, new.term) },
                ms_subscription_id: new.ms_subscription_id.trim().to_string(),
                price,
                price_override: new.price_override,
                scheduled: RenewalChanges::default(),
                ended_on: None,
                bill_from: new.start,
            };
            sub.id = s.insert_subscription(&sub)?;
            let (kind, what) = if new.trial {
                (
                    EventKind::TrialStarted,
                    format!("30-day trial of {} seats, until {}; converts to {} {}", sub.quantity, sub.term_end, sub.term, sub.billing),
                )
            } else {
                (
                    EventKind::Purchased,
                    format!(
                        "{} seats bought, {} billed {}, term {} to {}, at {} per seat per term ({})",
                        sub.quantity,
                        sub.term,
                        sub.billing,
                        sub.term_start,
                        sub.term_end,
                        crate::money::tidy_with_code(sub.price.unit_price, sub.price.price_currency),
                        sub.price.rule
                    ),
                )
            };
            s.append(&Event::capture(&sub, kind, new.start, recorded_at, sub.quantity as i64, what))?;
            Ok(sub.id)
        })?;
        self.subscription(id)
    }

    pub fn change_quantity(&mut self, id: i64, quantity: u32, on: NaiveDate, at: &str) -> Result<Subscription> {
        self.write(|s| {
            let mut sub = s.load_for_change(id, on, at, "a seat change")?;
            let batches = seat_batches(&s.term_events(&sub)?);
            check_quantity_change(&sub, &batches, quantity, on)?;
            let delta = quantity as i64 - sub.quantity as i64;
            let old = sub.quantity;
            sub.quantity = quantity;
            let what = if delta > 0 {
                format!("+{delta} seats ({old} → {quantity}); the new seats can be removed until {}", window_end(on))
            } else {
                format!("{delta} seats ({old} → {quantity}) within the 7-day window")
            };
            s.record(&sub, EventKind::QuantityChanged, on, at, delta, what)?;
            Ok(sub)
        })
    }

    pub fn cancel_subscription(&mut self, id: i64, on: NaiveDate, at: &str) -> Result<Subscription> {
        self.write(|s| {
            let mut sub = s.load_for_change(id, on, at, "a cancellation")?;
            check_cancel(&sub, on)?;
            let what = if sub.trial {
                "trial cancelled; nothing is charged".to_string()
            } else if on == sub.term_start {
                "cancelled on the first day of the term: full credit".to_string()
            } else {
                format!("cancelled on day {} of the term: the unused days are credited", (on - sub.term_start).num_days() + 1)
            };
            sub.status = Status::Cancelled;
            sub.auto_renew = false;
            sub.ended_on = Some(on);
            sub.scheduled = RenewalChanges::default();
            s.record(&sub, EventKind::Cancelled, on, at, 0, what)?;
            Ok(sub)
        })
    }

    /// Take Microsoft's word (Partner Center's seats, status and auto-renew) into the book from
    /// `on`, as the history's ordinary events: seats added or removed there are billed and
    /// credited as any change (Microsoft's own windows already applied), a cancellation there
    /// credits the unused days.
    pub fn take_from_microsoft(
        &mut self,
        id: i64,
        taken: &crate::pc::provision::Differences,
        on: NaiveDate,
        at: &str,
    ) -> Result<Subscription> {
        self.write(|s| {
            let mut sub = s.load_for_change(id, on, at, "taking Partner Center's values")?;
            if let Some(q) = taken.quantity.filter(|q| *q != sub.quantity) {
                let old = sub.quantity;
                sub.quantity = q;
                let delta = q as i64 - old as i64;
                s.record(&sub, EventKind::QuantityChanged, on, at, delta, format!("seats as Partner Center has them: {old} → {q}"))?;
            }
            if let Some(a) = taken.auto_renew.filter(|a| *a != sub.auto_renew) {
                sub.auto_renew = a;
                let (kind, what) = if a {
                    (EventKind::AutoRenewOn, "auto-renew on, as in Partner Center".to_string())
                } else {
                    (EventKind::AutoRenewOff, "auto-renew off, as in Partner Center".to_string())
                };
                s.record(&sub, kind, on, at, 0, what)?;
            }
            match taken.status.filter(|st| *st != sub.status) {
                Some(Status::Suspended) => {
                    sub.status = Status::Suspended;
                    s.record(&sub, EventKind::Suspended, on, at, 0, "suspended in Partner Center; still billed".to_string())?;
                }
                Some(Status::Active) => {
                    sub.status = Status::Active;
                    s.record(&sub, EventKind::Reactivated, on, at, 0, "active again in Partner Center".to_string())?;
                }
                Some(Status::Cancelled | Status::Expired) => {
                    sub.status = Status::Cancelled;
                    sub.auto_renew = false;
                    sub.ended_on = Some(on);
                    sub.scheduled = RenewalChanges::default();
                    s.record(
                        &sub,
                        EventKind::Cancelled,
                        on,
                        at,
                        0,
                        "cancelled in Partner Center: the unused days are credited".to_string(),
                    )?;
                }
                None => {}
            }
            Ok(sub)
        })
    }

    /// Suspend: the customer loses access but billing continues (DOMAIN §3), and auto-renew goes off.
    pub fn suspend_subscription(&mut self, id: i64, on: NaiveDate, at: &str) -> Result<Subscription> {
        self.write(|s| {
            let mut sub = s.load_for_change(id, on, at, "a suspension")?;
            check_suspend(&sub)?;
            sub.status = Status::Suspended;
            let was_auto = sub.auto_renew;
            sub.auto_renew = false;
            let what = if was_auto {
                "suspended; still billed; auto-renew turned off (the term ends without renewal)".to_string()
            } else {
                "suspended; still billed".to_string()
            };
            s.record(&sub, EventKind::Suspended, on, at, 0, what)?;
            Ok(sub)
        })
    }

    pub fn reactivate_subscription(&mut self, id: i64, on: NaiveDate, at: &str) -> Result<Subscription> {
        self.write(|s| {
            let mut sub = s.load_for_change(id, on, at, "a reactivation")?;
            check_reactivate(&sub)?;
            sub.status = Status::Active;
            s.record(&sub, EventKind::Reactivated, on, at, 0, "reactivated; auto-renew stays off until turned on".to_string())?;
            Ok(sub)
        })
    }

    pub fn set_auto_renew(&mut self, id: i64, enabled: bool, today: NaiveDate, at: &str) -> Result<Subscription> {
        self.write(|s| {
            let mut sub = s.renew_through(s.subscription(id)?, today, at)?;
            check_auto_renew(&sub, enabled)?;
            sub.auto_renew = enabled;
            let on = today.max(s.last_event_date(id)?);
            let (kind, what) = if enabled {
                (EventKind::AutoRenewOn, format!("auto-renew on: renews on {}", add_days(sub.term_end, 1)))
            } else {
                (EventKind::AutoRenewOff, format!("auto-renew off: ends after {}", sub.term_end))
            };
            s.record(&sub, kind, on, at, 0, what)?;
            Ok(sub)
        })
    }

    pub fn schedule_renewal_changes(&mut self, id: i64, changes: &RenewalChanges, today: NaiveDate, at: &str) -> Result<Subscription> {
        self.write(|s| {
            let mut sub = s.renew_through(s.subscription(id)?, today, at)?;
            check_schedule(&sub, changes)?;
            if let Some(p) = &changes.product {
                // The product must be sold with the renewal's term and plan.
                let term = changes.term.or(sub.scheduled.term).unwrap_or(sub.term);
                let billing = changes.billing.or(sub.scheduled.billing).unwrap_or(sub.billing);
                s.cost_on(p, term, billing, add_days(sub.term_end, 1), None)
                    .or_else(|_| s.cost_on(p, term, billing, today, None))
                    .map_err(|e| e.with_field("product"))?;
            }
            let merged = RenewalChanges {
                quantity: changes.quantity.or(sub.scheduled.quantity),
                term: changes.term.or(sub.scheduled.term),
                billing: changes.billing.or(sub.scheduled.billing),
                product: changes.product.clone().or(sub.scheduled.product.clone()),
            };
            sub.scheduled = merged;
            let mut parts = Vec::new();
            if let Some(q) = changes.quantity {
                parts.push(format!("{q} seats"));
            }
            if let Some(t) = changes.term {
                parts.push(format!("term {t}"));
            }
            if let Some(b) = changes.billing {
                parts.push(format!("billed {b}"));
            }
            if let Some(p) = &changes.product {
                parts.push(format!("product {p}"));
            }
            let what = format!("at renewal on {}: {}", add_days(sub.term_end, 1), parts.join(", "));
            let on = today.max(s.last_event_date(id)?);
            s.record(&sub, EventKind::RenewalScheduled, on, at, 0, what)?;
            Ok(sub)
        })
    }

    /// Upgrade to another product from `on`: the old product is credited and the new one
    /// charged for the rest of the cycle (billing does that from this event).
    pub fn upgrade_subscription(&mut self, id: i64, product: &ProductKey, on: NaiveDate, at: &str) -> Result<Subscription> {
        self.write(|s| {
            let mut sub = s.load_for_change(id, on, at, "an upgrade")?;
            let (price, title) =
                s.lock_for(sub.customer_id, product, sub.term, sub.billing, on, None).map_err(|e| e.with_field("product"))?;
            let comparable = s.cost_in(product, sub.term, sub.billing, on, &price, sub.price.cost_currency)?;
            check_upgrade(&sub, product, comparable)?;
            let what = format!(
                "upgraded from {} ({}) to {} ({}) at {} per seat per term ({})",
                sub.product,
                sub.product_title,
                product,
                title,
                crate::money::tidy_with_code(price.unit_price, price.price_currency),
                price.rule
            );
            sub.product = product.clone();
            sub.product_title = title;
            sub.price = price;
            sub.price_override = None;
            s.record(&sub, EventKind::Upgraded, on, at, 0, what)?;
            Ok(sub)
        })
    }

    /// The cost of `product` per seat and term in `currency`: from a price-list row in that
    /// currency if there is one, else converted at the rate in force on `on`.
    fn cost_in(
        &self,
        product: &ProductKey,
        term: Term,
        billing: BillingPlan,
        on: NaiveDate,
        locked: &LockedPrice,
        currency: crate::money::Currency,
    ) -> Result<Decimal> {
        if locked.cost_currency == currency {
            return Ok(locked.unit_cost);
        }
        if let Ok(row) = self.cost_on(product, term, billing, on, Some(currency)) {
            if row.currency == currency.code() {
                return Ok(row.unit_price);
            }
        }
        let rates = self.exchange_rates()?;
        crate::pricing::rate_on(&rates, locked.cost_currency, currency, on).map(|r| locked.unit_cost * r).ok_or_else(|| {
            Error::refused(format!(
                "cannot tell an upgrade from a downgrade: {product} costs {} {} and the subscription {currency}, and there is no {}→{currency} exchange rate on {on}",
                locked.unit_cost, locked.cost_currency, locked.cost_currency
            ))
            .with_field("product")
        })
    }

    pub fn subscription_view(&self, id: i64, as_of: NaiveDate) -> Result<SubscriptionView> {
        let sub = self.subscription(id)?;
        let customer = self.customer(sub.customer_id)?;
        let history = self.subscription_events(id)?;
        let from = history.iter().rposition(|e| e.kind.starts_term()).unwrap_or(0);
        let batches = seat_batches(&history[from..]);
        let live = sub.status.is_live();
        let current_cycle = if live && !sub.trial { cycle_containing(sub.term_start, sub.term, sub.billing, as_of) } else { None };
        let first_cycle = charge_cycle(sub.term_start, sub.billing, 0);
        let _ = first_cycle;
        let cancel_until = window_end(sub.term_start);
        Ok(SubscriptionView {
            price_per_cycle: crate::money::tidy(
                sub.price.unit_price / Decimal::from(crate::catalogue::cycles_per_term(sub.term, sub.billing)),
                sub.price.price_currency.minor_units(),
            ),
            customer_name: customer.name,
            as_of,
            current_cycle,
            reducible_seats: if live { reducible_seats(&batches, as_of) } else { 0 },
            reducible_until: if live { reducible_until(&batches, as_of) } else { None },
            cancellable_until: (live && (sub.trial || as_of <= cancel_until)).then_some(if sub.trial {
                sub.term_end
            } else {
                cancel_until
            }),
            renews_on: (live && sub.auto_renew).then_some(add_days(sub.term_end, 1)),
            seat_batches: batches,
            history,
            pending_at_microsoft: self.pc_open_entries(sub.id)?,
            subscription: sub,
        })
    }
}

/// Writes: only inside a transaction (`Store::write`).
impl super::Tx<'_> {
    pub(super) fn save(&self, s: &Subscription) -> Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE subscriptions SET product_id = ?2, sku_id = ?3, product_title = ?4, term = ?5, billing = ?6, quantity = ?7,
                status = ?8, auto_renew = ?9, trial = ?10, term_start = ?11, term_end = ?12, ms_subscription_id = ?13,
                unit_cost = ?14, cost_currency = ?15, unit_price = ?16, price_currency = ?17, price_rule = ?18,
                price_override = ?19, sched_quantity = ?20, sched_term = ?21, sched_billing = ?22, sched_product_id = ?23,
                sched_sku_id = ?24, ended_on = ?25
             WHERE id = ?1",
            )?
            .execute(params![
                s.id,
                s.product.product_id,
                s.product.sku_id,
                s.product_title,
                s.term.as_str(),
                s.billing.as_str(),
                s.quantity,
                s.status.as_str(),
                s.auto_renew,
                s.trial,
                s.term_start.to_string(),
                s.term_end.to_string(),
                s.ms_subscription_id,
                s.price.unit_cost.to_string(),
                s.price.cost_currency.code(),
                s.price.unit_price.to_string(),
                s.price.price_currency.code(),
                s.price.rule,
                s.price_override.map(|p| p.to_string()),
                s.scheduled.quantity,
                s.scheduled.term.map(|t| t.as_str()),
                s.scheduled.billing.map(|b| b.as_str()),
                s.scheduled.product.as_ref().map(|p| &p.product_id),
                s.scheduled.product.as_ref().map(|p| &p.sku_id),
                s.ended_on.map(|d| d.to_string()),
            ])?;
        Ok(())
    }

    pub(super) fn insert_subscription(&self, s: &Subscription) -> Result<i64> {
        // One Microsoft subscription is one Seatbook subscription (the book refuses a second too).
        if !s.ms_subscription_id.is_empty() {
            let taken: Option<i64> = self
                .conn
                .prepare_cached("SELECT id FROM subscriptions WHERE ms_subscription_id <> '' AND lower(ms_subscription_id) = lower(?1)")?
                .query_row([&s.ms_subscription_id], |r| r.get(0))
                .optional()?;
            if let Some(other) = taken {
                return Err(Error::conflict(
                    "ms_subscription_id",
                    format!("Microsoft's subscription {} is already subscription {other}", s.ms_subscription_id),
                ));
            }
        }
        self.conn
            .prepare_cached(
                "INSERT INTO subscriptions (customer_id, product_id, sku_id, product_title, term, billing, quantity, status,
                auto_renew, trial, purchased_on, term_start, term_end, ms_subscription_id, unit_cost, cost_currency,
                unit_price, price_currency, price_rule, price_override, bill_from)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
            )?
            .execute(params![
                s.customer_id,
                s.product.product_id,
                s.product.sku_id,
                s.product_title,
                s.term.as_str(),
                s.billing.as_str(),
                s.quantity,
                s.status.as_str(),
                s.auto_renew,
                s.trial,
                s.purchased_on.to_string(),
                s.term_start.to_string(),
                s.term_end.to_string(),
                s.ms_subscription_id,
                s.price.unit_cost.to_string(),
                s.price.cost_currency.code(),
                s.price.unit_price.to_string(),
                s.price.price_currency.code(),
                s.price.rule,
                s.price_override.map(|p| p.to_string()),
                s.bill_from.to_string(),
            ])?;
        Ok(self.conn.last_insert_rowid())
    }

    /// A renewal's price rule as the history keeps it: once, its id.
    fn price_rule_id(&self, rule: &str) -> Result<i64> {
        self.kept_text("price_rules", rule)
    }

    /// What an event's subscription is of (product, SKU, term, billing and both currencies) as
    /// the history keeps it: once, its id.
    fn event_offer_id(&self, e: &Event) -> Result<i64> {
        let offer = [
            e.product.product_id.as_str(),
            e.product.sku_id.as_str(),
            e.term.as_str(),
            e.billing.as_str(),
            e.price_currency.code(),
            e.cost_currency.code(),
        ];
        let found = self
            .conn
            .prepare_cached(
                "SELECT id FROM event_offers WHERE product_id = ?1 AND sku_id = ?2 AND term = ?3 AND billing = ?4
                    AND price_currency = ?5 AND cost_currency = ?6",
            )?
            .query_row(offer, |r| r.get(0))
            .optional()?;
        if let Some(id) = found {
            return Ok(id);
        }
        self.conn
            .prepare_cached(
                "INSERT INTO event_offers (product_id, sku_id, term, billing, price_currency, cost_currency)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(offer)?;
        Ok(self.conn.last_insert_rowid())
    }

    pub(super) fn append(&self, e: &Event) -> Result<()> {
        // A renewal's or an import's words are the row's own but for its price rule (and an
        // import's line and days): only those are kept.
        let kept = crate::subscription::kept_words(e);
        self.conn
            .prepare_cached(
                "INSERT INTO subscription_events (subscription_id, kind, effective, recorded_at, quantity_delta, quantity,
                offer_id, status, trial, term_start, term_end, unit_price, unit_cost, description, price_rule_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?
            .execute(params![
                e.subscription_id,
                e.kind.as_str(),
                col::day(e.effective),
                col::moment(&e.recorded_at),
                e.quantity_delta,
                e.quantity,
                self.event_offer_id(e)?,
                e.status.as_str(),
                e.trial,
                col::day(e.term_start),
                col::day(e.term_end),
                e.unit_price.to_string(),
                e.unit_cost.to_string(),
                kept.as_ref().map_or(e.description.as_str(), |(_, rest)| rest.as_str()),
                kept.as_ref().map(|(rule, _)| self.price_rule_id(rule)).transpose()?,
            ])?;
        Ok(())
    }

    /// Migration 24: the words of imports recorded before keep only what their rows cannot give
    /// (`kept_words`); words that the row does not give back exactly are kept whole.
    pub(super) fn keep_import_words_once(&self) -> Result<()> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {EVENT_COLUMNS} FROM subscription_events e {EVENT_JOINS} WHERE e.kind = 'imported' AND e.price_rule_id IS NULL"
        ))?;
        let at = Positions::of(&stmt, EventCol::NAMES)?;
        let events = stmt.query_map([], |r| event_at(r, &at))?.collect::<rusqlite::Result<Vec<_>>>()?;
        // The history is append-only: its guard stands aside for this once, and is put back as
        // the book has it.
        let guard: String = self.conn.query_row(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'subscription_events_no_update'",
            [],
            |r| r.get(0),
        )?;
        self.conn.execute_batch("DROP TRIGGER subscription_events_no_update")?;
        let mut keep = self.conn.prepare("UPDATE subscription_events SET description = ?1, price_rule_id = ?2 WHERE id = ?3")?;
        for e in &events {
            if let Some((rule, kept)) = crate::subscription::kept_words(e) {
                keep.execute(params![kept, self.price_rule_id(rule)?, e.id])?;
            }
        }
        self.conn.execute_batch(&guard)?;
        Ok(())
    }

    /// Record `kind` for `s` (already changed) and save it.
    pub(super) fn record(&self, s: &Subscription, kind: EventKind, on: NaiveDate, at: &str, delta: i64, description: String) -> Result<()> {
        self.save(s)?;
        self.append(&Event::capture(s, kind, on, at, delta, description))
    }

    /// Load a subscription for a change on `on`, renewing (or expiring) it first if its term
    /// ended before that date, and check the date.
    pub(super) fn load_for_change(&self, id: i64, on: NaiveDate, at: &str, what: &str) -> Result<Subscription> {
        let mut sub = self.subscription(id)?;
        sub = self.renew_through(sub, on, at)?;
        check_change_date(&sub, self.last_event_date(id)?, on, what)?;
        // An invoiced licence charge never changes: a change dated before the start of the latest
        // invoiced charge period would alter what that invoice should have said.
        if let Some((start, number)) = self.latest_invoiced_period(id)? {
            if on < start {
                return Err(Error::refused(format!(
                    "the charge period of subscription {id} from {start} is already invoiced ({number}); {what} must be dated on or after {start}"
                ))
                .with_field("on"));
            }
        }
        Ok(sub)
    }
}
