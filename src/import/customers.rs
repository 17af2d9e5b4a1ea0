//! The customer file of a reseller moving in: at least
//! `name,domain,email,country,currency,vat_number,payment_terms_days`, and optionally every
//! other customer field.

use super::rows::{RawRow, RowReader, Spec};
use crate::customer::CustomerFields;
use crate::error::Result;

const ALIASES: &[(&str, &[&str])] = &[
    ("name", &["name", "legal_name", "customer", "customer_name", "company"]),
    ("domain", &["domain", "tenant_domain", "customer_domain"]),
    ("email", &["email", "e-mail"]),
    ("country", &["country"]),
    ("currency", &["currency"]),
    ("vat_number", &["vat_number", "vat", "vat_no"]),
    ("payment_terms_days", &["payment_terms_days", "payment_terms", "terms"]),
    ("contact_person", &["contact_person", "contact"]),
    ("phone", &["phone", "telephone"]),
    ("address", &["address", "billing_address"]),
    ("tax_treatment", &["tax_treatment"]),
    ("credit_limit", &["credit_limit"]),
    ("tenant_id", &["tenant_id"]),
    ("billing_alignment", &["billing_alignment", "alignment"]),
    ("notes", &["notes"]),
    ("delivery", &["delivery"]),
];

/// How a customer file is read.
pub static SPEC: Spec = Spec {
    what: "customer file",
    question: "is this a customer file with a name and a domain for each customer?",
    columns: ALIASES,
    required: &["name", "domain"],
};

#[derive(Debug, Clone)]
pub struct CustomerRow {
    pub line: usize,
    pub fields: CustomerFields,
}

/// A customer file's rows, read one at a time (never the whole file at once): each row's fields
/// as typed, or the line and why it cannot be read.
pub struct Rows(RowReader);

impl Rows {
    pub fn new(input: impl std::io::Read + 'static) -> Result<Rows> {
        Ok(Rows(RowReader::new(input, &SPEC)?))
    }
}

impl Iterator for Rows {
    type Item = std::result::Result<CustomerRow, (usize, String)>;

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next_row().map(|r| r.map(|raw| row(&raw)))
    }
}

fn row(r: &RawRow<'_>) -> CustomerRow {
    CustomerRow {
        line: r.line,
        fields: CustomerFields {
            name: r.opt("name"),
            contact_person: r.opt("contact_person"),
            email: r.opt("email"),
            phone: r.opt("phone"),
            address: r.opt("address"),
            country: r.opt("country"),
            currency: r.opt("currency"),
            vat_number: r.opt("vat_number"),
            tax_treatment: r.opt("tax_treatment"),
            payment_terms_days: r.opt("payment_terms_days"),
            credit_limit: r.opt("credit_limit"),
            domain: r.opt("domain"),
            tenant_id: r.opt("tenant_id"),
            billing_alignment: r.opt("billing_alignment"),
            notes: r.opt("notes"),
            delivery: r.opt("delivery"),
        },
    }
}

/// Every row of a customer file held in memory (tests and benchmarks build books with it); a
/// line that cannot be read refuses the file.
pub fn parse(bytes: &[u8]) -> Result<Vec<CustomerRow>> {
    let mut problems = crate::error::LineProblems::new("customer file");
    let mut rows = Vec::new();
    for r in Rows::new(std::io::Cursor::new(bytes.to_vec()))? {
        match r {
            Ok(row) => rows.push(row),
            Err((line, p)) => problems.push(line, p),
        }
    }
    problems.into_result()?;
    Ok(rows)
}
