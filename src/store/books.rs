//! The documents of the books, loaded in the order they happened.

use super::{col, Store};
use crate::books::{entries, Document, Entry};
use crate::error::Result;

impl Store {
    /// Every issued document and movement of money, as journal entries, by date.
    pub fn journal(&self) -> Result<Vec<Entry>> {
        let mut docs: Vec<(String, u8, i64, Document)> = Vec::new();
        let mut stmt = self.conn.prepare(
            "SELECT i.id, i.number, i.date, i.customer_id, (SELECT p.name FROM parties p WHERE p.id = i.customer_party_id), i.currency, i.net_minor, i.vat_minor,
                        (SELECT IFNULL(sum(l.amount_minor), 0) FROM invoice_lines l WHERE l.invoice_id = i.id AND l.kind = 'usage')
                 FROM invoices i",
        )?;
        for row in stmt.query_map([], |r| {
            let cur = col::currency(r, "currency")?;
            let date = col::date(r, "date")?;
            Ok((
                date.to_string(),
                0u8,
                r.get::<_, i64>(0)?,
                Document::Invoice {
                    number: r.get(1)?,
                    date,
                    customer_id: r.get(3)?,
                    customer: r.get(4)?,
                    currency: cur,
                    net: cur.from_minor(r.get(6)?),
                    vat: cur.from_minor(r.get(7)?),
                    azure: cur.from_minor(r.get(8)?),
                },
            ))
        })? {
            docs.push(row?);
        }
        let mut stmt = self.conn.prepare(
            "SELECT c.id, c.number, i.number, c.date, i.customer_id, (SELECT p.name FROM parties p WHERE p.id = i.customer_party_id), c.currency, c.net_minor, c.vat_minor,
                    (SELECT IFNULL(sum(n.amount_minor), 0) FROM credit_note_lines n JOIN invoice_lines l ON l.id = n.invoice_line_id
                     WHERE n.credit_note_id = c.id AND l.kind = 'usage')
             FROM credit_notes c JOIN invoices i ON i.id = c.invoice_id",
        )?;
        for row in stmt.query_map([], |r| {
            let cur = col::currency(r, "currency")?;
            let date = col::date(r, "date")?;
            Ok((
                date.to_string(),
                1u8,
                r.get::<_, i64>(0)?,
                Document::CreditNote {
                    number: r.get(1)?,
                    invoice: r.get(2)?,
                    date,
                    customer_id: r.get(4)?,
                    customer: r.get(5)?,
                    currency: cur,
                    net: cur.from_minor(r.get(7)?),
                    vat: cur.from_minor(r.get(8)?),
                    azure: cur.from_minor(r.get(9)?),
                },
            ))
        })? {
            docs.push(row?);
        }
        let mut stmt = self.conn.prepare(
            "SELECT p.id, p.kind, p.date, p.customer_id, c.name, p.currency, p.amount_minor, p.method, p.reference, p.reverses_id
             FROM payments p JOIN customers c ON c.id = p.customer_id",
        )?;
        for row in stmt.query_map([], |r| {
            let cur = col::currency(r, "currency")?;
            let date = col::date(r, "date")?;
            let id: i64 = r.get(0)?;
            let kind: String = r.get(1)?;
            let (customer_id, customer, amount) = (r.get::<_, i64>(3)?, r.get::<_, String>(4)?, cur.from_minor(r.get(6)?));
            let doc = match kind.as_str() {
                "payment" => {
                    Document::Payment { id, date, customer_id, customer, currency: cur, amount, method: r.get(7)?, reference: r.get(8)? }
                }
                "refund" => Document::Refund { id, date, customer_id, customer, currency: cur, amount },
                _ => Document::Reversal { id, reverses: r.get(9)?, date, customer_id, customer, currency: cur, amount },
            };
            Ok((date.to_string(), 2u8, id, doc))
        })? {
            docs.push(row?);
        }
        let mut stmt = self.conn.prepare(
            "SELECT a.id, a.payment_id, i.number, a.date, p.customer_id, c.name, p.currency, a.amount_minor
             FROM allocations a JOIN payments p ON p.id = a.payment_id JOIN invoices i ON i.id = a.invoice_id JOIN customers c ON c.id = p.customer_id",
        )?;
        for row in stmt.query_map([], |r| {
            let cur = col::currency(r, "currency")?;
            let date = col::date(r, "date")?;
            Ok((
                date.to_string(),
                3u8,
                r.get::<_, i64>(0)?,
                Document::Application {
                    payment_id: r.get(1)?,
                    invoice: r.get(2)?,
                    date,
                    customer_id: r.get(4)?,
                    customer: r.get(5)?,
                    currency: cur,
                    amount: cur.from_minor(r.get(7)?),
                },
            ))
        })? {
            docs.push(row?);
        }
        docs.sort_by(|a, b| (&a.0, a.1, a.2).cmp(&(&b.0, b.1, b.2)));
        let docs: Vec<Document> = docs.into_iter().map(|d| d.3).collect();
        Ok(entries(&docs))
    }
}
