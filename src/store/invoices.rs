//! Issued invoices and credit notes in the database: reading them back with their lines and
//! what was credited, and issuing a credit note (what it credits is `billing::credit_draft`'s
//! decision; its number comes from the gapless series in the same transaction).

use super::{col, Store};
use crate::billing::engine::{vat_summary, VatLine};
use crate::billing::{credit_draft, CreditDraft, CreditMode, CreditNoteView, DraftLine, InvoiceLineView, InvoiceView, LineKind};
use crate::error::{Error, Result};
use crate::money::Currency;
use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension, Row};
use std::collections::HashMap;

/// `?, ?, …` for `n` values of an `IN` list.
pub(super) fn marks(n: usize) -> String {
    vec!["?"; n.max(1)].join(", ")
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
        details: Vec::new(),
    })
}

impl Store {
    /// An issued invoice by number.
    pub fn invoice(&self, number: &str) -> Result<InvoiceView> {
        let head = self
            .conn
            .query_row(
                "SELECT i.*, p.name AS customer_name FROM invoices i JOIN parties p ON p.id = i.customer_party_id WHERE i.number = ?1",
                [number.trim()],
                |r| {
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
                },
            )
            .optional()?
            .ok_or_else(|| Error::not_found(format!("there is no invoice {}", number.trim())).with_field("number"))?;
        let (id, cur, customer_id, customer_name, date, due_date, month, (net, vat, total)) = head;
        let lines = self.invoice_lines(id, cur, true)?;
        let vat_lines = self.invoice_vat(id, cur)?;
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

    /// The lines of the invoice with row id `id`, by position, each Azure usage line with its meter
    /// categories as issued; `credited` (whether a credit note took a line) only when asked, as
    /// printing does not need it.
    pub(super) fn invoice_lines(&self, id: i64, cur: Currency, credited: bool) -> Result<Vec<InvoiceLineView>> {
        Ok(self.lines_of_invoices(&[(id, cur)], credited)?.remove(&id).unwrap_or_default())
    }

    /// The lines of the invoices with row ids `ids` (each with its currency), read together, by
    /// invoice, in their order.
    pub(super) fn lines_of_invoices(&self, ids: &[(i64, Currency)], credited: bool) -> Result<HashMap<i64, Vec<InvoiceLineView>>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let currency: HashMap<i64, Currency> = ids.iter().copied().collect();
        let marks = marks(ids.len());
        let credited = if credited { "EXISTS (SELECT 1 FROM credit_note_lines c WHERE c.invoice_line_id = l.id)" } else { "0" };
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT l.*, t.text AS description, {credited} AS credited FROM invoice_lines l JOIN line_texts t ON t.id = l.text_id
             WHERE l.invoice_id IN ({marks}) ORDER BY l.invoice_id, l.position"
        ))?;
        let mut out: HashMap<i64, Vec<InvoiceLineView>> = HashMap::with_capacity(ids.len());
        let mut rows = stmt.query(rusqlite::params_from_iter(ids.iter().map(|(id, _)| id)))?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get("invoice_id")?;
            let cur = currency.get(&id).copied().ok_or_else(|| Error::database("a line of an invoice not asked for"))?;
            out.entry(id).or_default().push(line_from_row(r, cur)?);
        }
        if out.values().flatten().any(|l| l.kind == LineKind::Usage) {
            // An Azure usage line by meter category, as issued.
            let mut stmt = self.conn.prepare_cached(&format!(
                "SELECT l.invoice_id, l.position, c.meter_category, c.amount_minor FROM usage_line_categories c
                 JOIN invoice_lines l ON l.id = c.invoice_line_id
                 WHERE l.invoice_id IN ({marks}) AND l.kind = 'usage' ORDER BY l.invoice_id, l.position, c.position"
            ))?;
            let mut q = stmt.query(rusqlite::params_from_iter(ids.iter().map(|(id, _)| id)))?;
            while let Some(r) = q.next()? {
                let (id, position): (i64, u32) = (r.get(0)?, r.get(1)?);
                let cur = currency[&id];
                if let Some(l) = out.get_mut(&id).and_then(|lines| lines.iter_mut().find(|l| l.position == position)) {
                    l.details.push(crate::billing::LineDetail { label: r.get(2)?, amount: cur.from_minor(r.get(3)?) });
                }
            }
        }
        Ok(out)
    }

    /// The VAT summary of the invoice with row id `id`, as issued.
    pub(super) fn invoice_vat(&self, id: i64, cur: Currency) -> Result<Vec<VatLine>> {
        Ok(self.vat_of_invoices(&[(id, cur)])?.remove(&id).unwrap_or_default())
    }

    /// `invoice_vat` of the invoices with row ids `ids` (each with its currency), read together.
    pub(super) fn vat_of_invoices(&self, ids: &[(i64, Currency)]) -> Result<HashMap<i64, Vec<VatLine>>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let currency: HashMap<i64, Currency> = ids.iter().copied().collect();
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT * FROM invoice_vat WHERE invoice_id IN ({}) ORDER BY invoice_id, CAST(rate AS TEXT)",
            marks(ids.len())
        ))?;
        let mut out: HashMap<i64, Vec<VatLine>> = HashMap::with_capacity(ids.len());
        let mut rows = stmt.query(rusqlite::params_from_iter(ids.iter().map(|(id, _)| id)))?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get("invoice_id")?;
            let cur = currency.get(&id).copied().ok_or_else(|| Error::database("a VAT line of an invoice not asked for"))?;
            out.entry(id).or_default().push(VatLine {
                rate: col::dec(r, "rate")?,
                net: cur.from_minor(r.get("net_minor")?),
                vat: cur.from_minor(r.get("vat_minor")?),
            });
        }
        Ok(out)
    }

    /// Issued invoices as lists show them (no lines), of a month (`YYYY-MM`) and/or a customer,
    /// in number order or newest first, the first `limit` of them (all for `None`), each with
    /// where it stands on `as_of` (one dated later is open in full). One query: what is credited
    /// and paid is summed per listed invoice by index, so a page costs what a page holds.
    pub fn invoice_list(
        &self,
        month: Option<&str>,
        customer_id: Option<i64>,
        as_of: NaiveDate,
        newest_first: bool,
        limit: Option<usize>,
    ) -> Result<Vec<(InvoiceView, super::InvoiceState)>> {
        self.invoice_rows(month, customer_id, None, as_of, newest_first, limit)
    }

    /// The invoices `ids` as `invoice_list` shows them, in the order given.
    pub fn invoice_list_of(&self, ids: &[i64], as_of: NaiveDate) -> Result<Vec<(InvoiceView, super::InvoiceState)>> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.extend(self.invoice_rows(None, None, Some(*id), as_of, true, None)?);
        }
        Ok(out)
    }

    fn invoice_rows(
        &self,
        month: Option<&str>,
        customer_id: Option<i64>,
        id: Option<i64>,
        as_of: NaiveDate,
        newest_first: bool,
        limit: Option<usize>,
    ) -> Result<Vec<(InvoiceView, super::InvoiceState)>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT i.id, i.number, i.customer_id, p.name, i.date, i.due_date, i.month, i.currency, i.net_minor, i.vat_minor,
                i.total_minor,
                (SELECT IFNULL(sum(c.net_minor), 0) FROM credit_notes c WHERE c.invoice_id = i.id),
                (SELECT group_concat(c.number, ', ') FROM (SELECT number FROM credit_notes WHERE invoice_id = i.id ORDER BY id) c),
                (SELECT IFNULL(sum(c.total_minor), 0) FROM credit_notes c WHERE c.invoice_id = i.id AND c.date <= ?3),
                (SELECT IFNULL(sum(a.amount_minor), 0) FROM allocations a WHERE a.invoice_id = i.id AND a.day <= ?6)
             FROM invoices i JOIN parties p ON p.id = i.customer_party_id
             WHERE {} AND {} AND {} ORDER BY i.series_year {order}, i.seq {order} LIMIT ?4",
            super::filter(month.is_some(), "i.month = ?1", 1),
            super::filter(customer_id.is_some(), "i.customer_id = ?2", 2),
            super::filter(id.is_some(), "i.id = ?5", 5),
            order = if newest_first { "DESC" } else { "ASC" },
        ))?;
        let limit = limit.map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX));
        let rows = stmt.query_map(params![month, customer_id, as_of.to_string(), limit, id, col::day(as_of)], |r| {
            let cur = col::currency(r, "currency")?;
            let money = super::receivables::InvoiceMoney {
                id: r.get(0)?,
                number: r.get(1)?,
                customer_id: r.get(2)?,
                date: col::date(r, "date")?,
                due: col::date(r, "due_date")?,
                currency: cur,
                total: r.get(10)?,
                credited: r.get(13)?,
                paid: r.get(14)?,
            };
            let state = money.state(as_of);
            let notes: Option<String> = r.get(12)?;
            let view = InvoiceView {
                number: Some(money.number),
                customer_id: money.customer_id,
                customer_name: r.get(3)?,
                date: money.date,
                due_date: money.due,
                month: r.get(6)?,
                currency: cur,
                lines: Vec::new(),
                vat_lines: Vec::new(),
                net: cur.from_minor(r.get(8)?),
                vat: cur.from_minor(r.get(9)?),
                total: cur.from_minor(money.total),
                credited_net: cur.from_minor(r.get(11)?),
                credit_notes: notes.map(|n| n.split(", ").map(str::to_string).collect()).unwrap_or_default(),
            };
            Ok((view, state))
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// How many invoices were issued of a month and/or to a customer.
    pub fn count_invoices(&self, month: Option<&str>, customer_id: Option<i64>) -> Result<usize> {
        let n: i64 = self
            .conn
            .prepare_cached(&format!(
                "SELECT count(*) FROM invoices WHERE {} AND {}",
                super::filter(month.is_some(), "month = ?1", 1),
                super::filter(customer_id.is_some(), "customer_id = ?2", 2)
            ))?
            .query_row(params![month, customer_id], |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or_default())
    }

    /// Issued invoices, newest first, filtered by month (`YYYY-MM`) and customer.
    pub fn list_invoices(&self, month: Option<&str>, customer_id: Option<i64>) -> Result<Vec<InvoiceView>> {
        let numbers: Vec<String> = {
            let mut stmt = self.conn.prepare_cached(&format!(
                "SELECT number FROM invoices WHERE {} AND {} ORDER BY series_year, seq",
                super::filter(month.is_some(), "month = ?1", 1),
                super::filter(customer_id.is_some(), "customer_id = ?2", 2)
            ))?;
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

    /// Issue a credit note against an issued invoice, as `credit_draft` decides, numbered in the
    /// same transaction.
    pub fn credit_invoice(&mut self, number: &str, mode: &CreditMode, reason: &str, date: NaiveDate, at: &str) -> Result<CreditNoteView> {
        self.credit_invoice_mailing(number, mode, reason, date, at, &|_, _| Ok(None))
    }

    /// `credit_invoice`, with the messages `mailing` writes for the credit note going to the
    /// outbox in the same transaction.
    pub fn credit_invoice_mailing(
        &mut self,
        number: &str,
        mode: &CreditMode,
        reason: &str,
        date: NaiveDate,
        at: &str,
        mailing: super::Mailing,
    ) -> Result<CreditNoteView> {
        let reason = crate::customer::plain_text(reason, "reason", 500, false)?;
        let reason = reason.as_str();
        let cn = self.write(|s| {
            let inv = s.invoice(number)?;
            let cur = inv.currency;
            let CreditDraft { lines, net, vat, .. } = credit_draft(&inv, mode, reason, date)?;
            let company = s.company()?;
            let (cn_number, year, seq) = s.next_number("credit-note", &company.credit_note_number_format, date)?;
            let invoice_id: i64 = s.conn.query_row("SELECT id FROM invoices WHERE number = ?1", [number.trim()], |r| r.get(0))?;
            s.conn.execute(
                "INSERT INTO credit_notes (number, series_year, seq, invoice_id, date, reason, currency, net_minor, vat_minor, total_minor, recorded_at, logo_id, logo_kept, line_count)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 1, ?13)",
                params![cn_number, year, seq, invoice_id, date.to_string(), reason, cur.code(), cur.to_minor(net), cur.to_minor(vat), cur.to_minor(net + vat), at, s.logo_snapshot(&company)?, lines.len() as i64],
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
            s.enqueue_mailing(mailing, std::slice::from_ref(&cn_number), at)?;
            Ok(cn_number)
        })?;
        self.credit_note(&cn)
    }

    pub fn credit_note(&self, number: &str) -> Result<CreditNoteView> {
        let (id, invoice_number, invoice_date, customer_id, customer_name, date, reason, cur, net, vat, total) = self
            .conn
            .query_row(
                "SELECT c.*, i.number AS invoice_number, i.date AS invoice_date, i.customer_id, p.name AS customer_name
                 FROM credit_notes c JOIN invoices i ON i.id = c.invoice_id JOIN parties p ON p.id = i.customer_party_id WHERE c.number = ?1",
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
        let drafts: Vec<DraftLine> = lines.iter().map(|l| l.as_draft(date)).collect();
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
        Ok(self
            .conn
            .query_row(
                "SELECT l.period_start, i.number FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
                 WHERE l.subscription_id = ?1 AND l.kind = 'licence' ORDER BY l.period_start DESC LIMIT 1",
                [subscription_id],
                |r| Ok((col::date(r, 0)?, r.get(1)?)),
            )
            .optional()?)
    }
}
