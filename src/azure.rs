//! Azure's rules (DOMAIN §7.2): what a customer pays for a month's usage of one Azure
//! subscription. A rule per customer, effective from a date (the customer's own first, then the
//! default, then retail + 0 %): `retail` ± P % (retail = Σ Quantity × UnitPrice, in the pricing
//! currency, USD) or `cost` + P % (cost = Σ BillingPreTaxTotal, after partner-earned credit, in
//! the billing currency). Converted to the customer's currency at the rate for the usage month:
//! Microsoft's `PCToBCExchangeRate` when it is the same pair, else Seatbook's rate in force on the
//! usage month's last day. Pure functions of plain values.

use crate::error::{Error, Result};
use crate::money::Currency;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

/// What a usage price starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    Retail,
    Cost,
}

impl Basis {
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Retail => "retail",
            Basis::Cost => "cost",
        }
    }

    pub fn parse(s: &str, field: &str) -> Result<Basis> {
        match s.trim().to_ascii_lowercase().as_str() {
            "retail" => Ok(Basis::Retail),
            "cost" => Ok(Basis::Cost),
            other => Err(Error::bad_value(field, format!("'{other}' is not a basis (retail or cost)"))),
        }
    }
}

/// A pricing rule for Azure usage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UsageRule {
    pub id: i64,
    /// `None`: the default rule, for customers without one of their own.
    pub customer_id: Option<i64>,
    pub basis: Basis,
    /// A markup, or (negative) a discount, in percent.
    pub percent: Decimal,
    pub effective_from: NaiveDate,
}

/// Seatbook's rule when the reseller has set none: retail, no markup.
pub fn default_rule() -> UsageRule {
    UsageRule { id: 0, customer_id: None, basis: Basis::Retail, percent: Decimal::ZERO, effective_from: NaiveDate::MIN }
}

/// The rule in force for `customer` on `on`: the customer's latest effective rule, else the
/// default's, else retail + 0 %. Of two rules effective the same day, the later one.
pub fn rule_for(rules: &[UsageRule], customer: i64, on: NaiveDate) -> UsageRule {
    let latest = |who: Option<i64>| {
        rules.iter().filter(|r| r.customer_id == who && r.effective_from <= on).max_by_key(|r| (r.effective_from, r.id)).cloned()
    };
    latest(Some(customer)).or_else(|| latest(None)).unwrap_or_else(default_rule)
}

/// A month of one Azure subscription's billed usage, as Microsoft's file adds it up.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthUsage {
    /// Σ Quantity × UnitPrice, in `pricing_currency`.
    pub retail: Decimal,
    /// Of `retail`, what Microsoft charged nothing for (free allowances), which a customer is
    /// not charged for either.
    pub free: Decimal,
    /// Σ BillingPreTaxTotal, in `billing_currency`.
    pub cost: Decimal,
    /// Σ PricingPreTaxTotal, in `pricing_currency`.
    pub cost_in_pricing_currency: Decimal,
    pub pricing_currency: Currency,
    pub billing_currency: Currency,
    /// Microsoft's pricing-to-billing rate for the month.
    pub rate: Decimal,
}

/// What the customer is charged, before conversion: an exact amount in `currency`, with the rate
/// that converts it when Microsoft's own rate is the one to use (`None`: no conversion, or
/// Seatbook's rate on the month's last day).
#[derive(Debug, Clone, PartialEq)]
pub struct UsagePrice {
    pub amount: Decimal,
    pub currency: Currency,
    pub microsoft_rate: Option<Decimal>,
    /// The partner's cost, exact, in `cost_currency` (for margins).
    pub cost: Decimal,
    pub cost_currency: Currency,
}

