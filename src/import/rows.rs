//! Microsoft's files as they come, read one row at a time (DOMAIN §7): CSV from Partner Center in
//! any header spelling and column order, or the Graph export's JSON Lines, either gzip-compressed
//! (one or several gzip members). A `Spec` names the columns a kind of file is read for, each with
//! the header spellings that mean it, and those it cannot do without; `RowReader` yields each
//! row's values by those columns and never holds the file at once.

use crate::error::{Error, Result};
use crate::money::AMOUNT_LIMIT;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::io::{BufRead, BufReader, Read};
use std::str::FromStr;

/// What a kind of file is read for.
#[derive(Debug)]
pub struct Spec {
    /// The file as a person names it: "reconciliation file".
    pub what: &'static str,
    /// What to ask when the header lacks a required column.
    pub question: &'static str,
    /// The columns Seatbook reads, each with the header spellings that mean it (matched after
    /// `normalise`: case, spaces, underscores, dashes and a leading quote do not matter).
    pub columns: &'static [(&'static str, &'static [&'static str])],
    /// The columns the file cannot do without.
    pub required: &'static [&'static str],
}

impl Spec {
    /// The index of canonical column `name`.
    pub fn column(&self, name: &str) -> usize {
        self.columns.iter().position(|(c, _)| *c == name).expect("a known column")
    }

    /// The column's name as Microsoft's documentation writes it.
    pub fn header_name(&self, name: &str) -> &'static str {
        self.columns[self.column(name)].1[0]
    }

    /// The canonical column a header names, if Seatbook reads it.
    fn canonical(&self, header: &str) -> Option<usize> {
        let n = normalise(header);
        self.columns.iter().position(|(_, names)| names.iter().any(|a| normalise(a) == n))
    }
}

/// A header cell as matched: without a byte-order mark, a leading `'` (Excel's text marker),
/// spaces, underscores, dashes or dots, in lower case.
pub fn normalise(h: &str) -> String {
    h.trim()
        .trim_start_matches('\u{feff}')
        .trim_start_matches('\'')
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '.'))
        .collect::<String>()
        .to_lowercase()
}

/// A row as read: its line and its fields (borrowed from the reader until the next row).
#[derive(Debug)]
pub struct RawRow<'a> {
    pub line: usize,
    spec: &'static Spec,
    pub(crate) fields: Fields<'a>,
}

#[derive(Debug)]
pub(crate) enum Fields<'a> {
    /// The CSV record, and for each canonical column the record's field that holds it.
    Csv(&'a csv::StringRecord, &'a [Option<usize>]),
    /// Each canonical column's text ("" where the object has none).
    Json(Vec<String>),
}

impl RawRow<'_> {
    /// The text of canonical column `c`, trimmed ("" where the file has none).
    pub fn at(&self, c: usize) -> &str {
        match &self.fields {
            Fields::Csv(record, fields) => fields[c].and_then(|i| record.get(i)).unwrap_or("").trim(),
            Fields::Json(values) => values[c].trim(),
        }
    }

    /// The text of canonical column `name`, trimmed.
    pub fn get(&self, name: &str) -> &str {
        self.at(self.spec.column(name))
    }

    /// `Some(value)` where the file has the column (a CSV header naming it, a JSON object with
    /// a value), else `None`: a value not given.
    pub fn opt(&self, name: &str) -> Option<String> {
        let c = self.spec.column(name);
        let has = match &self.fields {
            Fields::Csv(_, fields) => fields[c].is_some(),
            Fields::Json(values) => !values[c].is_empty(),
        };
        has.then(|| self.at(c).to_string())
    }
}

enum Inner {
    Csv {
        reader: csv::Reader<Box<dyn Read>>,
        newlines: Newlines,
        fields: Vec<Option<usize>>,
        header_len: usize,
        /// A row with no more fields than this lacks a required column: it is cut short.
        needed: usize,
        record: csv::StringRecord,
    },
    Json {
        reader: Box<dyn BufRead>,
        line: usize,
        buf: String,
    },
}

/// The rows of a file, read one at a time.
pub struct RowReader {
    inner: Inner,
    spec: &'static Spec,
    /// The file's header as it came (CSV), kept with the import.
    pub header: String,
    pub format: &'static str,
    /// The file came gzip-compressed.
    pub gzipped: bool,
}

/// Gzip's magic bytes.
const GZIP: [u8; 2] = [0x1f, 0x8b];

