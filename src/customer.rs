//! Customers: who the reseller bills. Validation turns what a user or a CSV file typed into a
//! `CustomerInput` whose every field is known good, naming the field when it is not.

use crate::error::{Error, Result};
use crate::money::Currency;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TaxTreatment {
    /// VAT at the company's rate.
    Standard,
    /// VAT at 0 % (e.g. exports, reverse charge).
    ZeroRated,
    /// Outside VAT altogether.
    Exempt,
}

impl TaxTreatment {
    pub fn parse(s: &str, field: &str) -> Result<TaxTreatment> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "standard" | "" => Ok(TaxTreatment::Standard),
            "zero-rated" | "zero" => Ok(TaxTreatment::ZeroRated),
            "exempt" => Ok(TaxTreatment::Exempt),
            other => Err(Error::bad_value(field, format!("'{other}' is not a tax treatment (use standard, zero-rated or exempt)"))),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            TaxTreatment::Standard => "standard",
            TaxTreatment::ZeroRated => "zero-rated",
            TaxTreatment::Exempt => "exempt",
        }
    }
}

/// How a customer's monthly charges are cut into periods (DOMAIN §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BillingAlignment {
    /// Microsoft's anniversary cycles, anchored on each subscription's start (the default).
    Microsoft,
    /// Calendar months: a prorated first and last month, whole months between.
    Calendar,
}

