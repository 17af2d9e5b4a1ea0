//! How a subscription's price is found and locked: the cost from the price list, then the
//! reseller's markup rules, most specific first (DOMAIN §2): a rule for the customer and product,
//! a markup for the customer, a rule for the product, a default rule, the company's default markup.
//! Exchange rates convert a charge on its billable date. All pure.

use crate::catalogue::{PriceRow, ProductKey, Term};
use crate::money::Currency;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

/// What a markup rule sets.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Markup {
    /// Resale = cost × (1 + percent / 100).
    Percent { percent: Decimal },
    /// A fixed resale price per seat per month, in `currency`.
    Price { amount: Decimal, currency: Currency },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarkupRule {
    pub id: i64,
    pub customer_id: Option<i64>,
    pub product: Option<ProductKey>,
    pub markup: Markup,
    pub effective_from: NaiveDate,
}

impl MarkupRule {
    /// 0 is the most specific.
    fn level(&self) -> u8 {
        match (self.customer_id, &self.product) {
            (Some(_), Some(_)) => 0,
            (Some(_), None) => 1,
            (None, Some(_)) => 2,
            (None, None) => 3,
        }
    }

    fn applies(&self, customer_id: i64, product: &ProductKey, on: NaiveDate) -> bool {
        self.effective_from <= on && self.customer_id.is_none_or(|c| c == customer_id) && self.product.as_ref().is_none_or(|p| p == product)
    }

    pub fn describe(&self) -> String {
        let what = match &self.markup {
            Markup::Percent { percent } => format!("markup {percent}%"),
            Markup::Price { amount, currency } => format!("fixed price {amount} {currency} per seat per month"),
        };
        let scope = match (self.customer_id, &self.product) {
            (Some(c), Some(p)) => format!("for customer {c} and {p}"),
            (Some(c), None) => format!("for customer {c}"),
            (None, Some(p)) => format!("for {p}"),
            (None, None) => "by default".to_string(),
        };
        format!("{what} {scope} from {} (rule {})", self.effective_from, self.id)
    }
}

/// A subscription's price for one term, as locked when the term starts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LockedPrice {
    /// The partner's cost per seat for the whole term.
    pub unit_cost: Decimal,
    pub cost_currency: Currency,
    /// The customer's price per seat for the whole term.
    pub unit_price: Decimal,
    pub price_currency: Currency,
    /// Which rule produced the price, in words.
    pub rule: String,
}

/// Who is buying, when, and under which rules.
#[derive(Debug, Clone, Copy)]
pub struct PriceContext<'a> {
    pub customer_id: i64,
    pub rules: &'a [MarkupRule],
    pub company_default_markup: Decimal,
    pub on: NaiveDate,
}

/// Lock the price of a term from the price-list row `cost` in force on `ctx.on`.
/// `override_monthly` is a price per seat per month the user typed; it beats every rule.
pub fn lock_price(
    cost: &PriceRow,
    cost_currency: Currency,
    term: Term,
    ctx: &PriceContext<'_>,
    override_monthly: Option<(Decimal, Currency)>,
) -> LockedPrice {
    let PriceContext { customer_id, rules, company_default_markup, on } = *ctx;
    let months = Decimal::from(term.months());
    let (unit_price, price_currency, rule) = if let Some((amount, currency)) = override_monthly {
        (amount * months, currency, format!("price override {amount} {currency} per seat per month"))
    } else {
        let best = rules
            .iter()
            .filter(|r| r.applies(customer_id, &cost.product, on))
            .min_by(|a, b| a.level().cmp(&b.level()).then(b.effective_from.cmp(&a.effective_from)).then(b.id.cmp(&a.id)));
        match best {
            Some(rule) => match &rule.markup {
                Markup::Percent { percent } => (apply_markup(cost.unit_price, *percent), cost_currency, rule.describe()),
                Markup::Price { amount, currency } => (*amount * months, *currency, rule.describe()),
            },
            None => (
                apply_markup(cost.unit_price, company_default_markup),
                cost_currency,
                format!("default markup {}% (company profile)", company_default_markup.normalize()),
            ),
        }
    };
    LockedPrice {
        unit_cost: cost.unit_price,
        cost_currency,
        unit_price: crate::money::tidy(unit_price, price_currency.minor_units()),
        price_currency,
        rule,
    }
}

