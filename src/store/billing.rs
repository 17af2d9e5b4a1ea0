//! Billing in the database: load the snapshot the engine needs, preview a month (renewals and
//! drafts inside a transaction that is rolled back), issue it (the same, committed, with gapless
//! numbers), and credit notes. Issued documents are immutable: triggers refuse any change.

use super::{col, Store};
use crate::billing::documents::{draft_view, month_label, unit};
use crate::billing::engine::{vat_summary, VatLine};
use crate::billing::{
    bill, credit_draft, BillingRun, Charge, CreditDraft, CreditMode, CreditNoteView, CustomerBook, Draft, DraftLine, InstalmentPlan,
    InvoiceLineView, InvoiceView, LineKind, Problem, Service, ServiceBasis, Snapshot, SubscriptionBook,
};
use crate::catalogue::ProductKey;
use crate::company::{format_number, Company};
use crate::dates::{add_days, month_end};
use crate::error::{Error, Result};
use crate::money::Currency;
use chrono::{Datelike, NaiveDate};
use rusqlite::{params, OptionalExtension, Row};
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};

/// What the engine reads: every customer's book, the keys already billed, product titles, and
/// the catch-up horizon.
type Books = (Vec<CustomerBook>, HashSet<String>, HashMap<ProductKey, String>, NaiveDate);

/// How far back a run looks for recurring items never billed (a year of skipped months).
const CATCH_UP_DAYS: i64 = 400;

fn charge_from_row(r: &Row) -> rusqlite::Result<Charge> {
    Ok(Charge {
        id: r.get("id")?,
        customer_id: r.get("customer_id")?,
        date: col::date(r, "date")?,
        description: r.get("description")?,
        quantity: col::dec(r, "quantity")?,
        unit_price: col::dec(r, "unit_price")?,
        currency: col::currency(r, "currency")?,
    })
}

fn service_from_row(r: &Row) -> rusqlite::Result<Service> {
    Ok(Service {
        id: r.get("id")?,
        customer_id: r.get("customer_id")?,
        description: r.get("description")?,
        basis: col::parse_with(r, "basis", |s| match s {
            "flat" => Some(ServiceBasis::Flat),
            "per-seat" => Some(ServiceBasis::PerSeat),
            _ => None,
        })?,
        subscription_id: r.get("subscription_id")?,
        amount: col::dec(r, "amount")?,
        currency: col::currency(r, "currency")?,
        start: col::date(r, "start")?,
        end: col::opt_date(r, "end")?,
    })
}

fn plan_from_row(r: &Row) -> rusqlite::Result<InstalmentPlan> {
    Ok(InstalmentPlan {
        id: r.get("id")?,
        customer_id: r.get("customer_id")?,
        description: r.get("description")?,
        total: col::dec(r, "total")?,
        currency: col::currency(r, "currency")?,
        count: r.get("count")?,
        start: col::date(r, "start")?,
    })
}

fn line_from_row(r: &Row, currency: Currency) -> rusqlite::Result<InvoiceLineView> {
    Ok(InvoiceLineView {
        position: r.get("position")?,
        description: r.get("description")?,
        kind: col::parse_with(r, "kind", LineKind::parse)?,
        subscription_id: r.get("subscription_id")?,
        period_start: col::opt_date(r, "period_start")?,
        period_end: col::opt_date(r, "period_end")?,
        quantity: col::dec(r, "quantity")?,
        unit_price: col::dec(r, "unit_price")?,
        amount: currency.from_minor(r.get("amount_minor")?),
        vat_rate: col::dec(r, "vat_rate")?,
        fx_rate: col::opt_dec(r, "fx_rate")?,
        fx_from: {
            let s: Option<String> = r.get("fx_from")?;
            s.and_then(|s| Currency::parse(&s, "fx_from").ok())
        },
        credited: r.get("credited")?,
    })
}

