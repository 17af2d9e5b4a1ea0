//! The monthly billing run, invoices with their status, credit notes, the reseller's own charges,
//! services and instalments, and the PDFs of issued documents.

use super::{date_or, given, Clock};
use crate::billing::{Charge, InstalmentPlan, Service, ServiceBasis};
use crate::money::{parse_amount, parse_price, Currency};
use crate::pdf::{Document, DocumentKind};
use crate::receivables::InvoiceStatus;
use crate::store::{BillingRun, CreditMode, CreditNoteView, InvoiceState, InvoiceView, Store};
use crate::{Error, ErrorCode, Result};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Preview (nothing written) or issue the invoices of `month` (`YYYY-MM`), dated `date` (default
/// today). Issuing twice bills nothing twice.
pub fn run(store: &mut Store, clock: &Clock, month: &str, date: Option<&str>, issue: bool) -> Result<BillingRun> {
    let first = crate::dates::parse_month(month, "month")?;
    let date = date_or(date, "date", clock.today)?;
    if issue {
        store.issue_month_mailing(first, date, &clock.now, &super::mail::on_issue)
    } else {
        store.preview_month(first, date, &clock.now)
    }
}

/// An issued invoice in a list, with its status and what is paid and open as of today.
#[derive(Debug, Clone, Serialize)]
pub struct InvoiceRow {
    pub number: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub date: NaiveDate,
    pub due_date: NaiveDate,
    pub month: String,
    pub currency: Currency,
    pub net: Decimal,
    pub vat: Decimal,
    pub total: Decimal,
    pub credited_net: Decimal,
    pub credit_notes: Vec<String>,
    pub status: InvoiceStatus,
    pub paid: Decimal,
    pub open: Decimal,
}

/// The status of an invoice as of a day: the one definition both lists and pages use.
fn state_of(i: &InvoiceView, states: &std::collections::HashMap<String, InvoiceState>) -> (InvoiceStatus, Decimal, Decimal) {
    match i.number.as_ref().and_then(|n| states.get(n)) {
        Some(s) => (s.status, s.paid, s.open),
        None => (InvoiceStatus::Open, Decimal::ZERO, i.total),
    }
}

/// The filters of the invoice list: `unpaid` is open, partly paid or overdue.
pub const STATUS_FILTERS: [&str; 6] = ["unpaid", "open", "partly-paid", "paid", "overdue", "credited"];

fn keeps(filter: &str, status: InvoiceStatus) -> bool {
    match filter {
        "unpaid" => matches!(status, InvoiceStatus::Open | InvoiceStatus::PartlyPaid | InvoiceStatus::Overdue),
        f => status.as_str() == f,
    }
}

/// Issued invoices, of a month (`YYYY-MM`) and/or a customer and/or a status, as of today, in
/// number order.
pub fn invoices(
    store: &Store,
    today: NaiveDate,
    month: Option<&str>,
    customer: Option<i64>,
    status: Option<&str>,
) -> Result<Vec<InvoiceRow>> {
    let (month, status) = list_filters(month, status)?;
    let rows = store.invoice_list(month, customer, today, false, None)?;
    Ok(rows.into_iter().map(row_of).filter(|r| status.is_none_or(|s| keeps(s, r.status))).collect())
}

/// A page of the invoice list: the newest `rows` invoices that the filters keep, and how many
/// they keep in all. Without a status filter only the page is read.
#[derive(Debug, Clone, Serialize)]
pub struct InvoicePage {
    pub total: usize,
    pub rows: Vec<InvoiceRow>,
}

/// `invoices`, newest first, the first `rows` of them (all for `None`), with the count: what a
/// long list shows first.
pub fn invoices_page(
    store: &Store,
    today: NaiveDate,
    month: Option<&str>,
    customer: Option<i64>,
    status: Option<&str>,
    rows: Option<usize>,
) -> Result<InvoicePage> {
    let (month, status) = list_filters(month, status)?;
    match status {
        None => {
            let total = store.count_invoices(month, customer)?;
            let rows = store.invoice_list(month, customer, today, true, rows)?.into_iter().map(row_of).collect();
            Ok(InvoicePage { total, rows })
        }
        // Of every customer and month, the statuses of money still open are read from the
        // unsettled invoices alone, and only the page's rows in full.
        Some(s) if month.is_none() && customer.is_none() && s != "paid" && s != "credited" => {
            let kept: Vec<i64> =
                store.unsettled_invoices(today)?.into_iter().filter(|(_, status)| keeps(s, *status)).map(|(id, _)| id).collect();
            let shown = &kept[..rows.unwrap_or(kept.len()).min(kept.len())];
            Ok(InvoicePage { total: kept.len(), rows: store.invoice_list_of(shown, today)?.into_iter().map(row_of).collect() })
        }
        Some(s) => {
            let mut kept: Vec<InvoiceRow> =
                store.invoice_list(month, customer, today, true, None)?.into_iter().map(row_of).filter(|r| keeps(s, r.status)).collect();
            let total = kept.len();
            kept.truncate(rows.unwrap_or(total));
            Ok(InvoicePage { total, rows: kept })
        }
    }
}

/// The list's filters checked: a month as `YYYY-MM`, a status of `STATUS_FILTERS`.
fn list_filters<'a>(month: Option<&'a str>, status: Option<&'a str>) -> Result<(Option<&'a str>, Option<&'a str>)> {
    let month = given(month);
    if let Some(m) = month {
        crate::dates::parse_month(m, "month")?;
    }
    let status = given(status);
    if let Some(s) = status {
        if !STATUS_FILTERS.contains(&s) {
            return Err(Error::invalid("status", format!("'{s}' is not a status ({})", STATUS_FILTERS.join(", "))));
        }
    }
    Ok((month, status))
}