impl BillingAlignment {
    pub fn parse(s: &str, field: &str) -> Result<BillingAlignment> {
        match s.trim().to_ascii_lowercase().as_str() {
            "microsoft" | "anniversary" | "" => Ok(BillingAlignment::Microsoft),
            "calendar" => Ok(BillingAlignment::Calendar),
            other => Err(Error::bad_value(field, format!("'{other}' is not a billing alignment (use microsoft or calendar)"))),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            BillingAlignment::Microsoft => "microsoft",
            BillingAlignment::Calendar => "calendar",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Customer {
    pub id: i64,
    pub name: String,
    pub contact_person: String,
    pub email: String,
    pub phone: String,
    pub address: String,
    pub country: String,
    pub currency: Currency,
    pub vat_number: String,
    pub tax_treatment: TaxTreatment,
    pub payment_terms_days: u32,
    pub credit_limit: Option<Decimal>,
    pub domain: String,
    pub tenant_id: String,
    pub billing_alignment: BillingAlignment,
    pub notes: String,
    /// E-mail (to the billing addresses in `email`) or paper.
    pub delivery: crate::mail::Delivery,
    /// `None` while the customer is open.
    pub closed_on: Option<NaiveDate>,
}

/// Every field of a customer, validated. Used for add, for import, and (merged with the stored
/// customer) for update.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerInput {
    pub name: String,
    pub contact_person: String,
    pub email: String,
    pub phone: String,
    pub address: String,
    pub country: String,
    pub currency: Currency,
    pub vat_number: String,
    pub tax_treatment: TaxTreatment,
    pub payment_terms_days: u32,
    pub credit_limit: Option<Decimal>,
    pub domain: String,
    pub tenant_id: String,
    pub billing_alignment: BillingAlignment,
    pub notes: String,
    pub delivery: crate::mail::Delivery,
}

impl CustomerInput {
    /// The customer these fields make, once written as `id` (open).
    pub fn into_customer(self, id: i64) -> Customer {
        Customer {
            id,
            name: self.name,
            contact_person: self.contact_person,
            email: self.email,
            phone: self.phone,
            address: self.address,
            country: self.country,
            currency: self.currency,
            vat_number: self.vat_number,
            tax_treatment: self.tax_treatment,
            payment_terms_days: self.payment_terms_days,
            // As the book keeps it: in the currency's minor units.
            credit_limit: self.credit_limit.map(|l| self.currency.from_minor(self.currency.to_minor(l))),
            domain: self.domain,
            tenant_id: self.tenant_id,
            billing_alignment: self.billing_alignment,
            notes: self.notes,
            delivery: self.delivery,
            closed_on: None,
        }
    }

    pub fn from_customer(c: &Customer) -> CustomerInput {
        CustomerInput {
            name: c.name.clone(),
            contact_person: c.contact_person.clone(),
            email: c.email.clone(),
            phone: c.phone.clone(),
            address: c.address.clone(),
            country: c.country.clone(),
            currency: c.currency,
            vat_number: c.vat_number.clone(),
            tax_treatment: c.tax_treatment,
            payment_terms_days: c.payment_terms_days,
            credit_limit: c.credit_limit,
            domain: c.domain.clone(),
            tenant_id: c.tenant_id.clone(),
            billing_alignment: c.billing_alignment,
            notes: c.notes.clone(),
            delivery: c.delivery,
        }
    }
}

/// Field values as typed (all optional strings), before validation. `None` means "not given".
/// The desktop app's customer form sends exactly these (missing fields are `None`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct CustomerFields {
    pub name: Option<String>,
    pub contact_person: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub country: Option<String>,
    pub currency: Option<String>,
    pub vat_number: Option<String>,
    pub tax_treatment: Option<String>,
    pub payment_terms_days: Option<String>,
    pub credit_limit: Option<String>,
    pub domain: Option<String>,
    pub tenant_id: Option<String>,
    pub billing_alignment: Option<String>,
    pub notes: Option<String>,
    /// `email` or `paper`.
    pub delivery: Option<String>,
}

/// Defaults for a new customer, from the company profile.
#[derive(Debug, Clone)]
pub struct CustomerDefaults {
    pub country: String,
    pub currency: Currency,
    pub payment_terms_days: u32,
}

impl CustomerFields {
    /// Validate a new customer. Fields not given take the company's defaults where there is one.
    /// Errors name the field by its key (`name`, `tenant_id`), which is also the CSV column's.
    pub fn validate_new(&self, defaults: &CustomerDefaults) -> Result<CustomerInput> {
        let base = CustomerInput {
            name: String::new(),
            contact_person: String::new(),
            email: String::new(),
            phone: String::new(),
            address: String::new(),
            country: defaults.country.clone(),
            currency: defaults.currency,
            vat_number: String::new(),
            tax_treatment: TaxTreatment::Standard,
            payment_terms_days: defaults.payment_terms_days,
            credit_limit: None,
            domain: String::new(),
            tenant_id: String::new(),
            billing_alignment: BillingAlignment::Microsoft,
            notes: String::new(),
            delivery: crate::mail::Delivery::Email,
        };
        if self.name.as_deref().is_none_or(|n| n.trim().is_empty()) {
            return Err(Error::invalid("name", "a name is required"));
        }
        if self.domain.as_deref().is_none_or(|n| n.trim().is_empty()) {
            return Err(Error::invalid(
                "domain",
                "a domain is required (the customer's Microsoft tenant domain, e.g. contoso.onmicrosoft.com)",
            ));
        }
        self.apply(base)
    }

