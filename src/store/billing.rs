//! Billing in the database: load the snapshot the engine needs, preview a month (renewals and
//! drafts inside a transaction that is rolled back), issue it (the same, committed, with gapless
//! numbers), and credit notes. Issued documents are immutable: triggers refuse any change.

use super::extras::{charge_from_row, plan_from_row, service_from_row};
use super::{col, Store};
use crate::billing::documents::{draft_view, month_label, unit};
use crate::billing::engine::licence_key;
use crate::billing::{bill, BillingRun, CustomerBook, Draft, Problem, Snapshot, SubscriptionBook};
use crate::catalogue::ProductKey;
use crate::company::{format_number, Company};
use crate::dates::{add_days, month_end};
use crate::error::{Error, Result};
use chrono::{Datelike, NaiveDate};
use rusqlite::{params, OptionalExtension};
use std::collections::{HashMap, HashSet};

/// What the engine reads: every customer's book, the keys already billed, product titles, and
/// the catch-up horizon.
type Books = (Vec<CustomerBook>, HashSet<String>, HashMap<ProductKey, String>, NaiveDate);

/// Drafts, problems, renewals done, the company, and the Azure usage each usage line bills.
pub(super) type DraftsWithUsage = (Vec<Draft>, Vec<Problem>, usize, Company, HashMap<String, crate::billing::UsageCharge>);

