//! E-mail to customers: the mail server's settings (the password in the system's credential
//! store), a test message, invoices, credit notes, statements, reminders and renewal notices
//! written to the outbox in one transaction with what they are about, then sent; the outbox and
//! the log of what went to whom.
//!
//! Sending: one sender at a time per book (a lock file beside it). A message is marked `sending`
//! and committed before it goes out, then `sent`, `refused` (5xx, never retried) or `waiting`
//! again (no connection, 4xx: retried later). A message the next sender finds `sending` was cut
//! off mid-send: it becomes `unknown` and is never resent unless the user says so.

use super::{given, Clock};
use crate::customer::Customer;
use crate::mail::smtp::{FailureKind, Outgoing, Server};
use crate::mail::{Delivery, Kind, MailFields, MailSettings, State, Template, Values};
use crate::secrets;
pub use crate::store::OutboxEntry;
use crate::store::{NewMessage, OutboxFilter, Store};
use crate::{Error, Result};
use chrono::NaiveDate;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The settings, and where the password is.
#[derive(Debug, Clone, Serialize)]
pub struct SettingsView {
    pub settings: Option<MailSettings>,
    /// `kept` (in the credential store), `environment`, `missing`, `not_needed` (no user), or
    /// `no_store` (this system has no credential store).
    pub password: String,
}

/// `env_password`: the password a front found in `SEATBOOK_SMTP_PASSWORD`, if any (here and
/// wherever mail is sent).
pub fn settings(store: &Store, env_password: Option<&str>) -> Result<SettingsView> {
    let settings = store.mail_settings()?;
    let password = match &settings {
        Some(s) if s.user.is_empty() => "not_needed",
        Some(s) => match secrets::read(&s.secret_account(), env_password) {
            Ok(Some((_, secrets::Source::CredentialStore))) => "kept",
            Ok(Some((_, secrets::Source::Environment))) => "environment",
            Ok(None) => "missing",
            Err(_) => "no_store",
        },
        None => "missing",
    };
    Ok(SettingsView { settings, password: password.to_string() })
}

/// Change the settings; a password given goes to the credential store (first: if the system has
/// none, nothing is changed).
pub fn set(store: &mut Store, fields: &MailFields, password: Option<&str>) -> Result<MailSettings> {
    let old = store.mail_settings()?;
    let new = fields.apply(old.as_ref())?;
    if !new.ca_file.is_empty() && !Path::new(&new.ca_file).is_file() {
        return Err(Error::invalid("ca_file", format!("{} is not a file", new.ca_file)));
    }
    if let Some(p) = password {
        if new.user.is_empty() {
            return Err(Error::invalid("user", "a password needs a user name to sign in with"));
        }
        if p.is_empty() {
            return Err(Error::invalid("password", "the password is empty"));
        }
        secrets::store(&new.secret_account(), p)?;
    }
    store.set_mail_settings(&new)?;
    Ok(new)
}

fn configured(store: &Store) -> Result<MailSettings> {
    store
        .mail_settings()?
        .ok_or_else(|| Error::refused("e-mail is not set up yet: give the mail server and the sender's address first").with_field("mail"))
}

fn server(settings: &MailSettings, env_password: Option<&str>) -> Result<Server> {
    let password = if settings.user.is_empty() {
        None
    } else {
        match secrets::read(&settings.secret_account(), env_password)? {
            Some((p, _)) => Some(p),
            None => {
                return Err(Error::refused(format!(
                    "no password is kept for {} on {}: give it in the e-mail settings",
                    settings.user, settings.host
                ))
                .with_field("password"))
            }
        }
    };
    Server::new(settings, password.as_deref()).map_err(|f| Error::unavailable(f.message))
}

/// A test message went to `to`.
#[derive(Debug, Clone, Serialize)]
pub struct TestSent {
    pub to: String,
    pub server: String,
}

