//! Export of all data as CSV files, one per table, for a reseller who leaves (or an accountant).
//! Amounts stored in minor units are exported as decimals in their own columns too.

use super::Store;
use crate::error::{Error, Result};
use rusqlite::types::ValueRef;
use std::path::Path;

/// Tables an accountant reads first, in this order; every other table of the book follows in the
/// order the schema made them, so a table added later is never left out.
const FIRST: &[&str] = &[
    "company",
    "customers",
    "contact_log",
    "products",
    "prices",
    "markup_rules",
    "exchange_rates",
    "subscriptions",
    "event_offers",
    "price_rules",
    "subscription_events",
    "charges",
    "services",
    "instalment_plans",
    "parties",
    "invoices",
    "line_texts",
    "invoice_lines",
    "invoice_vat",
    "credit_notes",
    "credit_note_lines",
    "payments",
    "allocations",
    "reminders",
    "billing_runs",
];

fn field(s: &str) -> String {
    let s = crate::report_table::spreadsheet_safe(s);
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The extension a stored file's bytes say it has (a logo, an attached PDF, a gzip'd file from
/// Microsoft), so the exported file opens with the right program.
fn extension(bytes: &[u8]) -> &'static str {
    match bytes {
        [b'%', b'P', b'D', b'F', ..] => "pdf",
        [0x89, b'P', b'N', b'G', ..] => "png",
        [0xff, 0xd8, 0xff, ..] => "jpg",
        [0x1f, 0x8b, ..] => "gz",
        [b'<', b's', b'v', b'g', ..] | [b'<', b'?', b'x', b'm', b'l', ..] => "svg",
        _ => "bin",
    }
}

impl Store {
    /// Write every table of the book as `<table>.csv` into `dir`, each file streamed to disk whole
    /// or not at all; returns (file, rows) pairs. Amounts in minor units get a decimal column
    /// beside them where the row names its currency; stored files (logos, attachments, Microsoft's
    /// files) are written beside the table as `<table>/<row>-<column>.<ext>`, named in the cell.
    pub fn export_all(&self, dir: &Path) -> Result<Vec<(String, usize)>> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(format!("cannot create {}: {e}", dir.display())))?;
        let mut tables: Vec<(String, bool)> = self
            .conn
            .prepare("SELECT name, sql LIKE '%WITHOUT ROWID%' FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY rowid")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        tables.sort_by_key(|(name, _)| FIRST.iter().position(|f| f == name).unwrap_or(FIRST.len()));
        let mut written = Vec::new();
        for (table, without_rowid) in &tables {
            let order = if *without_rowid { "" } else { " ORDER BY rowid" };
            let mut stmt = self.conn.prepare(&format!("SELECT * FROM \"{table}\"{order}"))?;
            let names: Vec<String> = stmt.column_names().map(|s| s.to_string()).collect();
            // Columns of days (`col::day`) are written as the dates they are.
            let days: Vec<bool> = names.iter().map(|n| super::DAY_COLUMNS.contains(&(table.as_str(), n.as_str()))).collect();
            // And columns of moments (`col::moment`) as the timestamps they are.
            let moments: Vec<bool> = names.iter().map(|n| super::MOMENT_COLUMNS.contains(&(table.as_str(), n.as_str()))).collect();
            let currency = names.iter().position(|n| n == "currency");
            let extra: Vec<(usize, usize, String)> = names
                .iter()
                .enumerate()
                .filter(|(_, n)| n.ends_with("_minor"))
                .filter_map(|(mi, m)| Some((mi, currency?, m.trim_end_matches("_minor").to_string())))
                .collect();
            let path = dir.join(format!("{table}.csv"));
            let mut count = 0;
            crate::files::write_with(&path, |out| {
                let failed = |e: std::io::Error| Error::io(format!("cannot write {}: {e}", path.display()));
                let header = names.iter().cloned().chain(extra.iter().map(|e| e.2.clone())).collect::<Vec<_>>().join(",");
                writeln!(out, "{header}").map_err(failed)?;
                let mut rows = stmt.query([])?;
                while let Some(row) = rows.next()? {
                    count += 1;
                    let mut cells = Vec::with_capacity(names.len() + extra.len());
                    for (i, name) in names.iter().enumerate() {
                        cells.push(match row.get_ref(i)? {
                            ValueRef::Null => String::new(),
                            ValueRef::Integer(_) if days[i] => super::col::date(row, i)?.to_string(),
                            ValueRef::Integer(_) if moments[i] => super::col::moment_text(row, i)?,
                            ValueRef::Integer(v) => v.to_string(),
                            ValueRef::Real(v) => v.to_string(),
                            ValueRef::Text(t) => field(&String::from_utf8_lossy(t)),
                            ValueRef::Blob(b) => {
                                let file = format!("{table}/{count}-{name}.{}", extension(b));
                                crate::files::write(&dir.join(&file), b)?;
                                field(&file)
                            }
                        });
                    }
                    for (mi, ci, _) in &extra {
                        let minor: Option<i64> = row.get(*mi)?;
                        let currency: Option<String> = row.get(*ci)?;
                        cells.push(match (minor, currency.map(|c| crate::money::Currency::parse(&c, "currency"))) {
                            (Some(v), Some(Ok(c))) => c.from_minor(v).to_string(),
                            _ => String::new(),
                        });
                    }
                    writeln!(out, "{}", cells.join(",")).map_err(failed)?;
                }
                Ok(())
            })?;
            written.push((path.display().to_string(), count));
        }
        Ok(written)
    }
}
