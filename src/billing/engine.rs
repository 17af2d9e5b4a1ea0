//! The billing engine: a pure function from a snapshot of the book and a month to invoice drafts.
//! No SQL, no clock. Every billable item has a natural key and a billable date (DOMAIN §5); the
//! run for month M bills every item dated on or before M's last day whose key was not billed yet.
//!
//! Licences are billed in advance, one line per charge period; a change inside a period is one
//! line for the difference (DOMAIN §4): amount = price per cycle × seats × billing days / cycle
//! days, billing days counted inclusively from the change to the period's end, rounded once per
//! line, half away from zero.

use super::services::{Charge, InstalmentPlan, Service, ServiceBasis};
use crate::catalogue::{cycles_per_term, ProductKey};
use crate::customer::{BillingAlignment, Customer, TaxTreatment};
use crate::dates::{add_days, add_months, days_inclusive, month_end};
use crate::money::Currency;
use crate::pricing::{rate_on, ExchangeRate};
use crate::subscription::{charge_cycles, Event, EventKind, Subscription};
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// A subscription with its whole history.
#[derive(Debug, Clone)]
pub struct SubscriptionBook {
    pub subscription: Subscription,
    pub events: Vec<Event>,
    /// The start of the latest licence period already invoiced: everything before it is settled.
    pub billed_through: Option<NaiveDate>,
}

/// Everything billable for one customer.
#[derive(Debug, Clone)]
pub struct CustomerBook {
    pub customer: Customer,
    pub subscriptions: Vec<SubscriptionBook>,
    pub charges: Vec<Charge>,
    pub services: Vec<Service>,
    pub instalments: Vec<InstalmentPlan>,
    /// Azure usage billed by Microsoft and not invoiced yet, priced by the customer's rule.
    pub usage: Vec<UsageCharge>,
}

/// A month of one Azure subscription's usage, priced (`crate::azure::price`): billed in arrears,
/// on the first day of the next month.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageCharge {
    pub entitlement_id: String,
    /// The Azure subscription's name.
    pub entitlement: String,
    /// The first day of the usage month.
    pub month: NaiveDate,
    pub price: crate::azure::UsagePrice,
    /// Microsoft's sums this line bills (for a correction, what changed since the month was
    /// invoiced), kept with the line when it is issued.
    pub usage: crate::azure::MonthUsage,
    /// 0 for the month's line; 1, 2, … for corrections after it was invoiced.
    pub correction: u32,
    /// The line by meter category (printed under it); empty when the parts are not known (a
    /// correction of a line issued before they were kept).
    pub categories: Vec<crate::azure::CategoryUsage>,
}

pub struct Snapshot<'a> {
    /// The first day of the month billed.
    pub month: NaiveDate,
    /// The company's standard VAT rate in percent.
    pub vat_rate: Decimal,
    pub rates: &'a [ExchangeRate],
    /// Natural keys of every line already invoiced (from `horizon` on).
    pub billed: &'a HashSet<String>,
    /// Recurring items before this day are not looked at (the catch-up reach).
    pub horizon: NaiveDate,
    pub titles: &'a HashMap<ProductKey, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LineKind {
    Licence,
    Proration,
    Service,
    Charge,
    Instalment,
    Usage,
}