/// Send a test message now (not through the outbox): what failed is said exactly.
pub fn test(store: &Store, clock: &Clock, to: &str, env_password: Option<&str>) -> Result<TestSent> {
    let to = to.trim();
    if !crate::mail::is_email(to) {
        return Err(Error::bad_value("to", format!("'{to}' is not an email address")));
    }
    let settings = configured(store)?;
    let company = store.company().map(|c| c.name).unwrap_or_else(|_| "Seatbook".into());
    let text = format!(
        "This is a test message from Seatbook for {company}.\n\nIf you can read it, e-mail to customers works: it went through {}:{} ({}).",
        settings.host,
        settings.port,
        settings.security.as_str()
    );
    let m = Outgoing {
        to: to.to_string(),
        subject: format!("Seatbook test message for {company}"),
        html: crate::mail::html_of_text(&text),
        text,
        message_id: crate::mail::message_id(0, &clock.now, &settings.from_address),
        date: clock.now.clone(),
        attachments: Vec::new(),
    };
    server(&settings, env_password)?.send(&m).map_err(|f| match f.kind {
        FailureKind::Settings => Error::invalid("mail", f.message),
        _ => Error::unavailable(f.message),
    })?;
    Ok(TestSent { to: to.to_string(), server: format!("{}:{}", settings.host, settings.port) })
}

/// A message written to the outbox.
#[derive(Debug, Clone, Serialize)]
pub struct Queued {
    pub id: i64,
    pub kind: Kind,
    pub document: String,
    pub customer_id: i64,
    pub to: String,
}

/// A document not e-mailed, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub document: String,
    pub customer_id: i64,
    pub customer_name: String,
    /// `paper`, `no_address` or `already_sent`.
    pub reason: String,
}

/// What a send wrote to the outbox (sending is `deliver`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Enqueued {
    pub queued: Vec<Queued>,
    pub skipped: Vec<Skipped>,
}

/// A long date in plain English: `15 December 2026`.
pub fn long_date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// What each message of a kind says, before the recipients are known.
struct Draft {
    kind: Kind,
    document: String,
    attach_document: Option<String>,
    customer: Customer,
    values: Values,
    attachments: Vec<(String, Vec<u8>)>,
}

/// Where a message of a kind about a document to an address stands (`Store::mail_state`).
type Sent<'a> = dyn Fn(Kind, &str, &str) -> Result<Option<State>> + 'a;

/// Turn drafts into one message per billing address, skipping paper customers, customers
/// without an address and (unless `again`) what already went to that address.
struct Composer {
    settings: MailSettings,
    company: String,
    templates: std::collections::HashMap<Kind, Template>,
}

impl Composer {
    fn new(store: &Store) -> Result<Composer> {
        let settings = configured(store)?;
        let company = store.company()?.name;
        let mut templates = std::collections::HashMap::new();
        for k in Kind::ALL {
            templates.insert(k, store.mail_template(k)?.0);
        }
        Ok(Composer { settings, company, templates })
    }

    fn common(&self, c: &Customer) -> Values {
        let contact = if c.contact_person.is_empty() { c.name.clone() } else { c.contact_person.clone() };
        vec![("customer", c.name.clone()), ("contact", contact), ("company", self.company.clone())]
    }

    fn messages(&self, drafts: Vec<Draft>, exists: &Sent, again: bool, out: &mut Enqueued) -> Result<Vec<NewMessage>> {
        let mut messages = Vec::new();
        for d in drafts {
            let skip = |reason: &str, out: &mut Enqueued| {
                out.skipped.push(Skipped {
                    document: d.document.clone(),
                    customer_id: d.customer.id,
                    customer_name: d.customer.name.clone(),
                    reason: reason.to_string(),
                })
            };
            if d.customer.delivery == Delivery::Paper {
                skip("paper", out);
                continue;
            }
            let to = crate::mail::addresses(&d.customer.email);
            if to.is_empty() {
                skip("no_address", out);
                continue;
            }
            let mut values = self.common(&d.customer);
            values.extend(d.values.iter().cloned());
            let rendered = self.templates[&d.kind].render(&values);
            let mut any = false;
            let mut queued = false;
            for address in to {
                if !again {
                    match exists(d.kind, &d.document, &address)? {
                        // Already waiting in the outbox (queued as it was issued): it goes with
                        // this pass, once.
                        Some(State::Waiting | State::Sending) => {
                            queued = true;
                            continue;
                        }
                        Some(_) => continue,
                        None => {}
                    }
                }
                any = true;
                messages.push(NewMessage {
                    kind: d.kind,
                    document: d.document.clone(),
                    attach_document: d.attach_document.clone(),
                    customer_id: d.customer.id,
                    to: address,
                    subject: rendered.subject.clone(),
                    text: rendered.text.clone(),
                    html: rendered.html.clone(),
                    attachments: d.attachments.clone(),
                });
            }
            if !any && !queued {
                skip("already_sent", out);
            }
        }
        Ok(messages)
    }
}

