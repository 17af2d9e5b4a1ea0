//! Receivables: how money received is applied to invoices, what an invoice's status is, and how
//! open amounts age. Pure, on integer minor units. Money received lands as customer credit and is
//! allocated to invoices — the ones the user picked first, then oldest first; what is left stays
//! as credit for the next invoices.

use crate::error::{Error, Result};
use crate::money::Currency;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    Eft,
    Card,
    Cash,
    Other,
}

impl Method {
    pub fn parse(s: &str, field: &str) -> Result<Method> {
        match s.trim().to_ascii_lowercase().as_str() {
            "eft" | "transfer" | "bank" => Ok(Method::Eft),
            "card" => Ok(Method::Card),
            "cash" => Ok(Method::Cash),
            "other" => Ok(Method::Other),
            other => Err(Error::bad_value(field, format!("'{other}' is not a payment method (eft, card, cash or other)"))),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Eft => "eft",
            Method::Card => "card",
            Method::Cash => "cash",
            Method::Other => "other",
        }
    }
}

/// An invoice with money still owed on it, in minor units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenItem {
    pub invoice_id: i64,
    pub date: NaiveDate,
    pub open: i64,
}

/// Split `amount` over `open` invoices: the picked ones first (in the order given), then the
/// rest oldest first. Returns (invoice id, amount) pairs; what is not allocated stays as credit.
pub fn allocate(open: &[OpenItem], picks: &[i64], amount: i64) -> Vec<(i64, i64)> {
    let mut order: Vec<&OpenItem> = picks.iter().filter_map(|p| open.iter().find(|o| o.invoice_id == *p)).collect();
    let mut rest: Vec<&OpenItem> = open.iter().filter(|o| !picks.contains(&o.invoice_id)).collect();
    rest.sort_by_key(|o| (o.date, o.invoice_id));
    order.extend(rest);
    let mut left = amount;
    let mut out = Vec::new();
    for o in order {
        if left <= 0 {
            break;
        }
        let take = left.min(o.open);
        if take > 0 {
            out.push((o.invoice_id, take));
            left -= take;
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InvoiceStatus {
    Open,
    PartlyPaid,
    Paid,
    Overdue,
    /// Fully credited by credit notes.
    Credited,
}

impl InvoiceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceStatus::Open => "open",
            InvoiceStatus::PartlyPaid => "partly-paid",
            InvoiceStatus::Paid => "paid",
            InvoiceStatus::Overdue => "overdue",
            InvoiceStatus::Credited => "credited",
        }
    }
}

/// The status of an invoice as of a day, from its total, credit notes and allocations.
/// What is still owed on an invoice, in minor units: its total less what was credited and paid,
/// never below zero (money paid beyond it is the customer's credit, not a negative invoice). The
/// one definition every list, page, report and letter uses.
pub fn open_minor(total: i64, credited: i64, paid: i64) -> i64 {
    (total - credited - paid).max(0)
}

pub fn status(total: i64, credited: i64, allocated: i64, due: NaiveDate, as_of: NaiveDate) -> InvoiceStatus {
    let open = total - credited - allocated;
    if open <= 0 {
        if allocated == 0 && credited > 0 {
            InvoiceStatus::Credited
        } else {
            InvoiceStatus::Paid
        }
    } else if as_of > due {
        InvoiceStatus::Overdue
    } else if allocated > 0 {
        InvoiceStatus::PartlyPaid
    } else {
        InvoiceStatus::Open
    }
}

/// Aging buckets: current (not yet due), 1–30, 31–60, 61–90 and over 90 days past due.
pub const BUCKETS: [&str; 5] = ["current", "1-30", "31-60", "61-90", "over-90"];

/// The bucket of an amount due on `due`, seen on `as_of`.
pub fn bucket(due: NaiveDate, as_of: NaiveDate) -> usize {
    match (as_of - due).num_days() {
        d if d <= 0 => 0,
        1..=30 => 1,
        31..=60 => 2,
        61..=90 => 3,
        _ => 4,
    }
}

// Reminders and the credit stop: when a customer is chased, and when selling to them needs a
// second thought.

/// Reminder levels: (level, days overdue that trigger it, the letter's title). The one place
/// these figures live.
pub const REMINDER_LEVELS: [(u8, i64, &str); 3] = [(1, 7, "Reminder"), (2, 30, "Second reminder"), (3, 60, "Final notice")];

/// A customer with an invoice more than this many days overdue is on credit stop.
pub const CREDIT_STOP_DAYS: i64 = 60;

/// The highest reminder level due for an invoice this many days overdue.
pub fn reminder_level(days_overdue: i64) -> Option<u8> {
    REMINDER_LEVELS.iter().rev().find(|(_, days, _)| days_overdue >= *days).map(|(l, _, _)| *l)
}

