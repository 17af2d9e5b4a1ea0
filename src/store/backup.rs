//! Backups: a consistent copy of the live database (written under a temporary name, checked with
//! `PRAGMA integrity_check`, then renamed), automatic daily backups keeping the last 30, and a
//! restore that checks the file first and keeps the current database aside.

use super::{schema_version, Store};
use crate::error::{Error, ErrorCode, Result};
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// How many automatic backups are kept.
pub const KEEP_BACKUPS: usize = 30;

#[derive(Debug, Clone, Serialize)]
pub struct BackupInfo {
    pub path: String,
    pub bytes: u64,
}

/// The folder of automatic backups: `backups/` beside the database.
pub fn backup_dir(db_path: &Path) -> PathBuf {
    db_path.parent().unwrap_or_else(|| Path::new(".")).join("backups")
}

fn info(path: &Path) -> Result<BackupInfo> {
    let bytes = std::fs::metadata(path).map_err(|e| Error::io(format!("cannot read {}: {e}", path.display())))?.len();
    Ok(BackupInfo { path: path.display().to_string(), bytes })
}

/// `PRAGMA integrity_check` of the database file at `path`, on every core. The check is split
/// into the same work SQLite does in one pass: `integrity_check(TABLE)` per table (each table's
/// b-tree and records, its indexes, and that they agree), and `quick_check`, which also proves
/// every page is used exactly once (what the per-table checks leave out). They run on their own
/// read-only connections, biggest table first. `Err(Some(why))` names the damage; `Err(None)`
/// means the file could not be read as a database at all.
pub(super) fn integrity_check(path: &Path) -> std::result::Result<(), Option<String>> {
    let open = || -> rusqlite::Result<Connection> {
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        // Index checks look rows up all over their table: keep it in memory.
        conn.execute_batch("PRAGMA cache_size = -262144; PRAGMA mmap_size = 1073741824;")?;
        Ok(conn)
    };
    let conn = open().map_err(|_| None)?;
    let mut jobs: Vec<(i64, Option<String>)> = vec![(i64::MAX, None)];
    {
        let mut stmt =
            conn.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").map_err(|_| None)?;
        let names: Vec<String> = stmt.query_map([], |r| r.get(0)).and_then(|rows| rows.collect()).map_err(|_| None)?;
        for name in names {
            // The highest rowid is a free estimate of a table's size.
            let size: i64 = conn
                .query_row(&format!("SELECT IFNULL(max(rowid), 0) FROM \"{}\"", name.replace('"', "\"\"")), [], |r| r.get(0))
                .unwrap_or(0);
            jobs.push((size, Some(name)));
        }
    }
    // quick_check first (it walks the whole file), then the tables, biggest first.
    jobs.sort_by_key(|(size, _)| std::cmp::Reverse(*size));
    let jobs = std::sync::Mutex::new(jobs.into_iter());
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, 8);
    let run = |conn: &Connection| -> std::result::Result<(), Option<String>> {
        loop {
            let Some((_, table)) = jobs.lock().map_err(|_| None)?.next() else { return Ok(()) };
            let sql = match &table {
                None => "PRAGMA quick_check".to_string(),
                Some(t) => format!("PRAGMA integrity_check(\"{}\")", t.replace('"', "\"\"")),
            };
            let mut stmt = conn.prepare(&sql).map_err(|_| None)?;
            let found: Vec<String> = stmt.query_map([], |r| r.get(0)).and_then(|rows| rows.collect()).map_err(|_| None)?;
            if found.first().map(String::as_str) != Some("ok") {
                return Err(Some(found.join("; ")));
            }
        }
    };
    std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads)
            .map(|_| {
                scope.spawn(|| {
                    let conn = open().map_err(|_| None)?;
                    run(&conn)
                })
            })
            .collect();
        let mine = run(&conn);
        helpers.into_iter().map(|h| h.join().unwrap_or(Err(None))).fold(mine, |a, b| a.and(b))
    })
}

/// The file beside a backup that holds its SHA-256, as `sha256sum` writes it
/// (`<hex>  <file name>`), so `sha256sum -c` checks it too.
pub fn checksum_file(backup: &Path) -> PathBuf {
    let mut name = backup.as_os_str().to_owned();
    name.push(".sha256");
    PathBuf::from(name)
}

