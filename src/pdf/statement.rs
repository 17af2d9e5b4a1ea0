//! Statements of account and reminder letters, laid out with the invoices' look: the same
//! fonts (built-in Helvetica for Windows-1252, subset DejaVu otherwise), colours, header,
//! table style and "Page N of M" footer, emitted through `emit`.

use super::emit;
use super::fonts::{self, Face, Family};
use super::format;
use super::page::{clean, wrap, Item, Page, ACCENT, INK, MUTED};
use super::sheet::{Sheet, BODY, CELL_PAD, HEADER_FILL, RULE, SMALL, TABLE, TABLE_LEADING};
use super::{BankDetails, Party};
use crate::company::Paper;
use crate::money::Currency;
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// One line of a statement: a document or a movement of money.
#[derive(Debug, Clone, PartialEq)]
pub struct StatementRow {
    pub date: NaiveDate,
    pub document: String,
    pub description: String,
    pub debit: Decimal,
    pub credit: Decimal,
    pub balance: Decimal,
}

/// A statement of account as printed.
#[derive(Debug, Clone, PartialEq)]
pub struct StatementDocument {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub currency: Currency,
    pub paper: Paper,
    pub supplier: Party,
    pub customer: Party,
    pub bank: BankDetails,
    pub opening: Decimal,
    pub rows: Vec<StatementRow>,
    pub closing: Decimal,
    /// What is open at `to`: current, 1–30, 31–60, 61–90, over 90 days.
    pub aging: [Decimal; 5],
}

/// An overdue letter for one invoice.
#[derive(Debug, Clone, PartialEq)]
pub struct ReminderLetter {
    /// "Reminder", "Second reminder", "Final notice".
    pub title: String,
    pub level: u8,
    pub date: NaiveDate,
    pub currency: Currency,
    pub paper: Paper,
    pub supplier: Party,
    pub customer: Party,
    pub bank: BankDetails,
    pub invoice: String,
    pub invoice_date: NaiveDate,
    pub due_date: NaiveDate,
    pub open: Decimal,
    pub days_overdue: i64,
}

struct Ctx {
    s: Sheet,
}

impl Ctx {
    fn new(paper: Paper, family: Family, running: String, customer: String) -> Ctx {
        Ctx { s: Sheet::new(paper, family, running, customer) }
    }

    /// Supplier (left), title and facts (right), then the customer under a label.
    fn header(&mut self, supplier: &Party, title: &str, facts: &[(&str, String)], label: &str, customer: &Party) {
        let content_w = self.s.right - self.s.left;
        let left_w = content_w * 0.52;
        let top = self.s.y;
        let mut y = top;
        for line in self.s.lines(&supplier.name, Face::Bold, 12.0, left_w) {
            y += 14.0;
            self.s.text(self.s.left, y - 3.0, Face::Bold, 12.0, INK, line);
        }
        y += 2.0;
        for line in self.s.party_lines(supplier, left_w, true) {
            y += 11.5;
            self.s.text(self.s.left, y - 2.5, Face::Regular, BODY, MUTED, line);
        }
        let left_end = y;
        let mut y = top + 20.0;
        self.s.text_right(self.s.right, y, Face::Bold, 20.0, ACCENT, title);
        y += 8.0;
        let label_x = self.s.right - 190.0;
        for (l, v) in facts {
            y += 14.0;
            self.s.text(label_x, y, Face::Regular, BODY, MUTED, *l);
            self.s.text_right(self.s.right, y, Face::Bold, BODY, INK, v.clone());
        }
        self.s.y = left_end.max(y + 4.0) + 20.0;
        self.s.rule_across(self.s.y - 8.0, 0.5, RULE);
        let mut y = self.s.y + 4.0;
        self.s.text(self.s.left, y + 4.0, Face::Bold, SMALL, MUTED, label);
        y += 8.0;
        let w = content_w * 0.62;
        for line in self.s.lines(&customer.name, Face::Bold, 11.0, w) {
            y += 13.5;
            self.s.text(self.s.left, y - 2.5, Face::Bold, 11.0, INK, line);
        }
        y += 1.0;
        for line in self.s.party_lines(customer, w, false) {
            y += 11.5;
            self.s.text(self.s.left, y - 2.5, Face::Regular, BODY, INK, line);
        }
        self.s.y = y + 18.0;
    }