    /// Apply the given fields over `base`, validating each.
    pub fn apply(&self, mut c: CustomerInput) -> Result<CustomerInput> {
        let text = |v: &Option<String>, max: usize, key: &str| -> Result<Option<String>> {
            match v {
                None => Ok(None),
                Some(s) => Ok(Some(plain_text(s, key, max, matches!(key, "address" | "notes"))?)),
            }
        };
        if let Some(v) = text(&self.name, 200, "name")? {
            if v.is_empty() {
                return Err(Error::invalid("name", "the name must not be empty"));
            }
            c.name = v;
        }
        if let Some(v) = text(&self.contact_person, 200, "contact_person")? {
            c.contact_person = v;
        }
        // One or more billing addresses, separated by commas.
        if let Some(v) = text(&self.email, 1000, "email")? {
            c.email = crate::mail::parse_addresses(&v, "email")?.join(", ");
        }
        if let Some(v) = text(&self.phone, 50, "phone")? {
            c.phone = v;
        }
        if let Some(v) = text(&self.address, 1000, "address")? {
            c.address = v;
        }
        if let Some(v) =
            text(&self.country, 2, "country").map_err(|_| Error::bad_value("country", "use a two-letter ISO 3166 code such as ZA"))?
        {
            if !v.is_empty() {
                c.country = parse_country(&v, "country")?;
            }
        }
        if let Some(v) = &self.currency {
            if !v.trim().is_empty() {
                c.currency = Currency::parse(v, "currency")?;
            }
        }
        if let Some(v) = text(&self.vat_number, 30, "vat_number")? {
            c.vat_number = v.to_uppercase();
        }
        if let Some(v) = &self.tax_treatment {
            c.tax_treatment = TaxTreatment::parse(v, "tax_treatment")?;
        }
        if let Some(v) = &self.payment_terms_days {
            if !v.trim().is_empty() {
                c.payment_terms_days = parse_days(v, "payment_terms_days")?;
            }
        }
        if let Some(v) = &self.credit_limit {
            c.credit_limit = if v.trim().is_empty() { None } else { Some(crate::money::parse_price(v, "credit_limit")?) };
        }
        if let Some(v) = text(&self.domain, 253, "domain")? {
            let v = v.to_ascii_lowercase();
            if !is_domain(&v) {
                return Err(Error::bad_value("domain", format!("'{v}' is not a domain name (e.g. contoso.onmicrosoft.com)")));
            }
            c.domain = v;
        }
        if let Some(v) = text(&self.tenant_id, 36, "tenant_id")
            .map_err(|_| Error::bad_value("tenant_id", "a tenant id is a GUID such as 6f1b2c3d-0000-4000-8000-1234567890ab"))?
        {
            if !v.is_empty() && !is_guid(&v) {
                return Err(Error::bad_value("tenant_id", format!("'{v}' is not a GUID such as 6f1b2c3d-0000-4000-8000-1234567890ab")));
            }
            c.tenant_id = v.to_ascii_lowercase();
        }
        if let Some(v) = &self.billing_alignment {
            c.billing_alignment = BillingAlignment::parse(v, "billing_alignment")?;
        }
        if let Some(v) = text(&self.notes, 10_000, "notes")? {
            c.notes = v;
        }
        if let Some(v) = &self.delivery {
            c.delivery = crate::mail::Delivery::parse(v, "delivery")?;
        }
        Ok(c)
    }
}

/// Free text as typed (a name, an address, a note): trimmed, at most `max` characters, and with
/// nothing a printer, a journal or a terminal would take as a command: no control character
/// (a line break only where `multiline`), no escape, no bidirectional override.
pub fn plain_text(value: &str, field: &str, max: usize, multiline: bool) -> Result<String> {
    let normalised = if multiline { value.replace("\r\n", "\n") } else { value.to_string() };
    let t = normalised.trim();
    check_plain(t, field, max, multiline)?;
    Ok(t.to_string())
}

/// What `plain_text` checks, without copying the text (imports of a hundred thousand lines).
pub fn check_plain(t: &str, field: &str, max: usize, multiline: bool) -> Result<()> {
    if t.len() > max && t.chars().count() > max {
        return Err(Error::bad_value(field, format!("longer than {max} characters")));
    }
    // Printable ASCII, the common case, in one pass over the bytes.
    if t.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Ok(());
    }
    let bidi = |c: char| matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}');
    // Characters that show as nothing: a zero-width space, word joiner or byte-order mark makes
    // two names that look the same differ (a search or a domain match misses it). The zero-width
    // joiner and non-joiner stay: scripts (Persian, Indic) and emoji need them.
    let invisible = |c: char| matches!(c, '\u{200b}' | '\u{2060}' | '\u{feff}' | '\u{180e}' | '\u{00ad}');
    if let Some(c) = t.chars().find(|&c| (c.is_control() && !(multiline && c == '\n')) || bidi(c) || invisible(c)) {
        let what = if bidi(c) {
            "a text-direction mark"
        } else if invisible(c) {
            "an invisible character"
        } else if c == '\n' || c == '\r' {
            "a line break"
        } else {
            "a control character"
        };
        return Err(Error::bad_value(field, format!("contains {what} (U+{:04X}); type it without", c as u32)));
    }
    Ok(())
}