fn style(store: &Store) -> Result<&'static crate::locale::Style> {
    Ok(crate::locale::for_country(&store.company()?.country))
}

/// The draft of an issued invoice's or credit note's message.
fn document_draft(store: &Store, number: &str) -> Result<Draft> {
    let style = style(store)?;
    let doc = store.document(number).map_err(|e| e.with_field("invoices"))?;
    let total = style.money(doc.total, doc.currency);
    let (kind, customer_id, values) = match &doc.kind {
        crate::pdf::DocumentKind::TaxInvoice => {
            let inv = store.invoice(number)?;
            let due = doc.due_date.unwrap_or(inv.due_date);
            let month = crate::dates::parse_month(&inv.month, "month").map(|m| m.format("%B %Y").to_string()).unwrap_or(inv.month);
            (
                Kind::Invoice,
                inv.customer_id,
                vec![
                    ("number", doc.number.clone()),
                    ("date", long_date(doc.issue_date)),
                    ("total", total),
                    ("due_date", long_date(due)),
                    ("month", month),
                ],
            )
        }
        crate::pdf::DocumentKind::CreditNote { corrects, .. } => {
            let cn = store.credit_note(number)?;
            (
                Kind::CreditNote,
                cn.customer_id,
                vec![("number", doc.number.clone()), ("date", long_date(doc.issue_date)), ("total", total), ("invoice", corrects.clone())],
            )
        }
    };
    Ok(Draft {
        kind,
        document: doc.number.clone(),
        attach_document: Some(doc.number.clone()),
        customer: store.customer(customer_id)?,
        values,
        attachments: Vec::new(),
    })
}

fn enqueue(store: &mut Store, clock: &Clock, composer: &Composer, drafts: Vec<Draft>, again: bool) -> Result<Enqueued> {
    let mut out = Enqueued::default();
    let messages = composer.messages(drafts, &|k, d, to| store.mail_state(k, d, to), again, &mut out)?;
    let ids = store.enqueue_mail(&messages, &composer.settings.from_address, &clock.now)?;
    out.queued = ids
        .into_iter()
        .zip(messages)
        .map(|(id, m)| Queued { id, kind: m.kind, document: m.document, customer_id: m.customer_id, to: m.to })
        .collect();
    Ok(out)
}

/// The messages of documents just issued, when the reseller has them e-mailed as they are
/// issued (`send_on_issue`): written in the issuing transaction, sent afterwards.
pub(crate) fn on_issue(store: &Store, numbers: &[String]) -> Result<Option<(Vec<NewMessage>, String)>> {
    match store.mail_settings()? {
        Some(s) if s.send_on_issue => {}
        _ => return Ok(None),
    }
    let composer = Composer::new(store)?;
    let drafts = numbers.iter().map(|n| document_draft(store, n)).collect::<Result<Vec<_>>>()?;
    let messages = composer.messages(drafts, &|k, d, to| store.mail_state(k, d, to), false, &mut Enqueued::default())?;
    Ok(Some((messages, composer.settings.from_address.clone())))
}

/// After a billing run was issued: when the reseller has invoices e-mailed as they are issued,
/// what of `month` is to go (already in the outbox from the issuing, or written now) and what is
/// not e-mailed and why (paper, no address); `None` when they are e-mailed only when asked.
pub fn issued_month(store: &mut Store, clock: &Clock, month: &str) -> Result<Option<Enqueued>> {
    match store.mail_settings()? {
        Some(s) if s.send_on_issue => {}
        _ => return Ok(None),
    }
    if store.invoice_numbers(month.trim())?.is_empty() {
        return Ok(None);
    }
    send_month(store, clock, month).map(Some)
}

