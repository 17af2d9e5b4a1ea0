//! `backup` and `export`.

use crate::args::{BackupCommand, ExportCommand};
use crate::{out, write_file, Ctx, Output};
use seatbook::app::{backups, books, Clock};
use seatbook::Result;
use serde_json::json;
use std::path::Path;

pub fn backup(ctx: &mut Ctx, cmd: BackupCommand) -> Result<Output> {
    match cmd {
        BackupCommand::Create { out: file } => {
            let b = backups::create(&ctx.store, &ctx.db, &ctx.clock, file.as_deref())?;
            out(&b, format!("Backup written to {} ({} bytes), checked.\n", b.path, b.bytes))
        }
        BackupCommand::List => {
            let view = backups::list(&ctx.db)?;
            let text = if view.backups.is_empty() {
                "No backups yet.\n".to_string()
            } else {
                view.backups.iter().map(|b| format!("{}  {} bytes\n", b.path, b.bytes)).collect()
            };
            let list: Vec<_> = view.backups.iter().map(|b| json!({"path": b.path, "bytes": b.bytes})).collect();
            out(&list, text)
        }
        BackupCommand::Restore { file } => restore(&ctx.db, &file, &ctx.clock),
    }
}

/// Restore before the database is opened: it must not be open while it is replaced.
pub fn restore(db: &Path, file: &Path, clock: &Clock) -> Result<Output> {
    let r = backups::restore(db, file, clock)?;
    let text = format!("Restored {} from {}.\nThe database as it was is kept in {}.\n", r.database, r.restored_from, r.kept_aside);
    out(&r, text)
}

pub fn export(ctx: &mut Ctx, cmd: ExportCommand) -> Result<Output> {
    match cmd {
        ExportCommand::All { out_dir } => {
            let all = books::export_all(&ctx.store, &out_dir)?;
            let text = all.files.iter().map(|f| format!("{}  {} rows\n", f.file, f.rows)).collect();
            out(&all.files, text)
        }
        ExportCommand::Journal { format, out: file } => {
            let journal = books::journal(&ctx.store, books::format(&format)?)?;
            match file {
                Some(path) => {
                    write_file(&path, journal.text.as_bytes())?;
                    out(
                        &json!({"file": path.display().to_string(), "entries": journal.entries.len()}),
                        format!("Wrote {} entries to {}\n", journal.entries.len(), path.display()),
                    )
                }
                None if ctx.json => out(&journal.entries, String::new()),
                None => Ok(Output { json: serde_json::Value::Null, text: journal.text }),
            }
        }
    }
}