fn row_of((i, state): (InvoiceView, crate::store::InvoiceState)) -> InvoiceRow {
    InvoiceRow {
        number: i.number.unwrap_or_default(),
        customer_id: i.customer_id,
        customer_name: i.customer_name,
        date: i.date,
        due_date: i.due_date,
        month: i.month,
        currency: i.currency,
        net: i.net,
        vat: i.vat,
        total: i.total,
        credited_net: i.credited_net,
        credit_notes: i.credit_notes,
        status: state.status,
        paid: state.paid,
        open: state.open,
    }
}

/// An invoice with its lines, status and what is paid and open as of today.
#[derive(Debug, Clone, Serialize)]
pub struct InvoiceDetail {
    #[serde(flatten)]
    pub invoice: InvoiceView,
    pub status: InvoiceStatus,
    pub paid: Decimal,
    pub open: Decimal,
}

pub fn invoice(store: &Store, today: NaiveDate, number: &str) -> Result<InvoiceDetail> {
    let invoice = store.invoice(number)?;
    let states = store.invoice_states(Some(invoice.customer_id), today)?;
    let (status, paid, open) = state_of(&invoice, &states);
    Ok(InvoiceDetail { invoice, status, paid, open })
}

/// An issued document by its number: an invoice or a credit note.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Issued {
    Invoice(Box<InvoiceDetail>),
    CreditNote(Box<CreditNoteView>),
}

pub fn document(store: &Store, today: NaiveDate, number: &str) -> Result<Issued> {
    match invoice(store, today, number) {
        Ok(i) => Ok(Issued::Invoice(Box::new(i))),
        Err(e) if e.code == ErrorCode::NotFound => store.credit_note(number).map(|c| Issued::CreditNote(Box::new(c))).map_err(|_| e),
        Err(e) => Err(e),
    }
}

/// A credit note as asked for: the whole invoice, chosen lines, or a net amount.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CreditRequest {
    pub number: String,
    /// `whole`, `lines` or `amount`; empty: `lines` if lines are given, `amount` if an amount
    /// is, else `whole`.
    pub mode: Option<String>,
    pub lines: Vec<u32>,
    pub amount: Option<String>,
    pub reason: String,
    pub date: Option<String>,
}

pub fn credit(store: &mut Store, clock: &Clock, r: &CreditRequest) -> Result<CreditNoteView> {
    let amount = given(r.amount.as_deref());
    let mode = match given(r.mode.as_deref()) {
        Some(m) => m,
        None if !r.lines.is_empty() => "lines",
        None if amount.is_some() => "amount",
        None => "whole",
    };
    let mode = match mode {
        "whole" => CreditMode::Whole,
        "lines" if r.lines.is_empty() => return Err(Error::invalid("lines", "choose the lines to credit")),
        "lines" => CreditMode::Lines(r.lines.clone()),
        "amount" => match amount {
            Some(a) => CreditMode::Amount(parse_price(a, "amount")?),
            None => return Err(Error::invalid("amount", "give the net amount to credit")),
        },
        other => return Err(Error::invalid("mode", format!("'{other}' is not a way to credit (whole, lines or amount)"))),
    };
    let date = date_or(r.date.as_deref(), "date", clock.today)?;
    store.credit_invoice_mailing(&r.number, &mode, &r.reason, date, &clock.now, &super::mail::on_issue)
}

