//! Microsoft's daily rated usage as it comes (DOMAIN §7.2): the Partner Center CSV (55 columns,
//! PascalCase, `MpnId`/`Tier2MpnId` or the documentation's `MPNID`/`ResellerMPNID`), the camelCase
//! release (`unitOfMeasure`, `rateOfPartnerEarnedCredit` as 0.15 rather than
//! `PartnerEarnedCreditPercentage` 15), and the Graph export (gzip JSON Lines).
//!
//! Files run to hundreds of thousands of lines: each line is read, checked and added to its day's
//! sums (`Sums`) at once, and never kept. What a month is billed from is the sums per Azure
//! subscription, day, meter category and whether partner-earned credit applied; retail
//! (Σ Quantity × UnitPrice), the partner's cost (Σ BillingPreTaxTotal, after PEC) and the same in
//! the pricing currency (Σ PricingPreTaxTotal), exact and unrounded.

use super::rows::{checked_date, number};
pub use super::rows::{RawRow, RowReader, Spec};
use crate::money::Currency;
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};

/// The columns Seatbook reads, each with the header spellings that mean it.
pub const COLUMNS: &[(&str, &[&str])] = &[
    ("customer_tenant", &["CustomerId", "CustomerTenantId"]),
    ("customer_name", &["CustomerName", "CustomerCompanyName"]),
    ("customer_domain", &["CustomerDomainName"]),
    ("invoice", &["InvoiceNumber", "InvoiceId"]),
    ("subscription_id", &["SubscriptionId"]),
    ("charge_start", &["ChargeStartDate"]),
    ("usage_date", &["UsageDate"]),
    ("meter_category", &["MeterCategory"]),
    ("charge_type", &["ChargeType"]),
    ("unit_price", &["UnitPrice"]),
    ("quantity", &["Quantity"]),
    ("effective_unit_price", &["EffectiveUnitPrice"]),
    ("billing_total", &["BillingPreTaxTotal"]),
    ("billing_currency", &["BillingCurrency"]),
    ("pricing_total", &["PricingPreTaxTotal"]),
    ("pricing_currency", &["PricingCurrency"]),
    ("rate", &["PCToBCExchangeRate"]),
    ("entitlement_id", &["EntitlementId"]),
    ("entitlement", &["EntitlementDescription"]),
    ("pec_percent", &["PartnerEarnedCreditPercentage"]),
    ("pec_rate", &["RateOfPartnerEarnedCredit"]),
    ("credit_type", &["CreditType"]),
];

/// Each column's place in `COLUMNS`, read by place (a line reads a score of them).
mod at {
    pub const TENANT: usize = 0;
    pub const CUSTOMER_NAME: usize = 1;
    pub const CUSTOMER_DOMAIN: usize = 2;
    pub const INVOICE: usize = 3;
    pub const CHARGE_START: usize = 5;
    pub const USAGE_DATE: usize = 6;
    pub const METER_CATEGORY: usize = 7;
    pub const UNIT_PRICE: usize = 9;
    pub const QUANTITY: usize = 10;
    pub const BILLING_TOTAL: usize = 12;
    pub const BILLING_CURRENCY: usize = 13;
    pub const PRICING_TOTAL: usize = 14;
    pub const PRICING_CURRENCY: usize = 15;
    pub const RATE: usize = 16;
    pub const ENTITLEMENT_ID: usize = 17;
    pub const ENTITLEMENT: usize = 18;
    pub const PEC_PERCENT: usize = 19;
    pub const PEC_RATE: usize = 20;
    pub const CREDIT_TYPE: usize = 21;
}

/// The columns a usage file cannot do without.
const REQUIRED: &[&str] = &[
    "customer_tenant",
    "usage_date",
    "unit_price",
    "quantity",
    "billing_total",
    "billing_currency",
    "pricing_total",
    "pricing_currency",
    "entitlement_id",
];

/// How a daily rated usage file is read.
pub static SPEC: Spec =
    Spec { what: "usage file", question: "is this Microsoft's daily rated usage file?", columns: COLUMNS, required: REQUIRED };

/// One usage line, checked: only what the sums need.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageLine {
    pub line: usize,
    pub tenant: String,
    pub customer_name: String,
    pub customer_domain: String,
    /// Empty on unbilled (current-period) estimates.
    pub invoice: String,
    pub entitlement_id: String,
    pub entitlement: String,
    /// The first day of the month the usage belongs to (the charge period's).
    pub month: NaiveDate,
    pub usage_date: NaiveDate,
    pub meter_category: String,
    pub unit_price: Decimal,
    pub quantity: Decimal,
    pub billing_total: Decimal,
    pub billing_currency: Currency,
    pub pricing_total: Decimal,
    pub pricing_currency: Currency,
    /// Microsoft's pricing-to-billing currency rate for the month (1 where the file has none).
    pub rate: Decimal,
    /// Partner-earned credit applied to the line.
    pub pec: bool,
}