impl LineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LineKind::Licence => "licence",
            LineKind::Proration => "proration",
            LineKind::Service => "service",
            LineKind::Charge => "charge",
            LineKind::Instalment => "instalment",
            LineKind::Usage => "usage",
        }
    }
    /// The number the book keeps a line's kind as (`invoice_lines.kind_code`, migration 24).
    pub fn code(self) -> i64 {
        match self {
            LineKind::Licence => 1,
            LineKind::Proration => 2,
            LineKind::Service => 3,
            LineKind::Charge => 4,
            LineKind::Instalment => 5,
            LineKind::Usage => 6,
        }
    }
    pub fn parse(s: &str) -> Option<LineKind> {
        [LineKind::Licence, LineKind::Proration, LineKind::Service, LineKind::Charge, LineKind::Instalment, LineKind::Usage]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DraftLine {
    /// The natural key; the database refuses a second line with it.
    pub item_key: String,
    pub kind: LineKind,
    pub subscription_id: Option<i64>,
    pub description: String,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub quantity: Decimal,
    /// In the invoice's currency, exact (rounding happens once, on `amount`).
    pub unit_price: Decimal,
    /// quantity × unit price, rounded to the currency's minor unit.
    pub amount: Decimal,
    pub vat_rate: Decimal,
    /// The exchange rate used, if the item was priced in `fx_from`.
    pub fx_rate: Option<Decimal>,
    pub fx_from: Option<Currency>,
    pub billable_date: NaiveDate,
    /// The locked cost of the line in the invoice's currency, rounded (licences only; `None`
    /// for the reseller's own services, or when no rate converts the cost).
    pub cost: Option<Decimal>,
    /// What the line is made of, printed under it (an Azure usage line by meter category),
    /// rounded, adding up to `amount`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<LineDetail>,
}

/// A part of a line: its label and amount in the invoice's currency.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineDetail {
    pub label: String,
    pub amount: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VatLine {
    pub rate: Decimal,
    pub net: Decimal,
    pub vat: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Draft {
    pub customer_id: i64,
    pub customer_name: String,
    pub currency: Currency,
    pub tax_treatment: TaxTreatment,
    pub payment_terms_days: u32,
    pub lines: Vec<DraftLine>,
    pub vat_lines: Vec<VatLine>,
    pub net: Decimal,
    pub vat: Decimal,
    pub total: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    pub customer_id: i64,
    pub customer_name: String,
    pub message: String,
    /// What would solve it (e.g. the exchange rate to add), worded by each front.
    pub hint: Option<crate::error::Hint>,
}

/// An item before conversion into the customer's currency.
struct Item {
    key: String,
    kind: LineKind,
    subscription_id: Option<i64>,
    description: String,
    period: Option<(NaiveDate, NaiveDate)>,
    quantity: Decimal,
    unit_price: Decimal,
    currency: Currency,
    billable: NaiveDate,
    /// The partner's locked cost per unit, for margins (licences, Azure usage).
    unit_cost: Option<(Decimal, Currency)>,
    /// Converted at the rate in force on this day (the billable date, but a usage month's last
    /// day for Azure), or at this rate (Microsoft's own, for Azure).
    rate_date: NaiveDate,
    fixed_rate: Option<Decimal>,
    /// Parts of the line (label, exact amount in `currency`), for quantity 1.
    details: Vec<(String, Decimal)>,
}

/// The natural key of a subscription's licence period: billed once. The book derives it from
/// the line's subscription and period rather than storing it (`Store::billing_books`).
pub fn licence_key(subscription_id: i64, start: NaiveDate, end: NaiveDate) -> String {
    format!("sub:{subscription_id}:licence:{start}:{end}")
}

impl UsageCharge {
    /// The natural key of an Azure subscription's usage month: billed once.
    pub fn key(entitlement_id: &str, month: NaiveDate) -> String {
        format!("usage:{entitlement_id}:{}", month.format("%Y-%m"))
    }

    /// The month's key of a line's key (a correction's without its number).
    pub fn family(item_key: &str) -> &str {
        match item_key.match_indices(':').nth(2) {
            Some((i, _)) => &item_key[..i],
            None => item_key,
        }
    }

    /// This line's key: the month's, or for a correction the month's with its number.
    pub fn item_key(&self) -> String {
        let key = UsageCharge::key(&self.entitlement_id, self.month);
        if self.correction == 0 {
            key
        } else {
            format!("{key}:{}", self.correction)
        }
    }
}

/// The item of a month of Azure usage: one line per Azure subscription and usage month.
fn usage_item(u: &UsageCharge) -> Item {
    let last = month_end(u.month);
    Item {
        key: u.item_key(),
        kind: LineKind::Usage,
        subscription_id: None,
        description: format!(
            "Azure usage {} — {}{}",
            u.month.format("%b %Y"),
            if u.entitlement.is_empty() { &u.entitlement_id } else { &u.entitlement },
            if u.correction == 0 { "" } else { " (correction)" }
        ),
        period: Some((u.month, last)),
        quantity: Decimal::ONE,
        unit_price: u.price.amount,
        currency: u.price.currency,
        billable: add_days(last, 1),
        unit_cost: Some((u.price.cost, u.price.cost_currency)),
        rate_date: last,
        fixed_rate: u.price.microsoft_rate,
        details: u.categories.iter().map(|c| (c.meter_category.clone(), c.amount)).collect(),
    }
}

/// Bill `books` for the snapshot's month: one draft per customer with something to bill, and the
/// customers left out with their problems.
pub fn bill(snap: &Snapshot<'_>, books: &[CustomerBook]) -> (Vec<Draft>, Vec<Problem>) {
    let mut drafts = Vec::new();
    let mut problems = Vec::new();
    for book in books {
        match bill_customer(snap, book) {
            Ok(Some(d)) => drafts.push(d),
            Ok(None) => {}
            Err(messages) => problems.extend(messages.into_iter().map(|(message, hint)| Problem {
                customer_id: book.customer.id,
                customer_name: book.customer.name.clone(),
                message,
                hint,
            })),
        }
    }
    (drafts, problems)
}

fn bill_customer(snap: &Snapshot<'_>, book: &CustomerBook) -> Result<Option<Draft>, Vec<(String, Option<crate::error::Hint>)>> {
    let last_day = month_end(snap.month);
    let mut items = Vec::new();
    for sb in &book.subscriptions {
        subscription_items(snap, &book.customer, sb, last_day, &mut items);
    }
    for c in &book.charges {
        if c.date <= last_day {
            items.push(Item {
                key: format!("charge:{}", c.id),
                kind: LineKind::Charge,
                subscription_id: None,
                description: c.description.clone(),
                period: None,
                quantity: c.quantity,
                unit_price: c.unit_price,
                currency: c.currency,
                billable: c.date,
                unit_cost: None,
                rate_date: c.date,
                fixed_rate: None,
                details: Vec::new(),
            });
        }
    }
    for s in &book.services {
        service_items(snap, s, &book.subscriptions, last_day, &mut items);
    }
    for u in &book.usage {
        let item = usage_item(u);
        if item.billable <= last_day {
            items.push(item);
        }
    }
    for p in &book.instalments {
        for (k, amount) in p.amounts().into_iter().enumerate() {
            let due = add_months(p.start, k as u32);
            if due > last_day {
                break;
            }
            items.push(Item {
                key: format!("instalment:{}:{}", p.id, k + 1),
                kind: LineKind::Instalment,
                subscription_id: None,
                description: format!("{} — instalment {} of {}", p.description, k + 1, p.count),
                period: None,
                quantity: Decimal::ONE,
                unit_price: amount,
                currency: p.currency,
                billable: due,
                unit_cost: None,
                rate_date: due,
                fixed_rate: None,
                details: Vec::new(),
            });
        }
    }
    items.retain(|i| !snap.billed.contains(&i.key));
    if items.is_empty() {
        return Ok(None);
    }
    let customer = &book.customer;
    let currency = customer.currency;
    let vat_rate = match customer.tax_treatment {
        TaxTreatment::Standard => snap.vat_rate,
        TaxTreatment::ZeroRated | TaxTreatment::Exempt => Decimal::ZERO,
    };
    let mut missing = std::collections::BTreeSet::new();
    let mut lines = Vec::with_capacity(items.len());
    for it in items {
        let rate = if it.currency == currency {
            None
        } else if it.fixed_rate.is_some() {
            it.fixed_rate
        } else {
            match rate_on(snap.rates, it.currency, currency, it.rate_date) {
                Some(r) => Some(r),
                None => {
                    missing.insert((
                        format!("no {}→{currency} exchange rate on or before {}", it.currency, it.rate_date),
                        Some(crate::error::Hint::ExchangeRate {
                            from: it.currency.to_string(),
                            to: currency.to_string(),
                            on: it.rate_date,
                        }),
                    ));
                    continue;
                }
            }
        };
        // Amounts were bounded where they came in; what they multiply to is checked here, so no
        // book can hold a line a run cannot bill (the customer is left out, and told why).
        let limit = Decimal::from(crate::money::AMOUNT_LIMIT);
        let converted = it.unit_price.checked_mul(rate.unwrap_or(Decimal::ONE));
        let Some((unit_price, amount)) = converted.and_then(|u| Some((u, it.quantity.checked_mul(u).filter(|a| a.abs() < limit)?))) else {
            missing.insert((format!("\"{}\" comes to more than an invoice line can carry (a trillion)", it.description), None));
            continue;
        };
        let amount = currency.round(amount);
        let exact: Vec<Decimal> =
            it.details.iter().map(|(_, a)| a.checked_mul(rate.unwrap_or(Decimal::ONE)).unwrap_or(Decimal::ZERO)).collect();
        let details = crate::azure::split_rounded(amount, &exact, |a| currency.round(a))
            .into_iter()
            .zip(it.details)
            .map(|(amount, (label, _))| LineDetail { label, amount })
            .collect();
        let cost = it.unit_cost.and_then(|(c, cur)| {
            let r = rate_on(snap.rates, cur, currency, it.rate_date)?;
            it.quantity.checked_mul(c)?.checked_mul(r).filter(|v| v.abs() < limit).map(|v| currency.round(v))
        });
        lines.push(DraftLine {
            item_key: it.key,
            kind: it.kind,
            subscription_id: it.subscription_id,
            description: it.description,
            period_start: it.period.map(|p| p.0),
            period_end: it.period.map(|p| p.1),
            quantity: it.quantity,
            unit_price: unit_price.normalize(),
            amount,
            vat_rate,
            fx_rate: rate,
            fx_from: rate.map(|_| it.currency),
            billable_date: it.billable,
            cost,
            details,
        });
    }
    if !missing.is_empty() {
        return Err(missing.into_iter().collect());
    }
    lines.sort_by(|a, b| {
        (a.billable_date, a.subscription_id.unwrap_or(i64::MAX), a.kind, &a.item_key).cmp(&(
            b.billable_date,
            b.subscription_id.unwrap_or(i64::MAX),
            b.kind,
            &b.item_key,
        ))
    });
    let (vat_lines, net, vat) = vat_summary(&lines, currency);
    // A tax invoice is never negative: credits larger than what is billed wait for a later
    // invoice (the customer is left out until then), or the reseller issues a credit note.
    if net < Decimal::ZERO {
        return Err(vec![(
            format!(
                "the invoice would total {} {currency}: its credits are larger than what is billed; they wait for a later invoice, or issue a credit note against an earlier one",
                net + vat
            ),
            None,
        )]);
    }
    Ok(Some(Draft {
        customer_id: customer.id,
        customer_name: customer.name.clone(),
        currency,
        tax_treatment: customer.tax_treatment,
        payment_terms_days: customer.payment_terms_days,
        lines,
        vat_lines,
        net,
        vat,
        total: net + vat,
    }))
}

/// VAT per rate on the sum of the rounded line nets, rounded half away from zero (DOMAIN §4).
pub fn vat_summary(lines: &[DraftLine], currency: Currency) -> (Vec<VatLine>, Decimal, Decimal) {
    let mut by_rate: BTreeMap<Decimal, Decimal> = BTreeMap::new();
    for l in lines {
        *by_rate.entry(l.vat_rate.normalize()).or_default() += l.amount;
    }
    let vat_lines: Vec<VatLine> =
        by_rate.into_iter().map(|(rate, net)| VatLine { rate, net, vat: currency.round(net * rate / Decimal::ONE_HUNDRED) }).collect();
    let net = vat_lines.iter().map(|v| v.net).sum::<Decimal>();
    let vat = vat_lines.iter().map(|v| v.vat).sum::<Decimal>();
    (vat_lines, currency.round(net), currency.round(vat))
}

/// A charge period: an anniversary charge cycle, or a slice of a calendar month.
#[derive(Debug, Clone, Copy)]
struct Period {
    start: NaiveDate,
    end: NaiveDate,
    /// Days the per-cycle price is spread over (the cycle's, or the calendar month's).
    basis_days: i64,
}

/// The charge periods of a term. Customers on calendar alignment have monthly plans cut at
/// calendar-month ends: a prorated first month, whole months, a prorated last month (DOMAIN §5).
fn periods(e: &Event, calendar: bool) -> Vec<Period> {
    if calendar && e.billing == crate::catalogue::BillingPlan::Monthly {
        let mut out = Vec::new();
        let mut s = e.term_start;
        while s <= e.term_end {
            let end = month_end(s).min(e.term_end);
            let basis = days_inclusive(NaiveDate::from_ymd_opt(s.year(), s.month(), 1).unwrap(), month_end(s));
            out.push(Period { start: s, end, basis_days: basis });
            s = add_days(end, 1);
        }
        out
    } else {
        charge_cycles(e.term_start, e.term, e.billing)
            .into_iter()
            .map(|c| Period { start: c.start, end: c.end, basis_days: c.days() })
            .collect()
    }
}

fn price_per_cycle(e: &Event) -> Decimal {
    e.unit_price / Decimal::from(cycles_per_term(e.term, e.billing))
}

fn cost_per_cycle(e: &Event) -> Decimal {
    e.unit_cost / Decimal::from(cycles_per_term(e.term, e.billing))
}

fn short(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

fn title(snap: &Snapshot<'_>, e: &Event) -> String {
    snap.titles.get(&e.product).cloned().unwrap_or_else(|| e.product.to_string())
}

fn subscription_items(snap: &Snapshot<'_>, customer: &Customer, sb: &SubscriptionBook, last_day: NaiveDate, out: &mut Vec<Item>) {
    let sub = &sb.subscription;
    let from = [Some(sub.bill_from), Some(snap.horizon), sb.billed_through].into_iter().flatten().max().expect("bill_from is set");
    let calendar = customer.billing_alignment == BillingAlignment::Calendar;
    let events = &sb.events;
    let mut i = 0;
    while i < events.len() {
        // A term: a term-starting event and the changes that follow it.
        let start = &events[i];
        let mut j = i + 1;
        while j < events.len() && !events[j].kind.starts_term() {
            j += 1;
        }
        let term_events = &events[i..j];
        i = j;
        if start.trial || !start.kind.starts_term() || start.term_start > last_day {
            continue;
        }
        let ended_on = term_events.iter().find(|e| matches!(e.kind, EventKind::Cancelled | EventKind::Expired)).map(|e| e.effective);
        let periods = periods(start, calendar);
        // Licence charges, in advance, at the state on the period's first day (changes dated on
        // that very day are billed as their own lines, so an invoiced charge never changes).
        for p in &periods {
            if p.start > last_day
                || p.start < from
                || ended_on.is_some_and(|end| p.start > end || (p.start == end && is_expiry(term_events)))
            {
                continue;
            }
            let state =
                term_events.iter().take_while(|e| e.kind.starts_term() || e.effective < p.start).last().expect("the term's first event");
            let fraction = Decimal::from(days_inclusive(p.start, p.end)) / Decimal::from(p.basis_days);
            let full = days_inclusive(p.start, p.end) == p.basis_days;
            out.push(Item {
                key: licence_key(sub.id, p.start, p.end),
                kind: LineKind::Licence,
                subscription_id: Some(sub.id),
                description: format!(
                    "{} — {} billed {}{}",
                    title(snap, state),
                    state.term,
                    state.billing.adverb(),
                    if full { String::new() } else { format!(", {} of {} days", days_inclusive(p.start, p.end), p.basis_days) }
                ),
                period: Some((p.start, p.end)),
                quantity: Decimal::from(state.quantity),
                unit_price: price_per_cycle(state) * fraction,
                currency: state.price_currency,
                billable: p.start,
                unit_cost: Some((cost_per_cycle(state) * fraction, state.cost_currency)),
                rate_date: p.start,
                fixed_rate: None,
                details: Vec::new(),
            });
        }
        // Changes inside a period: one line for the difference.
        for (k, e) in term_events.iter().enumerate().skip(1) {
            let before = &term_events[k - 1];
            let d = e.effective;
            if d > last_day || d < from {
                continue;
            }
            let Some(p) = periods.iter().find(|p| p.start <= d && d <= p.end) else { continue };
            let days = days_inclusive(d, p.end);
            let ratio = Decimal::from(days) / Decimal::from(p.basis_days);
            let span = format!("{}–{}, {} of {} days", short(d), short(p.end), days, p.basis_days);
            let mut push = |suffix: &str, kind_text: String, state: &Event, quantity: i64| {
                out.push(Item {
                    key: format!("sub:{}:{}:{}:{}:{}", sub.id, suffix, e.id, d, p.end),
                    kind: LineKind::Proration,
                    subscription_id: Some(sub.id),
                    description: format!("{} — {kind_text}, {span}", title(snap, state)),
                    period: Some((d, p.end)),
                    quantity: Decimal::from(quantity),
                    unit_price: price_per_cycle(state) * ratio,
                    currency: state.price_currency,
                    billable: d,
                    unit_cost: Some((cost_per_cycle(state) * ratio, state.cost_currency)),
                    rate_date: d,
                    fixed_rate: None,
                    details: Vec::new(),
                });
            };
            match e.kind {
                EventKind::QuantityChanged if e.quantity_delta != 0 => {
                    let what = if e.quantity_delta > 0 {
                        format!("+{} seats", e.quantity_delta)
                    } else {
                        format!("−{} seats", -e.quantity_delta)
                    };
                    push("seats", what, e, e.quantity_delta);
                }
                EventKind::Cancelled => {
                    let what = if d == start.term_start {
                        "cancelled on the first day, full credit".to_string()
                    } else {
                        "cancelled, unused days credited".to_string()
                    };
                    push("cancel", what, before, -(before.quantity as i64));
                }
                EventKind::Upgraded => {
                    push("upgrade-from", format!("upgraded to {}, credit", title(snap, e)), before, -(before.quantity as i64));
                    push("upgrade-to", format!("upgraded from {}", title(snap, before)), e, e.quantity as i64);
                }
                _ => {}
            }
        }
    }
}

fn is_expiry(events: &[Event]) -> bool {
    events.iter().any(|e| e.kind == EventKind::Expired)
}

/// Seats of a subscription on `day`, or 0 if it is not running then.
fn seats_on(sb: &SubscriptionBook, day: NaiveDate) -> u32 {
    let Some(last) = sb.events.iter().take_while(|e| e.effective <= day).last() else { return 0 };
    if last.trial || matches!(last.kind, EventKind::Cancelled | EventKind::Expired) {
        0
    } else {
        last.quantity
    }
}

fn service_items(snap: &Snapshot<'_>, s: &Service, subs: &[SubscriptionBook], last_day: NaiveDate, out: &mut Vec<Item>) {
    let mut k = 0;
    loop {
        let start = add_months(s.start, k);
        k += 1;
        if start > last_day || s.end.is_some_and(|end| start > end) {
            break;
        }
        if start < snap.horizon {
            continue;
        }
        let end = add_days(add_months(s.start, k), -1);
        let quantity = match s.basis {
            ServiceBasis::Flat => 1,
            ServiceBasis::PerSeat => match s.subscription_id.and_then(|id| subs.iter().find(|b| b.subscription.id == id)) {
                Some(b) => seats_on(b, start),
                None => 0,
            },
        };
        if quantity == 0 {
            continue;
        }
        out.push(Item {
            key: format!("service:{}:{}", s.id, start),
            kind: LineKind::Service,
            subscription_id: None,
            description: match s.basis {
                ServiceBasis::Flat => s.description.clone(),
                ServiceBasis::PerSeat => format!("{} — per seat", s.description),
            },
            period: Some((start, end)),
            quantity: Decimal::from(quantity),
            unit_price: s.amount,
            currency: s.currency,
            billable: start,
            unit_cost: None,
            rate_date: start,
            fixed_rate: None,
            details: Vec::new(),
        });
    }
}