impl RowReader {
    /// Open the rows of `input`: CSV or JSON Lines, either of them gzip-compressed (one or more
    /// gzip members). A header lacking a required column is refused at line 1.
    pub fn new(input: impl Read + 'static, spec: &'static Spec) -> Result<RowReader> {
        let mut buffered = BufReader::with_capacity(1 << 16, input);
        let start = buffered.fill_buf().map_err(|e| Error::io(format!("cannot read the file: {e}")))?;
        let gzipped = start.starts_with(&GZIP);
        let mut text: Box<dyn BufRead> = if gzipped {
            Box::new(BufReader::with_capacity(1 << 16, flate2::read::MultiGzDecoder::new(buffered)))
        } else {
            Box::new(buffered)
        };
        let first = text.fill_buf().map_err(|e| Error::invalid("line 1", format!("cannot read the file: {e}")))?;
        let first = first.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(first);
        let json = first.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
        if json {
            return Ok(RowReader {
                inner: Inner::Json { reader: text, line: 0, buf: String::new() },
                spec,
                header: String::new(),
                format: if gzipped { "JSON Lines, gzip-compressed" } else { "JSON Lines" },
                gzipped,
            });
        }
        let newlines = Newlines::default();
        let counted = NewlineCounter { inner: text, offset: 0, newlines: newlines.clone() };
        let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(Box::new(counted) as Box<dyn Read>);
        let header =
            reader.headers().map_err(|e| Error::invalid("line 1", format!("{}: cannot read the header: {}", spec.what, e)))?.clone();
        let mut fields: Vec<Option<usize>> = vec![None; spec.columns.len()];
        for (i, h) in header.iter().enumerate() {
            if let Some(c) = spec.canonical(h) {
                fields[c].get_or_insert(i);
            }
        }
        let missing: Vec<&str> = spec.required.iter().filter(|r| fields[spec.column(r)].is_none()).map(|r| spec.header_name(r)).collect();
        if !missing.is_empty() {
            return Err(Error::invalid(
                "line 1",
                format!(
                    "{} rejected, nothing imported: line 1: the header lacks the column{} {} ({})",
                    spec.what,
                    if missing.len() == 1 { "" } else { "s" },
                    missing.join(", "),
                    spec.question
                ),
            ));
        }
        let header_len = header.len();
        let needed = spec.required.iter().filter_map(|r| fields[spec.column(r)]).max().unwrap_or(0);
        Ok(RowReader {
            header: csv_line(header.iter()),
            inner: Inner::Csv { reader, newlines, fields, header_len, needed, record: csv::StringRecord::new() },
            spec,
            format: if gzipped { "CSV, gzip-compressed" } else { "CSV" },
            gzipped,
        })
    }

    /// The next row, or the line and what is wrong with it; `None` at the end of the file.
    pub fn next_row(&mut self) -> Option<std::result::Result<RawRow<'_>, (usize, String)>> {
        let spec = self.spec;
        match &mut self.inner {
            Inner::Csv { reader, newlines, fields, header_len, needed, record } => loop {
                match reader.read_record(record) {
                    Ok(false) => return None,
                    Ok(true) => {
                        let start = record.position().map(|p| p.byte()).unwrap_or(0);
                        let line = newlines.line_at(start);
                        let quotes = newlines.quotes_from(start);
                        if record.iter().all(|f| f.trim().is_empty()) {
                            continue;
                        }
                        // The file's last row, short of fields, where the file stops without a
                        // line end or a quote swallowed the line ends after it: cut off, not a row
                        // that leaves off optional columns.
                        let last = newlines.at_end(reader.position().byte());
                        let short = record.len() < *header_len;
                        let cut_off = last
                            && (quotes % 2 == 1
                                || short && (newlines.last_byte() != Some(b'\n') || record.iter().any(|f| f.contains('\n'))));
                        if cut_off || short && record.len() <= *needed {
                            return Some(Err((
                                line,
                                format!(
                                    "has {} fields where the header has {header_len}: the line is cut short or a quote is not closed",
                                    record.len()
                                ),
                            )));
                        }
                        return Some(Ok(RawRow { line, spec, fields: Fields::Csv(record, fields) }));
                    }
                    Err(e) => {
                        let line = e.position().map(|p| newlines.line_at(p.byte())).unwrap_or(0);
                        let what = match e.kind() {
                            csv::ErrorKind::Utf8 { .. } => "it is not valid UTF-8 text (save the file as UTF-8)".to_string(),
                            _ => e.to_string(),
                        };
                        return Some(Err((line, format!("cannot read the line: {what}"))));
                    }
                }
            },
            Inner::Json { reader, line, buf } => loop {
                buf.clear();
                match reader.read_line(buf) {
                    Ok(0) => return None,
                    Ok(_) => {
                        *line += 1;
                        let text = buf.trim().trim_start_matches('\u{feff}');
                        if text.is_empty() {
                            continue;
                        }
                        return Some(json_row(spec, *line, text));
                    }
                    Err(e) => {
                        *line += 1;
                        return Some(Err((*line, format!("cannot read the line: {e}"))));
                    }
                }
            },
        }
    }
}

/// The offsets of the line ends read so far, shared between the reader that finds them and the
/// rows that ask which line they start on (the csv crate's own count runs one short on CRLF
/// files, and it reads ahead: a record's line is told from its byte offset).
#[derive(Clone, Default)]
struct Newlines(std::rc::Rc<std::cell::RefCell<NewlineState>>);