impl Store {
    /// Everything the engine needs for `month`, in a handful of queries.
    fn billing_books(&self, month: NaiveDate) -> Result<Books> {
        let horizon = add_days(month, -CATCH_UP_DAYS);
        let last_day = month_end(month);
        let mut customers: Vec<CustomerBook> = self
            .list_customers(None, true, None)?
            .into_iter()
            .map(|c| CustomerBook {
                customer: c,
                subscriptions: Vec::new(),
                charges: Vec::new(),
                services: Vec::new(),
                instalments: Vec::new(),
            })
            .collect();
        customers.sort_by_key(|b| b.customer.id);
        let index: HashMap<i64, usize> = customers.iter().enumerate().map(|(i, b)| (b.customer.id, i)).collect();

        let mut billed_through: HashMap<i64, NaiveDate> = HashMap::new();
        {
            let mut stmt = self
                .conn
                .prepare("SELECT subscription_id, max(period_start) FROM invoice_lines WHERE kind = 'licence' GROUP BY subscription_id")?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
            for row in rows {
                let (id, d) = row?;
                if let Ok(d) = NaiveDate::parse_from_str(&d, "%Y-%m-%d") {
                    billed_through.insert(id, d);
                }
            }
        }
        // Subscriptions still billable this month: running, or ended after the catch-up horizon.
        let subs = {
            let mut stmt = self.conn.prepare(
                "SELECT * FROM subscriptions WHERE (status IN ('active', 'suspended') OR ended_on >= ?1) AND purchased_on <= ?2 ORDER BY id",
            )?;
            let at = super::col::Positions::of(&stmt, super::subscriptions::SubCol::NAMES)?;
            let rows =
                stmt.query_map(params![horizon.to_string(), last_day.to_string()], |r| super::subscriptions::subscription_at(r, &at))?;
            rows.collect::<rusqlite::Result<Vec<_>>>()?
        };
        let mut events: HashMap<i64, Vec<crate::subscription::Event>> = HashMap::with_capacity(subs.len());
        {
            let mut stmt = self.conn.prepare("SELECT * FROM subscription_events ORDER BY subscription_id, id")?;
            let at = super::col::Positions::of(&stmt, super::subscriptions::EventCol::NAMES)?;
            let rows = stmt.query_map([], |r| super::subscriptions::event_at(r, &at))?;
            for e in rows {
                let e = e?;
                events.entry(e.subscription_id).or_default().push(e);
            }
        }
        for s in subs {
            if let Some(&i) = index.get(&s.customer_id) {
                let evs = events.remove(&s.id).unwrap_or_default();
                customers[i].subscriptions.push(SubscriptionBook {
                    billed_through: billed_through.get(&s.id).copied(),
                    subscription: s,
                    events: evs,
                });
            }
        }
        {
            let mut stmt = self.conn.prepare("SELECT * FROM charges WHERE date <= ?1 AND NOT EXISTS (SELECT 1 FROM invoice_lines WHERE item_key = 'charge:' || charges.id)")?;
            for c in stmt.query_map([last_day.to_string()], charge_from_row)? {
                let c = c?;
                if let Some(&i) = index.get(&c.customer_id) {
                    customers[i].charges.push(c);
                }
            }
            let mut stmt = self.conn.prepare("SELECT * FROM services WHERE start <= ?1 AND (end IS NULL OR end >= ?2)")?;
            for s in stmt.query_map(params![last_day.to_string(), horizon.to_string()], service_from_row)? {
                let s = s?;
                if let Some(&i) = index.get(&s.customer_id) {
                    customers[i].services.push(s);
                }
            }
            let mut stmt = self.conn.prepare("SELECT * FROM instalment_plans WHERE start <= ?1")?;
            for p in stmt.query_map([last_day.to_string()], plan_from_row)? {
                let p = p?;
                if let Some(&i) = index.get(&p.customer_id) {
                    customers[i].instalments.push(p);
                }
            }
        }
        let mut billed = HashSet::new();
        {
            let mut stmt =
                self.conn.prepare("SELECT item_key FROM invoice_lines WHERE billable_date >= ?1 OR kind IN ('charge', 'instalment')")?;
            for k in stmt.query_map([horizon.to_string()], |r| r.get::<_, String>(0))? {
                billed.insert(k?);
            }
        }
        let mut titles = HashMap::new();
        {
            let mut stmt = self.conn.prepare("SELECT product_id, sku_id, title FROM products")?;
            for t in
                stmt.query_map([], |r| Ok((ProductKey::new(&r.get::<_, String>(0)?, &r.get::<_, String>(1)?), r.get::<_, String>(2)?)))?
            {
                let (k, v) = t?;
                titles.insert(k, v);
            }
            for b in &customers {
                for s in &b.subscriptions {
                    titles.entry(s.subscription.product.clone()).or_insert_with(|| s.subscription.product_title.clone());
                }
            }
        }
        Ok((customers, billed, titles, horizon))
    }

