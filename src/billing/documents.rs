//! The documents billing makes, as plain values: invoices (drafts or issued) with their lines,
//! credit notes, a billing run's result, and how a credit note is asked for. The store reads and
//! writes them; both fronts print or show them.

use super::engine::{Draft, Problem, VatLine};
use super::LineKind;
use crate::money::{round_half_away, Currency};
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct InvoiceLineView {
    pub position: u32,
    pub description: String,
    pub kind: LineKind,
    pub subscription_id: Option<i64>,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub quantity: Decimal,
    pub unit_price: Decimal,
    pub amount: Decimal,
    pub vat_rate: Decimal,
    pub fx_rate: Option<Decimal>,
    pub fx_from: Option<Currency>,
    /// Already credited by a credit note.
    pub credited: bool,
    /// What the line is made of (an Azure usage line by meter category), printed under it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<super::LineDetail>,
}

/// An invoice: a draft (no number) or issued.
#[derive(Debug, Clone, Serialize)]
pub struct InvoiceView {
    pub number: Option<String>,
    pub customer_id: i64,
    pub customer_name: String,
    pub date: NaiveDate,
    pub due_date: NaiveDate,
    pub month: String,
    pub currency: Currency,
    pub lines: Vec<InvoiceLineView>,
    pub vat_lines: Vec<VatLine>,
    pub net: Decimal,
    pub vat: Decimal,
    pub total: Decimal,
    /// Net amount already credited by credit notes.
    pub credited_net: Decimal,
    pub credit_notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BillingRun {
    pub month: String,
    pub preview: bool,
    pub date: NaiveDate,
    pub invoices: Vec<InvoiceView>,
    pub problems: Vec<Problem>,
    pub renewals: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CreditMode {
    /// Every line not credited yet.
    Whole,
    /// Lines by position (1-based), in full.
    Lines(Vec<u32>),
    /// A net amount against the invoice.
    Amount(Decimal),
}

#[derive(Debug, Clone, Serialize)]
pub struct CreditNoteView {
    pub number: String,
    pub invoice_number: String,
    pub invoice_date: NaiveDate,
    pub customer_id: i64,
    pub customer_name: String,
    pub date: NaiveDate,
    pub reason: String,
    pub currency: Currency,
    pub lines: Vec<InvoiceLineView>,
    pub vat_lines: Vec<VatLine>,
    pub net: Decimal,
    pub vat: Decimal,
    pub total: Decimal,
}

impl InvoiceLineView {
    /// The line as the engine's draft line, billable on `date`: for summing VAT per rate the way
    /// an invoice does (`engine::vat_summary`).
    pub fn as_draft(&self, date: NaiveDate) -> super::DraftLine {
        super::DraftLine {
            item_key: String::new(),
            kind: self.kind,
            subscription_id: self.subscription_id,
            description: self.description.clone(),
            period_start: self.period_start,
            period_end: self.period_end,
            quantity: self.quantity,
            unit_price: self.unit_price,
            amount: self.amount,
            vat_rate: self.vat_rate,
            fx_rate: None,
            fx_from: None,
            billable_date: date,
            cost: None,
            details: self.details.clone(),
        }
    }
}

/// A unit price as printed: four decimals at most, trailing zeros dropped.
pub fn unit(d: Decimal) -> Decimal {
    round_half_away(d, 4).normalize()
}

/// `YYYY-MM` of a month's first day.
pub fn month_label(first: NaiveDate) -> String {
    format!("{:04}-{:02}", first.year(), first.month())
}

/// A draft as the invoice it would be, issued on `date` and due on `due`.
pub fn draft_view(d: &Draft, date: NaiveDate, due: NaiveDate, month: &str) -> InvoiceView {
    InvoiceView {
        number: None,
        customer_id: d.customer_id,
        customer_name: d.customer_name.clone(),
        date,
        due_date: due,
        month: month.to_string(),
        currency: d.currency,
        lines: d
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| InvoiceLineView {
                position: i as u32 + 1,
                description: l.description.clone(),
                kind: l.kind,
                subscription_id: l.subscription_id,
                period_start: l.period_start,
                period_end: l.period_end,
                quantity: l.quantity,
                unit_price: unit(l.unit_price),
                amount: l.amount,
                vat_rate: l.vat_rate,
                fx_rate: l.fx_rate,
                fx_from: l.fx_from,
                credited: false,
                details: l.details.clone(),
            })
            .collect(),
        vat_lines: d.vat_lines.clone(),
        net: d.net,
        vat: d.vat,
        total: d.total,
        credited_net: Decimal::ZERO,
        credit_notes: Vec::new(),
    }
}

/// When the invoices of `month` may be dated (tax-invoice rules): not before the last invoice
/// issued (numbers follow dates), not more than a month before the month billed (billing is in
/// advance, not years ahead), not more than a year after it (a late run, catching up).
pub fn check_issue_date(month: NaiveDate, date: NaiveDate, last_issued: Option<NaiveDate>) -> crate::Result<()> {
    let earliest = month.checked_sub_months(chrono::Months::new(1)).unwrap_or(month);
    let latest = crate::dates::add_months(crate::dates::month_end(month), 12);
    if date < earliest || date > latest {
        return Err(crate::Error::invalid(
            "date",
            format!("invoices for {} are dated from {earliest} to {latest}, not {date}", month_label(month)),
        ));
    }
    if let Some(last) = last_issued.filter(|l| date < *l) {
        return Err(crate::Error::invalid(
            "date",
            format!("{date} is before the last invoice issued ({last}): invoice numbers follow their dates"),
        ));
    }
    Ok(())
}

/// What a document says about payment: the invoice's terms, or where a credit goes.
pub fn payment_terms(is_invoice: bool, days: i64) -> String {
    match (is_invoice, days) {
        (false, _) => "This credit is applied to your account.".to_string(),
        (true, 0) => "Payment on receipt".to_string(),
        (true, d) => format!("Payment within {d} days of the invoice date"),
    }
}

/// The note a document carries for a customer's tax treatment, if any.
pub fn tax_note(tax_treatment: &str) -> Option<String> {
    match tax_treatment {
        "zero-rated" => Some("Zero-rated supply: VAT at 0%.".to_string()),
        "exempt" => Some("Exempt supply: no VAT charged.".to_string()),
        _ => None,
    }
}

/// The note for prices converted from another currency, once per rate.
pub fn fx_notes(lines: &[InvoiceLineView], currency: Currency) -> Vec<String> {
    let mut notes: Vec<String> = Vec::new();
    for l in lines {
        if let (Some(rate), Some(from)) = (l.fx_rate, l.fx_from) {
            let note = format!("Prices in {from} converted at 1 {from} = {rate} {currency}.");
            if !notes.contains(&note) {
                notes.push(note);
            }
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invoices_are_dated_in_order_and_near_the_month_they_bill() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let nov = d("2026-11-01");
        assert!(check_issue_date(nov, d("2026-11-01"), Some(d("2026-10-31"))).is_ok());
        assert!(check_issue_date(nov, d("2026-10-15"), None).is_ok(), "in advance, up to a month");
        assert!(check_issue_date(nov, d("2027-11-30"), None).is_ok(), "a late run, up to a year");
        let before = check_issue_date(nov, d("2026-11-01"), Some(d("2026-11-02"))).unwrap_err();
        assert_eq!(before.message, "2026-11-01 is before the last invoice issued (2026-11-02): invoice numbers follow their dates");
        assert!(check_issue_date(nov, d("1990-11-01"), None).unwrap_err().message.contains("are dated from 2026-10-01 to 2027-11-30"));
        assert_eq!(check_issue_date(nov, d("2027-12-01"), None).unwrap_err().field.as_deref(), Some("date"));
    }

    #[test]
    fn the_words_printed_on_documents() {
        assert_eq!(payment_terms(true, 30), "Payment within 30 days of the invoice date");
        assert_eq!(payment_terms(true, 0), "Payment on receipt");
        assert_eq!(payment_terms(false, 30), "This credit is applied to your account.");
        assert_eq!(tax_note("zero-rated").as_deref(), Some("Zero-rated supply: VAT at 0%."));
        assert_eq!(tax_note("standard"), None);
    }
}
