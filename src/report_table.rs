//! Every report as one table of strings: columns (a key, a label, what kind of value) and rows of
//! cells. The desktop app lists these rows and "Export CSV" writes them; `seatbook report NAME
//! --csv FILE` writes the same table, so the two files are byte for byte the same for the same
//! data. Cells are exact strings (amounts as the core's decimals, `1234.50`), never floats.
//!
//! The CSV is RFC 4180: a header of the column keys (written even when there are no rows), CRLF
//! line ends, and a cell quoted when it holds a comma, a quote or a line break (quotes doubled).

use crate::store::{AgingReport, AgingRow, ChurnRow, ExposureRow, MarginRow, MrrRow, RenewalDue, RevenueRow};
use crate::{Error, Result};
use chrono::NaiveDate;
use serde::Serialize;

/// The reports, as the app names its tabs and the command line its subcommands.
pub const REPORTS: [&str; 8] = ["mrr", "revenue", "margin", "aging", "renewals", "exposure", "churn", "azure"];

/// What a column's strings are: how the app shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    Text,
    /// An exact amount in the currency of the row's `currency` column.
    Money,
    /// A whole number (seats, counts, ids).
    Number,
    /// `YYYY-MM-DD`.
    Date,
    /// `YYYY-MM`.
    Month,
    /// A percentage such as `16.67`.
    Percent,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Column {
    /// The CSV header's name, stable for scripts (`days_1_30`).
    pub key: &'static str,
    /// What a person reads (`1–30 days`).
    pub label: &'static str,
    pub kind: ColumnKind,
}

impl Column {
    pub fn is_money(&self) -> bool {
        self.kind == ColumnKind::Money
    }
}

const fn col(key: &'static str, label: &'static str, kind: ColumnKind) -> Column {
    Column { key, label, kind }
}

use ColumnKind::{Date, Money, Month, Number, Percent, Text};

/// A report as rows of strings: what the app lists and what the CSV holds, cell for cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportTable {
    /// One of [`REPORTS`].
    pub report: &'static str,
    pub title: String,
    pub columns: Vec<Column>,
    /// Each row has one cell per column; an empty cell is an absent value.
    pub rows: Vec<Vec<String>>,
}

/// Which report, for which days. The front ends turn their flags or form fields into this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Report {
    /// MRR and ARR at the end of each month from `from`'s month to `to`'s.
    Mrr { from: NaiveDate, to: NaiveDate },
    /// Invoiced less credited, by month, from `from`'s month to `to`'s.
    Revenue { from: NaiveDate, to: NaiveDate },
    /// Margin of the licences invoiced from `from` to `to` (both days included).
    Margin { from: NaiveDate, to: NaiveDate, by_product: bool },
    /// What is open as of a day, per customer and in total per currency.
    Aging { as_of: NaiveDate },
    /// Terms ending within `days` days of `as_of`.
    Renewals { as_of: NaiveDate, days: u32 },
    /// What is still owed to Microsoft for the committed terms of customers with overdue invoices.
    Exposure { as_of: NaiveDate },
    /// Cancellations and expiries by month, from `from`'s month to `to`'s.
    Churn { from: NaiveDate, to: NaiveDate },
    /// Azure usage months from `from`'s month to `to`'s: spend, price, cost, margin and PEC per
    /// customer and Azure subscription.
    Azure { from: NaiveDate, to: NaiveDate },
}

impl Report {
    pub fn name(&self) -> &'static str {
        match self {
            Report::Mrr { .. } => "mrr",
            Report::Revenue { .. } => "revenue",
            Report::Margin { .. } => "margin",
            Report::Aging { .. } => "aging",
            Report::Renewals { .. } => "renewals",
            Report::Exposure { .. } => "exposure",
            Report::Churn { .. } => "churn",
            Report::Azure { .. } => "azure",
        }
    }
}

/// `name` if it is one of [`REPORTS`], else an error naming `field`.
pub fn check_name(name: &str, field: &str) -> Result<&'static str> {
    let name = name.trim();
    REPORTS
        .iter()
        .find(|r| **r == name)
        .copied()
        .ok_or_else(|| Error::bad_value(field, format!("'{name}' is not a report ({})", REPORTS.join(", "))))
}

fn months(from: NaiveDate, to: NaiveDate) -> String {
    format!("{} to {}", from.format("%Y-%m"), to.format("%Y-%m"))
}

