//! How a country writes amounts: the digit grouping, the decimal mark, and where its own
//! currency's symbol goes (`R 1 304,10` in South Africa, `1.304,10 €` in Germany, `$1,304.10` in
//! the United States); another currency shows its ISO code (`USD 1 304,10`). These are the page's
//! conventions (`ui/js/format.js`, kept equal by a test), used on PDFs, letters and the command
//! line's text, so an amount reads the same everywhere. Text, never arithmetic: the value is
//! already exact; only the currency's minor digits are padded.

use crate::money::{round_half_away, Currency};
use rust_decimal::Decimal;

/// A country's way of writing money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub country: &'static str,
    /// Between groups of three digits.
    pub group: &'static str,
    pub decimal: &'static str,
    /// The country's own currency, whose symbol is used instead of its code.
    pub currency: &'static str,
    pub symbol: &'static str,
    /// The symbol after the amount (`1.304,10 €`).
    pub after: bool,
    /// A (non-breaking) space between the symbol and the amount.
    pub space: bool,
}

const fn style(
    country: &'static str,
    group: &'static str,
    decimal: &'static str,
    currency: &'static str,
    symbol: &'static str,
    after: bool,
    space: bool,
) -> Style {
    Style { country, group, decimal, currency, symbol, after, space }
}

const NBSP: &str = "\u{a0}";

/// The countries whose conventions are known; others write as `FALLBACK`.
pub const STYLES: &[Style] = &[
    style("ZA", NBSP, ",", "ZAR", "R", false, true),
    style("US", ",", ".", "USD", "$", false, false),
    style("GB", ",", ".", "GBP", "£", false, false),
    style("IE", ",", ".", "EUR", "€", false, false),
    style("AU", ",", ".", "AUD", "$", false, false),
    style("NZ", ",", ".", "NZD", "$", false, false),
    style("CA", ",", ".", "CAD", "$", false, false),
    style("SG", ",", ".", "SGD", "$", false, false),
    style("IN", ",", ".", "INR", "₹", false, false),
    style("KE", ",", ".", "KES", "KSh", false, true),
    style("NG", ",", ".", "NGN", "₦", false, false),
    style("NA", NBSP, ",", "NAD", "N$", false, true),
    style("BW", ",", ".", "BWP", "P", false, false),
    style("DE", ".", ",", "EUR", "€", true, true),
    style("AT", NBSP, ",", "EUR", "€", false, true),
    style("NL", ".", ",", "EUR", "€", false, true),
    style("BE", ".", ",", "EUR", "€", true, true),
    style("FR", "\u{202f}", ",", "EUR", "€", true, true),
    style("ES", ".", ",", "EUR", "€", true, true),
    style("IT", ".", ",", "EUR", "€", true, true),
    style("PT", NBSP, ",", "EUR", "€", true, true),
    style("CH", "’", ".", "CHF", "CHF", false, true),
    style("SE", NBSP, ",", "SEK", "kr", true, true),
    style("NO", NBSP, ",", "NOK", "kr", true, true),
    style("DK", ".", ",", "DKK", "kr.", true, true),
    style("PL", NBSP, ",", "PLN", "zł", true, true),
    style("BR", ".", ",", "BRL", "R$", false, true),
    style("JP", ",", ".", "JPY", "¥", false, false),
    style("AE", ",", ".", "AED", "AED", false, true),
];

/// Countries not in `STYLES`: grouped by commas, a decimal point, every currency by its code.
pub const FALLBACK: Style = style("", ",", ".", "", "", false, true);

/// The conventions of a country (ISO 3166 alpha-2, any case).
pub fn for_country(country: &str) -> &'static Style {
    let c = country.trim();
    STYLES.iter().find(|s| s.country.eq_ignore_ascii_case(c)).unwrap_or(&FALLBACK)
}