/// cost × (1 + percent/100), exact.
pub fn apply_markup(cost: Decimal, percent: Decimal) -> Decimal {
    cost + cost * percent / Decimal::ONE_HUNDRED
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExchangeRate {
    pub from: Currency,
    pub to: Currency,
    pub effective: NaiveDate,
    /// Units of `to` for one unit of `from`.
    pub rate: Decimal,
}

/// The rate in force on `on`: the latest one effective on or before it. The same currency
/// converts at 1. `None` is a missing rate, which billing reports rather than guesses.
pub fn rate_on(rates: &[ExchangeRate], from: Currency, to: Currency, on: NaiveDate) -> Option<Decimal> {
    if from == to {
        return Some(Decimal::ONE);
    }
    rates.iter().filter(|r| r.from == from && r.to == to && r.effective <= on).max_by_key(|r| r.effective).map(|r| r.rate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::PriceRow;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }
    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn usd() -> Currency {
        Currency::parse("USD", "c").unwrap()
    }
    fn zar() -> Currency {
        Currency::parse("ZAR", "c").unwrap()
    }
    fn cost(price: &str) -> PriceRow {
        PriceRow {
            product: ProductKey::new("CFQ7TTC0LH18", "0001"),
            product_title: "Microsoft 365 Business Basic".into(),
            sku_title: String::new(),
            publisher: String::new(),
            description: String::new(),
            term: "P1Y".into(),
            billing_plan: "Monthly".into(),
            market: "ZA".into(),
            currency: "USD".into(),
            unit_price: d(price),
            erp_price: None,
            tier_min: None,
            tier_max: None,
            effective_start: day("2025-11-01"),
            effective_end: None,
            tags: String::new(),
        }
    }
    fn rule(id: i64, customer: Option<i64>, product: bool, markup: Markup, from: &str) -> MarkupRule {
        MarkupRule {
            id,
            customer_id: customer,
            product: product.then(|| ProductKey::new("CFQ7TTC0LH18", "0001")),
            markup,
            effective_from: day(from),
        }
    }
    fn ctx<'a>(customer_id: i64, rules: &'a [MarkupRule], default: &str, on: &str) -> PriceContext<'a> {
        PriceContext { customer_id, rules, company_default_markup: d(default), on: day(on) }
    }
    fn pct(p: &str) -> Markup {
        Markup::Percent { percent: d(p) }
    }

    #[test]
    fn most_specific_rule_wins() {
        let rules = vec![
            rule(1, None, false, pct("10"), "2025-01-01"),
            rule(2, None, true, pct("20"), "2025-01-01"),
            rule(3, Some(7), false, pct("30"), "2025-01-01"),
            rule(4, Some(7), true, Markup::Price { amount: d("150"), currency: zar() }, "2026-06-01"),
        ];
        let lock = |customer, on| lock_price(&cost("75.60"), usd(), Term::P1Y, &ctx(customer, &rules, "15", on), None);
        // Customer 7 before its fixed price starts: the customer markup.
        let p = lock(7, "2026-01-01");
        assert_eq!((p.unit_price, p.price_currency), (d("98.28"), usd()));
        assert!(p.rule.starts_with("markup 30% for customer 7"), "{}", p.rule);
        // From 1 June: the fixed price per month, times 12 months.
        let p = lock(7, "2026-06-01");
        assert_eq!((p.unit_price, p.price_currency), (d("1800"), zar()));
        assert_eq!(p.unit_cost, d("75.60"));
        // Another customer: the product rule.
        assert_eq!(lock(8, "2026-06-01").unit_price, d("90.72"));
        // Without rules: the company default.
        let p = lock_price(&cost("75.60"), usd(), Term::P1Y, &ctx(8, &[], "15", "2026-06-01"), None);
        assert_eq!(p.unit_price, d("86.94"));
        assert_eq!(p.rule, "default markup 15% (company profile)");
        // An override beats every rule.
        let p = lock_price(&cost("75.60"), usd(), Term::P1Y, &ctx(7, &rules, "15", "2026-06-01"), Some((d("9.50"), zar())));
        assert_eq!((p.unit_price, p.price_currency), (d("114"), zar()));
    }

    #[test]
    fn later_rule_of_same_level_replaces_earlier() {
        let rules = vec![rule(1, None, false, pct("10"), "2025-01-01"), rule(2, None, false, pct("25"), "2026-01-01")];
        let lock = |on| lock_price(&cost("100"), usd(), Term::P1Y, &ctx(1, &rules, "0", on), None).unit_price;
        assert_eq!(lock("2025-12-31"), d("110"));
        assert_eq!(lock("2026-01-01"), d("125"));
    }

    #[test]
    fn rates_take_the_latest_effective() {
        let rates = vec![
            ExchangeRate { from: usd(), to: zar(), effective: day("2026-01-01"), rate: d("18.20") },
            ExchangeRate { from: usd(), to: zar(), effective: day("2026-02-01"), rate: d("18.45") },
        ];
        assert_eq!(rate_on(&rates, usd(), zar(), day("2025-12-31")), None);
        assert_eq!(rate_on(&rates, usd(), zar(), day("2026-01-31")), Some(d("18.20")));
        assert_eq!(rate_on(&rates, usd(), zar(), day("2026-02-01")), Some(d("18.45")));
        assert_eq!(rate_on(&rates, zar(), usd(), day("2026-02-01")), None);
        assert_eq!(rate_on(&rates, zar(), zar(), day("2026-02-01")), Some(Decimal::ONE));
    }
}
