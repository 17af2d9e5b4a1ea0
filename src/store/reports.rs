//! Reports over the book: recurring revenue by month, revenue by month, margin by customer and by
//! product, commitment exposure, churn. Amounts are in each customer's or the company's currency
//! as stated per row; nothing is summed across currencies.

use super::{col, Store};
use crate::catalogue::cycles_per_term;
use crate::dates::{add_months, month_end};
use crate::error::{Error, Result};
use crate::money::Currency;
use crate::pricing::rate_on;
use crate::subscription::charge_cycles;
use chrono::NaiveDate;
use rusqlite::params;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, Serialize)]
pub struct MrrRow {
    /// The month, measured on its last day.
    pub month: String,
    pub currency: Currency,
    pub mrr: Decimal,
    /// Annual run rate: 12 × MRR.
    pub arr: Decimal,
    pub subscriptions: u32,
    pub seats: u32,
    /// Subscriptions whose price could not be converted (missing exchange rate).
    pub unconverted: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct RevenueRow {
    pub month: String,
    pub currency: Currency,
    pub invoiced: Decimal,
    pub credited: Decimal,
    pub net: Decimal,
    /// Of `net`, Azure usage (invoiced less credited): consumption, not recurring revenue.
    pub azure: Decimal,
}

#[derive(Debug, Clone, Serialize)]
pub struct MarginRow {
    /// The customer's name or the product.
    pub key: String,
    pub currency: Currency,
    pub revenue: Decimal,
    pub cost: Decimal,
    pub margin: Decimal,
    /// Margin as a percentage of revenue, to two decimals.
    pub margin_percent: Option<Decimal>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExposureRow {
    pub customer_id: i64,
    pub customer_name: String,
    pub subscription_id: i64,
    pub product: String,
    pub seats: u32,
    pub term_end: NaiveDate,
    /// What the reseller still owes Microsoft for the rest of the committed term.
    pub remaining_cost: Decimal,
    pub cost_currency: Currency,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChurnRow {
    pub month: String,
    pub cancelled: u32,
    pub expired: u32,
    pub seats_lost: u32,
}

fn label(d: NaiveDate) -> String {
    d.format("%Y-%m").to_string()
}

/// Subscriptions priced alike (same term, same currency), summed before dividing and converting.
#[derive(Default)]
struct Group {
    amount: Decimal,
    seats: u32,
    ids: Vec<i64>,
}

/// Monthly recurring revenue on one day (see `Store::mrr_at`).
pub(crate) struct MrrAt {
    pub mrr: Decimal,
    pub subscriptions: u32,
    pub seats: u32,
    /// Subscriptions left out for want of an exchange rate, with their price's currency.
    pub unconverted: Vec<(i64, Currency)>,
}

/// MRR on `day` of the subscriptions summed by (term months, currency): each group divided and
/// converted once, the total rounded once.
fn mrr_of(sums: BTreeMap<(u32, Currency), Group>, day: NaiveDate, currency: Currency, rates: &[crate::pricing::ExchangeRate]) -> MrrAt {
    let mut m = MrrAt { mrr: Decimal::ZERO, subscriptions: 0, seats: 0, unconverted: Vec::new() };
    for ((months, from), g) in sums {
        match rate_on(rates, from, currency, day) {
            Some(r) => {
                m.mrr += g.amount / Decimal::from(months) * r;
                m.subscriptions += g.ids.len() as u32;
                m.seats += g.seats;
            }
            None => m.unconverted.extend(g.ids.into_iter().map(|id| (id, from))),
        }
    }
    m.mrr = currency.round(m.mrr);
    m.unconverted.sort();
    m
}

impl Store {
    /// Monthly recurring revenue of each month from `from`'s to `to`'s, in the company's
    /// currency, measured on the month's last day, or on `to` for `to`'s own month (so the
    /// current month, up to today, is what the dashboard shows today). See `mrr_on`.
    pub fn mrr_by_month(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<MrrRow>> {
        let company = self.company()?;
        let rates = self.exchange_rates()?;
        let mut months = Vec::new();
        let mut month = NaiveDate::from_ymd_opt(chrono::Datelike::year(&from), chrono::Datelike::month(&from), 1).unwrap();
        while month <= to {
            months.push(month);
            month = add_months(month, 1);
        }
        let days: Vec<NaiveDate> = months.iter().map(|m| month_end(*m).min(to)).collect();
        let mut out = Vec::new();
        for (month, m) in months.into_iter().zip(self.mrr_on_days(&days, company.currency, &rates)?) {
            out.push(MrrRow {
                month: label(month),
                currency: company.currency,
                mrr: m.mrr,
                arr: company.currency.round(m.mrr * Decimal::from(12)),
                subscriptions: m.subscriptions,
                seats: m.seats,
                unconverted: m.unconverted.len() as u32,
            });
        }
        Ok(out)
    }

    /// `mrr_at` of each of `days`, from one reading of the history (a year of months costs what
    /// one month costs): each subscription's events in order, and for each day the last one
    /// effective by then, by the same rule.
    pub(crate) fn mrr_on_days(&self, days: &[NaiveDate], currency: Currency, rates: &[crate::pricing::ExchangeRate]) -> Result<Vec<MrrAt>> {
        if days.len() <= 1 {
            return days.iter().map(|d| self.mrr_at(*d, currency, rates)).collect();
        }
        struct Ev {
            effective: i64,
            paid_for: bool,
            term_end: i64,
            quantity: u32,
            unit_price: Decimal,
            offer: i64,
        }
        // (The history's dates are days: `col::day`.)
        let texts: Vec<i64> = days.iter().map(|d| col::day(*d)).collect();
        let last = texts.iter().max().copied().unwrap_or_default();
        // What is small is read first: whether each subscription renews by itself, and each
        // offer's term and currency.
        let mut renews: HashMap<i64, bool> = HashMap::new();
        for r in self.conn.prepare_cached("SELECT id, auto_renew FROM subscriptions")?.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))? {
            let (id, auto) = r?;
            renews.insert(id, auto);
        }
        let mut offers: HashMap<i64, (u32, Currency)> = HashMap::new();
        {
            let mut stmt = self.conn.prepare_cached("SELECT id, term, price_currency FROM event_offers")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                offers.insert(r.get(0)?, (col::term(r, 1)?.months(), col::currency(r, 2)?));
            }
        }
        // The history in the order it was recorded, read straight through the table (no index),
        // then each subscription's events gathered (a stable sort keeps their order).
        let mut history: Vec<(i64, Ev)> = Vec::new();
        {
            let mut stmt = self.conn.prepare_cached(
                "SELECT subscription_id, effective,
                    trial = 0 AND status IN ('active', 'suspended') AND kind NOT IN ('cancelled', 'expired'),
                    term_end, quantity, unit_price, offer_id
                 FROM subscription_events NOT INDEXED WHERE effective <= ?1 ORDER BY id",
            )?;
            let mut rows = stmt.query([last])?;
            while let Some(r) = rows.next()? {
                history.push((
                    r.get(0)?,
                    Ev {
                        effective: r.get(1)?,
                        paid_for: r.get(2)?,
                        term_end: r.get(3)?,
                        quantity: r.get(4)?,
                        unit_price: col::dec(r, 5)?,
                        offer: r.get(6)?,
                    },
                ));
            }
        }
        history.sort_by_key(|(sub, _)| *sub);
        let mut sums: Vec<BTreeMap<(u32, Currency), Group>> = (0..days.len()).map(|_| BTreeMap::new()).collect();
        for group in history.chunk_by(|a, b| a.0 == b.0) {
            let sub = &group[0].0;
            let Some(&auto_renew) = renews.get(sub) else { continue };
            for (k, day) in texts.iter().enumerate() {
                // The last event (in the order recorded) effective by the day.
                let Some((_, e)) = group.iter().rev().find(|(_, e)| e.effective <= *day) else { continue };
                if !e.paid_for || !(e.term_end >= *day || auto_renew) {
                    continue;
                }
                let Some(&(term, from)) = offers.get(&e.offer) else {
                    return Err(Error::database(format!("a history event refers to no offer ({})", e.offer)));
                };
                let g = sums[k].entry((term, from)).or_default();
                g.amount += e.unit_price * Decimal::from(e.quantity);
                g.seats += e.quantity;
                g.ids.push(*sub);
            }
        }
        Ok(days.iter().zip(sums).map(|(day, sums)| mrr_of(sums, *day, currency, rates)).collect())
    }

