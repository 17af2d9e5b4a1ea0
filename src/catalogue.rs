//! The catalogue: products, terms, billing plans and the rule that picks a price-list row for a
//! date. Microsoft identifies a product by ProductId + SkuId; AvailabilityId changes over time and
//! is never a key (DOMAIN §2).

use crate::error::{Error, Result};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use std::fmt;

/// `PRODUCTID:SKUID`, e.g. `CFQ7TTC0LH18:0001`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProductKey {
    pub product_id: String,
    pub sku_id: String,
}

impl ProductKey {
    pub fn new(product_id: &str, sku_id: &str) -> ProductKey {
        ProductKey { product_id: product_id.trim().to_ascii_uppercase(), sku_id: sku_id.trim().to_ascii_uppercase() }
    }

    /// Parse `PRODUCTID:SKUID`. A third part (the AvailabilityId of a catalog item id) is ignored.
    pub fn parse(s: &str, field: &str) -> Result<ProductKey> {
        let parts: Vec<&str> = s.trim().split(':').collect();
        let valid = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric());
        if (parts.len() == 2 || parts.len() == 3) && valid(parts[0]) && valid(parts[1]) {
            Ok(ProductKey::new(parts[0], parts[1]))
        } else {
            Err(Error::bad_value(field, format!("'{}' is not a product (use PRODUCTID:SKUID, e.g. CFQ7TTC0LH18:0001)", s.trim())))
        }
    }
}

impl fmt::Display for ProductKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.product_id, self.sku_id)
    }
}

impl Serialize for ProductKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A subscription term (ISO 8601 duration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Term {
    P1M,
    P1Y,
    P3Y,
}

impl Term {
    pub const ALL: [Term; 3] = [Term::P1M, Term::P1Y, Term::P3Y];

    pub fn parse(s: &str, field: &str) -> Result<Term> {
        match s.trim().to_ascii_uppercase().as_str() {
            "P1M" => Ok(Term::P1M),
            "P1Y" => Ok(Term::P1Y),
            "P3Y" => Ok(Term::P3Y),
            other => Err(Error::bad_value(field, format!("'{other}' is not a term (use P1M, P1Y or P3Y)"))),
        }
    }

    pub fn months(self) -> u32 {
        match self {
            Term::P1M => 1,
            Term::P1Y => 12,
            Term::P3Y => 36,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Term::P1M => "P1M",
            Term::P1Y => "P1Y",
            Term::P3Y => "P3Y",
        }
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How often a term is charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BillingPlan {
    Monthly,
    Annual,
    Triennial,
}

impl BillingPlan {
    pub const ALL: [BillingPlan; 3] = [BillingPlan::Monthly, BillingPlan::Annual, BillingPlan::Triennial];

    pub fn parse(s: &str, field: &str) -> Result<BillingPlan> {
        match s.trim().to_ascii_lowercase().as_str() {
            "monthly" => Ok(BillingPlan::Monthly),
            "annual" | "yearly" => Ok(BillingPlan::Annual),
            "triennial" => Ok(BillingPlan::Triennial),
            other => Err(Error::bad_value(field, format!("'{other}' is not a billing plan (use monthly, annual or triennial)"))),
        }
    }

    /// Months in one charge cycle.
    pub fn cycle_months(self) -> u32 {
        match self {
            BillingPlan::Monthly => 1,
            BillingPlan::Annual => 12,
            BillingPlan::Triennial => 36,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            BillingPlan::Monthly => "monthly",
            BillingPlan::Annual => "annual",
            BillingPlan::Triennial => "triennial",
        }
    }

    /// How often, as an adverb: "billed monthly", "billed annually".
    pub fn adverb(self) -> &'static str {
        match self {
            BillingPlan::Monthly => "monthly",
            BillingPlan::Annual => "annually",
            BillingPlan::Triennial => "every three years",
        }
    }

    /// The spelling used in Microsoft's price list.
    pub fn pricelist_name(self) -> &'static str {
        match self {
            BillingPlan::Monthly => "Monthly",
            BillingPlan::Annual => "Annual",
            BillingPlan::Triennial => "Triennial",
        }
    }
}

impl fmt::Display for BillingPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Microsoft's valid term/plan pairs: P1M/Monthly; P1Y/Monthly or Annual; P3Y/Monthly, Annual or
/// Triennial. [PC docs: create-a-new-subscription]
pub fn is_valid_pair(term: Term, plan: BillingPlan) -> bool {
    matches!(
        (term, plan),
        (Term::P1M, BillingPlan::Monthly)
            | (Term::P1Y, BillingPlan::Monthly | BillingPlan::Annual)
            | (Term::P3Y, BillingPlan::Monthly | BillingPlan::Annual | BillingPlan::Triennial)
    )
}

pub fn check_pair(term: Term, plan: BillingPlan) -> Result<()> {
    if is_valid_pair(term, plan) {
        Ok(())
    } else {
        let allowed = BillingPlan::ALL.iter().filter(|p| is_valid_pair(term, **p)).map(|p| p.as_str()).collect::<Vec<_>>().join(" or ");
        Err(Error::invalid("billing", format!("a {term} term cannot be billed {plan}; {term} is billed {allowed}")))
    }
}

/// Charge cycles in one term: P1Y billed monthly has 12 (DOMAIN §2: UnitPrice is per term).
pub fn cycles_per_term(term: Term, plan: BillingPlan) -> u32 {
    term.months() / plan.cycle_months()
}

/// One row of a new-commerce licence price list, as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceRow {
    pub product: ProductKey,
    pub product_title: String,
    pub sku_title: String,
    pub publisher: String,
    pub description: String,
    /// As in the file (`P1M`, `P1Y`, `P3Y`, sometimes others for non-licence items).
    pub term: String,
    /// As in the file (`Monthly`, `Annual`, `Triennial`, `OneTime`, `None`).
    pub billing_plan: String,
    pub market: String,
    pub currency: String,
    /// The partner's cost per seat for the whole term.
    pub unit_price: Decimal,
    /// Microsoft's suggested retail price for the whole term.
    pub erp_price: Option<Decimal>,
    pub tier_min: Option<i64>,
    pub tier_max: Option<i64>,
    pub effective_start: NaiveDate,
    /// `None` when open-ended (9999 in the file).
    pub effective_end: Option<NaiveDate>,
    pub tags: String,
}

