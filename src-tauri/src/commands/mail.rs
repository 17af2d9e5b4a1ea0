//! E-mail: Settings → E-mail (the server, the password to the system's credential store, a test
//! message, the templates with a preview), e-mailing invoices, a billing run, statements and
//! renewal notices, the outbox and its badge, and what went to a customer. The core
//! (`seatbook::app::mail`) does the work, as for `seatbook mail`.
//!
//! Sending runs off the UI thread on a connection of its own, so the window goes on while a run's
//! invoices go out; each message sent is reported as progress (job `mail`). A sender in the
//! background sends what waits (offline, "try later") every minute.

use super::blocking;
use crate::error::IpcError;
use crate::files;
use crate::state::AppState;
use seatbook::app::mail::{self, Enqueued, OutboxBadge, OutboxEntry, Pass, RenewalNotice, SettingsView, TemplateView, TestSent};
use seatbook::mail::{MailFields, Rendered};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Runtime, State};

/// What an e-mailing did: the messages written to the outbox, what was not e-mailed and why,
/// and the sending pass.
#[derive(Debug, Serialize)]
pub struct Mailed {
    #[serde(flatten)]
    pub enqueued: Enqueued,
    pub delivery: Pass,
}

/// Send what waits, on a connection of its own (the window's stays free), telling the page of
/// each message and of the badge afterwards.
pub fn deliver<R: Runtime>(app: &AppHandle<R>, state: &AppState, all: bool) -> Result<Pass, IpcError> {
    let mut store = seatbook::app::open(&state.db_path).map_err(IpcError::from)?;
    let clock = state.clock();
    let pass = mail::deliver(&mut store, &clock, all, state.launch.smtp_password.as_deref(), &mut |_, done, total| {
        files::progress(app, "mail", done, total)
    })
    .map_err(IpcError::from)?;
    if let Ok(badge) = mail::badge(&store) {
        let _ = app.emit("outbox", badge);
    }
    Ok(pass)
}

/// Send what a change just put in the outbox (a reminders run, a credit note), if anything
/// waits; a failure to send is the pass's to report, never the change's.
pub fn deliver_if_waiting<R: Runtime>(app: &AppHandle<R>, state: &AppState) -> Option<Pass> {
    match state.with_store(|s| mail::anything_waits(s)) {
        Ok(true) => deliver(app, state, false).ok(),
        _ => None,
    }
}

/// `deliver_if_waiting` on a thread of its own, for a command that answers at once.
pub fn send_soon<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    std::thread::spawn(move || {
        let state = tauri::Manager::state::<AppState>(&app);
        deliver_if_waiting(&app, &state);
    });
}

#[tauri::command(rename_all = "snake_case")]
pub async fn mail_settings(state: State<'_, AppState>) -> Result<SettingsView, IpcError> {
    let env = state.launch.smtp_password.clone();
    state.with_store(|s| mail::settings(s, env.as_deref()))
}

/// Save the settings; a password typed goes to the system's credential store.
#[tauri::command(rename_all = "snake_case")]
pub async fn mail_set<R: Runtime>(app: AppHandle<R>, fields: MailFields, password: Option<String>) -> Result<SettingsView, IpcError> {
    blocking(app, move |_, state| {
        let password = password.filter(|p| !p.is_empty());
        let env = state.launch.smtp_password.clone();
        state.with_store(|s| {
            mail::set(s, &fields, password.as_deref())?;
            mail::settings(s, env.as_deref())
        })
    })
    .await
}

/// Send a test message now; the error says exactly what failed.
#[tauri::command(rename_all = "snake_case")]
pub async fn mail_test<R: Runtime>(app: AppHandle<R>, to: String) -> Result<TestSent, IpcError> {
    blocking(app, move |_, state| {
        let store = seatbook::app::open(&state.db_path).map_err(IpcError::from)?;
        mail::test(&store, &state.clock(), &to, state.launch.smtp_password.as_deref()).map_err(IpcError::from)
    })
    .await
}

/// E-mail every invoice of a month not e-mailed yet ("E-mail the invoices" after a run).
#[tauri::command(rename_all = "snake_case")]
pub async fn mail_send_month<R: Runtime>(app: AppHandle<R>, month: String) -> Result<Mailed, IpcError> {
    blocking(app, move |app, state| {
        let clock = state.clock();
        let enqueued = state.with_store(|s| mail::send_month(s, &clock, &month))?;
        Ok(Mailed { enqueued, delivery: deliver(app, state, false)? })
    })
    .await
}

/// E-mail invoices or credit notes by number (an invoice's "E-mail"); `again` sends what
/// already went.
#[tauri::command(rename_all = "snake_case")]
pub async fn mail_send_documents<R: Runtime>(app: AppHandle<R>, numbers: Vec<String>, again: Option<bool>) -> Result<Mailed, IpcError> {
    blocking(app, move |app, state| {
        let clock = state.clock();
        let enqueued = state.with_store(|s| mail::send_documents(s, &clock, &numbers, again.unwrap_or(true)))?;
        Ok(Mailed { enqueued, delivery: deliver(app, state, false)? })
    })
    .await
}