pub fn parse_days(v: &str, field: &str) -> Result<u32> {
    v.trim()
        .parse::<u32>()
        .ok()
        .filter(|d| *d <= 365)
        .ok_or_else(|| Error::bad_value(field, format!("'{}' is not a number of days (0 to 365)", v.trim())))
}

fn is_domain(s: &str) -> bool {
    s.contains('.')
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

pub fn is_guid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5 && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// ISO 3166-1 alpha-2 codes.
const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW XK";

pub fn parse_country(s: &str, field: &str) -> Result<String> {
    let code = s.trim().to_ascii_uppercase();
    if code.len() == 2 && COUNTRIES.split(' ').any(|c| c == code) {
        Ok(code)
    } else {
        Err(Error::bad_value(field, format!("'{}' is not an ISO 3166 country code (e.g. ZA, GB, DE)", s.trim())))
    }
}

/// One entry in a customer's contact log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContactEntry {
    pub id: i64,
    pub customer_id: i64,
    pub date: NaiveDate,
    pub channel: String,
    pub summary: String,
}

pub const CHANNELS: [&str; 6] = ["phone", "email", "meeting", "chat", "ticket", "other"];

pub fn parse_channel(s: &str, field: &str) -> Result<String> {
    let c = s.trim().to_ascii_lowercase();
    if CHANNELS.contains(&c.as_str()) {
        Ok(c)
    } else {
        Err(Error::bad_value(field, format!("'{}' is not a channel (use {})", s.trim(), CHANNELS.join(", "))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> CustomerDefaults {
        CustomerDefaults { country: "ZA".into(), currency: Currency::parse("ZAR", "c").unwrap(), payment_terms_days: 30 }
    }

    #[test]
    fn new_customer_takes_company_defaults() {
        let f = CustomerFields { name: Some(" Acme (Pty) Ltd ".into()), domain: Some("Acme.onmicrosoft.com".into()), ..Default::default() };
        let c = f.validate_new(&defaults()).unwrap();
        assert_eq!(c.name, "Acme (Pty) Ltd");
        assert_eq!(c.domain, "acme.onmicrosoft.com");
        assert_eq!((c.country.as_str(), c.currency.code(), c.payment_terms_days), ("ZA", "ZAR", 30));
    }

    #[test]
    fn each_bad_field_is_named() {
        let base = CustomerFields { name: Some("A".into()), domain: Some("a.onmicrosoft.com".into()), ..Default::default() };
        let cases: Vec<(CustomerFields, &str)> = vec![
            (CustomerFields { email: Some("nobody".into()), ..base.clone() }, "email"),
            (CustomerFields { country: Some("ZZ".into()), ..base.clone() }, "country"),
            (CustomerFields { country: Some("ZAF".into()), ..base.clone() }, "country"),
            (CustomerFields { currency: Some("RAND".into()), ..base.clone() }, "currency"),
            (CustomerFields { payment_terms_days: Some("-3".into()), ..base.clone() }, "payment_terms_days"),
            (CustomerFields { credit_limit: Some("lots".into()), ..base.clone() }, "credit_limit"),
            (CustomerFields { domain: Some("not a domain".into()), ..base.clone() }, "domain"),
            (CustomerFields { tenant_id: Some("1234".into()), ..base.clone() }, "tenant_id"),
            (CustomerFields { tax_treatment: Some("free".into()), ..base.clone() }, "tax_treatment"),
            (CustomerFields { billing_alignment: Some("weekly".into()), ..base.clone() }, "billing_alignment"),
            (CustomerFields { name: None, ..base.clone() }, "name"),
        ];
        for (fields, field) in cases {
            let e = fields.validate_new(&defaults()).unwrap_err();
            assert_eq!(e.field.as_deref(), Some(field), "{}", e.message);
        }
    }
}
