//! The reseller's own billable items: one-time charges (deployment, migration), recurring
//! service fees (flat, or per seat of a subscription), and instalment plans.

use crate::error::{Error, Result};
use crate::money::Currency;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

/// A one-time charge, billed on its date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Charge {
    pub id: i64,
    pub customer_id: i64,
    pub date: NaiveDate,
    pub description: String,
    pub quantity: Decimal,
    pub unit_price: Decimal,
    pub currency: Currency,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceBasis {
    /// The same fee every month.
    Flat,
    /// The fee times the seats of a subscription at the start of each month.
    PerSeat,
}

impl ServiceBasis {
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceBasis::Flat => "flat",
            ServiceBasis::PerSeat => "per-seat",
        }
    }
}

/// A recurring monthly service fee, billed in advance on each monthly anniversary of `start`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Service {
    pub id: i64,
    pub customer_id: i64,
    pub description: String,
    pub basis: ServiceBasis,
    /// For `PerSeat`: whose seats count.
    pub subscription_id: Option<i64>,
    /// Per month (per seat and month for `PerSeat`).
    pub amount: Decimal,
    pub currency: Currency,
    pub start: NaiveDate,
    /// The last day of service, if it has ended.
    pub end: Option<NaiveDate>,
}

/// A total split into `count` monthly instalments from `start`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstalmentPlan {
    pub id: i64,
    pub customer_id: i64,
    pub description: String,
    pub total: Decimal,
    pub currency: Currency,
    pub count: u32,
    pub start: NaiveDate,
}

impl InstalmentPlan {
    /// Instalment amounts: each the total divided by the count, rounded once; the last absorbs
    /// the rounding remainder so they sum exactly to the total (DOMAIN §5).
    pub fn amounts(&self) -> Vec<Decimal> {
        let n = self.count.max(1);
        let each = self.currency.round(self.total / Decimal::from(n));
        let mut out = vec![each; n as usize - 1];
        let sum: Decimal = out.iter().copied().sum();
        out.push(self.currency.round(self.total - sum));
        out
    }
}

pub fn check_count(count: u32) -> Result<()> {
    if count == 0 || count > 120 {
        return Err(Error::invalid("count", "the number of instalments must be between 1 and 120"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn instalments_sum_exactly_to_the_total() {
        for (total, count, first, last) in [
            ("1000.00", 3, "333.33", "333.34"),
            ("100", 7, "14.29", "14.26"),
            ("0.05", 2, "0.03", "0.02"),
            ("12000", 12, "1000.00", "1000.00"),
        ] {
            let plan = InstalmentPlan {
                id: 1,
                customer_id: 1,
                description: String::new(),
                total: Decimal::from_str(total).unwrap(),
                currency: Currency::parse("ZAR", "c").unwrap(),
                count,
                start: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            };
            let a = plan.amounts();
            assert_eq!(a.len(), count as usize);
            assert_eq!(a.iter().copied().sum::<Decimal>(), plan.total, "{total}/{count}");
            assert_eq!((a[0].to_string(), a[a.len() - 1].to_string()), (first.to_string(), last.to_string()));
        }
    }
}
