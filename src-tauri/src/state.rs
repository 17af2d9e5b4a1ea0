//! What the running app holds: the open database (or why it could not be opened), the shell's
//! own small settings file, and the two readings of the clock the core is never allowed to take.

use crate::error::IpcError;
use chrono::NaiveDate;
use seatbook::app::Store;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// The shell's own preferences, kept in `settings.json` under the app's config folder (they
/// belong to this computer, not to the books).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ShellSettings {
    /// Where invoice PDFs are written; `None` means the default folder.
    #[serde(default)]
    pub pdf_dir: Option<PathBuf>,
}

/// How the app was started: the files it uses and the hooks automated tests need.
#[derive(Debug, Clone, Default)]
pub struct Launch {
    /// `settings.json`; `None` keeps settings in memory only.
    pub settings_file: Option<PathBuf>,
    /// Where PDFs go until the user chooses a folder.
    pub default_pdf_dir: PathBuf,
    /// `SEATBOOK_AUTOMATION_DIR`: answer every file dialog from this folder without showing it,
    /// and open nothing in outside programs (end-to-end tests cannot click native dialogs).
    pub automation_dir: Option<PathBuf>,
    /// `SEATBOOK_TODAY`: act as if today were this day, like the command line's `--today`.
    pub today: Option<NaiveDate>,
    /// `SEATBOOK_SMTP_PASSWORD`: the mail server's password on a system without a credential
    /// store (automation, tests); never stored.
    pub smtp_password: Option<String>,
    /// `SEATBOOK_PC_CLIENT_SECRET`: Partner Center's client secret, likewise.
    pub pc_client_secret: Option<String>,
    /// `SEATBOOK_PC_REFRESH_TOKEN`: an application-and-user sign-in's refresh token, likewise.
    pub pc_refresh_token: Option<String>,
    /// Partner Center's and the sign-in's addresses (`SEATBOOK_PARTNER_CENTER_URL`,
    /// `SEATBOOK_LOGIN_URL`; Microsoft's public cloud by default).
    pub pc_endpoints: seatbook::pc::client::Endpoints,
}

/// The open database, or why it could not be opened (shown to the user instead of crashing).
/// Whether the window has been given its first screen (the dashboard), for work at start-up
/// that is not to slow it down (the day's backup reads the whole book on both cores).
static FIRST_SCREEN: (Mutex<bool>, std::sync::Condvar) = (Mutex::new(false), std::sync::Condvar::new());

/// The first screen has its data: what waits for it may go.
pub fn first_screen_served() {
    let (done, signal) = &FIRST_SCREEN;
    *done.lock().unwrap_or_else(|e| e.into_inner()) = true;
    signal.notify_all();
}

/// Wait until the first screen has its data, or `at_most`.
pub fn wait_for_first_screen(at_most: std::time::Duration) {
    let (done, signal) = &FIRST_SCREEN;
    let guard = done.lock().unwrap_or_else(|e| e.into_inner());
    let _ = signal.wait_timeout_while(guard, at_most, |done| !*done);
}

pub struct AppState {
    pub db_path: PathBuf,
    store: Mutex<Result<Store, seatbook::Error>>,
    settings: Mutex<ShellSettings>,
    /// A logo chosen in a dialog, applied by the next profile save.
    pending_logo: Mutex<Option<PathBuf>>,
    /// A backup chosen (and checked) for a restore, waiting for the user's confirmation.
    pending_restore: Mutex<Option<PathBuf>>,
    /// A reconciliation file refused because it would replace an invoice imported before,
    /// waiting for the user to say "Replace".
    pending_recon: Mutex<Option<PathBuf>>,
    /// The comparison with Partner Center made when the app started (when connected): its
    /// result, or why it could not be made (offline).
    pc_on_start: Mutex<Option<Result<seatbook::app::pc::SyncResult, String>>>,
    /// Read-only connections to the book for what only reads (the dashboard, lists, reports),
    /// kept for the next read, with the generation of the book they read (a restore starts a
    /// new one): a long report no longer holds up the next screen or a change.
    readers: Mutex<(u64, Vec<Store>)>,
    /// Whether the book can be read on connections of its own (it is open, and writable): known
    /// without waiting for the app's connection, which a long change may hold.
    own_readers: std::sync::atomic::AtomicBool,
    /// The dashboard as last read, kept while the book is unchanged (read ahead at start-up).
    dashboard: std::sync::Arc<seatbook::app::reports::DashboardMemo>,
    /// The reports' charts and the trial balance as last read, kept alike (MRR and aging read
    /// ahead once the first screen is shown).
    reports: seatbook::app::reports::ReportsMemo,
    pub launch: Launch,
}

/// How many idle read-only connections are kept.
const KEEP_READERS: usize = 3;

