//! Receivables in the database: payments, refunds and reversals (append-only), their allocation
//! to invoices, customer credit applied to later invoices, balances and aging.

use super::{col, Store};
use crate::error::{Error, Result};
use crate::money::Currency;
use crate::receivables::{allocate, bucket, status, InvoiceStatus, Method, OpenItem, BUCKETS};
use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize)]
pub struct AllocationView {
    pub invoice: String,
    pub date: NaiveDate,
    pub amount: Decimal,
}

#[derive(Debug, Clone, Serialize)]
pub struct PaymentView {
    pub id: i64,
    pub customer_id: i64,
    /// payment, refund or reversal.
    pub kind: String,
    pub date: NaiveDate,
    pub amount: Decimal,
    pub currency: Currency,
    pub method: String,
    pub reference: String,
    /// For a reversal: the payment it reverses. For a payment: the reversal, if any.
    pub reverses: Option<i64>,
    pub reversed_by: Option<i64>,
    pub allocations: Vec<AllocationView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OpenInvoice {
    pub number: String,
    pub date: NaiveDate,
    pub due_date: NaiveDate,
    pub total: Decimal,
    pub credited: Decimal,
    pub paid: Decimal,
    pub open: Decimal,
    pub status: InvoiceStatus,
    pub days_overdue: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Account {
    pub customer_id: i64,
    pub customer_name: String,
    pub currency: Currency,
    pub as_of: NaiveDate,
    pub invoiced: Decimal,
    pub credited: Decimal,
    pub received: Decimal,
    pub refunded: Decimal,
    /// What the customer owes (negative: the reseller owes the customer).
    pub balance: Decimal,
    /// Money received and not yet applied to an invoice.
    pub credit: Decimal,
    pub invoices: Vec<OpenInvoice>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AgingRow {
    pub customer_id: i64,
    pub customer_name: String,
    pub currency: Currency,
    /// current, 1–30, 31–60, 61–90, over 90 days past due.
    pub buckets: [Decimal; 5],
    pub total: Decimal,
    pub credit: Decimal,
}

#[derive(Debug, Clone, Serialize)]
pub struct AgingReport {
    pub as_of: NaiveDate,
    pub buckets: [&'static str; 5],
    pub rows: Vec<AgingRow>,
    /// Per currency.
    pub totals: Vec<AgingRow>,
}

/// One invoice's money as of a day, in minor units.
pub(crate) struct InvoiceMoney {
    pub(super) id: i64,
    pub(super) number: String,
    pub(super) customer_id: i64,
    pub(super) date: NaiveDate,
    pub(super) due: NaiveDate,
    pub(super) currency: Currency,
    pub(super) total: i64,
    pub(super) credited: i64,
    pub(super) paid: i64,
}

impl InvoiceMoney {
    /// Of a row of id, number, customer, day, payment terms, due date kept, currency, total,
    /// credited and paid.
    fn from_row(r: &rusqlite::Row) -> rusqlite::Result<InvoiceMoney> {
        Ok(InvoiceMoney {
            id: r.get(0)?,
            number: r.get(1)?,
            customer_id: r.get(2)?,
            date: col::date(r, 3)?,
            due: col::due(r, 3)?,
            currency: col::currency(r, 6)?,
            total: r.get(7)?,
            credited: r.get(8)?,
            paid: r.get(9)?,
        })
    }

    /// What is still owed on it (`receivables::open_minor`).
    pub(super) fn open(&self) -> i64 {
        crate::receivables::open_minor(self.total, self.credited, self.paid)
    }

    pub(super) fn status(&self, as_of: NaiveDate) -> crate::receivables::InvoiceStatus {
        crate::receivables::status(self.total, self.credited, self.paid, self.due, as_of)
    }

    /// Where it stands on `as_of`, as lists show it: one dated later is open in full.
    pub(super) fn state(&self, as_of: NaiveDate) -> super::InvoiceState {
        let c = self.currency;
        if self.date > as_of {
            let total = c.from_minor(self.total);
            return super::InvoiceState {
                status: crate::receivables::InvoiceStatus::Open,
                credited: Decimal::ZERO,
                paid: Decimal::ZERO,
                open: total,
            };
        }
        super::InvoiceState {
            status: self.status(as_of),
            credited: c.from_minor(self.credited),
            paid: c.from_minor(self.paid),
            open: c.from_minor(self.open()),
        }
    }
}

impl Store {
    /// Every invoice dated on or before `as_of` of one customer, or, for all customers, every
    /// one with money still open (or overpaid), with what was credited and paid on it by then.
    pub(super) fn invoice_money(&self, customer_id: Option<i64>, as_of: NaiveDate) -> Result<Vec<InvoiceMoney>> {
        let Some(customer_id) = customer_id else { return self.open_invoice_money(as_of) };
        self.every_invoice_money(Some(customer_id), as_of)
    }

    /// Every invoice not settled on `as_of` (money open or overpaid, or dated later: open in
    /// full), newest first, with where it stands: what the invoice list's filters by status read
    /// (`open_invoice_money`, not a reading of every invoice).
    pub fn unsettled_invoices(&self, as_of: NaiveDate) -> Result<Vec<(i64, InvoiceStatus)>> {
        let mut out: Vec<(i64, InvoiceStatus)> = self.open_invoice_money(as_of)?.iter().map(|i| (i.id, i.state(as_of).status)).collect();
        let mut stmt = self.conn.prepare_cached("SELECT id FROM invoices WHERE day > ?1")?;
        for id in stmt.query_map([col::day(as_of)], |r| r.get(0))? {
            out.push((id?, InvoiceStatus::Open));
        }
        // Ids follow the numbers (each takes the next of its series as it is issued).
        out.sort_by_key(|(id, _)| std::cmp::Reverse(*id));
        Ok(out)
    }

    /// Every invoice dated on or before `as_of`, of one customer or of all, settled ones too (the
    /// invoice list), with what was credited and paid on it by then.
    pub(super) fn every_invoice_money(&self, customer_id: Option<i64>, as_of: NaiveDate) -> Result<Vec<InvoiceMoney>> {
        // One customer: through the (customer_id, date) index, a subquery per invoice.
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT i.id, i.number, i.customer_id, i.day, i.payment_terms_days, i.due_kept, i.currency, i.total_minor,
                (SELECT IFNULL(sum(c.total_minor), 0) FROM credit_notes c WHERE c.invoice_id = i.id AND c.date <= ?2) AS credited,
                (SELECT IFNULL(sum(a.amount_minor), 0) FROM allocations a WHERE a.invoice_id = i.id AND a.day <= ?3) AS paid
             FROM invoices i WHERE {} AND i.day <= ?3 ORDER BY i.day, i.id",
            super::filter(customer_id.is_some(), "i.customer_id = ?1", 1)
        ))?;
        let rows = stmt.query_map(params![customer_id, as_of.to_string(), col::day(as_of)], InvoiceMoney::from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Every customer's invoices with money open (or overpaid) as of `as_of`, oldest first (aging,
    /// reminders, the dashboard). From the latest day money was applied on (today, as a rule),
    /// they are the invoices the book keeps as not yet settled (`invoices_unsettled`); for an
    /// earlier day, credit notes and allocations are summed per invoice in one pass each, then
    /// the invoices are read once in id order and only the open ones decoded. (SQLite would join
    /// the grouped sums through a temporary index, twice as slow over two years of invoices.)
    fn open_invoice_money(&self, as_of: NaiveDate) -> Result<Vec<InvoiceMoney>> {
        let day = col::day(as_of);
        let horizon: Option<i64> =
            self.conn.prepare_cached("SELECT last_day FROM money_horizon")?.query_row([], |r| r.get(0)).optional()?;
        if horizon.is_none_or(|last| last <= day) {
            let mut stmt = self.conn.prepare_cached(
                "SELECT i.id, i.number, i.customer_id, i.day, i.payment_terms_days, i.due_kept, i.currency, i.total_minor,
                    u.credited_minor, u.paid_minor
                 FROM invoices_unsettled u JOIN invoices i ON i.id = u.invoice_id WHERE i.day <= ?1",
            )?;
            let rows = stmt.query_map([day], InvoiceMoney::from_row)?;
            let mut out = rows.collect::<rusqlite::Result<Vec<_>>>()?;
            out.sort_by_key(|i| (i.date, i.id));
            return Ok(out);
        }
        self.open_invoice_money_read_through(as_of)
    }

    /// `open_invoice_money` of any day, read from every invoice, credit note and allocation.
    fn open_invoice_money_read_through(&self, as_of: NaiveDate) -> Result<Vec<InvoiceMoney>> {
        let (date, day) = (as_of.to_string(), col::day(as_of));
        let mut settled: std::collections::HashMap<i64, (i64, i64)> = std::collections::HashMap::new();
        let mut stmt = self.conn.prepare_cached("SELECT invoice_id, total_minor FROM credit_notes WHERE date <= ?1")?;
        let mut rows = stmt.query([&date])?;
        while let Some(r) = rows.next()? {
            settled.entry(r.get(0)?).or_default().0 += r.get::<_, i64>(1)?;
        }
        let mut stmt = self.conn.prepare_cached("SELECT invoice_id, amount_minor FROM allocations WHERE day <= ?1")?;
        let mut rows = stmt.query([day])?;
        while let Some(r) = rows.next()? {
            settled.entry(r.get(0)?).or_default().1 += r.get::<_, i64>(1)?;
        }
        let mut out = Vec::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, number, customer_id, day, payment_terms_days, due_kept, currency, total_minor FROM invoices WHERE day <= ?1",
        )?;
        let mut rows = stmt.query([day])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let total: i64 = r.get(7)?;
            let (credited, paid) = settled.get(&id).copied().unwrap_or_default();
            if total - credited - paid == 0 {
                continue;
            }
            out.push(InvoiceMoney {
                id,
                number: r.get(1)?,
                customer_id: r.get(2)?,
                date: col::date(r, 3)?,
                due: col::due(r, 3)?,
                currency: col::currency(r, 6)?,
                total,
                credited,
                paid,
            });
        }
        out.sort_by_key(|i| (i.date, i.id));
        Ok(out)
    }

    /// Money received and not applied, per payment (oldest first), in minor units: payments not
    /// reversed, less their allocations, less refunds taken from the oldest first.
    fn unapplied(&self, customer_id: i64, as_of: NaiveDate) -> Result<Vec<(i64, i64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT p.id, p.amount_minor - IFNULL((SELECT sum(a.amount_minor) FROM allocations a WHERE a.payment_id = p.id AND a.day <= ?2), 0)
             FROM payments p
             WHERE p.customer_id = ?1 AND p.kind = 'payment' AND p.day <= ?2
               AND NOT EXISTS (SELECT 1 FROM payments r WHERE r.reverses_id = p.id AND r.day <= ?2)
             ORDER BY p.day, p.id",
        )?;
        let mut left: Vec<(i64, i64)> =
            stmt.query_map(params![customer_id, col::day(as_of)], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
        let mut refunded: i64 = self.conn.query_row(
            "SELECT IFNULL(sum(amount_minor), 0) FROM payments WHERE customer_id = ?1 AND kind = 'refund' AND day <= ?2",
            params![customer_id, col::day(as_of)],
            |r| r.get(0),
        )?;
        for (_, amount) in left.iter_mut() {
            let take = refunded.min(*amount).max(0);
            *amount -= take;
            refunded -= take;
        }
        left.retain(|(_, a)| *a > 0);
        Ok(left)
    }

    /// Every customer's unapplied money as of a day, in minor units: the sum of what
    /// `unapplied` returns for each, in two grouped queries.
    fn unapplied_all(&self, as_of: NaiveDate) -> Result<std::collections::HashMap<i64, i64>> {
        // Read straight through: what was allocated from each payment, the payments reversed,
        // then each payment and refund (grouping in SQL joins through temporary indexes).
        let day = col::day(as_of);
        let mut allocated: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
        let mut stmt = self.conn.prepare_cached("SELECT payment_id, amount_minor FROM allocations WHERE day <= ?1")?;
        let mut rows = stmt.query([day])?;
        while let Some(r) = rows.next()? {
            *allocated.entry(r.get(0)?).or_default() += r.get::<_, i64>(1)?;
        }
        let mut reversed = std::collections::HashSet::new();
        let mut stmt = self.conn.prepare_cached("SELECT reverses_id FROM payments WHERE kind = 'reversal' AND day <= ?1")?;
        let mut rows = stmt.query([day])?;
        while let Some(r) = rows.next()? {
            reversed.insert(r.get::<_, i64>(0)?);
        }
        let mut left: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
        let mut refunded: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
        let mut stmt =
            self.conn.prepare_cached("SELECT id, customer_id, kind, amount_minor FROM payments WHERE day <= ?1 AND kind <> 'reversal'")?;
        let mut rows = stmt.query([day])?;
        while let Some(r) = rows.next()? {
            let (id, customer, amount): (i64, i64, i64) = (r.get(0)?, r.get(1)?, r.get(3)?);
            match col::text(r, 2)? {
                "payment" if !reversed.contains(&id) => {
                    *left.entry(customer).or_default() += amount - allocated.get(&id).copied().unwrap_or(0);
                }
                "refund" => *refunded.entry(customer).or_default() += amount,
                _ => {}
            }
        }
        for (customer, r) in refunded {
            if let Some(v) = left.get_mut(&customer) {
                *v -= r;
            }
        }
        // Each payment's rest is never negative, so refunds taken oldest first leave this.
        left.retain(|_, v| *v > 0);
        Ok(left)
    }

    /// Customers (among `ids`) who have unapplied money, for applying it after a billing run.
    pub(crate) fn customers_with_credit(&self) -> Result<Vec<i64>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT customer_id FROM payments GROUP BY customer_id
             HAVING sum(CASE kind WHEN 'payment' THEN amount_minor WHEN 'refund' THEN -amount_minor ELSE -amount_minor END)
                    - IFNULL((SELECT sum(a.amount_minor) FROM allocations a JOIN payments p ON p.id = a.payment_id WHERE p.customer_id = payments.customer_id), 0) > 0",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    fn invoice_ids(&self, customer_id: i64, numbers: &[String]) -> Result<Vec<i64>> {
        numbers
            .iter()
            .map(|n| {
                let row: Option<(i64, i64)> = self
                    .conn
                    .query_row("SELECT id, customer_id FROM invoices WHERE number = ?1", [n.trim()], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                match row {
                    Some((id, c)) if c == customer_id => Ok(id),
                    Some(_) => Err(Error::invalid("invoice", format!("invoice {} belongs to another customer", n.trim()))),
                    None => Err(Error::not_found(format!("there is no invoice {}", n.trim())).with_field("invoice")),
                }
            })
            .collect()
    }

    /// Record money received and apply it: to the picked invoices first, then oldest first; the
    /// rest stays as credit for the next invoices.
    #[allow(clippy::too_many_arguments)]
    pub fn add_payment(
        &mut self,
        customer_id: i64,
        date: NaiveDate,
        amount: Decimal,
        method: Method,
        reference: &str,
        invoices: &[String],
        at: &str,
    ) -> Result<PaymentView> {
        let c = self.customer(customer_id).map_err(|e| e.with_field("customer"))?;
        if amount <= Decimal::ZERO {
            return Err(Error::invalid("amount", "the amount must be more than zero"));
        }
        if c.currency.round(amount) != amount {
            return Err(Error::invalid("amount", format!("{amount} has more decimals than {} allows", c.currency)));
        }
        let id = self.write(|s| {
            let picks = s.invoice_ids(customer_id, invoices)?;
            s.conn.execute(
                "INSERT INTO payments (customer_id, kind, day, amount_minor, currency, method, reference, recorded_at) VALUES (?1, 'payment', ?2, ?3, ?4, ?5, ?6, ?7)",
                params![customer_id, col::day(date), c.currency.to_minor(amount), c.currency.code(), method.as_str(), reference.trim(), col::moment(at)],
            )?;
            let id = s.conn.last_insert_rowid();
            s.apply_credit(customer_id, date, &picks)?;
            Ok(id)
        })?;
        self.payment(id)
    }

    /// Reverse a payment (a bounced debit order, a chargeback): a new entry, never a deletion.
    /// Its allocations are undone, so the invoices it paid are open again.
    pub fn reverse_payment(&mut self, id: i64, date: NaiveDate, reference: &str, at: &str) -> Result<PaymentView> {
        let p = self.payment(id)?;
        if p.kind != "payment" {
            return Err(Error::refused(format!("entry {id} is a {}; only payments can be reversed", p.kind)).with_field("id"));
        }
        if let Some(r) = p.reversed_by {
            return Err(Error::refused(format!("payment {id} was already reversed by entry {r}")).with_field("id"));
        }
        if date < p.date {
            return Err(Error::invalid("date", format!("a reversal cannot be dated before the payment ({})", p.date)));
        }
        let rid = self.write(|s| {
            s.conn.execute(
                "INSERT INTO payments (customer_id, kind, day, amount_minor, currency, method, reference, reverses_id, recorded_at)
                 SELECT customer_id, 'reversal', ?2, amount_minor, currency, method, ?3, id, ?4 FROM payments WHERE id = ?1",
                params![id, col::day(date), reference.trim(), col::moment(at)],
            )?;
            let rid = s.conn.last_insert_rowid();
            s.conn.execute(
                "INSERT INTO allocations (payment_id, invoice_id, day, amount_minor)
                 SELECT payment_id, invoice_id, ?2, -sum(amount_minor) FROM allocations WHERE payment_id = ?1
                 GROUP BY invoice_id HAVING sum(amount_minor) <> 0",
                params![id, col::day(date)],
            )?;
            // Other money the customer has may now cover the reopened invoices.
            s.apply_credit(p.customer_id, date, &[])?;
            Ok(rid)
        })?;
        self.payment(rid)
    }

    /// Pay a customer's credit back to them.
    pub fn refund_credit(
        &mut self,
        customer_id: i64,
        amount: Decimal,
        date: NaiveDate,
        method: Method,
        reference: &str,
        at: &str,
    ) -> Result<PaymentView> {
        let c = self.customer(customer_id).map_err(|e| e.with_field("customer"))?;
        if amount <= Decimal::ZERO || c.currency.round(amount) != amount {
            return Err(Error::invalid("amount", "the amount must be more than zero, in the customer's currency"));
        }
        let id = self.write(|s| {
            let credit: i64 = s.unapplied(customer_id, date)?.iter().map(|(_, a)| a).sum();
            let wanted = c.currency.to_minor(amount);
            if wanted > credit {
                return Err(Error::refused(format!(
                    "customer {customer_id} has {} {} of credit on {date}; {amount} is more than that",
                    c.currency.from_minor(credit),
                    c.currency
                ))
                .with_field("amount"));
            }
            s.conn.execute(
                "INSERT INTO payments (customer_id, kind, day, amount_minor, currency, method, reference, recorded_at) VALUES (?1, 'refund', ?2, ?3, ?4, ?5, ?6, ?7)",
                params![customer_id, col::day(date), wanted, c.currency.code(), method.as_str(), reference.trim(), col::moment(at)],
            )?;
            Ok(s.conn.last_insert_rowid())
        })?;
        self.payment(id)
    }

    pub fn payment(&self, id: i64) -> Result<PaymentView> {
        let p = self
            .conn
            .query_row(
                "SELECT p.*, (SELECT r.id FROM payments r WHERE r.reverses_id = p.id) AS reversed_by FROM payments p WHERE p.id = ?1",
                [id],
                |r| {
                    let currency = col::currency(r, "currency")?;
                    Ok(PaymentView {
                        id: r.get("id")?,
                        customer_id: r.get("customer_id")?,
                        kind: r.get("kind")?,
                        date: col::date(r, "date")?,
                        amount: currency.from_minor(r.get("amount_minor")?),
                        currency,
                        method: r.get("method")?,
                        reference: r.get("reference")?,
                        reverses: r.get("reverses_id")?,
                        reversed_by: r.get("reversed_by")?,
                        allocations: Vec::new(),
                    })
                },
            )
            .optional()?
            .ok_or_else(|| Error::not_found(format!("there is no payment {id}")).with_field("id"))?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT i.number, a.date, a.amount_minor FROM allocations a JOIN invoices i ON i.id = a.invoice_id WHERE a.payment_id = ?1 ORDER BY a.id",
        )?;
        let allocations = stmt
            .query_map([p.reverses.unwrap_or(p.id)], |r| {
                Ok(AllocationView { invoice: r.get(0)?, date: col::date(r, "date")?, amount: p.currency.from_minor(r.get(2)?) })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(PaymentView { allocations, ..p })
    }

    /// Payments, refunds and reversals, oldest first.
    pub fn list_payments(&self, customer_id: Option<i64>) -> Result<Vec<PaymentView>> {
        let ids: Vec<i64> = {
            let mut stmt = self.conn.prepare_cached(&format!(
                "SELECT id FROM payments WHERE {} ORDER BY day, id",
                super::filter(customer_id.is_some(), "customer_id = ?1", 1)
            ))?;
            let rows = stmt.query_map([customer_id], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        ids.into_iter().map(|id| self.payment(id)).collect()
    }

    /// A customer's account as of a day: what was invoiced, credited, received and refunded, the
    /// balance, the unapplied credit, and every invoice still open.
    pub fn account(&self, customer_id: i64, as_of: NaiveDate) -> Result<Account> {
        let c = self.customer(customer_id)?;
        let cur = c.currency;
        let invoices = self.invoice_money(Some(customer_id), as_of)?;
        let sums: (i64, i64, i64) = self.conn.query_row(
            "SELECT IFNULL(sum(CASE kind WHEN 'payment' THEN amount_minor END), 0),
                    IFNULL(sum(CASE kind WHEN 'reversal' THEN amount_minor END), 0),
                    IFNULL(sum(CASE kind WHEN 'refund' THEN amount_minor END), 0)
             FROM payments WHERE customer_id = ?1 AND date <= ?2",
            params![customer_id, as_of.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let (paid_in, reversed, refunded) = sums;
        let invoiced: i64 = invoices.iter().map(|i| i.total).sum();
        let credited: i64 = invoices.iter().map(|i| i.credited).sum();
        let credit: i64 = self.unapplied(customer_id, as_of)?.iter().map(|(_, a)| a).sum();
        let open = invoices
            .iter()
            .filter(|i| i.open() > 0)
            .map(|i| OpenInvoice {
                number: i.number.clone(),
                date: i.date,
                due_date: i.due,
                total: cur.from_minor(i.total),
                credited: cur.from_minor(i.credited),
                paid: cur.from_minor(i.paid),
                open: cur.from_minor(i.open()),
                status: status(i.total, i.credited, i.paid, i.due, as_of),
                days_overdue: (as_of - i.due).num_days().max(0),
            })
            .collect();
        Ok(Account {
            customer_id,
            customer_name: c.name,
            currency: cur,
            as_of,
            invoiced: cur.from_minor(invoiced),
            credited: cur.from_minor(credited),
            received: cur.from_minor(paid_in - reversed),
            refunded: cur.from_minor(refunded),
            balance: cur.from_minor(invoiced - credited - (paid_in - reversed) + refunded),
            credit: cur.from_minor(credit),
            invoices: open,
        })
    }

    /// The status of an issued invoice as of a day.
    pub fn invoice_status(&self, number: &str, as_of: NaiveDate) -> Result<(InvoiceStatus, Decimal)> {
        let inv = self.invoice(number)?;
        let money = self.invoice_money(Some(inv.customer_id), as_of)?;
        let m = money
            .iter()
            .find(|m| m.number == number.trim())
            .ok_or_else(|| Error::not_found(format!("invoice {number} is dated after {as_of}")))?;
        Ok((m.status(as_of), m.currency.from_minor(m.open())))
    }

    /// Aging of what is open as of a day, per customer and in total per currency.
    pub fn aging(&self, as_of: NaiveDate) -> Result<AgingReport> {
        let names: BTreeMap<i64, String> = self
            .conn
            .prepare_cached("SELECT id, name FROM customers")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut rows: BTreeMap<(i64, Currency), [i64; 5]> = BTreeMap::new();
        for i in self.invoice_money(None, as_of)? {
            // Unclamped: an overpaid invoice shows what the customer is owed.
            let open = i.total - i.credited - i.paid;
            if open != 0 {
                rows.entry((i.customer_id, i.currency)).or_default()[bucket(i.due, as_of)] += open;
            }
        }
        let mut out = Vec::new();
        let mut totals: BTreeMap<Currency, ([i64; 5], i64)> = BTreeMap::new();
        let credits = self.unapplied_all(as_of)?;
        for ((customer_id, cur), b) in rows {
            let credit: i64 = credits.get(&customer_id).copied().unwrap_or(0);
            let t = totals.entry(cur).or_default();
            for (total, v) in t.0.iter_mut().zip(b) {
                *total += v;
            }
            t.1 += credit;
            out.push(AgingRow {
                customer_id,
                customer_name: names.get(&customer_id).cloned().unwrap_or_default(),
                currency: cur,
                buckets: b.map(|v| cur.from_minor(v)),
                total: cur.from_minor(b.iter().sum()),
                credit: cur.from_minor(credit),
            });
        }
        let totals = totals
            .into_iter()
            .map(|(cur, (b, credit))| AgingRow {
                customer_id: 0,
                customer_name: "Total".into(),
                currency: cur,
                buckets: b.map(|v| cur.from_minor(v)),
                total: cur.from_minor(b.iter().sum()),
                credit: cur.from_minor(credit),
            })
            .collect();
        Ok(AgingReport { as_of, buckets: BUCKETS, rows: out, totals })
    }
}

/// Writes: only inside a transaction (`Store::write`).
impl super::Tx<'_> {
    /// Apply a customer's unapplied money to their open invoices, oldest first (picked invoices
    /// first). Runs inside the caller's transaction.
    pub(crate) fn apply_credit(&self, customer_id: i64, date: NaiveDate, picks: &[i64]) -> Result<()> {
        let mut money = self.unapplied(customer_id, date)?;
        if money.is_empty() {
            return Ok(());
        }
        // Every open invoice, also one dated after the money came in (an invoice issued ahead of
        // its date, paid early): that allocation is dated on the invoice's day.
        let mut open: Vec<OpenItem> = self
            .invoice_money(Some(customer_id), NaiveDate::from_ymd_opt(9999, 12, 31).expect("a valid date"))?
            .into_iter()
            .filter(|i| i.open() > 0)
            .map(|i| OpenItem { invoice_id: i.id, date: i.date, open: i.open() })
            .collect();
        let mut insert =
            self.conn.prepare_cached("INSERT INTO allocations (payment_id, invoice_id, day, amount_minor) VALUES (?1, ?2, ?3, ?4)")?;
        for (payment_id, available) in money.iter_mut() {
            for (invoice_id, amount) in allocate(&open, picks, *available) {
                let invoice_date = open.iter().find(|o| o.invoice_id == invoice_id).map(|o| o.date).unwrap_or(date);
                insert.execute(params![*payment_id, invoice_id, col::day(date.max(invoice_date)), amount])?;
                *available -= amount;
                if let Some(o) = open.iter_mut().find(|o| o.invoice_id == invoice_id) {
                    o.open -= amount;
                }
            }
            open.retain(|o| o.open > 0);
        }
        Ok(())
    }
}
