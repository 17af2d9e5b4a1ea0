//! Reports: MRR/ARR and aging for the charts, and every report as one table of strings that the
//! page shows and that "Export CSV" writes (in Rust, from the same rows, where the user says).

use super::{blocking, date_or_today, given};
use crate::error::IpcError;
use crate::files;
use crate::state::AppState;
use chrono::{Datelike, NaiveDate};
use seatbook::dates::add_months;
use seatbook::store::{AgingReport, MrrRow, Store};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Runtime, State};

/// The reports' filters; each report reads the ones it needs. Empty means the default: the last
/// 12 months up to today, as of today, renewals within 90 days, margin by customer.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReportParams {
    /// `YYYY-MM-DD` (any day of the first month).
    pub from: Option<String>,
    pub to: Option<String>,
    pub as_of: Option<String>,
    pub days: Option<String>,
    /// Margin: `customer` or `product`.
    pub by: Option<String>,
}

struct Range {
    from: NaiveDate,
    to: NaiveDate,
}

fn range(p: &ReportParams, today: NaiveDate) -> Result<Range, IpcError> {
    let to = date_or_today(p.to.as_deref(), "--to", today)?;
    let default_from = add_months(NaiveDate::from_ymd_opt(to.year(), to.month(), 1).unwrap_or(to), 1);
    let default_from = NaiveDate::from_ymd_opt(default_from.year() - 1, default_from.month(), 1).unwrap_or(to);
    let from = date_or_today(p.from.as_deref(), "--from", default_from)?;
    if from > to {
        return Err(IpcError::invalid("from", format!("from ({from}) is after to ({to})")));
    }
    Ok(Range { from, to })
}

/// MRR and ARR at each month's end, by default for the 12 months up to this one.
#[tauri::command(rename_all = "snake_case")]
pub async fn report_mrr(state: State<'_, AppState>, params: Option<ReportParams>) -> Result<Vec<MrrRow>, IpcError> {
    let r = range(&params.unwrap_or_default(), state.today())?;
    state.with_store(|s| s.mrr_by_month(r.from, r.to))
}

/// What is open by age (current, 1–30, 31–60, 61–90, over 90 days), per customer and in total.
#[tauri::command(rename_all = "snake_case")]
pub async fn report_aging(state: State<'_, AppState>, as_of: Option<String>) -> Result<AgingReport, IpcError> {
    let as_of = date_or_today(as_of.as_deref(), "--as-of", state.today())?;
    state.with_store(|s| s.aging(as_of))
}

/// A column: `kind` says how the page shows its strings (`text`, `money` — in the row's
/// `currency` column —, `number`, `date`, `month`, `percent`).
#[derive(Debug, Clone, Serialize)]
pub struct Column {
    pub key: &'static str,
    pub label: &'static str,
    pub kind: &'static str,
}

const fn col(key: &'static str, label: &'static str, kind: &'static str) -> Column {
    Column { key, label, kind }
}

/// A report as rows of strings: what the page lists and what the CSV holds, cell for cell.
#[derive(Debug, Clone, Serialize)]
pub struct ReportTable {
    pub report: String,
    pub title: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<String>>,
}

pub const REPORTS: [&str; 7] = ["mrr", "revenue", "margin", "aging", "renewals", "exposure", "churn"];

