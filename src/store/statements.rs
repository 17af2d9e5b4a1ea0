//! Statements of account, overdue reminders (recorded per invoice and level so each goes out
//! once) and the credit stop.

use super::{col, Store};
use crate::company::Company;
use crate::customer::Customer;
use crate::error::{Error, Result};
use crate::money::Currency;
use crate::pdf::{BankDetails, Party, ReminderLetter, StatementDocument, StatementRow};
use crate::receivables::bucket;
use crate::receivables::{credit_stop_reason, level_title, reminder_level, CREDIT_STOP_DAYS};
use chrono::NaiveDate;
use rusqlite::params;
use rust_decimal::Decimal;
use serde::Serialize;

/// A customer on credit stop, and why.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CreditStop {
    pub customer_id: i64,
    pub customer_name: String,
    pub reason: String,
}

/// One line of a statement.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StatementLine {
    pub date: NaiveDate,
    /// invoice, credit-note, payment, refund or reversal.
    pub kind: String,
    pub document: String,
    pub description: String,
    pub debit: Decimal,
    pub credit: Decimal,
    pub balance: Decimal,
}

/// A customer's statement of account for a period, both days included.
#[derive(Debug, Clone, Serialize)]
pub struct Statement {
    pub customer_id: i64,
    pub customer_name: String,
    pub currency: Currency,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The balance at the end of the day before `from`.
    pub opening: Decimal,
    pub lines: Vec<StatementLine>,
    pub closing: Decimal,
    /// What is open at `to`: current, 1–30, 31–60, 61–90, over 90 days past due.
    pub aging: [Decimal; 5],
    pub aging_total: Decimal,
}

/// A reminder sent (recorded) for an overdue invoice.
#[derive(Debug, Clone, Serialize)]
pub struct Reminder {
    #[serde(skip)]
    pub invoice_id: i64,
    pub invoice: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub level: u8,
    pub title: String,
    pub date: NaiveDate,
    pub invoice_date: NaiveDate,
    pub due_date: NaiveDate,
    pub currency: Currency,
    pub open: Decimal,
    pub days_overdue: i64,
}

/// A reminder sent, and where its letter went.
#[derive(Debug, Clone, Serialize)]
pub struct SentReminder {
    #[serde(flatten)]
    pub reminder: Reminder,
    pub file: String,
}

fn customer_party(c: &Customer) -> Party {
    Party {
        name: c.name.clone(),
        address: c.address.clone(),
        country: c.country.clone(),
        vat_number: c.vat_number.clone(),
        email: c.email.clone(),
        ..Default::default()
    }
}

fn supplier(co: &Company) -> (Party, BankDetails) {
    (
        Party {
            name: co.name.clone(),
            address: co.address.clone(),
            country: co.country.clone(),
            vat_number: co.vat_number.clone(),
            registration_number: co.registration_number.clone(),
            email: co.email.clone(),
            phone: co.phone.clone(),
        },
        BankDetails {
            bank_name: co.bank_name.clone(),
            account_holder: co.bank_account_holder.clone(),
            account_number: co.bank_account_number.clone(),
            branch_code: co.bank_branch_code.clone(),
            swift: co.bank_swift.clone(),
        },
    )
}