/// Send what the change just written put in the outbox (issued invoices, a reminders run),
/// if anything waits; `None` when nothing does.
pub fn deliver_queued(
    store: &mut Store,
    clock: &Clock,
    env_password: Option<&str>,
    progress: &mut dyn FnMut(&SendResult, usize, usize),
) -> Result<Option<Pass>> {
    if !anything_waits(store)? {
        return Ok(None);
    }
    deliver(store, clock, false, env_password, progress).map(Some)
}

/// E-mail issued invoices or credit notes by number, each with its PDF, to each billing
/// address; what already went to an address goes again only if `again`.
pub fn send_documents(store: &mut Store, clock: &Clock, numbers: &[String], again: bool) -> Result<Enqueued> {
    let composer = Composer::new(store)?;
    let numbers: Vec<&str> = numbers.iter().map(|n| n.trim()).filter(|n| !n.is_empty()).collect();
    if numbers.is_empty() {
        return Err(Error::invalid("invoices", "name the invoices or credit notes to e-mail"));
    }
    let drafts = numbers.iter().map(|n| document_draft(store, n)).collect::<Result<Vec<_>>>()?;
    enqueue(store, clock, &composer, drafts, again)
}

/// E-mail every invoice issued for `month` (`YYYY-MM`) that has not gone yet.
pub fn send_month(store: &mut Store, clock: &Clock, month: &str) -> Result<Enqueued> {
    let composer = Composer::new(store)?;
    crate::dates::parse_month(month, "month")?;
    let numbers = store.invoice_numbers(month.trim())?;
    if numbers.is_empty() {
        return Err(Error::not_found(format!("no invoices were issued for {}", month.trim())).with_field("month"));
    }
    let drafts = numbers.iter().map(|n| document_draft(store, n)).collect::<Result<Vec<_>>>()?;
    enqueue(store, clock, &composer, drafts, false)
}

/// E-mail a customer's statement of account from `from` to `to`, the PDF attached.
pub fn send_statement(
    store: &mut Store,
    clock: &Clock,
    customer: i64,
    from: Option<&str>,
    to: Option<&str>,
    again: bool,
) -> Result<Enqueued> {
    let composer = Composer::new(store)?;
    let statement = super::statements::statement(store, clock.today, customer, from, to)?;
    let pdf = super::statements::statement_pdf(store, &statement)?;
    let style = style(store)?;
    let draft = Draft {
        kind: Kind::Statement,
        document: format!("statement:{}:{}", statement.from, statement.to),
        attach_document: None,
        customer: store.customer(customer)?,
        values: vec![
            ("from", long_date(statement.from)),
            ("to", long_date(statement.to)),
            ("balance", style.money(statement.closing, statement.currency)),
        ],
        attachments: vec![(pdf.file_name, pdf.bytes)],
    };
    enqueue(store, clock, &composer, vec![draft], again)
}

/// The reminder letters of a reminders run, as messages (written in the run's transaction).
pub(crate) fn reminder_messages(
    store: &Store,
    sent: &[(crate::store::Reminder, String, Vec<u8>)],
) -> Result<Option<(Vec<NewMessage>, String)>> {
    let Ok(composer) = Composer::new(store) else { return Ok(None) };
    let style = style(store)?;
    let mut drafts = Vec::new();
    for (r, file_name, letter) in sent {
        drafts.push(Draft {
            kind: Kind::Reminder,
            document: format!("reminder:{}:{}", r.invoice, r.level),
            attach_document: None,
            customer: store.customer(r.customer_id)?,
            values: vec![
                ("number", r.invoice.clone()),
                ("open", style.money(r.open, r.currency)),
                ("due_date", long_date(r.due_date)),
                ("days_overdue", r.days_overdue.to_string()),
                ("level", r.title.clone()),
            ],
            attachments: vec![(file_name.clone(), letter.clone())],
        });
    }
    let mut out = Enqueued::default();
    let messages = composer.messages(drafts, &|k, d, to| store.mail_state(k, d, to), false, &mut out)?;
    Ok(Some((messages, composer.settings.from_address.clone())))
}