fn table(s: &Store, report: &str, p: &ReportParams, today: NaiveDate) -> Result<ReportTable, IpcError> {
    let t = |title: String, columns: Vec<Column>, rows: Vec<Vec<String>>| ReportTable { report: report.to_string(), title, columns, rows };
    let as_of = || date_or_today(p.as_of.as_deref(), "--as-of", today);
    Ok(match report {
        "mrr" => {
            let r = range(p, today)?;
            let rows = s.mrr_by_month(r.from, r.to)?;
            t(
                format!("MRR and ARR, {} to {}", r.from.format("%Y-%m"), r.to.format("%Y-%m")),
                vec![
                    col("month", "Month", "month"),
                    col("currency", "Currency", "text"),
                    col("mrr", "MRR", "money"),
                    col("arr", "ARR", "money"),
                    col("subscriptions", "Subscriptions", "number"),
                    col("seats", "Seats", "number"),
                    col("unconverted", "Without a rate", "number"),
                ],
                rows.into_iter()
                    .map(|r| {
                        vec![
                            r.month,
                            r.currency.to_string(),
                            r.mrr.to_string(),
                            r.arr.to_string(),
                            r.subscriptions.to_string(),
                            r.seats.to_string(),
                            r.unconverted.to_string(),
                        ]
                    })
                    .collect(),
            )
        }
        "revenue" => {
            let r = range(p, today)?;
            let rows = s.revenue_by_month(r.from, r.to)?;
            t(
                format!("Revenue, {} to {}", r.from.format("%Y-%m"), r.to.format("%Y-%m")),
                vec![
                    col("month", "Month", "month"),
                    col("currency", "Currency", "text"),
                    col("invoiced", "Invoiced (net)", "money"),
                    col("credited", "Credited (net)", "money"),
                    col("net", "Revenue", "money"),
                ],
                rows.into_iter()
                    .map(|r| vec![r.month, r.currency.to_string(), r.invoiced.to_string(), r.credited.to_string(), r.net.to_string()])
                    .collect(),
            )
        }
        "margin" => {
            let r = range(p, today)?;
            let by_product = match given(p.by.clone()).as_deref() {
                None | Some("customer") => false,
                Some("product") => true,
                Some(other) => return Err(IpcError::invalid("by", format!("'{other}' is not a grouping (customer or product)"))),
            };
            let rows = s.margin(r.from, r.to, by_product)?;
            t(
                format!("Margin by {}, {} to {}", if by_product { "product" } else { "customer" }, r.from, r.to),
                vec![
                    col("key", if by_product { "Product" } else { "Customer" }, "text"),
                    col("currency", "Currency", "text"),
                    col("revenue", "Revenue", "money"),
                    col("cost", "Cost", "money"),
                    col("margin", "Margin", "money"),
                    col("margin_percent", "Margin %", "percent"),
                ],
                rows.into_iter()
                    .map(|r| {
                        vec![
                            r.key,
                            r.currency.to_string(),
                            r.revenue.to_string(),
                            r.cost.to_string(),
                            r.margin.to_string(),
                            r.margin_percent.map(|m| m.to_string()).unwrap_or_default(),
                        ]
                    })
                    .collect(),
            )
        }
        "aging" => {
            let as_of = as_of()?;
            let a = s.aging(as_of)?;
            let line = |name: String, r: &seatbook::store::AgingRow| {
                let mut v = vec![name, r.currency.to_string()];
                v.extend(r.buckets.iter().map(|b| b.to_string()));
                v.push(r.total.to_string());
                v.push(r.credit.to_string());
                v
            };
            let mut rows: Vec<Vec<String>> = a.rows.iter().map(|r| line(r.customer_name.clone(), r)).collect();
            rows.extend(a.totals.iter().map(|r| line("Total".to_string(), r)));
            t(
                format!("Aging as of {as_of}"),
                vec![
                    col("customer", "Customer", "text"),
                    col("currency", "Currency", "text"),
                    col("current", "Current", "money"),
                    col("days_1_30", "1–30 days", "money"),
                    col("days_31_60", "31–60 days", "money"),
                    col("days_61_90", "61–90 days", "money"),
                    col("over_90", "Over 90 days", "money"),
                    col("total", "Total open", "money"),
                    col("credit", "Credit", "money"),
                ],
                rows,
            )
        }
        "renewals" => {
            let as_of = as_of()?;
            let days = match given(p.days.clone()) {
                Some(d) => super::whole(&d, "--days")?,
                None => 90,
            };
            let rows = s.renewals_ahead(as_of, days)?;
            t(
                format!("Renewals due within {days} days of {as_of}"),
                vec![
                    col("term_end", "Term ends", "date"),
                    col("customer", "Customer", "text"),
                    col("product", "Product", "text"),
                    col("seats", "Seats", "number"),
                    col("auto_renew", "Renews", "text"),
                    col("schedule_by", "Cut seats by", "date"),
                    col("subscription_id", "Subscription", "number"),
                ],
                rows.into_iter()
                    .map(|r| {
                        vec![
                            r.term_end.to_string(),
                            r.customer_name,
                            r.product_title,
                            r.quantity.to_string(),
                            if r.auto_renew { "yes" } else { "no" }.to_string(),
                            r.schedule_by.to_string(),
                            r.subscription_id.to_string(),
                        ]
                    })
                    .collect(),
            )
        }
        "exposure" => {
            let as_of = as_of()?;
            let rows = s.exposure(as_of)?;
            t(
                format!("Commitment exposure as of {as_of}"),
                vec![
                    col("customer", "Customer", "text"),
                    col("product", "Product", "text"),
                    col("seats", "Seats", "number"),
                    col("term_end", "Term ends", "date"),
                    col("currency", "Currency", "text"),
                    col("remaining_cost", "Still owed to Microsoft", "money"),
                    col("subscription_id", "Subscription", "number"),
                ],
                rows.into_iter()
                    .map(|r| {
                        vec![
                            r.customer_name,
                            r.product,
                            r.seats.to_string(),
                            r.term_end.to_string(),
                            r.cost_currency.to_string(),
                            r.remaining_cost.to_string(),
                            r.subscription_id.to_string(),
                        ]
                    })
                    .collect(),
            )
        }
        "churn" => {
            let r = range(p, today)?;
            let rows = s.churn(r.from, r.to)?;
            t(
                format!("Churn, {} to {}", r.from.format("%Y-%m"), r.to.format("%Y-%m")),
                vec![
                    col("month", "Month", "month"),
                    col("cancelled", "Cancelled", "number"),
                    col("expired", "Expired", "number"),
                    col("seats_lost", "Seats lost", "number"),
                ],
                rows.into_iter().map(|r| vec![r.month, r.cancelled.to_string(), r.expired.to_string(), r.seats_lost.to_string()]).collect(),
            )
        }
        other => return Err(IpcError::invalid("report", format!("'{other}' is not a report ({})", REPORTS.join(", ")))),
    })
}

