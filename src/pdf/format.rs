//! How values are written on paper: amounts with thousands separators, dates, rates.
//! All decimal work is on `Decimal` and strings; no float ever touches money.

use crate::locale::Style;
use crate::money::Currency;
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// Amounts, prices and quantities of one document: in its currency's minor digits, written as
/// the supplier's country writes them (`crate::locale`: `1 304,10` in South Africa).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Figures {
    style: &'static Style,
    minor: u32,
}

impl Figures {
    pub(crate) fn new(country: &str, currency: Currency) -> Figures {
        Figures { style: crate::locale::for_country(country), minor: currency.minor_units() }
    }

    /// An amount with exactly the currency's minor digits: `12 345,60` (ZAR), `1,500` (JPY in
    /// the US). It is already rounded by billing; this only pads or normalises the scale.
    pub(crate) fn amount(&self, value: Decimal) -> String {
        self.style.number(value, self.minor)
    }

    /// A unit price: at least the minor digits, more only when the price has them.
    pub(crate) fn unit_price(&self, value: Decimal) -> String {
        self.style.unit_price(value, self.minor)
    }

    /// A quantity with as few decimals as it needs.
    pub(crate) fn quantity(&self, value: Decimal) -> String {
        self.style.quantity(value)
    }

    /// Money with its symbol or code: `R 1 304,10`.
    pub(crate) fn money(&self, value: Decimal, currency: Currency) -> String {
        self.style.money(value, currency)
    }
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
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn amounts_have_the_currency_digits_and_the_suppliers_separators() {
        let zar = Currency::parse("ZAR", "c").unwrap();
        let za = Figures::new("ZA", zar);
        assert_eq!(za.amount(d("1234.56")), "1\u{a0}234,56");
        assert_eq!(za.amount(d("12345.6")), "12\u{a0}345,60");
        assert_eq!(za.amount(d("-1234.5")), "−1\u{a0}234,50");
        assert_eq!(za.amount(d("-0.00")), "0,00");
        let us = Figures::new("US", zar);
        assert_eq!(us.amount(d("1234567")), "1,234,567.00");
        assert_eq!(us.amount(d("999")), "999.00");
        assert_eq!(Figures::new("US", Currency::parse("JPY", "c").unwrap()).amount(d("1500")), "1,500");
        assert_eq!(Figures::new("GB", Currency::parse("BHD", "c").unwrap()).amount(d("1234.5")), "1,234.500");
        assert_eq!(us.unit_price(d("120")), "120.00");
        assert_eq!(us.unit_price(d("1200.5")), "1,200.50");
        assert_eq!(za.unit_price(d("0.0125")), "0,0125");
        assert_eq!(us.quantity(d("3.000")), "3");
        assert_eq!(za.quantity(d("2.50")), "2,5");
        assert_eq!(us.quantity(d("1200")), "1,200");
        assert_eq!(percent(d("15.00")), "15");
        assert_eq!(za.money(d("1304.1"), zar), "R\u{a0}1\u{a0}304,10");
    }

    #[test]
    fn dates_and_periods() {
        let a = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let b = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        assert_eq!(date(a), "1 Nov 2026");
        assert_eq!(period(a, b), "1 Nov 2026 \u{2013} 30 Nov 2026");
    }
}
