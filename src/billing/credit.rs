//! What a credit note credits (DOMAIN §5): the whole of an invoice that is not credited yet,
//! chosen lines in full, or a net amount at the invoice's one VAT rate, never more than is left
//! and never dated before the invoice. Pure: the store writes what this decides.

use super::documents::{CreditMode, InvoiceLineView, InvoiceView};
use super::engine::{vat_summary, VatLine};
use super::{DraftLine, LineKind};
use crate::error::Hint;
use crate::{Error, Result};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::HashSet;

/// The lines and amounts of a credit note against `inv`.
#[derive(Debug, Clone)]
pub struct CreditDraft {
    pub lines: Vec<InvoiceLineView>,
    pub vat_lines: Vec<VatLine>,
    pub net: Decimal,
    pub vat: Decimal,
}

/// The credit note `mode` asks for against the issued invoice `inv`, dated `date`, or why not.
pub fn credit_draft(inv: &InvoiceView, mode: &CreditMode, reason: &str, date: NaiveDate) -> Result<CreditDraft> {
    let number = inv.number.as_deref().unwrap_or_default();
    let cur = inv.currency;
    if reason.trim().is_empty() {
        return Err(Error::invalid("reason", "a reason is required: say why the invoice is corrected"));
    }
    if date < inv.date {
        return Err(Error::invalid("date", format!("a credit note cannot be dated before the invoice ({})", inv.date)));
    }
    let remaining = inv.net - inv.credited_net;
    let lines: Vec<InvoiceLineView> = match mode {
        CreditMode::Whole => inv.lines.iter().filter(|l| !l.credited).cloned().collect(),
        CreditMode::Lines(positions) => {
            let mut out = Vec::new();
            for p in positions {
                let l = inv
                    .lines
                    .iter()
                    .find(|l| l.position == *p)
                    .ok_or_else(|| Error::invalid("lines", format!("{number} has no line {p} (it has {} lines)", inv.lines.len())))?;
                if l.credited {
                    return Err(Error::refused(format!("line {p} of {number} was already credited")).with_field("lines"));
                }
                if !out.iter().any(|o: &InvoiceLineView| o.position == *p) {
                    out.push(l.clone());
                }
            }
            out
        }
        CreditMode::Amount(amount) => {
            let amount = cur.round(*amount);
            if amount <= Decimal::ZERO {
                return Err(Error::invalid("amount", "the amount must be more than zero"));
            }
            let rates: HashSet<Decimal> = inv.lines.iter().map(|l| l.vat_rate.normalize()).collect();
            if rates.len() != 1 {
                return Err(Error::refused("the invoice has lines at several VAT rates").with_field("amount").with_hint(Hint::CreditLines));
            }
            vec![InvoiceLineView {
                position: 1,
                description: format!("Credit against {number}"),
                kind: LineKind::Charge,
                subscription_id: None,
                period_start: None,
                period_end: None,
                quantity: Decimal::ONE,
                unit_price: amount,
                amount,
                vat_rate: *rates.iter().next().expect("one rate"),
                fx_rate: None,
                fx_from: None,
                credited: false,
                details: Vec::new(),
            }]
        }
    };
    if lines.is_empty() {
        return Err(Error::refused(format!("every line of {number} is already credited")));
    }
    let as_draft: Vec<DraftLine> = lines.iter().map(|l| l.as_draft(date)).collect();
    let (vat_lines, net, vat) = vat_summary(&as_draft, cur);
    if net <= Decimal::ZERO {
        return Err(Error::refused(format!("the chosen lines of {number} add up to {net} {cur}; there is nothing to credit")));
    }
    if net > remaining {
        return Err(Error::refused(format!("{number} has {remaining} {cur} (net) left to credit; {net} {cur} is more than that"))
            .with_field(if matches!(mode, CreditMode::Amount(_)) { "amount" } else { "lines" }));
    }
    Ok(CreditDraft { lines, vat_lines, net, vat })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn line(position: u32, amount: &str, vat_rate: &str, credited: bool) -> InvoiceLineView {
        InvoiceLineView {
            position,
            description: format!("Line {position}"),
            kind: LineKind::Charge,
            subscription_id: None,
            period_start: None,
            period_end: None,
            quantity: Decimal::ONE,
            unit_price: d(amount),
            amount: d(amount),
            vat_rate: d(vat_rate),
            fx_rate: None,
            fx_from: None,
            credited,
            details: Vec::new(),
        }
    }

    fn invoice(lines: Vec<InvoiceLineView>, credited_net: &str) -> InvoiceView {
        let net = lines.iter().map(|l| l.amount).sum();
        InvoiceView {
            number: Some("INV-2026-00001".into()),
            customer_id: 1,
            customer_name: "Acme".into(),
            date: day("2026-11-30"),
            due_date: day("2026-12-30"),
            month: "2026-11".into(),
            currency: Currency::parse("ZAR", "c").unwrap(),
            lines,
            vat_lines: Vec::new(),
            net,
            vat: Decimal::ZERO,
            total: net,
            credited_net: d(credited_net),
            credit_notes: Vec::new(),
        }
    }

    #[test]
    fn whole_lines_or_an_amount_never_more_than_is_left() {
        let inv = invoice(vec![line(1, "100.00", "15", false), line(2, "50.00", "15", true)], "50.00");
        let on = day("2026-12-01");
        let whole = credit_draft(&inv, &CreditMode::Whole, "wrong seats", on).unwrap();
        assert_eq!((whole.lines.len(), whole.net, whole.vat), (1, d("100.00"), d("15.00")), "the credited line is left out");
        let amount = credit_draft(&inv, &CreditMode::Amount(d("40.004")), "goodwill", on).unwrap();
        assert_eq!(
            (amount.net, amount.vat, amount.lines[0].description.as_str()),
            (d("40.00"), d("6.00"), "Credit against INV-2026-00001")
        );

        let refused = |mode: CreditMode, reason: &str, date: &str| credit_draft(&inv, &mode, reason, day(date)).unwrap_err();
        let e = refused(CreditMode::Amount(d("100.01")), "x", "2026-12-01");
        assert_eq!(
            (e.message.as_str(), e.field.as_deref()),
            ("INV-2026-00001 has 100.00 ZAR (net) left to credit; 100.01 ZAR is more than that", Some("amount"))
        );
        assert_eq!(refused(CreditMode::Lines(vec![2]), "x", "2026-12-01").message, "line 2 of INV-2026-00001 was already credited");
        assert_eq!(refused(CreditMode::Lines(vec![3]), "x", "2026-12-01").field.as_deref(), Some("lines"));
        assert_eq!(refused(CreditMode::Whole, " ", "2026-12-01").field.as_deref(), Some("reason"));
        assert_eq!(refused(CreditMode::Whole, "x", "2026-11-29").field.as_deref(), Some("date"), "not before the invoice");
        assert_eq!(refused(CreditMode::Amount(d("0")), "x", "2026-12-01").field.as_deref(), Some("amount"));
    }

    #[test]
    fn an_amount_needs_one_vat_rate() {
        let inv = invoice(vec![line(1, "100.00", "15", false), line(2, "50.00", "0", false)], "0");
        let e = credit_draft(&inv, &CreditMode::Amount(d("10")), "x", day("2026-12-01")).unwrap_err();
        assert_eq!((e.hint, e.field.as_deref()), (Some(Hint::CreditLines), Some("amount")));
        let all = invoice(vec![line(1, "100.00", "15", true)], "100.00");
        assert!(credit_draft(&all, &CreditMode::Whole, "x", day("2026-12-01")).unwrap_err().message.contains("every line"));
    }
}
