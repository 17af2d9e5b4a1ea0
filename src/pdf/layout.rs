//! Lays a `Document` out on pages: positions of every string, rule and box, in points from the
//! page's top-left corner. Knows nothing of printpdf; `emit` turns the result into a PDF.

use super::fonts::{self, Face, Family};
use super::format;
use super::page::{clean, wrap, Item, Page, ACCENT, INK, MUTED};
use super::sheet::{Sheet, BODY, CELL_PAD, HEADER_FILL, MARGIN_TOP, RULE, SMALL, TABLE, TABLE_LEADING};
use super::{Document, DocumentKind};

/// Every string of the document that may reach the page (for choosing the font family).
pub(crate) fn texts(doc: &Document) -> Vec<&str> {
    let mut v: Vec<&str> = vec![&doc.number, &doc.payment_terms];
    for p in [&doc.supplier, &doc.customer] {
        v.extend([p.name.as_str(), &p.address, &p.country, &p.vat_number, &p.registration_number, &p.email, &p.phone]);
    }
    let b = &doc.bank;
    v.extend([b.bank_name.as_str(), &b.account_holder, &b.account_number, &b.branch_code, &b.swift]);
    if let DocumentKind::CreditNote { corrects, reason, .. } = &doc.kind {
        v.extend([corrects.as_str(), reason]);
    }
    v.extend(doc.lines.iter().map(|l| l.description.as_str()));
    v.extend(doc.notes.iter().map(|n| n.as_str()));
    v
}

/// The family a set of documents is set in.
pub(crate) fn family(docs: &[&Document]) -> Family {
    let texts: Vec<String> = docs.iter().flat_map(|d| texts(d)).map(clean).collect();
    fonts::family_for(texts.iter().map(|s| s.as_str()))
}

/// The document's title: "Tax Invoice INV-2026-00001".
pub(crate) fn title(doc: &Document) -> String {
    format!("{} {}", kind_title(doc), doc.number)
}

pub(crate) fn kind_title(doc: &Document) -> &'static str {
    match doc.kind {
        DocumentKind::TaxInvoice => "Tax Invoice",
        DocumentKind::CreditNote { .. } => "Credit Note",
    }
}

/// Columns of the line table: left edges and widths.
struct Columns {
    desc_x: f32,
    desc_w: f32,
    period: Option<(f32, f32)>,
    qty_x: f32,
    qty_w: f32,
    price_x: f32,
    price_w: f32,
    amount_x: f32,
    amount_w: f32,
}

struct Row {
    desc: Vec<String>,
    period: Vec<String>,
    /// Lines under the row: what it is made of (label, amount).
    details: Vec<(String, String)>,
    qty: String,
    price: String,
    amount: String,
}

struct Ctx<'a> {
    doc: &'a Document,
    s: Sheet,
}

