//! The SQLite store: the only module that touches SQL. A connection is opened in one place with
//! its PRAGMAs, migrated under `PRAGMA user_version` after a copy of the file is saved beside it,
//! and refused if a newer Seatbook wrote it. Reads take `&self`; every write is one transaction.

mod backup;
mod billing;
mod books;
mod catalogue;
mod company;
mod customers;
mod dashboard;
mod documents;
mod export;
mod extras;
mod invoices;
mod mail;
mod pc;
mod receivables;
mod recon;
mod renewals;
mod reports;
mod schema;
mod statements;
mod subscription_import;
mod subscription_rows;
mod subscriptions;
mod usage;

pub use crate::billing::{BillingRun, CreditMode, CreditNoteView, InvoiceLineView, InvoiceView};
pub use crate::subscription::RenewalOutcome;
pub use backup::{backup_dir, check_backup_file, checksum_file, list_backups, restore_backup, BackupInfo, KEEP_BACKUPS};
pub use catalogue::{ImportSummary, PriceQuote};
pub use customers::CustomerImport;
pub use dashboard::{
    CurrencyAmount, Dashboard, InvoiceState, LastBillingRun, MissingRate, Receivables, RecurringRevenue, RenewalDue, RENEWAL_HORIZON_DAYS,
};
pub use mail::{Mailing, NewMessage, OutboxEntry, OutboxFilter};
pub use pc::{NewCustomerOutgoing, NewOutgoing, PcAgreement, PcOutboxEntry, PcSettings};
pub use receivables::{Account, AgingReport, AgingRow, OpenInvoice, PaymentView};
pub use recon::{to_currency, ReconFile, ReconImport, ReconPlan, ReconRecord};
pub use renewals::{RenewalEntry, RenewalProblem, RenewalReport};
pub use reports::{ChurnRow, ExposureRow, MarginRow, MrrRow, RevenueRow};
pub use statements::{CreditStop, Reminder, SentReminder, Statement, StatementLine};
pub use subscription_import::SubscriptionImport;
pub use subscriptions::{NewSubscription, SubscriptionView};
pub use usage::{AzureMonth, AzureRow, AzureSummary, BudgetStatus, CategorySum, PecAlert, UsageImported, UsageRow};

use crate::error::{Error, ErrorCode, Result};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::path::{Path, PathBuf};

/// Bytes of the file SQLite maps into memory (256 MiB) for reads.
pub(crate) const MMAP_SIZE: u64 = 268_435_456;

pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
}

/// A write transaction. Only `Store::write` (and `Store::rehearse`) make one: it begins
/// IMMEDIATE, taking the write lock up front, so two writers (the app and a script) never
/// interleave and a busy book says so at once; any error rolls everything back. Outside one, the
/// connection is `query_only`: a write that is not in a transaction is refused by SQLite itself.
/// Reads work through it as through the `Store` it derefs to.
pub(crate) struct Tx<'a> {
    store: &'a Store,
}

impl std::ops::Deref for Tx<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        self.store
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        match &e {
            rusqlite::Error::SqliteFailure(f, _)
                if f.code == rusqlite::ErrorCode::DatabaseBusy || f.code == rusqlite::ErrorCode::DatabaseLocked =>
            {
                Error::database("another Seatbook is writing to this book; try again in a moment")
            }
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::NotADatabase => {
                Error::database("the file is not a Seatbook database (or it is damaged)")
            }
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ReadOnly => {
                Error::database("the database file is read-only: nothing was changed")
            }
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::DiskFull => {
                Error::database("the disk is full: nothing was changed")
            }
            rusqlite::Error::SqliteFailure(f, _)
                if f.code == rusqlite::ErrorCode::DatabaseCorrupt || f.code == rusqlite::ErrorCode::SystemIoFailure =>
            {
                Error::database(format!("the database file could not be read or written (it may be damaged): {e}"))
            }
            // A trigger's own words (`issued invoices cannot be changed; …`) are already a person's.
            rusqlite::Error::SqliteFailure(f, Some(m))
                if f.code == rusqlite::ErrorCode::ConstraintViolation && !m.contains("constraint failed") =>
            {
                Error::database(m.clone())
            }
            rusqlite::Error::SqliteFailure(f, Some(m)) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
                Error::database(format!("the book refused a value that breaks one of its rules ({m}); nothing was changed"))
            }
            _ => Error::database(format!("the database failed: {e}")),
        }
    }
}

