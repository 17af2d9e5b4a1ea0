//! The app itself and its dashboard.

use super::blocking;
use crate::error::IpcError;
use crate::state::AppState;
use chrono::NaiveDate;
use seatbook::app::Dashboard;
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};

/// Facts about the running application, shown in the UI.
#[derive(Debug, Clone, Serialize)]
pub struct AppInfo {
    pub name: String,
    pub version: String,
    pub database: String,
    /// The reseller's name once set up.
    pub company: Option<String>,
    pub customers: i64,
    /// Today as the app sees it: the default for every date field.
    pub today: NaiveDate,
}

#[tauri::command(rename_all = "snake_case")]
pub async fn app_info<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> Result<AppInfo, IpcError> {
    let info = app.package_info();
    let (company, customers) = state.with_store(|s| Ok((s.company_opt()?.map(|c| c.name), s.customer_count()?)))?;
    Ok(AppInfo {
        name: info.name.clone(),
        version: info.version.to_string(),
        database: state.db_path.display().to_string(),
        company,
        customers,
        today: state.today(),
    })
}

/// The page's own timing marks of its start (what, and when: milliseconds since 1970, as the
/// page's clock reads them, whole), written out with the app's under `SEATBOOK_TRACE=1` (`trace`).
#[tauri::command(rename_all = "snake_case")]
pub fn app_marks(marks: Vec<(String, i64)>) {
    for (what, at) in marks {
        crate::trace::mark_at(&format!("page: {what}"), at);
    }
}

/// Recurring revenue, customers, open and overdue amounts, renewals in the next 30 days and the
/// last billing run, as of today.
#[tauri::command(rename_all = "snake_case")]
pub async fn dashboard<R: Runtime>(app: AppHandle<R>, rows: Option<usize>) -> Result<Dashboard, IpcError> {
    // A reading: off the async runtime's few threads, so another screen's call is not held up.
    blocking(app, move |_, state| {
        let dashboard = state.dashboard(rows);
        crate::state::first_screen_served();
        dashboard
    })
    .await
}