impl<'a> Ctx<'a> {
    /// Logo, supplier, title and the document's number and dates; then the customer.
    fn header(&mut self, logo: Option<(u32, u32)>) {
        let doc = self.doc;
        let content_w = self.s.right - self.s.left;
        let left_w = content_w * 0.52;
        let top = self.s.y;

        // Left: logo and supplier.
        let mut y = top;
        if let Some((pw, ph)) = logo.filter(|(w, h)| *w > 0 && *h > 0) {
            let scale = (170.0 / pw as f32).min(48.0 / ph as f32);
            let (w, h) = (pw as f32 * scale, ph as f32 * scale);
            let x = self.s.left;
            self.s.items().push(Item::Logo { x, y, w, h });
            y += h + 12.0;
        }
        for line in self.s.lines(&doc.supplier.name, Face::Bold, 12.0, left_w) {
            y += 14.0;
            self.s.text(self.s.left, y - 3.0, Face::Bold, 12.0, INK, line);
        }
        y += 2.0;
        for line in self.s.party_lines(&doc.supplier, left_w, true) {
            y += 11.5;
            self.s.text(self.s.left, y - 2.5, Face::Regular, BODY, MUTED, line);
        }
        let left_end = y;

        // Right: title and facts.
        let mut y = top + 20.0;
        self.s.text_right(self.s.right, y, Face::Bold, 22.0, ACCENT, kind_title(doc));
        y += 8.0;
        let number_label = match doc.kind {
            DocumentKind::TaxInvoice => "Invoice number",
            DocumentKind::CreditNote { .. } => "Credit note number",
        };
        let mut facts: Vec<(&str, String)> = vec![(number_label, clean(&doc.number)), ("Issue date", format::date(doc.issue_date))];
        if let Some(due) = doc.due_date {
            facts.push(("Due date", format::date(due)));
        }
        facts.push(("Currency", doc.currency.code().to_string()));
        let label_x = self.s.right - 190.0;
        for (label, value) in facts {
            y += 14.0;
            self.s.text(label_x, y, Face::Regular, BODY, MUTED, label);
            self.s.text_right(self.s.right, y, Face::Bold, BODY, INK, value);
        }
        let right_end = y + 4.0;

        self.s.y = left_end.max(right_end) + 20.0;
        self.s.rule(self.s.left, self.s.right, self.s.y - 8.0, 0.5, RULE);

        // The customer (left) and, for a credit note, what it corrects (right).
        let top = self.s.y + 4.0;
        let mut y = top;
        let credit = matches!(doc.kind, DocumentKind::CreditNote { .. });
        let left_w = if credit { content_w * 0.5 - 12.0 } else { content_w * 0.62 };
        self.s.text(self.s.left, y + 4.0, Face::Bold, SMALL, MUTED, "BILL TO");
        y += 8.0;
        for line in self.s.lines(&doc.customer.name, Face::Bold, 11.0, left_w) {
            y += 13.5;
            self.s.text(self.s.left, y - 2.5, Face::Bold, 11.0, INK, line);
        }
        y += 1.0;
        for line in self.s.party_lines(&doc.customer, left_w, false) {
            y += 11.5;
            self.s.text(self.s.left, y - 2.5, Face::Regular, BODY, INK, line);
        }
        let left_end = y;

        let mut y = top;
        if let DocumentKind::CreditNote { corrects, corrects_date, reason } = &doc.kind {
            let rx = self.s.left + content_w * 0.5 + 12.0;
            let rw = self.s.right - rx;
            self.s.text(rx, y + 4.0, Face::Bold, SMALL, MUTED, "CREDIT NOTE FOR");
            y += 8.0;
            let what = format!("Corrects invoice {} of {}", clean(corrects), format::date(*corrects_date));
            for line in self.s.lines(&what, Face::Bold, BODY, rw) {
                y += 12.0;
                self.s.text(rx, y - 2.5, Face::Bold, BODY, INK, line);
            }
            for line in self.s.lines(&format!("Reason: {}", reason.trim()), Face::Regular, BODY, rw) {
                y += 11.5;
                self.s.text(rx, y - 2.5, Face::Regular, BODY, INK, line);
            }
        }
        self.s.y = left_end.max(y) + 18.0;
    }

    fn columns(&self, rows: &[Row]) -> Columns {
        let (reg, bold) = (self.s.reg, self.s.bold);
        let fit = |header: &str, values: &mut dyn Iterator<Item = &String>, min: f32| -> f32 {
            let widest = values.map(|v| reg.width(v, TABLE)).fold(bold.width(header, TABLE), f32::max);
            (widest + 2.0 * CELL_PAD + 2.0).max(min)
        };
        let amount_w = fit(&amount_header(self.doc), &mut rows.iter().map(|r| &r.amount), 72.0);
        let price_w = fit("Unit price", &mut rows.iter().map(|r| &r.price), 64.0);
        let qty_w = fit("Qty", &mut rows.iter().map(|r| &r.qty), 36.0);
        let content_w = self.s.right - self.s.left;
        let has_period = self.doc.lines.iter().any(|l| l.period.is_some());
        let mut period_w = if has_period {
            let widest = self.doc.lines.iter().filter_map(|l| l.period).map(|(a, b)| reg.width(&format::period(a, b), TABLE));
            (widest.fold(bold.width("Service period", TABLE), f32::max) + 2.0 * CELL_PAD + 2.0).min(132.0)
        } else {
            0.0
        };
        let mut desc_w = content_w - period_w - qty_w - price_w - amount_w;
        if has_period && desc_w < 150.0 {
            period_w = (period_w - (150.0 - desc_w)).max(70.0);
            desc_w = content_w - period_w - qty_w - price_w - amount_w;
        }
        let desc_x = self.s.left;
        let period_x = desc_x + desc_w;
        let qty_x = period_x + period_w;
        let price_x = qty_x + qty_w;
        let amount_x = price_x + price_w;
        Columns { desc_x, desc_w, period: has_period.then_some((period_x, period_w)), qty_x, qty_w, price_x, price_w, amount_x, amount_w }
    }

