//! Issued invoices and credit notes as printable documents: the snapshot stored at issue (both
//! parties, the bank details, the paper, the logo), the lines and the totals, handed to
//! `crate::pdf` for layout. The words a document carries are `billing::documents`'s.

use super::{col, Store};
use crate::billing::documents::{fx_notes, payment_terms, tax_note};
use crate::company::Paper;
use crate::error::{Error, Result};
use crate::pdf::{BankDetails, Document, DocumentKind, DocumentLine, Party, VatRow};
use rusqlite::OptionalExtension;
use std::collections::HashMap;

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

/// An invoice's row with both its parties and its logo, for printing (`print_row`).
const PRINT_HEAD: &str =
    "SELECT i.*, l.bytes AS logo, c.name AS customer_name, c.address AS customer_address, c.country AS customer_country,
        c.vat_number AS customer_vat_number, c.email AS customer_email, s.name AS supplier_name,
        s.address AS supplier_address, s.country AS supplier_country, s.vat_number AS supplier_vat_number,
        s.registration_number AS supplier_registration_number, s.email AS supplier_email, s.phone AS supplier_phone,
        s.bank_name, s.bank_account_holder, s.bank_account_number, s.bank_branch_code, s.bank_swift
     FROM invoices i JOIN parties c ON c.id = i.customer_party_id JOIN parties s ON s.id = i.supplier_party_id
        LEFT JOIN logos l ON l.id = i.logo_id";

/// The snapshot and head of a row of `PRINT_HEAD`.
fn print_row(r: &rusqlite::Row) -> rusqlite::Result<(Snapshot, Head)> {
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
}

/// What differs between an invoice and a credit note; the rest comes from the snapshot.
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

/// An invoice's parts, from its head, lines and VAT summary as issued.
fn invoice_parts(head: &Head, lines: &[crate::billing::InvoiceLineView], vat: &[crate::billing::engine::VatLine]) -> Parts {
    let cur = head.currency;
    Parts {
        kind: DocumentKind::TaxInvoice,
        issue_date: head.date,
        due_date: Some(head.due_date),
        currency: cur,
        lines: to_lines(lines),
        vat: vat_rows(vat),
        totals: (cur.from_minor(head.totals.0), cur.from_minor(head.totals.1), cur.from_minor(head.totals.2)),
        notes: fx_notes(lines, cur),
    }
}

fn to_lines(lines: &[crate::billing::InvoiceLineView]) -> Vec<DocumentLine> {
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
}

fn vat_rows(v: &[crate::billing::engine::VatLine]) -> Vec<VatRow> {
    v.iter().map(|v| VatRow { rate: v.rate, net: v.net, vat: v.vat }).collect()
}

impl Store {
    fn snapshot(&self, invoice_number: &str) -> Result<Snapshot> {
        self.invoice_to_print(invoice_number)?
            .map(|(snapshot, _)| snapshot)
            .ok_or_else(|| Error::not_found(format!("there is no invoice {invoice_number}")).with_field("number"))
    }

    /// An invoice's snapshot and head, read in one query (`None`: no invoice has that number).
    fn invoice_to_print(&self, invoice_number: &str) -> Result<Option<(Snapshot, Head)>> {
        Ok(self.conn.prepare_cached(&format!("{PRINT_HEAD} WHERE i.number = ?1"))?.query_row([invoice_number], print_row).optional()?)
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
        if let Some((snapshot, head)) = self.invoice_to_print(number)? {
            let lines = self.invoice_lines(head.id, head.currency, false)?;
            let vat = self.invoice_vat(head.id, head.currency)?;
            return self.finish(number, invoice_parts(&head, &lines, &vat), snapshot);
        }
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
        snapshot.logo = own;
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
        self.finish(number, parts, snapshot)
    }

    /// The printable documents of the invoices numbered `numbers` (a credit note's number reads
    /// as `document` reads it), in that order: read together, in four queries however many
    /// there are (a month's batch of PDFs reads them a chunk at a time).
    pub fn documents(&self, numbers: &[String]) -> Result<Vec<Document>> {
        if numbers.is_empty() {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn.prepare_cached(&format!("{PRINT_HEAD} WHERE i.number IN ({})", super::invoices::marks(numbers.len())))?;
        let mut heads: HashMap<String, (Snapshot, Head)> = HashMap::with_capacity(numbers.len());
        let mut rows = stmt.query(rusqlite::params_from_iter(numbers.iter().map(|n| n.trim())))?;
        while let Some(r) = rows.next()? {
            heads.insert(r.get("number")?, print_row(r)?);
        }
        let ids: Vec<(i64, crate::money::Currency)> = heads.values().map(|(_, h)| (h.id, h.currency)).collect();
        let (mut lines, mut vat) = match ids.is_empty() {
            true => Default::default(),
            false => (self.lines_of_invoices(&ids, false)?, self.vat_of_invoices(&ids)?),
        };
        numbers
            .iter()
            .map(|n| match heads.remove(n.trim()) {
                Some((snapshot, head)) => {
                    let parts =
                        invoice_parts(&head, &lines.remove(&head.id).unwrap_or_default(), &vat.remove(&head.id).unwrap_or_default());
                    self.finish(n.trim(), parts, snapshot)
                }
                None => self.document(n),
            })
            .collect()
    }

    /// The document of `parts` under `snapshot` (its logo the document's own).
    fn finish(&self, number: &str, parts: Parts, snapshot: Snapshot) -> Result<Document> {
        let is_invoice = matches!(parts.kind, DocumentKind::TaxInvoice);
        let mut notes: Vec<String> = tax_note(&snapshot.tax_treatment).into_iter().collect();
        notes.extend(parts.notes);
        let logo = match snapshot.logo {
            Some(bytes) => Some(bytes),
            None if snapshot.legacy_logo => self.legacy_logo()?,
            None => None,
        };
        Ok(Document {
            kind: parts.kind,
            number: number.to_string(),
            issue_date: parts.issue_date,
            due_date: parts.due_date,
            currency: parts.currency,
            paper: snapshot.paper,
            supplier: snapshot.supplier,
            logo,
            bank: snapshot.bank,
            payment_terms: payment_terms(is_invoice, snapshot.payment_terms_days),
            customer: snapshot.customer,
            lines: parts.lines,
            vat: parts.vat,
            net: parts.totals.0,
            vat_total: parts.totals.1,
            total: parts.totals.2,
            notes,
        })
    }
}
