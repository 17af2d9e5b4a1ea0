//! The company profile: one row.

use super::{col, Store};
use crate::company::{Company, CompanyFields, Paper};
use crate::error::{Error, ErrorCode, Result};
use rusqlite::{params, OptionalExtension, Row};

fn company_from_row(r: &Row) -> rusqlite::Result<Company> {
    Ok(Company {
        name: r.get("name")?,
        address: r.get("address")?,
        country: r.get("country")?,
        email: r.get("email")?,
        phone: r.get("phone")?,
        vat_number: r.get("vat_number")?,
        registration_number: r.get("registration_number")?,
        bank_name: r.get("bank_name")?,
        bank_account_holder: r.get("bank_account_holder")?,
        bank_account_number: r.get("bank_account_number")?,
        bank_branch_code: r.get("bank_branch_code")?,
        bank_swift: r.get("bank_swift")?,
        logo_path: r.get("logo_path")?,
        currency: col::currency(r, "currency")?,
        vat_rate: col::dec(r, "vat_rate")?,
        payment_terms_days: r.get("payment_terms_days")?,
        default_markup: col::dec(r, "default_markup")?,
        market: r.get("market")?,
        invoice_number_format: r.get("invoice_number_format")?,
        credit_note_number_format: r.get("credit_note_number_format")?,
        paper: col::parse_with(r, "paper", |s| Paper::parse(s, "paper").ok())?,
    })
}

impl Store {
    /// The profile, or `None` before `seatbook init`.
    pub fn company_opt(&self) -> Result<Option<Company>> {
        Ok(self.conn.prepare_cached("SELECT * FROM company WHERE id = 1")?.query_row([], company_from_row).optional()?)
    }

    /// The profile; an error saying Seatbook is not set up yet (with a hint to set it up) if there is none.
    pub fn company(&self) -> Result<Company> {
        self.company_opt()?
            .ok_or_else(|| Error::new(ErrorCode::InvalidInput, "Seatbook is not set up yet").with_hint(crate::error::Hint::SetUp))
    }

    /// First set-up of the profile.
    pub fn init_company(&mut self, fields: &CompanyFields) -> Result<Company> {
        self.write(|tx| {
            if tx.company_opt()?.is_some() {
                return Err(Error::conflict("init", "Seatbook is already set up").with_hint(crate::error::Hint::ChangeProfile));
            }
            let company = fields.validate_new()?;
            write_company(&tx.conn, &company)?;
            Ok(company)
        })
    }

    pub fn update_company(&mut self, fields: &CompanyFields) -> Result<Company> {
        self.write(|tx| {
            let company = fields.apply(tx.company()?)?;
            write_company(&tx.conn, &company)?;
            Ok(company)
        })
    }
}

fn write_company(conn: &rusqlite::Connection, c: &Company) -> Result<()> {
    conn.execute(
        "INSERT INTO company (id, name, address, country, email, phone, vat_number, registration_number,
            bank_name, bank_account_holder, bank_account_number, bank_branch_code, bank_swift, logo_path,
            currency, vat_rate, payment_terms_days, default_markup, market, invoice_number_format,
            credit_note_number_format, paper)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, address = excluded.address, country = excluded.country,
            email = excluded.email, phone = excluded.phone, vat_number = excluded.vat_number,
            registration_number = excluded.registration_number, bank_name = excluded.bank_name,
            bank_account_holder = excluded.bank_account_holder, bank_account_number = excluded.bank_account_number,
            bank_branch_code = excluded.bank_branch_code, bank_swift = excluded.bank_swift, logo_path = excluded.logo_path,
            currency = excluded.currency, vat_rate = excluded.vat_rate, payment_terms_days = excluded.payment_terms_days,
            default_markup = excluded.default_markup, market = excluded.market,
            invoice_number_format = excluded.invoice_number_format,
            credit_note_number_format = excluded.credit_note_number_format, paper = excluded.paper",
        params![
            c.name,
            c.address,
            c.country,
            c.email,
            c.phone,
            c.vat_number,
            c.registration_number,
            c.bank_name,
            c.bank_account_holder,
            c.bank_account_number,
            c.bank_branch_code,
            c.bank_swift,
            c.logo_path,
            c.currency.code(),
            c.vat_rate.to_string(),
            c.payment_terms_days,
            c.default_markup.to_string(),
            c.market,
            c.invoice_number_format,
            c.credit_note_number_format,
            c.paper.as_str(),
        ],
    )?;
    Ok(())
}
