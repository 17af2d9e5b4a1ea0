//! Subscriptions under Microsoft's new-commerce rules (DOMAIN §3): term and charge-cycle dates,
//! seat batches and their 7-day windows, and the checks every change must pass. Everything here
//! is pure: the store loads a subscription and its history, asks these functions, and writes.

use crate::catalogue::{BillingPlan, ProductKey, Term};
use crate::dates::{add_days, add_months};
use crate::error::{Error, Hint, Result};
use crate::money::Currency;
use crate::pricing::LockedPrice;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

/// Microsoft's cancellation and seat-reduction window: 7 days counted from the day of purchase,
/// renewal or addition, that day being day 1 (DOMAIN §3 decision: days 1–7).
pub const WINDOW_DAYS: i64 = 7;

/// Trials run 30 days at no charge.
pub const TRIAL_DAYS: i64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Active,
    Suspended,
    Cancelled,
    Expired,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Suspended => "suspended",
            Status::Cancelled => "cancelled",
            Status::Expired => "expired",
        }
    }
    pub fn parse(s: &str, field: &str) -> Result<Status> {
        match s.trim().to_ascii_lowercase().as_str() {
            "active" => Ok(Status::Active),
            "suspended" => Ok(Status::Suspended),
            "cancelled" | "canceled" => Ok(Status::Cancelled),
            "expired" => Ok(Status::Expired),
            other => Err(Error::bad_value(field, format!("'{other}' is not a status (active, suspended, cancelled, expired)"))),
        }
    }
    /// Still running (and billed): active or suspended.
    pub fn is_live(self) -> bool {
        matches!(self, Status::Active | Status::Suspended)
    }
}

/// Changes that take effect at the next renewal.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RenewalChanges {
    pub quantity: Option<u32>,
    pub term: Option<Term>,
    pub billing: Option<BillingPlan>,
    pub product: Option<ProductKey>,
}

