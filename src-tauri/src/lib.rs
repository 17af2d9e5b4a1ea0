//! Seatbook desktop shell: a Tauri 2 window over the `ui/` pages. It stays thin: each command
//! takes the state, calls the core, and maps the error to `{code, message, field}`. Only this
//! crate knows Tauri and JSON; the core (`seatbook`) knows neither.
//!
//! Code map: `state` (the open database, settings, the clock), `error` (the IPC error), `files`
//! (dialogs, PDFs on disk, the system viewer, progress events), `commands/` (one file per area).

mod commands;
mod error;
mod files;
mod state;
mod trace;

pub use error::IpcError;
pub use state::{AppState, Launch, ShellSettings};

use seatbook::app::resolve_db_path;
use std::path::PathBuf;
use tauri::{Manager, Runtime};

include!("commands/names.rs");

/// The app's commands, for `Builder::invoke_handler` (generic so tests can use the mock runtime).
pub fn invoke_handler<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    use commands::*;
    tauri::generate_handler![
        app::app_info,
        app::app_marks,
        app::dashboard,
        mail::mail_settings,
        mail::mail_set,
        mail::mail_test,
        mail::mail_send_month,
        mail::mail_send_documents,
        mail::mail_send_statement,
        mail::mail_renewals,
        mail::mail_outbox,
        mail::mail_retry,
        mail::mail_resend,
        mail::mail_badge,
        mail::mail_log,
        mail::mail_templates,
        mail::mail_template_set,
        mail::mail_template_reset,
        mail::mail_template_preview,
        company::company_get,
        company::company_init,
        company::company_update,
        company::company_pick_logo,
        company::company_clear_logo,
        customers::customers_list,
        customers::customer_get,
        customers::customer_add,
        customers::customer_update,
        customers::customer_close,
        customers::customer_note,
        customers::contact_log,
        customers::customer_account,
        catalogue::pricelist_import,
        catalogue::products_list,
        catalogue::product_quote,
        catalogue::markup_list,
        catalogue::markup_set,
        catalogue::fx_list,
        catalogue::fx_set,
        subscriptions::subscriptions_list,
        subscriptions::subscription_get,
        subscriptions::subscription_add,
        subscriptions::subscription_quantity,
        subscriptions::subscription_cancel,
        subscriptions::subscription_suspend,
        subscriptions::subscription_reactivate,
        subscriptions::subscription_auto_renew,
        subscriptions::subscription_schedule,
        subscriptions::subscription_upgrade,
        billing::billing_preview,
        billing::billing_issue,
        billing::invoices_list,
        billing::invoice_get,
        billing::invoice_credit,
        documents::pdfs_write_month,
        documents::pdf_open,
        documents::pdf_save_as,
        documents::pdf_print_combined,
        documents::pdf_open_folder,
        settings::settings_get,
        settings::settings_pick_pdf_dir,
        settings::settings_reset_pdf_dir,
        receivables::payment_add,
        receivables::payment_reverse,
        receivables::credit_refund,
        receivables::payments_list,
        reports::report_mrr,
        reports::report_aging,
        reports::report_table,
        reports::report_export_csv,
        backups::backups_list,
        backups::backup_now,
        backups::backup_save_as,
        backups::backup_pick,
        backups::backup_restore,
        receivables::customer_credit_stop,
        receivables::statement_save_as,
        reminders::reminders_due,
        reminders::reminders_send,
        reminders::reminders_open_folder,
        books::books_trial_balance,
        books::books_export_journal,
        books::books_export_all,
        recon::recon_import,
        recon::recon_list,
        recon::recon_report,
        recon::recon_export_csv,
        recon::recon_fix,
        recon::recon_last_leak,
        usage::usage_import,
        usage::usage_list,
        usage::usage_rules,
        usage::usage_rule_set,
        usage::usage_budget,
        usage::usage_budget_set,
        pc::pc_status,
        pc::pc_on_start,
        pc::pc_connect,
        pc::pc_sync,
        pc::pc_outbox,
        pc::pc_take,
        pc::pc_push,
        pc::customer_provision,
        pc::pc_device_start,
        pc::pc_device_finish,
    ]
}

/// `--db PATH` (or `--db=PATH`) from the command line, like the `seatbook` CLI.
fn db_flag() -> Option<PathBuf> {
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--db" {
            return args.next().map(PathBuf::from);
        }
        if let Some(p) = a.strip_prefix("--db=") {
            return Some(PathBuf::from(p));
        }
    }
    None
}

/// A non-empty environment variable.
fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The first screen's figures, read from the moment the app starts, on one core, while GTK and
/// the window start on the other (the window's web page starts half a second later): a
/// book kept as it is, read-only, on a connection of its own. A book that must be migrated first
/// (or is not there yet) is read later, once it is opened.
fn read_dashboard_early(
    path: &std::path::Path,
    today: Option<chrono::NaiveDate>,
) -> Option<std::sync::Arc<seatbook::app::reports::DashboardMemo>> {
    if !path.is_file() {
        return None;
    }
    let memo = std::sync::Arc::new(seatbook::app::reports::DashboardMemo::new(path));
    let reading = memo.clone();
    let today = today.unwrap_or_else(|| chrono::Local::now().date_naive());
    std::thread::spawn(move || {
        trace::mark("dashboard read at start begins");
        let read = reading.dashboard_on_one_core(today, Some(seatbook::app::reports::DASHBOARD_FIRST_ROWS));
        trace::mark(&format!("dashboard read at start ends{}", if read.is_ok() { "" } else { " (not read)" }));
    });
    Some(memo)
}

