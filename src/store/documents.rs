//! Issued invoices and credit notes as printable documents: the snapshot stored at issue (both
//! parties, the bank details, the paper, the logo), the lines and the totals, handed to
//! `crate::pdf` for layout. The words a document carries are `billing::documents`'s.

use super::{col, Store};
use crate::billing::documents::{fx_notes, payment_terms, tax_note};
use crate::company::Paper;
use crate::error::{Error, Result};
use crate::pdf::{BankDetails, Document, DocumentKind, DocumentLine, Party, VatRow};
use rusqlite::OptionalExtension;

/// What an invoice's row holds for printing: taken when it was issued.
struct Snapshot {
    paper: Paper,
    supplier: Party,
    customer: Party,
    bank: BankDetails,
    payment_terms_days: i64,
    tax_treatment: String,
    /// The invoice's logo (a credit note has its own).
    logo: Option<Vec<u8>>,
    /// Issued before logos were kept with documents (schema 6): print today's.
    legacy_logo: bool,
}

/// What an invoice's row holds for its own page: its id, currency, dates and totals.
struct Head {
    id: i64,
    currency: crate::money::Currency,
    date: chrono::NaiveDate,
    due_date: chrono::NaiveDate,
    totals: (i64, i64, i64),
}

impl Store {
    fn snapshot(&self, invoice_number: &str) -> Result<Snapshot> {
        self.invoice_to_print(invoice_number)?
            .map(|(snapshot, _)| snapshot)
            .ok_or_else(|| Error::not_found(format!("there is no invoice {invoice_number}")).with_field("number"))
    }

