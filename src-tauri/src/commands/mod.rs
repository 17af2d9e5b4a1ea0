//! The app's commands, one file per screen's area. Each command is thin: it takes the state,
//! turns the page's strings into the core's values (as the command line does with its flags),
//! calls the core, and maps the error. Commands are `async`, so none runs on the UI thread; long
//! work (imports, billing runs, batches of PDFs) and native dialogs run in `spawn_blocking`.
//!
//! Arguments are snake_case on both sides (`customer_id`), like the inputs of the page.

pub mod app;
pub mod backups;
pub mod billing;
pub mod books;
pub mod catalogue;
pub mod company;
pub mod customers;
pub mod documents;
pub mod receivables;
pub mod reminders;
pub mod reports;
pub mod settings;
pub mod subscriptions;

use crate::error::IpcError;
use crate::state::AppState;
use chrono::NaiveDate;
use tauri::{AppHandle, Manager, Runtime};

/// Run `f` on a thread that may block (a dialog waiting for the user, a long job).
pub(crate) async fn blocking<R: Runtime, T: Send + 'static>(
    app: AppHandle<R>,
    f: impl FnOnce(&AppHandle<R>, &AppState) -> Result<T, IpcError> + Send + 'static,
) -> Result<T, IpcError> {
    tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        f(&app, &state)
    })
    .await
    .map_err(|e| IpcError::io(format!("the job stopped unexpectedly: {e}")))?
}

/// `None` for a field left empty.
pub(crate) fn given(s: Option<String>) -> Option<String> {
    s.filter(|v| !v.trim().is_empty())
}

/// A date typed as `YYYY-MM-DD`, or today when left empty.
pub(crate) fn date_or_today(s: Option<&str>, field: &str, today: NaiveDate) -> Result<NaiveDate, IpcError> {
    match s.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => Ok(seatbook::dates::parse_date(v, field)?),
        None => Ok(today),
    }
}

/// A date that must be given.
pub(crate) fn date(s: &str, field: &str) -> Result<NaiveDate, IpcError> {
    if s.trim().is_empty() {
        return Err(IpcError::invalid(field, format!("{} is required (YYYY-MM-DD)", crate::error::field_name(field).replace('_', " "))));
    }
    Ok(seatbook::dates::parse_date(s, field)?)
}

/// A whole number of seats or days.
pub(crate) fn whole(s: &str, field: &str) -> Result<u32, IpcError> {
    s.trim().parse::<u32>().map_err(|_| {
        IpcError::invalid(field, format!("{}: '{}' is not a whole number", crate::error::field_name(field).replace('_', " "), s.trim()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_values() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        assert_eq!(date_or_today(Some(" "), "--on", today).unwrap(), today);
        let e = date_or_today(Some("24/11/2026"), "--on", today).unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), ("invalid_input", Some("on")));
        assert_eq!(date("", "--start").unwrap_err().field.as_deref(), Some("start"));
        assert_eq!(whole(" 12 ", "--quantity").unwrap(), 12);
        let e = whole("-1", "--quantity").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("quantity"));
        assert_eq!(given(Some("  ".into())), None);
    }
}
