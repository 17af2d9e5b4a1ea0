//! Microsoft's monthly invoice, reconciled: import its reconciliation file, list the invoices
//! imported, the report of one (findings, totals, margin on Microsoft's actual cost), and the fix
//! a finding offers.

use super::Clock;
use crate::error::LineProblems;
use crate::import::recon::{line, RowReader};
use crate::money::Currency;
use crate::recon::{reconcile, Finding, Fix, Reconciliation};
use crate::report_table::ReportTable;
use crate::store::{ReconImport, ReconPlan, Store};
use crate::subscription::Subscription;
use crate::{Error, Result};
use rust_decimal::Decimal;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

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

/// A reader that counts the bytes read through it.
struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

struct Invoice {
    currency: Currency,
    first_line: usize,
    rows: Vec<[u8; 16]>,
    total: Decimal,
}

fn open(path: &Path) -> Result<(RowReader, Arc<AtomicU64>, u64)> {
    let file = super::files::open(path, "file")?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let read = Arc::new(AtomicU64::new(0));
    let reader =
        RowReader::new(Counting { inner: file, read: read.clone() })
            .map_err(|e| if e.field.is_none() { e.with_field("file") } else { e })?;
    Ok((reader, read, size))
}

/// Import one of Microsoft's reconciliation files (CSV, or the Graph export's gzip JSON Lines),
/// read from `path` and never held whole, in one transaction: every line is checked (a bad one
/// refuses the file whole, listing its lines) and written as it is read, each invoice's data told
/// apart by a digest of its lines; at the end an invoice imported before with the same data adds
/// nothing (all rolled back), and one imported from other data is refused unless `replace`. A
/// file that mixes invoices imported before with new ones is read a second time, writing only the
/// new ones.
pub fn import(
    store: &mut Store,
    clock: &Clock,
    path: &Path,
    replace: bool,
    progress: &mut dyn FnMut(Progress),
) -> Result<ReconImportOutcome> {
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut outcome: Option<(String, Vec<ImportedInvoice>)> = None;
    let mut second_pass: Option<Vec<ReconPlan>> = None;
    store.record_recon(
        |book, emit| {
            let (mut reader, read, size) = open(path)?;
            let format = reader.format.to_string();
            let header = reader.header.clone();
            let mut problems = LineProblems::new("reconciliation file");
            let mut invoices: BTreeMap<String, Invoice> = BTreeMap::new();
            let mut n = 0u64;
            let mut text = String::with_capacity(256);
            while let Some(row) = reader.next_row() {
                n += 1;
                if n % 4096 == 0 {
                    progress(Progress { pass: 1, read: read.load(Ordering::Relaxed), total: size });
                }
                let raw = match row {
                    Ok(raw) => raw,
                    Err((line, p)) => {
                        problems.push(line, p);
                        continue;
                    }
                };
                let at = raw.line;
                match line(raw) {
                    Err(ps) => ps.into_iter().for_each(|p| problems.push(at, p)),
                    Ok(l) => {
                        l.write_canonical(&mut text);
                        let digest = Sha256::digest(text.as_bytes());
                        let inv = match invoices.get_mut(&l.invoice) {
                            Some(inv) => inv,
                            None => invoices.entry(l.invoice.clone()).or_insert(Invoice {
                                currency: l.currency,
                                first_line: l.line,
                                rows: Vec::new(),
                                total: Decimal::ZERO,
                            }),
                        };
                        if inv.currency != l.currency {
                            problems.push(
                                l.line,
                                format!("Currency {} differs from the invoice's {} (line {})", l.currency, inv.currency, inv.first_line),
                            );
                            continue;
                        }
                        inv.rows.push(digest[..16].try_into().expect("16 bytes"));
                        inv.total += l.total;
                        if problems.is_empty() {
                            emit(&l)?;
                        }
                    }
                }
            }
            problems.into_result()?;
            if invoices.is_empty() {
                return Err(Error::invalid("file", format!("{file_name} holds no lines: nothing imported")));
            }
            let mut plans = Vec::new();
            let mut done = Vec::new();
            for (invoice, mut inv) in invoices {
                inv.rows.sort_unstable();
                let mut h = Sha256::new();
                for r in &inv.rows {
                    h.update(r);
                }
                let digest: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
                let existing = book.recon_import(&invoice)?;
                let status = match &existing {
                    Some(e) if e.digest == digest => ImportStatus::Unchanged,
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
                        file: file_name.clone(),
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
        },
        &clock.now,
    )?;
    if let Some(plans) = second_pass {
        let wanted: std::collections::HashSet<String> = plans.iter().map(|p| p.invoice.clone()).collect();
        store.record_recon(
            |_, emit| {
                let (mut reader, read, size) = open(path)?;
                let mut n = 0u64;
                while let Some(row) = reader.next_row() {
                    n += 1;
                    if n % 4096 == 0 {
                        progress(Progress { pass: 2, read: read.load(Ordering::Relaxed), total: size });
                    }
                    let changed =
                        |at: usize, p: String| Error::invalid(format!("line {at}"), format!("the file changed while it was imported: {p}"));
                    let l = match row {
                        Ok(raw) => {
                            let at = raw.line;
                            line(raw).map_err(|p| changed(at, p.join("; ")))?
                        }
                        Err((at, p)) => return Err(changed(at, p)),
                    };
                    if wanted.contains(&l.invoice) {
                        emit(&l)?;
                    }
                }
                Ok(Some(plans))
            },
            &clock.now,
        )?;
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
    let lines = store.recon_lines(&import)?;
    let book = match (lines.iter().map(|l| l.charge_start).min(), lines.iter().map(|l| l.charge_start).max()) {
        (Some(from), Some(to)) => {
            // A month before the first charge: the calendar-month licence lines that overlap it.
            store.recon_book(import.currency, crate::dates::add_days(from, -31), crate::dates::month_end(to))?
        }
        _ => Default::default(),
    };
    Ok(reconcile(&import.invoice, &lines, &book))
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
            let s = store.adopt_subscription(&a, invoice, &clock.now).map_err(on_finding)?;
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