/// Price a month of usage for a customer billed in `to` under `rule`.
pub fn price(u: &MonthUsage, rule: &UsageRule, to: Currency) -> Result<UsagePrice> {
    let factor = Decimal::ONE
        .checked_add(rule.percent / Decimal::ONE_HUNDRED)
        .filter(|f| *f >= Decimal::ZERO)
        .ok_or_else(|| Error::bad_value("percent", "a discount cannot be more than 100 %"))?;
    let times = |a: Decimal| a.checked_mul(factor).ok_or_else(|| Error::bad_value("usage", "the usage amount is out of range"));
    // Microsoft's rate converts the pricing currency to the billing currency; the partner's cost
    // is known exactly in both.
    let ms_pair = u.pricing_currency != u.billing_currency && to == u.billing_currency;
    let (cost, cost_currency) =
        if to == u.pricing_currency { (u.cost_in_pricing_currency, u.pricing_currency) } else { (u.cost, u.billing_currency) };
    Ok(match rule.basis {
        // Retail as a customer buying from Microsoft pays it: free allowances are free.
        Basis::Retail => UsagePrice {
            amount: times(u.retail - u.free)?,
            currency: u.pricing_currency,
            microsoft_rate: ms_pair.then_some(u.rate),
            cost,
            cost_currency,
        },
        Basis::Cost => {
            let (base, currency) = if to == u.pricing_currency && to != u.billing_currency {
                (u.cost_in_pricing_currency, u.pricing_currency)
            } else {
                (u.cost, u.billing_currency)
            };
            UsagePrice { amount: times(base)?, currency, microsoft_rate: None, cost, cost_currency }
        }
    })
}

/// One meter category of a month's usage line: Microsoft's sums (for a correction, what changed)
/// and what the customer pays for it, exact, in the line's pricing currency.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryUsage {
    pub meter_category: String,
    pub usage: MonthUsage,
    pub amount: Decimal,
}

/// A rounded line amount shared among its parts: each part's exact amount rounded by `round`,
/// and what rounding leaves over given to the largest part, so the parts add up to the line.
pub fn split_rounded(total: Decimal, exact: &[Decimal], round: impl Fn(Decimal) -> Decimal) -> Vec<Decimal> {
    let mut parts: Vec<Decimal> = exact.iter().map(|a| round(*a)).collect();
    let left = total - parts.iter().copied().sum::<Decimal>();
    if let Some(i) = (0..parts.len()).max_by(|&a, &b| exact[a].abs().cmp(&exact[b].abs()).then(b.cmp(&a))) {
        parts[i] += left;
    }
    parts
}

/// One day's usage of a meter category of an Azure subscription, with or without PEC.
#[derive(Debug, Clone, PartialEq)]
pub struct PecDay {
    pub date: NaiveDate,
    pub meter_category: String,
    pub pec: bool,
    /// The partner's cost of those lines (billing currency).
    pub cost: Decimal,
}

/// The partner-earned credit a subscription stopped earning: from which day, and what it cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PecStopped {
    /// The first day with usage but no PEC, after the last day that earned it.
    pub since: NaiveDate,
    /// The credit not earned since (15 % of what those lines would have cost with it), in the
    /// billing currency, exact.
    pub lost: Decimal,
}

/// Microsoft's partner-earned credit rate.
pub const PEC_PERCENT: u32 = 15;

/// The PEC watch: a subscription that earned PEC and then, on usage of the same meter categories,
/// stopped (the customer removed the reseller's admin access). `None` when it still earns it, never
/// did, or only meters that never earn it (marketplace images) went on.
pub fn pec_stopped(days: &[PecDay]) -> Option<PecStopped> {
    let last = days.iter().filter(|d| d.pec).map(|d| d.date).max()?;
    let earned: std::collections::HashSet<&str> = days.iter().filter(|d| d.pec).map(|d| d.meter_category.as_str()).collect();
    let after: Vec<&PecDay> = days.iter().filter(|d| d.date > last && !d.pec && earned.contains(d.meter_category.as_str())).collect();
    let since = after.iter().map(|d| d.date).min()?;
    // Full price paid = cost; with PEC it would have been 85 % of it.
    let full: Decimal = after.iter().map(|d| d.cost).sum();
    Some(PecStopped { since, lost: full * Decimal::from(PEC_PERCENT) / Decimal::ONE_HUNDRED })
}