/// A renewal notice due (or written).
#[derive(Debug, Clone, Serialize)]
pub struct RenewalNotice {
    pub subscription_id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    pub product: String,
    pub quantity: u32,
    pub renewal_date: NaiveDate,
    pub last_day_to_change: NaiveDate,
    pub new_term_end: NaiveDate,
    pub currency: crate::money::Currency,
    /// Per seat for the new term.
    pub unit_price: rust_decimal::Decimal,
    /// For the whole new term, rounded once to the currency.
    pub term_total: rust_decimal::Decimal,
    /// Where it goes; empty when it does not go by e-mail.
    pub to: Vec<String>,
    /// `paper`, `no_address`, `already_sent`, or empty.
    pub skipped: String,
}

/// Renewal notices: for each subscription that renews within `within` days (default: the
/// settings' number of days), what renews, when, at which price and until when it can still be
/// changed. `preview` writes nothing; otherwise each notice goes once per term.
pub fn renewals(store: &mut Store, clock: &Clock, within: Option<&str>, preview: bool) -> Result<(Vec<RenewalNotice>, Enqueued)> {
    let composer = Composer::new(store)?;
    let within = match given(within) {
        Some(w) => super::whole(w, "within")?,
        None => composer.settings.renewal_days,
    };
    let style = style(store)?;
    let mut notices = Vec::new();
    let mut drafts = Vec::new();
    for due in store.renewals_ahead(clock.today, within)? {
        let Some(renewal_date) = due.renews_on else { continue };
        let sub = store.subscription(due.subscription_id)?;
        let Some(next) = crate::subscription::next_term(&sub) else { continue };
        let quote = store.quote(sub.customer_id, &next.product, next.term, next.billing, next.start, next.price_override)?;
        let currency = quote.price.price_currency;
        let term_total = currency.round(quote.price.unit_price * rust_decimal::Decimal::from(next.quantity));
        let new_term_end = crate::subscription::term_end(next.start, next.term);
        let customer = store.customer(sub.customer_id)?;
        let term = match next.term {
            crate::catalogue::Term::P1M => "one month",
            crate::catalogue::Term::P1Y => "one year",
            crate::catalogue::Term::P3Y => "three years",
        };
        let per = match next.billing {
            crate::catalogue::BillingPlan::Monthly => format!("{} a month", style.price(quote.price_per_cycle, currency)),
            _ => style.price(quote.price.unit_price, currency),
        };
        let document = format!("renewal:{}:{}", sub.id, renewal_date);
        drafts.push(Draft {
            kind: Kind::Renewal,
            document,
            attach_document: None,
            customer: customer.clone(),
            values: vec![
                ("product", quote.product_title.clone()),
                ("quantity", next.quantity.to_string()),
                ("renewal_date", long_date(renewal_date)),
                ("price", per),
                ("term", term.to_string()),
                ("term_total", style.money(term_total, currency)),
                ("new_term_end", long_date(new_term_end)),
                ("last_day_to_change", long_date(due.schedule_by)),
            ],
            attachments: Vec::new(),
        });
        notices.push(RenewalNotice {
            subscription_id: sub.id,
            customer_id: customer.id,
            customer_name: customer.name.clone(),
            product: quote.product_title,
            quantity: next.quantity,
            renewal_date,
            last_day_to_change: due.schedule_by,
            new_term_end,
            currency,
            unit_price: quote.price.unit_price,
            term_total,
            to: crate::mail::addresses(&customer.email),
            skipped: String::new(),
        });
    }
    let enqueued = if preview {
        let mut out = Enqueued::default();
        composer.messages(drafts, &|k, d, to| store.mail_state(k, d, to), false, &mut out)?;
        out
    } else {
        enqueue(store, clock, &composer, drafts, false)?
    };
    for n in &mut notices {
        let document = format!("renewal:{}:{}", n.subscription_id, n.renewal_date);
        if let Some(s) = enqueued.skipped.iter().find(|s| s.document == document) {
            n.skipped = s.reason.clone();
        }
    }
    Ok((notices, enqueued))
}

