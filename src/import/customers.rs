//! The customer file of a reseller moving in: at least
//! `name,domain,email,country,currency,vat_number,payment_terms_days`, and optionally every
//! other customer field.

use super::Table;
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

pub struct CustomerRow {
    pub line: usize,
    pub fields: CustomerFields,
}

pub fn parse(bytes: &[u8]) -> Result<Vec<CustomerRow>> {
    let t = Table::read(bytes, "customer file", ALIASES, &["name", "domain"])?;
    Ok(t.records
        .iter()
        .map(|(line, r)| CustomerRow {
            line: *line,
            fields: CustomerFields {
                name: t.opt(r, "name"),
                contact_person: t.opt(r, "contact_person"),
                email: t.opt(r, "email"),
                phone: t.opt(r, "phone"),
                address: t.opt(r, "address"),
                country: t.opt(r, "country"),
                currency: t.opt(r, "currency"),
                vat_number: t.opt(r, "vat_number"),
                tax_treatment: t.opt(r, "tax_treatment"),
                payment_terms_days: t.opt(r, "payment_terms_days"),
                credit_limit: t.opt(r, "credit_limit"),
                domain: t.opt(r, "domain"),
                tenant_id: t.opt(r, "tenant_id"),
                billing_alignment: t.opt(r, "billing_alignment"),
                notes: t.opt(r, "notes"),
                delivery: t.opt(r, "delivery"),
            },
        })
        .collect())
}
