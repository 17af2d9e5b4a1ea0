//! How subscriptions and their history events are read from rows. The loaders of tens of
//! thousands of rows look the columns' positions up once per statement (`col::Positions`, with
//! the names declared by `columns!`).

use super::col::{self, Positions};
use crate::catalogue::ProductKey;
use crate::pricing::LockedPrice;
use crate::subscription::{Event, EventKind, RenewalChanges, Status, Subscription};
use rusqlite::Row;

/// Declares the columns a row mapper reads: an enum whose variants name them, and their names.
macro_rules! columns {
    ($enum:ident: $($col:ident),* $(,)?) => {
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy)]
        pub(super) enum $enum { $($col),* }
        impl $enum {
            pub(super) const NAMES: &'static [&'static str] = &[$(stringify!($col)),*];
        }
    };
}

columns!(SubCol: id, customer_id, product_id, sku_id, product_title, term, billing, quantity, status, auto_renew, trial,
    purchased_on, term_start, term_end, ms_subscription_id, unit_cost, cost_currency, unit_price, price_currency, price_rule,
    price_override, sched_quantity, sched_term, sched_billing, sched_product_id, sched_sku_id, ended_on, bill_from);

columns!(EventCol: id, subscription_id, kind, effective, recorded_at, quantity_delta, quantity, product_id, sku_id, term, billing,
    status, trial, term_start, term_end, unit_price, price_currency, unit_cost, cost_currency, description, price_rule);

/// A subscription from a `SELECT *` row (positions looked up for this row alone; a long query
/// looks them up once with `Positions::of(&stmt, SubCol::NAMES)` and calls `subscription_at`).
pub(super) fn subscription_from_row(r: &Row) -> rusqlite::Result<Subscription> {
    subscription_at(r, &Positions::of(r.as_ref(), SubCol::NAMES)?)
}

pub(super) fn subscription_at(r: &Row, p: &Positions) -> rusqlite::Result<Subscription> {
    let c = |col: SubCol| p.at(col as usize);
    let sched_product: Option<String> = r.get(c(SubCol::sched_product_id))?;
    let sched_sku: Option<String> = r.get(c(SubCol::sched_sku_id))?;
    Ok(Subscription {
        id: r.get(c(SubCol::id))?,
        customer_id: r.get(c(SubCol::customer_id))?,
        product: ProductKey::new(col::text(r, c(SubCol::product_id))?, col::text(r, c(SubCol::sku_id))?),
        product_title: r.get(c(SubCol::product_title))?,
        term: col::term(r, c(SubCol::term))?,
        billing: col::billing(r, c(SubCol::billing))?,
        quantity: r.get(c(SubCol::quantity))?,
        status: col::parse_with(r, c(SubCol::status), |s| Status::parse(s, "status").ok())?,
        auto_renew: r.get(c(SubCol::auto_renew))?,
        trial: r.get(c(SubCol::trial))?,
        purchased_on: col::date(r, c(SubCol::purchased_on))?,
        term_start: col::date(r, c(SubCol::term_start))?,
        term_end: col::date(r, c(SubCol::term_end))?,
        ms_subscription_id: r.get(c(SubCol::ms_subscription_id))?,
        price: LockedPrice {
            unit_cost: col::dec(r, c(SubCol::unit_cost))?,
            cost_currency: col::currency(r, c(SubCol::cost_currency))?,
            unit_price: col::dec(r, c(SubCol::unit_price))?,
            price_currency: col::currency(r, c(SubCol::price_currency))?,
            rule: r.get(c(SubCol::price_rule))?,
        },
        price_override: col::opt_dec(r, c(SubCol::price_override))?,
        scheduled: RenewalChanges {
            quantity: r.get(c(SubCol::sched_quantity))?,
            term: col::opt_term(r, c(SubCol::sched_term))?,
            billing: col::opt_billing(r, c(SubCol::sched_billing))?,
            product: sched_product.zip(sched_sku).map(|(p, s)| ProductKey::new(&p, &s)),
        },
        ended_on: col::opt_date(r, c(SubCol::ended_on))?,
        bill_from: col::date(r, c(SubCol::bill_from))?,
    })
}

/// What `event_at` reads of an event `e` joined by `EVENT_JOINS`: its row, its offer (product,
/// SKU, term, billing, currencies) and its price rule's words.
pub(super) const EVENT_COLUMNS: &str =
    "e.*, o.product_id, o.sku_id, o.term, o.billing, o.price_currency, o.cost_currency, r.text AS price_rule";
pub(super) const EVENT_JOINS: &str = "JOIN event_offers o ON o.id = e.offer_id LEFT JOIN price_rules r ON r.id = e.price_rule_id";

/// A history event from a row of `EVENTS`, with its statement's `Positions` of `EventCol::NAMES`.
pub(super) fn event_at(r: &Row, p: &Positions) -> rusqlite::Result<Event> {
    let c = |col: EventCol| p.at(col as usize);
    let mut e = Event {
        id: r.get(c(EventCol::id))?,
        subscription_id: r.get(c(EventCol::subscription_id))?,
        kind: col::parse_with(r, c(EventCol::kind), EventKind::parse)?,
        effective: col::date(r, c(EventCol::effective))?,
        recorded_at: col::moment_text(r, c(EventCol::recorded_at))?,
        quantity_delta: r.get(c(EventCol::quantity_delta))?,
        quantity: r.get(c(EventCol::quantity))?,
        product: ProductKey::new(col::text(r, c(EventCol::product_id))?, col::text(r, c(EventCol::sku_id))?),
        term: col::term(r, c(EventCol::term))?,
        billing: col::billing(r, c(EventCol::billing))?,
        status: col::parse_with(r, c(EventCol::status), |s| Status::parse(s, "status").ok())?,
        trial: r.get(c(EventCol::trial))?,
        term_start: col::date(r, c(EventCol::term_start))?,
        term_end: col::date(r, c(EventCol::term_end))?,
        unit_price: col::dec(r, c(EventCol::unit_price))?,
        price_currency: col::currency(r, c(EventCol::price_currency))?,
        unit_cost: col::dec(r, c(EventCol::unit_cost))?,
        cost_currency: col::currency(r, c(EventCol::cost_currency))?,
        description: r.get(c(EventCol::description))?,
    };
    if let Some(rule) = r.get::<_, Option<String>>(c(EventCol::price_rule))? {
        if let Some(words) = crate::subscription::words_from_row(&e, &rule, &e.description) {
            e.description = words;
        }
    }
    Ok(e)
}
