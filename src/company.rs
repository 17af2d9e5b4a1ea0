//! The reseller's own profile: what its invoices say about it, and the defaults it bills with.

use crate::customer::{parse_country, parse_days};
use crate::error::{Error, Result};
use crate::money::{parse_percent, Currency};
use rust_decimal::Decimal;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Paper {
    A4,
    Letter,
}

impl Paper {
    pub fn parse(s: &str, field: &str) -> Result<Paper> {
        match s.trim().to_ascii_lowercase().as_str() {
            "a4" => Ok(Paper::A4),
            "letter" | "us-letter" => Ok(Paper::Letter),
            other => Err(Error::bad_value(field, format!("'{other}' is not a paper size (use a4 or letter)"))),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Paper::A4 => "a4",
            Paper::Letter => "letter",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Company {
    pub name: String,
    pub address: String,
    pub country: String,
    pub email: String,
    pub phone: String,
    pub vat_number: String,
    pub registration_number: String,
    pub bank_name: String,
    pub bank_account_holder: String,
    pub bank_account_number: String,
    pub bank_branch_code: String,
    pub bank_swift: String,
    pub logo_path: String,
    pub currency: Currency,
    /// VAT rate in percent, e.g. 15.
    pub vat_rate: Decimal,
    pub payment_terms_days: u32,
    /// Markup in percent used when no markup rule applies.
    pub default_markup: Decimal,
    /// Price-list market imported and priced from (ISO 3166), normally the company's country.
    pub market: String,
    pub invoice_number_format: String,
    pub credit_note_number_format: String,
    pub paper: Paper,
}

pub const DEFAULT_INVOICE_FORMAT: &str = "INV-{year}-{seq:05}";
pub const DEFAULT_CREDIT_NOTE_FORMAT: &str = "CN-{year}-{seq:05}";

/// Profile fields as typed; `None` means not given.
#[derive(Debug, Clone, Default)]
pub struct CompanyFields {
    pub name: Option<String>,
    pub address: Option<String>,
    pub country: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub vat_number: Option<String>,
    pub registration_number: Option<String>,
    pub bank_name: Option<String>,
    pub bank_account_holder: Option<String>,
    pub bank_account_number: Option<String>,
    pub bank_branch_code: Option<String>,
    pub bank_swift: Option<String>,
    pub logo_path: Option<String>,
    pub currency: Option<String>,
    pub vat_rate: Option<String>,
    pub payment_terms_days: Option<String>,
    pub default_markup: Option<String>,
    pub market: Option<String>,
    pub invoice_number_format: Option<String>,
    pub credit_note_number_format: Option<String>,
    pub paper: Option<String>,
}

impl CompanyFields {
    /// A first profile: name, country, currency and VAT rate are required.
    pub fn validate_new(&self) -> Result<Company> {
        for (value, field, what) in [
            (&self.name, "name", "the company's name"),
            (&self.country, "country", "the country"),
            (&self.currency, "currency", "the currency"),
            (&self.vat_rate, "vat_rate", "the VAT rate"),
        ] {
            if value.as_deref().is_none_or(|v| v.trim().is_empty()) {
                return Err(Error::invalid(field, format!("{what} is required")));
            }
        }
        let country = parse_country(self.country.as_deref().unwrap_or_default(), "country")?;
        let base = Company {
            name: String::new(),
            address: String::new(),
            country: country.clone(),
            email: String::new(),
            phone: String::new(),
            vat_number: String::new(),
            registration_number: String::new(),
            bank_name: String::new(),
            bank_account_holder: String::new(),
            bank_account_number: String::new(),
            bank_branch_code: String::new(),
            bank_swift: String::new(),
            logo_path: String::new(),
            currency: Currency::parse(self.currency.as_deref().unwrap_or_default(), "currency")?,
            vat_rate: Decimal::ZERO,
            payment_terms_days: 30,
            default_markup: Decimal::from(15),
            market: country,
            invoice_number_format: DEFAULT_INVOICE_FORMAT.into(),
            credit_note_number_format: DEFAULT_CREDIT_NOTE_FORMAT.into(),
            paper: Paper::A4,
        };
        self.apply(base)
    }

    pub fn apply(&self, mut c: Company) -> Result<Company> {
        let set = |target: &mut String, v: &Option<String>, field: &str, max: usize| -> Result<()> {
            if let Some(v) = v {
                *target = crate::customer::plain_text(v, field, max, field == "address")?;
            }
            Ok(())
        };
        set(&mut c.name, &self.name, "name", 200)?;
        if c.name.is_empty() {
            return Err(Error::invalid("name", "the company's name must not be empty"));
        }
        set(&mut c.address, &self.address, "address", 1000)?;
        set(&mut c.email, &self.email, "email", 254)?;
        set(&mut c.phone, &self.phone, "phone", 50)?;
        set(&mut c.vat_number, &self.vat_number, "vat_number", 30)?;
        set(&mut c.registration_number, &self.registration_number, "registration_number", 50)?;
        set(&mut c.bank_name, &self.bank_name, "bank_name", 100)?;
        set(&mut c.bank_account_holder, &self.bank_account_holder, "bank_account_holder", 200)?;
        set(&mut c.bank_account_number, &self.bank_account_number, "bank_account_number", 50)?;
        set(&mut c.bank_branch_code, &self.bank_branch_code, "bank_branch_code", 30)?;
        set(&mut c.bank_swift, &self.bank_swift, "bank_swift", 11)?;
        set(&mut c.logo_path, &self.logo_path, "logo", 4096)?;
        if let Some(v) = &self.country {
            c.country = parse_country(v, "country")?;
        }
        if let Some(v) = &self.market {
            c.market = parse_country(v, "market")?;
        }
        if let Some(v) = &self.currency {
            c.currency = Currency::parse(v, "currency")?;
        }
        if let Some(v) = &self.vat_rate {
            let rate = parse_percent(v, "vat_rate")?;
            if rate.is_sign_negative() || rate > Decimal::ONE_HUNDRED {
                return Err(Error::bad_value("vat_rate", format!("{rate}% is out of range (0 to 100)")));
            }
            c.vat_rate = rate;
        }
        if let Some(v) = &self.payment_terms_days {
            c.payment_terms_days = parse_days(v, "payment_terms_days")?;
        }
        if let Some(v) = &self.default_markup {
            c.default_markup = parse_percent(v, "default_markup")?;
        }
        if let Some(v) = &self.invoice_number_format {
            check_number_format(v, "invoice_format")?;
            c.invoice_number_format = v.trim().to_string();
        }
        if let Some(v) = &self.credit_note_number_format {
            check_number_format(v, "credit_note_format")?;
            c.credit_note_number_format = v.trim().to_string();
        }
        if let Some(v) = &self.paper {
            c.paper = Paper::parse(v, "paper")?;
        }
        Ok(c)
    }
}

/// A number format holds `{seq}` or `{seq:0N}` once, optionally `{year}`, and other plain text.
pub fn check_number_format(fmt: &str, field: &str) -> Result<()> {
    let t = fmt.trim();
    let mut rest = t;
    let mut seqs = 0;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').ok_or_else(|| Error::bad_value(field, format!("'{t}' has an unclosed '{{'")))?;
        let token = &rest[open + 1..open + close];
        match token {
            "year" => {}
            "seq" => seqs += 1,
            s if s.starts_with("seq:") && s[4..].parse::<u8>().is_ok_and(|w| (1..=12).contains(&w)) => seqs += 1,
            other => return Err(Error::invalid(field, format!("unknown placeholder {{{other}}} (use {{year}}, {{seq}} or {{seq:05}})"))),
        }
        rest = &rest[open + close + 1..];
    }
    if seqs != 1 {
        return Err(Error::bad_value(field, format!("'{t}' must contain {{seq}} (or {{seq:05}}) exactly once")));
    }
    if t.len() > 40 || t.chars().any(|c| c.is_control()) {
        return Err(Error::bad_value(field, format!("'{t}' is too long or has control characters")));
    }
    Ok(())
}

/// The document number for `year` and sequence number `seq` under a checked format.
pub fn format_number(fmt: &str, year: i32, seq: u64) -> String {
    let mut out = String::new();
    let mut rest = fmt;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = open + rest[open..].find('}').expect("checked format");
        let token = &rest[open + 1..close];
        match token {
            "year" => out.push_str(&year.to_string()),
            "seq" => out.push_str(&seq.to_string()),
            s => {
                let width: usize = s[4..].parse().expect("checked format");
                out.push_str(&format!("{seq:0width$}"));
            }
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_formats() {
        assert_eq!(format_number(DEFAULT_INVOICE_FORMAT, 2026, 7), "INV-2026-00007");
        assert_eq!(format_number("{year}/{seq}", 2027, 123), "2027/123");
        assert!(check_number_format(DEFAULT_CREDIT_NOTE_FORMAT, "f").is_ok());
        assert!(check_number_format("INV-{year}", "f").is_err());
        assert!(check_number_format("INV-{seq}-{seq}", "f").is_err());
        assert!(check_number_format("INV-{month}-{seq}", "f").is_err());
        assert!(check_number_format("INV-{seq", "f").is_err());
    }

    #[test]
    fn init_requires_the_essentials() {
        let e = CompanyFields { name: Some("Reseller".into()), ..Default::default() }.validate_new().unwrap_err();
        assert_eq!(e.field.as_deref(), Some("country"));
        let c = CompanyFields {
            name: Some("Cloudwise (Pty) Ltd".into()),
            country: Some("za".into()),
            currency: Some("zar".into()),
            vat_rate: Some("15".into()),
            ..Default::default()
        }
        .validate_new()
        .unwrap();
        assert_eq!((c.country.as_str(), c.market.as_str(), c.currency.code()), ("ZA", "ZA", "ZAR"));
        assert_eq!(c.vat_rate, Decimal::from(15));
        assert_eq!(c.invoice_number_format, "INV-{year}-{seq:05}");
    }
}
