//! Reports: MRR/ARR and aging for the charts, and every report as one table of strings that the
//! page shows and that "Export CSV" writes (in Rust, from the same rows, where the user says).
//! The tables and their CSV are the core's (`seatbook::report_table`), the same as
//! `seatbook report NAME --csv FILE` writes.

use super::{blocking, date_or_today, given};
use crate::error::IpcError;
use crate::files;
use crate::state::AppState;
use chrono::{Datelike, NaiveDate};
use seatbook::dates::add_months;
use seatbook::report_table::{self, Report, ReportTable};
use seatbook::store::{AgingReport, MrrRow};
use serde::Deserialize;
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

/// The report a tab asks for, from its name and the page's filters (empty ones take the defaults).
fn query(report: &str, p: &ReportParams, today: NaiveDate) -> Result<Report, IpcError> {
    let name = report_table::check_name(report, "report")?;
    let as_of = || date_or_today(p.as_of.as_deref(), "--as-of", today);
    Ok(match name {
        "mrr" | "revenue" | "churn" => {
            let Range { from, to } = range(p, today)?;
            match name {
                "mrr" => Report::Mrr { from, to },
                "revenue" => Report::Revenue { from, to },
                _ => Report::Churn { from, to },
            }
        }
        "margin" => {
            let Range { from, to } = range(p, today)?;
            let by_product = match given(p.by.clone()).as_deref() {
                None | Some("customer") => false,
                Some("product") => true,
                Some(other) => return Err(IpcError::invalid("by", format!("'{other}' is not a grouping (customer or product)"))),
            };
            Report::Margin { from, to, by_product }
        }
        "aging" => Report::Aging { as_of: as_of()? },
        "renewals" => {
            let days = match given(p.days.clone()) {
                Some(d) => super::whole(&d, "--days")?,
                None => 90,
            };
            Report::Renewals { as_of: as_of()?, days }
        }
        _ => Report::Exposure { as_of: as_of()? },
    })
}

/// The report's table, made by the core as for `seatbook report NAME --csv`.
fn table(state: &AppState, report: &str, p: &ReportParams, today: NaiveDate) -> Result<ReportTable, IpcError> {
    let q = query(report, p, today)?;
    state.with_store(|s| report_table::make(s, q))
}

/// One report as a table of strings.
#[tauri::command(rename_all = "snake_case")]
pub async fn report_table(state: State<'_, AppState>, report: String, params: Option<ReportParams>) -> Result<ReportTable, IpcError> {
    table(&state, &report, &params.unwrap_or_default(), state.today())
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
        let t = table(state, &report, &params.unwrap_or_default(), today)?;
        let name = format!("seatbook-{}-{today}.csv", t.report);
        let Some(path) = files::save_file(app, &format!("Export {} as", t.title), &name, &files::CSV_EXPORT)? else {
            return Ok(None);
        };
        files::write(&path, t.to_csv().as_bytes())?;
        Ok(Some(path.display().to_string()))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_page_filters_become_the_core_report() {
        let today = day("2026-11-24");
        let none = ReportParams::default();
        // Empty filters: the 12 months up to this one, as of today, renewals within 90 days.
        assert_eq!(query("mrr", &none, today).unwrap(), Report::Mrr { from: day("2025-12-01"), to: today });
        assert_eq!(query(" churn ", &none, today).unwrap(), Report::Churn { from: day("2025-12-01"), to: today });
        assert_eq!(query("renewals", &none, today).unwrap(), Report::Renewals { as_of: today, days: 90 });
        assert_eq!(query("aging", &none, today).unwrap(), Report::Aging { as_of: today });
        let p = ReportParams {
            from: Some("2026-03-01".into()),
            to: Some("2026-06-30".into()),
            by: Some("product".into()),
            ..Default::default()
        };
        assert_eq!(
            query("margin", &p, today).unwrap(),
            Report::Margin { from: day("2026-03-01"), to: day("2026-06-30"), by_product: true }
        );
        let p = ReportParams { as_of: Some("2027-01-15".into()), days: Some("30".into()), ..Default::default() };
        assert_eq!(query("renewals", &p, today).unwrap(), Report::Renewals { as_of: day("2027-01-15"), days: 30 });
        assert_eq!(query("exposure", &p, today).unwrap(), Report::Exposure { as_of: day("2027-01-15") });

        for (report, p, field) in [
            ("profit", ReportParams::default(), "report"),
            ("margin", ReportParams { by: Some("month".into()), ..Default::default() }, "by"),
            ("renewals", ReportParams { days: Some("soon".into()), ..Default::default() }, "days"),
            ("revenue", ReportParams { from: Some("2026-12-01".into()), to: Some("2026-11-01".into()), ..Default::default() }, "from"),
            ("aging", ReportParams { as_of: Some("15/01/2027".into()), ..Default::default() }, "as_of"),
        ] {
            assert_eq!(query(report, &p, today).unwrap_err().field.as_deref(), Some(field), "{report}");
        }
    }
}
