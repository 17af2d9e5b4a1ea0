//! Money: exact decimals, ISO 4217 currencies with their minor units, and the one rounding rule
//! (half away from zero, once per line — DOMAIN §4). Nothing here is ever a float.

use crate::error::{Error, Result};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// An ISO 4217 currency code known to Seatbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency {
    code: [u8; 3],
    /// Digits after the decimal point, looked up once when the code is parsed.
    minor: u8,
}

/// Active ISO 4217 codes and their minor units (digits after the decimal point).
const CURRENCIES: &[(&str, u32)] = &[
    ("AED", 2),
    ("AFN", 2),
    ("ALL", 2),
    ("AMD", 2),
    ("ANG", 2),
    ("AOA", 2),
    ("ARS", 2),
    ("AUD", 2),
    ("AWG", 2),
    ("AZN", 2),
    ("BAM", 2),
    ("BBD", 2),
    ("BDT", 2),
    ("BGN", 2),
    ("BHD", 3),
    ("BIF", 0),
    ("BMD", 2),
    ("BND", 2),
    ("BOB", 2),
    ("BRL", 2),
    ("BSD", 2),
    ("BTN", 2),
    ("BWP", 2),
    ("BYN", 2),
    ("BZD", 2),
    ("CAD", 2),
    ("CDF", 2),
    ("CHF", 2),
    ("CLP", 0),
    ("CNY", 2),
    ("COP", 2),
    ("CRC", 2),
    ("CUP", 2),
    ("CVE", 2),
    ("CZK", 2),
    ("DJF", 0),
    ("DKK", 2),
    ("DOP", 2),
    ("DZD", 2),
    ("EGP", 2),
    ("ERN", 2),
    ("ETB", 2),
    ("EUR", 2),
    ("FJD", 2),
    ("FKP", 2),
    ("GBP", 2),
    ("GEL", 2),
    ("GHS", 2),
    ("GIP", 2),
    ("GMD", 2),
    ("GNF", 0),
    ("GTQ", 2),
    ("GYD", 2),
    ("HKD", 2),
    ("HNL", 2),
    ("HTG", 2),
    ("HUF", 2),
    ("IDR", 2),
    ("ILS", 2),
    ("INR", 2),
    ("IQD", 3),
    ("IRR", 2),
    ("ISK", 0),
    ("JMD", 2),
    ("JOD", 3),
    ("JPY", 0),
    ("KES", 2),
    ("KGS", 2),
    ("KHR", 2),
    ("KMF", 0),
    ("KPW", 2),
    ("KRW", 0),
    ("KWD", 3),
    ("KYD", 2),
    ("KZT", 2),
    ("LAK", 2),
    ("LBP", 2),
    ("LKR", 2),
    ("LRD", 2),
    ("LSL", 2),
    ("LYD", 3),
    ("MAD", 2),
    ("MDL", 2),
    ("MGA", 2),
    ("MKD", 2),
    ("MMK", 2),
    ("MNT", 2),
    ("MOP", 2),
    ("MRU", 2),
    ("MUR", 2),
    ("MVR", 2),
    ("MWK", 2),
    ("MXN", 2),
    ("MYR", 2),
    ("MZN", 2),
    ("NAD", 2),
    ("NGN", 2),
    ("NIO", 2),
    ("NOK", 2),
    ("NPR", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PAB", 2),
    ("PEN", 2),
    ("PGK", 2),
    ("PHP", 2),
    ("PKR", 2),
    ("PLN", 2),
    ("PYG", 0),
    ("QAR", 2),
    ("RON", 2),
    ("RSD", 2),
    ("RUB", 2),
    ("RWF", 0),
    ("SAR", 2),
    ("SBD", 2),
    ("SCR", 2),
    ("SDG", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("SHP", 2),
    ("SLE", 2),
    ("SOS", 2),
    ("SRD", 2),
    ("SSP", 2),
    ("STN", 2),
    ("SVC", 2),
    ("SYP", 2),
    ("SZL", 2),
    ("THB", 2),
    ("TJS", 2),
    ("TMT", 2),
    ("TND", 3),
    ("TOP", 2),
    ("TRY", 2),
    ("TTD", 2),
    ("TWD", 2),
    ("TZS", 2),
    ("UAH", 2),
    ("UGX", 0),
    ("USD", 2),
    ("UYU", 2),
    ("UZS", 2),
    ("VES", 2),
    ("VND", 0),
    ("VUV", 0),
    ("WST", 2),
    ("XAF", 0),
    ("XCD", 2),
    ("XOF", 0),
    ("XPF", 0),
    ("YER", 2),
    ("ZAR", 2),
    ("ZMW", 2),
    ("ZWG", 2),
];

impl Currency {
    /// Parse a code such as `ZAR` or `usd`; `field` names the flag or column for the error.
    pub fn parse(s: &str, field: &str) -> Result<Currency> {
        let code = s.trim().to_ascii_uppercase();
        match CURRENCIES.binary_search_by(|(c, _)| (*c).cmp(code.as_str())) {
            Ok(i) => {
                let b = code.as_bytes();
                Ok(Currency { code: [b[0], b[1], b[2]], minor: CURRENCIES[i].1 as u8 })
            }
            Err(_) => Err(Error::bad_value(field, format!("'{}' is not an ISO 4217 currency code", s.trim()))),
        }
    }

    pub fn code(&self) -> &str {
        std::str::from_utf8(&self.code).expect("currency codes are ASCII")
    }

    /// Digits after the decimal point in this currency's smallest unit.
    pub fn minor_units(&self) -> u32 {
        self.minor as u32
    }

    /// Round once, to the minor unit, half away from zero (DOMAIN §4).
    pub fn round(&self, amount: Decimal) -> Decimal {
        round_half_away(amount, self.minor_units())
    }

    /// An amount in minor units (cents) for integer storage; the amount must already be rounded.
    pub fn to_minor(&self, amount: Decimal) -> i64 {
        use rust_decimal::prelude::ToPrimitive;
        let scaled = self.round(amount) * Decimal::from(10i64.pow(self.minor_units()));
        scaled.to_i64().expect("amount fits in i64 minor units")
    }

    pub fn from_minor(&self, minor: i64) -> Decimal {
        Decimal::new(minor, self.minor_units())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.code())
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

pub fn round_half_away(amount: Decimal, dp: u32) -> Decimal {
    let mut r = amount.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(dp);
    r
}

/// How digits are grouped in thousands, as people type and paste amounts: spaces (also the
/// non-breaking ones the app shows, `R 1 499,72`), apostrophes (`1'499.72`) or commas
/// (`1,499.72`). One number uses one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Grouping {
    Space,
    Apostrophe,
    Comma,
}

fn grouping(c: char) -> Option<Grouping> {
    match c {
        ' ' | '\u{a0}' | '\u{202f}' => Some(Grouping::Space),
        '\'' | '\u{2019}' => Some(Grouping::Apostrophe),
        ',' => Some(Grouping::Comma),
        _ => None,
    }
}

/// The digits of a whole part, its thousands separators taken out; `None` unless the groups are
/// 1 to 3 digits, then 3 digits each, between one kind of separator.
fn whole_digits(whole: &str) -> Option<String> {
    let mut kind = None;
    for c in whole.chars().filter(|c| !c.is_ascii_digit()) {
        match (grouping(c), kind) {
            (None, _) => return None,
            (Some(g), None) => kind = Some(g),
            (Some(g), Some(k)) if g != k => return None,
            _ => {}
        }
    }
    if kind.is_none() {
        return Some(whole.to_string());
    }
    let groups: Vec<&str> = whole.split(|c: char| grouping(c).is_some()).collect();
    let first_ok = (1..=3).contains(&groups[0].len());
    (first_ok && groups[1..].iter().all(|g| g.len() == 3)).then(|| groups.concat())
}

/// Parse an exact decimal amount, as a person types it: `1234.56`, `-3`, `0.5`, with a decimal
/// comma (`1499,72`, `0,5`, `18,4567`: one comma, no point, any number of digits after it but
/// three), with the minus sign as printed (`−12,50`), and with digits
/// grouped in thousands by spaces, non-breaking spaces or apostrophes (`1 499,72`, `1'499.72`)
/// or by commas before a point (`1,499.72`, or `1,499,000`). `1,499` is refused as ambiguous
/// (a thousands separator or a decimal comma?); so are exponents, mixed or misplaced separators
/// and anything else that could hide a typo. Never a float: the digits go to `Decimal` as text.
pub fn parse_amount(s: &str, field: &str) -> Result<Decimal> {
    let t = s.trim();
    // The minus sign as typeset (U+2212, how the app prints negative amounts) is a minus.
    let typed_minus = t.strip_prefix('\u{2212}').map(|rest| format!("-{rest}"));
    let t = typed_minus.as_deref().unwrap_or(t);
    let malformed = || Error::bad_value(field, format!("'{t}' is not a decimal amount (use digits and a '.' like 1234.50)"));
    let (sign, body) = match t.strip_prefix(['-', '+']) {
        Some(rest) => (&t[..1], rest),
        None => ("", t),
    };
    if !body.chars().all(|c| c.is_ascii_digit() || c == '.' || grouping(c).is_some()) {
        return Err(malformed());
    }
    let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let (whole, fraction) = match (body.matches('.').count(), body.matches(',').count()) {
        (0, 0) => (body, None),
        (1, _) => body.split_once('.').map(|(w, f)| (w, Some(f))).ok_or_else(malformed)?,
        // A lone comma: a decimal comma; before exactly three digits it could be either, and a
        // wrong guess would be a thousand times off, so three are never taken.
        (0, 1) => {
            let (w, f) = body.split_once(',').ok_or_else(malformed)?;
            if f.len() == 3 && digits_only(f) && (1..=3).contains(&w.len()) && digits_only(w) && !w.starts_with('0') {
                return Err(Error::bad_value(
                    field,
                    format!(
                        "'{t}' is ambiguous: write {sign}{w}{f} or {sign}{w}{f}.00 if the comma separates thousands, or {sign}{w}.{f} if it is a decimal comma"
                    ),
                ));
            }
            if f.is_empty() || f.len() == 3 {
                return Err(malformed());
            }
            (w, Some(f))
        }
        // Several commas and no point: they can only group thousands.
        (0, _) => (body, None),
        _ => return Err(malformed()),
    };
    let whole = whole_digits(whole).ok_or_else(malformed)?;
    if fraction.is_some_and(|f| !digits_only(f)) || (whole.is_empty() && fraction.is_none_or(str::is_empty)) {
        return Err(malformed());
    }
    let plain = match fraction {
        Some(f) => format!("{sign}{whole}.{f}"),
        None => format!("{sign}{whole}"),
    };
    let d = Decimal::from_str(&plain).map_err(|_| Error::bad_value(field, format!("'{t}' is out of range")))?;
    if d.abs() >= Decimal::from(AMOUNT_LIMIT) || d.scale() > 10 {
        return Err(Error::bad_value(field, format!("'{t}' is out of range (less than a trillion, at most 10 decimals)")));
    }
    Ok(d)
}

/// Every amount, price, rate and quantity typed or imported is below this (a trillion), with at
/// most 10 decimals: far beyond any reseller's book, and small enough that no product of an
/// amount, a quantity and a rate can overflow `Decimal` in billing.
pub const AMOUNT_LIMIT: u64 = 1_000_000_000_000;

/// A non-negative amount.
pub fn parse_price(s: &str, field: &str) -> Result<Decimal> {
    let d = parse_amount(s, field)?;
    if d.is_sign_negative() && !d.is_zero() {
        return Err(Error::bad_value(field, format!("'{}' must not be negative", s.trim())));
    }
    Ok(d)
}

/// A percentage such as "15" or "12.5" (between -100 and 1000).
pub fn parse_percent(s: &str, field: &str) -> Result<Decimal> {
    let d = parse_amount(s.trim().trim_end_matches('%'), field)?;
    if d <= Decimal::from(-100) || d > Decimal::from(1000) {
        return Err(Error::bad_value(field, format!("{d}% is out of range (-100 to 1000)")));
    }
    Ok(d.normalize())
}

/// An exact amount with at least `min_dp` decimals and no needless trailing zeros beyond them:
/// 86.4 → 86.40, 9.408 → 9.408, 114 → 114.00.
pub fn tidy(d: Decimal, min_dp: u32) -> Decimal {
    let mut n = d.normalize();
    if n.scale() < min_dp {
        n.rescale(min_dp);
    }
    n
}

/// A price as the history's words write it: `tidy` to the currency's minor digits, then its
/// code, e.g. `1632.96 ZAR` or `9.408 USD`.
pub fn tidy_with_code(d: Decimal, currency: Currency) -> String {
    format!("{} {currency}", tidy(d, currency.minor_units()))
}

/// Format an amount with exactly the currency's minor digits, e.g. `1234.50`.
pub fn format_amount(amount: Decimal, currency: Currency) -> String {
    currency.round(amount).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn rounds_half_away_from_zero_once() {
        let zar = Currency::parse("zar", "currency").unwrap();
        assert_eq!(zar.round(d("2.345")).to_string(), "2.35");
        assert_eq!(zar.round(d("-2.345")).to_string(), "-2.35");
        assert_eq!(zar.round(d("2.3449999")).to_string(), "2.34");
        assert_eq!(zar.round(d("7")).to_string(), "7.00");
        let jpy = Currency::parse("JPY", "currency").unwrap();
        assert_eq!(jpy.round(d("100.5")).to_string(), "101");
        let bhd = Currency::parse("BHD", "currency").unwrap();
        assert_eq!(bhd.round(d("1.0005")).to_string(), "1.001");
    }

    #[test]
    fn the_currency_table_is_sorted_for_binary_search() {
        assert!(CURRENCIES.windows(2).all(|w| w[0].0 < w[1].0));
        for (code, minor) in CURRENCIES {
            assert_eq!(Currency::parse(code, "c").unwrap().minor_units(), *minor);
        }
    }

    #[test]
    fn minor_units_round_trip() {
        let zar = Currency::parse("ZAR", "c").unwrap();
        assert_eq!(zar.to_minor(d("1234.56")), 123456);
        assert_eq!(zar.to_minor(d("-0.05")), -5);
        assert_eq!(zar.from_minor(123456).to_string(), "1234.56");
        let jpy = Currency::parse("JPY", "c").unwrap();
        assert_eq!(jpy.to_minor(d("1500")), 1500);
    }

    #[test]
    fn refuses_what_is_not_an_amount() {
        for bad in ["", "1e3", "12.3.4", "abc", "-", ".", "+-1", "--5", "- 5", "1,2e3"] {
            let e = parse_amount(bad, "price").unwrap_err();
            assert_eq!(e.field.as_deref(), Some("price"), "{bad}");
        }
        assert_eq!(parse_amount(" 12.50 ", "p").unwrap(), d("12.50"));
        assert!(parse_price("-1", "price").is_err());
        assert!(Currency::parse("ZZZ", "currency").unwrap_err().message.contains("ZZZ"));
    }

    /// Each accepted form, and its exact value and scale (the digits typed are kept).
    #[test]
    fn accepts_amounts_as_people_type_them() {
        for (typed, value) in [
            // Plain decimals, as always.
            ("1234.56", "1234.56"),
            ("-3", "-3"),
            ("+3", "3"),
            ("0.5", "0.5"),
            (".5", "0.5"),
            ("1499.720", "1499.720"),
            // A decimal comma: no point, one or two digits after the only comma.
            ("1499,72", "1499.72"),
            ("18,4567", "18.4567"),
            ("1,4999", "1.4999"),
            ("\u{2212}12,50", "-12.50"),
            ("0,5", "0.5"),
            ("-12,5", "-12.5"),
            (",5", "0.5"),
            // Thousands grouped by spaces, non-breaking spaces (as the app shows amounts) or
            // apostrophes, with either decimal mark.
            ("1 499,72", "1499.72"),
            ("1\u{a0}499,72", "1499.72"),
            ("1\u{202f}499,72", "1499.72"),
            ("12 345 678,9", "12345678.9"),
            ("1 499", "1499"),
            ("1 499.72", "1499.72"),
            ("1'499.72", "1499.72"),
            ("1\u{2019}499.72", "1499.72"),
            ("-1'000'000", "-1000000"),
            // Thousands grouped by commas before a point, or by several commas.
            ("1,499.72", "1499.72"),
            ("1,234,567.5", "1234567.5"),
            ("1,499,000", "1499000"),
            ("-1,499.00", "-1499.00"),
            // Surrounding spaces, even non-breaking ones.
            ("\u{a0}1 499,72\u{a0}", "1499.72"),
        ] {
            let got = parse_amount(typed, "amount").unwrap_or_else(|e| panic!("{typed:?}: {}", e.message));
            assert_eq!(got.to_string(), value, "{typed:?}");
        }
        assert_eq!(parse_price("1 499,72", "amount").unwrap(), d("1499.72"));
        assert_eq!(parse_percent("12,5", "percent").unwrap(), d("12.5"));
        assert_eq!(parse_percent("12,5 %", "percent").unwrap(), d("12.5"));
    }

    #[test]
    fn refuses_ambiguous_and_malformed_amounts_naming_the_field() {
        let refused = |typed: &str| {
            let e = parse_amount(typed, "amount").map(|d| d.to_string()).expect_err(typed);
            assert_eq!((e.code, e.field.as_deref()), (crate::ErrorCode::InvalidInput, Some("amount")), "{typed:?}");
            e.message
        };
        // Three digits after a lone comma: 1499 or 1.499? Never guessed.
        assert_eq!(
            refused("1,499"),
            "'1,499' is ambiguous: write 1499 or 1499.00 if the comma separates thousands, or 1.499 if it is a decimal comma"
        );
        assert_eq!(
            refused("-12,345"),
            "'-12,345' is ambiguous: write -12345 or -12345.00 if the comma separates thousands, or -12.345 if it is a decimal comma"
        );
        assert!(refused("123,456").contains("ambiguous"));
        let not_an_amount = |typed: &str| format!("'{}' is not a decimal amount (use digits and a '.' like 1234.50)", typed.trim());
        for bad in [
            "",
            "   ",
            "abc",
            "12a",
            "R 1 499,72",
            "1e3",
            "1.2.3",
            "1.499,72",
            "1.499.000",
            "12,34,56",
            "1,499,72",
            "1499,725",
            "0,499",
            "1 499,000",
            "1,",
            ",",
            "1,,000",
            "1 49",
            "12 3456",
            "1  499",
            " 1 499 ,72",
            "1 499 .72",
            "1 499'000",
            "1 499,000.50",
            "1'499,000.50",
            "1,49.00",
            "1499,7x",
            "1.5,5",
            "1,5.5",
            "-",
            "+",
            ".",
            "- 5",
            "5-",
            "١٢",
        ] {
            assert_eq!(refused(bad), not_an_amount(bad), "{bad:?}");
        }
        assert_eq!(refused("99999999999999999999999999999999"), "'99999999999999999999999999999999' is out of range");
        assert_eq!(refused("1000000000000"), "'1000000000000' is out of range (less than a trillion, at most 10 decimals)");
        assert_eq!(refused("1e20"), "'1e20' is not a decimal amount (use digits and a '.' like 1234.50)");
        assert!(parse_amount("999999999999.99", "amount").is_ok());
        assert!(parse_amount("0.00000000001", "rate").is_err());
    }

    #[test]
    fn decimal_serializes_as_string() {
        // Pins the serde-str behaviour: a float feature anywhere would turn amounts into numbers.
        let v = serde_json::to_string(&d("10.50")).unwrap();
        assert_eq!(v, "\"10.50\"");
    }
}