    /// Renewals through the month's end, then the drafts. Runs inside the caller's transaction.
    fn billing_drafts(&self, month: NaiveDate, at: &str) -> Result<(Vec<Draft>, Vec<Problem>, usize, Company)> {
        let company = self.company()?;
        let renewals = self.renewals_in_transaction(month_end(month), at)?;
        let (books, billed, titles, horizon) = self.billing_books(month)?;
        let rates = self.exchange_rates()?;
        let snap = Snapshot { month, vat_rate: company.vat_rate, rates: &rates, billed: &billed, horizon, titles: &titles };
        let (drafts, mut problems) = bill(&snap, &books);
        for p in renewals.problems {
            let name = self.customer(p.customer_id).map(|c| c.name).unwrap_or_default();
            problems.push(Problem { customer_id: p.customer_id, customer_name: name, message: p.message, hint: None });
        }
        // A customer with any problem is left out whole.
        let bad: HashSet<i64> = problems.iter().map(|p| p.customer_id).collect();
        let drafts = drafts.into_iter().filter(|d| !bad.contains(&d.customer_id)).collect();
        Ok((drafts, problems, renewals.done.len(), company))
    }

    /// Drafts for `month` as they would be issued on `date`. Renewals are processed and rolled
    /// back: a preview changes nothing.
    pub fn preview_month(&mut self, month: NaiveDate, date: NaiveDate, at: &str) -> Result<BillingRun> {
        let (drafts, problems, renewals, _) = self.rehearse(|s| s.billing_drafts(month, at))?;
        let label = month_label(month);
        let invoices = drafts.iter().map(|d| draft_view(d, date, add_days(date, d.payment_terms_days as i64), &label)).collect();
        Ok(BillingRun { month: label, preview: true, date, invoices, problems, renewals })
    }

    /// Issue `month` on `date`: renewals, drafts, numbers and invoices in one transaction.
    /// Items already billed are skipped, so running a month twice issues nothing new.
    pub fn issue_month(&mut self, month: NaiveDate, date: NaiveDate, at: &str) -> Result<BillingRun> {
        let label = month_label(month);
        let issued = self.write(|s| {
            let (drafts, problems, renewals, company) = s.billing_drafts(month, at)?;
            s.conn.execute(
                "INSERT INTO billing_runs (month, issue_date, recorded_at, invoices, problems) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![label, date.to_string(), at, drafts.len() as i64, problems.len() as i64],
            )?;
            let run_id = s.conn.last_insert_rowid();
            let mut invoices = Vec::with_capacity(drafts.len());
            for d in &drafts {
                let number = s.insert_invoice(&company, d, run_id, &label, date, at)?;
                let mut view = draft_view(d, date, add_days(date, d.payment_terms_days as i64), &label);
                view.number = Some(number);
                invoices.push(view);
            }
            // Credit customers have (overpayments) goes to their new invoices.
            for customer_id in s.customers_with_credit()? {
                s.apply_credit(customer_id, date, &[])?;
            }
            Ok((invoices, problems, renewals))
        })?;
        // The views are built from the drafts just written (the same values, without reading
        // ten thousand invoices back).
        let (invoices, problems, renewals) = issued;
        Ok(BillingRun { month: label, preview: false, date, invoices, problems, renewals })
    }

    /// The next number of a gapless series, taken inside the caller's transaction.
    fn next_number(&self, kind: &str, format: &str, date: NaiveDate) -> Result<(String, i64, i64)> {
        let year = if format.contains("{year}") { date.year() as i64 } else { 0 };
        self.conn
            .prepare_cached(
                "INSERT INTO document_series (kind, year, last_seq) VALUES (?1, ?2, 1)
             ON CONFLICT (kind, year) DO UPDATE SET last_seq = last_seq + 1",
            )?
            .execute(params![kind, year])?;
        let seq: i64 = self
            .conn
            .prepare_cached("SELECT last_seq FROM document_series WHERE kind = ?1 AND year = ?2")?
            .query_row(params![kind, year], |r| r.get(0))?;
        Ok((format_number(format, date.year(), seq as u64), year, seq))
    }

