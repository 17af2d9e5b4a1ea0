//! Reports: MRR/ARR and aging for the charts, and every report as one table of strings that the
//! page shows and that "Export CSV" writes. The filters, their defaults and the tables are the
//! core's (`seatbook::app::reports`), the same as `seatbook report NAME --csv FILE` uses.

use super::blocking;
use crate::error::IpcError;
use crate::files;
use seatbook::app::reports::{self as reports, ReportRequest};
use seatbook::app::{AgingReport, MrrRow};
use seatbook::report_table::ReportTable;
use tauri::{AppHandle, Runtime};

/// MRR and ARR by month, by default for the 12 months up to today.
#[tauri::command(rename_all = "snake_case")]
pub async fn report_mrr<R: Runtime>(app: AppHandle<R>, params: Option<ReportRequest>) -> Result<Vec<MrrRow>, IpcError> {
    // A reading: off the async runtime's few threads, so another screen's call is not held up.
    blocking(app, move |_, state| {
        let (today, params) = (state.today(), params.unwrap_or_default());
        state.report(|kept| kept.mrr(today, &params), |s| reports::mrr(s, today, &params))
    })
    .await
}

/// What is open by age (current, 1–30, 31–60, 61–90, over 90 days), per customer and in total.
#[tauri::command(rename_all = "snake_case")]
pub async fn report_aging<R: Runtime>(app: AppHandle<R>, as_of: Option<String>) -> Result<AgingReport, IpcError> {
    // A reading: off the async runtime's few threads, so another screen's call is not held up.
    blocking(app, move |_, state| {
        let today = state.today();
        state.report(|kept| kept.aging(today, as_of.as_deref()), |s| reports::aging(s, today, as_of.as_deref()))
    })
    .await
}

/// One report as a table of strings.
#[tauri::command(rename_all = "snake_case")]
pub async fn report_table<R: Runtime>(app: AppHandle<R>, report: String, params: Option<ReportRequest>) -> Result<ReportTable, IpcError> {
    // A reading: off the async runtime's few threads, so another screen's call is not held up.
    blocking(app, move |_, state| {
        let today = state.today();
        state.with_reader(|s| reports::table(s, today, &report, &params.unwrap_or_default()))
    })
    .await
}

/// Write a report as CSV where the user says in a save dialog. Its path, or `null` when the
/// dialog was cancelled.
#[tauri::command(rename_all = "snake_case")]
pub async fn report_export_csv<R: Runtime>(
    app: AppHandle<R>,
    report: String,
    params: Option<ReportRequest>,
) -> Result<Option<String>, IpcError> {
    blocking(app, move |app, state| {
        let today = state.today();
        let t = state.with_reader(|s| reports::table(s, today, &report, &params.unwrap_or_default()))?;
        let name = format!("seatbook-{}-{today}.csv", t.report);
        let Some(path) = files::save_file(app, &format!("Export {} as", t.title), &name, &files::CSV_EXPORT)? else {
            return Ok(None);
        };
        files::write(&path, t.to_csv().as_bytes())?;
        Ok(Some(path.display().to_string()))
    })
    .await
}
