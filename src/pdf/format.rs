//! How values are written on paper: amounts with thousands separators, dates, rates.
//! All decimal work is on `Decimal` and strings; no float ever touches money.

use chrono::NaiveDate;
use rust_decimal::Decimal;

/// Insert "," every three digits of the integer part of a plain decimal string
/// ("-1234567.5" → "-1,234,567.5").
fn group(plain: &str) -> String {
    let (sign, body) = match plain.strip_prefix('-') {
        Some(b) => ("-", b),
        None => ("", plain),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let mut out = String::with_capacity(plain.len() + int.len() / 3 + 1);
    out.push_str(sign);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// An amount with exactly `minor` decimals (the currency's `minor_units()`) and ","
/// thousands separators: `12,345.60` (ZAR), `1,500` (JPY), `1.001` (BHD). The amount is
/// already rounded by billing; rounding here only pads or normalises the scale.
pub(crate) fn amount(value: Decimal, minor: u32) -> String {
    let s = crate::money::round_half_away(value, minor).to_string();
    // "-0.00" never prints.
    let s = if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') { s[1..].to_string() } else { s };
    group(&s)
}

/// A unit price: at least the currency's minor digits, more only when the price has them
/// (a price of 0.0125 is not silently printed as 0.01).
pub(crate) fn unit_price(value: Decimal, minor: u32) -> String {
    let n = value.normalize();
    if n.scale() <= minor {
        amount(value, minor)
    } else {
        group(&n.to_string())
    }
}

/// A quantity: as few decimals as it needs ("3", "2.5", "1,200").
pub(crate) fn quantity(value: Decimal) -> String {
    group(&value.normalize().to_string())
}

/// A percentage without trailing zeros ("15", "7.5").
pub(crate) fn percent(value: Decimal) -> String {
    value.normalize().to_string()
}

/// "1 Nov 2026".
pub(crate) fn date(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

/// "1 Nov 2026 – 30 Nov 2026".
pub(crate) fn period(from: NaiveDate, to: NaiveDate) -> String {
    format!("{} \u{2013} {}", date(from), date(to))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn amounts_have_the_currency_digits_and_separators() {
        let zar = Currency::parse("ZAR", "c").unwrap();
        assert_eq!(amount(d("1234.56"), zar.minor_units()), "1,234.56");
        assert_eq!(amount(d("12345.6"), zar.minor_units()), "12,345.60");
        assert_eq!(amount(d("1234567"), zar.minor_units()), "1,234,567.00");
        assert_eq!(amount(d("-1234.5"), zar.minor_units()), "-1,234.50");
        assert_eq!(amount(d("999"), zar.minor_units()), "999.00");
        assert_eq!(amount(d("0"), zar.minor_units()), "0.00");
        assert_eq!(amount(d("-0.00"), zar.minor_units()), "0.00");
        let jpy = Currency::parse("JPY", "c").unwrap();
        assert_eq!(amount(d("1500"), jpy.minor_units()), "1,500");
        let bhd = Currency::parse("BHD", "c").unwrap();
        assert_eq!(amount(d("1234.5"), bhd.minor_units()), "1,234.500");
    }

    #[test]
    fn unit_prices_keep_their_precision() {
        let zar = Currency::parse("ZAR", "c").unwrap();
        assert_eq!(unit_price(d("120"), zar.minor_units()), "120.00");
        assert_eq!(unit_price(d("1200.5"), zar.minor_units()), "1,200.50");
        assert_eq!(unit_price(d("0.0125"), zar.minor_units()), "0.0125");
        assert_eq!(quantity(d("3.000")), "3");
        assert_eq!(quantity(d("2.50")), "2.5");
        assert_eq!(quantity(d("1200")), "1,200");
        assert_eq!(percent(d("15.00")), "15");
    }

    #[test]
    fn dates_and_periods() {
        let a = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let b = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        assert_eq!(date(a), "1 Nov 2026");
        assert_eq!(period(a, b), "1 Nov 2026 \u{2013} 30 Nov 2026");
    }
}
