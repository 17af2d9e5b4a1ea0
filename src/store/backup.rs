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

/// Check that `path` is a whole Seatbook database this version can open.
pub fn check_backup_file(path: &Path) -> Result<u32> {
    let refuse =
        |why: String| Error::new(ErrorCode::InvalidInput, format!("{} cannot be restored: {why}", path.display())).with_field("FILE");
    if !path.is_file() {
        return Err(refuse("there is no such file".into()));
    }
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|e| refuse(e.to_string()))?;
    let check: String =
        conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(|_| refuse("it is not a database, or it is damaged".into()))?;
    if check != "ok" {
        return Err(refuse(format!("it is damaged ({check})")));
    }
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

impl Store {
    /// Write a consistent copy of the database to `dest`: under a temporary name, checked, then
    /// renamed, so `dest` is either a whole good backup or not there.
    pub fn backup_to(&self, dest: &Path) -> Result<BackupInfo> {
        if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(format!("cannot create {}: {e}", dir.display())))?;
        }
        let tmp = dest.with_extension("tmp");
        let _ = std::fs::remove_file(&tmp);
        self.conn
            .execute("VACUUM INTO ?1", [tmp.to_string_lossy()])
            .map_err(|e| Error::io(format!("cannot write a backup to {}: {e}", tmp.display())))?;
        if let Err(e) = check_backup_file(&tmp) {
            let _ = std::fs::remove_file(&tmp);
            return Err(Error::io(format!("the backup failed its check: {}", e.message)));
        }
        std::fs::rename(&tmp, dest).map_err(|e| Error::io(format!("cannot move the backup to {}: {e}", dest.display())))?;
        info(dest)
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
        let made = self.backup_to(&dest)?;
        let mut all = list_backups(&dir)?;
        while all.len() > KEEP_BACKUPS {
            let oldest = all.remove(0);
            let _ = std::fs::remove_file(&oldest.path);
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

/// Replace the database at `db_path` by `backup`. The backup is checked first (a damaged or
/// foreign file is refused and nothing changes); the current database is kept aside as
/// `<name>.before-restore-<stamp>.db`. The database must not be open elsewhere.
pub fn restore_backup(db_path: &Path, backup: &Path, stamp: &str) -> Result<PathBuf> {
    check_backup_file(backup)?;
    let stem = db_path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "seatbook".into());
    let aside = db_path.with_file_name(format!("{stem}.before-restore-{stamp}.db"));
    let incoming = db_path.with_extension("restore.tmp");
    std::fs::copy(backup, &incoming).map_err(|e| Error::io(format!("cannot copy {}: {e}", backup.display())))?;
    if db_path.exists() {
        // A consistent copy of the current database (its WAL included) is what is kept aside.
        let current = Store::open(db_path)?;
        current.backup_to(&aside)?;
        drop(current);
    }
    for ext in ["db-wal", "db-shm"] {
        let _ = std::fs::remove_file(db_path.with_extension(ext));
    }
    std::fs::rename(&incoming, db_path).map_err(|e| Error::io(format!("cannot replace {}: {e}", db_path.display())))?;
    Ok(aside)
}