    fn insert_invoice(&self, company: &Company, d: &Draft, run_id: i64, month: &str, date: NaiveDate, at: &str) -> Result<String> {
        let c = self.customer(d.customer_id)?;
        let (number, year, seq) = self.next_number("invoice", &company.invoice_number_format, date)?;
        let cur = d.currency;
        self.conn
            .prepare_cached(
                "INSERT INTO invoices (number, series_year, seq, run_id, customer_id, date, due_date, month, currency, net_minor, vat_minor,
                    total_minor, customer_name, customer_address, customer_country, customer_vat_number, customer_email, tax_treatment,
                    payment_terms_days, supplier_name, supplier_address, supplier_country, supplier_vat_number,
                    supplier_registration_number, supplier_email, supplier_phone, bank_name, bank_account_holder, bank_account_number,
                    bank_branch_code, bank_swift, paper, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24,
                    ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33)",
            )?
            .execute(params![
                number,
                year,
                seq,
                run_id,
                c.id,
                date.to_string(),
                add_days(date, c.payment_terms_days as i64).to_string(),
                month,
                cur.code(),
                cur.to_minor(d.net),
                cur.to_minor(d.vat),
                cur.to_minor(d.total),
                c.name,
                c.address,
                c.country,
                c.vat_number,
                c.email,
                c.tax_treatment.as_str(),
                c.payment_terms_days,
                company.name,
                company.address,
                company.country,
                company.vat_number,
                company.registration_number,
                company.email,
                company.phone,
                company.bank_name,
                company.bank_account_holder,
                company.bank_account_number,
                company.bank_branch_code,
                company.bank_swift,
                company.paper.as_str(),
                at,
            ])?;
        let invoice_id = self.conn.last_insert_rowid();
        let mut line = self.conn.prepare_cached(
            "INSERT INTO invoice_lines (invoice_id, position, item_key, kind, subscription_id, description, period_start, period_end,
                quantity, unit_price, amount_minor, vat_rate, fx_rate, fx_from, billable_date, cost_minor)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        )?;
        for (i, l) in d.lines.iter().enumerate() {
            line.execute(params![
                invoice_id,
                i as i64 + 1,
                l.item_key,
                l.kind.as_str(),
                l.subscription_id,
                l.description,
                l.period_start.map(|p| p.to_string()),
                l.period_end.map(|p| p.to_string()),
                l.quantity.to_string(),
                unit(l.unit_price).to_string(),
                cur.to_minor(l.amount),
                l.vat_rate.to_string(),
                l.fx_rate.map(|r| r.to_string()),
                l.fx_from.map(|c| c.code().to_string()),
                l.billable_date.to_string(),
                l.cost.map(|c| cur.to_minor(c)),
            ])
            .map_err(|e| match e {
                rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
                    Error::conflict("bill", format!("{} was already billed (natural key {})", l.description, l.item_key))
                }
                e => e.into(),
            })?;
        }
        let mut vat =
            self.conn.prepare_cached("INSERT INTO invoice_vat (invoice_id, rate, net_minor, vat_minor) VALUES (?1, ?2, ?3, ?4)")?;
        for v in &d.vat_lines {
            vat.execute(params![invoice_id, v.rate.to_string(), cur.to_minor(v.net), cur.to_minor(v.vat)])?;
        }
        Ok(number)
    }

    /// An issued invoice by number.
    pub fn invoice(&self, number: &str) -> Result<InvoiceView> {
        let head = self
            .conn
            .query_row("SELECT * FROM invoices WHERE number = ?1", [number.trim()], |r| {
                Ok((
                    r.get::<_, i64>("id")?,
                    col::currency(r, "currency")?,
                    r.get::<_, i64>("customer_id")?,
                    r.get::<_, String>("customer_name")?,
                    col::date(r, "date")?,
                    col::date(r, "due_date")?,
                    r.get::<_, String>("month")?,
                    (r.get::<_, i64>("net_minor")?, r.get::<_, i64>("vat_minor")?, r.get::<_, i64>("total_minor")?),
                ))
            })
            .optional()?
            .ok_or_else(|| Error::not_found(format!("there is no invoice {}", number.trim())).with_field("number"))?;
        let (id, cur, customer_id, customer_name, date, due_date, month, (net, vat, total)) = head;
        let lines = {
            let mut stmt = self.conn.prepare_cached(
                "SELECT l.*, EXISTS (SELECT 1 FROM credit_note_lines c WHERE c.invoice_line_id = l.id) AS credited
                 FROM invoice_lines l WHERE invoice_id = ?1 ORDER BY position",
            )?;
            let rows = stmt.query_map([id], |r| line_from_row(r, cur))?;
            rows.collect::<rusqlite::Result<Vec<_>>>()?
        };
        let vat_lines = {
            let mut stmt = self.conn.prepare_cached("SELECT * FROM invoice_vat WHERE invoice_id = ?1 ORDER BY CAST(rate AS TEXT)")?;
            let rows = stmt.query_map([id], |r| {
                Ok(VatLine {
                    rate: col::dec(r, "rate")?,
                    net: cur.from_minor(r.get("net_minor")?),
                    vat: cur.from_minor(r.get("vat_minor")?),
                })
            })?;
            rows.collect::<rusqlite::Result<Vec<_>>>()?
        };
        let (credited, notes): (i64, Option<String>) = self.conn.query_row(
            "SELECT IFNULL(sum(net_minor), 0), group_concat(number, ', ') FROM credit_notes WHERE invoice_id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(InvoiceView {
            number: Some(number.trim().to_string()),
            customer_id,
            customer_name,
            date,
            due_date,
            month,
            currency: cur,
            lines,
            vat_lines,
            net: cur.from_minor(net),
            vat: cur.from_minor(vat),
            total: cur.from_minor(total),
            credited_net: cur.from_minor(credited),
            credit_notes: notes.map(|n| n.split(", ").map(str::to_string).collect()).unwrap_or_default(),
        })
    }

    /// Issued invoices, newest first, filtered by month (`YYYY-MM`) and customer.
    pub fn list_invoices(&self, month: Option<&str>, customer_id: Option<i64>) -> Result<Vec<InvoiceView>> {
        let numbers: Vec<String> = {
            let mut stmt = self.conn.prepare(
                "SELECT number FROM invoices WHERE (?1 IS NULL OR month = ?1) AND (?2 IS NULL OR customer_id = ?2) ORDER BY series_year, seq",
            )?;
            let rows = stmt.query_map(params![month, customer_id], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<Vec<_>>>()?
        };
        numbers.iter().map(|n| self.invoice(n)).collect()
    }

    /// Numbers of the invoices of a month, in number order.
    pub fn invoice_numbers(&self, month: &str) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("SELECT number FROM invoices WHERE month = ?1 ORDER BY series_year, seq")?;
        let rows = stmt.query_map([month], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Issue a credit note against an invoice: the whole invoice, chosen lines, or an amount,
    /// never more than what is left to credit.
    /// Issue a credit note against an issued invoice, as `credit_draft` decides, numbered in the
    /// same transaction.
    pub fn credit_invoice(&mut self, number: &str, mode: &CreditMode, reason: &str, date: NaiveDate, at: &str) -> Result<CreditNoteView> {
        let reason = reason.trim();
        let cn = self.write(|s| {
            let inv = s.invoice(number)?;
            let cur = inv.currency;
            let CreditDraft { lines, net, vat, .. } = credit_draft(&inv, mode, reason, date)?;
            let company = s.company()?;
            let (cn_number, year, seq) = s.next_number("credit-note", &company.credit_note_number_format, date)?;
            let invoice_id: i64 = s.conn.query_row("SELECT id FROM invoices WHERE number = ?1", [number.trim()], |r| r.get(0))?;
            s.conn.execute(
                "INSERT INTO credit_notes (number, series_year, seq, invoice_id, date, reason, currency, net_minor, vat_minor, total_minor, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![cn_number, year, seq, invoice_id, date.to_string(), reason, cur.code(), cur.to_minor(net), cur.to_minor(vat), cur.to_minor(net + vat), at],
            )?;
            let cn_id = s.conn.last_insert_rowid();
            for (i, l) in lines.iter().enumerate() {
                let line_id: Option<i64> = if matches!(mode, CreditMode::Amount(_)) {
                    None
                } else {
                    Some(s.conn.query_row("SELECT id FROM invoice_lines WHERE invoice_id = ?1 AND position = ?2", params![invoice_id, l.position], |r| r.get(0))?)
                };
                s.conn.execute(
                    "INSERT INTO credit_note_lines (credit_note_id, position, invoice_line_id, description, quantity, unit_price, amount_minor, vat_rate)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![cn_id, i as i64 + 1, line_id, l.description, l.quantity.to_string(), l.unit_price.to_string(), cur.to_minor(l.amount), l.vat_rate.to_string()],
                )?;
            }
            Ok(cn_number)
        })?;
        self.credit_note(&cn)
    }

    pub fn credit_note(&self, number: &str) -> Result<CreditNoteView> {
        let (id, invoice_number, invoice_date, customer_id, customer_name, date, reason, cur, net, vat, total) = self
            .conn
            .query_row(
                "SELECT c.*, i.number AS invoice_number, i.date AS invoice_date, i.customer_id, i.customer_name
                 FROM credit_notes c JOIN invoices i ON i.id = c.invoice_id WHERE c.number = ?1",
                [number.trim()],
                |r| {
                    Ok((
                        r.get::<_, i64>("id")?,
                        r.get::<_, String>("invoice_number")?,
                        col::date(r, "invoice_date")?,
                        r.get::<_, i64>("customer_id")?,
                        r.get::<_, String>("customer_name")?,
                        col::date(r, "date")?,
                        r.get::<_, String>("reason")?,
                        col::currency(r, "currency")?,
                        r.get::<_, i64>("net_minor")?,
                        r.get::<_, i64>("vat_minor")?,
                        r.get::<_, i64>("total_minor")?,
                    ))
                },
            )
            .optional()?
            .ok_or_else(|| Error::not_found(format!("there is no credit note {}", number.trim())))?;
        let lines = {
            let mut stmt = self.conn.prepare(
                "SELECT c.position, c.description, c.quantity, c.unit_price, c.amount_minor, c.vat_rate,
                        IFNULL(l.kind, 'charge') AS kind, l.subscription_id, l.period_start, l.period_end, NULL AS fx_rate, NULL AS fx_from, 0 AS credited
                 FROM credit_note_lines c LEFT JOIN invoice_lines l ON l.id = c.invoice_line_id WHERE c.credit_note_id = ?1 ORDER BY c.position",
            )?;
            let rows = stmt.query_map([id], |r| line_from_row(r, cur))?;
            rows.collect::<rusqlite::Result<Vec<_>>>()?
        };
        let drafts: Vec<DraftLine> = lines
            .iter()
            .map(|l| DraftLine {
                item_key: String::new(),
                kind: l.kind,
                subscription_id: None,
                description: String::new(),
                period_start: None,
                period_end: None,
                quantity: l.quantity,
                unit_price: l.unit_price,
                amount: l.amount,
                vat_rate: l.vat_rate,
                fx_rate: None,
                fx_from: None,
                billable_date: date,
                cost: None,
            })
            .collect();
        let (vat_lines, _, _) = vat_summary(&drafts, cur);
        Ok(CreditNoteView {
            number: number.trim().to_string(),
            invoice_number,
            invoice_date,
            customer_id,
            customer_name,
            date,
            reason,
            currency: cur,
            lines,
            vat_lines,
            net: cur.from_minor(net),
            vat: cur.from_minor(vat),
            total: cur.from_minor(total),
        })
    }

    /// The start of the latest invoiced licence period of a subscription, and its invoice.
    pub(crate) fn latest_invoiced_period(&self, subscription_id: i64) -> Result<Option<(NaiveDate, String)>> {
        let row: Option<(String, String)> = self
            .conn
            .query_row(
                "SELECT l.period_start, i.number FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
                 WHERE l.subscription_id = ?1 AND l.kind = 'licence' ORDER BY l.period_start DESC LIMIT 1",
                [subscription_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(row.and_then(|(d, n)| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok().map(|d| (d, n))))
    }

    pub fn add_charge(
        &mut self,
        customer_id: i64,
        date: NaiveDate,
        description: &str,
        quantity: Decimal,
        unit_price: Decimal,
        currency: Option<Currency>,
    ) -> Result<Charge> {
        let c = self.check_customer_open(customer_id)?;
        let description = description.trim();
        if description.is_empty() {
            return Err(Error::invalid("description", "a description is required"));
        }
        if quantity <= Decimal::ZERO {
            return Err(Error::invalid("quantity", "the quantity must be more than zero"));
        }
        let currency = currency.unwrap_or(c.currency);
        let id = self.write(|s| {
            s.conn.execute(
                "INSERT INTO charges (customer_id, date, description, quantity, unit_price, currency) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![customer_id, date.to_string(), description, quantity.to_string(), unit_price.to_string(), currency.code()],
            )?;
            Ok(s.conn.last_insert_rowid())
        })?;
        Ok(Charge { id, customer_id, date, description: description.to_string(), quantity, unit_price, currency })
    }

    #[allow(clippy::too_many_arguments)]
    pub fn add_service(
        &mut self,
        customer_id: i64,
        description: &str,
        basis: ServiceBasis,
        subscription_id: Option<i64>,
        amount: Decimal,
        currency: Option<Currency>,
        start: NaiveDate,
    ) -> Result<Service> {
        let c = self.check_customer_open(customer_id)?;
        let description = description.trim();
        if description.is_empty() {
            return Err(Error::invalid("description", "a description is required"));
        }
        match (basis, subscription_id) {
            (ServiceBasis::PerSeat, None) => {
                return Err(Error::invalid("per_seat_of", "a per-seat fee needs the subscription whose seats it counts"))
            }
            (ServiceBasis::PerSeat, Some(id)) => {
                let sub = self.subscription(id)?;
                if sub.customer_id != customer_id {
                    return Err(Error::invalid("per_seat_of", format!("subscription {id} belongs to another customer")));
                }
            }
            _ => {}
        }
        let currency = currency.unwrap_or(c.currency);
        let id = self.write(|s| {
            s.conn.execute(
                "INSERT INTO services (customer_id, description, basis, subscription_id, amount, currency, start) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![customer_id, description, basis.as_str(), subscription_id, amount.to_string(), currency.code(), start.to_string()],
            )?;
            Ok(s.conn.last_insert_rowid())
        })?;
        self.service(id)
    }

    pub fn service(&self, id: i64) -> Result<Service> {
        self.conn
            .query_row("SELECT * FROM services WHERE id = ?1", [id], service_from_row)
            .optional()?
            .ok_or_else(|| Error::not_found(format!("there is no service {id}")).with_field("id"))
    }

    /// End a recurring service: `last_day` is its last day of service.
    pub fn end_service(&mut self, id: i64, last_day: NaiveDate) -> Result<Service> {
        let s0 = self.service(id)?;
        if let Some(end) = s0.end {
            return Err(Error::refused(format!("service {id} already ended on {end}")));
        }
        if last_day < s0.start {
            return Err(Error::invalid("on", format!("service {id} starts on {}; it cannot end before that", s0.start)));
        }
        self.write(|s| {
            s.conn.execute("UPDATE services SET end = ?2 WHERE id = ?1", params![id, last_day.to_string()])?;
            Ok(())
        })?;
        self.service(id)
    }

    pub fn add_instalments(
        &mut self,
        customer_id: i64,
        description: &str,
        total: Decimal,
        count: u32,
        start: NaiveDate,
        currency: Option<Currency>,
    ) -> Result<InstalmentPlan> {
        let c = self.check_customer_open(customer_id)?;
        crate::billing::services::check_count(count)?;
        let description = description.trim();
        if description.is_empty() {
            return Err(Error::invalid("description", "a description is required"));
        }
        if total <= Decimal::ZERO {
            return Err(Error::invalid("total", "the total must be more than zero"));
        }
        let currency = currency.unwrap_or(c.currency);
        let id = self.write(|s| {
            s.conn.execute(
                "INSERT INTO instalment_plans (customer_id, description, total, currency, count, start) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![customer_id, description, total.to_string(), currency.code(), count, start.to_string()],
            )?;
            Ok(s.conn.last_insert_rowid())
        })?;
        Ok(InstalmentPlan { id, customer_id, description: description.to_string(), total, currency, count, start })
    }

    /// The last billing run: month, issue date and how many invoices.
    pub fn last_billing_run(&self) -> Result<Option<(String, NaiveDate, i64)>> {
        Ok(self
            .conn
            .query_row("SELECT month, issue_date, invoices FROM billing_runs ORDER BY id DESC LIMIT 1", [], |r| {
                Ok((r.get::<_, String>(0)?, col::date(r, "issue_date")?, r.get::<_, i64>(2)?))
            })
            .optional()?)
    }
}