/// The database file: the one the user named (`--db`, or `SEATBOOK_DB`, which the front reads),
/// else `seatbook.db` in the platform's per-user data folder, which the front looks up too
/// (Linux `~/.local/share/seatbook/seatbook.db`, Windows `%APPDATA%\Seatbook\seatbook.db`,
/// macOS `~/Library/Application Support/Seatbook/seatbook.db`). The core reads no environment.
pub fn resolve_db_path(named: Option<&Path>, data_dir: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = named.filter(|p| !p.as_os_str().is_empty()) {
        return Ok(p.to_path_buf());
    }
    let base = data_dir.ok_or_else(|| Error::io("cannot find the per-user data folder; choose a database file"))?;
    let folder = if cfg!(target_os = "linux") { "seatbook" } else { "Seatbook" };
    Ok(base.join(folder).join("seatbook.db"))
}

/// `f` again while SQLite answers "busy" at once (its deadlock avoidance), with a short busy
/// timeout meanwhile so that the retries stay within a few seconds in all.
fn retry_busy<T>(conn: &Connection, mut f: impl FnMut() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    conn.busy_timeout(std::time::Duration::from_millis(100))?;
    let mut tries = 0;
    let result = loop {
        match f() {
            Err(e)
                if tries < 40
                    && matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)) =>
            {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(10 + 5 * tries.min(10)));
            }
            other => break other,
        }
    };
    conn.busy_timeout(BUSY_TIMEOUT)?;
    result
}

/// A filter of a WHERE clause that SQLite can answer by index: `condition` (on parameter
/// `?param`) when the filter is given, else `?param IS NULL`, true and index-neutral. (SQLite cannot
/// see through `?1 IS NULL OR customer_id = ?1` and scans the table instead.)
pub(crate) fn filter(given: bool, condition: &str, param: usize) -> String {
    if given {
        condition.to_string()
    } else {
        format!("?{param} IS NULL")
    }
}

/// A LIKE pattern matching `text` anywhere, case-insensitively (the searched columns are lower
/// case), with `%`, `_` and `\` taken literally (used with `ESCAPE '\'`).
pub(crate) fn like_pattern(text: &str) -> String {
    let t = text.trim().to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{t}%")
}

/// How long a statement waits for another connection's lock.
pub(crate) const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The columns that keep dates as days (`col::day`), by table.
pub(crate) const DAY_COLUMNS: &[(&str, &str)] = &[
    ("invoice_lines", "period_start"),
    ("invoice_lines", "period_end"),
    ("invoice_lines", "billable_kept"),
    ("invoice_lines", "billable_date"),
    ("invoices", "day"),
    ("payments", "day"),
    ("allocations", "day"),
    ("subscription_events", "effective"),
    ("subscription_events", "term_start"),
    ("subscription_events", "term_end"),
    ("money_horizon", "last_day"),
    ("subscriptions", "last_effective"),
];

/// The columns that keep moments as seconds since 1970 (`col::moment`), by table.
pub(crate) const MOMENT_COLUMNS: &[(&str, &str)] =
    &[("subscription_events", "recorded_at"), ("invoices", "recorded_at"), ("payments", "recorded_at")];

/// The schema version this build writes.
pub fn schema_version() -> u32 {
    schema::MIGRATIONS.len() as u32
}

/// Whether the folder of `path` cannot be written (tried with a file of our own, removed).
fn folder_read_only(path: &Path) -> bool {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let probe = dir.join(format!(".seatbook-write-check-{}", std::process::id()));
    match std::fs::OpenOptions::new().write(true).create_new(true).open(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            false
        }
        Err(e) => matches!(e.kind(), std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem),
    }
}

fn folder_error(path: &Path) -> Error {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    Error::database(format!(
        "the folder {} is read-only: Seatbook writes its journal beside the book {}, so it can only read the book there (and only when no unsaved journal is left beside it); nothing was changed",
        dir.display(),
        path.display()
    ))
}

