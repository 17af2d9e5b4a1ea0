//! Customers and their contact log.

use super::{col, Store};
use crate::customer::{
    parse_channel, BillingAlignment, ContactEntry, Customer, CustomerDefaults, CustomerFields, CustomerInput, TaxTreatment,
};
use crate::error::{Error, LineProblems, Result};
use crate::import::customers::CustomerRow;
use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension, Row};

fn customer_from_row(r: &Row) -> rusqlite::Result<Customer> {
    let currency = col::currency(r, "currency")?;
    let limit: Option<i64> = r.get("credit_limit_minor")?;
    Ok(Customer {
        id: r.get("id")?,
        name: r.get("name")?,
        contact_person: r.get("contact_person")?,
        email: r.get("email")?,
        phone: r.get("phone")?,
        address: r.get("address")?,
        country: r.get("country")?,
        currency,
        vat_number: r.get("vat_number")?,
        tax_treatment: col::parse_with(r, "tax_treatment", |s| TaxTreatment::parse(s, "").ok())?,
        payment_terms_days: r.get("payment_terms_days")?,
        credit_limit: limit.map(|m| currency.from_minor(m)),
        domain: r.get("domain")?,
        tenant_id: r.get("tenant_id")?,
        billing_alignment: col::parse_with(r, "billing_alignment", |s| BillingAlignment::parse(s, "").ok())?,
        notes: r.get("notes")?,
        delivery: col::parse_with(r, "delivery", |s| crate::mail::Delivery::parse(s, "").ok())?,
        closed_on: col::opt_date(r, "closed_on")?,
    })
}

/// The lower-cased text that search matches: name, domain, email, VAT number, contact.
fn search_text(c: &CustomerInput) -> String {
    format!("{}\u{1}{}\u{1}{}\u{1}{}\u{1}{}", c.name, c.domain, c.email, c.vat_number, c.contact_person).to_lowercase()
}

pub(super) fn insert_customer(conn: &Connection, c: &CustomerInput) -> Result<i64> {
    check_domain_free(conn, &c.domain, None)?;
    conn.prepare_cached(
        "INSERT INTO customers (name, contact_person, email, phone, address, country, currency, vat_number,
            tax_treatment, payment_terms_days, credit_limit_minor, domain, tenant_id, billing_alignment, notes, search, delivery)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    )?
    .execute(params![
        c.name,
        c.contact_person,
        c.email,
        c.phone,
        c.address,
        c.country,
        c.currency.code(),
        c.vat_number,
        c.tax_treatment.as_str(),
        c.payment_terms_days,
        c.credit_limit.map(|l| c.currency.to_minor(l)),
        c.domain,
        c.tenant_id,
        c.billing_alignment.as_str(),
        c.notes,
        search_text(c),
        c.delivery.as_str(),
    ])?;
    Ok(conn.last_insert_rowid())
}

fn check_domain_free(conn: &Connection, domain: &str, except: Option<i64>) -> Result<()> {
    let holder: Option<(i64, String)> = conn
        .prepare_cached("SELECT id, name FROM customers WHERE domain = ?1")?
        .query_row([domain], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match holder {
        Some((id, name)) if Some(id) != except => {
            Err(Error::conflict("domain", format!("the tenant domain {domain} already belongs to customer {id} ({name})")))
        }
        _ => Ok(()),
    }
}

/// What a customer import wrote: how many, and the first of them as written.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct CustomerImport {
    pub imported: usize,
    /// The first `SHOWN` customers (a file may hold a million).
    pub customers: Vec<Customer>,
}

impl CustomerImport {
    pub const SHOWN: usize = 100;
}

impl Store {
    pub(crate) fn customer_defaults(&self) -> Result<CustomerDefaults> {
        let c = self.company()?;
        Ok(CustomerDefaults { country: c.country, currency: c.currency, payment_terms_days: c.payment_terms_days })
    }

    pub fn add_customer(&mut self, fields: &CustomerFields) -> Result<Customer> {
        let id = self.write(|tx| {
            let input = fields.validate_new(&tx.customer_defaults()?)?;
            insert_customer(&tx.conn, &input)
        })?;
        self.customer(id)
    }

    pub fn update_customer(&mut self, id: i64, fields: &CustomerFields) -> Result<Customer> {
        self.write(|tx| tx.update_customer_in(id, fields))?;
        self.customer(id)
    }