/// One report as a table of strings.
#[tauri::command(rename_all = "snake_case")]
pub async fn report_table(state: State<'_, AppState>, report: String, params: Option<ReportParams>) -> Result<ReportTable, IpcError> {
    let today = state.today();
    let p = params.unwrap_or_default();
    let mut guard = None;
    state.with_store(|s| {
        guard = Some(table(s, report.trim(), &p, today));
        Ok(())
    })?;
    guard.unwrap_or_else(|| Err(IpcError::io("the report was not made")))
}

/// A CSV cell: quoted when it holds a comma, a quote or a line break.
fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The table as CSV: a header of the column keys, then the rows, exactly as listed.
pub fn to_csv(t: &ReportTable) -> String {
    let mut out = t.columns.iter().map(|c| csv_cell(c.key)).collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    for row in &t.rows {
        out.push_str(&row.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

/// Write a report as CSV where the user says in a save dialog. Its path, or `null` when the
/// dialog was cancelled.
#[tauri::command(rename_all = "snake_case")]
pub async fn report_export_csv<R: Runtime>(
    app: AppHandle<R>,
    report: String,
    params: Option<ReportParams>,
) -> Result<Option<String>, IpcError> {
    blocking(app, move |app, state| {
        let today = state.today();
        let p = params.unwrap_or_default();
        let mut made = None;
        state.with_store(|s| {
            made = Some(table(s, report.trim(), &p, today));
            Ok(())
        })?;
        let t = made.unwrap_or_else(|| Err(IpcError::io("the report was not made")))?;
        let name = format!("seatbook-{}-{}.csv", t.report, today);
        let Some(path) = files::save_file(app, &format!("Export {} as", t.title), &name, &files::CSV_EXPORT)? else {
            return Ok(None);
        };
        files::write(&path, to_csv(&t).as_bytes())?;
        Ok(Some(path.display().to_string()))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_when_needed() {
        let t = ReportTable {
            report: "x".into(),
            title: "X".into(),
            columns: vec![col("key", "Key", "text"), col("net", "Net", "money")],
            rows: vec![vec!["Acme, \"Pty\"".into(), "1234.50".into()]],
        };
        assert_eq!(to_csv(&t), "key,net\r\n\"Acme, \"\"Pty\"\"\",1234.50\r\n");
    }
}