/// E-mail a customer's statement of account.
#[tauri::command(rename_all = "snake_case")]
pub async fn mail_send_statement<R: Runtime>(
    app: AppHandle<R>,
    customer_id: i64,
    from: Option<String>,
    to: Option<String>,
) -> Result<Mailed, IpcError> {
    blocking(app, move |app, state| {
        let clock = state.clock();
        let enqueued = state.with_store(|s| mail::send_statement(s, &clock, customer_id, from.as_deref(), to.as_deref(), true))?;
        Ok(Mailed { enqueued, delivery: deliver(app, state, false)? })
    })
    .await
}

/// The renewal notices due (`preview`), or send them.
#[derive(Debug, Serialize)]
pub struct Renewals {
    pub notices: Vec<RenewalNotice>,
    pub delivery: Option<Pass>,
}

#[tauri::command(rename_all = "snake_case")]
pub async fn mail_renewals<R: Runtime>(app: AppHandle<R>, preview: bool) -> Result<Renewals, IpcError> {
    blocking(app, move |app, state| {
        let clock = state.clock();
        let (notices, _) = state.with_store(|s| mail::renewals(s, &clock, None, preview))?;
        let delivery = if preview { None } else { Some(deliver(app, state, false)?) };
        Ok(Renewals { notices, delivery })
    })
    .await
}

/// What is not sent yet.
#[tauri::command(rename_all = "snake_case")]
pub async fn mail_outbox(state: State<'_, AppState>) -> Result<Vec<OutboxEntry>, IpcError> {
    let clock = state.clock();
    state.with_store(|s| mail::outbox(s, &clock))
}

/// Send every waiting message now.
#[tauri::command(rename_all = "snake_case")]
pub async fn mail_retry<R: Runtime>(app: AppHandle<R>) -> Result<Pass, IpcError> {
    blocking(app, move |app, state| deliver(app, state, true)).await
}

/// Send a message again that is `unknown` or `refused`: the user's decision.
#[tauri::command(rename_all = "snake_case")]
pub async fn mail_resend<R: Runtime>(app: AppHandle<R>, id: i64) -> Result<Pass, IpcError> {
    blocking(app, move |app, state| {
        let mut store = seatbook::app::open(&state.db_path).map_err(IpcError::from)?;
        let pass = mail::resend(&mut store, &state.clock(), id, state.launch.smtp_password.as_deref(), &mut |_, done, total| {
            files::progress(app, "mail", done, total)
        })
        .map_err(IpcError::from)?;
        if let Ok(badge) = mail::badge(&store) {
            let _ = app.emit("outbox", badge);
        }
        Ok(pass)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn mail_badge(state: State<'_, AppState>) -> Result<OutboxBadge, IpcError> {
    state.with_store(|s| mail::badge(s))
}

/// The messages to a customer (their timeline), or everyone's.
#[tauri::command(rename_all = "snake_case")]
pub async fn mail_log(state: State<'_, AppState>, customer_id: Option<i64>) -> Result<Vec<OutboxEntry>, IpcError> {
    state.with_store(|s| mail::log(s, customer_id))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn mail_templates(state: State<'_, AppState>) -> Result<Vec<TemplateView>, IpcError> {
    state.with_store(|s| mail::templates(s))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn mail_template_set(
    state: State<'_, AppState>,
    kind: String,
    subject: String,
    text: String,
    html: Option<String>,
) -> Result<TemplateView, IpcError> {
    state.with_store(|s| mail::set_template(s, &kind, &subject, &text, html.as_deref()))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn mail_template_reset(state: State<'_, AppState>, kind: String) -> Result<TemplateView, IpcError> {
    state.with_store(|s| mail::reset_template(s, &kind))
}

/// A template filled in with example values.
#[tauri::command(rename_all = "snake_case")]
pub async fn mail_template_preview(
    state: State<'_, AppState>,
    kind: String,
    subject: String,
    text: String,
    html: Option<String>,
) -> Result<Rendered, IpcError> {
    let clock = state.clock();
    state.with_store(|s| mail::preview(s, &clock, &kind, &subject, &text, html.as_deref()))
}

/// The sender in the background: what waits goes every minute (a server back up, a "try later"
/// come due), on its own connection.
pub fn start_background_sender<R: Runtime>(app: AppHandle<R>) {
    std::thread::spawn(move || loop {
        std::thread::sleep(std::time::Duration::from_secs(60));
        let state = tauri::Manager::state::<AppState>(&app);
        let due = state.with_store(|s| mail::anything_waits(s)).unwrap_or(false);
        if due {
            if let Err(e) = deliver(&app, &state, false) {
                eprintln!("seatbook-desktop: sending the outbox failed: {}", e.message);
            }
        }
    });
}