/// What one message came to in a sending pass.
#[derive(Debug, Clone, Serialize)]
pub struct SendResult {
    pub id: i64,
    pub kind: Kind,
    pub document: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub to: String,
    pub state: State,
    pub error: String,
}

/// What a sending pass did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Pass {
    pub results: Vec<SendResult>,
    pub sent: usize,
    /// Still waiting (offline, "try later"), including what this pass did not reach.
    pub waiting: usize,
    pub refused: usize,
    /// Messages cut off mid-send (an earlier pass that stopped, or a connection that broke in
    /// this one), now `unknown`: they may or may not have gone.
    pub interrupted: usize,
    /// Why the pass stopped early (no connection, sign-in refused), if it did.
    pub stopped: Option<String>,
    /// Another Seatbook is sending this book's mail right now; this pass sent nothing.
    pub busy: bool,
}

/// The lock that makes one sender per book.
pub struct MailLock {
    _file: Option<std::fs::File>,
}

fn lock_path(store: &Store) -> Option<PathBuf> {
    store.path().map(|p| {
        let mut s = p.as_os_str().to_owned();
        s.push(".mail-lock");
        PathBuf::from(s)
    })
}

/// Take the book's mail lock, or `None` if another process holds it.
pub fn try_lock(store: &Store) -> Result<Option<MailLock>> {
    let Some(path) = lock_path(store) else { return Ok(Some(MailLock { _file: None })) };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io(format!("cannot open {}: {e}", path.display())))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(MailLock { _file: Some(file) })),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(Error::io(format!("cannot lock {}: {e}", path.display()))),
    }
}

fn later(now: &str, minutes: i64) -> String {
    match chrono::DateTime::parse_from_rfc3339(now) {
        Ok(t) => (t.with_timezone(&chrono::Utc) + chrono::Duration::minutes(minutes)).format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Err(_) => now.to_string(),
    }
}

/// The attachments of a message: an issued document's PDF made again (byte for byte as it was
/// saved), and the files kept with it.
fn attachments(store: &Store, e: &OutboxEntry) -> Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    if !e.attach_document.is_empty() {
        // As `billing::pdf` makes it (that module sends through this one, so not through it).
        let doc = store.document(&e.attach_document)?;
        out.push((crate::pdf::file_name(&doc.number, &doc.customer.name), crate::pdf::render(&doc)?));
    }
    out.extend(store.mail_attachments(e.id)?);
    Ok(out)
}