    fn bank(&mut self, bank: &BankDetails, reference: &str) {
        let rows: Vec<(&str, String)> = [
            ("Bank", &bank.bank_name),
            ("Account holder", &bank.account_holder),
            ("Account number", &bank.account_number),
            ("Branch code", &bank.branch_code),
            ("SWIFT / BIC", &bank.swift),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(l, v)| (l, clean(v.trim())))
        .chain(std::iter::once(("Reference", clean(reference))))
        .collect();
        if rows.len() == 1 {
            return;
        }
        self.s.ensure(16.0 + rows.len() as f32 * 12.0);
        self.s.text(self.s.left, self.s.y, Face::Bold, SMALL, MUTED, "PAYMENT DETAILS");
        self.s.y += 4.0;
        for (label, value) in rows {
            self.s.y += 12.0;
            let face = if label == "Reference" { Face::Bold } else { Face::Regular };
            self.s.text(self.s.left, self.s.y, Face::Regular, BODY, MUTED, label);
            self.s.text(self.s.left + 88.0, self.s.y, face, BODY, INK, value);
        }
        self.s.y += 18.0;
    }

    fn footers(&mut self, who: &str) {
        let m = self.s.pages.len();
        let max = (self.s.right - self.s.left) - 80.0;
        let who = wrap(&clean(who), self.s.reg, SMALL, max).into_iter().next().unwrap_or_default();
        let rule_y = self.s.height - 40.0;
        let base = self.s.height - 28.0;
        for i in 0..m {
            let page_no = format!("Page {} of {m}", i + 1);
            let w = self.s.reg.width(&page_no, SMALL);
            let (left, right) = (self.s.left, self.s.right);
            let items = &mut self.s.pages[i].items;
            items.push(Item::Line { x1: left, y1: rule_y, x2: right, y2: rule_y, width: 0.5, colour: RULE });
            items.push(Item::Text { x: left, y: base, face: Face::Regular, size: SMALL, colour: MUTED, text: who.clone() });
            items.push(Item::Text { x: right - w, y: base, face: Face::Regular, size: SMALL, colour: MUTED, text: page_no });
        }
    }
}

fn party_texts(p: &Party) -> [&str; 7] {
    [&p.name, &p.address, &p.country, &p.vat_number, &p.registration_number, &p.email, &p.phone]
}

fn bank_texts(b: &BankDetails) -> [&str; 5] {
    [&b.bank_name, &b.account_holder, &b.account_number, &b.branch_code, &b.swift]
}

fn family_of<'a>(texts: impl Iterator<Item = &'a str>) -> Family {
    let cleaned: Vec<String> = texts.map(clean).collect();
    fonts::family_for(cleaned.iter().map(|s| s.as_str()))
}

fn footer_text(supplier: &Party, title: &str) -> String {
    let mut who = supplier.name.trim().to_string();
    if !supplier.vat_number.trim().is_empty() {
        who = format!("{who}  \u{b7}  VAT No. {}", supplier.vat_number.trim());
    }
    format!("{who}  \u{b7}  {title}")
}

/// Column right edges of the statement table: Date | Document | Description | Debit | Credit | Balance.
struct Cols {
    date_x: f32,
    doc_x: f32,
    desc_x: f32,
    desc_w: f32,
    debit_r: f32,
    credit_r: f32,
    balance_r: f32,
}