/// Check a row into a usage line, or every problem of the line.
pub fn line(row: RawRow) -> std::result::Result<UsageLine, Vec<String>> {
    let mut problems = Vec::new();
    let name = |c: usize| COLUMNS[c].1[0];
    let mut num = |c: usize, optional: bool| -> Option<Decimal> {
        let v = row.at(c);
        if v.is_empty() && optional {
            return None;
        }
        match number(v) {
            Ok(d) => Some(d),
            Err(e) => {
                problems.push(format!("{} {e}", name(c)));
                None
            }
        }
    };
    let unit_price = num(at::UNIT_PRICE, false).unwrap_or_default();
    let quantity = num(at::QUANTITY, false).unwrap_or_default();
    let billing_total = num(at::BILLING_TOTAL, false).unwrap_or_default();
    let pricing_total = num(at::PRICING_TOTAL, false).unwrap_or_default();
    let rate = num(at::RATE, true).unwrap_or(Decimal::ONE);
    let pec_percent = num(at::PEC_PERCENT, true);
    let pec_rate = num(at::PEC_RATE, true);
    let mut currency = |c: usize| match Currency::parse(row.at(c), COLUMNS[c].0) {
        Ok(c) => Some(c),
        Err(e) => {
            problems.push(format!("{} {}", name(c), e.message));
            None
        }
    };
    let billing_currency = currency(at::BILLING_CURRENCY);
    let pricing_currency = currency(at::PRICING_CURRENCY);
    let mut day = |c: usize, required: bool| checked_date(row.at(c), name(c), required, &mut problems);
    let usage_date = day(at::USAGE_DATE, true);
    let charge_start = day(at::CHARGE_START, false);
    for c in [at::TENANT, at::ENTITLEMENT_ID] {
        if row.at(c).is_empty() {
            problems.push(format!("{} is empty", name(c)));
        }
    }
    for (c, (key, names)) in COLUMNS.iter().enumerate() {
        if let Err(e) = crate::customer::check_plain(row.at(c), key, 4000, false) {
            problems.push(format!("{} {}", names[0], e.message));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let usage_date = usage_date.expect("checked");
    let month = charge_start.unwrap_or(usage_date).with_day(1).expect("the first of a month");
    let credit = row.at(at::CREDIT_TYPE);
    let pec = pec_percent.is_some_and(|p| p > Decimal::ZERO)
        || pec_rate.is_some_and(|p| p > Decimal::ZERO)
        || credit.get(..29).is_some_and(|c| c.eq_ignore_ascii_case("partner earned credit applied"));
    let s = |c: usize| row.at(c).to_string();
    Ok(UsageLine {
        line: row.line,
        tenant: row.at(at::TENANT).to_ascii_lowercase(),
        customer_name: s(at::CUSTOMER_NAME),
        customer_domain: row.at(at::CUSTOMER_DOMAIN).to_ascii_lowercase(),
        invoice: s(at::INVOICE),
        entitlement_id: row.at(at::ENTITLEMENT_ID).to_ascii_lowercase(),
        entitlement: s(at::ENTITLEMENT),
        month,
        usage_date,
        meter_category: s(at::METER_CATEGORY),
        unit_price,
        quantity,
        billing_total,
        billing_currency: billing_currency.expect("checked"),
        pricing_total,
        pricing_currency: pricing_currency.expect("checked"),
        rate,
        pec,
    })
}

/// An Azure subscription as the file names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entitlement {
    pub entitlement_id: String,
    pub description: String,
    pub tenant: String,
    pub customer_name: String,
    pub customer_domain: String,
}

/// What a day's lines of one Azure subscription, meter category and PEC state add up to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DayKey {
    pub entitlement_id: String,
    pub invoice: String,
    pub month: NaiveDate,
    pub usage_date: NaiveDate,
    pub meter_category: String,
    pub pec: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DaySum {
    pub lines: u64,
    /// Σ Quantity × UnitPrice, in the pricing currency, unrounded.
    pub retail: Decimal,
    /// Of `retail`, the lines Microsoft charged nothing for (free allowances: EffectiveUnitPrice
    /// 0 with a UnitPrice; the first tier of a tiered meter).
    pub free: Decimal,
    /// Σ BillingPreTaxTotal, the partner's cost in the billing currency, unrounded.
    pub cost: Decimal,
    /// Σ PricingPreTaxTotal, the partner's cost in the pricing currency, unrounded.
    pub pricing: Decimal,
    pub pricing_currency: Currency,
    pub billing_currency: Currency,
    pub rate: Decimal,
}

/// The sums of a whole file, and a digest of its lines that does not depend on their order, the
/// format or how numbers and dates were written (the same data imported twice is the same).
#[derive(Debug, Default)]
pub struct Sums {
    pub entitlements: BTreeMap<String, Entitlement>,
    pub days: HashMap<DayKey, DaySum>,
    pub lines: u64,
    digest: u64,
}

impl Sums {
    /// Add a line; an amount that would overflow is the line's problem.
    pub fn add(&mut self, l: UsageLine) -> std::result::Result<(), String> {
        let retail = l.quantity.checked_mul(l.unit_price).ok_or("Quantity × UnitPrice is out of range")?;
        // The line's values as the book reads them (a number's normal form, a date's day), so
        // the same data written otherwise digests alike.
        let mut h = super::recon::Fnv64::default();
        use std::hash::Hasher;
        for part in [l.tenant.as_str(), l.invoice.as_str(), l.entitlement_id.as_str(), l.meter_category.as_str()] {
            h.write(part.as_bytes());
            h.write(&[0]);
        }
        for d in [l.usage_date, l.month] {
            h.write(&chrono::Datelike::num_days_from_ce(&d).to_le_bytes());
        }
        for n in [l.unit_price, l.quantity, l.billing_total, l.pricing_total] {
            h.write(&n.normalize().serialize());
        }
        h.write(l.billing_currency.code().as_bytes());
        h.write(l.pricing_currency.code().as_bytes());
        h.write(&[u8::from(l.pec)]);
        self.digest = self.digest.wrapping_add(h.finish());
        self.lines += 1;
        if !self.entitlements.contains_key(&l.entitlement_id) {
            let e = Entitlement {
                entitlement_id: l.entitlement_id.clone(),
                description: String::new(),
                tenant: l.tenant.clone(),
                customer_name: String::new(),
                customer_domain: String::new(),
            };
            self.entitlements.insert(l.entitlement_id.clone(), e);
        }
        let e = self.entitlements.get_mut(&l.entitlement_id).expect("inserted");
        for (have, new) in
            [(&mut e.description, &l.entitlement), (&mut e.customer_name, &l.customer_name), (&mut e.customer_domain, &l.customer_domain)]
        {
            if have.is_empty() && !new.is_empty() {
                have.clone_from(new);
            }
        }
        let key = DayKey {
            entitlement_id: l.entitlement_id,
            invoice: l.invoice,
            month: l.month,
            usage_date: l.usage_date,
            meter_category: l.meter_category,
            pec: l.pec,
        };
        let sum = self.days.entry(key).or_insert_with(|| DaySum {
            lines: 0,
            retail: Decimal::ZERO,
            free: Decimal::ZERO,
            cost: Decimal::ZERO,
            pricing: Decimal::ZERO,
            pricing_currency: l.pricing_currency,
            billing_currency: l.billing_currency,
            rate: l.rate,
        });
        if sum.pricing_currency != l.pricing_currency || sum.billing_currency != l.billing_currency {
            return Err("has other currencies than the same subscription's other lines of the day".into());
        }
        let overflow = || "the day's sums are out of range".to_string();
        sum.lines += 1;
        sum.retail = sum.retail.checked_add(retail).ok_or_else(overflow)?;
        if l.billing_total.is_zero() && l.pricing_total.is_zero() {
            sum.free = sum.free.checked_add(retail).ok_or_else(overflow)?;
        }
        sum.cost = sum.cost.checked_add(l.billing_total).ok_or_else(overflow)?;
        sum.pricing = sum.pricing.checked_add(l.pricing_total).ok_or_else(overflow)?;
        Ok(())
    }

    /// The digest of every line added, with how many there were.
    pub fn digest(&self) -> String {
        format!("{:016x}-{}", self.digest, self.lines)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn read(text: &[u8]) -> (Sums, Vec<(usize, Vec<String>)>) {
        let mut r = RowReader::new(std::io::Cursor::new(text.to_vec()), &SPEC).unwrap();
        let mut sums = Sums::default();
        let mut bad = Vec::new();
        while let Some(row) = r.next_row() {
            match row {
                Ok(row) => {
                    let n = row.line;
                    match line(row) {
                        Ok(l) => sums.add(l).unwrap(),
                        Err(p) => bad.push((n, p)),
                    }
                }
                Err((n, p)) => bad.push((n, vec![p])),
            }
        }
        (sums, bad)
    }

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn the_places_name_their_columns() {
        let places = [
            (at::TENANT, "customer_tenant"),
            (at::CUSTOMER_NAME, "customer_name"),
            (at::CUSTOMER_DOMAIN, "customer_domain"),
            (at::INVOICE, "invoice"),
            (at::CHARGE_START, "charge_start"),
            (at::USAGE_DATE, "usage_date"),
            (at::METER_CATEGORY, "meter_category"),
            (at::UNIT_PRICE, "unit_price"),
            (at::QUANTITY, "quantity"),
            (at::BILLING_TOTAL, "billing_total"),
            (at::BILLING_CURRENCY, "billing_currency"),
            (at::PRICING_TOTAL, "pricing_total"),
            (at::PRICING_CURRENCY, "pricing_currency"),
            (at::RATE, "rate"),
            (at::ENTITLEMENT_ID, "entitlement_id"),
            (at::ENTITLEMENT, "entitlement"),
            (at::PEC_PERCENT, "pec_percent"),
            (at::PEC_RATE, "pec_rate"),
            (at::CREDIT_TYPE, "credit_type"),
        ];
        for (i, name) in places {
            assert_eq!(COLUMNS[i].0, name);
        }
    }

    #[test]
    fn pec_is_read_from_the_percentage_the_rate_or_the_credit_type() {
        let csv = b"CustomerId,EntitlementId,UsageDate,UnitPrice,Quantity,BillingPreTaxTotal,BillingCurrency,PricingPreTaxTotal,PricingCurrency,PartnerEarnedCreditPercentage,CreditType\n\
T,E,11/02/2025,0.1,10,0.85,USD,0.85,USD,15,Partner Earned Credit Applied\n\
T,E,11/02/2025,0.1,10,1,USD,1,USD,,Credit Not Applied\n";
        let (sums, bad) = read(csv);
        assert!(bad.is_empty(), "{bad:?}");
        let pec: Vec<bool> = {
            let mut v: Vec<bool> = sums.days.keys().map(|k| k.pec).collect();
            v.sort();
            v
        };
        assert_eq!(pec, [false, true]);
        let camel = b"customerId,entitlementId,usageDate,unitPrice,quantity,billingPreTaxTotal,billingCurrency,pricingPreTaxTotal,pricingCurrency,rateOfPartnerEarnedCredit,unitOfMeasure\n\
T,E,2025-11-02T00:00:00Z,0.1,10,0.85,USD,0.85,USD,0.15,1 Hour\n";
        let (sums, bad) = read(camel);
        assert!(bad.is_empty(), "{bad:?}");
        let (k, s) = sums.days.iter().next().unwrap();
        assert!(k.pec);
        assert_eq!((s.retail, s.cost), (d("1.0"), d("0.85")));
        assert_eq!(k.month, NaiveDate::from_ymd_opt(2025, 11, 1).unwrap());
    }

    #[test]
    fn the_same_lines_in_another_order_and_spelling_digest_alike() {
        let a = b"CustomerId,EntitlementId,UsageDate,UnitPrice,Quantity,BillingPreTaxTotal,BillingCurrency,PricingPreTaxTotal,PricingCurrency\n\
T,E,11/02/2025,0.1,10,1,USD,1,USD\nT,E,11/03/2025,7.10833E-05,1,7.10833E-05,USD,7.10833E-05,USD\n";
        let b = b"CustomerId,EntitlementId,UsageDate,UnitPrice,Quantity,BillingPreTaxTotal,BillingCurrency,PricingPreTaxTotal,PricingCurrency\n\
T,E,2025-11-03,0.0000710833,1.0,0.0000710833,USD,0.0000710833,USD\nT,E,2025-11-02,0.10,10,1.00,USD,1.00,USD\n";
        assert_eq!(read(a).0.digest(), read(b).0.digest());
        let c = b"CustomerId,EntitlementId,UsageDate,UnitPrice,Quantity,BillingPreTaxTotal,BillingCurrency,PricingPreTaxTotal,PricingCurrency\n\
T,E,2025-11-02,0.10,11,1.10,USD,1.10,USD\n";
        assert_ne!(read(a).0.digest(), read(c).0.digest());
    }

    #[test]
    fn every_bad_value_is_named_with_its_column() {
        let csv = b"CustomerId,EntitlementId,UsageDate,UnitPrice,Quantity,BillingPreTaxTotal,BillingCurrency,PricingPreTaxTotal,PricingCurrency\n\
T,E,11/31/2025,x,10,1,USD,1,XXX\n,E,11/02/2025,0.1,10,1,USD,1,USD\n";
        let (_, bad) = read(csv);
        assert_eq!(bad.len(), 2);
        assert_eq!(bad[0].0, 2);
        let text = bad[0].1.join("; ");
        assert!(text.contains("UsageDate") && text.contains("UnitPrice 'x' is not a number") && text.contains("PricingCurrency"), "{text}");
        assert_eq!((bad[1].0, bad[1].1.clone()), (3, vec!["CustomerId is empty".to_string()]));
    }
}