impl PriceRow {
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.effective_start <= date && self.effective_end.is_none_or(|end| date <= end)
    }
}

/// The row in force on `date` among rows of one product, term, plan and currency: the row whose
/// effective range contains the date; among several, the latest start wins (DOMAIN §2).
pub fn price_on(rows: &[PriceRow], date: NaiveDate) -> Option<&PriceRow> {
    rows.iter().filter(|r| r.covers(date)).max_by_key(|r| r.effective_start)
}

/// A product as the catalogue lists it, with the prices in force on a date.
#[derive(Debug, Clone, Serialize)]
pub struct Product {
    pub product: ProductKey,
    pub title: String,
    pub sku_title: String,
    pub publisher: String,
    pub prices: Vec<PriceRow>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn every_term_and_plan_pair() {
        let table = [
            (Term::P1M, BillingPlan::Monthly, true),
            (Term::P1M, BillingPlan::Annual, false),
            (Term::P1M, BillingPlan::Triennial, false),
            (Term::P1Y, BillingPlan::Monthly, true),
            (Term::P1Y, BillingPlan::Annual, true),
            (Term::P1Y, BillingPlan::Triennial, false),
            (Term::P3Y, BillingPlan::Monthly, true),
            (Term::P3Y, BillingPlan::Annual, true),
            (Term::P3Y, BillingPlan::Triennial, true),
        ];
        for (term, plan, ok) in table {
            assert_eq!(is_valid_pair(term, plan), ok, "{term}/{plan}");
            assert_eq!(check_pair(term, plan).is_ok(), ok);
        }
        let e = check_pair(Term::P1M, BillingPlan::Annual).unwrap_err();
        assert_eq!(e.message, "a P1M term cannot be billed annual; P1M is billed monthly");
        assert_eq!(cycles_per_term(Term::P3Y, BillingPlan::Monthly), 36);
        assert_eq!(cycles_per_term(Term::P3Y, BillingPlan::Annual), 3);
        assert_eq!(cycles_per_term(Term::P1Y, BillingPlan::Annual), 1);
    }

    fn row(start: (i32, u32, u32), end: Option<(i32, u32, u32)>, price: &str) -> PriceRow {
        let d = |(y, m, dd): (i32, u32, u32)| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        PriceRow {
            product: ProductKey::new("CFQ7TTC0LH18", "0001"),
            product_title: "Microsoft 365 Business Basic".into(),
            sku_title: String::new(),
            publisher: String::new(),
            description: String::new(),
            term: "P1Y".into(),
            billing_plan: "Annual".into(),
            market: "ZA".into(),
            currency: "USD".into(),
            unit_price: Decimal::from_str(price).unwrap(),
            erp_price: None,
            tier_min: None,
            tier_max: None,
            effective_start: d(start),
            effective_end: end.map(d),
            tags: String::new(),
        }
    }

    #[test]
    fn overlapping_rows_latest_start_wins() {
        let rows =
            vec![row((2025, 11, 1), None, "72.00"), row((2026, 12, 1), None, "75.00"), row((2026, 3, 1), Some((2026, 3, 31)), "60.00")];
        let on = |y, m, d| price_on(&rows, NaiveDate::from_ymd_opt(y, m, d).unwrap()).map(|r| r.unit_price.to_string());
        assert_eq!(on(2025, 10, 31), None);
        assert_eq!(on(2025, 11, 1).as_deref(), Some("72.00"));
        assert_eq!(on(2026, 3, 15).as_deref(), Some("60.00"));
        assert_eq!(on(2026, 4, 1).as_deref(), Some("72.00"));
        assert_eq!(on(2026, 11, 30).as_deref(), Some("72.00"));
        assert_eq!(on(2026, 12, 1).as_deref(), Some("75.00"));
    }

    #[test]
    fn product_keys() {
        let k = ProductKey::parse("cfq7ttc0lh18:0001", "product").unwrap();
        assert_eq!(k.to_string(), "CFQ7TTC0LH18:0001");
        assert_eq!(ProductKey::parse("CFQ7TTC0LH18:0001:0002", "p").unwrap(), k);
        assert!(ProductKey::parse("CFQ7TTC0LH18", "product").is_err());
        assert!(ProductKey::parse("a b:1", "product").is_err());
    }
}