    fn table_header(&mut self, c: &Columns) {
        let h = 20.0;
        let y = self.s.y;
        let (x, w) = (self.s.left, self.s.right - self.s.left);
        self.s.items().push(Item::Rect { x, y, w, h, colour: HEADER_FILL });
        let base = y + 13.0;
        self.s.text(c.desc_x + CELL_PAD, base, Face::Bold, TABLE, INK, "Description");
        if let Some((px, _)) = c.period {
            self.s.text(px + CELL_PAD, base, Face::Bold, TABLE, INK, "Service period");
        }
        self.s.text_right(c.qty_x + c.qty_w - CELL_PAD, base, Face::Bold, TABLE, INK, "Qty");
        self.s.text_right(c.price_x + c.price_w - CELL_PAD, base, Face::Bold, TABLE, INK, "Unit price");
        let amount = amount_header(self.doc);
        self.s.text_right(c.amount_x + c.amount_w - CELL_PAD, base, Face::Bold, TABLE, INK, amount);
        self.s.y = y + h;
    }

    fn table(&mut self, rows: Vec<Row>) {
        let c = self.columns(&rows);
        // The header needs room for itself and at least one line below it.
        if self.s.y + 20.0 + 2.0 * TABLE_LEADING > self.s.bottom() {
            self.s.continuation_page();
        }
        self.table_header(&c);
        // Rows placed on this page since its table header.
        let mut on_page = 0;
        for row in rows {
            let main = row.desc.len().max(row.period.len()).max(1);
            let n = main + row.details.len();
            let mut first = 0;
            while first < n {
                let room = ((self.s.bottom() - self.s.y - 8.0) / TABLE_LEADING).floor().max(0.0) as usize;
                // A row that does not fit moves to the next page whole; only a row taller than
                // a whole page is split (and its numbers stay on its first line).
                let take = if room >= n - first {
                    n - first
                } else if on_page > 0 || room == 0 {
                    0
                } else {
                    room
                };
                if take == 0 {
                    self.s.continuation_page();
                    self.table_header(&c);
                    on_page = 0;
                    continue;
                }
                let top = self.s.y;
                let base = top + 5.0 + TABLE * 0.78;
                for i in 0..take {
                    let y = base + i as f32 * TABLE_LEADING;
                    if let Some(t) = row.desc.get(first + i) {
                        self.s.text(c.desc_x + CELL_PAD, y, Face::Regular, TABLE, INK, t.clone());
                    }
                    if let (Some((px, _)), Some(t)) = (c.period, row.period.get(first + i)) {
                        self.s.text(px + CELL_PAD, y, Face::Regular, TABLE, MUTED, t.clone());
                    }
                    if let Some((label, amount)) = (first + i).checked_sub(main).and_then(|k| row.details.get(k)) {
                        self.s.text(c.desc_x + CELL_PAD + 12.0, y, Face::Regular, TABLE, MUTED, label.clone());
                        self.s.text_right(c.amount_x + c.amount_w - CELL_PAD, y, Face::Regular, TABLE, MUTED, amount.clone());
                    }
                }
                if first == 0 {
                    self.s.text_right(c.qty_x + c.qty_w - CELL_PAD, base, Face::Regular, TABLE, INK, row.qty.clone());
                    self.s.text_right(c.price_x + c.price_w - CELL_PAD, base, Face::Regular, TABLE, INK, row.price.clone());
                    self.s.text_right(c.amount_x + c.amount_w - CELL_PAD, base, Face::Regular, TABLE, INK, row.amount.clone());
                }
                self.s.y = top + take as f32 * TABLE_LEADING + 8.0;
                self.s.rule(self.s.left, self.s.right, self.s.y, 0.5, RULE);
                on_page += 1;
                first += take;
            }
        }
        self.s.y += 12.0;
    }

