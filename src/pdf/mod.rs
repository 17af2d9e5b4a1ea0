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
