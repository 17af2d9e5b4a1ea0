//! Seatbook desktop shell: a Tauri 2 window over the `ui/` pages. It stays thin: each command
//! takes the state, calls one core function, and maps the error to `{code, message, field}`.

use seatbook::store::{resolve_db_path, Store};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Mutex;

/// The one error shape that crosses IPC; the UI branches on `code`.
#[derive(Debug, Clone, Serialize)]
pub struct IpcError {
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
}

impl From<seatbook::Error> for IpcError {
    fn from(e: seatbook::Error) -> Self {
        IpcError { code: e.code.as_str(), message: e.message, field: e.field }
    }
}

/// The open database, or why it could not be opened (shown to the user instead of crashing).
pub struct AppState {
    pub db_path: PathBuf,
    pub store: Mutex<Result<Store, seatbook::Error>>,
}

impl AppState {
    /// Run `f` with the store. A panic elsewhere never poisons the app: the lock is recovered.
    fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> seatbook::Result<T>) -> Result<T, IpcError> {
        let mut guard = self.store.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match guard.as_mut() {
            Ok(store) => f(store).map_err(IpcError::from),
            Err(e) => Err(e.clone().into()),
        }
    }
}

/// Facts about the running application, shown in the UI.
#[derive(Debug, Clone, Serialize)]
pub struct AppInfo {
    pub name: String,
    pub version: String,
    pub database: String,
    /// The reseller's name once `init` has been done.
    pub company: Option<String>,
    pub customers: i64,
}

#[tauri::command]
async fn app_info(app: tauri::AppHandle, state: tauri::State<'_, AppState>) -> Result<AppInfo, IpcError> {
    let info = app.package_info();
    let (company, customers) = state.with_store(|s| Ok((s.company_opt()?.map(|c| c.name), s.customer_count()?)))?;
    Ok(AppInfo {
        name: info.name.clone(),
        version: info.version.to_string(),
        database: state.db_path.display().to_string(),
        company,
        customers,
    })
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

/// Builds and runs the desktop application.
pub fn run() {
    let (db_path, store) = match resolve_db_path(db_flag().as_deref()) {
        Ok(path) => {
            let store = Store::open(&path);
            (path, store)
        }
        Err(e) => (PathBuf::new(), Err(e)),
    };
    tauri::Builder::default()
        .manage(AppState { db_path, store: Mutex::new(store) })
        .invoke_handler(tauri::generate_handler![app_info])
        .run(tauri::generate_context!())
        .expect("error while running the Seatbook desktop application");
}