    fn totals(&mut self) {
        let doc = self.doc;
        let cur = doc.currency;
        let fig = format::Figures::new(&doc.supplier.country, cur);
        let mut rows: Vec<(String, String)> = vec![("Net amount".to_string(), fig.amount(doc.net))];
        if doc.vat.is_empty() {
            rows.push(("VAT".to_string(), fig.amount(doc.vat_total)));
        }
        let several = doc.vat.len() > 1;
        for v in &doc.vat {
            let label = if several || v.net != doc.net {
                format!("VAT {}% on {}", format::percent(v.rate), fig.amount(v.net))
            } else {
                format!("VAT {}%", format::percent(v.rate))
            };
            rows.push((label, fig.amount(v.vat)));
        }
        if several {
            rows.push(("Total VAT".to_string(), fig.amount(doc.vat_total)));
        }
        let h = rows.len() as f32 * 15.0 + 34.0;
        self.s.ensure(h);
        let label_x = self.s.right - 250.0;
        let value_right = self.s.right - CELL_PAD;
        for (label, value) in rows {
            self.s.y += 15.0;
            self.s.text(label_x, self.s.y, Face::Regular, BODY, MUTED, label);
            self.s.text_right(value_right, self.s.y, Face::Regular, BODY, INK, value);
        }
        self.s.y += 8.0;
        self.s.rule(label_x - CELL_PAD, self.s.right, self.s.y, 1.0, INK);
        self.s.y += 17.0;
        let label = match doc.kind {
            DocumentKind::TaxInvoice => format!("Total {}", cur.code()),
            DocumentKind::CreditNote { .. } => format!("Total credit {}", cur.code()),
        };
        self.s.text(label_x, self.s.y, Face::Bold, 11.0, INK, label);
        self.s.text_right(value_right, self.s.y, Face::Bold, 11.0, INK, fig.amount(doc.total));
        self.s.y += 24.0;
    }

    fn payment(&mut self) {
        let doc = self.doc;
        let b = &doc.bank;
        let bank: Vec<(&str, String)> = [
            ("Bank", &b.bank_name),
            ("Account holder", &b.account_holder),
            ("Account number", &b.account_number),
            ("Branch code", &b.branch_code),
            ("SWIFT / BIC", &b.swift),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(l, v)| (l, clean(v.trim())))
        .collect();
        let content_w = self.s.right - self.s.left;
        let col_w = content_w * 0.5 - 12.0;
        let value_x = self.s.left + 88.0;
        let terms = self.s.lines(&doc.payment_terms, Face::Regular, BODY, col_w);
        if bank.is_empty() && terms.is_empty() {
            return;
        }
        let mut bank_rows: Vec<(&str, Vec<String>)> = Vec::new();
        for (label, value) in bank {
            let lines = self.s.lines(&value, Face::Regular, BODY, col_w - 88.0);
            bank_rows.push((label, lines));
        }
        if !bank_rows.is_empty() {
            bank_rows.push(("Reference", self.s.lines(&clean(&doc.number), Face::Bold, BODY, col_w - 88.0)));
        }
        let bank_h: f32 = bank_rows.iter().map(|(_, l)| l.len() as f32 * 12.0).sum();
        let h = 18.0 + bank_h.max(terms.len() as f32 * 12.0);
        self.s.ensure(h.min(self.s.bottom() - MARGIN_TOP - 40.0));
        let top = self.s.y;
        let mut y = top;
        if !bank_rows.is_empty() {
            self.s.text(self.s.left, y, Face::Bold, SMALL, MUTED, "PAYMENT DETAILS");
            y += 4.0;
            for (label, lines) in bank_rows {
                let face = if label == "Reference" { Face::Bold } else { Face::Regular };
                for (i, line) in lines.into_iter().enumerate() {
                    y += 12.0;
                    if i == 0 {
                        self.s.text(self.s.left, y, Face::Regular, BODY, MUTED, label);
                    }
                    self.s.text(value_x, y, face, BODY, INK, line);
                }
            }
        }
        let left_end = y;
        let rx = self.s.left + content_w * 0.5 + 12.0;
        let mut y = top;
        if !terms.is_empty() {
            self.s.text(rx, y, Face::Bold, SMALL, MUTED, "PAYMENT TERMS");
            y += 4.0;
            for line in terms {
                y += 12.0;
                self.s.text(rx, y, Face::Regular, BODY, INK, line);
            }
        }
        self.s.y = left_end.max(y) + 22.0;
    }