/// Send what waits in the outbox: every waiting message if `all`, else those due for a try.
/// `progress` hears of each message as it is done, with how many there are in all.
pub fn deliver(
    store: &mut Store,
    clock: &Clock,
    all: bool,
    env_password: Option<&str>,
    progress: &mut dyn FnMut(&SendResult, usize, usize),
) -> Result<Pass> {
    let Some(_lock) = try_lock(store)? else {
        return Ok(Pass { busy: true, ..Default::default() });
    };
    let mut report = Pass { interrupted: store.settle_interrupted_mail(&clock.now)?, ..Default::default() };
    let due_by = if all { None } else { Some(clock.now.as_str()) };
    let total = store
        .outbox(OutboxFilter::Unsent, None)?
        .iter()
        .filter(|e| e.state == State::Waiting && due_by.is_none_or(|d| e.next_attempt_at.as_str() <= d))
        .count();
    if total == 0 {
        report.waiting = count_waiting(store)?;
        return Ok(report);
    }
    let settings = configured(store)?;
    let server = match server(&settings, env_password) {
        Ok(s) => s,
        Err(e) => {
            report.stopped = Some(e.message.clone());
            report.waiting = count_waiting(store)?;
            return Ok(report);
        }
    };
    let mut after = 0;
    while let Some(e) = store.next_mail(due_by, after)? {
        after = e.id;
        if !store.claim_mail(e.id)? {
            continue;
        }
        let outcome = attachments(store, &e).map(|files| Outgoing {
            to: e.to.clone(),
            subject: e.subject.clone(),
            text: e.text.clone(),
            html: e.html.clone(),
            message_id: e.message_id.clone(),
            date: clock.now.clone(),
            attachments: files,
        });
        let (state, error) = match outcome {
            Err(err) => (State::Waiting, format!("the attachment could not be made: {}", err.message)),
            Ok(m) => match server.send(&m) {
                Ok(()) => (State::Sent, String::new()),
                Err(f)
                    if matches!(
                        f.kind,
                        FailureKind::Authentication | FailureKind::Tls | FailureKind::Settings | FailureKind::Dns | FailureKind::Connection
                    ) =>
                {
                    // Nothing was handed over and the next message would fare the same: this one
                    // goes back as it was, and the pass stops.
                    store.release_mail(e.id, &f.message)?;
                    report.stopped = Some(f.message);
                    break;
                }
                Err(f) if f.kind == FailureKind::Interrupted => (State::Unknown, f.message),
                Err(f) if f.temporary => (State::Waiting, f.message),
                Err(f) => (State::Refused, f.message),
            },
        };
        let next = later(&clock.now, crate::mail::retry_after_minutes(e.attempts + 1));
        store.record_mail(e.id, state, &error, &clock.now, &next)?;
        match state {
            State::Sent => report.sent += 1,
            State::Refused => report.refused += 1,
            State::Unknown => report.interrupted += 1,
            _ => {}
        }
        let result = SendResult {
            id: e.id,
            kind: e.kind,
            document: e.document,
            customer_id: e.customer_id,
            customer_name: e.customer_name,
            to: e.to,
            state,
            error,
        };
        progress(&result, report.results.len() + 1, total);
        report.results.push(result);
    }
    report.waiting = count_waiting(store)?;
    Ok(report)
}

fn count_waiting(store: &Store) -> Result<usize> {
    Ok(store.outbox_counts()?.0 as usize)
}

/// What is not sent yet (waiting, refused, unknown), newest first. A message left `sending` by
/// a sender that stopped shows as `unknown` (when no other sender is at work).
pub fn outbox(store: &mut Store, clock: &Clock) -> Result<Vec<OutboxEntry>> {
    if let Some(_lock) = try_lock(store)? {
        store.settle_interrupted_mail(&clock.now)?;
    }
    store.outbox(OutboxFilter::Unsent, None)
}

/// Send every waiting message now, not waiting for its next try.
pub fn retry(
    store: &mut Store,
    clock: &Clock,
    env_password: Option<&str>,
    progress: &mut dyn FnMut(&SendResult, usize, usize),
) -> Result<Pass> {
    deliver(store, clock, true, env_password, progress)
}

/// The user's decision about a message that is `unknown` (it may have gone) or `refused`: send
/// it again now.
pub fn resend(
    store: &mut Store,
    clock: &Clock,
    id: i64,
    env_password: Option<&str>,
    progress: &mut dyn FnMut(&SendResult, usize, usize),
) -> Result<Pass> {
    if let Some(_lock) = try_lock(store)? {
        store.settle_interrupted_mail(&clock.now)?;
    }
    store.requeue_mail(Some(id), &clock.now)?;
    deliver(store, clock, false, env_password, progress)
}

/// The messages sent (and waiting) to a customer, or to everyone, newest first.
pub fn log(store: &Store, customer: Option<i64>) -> Result<Vec<OutboxEntry>> {
    if let Some(id) = customer {
        store.customer(id).map_err(|e| e.with_field("customer"))?;
    }
    store.outbox(OutboxFilter::All, customer)
}

/// How many messages wait, and how many need the user: the badge.
#[derive(Debug, Clone, Serialize)]
pub struct OutboxBadge {
    pub waiting: u32,
    pub attention: u32,
}

pub fn badge(store: &Store) -> Result<OutboxBadge> {
    let (waiting, attention) = store.outbox_counts()?;
    Ok(OutboxBadge { waiting, attention })
}