impl Store {
    /// Open (creating if needed) and migrate the database at `path`.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(format!("cannot create {}: {e}", dir.display())))?;
        }
        // NO_MUTEX: a `Store` is used by one thread at a time (rusqlite's `Connection` is not
        // `Sync`), so SQLite's own locking would only cost time on every column read.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| {
            if !path.exists() && folder_read_only(path) {
                folder_error(path)
            } else {
                Error::database(format!("cannot open {}: {e}", path.display()))
            }
        })?;
        let mut store = Store { conn, path: Some(path.to_path_buf()) };
        // A file the system lets us only read opens read-only: what reads works, every write
        // says the file is read-only (`transact`).
        if store.read_only() {
            return match store.configure_read_only() {
                Ok(()) => Ok(store),
                // In a folder Seatbook cannot write either, SQLite cannot set up the shared
                // memory a book in WAL mode is read through: the file is read as it is.
                Err(e) => Store::open_as_it_is(path).map_err(|_| e),
            };
        }
        if let Err(e) = store.configure().and_then(|()| store.migrate()) {
            // A writable file in a folder Seatbook cannot write: its journal cannot go beside it.
            if folder_read_only(path) {
                return Store::open_as_it_is(path).map_err(|_| folder_error(path));
            }
            return Err(e);
        }
        store.conn.execute_batch("PRAGMA query_only = ON")?;
        Ok(store)
    }

    /// The file as it is on disk, read-only, without the WAL's shared memory (SQLite's
    /// `immutable`): for a book in a folder nothing can be written to. Refused when a WAL with
    /// changes not yet in the file lies beside it (they would be missed).
    fn open_as_it_is(path: &Path) -> Result<Store> {
        let mut wal = path.as_os_str().to_os_string();
        wal.push("-wal");
        if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
            return Err(folder_error(path));
        }
        let text = path.to_str().ok_or_else(|| folder_error(path))?;
        // A URI: '%', '?' and '#' in the path are escaped.
        let escaped = text.replace('%', "%25").replace('?', "%3f").replace('#', "%23");
        let prefix = if escaped.starts_with('/') { "file://" } else { "file:" };
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(format!("{prefix}{escaped}?immutable=1"), flags)?;
        let mut store = Store { conn, path: Some(path.to_path_buf()) };
        store.configure_read_only()?;
        Ok(store)
    }

    /// Open the database at `path` for reading only (as a file the system lets us only read is
    /// opened): reads work, every write says the file is read-only.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| Error::database(format!("cannot open {}: {e}", path.display())))?;
        let mut store = Store { conn, path: Some(path.to_path_buf()) };
        store.configure_read_only()?;
        Ok(store)
    }

    #[doc(hidden)]
    /// A database migrated only up to `version` (tests of migrations).
    pub fn open_at_version(path: &Path, version: u32) -> Result<Store> {
        let conn = Connection::open(path)?;
        let store = Store { conn, path: Some(path.to_path_buf()) };
        store.conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;")?;
        let tx = store.conn.unchecked_transaction()?;
        for sql in schema::MIGRATIONS.iter().take(version as usize) {
            tx.execute_batch(sql)?;
        }
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
        Ok(store)
    }

    /// A private in-memory database (tests and benchmarks).
    pub fn open_in_memory() -> Result<Store> {
        let mut store = Store { conn: Connection::open_in_memory()?, path: None };
        store.configure()?;
        store.migrate()?;
        store.conn.execute_batch("PRAGMA query_only = ON")?;
        Ok(store)
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// A number that changes whenever another connection (of this process or another) commits
    /// a change to the book: what was read before it changed may be shown again while it has
    /// not (SQLite's `data_version`).
    pub fn data_version(&self) -> Result<i64> {
        Ok(self.conn.query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// The database file can only be read (the system's permissions).
    pub fn read_only(&self) -> bool {
        self.conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false)
    }

    fn read_only_error(&self) -> Error {
        if let Some(path) = self.path.as_deref().filter(|p| folder_read_only(p)) {
            return folder_error(path);
        }
        let name = self.path.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
        Error::database(format!("{name} is read-only (the system does not let Seatbook write it): nothing was changed"))
    }

    /// A read-only file: no journal mode to set and no migration to run (an older book must be
    /// opened writable once to be upgraded).
    fn configure_read_only(&mut self) -> Result<()> {
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        let version: u32 = self.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| {
            let name = self.path.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
            Error::database(format!("{name} is read-only and cannot be read as it is ({e})"))
        })?;
        if version != schema_version() {
            let name = self.path.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
            return Err(Error::database(format!(
                "{name} is read-only, and its schema (version {version}) is not this Seatbook's ({}); make it writable to open it",
                schema_version()
            )));
        }
        self.conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA query_only = ON;")?;
        Ok(())
    }

    /// Every connection's settings, in one place.
    fn configure(&mut self) -> Result<()> {
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        // Fails on a file that is not a database, before anything is written to it.
        let version: u32 = self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > schema_version() {
            return Err(Error::new(
                ErrorCode::NewerDatabase,
                format!(
                    "this database was written by a newer Seatbook (schema version {version}; this version knows {}); update Seatbook to open it. The file was not changed",
                    schema_version()
                ),
            ));
        }
        // A file with tables but no Seatbook schema version is someone else's database: it is
        // refused as it is (not switched to WAL, not given Seatbook's tables).
        if version == 0 {
            let tables: i64 = self.conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
            if tables > 0 {
                let name = self.path.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
                return Err(Error::new(
                    ErrorCode::InvalidInput,
                    format!("{name} is a database of another program, not Seatbook's; it was left as it is"),
                ));
            }
        }
        // WAL needs the file to itself for a moment: when several processes open a new book at
        // once, SQLite answers "busy" at once (not after its timeout) to the one that would wait
        // on another, so that one tries again.
        retry_busy(&self.conn, || self.conn.execute_batch("PRAGMA journal_mode = WAL;"))?;
        // A 64 MiB page cache: reports and billing read the same invoices and histories again.
        self.conn.execute_batch(&format!(
            "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536; PRAGMA mmap_size = {MMAP_SIZE};"
        ))?;
        // `INSERT OR REPLACE` deletes the row it replaces: with recursive triggers that delete
        // meets the triggers that keep issued documents and payments as they are.
        self.conn.execute_batch("PRAGMA recursive_triggers = ON;")?;
        Ok(())
    }

    fn migrate(&mut self) -> Result<()> {
        let version: u32 = self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let target = schema_version();
        if version == target {
            return Ok(());
        }
        if version > 0 {
            if let Some(path) = &self.path {
                let copy = path.with_extension(format!("db.v{version}.bak"));
                let _ = std::fs::remove_file(&copy);
                self.conn
                    .execute("VACUUM INTO ?1", [copy.to_string_lossy()])
                    .map_err(|e| Error::database(format!("cannot save a copy before migrating to {}: {e}", copy.display())))?;
            }
        }
        // A migration may make a table again (SQLite's way to change one): foreign keys are
        // checked once all have run, before anything is committed, not row by row on the way.
        self.conn.execute_batch("PRAGMA foreign_keys = OFF")?;
        // The write lock first, then the version again: another Seatbook opening the same new
        // file at the same moment may have migrated it meanwhile.
        let migrated = retry_busy(&self.conn, || self.conn.execute_batch("BEGIN IMMEDIATE")).map_err(Error::from).and_then(|()| {
            let run = (|| -> Result<()> {
                let version: u32 = self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
                for (i, sql) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
                    self.conn.execute_batch(sql).map_err(|e| Error::database(format!("migration {} failed: {e}", i + 1)))?;
                    if i + 1 == 24 {
                        Tx { store: self }.keep_import_words_once().map_err(|e| Error::database(format!("migration 24 failed: {e}")))?;
                    }
                }
                let broken: Option<String> =
                    self.conn.query_row("SELECT \"table\" FROM pragma_foreign_key_check LIMIT 1", [], |r| r.get(0)).optional()?;
                if let Some(table) = broken {
                    return Err(Error::database(format!("the book cannot be migrated: a row of {table} refers to one that is not there")));
                }
                self.conn.pragma_update(None, "user_version", target)?;
                Ok(())
            })();
            match run {
                Ok(()) => Ok(self.conn.execute_batch("COMMIT")?),
                Err(e) => {
                    let _ = self.conn.execute_batch("ROLLBACK");
                    Err(e)
                }
            }
        });
        self.conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA legacy_alter_table = OFF")?;
        migrated?;
        // A migration that made big tables again leaves their old pages free in the file: a book
        // more than a tenth empty is written again compactly, once (best effort: another
        // program holding the book open only postpones it to the next migration).
        let (free, pages): (i64, i64) =
            self.conn.query_row("SELECT freelist_count, page_count FROM pragma_freelist_count, pragma_page_count", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        if free * 10 > pages {
            let _ = self.conn.execute_batch("VACUUM");
        }
        Ok(())
    }

    /// Run `f`, a read of much of the book, through the page cache instead of the memory map:
    /// what it reads does not stay mapped in the program's memory afterwards.
    pub fn read_unmapped<T>(&self, f: impl FnOnce(&Store) -> Result<T>) -> Result<T> {
        self.conn.execute_batch("PRAGMA mmap_size = 0")?;
        let result = f(self);
        self.conn.execute_batch(&format!("PRAGMA mmap_size = {MMAP_SIZE}"))?;
        result
    }

    /// `read_unmapped` for a change that reads much of the book as it writes (an import of a
    /// million rows, a month's billing run): its memory is what it holds, not the pages of the
    /// file it looked at.
    pub(crate) fn unmapped<T>(&mut self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        self.conn.execute_batch("PRAGMA mmap_size = 0")?;
        let result = f(self);
        self.conn.execute_batch(&format!("PRAGMA mmap_size = {MMAP_SIZE}"))?;
        result
    }

    /// Run `f` in one write transaction (see `Tx`), committed if `f` succeeds.
    pub(crate) fn write<T>(&mut self, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        self.transact(|tx| f(tx).map(|v| (v, true)))
    }

    /// Run `f` in one write transaction, committed only if `f` says so (its `bool`): a change
    /// that finds out at its end that it must leave nothing behind.
    pub(crate) fn write_if<T>(&mut self, f: impl FnOnce(&Tx) -> Result<(T, bool)>) -> Result<T> {
        self.transact(f)
    }

    /// Run `f` in a write transaction that is always rolled back: what a change would do (a
    /// billing preview's renewals and drafts), written nowhere.
    pub(crate) fn rehearse<T>(&mut self, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        self.transact(|tx| f(tx).map(|v| (v, false)))
    }

    /// Run `f`, several changes, as one transaction: all of them are kept, or none (a change and
    /// the outbox entry that sends it to Microsoft). Each change inside is a savepoint.
    pub fn atomically<T>(&mut self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        if self.read_only() {
            return Err(self.read_only_error());
        }
        self.conn.execute_batch("PRAGMA query_only = OFF")?;
        let result = match self.conn.execute_batch("BEGIN IMMEDIATE") {
            Ok(()) => {
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(self)));
                let result = match result {
                    Ok(r) => r,
                    Err(panic) => {
                        let _ = self.conn.execute_batch("ROLLBACK");
                        let _ = self.conn.execute_batch("PRAGMA query_only = ON");
                        std::panic::resume_unwind(panic)
                    }
                };
                self.end(result.map(|v| (v, true)))
            }
            Err(e) => Err(e.into()),
        };
        self.conn.execute_batch("PRAGMA query_only = ON")?;
        result
    }

    /// End the transaction `BEGIN` opened: commit when `f` succeeded and says so, else roll back.
    fn end<T>(&self, result: Result<(T, bool)>) -> Result<T> {
        let end = match &result {
            Ok((_, true)) => self.conn.execute_batch("COMMIT"),
            _ => self.conn.execute_batch("ROLLBACK"),
        };
        match (result, end) {
            (Ok((v, _)), Ok(())) => Ok(v),
            (Err(e), _) => Err(e),
            (Ok(_), Err(e)) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e.into())
            }
        }
    }

    fn transact<T>(&mut self, f: impl FnOnce(&Tx) -> Result<(T, bool)>) -> Result<T> {
        if self.read_only() {
            return Err(self.read_only_error());
        }
        if !self.conn.is_autocommit() {
            // Inside `atomically`: a savepoint, released or rolled back; the outer transaction
            // commits.
            self.conn.execute_batch("SAVEPOINT change")?;
            let result = f(&Tx { store: self });
            return match result {
                Ok((v, true)) => {
                    self.conn.execute_batch("RELEASE change")?;
                    Ok(v)
                }
                Ok((v, false)) => {
                    self.conn.execute_batch("ROLLBACK TO change; RELEASE change")?;
                    Ok(v)
                }
                Err(e) => {
                    let _ = self.conn.execute_batch("ROLLBACK TO change; RELEASE change");
                    Err(e)
                }
            };
        }
        self.conn.execute_batch("PRAGMA query_only = OFF")?;
        // Should `f` panic (the app recovers from a panic and goes on), nothing it wrote stays
        // and the connection is guarded again.
        struct Unwind<'a>(&'a Connection);
        impl Drop for Unwind<'_> {
            fn drop(&mut self) {
                if std::thread::panicking() {
                    let _ = self.0.execute_batch("ROLLBACK");
                    let _ = self.0.execute_batch("PRAGMA query_only = ON");
                }
            }
        }
        let _unwind = Unwind(&self.conn);
        let result = match self.conn.execute_batch("BEGIN IMMEDIATE") {
            Ok(()) => {
                let result = f(&Tx { store: self });
                self.end(result)
            }
            Err(e) => Err(e.into()),
        };
        self.conn.execute_batch("PRAGMA query_only = ON")?;
        result
    }

    /// `f` with writes allowed outside a transaction of ours (the backup's lock and checkpoint).
    pub(crate) fn unguarded<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.conn.execute_batch("PRAGMA query_only = OFF")?;
        let result = f(&self.conn);
        self.conn.execute_batch("PRAGMA query_only = ON")?;
        result
    }

    /// The one integrity check, the backups' (`backup::integrity_check`: SQLite's whole
    /// `integrity_check`, split across the cores): `ok`, or what is damaged. A database in memory
    /// is checked in one pass.
    pub fn integrity_check(&self) -> Result<String> {
        match &self.path {
            Some(path) => match backup::integrity_check(path) {
                Ok(()) => Ok("ok".to_string()),
                Err(Some(why)) => Ok(why),
                Err(None) => Err(Error::database(format!("{} cannot be read as a database", path.display()))),
            },
            None => Ok(self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?),
        }
    }

    #[doc(hidden)]
    /// For tests that prove the database itself enforces an invariant.
    pub fn execute_raw_for_tests(&self, sql: &str) -> Result<usize> {
        self.unguarded(|c| Ok(c.execute(sql, [])?))
    }
}