impl Store {
    /// A customer's statement for `from`..=`to`: the opening balance (end of the day before),
    /// every invoice, credit note, payment, refund and reversal dated in the period in date
    /// order with a running balance, the closing balance and the aging of what is open at `to`.
    pub fn statement(&self, customer_id: i64, from: NaiveDate, to: NaiveDate) -> Result<Statement> {
        if to < from {
            return Err(Error::invalid("to", format!("the end ({to}) is before the start ({from})")));
        }
        let c = self.customer(customer_id).map_err(|e| e.with_field("customer"))?;
        let cur = c.currency;
        let before = from.pred_opt().unwrap_or(from);
        let opening = self.account(customer_id, before)?.balance;
        let end = self.account(customer_id, to)?;
        // (date, rank, id, kind, document, description, debit minor, credit minor)
        type Raw = (NaiveDate, u8, i64, &'static str, String, String, i64, i64);
        let mut raw: Vec<Raw> = Vec::new();
        let (f, t) = (from.to_string(), to.to_string());
        {
            let mut stmt = self.conn.prepare_cached(
                "SELECT id, number, date, due_date, total_minor FROM invoices WHERE customer_id = ?1 AND date BETWEEN ?2 AND ?3",
            )?;
            let rows = stmt.query_map(params![customer_id, f, t], |r| {
                Ok((
                    col::date(r, "date")?,
                    0u8,
                    r.get::<_, i64>(0)?,
                    "invoice",
                    r.get::<_, String>(1)?,
                    format!("Invoice, due {}", col::date(r, "due_date")?.format("%-d %b %Y")),
                    r.get::<_, i64>(4)?,
                    0i64,
                ))
            })?;
            raw.extend(rows.collect::<rusqlite::Result<Vec<_>>>()?);
        }
        {
            let mut stmt = self.conn.prepare_cached(
                "SELECT c.id, c.number, c.date, c.total_minor, i.number AS invoice, c.reason FROM credit_notes c JOIN invoices i ON i.id = c.invoice_id
                 WHERE i.customer_id = ?1 AND c.date BETWEEN ?2 AND ?3",
            )?;
            let rows = stmt.query_map(params![customer_id, f, t], |r| {
                let reason: String = r.get(5)?;
                let invoice: String = r.get(4)?;
                let desc = if reason.trim().is_empty() {
                    format!("Credit note on {invoice}")
                } else {
                    format!("Credit note on {invoice}: {}", reason.trim())
                };
                Ok((
                    col::date(r, "date")?,
                    1u8,
                    r.get::<_, i64>(0)?,
                    "credit-note",
                    r.get::<_, String>(1)?,
                    desc,
                    0i64,
                    r.get::<_, i64>(3)?,
                ))
            })?;
            raw.extend(rows.collect::<rusqlite::Result<Vec<_>>>()?);
        }
        {
            let mut stmt = self.conn.prepare_cached(
                "SELECT id, kind, date, amount_minor, method, reference, reverses_id FROM payments WHERE customer_id = ?1 AND date BETWEEN ?2 AND ?3",
            )?;
            let rows = stmt.query_map(params![customer_id, f, t], |r| {
                let id: i64 = r.get(0)?;
                let kind: String = r.get(1)?;
                let amount: i64 = r.get(3)?;
                let method: String = r.get(4)?;
                let reference: String = r.get(5)?;
                let reverses: Option<i64> = r.get(6)?;
                let with_ref = |s: String| if reference.trim().is_empty() { s } else { format!("{s}, {}", reference.trim()) };
                let (rank, kind, doc, desc, debit, credit) = match kind.as_str() {
                    "payment" => (2u8, "payment", format!("PMT-{id}"), with_ref(format!("Payment received ({method})")), 0, amount),
                    "refund" => (3, "refund", format!("REF-{id}"), with_ref(format!("Refund of credit ({method})")), amount, 0),
                    _ => (
                        4,
                        "reversal",
                        format!("REV-{id}"),
                        with_ref(format!("Reversal of payment PMT-{}", reverses.unwrap_or_default())),
                        amount,
                        0,
                    ),
                };
                Ok((col::date(r, "date")?, rank, id, kind, doc, desc, debit, credit))
            })?;
            raw.extend(rows.collect::<rusqlite::Result<Vec<_>>>()?);
        }
        raw.sort_by_key(|a| (a.0, a.1, a.2));
        let mut running = cur.to_minor(opening);
        let lines = raw
            .into_iter()
            .map(|(date, _, _, kind, document, description, debit, credit)| {
                running += debit - credit;
                StatementLine {
                    date,
                    kind: kind.to_string(),
                    document,
                    description,
                    debit: cur.from_minor(debit),
                    credit: cur.from_minor(credit),
                    balance: cur.from_minor(running),
                }
            })
            .collect();
        let mut aging = [0i64; 5];
        for i in &end.invoices {
            aging[bucket(i.due_date, to)] += cur.to_minor(i.open);
        }
        Ok(Statement {
            customer_id,
            customer_name: c.name,
            currency: cur,
            from,
            to,
            opening,
            lines,
            closing: end.balance,
            aging: aging.map(|v| cur.from_minor(v)),
            aging_total: cur.from_minor(aging.iter().sum()),
        })
    }

    /// The printable form of a statement.
    pub fn statement_document(&self, s: &Statement) -> Result<StatementDocument> {
        let c = self.customer(s.customer_id)?;
        let co = self.company()?;
        let (supplier, bank) = supplier(&co);
        Ok(StatementDocument {
            from: s.from,
            to: s.to,
            currency: s.currency,
            paper: co.paper,
            supplier,
            customer: customer_party(&c),
            bank,
            opening: s.opening,
            rows: s
                .lines
                .iter()
                .map(|l| StatementRow {
                    date: l.date,
                    document: l.document.clone(),
                    description: l.description.clone(),
                    debit: l.debit,
                    credit: l.credit,
                    balance: l.balance,
                })
                .collect(),
            closing: s.closing,
            aging: s.aging,
        })
    }

    /// The reminders due on `as_of`, recording nothing: for each open invoice, the highest level
    /// its days overdue reach, unless that level (or a higher one) was already sent. Oldest
    /// invoice first.
    pub fn due_reminders(&self, as_of: NaiveDate) -> Result<Vec<Reminder>> {
        let names: std::collections::HashMap<i64, String> = self
            .conn
            .prepare_cached("SELECT id, name FROM customers")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let sent: std::collections::HashMap<i64, u8> = self
            .conn
            .prepare_cached("SELECT invoice_id, max(level) FROM reminders GROUP BY invoice_id")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::new();
        for i in self.invoice_money(None, as_of)? {
            let open = i.open();
            let days = (as_of - i.due).num_days();
            if open <= 0 {
                continue;
            }
            let Some(level) = reminder_level(days) else { continue };
            if sent.get(&i.id).is_some_and(|l| *l >= level) {
                continue;
            }
            out.push(Reminder {
                invoice_id: i.id,
                invoice: i.number,
                customer_id: i.customer_id,
                customer_name: names.get(&i.customer_id).cloned().unwrap_or_default(),
                level,
                title: level_title(level).to_string(),
                date: as_of,
                invoice_date: i.date,
                due_date: i.due,
                currency: i.currency,
                open: i.currency.from_minor(open),
                days_overdue: days,
            });
        }
        Ok(out)
    }

    /// Record every reminder due on `as_of` (see `due_reminders`), without letters. One
    /// transaction; running again the same day records nothing new.
    pub fn run_reminders(&mut self, as_of: NaiveDate, at: &str) -> Result<Vec<Reminder>> {
        self.write(|s| {
            let due = s.due_reminders(as_of)?;
            s.record_reminders(&due, as_of, at)?;
            Ok(due)
        })
    }

    /// Send the reminders due on `as_of`: each letter is rendered and handed to `deliver`
    /// (which writes it and says where), then all are recorded in one transaction, so each goes
    /// out once. A letter that cannot be delivered records nothing, and the next run tries again.
    pub fn send_reminders(
        &mut self,
        as_of: NaiveDate,
        at: &str,
        mut deliver: impl FnMut(&Reminder, &[u8]) -> Result<String>,
        compose: impl FnOnce(&Store, &[(Reminder, Vec<u8>)]) -> Result<Option<(Vec<super::NewMessage>, String)>>,
    ) -> Result<Vec<SentReminder>> {
        let due = self.due_reminders(as_of)?;
        let mut sent = Vec::with_capacity(due.len());
        let mut letters = Vec::with_capacity(due.len());
        for reminder in due {
            let letter = crate::pdf::render_reminder(&self.reminder_letter(&reminder)?)?;
            let file = deliver(&reminder, &letter)?;
            sent.push(SentReminder { reminder: reminder.clone(), file });
            letters.push((reminder, letter));
        }
        // The letters that go by e-mail are written to the outbox with the run.
        let mail = compose(self, &letters)?;
        self.write(|s| {
            let reminders: Vec<Reminder> = sent.iter().map(|r| r.reminder.clone()).collect();
            s.record_reminders(&reminders, as_of, at)?;
            if let Some((messages, from)) = &mail {
                for m in messages {
                    s.enqueue_mail(m, from, at)?;
                }
            }
            Ok(())
        })?;
        Ok(sent)
    }

    /// The reminder letter for a reminder.
    pub fn reminder_letter(&self, r: &Reminder) -> Result<ReminderLetter> {
        let c = self.customer(r.customer_id)?;
        let co = self.company()?;
        let (supplier, bank) = supplier(&co);
        Ok(ReminderLetter {
            title: r.title.clone(),
            level: r.level,
            date: r.date,
            currency: r.currency,
            paper: co.paper,
            supplier,
            customer: customer_party(&c),
            bank,
            invoice: r.invoice.clone(),
            invoice_date: r.invoice_date,
            due_date: r.due_date,
            open: r.open,
            days_overdue: r.days_overdue,
        })
    }

    /// Every customer on credit stop on `as_of`, with the reason, by name: those with an invoice
    /// more than `CREDIT_STOP_DAYS` overdue (from one pass over the open invoices) and those over
    /// their credit limit (only customers with a limit have their account computed). The same
    /// verdict and reason as `credit_stop` gives for each one.
    pub fn credit_stops(&self, as_of: NaiveDate) -> Result<Vec<CreditStop>> {
        self.credit_stops_of(&self.invoice_money(None, as_of)?, as_of)
    }

    /// `credit_stops` of the money of every invoice as `invoice_money` read it.
    pub(super) fn credit_stops_of(&self, money: &[super::receivables::InvoiceMoney], as_of: NaiveDate) -> Result<Vec<CreditStop>> {
        // The most overdue open invoice per customer (the last of the oldest, as `credit_stop`).
        let mut oldest: std::collections::HashMap<i64, (String, i64)> = std::collections::HashMap::new();
        for i in money {
            let days = (as_of - i.due).num_days();
            if i.open() <= 0 || days <= 0 {
                continue;
            }
            let e = oldest.entry(i.customer_id).or_insert_with(|| (i.number.clone(), days));
            if days >= e.1 {
                *e = (i.number.clone(), days);
            }
        }
        let limited: std::collections::HashSet<i64> = self
            .conn
            .prepare_cached("SELECT id FROM customers WHERE credit_limit_minor IS NOT NULL")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let style = crate::locale::for_country(&self.company()?.country);
        let mut out = Vec::new();
        let mut stmt =
            self.conn.prepare_cached("SELECT id, name, currency, credit_limit_minor FROM customers ORDER BY name COLLATE NOCASE, id")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let overdue = oldest.get(&id).filter(|(_, days)| *days > CREDIT_STOP_DAYS);
            if overdue.is_none() && !limited.contains(&id) {
                continue;
            }
            let currency = col::currency(r, 2)?;
            let limit: Option<i64> = r.get(3)?;
            let balance = if limit.is_some() { self.account(id, as_of)?.balance } else { Decimal::ZERO };
            let reason = credit_stop_reason(
                style,
                currency,
                balance,
                limit.map(|l| currency.from_minor(l)),
                oldest.get(&id).map(|(n, d)| (n.as_str(), *d)),
            );
            if let Some(reason) = reason {
                out.push(CreditStop { customer_id: id, customer_name: r.get(1)?, reason });
            }
        }
        Ok(out)
    }

    /// Why a customer is on credit stop on `as_of`, if they are: their balance is above their
    /// credit limit, or an invoice is more than `CREDIT_STOP_DAYS` overdue.
    pub fn credit_stop(&self, customer_id: i64, as_of: NaiveDate) -> Result<Option<String>> {
        let c = self.customer(customer_id)?;
        let account = self.account(customer_id, as_of)?;
        let oldest = account.invoices.iter().filter(|i| i.days_overdue > 0).max_by_key(|i| i.days_overdue);
        let style = crate::locale::for_country(&self.company()?.country);
        Ok(credit_stop_reason(style, c.currency, account.balance, c.credit_limit, oldest.map(|i| (i.number.as_str(), i.days_overdue))))
    }
}

/// Writes: only inside a transaction (`Store::write`).
impl super::Tx<'_> {
    pub(super) fn record_reminders(&self, due: &[Reminder], as_of: NaiveDate, at: &str) -> Result<()> {
        let mut insert =
            self.conn.prepare_cached("INSERT INTO reminders (invoice_id, level, date, recorded_at) VALUES (?1, ?2, ?3, ?4)")?;
        for r in due {
            insert.execute(params![r.invoice_id, r.level, as_of.to_string(), at])?;
        }
        Ok(())
    }
}