impl ReportTable {
    pub fn mrr(from: NaiveDate, to: NaiveDate, rows: &[MrrRow]) -> ReportTable {
        ReportTable {
            report: "mrr",
            title: format!("MRR and ARR, {}", months(from, to)),
            columns: vec![
                col("month", "Month", Month),
                col("currency", "Currency", Text),
                col("mrr", "MRR", Money),
                col("arr", "ARR", Money),
                col("subscriptions", "Subscriptions", Number),
                col("seats", "Seats", Number),
                col("unconverted", "Without a rate", Number),
            ],
            rows: rows
                .iter()
                .map(|r| {
                    vec![
                        r.month.clone(),
                        r.currency.to_string(),
                        r.mrr.to_string(),
                        r.arr.to_string(),
                        r.subscriptions.to_string(),
                        r.seats.to_string(),
                        r.unconverted.to_string(),
                    ]
                })
                .collect(),
        }
    }

    pub fn revenue(from: NaiveDate, to: NaiveDate, rows: &[RevenueRow]) -> ReportTable {
        ReportTable {
            report: "revenue",
            title: format!("Revenue, {}", months(from, to)),
            columns: vec![
                col("month", "Month", Month),
                col("currency", "Currency", Text),
                col("invoiced", "Invoiced (net)", Money),
                col("credited", "Credited (net)", Money),
                col("net", "Revenue", Money),
                col("azure", "Of which Azure", Money),
            ],
            rows: rows
                .iter()
                .map(|r| {
                    let m = |d: rust_decimal::Decimal| d.to_string();
                    vec![r.month.clone(), r.currency.to_string(), m(r.invoiced), m(r.credited), m(r.net), m(r.azure)]
                })
                .collect(),
        }
    }

    pub fn margin(from: NaiveDate, to: NaiveDate, by_product: bool, rows: &[MarginRow]) -> ReportTable {
        ReportTable {
            report: "margin",
            title: format!("Margin by {}, {from} to {to}", if by_product { "product" } else { "customer" }),
            columns: vec![
                col("key", if by_product { "Product" } else { "Customer" }, Text),
                col("currency", "Currency", Text),
                col("revenue", "Revenue", Money),
                col("cost", "Cost", Money),
                col("margin", "Margin", Money),
                col("margin_percent", "Margin %", Percent),
            ],
            rows: rows
                .iter()
                .map(|r| {
                    vec![
                        r.key.clone(),
                        r.currency.to_string(),
                        r.revenue.to_string(),
                        r.cost.to_string(),
                        r.margin.to_string(),
                        r.margin_percent.map(|m| m.to_string()).unwrap_or_default(),
                    ]
                })
                .collect(),
        }
    }

    /// One row per customer and currency, then one `Total` row per currency.
    pub fn aging(a: &AgingReport) -> ReportTable {
        let line = |name: &str, r: &AgingRow| {
            let mut v = vec![name.to_string(), r.currency.to_string()];
            v.extend(r.buckets.iter().map(|b| b.to_string()));
            v.push(r.total.to_string());
            v.push(r.credit.to_string());
            v
        };
        let mut rows: Vec<Vec<String>> = a.rows.iter().map(|r| line(&r.customer_name, r)).collect();
        rows.extend(a.totals.iter().map(|r| line("Total", r)));
        ReportTable {
            report: "aging",
            title: format!("Aging as of {}", a.as_of),
            columns: vec![
                col("customer", "Customer", Text),
                col("currency", "Currency", Text),
                col("current", "Current", Money),
                col("days_1_30", "1–30 days", Money),
                col("days_31_60", "31–60 days", Money),
                col("days_61_90", "61–90 days", Money),
                col("over_90", "Over 90 days", Money),
                col("total", "Total open", Money),
                col("credit", "Credit", Money),
            ],
            rows,
        }
    }

    pub fn renewals(as_of: NaiveDate, days: u32, rows: &[RenewalDue]) -> ReportTable {
        ReportTable {
            report: "renewals",
            title: format!("Renewals due within {days} days of {as_of}"),
            columns: vec![
                col("term_end", "Term ends", Date),
                col("customer", "Customer", Text),
                col("product", "Product", Text),
                col("seats", "Seats", Number),
                col("auto_renew", "Renews", Text),
                col("schedule_by", "Cut seats by", Date),
                col("subscription_id", "Subscription", Number),
            ],
            rows: rows
                .iter()
                .map(|r| {
                    vec![
                        r.term_end.to_string(),
                        r.customer_name.clone(),
                        r.product_title.clone(),
                        r.quantity.to_string(),
                        if r.auto_renew { "yes" } else { "no" }.to_string(),
                        r.schedule_by.to_string(),
                        r.subscription_id.to_string(),
                    ]
                })
                .collect(),
        }
    }