pub use crate::pdf::Pdf;

fn month_of(store: &Store, doc: &Document) -> Result<String> {
    let invoice = match &doc.kind {
        DocumentKind::TaxInvoice => &doc.number,
        DocumentKind::CreditNote { corrects, .. } => corrects,
    };
    Ok(store.invoice(invoice)?.month)
}

/// The PDF of one issued invoice or credit note.
pub fn pdf(store: &Store, number: &str) -> Result<Pdf> {
    let doc = store.document(number)?;
    let month = month_of(store, &doc)?;
    Ok(Pdf { file_name: crate::pdf::file_name(&doc.number, &doc.customer.name), month, bytes: crate::pdf::render(&doc)? })
}

/// The documents of the invoices issued for `month` (`YYYY-MM`); none is an error.
pub fn month_documents(store: &Store, month: &str) -> Result<Vec<Document>> {
    store.documents(&month_numbers(store, month)?)
}

/// An issued invoice or credit note as it prints.
pub fn printable(store: &Store, number: &str) -> Result<Document> {
    store.document(number)
}

/// The issued invoices (or credit notes) numbered `numbers` as they print, in that order, read
/// together.
pub fn printables(store: &Store, numbers: &[String]) -> Result<Vec<Document>> {
    store.documents(numbers)
}

/// How many documents a batch of PDFs reads from the book at once.
pub const DOCUMENTS_AT_ONCE: usize = 200;

/// The documents of `numbers` in their order, as a batch asks for them: `DOCUMENTS_AT_ONCE` at
/// a time, each chunk read together by `read` (a front's way to the book, e.g. `|chunk|
/// printables(store, chunk)`), so memory holds a chunk, not the month. A failed read is the
/// last item.
pub fn documents_by_chunk<'a, E: 'a>(
    numbers: &'a [String],
    mut read: impl FnMut(&[String]) -> std::result::Result<Vec<Document>, E> + 'a,
) -> impl Iterator<Item = std::result::Result<Document, E>> + 'a {
    numbers.chunks(DOCUMENTS_AT_ONCE).flat_map(move |chunk| -> Vec<std::result::Result<Document, E>> {
        match read(chunk) {
            Ok(docs) => docs.into_iter().map(Ok).collect(),
            Err(e) => vec![Err(e)],
        }
    })
}

/// The numbers of the invoices issued for `month` (`YYYY-MM`), in order; none is an error.
pub fn month_numbers(store: &Store, month: &str) -> Result<Vec<String>> {
    crate::dates::parse_month(month, "month")?;
    let month = month.trim();
    let numbers = store.invoice_numbers(month)?;
    if numbers.is_empty() {
        return Err(Error::not_found(format!("no invoices were issued for {month}")).with_field("month"));
    }
    Ok(numbers)
}

