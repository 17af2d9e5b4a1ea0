//! CSV imports, in two passes as ripgrep handles arguments: read the raw rows with their line
//! numbers and header aliases, then validate each into domain values. Problems are collected for
//! the whole file and reported together; nothing is written unless every line is good.

pub mod customers;
pub mod pricelist;
pub mod recon;
pub mod rows;
pub mod subscriptions;
pub mod usage;

use crate::error::{Error, Result};
use std::collections::HashMap;

/// A CSV file's header mapped to canonical column names, and its records with line numbers.
pub struct Table {
    columns: HashMap<&'static str, usize>,
    pub records: Vec<(usize, csv::StringRecord)>,
}

/// Header cell normalised for matching: lower case, without spaces, underscores or dashes.
fn normalise(h: &str) -> String {
    h.trim().trim_start_matches('\u{feff}').chars().filter(|c| !matches!(c, ' ' | '_' | '-' | '.')).collect::<String>().to_lowercase()
}

impl Table {
    /// Parse `bytes` (a UTF-8 CSV, with or without a byte-order mark). `aliases` maps each
    /// canonical column to the header spellings that mean it; unknown columns are ignored.
    pub fn read(bytes: &[u8], what: &str, aliases: &[(&'static str, &[&str])], required: &[&str]) -> Result<Table> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(bytes);
        let header = reader.headers().map_err(|e| Error::invalid("line 1", format!("{what}: cannot read the header: {e}")))?.clone();
        let mut columns = HashMap::new();
        for (i, h) in header.iter().enumerate() {
            let n = normalise(h);
            if let Some((canonical, _)) = aliases.iter().find(|(_, names)| names.iter().any(|a| normalise(a) == n)) {
                columns.entry(*canonical).or_insert(i);
            }
        }
        let missing: Vec<&str> = required.iter().filter(|c| !columns.contains_key(*c)).copied().collect();
        if !missing.is_empty() {
            return Err(Error::invalid(
                "line 1",
                format!(
                    "{what} rejected, nothing imported: line 1: the header lacks the column{} {}",
                    if missing.len() == 1 { "" } else { "s" },
                    missing.join(", ")
                ),
            ));
        }
        let mut records = Vec::new();
        let mut problems = crate::error::LineProblems::new(what);
        // Line numbers are counted from the bytes: the csv crate's own count runs one short on
        // CRLF files (Windows, Excel, Microsoft's price lists).
        let mut lines = LineCounter { bytes, offset: 0, line: 1 };
        for rec in reader.records() {
            match rec {
                Ok(r) => {
                    let line = r.position().map(|p| lines.line_at(p.byte() as usize)).unwrap_or(0);
                    if r.iter().all(|f| f.trim().is_empty()) {
                        continue;
                    }
                    records.push((line, r));
                }
                Err(e) => {
                    let line = e.position().map(|p| lines.line_at(p.byte() as usize)).unwrap_or(0);
                    problems.push(line, format!("cannot read the line: {}", e.kind_message()));
                }
            }
        }
        // The file cut off in its last line (no line end, fields missing), or a quote never
        // closed (it runs to the end of the file): that line is not a row. A row that merely
        // leaves off optional trailing columns is fine.
        if let Some((_, r)) = records.last() {
            let start = r.position().map(|p| p.byte() as usize).unwrap_or(0).min(bytes.len());
            let open_quote = bytes[start..].iter().filter(|b| **b == b'"').count() % 2 == 1;
            let cut = r.len() < header.len() && !bytes.ends_with(b"\n");
            if open_quote || cut {
                let (line, r) = records.pop().expect("a last record");
                problems.push(
                    line,
                    format!("has {} fields where the header has {}: the line is cut short or a quote is not closed", r.len(), header.len()),
                );
            }
        }
        problems.into_result()?;
        Ok(Table { columns, records })
    }

    pub fn has(&self, column: &str) -> bool {
        self.columns.contains_key(column)
    }

    /// The trimmed value of `column` in `rec`, or "" if the file has no such column.
    pub fn get<'r>(&self, rec: &'r csv::StringRecord, column: &str) -> &'r str {
        self.columns.get(column).and_then(|&i| rec.get(i)).map(str::trim).unwrap_or("")
    }

    /// `Some(value)` if the file has the column, else `None` (a value not given).
    pub fn opt(&self, rec: &csv::StringRecord, column: &str) -> Option<String> {
        self.has(column).then(|| self.get(rec, column).to_string())
    }
}

/// The 1-based line of a byte offset, for offsets that only grow.
struct LineCounter<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: usize,
}

impl LineCounter<'_> {
    fn line_at(&mut self, offset: usize) -> usize {
        // On CRLF files a record's offset points at the '\n' that ends the previous line: count it.
        let end = (offset + 1).min(self.bytes.len());
        if end > self.offset {
            self.line += self.bytes[self.offset..end].iter().filter(|b| **b == b'\n').count();
            self.offset = end;
        }
        self.line
    }
}

trait KindMessage {
    fn kind_message(&self) -> String;
}

impl KindMessage for csv::Error {
    fn kind_message(&self) -> String {
        match self.kind() {
            csv::ErrorKind::Utf8 { .. } => "it is not valid UTF-8 text (save the file as UTF-8)".to_string(),
            _ => self.to_string(),
        }
    }
}