/// Bring the running window to the front (a second launch calls this, then exits).
fn focus_main<R: Runtime>(app: &tauri::AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// Builds and runs the desktop application.
pub fn run() {
    use tauri_plugin_window_state::StateFlags;
    trace::start();
    let named = db_flag().or_else(|| env("SEATBOOK_DB").map(PathBuf::from));
    let today = env("SEATBOOK_TODAY").and_then(|d| match seatbook::dates::parse_date(&d, "SEATBOOK_TODAY") {
        Ok(d) => Some(d),
        Err(e) => {
            eprintln!("seatbook-desktop: ignoring {}", e.message);
            None
        }
    });
    let resolved = resolve_db_path(named.as_deref(), dirs::data_dir().as_deref());
    let early = resolved.as_ref().ok().and_then(|path| read_dashboard_early(path, today));
    tauri::Builder::default()
        // First, so a second launch exits before it opens anything (the database included).
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| focus_main(app)))
        .plugin(
            tauri_plugin_window_state::Builder::default()
                .with_state_flags(StateFlags::SIZE | StateFlags::POSITION | StateFlags::MAXIMIZED)
                .build(),
        )
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .on_page_load(|_, payload| trace::mark(&format!("page load {:?}", payload.event())))
        .setup(move |app| {
            trace::mark("setup");
            let (db_path, store) = match resolved {
                Ok(path) => {
                    let store = seatbook::app::open(&path);
                    (path, store)
                }
                Err(e) => (PathBuf::new(), Err(e)),
            };
            let paths = app.path();
            let default_pdf_dir = paths
                .document_dir()
                .map(|d| d.join("Seatbook"))
                .or_else(|_| paths.app_data_dir().map(|d| d.join("pdf")))
                .unwrap_or_else(|_| db_path.with_file_name("pdf"));
            let opened = store.is_ok();
            let launch = Launch {
                settings_file: paths.app_config_dir().ok().map(|d| d.join("settings.json")),
                default_pdf_dir,
                automation_dir: env("SEATBOOK_AUTOMATION_DIR").map(PathBuf::from),
                today,
                smtp_password: env(seatbook::secrets::SMTP_PASSWORD_ENV),
                pc_client_secret: env(seatbook::secrets::PC_CLIENT_SECRET_ENV),
                pc_refresh_token: env(seatbook::secrets::PC_REFRESH_TOKEN_ENV),
                pc_endpoints: seatbook::pc::client::Endpoints::with_overrides(
                    env("SEATBOOK_PARTNER_CENTER_URL"),
                    env("SEATBOOK_LOGIN_URL"),
                ),
            };
            app.manage(AppState::new(db_path, store, launch, early));
            // The first screen's figures are read while the window is being drawn (at the normal
            // priority: the page waits for them).
            if opened {
                let handle = app.handle().clone();
                std::thread::spawn(move || {
                    trace::mark("dashboard read ahead begins");
                    let _ = handle.state::<AppState>().dashboard(Some(seatbook::app::reports::DASHBOARD_FIRST_ROWS));
                    trace::mark("dashboard read ahead ends");
                });
            }
            // Once the first screen has its data (or after 20 s), so as not to slow the start
            // down: the reports' two charts are read ahead (Reports then opens at once); and the
            // day's automatic backup (kept: the last 30) is made on a connection of its own, at
            // the lowest priority, beside what the user does next (it reads the whole book).
            if opened {
                let handle = app.handle().clone();
                let day = today.unwrap_or_else(|| chrono::Local::now().date_naive());
                std::thread::spawn(move || {
                    crate::state::wait_for_first_screen(std::time::Duration::from_secs(20));
                    let state = handle.state::<AppState>();
                    // At the lowest priority: the first screen is still being laid out and painted.
                    in_background();
                    trace::mark("reports read ahead begins");
                    state.read_reports_ahead();
                    trace::mark("reports read ahead ends; the daily backup begins");
                    if let Err(e) = seatbook::app::open(&state.db_path).and_then(|s| seatbook::app::backups::daily(&s, day)) {
                        eprintln!("seatbook-desktop: the daily backup failed: {}", e.message);
                    }
                    // From then on, what is kept is read again a moment after the book changes
                    // (or the day does), at the lowest priority: the dashboard and Reports open
                    // at once after a change made elsewhere in the app, or by another program.
                    loop {
                        std::thread::sleep(std::time::Duration::from_secs(2));
                        state.refresh_kept();
                    }
                });
            }
            commands::mail::start_background_sender(app.handle().clone());
            commands::pc::compare_on_start(app.handle().clone());
            Ok(())
        })
        .invoke_handler(invoke_handler())
        .run(tauri::generate_context!())
        .expect("error while running the Seatbook desktop application");
}

/// Work nobody waits for yields the processor to what the user does: the calling thread, and the
/// threads it starts, run at the lowest priority (Linux; elsewhere at the normal one).
fn in_background() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority and gettid take plain integers and touch no memory of ours.
    unsafe {
        let thread = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, thread, 19);
    }
}
