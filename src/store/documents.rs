//! Issued invoices and credit notes as printable documents: the stored snapshot of both parties,
//! the lines and the totals, handed to `crate::pdf` for layout.

use super::{col, Store};
use crate::company::Paper;
use crate::error::{Error, Result};
use crate::pdf::{BankDetails, Document, DocumentKind, DocumentLine, Party, VatRow};
use rusqlite::OptionalExtension;

impl Store {
    /// The printable document of an invoice or a credit note, by number.
    pub fn document(&self, number: &str) -> Result<Document> {
        let number = number.trim();
        let is_invoice: bool = self.conn.query_row("SELECT EXISTS (SELECT 1 FROM invoices WHERE number = ?1)", [number], |r| r.get(0))?;
        let (invoice_number, kind, lines, vat_lines, net, vat, total, date, due) = if is_invoice {
            let inv = self.invoice(number)?;
            let lines = inv
                .lines
                .iter()
                .map(|l| (l.description.clone(), l.period_start.zip(l.period_end), l.quantity, l.unit_price, l.amount, l.vat_rate))
                .collect::<Vec<_>>();
            (number.to_string(), DocumentKind::TaxInvoice, lines, inv.vat_lines, inv.net, inv.vat, inv.total, inv.date, Some(inv.due_date))
        } else {
            let cn = self
                .credit_note(number)
                .map_err(|_| Error::not_found(format!("there is no invoice or credit note {number}")).with_field("number"))?;
            let lines = cn
                .lines
                .iter()
                .map(|l| (l.description.clone(), l.period_start.zip(l.period_end), l.quantity, l.unit_price, l.amount, l.vat_rate))
                .collect::<Vec<_>>();
            let kind =
                DocumentKind::CreditNote { corrects: cn.invoice_number.clone(), corrects_date: cn.invoice_date, reason: cn.reason.clone() };
            (cn.invoice_number, kind, lines, cn.vat_lines, cn.net, cn.vat, cn.total, cn.date, None)
        };
        let company = self.company()?;
        let doc = self
            .conn
            .query_row("SELECT * FROM invoices WHERE number = ?1", [&invoice_number], |r| {
                let currency = col::currency(r, "currency")?;
                let terms: i64 = r.get("payment_terms_days")?;
                let tax_treatment: String = r.get("tax_treatment")?;
                let mut notes = Vec::new();
                match tax_treatment.as_str() {
                    "zero-rated" => notes.push("Zero-rated supply: VAT at 0%.".to_string()),
                    "exempt" => notes.push("Exempt supply: no VAT charged.".to_string()),
                    _ => {}
                }
                Ok(Document {
                    kind: kind.clone(),
                    number: number.to_string(),
                    issue_date: date,
                    due_date: due,
                    currency,
                    paper: col::parse_with(r, "paper", |s| Paper::parse(s, "paper").ok())?,
                    supplier: Party {
                        name: r.get("supplier_name")?,
                        address: r.get("supplier_address")?,
                        country: r.get("supplier_country")?,
                        vat_number: r.get("supplier_vat_number")?,
                        registration_number: r.get("supplier_registration_number")?,
                        email: r.get("supplier_email")?,
                        phone: r.get("supplier_phone")?,
                    },
                    logo: None,
                    bank: BankDetails {
                        bank_name: r.get("bank_name")?,
                        account_holder: r.get("bank_account_holder")?,
                        account_number: r.get("bank_account_number")?,
                        branch_code: r.get("bank_branch_code")?,
                        swift: r.get("bank_swift")?,
                    },
                    payment_terms: if !is_invoice {
                        "This credit is applied to your account.".to_string()
                    } else if terms == 0 {
                        "Payment on receipt".to_string()
                    } else {
                        format!("Payment within {terms} days of the invoice date")
                    },
                    customer: Party {
                        name: r.get("customer_name")?,
                        address: r.get("customer_address")?,
                        country: r.get("customer_country")?,
                        vat_number: r.get("customer_vat_number")?,
                        registration_number: String::new(),
                        email: r.get("customer_email")?,
                        phone: String::new(),
                    },
                    lines: Vec::new(),
                    vat: Vec::new(),
                    net,
                    vat_total: vat,
                    total,
                    notes,
                })
            })
            .optional()?
            .ok_or_else(|| Error::not_found(format!("there is no invoice {invoice_number}")))?;
        let mut doc = doc;
        let mut rates = Vec::new();
        doc.lines = lines
            .into_iter()
            .map(|(description, period, quantity, unit_price, amount, vat_rate)| DocumentLine {
                description,
                period,
                quantity,
                unit_price,
                amount,
                vat_rate,
            })
            .collect();
        if is_invoice {
            for l in &self.invoice(number)?.lines {
                if let (Some(rate), Some(from)) = (l.fx_rate, l.fx_from) {
                    let note = format!("Prices in {from} converted at 1 {from} = {rate} {}.", doc.currency);
                    if !rates.contains(&note) {
                        rates.push(note);
                    }
                }
            }
        }
        doc.notes.extend(rates);
        doc.vat = vat_lines.into_iter().map(|v| VatRow { rate: v.rate, net: v.net, vat: v.vat }).collect();
        if !company.logo_path.is_empty() {
            doc.logo = std::fs::read(&company.logo_path).ok();
        }
        Ok(doc)
    }
}