    pub fn exposure(as_of: NaiveDate, rows: &[ExposureRow]) -> ReportTable {
        ReportTable {
            report: "exposure",
            title: format!("Commitment exposure as of {as_of}"),
            columns: vec![
                col("customer", "Customer", Text),
                col("product", "Product", Text),
                col("seats", "Seats", Number),
                col("term_end", "Term ends", Date),
                col("currency", "Currency", Text),
                col("remaining_cost", "Still owed to Microsoft", Money),
                col("subscription_id", "Subscription", Number),
            ],
            rows: rows
                .iter()
                .map(|r| {
                    vec![
                        r.customer_name.clone(),
                        r.product.clone(),
                        r.seats.to_string(),
                        r.term_end.to_string(),
                        r.cost_currency.to_string(),
                        r.remaining_cost.to_string(),
                        r.subscription_id.to_string(),
                    ]
                })
                .collect(),
        }
    }

    pub fn churn(from: NaiveDate, to: NaiveDate, rows: &[ChurnRow]) -> ReportTable {
        ReportTable {
            report: "churn",
            title: format!("Churn, {}", months(from, to)),
            columns: vec![
                col("month", "Month", Month),
                col("cancelled", "Cancelled", Number),
                col("expired", "Expired", Number),
                col("seats_lost", "Seats lost", Number),
            ],
            rows: rows
                .iter()
                .map(|r| vec![r.month.clone(), r.cancelled.to_string(), r.expired.to_string(), r.seats_lost.to_string()])
                .collect(),
        }
    }

    /// Azure usage per customer (or unknown tenant), Azure subscription and usage month: Microsoft's
    /// retail and cost (in their currencies), what the customer pays and the margin (in theirs),
    /// and the PEC watch.
    pub fn azure(from: NaiveDate, to: NaiveDate, rows: &[crate::store::AzureRow]) -> ReportTable {
        let opt = |d: Option<rust_decimal::Decimal>| d.map(|d| d.to_string()).unwrap_or_default();
        ReportTable {
            report: "azure",
            title: format!("Azure usage, {}", months(from, to)),
            columns: vec![
                col("month", "Month", Month),
                col("customer", "Customer", Text),
                col("subscription", "Azure subscription", Text),
                col("entitlement_id", "Subscription id", Text),
                col("lines", "Lines", Number),
                col("pricing_currency", "Retail in", Text),
                col("retail", "Retail", Text),
                col("billing_currency", "Cost in", Text),
                col("microsoft_cost", "Microsoft's cost", Text),
                col("currency", "Currency", Text),
                col("price", "Price", Money),
                col("cost", "Cost", Money),
                col("margin", "Margin", Money),
                col("pec_lines", "Lines with PEC", Number),
                col("pec_stopped_on", "PEC stopped on", Date),
                col("pec_lost", "PEC lost (cost currency)", Text),
                col("state", "State", Text),
            ],
            rows: rows
                .iter()
                .map(|r| {
                    let u = &r.usage;
                    vec![
                        u.month.clone(),
                        if u.customer_name.is_empty() { u.domain.clone() } else { u.customer_name.clone() },
                        u.entitlement.clone(),
                        u.entitlement_id.clone(),
                        u.lines.to_string(),
                        u.pricing_currency.to_string(),
                        u.retail.to_string(),
                        u.billing_currency.to_string(),
                        u.cost.to_string(),
                        r.currency.map(|c| c.to_string()).unwrap_or_default(),
                        opt(r.price),
                        opt(r.cost_in_currency),
                        opt(r.margin),
                        u.pec_lines.to_string(),
                        r.pec_stopped.as_ref().map(|p| p.since.to_string()).unwrap_or_default(),
                        r.pec_stopped.as_ref().map(|p| p.lost.normalize().to_string()).unwrap_or_default(),
                        r.state.to_string(),
                    ]
                })
                .collect(),
        }
    }