/// Column helpers: parse stored text back into domain values. A stored value that does not parse
/// means the file was edited by hand or is damaged.
pub(crate) mod col {
    use crate::catalogue::{BillingPlan, Term};
    use crate::money::Currency;
    use chrono::NaiveDate;
    use rusqlite::types::ValueRef;
    use rusqlite::Row;
    use rust_decimal::Decimal;
    use std::str::FromStr;

    /// The positions of a statement's named columns, looked up once: rusqlite's by-name `get`
    /// compares the name with every column's on every call, which was most of the time of
    /// loading fifty thousand subscriptions. `N` names the columns: `positions[N::id as usize]`.
    pub struct Positions(Vec<usize>);

    impl Positions {
        pub fn of(stmt: &rusqlite::Statement, names: &[&str]) -> rusqlite::Result<Positions> {
            names.iter().map(|n| stmt.column_index(n)).collect::<rusqlite::Result<_>>().map(Positions)
        }
        pub fn at(&self, column: usize) -> usize {
            self.0[column]
        }
    }

    /// A column, by name or by position (see `Positions`).
    pub trait Col: rusqlite::RowIndex + Copy + std::fmt::Display {}
    impl Col for &str {}
    impl Col for usize {}

    fn bad(col: impl std::fmt::Display, v: &str) -> rusqlite::Error {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, format!("damaged value in {col}: '{v}'").into())
    }

    /// `YYYY-MM-DD` as stored: read directly (chrono's general parser is slow for billions of rows).
    fn ymd(s: &str) -> Option<NaiveDate> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| s.get(r).and_then(|t| t.parse::<u32>().ok());
        NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
    }
    /// A text column, borrowed from the row (no copy).
    pub fn text<'r, C: Col>(r: &'r Row<'_>, c: C) -> rusqlite::Result<&'r str> {
        r.get_ref(c)?.as_str().map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
    }
    /// The first day, 0 in a column of days (`day`).
    fn epoch() -> NaiveDate {
        NaiveDate::from_ymd_opt(1970, 1, 1).expect("a date")
    }
    /// A date as a column of days keeps it: its number of days since 1970-01-01 (2 or 3 bytes
    /// in the file, against 10 characters). Used where a table has millions of dates (invoice
    /// lines); such a column sorts and compares as its dates do.
    pub fn day(d: NaiveDate) -> i64 {
        (d - epoch()).num_days()
    }
    /// `day` of an optional date.
    pub fn opt_day(d: Option<NaiveDate>) -> Option<i64> {
        d.map(day)
    }
    /// The form of the moments Seatbook records (`Clock::now`).
    const MOMENT: &str = "%Y-%m-%dT%H:%M:%SZ";
    /// A moment as a column of moments keeps it: a UTC timestamp as Seatbook writes them
    /// (`2026-11-24T09:00:00Z`) as its seconds since 1970 (4 bytes, against 20 characters);
    /// any other text as it is.
    pub fn moment(s: &str) -> rusqlite::types::Value {
        match chrono::NaiveDateTime::parse_from_str(s, MOMENT) {
            Ok(t) if t.format(MOMENT).to_string() == s => rusqlite::types::Value::Integer(t.and_utc().timestamp()),
            _ => rusqlite::types::Value::Text(s.to_string()),
        }
    }
    /// A moment read from a column of moments (`moment`), as it was written.
    pub fn moment_text<C: Col>(r: &Row, c: C) -> rusqlite::Result<String> {
        match r.get_ref(c)? {
            ValueRef::Integer(n) => moment_of(n).ok_or_else(|| bad(c, &n.to_string())),
            ValueRef::Text(t) => std::str::from_utf8(t).map(str::to_string).map_err(|_| bad(c, "(not text)")),
            _ => Err(bad(c, "(not a moment)")),
        }
    }
    /// The text of a moment kept as seconds since 1970.
    pub fn moment_of(seconds: i64) -> Option<String> {
        chrono::DateTime::from_timestamp(seconds, 0).map(|t| t.format(MOMENT).to_string())
    }
    /// A date read from a column of dates (`YYYY-MM-DD`) or of days (`day`).
    pub fn date<C: Col>(r: &Row, c: C) -> rusqlite::Result<NaiveDate> {
        opt_date(r, c)?.ok_or_else(|| bad(c, "(none)"))
    }
    pub fn opt_date<C: Col>(r: &Row, c: C) -> rusqlite::Result<Option<NaiveDate>> {
        match r.get_ref(c)? {
            ValueRef::Null => Ok(None),
            ValueRef::Integer(n) => epoch().checked_add_signed(chrono::Duration::days(n)).map(Some).ok_or_else(|| bad(c, &n.to_string())),
            ValueRef::Text(t) => {
                let s = std::str::from_utf8(t).map_err(|_| bad(c, "(not text)"))?;
                ymd(s).map(Some).ok_or_else(|| bad(c, s))
            }
            _ => Err(bad(c, "(not a date)")),
        }
    }
    /// An invoice's due date, read from its columns `day`, `payment_terms_days` and `due_kept`
    /// at `day`, `day + 1` and `day + 2`: as its `due_date` column makes it, without SQLite making
    /// that text for every row a long read passes over.
    pub fn due(r: &Row, day: usize) -> rusqlite::Result<NaiveDate> {
        match opt_date(r, day + 2)? {
            Some(kept) => Ok(kept),
            None => Ok(date(r, day)? + chrono::Duration::days(r.get(day + 1)?)),
        }
    }
    pub fn dec<C: Col>(r: &Row, c: C) -> rusqlite::Result<Decimal> {
        let s = text(r, c)?;
        Decimal::from_str(s).map_err(|_| bad(c, s))
    }
    pub fn opt_dec<C: Col>(r: &Row, c: C) -> rusqlite::Result<Option<Decimal>> {
        let s: Option<String> = r.get(c)?;
        s.map(|s| Decimal::from_str(&s).map_err(|_| bad(c, &s))).transpose()
    }
    pub fn currency<C: Col>(r: &Row, c: C) -> rusqlite::Result<Currency> {
        let s = text(r, c)?;
        Currency::parse(s, "currency").map_err(|_| bad(c, s))
    }
    pub fn term<C: Col>(r: &Row, c: C) -> rusqlite::Result<Term> {
        let s = text(r, c)?;
        Term::parse(s, "term").map_err(|_| bad(c, s))
    }
    pub fn opt_term<C: Col>(r: &Row, c: C) -> rusqlite::Result<Option<Term>> {
        let s: Option<String> = r.get(c)?;
        s.map(|s| Term::parse(&s, "term").map_err(|_| bad(c, &s))).transpose()
    }
    pub fn billing<C: Col>(r: &Row, c: C) -> rusqlite::Result<BillingPlan> {
        let s = text(r, c)?;
        BillingPlan::parse(s, "billing").map_err(|_| bad(c, s))
    }
    pub fn opt_billing<C: Col>(r: &Row, c: C) -> rusqlite::Result<Option<BillingPlan>> {
        let s: Option<String> = r.get(c)?;
        s.map(|s| BillingPlan::parse(&s, "billing").map_err(|_| bad(c, &s))).transpose()
    }
    pub fn parse_with<T, C: Col>(r: &Row, c: C, f: impl Fn(&str) -> Option<T>) -> rusqlite::Result<T> {
        let s = text(r, c)?;
        f(s).ok_or_else(|| bad(c, s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: &str = "INSERT INTO exchange_rates (from_currency, to_currency, effective, rate) VALUES ('USD', 'ZAR', '2026-01-01', '18')";

    #[test]
    fn a_write_outside_a_transaction_is_refused_by_sqlite() {
        let mut store = Store::open_in_memory().unwrap();
        let e: Error = store.conn.execute(RATE, []).unwrap_err().into();
        assert_eq!(e.message, "the database file is read-only: nothing was changed");
        store.write(|tx| Ok(tx.conn.execute(RATE, [])?)).unwrap();
        assert_eq!(store.exchange_rates().unwrap().len(), 1);
        // A failed transaction leaves nothing, and the guard is back on after it.
        let failed: Result<()> = store.write(|tx| {
            tx.conn.execute("DELETE FROM exchange_rates", [])?;
            Err(Error::refused("no"))
        });
        assert!(failed.is_err());
        assert_eq!(store.exchange_rates().unwrap().len(), 1);
        assert!(store.conn.execute("DELETE FROM exchange_rates", []).is_err());
        // A rehearsal writes nothing.
        let seen = store.rehearse(|tx| {
            tx.conn.execute("DELETE FROM exchange_rates", [])?;
            Ok(tx.exchange_rates()?.len())
        });
        assert_eq!((seen.unwrap(), store.exchange_rates().unwrap().len()), (0, 1));
    }

    #[test]
    fn a_panic_inside_a_write_leaves_nothing_and_the_guard_on() {
        let mut store = Store::open_in_memory().unwrap();
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _: Result<()> = store.write(|tx| {
                tx.conn.execute(RATE, []).unwrap();
                panic!("a bug");
            });
        }));
        assert!(panicked.is_err());
        assert!(store.exchange_rates().unwrap().is_empty(), "rolled back");
        assert!(store.conn.execute(RATE, []).is_err(), "guarded again");
        store.write(|tx| Ok(tx.conn.execute(RATE, [])?)).unwrap();
        assert_eq!(store.exchange_rates().unwrap().len(), 1, "and the next write works");
    }

    #[test]
    fn a_foreign_database_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.db");
        let other = Connection::open(&path).unwrap();
        other.execute_batch("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES ('mine');").unwrap();
        drop(other);
        let before = std::fs::read(&path).unwrap();
        let e = Store::open(&path).err().expect("refused");
        assert!(e.message.contains("another program") && e.message.contains("left as it is"), "{}", e.message);
        assert_eq!(std::fs::read(&path).unwrap(), before, "not switched to WAL, no table added");
        assert!(!dir.path().join("other.db-wal").exists());
        // An empty file becomes a new book.
        let empty = dir.path().join("empty.db");
        std::fs::write(&empty, b"").unwrap();
        assert!(Store::open(&empty).is_ok());
    }

    #[test]
    #[cfg(unix)]
    fn a_read_only_file_can_be_read_and_every_write_says_so() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("book.db");
        let mut store = Store::open(&path).unwrap();
        store.write(|tx| Ok(tx.conn.execute(RATE, [])?)).unwrap();
        drop(store);
        let check = |mut store: Store| {
            assert!(store.read_only());
            assert_eq!(store.exchange_rates().unwrap().len(), 1);
            let e = store.write(|tx| Ok(tx.conn.execute(RATE, [])?)).unwrap_err();
            assert!(e.message.contains("book.db is read-only") && e.message.contains("nothing was changed"), "{}", e.message);
        };
        check(Store::open_read_only(&path).unwrap());
        // A file the system lets us only read opens so by itself (unless we are root, whom
        // permissions do not stop).
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
        if std::fs::OpenOptions::new().write(true).open(&path).is_err() {
            check(Store::open(&path).unwrap());
        }
    }

    #[test]
    fn a_write_transaction_holds_the_write_lock_from_its_start() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seatbook.db");
        let mut store = Store::open(&path).unwrap();
        store
            .write(|_| {
                // Nothing written yet, and still another writer cannot begin: IMMEDIATE.
                let other = Connection::open(&path).unwrap();
                other.busy_timeout(std::time::Duration::ZERO).unwrap();
                let e = other.execute_batch("BEGIN IMMEDIATE").unwrap_err();
                assert_eq!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::DatabaseBusy));
                Ok(())
            })
            .unwrap();
        let other = Connection::open(&path).unwrap();
        other.execute_batch("BEGIN IMMEDIATE; ROLLBACK").unwrap();
    }
}