    fn notes(&mut self) {
        let content_w = self.s.right - self.s.left;
        let notes: Vec<Vec<String>> =
            self.doc.notes.iter().map(|n| self.s.lines(n, Face::Regular, TABLE, content_w)).filter(|l| !l.is_empty()).collect();
        if notes.is_empty() {
            return;
        }
        self.s.ensure(4.0 + 2.0 * TABLE_LEADING);
        self.s.text(self.s.left, self.s.y, Face::Bold, SMALL, MUTED, "NOTES");
        self.s.y += 4.0;
        for note in notes {
            for line in note {
                self.s.ensure(TABLE_LEADING);
                self.s.y += TABLE_LEADING;
                self.s.text(self.s.left, self.s.y, Face::Regular, TABLE, MUTED, line);
            }
            self.s.y += 3.0;
        }
    }

    /// "Page N of M" and the supplier on every page.
    fn footers(&mut self) {
        let m = self.s.pages.len();
        let doc = self.doc;
        let mut who = clean(doc.supplier.name.trim());
        if !doc.supplier.vat_number.trim().is_empty() {
            who = format!("{who}  \u{b7}  VAT No. {}", clean(doc.supplier.vat_number.trim()));
        }
        let who = format!("{}  \u{b7}  {}", who, title(doc));
        let max = (self.s.right - self.s.left) - 80.0;
        let who = wrap(&who, self.s.reg, SMALL, max).into_iter().next().unwrap_or_default();
        let rule_y = self.s.height - 40.0;
        let base = self.s.height - 28.0;
        let page_text: Vec<String> = (1..=m).map(|n| format!("Page {n} of {m}")).collect();
        for (i, page_no) in page_text.into_iter().enumerate() {
            let w = self.s.reg.width(&page_no, SMALL);
            let items = &mut self.s.pages[i].items;
            items.push(Item::Line { x1: self.s.left, y1: rule_y, x2: self.s.right, y2: rule_y, width: 0.5, colour: RULE });
            items.push(Item::Text { x: self.s.left, y: base, face: Face::Regular, size: SMALL, colour: MUTED, text: who.clone() });
            items.push(Item::Text { x: self.s.right - w, y: base, face: Face::Regular, size: SMALL, colour: MUTED, text: page_no });
        }
    }
}

fn amount_header(doc: &Document) -> String {
    format!("Amount {}", doc.currency.code())
}

/// Lay `doc` out in `family`; `logo` is the logo's size in pixels, if it has one.
pub(crate) fn layout(doc: &Document, family: Family, logo: Option<(u32, u32)>) -> Vec<Page> {
    let mut ctx = Ctx { doc, s: Sheet::new(doc.paper, family, title(doc), doc.customer.name.clone()) };
    ctx.header(logo);

    let fig = format::Figures::new(&doc.supplier.country, doc.currency);
    // Rows: the description and the period wrap inside their columns, measured with the font.
    let provisional: Vec<Row> = doc
        .lines
        .iter()
        .map(|l| Row {
            desc: Vec::new(),
            period: Vec::new(),
            details: l.details.iter().map(|(label, amount)| (label.clone(), fig.amount(*amount))).collect(),
            qty: fig.quantity(l.quantity),
            price: fig.unit_price(l.unit_price),
            amount: fig.amount(l.amount),
        })
        .collect();
    let cols = ctx.columns(&provisional);
    let rows: Vec<Row> = doc
        .lines
        .iter()
        .zip(provisional)
        .map(|(l, mut r)| {
            r.desc = wrap(&l.description, ctx.s.reg, TABLE, cols.desc_w - 2.0 * CELL_PAD);
            for (label, _) in &mut r.details {
                *label = wrap(label, ctx.s.reg, TABLE, cols.desc_w - 2.0 * CELL_PAD - 12.0).into_iter().next().unwrap_or_default();
            }
            if let (Some((a, b)), Some((_, pw))) = (l.period, cols.period) {
                r.period = wrap(&format::period(a, b), ctx.s.reg, TABLE, pw - 2.0 * CELL_PAD);
            }
            r
        })
        .collect();
    ctx.table(rows);
    ctx.totals();
    ctx.payment();
    ctx.notes();
    ctx.footers();
    ctx.s.pages
}
