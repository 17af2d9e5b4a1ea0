//! Microsoft's monthly invoice, reconciled: import its reconciliation file, list the invoices
//! imported, the report of one (findings, totals, margin on Microsoft's actual cost), and the fix
//! a finding offers.

use super::Clock;
use crate::error::LineProblems;
use crate::import::recon::{line, MsLine, RowReader, Subjects};
use crate::money::Currency;
use crate::recon::{reconcile, Finding, Fix, Reconciliation};
use crate::report_table::ReportTable;
use crate::store::{ReconFile, ReconImport, ReconPlan, ReconRecord, Store};
use crate::subscription::Subscription;
use crate::{Error, Result};
use rust_decimal::Decimal;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::path::Path;
use std::rc::Rc;
use std::sync::mpsc::{sync_channel, SyncSender};

/// What became of one invoice of an imported file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    Imported,
    /// The same data was imported before: nothing added.
    Unchanged,
    /// A different file for the invoice replaced the earlier one (which is kept).
    Replaced,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportedInvoice {
    pub invoice: String,
    pub currency: Currency,
    pub lines: i64,
    pub total: Decimal,
    pub status: ImportStatus,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReconImportOutcome {
    pub file: String,
    pub format: String,
    pub invoices: Vec<ImportedInvoice>,
}

/// How far an import is: bytes of the file read, of `total`, in pass 1 (checking) or 2 (writing).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Progress {
    pub pass: u8,
    pub read: u64,
    pub total: u64,
}