/// Where a month's Azure spend stands against a customer's budget: the percent used (rounded
/// down to a whole number) and the warning it calls for, 80 or 100 (`None` below 80 %).
pub fn budget_level(spent: Decimal, budget: Decimal) -> (u32, Option<u32>) {
    if budget <= Decimal::ZERO {
        return (0, None);
    }
    let percent = (spent.max(Decimal::ZERO) * Decimal::ONE_HUNDRED / budget).floor();
    let percent = rust_decimal::prelude::ToPrimitive::to_u32(&percent).unwrap_or(u32::MAX);
    let level = if percent >= 100 {
        Some(100)
    } else if percent >= 80 {
        Some(80)
    } else {
        None
    };
    (percent, level)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }
    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn cur(s: &str) -> Currency {
        Currency::parse(s, "currency").unwrap()
    }
    fn rule(id: i64, customer: Option<i64>, basis: Basis, percent: &str, from: &str) -> UsageRule {
        UsageRule { id, customer_id: customer, basis, percent: d(percent), effective_from: day(from) }
    }

    /// DOMAIN §7.2's PEC example: retail 100 USD of usage earns 15 % PEC, so the partner pays 85.
    fn pec_month(billing: &str, rate: &str) -> MonthUsage {
        MonthUsage {
            retail: d("100"),
            free: Decimal::ZERO,
            cost: d("85") * d(rate),
            cost_in_pricing_currency: d("85"),
            pricing_currency: cur("USD"),
            billing_currency: cur(billing),
            rate: d(rate),
        }
    }

    #[test]
    fn a_budget_warns_at_80_and_100_percent() {
        assert_eq!(budget_level(d("799.99"), d("1000")), (79, None));
        assert_eq!(budget_level(d("800"), d("1000")), (80, Some(80)));
        assert_eq!(budget_level(d("1000"), d("1000")), (100, Some(100)));
        assert_eq!(budget_level(d("2500"), d("1000")), (250, Some(100)));
        assert_eq!(budget_level(d("5"), d("0")), (0, None));
    }

    #[test]
    fn the_pec_watch_flags_the_first_day_without_it_on_meters_that_earned_it() {
        let day_of =
            |date: &str, cat: &str, pec: bool, cost: &str| PecDay { date: day(date), meter_category: cat.into(), pec, cost: d(cost) };
        let mut days = vec![
            day_of("2026-11-01", "Virtual Machines", true, "8.50"),
            day_of("2026-11-02", "Virtual Machines", true, "8.50"),
            // A marketplace image never earns it: no alarm on its own.
            day_of("2026-11-03", "Virtual Machines Licenses", false, "3"),
        ];
        assert_eq!(pec_stopped(&days), None);
        // Access removed on the 3rd: the VMs go on at full price.
        days.push(day_of("2026-11-03", "Virtual Machines", false, "10"));
        days.push(day_of("2026-11-04", "Virtual Machines", false, "10"));
        assert_eq!(pec_stopped(&days), Some(PecStopped { since: day("2026-11-03"), lost: d("3.00") }));
        // Never earned: nothing to watch.
        assert_eq!(pec_stopped(&[day_of("2026-11-03", "Storage", false, "1")]), None);
    }

    #[test]
    fn the_customers_own_rule_then_the_default_then_retail() {
        let rules = [
            rule(1, None, Basis::Retail, "5", "2026-01-01"),
            rule(2, Some(7), Basis::Cost, "10", "2026-06-01"),
            rule(3, Some(7), Basis::Cost, "12", "2026-06-01"),
            rule(4, Some(7), Basis::Retail, "-3", "2026-12-01"),
        ];
        assert_eq!(rule_for(&rules, 7, day("2026-11-30")).percent, d("12"), "the later of two the same day");
        assert_eq!(rule_for(&rules, 7, day("2026-12-31")).basis, Basis::Retail);
        assert_eq!(rule_for(&rules, 7, day("2026-05-31")).percent, d("5"), "before its own: the default");
        assert_eq!(rule_for(&rules, 8, day("2026-11-30")).percent, d("5"));
        assert_eq!(rule_for(&rules, 8, day("2025-12-31")), default_rule());
    }

    #[test]
    fn retail_with_a_markup_or_discount_and_cost_plus_in_the_currency_microsoft_gives() {
        let usd = pec_month("USD", "1");
        let p = price(&usd, &rule(1, None, Basis::Retail, "10", "2026-01-01"), cur("USD")).unwrap();
        assert_eq!((p.amount, p.currency, p.microsoft_rate, p.cost), (d("110"), cur("USD"), None, d("85")));
        let p = price(&usd, &rule(1, None, Basis::Retail, "-5", "2026-01-01"), cur("USD")).unwrap();
        assert_eq!(p.amount, d("95"));
        let p = price(&usd, &rule(1, None, Basis::Cost, "20", "2026-01-01"), cur("USD")).unwrap();
        assert_eq!((p.amount, p.currency), (d("102"), cur("USD")));
        // A partner billed in ZAR at Microsoft's rate of the month, 18.25: retail converts at it,
        // cost is already in ZAR.
        let zar = pec_month("ZAR", "18.25");
        let p = price(&zar, &rule(1, None, Basis::Retail, "0", "2026-01-01"), cur("ZAR")).unwrap();
        assert_eq!(
            (p.amount, p.currency, p.microsoft_rate, p.cost, p.cost_currency),
            (d("100"), cur("USD"), Some(d("18.25")), d("1551.25"), cur("ZAR"))
        );
        let p = price(&zar, &rule(1, None, Basis::Cost, "10", "2026-01-01"), cur("ZAR")).unwrap();
        assert_eq!((p.amount, p.currency, p.microsoft_rate), (d("1706.375"), cur("ZAR"), None));
        // A customer billed in EUR: Seatbook's own rate (none from Microsoft for that pair).
        let p = price(&zar, &rule(1, None, Basis::Retail, "0", "2026-01-01"), cur("EUR")).unwrap();
        assert_eq!((p.currency, p.microsoft_rate), (cur("USD"), None));
        assert!(price(&usd, &rule(1, None, Basis::Retail, "-101", "2026-01-01"), cur("USD")).is_err());
    }

    #[test]
    fn a_line_shared_among_meter_categories_adds_up_to_the_line() {
        let round = |a: Decimal| a.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
        // Three categories of 1/3 each: 0.33 + 0.33 + 0.33 = 0.99, the line is 1.00.
        let third = d("1") / d("3");
        assert_eq!(split_rounded(d("1.00"), &[third, third, third], round), [d("0.34"), d("0.33"), d("0.33")]);
        // The largest takes what rounding leaves over; a correction may mix signs.
        assert_eq!(split_rounded(d("-0.01"), &[d("12.004"), d("-12.014")], round), [d("12.00"), d("-12.01")]);
        assert_eq!(split_rounded(d("5.00"), &[d("0.004"), d("4.996")], round), [d("0.00"), d("5.00")]);
        assert!(split_rounded(d("0"), &[], round).is_empty());
    }

    #[test]
    fn a_free_allowance_is_free_for_the_customer_too() {
        // 100 USD of retail, of which 10 on lines Microsoft charged nothing for (the first tier
        // of a tiered meter, a free allowance): retail + 0 % is 90; cost is already after them.
        let mut u = pec_month("USD", "1");
        u.free = d("10");
        let retail = price(&u, &rule(1, None, Basis::Retail, "10", "2026-01-01"), cur("USD")).unwrap();
        assert_eq!(retail.amount, d("99.0"));
        let cost = price(&u, &rule(1, None, Basis::Cost, "10", "2026-01-01"), cur("USD")).unwrap();
        assert_eq!(cost.amount, d("93.50"));
    }
}