    /// The findings of a reconciliation of Microsoft's invoice, one row each; amounts in the
    /// invoice's currency but Seatbook's billed amount (in the customer's, beside it).
    pub fn recon(r: &crate::recon::Reconciliation) -> ReportTable {
        let opt = |d: &Option<rust_decimal::Decimal>| d.map(|d| d.to_string()).unwrap_or_default();
        ReportTable {
            report: "recon",
            title: format!("Reconciliation of Microsoft's invoice {}", r.invoice),
            columns: vec![
                col("id", "Finding", Text),
                col("kind", "Kind", Text),
                col("customer_id", "Customer", Number),
                col("customer_name", "Name", Text),
                col("customer_domain", "Domain", Text),
                col("subscription_id", "Subscription", Number),
                col("ms_subscription_id", "Microsoft's subscription", Text),
                col("product", "Product", Text),
                col("period_start", "From", Date),
                col("period_end", "To", Date),
                col("microsoft_quantity", "Seats at Microsoft", Text),
                col("seatbook_quantity", "Seats billed", Text),
                col("currency", "Currency", Text),
                col("microsoft_amount", "Microsoft charged", Money),
                col("difference", "Difference", Money),
                col("seatbook_currency", "Billed in", Text),
                col("seatbook_amount", "Billed", Text),
                col("action", "What to do", Text),
            ],
            rows: r
                .findings
                .iter()
                .map(|f| {
                    vec![
                        f.id.clone(),
                        f.kind.as_str().to_string(),
                        f.customer_id.map(|c| c.to_string()).unwrap_or_default(),
                        f.customer_name.clone(),
                        f.customer_domain.clone(),
                        f.subscription_id.map(|c| c.to_string()).unwrap_or_default(),
                        f.ms_subscription_id.clone().unwrap_or_default(),
                        f.product.clone(),
                        f.period_start.to_string(),
                        f.period_end.to_string(),
                        opt(&f.microsoft_quantity),
                        opt(&f.seatbook_quantity),
                        r.currency.to_string(),
                        opt(&f.microsoft_amount),
                        f.difference.to_string(),
                        f.seatbook_currency.map(|c| c.to_string()).unwrap_or_default(),
                        opt(&f.seatbook_amount),
                        f.action.clone(),
                    ]
                })
                .collect(),
        }
    }

    /// The table as CSV (RFC 4180): the column keys, then the rows as listed; CRLF after every
    /// record, the header included, and the header even when there are no rows.
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        csv_record(&mut out, self.columns.iter().map(|c| c.key));
        for row in &self.rows {
            csv_record(&mut out, row.iter().map(String::as_str));
        }
        out
    }
}