/// Write one PDF per document into `folder` as the documents come (`total` of them), rendered
/// on every core while the next are loaded, and written by one thread (files made in one folder
/// from several threads wait on the folder's lock, spinning): memory stays flat in the number
/// of documents, each file appears whole or not at all, and `progress(done, total)` is told on
/// the calling thread. The documents come from the front's store (`docs`), so a front can release the
/// book between them. Returns the files in the documents' order; the first failure stops the
/// batch (the files written before it stay, each whole).
pub fn write_pdfs<E: From<Error>>(
    folder: &std::path::Path,
    docs: impl Iterator<Item = std::result::Result<Document, E>>,
    total: usize,
    progress: &mut dyn FnMut(usize, usize),
) -> std::result::Result<Vec<std::path::PathBuf>, E> {
    use std::sync::{mpsc, Mutex};
    std::fs::create_dir_all(folder).map_err(|e| E::from(Error::io(format!("cannot create {}: {e}", folder.display()))))?;
    crate::files::remove_leftovers_in(folder);
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).max(1);
    let (work, queue) = mpsc::sync_channel::<(usize, Document)>(threads * 2);
    let queue = Mutex::new(queue);
    let (done, results) = mpsc::channel::<(usize, Result<std::path::PathBuf>)>();
    let (rendered, to_write) = mpsc::sync_channel::<(usize, Result<(std::path::PathBuf, Vec<u8>)>)>(threads * 2);
    let mut written: Vec<Option<std::path::PathBuf>> = vec![None; total];
    let mut count = 0;
    progress(0, total);
    let mut take = |(i, r): (usize, Result<std::path::PathBuf>), written: &mut Vec<Option<std::path::PathBuf>>| -> Result<()> {
        let path = r?;
        match written.get_mut(i) {
            Some(slot) => *slot = Some(path),
            None => written.push(Some(path)),
        }
        count += 1;
        progress(count, total);
        Ok(())
    };
    let outcome = std::thread::scope(|scope| -> std::result::Result<(), E> {
        // Owned here, so that however this returns the workers see the queue close and stop.
        let work = work;
        for _ in 0..threads {
            let (queue, rendered) = (&queue, rendered.clone());
            scope.spawn(move || loop {
                let next = queue.lock().map_err(|_| ()).and_then(|q| q.recv().map_err(|_| ()));
                let Ok((i, doc)) = next else { return };
                let path = folder.join(crate::pdf::file_name(&doc.number, &doc.customer.name));
                if rendered.send((i, crate::pdf::render(&doc).map(|bytes| (path, bytes)))).is_err() {
                    return;
                }
            });
        }
        drop(rendered);
        scope.spawn(move || {
            for (i, r) in to_write {
                let r = r.and_then(|(path, bytes)| crate::files::write_in_batch(&path, &bytes).map(|()| path));
                if done.send((i, r)).is_err() {
                    return;
                }
            }
        });
        let mut failed = None;
        for (i, doc) in docs.enumerate() {
            while let Ok(r) = results.try_recv() {
                take(r, &mut written)?;
            }
            match doc {
                Ok(doc) => {
                    if work.send((i, doc)).is_err() {
                        break;
                    }
                }
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        drop(work);
        for r in results.iter() {
            take(r, &mut written)?;
        }
        failed.map_or(Ok(()), Err)
    });
    crate::files::sync_folder(folder);
    outcome?;
    Ok(written.into_iter().flatten().collect())
}

/// Every invoice of a month in one PDF, for printing.
pub fn render_combined(month: &str, docs: &[Document]) -> Result<Pdf> {
    let month = month.trim();
    Ok(Pdf { file_name: format!("{month}_all-invoices.pdf"), month: month.to_string(), bytes: crate::pdf::render_combined(docs)? })
}

/// A one-off charge as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ChargeRequest {
    pub customer: i64,
    pub description: String,
    pub amount: String,
    /// Default 1.
    pub quantity: Option<String>,
    pub date: Option<String>,
    pub currency: Option<String>,
}

pub fn add_charge(store: &mut Store, today: NaiveDate, r: &ChargeRequest) -> Result<Charge> {
    let currency = given(r.currency.as_deref()).map(|c| Currency::parse(c, "currency")).transpose()?;
    let quantity = parse_price(given(r.quantity.as_deref()).unwrap_or("1"), "quantity")?;
    let date = date_or(r.date.as_deref(), "date", today)?;
    store.add_charge(r.customer, date, &r.description, quantity, parse_amount(&r.amount, "amount")?, currency)
}

/// A monthly service fee as typed: flat, or per seat of a subscription.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ServiceRequest {
    pub customer: i64,
    pub description: String,
    pub amount: String,
    pub per_seat_of: Option<i64>,
    pub start: Option<String>,
    pub currency: Option<String>,
}

pub fn add_service(store: &mut Store, today: NaiveDate, r: &ServiceRequest) -> Result<Service> {
    let currency = given(r.currency.as_deref()).map(|c| Currency::parse(c, "currency")).transpose()?;
    let basis = if r.per_seat_of.is_some() { ServiceBasis::PerSeat } else { ServiceBasis::Flat };
    let start = date_or(r.start.as_deref(), "start", today)?;
    store.add_service(r.customer, &r.description, basis, r.per_seat_of, parse_price(&r.amount, "amount")?, currency, start)
}

pub fn end_service(store: &mut Store, id: i64, on: Option<&str>) -> Result<Service> {
    store.end_service(id, super::date(on, "on")?)
}

/// A sum billed in equal monthly instalments, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct InstalmentsRequest {
    pub customer: i64,
    pub description: String,
    pub total: String,
    pub count: u32,
    pub start: Option<String>,
    pub currency: Option<String>,
}

pub fn add_instalments(store: &mut Store, today: NaiveDate, r: &InstalmentsRequest) -> Result<InstalmentPlan> {
    let currency = given(r.currency.as_deref()).map(|c| Currency::parse(c, "currency")).transpose()?;
    let start = date_or(r.start.as_deref(), "start", today)?;
    store.add_instalments(r.customer, &r.description, parse_price(&r.total, "total")?, r.count, start, currency)
}