impl Style {
    fn group_digits(&self, digits: &str) -> String {
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 * self.group.len());
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(self.group);
            }
            out.push(ch);
        }
        out
    }

    /// A plain decimal string (`-1234.5`) written this way (`−1 234,5`); `-0` never prints.
    fn write(&self, plain: &str) -> String {
        let (negative, body) = match plain.strip_prefix('-') {
            Some(b) => (b.chars().any(|c| c.is_ascii_digit() && c != '0'), b),
            None => (false, plain),
        };
        let (int, frac) = body.split_once('.').map(|(i, f)| (i, Some(f))).unwrap_or((body, None));
        let mut out = String::new();
        if negative {
            out.push('−');
        }
        out.push_str(&self.group_digits(int));
        if let Some(f) = frac {
            out.push_str(self.decimal);
            out.push_str(f);
        }
        out
    }

    /// An amount with exactly `digits` decimals: `1 304,10`.
    pub fn number(&self, value: Decimal, digits: u32) -> String {
        let mut v = round_half_away(value, digits);
        v.rescale(digits);
        self.write(&v.to_string())
    }

    /// A unit price: at least `digits` decimals, more only when the price has them (0.0125 is
    /// not silently shown as 0.01).
    pub fn unit_price(&self, value: Decimal, digits: u32) -> String {
        let n = value.normalize();
        if n.scale() <= digits {
            self.number(value, digits)
        } else {
            self.write(&n.to_string())
        }
    }

    /// A quantity with as few decimals as it needs: `3`, `2,5`, `1 200`.
    pub fn quantity(&self, value: Decimal) -> String {
        self.write(&value.normalize().to_string())
    }

    /// Money in `currency`, to its minor unit: `R 1 304,10`, `1.304,10 €`, or `USD 1 304,10` for
    /// a currency not the country's own.
    pub fn money(&self, value: Decimal, currency: Currency) -> String {
        self.place(self.number(value, currency.minor_units()), currency)
    }

    /// A price in `currency`, with more than its minor digits when it has them: `R 8,6435`.
    pub fn price(&self, value: Decimal, currency: Currency) -> String {
        self.place(self.unit_price(value, currency.minor_units()), currency)
    }

    fn place(&self, text: String, currency: Currency) -> String {
        let (negative, body) = match text.strip_prefix('−') {
            Some(b) => (true, b),
            None => (false, text.as_str()),
        };
        let own = !self.currency.is_empty() && currency.code() == self.currency;
        let (mark, gap) = if own { (self.symbol, if self.space { NBSP } else { "" }) } else { (currency.code(), NBSP) };
        let placed = if own && self.after { format!("{body}{gap}{mark}") } else { format!("{mark}{gap}{body}") };
        if negative {
            format!("−{placed}")
        } else {
            placed
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn c(code: &str) -> Currency {
        Currency::parse(code, "c").unwrap()
    }

    #[test]
    fn amounts_as_each_country_writes_them() {
        let za = for_country("za");
        assert_eq!(za.money(d("1304.1"), c("ZAR")), "R\u{a0}1\u{a0}304,10");
        assert_eq!(za.money(d("-1304.10"), c("ZAR")), "−R\u{a0}1\u{a0}304,10");
        assert_eq!(za.money(d("1304.1"), c("USD")), "USD\u{a0}1\u{a0}304,10");
        assert_eq!(za.number(d("-0.001"), 2), "0,00", "no minus zero");
        assert_eq!(za.unit_price(d("0.0125"), 2), "0,0125");
        assert_eq!(za.quantity(d("1200.50")), "1\u{a0}200,5");
        assert_eq!(for_country("DE").money(d("1304.1"), c("EUR")), "1.304,10\u{a0}€");
        assert_eq!(for_country("US").money(d("1234567.891"), c("USD")), "$1,234,567.89");
        assert_eq!(for_country("JP").money(d("1500"), c("JPY")), "¥1,500");
        assert_eq!(for_country("XX").money(d("1500"), c("BHD")), "BHD\u{a0}1,500.000");
    }

    /// The page writes amounts with the same conventions (`ui/js/format.js`): one table each side,
    /// kept equal here.
    #[test]
    fn the_page_uses_the_same_conventions() {
        let js = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/ui/js/format.js")).unwrap();
        let unescape = |s: &str| s.replace("\\u00a0", "\u{a0}").replace("\\u202f", "\u{202f}");
        let field = |line: &str, key: &str| -> String {
            let rest = &line[line.find(&format!("{key}: ")).unwrap() + key.len() + 2..];
            match rest.strip_prefix('"') {
                Some(quoted) => unescape(&quoted[..quoted.find('"').unwrap()]),
                None => rest.split([',', ' ', '}']).next().unwrap().to_string(),
            }
        };
        let mut seen = 0;
        for line in js.lines().map(str::trim).filter(|l| l.len() > 4 && l.as_bytes()[2] == b':' && l.contains("locale:")) {
            let country = &line[..2];
            let s = for_country(country);
            assert_eq!(s.country, country, "{country} is in locale.rs");
            let got = (field(line, "group"), field(line, "decimal"), field(line, "currency"), field(line, "symbol"));
            assert_eq!(got, (s.group.to_string(), s.decimal.to_string(), s.currency.to_string(), s.symbol.to_string()), "{country}");
            assert_eq!((field(line, "after") == "true", field(line, "space") == "true"), (s.after, s.space), "{country}");
            seen += 1;
        }
        assert_eq!(seen, STYLES.len(), "every country of the page, and no other");
    }
}