/// The SHA-256 of a file's bytes, in hex.
fn sha256(path: &Path) -> Result<String> {
    use sha2::Digest;
    use std::io::Read;
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(format!("cannot read {}: {e}", path.display())))?;
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).map_err(|e| Error::io(format!("cannot read {}: {e}", path.display())))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(crate::files::hex(&hasher.finalize()))
}

/// Check that `path` is a whole Seatbook database this version can open, unchanged since it was
/// made (its checksum, when it has one: backups made before checksums were kept have none).
pub fn check_backup_file(path: &Path) -> Result<u32> {
    let refuse =
        |why: String| Error::new(ErrorCode::InvalidInput, format!("{} cannot be restored: {why}", path.display())).with_field("file");
    if !path.is_file() {
        return Err(refuse("there is no such file".into()));
    }
    if let Ok(sum) = std::fs::read_to_string(checksum_file(path)) {
        let want = sum.split_whitespace().next().unwrap_or_default().to_ascii_lowercase();
        if sha256(path)? != want {
            return Err(refuse("its content changed since it was made (its checksum does not match)".into()));
        }
    }
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|e| refuse(e.to_string()))?;
    integrity_check(path).map_err(|why| match why {
        Some(why) => refuse(format!("it is damaged ({why})")),
        None => refuse("it is not a database, or it is damaged".into()),
    })?;
    let version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| refuse(e.to_string()))?;
    if version == 0 {
        return Err(refuse("it is not a Seatbook database".into()));
    }
    if version > schema_version() {
        return Err(refuse(format!("it was written by a newer Seatbook (schema version {version})")));
    }
    let tables: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('company', 'customers', 'subscriptions')",
            [],
            |r| r.get(0),
        )
        .map_err(|e| refuse(e.to_string()))?;
    if tables != 3 {
        return Err(refuse("it is not a Seatbook database".into()));
    }
    Ok(version)
}

/// Mark the copied database file as a rollback-journal database (a backup is one self-contained
/// file, while the live database is in WAL mode), then flush it to disk. WAL mode is bytes 18–19
/// of the header ("file format write/read version": 2 for WAL, 1 for a rollback journal); this
/// is what `PRAGMA journal_mode = DELETE` writes, without reopening the file.
fn rollback_mode_and_sync(path: &Path) -> Result<()> {
    use std::io::{Read, Seek, SeekFrom, Write};
    let fail = |e: std::io::Error| Error::io(format!("cannot finish {}: {e}", path.display()));
    let mut file = std::fs::OpenOptions::new().read(true).write(true).open(path).map_err(fail)?;
    let mut header = [0u8; 20];
    file.read_exact(&mut header).map_err(fail)?;
    if header.starts_with(b"SQLite format 3\0") && header[18..20] == [2, 2] {
        file.seek(SeekFrom::Start(18)).map_err(fail)?;
        file.write_all(&[1, 1]).map_err(fail)?;
    }
    file.sync_all().map_err(fail)
}

