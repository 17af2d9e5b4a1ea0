//! Export of all data as CSV files, one per table, for a reseller who leaves (or an accountant).
//! Amounts stored in minor units are exported as decimals in their own columns too.

use super::Store;
use crate::error::{Error, Result};
use rusqlite::types::ValueRef;
use std::path::Path;

/// Tables in export order, and for each the columns holding minor units with their currency column.
const TABLES: &[(&str, &[(&str, &str)])] = &[
    ("company", &[]),
    ("customers", &[("credit_limit_minor", "currency")]),
    ("contact_log", &[]),
    ("products", &[]),
    ("prices", &[]),
    ("markup_rules", &[]),
    ("exchange_rates", &[]),
    ("subscriptions", &[]),
    ("subscription_events", &[]),
    ("charges", &[]),
    ("services", &[]),
    ("instalment_plans", &[]),
    ("invoices", &[("net_minor", "currency"), ("vat_minor", "currency"), ("total_minor", "currency")]),
    ("invoice_lines", &[]),
    ("invoice_vat", &[]),
    ("credit_notes", &[("net_minor", "currency"), ("vat_minor", "currency"), ("total_minor", "currency")]),
    ("credit_note_lines", &[]),
    ("payments", &[("amount_minor", "currency")]),
    ("allocations", &[]),
    ("reminders", &[]),
    ("billing_runs", &[]),
];

fn field(s: &str) -> String {
    let s = crate::report_table::spreadsheet_safe(s);
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

impl Store {
    /// Write every table as `<table>.csv` into `dir`; returns (file, rows) pairs.
    pub fn export_all(&self, dir: &Path) -> Result<Vec<(String, usize)>> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(format!("cannot create {}: {e}", dir.display())))?;
        let mut written = Vec::new();
        for (table, minor) in TABLES {
            let mut stmt = self.conn.prepare(&format!("SELECT * FROM {table} ORDER BY rowid"))?;
            let names: Vec<String> = stmt.column_names().map(|s| s.to_string()).collect();
            let extra: Vec<(usize, usize, String)> = minor
                .iter()
                .filter_map(|(m, c)| {
                    let mi = names.iter().position(|n| n == m)?;
                    let ci = names.iter().position(|n| n == c)?;
                    Some((mi, ci, m.trim_end_matches("_minor").to_string()))
                })
                .collect();
            let mut text = names.iter().cloned().chain(extra.iter().map(|e| e.2.clone())).collect::<Vec<_>>().join(",") + "\n";
            let mut rows = stmt.query([])?;
            let mut count = 0;
            while let Some(row) = rows.next()? {
                let mut cells: Vec<String> = (0..names.len())
                    .map(|i| match row.get_ref(i) {
                        Ok(ValueRef::Null) => String::new(),
                        Ok(ValueRef::Integer(v)) => v.to_string(),
                        Ok(ValueRef::Real(v)) => v.to_string(),
                        Ok(ValueRef::Text(t)) => field(&String::from_utf8_lossy(t)),
                        Ok(ValueRef::Blob(_)) | Err(_) => String::new(),
                    })
                    .collect();
                for (mi, ci, _) in &extra {
                    let minor: Option<i64> = row.get(*mi)?;
                    let currency: String = row.get(*ci)?;
                    cells.push(match (minor, crate::money::Currency::parse(&currency, "currency")) {
                        (Some(v), Ok(c)) => c.from_minor(v).to_string(),
                        _ => String::new(),
                    });
                }
                text.push_str(&cells.join(","));
                text.push('\n');
                count += 1;
            }
            let path = dir.join(format!("{table}.csv"));
            crate::files::write(&path, text.as_bytes())?;
            written.push((path.display().to_string(), count));
        }
        Ok(written)
    }
}