/// A cell a spreadsheet will not run: text starting with `=`, `+`, `-`, `@`, a tab or a carriage
/// return gets a leading `'` (as spreadsheet-safe exporters do), so a customer named
/// `=HYPERLINK(…)` stays text; a number (`-12.50`) is left as it is, so no amount changes.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && rust_decimal::Decimal::from_str_exact(cell).is_err() {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// One CSV record and its CRLF.
fn csv_record<'a>(out: &mut String, cells: impl Iterator<Item = &'a str>) {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.push(',');
        }
        let cell = spreadsheet_safe(cell);
        if cell.contains([',', '"', '\r', '\n']) {
            out.push('"');
            out.push_str(&cell.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&cell);
        }
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use rust_decimal::Decimal;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }
    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn cells_are_quoted_when_needed_and_lines_end_in_crlf() {
        let t = ReportTable {
            report: "margin",
            title: "X".into(),
            columns: vec![col("key", "Key", Text), col("net", "Net", Money)],
            rows: vec![
                vec!["Acme, \"Pty\"".into(), "1234.50".into()],
                vec!["Two\nlines".into(), "-0.01".into()],
                vec!["Plain".into(), String::new()],
            ],
        };
        assert_eq!(t.to_csv(), "key,net\r\n\"Acme, \"\"Pty\"\"\",1234.50\r\n\"Two\nlines\",-0.01\r\nPlain,\r\n");
    }

    #[test]
    fn the_header_is_written_when_there_are_no_rows() {
        let t = ReportTable::churn(day("2026-01-01"), day("2026-11-01"), &[]);
        assert_eq!(t.to_csv(), "month,cancelled,expired,seats_lost\r\n");
        let t = ReportTable::exposure(day("2026-11-24"), &[]);
        assert_eq!(t.to_csv(), "customer,product,seats,term_end,currency,remaining_cost,subscription_id\r\n");
    }

    #[test]
    fn aging_lists_customers_then_a_total_per_currency() {
        let zar = Currency::parse("ZAR", "c").unwrap();
        let row = |id: i64, name: &str, b: [&str; 5], total: &str| AgingRow {
            customer_id: id,
            customer_name: name.into(),
            currency: zar,
            buckets: b.map(d),
            total: d(total),
            credit: d("0.00"),
        };
        let a = AgingReport {
            as_of: day("2027-01-15"),
            buckets: ["current", "1-30", "31-60", "61-90", "over 90"],
            rows: vec![row(1, "Acme, Ltd", ["0.00", "115.00", "0.00", "0.00", "0.00"], "115.00")],
            totals: vec![row(0, "", ["0.00", "115.00", "0.00", "0.00", "0.00"], "115.00")],
        };
        let t = ReportTable::aging(&a);
        assert_eq!(t.title, "Aging as of 2027-01-15");
        assert_eq!(
            t.to_csv(),
            "customer,currency,current,days_1_30,days_31_60,days_61_90,over_90,total,credit\r\n\
             \"Acme, Ltd\",ZAR,0.00,115.00,0.00,0.00,0.00,115.00,0.00\r\n\
             Total,ZAR,0.00,115.00,0.00,0.00,0.00,115.00,0.00\r\n"
        );
        assert_eq!(t.columns.iter().filter(|c| c.is_money()).count(), 7);
    }

    #[test]
    fn margin_without_revenue_has_an_empty_percentage() {
        let zar = Currency::parse("ZAR", "c").unwrap();
        let rows = [
            MarginRow {
                key: "Acme".into(),
                currency: zar,
                revenue: d("120.00"),
                cost: d("100.00"),
                margin: d("20.00"),
                margin_percent: Some(d("16.67")),
            },
            MarginRow { key: "Beta".into(), currency: zar, revenue: d("0.00"), cost: d("0.00"), margin: d("0.00"), margin_percent: None },
        ];
        let t = ReportTable::margin(day("2026-01-01"), day("2026-11-30"), true, &rows);
        assert_eq!(t.columns[0].label, "Product");
        assert_eq!(t.title, "Margin by product, 2026-01-01 to 2026-11-30");
        assert_eq!(
            t.to_csv(),
            "key,currency,revenue,cost,margin,margin_percent\r\nAcme,ZAR,120.00,100.00,20.00,16.67\r\nBeta,ZAR,0.00,0.00,0.00,\r\n"
        );
    }

    #[test]
    fn every_report_has_a_name_and_columns_serialize_their_kind() {
        let on = day("2026-11-24");
        for (r, name) in [
            (Report::Mrr { from: on, to: on }, "mrr"),
            (Report::Revenue { from: on, to: on }, "revenue"),
            (Report::Margin { from: on, to: on, by_product: false }, "margin"),
            (Report::Aging { as_of: on }, "aging"),
            (Report::Renewals { as_of: on, days: 30 }, "renewals"),
            (Report::Exposure { as_of: on }, "exposure"),
            (Report::Churn { from: on, to: on }, "churn"),
        ] {
            assert_eq!(r.name(), name);
            assert_eq!(check_name(&format!(" {name} "), "report").unwrap(), name);
        }
        let e = check_name("profit", "report").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("report"));
        assert!(e.message.contains("'profit' is not a report (mrr, revenue"), "{}", e.message);
        let json = serde_json::to_value(col("net", "Revenue", Money)).unwrap();
        assert_eq!(json, serde_json::json!({"key": "net", "label": "Revenue", "kind": "money"}));
    }

    #[test]
    fn cells_a_spreadsheet_would_run_stay_text_and_amounts_stay_amounts() {
        assert_eq!(spreadsheet_safe("=HYPERLINK(\"http://x\",\"y\")"), "'=HYPERLINK(\"http://x\",\"y\")");
        for risky in ["+1+1", "-cmd", "@SUM(A1)", "\tx", "\rx"] {
            assert!(spreadsheet_safe(risky).starts_with('\''), "{risky:?}");
        }
        for kept in ["-12.50", "+3", "0.00", "Acme", "INV-2026-00001"] {
            assert_eq!(spreadsheet_safe(kept), kept);
        }
        let t = ReportTable {
            report: "aging",
            title: String::new(),
            columns: vec![col("customer", "Customer", Text), col("total", "Total", Money)],
            rows: vec![vec!["=1+1".into(), "-5.00".into()]],
        };
        assert_eq!(t.to_csv(), "customer,total\r\n'=1+1,-5.00\r\n");
    }
}