impl Store {
    /// Write a consistent copy of the database to `dest`: under a temporary name, checked, then
    /// renamed, so `dest` is either a whole good backup or not there.
    pub fn backup_to(&self, dest: &Path) -> Result<BackupInfo> {
        if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(format!("cannot create {}: {e}", dir.display())))?;
        }
        crate::files::remove_leftovers(dest);
        let tmp = crate::files::temp_beside(dest);
        let written = self.copy_to(&tmp).and_then(|()| rollback_mode_and_sync(&tmp));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(Error::io(format!("cannot write a backup to {}: {}", tmp.display(), e.message)));
        }
        if let Err(e) = check_backup_file(&tmp) {
            let _ = std::fs::remove_file(&tmp);
            return Err(Error::io(format!("the backup failed its check: {}", e.message)));
        }
        let sum = sha256(&tmp)?;
        std::fs::rename(&tmp, dest).map_err(|e| Error::io(format!("cannot move the backup to {}: {e}", dest.display())))?;
        let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        crate::files::write(&checksum_file(dest), format!("{sum}  {name}\n").as_bytes())?;
        info(dest)
    }

    /// A consistent copy of the database at `dest`. A file database is copied as a file: the WAL
    /// is checkpointed into it, then a write lock is held while the file is copied, so no commit
    /// can change it meanwhile (the operating system's copy is many times faster than SQLite's
    /// page-by-page backup, and on APFS or Btrfs it is a clone). If other connections keep the
    /// WAL from being emptied, SQLite's online backup copies the pages instead.
    fn copy_to(&self, dest: &Path) -> Result<()> {
        if let Some(path) = &self.path {
            let copied = self.unguarded(|conn| {
                // Empty the WAL if no reader needs it (without waiting for one), then hold the write lock.
                conn.busy_timeout(std::time::Duration::ZERO)?;
                let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
                conn.busy_timeout(super::BUSY_TIMEOUT)?;
                conn.execute_batch("BEGIN IMMEDIATE;")?;
                let mut wal = path.as_os_str().to_owned();
                wal.push("-wal");
                let wal_empty = std::fs::metadata(&wal).map(|m| m.len() == 0).unwrap_or(true);
                let copied = if wal_empty { Some(std::fs::copy(path, dest)) } else { None };
                conn.execute_batch("COMMIT;")?;
                Ok(copied)
            })?;
            match copied {
                Some(Ok(_)) => return Ok(()),
                Some(Err(e)) => return Err(Error::io(format!("cannot copy {}: {e}", path.display()))),
                None => {}
            }
        }
        self.conn.backup(rusqlite::MAIN_DB, dest, None::<fn(rusqlite::backup::Progress)>)?;
        Ok(())
    }

    /// The automatic backup of the day, named by `day` (YYYY-MM-DD), unless there already is one
    /// for that day; keeps the newest `KEEP_BACKUPS`. Returns the new backup, if one was made.
    pub fn daily_backup(&self, day: chrono::NaiveDate) -> Result<Option<BackupInfo>> {
        let Some(path) = self.path.clone() else { return Ok(None) };
        let dir = backup_dir(&path);
        let dest = dir.join(format!("seatbook-{day}.db"));
        if dest.exists() {
            return Ok(None);
        }
        // What a killed backup of an earlier day left (hidden `.part` files) goes first.
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries.flatten() {
                let n = e.file_name().to_string_lossy().into_owned();
                if n.starts_with(".seatbook-") && n.ends_with(".part") {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        let made = self.backup_to(&dest)?;
        // Only the automatic backups (`seatbook-YYYY-MM-DD.db`) count and are pruned; backups
        // made by hand in the same folder stay until the user removes them.
        let is_daily = |b: &BackupInfo| {
            let name = Path::new(&b.path).file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.strip_prefix("seatbook-")
                .and_then(|n| n.strip_suffix(".db"))
                .is_some_and(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok())
        };
        let mut daily: Vec<BackupInfo> = list_backups(&dir)?.into_iter().filter(is_daily).collect();
        while daily.len() > KEEP_BACKUPS {
            let oldest = daily.remove(0);
            let _ = std::fs::remove_file(&oldest.path);
            let _ = std::fs::remove_file(checksum_file(Path::new(&oldest.path)));
        }
        Ok(Some(made))
    }
}

/// The automatic backups in `dir`, oldest first.
pub fn list_backups(dir: &Path) -> Result<Vec<BackupInfo>> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(out) };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with("seatbook-") && name.ends_with(".db") {
            out.push(info(&e.path())?);
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// Replace the book at `db_path` by `backup`. The backup is checked first (its checksum, its
/// integrity, and then, on a copy, Seatbook's own checks: schema, gapless numbers, balanced
/// books); a damaged, edited or foreign file is refused and nothing changes. Then the live book is
/// taken exclusively (a connection in exclusive locking mode; refused, changing nothing, while
/// another program has the book open), kept aside as `<name>.before-restore-<stamp>.db`, and
/// replaced in place with SQLite's backup API: every write acknowledged before is in the copy
/// kept aside, and no connection can go on writing into a replaced file.
pub fn restore_backup(db_path: &Path, backup: &Path, stamp: &str) -> Result<PathBuf> {
    check_backup_file(backup)?;
    let stem = db_path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "seatbook".into());
    let aside = db_path.with_file_name(format!("{stem}.before-restore-{stamp}.db"));
    crate::files::remove_leftovers(db_path);
    let incoming = crate::files::temp_beside(db_path);
    let remove_incoming = || {
        let _ = std::fs::remove_file(&incoming);
        // What migrating an older backup's copy saved beside it.
        for v in 1..schema_version() {
            let _ = std::fs::remove_file(incoming.with_extension(format!("db.v{v}.bak")));
            let _ = std::fs::remove_file(incoming.with_extension(format!("part.db.v{v}.bak")));
        }
        for ext in ["-wal", "-shm"] {
            let mut side = incoming.as_os_str().to_owned();
            side.push(ext);
            let _ = std::fs::remove_file(PathBuf::from(side));
        }
    };
    std::fs::copy(backup, &incoming).map_err(|e| Error::io(format!("cannot copy {}: {e}", backup.display())))?;
    // The copy is the book to be: writable whatever the backup file's permissions.
    if let Ok(meta) = std::fs::metadata(&incoming) {
        let mut perms = meta.permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        perms.set_readonly(false);
        let _ = std::fs::set_permissions(&incoming, perms);
    }
    // Seatbook's own checks, on the copy (an older backup is migrated there first).
    if let Err(e) = Store::open(&incoming).and_then(|s| s.check_book()) {
        remove_incoming();
        return Err(
            Error::new(ErrorCode::InvalidInput, format!("{} cannot be restored: {}", backup.display(), e.message)).with_field("file")
        );
    }
    if !db_path.exists() {
        std::fs::rename(&incoming, db_path).map_err(|e| Error::io(format!("cannot write {}: {e}", db_path.display())))?;
        remove_incoming();
        return Ok(aside);
    }
    let result = (|| -> Result<()> {
        let mut live = Connection::open(db_path)?;
        // Take the book exclusively: in WAL mode that needs every other connection closed (each
        // holds the shared-memory file while open), so a book open in the app or a script is
        // refused rather than replaced under it.
        live.busy_timeout(std::time::Duration::from_secs(3))?;
        if let Err(e) = live.execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;") {
            let _ = live.execute_batch("ROLLBACK;");
            return Err(match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => Error::refused(format!(
                    "{} is open in another program (the desktop app, or a script): close it, then restore",
                    db_path.display()
                )),
                _ => e.into(),
            });
        }
        live.busy_timeout(super::BUSY_TIMEOUT)?;
        live.backup(rusqlite::MAIN_DB, &aside, None::<fn(rusqlite::backup::Progress)>)?;
        live.restore(rusqlite::MAIN_DB, &incoming, None::<fn(rusqlite::backup::Progress)>)?;
        live.execute_batch("PRAGMA locking_mode = NORMAL;")?;
        live.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get::<_, i64>(0))?;
        Ok(())
    })();
    remove_incoming();
    result.map_err(|e| {
        if e.code == ErrorCode::Refused {
            e
        } else {
            Error::database(format!("cannot restore {}: {}", backup.display(), e.message))
        }
    })?;
    Ok(aside)
}