/// How far back a run looks for recurring items never billed (a year of skipped months).
pub(super) const CATCH_UP_DAYS: i64 = 400;

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
                usage: Vec::new(),
            })
            .collect();
        customers.sort_by_key(|b| b.customer.id);
        let index: HashMap<i64, usize> = customers.iter().enumerate().map(|(i, b)| (b.customer.id, i)).collect();
        {
            // Azure usage Microsoft billed and Seatbook did not yet, priced by each customer's rule.
            let currencies: HashMap<i64, crate::money::Currency> = customers.iter().map(|b| (b.customer.id, b.customer.currency)).collect();
            for (customer_id, u) in self.usage_to_bill(last_day, &currencies)? {
                if let Some(&i) = index.get(&customer_id) {
                    customers[i].usage.push(u);
                }
            }
        }

        // The subscriptions still billable this month (running, or ended after the catch-up
        // horizon), each with where its items start: the engine's `from` (its first billable
        // day, the catch-up reach, its last licence period billed, found by one index seek).
        // Kept for this run in a temporary table, so that its history and its lines already
        // billed are read from there on only, by index: the years behind are not read.
        self.conn.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS billing_from (id INTEGER PRIMARY KEY, billed_through TEXT, billable_from TEXT NOT NULL,
                billable_day INTEGER);
             DELETE FROM temp.billing_from;",
        )?;
        // (The lines' periods are days: `col::day`.)
        self.conn.execute(
            "INSERT INTO temp.billing_from (id, billed_through, billable_from, billable_day)
             SELECT id, through, billable_from, CAST(julianday(billable_from) - 2440587.5 AS INTEGER) FROM (
                SELECT id, through, max(bill_from, ?1, coalesce(through, ?1)) AS billable_from FROM (
                    SELECT s.id, s.bill_from,
                        date((SELECT max(l.period_start) FROM invoice_lines l WHERE l.subscription_id = s.id AND l.kind = 'licence') * 86400,
                            'unixepoch') AS through
                    FROM subscriptions s WHERE (s.status IN ('active', 'suspended') OR s.ended_on >= ?1) AND s.purchased_on <= ?2))",
            params![horizon.to_string(), last_day.to_string()],
        )?;
        let mut billed_through: HashMap<i64, NaiveDate> = HashMap::new();
        {
            let mut stmt = self.conn.prepare("SELECT id, billed_through FROM temp.billing_from WHERE billed_through IS NOT NULL")?;
            for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))? {
                let (id, d) = row?;
                if let Ok(d) = NaiveDate::parse_from_str(&d, "%Y-%m-%d") {
                    billed_through.insert(id, d);
                }
            }
        }
        let subs = {
            let mut stmt =
                self.conn.prepare("SELECT s.* FROM temp.billing_from b CROSS JOIN subscriptions s ON s.id = b.id ORDER BY b.id")?;
            let at = super::col::Positions::of(&stmt, super::subscription_rows::SubCol::NAMES)?;
            let rows = stmt.query_map([], |r| super::subscription_rows::subscription_at(r, &at))?;
            rows.collect::<rusqlite::Result<Vec<_>>>()?
        };
        let mut events: HashMap<i64, Vec<crate::subscription::Event>> = HashMap::with_capacity(subs.len());
        {
            // Of each one's history, only the terms the run can still bill: those ending on or
            // after where its items start. A term's events all carry its end, and its first
            // event the whole state, so the terms behind are left where they are.
            let mut stmt = self.conn.prepare(&format!(
                "SELECT {} FROM temp.billing_from b CROSS JOIN subscription_events e ON e.subscription_id = b.id {}
                 WHERE e.term_end >= b.billable_day",
                super::subscription_rows::EVENT_COLUMNS,
                super::subscription_rows::EVENT_JOINS
            ))?;
            let at = super::col::Positions::of(&stmt, super::subscription_rows::EventCol::NAMES)?;
            for e in stmt.query_map([], |r| super::subscription_rows::event_at(r, &at))? {
                let e = e?;
                events.entry(e.subscription_id).or_default().push(e);
            }
            for evs in events.values_mut() {
                evs.sort_by_key(|e| e.id);
            }
        }
        // A change not yet taken by Microsoft is not billed (nor what follows it), and one it
        // refused never is.
        let (waiting, refused) = self.pc_unbillable_events()?;
        for s in subs {
            if let Some(&i) = index.get(&s.customer_id) {
                let mut evs = events.remove(&s.id).unwrap_or_default();
                if !waiting.is_empty() || !refused.is_empty() {
                    if let Some(cut) = evs.iter().position(|e| waiting.contains(&e.id)) {
                        evs.truncate(cut);
                    }
                    evs.retain(|e| !refused.contains(&e.id));
                }
                customers[i].subscriptions.push(SubscriptionBook {
                    billed_through: billed_through.get(&s.id).copied(),
                    subscription: s,
                    events: evs,
                });
            }
        }
        {
            let mut stmt = self.conn.prepare("SELECT * FROM charges WHERE date <= ?1 AND NOT EXISTS (SELECT 1 FROM invoice_lines WHERE own_key = 'charge:' || charges.id)")?;
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
            // What was billed that the run could bill again: a subscription's lines from where
            // its items start (the engine's `from`: its first billable day, the catch-up reach,
            // its last licence period billed), found by index; and of the lines of no
            // subscription, those within the catch-up reach and the instalments (a plan is
            // billed once each). Charges are loaded only while unbilled, so theirs are not needed.
            // A line's key is its own, or a licence period's, derived (`licence_key`).
            // (Licence periods and prorations each have an index by subscription of their own.)
            let mut stmt = self.conn.prepare(
                "SELECT l.own_key, l.subscription_id, l.period_start, l.period_end
                 FROM temp.billing_from b CROSS JOIN invoice_lines l ON l.subscription_id = b.id
                 WHERE l.kind = 'licence' AND l.period_start >= b.billable_day
                 UNION ALL
                 SELECT l.own_key, l.subscription_id, l.period_start, l.period_end
                 FROM temp.billing_from b CROSS JOIN invoice_lines l ON l.subscription_id = b.id
                 WHERE l.kind = 'proration' AND l.period_start >= b.billable_day",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let key = match r.get::<_, Option<String>>(0)? {
                    Some(own) => own,
                    None => licence_key(r.get(1)?, col::date(r, 2)?, col::date(r, 3)?),
                };
                billed.insert(key);
            }
            let mut stmt = self.conn.prepare(
                "SELECT own_key FROM invoice_lines WHERE subscription_id IS NULL AND (billable_date >= ?1 OR kind = 'instalment')",
            )?;
            for k in stmt.query_map([col::day(horizon)], |r| r.get::<_, String>(0))? {
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

    /// Drafts for `month` as they would be issued on `date`. Renewals are processed and rolled
    /// back: a preview changes nothing.
    pub fn preview_month(&mut self, month: NaiveDate, date: NaiveDate, at: &str) -> Result<BillingRun> {
        // Read through the page cache, not the memory map: the run's memory is what it holds,
        // not the pages of years of history it passed.
        let (drafts, problems, renewals, _) = self.unmapped(|st| {
            st.rehearse(|s| {
                s.check_issue_date(month, date)?;
                s.billing_drafts(month, at)
            })
        })?;
        let label = month_label(month);
        let invoices = drafts.iter().map(|d| draft_view(d, date, add_days(date, d.payment_terms_days as i64), &label)).collect();
        Ok(BillingRun { month: label, preview: true, date, invoices, problems, renewals })
    }

    /// Issue `month` on `date`: renewals, drafts, numbers and invoices in one transaction.
    /// Items already billed are skipped, so running a month twice issues nothing new.
    pub fn issue_month(&mut self, month: NaiveDate, date: NaiveDate, at: &str) -> Result<BillingRun> {
        self.issue_month_mailing(month, date, at, &|_, _| Ok(None))
    }

    /// `issue_month`, with the messages `mailing` writes for the new invoices going to the outbox
    /// in the same transaction.
    pub fn issue_month_mailing(&mut self, month: NaiveDate, date: NaiveDate, at: &str, mailing: super::Mailing) -> Result<BillingRun> {
        let label = month_label(month);
        let issued = self.unmapped(|st| st.issue_month_in(month, date, at, mailing))?;
        // The views are built from the drafts just written (the same values, without reading
        // ten thousand invoices back).
        let (invoices, problems, renewals) = issued;
        Ok(BillingRun { month: label, preview: false, date, invoices, problems, renewals })
    }

    #[allow(clippy::type_complexity)]
    fn issue_month_in(
        &mut self,
        month: NaiveDate,
        date: NaiveDate,
        at: &str,
        mailing: super::Mailing,
    ) -> Result<(Vec<crate::billing::InvoiceView>, Vec<Problem>, usize)> {
        let label = month_label(month);
        self.write(|s| {
            s.check_issue_date(month, date)?;
            let (drafts, problems, renewals, company, usage) = s.billing_drafts_with_usage(month, at)?;
            s.conn.execute(
                "INSERT INTO billing_runs (month, issue_date, recorded_at, invoices, problems) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![label, date.to_string(), at, drafts.len() as i64, problems.len() as i64],
            )?;
            let run_id = s.conn.last_insert_rowid();
            let logo = if drafts.is_empty() { None } else { s.logo_snapshot(&company)? };
            let mut invoices = Vec::with_capacity(drafts.len());
            for d in &drafts {
                let number = s.insert_invoice(&company, logo, d, run_id, &label, date, at)?;
                let mut view = draft_view(d, date, add_days(date, d.payment_terms_days as i64), &label);
                view.number = Some(number);
                invoices.push(view);
            }
            // What Microsoft's sums were for each Azure usage line: a later file is billed as
            // the difference.
            for d in &drafts {
                for l in d.lines.iter().filter(|l| l.kind == crate::billing::LineKind::Usage) {
                    if let Some(u) = usage.get(&l.item_key) {
                        s.record_usage_billed(l, u)?;
                    }
                }
            }
            // Credit customers have (overpayments) goes to their new invoices.
            for customer_id in s.customers_with_credit()? {
                s.apply_credit(customer_id, date, &[])?;
            }
            let numbers: Vec<String> = invoices.iter().filter_map(|i| i.number.clone()).collect();
            s.enqueue_mailing(mailing, &numbers, at)?;
            Ok((invoices, problems, renewals))
        })
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

/// Writes: only inside a transaction (`Store::write`).
impl super::Tx<'_> {
    /// Renewals through the month's end, then the drafts. Runs inside the caller's transaction.
    pub(super) fn billing_drafts(&self, month: NaiveDate, at: &str) -> Result<(Vec<Draft>, Vec<Problem>, usize, Company)> {
        self.billing_drafts_with_usage(month, at).map(|(drafts, problems, renewals, company, _)| (drafts, problems, renewals, company))
    }

    /// `billing_drafts`, with Microsoft's sums each Azure usage line bills, by the line's key.
    pub(super) fn billing_drafts_with_usage(&self, month: NaiveDate, at: &str) -> Result<DraftsWithUsage> {
        let company = self.company()?;
        let renewals = self.renewals_in_transaction(month_end(month), at)?;
        let (books, billed, titles, horizon) = self.billing_books(month)?;
        let usage: HashMap<String, crate::billing::UsageCharge> =
            books.iter().flat_map(|b| b.usage.iter().map(|u| (u.item_key(), u.clone()))).collect();
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
        Ok((drafts, problems, renewals.done.len(), company, usage))
    }

    /// The next number of a gapless series, taken inside the caller's transaction.
    pub(super) fn next_number(&self, kind: &str, format: &str, date: NaiveDate) -> Result<(String, i64, i64)> {
        let year = if format.contains("{year}") { date.year() as i64 } else { 0 };
        // The next number follows the last document of the series itself (the book refuses any
        // other: schema 7), so a counter moved by hand cannot make a gap; the counter follows.
        // A series not started yet begins after its counter (a reseller may carry on the numbers
        // of an earlier system).
        let sql = match kind {
            "invoice" => {
                "SELECT IFNULL((SELECT max(seq) FROM invoices WHERE series_year = ?1),
                    (SELECT last_seq FROM document_series WHERE kind = ?2 AND year = ?1)) "
            }
            _ => {
                "SELECT IFNULL((SELECT max(seq) FROM credit_notes WHERE series_year = ?1),
                    (SELECT last_seq FROM document_series WHERE kind = ?2 AND year = ?1))"
            }
        };
        let last: Option<i64> = self.conn.prepare_cached(sql)?.query_row(params![year, kind], |r| r.get(0))?;
        let seq = last.unwrap_or(0) + 1;
        self.conn
            .prepare_cached(
                "INSERT INTO document_series (kind, year, last_seq) VALUES (?1, ?2, ?3)
                 ON CONFLICT (kind, year) DO UPDATE SET last_seq = excluded.last_seq",
            )?
            .execute(params![kind, year, seq])?;
        Ok((format_number(format, date.year(), seq as u64), year, seq))
    }

    /// The tax-invoice date rules for `month` issued on `date` (`billing::documents::check_issue_date`).
    pub(super) fn check_issue_date(&self, month: NaiveDate, date: NaiveDate) -> Result<()> {
        let last = self.conn.query_row("SELECT max(day) FROM invoices", [], |r| col::opt_date(r, 0))?;
        crate::billing::documents::check_issue_date(month, date, last)
    }

    /// The company's logo as it is now, kept for the documents issued now (the same image once);
    /// `None` when there is no logo, or its file can no longer be read (the document is then
    /// printed without one rather than not issued).
    pub(super) fn logo_snapshot(&self, company: &Company) -> Result<Option<i64>> {
        if company.logo_path.is_empty() {
            return Ok(None);
        }
        let Ok(bytes) = std::fs::read(&company.logo_path) else { return Ok(None) };
        // FNV-1a over the bytes, with the length: the same image is stored once.
        let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3));
        let key = format!("{hash:016x}-{}", bytes.len());
        self.conn.execute("INSERT OR IGNORE INTO logos (key, bytes) VALUES (?1, ?2)", params![key, bytes])?;
        Ok(Some(self.conn.query_row("SELECT id FROM logos WHERE key = ?1", [&key], |r| r.get(0))?))
    }

    /// The id of a line's description in `line_texts`: each text is kept once, however many
    /// lines print it.
    fn text_id(&self, text: &str) -> Result<i64> {
        self.kept_text("line_texts", text)
    }

    /// The id of `text` in `table` (`line_texts`, `price_rules`: a text kept once, never
    /// changed), added if it is not there yet.
    pub(super) fn kept_text(&self, table: &str, text: &str) -> Result<i64> {
        let found =
            self.conn.prepare_cached(&format!("SELECT id FROM {table} WHERE text = ?1"))?.query_row([text], |r| r.get(0)).optional()?;
        if let Some(id) = found {
            return Ok(id);
        }
        self.conn.prepare_cached(&format!("INSERT INTO {table} (text) VALUES (?1)"))?.execute([text])?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The party (name, address, country, VAT number, registration number, e-mail, phone and bank
    /// name, holder, account, branch and SWIFT) as an invoice names it: kept once, its id.
    fn party_id(&self, fields: &[&str; 12]) -> Result<i64> {
        const MATCH: &str = "name = ?1 AND address = ?2 AND country = ?3 AND vat_number = ?4 AND registration_number = ?5
            AND email = ?6 AND phone = ?7 AND bank_name = ?8 AND bank_account_holder = ?9 AND bank_account_number = ?10
            AND bank_branch_code = ?11 AND bank_swift = ?12";
        let found =
            self.conn.prepare_cached(&format!("SELECT id FROM parties WHERE {MATCH}"))?.query_row(fields, |r| r.get(0)).optional()?;
        if let Some(id) = found {
            return Ok(id);
        }
        self.conn
            .prepare_cached(
                "INSERT INTO parties (name, address, country, vat_number, registration_number, email, phone, bank_name,
                    bank_account_holder, bank_account_number, bank_branch_code, bank_swift)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?
            .execute(fields)?;
        Ok(self.conn.last_insert_rowid())
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn insert_invoice(
        &self,
        company: &Company,
        logo: Option<i64>,
        d: &Draft,
        run_id: i64,
        month: &str,
        date: NaiveDate,
        at: &str,
    ) -> Result<String> {
        let c = self.customer(d.customer_id)?;
        let (number, year, seq) = self.next_number("invoice", &company.invoice_number_format, date)?;
        let cur = d.currency;
        self.conn
            .prepare_cached(
                "INSERT INTO invoices (number, series_year, seq, run_id, customer_id, day, payment_terms_days, month_kept, currency,
                    net_minor, vat_minor, total_minor, customer_party_id, supplier_party_id, tax_treatment, paper, recorded_at, logo_id,
                    logo_kept, line_count, vat_line_count)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, 1, ?19, ?20)",
            )?
            .execute(params![
                number,
                year,
                seq,
                run_id,
                c.id,
                col::day(date),
                // The due date is the date and the terms: it is read so (`due_date`), not kept.
                c.payment_terms_days,
                // The month billed is kept only where it is not the date's (read as `month`).
                (month != date.format("%Y-%m").to_string()).then_some(month),
                cur.code(),
                cur.to_minor(d.net),
                cur.to_minor(d.vat),
                cur.to_minor(d.total),
                self.party_id(&[&c.name, &c.address, &c.country, &c.vat_number, "", &c.email, "", "", "", "", "", ""])?,
                self.party_id(&[
                    &company.name,
                    &company.address,
                    &company.country,
                    &company.vat_number,
                    &company.registration_number,
                    &company.email,
                    &company.phone,
                    &company.bank_name,
                    &company.bank_account_holder,
                    &company.bank_account_number,
                    &company.bank_branch_code,
                    &company.bank_swift,
                ])?,
                c.tax_treatment.as_str(),
                company.paper.as_str(),
                col::moment(at),
                logo,
                d.lines.len() as i64,
                d.vat_lines.len() as i64,
            ])?;
        let invoice_id = self.conn.last_insert_rowid();
        let mut line = self.conn.prepare_cached(
            "INSERT INTO invoice_lines (invoice_id, position, own_key, kind_code, subscription_id, text_id, period_start, period_end,
                quantity, unit_price, amount_minor, vat_rate, fx_rate, fx_from, billable_kept, cost_minor)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        )?;
        for (i, l) in d.lines.iter().enumerate() {
            // A licence period's key is derived from its subscription and period (not stored).
            let derived = l.kind == crate::billing::LineKind::Licence
                && match (l.subscription_id, l.period_start, l.period_end) {
                    (Some(sub), Some(start), Some(end)) => l.item_key == licence_key(sub, start, end),
                    _ => false,
                };
            line.execute(params![
                invoice_id,
                i as i64 + 1,
                (!derived).then_some(&l.item_key),
                l.kind.code(),
                l.subscription_id,
                self.text_id(&l.description)?,
                col::opt_day(l.period_start),
                col::opt_day(l.period_end),
                l.quantity.to_string(),
                unit(l.unit_price).to_string(),
                cur.to_minor(l.amount),
                l.vat_rate.to_string(),
                l.fx_rate.map(|r| r.to_string()),
                l.fx_from.map(|c| c.code().to_string()),
                // The day it became billable, where it is not the period's first (`billable_date`).
                (l.period_start != Some(l.billable_date)).then(|| col::day(l.billable_date)),
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
}