/// A reader that keeps a copy of the bytes read through it, for the book to keep the file as it
/// came.
struct Tee<R> {
    inner: R,
    copy: Rc<RefCell<Vec<u8>>>,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.copy.borrow_mut().extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

struct Invoice {
    currency: Currency,
    first_line: usize,
    /// Each row's digest.
    rows: Vec<u64>,
    /// Each row's digest as Seatbook made them before schema 10, when the book has an import
    /// of then to compare with.
    legacy_rows: Vec<[u8; 16]>,
    total: Decimal,
}

/// The digest of an invoice's data: of its rows' digests, in order of value (the rows' order in
/// the file does not matter).
const DIGEST_VERSION: &str = "v2:";

fn invoice_digest(inv: &mut Invoice) -> String {
    inv.rows.sort_unstable();
    let mut h = Sha256::new();
    for r in &inv.rows {
        h.update(r.to_le_bytes());
    }
    format!("{DIGEST_VERSION}{}", crate::files::hex(&h.finalize()))
}

/// The digest as Seatbook made it before schema 10 (SHA-256 of each row's canonical text).
fn legacy_digest(rows: &[[u8; 16]]) -> String {
    let mut rows = rows.to_vec();
    rows.sort_unstable();
    let mut h = Sha256::new();
    for r in &rows {
        h.update(r);
    }
    crate::files::hex(&h.finalize())
}

/// What the reading thread hands the writing one: the file's bytes as the book keeps them
/// (gzip-compressed unless the file came so), and checked lines with how many bytes of the file
/// were read.
enum Piece {
    Bytes(Vec<u8>),
    Lines(Vec<MsLine>, u64),
    /// The file read to its end.
    File(ReconFile),
}

/// What reading a whole file found.
struct FileRead {
    format: String,
    header: String,
    invoices: BTreeMap<String, Invoice>,
}

/// Read and check the file at `path`, handing its bytes and its lines (those of the `wanted`
/// invoices, all of them when `None`) to `out` while no line was found bad. Returns what was
/// read, or every bad line. Runs beside the thread that writes what it hands over.
fn read_file(path: &Path, wanted: Option<&HashSet<String>>, legacy: bool, out: SyncSender<Piece>) -> Result<FileRead> {
    const BATCH: usize = 2048;
    let file = super::files::open(path, "file")?;
    let copy = Rc::new(RefCell::new(Vec::with_capacity(1 << 20)));
    let mut reader = RowReader::new(Tee { inner: file, copy: copy.clone() }, &crate::import::recon::SPEC).map_err(|e| {
        if e.field.is_none() {
            e.with_field("file")
        } else {
            e
        }
    })?;
    let stopped = || Error::io("the import was stopped");
    let format = reader.format.to_string();
    let header = reader.header.clone();
    let mut problems = LineProblems::new("reconciliation file");
    let mut invoices: BTreeMap<String, Invoice> = BTreeMap::new();
    let mut subjects = Subjects::default();
    let mut batch = Vec::with_capacity(BATCH);
    let mut read = 0u64;
    let mut text = String::with_capacity(256);
    // The file is kept gzip-compressed, unless it came so.
    let mut gzip = (!reader.gzipped).then(|| flate2::write::GzEncoder::new(Vec::with_capacity(1 << 18), flate2::Compression::fast()));
    let mut send = |batch: &mut Vec<MsLine>, read: &mut u64, last: bool| -> Result<()> {
        let bytes = std::mem::take(&mut *copy.borrow_mut());
        *read += bytes.len() as u64;
        let kept = match &mut gzip {
            None => bytes,
            Some(gz) => {
                use std::io::Write;
                gz.write_all(&bytes).map_err(|e| Error::io(format!("cannot compress the file: {e}")))?;
                std::mem::take(gz.get_mut())
            }
        };
        if !kept.is_empty() {
            out.send(Piece::Bytes(kept)).map_err(|_| stopped())?;
        }
        if !batch.is_empty() || last {
            out.send(Piece::Lines(std::mem::replace(batch, Vec::with_capacity(BATCH)), *read)).map_err(|_| stopped())?;
        }
        if last {
            let compressed = gzip.is_some();
            if let Some(gz) = gzip.take() {
                let tail = gz.finish().map_err(|e| Error::io(format!("cannot compress the file: {e}")))?;
                out.send(Piece::Bytes(tail)).map_err(|_| stopped())?;
            }
            out.send(Piece::File(ReconFile { bytes: *read, gzip: compressed })).map_err(|_| stopped())?;
        }
        Ok(())
    };
    while let Some(row) = reader.next_row() {
        let raw = match row {
            Ok(raw) => raw,
            Err((line, p)) => {
                problems.push(line, p);
                continue;
            }
        };
        let at = raw.line;
        let row = match line(raw) {
            Ok(row) => row,
            Err(ps) => {
                ps.into_iter().for_each(|p| problems.push(at, p));
                continue;
            }
        };
        let inv = match invoices.get_mut(&row.subject.invoice) {
            Some(inv) => inv,
            None => invoices.entry(row.subject.invoice.clone()).or_insert(Invoice {
                currency: row.subject.currency,
                first_line: row.line,
                rows: Vec::new(),
                legacy_rows: Vec::new(),
                total: Decimal::ZERO,
            }),
        };
        if inv.currency != row.subject.currency {
            problems.push(
                row.line,
                format!("Currency {} differs from the invoice's {} (line {})", row.subject.currency, inv.currency, inv.first_line),
            );
            continue;
        }
        inv.rows.push(row.digest());
        if legacy {
            row.write_canonical(&mut text);
            inv.legacy_rows.push(Sha256::digest(text.as_bytes())[..16].try_into().expect("16 bytes"));
        }
        inv.total += row.total;
        if problems.is_empty() && wanted.is_none_or(|w| w.contains(&row.subject.invoice)) {
            batch.push(subjects.line(row));
            if batch.len() == BATCH {
                send(&mut batch, &mut read, false)?;
            }
        }
    }
    problems.into_result()?;
    send(&mut batch, &mut read, true)?;
    Ok(FileRead { format, header, invoices })
}

/// Read the file at `path` on a thread of its own while `write` records what it hands over,
/// through `emit`, in the book's transaction (`record_recon`'s); `write` gets what the whole file
/// held once it is read.
#[allow(clippy::type_complexity)]
fn pipeline(
    store: &mut Store,
    clock: &Clock,
    path: &Path,
    wanted: Option<&HashSet<String>>,
    pass: u8,
    progress: &mut dyn FnMut(Progress),
    write: impl FnOnce(&Store, Result<FileRead>) -> Result<Option<Vec<ReconPlan>>>,
) -> Result<Option<Vec<i64>>> {
    let file_name = crate::files::name_of(path);
    let total = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    std::thread::scope(|scope| {
        let (out, pieces) = sync_channel(8);
        let legacy = store.recon_imports().map(|all| all.iter().any(|i| !i.digest.starts_with(DIGEST_VERSION))).unwrap_or(true);
        let reading = scope.spawn(move || read_file(path, wanted, legacy, out));
        store.record_recon(
            &file_name,
            |book, emit| {
                let mut written = Ok(());
                for piece in pieces.iter() {
                    written = match piece {
                        Piece::Bytes(bytes) => emit(ReconRecord::Bytes(&bytes)),
                        Piece::File(file) => emit(ReconRecord::File(&file)),
                        Piece::Lines(lines, read) => {
                            progress(Progress { pass, read, total });
                            lines.iter().try_for_each(|l| emit(ReconRecord::Line(l)))
                        }
                    };
                    if written.is_err() {
                        break;
                    }
                }
                // Dropping the receiver stops the reading thread when writing failed.
                drop(pieces);
                let read = reading.join().unwrap_or_else(|_| Err(Error::io("reading the file failed unexpectedly")));
                written?;
                write(book, read)
            },
            &clock.now,
        )
    })
}

/// Import one of Microsoft's reconciliation files (CSV, or the Graph export's gzip JSON Lines),
/// read from `path` and never held whole, in one transaction: every line is checked (a bad one
/// refuses the file whole, listing its lines) and written as it is read, on a thread beside the
/// one reading, with the file kept as it came; each invoice's data is told apart by a digest of
/// its lines. At the end an invoice imported before with the same data adds nothing (all rolled
/// back), and one imported from other data is refused unless `replace`. A file that mixes
/// invoices imported before with new ones is read a second time, writing only the new ones.
pub fn import(
    store: &mut Store,
    clock: &Clock,
    path: &Path,
    replace: bool,
    progress: &mut dyn FnMut(Progress),
) -> Result<ReconImportOutcome> {
    let file_name = crate::files::name_of(path);
    let mut outcome: Option<(String, Vec<ImportedInvoice>)> = None;
    let mut second_pass: Option<Vec<ReconPlan>> = None;
    pipeline(store, clock, path, None, 1, progress, |book, read| {
        let FileRead { format, header, invoices } = read?;
        if invoices.is_empty() {
            return Err(Error::invalid("file", format!("{file_name} holds no lines: nothing imported")));
        }
        let mut plans = Vec::new();
        let mut done = Vec::new();
        for (invoice, mut inv) in invoices {
            let digest = invoice_digest(&mut inv);
            let existing = book.recon_import(&invoice)?;
            let same = |e: &ReconImport| {
                if e.digest.starts_with(DIGEST_VERSION) {
                    e.digest == digest
                } else {
                    !inv.legacy_rows.is_empty() && e.digest == legacy_digest(&inv.legacy_rows)
                }
            };
            let status = match &existing {
                Some(e) if same(e) => ImportStatus::Unchanged,
                Some(e) if !replace => {
                    return Err(Error::conflict(
                        "replace",
                        format!(
                            "Microsoft's invoice {invoice} was imported on {} from {} with other lines ({} of them; this file has {}): nothing imported. Replace it to use this file (the earlier one is kept)",
                            &e.imported_at[..10.min(e.imported_at.len())],
                            e.file,
                            e.lines,
                            inv.rows.len()
                        ),
                    ));
                }
                Some(_) => ImportStatus::Replaced,
                None => ImportStatus::Imported,
            };
            let lines = inv.rows.len() as i64;
            if status != ImportStatus::Unchanged {
                plans.push(ReconPlan {
                    invoice: invoice.clone(),
                    currency: inv.currency,
                    format: format.clone(),
                    header: header.clone(),
                    digest,
                    lines,
                    total: inv.total,
                    replaces: existing.map(|e| e.id),
                });
            }
            done.push(ImportedInvoice { invoice, currency: inv.currency, lines, total: inv.total, status });
        }
        let unchanged = done.iter().filter(|i| i.status == ImportStatus::Unchanged).count();
        outcome = Some((format, done));
        if unchanged == 0 {
            Ok(Some(plans))
        } else {
            // Nothing new, or only some invoices new: leave nothing of this pass behind.
            second_pass = (!plans.is_empty()).then_some(plans);
            Ok(None)
        }
    })?;
    if let Some(plans) = second_pass {
        let wanted: HashSet<String> = plans.iter().map(|p| p.invoice.clone()).collect();
        pipeline(store, clock, path, Some(&wanted), 2, progress, |_, read| {
            read.map_err(|e| {
                Error::invalid(
                    e.field.clone().unwrap_or_else(|| "file".into()),
                    format!("the file changed while it was imported: {}", e.message),
                )
            })?;
            Ok(Some(plans))
        })?;
    }
    let (format, invoices) = outcome.expect("the file was read");
    Ok(ReconImportOutcome { file: file_name, format, invoices })
}

/// Microsoft's invoices imported (the file in force for each), the latest first.
pub fn list(store: &Store) -> Result<Vec<ReconImport>> {
    store.recon_imports()
}

/// The reconciliation of Microsoft's invoice `invoice` (`G012345678`) with the book.
pub fn report(store: &Store, invoice: &str) -> Result<Reconciliation> {
    let invoice = invoice.trim();
    if invoice.is_empty() {
        return Err(Error::invalid("invoice", "choose one of Microsoft's invoices"));
    }
    let import = store
        .recon_import(invoice)?
        .ok_or_else(|| Error::not_found(format!("Microsoft's invoice {invoice} has not been imported")).with_field("invoice"))?;
    // A month before the first charge: the calendar-month licence lines that overlap it.
    let Some((from, to)) = store.recon_charge_range(&import)? else {
        return Ok(reconcile(&import.invoice, &[], &Default::default()));
    };
    let (from, to) = (crate::dates::add_days(from, -31), crate::dates::month_end(to));
    let book_side = |store: &Store| store.read_unmapped(|s| s.recon_book(import.currency, from, to));
    // The book's side is read on a connection of its own, beside Microsoft's lines.
    let (lines, book) = match store.path() {
        Some(path) => std::thread::scope(|scope| {
            let book = scope.spawn(|| Store::open_read_only(path).and_then(|other| book_side(&other)));
            let lines = store.read_unmapped(|s| s.recon_lines(&import));
            let book = book.join().unwrap_or_else(|_| Err(Error::io("reading the book failed unexpectedly")));
            (lines, book)
        }),
        None => (store.recon_lines(&import), book_side(store)),
    };
    Ok(reconcile(&import.invoice, &lines?, &book?))
}

/// Microsoft's file of an imported invoice, as it came.
pub struct KeptFile {
    pub import: ReconImport,
    pub bytes: Vec<u8>,
}

/// The file the import in force of Microsoft's invoice `invoice` came from, byte for byte.
pub fn file(store: &Store, invoice: &str) -> Result<KeptFile> {
    let invoice = invoice.trim();
    let import = store
        .recon_import(invoice)?
        .ok_or_else(|| Error::not_found(format!("Microsoft's invoice {invoice} has not been imported")).with_field("invoice"))?;
    let bytes = store.recon_file(&import)?;
    Ok(KeptFile { import, bytes })
}

/// The findings as a table: what the app lists and exports and `recon report --csv` writes.
pub fn table(r: &Reconciliation) -> ReportTable {
    ReportTable::recon(r)
}

/// The money leaked on the invoice reconciled last (the dashboard's figure), if any.
pub fn last_leak(store: &Store) -> Result<Option<(String, Currency, Decimal)>> {
    let Some(last) = store.recon_imports()?.into_iter().next() else { return Ok(None) };
    let r = report(store, &last.invoice)?;
    Ok(Some((r.invoice, r.currency, r.leaked)))
}

/// What a fix did.
#[derive(Debug, Clone, Serialize)]
pub struct FixOutcome {
    pub finding: String,
    pub done: String,
    pub subscription: Subscription,
}

/// Put right what a finding says is wrong in the book, through the normal rules, in one
/// transaction: adopt the subscription, record the seats or the cancellation Microsoft charged
/// (dated as Microsoft dated it), or attach Microsoft's id.
pub fn fix(store: &mut Store, clock: &Clock, finding: &str) -> Result<FixOutcome> {
    let id = finding.trim();
    let invoice = id
        .rsplit_once('-')
        .map(|(i, _)| i)
        .filter(|i| !i.is_empty())
        .ok_or_else(|| Error::bad_value("finding", format!("'{id}' is not a finding's id (such as G012345678-1a2b3c4d)")))?;
    let r = report(store, invoice).map_err(|e| e.with_field("finding"))?;
    let f: Finding = r.findings.into_iter().find(|f| f.id.eq_ignore_ascii_case(id)).ok_or_else(|| {
        Error::not_found(format!("there is no finding {id} in the report of {invoice} (it may be fixed already)")).with_field("finding")
    })?;
    let Some(fix) = f.fix.clone() else {
        return Err(
            Error::refused(format!("finding {id} ({}) has no fix Seatbook can make: {}", f.kind.as_str(), f.action)).with_field("finding")
        );
    };
    let on_finding = |e: Error| if e.field.is_some() { e.with_field("finding") } else { e };
    let (done, subscription) = match fix {
        Fix::Adopt(a) => {
            let source = format!("Microsoft's invoice {invoice} (line {})", a.line);
            let s = store.adopt_subscription(&a, &source, &clock.now).map_err(on_finding)?;
            (format!("added subscription {} ({} seats of {}), billed from {}", s.id, s.quantity, s.product_title, s.bill_from), s)
        }
        Fix::Seats { subscription_id, quantity, on } => {
            let s = store.change_quantity(subscription_id, quantity, on, &clock.now).map_err(on_finding)?;
            (format!("recorded {quantity} seats on subscription {subscription_id} from {on}"), s)
        }
        Fix::Cancel { subscription_id, on } => {
            let s = store.cancel_subscription(subscription_id, on, &clock.now).map_err(on_finding)?;
            (format!("recorded the cancellation of subscription {subscription_id} on {on}"), s)
        }
        Fix::AttachId { subscription_id, ms_subscription_id } => {
            let s = store.attach_ms_subscription_id(subscription_id, &ms_subscription_id).map_err(on_finding)?;
            (format!("subscription {subscription_id} now carries Microsoft's id {ms_subscription_id}"), s)
        }
    };
    Ok(FixOutcome { finding: f.id, done, subscription })
}