impl RenewalChanges {
    pub fn is_empty(&self) -> bool {
        self.quantity.is_none() && self.term.is_none() && self.billing.is_none() && self.product.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Subscription {
    pub id: i64,
    pub customer_id: i64,
    pub product: ProductKey,
    pub product_title: String,
    pub term: Term,
    pub billing: BillingPlan,
    pub quantity: u32,
    pub status: Status,
    pub auto_renew: bool,
    /// In a 30-day free trial; `term` and `billing` are what it converts to.
    pub trial: bool,
    /// The first day of the first term.
    pub purchased_on: NaiveDate,
    pub term_start: NaiveDate,
    pub term_end: NaiveDate,
    pub ms_subscription_id: String,
    pub price: LockedPrice,
    /// A price per seat per month set by the user; kept across renewals.
    pub price_override: Option<Decimal>,
    pub scheduled: RenewalChanges,
    /// The cancellation or expiry date.
    pub ended_on: Option<NaiveDate>,
    /// Seatbook bills charges from this date on (earlier ones were billed before the book moved in).
    pub bill_from: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    Purchased,
    TrialStarted,
    Imported,
    QuantityChanged,
    Upgraded,
    Suspended,
    Reactivated,
    AutoRenewOn,
    AutoRenewOff,
    RenewalScheduled,
    Renewed,
    TrialConverted,
    Cancelled,
    Expired,
    /// Microsoft refused a change sent to Partner Center: the subscription as it was before it.
    RefusedByMicrosoft,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Purchased => "purchased",
            EventKind::TrialStarted => "trial-started",
            EventKind::Imported => "imported",
            EventKind::QuantityChanged => "quantity-changed",
            EventKind::Upgraded => "upgraded",
            EventKind::Suspended => "suspended",
            EventKind::Reactivated => "reactivated",
            EventKind::AutoRenewOn => "auto-renew-on",
            EventKind::AutoRenewOff => "auto-renew-off",
            EventKind::RenewalScheduled => "renewal-scheduled",
            EventKind::Renewed => "renewed",
            EventKind::TrialConverted => "trial-converted",
            EventKind::Cancelled => "cancelled",
            EventKind::Expired => "expired",
            EventKind::RefusedByMicrosoft => "refused-by-microsoft",
        }
    }
    pub fn parse(s: &str) -> Option<EventKind> {
        use EventKind::*;
        [
            Purchased,
            TrialStarted,
            Imported,
            QuantityChanged,
            Upgraded,
            Suspended,
            Reactivated,
            AutoRenewOn,
            AutoRenewOff,
            RenewalScheduled,
            Renewed,
            TrialConverted,
            Cancelled,
            Expired,
            RefusedByMicrosoft,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
    /// Events that start a term and with it a fresh batch of seats.
    pub fn starts_term(self) -> bool {
        matches!(
            self,
            EventKind::Purchased | EventKind::TrialStarted | EventKind::Imported | EventKind::Renewed | EventKind::TrialConverted
        )
    }
}

/// One entry of a subscription's append-only history: what happened, the day it takes effect,
/// when it was recorded, and the subscription's state right after it (which billing folds over).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub id: i64,
    pub subscription_id: i64,
    pub kind: EventKind,
    pub effective: NaiveDate,
    /// When it was recorded (UTC, `YYYY-MM-DDTHH:MM:SSZ`), given by the caller.
    pub recorded_at: String,
    pub quantity_delta: i64,
    pub quantity: u32,
    pub product: ProductKey,
    pub term: Term,
    pub billing: BillingPlan,
    pub status: Status,
    pub trial: bool,
    pub term_start: NaiveDate,
    pub term_end: NaiveDate,
    pub unit_price: Decimal,
    pub price_currency: Currency,
    pub unit_cost: Decimal,
    pub cost_currency: Currency,
    pub description: String,
}

impl Event {
    /// An event of `kind` on `effective` capturing `sub`'s state after the change.
    pub fn capture(
        sub: &Subscription,
        kind: EventKind,
        effective: NaiveDate,
        recorded_at: &str,
        quantity_delta: i64,
        description: String,
    ) -> Event {
        Event {
            id: 0,
            subscription_id: sub.id,
            kind,
            effective,
            recorded_at: recorded_at.to_string(),
            quantity_delta,
            quantity: sub.quantity,
            product: sub.product.clone(),
            term: sub.term,
            billing: sub.billing,
            status: sub.status,
            trial: sub.trial,
            term_start: sub.term_start,
            term_end: sub.term_end,
            unit_price: sub.price.unit_price,
            price_currency: sub.price.price_currency,
            unit_cost: sub.price.unit_cost,
            cost_currency: sub.price.cost_currency,
            description,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Dates

/// The last day of a term that starts on `start`: start + term − 1 day
/// (15 Apr 2021 P1Y → 14 Apr 2022).
pub fn term_end(start: NaiveDate, term: Term) -> NaiveDate {
    add_days(add_months(start, term.months()), -1)
}

pub fn trial_end(start: NaiveDate) -> NaiveDate {
    add_days(start, TRIAL_DAYS - 1)
}

/// One charge cycle: `start + k` cycles, both ends inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ChargeCycle {
    pub index: u32,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl ChargeCycle {
    pub fn days(&self) -> i64 {
        crate::dates::days_inclusive(self.start, self.end)
    }
}

/// Cycle `k` of a term. Cycles are anchored on the term start, each computed from the anchor
/// (not from the previous cycle) and clamped to the month's length: a term bought on 31 Jan has
/// cycles 31 Jan–27 Feb, 28 Feb–30 Mar, 31 Mar–29 Apr … [PC docs: common-billing-scenarios]
pub fn charge_cycle(term_start: NaiveDate, plan: BillingPlan, k: u32) -> ChargeCycle {
    let m = plan.cycle_months();
    ChargeCycle { index: k, start: add_months(term_start, k * m), end: add_days(add_months(term_start, (k + 1) * m), -1) }
}

/// All charge cycles of a term.
pub fn charge_cycles(term_start: NaiveDate, term: Term, plan: BillingPlan) -> Vec<ChargeCycle> {
    (0..crate::catalogue::cycles_per_term(term, plan)).map(|k| charge_cycle(term_start, plan, k)).collect()
}

/// The cycle of the term that contains `date`, if the date is inside the term.
pub fn cycle_containing(term_start: NaiveDate, term: Term, plan: BillingPlan, date: NaiveDate) -> Option<ChargeCycle> {
    charge_cycles(term_start, term, plan).into_iter().find(|c| c.start <= date && date <= c.end)
}

/// The last day of a 7-day window that opens on `opened` (that day is day 1).
pub fn window_end(opened: NaiveDate) -> NaiveDate {
    add_days(opened, WINDOW_DAYS - 1)
}

// ---------------------------------------------------------------------------------------------
// Seat batches

/// Seats added together (at purchase, renewal or a mid-term increase), still held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SeatBatch {
    pub added_on: NaiveDate,
    pub seats: u32,
    /// The last day these seats can be removed.
    pub reducible_until: NaiveDate,
}

/// The seat batches of the current term, from the subscription's history in order. A decrease
/// removes the newest seats first, which keeps the most seats reducible for longest.
pub fn seat_batches(events: &[Event]) -> Vec<SeatBatch> {
    let mut batches: Vec<SeatBatch> = Vec::new();
    for e in events {
        if e.kind.starts_term() {
            batches = vec![SeatBatch { added_on: e.effective, seats: e.quantity, reducible_until: window_end(e.effective) }];
        } else if e.kind == EventKind::QuantityChanged && e.quantity_delta > 0 {
            batches.push(SeatBatch { added_on: e.effective, seats: e.quantity_delta as u32, reducible_until: window_end(e.effective) });
        } else if e.kind == EventKind::QuantityChanged && e.quantity_delta < 0 {
            let mut remove = e.quantity_delta.unsigned_abs() as u32;
            // Within-window seats go first (those are the ones a decrease may remove), newest first.
            let mut order: Vec<usize> = (0..batches.len()).collect();
            order.sort_by_key(|&i| (std::cmp::Reverse(batches[i].reducible_until >= e.effective), std::cmp::Reverse(batches[i].added_on)));
            for i in order {
                let take = remove.min(batches[i].seats);
                batches[i].seats -= take;
                remove -= take;
            }
            batches.retain(|b| b.seats > 0);
        }
    }
    batches
}

/// Seats that can be removed on `on`: those whose batch's window is still open.
pub fn reducible_seats(batches: &[SeatBatch], on: NaiveDate) -> u32 {
    batches.iter().filter(|b| b.added_on <= on && on <= b.reducible_until).map(|b| b.seats).sum()
}

/// The last day on which some seats can still be removed, seen from `on`.
pub fn reducible_until(batches: &[SeatBatch], on: NaiveDate) -> Option<NaiveDate> {
    batches.iter().filter(|b| b.added_on <= on && on <= b.reducible_until && b.seats > 0).map(|b| b.reducible_until).max()
}

// ---------------------------------------------------------------------------------------------
// Rules for changes

/// A change on `on` must fall inside the current term, after the last recorded change, on a
/// subscription that is still running.
pub fn check_change_date(sub: &Subscription, last_event: NaiveDate, on: NaiveDate, what: &str) -> Result<()> {
    if !sub.status.is_live() {
        return Err(Error::refused(format!(
            "subscription {} is {} since {}; {what} is not possible",
            sub.id,
            sub.status.as_str(),
            sub.ended_on.map(|d| d.to_string()).unwrap_or_default()
        )));
    }
    if on < last_event {
        return Err(Error::refused(format!(
            "subscription {} already has a change dated {last_event}; {what} must be dated on or after it",
            sub.id
        ))
        .with_field("on"));
    }
    if on < sub.term_start || on > sub.term_end {
        return Err(Error::refused(format!(
            "{on} is outside the current term of subscription {} ({} to {})",
            sub.id, sub.term_start, sub.term_end
        ))
        .with_field("on"));
    }
    Ok(())
}

/// Check a seat change from `sub.quantity` to `new_quantity` on `on`. Increases are always
/// allowed; a decrease only removes seats added within the last 7 days (each batch has its own
/// window). [PC docs: change-the-quantity-of-a-subscription]
pub fn check_quantity_change(sub: &Subscription, batches: &[SeatBatch], new_quantity: u32, on: NaiveDate) -> Result<()> {
    if new_quantity == 0 {
        return Err(Error::invalid(
            "quantity",
            "the number of seats must be at least 1; to stop a subscription, cancel it or turn auto-renew off",
        ));
    }
    if new_quantity == sub.quantity {
        return Err(Error::invalid("quantity", format!("subscription {} already has {new_quantity} seats", sub.id)));
    }
    if sub.status != Status::Active {
        return Err(Error::refused(format!("subscription {} is suspended; reactivate it before changing seats", sub.id)));
    }
    if new_quantity > sub.quantity {
        return Ok(());
    }
    let remove = sub.quantity - new_quantity;
    let allowed = reducible_seats(batches, on);
    if remove <= allowed {
        return Ok(());
    }
    let renewal = add_days(sub.term_end, 1);
    let schedule = format!("schedule the decrease for the renewal on {renewal}");
    let last_window = batches.iter().filter(|b| b.added_on <= on).map(|b| (b.reducible_until, b.seats)).max();
    let message = if allowed == 0 {
        match last_window {
            Some((until, _)) => format!(
                "seat decrease refused: seats can only be removed within 7 days of being added; the most recent seats could be removed until {until}. Otherwise {schedule}"
            ),
            None => format!("seat decrease refused: no seats were added within the last 7 days. {schedule}"),
        }
    } else {
        let until = reducible_until(batches, on).expect("some seats reducible");
        format!(
            "seat decrease refused: only {allowed} of the {remove} seats were added within the last 7 days (reducible until {until}); the quantity can go down to {} now. For the rest, {schedule}",
            sub.quantity - allowed
        )
    };
    Err(Error::refused(message).with_field("quantity").with_hint(Hint::ScheduleForRenewal {
        subscription: sub.id,
        renewal,
        quantity: Some(new_quantity),
        product: None,
    }))
}

/// Cancellation is allowed within 7 days of purchase or renewal (DOMAIN §3): on the term's first
/// day for a full credit, on days 2–7 for the unused days; later it is refused. A trial can be
/// cancelled at any time during the trial.
pub fn check_cancel(sub: &Subscription, on: NaiveDate) -> Result<()> {
    if sub.trial {
        return Ok(());
    }
    let last = window_end(sub.term_start);
    if on <= last {
        return Ok(());
    }
    Err(Error::refused(format!(
        "cancellation refused: a subscription can only be cancelled within 7 days of purchase or renewal; this term started on {} so cancellation was allowed until {last}. The term must be paid until {}; turn auto-renew off so it ends then",
        sub.term_start, sub.term_end
    ))
    .with_field("on")
    .with_hint(Hint::TurnAutoRenewOff { subscription: sub.id }))
}

pub fn check_suspend(sub: &Subscription) -> Result<()> {
    match sub.status {
        Status::Active => Ok(()),
        Status::Suspended => Err(Error::refused(format!("subscription {} is already suspended", sub.id))),
        s => Err(Error::refused(format!("subscription {} is {}; it cannot be suspended", sub.id, s.as_str()))),
    }
}

pub fn check_reactivate(sub: &Subscription) -> Result<()> {
    match sub.status {
        Status::Suspended => Ok(()),
        Status::Active => Err(Error::refused(format!("subscription {} is already active", sub.id))),
        s => Err(Error::refused(format!("subscription {} is {}; a {} subscription cannot be restored", sub.id, s.as_str(), s.as_str()))),
    }
}

pub fn check_auto_renew(sub: &Subscription, on: bool) -> Result<()> {
    if !sub.status.is_live() {
        return Err(Error::refused(format!("subscription {} is {}; auto-renew cannot change", sub.id, sub.status.as_str())));
    }
    if on && sub.status == Status::Suspended {
        return Err(Error::refused(format!("subscription {} is suspended; reactivate it before turning auto-renew on", sub.id)));
    }
    if sub.auto_renew == on {
        return Err(Error::invalid(
            "auto-renew",
            format!("auto-renew of subscription {} is already {}", sub.id, if on { "on" } else { "off" }),
        ));
    }
    Ok(())
}

/// Scheduled changes are checked against what the subscription will be at renewal.
pub fn check_schedule(sub: &Subscription, changes: &RenewalChanges) -> Result<()> {
    if !sub.status.is_live() {
        return Err(Error::refused(format!("subscription {} is {}; it will not renew", sub.id, sub.status.as_str())));
    }
    if changes.is_empty() {
        return Err(Error::invalid("quantity", "give at least one change: the seats, the term, the billing plan or the product"));
    }
    if changes.quantity == Some(0) {
        return Err(Error::invalid(
            "quantity",
            "the number of seats must be at least 1; to end the subscription at term end, turn auto-renew off",
        ));
    }
    let term = changes.term.or(sub.scheduled.term).unwrap_or(sub.term);
    let billing = changes.billing.or(sub.scheduled.billing).unwrap_or(sub.billing);
    crate::catalogue::check_pair(term, billing)
}

/// An upgrade must move to another product, and only up: a product that costs at least as much
/// per seat. `new_cost` is the new product's cost per seat and term in the old cost's currency.
/// Downgrades wait for renewal. [DOMAIN §3]
pub fn check_upgrade(sub: &Subscription, new_product: &ProductKey, new_cost: Decimal) -> Result<()> {
    if sub.status != Status::Active {
        return Err(Error::refused(format!(
            "subscription {} is {}; only an active subscription can be upgraded",
            sub.id,
            sub.status.as_str()
        )));
    }
    if sub.trial {
        return Err(Error::refused(format!("subscription {} is a trial; upgrade it after it converts", sub.id)));
    }
    if *new_product == sub.product {
        return Err(Error::invalid("product", format!("subscription {} is already {new_product}", sub.id)));
    }
    if new_cost < sub.price.unit_cost {
        return Err(Error::refused(format!(
            "{new_product} costs less than {} ({} against {} {} per seat per term): that is a downgrade, which Microsoft allows only at renewal",
            sub.product, new_cost.round_dp(2), sub.price.unit_cost, sub.price.cost_currency
        ))
        .with_field("product")
        .with_hint(Hint::ScheduleForRenewal {
            subscription: sub.id,
            renewal: add_days(sub.term_end, 1),
            quantity: None,
            product: Some(new_product.to_string()),
        }));
    }
    Ok(())
}

/// What happened at the end of a term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RenewalOutcome {
    Renewed,
    Converted,
    Expired,
}

/// The term a subscription enters at its renewal: the scheduled changes applied (DOMAIN §3).
#[derive(Debug, Clone, PartialEq)]
pub struct NextTerm {
    pub start: NaiveDate,
    pub product: ProductKey,
    pub term: Term,
    pub billing: BillingPlan,
    pub quantity: u32,
    /// The user's own price is kept while the product stays the same.
    pub price_override: Option<Decimal>,
}

/// What happens when `sub`'s term ends (DOMAIN §3): without auto-renew it expires the next day
/// (`None`); with it, a new term starts the next day with the changes scheduled for it, priced
/// from the price list then in force, and a trial converts.
pub fn next_term(sub: &Subscription) -> Option<NextTerm> {
    if !sub.auto_renew {
        return None;
    }
    let product = sub.scheduled.product.clone().unwrap_or_else(|| sub.product.clone());
    Some(NextTerm {
        start: add_days(sub.term_end, 1),
        price_override: if product == sub.product { sub.price_override } else { None },
        product,
        term: sub.scheduled.term.unwrap_or(sub.term),
        billing: sub.scheduled.billing.unwrap_or(sub.billing),
        quantity: sub.scheduled.quantity.unwrap_or(sub.quantity),
    })
}

/// `sub` expired at the end of its term: the new state, and the history's words for it.
pub fn expired(sub: &Subscription) -> (Subscription, String) {
    let mut s = sub.clone();
    s.status = Status::Expired;
    s.ended_on = Some(add_days(sub.term_end, 1));
    let what = if sub.trial {
        format!("trial ended on {} without converting", sub.term_end)
    } else {
        format!("term ended on {} without renewal", sub.term_end)
    };
    (s, what)
}

/// `sub` in its next term at `price`: the new state, the seat change, what happened, and the
/// history's words for it.
pub fn renewed(sub: &Subscription, next: &NextTerm, price: LockedPrice, title: String) -> (Subscription, i64, RenewalOutcome, String) {
    let mut s = sub.clone();
    let delta = next.quantity as i64 - sub.quantity as i64;
    s.product = next.product.clone();
    s.product_title = title;
    s.term = next.term;
    s.billing = next.billing;
    s.quantity = next.quantity;
    s.trial = false;
    s.term_start = next.start;
    s.term_end = term_end(next.start, next.term);
    s.price = price;
    s.price_override = next.price_override;
    s.scheduled = RenewalChanges::default();
    let (outcome, kind) =
        if sub.trial { (RenewalOutcome::Converted, EventKind::TrialConverted) } else { (RenewalOutcome::Renewed, EventKind::Renewed) };
    let what = renewal_words(&Event::capture(&s, kind, next.start, "", delta, String::new()), &s.price.rule);
    (s, delta, outcome, what)
}

/// The words of a renewal (or a trial's conversion) in a subscription's history: all of it is
/// in the event's own row but the rule that set the price (the book keeps only that rule).
pub fn renewal_words(e: &Event, rule: &str) -> String {
    let verb = if e.kind == EventKind::TrialConverted { "trial converted" } else { "renewed" };
    format!(
        "{verb}: {} seats of {}, {} billed {}, term {} to {}, at {} per seat per term ({rule})",
        e.quantity,
        e.product,
        e.term,
        e.billing,
        e.term_start,
        e.term_end,
        crate::money::tidy_with_code(e.unit_price, e.price_currency),
    )
}

/// The words of an imported subscription's first event: its row gives the seats, the term and
/// the price; the file's line, the day it was bought, the rule that set the price and the first
/// day Seatbook bills are the import's own.
pub fn import_words(e: &Event, line: usize, since: NaiveDate, rule: &str, bill_from: NaiveDate) -> String {
    format!(
        "imported (line {line}): {} seats since {since}, current term {} to {}, at {} per seat per term ({rule}); billed from {bill_from}",
        e.quantity,
        e.term_start,
        e.term_end,
        crate::money::tidy_with_code(e.unit_price, e.price_currency),
    )
}

/// What of an event's words its row does not give back, where the rest can be made again
/// exactly from the row: the rule that set the price, and for an import the line, the day it was
/// bought and the first day billed (`"<line> <since> <billed from>"`). `None` for any other
/// event, or words written otherwise: those are kept whole.
pub fn kept_words(e: &Event) -> Option<(&str, String)> {
    let (_, rule) = e.description.split_once(" per seat per term (")?;
    match e.kind {
        EventKind::Renewed | EventKind::TrialConverted => {
            let rule = rule.strip_suffix(')')?;
            (renewal_words(e, rule) == e.description).then(|| (rule, String::new()))
        }
        EventKind::Imported => {
            let (rule, bill_from) = rule.rsplit_once("); billed from ")?;
            let (line, rest) = e.description.strip_prefix("imported (line ")?.split_once("): ")?;
            let since = rest.split_once(" seats since ")?.1.get(..10)?;
            let kept = format!("{line} {since} {bill_from}");
            (words_from_row(e, rule, &kept).as_deref() == Some(e.description.as_str())).then_some((rule, kept))
        }
        _ => None,
    }
}

/// An event's words made again from its row, the rule that set its price and what `kept_words`
/// kept beside it (`None` where that is not what it kept).
pub fn words_from_row(e: &Event, rule: &str, kept: &str) -> Option<String> {
    match e.kind {
        EventKind::Renewed | EventKind::TrialConverted => Some(renewal_words(e, rule)),
        EventKind::Imported => {
            let mut parts = kept.split(' ');
            let line = parts.next()?.parse().ok()?;
            let since = NaiveDate::parse_from_str(parts.next()?, "%Y-%m-%d").ok()?;
            let bill_from = NaiveDate::parse_from_str(parts.next()?, "%Y-%m-%d").ok()?;
            parts.next().is_none().then(|| import_words(e, line, since, rule, bill_from))
        }
        _ => None,
    }
}

/// The term an imported subscription is in today: the last anniversary of its start on or before
/// today (a subscription bought on 15 March 2024 for a year is in the term from 15 March 2026 on
/// 24 November 2026).
pub fn current_term_start(start: NaiveDate, term: Term, today: NaiveDate) -> NaiveDate {
    let mut term_start = start;
    while term_end(term_start, term) < today {
        term_start = add_days(term_end(term_start, term), 1);
    }
    term_start
}

/// From when Seatbook bills an imported subscription that did not say: today if a charge cycle
/// starts today, else the next cycle (the current one was billed before the book moved in).
pub fn imported_bill_from(term_start: NaiveDate, term: Term, plan: BillingPlan, today: NaiveDate) -> NaiveDate {
    match cycle_containing(term_start, term, plan, today) {
        Some(c) if c.start == today => today,
        Some(c) => add_days(c.end, 1),
        None => today,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// The 31 January table of DOMAIN §3: a P1Y billed monthly bought on 31 Jan 2021.
    #[test]
    fn charge_cycles_from_31_january() {
        let cycles = charge_cycles(ymd("2021-01-31"), Term::P1Y, BillingPlan::Monthly);
        let got: Vec<String> = cycles.iter().map(|c| format!("{}..{}", c.start, c.end)).collect();
        assert_eq!(
            got,
            [
                "2021-01-31..2021-02-27",
                "2021-02-28..2021-03-30",
                "2021-03-31..2021-04-29",
                "2021-04-30..2021-05-30",
                "2021-05-31..2021-06-29",
                "2021-06-30..2021-07-30",
                "2021-07-31..2021-08-30",
                "2021-08-31..2021-09-29",
                "2021-09-30..2021-10-30",
                "2021-10-31..2021-11-29",
                "2021-11-30..2021-12-30",
                "2021-12-31..2022-01-30",
            ]
        );
        assert_eq!(term_end(ymd("2021-01-31"), Term::P1Y), ymd("2022-01-30"));
        assert_eq!(cycles[0].days(), 28);
    }

    #[test]
    fn terms_and_cycles_over_leap_years() {
        assert_eq!(term_end(ymd("2021-04-15"), Term::P1Y), ymd("2022-04-14"));
        assert_eq!(term_end(ymd("2024-02-29"), Term::P1Y), ymd("2025-02-27"));
        assert_eq!(term_end(ymd("2024-01-31"), Term::P1M), ymd("2024-02-28"));
        assert_eq!(term_end(ymd("2023-03-01"), Term::P3Y), ymd("2026-02-28"));
        let annual = charge_cycles(ymd("2024-02-29"), Term::P3Y, BillingPlan::Annual);
        let got: Vec<(String, i64)> = annual.iter().map(|c| (format!("{}..{}", c.start, c.end), c.days())).collect();
        assert_eq!(
            got,
            [
                ("2024-02-29..2025-02-27".to_string(), 365),
                ("2025-02-28..2026-02-27".to_string(), 365),
                ("2026-02-28..2027-02-27".to_string(), 365),
            ]
        );
        let leap = charge_cycle(ymd("2023-03-01"), BillingPlan::Annual, 0);
        assert_eq!((leap.end, leap.days()), (ymd("2024-02-29"), 366));
        let tri = charge_cycles(ymd("2023-03-01"), Term::P3Y, BillingPlan::Triennial);
        assert_eq!(tri.len(), 1);
        assert_eq!((tri[0].end, tri[0].days()), (ymd("2026-02-28"), 1096));
        let feb = charge_cycle(ymd("2024-01-30"), BillingPlan::Monthly, 1);
        assert_eq!((feb.start, feb.end, feb.days()), (ymd("2024-02-29"), ymd("2024-03-29"), 30));
        assert_eq!(cycle_containing(ymd("2021-01-31"), Term::P1Y, BillingPlan::Monthly, ymd("2021-03-30")).map(|c| c.index), Some(1));
        assert_eq!(cycle_containing(ymd("2021-01-31"), Term::P1Y, BillingPlan::Monthly, ymd("2022-01-31")), None);
    }

    fn sub(start: &str, qty: u32) -> Subscription {
        let usd = Currency::parse("USD", "c").unwrap();
        Subscription {
            id: 1,
            customer_id: 1,
            product: ProductKey::new("CFQ7TTC0LH18", "0001"),
            product_title: "Microsoft 365 Business Basic".into(),
            term: Term::P1Y,
            billing: BillingPlan::Monthly,
            quantity: qty,
            status: Status::Active,
            auto_renew: true,
            trial: false,
            purchased_on: ymd(start),
            term_start: ymd(start),
            term_end: term_end(ymd(start), Term::P1Y),
            ms_subscription_id: String::new(),
            price: LockedPrice {
                unit_cost: Decimal::from(72),
                cost_currency: usd,
                unit_price: Decimal::from(90),
                price_currency: usd,
                rule: String::new(),
            },
            price_override: None,
            scheduled: RenewalChanges::default(),
            ended_on: None,
            bill_from: ymd(start),
        }
    }

    fn history(s: &Subscription, changes: &[(&str, i64)]) -> Vec<Event> {
        let mut events = vec![Event::capture(s, EventKind::Purchased, s.term_start, "", s.quantity as i64, String::new())];
        let mut q = s.quantity as i64;
        for (date, delta) in changes {
            q += delta;
            let mut e = Event::capture(s, EventKind::QuantityChanged, ymd(date), "", *delta, String::new());
            e.quantity = q as u32;
            events.push(e);
        }
        events
    }

    #[test]
    fn seat_decrease_window_edges() {
        let s = sub("2026-03-01", 10);
        let batches = seat_batches(&history(&s, &[]));
        // Day 7 (1 Mar + 6) is the last day; day 8 is refused.
        assert!(check_quantity_change(&s, &batches, 8, ymd("2026-03-07")).is_ok());
        let e = check_quantity_change(&s, &batches, 8, ymd("2026-03-08")).unwrap_err();
        assert_eq!(e.code, crate::error::ErrorCode::Refused);
        assert!(e.message.contains("could be removed until 2026-03-07"), "{}", e.message);
        assert!(e.message.contains("renewal on 2027-03-01"), "{}", e.message);
    }

    #[test]
    fn each_batch_has_its_own_window() {
        let mut s = sub("2026-03-01", 10);
        let events = history(&s, &[("2026-04-10", 3)]);
        s.quantity = 13;
        let batches = seat_batches(&events);
        // The 3 seats added on 10 Apr can go until 16 Apr, not the 10 of the purchase.
        assert!(check_quantity_change(&s, &batches, 10, ymd("2026-04-16")).is_ok());
        let e = check_quantity_change(&s, &batches, 9, ymd("2026-04-12")).unwrap_err();
        assert!(e.message.contains("only 3 of the 4 seats"), "{}", e.message);
        assert!(e.message.contains("down to 10"), "{}", e.message);
        assert!(check_quantity_change(&s, &batches, 12, ymd("2026-04-17")).is_err());
        assert_eq!(reducible_until(&batches, ymd("2026-04-12")), Some(ymd("2026-04-16")));
        assert_eq!(reducible_until(&batches, ymd("2026-04-17")), None);
        // Two seats removed: one batch seat is left, still reducible until 16 Apr.
        let events = history(&sub("2026-03-01", 10), &[("2026-04-10", 3), ("2026-04-11", -2)]);
        let batches = seat_batches(&events);
        assert_eq!(reducible_seats(&batches, ymd("2026-04-12")), 1);
        assert_eq!(batches.iter().map(|b| b.seats).sum::<u32>(), 11);
    }

    #[test]
    fn cancellation_window_edges() {
        let s = sub("2026-03-01", 10);
        assert!(check_cancel(&s, ymd("2026-03-01")).is_ok());
        assert!(check_cancel(&s, ymd("2026-03-07")).is_ok());
        let e = check_cancel(&s, ymd("2026-03-08")).unwrap_err();
        assert!(e.message.contains("allowed until 2026-03-07"), "{}", e.message);
        assert!(e.message.contains("paid until 2027-02-28"), "{}", e.message);
        let mut t = s.clone();
        t.trial = true;
        assert!(check_cancel(&t, ymd("2026-03-20")).is_ok());
    }

    #[test]
    fn changes_keep_dates_in_order_and_inside_the_term() {
        let s = sub("2026-03-01", 10);
        assert!(check_change_date(&s, ymd("2026-03-10"), ymd("2026-03-09"), "a seat change").is_err());
        assert!(check_change_date(&s, ymd("2026-03-01"), ymd("2027-03-01"), "a seat change").is_err());
        assert!(check_change_date(&s, ymd("2026-03-01"), ymd("2027-02-28"), "a seat change").is_ok());
        let mut c = s.clone();
        c.status = Status::Cancelled;
        assert!(check_change_date(&c, ymd("2026-03-01"), ymd("2026-03-02"), "a seat change").is_err());
    }

    #[test]
    fn schedule_and_upgrade_rules() {
        let s = sub("2026-03-01", 10);
        let bad = RenewalChanges { term: Some(Term::P1M), billing: Some(BillingPlan::Annual), ..Default::default() };
        assert!(check_schedule(&s, &bad).is_err());
        let to_monthly = RenewalChanges { term: Some(Term::P1M), ..Default::default() };
        assert!(check_schedule(&s, &to_monthly).is_ok());
        let other = ProductKey::new("CFQ7TTC0LH16", "0001");
        assert!(check_upgrade(&s, &other, Decimal::from(50)).unwrap_err().message.contains("downgrade"));
        assert!(check_upgrade(&s, &other, Decimal::from(150)).is_ok());
        assert!(check_upgrade(&s, &s.product, Decimal::from(150)).is_err());
    }

    #[test]
    fn at_term_end_a_subscription_renews_with_its_scheduled_changes_or_expires() {
        let mut s = sub("2025-11-15", 10);
        s.scheduled = RenewalChanges { quantity: Some(8), term: None, billing: Some(BillingPlan::Annual), product: None };
        s.price_override = Some(Decimal::from(7));
        let next = next_term(&s).unwrap();
        assert_eq!(
            (next.start, next.quantity, next.billing, next.price_override),
            (ymd("2026-11-15"), 8, BillingPlan::Annual, Some(Decimal::from(7)))
        );
        let price = LockedPrice { unit_price: Decimal::from(96), ..s.price.clone() };
        let (r, delta, outcome, what) = renewed(&s, &next, price, "Basic".into());
        assert_eq!(
            (r.term_start, r.term_end, r.quantity, delta, outcome),
            (ymd("2026-11-15"), ymd("2027-11-14"), 8, -2, RenewalOutcome::Renewed)
        );
        assert_eq!(r.scheduled, RenewalChanges::default());
        assert_eq!(
            what,
            "renewed: 8 seats of CFQ7TTC0LH18:0001, P1Y billed annual, term 2026-11-15 to 2027-11-14, at 96.00 USD per seat per term ()"
        );
        // The book keeps only the rule: the words come back from the event's row and the rule.
        let mut event = Event::capture(&r, EventKind::Renewed, r.term_start, "", delta, what.clone());
        assert_eq!(kept_words(&event), Some(("", String::new())));
        event.description = renewal_words(&event, "default markup 18% (company profile)");
        assert!(
            event.description.ends_with("at 96.00 USD per seat per term (default markup 18% (company profile))"),
            "{}",
            event.description
        );
        assert_eq!(kept_words(&event), Some(("default markup 18% (company profile)", String::new())));
        // Words that the row does not give back exactly are kept whole, as are other events'.
        event.description = event.description.replace("8 seats", "eight seats");
        assert_eq!(kept_words(&event), None);
        event.description = what.clone();
        event.kind = EventKind::Imported;
        assert_eq!(kept_words(&event), None);
        // A new product drops the user's own price; a trial converts.
        s.scheduled.product = Some(ProductKey::new("CFQ7TTC0LDPB", "0001"));
        s.trial = true;
        let next = next_term(&s).unwrap();
        assert_eq!(next.price_override, None);
        assert_eq!(renewed(&s, &next, s.price.clone(), "Standard".into()).2, RenewalOutcome::Converted);
        s.auto_renew = false;
        assert_eq!(next_term(&s), None);
        let (e, what) = expired(&s);
        assert_eq!(
            (e.status, e.ended_on, what.as_str()),
            (Status::Expired, Some(ymd("2026-11-15")), "trial ended on 2026-11-14 without converting")
        );
    }

    #[test]
    fn an_import_lands_in_the_current_term_and_is_billed_from_the_next_cycle() {
        let today = ymd("2026-11-24");
        assert_eq!(current_term_start(ymd("2024-03-15"), Term::P1Y, today), ymd("2026-03-15"));
        assert_eq!(current_term_start(ymd("2026-11-24"), Term::P1Y, today), today);
        assert_eq!(current_term_start(ymd("2026-09-30"), Term::P1M, today), ymd("2026-10-30"), "terms 30 Sep–29 Oct, 30 Oct–29 Nov");
        assert_eq!(imported_bill_from(ymd("2026-03-15"), Term::P1Y, BillingPlan::Monthly, today), ymd("2026-12-15"));
        assert_eq!(imported_bill_from(ymd("2026-03-24"), Term::P1Y, BillingPlan::Monthly, today), today, "a cycle starts today");
        assert_eq!(imported_bill_from(ymd("2026-03-15"), Term::P1Y, BillingPlan::Annual, today), ymd("2027-03-15"));
    }
}