pub fn level_title(level: u8) -> &'static str {
    REMINDER_LEVELS.iter().find(|(l, _, _)| *l == level).map(|(_, _, t)| *t).unwrap_or("Reminder")
}

/// Why a customer is on credit stop, if they are: over the credit limit (balance above it) or
/// an invoice more than `CREDIT_STOP_DAYS` overdue.
pub fn credit_stop_reason(
    style: &crate::locale::Style,
    currency: Currency,
    balance: Decimal,
    limit: Option<Decimal>,
    oldest_overdue: Option<(&str, i64)>,
) -> Option<String> {
    let mut reasons = Vec::new();
    if let Some(limit) = limit {
        if balance > limit {
            reasons.push(format!(
                "the balance of {} is over the credit limit of {}",
                style.money(balance, currency),
                style.money(limit, currency)
            ));
        }
    }
    if let Some((number, days)) = oldest_overdue {
        if days > CREDIT_STOP_DAYS {
            reasons.push(format!("invoice {number} is {days} days overdue (more than {CREDIT_STOP_DAYS})"));
        }
    }
    (!reasons.is_empty()).then(|| reasons.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn oldest_first_unless_picked() {
        let open = vec![
            OpenItem { invoice_id: 3, date: day("2026-03-01"), open: 300 },
            OpenItem { invoice_id: 1, date: day("2026-01-01"), open: 100 },
            OpenItem { invoice_id: 2, date: day("2026-02-01"), open: 200 },
        ];
        assert_eq!(allocate(&open, &[], 250), [(1, 100), (2, 150)]);
        assert_eq!(allocate(&open, &[3], 350), [(3, 300), (1, 50)]);
        // An overpayment leaves the rest as credit.
        assert_eq!(allocate(&open, &[], 1000), [(1, 100), (2, 200), (3, 300)]);
        assert_eq!(allocate(&[], &[], 50), []);
    }

    #[test]
    fn statuses() {
        let due = day("2026-12-14");
        assert_eq!(status(1000, 0, 0, due, day("2026-12-14")), InvoiceStatus::Open);
        assert_eq!(status(1000, 0, 0, due, day("2026-12-15")), InvoiceStatus::Overdue);
        assert_eq!(status(1000, 0, 400, due, day("2026-12-01")), InvoiceStatus::PartlyPaid);
        assert_eq!(status(1000, 0, 400, due, day("2026-12-20")), InvoiceStatus::Overdue);
        assert_eq!(status(1000, 200, 800, due, day("2027-01-01")), InvoiceStatus::Paid);
        assert_eq!(status(1000, 1000, 0, due, day("2027-01-01")), InvoiceStatus::Credited);
    }

    #[test]
    fn aging_bucket_edges() {
        let due = day("2026-01-31");
        let cases = [
            ("2026-01-31", 0),
            ("2026-02-01", 1),
            ("2026-03-02", 1),
            ("2026-03-03", 2),
            ("2026-04-01", 2),
            ("2026-04-02", 3),
            ("2026-05-01", 3),
            ("2026-05-02", 4),
        ];
        for (as_of, b) in cases {
            assert_eq!(bucket(due, day(as_of)), b, "{as_of}");
        }
    }

    #[test]
    fn reminder_levels_by_days_overdue() {
        let levels: Vec<Option<u8>> = [0, 6, 7, 29, 30, 59, 60, 365].iter().map(|d| reminder_level(*d)).collect();
        assert_eq!(levels, [None, None, Some(1), Some(1), Some(2), Some(2), Some(3), Some(3)]);
        assert_eq!((level_title(1), level_title(3)), ("Reminder", "Final notice"));
    }

    #[test]
    fn credit_stop_over_the_limit_or_long_overdue() {
        let zar = Currency::parse("ZAR", "c").unwrap();
        let za = crate::locale::for_country("ZA");
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(credit_stop_reason(za, zar, d("500.00"), Some(d("500.00")), Some(("INV-1", 60))), None, "at the limit, 60 days");
        assert_eq!(
            credit_stop_reason(za, zar, d("1500.01"), Some(d("1500.00")), None).as_deref(),
            Some("the balance of R\u{a0}1\u{a0}500,01 is over the credit limit of R\u{a0}1\u{a0}500,00")
        );
        assert_eq!(
            credit_stop_reason(za, zar, d("10"), None, Some(("INV-1", 61))).as_deref(),
            Some("invoice INV-1 is 61 days overdue (more than 60)")
        );
        assert_eq!(
            credit_stop_reason(za, zar, d("9"), Some(d("1")), Some(("INV-2", 90))).unwrap().matches("; ").count(),
            1,
            "both reasons"
        );
    }
}