fn statement_pages(s: &StatementDocument, family: Family) -> Vec<Page> {
    let fig = format::Figures::new(&s.supplier.country, s.currency);
    let period = format::period(s.from, s.to);
    let title = "Statement of account";
    let mut c = Ctx::new(s.paper, family, format!("{title} {period}"), s.customer.name.clone());
    let facts = vec![
        ("Period", period.clone()),
        ("Opening balance", fig.amount(s.opening)),
        ("Closing balance", fig.amount(s.closing)),
        ("Currency", s.currency.code().to_string()),
    ];
    c.header(&s.supplier, title, &facts, "CUSTOMER", &s.customer);

    let amt = |v: Decimal| if v.is_zero() { String::new() } else { fig.amount(v) };
    let money_w = 72.0;
    let cols = {
        let date_x = c.s.left;
        let doc_x = date_x + 60.0;
        let desc_x = doc_x + 88.0;
        let balance_r = c.s.right;
        let credit_r = balance_r - money_w;
        let debit_r = credit_r - money_w;
        Cols { date_x, doc_x, desc_x, desc_w: debit_r - money_w + 16.0 - desc_x, debit_r, credit_r, balance_r }
    };
    let header = |c: &mut Ctx| {
        let y = c.s.y;
        let (x, w) = (c.s.left, c.s.right - c.s.left);
        c.s.items().push(Item::Rect { x, y, w, h: 20.0, colour: HEADER_FILL });
        let base = y + 13.0;
        c.s.text(cols.date_x + CELL_PAD, base, Face::Bold, TABLE, INK, "Date");
        c.s.text(cols.doc_x + CELL_PAD, base, Face::Bold, TABLE, INK, "Document");
        c.s.text(cols.desc_x + CELL_PAD, base, Face::Bold, TABLE, INK, "Description");
        c.s.text_right(cols.debit_r - CELL_PAD, base, Face::Bold, TABLE, INK, "Debit");
        c.s.text_right(cols.credit_r - CELL_PAD, base, Face::Bold, TABLE, INK, "Credit");
        c.s.text_right(cols.balance_r - CELL_PAD, base, Face::Bold, TABLE, INK, "Balance");
        c.s.y = y + 20.0;
    };
    if c.s.y + 20.0 + 3.0 * TABLE_LEADING > c.s.bottom() {
        c.s.continuation_page();
    }
    header(&mut c);
    /// Date, document, description lines, debit, credit, balance, face.
    type Printed = (String, String, Vec<String>, String, String, String, Face);
    let mut rows: Vec<Printed> = Vec::new();
    rows.push((
        format::date(s.from),
        String::new(),
        vec!["Opening balance".to_string()],
        String::new(),
        String::new(),
        fig.amount(s.opening),
        Face::Bold,
    ));
    for r in &s.rows {
        let desc = c.s.lines(&r.description, Face::Regular, TABLE, cols.desc_w - 2.0 * CELL_PAD);
        let doc = wrap(&clean(&r.document), c.s.reg, TABLE, 88.0 - 2.0 * CELL_PAD).into_iter().next().unwrap_or_default();
        rows.push((format::date(r.date), doc, desc, amt(r.debit), amt(r.credit), fig.amount(r.balance), Face::Regular));
    }
    rows.push((
        format::date(s.to),
        String::new(),
        vec!["Closing balance".to_string()],
        String::new(),
        String::new(),
        fig.amount(s.closing),
        Face::Bold,
    ));
    for (date, doc, desc, debit, credit, balance, face) in rows {
        let n = desc.len().max(1);
        let h = n as f32 * TABLE_LEADING + 8.0;
        if c.s.y + h > c.s.bottom() {
            c.s.continuation_page();
            header(&mut c);
        }
        let top = c.s.y;
        let base = top + 5.0 + TABLE * 0.78;
        c.s.text(cols.date_x + CELL_PAD, base, face, TABLE, INK, date);
        c.s.text(cols.doc_x + CELL_PAD, base, face, TABLE, INK, doc);
        for (i, l) in desc.into_iter().enumerate() {
            c.s.text(cols.desc_x + CELL_PAD, base + i as f32 * TABLE_LEADING, face, TABLE, INK, l);
        }
        c.s.text_right(cols.debit_r - CELL_PAD, base, face, TABLE, INK, debit);
        c.s.text_right(cols.credit_r - CELL_PAD, base, face, TABLE, INK, credit);
        c.s.text_right(cols.balance_r - CELL_PAD, base, face, TABLE, INK, balance);
        c.s.y = top + h;
        c.s.rule_across(c.s.y, 0.5, RULE);
    }
    c.s.y += 20.0;

    // Aging of what is open at the end of the period.
    c.s.ensure(60.0);
    c.s.text(c.s.left, c.s.y, Face::Bold, SMALL, MUTED, format!("AGING AS OF {}", format::date(s.to).to_uppercase()));
    c.s.y += 6.0;
    let labels = ["Current", "1\u{2013}30 days", "31\u{2013}60 days", "61\u{2013}90 days", "Over 90 days", "Total due"];
    let total: Decimal = s.aging.iter().sum();
    let values: Vec<String> = s.aging.iter().chain(std::iter::once(&total)).map(|v| fig.amount(*v)).collect();
    let w = (c.s.right - c.s.left) / 6.0;
    let (x, y, cw) = (c.s.left, c.s.y, c.s.right - c.s.left);
    c.s.items().push(Item::Rect { x, y, w: cw, h: 18.0, colour: HEADER_FILL });
    for (i, l) in labels.iter().enumerate() {
        let r = c.s.left + (i as f32 + 1.0) * w - CELL_PAD;
        c.s.text_right(r, y + 12.0, Face::Bold, TABLE, INK, *l);
    }
    c.s.y += 18.0;
    for (i, v) in values.into_iter().enumerate() {
        let r = c.s.left + (i as f32 + 1.0) * w - CELL_PAD;
        let face = if i == 5 { Face::Bold } else { Face::Regular };
        c.s.text_right(r, c.s.y + 13.0, face, TABLE, INK, v);
    }
    c.s.y += 20.0;
    c.s.rule_across(c.s.y, 0.5, RULE);
    c.s.y += 22.0;
    c.bank(&s.bank, &s.customer.name);
    c.footers(&footer_text(&s.supplier, title));
    c.s.pages
}

