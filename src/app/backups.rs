//! Backups: checked copies of the book beside it (or where the user says), the list of them,
//! and restoring one.

use super::Clock;
use crate::store::{backup_dir, check_backup_file, list_backups, restore_backup, BackupInfo, Store};
use crate::{Error, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize)]
pub struct BackupRow {
    pub name: String,
    pub path: String,
    pub bytes: u64,
    /// When the file was last written (RFC 3339, UTC).
    pub modified: Option<String>,
}

/// The backups folder of a database and what is in it, newest first.
#[derive(Debug, Clone, Serialize)]
pub struct BackupsView {
    pub folder: String,
    pub database: String,
    pub backups: Vec<BackupRow>,
    /// The backup just made, if this view answers "back up now".
    pub made: Option<String>,
}

fn modified_time(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).ok()?.modified().ok()
}

fn modified(path: &Path) -> Option<String> {
    let t = modified_time(path)?;
    Some(chrono::DateTime::<chrono::Utc>::from(t).format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

fn row(path: &Path, bytes: u64) -> BackupRow {
    BackupRow { name: crate::files::name_of(path), path: path.display().to_string(), bytes, modified: modified(path) }
}

/// The day's automatic backup (the last 30 kept), once a day; `None` if taken already today or
/// the book is not a file.
pub fn daily(store: &Store, today: chrono::NaiveDate) -> Result<Option<BackupInfo>> {
    store.daily_backup(today)
}

pub fn list(db_path: &Path) -> Result<BackupsView> {
    let dir = backup_dir(db_path);
    let mut found: Vec<(Option<std::time::SystemTime>, BackupRow)> = list_backups(&dir)?
        .into_iter()
        .map(|b| {
            let path = PathBuf::from(&b.path);
            (modified_time(&path), row(&path, b.bytes))
        })
        .collect();
    found.sort_by(|(ta, a), (tb, b)| tb.cmp(ta).then_with(|| b.name.cmp(&a.name)));
    let backups = found.into_iter().map(|(_, row)| row).collect();
    Ok(BackupsView { folder: dir.display().to_string(), database: db_path.display().to_string(), backups, made: None })
}

/// `20261124-090000` from `2026-11-24T09:00:00Z`: file names sort by time.
fn stamp(clock: &Clock) -> String {
    let digits: String = clock.now.chars().filter(|c| c.is_ascii_digit()).collect();
    match digits.len() {
        n if n >= 14 => format!("{}-{}", &digits[..8], &digits[8..14]),
        _ => clock.today.format("%Y%m%d").to_string(),
    }
}

/// The suggested name of a backup made now: `seatbook-2026-11-24-090507.db`.
pub fn backup_name(clock: &Clock) -> String {
    let time = stamp(clock);
    format!("seatbook-{}-{}.db", clock.today, time.split_once('-').map(|(_, t)| t).unwrap_or("000000"))
}

/// `name`, or `name-2`, `name-3`… if a file of that name is in `dir` already.
fn free_name(dir: &Path, name: &str) -> String {
    let stem = name.strip_suffix(".db").unwrap_or(name);
    let mut candidate = name.to_string();
    let mut n = 2;
    while dir.join(&candidate).exists() {
        candidate = format!("{stem}-{n}.db");
        n += 1;
    }
    candidate
}

/// Back up the book to `dest`, or into its backups folder under a name of this moment; the copy
/// is checked before it is reported made.
pub fn create(store: &Store, db_path: &Path, clock: &Clock, dest: Option<&Path>) -> Result<BackupInfo> {
    let dest = match dest {
        Some(d) => d.to_path_buf(),
        None => {
            let dir = backup_dir(db_path);
            dir.join(free_name(&dir, &backup_name(clock)))
        }
    };
    store.backup_to(&dest)
}

/// A backup chosen by its name in the backups folder, checked before anything is replaced.
pub fn find(db_path: &Path, name: &str) -> Result<PathBuf> {
    let n = name.trim();
    if n.is_empty() || n.contains(['/', '\\']) || n.starts_with('.') {
        return Err(Error::invalid("name", format!("'{n}' is not a backup's file name")));
    }
    let p = backup_dir(db_path).join(n);
    if !p.is_file() {
        return Err(Error::not_found(format!("there is no backup {n}")).with_field("name"));
    }
    Ok(p)
}

/// A backup about to be restored, after its check.
pub fn candidate(path: &Path) -> Result<BackupRow> {
    check_backup_file(path)?;
    Ok(row(path, std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)))
}

#[derive(Debug, Clone, Serialize)]
pub struct RestoreReport {
    pub database: String,
    pub restored_from: String,
    /// The database as it was before, kept aside.
    pub kept_aside: String,
}

/// Replace the book at `db_path` by `backup` (checked first); the book as it was is kept aside.
/// The database must not be open in this process.
pub fn restore(db_path: &Path, backup: &Path, clock: &Clock) -> Result<RestoreReport> {
    let aside = restore_backup(db_path, backup, &stamp(clock))?;
    Ok(RestoreReport {
        database: db_path.display().to_string(),
        restored_from: backup.display().to_string(),
        kept_aside: aside.display().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sort_by_time_and_never_overwrite() {
        let clock = Clock::new(chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(), "2026-11-24T09:05:07Z");
        assert_eq!(backup_name(&clock), "seatbook-2026-11-24-090507.db");
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("seatbook-2026-11-24-090507.db"), "x").unwrap();
        assert_eq!(free_name(dir.path(), "seatbook-2026-11-24-090507.db"), "seatbook-2026-11-24-090507-2.db");
        assert_eq!(find(dir.path().join("seatbook.db").as_path(), "../x.db").unwrap_err().field.as_deref(), Some("name"));
    }
}
