//! How an invoice or credit note is laid out on paper. The only module that uses printpdf.
//! Input is a `Document`: plain values already decided by billing (amounts exact, rounded once);
//! this module only lays them out.

use crate::company::Paper;
use crate::money::Currency;
use chrono::NaiveDate;
use rust_decimal::Decimal;

#[derive(Debug, Clone, PartialEq)]
pub enum DocumentKind {
    /// "Tax Invoice".
    TaxInvoice,
    /// "Credit Note", naming the invoice it corrects.
    CreditNote { corrects: String, corrects_date: NaiveDate, reason: String },
}

/// A party's details as printed (a snapshot taken at issue).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Party {
    pub name: String,
    /// Lines separated by '\n'.
    pub address: String,
    pub country: String,
    pub vat_number: String,
    pub registration_number: String,
    pub email: String,
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct BankDetails {
    pub bank_name: String,
    pub account_holder: String,
    pub account_number: String,
    pub branch_code: String,
    pub swift: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DocumentLine {
    pub description: String,
    /// The service period, both days included.
    pub period: Option<(NaiveDate, NaiveDate)>,
    pub quantity: Decimal,
    pub unit_price: Decimal,
    /// Net amount, already rounded to the currency's minor unit.
    pub amount: Decimal,
    /// VAT rate in percent that applies to this line.
    pub vat_rate: Decimal,
    /// What the line is made of, printed under it: label and amount (an Azure usage line by
    /// meter category).
    pub details: Vec<(String, Decimal)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VatRow {
    pub rate: Decimal,
    pub net: Decimal,
    pub vat: Decimal,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub kind: DocumentKind,
    pub number: String,
    pub issue_date: NaiveDate,
    pub due_date: Option<NaiveDate>,
    pub currency: Currency,
    pub paper: Paper,
    pub supplier: Party,
    /// PNG or JPEG bytes of the reseller's logo.
    pub logo: Option<Vec<u8>>,
    pub bank: BankDetails,
    /// e.g. "Payment within 30 days of the invoice date".
    pub payment_terms: String,
    pub customer: Party,
    pub lines: Vec<DocumentLine>,
    pub vat: Vec<VatRow>,
    pub net: Decimal,
    pub vat_total: Decimal,
    pub total: Decimal,
    /// Extra lines printed under the totals (exchange rates used, a reason, a reference).
    pub notes: Vec<String>,
}

/// A rendered PDF and the file name it is saved under.
#[derive(Debug, Clone)]
pub struct Pdf {
    pub file_name: String,
    /// The billing month (`YYYY-MM`) the document belongs to: PDFs are kept in a folder a month.
    pub month: String,
    pub bytes: Vec<u8>,
}

mod emit;
mod fonts;
mod format;
mod layout;
mod logo;
mod page;
#[cfg(test)]
mod sample_png;
mod sheet;
mod statement;
#[cfg(test)]
mod tests;

pub use statement::{render_reminder, render_statement, ReminderLetter, StatementDocument, StatementRow};

/// Lay out one document and its logo.
fn prepare(doc: &Document, family: fonts::Family) -> crate::Result<emit::Part> {
    let logo = match &doc.logo {
        Some(bytes) if !bytes.is_empty() => Some(logo::load(bytes)?),
        _ => None,
    };
    let size = logo.as_ref().map(|l| (l.width, l.height));
    Ok(emit::Part { pages: layout::layout(doc, family, size), logo })
}

/// Lay documents out in the family their text needs. Should any printed string still fall
/// outside Windows-1252 (a label added later, say), they are laid out again in DejaVu rather
/// than printed with '?'.
fn laid_out(docs: &[&Document]) -> crate::Result<(fonts::Family, Vec<emit::Part>)> {
    let family = layout::family(docs);
    let parts = docs.iter().map(|d| prepare(d, family)).collect::<crate::Result<Vec<_>>>()?;
    if family == fonts::Family::Builtin && !parts.iter().all(emit::all_win_ansi) {
        let parts = docs.iter().map(|d| prepare(d, fonts::Family::DejaVu)).collect::<crate::Result<Vec<_>>>()?;
        return Ok((fonts::Family::DejaVu, parts));
    }
    Ok((family, parts))
}

/// One invoice or credit note as a PDF: A4 or US Letter as `doc.paper` says, set in the
/// built-in Helvetica when all its text is Windows-1252, else in an embedded subset of
/// DejaVu Sans. Title, author and creation date (the issue date) are set.
///
/// Errors: a logo that is not a decodable PNG or JPEG (`invalid_input`, field `--logo`).
pub fn render(doc: &Document) -> crate::Result<Vec<u8>> {
    let (family, part) = laid_out(&[doc])?;
    let part = part.into_iter().next().expect("one document in, one out");
    let meta = emit::Meta {
        title: layout::title(doc),
        author: doc.supplier.name.trim().to_string(),
        subject: format!("{} for {}", layout::kind_title(doc), doc.customer.name.trim()),
        date: doc.issue_date,
    };
    emit::write(&[part], family, &meta)
}

/// Many documents in one PDF for printing, in the given order: each starts on a new page and
/// numbers its own pages ("Page 1 of 2"). The file's creation date is the latest issue date.
pub fn render_combined(docs: &[Document]) -> crate::Result<Vec<u8>> {
    let (Some(first), Some(last)) = (docs.first(), docs.last()) else {
        return Err(crate::Error::invalid("documents", "there are no documents to print"));
    };
    if docs.len() == 1 {
        return render(first);
    }
    let refs: Vec<&Document> = docs.iter().collect();
    let (family, parts) = laid_out(&refs)?;
    let all_invoices = docs.iter().all(|d| d.kind == DocumentKind::TaxInvoice);
    let what = if all_invoices { "Tax Invoices" } else { "Documents" };
    let meta = emit::Meta {
        title: format!("{what} {} \u{2013} {} ({} documents)", first.number, last.number, docs.len()),
        author: first.supplier.name.trim().to_string(),
        subject: format!("{} documents for printing", docs.len()),
        date: docs.iter().map(|d| d.issue_date).max().unwrap_or(first.issue_date),
    };
    emit::write(&parts, family, &meta)
}

/// A reminder letter's file name: the invoice number and the level
/// (`INV-2026-00001_reminder-2.pdf`).
pub fn reminder_file_name(number: &str, level: u8) -> String {
    let clean: String = number.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
    format!("{clean}_reminder-{level}.pdf")
}

/// A PDF's file name from a document number and the customer's name, safe on every file system:
/// letters and digits kept (any script), everything else one '-', at most 60 characters each
/// (`INV-2026-00001_Acme-Łódź-Sp-z-o-o.pdf`).
pub fn file_name(number: &str, customer: &str) -> String {
    let clean = |s: &str| -> String {
        let mut out = String::new();
        for ch in s.chars() {
            if ch.is_alphanumeric() {
                out.push(ch);
            } else if !out.ends_with('-') {
                out.push('-');
            }
        }
        out.trim_matches('-').chars().take(60).collect()
    };
    format!("{}_{}.pdf", clean(number), clean(customer))
}

#[cfg(test)]
mod file_name_tests {
    use super::file_name;

    #[test]
    fn pdf_names_are_safe() {
        assert_eq!(file_name("INV-2026-00001", "Acme (Pty) Ltd"), "INV-2026-00001_Acme-Pty-Ltd.pdf");
        assert_eq!(file_name("2026/7", "<img src=x onerror=alert(1)>"), "2026-7_img-src-x-onerror-alert-1.pdf");
    }
}