    /// An invoice's snapshot and head, read in one query (`None`: no invoice has that number).
    fn invoice_to_print(&self, invoice_number: &str) -> Result<Option<(Snapshot, Head)>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT i.*, l.bytes AS logo, c.name AS customer_name, c.address AS customer_address, c.country AS customer_country,
                    c.vat_number AS customer_vat_number, c.email AS customer_email, s.name AS supplier_name,
                    s.address AS supplier_address, s.country AS supplier_country, s.vat_number AS supplier_vat_number,
                    s.registration_number AS supplier_registration_number, s.email AS supplier_email, s.phone AS supplier_phone,
                    s.bank_name, s.bank_account_holder, s.bank_account_number, s.bank_branch_code, s.bank_swift
                 FROM invoices i JOIN parties c ON c.id = i.customer_party_id JOIN parties s ON s.id = i.supplier_party_id
                    LEFT JOIN logos l ON l.id = i.logo_id
                 WHERE i.number = ?1",
            )?
            .query_row([invoice_number], |r| {
                let kept: i64 = r.get("logo_kept")?;
                let head = Head {
                    id: r.get("id")?,
                    currency: col::currency(r, "currency")?,
                    date: col::date(r, "date")?,
                    due_date: col::date(r, "due_date")?,
                    totals: (r.get("net_minor")?, r.get("vat_minor")?, r.get("total_minor")?),
                };
                Ok((
                    Snapshot {
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
                        customer: Party {
                            name: r.get("customer_name")?,
                            address: r.get("customer_address")?,
                            country: r.get("customer_country")?,
                            vat_number: r.get("customer_vat_number")?,
                            registration_number: String::new(),
                            email: r.get("customer_email")?,
                            phone: String::new(),
                        },
                        bank: BankDetails {
                            bank_name: r.get("bank_name")?,
                            account_holder: r.get("bank_account_holder")?,
                            account_number: r.get("bank_account_number")?,
                            branch_code: r.get("bank_branch_code")?,
                            swift: r.get("bank_swift")?,
                        },
                        payment_terms_days: r.get("payment_terms_days")?,
                        tax_treatment: r.get("tax_treatment")?,
                        logo: r.get("logo")?,
                        legacy_logo: kept == 0,
                    },
                    head,
                ))
            })
            .optional()?)
    }

    /// The logo of a document issued before logos were kept with documents: today's.
    fn legacy_logo(&self) -> Result<Option<Vec<u8>>> {
        let company = self.company()?;
        Ok((!company.logo_path.is_empty()).then(|| std::fs::read(&company.logo_path).ok()).flatten())
    }

    /// The printable document of an invoice or a credit note, by number: the document read once,
    /// with the snapshot its invoice took at issue.
    pub fn document(&self, number: &str) -> Result<Document> {
        let number = number.trim();
        let invoice = self.invoice_to_print(number)?;
        let is_invoice = invoice.is_some();
        let to_lines = |lines: &[crate::billing::InvoiceLineView]| -> Vec<DocumentLine> {
            lines
                .iter()
                .map(|l| DocumentLine {
                    description: l.description.clone(),
                    period: l.period_start.zip(l.period_end),
                    quantity: l.quantity,
                    unit_price: l.unit_price,
                    amount: l.amount,
                    vat_rate: l.vat_rate,
                    details: l.details.iter().map(|d| (d.label.clone(), d.amount)).collect(),
                })
                .collect()
        };
        // What differs between an invoice and a credit note; the rest comes from the snapshot.
        struct Parts {
            kind: DocumentKind,
            issue_date: chrono::NaiveDate,
            due_date: Option<chrono::NaiveDate>,
            currency: crate::money::Currency,
            lines: Vec<DocumentLine>,
            vat: Vec<VatRow>,
            totals: (rust_decimal::Decimal, rust_decimal::Decimal, rust_decimal::Decimal),
            notes: Vec<String>,
        }
        let vat_rows = |v: &[crate::billing::engine::VatLine]| v.iter().map(|v| VatRow { rate: v.rate, net: v.net, vat: v.vat }).collect();
        let (parts, snapshot, own_logo) = if let Some((snapshot, head)) = invoice {
            let cur = head.currency;
            let lines = self.invoice_lines(head.id, cur, false)?;
            let own = snapshot.logo.clone();
            let parts = Parts {
                kind: DocumentKind::TaxInvoice,
                issue_date: head.date,
                due_date: Some(head.due_date),
                currency: cur,
                lines: to_lines(&lines),
                vat: vat_rows(&self.invoice_vat(head.id, cur)?),
                totals: (cur.from_minor(head.totals.0), cur.from_minor(head.totals.1), cur.from_minor(head.totals.2)),
                notes: fx_notes(&lines, cur),
            };
            (parts, snapshot, own)
        } else {
            let cn = self
                .credit_note(number)
                .map_err(|_| Error::not_found(format!("there is no invoice or credit note {number}")).with_field("number"))?;
            let mut snapshot = self.snapshot(&cn.invoice_number)?;
            let (own, kept): (Option<Vec<u8>>, i64) = self.conn.query_row(
                "SELECT l.bytes, c.logo_kept FROM credit_notes c LEFT JOIN logos l ON l.id = c.logo_id WHERE c.number = ?1",
                [number],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            snapshot.legacy_logo = kept == 0;
            let parts = Parts {
                kind: DocumentKind::CreditNote {
                    corrects: cn.invoice_number.clone(),
                    corrects_date: cn.invoice_date,
                    reason: cn.reason.clone(),
                },
                issue_date: cn.date,
                due_date: None,
                currency: cn.currency,
                lines: to_lines(&cn.lines),
                vat: vat_rows(&cn.vat_lines),
                totals: (cn.net, cn.vat, cn.total),
                notes: Vec::new(),
            };
            (parts, snapshot, own)
        };
        let doc = Document {
            kind: parts.kind,
            number: number.to_string(),
            issue_date: parts.issue_date,
            due_date: parts.due_date,
            currency: parts.currency,
            paper: snapshot.paper,
            supplier: snapshot.supplier.clone(),
            logo: None,
            bank: snapshot.bank.clone(),
            payment_terms: payment_terms(is_invoice, snapshot.payment_terms_days),
            customer: snapshot.customer.clone(),
            lines: parts.lines,
            vat: parts.vat,
            net: parts.totals.0,
            vat_total: parts.totals.1,
            total: parts.totals.2,
            notes: Vec::new(),
        };
        let extra_notes = parts.notes;
        let mut doc = doc;
        doc.notes.extend(tax_note(&snapshot.tax_treatment));
        doc.notes.extend(extra_notes);
        doc.logo = match own_logo {
            Some(bytes) => Some(bytes),
            None if snapshot.legacy_logo => self.legacy_logo()?,
            None => None,
        };
        Ok(doc)
    }
}