    /// The one definition of monthly recurring revenue on a day: seats × resale price per month of
    /// every subscription that is paid for on that day (its last history event effective by then
    /// is active or suspended — suspended ones are still billed — not a trial, and its term has
    /// not ended, unless it renews automatically: the renewal is recorded when the next billing
    /// run reaches it, and it keeps the seats and the price), converted into `currency` at the
    /// rate in force that day and rounded once. A subscription whose last event took effect by
    /// then is read from its own row (which each event records as it was saved); any other's last
    /// event by then is found from the end of its history (one or two rows read).
    pub(crate) fn mrr_at(&self, day: NaiveDate, currency: Currency, rates: &[crate::pricing::ExchangeRate]) -> Result<MrrAt> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.id, s.quantity, s.unit_price AS unit_price, s.term AS term, s.price_currency AS price_currency
             FROM subscriptions s
             WHERE s.last_effective <= ?1 AND s.trial = 0 AND s.status IN ('active', 'suspended')
               AND (s.term_end >= ?2 OR s.auto_renew = 1)
             UNION ALL
             SELECT s.id, e.quantity, e.unit_price, o.term, o.price_currency
             FROM subscriptions s
             JOIN subscription_events e ON e.id = (SELECT x.id FROM subscription_events x
                                                   WHERE x.subscription_id = s.id AND x.effective <= ?1 ORDER BY x.id DESC LIMIT 1)
             JOIN event_offers o ON o.id = e.offer_id
             WHERE (s.last_effective IS NULL OR s.last_effective > ?1)
               AND e.trial = 0 AND e.status IN ('active', 'suspended') AND e.kind NOT IN ('cancelled', 'expired')
               AND (e.term_end >= ?1 OR s.auto_renew = 1)",
        )?;
        // Per (term months, currency): the sum of seats × price per term, divided and converted once.
        let mut sums: BTreeMap<(u32, Currency), Group> = BTreeMap::new();
        let mut rows = stmt.query(params![col::day(day), day.to_string()])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let quantity: u32 = r.get(1)?;
            let price = col::dec(r, "unit_price")?;
            let key = (col::term(r, "term")?.months(), col::currency(r, "price_currency")?);
            let g = sums.entry(key).or_default();
            g.amount += price * Decimal::from(quantity);
            g.seats += quantity;
            g.ids.push(id);
        }
        Ok(mrr_of(sums, day, currency, rates))
    }

    /// Revenue by month of issue: invoiced net less credit notes' net, per currency.
    pub fn revenue_by_month(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<RevenueRow>> {
        let mut rows: BTreeMap<(String, Currency), (i64, i64, i64)> = BTreeMap::new();
        let (a, b) = (from.to_string(), month_end(to).to_string());
        let (first, last) = (col::day(from), col::day(month_end(to)));
        let mut stmt = self
            .conn
            .prepare("SELECT substr(date, 1, 7), currency, sum(net_minor) FROM invoices WHERE day BETWEEN ?1 AND ?2 GROUP BY 1, 2")?;
        for r in
            stmt.query_map(params![first, last], |r| Ok((r.get::<_, String>(0)?, col::currency(r, "currency")?, r.get::<_, i64>(2)?)))?
        {
            let (m, c, v) = r?;
            rows.entry((m, c)).or_default().0 += v;
        }
        let mut stmt = self
            .conn
            .prepare("SELECT substr(date, 1, 7), currency, sum(net_minor) FROM credit_notes WHERE date BETWEEN ?1 AND ?2 GROUP BY 1, 2")?;
        for r in stmt.query_map(params![a, b], |r| Ok((r.get::<_, String>(0)?, col::currency(r, "currency")?, r.get::<_, i64>(2)?)))? {
            let (m, c, v) = r?;
            rows.entry((m, c)).or_default().1 += v;
        }
        let mut stmt = self.conn.prepare(
            "SELECT substr(i.date, 1, 7), i.currency, sum(l.amount_minor) FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
             WHERE l.kind = 'usage' AND i.day BETWEEN ?3 AND ?4 GROUP BY 1, 2
             UNION ALL
             SELECT substr(c.date, 1, 7), c.currency, -sum(n.amount_minor) FROM credit_note_lines n
             JOIN credit_notes c ON c.id = n.credit_note_id JOIN invoice_lines l ON l.id = n.invoice_line_id
             WHERE l.kind = 'usage' AND c.date BETWEEN ?1 AND ?2 GROUP BY 1, 2",
        )?;
        for r in stmt
            .query_map(params![a, b, first, last], |r| Ok((r.get::<_, String>(0)?, col::currency(r, "currency")?, r.get::<_, i64>(2)?)))?
        {
            let (m, c, v) = r?;
            rows.entry((m, c)).or_default().2 += v;
        }
        Ok(rows
            .into_iter()
            .map(|((month, c), (inv, cn, azure))| RevenueRow {
                month,
                currency: c,
                invoiced: c.from_minor(inv),
                credited: c.from_minor(cn),
                net: c.from_minor(inv - cn),
                azure: c.from_minor(azure),
            })
            .collect())
    }

    /// Margin of invoiced licences and Azure usage (resale against the locked cost, or Microsoft's
    /// cost of the usage) by customer or by product (Azure usage as one product),
    /// for invoices dated in [from, to]. Lines whose cost is unknown (issued before costs were
    /// recorded, or with no exchange rate for the cost) are left out.
    pub fn margin(&self, from: NaiveDate, to: NaiveDate, by_product: bool) -> Result<Vec<MarginRow>> {
        let key = if by_product {
            "CASE WHEN l.kind = 'usage' THEN 'Azure usage' ELSE IFNULL(s.product_title || ' (' || s.product_id || ':' || s.sku_id || ')', (SELECT t.text FROM line_texts t WHERE t.id = l.text_id)) END"
        } else {
            "(SELECT p.name FROM parties p WHERE p.id = i.customer_party_id)"
        };
        let sql = format!(
            "SELECT {key}, i.currency, sum(l.amount_minor), sum(l.cost_minor)
             FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id LEFT JOIN subscriptions s ON s.id = l.subscription_id
             WHERE i.day BETWEEN ?1 AND ?2 AND l.kind IN ('licence', 'proration', 'usage') AND l.cost_minor IS NOT NULL
             GROUP BY 1, 2 ORDER BY 1, 2"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params![col::day(from), col::day(to)], |r| {
            let c = col::currency(r, "currency")?;
            let (revenue, cost) = (c.from_minor(r.get(2)?), c.from_minor(r.get(3)?));
            let margin = revenue - cost;
            Ok(MarginRow {
                key: r.get(0)?,
                currency: c,
                revenue,
                cost,
                margin,
                margin_percent: (!revenue.is_zero()).then(|| crate::money::round_half_away(margin * Decimal::ONE_HUNDRED / revenue, 2)),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// For customers with overdue invoices on `as_of`: what the reseller still owes Microsoft for
    /// their committed terms (the cost of every charge cycle of the current term not yet started).
    pub fn exposure(&self, as_of: NaiveDate) -> Result<Vec<ExposureRow>> {
        let overdue: Vec<i64> =
            self.aging(as_of)?.rows.iter().filter(|r| r.buckets[1..].iter().any(|b| *b > Decimal::ZERO)).map(|r| r.customer_id).collect();
        let mut out = Vec::new();
        for c in overdue {
            let name = self.customer(c)?.name;
            for s in self.list_subscriptions(Some(c), None)? {
                if !s.status.is_live() || s.trial {
                    continue;
                }
                let per_cycle = s.price.unit_cost / Decimal::from(cycles_per_term(s.term, s.billing));
                let future = charge_cycles(s.term_start, s.term, s.billing).iter().filter(|cy| cy.start > as_of).count();
                let remaining = per_cycle * Decimal::from(future as u32) * Decimal::from(s.quantity);
                if future == 0 {
                    continue;
                }
                out.push(ExposureRow {
                    customer_id: c,
                    customer_name: name.clone(),
                    subscription_id: s.id,
                    product: format!("{} ({})", s.product_title, s.product),
                    seats: s.quantity,
                    term_end: s.term_end,
                    remaining_cost: s.price.cost_currency.round(remaining),
                    cost_currency: s.price.cost_currency,
                });
            }
        }
        Ok(out)
    }

    /// Cancellations and expiries by month, with the seats they took away.
    pub fn churn(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<ChurnRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT strftime('%Y-%m', effective * 86400, 'unixepoch'), kind, count(*), sum(quantity) FROM subscription_events
             WHERE kind IN ('cancelled', 'expired') AND effective BETWEEN ?1 AND ?2 GROUP BY 1, 2 ORDER BY 1",
        )?;
        let mut rows: BTreeMap<String, ChurnRow> = BTreeMap::new();
        for r in stmt.query_map(params![col::day(from), col::day(month_end(to))], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, u32>(2)?, r.get::<_, u32>(3)?))
        })? {
            let (month, kind, n, seats) = r?;
            let row = rows.entry(month.clone()).or_insert(ChurnRow { month, cancelled: 0, expired: 0, seats_lost: 0 });
            if kind == "cancelled" {
                row.cancelled += n;
            } else {
                row.expired += n;
            }
            row.seats_lost += seats;
        }
        Ok(rows.into_values().collect())
    }
}