/// E-mail is set up and a message waits: a sender in the background has work.
pub fn anything_waits(store: &Store) -> Result<bool> {
    Ok(store.mail_settings()?.is_some() && store.outbox_counts()?.0 > 0)
}

/// A template as the settings show it.
#[derive(Debug, Clone, Serialize)]
pub struct TemplateView {
    pub kind: Kind,
    pub template: Template,
    /// Changed by the reseller (else Seatbook's default).
    pub custom: bool,
    pub placeholders: Vec<String>,
}

pub fn templates(store: &Store) -> Result<Vec<TemplateView>> {
    Kind::ALL
        .iter()
        .map(|&kind| {
            let (template, custom) = store.mail_template(kind)?;
            Ok(TemplateView { kind, template, custom, placeholders: kind.placeholders().iter().map(|p| format!("{{{p}}}")).collect() })
        })
        .collect()
}

/// Keep the reseller's template of a kind; an empty HTML part is made from the text.
pub fn set_template(store: &mut Store, kind: &str, subject: &str, text: &str, html: Option<&str>) -> Result<TemplateView> {
    let kind = Kind::parse(kind, "kind")?;
    let text = text.replace("\r\n", "\n");
    let html = match given(html) {
        Some(h) => h.replace("\r\n", "\n"),
        None => crate::mail::html_of_text(&text),
    };
    let t = Template { subject: subject.trim().to_string(), text, html };
    t.check(kind)?;
    store.set_mail_template(kind, Some(&t))?;
    Ok(TemplateView { kind, template: t, custom: true, placeholders: kind.placeholders().iter().map(|p| format!("{{{p}}}")).collect() })
}

/// Back to Seatbook's default template of a kind.
pub fn reset_template(store: &mut Store, kind: &str) -> Result<TemplateView> {
    let kind = Kind::parse(kind, "kind")?;
    store.set_mail_template(kind, None)?;
    Ok(TemplateView {
        kind,
        template: kind.default_template(),
        custom: false,
        placeholders: kind.placeholders().iter().map(|p| format!("{{{p}}}")).collect(),
    })
}

/// A template filled in with example values, as a customer would read it.
pub fn preview(store: &Store, clock: &Clock, kind: &str, subject: &str, text: &str, html: Option<&str>) -> Result<crate::mail::Rendered> {
    let kind = Kind::parse(kind, "kind")?;
    let html = match given(html) {
        Some(h) => h.to_string(),
        None => crate::mail::html_of_text(text),
    };
    let t = Template { subject: subject.to_string(), text: text.to_string(), html };
    t.check(kind)?;
    let company = store.company().map(|c| c.name).unwrap_or_else(|_| "Your company".into());
    let style = style(store).unwrap_or_else(|_| crate::locale::for_country("US"));
    let currency = store.company().map(|c| c.currency).unwrap_or_else(|_| crate::money::Currency::parse("USD", "").expect("USD"));
    let money = |v: i64| style.money(rust_decimal::Decimal::new(v, 2), currency);
    let day = |n: i64| long_date(crate::dates::add_days(clock.today, n));
    let values: Values = vec![
        ("customer", "Contoso Ltd".into()),
        ("contact", "Jo Soap".into()),
        ("company", company),
        ("number", "INV-2026-0001".into()),
        ("date", day(0)),
        ("total", money(115_000)),
        ("due_date", day(30)),
        ("month", clock.today.format("%B %Y").to_string()),
        ("invoice", "INV-2026-0001".into()),
        ("from", day(-365)),
        ("to", day(0)),
        ("balance", money(230_000)),
        ("open", money(115_000)),
        ("days_overdue", "14".into()),
        ("level", "First reminder".into()),
        ("product", "Microsoft 365 Business Standard".into()),
        ("quantity", "12".into()),
        ("renewal_date", day(14)),
        ("price", money(25_000)),
        ("term", "one year".into()),
        ("term_total", money(3_000_000)),
        ("new_term_end", day(14 + 364)),
        ("last_day_to_change", day(13)),
    ];
    Ok(t.render(&values))
}