/// A statement of account as a PDF.
pub fn render_statement(s: &StatementDocument) -> crate::Result<Vec<u8>> {
    let mut texts: Vec<&str> = party_texts(&s.supplier).into_iter().chain(party_texts(&s.customer)).chain(bank_texts(&s.bank)).collect();
    for r in &s.rows {
        texts.extend([r.document.as_str(), &r.description]);
    }
    let family = family_of(texts.into_iter());
    let part = emit::Part { pages: statement_pages(s, family), logo: None };
    let family = if family == Family::Builtin && !emit::all_win_ansi(&part) { Family::DejaVu } else { family };
    let part = if family == Family::DejaVu { emit::Part { pages: statement_pages(s, family), logo: None } } else { part };
    let meta = emit::Meta {
        title: format!("Statement of account {}", format::period(s.from, s.to)),
        author: s.supplier.name.trim().to_string(),
        subject: format!("Statement of account for {}", s.customer.name.trim()),
        date: s.to,
    };
    emit::write(&[part], family, &meta)
}

fn letter_pages(l: &ReminderLetter, family: Family) -> Vec<Page> {
    let fig = format::Figures::new(&l.supplier.country, l.currency);
    let mut c = Ctx::new(l.paper, family, format!("{} {}", l.title, l.invoice), l.customer.name.clone());
    let facts = vec![
        ("Date", format::date(l.date)),
        ("Invoice number", clean(&l.invoice)),
        ("Invoice date", format::date(l.invoice_date)),
        ("Due date", format::date(l.due_date)),
        ("Open amount", fig.money(l.open, l.currency)),
        ("Days overdue", l.days_overdue.to_string()),
    ];
    c.header(&l.supplier, &l.title, &facts, "TO", &l.customer);
    let amount = fig.money(l.open, l.currency);
    let invoice = clean(&l.invoice);
    let due = format::date(l.due_date);
    let body = match l.level {
        1 => format!(
            "Our records show that invoice {invoice}, due on {due}, is {} days overdue with {amount} still open. \
             This may well be an oversight, so we kindly ask you to arrange payment at your earliest convenience. \
             If you have already paid, please accept our thanks and disregard this letter.",
            l.days_overdue
        ),
        2 => format!(
            "We wrote to you earlier about invoice {invoice}, due on {due}. It is now {} days overdue and {amount} remains open. \
             We would be grateful if you could settle it within the next seven days, or let us know if there is a problem \
             with the invoice so that we can resolve it together.",
            l.days_overdue
        ),
        _ => format!(
            "Despite our earlier reminders, invoice {invoice}, due on {due}, is still unpaid {} days after its due date, \
             with {amount} open. Please pay this amount within seven days. If we do not hear from you, we will have to \
             place your account on hold, and new subscriptions and changes will wait until it is settled.",
            l.days_overdue
        ),
    };
    let w = c.s.right - c.s.left;
    let mut paras = vec!["Dear customer,".to_string(), body];
    paras.push("Please quote the invoice number as your payment reference. Thank you for your business.".to_string());
    paras.push(format!("Kind regards,\n{}", l.supplier.name.trim()));
    for p in paras {
        for line in c.s.lines(&p, Face::Regular, 10.0, w) {
            c.s.ensure(14.0);
            c.s.y += 14.0;
            c.s.text(c.s.left, c.s.y, Face::Regular, 10.0, INK, line);
        }
        c.s.y += 8.0;
    }
    c.s.y += 16.0;
    c.bank(&l.bank, &l.invoice);
    c.footers(&footer_text(&l.supplier, &format!("{} {}", l.title, l.invoice)));
    c.s.pages
}

/// A reminder letter as a PDF.
pub fn render_reminder(l: &ReminderLetter) -> crate::Result<Vec<u8>> {
    let texts = party_texts(&l.supplier).into_iter().chain(party_texts(&l.customer)).chain(bank_texts(&l.bank)).chain([l.invoice.as_str()]);
    let family = family_of(texts);
    let part = emit::Part { pages: letter_pages(l, family), logo: None };
    let family = if family == Family::Builtin && !emit::all_win_ansi(&part) { Family::DejaVu } else { family };
    let part = if family == Family::DejaVu { emit::Part { pages: letter_pages(l, family), logo: None } } else { part };
    let meta = emit::Meta {
        title: format!("{} {}", l.title, l.invoice),
        author: l.supplier.name.trim().to_string(),
        subject: format!("{} for {}", l.title, l.customer.name.trim()),
        date: l.date,
    };
    emit::write(&[part], family, &meta)
}
