//! Microsoft's reconciliation files as imported, and the book's side of a reconciliation.

use super::col;
use super::{Store, Tx};
use crate::billing::LineKind;
use crate::catalogue::ProductKey;
use crate::customer::CustomerFields;
use crate::error::{Error, Result};
use crate::money::Currency;
use crate::pricing::{rate_on, ExchangeRate};
use crate::recon::{Adoption, Book, BookCustomer, BookLine, BookSubscription, MsLine, MsSubject, SeatsFrom};
use crate::subscription::{term_end, Event, EventKind, RenewalChanges, Status, Subscription};
use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

/// What an import hands the book: the file's bytes (gzip-compressed unless it came so), what
/// they are in all, or one of its lines.
pub enum ReconRecord<'a> {
    Bytes(&'a [u8]),
    File(&'a ReconFile),
    Line(&'a MsLine),
}

/// A file as the book keeps it.
#[derive(Debug, Clone, Default)]
pub struct ReconFile {
    /// Its size as it came.
    pub bytes: u64,
    /// Its parts hold it gzip-compressed (else as it came).
    pub gzip: bool,
}

/// One of Microsoft's invoices as imported.
#[derive(Debug, Clone, Serialize)]
pub struct ReconImport {
    #[serde(skip)]
    pub id: i64,
    pub invoice: String,
    pub currency: Currency,
    pub lines: i64,
    /// The sum of the file's `Total` for the invoice (tax included).
    pub total: Decimal,
    pub file: String,
    pub format: String,
    pub imported_at: String,
    #[serde(skip)]
    pub digest: String,
}

/// An invoice of a file about to be recorded.
#[derive(Debug, Clone)]
pub struct ReconPlan {
    pub invoice: String,
    pub currency: Currency,
    pub format: String,
    pub header: String,
    pub digest: String,
    pub lines: i64,
    pub total: Decimal,
    /// The import this one replaces.
    pub replaces: Option<i64>,
}

fn import_from_row(r: &rusqlite::Row) -> rusqlite::Result<ReconImport> {
    Ok(ReconImport {
        id: r.get("id")?,
        invoice: r.get("invoice")?,
        currency: col::currency(r, "currency")?,
        lines: r.get("lines")?,
        total: col::dec(r, "total")?,
        file: r.get("file_name")?,
        format: r.get("format")?,
        imported_at: r.get("imported_at")?,
        digest: r.get("digest")?,
    })
}

fn opt_day(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.to_string())
}

impl Store {
    /// The imports in force (a replaced one is kept but not listed), the latest first.
    pub fn recon_imports(&self) -> Result<Vec<ReconImport>> {
        let mut stmt = self.conn.prepare("SELECT * FROM recon_imports WHERE replaced_by IS NULL ORDER BY imported_at DESC, id DESC")?;
        let rows = stmt.query_map([], import_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The import in force of Microsoft's invoice `invoice`.
    pub fn recon_import(&self, invoice: &str) -> Result<Option<ReconImport>> {
        Ok(self
            .conn
            .query_row(
                "SELECT * FROM recon_imports WHERE invoice = ?1 COLLATE NOCASE AND replaced_by IS NULL",
                [invoice.trim()],
                import_from_row,
            )
            .optional()?)
    }

    /// Write Microsoft's file and lines as `read` hands them over, then the imports it returns,
    /// in one transaction. `read` gets the book (to look at what was imported before) and `emit`,
    /// which keeps the file's bytes as they came and writes a line under the import its invoice
    /// will have (what a subscription's lines share, once); it returns the imports to record, or
    /// `None` to leave nothing behind (the file held nothing new). An error rolls everything
    /// back. Returns the ids of the imports recorded.
    #[allow(clippy::type_complexity)]
    pub fn record_recon(
        &mut self,
        file_name: &str,
        read: impl FnOnce(&Store, &mut dyn FnMut(ReconRecord) -> Result<()>) -> Result<Option<Vec<ReconPlan>>>,
        at: &str,
    ) -> Result<Option<Vec<i64>>> {
        /// The size of the parts a file is kept in.
        const PART: usize = 1 << 20;
        self.write_if(|tx| {
            let base: i64 = tx.conn.query_row("SELECT IFNULL(max(id), 0) + 1 FROM recon_imports", [], |r| r.get(0))?;
            let file_id: i64 = tx.conn.query_row("SELECT IFNULL(max(id), 0) + 1 FROM recon_files", [], |r| r.get(0))?;
            let mut ids: HashMap<String, i64> = HashMap::new();
            let mut subjects: HashMap<*const MsSubject, (Arc<MsSubject>, i64)> = HashMap::new();
            let mut part = Vec::with_capacity(PART);
            let mut parts = 0i64;
            let mut file: Option<ReconFile> = None;
            let plans = {
                let mut insert_part = tx.conn.prepare_cached("INSERT INTO recon_file_parts (file_id, part, data) VALUES (?1, ?2, ?3)")?;
                let mut insert_subject = tx.conn.prepare_cached(
                    "INSERT INTO recon_subjects (import_id, customer_tenant, customer_name, customer_domain, customer_country, product_id,
                        sku_id, sku_name, product_name, subscription_description, subscription_id, billing_frequency, subscription_start,
                        subscription_end)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                )?;
                let mut insert = tx.conn.prepare_cached(
                    "INSERT INTO recon_lines (import_id, line, subject_id, charge_type, subtotal, total, charge_start, charge_end,
                        effective_unit_price, billable_quantity, reference_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                )?;
                let mut write_part = |data: &[u8], parts: &mut i64| -> Result<()> {
                    insert_part.execute(params![file_id, *parts, data])?;
                    *parts += 1;
                    Ok(())
                };
                let mut emit = |record: ReconRecord| -> Result<()> {
                    let l = match record {
                        ReconRecord::File(f) => {
                            file = Some(f.clone());
                            return Ok(());
                        }
                        ReconRecord::Bytes(mut data) => {
                            while !data.is_empty() {
                                let n = (PART - part.len()).min(data.len());
                                part.extend_from_slice(&data[..n]);
                                data = &data[n..];
                                if part.len() == PART {
                                    write_part(&part, &mut parts)?;
                                    part.clear();
                                }
                            }
                            return Ok(());
                        }
                        ReconRecord::Line(l) => l,
                    };
                    let t = &l.subject;
                    let import_id = match ids.get(&t.invoice) {
                        Some(id) => *id,
                        None => {
                            let id = base + ids.len() as i64;
                            ids.insert(t.invoice.clone(), id);
                            id
                        }
                    };
                    let subject_id = match subjects.get(&Arc::as_ptr(t)) {
                        Some((_, id)) => *id,
                        None => {
                            insert_subject.execute(params![
                                import_id,
                                t.customer_tenant,
                                t.customer_name,
                                t.customer_domain,
                                t.customer_country,
                                t.product_id,
                                t.sku_id,
                                t.sku_name,
                                t.product_name,
                                t.subscription_description,
                                t.subscription_id,
                                t.billing_frequency,
                                opt_day(t.subscription_start),
                                opt_day(t.subscription_end),
                            ])?;
                            let id = tx.conn.last_insert_rowid();
                            subjects.insert(Arc::as_ptr(t), (t.clone(), id));
                            id
                        }
                    };
                    insert.execute(params![
                        import_id,
                        l.line as i64,
                        subject_id,
                        &*l.charge_type,
                        l.subtotal.to_string(),
                        l.total.to_string(),
                        l.charge_start.to_string(),
                        l.charge_end.to_string(),
                        l.effective_unit_price.to_string(),
                        l.billable_quantity.to_string(),
                        l.reference_id,
                    ])?;
                    Ok(())
                };
                let plans = read(tx, &mut emit)?;
                if !part.is_empty() {
                    write_part(&part, &mut parts)?;
                }
                plans
            };
            let Some(plans) = plans else { return Ok((None, false)) };
            let file = file.ok_or_else(|| Error::invalid("file", "the file was not read to its end"))?;
            tx.conn.execute(
                "INSERT INTO recon_files (id, name, bytes, stored, imported_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![file_id, file_name, file.bytes as i64, if file.gzip { "gzip" } else { "as_is" }, at],
            )?;
            let mut recorded = Vec::new();
            for p in &plans {
                let Some(id) = ids.remove(&p.invoice) else {
                    return Err(Error::invalid("file", format!("Microsoft's invoice {} has no lines in the file", p.invoice)));
                };
                if let Some(old) = p.replaces {
                    tx.conn.execute("UPDATE recon_imports SET replaced_by = ?1 WHERE id = ?2", params![id, old])?;
                }
                tx.conn.execute(
                    "INSERT INTO recon_imports (id, invoice, currency, file_name, format, header, digest, lines, total, imported_at, file_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                    params![id, p.invoice, p.currency.code(), file_name, p.format, p.header, p.digest, p.lines, p.total.to_string(), at, file_id],
                )?;
                recorded.push(id);
            }
            // Lines of an invoice that is not recorded would belong to no import.
            if let Some(invoice) = ids.keys().next() {
                return Err(Error::invalid("file", format!("the lines of Microsoft's invoice {invoice} were written but not recorded")));
            }
            Ok((Some(recorded), true))
        })
    }

    /// The file an import came from, as it came.
    pub fn recon_file(&self, import: &ReconImport) -> Result<Vec<u8>> {
        let (gzip, size): (bool, i64) = self.conn.query_row(
            "SELECT f.stored = 'gzip', f.bytes FROM recon_files f JOIN recon_imports i ON i.file_id = f.id WHERE i.id = ?1",
            [import.id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let mut stmt = self.conn.prepare(
            "SELECT p.data FROM recon_file_parts p JOIN recon_imports i ON i.file_id = p.file_id WHERE i.id = ?1 ORDER BY p.part",
        )?;
        let mut rows = stmt.query([import.id])?;
        let mut stored = Vec::new();
        while let Some(r) = rows.next()? {
            stored.extend_from_slice(r.get_ref(0)?.as_blob().map_err(rusqlite::Error::from)?);
        }
        if !gzip {
            return Ok(stored);
        }
        let mut out = Vec::with_capacity(size.max(0) as usize);
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(stored.as_slice()), &mut out)
            .map_err(|e| Error::database(format!("Microsoft's file of invoice {} cannot be read back: {e}", import.invoice)))?;
        Ok(out)
    }

    /// The first and last day Microsoft's charges of an import start on.
    pub fn recon_charge_range(&self, import: &ReconImport) -> Result<Option<(NaiveDate, NaiveDate)>> {
        let (from, to): (Option<String>, Option<String>) =
            self.conn.query_row("SELECT min(charge_start), max(charge_start) FROM recon_lines WHERE import_id = ?1", [import.id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        let day = |d: String| crate::dates::parse_date(&d, "charge_start");
        Ok(match (from, to) {
            (Some(from), Some(to)) => Some((day(from)?, day(to)?)),
            _ => None,
        })
    }

    /// Microsoft's lines of an import, in file order, as a reconciliation reads them (the rest of
    /// each row is in the file as it came).
    pub fn recon_lines(&self, import: &ReconImport) -> Result<Vec<MsLine>> {
        let mut subjects: HashMap<i64, Arc<MsSubject>> = HashMap::new();
        {
            let mut stmt = self.conn.prepare(
                "SELECT id, customer_tenant, customer_name, customer_domain, customer_country, product_id, sku_id, sku_name,
                    product_name, subscription_description, subscription_id, billing_frequency, subscription_start, subscription_end
                 FROM recon_subjects WHERE import_id = ?1",
            )?;
            let mut rows = stmt.query([import.id])?;
            while let Some(r) = rows.next()? {
                let subject = MsSubject {
                    invoice: import.invoice.clone(),
                    currency: import.currency,
                    customer_tenant: r.get(1)?,
                    customer_name: r.get(2)?,
                    customer_domain: r.get(3)?,
                    customer_country: r.get(4)?,
                    product_id: r.get(5)?,
                    sku_id: r.get(6)?,
                    sku_name: r.get(7)?,
                    product_name: r.get(8)?,
                    subscription_description: r.get(9)?,
                    subscription_id: r.get(10)?,
                    billing_frequency: r.get(11)?,
                    subscription_start: col::opt_date(r, 12)?,
                    subscription_end: col::opt_date(r, 13)?,
                };
                subjects.insert(r.get(0)?, Arc::new(subject));
            }
        }
        let mut stmt = self.conn.prepare(
            "SELECT line, subject_id, charge_type, subtotal, total, charge_start, charge_end, effective_unit_price, billable_quantity,
                reference_id
             FROM recon_lines WHERE import_id = ?1 ORDER BY line",
        )?;
        let mut out = Vec::with_capacity(import.lines.max(0) as usize);
        let mut charge_types: HashMap<String, Arc<str>> = HashMap::new();
        let mut rows = stmt.query([import.id])?;
        while let Some(r) = rows.next()? {
            let line: i64 = r.get(0)?;
            let subject_id: i64 = r.get(1)?;
            let subject = subjects
                .get(&subject_id)
                .ok_or_else(|| Error::invalid("invoice", format!("Microsoft's line {line} has lost what it shares with others")))?;
            out.push(MsLine {
                line: line as usize,
                subject: subject.clone(),
                charge_type: {
                    let t = col::text(r, 2)?;
                    match charge_types.get(t) {
                        Some(t) => t.clone(),
                        None => charge_types.entry(t.to_string()).or_insert_with(|| Arc::from(t)).clone(),
                    }
                },
                subtotal: col::dec(r, 3)?,
                total: col::dec(r, 4)?,
                charge_start: col::date(r, 5)?,
                charge_end: col::date(r, 6)?,
                effective_unit_price: col::dec(r, 7)?,
                billable_quantity: col::dec(r, 8)?,
                reference_id: r.get(9)?,
            });
        }
        Ok(out)
    }

    /// The book's side of a reconciliation in Microsoft's currency `ms`: every customer and
    /// subscription with its seat history, and the licence and proration lines issued with a
    /// billable date in [from, to].
    pub fn recon_book(&self, ms: Currency, from: NaiveDate, to: NaiveDate) -> Result<Book> {
        let customers = {
            let mut stmt = self.conn.prepare("SELECT id, name, lower(domain), lower(tenant_id) FROM customers")?;
            let rows =
                stmt.query_map([], |r| Ok(BookCustomer { id: r.get(0)?, name: r.get(1)?, domain: r.get(2)?, tenant_id: r.get(3)? }))?;
            rows.collect::<rusqlite::Result<Vec<_>>>()?
        };
        let mut history: HashMap<i64, Vec<SeatsFrom>> = HashMap::new();
        {
            let mut stmt = self
                .conn
                .prepare("SELECT subscription_id, kind, effective, quantity FROM subscription_events ORDER BY subscription_id, id")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let kind = col::text(r, 1)?;
                let ended = kind == EventKind::Cancelled.as_str() || kind == EventKind::Expired.as_str();
                let prorated = kind == EventKind::QuantityChanged.as_str()
                    || kind == EventKind::Cancelled.as_str()
                    || kind == EventKind::Upgraded.as_str();
                let seats: i64 = r.get(3)?;
                let h = history.entry(r.get(0)?).or_default();
                let point = SeatsFrom { effective: col::date(r, 2)?, seats: if ended { 0 } else { seats as u32 }, prorated };
                // Same-day events: the later one holds.
                h.push(point);
            }
        }
        for h in history.values_mut() {
            h.sort_by_key(|p| p.effective);
        }
        let subscriptions = {
            let mut stmt = self.conn.prepare(
                "SELECT id, customer_id, product_id, sku_id, product_title, term, billing, lower(ms_subscription_id), trial, bill_from FROM subscriptions",
            )?;
            let rows = stmt.query_map([], |r| {
                let id: i64 = r.get(0)?;
                Ok(BookSubscription {
                    id,
                    customer_id: r.get(1)?,
                    product: ProductKey { product_id: r.get(2)?, sku_id: r.get(3)? },
                    product_title: r.get(4)?,
                    term: col::term(r, 5)?,
                    billing: col::billing(r, 6)?,
                    ms_subscription_id: r.get(7)?,
                    trial: r.get::<_, i64>(8)? == 1,
                    bill_from: col::date(r, 9)?,
                    history: Vec::new(),
                })
            })?;
            let mut subs = rows.collect::<rusqlite::Result<Vec<_>>>()?;
            for s in &mut subs {
                s.history = history.remove(&s.id).unwrap_or_default();
            }
            subs
        };
        let rates = self.exchange_rates()?;
        let convert = |amount: Decimal, from: Currency, on: NaiveDate| -> Option<Decimal> { to_currency(&rates, amount, from, ms, on) };
        let lines = {
            // A licence period or a proration is billable on its first day: each subscription's
            // are found through the index of its own (a seek per subscription, however many
            // months the book holds).
            let of_kind = |kind: &str| {
                format!(
                    "SELECT l.id, l.subscription_id, l.kind, l.period_start, l.period_end, l.quantity, l.amount_minor, i.currency,
                        l.cost_minor, l.billable_date, i.number
                     FROM subscriptions s CROSS JOIN invoice_lines l ON l.subscription_id = s.id AND l.kind = '{kind}'
                        AND l.period_start BETWEEN ?1 AND ?2
                     JOIN invoices i ON i.id = l.invoice_id
                     WHERE l.billable_date BETWEEN ?1 AND ?2"
                )
            };
            let mut stmt = self.conn.prepare(&format!("{} UNION ALL {}", of_kind("licence"), of_kind("proration")))?;
            let mut rows = stmt.query(params![col::day(from), col::day(to)])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                let currency = col::currency(r, 7)?;
                let amount = currency.from_minor(r.get(6)?);
                let cost: Option<i64> = r.get(8)?;
                let billable = col::date(r, 9)?;
                out.push(BookLine {
                    id: r.get(0)?,
                    subscription_id: r.get(1)?,
                    kind: col::parse_with(r, 2, LineKind::parse)?,
                    period_start: col::date(r, 3)?,
                    period_end: col::date(r, 4)?,
                    quantity: col::dec(r, 5)?,
                    amount,
                    currency,
                    amount_in_ms: convert(amount, currency, billable),
                    cost_in_ms: cost.and_then(|c| convert(currency.from_minor(c), currency, billable)),
                    invoice_number: r.get(10)?,
                });
            }
            out
        };
        let billed_through: Option<String> = self.conn.query_row("SELECT max(month) FROM billing_runs", [], |r| r.get(0))?;
        let billed_through = billed_through.and_then(|m| crate::dates::parse_month(&m, "month").ok()).map(crate::dates::month_end);
        Ok(Book { customers, subscriptions, lines, billed_through })
    }

    /// Attach Microsoft's subscription id to a subscription that has none.
    pub fn attach_ms_subscription_id(&mut self, id: i64, ms_id: &str) -> Result<Subscription> {
        self.write(|tx| {
            let sub = tx.subscription(id)?;
            if !sub.ms_subscription_id.is_empty() {
                return Err(Error::refused(format!(
                    "subscription {id} already has Microsoft's id {}; it is not changed",
                    sub.ms_subscription_id
                )));
            }
            let taken: Option<i64> = tx
                .conn
                .query_row(
                    "SELECT id FROM subscriptions WHERE ms_subscription_id <> '' AND lower(ms_subscription_id) = lower(?1)",
                    [ms_id],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(other) = taken {
                return Err(Error::conflict(
                    "ms_subscription_id",
                    format!("Microsoft's subscription {ms_id} is already subscription {other}"),
                ));
            }
            tx.conn.execute("UPDATE subscriptions SET ms_subscription_id = ?1 WHERE id = ?2", params![ms_id, id])?;
            Ok(())
        })?;
        self.subscription(id)
    }

    /// Take one of Microsoft's subscriptions into the book, with its customer if the book lacks
    /// it, in one transaction: priced by the markup rules on its term's first day, billed from
    /// `bill_from`.
    /// Adopt a subscription Microsoft has and the book does not (and its customer, if the book
    /// has none), priced by the markup rules and billed from `a.bill_from`; `source` says where
    /// it was found ("Microsoft's invoice G0001 (line 12)", "Partner Center").
    pub fn adopt_subscription(&mut self, a: &Adoption, source: &str, at: &str) -> Result<Subscription> {
        let id = self.write(|tx| {
            let customer_id = match a.customer_id {
                Some(id) => id,
                None => tx.adopt_customer(a, source)?,
            };
            tx.check_customer_open(customer_id)?;
            if let Some(other) = tx
                .conn
                .query_row("SELECT id FROM subscriptions WHERE lower(ms_subscription_id) = lower(?1)", [&a.ms_subscription_id], |r| {
                    r.get::<_, i64>(0)
                })
                .optional()?
            {
                return Err(Error::conflict(
                    "finding",
                    format!("Microsoft's subscription {} is already subscription {other}", a.ms_subscription_id),
                ));
            }
            // Locked at the term's start, as Seatbook locks every term; a term that began before
            // the price list Seatbook has is priced as the day it is billed from.
            let (price, title) = match tx.lock_for(customer_id, &a.product, a.term, a.billing, a.term_start, None) {
                Ok(p) => p,
                Err(first) => tx.lock_for(customer_id, &a.product, a.term, a.billing, a.bill_from, None).map_err(|_| first)?,
            };
            let mut sub = Subscription {
                id: 0,
                customer_id,
                product: a.product.clone(),
                product_title: title,
                term: a.term,
                billing: a.billing,
                quantity: a.quantity,
                status: Status::Active,
                auto_renew: true,
                trial: false,
                purchased_on: a.term_start,
                term_start: a.term_start,
                term_end: term_end(a.term_start, a.term),
                ms_subscription_id: a.ms_subscription_id.clone(),
                price,
                price_override: None,
                scheduled: RenewalChanges::default(),
                ended_on: None,
                bill_from: a.bill_from,
            };
            sub.id = tx.insert_subscription(&sub)?;
            let what = format!(
                "adopted from {source}: {} seats, term {} to {}, at {} per seat per term ({}); billed from {}",
                sub.quantity,
                sub.term_start,
                sub.term_end,
                crate::money::tidy_with_code(sub.price.unit_price, sub.price.price_currency),
                sub.price.rule,
                sub.bill_from
            );
            tx.append(&Event::capture(&sub, EventKind::Imported, a.term_start, at, sub.quantity as i64, what))?;
            Ok(sub.id)
        })?;
        self.subscription(id)
    }
}

impl Tx<'_> {
    fn adopt_customer(&self, a: &Adoption, source: &str) -> Result<i64> {
        let fields = CustomerFields {
            name: Some(if a.customer_name.trim().is_empty() { a.customer_domain.clone() } else { a.customer_name.clone() }),
            country: (!a.customer_country.trim().is_empty()).then(|| a.customer_country.clone()),
            domain: Some(a.customer_domain.clone()),
            tenant_id: Some(a.customer_tenant.clone()),
            notes: Some(format!("Added from {source}.")),
            ..CustomerFields::default()
        };
        let input = fields.validate_new(&self.customer_defaults()?).map_err(|e| {
            let field = e.field.clone().unwrap_or_default();
            Error::invalid("finding", format!("the customer cannot be added from {source}: {field}: {}", e.message))
        })?;
        super::customers::insert_customer(&self.conn, &input)
    }
}

/// `amount` in `from` as `to` on `on`: by the rate from → to, else the inverse of to → from.
pub fn to_currency(rates: &[ExchangeRate], amount: Decimal, from: Currency, to: Currency, on: NaiveDate) -> Option<Decimal> {
    if let Some(r) = rate_on(rates, from, to, on) {
        return Some(amount * r);
    }
    rate_on(rates, to, from, on).filter(|r| !r.is_zero()).map(|r| amount / r)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A book of schema 9 kept each of Microsoft's rows as text beside its columns: after the
    /// migration its lines read as before, sharing what they have in common, and its file is
    /// the header and the rows as they were kept.
    #[test]
    fn reconciliation_files_imported_before_schema_10_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let conn = rusqlite::Connection::open(&path).unwrap();
            for sql in &super::super::schema::MIGRATIONS[..9] {
                conn.execute_batch(sql).unwrap();
            }
            conn.execute_batch(
                "PRAGMA user_version = 9;
                 INSERT INTO recon_imports (id, invoice, currency, file_name, format, header, digest, lines, total, imported_at)
                 VALUES (1, 'G000000601', 'EUR', 'june.csv', 'CSV', 'InvoiceNumber,SubscriptionId,Subtotal', 'abc', 2, '115.92',
                    '2026-07-08T09:00:00Z');
                 INSERT INTO recon_lines (import_id, line, customer_tenant, customer_name, customer_domain, customer_country, product_id,
                    sku_id, sku_name, product_name, charge_type, subtotal, total, subscription_description, subscription_id, charge_start,
                    charge_end, effective_unit_price, billable_quantity, billing_frequency, subscription_start, subscription_end,
                    reference_id, raw)
                 VALUES
                    (1, 2, 't1', 'Contoso', 'contoso.example', 'DE', 'CFQ7TTC0LF8Q', '0001', 'E3', 'Office 365 E3', 'new', '100.80',
                     '100.80', '', 's1', '2021-06-05', '2021-07-04', '10.08', '10', 'Monthly', '2021-06-05', '2021-07-04', '',
                     'G000000601,S1,100.80'),
                    (1, 3, 't1', 'Contoso', 'contoso.example', 'DE', 'CFQ7TTC0LF8Q', '0001', 'E3', 'Office 365 E3', 'addQuantity',
                     '15.12', '15.12', '', 's1', '2021-06-20', '2021-07-04', '1.008', '15', 'Monthly', '2021-06-05', '2021-07-04',
                     'r1', 'G000000601,S1,15.12');",
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        let import = store.recon_import("G000000601").unwrap().unwrap();
        let lines = store.recon_lines(&import).unwrap();
        let got: Vec<_> = lines
            .iter()
            .map(|l| (l.line, &*l.charge_type, l.subtotal.to_string(), l.charge_start.to_string(), l.reference_id.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (2, "new", "100.80".to_string(), "2021-06-05".to_string(), ""),
                (3, "addQuantity", "15.12".to_string(), "2021-06-20".to_string(), "r1")
            ]
        );
        assert!(Arc::ptr_eq(&lines[0].subject, &lines[1].subject));
        let s = &lines[0].subject;
        assert_eq!(
            (s.customer_tenant.as_str(), s.subscription_id.as_str(), s.subscription_end),
            ("t1", "s1", NaiveDate::from_ymd_opt(2021, 7, 4))
        );
        assert_eq!(
            String::from_utf8(store.recon_file(&import).unwrap()).unwrap(),
            "InvoiceNumber,SubscriptionId,Subtotal\nG000000601,S1,100.80\nG000000601,S1,15.12\n"
        );
    }
}