    pub fn customer(&self, id: i64) -> Result<Customer> {
        self.conn
            .prepare_cached("SELECT * FROM customers WHERE id = ?1")?
            .query_row([id], customer_from_row)
            .optional()?
            .ok_or_else(|| Error::not_found(format!("there is no customer {id}")).with_field("customer"))
    }

    pub fn customer_by_domain(&self, domain: &str) -> Result<Option<Customer>> {
        Ok(self
            .conn
            .prepare_cached("SELECT * FROM customers WHERE domain = ?1")?
            .query_row([domain.trim().to_ascii_lowercase()], customer_from_row)
            .optional()?)
    }

    /// Customers whose name, domain, email, VAT number or contact contains `search`
    /// (case-insensitive), open ones only unless `include_closed`, sorted by name; at most
    /// `limit` of them (a search box shows the first matches, not all ten thousand).
    pub fn list_customers(&self, search: Option<&str>, include_closed: bool, limit: Option<u32>) -> Result<Vec<Customer>> {
        let pattern = search.map(super::like_pattern);
        let mut stmt = self.conn.prepare_cached(
            "SELECT * FROM customers
             WHERE (?1 IS NULL OR search LIKE ?1 ESCAPE '\\') AND (?2 OR closed_on IS NULL)
             ORDER BY name COLLATE NOCASE, id LIMIT ?3",
        )?;
        let limit = limit.map(i64::from).unwrap_or(-1);
        let rows = stmt.query_map(params![pattern, include_closed, limit], customer_from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Every customer's name (closed ones too), by id: for lists that name them.
    pub fn customer_names(&self) -> Result<std::collections::HashMap<i64, String>> {
        let mut stmt = self.conn.prepare_cached("SELECT id, name FROM customers")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn customer_count(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT count(*) FROM customers WHERE closed_on IS NULL", [], |r| r.get(0))?)
    }

    fn customer_has_subscriptions(&self, id: i64) -> Result<bool> {
        Ok(self.conn.query_row("SELECT EXISTS (SELECT 1 FROM subscriptions WHERE customer_id = ?1)", [id], |r| r.get(0))?)
    }

    /// Close a customer. Refused while any subscription still runs: it would keep being billed.
    pub fn close_customer(&mut self, id: i64, on: NaiveDate) -> Result<Customer> {
        let c = self.customer(id)?;
        if let Some(closed) = c.closed_on {
            return Err(Error::refused(format!("customer {id} was already closed on {closed}")));
        }
        let live: Vec<i64> = {
            let mut stmt = self
                .conn
                .prepare("SELECT id FROM subscriptions WHERE customer_id = ?1 AND status IN ('active', 'suspended') ORDER BY id")?;
            let ids = stmt.query_map([id], |r| r.get(0))?.collect::<rusqlite::Result<Vec<i64>>>()?;
            ids
        };
        if !live.is_empty() {
            let list = live.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ");
            return Err(Error::refused(format!(
                "customer {id} still has running subscriptions ({list}); cancel them or let them expire (auto-renew off) before closing"
            )));
        }
        self.write(|tx| Ok(tx.conn.execute("UPDATE customers SET closed_on = ?2 WHERE id = ?1", params![id, on.to_string()])?))?;
        self.customer(id)
    }

    pub(crate) fn check_customer_open(&self, id: i64) -> Result<Customer> {
        let c = self.customer(id).map_err(|e| e.with_field("customer"))?;
        if let Some(closed) = c.closed_on {
            return Err(Error::refused(format!("customer {id} ({}) was closed on {closed}", c.name)).with_field("customer"));
        }
        Ok(c)
    }

    pub fn add_contact_entry(
        &mut self,
        customer_id: i64,
        date: NaiveDate,
        channel: &str,
        summary: &str,
        recorded_at: &str,
    ) -> Result<ContactEntry> {
        self.customer(customer_id)?;
        let channel = parse_channel(channel, "channel")?;
        let summary = crate::customer::plain_text(summary, "summary", 2000, true)?;
        let summary = summary.as_str();
        if summary.is_empty() {
            return Err(Error::invalid("summary", "the summary must not be empty"));
        }
        let id = self.write(|tx| {
            tx.conn.execute(
                "INSERT INTO contact_log (customer_id, date, channel, summary, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![customer_id, date.to_string(), channel, summary, recorded_at],
            )?;
            Ok(tx.conn.last_insert_rowid())
        })?;
        Ok(ContactEntry { id, customer_id, date, channel, summary: summary.to_string() })
    }

    pub fn contact_log(&self, customer_id: i64) -> Result<Vec<ContactEntry>> {
        let mut stmt = self.conn.prepare("SELECT * FROM contact_log WHERE customer_id = ?1 ORDER BY date, id")?;
        let rows = stmt.query_map([customer_id], |r| {
            Ok(ContactEntry {
                id: r.get("id")?,
                customer_id: r.get("customer_id")?,
                date: col::date(r, "date")?,
                channel: r.get("channel")?,
                summary: r.get("summary")?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Import customers from parsed CSV rows: all or nothing, every bad line reported.
    pub fn import_customers(&mut self, rows: &[CustomerRow]) -> Result<CustomerImport> {
        self.import_customer_rows(rows.iter().cloned().map(Ok))
    }

    /// Import customers as they are read, all or nothing: each row checked and written as it
    /// comes, in one transaction, committed only when every line is good.
    pub fn import_customer_rows(
        &mut self,
        rows: impl Iterator<Item = std::result::Result<CustomerRow, (usize, String)>>,
    ) -> Result<CustomerImport> {
        self.unmapped(|s| s.write(|tx| tx.import_customers_in(rows)))
    }
}

/// Writes: only inside a transaction (`Store::write`).
impl super::Tx<'_> {
    pub(super) fn update_customer_in(&self, id: i64, fields: &CustomerFields) -> Result<()> {
        let current = self.customer(id)?;
        let input = fields.apply(CustomerInput::from_customer(&current))?;
        if input.currency != current.currency && self.customer_has_subscriptions(id)? {
            // Prices already locked in the old currency would otherwise silently change meaning.
            return Err(Error::refused(format!(
                "customer {id} has subscriptions billed in {}; the currency cannot change",
                current.currency
            ))
            .with_field("currency"));
        }
        check_domain_free(&self.conn, &input.domain, Some(id))?;
        self.conn.execute(
            "UPDATE customers SET name = ?2, contact_person = ?3, email = ?4, phone = ?5, address = ?6, country = ?7,
                currency = ?8, vat_number = ?9, tax_treatment = ?10, payment_terms_days = ?11, credit_limit_minor = ?12,
                domain = ?13, tenant_id = ?14, billing_alignment = ?15, notes = ?16, search = ?17, delivery = ?18
             WHERE id = ?1",
            params![
                id,
                input.name,
                input.contact_person,
                input.email,
                input.phone,
                input.address,
                input.country,
                input.currency.code(),
                input.vat_number,
                input.tax_treatment.as_str(),
                input.payment_terms_days,
                input.credit_limit.map(|l| input.currency.to_minor(l)),
                input.domain,
                input.tenant_id,
                input.billing_alignment.as_str(),
                input.notes,
                search_text(&input),
                input.delivery.as_str(),
            ],
        )?;
        Ok(())
    }

    pub(super) fn import_customers_in(
        &self,
        rows: impl Iterator<Item = std::result::Result<CustomerRow, (usize, String)>>,
    ) -> Result<CustomerImport> {
        let defaults = self.customer_defaults()?;
        let mut problems = LineProblems::new("customer file");
        let before: i64 = self.conn.query_row("SELECT coalesce(max(id), 0) FROM customers", [], |r| r.get(0))?;
        // The line of each customer written (by id past `before`): a domain that comes again
        // names the line it came first on.
        let mut lines: Vec<u32> = Vec::new();
        let mut out = CustomerImport::default();
        for row in rows {
            let Some(row) = problems.take(row) else { continue };
            let input = match row.fields.validate_new(&defaults) {
                Ok(input) => input,
                Err(e) => {
                    problems.push(row.line, e.field_message());
                    continue;
                }
            };
            match self.customer_by_domain(&input.domain)? {
                Some(existing) if existing.id > before => {
                    let first = lines.get((existing.id - before - 1) as usize).copied().unwrap_or_default();
                    problems.push(row.line, format!("domain {} appears again (first on line {first})", input.domain));
                }
                Some(existing) => problems
                    .push(row.line, format!("domain {} already belongs to customer {} ({})", input.domain, existing.id, existing.name)),
                None => {
                    let id = insert_customer(&self.conn, &input)?;
                    lines.push(u32::try_from(row.line).unwrap_or(u32::MAX));
                    out.imported += 1;
                    if out.customers.len() < CustomerImport::SHOWN {
                        out.customers.push(input.into_customer(id));
                    }
                }
            }
        }
        if out.imported == 0 && problems.is_empty() {
            problems.push(1, "the file has no customer rows");
        }
        problems.into_result()?;
        Ok(out)
    }
}