#[derive(Default)]
struct NewlineState {
    pending: std::collections::VecDeque<u64>,
    passed: usize,
    /// Bytes read so far, whether the input has ended, and its last byte.
    read: u64,
    ended: bool,
    last: Option<u8>,
    /// Where the quotes are, from the last row's start on: an odd count in the file's last row
    /// is a quote never closed.
    quotes: std::collections::VecDeque<u64>,
}

impl Newlines {
    /// The 1-based line of a byte offset, for offsets that only grow. On CRLF files a record's
    /// offset points at the '\n' that ends the previous line: it counts.
    fn line_at(&self, offset: u64) -> usize {
        let mut s = self.0.borrow_mut();
        while s.pending.front().is_some_and(|n| *n <= offset) {
            s.pending.pop_front();
            s.passed += 1;
        }
        s.passed + 1
    }

    /// Whether `offset` is the end of the input (all of it read).
    fn at_end(&self, offset: u64) -> bool {
        let s = self.0.borrow();
        s.ended && offset >= s.read
    }

    fn last_byte(&self) -> Option<u8> {
        self.0.borrow().last
    }

    /// The quotes from `offset` on (read so far), forgetting those before it.
    fn quotes_from(&self, offset: u64) -> usize {
        let mut s = self.0.borrow_mut();
        while s.quotes.front().is_some_and(|q| *q < offset) {
            s.quotes.pop_front();
        }
        s.quotes.len()
    }
}

struct NewlineCounter {
    inner: Box<dyn BufRead>,
    offset: u64,
    newlines: Newlines,
}

impl Read for NewlineCounter {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut s = self.newlines.0.borrow_mut();
        for i in memchr::memchr_iter(b'\n', &buf[..n]) {
            s.pending.push_back(self.offset + i as u64);
        }
        for i in memchr::memchr_iter(b'"', &buf[..n]) {
            s.quotes.push_back(self.offset + i as u64);
        }
        self.offset += n as u64;
        s.read = self.offset;
        if n == 0 {
            s.ended = true;
        } else {
            s.last = Some(buf[n - 1]);
        }
        Ok(n)
    }
}

/// One JSON object's values by canonical column. Numbers are taken as written (never through a
/// float); strings unquoted; arrays and objects kept as their JSON text.
fn json_row(spec: &'static Spec, line: usize, text: &str) -> std::result::Result<RawRow<'static>, (usize, String)> {
    let object: std::collections::HashMap<String, &serde_json::value::RawValue> =
        serde_json::from_str(text).map_err(|e| (line, format!("is not a JSON object: {e}")))?;
    let mut values = vec![String::new(); spec.columns.len()];
    for (k, v) in object {
        let Some(c) = spec.canonical(&k) else { continue };
        let raw = v.get();
        values[c] = if raw.starts_with('"') {
            serde_json::from_str::<String>(raw).map_err(|e| (line, format!("{k}: {e}")))?
        } else if raw == "null" {
            String::new()
        } else {
            raw.to_string()
        };
    }
    Ok(RawRow { line, spec, fields: Fields::Json(values) })
}

/// Fields as one CSV line, quoted where a field needs it.
pub(crate) fn csv_line<'a>(fields: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for (i, f) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        if f.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&f.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(f);
        }
    }
    out
}

/// A number as Microsoft writes it, exactly: `10.08`, `-9.408`, `1315.25`, and as Excel re-saves
/// it, `7.10833E-05`, `0.00E+00`. Never a float.
pub fn number(s: &str) -> std::result::Result<Decimal, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("is empty".to_string());
    }
    let bad = || format!("'{t}' is not a number");
    if !t.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E')) {
        return Err(bad());
    }
    let d =
        if t.contains(['e', 'E']) { Decimal::from_scientific(t).map_err(|_| bad())? } else { Decimal::from_str(t).map_err(|_| bad())? };
    if d.abs() >= Decimal::from(AMOUNT_LIMIT) {
        return Err(format!("'{t}' is out of range (less than a trillion)"));
    }
    Ok(d.normalize())
}

/// A date as Microsoft writes it: `2025-11-01`, `2025-11-01T00:00:00Z`, `11/01/2025` (US order).
pub fn date(s: &str) -> std::result::Result<Option<NaiveDate>, String> {
    crate::dates::parse_pricelist_date(s)
}

/// The date in `v` (of the column Microsoft calls `header`), or `None` with the problem noted:
/// an empty required date, or one that is not a date.
pub fn checked_date(v: &str, header: &str, required: bool, problems: &mut Vec<String>) -> Option<NaiveDate> {
    match date(v) {
        Ok(Some(d)) => Some(d),
        Ok(None) if !required => None,
        Ok(None) => {
            problems.push(format!("{header} is empty"));
            None
        }
        Err(e) => {
            problems.push(format!("{header} {e}"));
            None
        }
    }
}

/// A SkuId as the price list has it: Excel drops the leading zeros of `0001`.
pub fn sku(s: &str) -> String {
    let t = s.trim();
    if !t.is_empty() && t.len() < 4 && t.bytes().all(|b| b.is_ascii_digit()) {
        format!("{t:0>4}")
    } else {
        t.to_string()
    }
}
