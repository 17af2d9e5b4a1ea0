//! Receivables: how money received is applied to invoices, what an invoice's status is, and how
//! open amounts age. Pure, on integer minor units. Money received lands as customer credit and is
//! allocated to invoices — the ones the user picked first, then oldest first; what is left stays
//! as credit for the next invoices.

use crate::error::{Error, Result};
use chrono::NaiveDate;
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
            other => Err(Error::invalid(field, format!("{field}: '{other}' is not a payment method (eft, card, cash or other)"))),
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
}