/// A mutex guard even if another thread panicked while holding it: one panic must not turn
/// into a dead app.
impl AppState {
    /// How changes reach Partner Center from the app.
    pub fn pc_reach(&self) -> seatbook::app::provision::Reach {
        seatbook::app::provision::Reach {
            endpoints: self.launch.pc_endpoints.clone(),
            secret_from_environment: self.launch.pc_client_secret.clone(),
            refresh_token_from_environment: self.launch.pc_refresh_token.clone(),
        }
    }

    pub fn set_pc_on_start(&self, r: Result<seatbook::app::pc::SyncResult, String>) {
        *lock(&self.pc_on_start) = Some(r);
    }

    pub fn pc_on_start(&self) -> Option<Result<seatbook::app::pc::SyncResult, String>> {
        lock(&self.pc_on_start).clone()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl AppState {
    /// `dashboard`: the memo the app started reading the dashboard into before it had opened the
    /// book (`None`: a new one).
    pub fn new(
        db_path: PathBuf,
        store: Result<Store, seatbook::Error>,
        launch: Launch,
        dashboard: Option<std::sync::Arc<seatbook::app::reports::DashboardMemo>>,
    ) -> AppState {
        let settings = launch.settings_file.as_deref().map(read_settings).unwrap_or_default();
        let own_readers = std::sync::atomic::AtomicBool::new(matches!(&store, Ok(s) if !s.read_only()));
        AppState {
            own_readers,
            dashboard: dashboard.unwrap_or_else(|| std::sync::Arc::new(seatbook::app::reports::DashboardMemo::new(&db_path))),
            reports: seatbook::app::reports::ReportsMemo::new(&db_path),
            db_path,
            store: Mutex::new(store),
            settings: Mutex::new(settings),
            pending_logo: Mutex::new(None),
            pending_restore: Mutex::new(None),
            pending_recon: Mutex::new(None),
            pc_on_start: Mutex::new(None),
            readers: Mutex::new((0, Vec::new())),
            launch,
        }
    }

    /// Run `f` with the store.
    pub fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> seatbook::Result<T>) -> Result<T, IpcError> {
        let mut guard = lock(&self.store);
        match guard.as_mut() {
            Ok(store) => f(store).map_err(IpcError::from),
            Err(e) => Err(e.clone().into()),
        }
    }

    /// Run `f`, which only reads, on a read-only connection of its own (`with_store` where the
    /// book cannot be read so: it could not be opened, or only as it is on disk).
    pub fn with_reader<T>(&self, f: impl FnOnce(&Store) -> seatbook::Result<T>) -> Result<T, IpcError> {
        let (generation, idle) = {
            let mut readers = lock(&self.readers);
            (readers.0, readers.1.pop())
        };
        let reader = match idle {
            Some(r) => r,
            None => {
                let opened = if self.own_readers.load(std::sync::atomic::Ordering::SeqCst) {
                    seatbook::app::open_reader(&self.db_path).ok()
                } else {
                    None
                };
                match opened {
                    Some(r) => r,
                    None => return self.with_store(|s| f(s)),
                }
            }
        };
        let result = f(&reader).map_err(IpcError::from);
        let mut readers = lock(&self.readers);
        if readers.0 == generation && readers.1.len() < KEEP_READERS {
            readers.1.push(reader);
        }
        result
    }

    /// The dashboard as of today, kept while the book is unchanged (a book that cannot be read
    /// on a connection of its own is read on the app's).
    pub fn dashboard(&self, rows: Option<usize>) -> Result<seatbook::app::Dashboard, IpcError> {
        let today = self.today();
        if !self.own_readers.load(std::sync::atomic::Ordering::SeqCst) {
            return self.with_store(|s| seatbook::app::reports::dashboard(s, today, rows));
        }
        self.dashboard.dashboard(today, rows).map_err(IpcError::from)
    }

    /// Read the reports' two charts as Reports first asks for them, to keep (when the book can be
    /// read on connections of its own).
    pub fn read_reports_ahead(&self) {
        if self.own_readers.load(std::sync::atomic::Ordering::SeqCst) {
            let _ = self.reports.read_ahead(self.today());
        }
    }

    /// Read again what is kept (the dashboard, the reports' charts) when the book changed since,
    /// or the day did: while nobody waits, so that coming back to a screen takes no reading.
    pub fn refresh_kept(&self) {
        if self.own_readers.load(std::sync::atomic::Ordering::SeqCst) {
            let _ = self.dashboard.refresh(self.today());
            let _ = self.reports.refresh();
        }
    }

    /// A reading of the reports' (`ReportsMemo`): kept while the book is unchanged, or read on
    /// the app's connection when the book cannot be read on one of its own.
    pub fn report<T>(
        &self,
        kept: impl FnOnce(&seatbook::app::reports::ReportsMemo) -> seatbook::Result<T>,
        read: impl FnOnce(&mut Store) -> seatbook::Result<T>,
    ) -> Result<T, IpcError> {
        if !self.own_readers.load(std::sync::atomic::Ordering::SeqCst) {
            return self.with_store(read);
        }
        kept(&self.reports).map_err(IpcError::from)
    }

    /// Today's date, read once per command (or `SEATBOOK_TODAY`).
    pub fn today(&self) -> NaiveDate {
        self.launch.today.unwrap_or_else(|| chrono::Local::now().date_naive())
    }

    /// When a change is recorded: UTC, `YYYY-MM-DDTHH:MM:SSZ` (under `SEATBOOK_TODAY`, that day
    /// at the clock's time, as the command line's `--today` does).
    pub fn now(&self) -> String {
        self.clock().now
    }

    /// Both readings of the clock, for the core's actions.
    pub fn clock(&self) -> seatbook::app::Clock {
        seatbook::app::Clock::reading(self.launch.today, chrono::Local::now().date_naive(), chrono::Utc::now())
    }

    pub fn settings(&self) -> ShellSettings {
        lock(&self.settings).clone()
    }

    /// The folder PDFs are written to.
    pub fn pdf_dir(&self) -> PathBuf {
        self.settings().pdf_dir.unwrap_or_else(|| self.launch.default_pdf_dir.clone())
    }

    /// Change the settings and write them to the settings file.
    pub fn update_settings(&self, f: impl FnOnce(&mut ShellSettings)) -> Result<ShellSettings, IpcError> {
        let mut guard = lock(&self.settings);
        let mut next = guard.clone();
        f(&mut next);
        if let Some(file) = &self.launch.settings_file {
            write_settings(file, &next)?;
        }
        *guard = next.clone();
        Ok(next)
    }

    pub fn set_pending_logo(&self, path: Option<PathBuf>) {
        *lock(&self.pending_logo) = path;
    }

    pub fn take_pending_logo(&self) -> Option<PathBuf> {
        lock(&self.pending_logo).take()
    }

    pub fn set_pending_restore(&self, path: Option<PathBuf>) {
        *lock(&self.pending_restore) = path;
    }

    pub fn take_pending_restore(&self) -> Option<PathBuf> {
        lock(&self.pending_restore).take()
    }

    pub fn set_pending_recon(&self, path: Option<PathBuf>) {
        *lock(&self.pending_recon) = path;
    }

    pub fn take_pending_recon(&self) -> Option<PathBuf> {
        lock(&self.pending_recon).take()
    }

    /// Close the database, run `f` on its file (a restore), and open it again, whatever `f`
    /// did. No command can reach the store in between: the lock is held throughout.
    pub fn reopen_after<T>(&self, f: impl FnOnce(&Path) -> seatbook::Result<T>) -> Result<T, IpcError> {
        let mut guard = lock(&self.store);
        // The readers of the book as it was are closed; reads in flight finish on it.
        {
            let mut readers = lock(&self.readers);
            readers.0 += 1;
            readers.1.clear();
        }
        self.dashboard.forget();
        self.reports.forget();
        self.own_readers.store(false, std::sync::atomic::Ordering::SeqCst);
        let closing = seatbook::Error::io("the database is being restored");
        // Dropping the store closes its connection.
        drop(std::mem::replace(&mut *guard, Err(closing)));
        let result = f(&self.db_path);
        *guard = seatbook::app::open(&self.db_path);
        self.own_readers.store(matches!(&*guard, Ok(s) if !s.read_only()), std::sync::atomic::Ordering::SeqCst);
        let value = result?;
        guard.as_ref().map_err(|e| IpcError::from(e.clone()))?;
        Ok(value)
    }
}

/// Settings from `file`; a missing or unreadable file gives the defaults (the file is only
/// preferences: nothing is lost by starting over).
fn read_settings(file: &Path) -> ShellSettings {
    std::fs::read(file).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok()).unwrap_or_default()
}

fn write_settings(file: &Path, settings: &ShellSettings) -> Result<(), IpcError> {
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir).map_err(|e| IpcError::io(format!("cannot create {}: {e}", dir.display())))?;
    }
    let json = serde_json::to_vec_pretty(settings).map_err(|e| IpcError::io(e.to_string()))?;
    // Write beside, then rename: a crash never leaves half a settings file.
    let tmp = file.with_extension("json.tmp");
    std::fs::write(&tmp, json)
        .and_then(|_| std::fs::rename(&tmp, file))
        .map_err(|e| IpcError::io(format!("cannot save the settings to {}: {e}", file.display())))
}