impl Store {
    /// Seatbook's own checks of a book, beyond SQLite's: its tables, indexes and triggers are
    /// exactly this version's (a file with the right names but not Seatbook's rules is refused),
    /// every series of invoice and credit-note numbers is gapless, and the books balance.
    pub fn check_book(&self) -> Result<()> {
        let objects = |s: &Store| -> Result<std::collections::BTreeSet<(String, String, String)>> {
            let mut stmt = s.conn.prepare("SELECT type, name, IFNULL(sql, '') FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        };
        let want = objects(&Store::open_in_memory()?)?;
        let have = objects(self)?;
        if let Some((kind, name, _)) = want.symmetric_difference(&have).next() {
            return Err(Error::database(format!("it is not a Seatbook book as this version makes them (its {kind} {name} differs)")));
        }
        for (table, what) in [("invoices", "invoice"), ("credit_notes", "credit note")] {
            let mut stmt =
                self.conn.prepare(&format!("SELECT series_year, count(*), min(seq), max(seq) FROM {table} GROUP BY series_year"))?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let (year, count, min, max): (i64, i64, i64, i64) = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
                if count != max - min + 1 {
                    let series = if year == 0 { String::new() } else { format!(" of {year}") };
                    return Err(Error::database(format!(
                        "its {what} numbers{series} have gaps ({count} documents from number {min} to {max})"
                    )));
                }
            }
        }
        let mut totals: std::collections::BTreeMap<String, rust_decimal::Decimal> = Default::default();
        for ((_, currency), balance) in crate::books::trial_balance(&self.journal()?) {
            *totals.entry(currency.to_string()).or_default() += balance;
        }
        if let Some((currency, off)) = totals.into_iter().find(|(_, t)| !t.is_zero()) {
            return Err(Error::database(format!("its books do not balance ({currency} is off by {off})")));
        }
        Ok(())
    }
}
