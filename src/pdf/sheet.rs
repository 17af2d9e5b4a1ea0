//! The page machinery every printed document shares (invoices, credit notes, statements,
//! reminder letters): the fonts' metrics, the margins, text and rules placed on the current
//! page, wrapping, and a new page with a one-line running head when the content reaches the
//! bottom margin.

use super::fonts::{self, Face, FaceMetrics, Family};
use super::page::{clean, page_size, wrap, Colour, Item, Page, ACCENT, MUTED};
use super::Party;
use crate::company::Paper;

pub(super) const MARGIN_X: f32 = 45.0;
pub(super) const MARGIN_TOP: f32 = 42.0;
/// Nothing but the footer goes below this distance from the bottom edge.
pub(super) const MARGIN_BOTTOM: f32 = 58.0;
pub(super) const BODY: f32 = 9.0;
pub(super) const SMALL: f32 = 7.5;
pub(super) const TABLE: f32 = 8.5;
pub(super) const TABLE_LEADING: f32 = 11.0;
pub(super) const CELL_PAD: f32 = 5.0;
pub(super) const RULE: Colour = (0.80, 0.82, 0.85);
pub(super) const HEADER_FILL: Colour = (0.93, 0.94, 0.96);

pub(super) struct Sheet {
    pub(super) reg: &'static FaceMetrics,
    pub(super) bold: &'static FaceMetrics,
    pub(super) width: f32,
    pub(super) height: f32,
    pub(super) left: f32,
    pub(super) right: f32,
    pub(super) pages: Vec<Page>,
    /// Where the next content goes, from the page's top.
    pub(super) y: f32,
    /// Repeated at the top of every page after the first: the document's title and whose it is.
    running: String,
    customer: String,
}

impl Sheet {
    /// A sheet with its first page open.
    pub(super) fn new(paper: Paper, family: Family, running: String, customer: String) -> Sheet {
        let (width, height) = page_size(paper);
        let mut s = Sheet {
            reg: fonts::metrics(family, Face::Regular),
            bold: fonts::metrics(family, Face::Bold),
            width,
            height,
            left: MARGIN_X,
            right: width - MARGIN_X,
            pages: Vec::new(),
            y: MARGIN_TOP,
            running,
            customer,
        };
        s.new_page();
        s
    }

    pub(super) fn m(&self, face: Face) -> &'static FaceMetrics {
        match face {
            Face::Regular => self.reg,
            Face::Bold => self.bold,
        }
    }

    pub(super) fn items(&mut self) -> &mut Vec<Item> {
        &mut self.pages.last_mut().expect("a page is open").items
    }

    /// A line of text with its baseline at `y`, as printed (see `clean`).
    pub(super) fn text(&mut self, x: f32, y: f32, face: Face, size: f32, colour: Colour, text: impl Into<String>) {
        let text = clean(&text.into());
        if !text.is_empty() {
            self.items().push(Item::Text { x, y, face, size, colour, text });
        }
    }

    pub(super) fn text_right(&mut self, right: f32, y: f32, face: Face, size: f32, colour: Colour, text: impl Into<String>) {
        let text = clean(&text.into());
        let w = self.m(face).width(&text, size);
        self.text(right - w, y, face, size, colour, text);
    }

    pub(super) fn rule(&mut self, x1: f32, x2: f32, y: f32, width: f32, colour: Colour) {
        self.items().push(Item::Line { x1, y1: y, x2, y2: y, width, colour });
    }

    /// A rule from margin to margin.
    pub(super) fn rule_across(&mut self, y: f32, width: f32, colour: Colour) {
        let (x1, x2) = (self.left, self.right);
        self.rule(x1, x2, y, width, colour);
    }

    pub(super) fn bottom(&self) -> f32 {
        self.height - MARGIN_BOTTOM
    }

    pub(super) fn new_page(&mut self) {
        self.pages.push(Page { width: self.width, height: self.height, items: Vec::new() });
        self.y = MARGIN_TOP;
    }

    /// A page after the first: a one-line reminder of what this is and whose.
    pub(super) fn continuation_page(&mut self) {
        self.new_page();
        let base = self.y + 10.0;
        let running = self.running.clone();
        self.text(self.left, base, Face::Bold, 10.0, ACCENT, running);
        let max = (self.right - self.left) * 0.5;
        let name = wrap(&clean(&self.customer), self.reg, BODY, max).into_iter().next().unwrap_or_default();
        self.text_right(self.right, base, Face::Regular, BODY, MUTED, name);
        self.rule_across(base + 6.0, 0.5, RULE);
        self.y = base + 20.0;
    }

    /// Start a new page unless `h` more points fit on this one; true if it did.
    pub(super) fn ensure(&mut self, h: f32) -> bool {
        if self.y + h > self.bottom() {
            self.continuation_page();
            true
        } else {
            false
        }
    }

    /// Lines of a block of text at `size`, each wrapped to `max`.
    pub(super) fn lines(&self, text: &str, face: Face, size: f32, max: f32) -> Vec<String> {
        if text.trim().is_empty() {
            return Vec::new();
        }
        wrap(text, self.m(face), size, max)
    }

    /// A party's address, country, VAT and registration numbers, and (if asked) email and phone.
    pub(super) fn party_lines(&self, p: &Party, max: f32, with_contact: bool) -> Vec<String> {
        let mut out = self.lines(&p.address, Face::Regular, BODY, max);
        out.extend(self.lines(&p.country, Face::Regular, BODY, max));
        if !p.vat_number.trim().is_empty() {
            out.extend(self.lines(&format!("VAT No. {}", p.vat_number.trim()), Face::Regular, BODY, max));
        }
        if !p.registration_number.trim().is_empty() {
            out.extend(self.lines(&format!("Reg. No. {}", p.registration_number.trim()), Face::Regular, BODY, max));
        }
        if with_contact {
            let contact: Vec<&str> = [p.email.trim(), p.phone.trim()].into_iter().filter(|s| !s.is_empty()).collect();
            if !contact.is_empty() {
                out.extend(self.lines(&contact.join("  \u{b7}  "), Face::Regular, BODY, max));
            }
        }
        out
    }
}
