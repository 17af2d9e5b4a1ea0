//! Azure usage: Microsoft's daily rated usage files as imported, the Azure subscriptions they
//! name, and what their lines add up to per subscription, day, meter category and PEC state.
//!
//! Which sums count for a month: a billed file's (an invoice number on its lines) are final, and
//! several billed files of a month (Microsoft's parts) add up; estimates (no invoice number) count
//! only while the month has no billed usage, and then only the latest import's for that
//! subscription and month (each day's estimate file holds the month so far).

use super::{col, Store};
use crate::azure::{rule_for, Basis, MonthUsage, UsageRule};
use crate::billing::UsageCharge;
use crate::error::{Error, Result};
use crate::import::usage::Sums;
use crate::money::Currency;
use chrono::{Datelike, NaiveDate};
use rusqlite::{params, OptionalExtension};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct UsageImported {
    /// The import's id; for a file imported before, that import's.
    pub id: i64,
    pub file_name: String,
    pub format: String,
    pub lines: u64,
    /// The same data was imported before: nothing was added.
    pub duplicate: bool,
    /// The Azure subscriptions the file names, and the months.
    pub subscriptions: usize,
    pub months: Vec<String>,
    /// Lines of tenants no Seatbook customer has (kept, and listed by `usage list`).
    pub unknown_tenants: Vec<String>,
    /// Lines without an invoice number: this month's estimates, never billed.
    pub estimate_lines: u64,
}

/// One Azure subscription's usage of a month, as `usage list` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct UsageRow {
    /// `None`: a tenant no Seatbook customer has.
    pub customer_id: Option<i64>,
    pub customer_name: String,
    pub tenant_id: String,
    pub domain: String,
    pub entitlement_id: String,
    pub entitlement: String,
    /// `YYYY-MM`.
    pub month: String,
    pub lines: u64,
    /// Σ Quantity × UnitPrice, in `pricing_currency`, exact.
    pub retail: Decimal,
    /// Of `retail`, the lines Microsoft charged nothing for (free allowances), exact.
    pub free: Decimal,
    /// Σ BillingPreTaxTotal (after PEC), in `billing_currency`, exact.
    pub cost: Decimal,
    /// Σ PricingPreTaxTotal (after PEC), in `pricing_currency`, exact.
    pub cost_in_pricing_currency: Decimal,
    pub pricing_currency: Currency,
    pub billing_currency: Currency,
    /// Microsoft's pricing-to-billing rate of the month.
    pub rate: Decimal,
    /// Lines that earned partner-earned credit.
    pub pec_lines: u64,
    /// Unbilled: an estimate of the month so far, never billed.
    pub estimate: bool,
    /// Microsoft's invoice numbers the usage was billed on.
    pub invoices: Vec<String>,
    /// Per meter category: retail and cost, as above.
    pub categories: Vec<CategorySum>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CategorySum {
    pub meter_category: String,
    pub lines: u64,
    pub retail: Decimal,
    pub free: Decimal,
    pub cost: Decimal,
    pub cost_in_pricing_currency: Decimal,
}

/// The day sums that count (`d` of `usage_days`): billed ones, or while a month has none, the
/// latest import's estimates.
const COUNTED: &str = "(d.invoice <> ''
    OR (NOT EXISTS (SELECT 1 FROM usage_days b WHERE b.azure_subscription_id = d.azure_subscription_id
                        AND b.month = d.month AND b.invoice <> '')
        AND d.import_id = (SELECT max(e.import_id) FROM usage_days e WHERE e.azure_subscription_id = d.azure_subscription_id
                        AND e.month = d.month AND e.invoice = '')))";

/// One Azure subscription's month in the Azure report: Microsoft's sums, what the customer pays
/// (billed, or as the next run would bill it) and the margin, in the customer's currency, and the
/// PEC watch.
#[derive(Debug, Clone, Serialize)]
pub struct AzureRow {
    #[serde(flatten)]
    pub usage: UsageRow,
    /// The customer's currency (`None` for a tenant no customer has).
    pub currency: Option<Currency>,
    /// What the customer is charged: invoiced, or as the next run would bill it; `None` when
    /// unknown (no customer, or no exchange rate).
    pub price: Option<Decimal>,
    /// The partner's cost in the customer's currency.
    pub cost_in_currency: Option<Decimal>,
    pub margin: Option<Decimal>,
    /// `billed`, `to_bill`, `estimate` or `no_customer`.
    pub state: &'static str,
    pub pec_stopped: Option<crate::azure::PecStopped>,
}

impl UsageRow {
    /// The month's sums as the pricing rules take them.
    pub fn month_usage(&self) -> MonthUsage {
        MonthUsage {
            retail: self.retail,
            free: self.free,
            cost: self.cost,
            cost_in_pricing_currency: self.cost_in_pricing_currency,
            pricing_currency: self.pricing_currency,
            billing_currency: self.billing_currency,
            rate: self.rate,
        }
    }
}

fn month_text(d: NaiveDate) -> String {
    d.format("%Y-%m").to_string()
}

impl Store {
    /// Write a usage file's sums in one transaction; the same data again (by digest) adds nothing.
    pub fn import_usage(&mut self, file_name: &str, format: &str, sums: &Sums, at: &str) -> Result<UsageImported> {
        let digest = sums.digest();
        let mut months: Vec<String> = sums.days.keys().map(|k| month_text(k.month)).collect();
        months.sort();
        months.dedup();
        let estimate_lines = sums.days.iter().filter(|(k, _)| k.invoice.is_empty()).map(|(_, s)| s.lines).sum();
        let known = self.tenants_and_domains()?;
        let mut unknown: Vec<String> = sums
            .entitlements
            .values()
            .filter(|e| match_customer(&known, &e.tenant, &e.customer_domain).is_none())
            .map(|e| e.tenant.clone())
            .collect();
        unknown.sort();
        unknown.dedup();
        let mut out = UsageImported {
            id: 0,
            file_name: file_name.to_string(),
            format: format.to_string(),
            lines: sums.lines,
            duplicate: false,
            subscriptions: sums.entitlements.len(),
            months,
            unknown_tenants: unknown,
            estimate_lines,
        };
        (out.id, out.duplicate) = self.write(|s| {
            if let Some(id) = s.conn.query_row("SELECT id FROM usage_imports WHERE digest = ?1", [&digest], |r| r.get(0)).optional()? {
                return Ok((id, true));
            }
            s.conn.execute(
                "INSERT INTO usage_imports (file_name, format, digest, lines, imported_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![file_name, format, digest, sums.lines as i64, at],
            )?;
            let import_id = s.conn.last_insert_rowid();
            let mut ids: HashMap<&str, i64> = HashMap::new();
            for e in sums.entitlements.values() {
                s.conn
                    .prepare_cached(
                        "INSERT INTO azure_subscriptions (entitlement_id, tenant_id, description, customer_name, customer_domain)
                         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (entitlement_id) DO NOTHING",
                    )?
                    .execute(params![e.entitlement_id, e.tenant, e.description, e.customer_name, e.customer_domain])?;
                let id: i64 =
                    s.conn.query_row("SELECT id FROM azure_subscriptions WHERE entitlement_id = ?1", [&e.entitlement_id], |r| r.get(0))?;
                ids.insert(e.entitlement_id.as_str(), id);
            }
            let mut stmt = s.conn.prepare_cached(
                "INSERT INTO usage_days (import_id, azure_subscription_id, invoice, month, usage_date, meter_category, pec, lines, retail,
                    cost, pricing, pricing_currency, billing_currency, rate, free)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?;
            for (k, d) in &sums.days {
                stmt.execute(params![
                    import_id,
                    ids[k.entitlement_id.as_str()],
                    k.invoice,
                    month_text(k.month),
                    k.usage_date.to_string(),
                    k.meter_category,
                    k.pec,
                    d.lines as i64,
                    d.retail.normalize().to_string(),
                    d.cost.normalize().to_string(),
                    d.pricing.normalize().to_string(),
                    d.pricing_currency.code(),
                    d.billing_currency.code(),
                    d.rate.normalize().to_string(),
                    d.free.normalize().to_string(),
                ])?;
            }
            Ok((import_id, false))
        })?;
        Ok(out)
    }

    /// Customers' tenant ids and domains, lower case, for matching usage to them.
    fn tenants_and_domains(&self) -> Result<Vec<(i64, String, String, String)>> {
        let mut stmt = self.conn.prepare("SELECT id, name, lower(tenant_id), lower(domain) FROM customers")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Usage per customer (or unknown tenant), Azure subscription and month, as it counts (see the
    /// module's comment): of `month` (`YYYY-MM`) or every month, of one customer, only estimates.
    pub fn usage_rows(&self, month: Option<&str>, customer: Option<i64>, only_estimates: bool) -> Result<Vec<UsageRow>> {
        self.usage_rows_since(month, None, customer, only_estimates)
    }

    /// `usage_rows`, of the months from `since` (`YYYY-MM`) on.
    fn usage_rows_since(
        &self,
        month: Option<&str>,
        since: Option<&str>,
        customer: Option<i64>,
        only_estimates: bool,
    ) -> Result<Vec<UsageRow>> {
        let known = self.tenants_and_domains()?;
        let mut stmt = self.conn.prepare(&format!(
            "SELECT a.entitlement_id, a.tenant_id, a.description, a.customer_name, a.customer_domain, d.invoice, d.month,
                    d.meter_category, d.pec, d.lines, d.retail, d.cost, d.pricing, d.pricing_currency, d.billing_currency, d.rate, d.free
             FROM usage_days d JOIN azure_subscriptions a ON a.id = d.azure_subscription_id
             WHERE {} AND {} AND {COUNTED}
             ORDER BY a.entitlement_id, d.month",
            // Only the filters given, so that the index on the month is used (0.2 s to 2 ms for
            // the dashboard's last two months on a book with a year of usage behind them).
            super::filter(month.is_some(), "d.month = ?1", 1),
            super::filter(since.is_some(), "d.month >= ?2", 2)
        ))?;
        let mut rows: BTreeMap<(String, String), UsageRow> = BTreeMap::new();
        let mut categories: HashMap<(String, String), BTreeMap<String, CategorySum>> = HashMap::new();
        let mut q = stmt.query(params![month.map(str::trim), since])?;
        while let Some(r) = q.next()? {
            let entitlement_id: String = r.get(0)?;
            let month: String = r.get(6)?;
            let invoice: String = r.get(5)?;
            let lines = r.get::<_, i64>(9)? as u64;
            let retail = col::dec(r, "retail")?;
            let cost = col::dec(r, "cost")?;
            let pricing = col::dec(r, "pricing")?;
            let free = col::dec(r, "free")?;
            let key = (entitlement_id.clone(), month.clone());
            let row = match rows.get_mut(&key) {
                Some(row) => row,
                None => {
                    let tenant: String = r.get(1)?;
                    let domain: String = r.get(4)?;
                    let customer = match_customer(&known, &tenant, &domain);
                    let currency = |i: usize| -> Result<Currency> { Currency::parse(&r.get::<_, String>(i)?, "currency") };
                    rows.entry(key.clone()).or_insert(UsageRow {
                        customer_id: customer.map(|c| c.0),
                        customer_name: customer.map(|c| c.1.clone()).unwrap_or_else(|| r.get(3).unwrap_or_default()),
                        tenant_id: tenant,
                        domain,
                        entitlement_id: entitlement_id.clone(),
                        entitlement: r.get(2)?,
                        month: month.clone(),
                        lines: 0,
                        retail: Decimal::ZERO,
                        free: Decimal::ZERO,
                        cost: Decimal::ZERO,
                        cost_in_pricing_currency: Decimal::ZERO,
                        pricing_currency: currency(13)?,
                        billing_currency: currency(14)?,
                        rate: col::dec(r, "rate")?,
                        pec_lines: 0,
                        estimate: invoice.is_empty(),
                        invoices: Vec::new(),
                        categories: Vec::new(),
                    })
                }
            };
            let overflow = || Error::invalid("usage", "the month's usage sums are out of range");
            row.lines += lines;
            row.retail = row.retail.checked_add(retail).ok_or_else(overflow)?;
            row.free = row.free.checked_add(free).ok_or_else(overflow)?;
            row.cost = row.cost.checked_add(cost).ok_or_else(overflow)?;
            row.cost_in_pricing_currency = row.cost_in_pricing_currency.checked_add(pricing).ok_or_else(overflow)?;
            if r.get::<_, bool>(8)? {
                row.pec_lines += lines;
            }
            if !invoice.is_empty() && !row.invoices.contains(&invoice) {
                row.invoices.push(invoice);
            }
            let category: String = r.get(7)?;
            let c = categories.entry(key).or_default().entry(category.clone()).or_insert(CategorySum {
                meter_category: category,
                lines: 0,
                retail: Decimal::ZERO,
                free: Decimal::ZERO,
                cost: Decimal::ZERO,
                cost_in_pricing_currency: Decimal::ZERO,
            });
            c.lines += lines;
            c.retail = c.retail.checked_add(retail).ok_or_else(overflow)?;
            c.free = c.free.checked_add(free).ok_or_else(overflow)?;
            c.cost = c.cost.checked_add(cost).ok_or_else(overflow)?;
            c.cost_in_pricing_currency = c.cost_in_pricing_currency.checked_add(pricing).ok_or_else(overflow)?;
        }
        let mut out: Vec<UsageRow> = rows
            .into_iter()
            .filter(|(_, r)| customer.is_none_or(|c| r.customer_id == Some(c)) && (!only_estimates || r.estimate))
            .map(|(key, mut r)| {
                let mut cats: Vec<CategorySum> = categories.remove(&key).unwrap_or_default().into_values().collect();
                cats.sort_by(|a, b| b.retail.cmp(&a.retail).then_with(|| a.meter_category.cmp(&b.meter_category)));
                r.categories = cats;
                r.retail = r.retail.normalize();
                r.free = r.free.normalize();
                r.cost = r.cost.normalize();
                r.cost_in_pricing_currency = r.cost_in_pricing_currency.normalize();
                r
            })
            .collect();
        out.sort_by(|a, b| {
            (a.customer_id.is_none(), &a.customer_name, &a.entitlement, &a.month).cmp(&(
                b.customer_id.is_none(),
                &b.customer_name,
                &b.entitlement,
                &b.month,
            ))
        });
        Ok(out)
    }
}

impl Store {
    /// Every Azure pricing rule, oldest first.
    pub fn usage_rules(&self) -> Result<Vec<UsageRule>> {
        let mut stmt = self.conn.prepare("SELECT id, customer_id, basis, percent, effective_from FROM usage_rules ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok(UsageRule {
                id: r.get(0)?,
                customer_id: r.get(1)?,
                basis: col::parse_with(r, 2, |s| Basis::parse(s, "").ok())?,
                percent: col::dec(r, 3)?,
                effective_from: col::date(r, 4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Record a pricing rule (a later one for the same day wins).
    pub fn add_usage_rule(
        &mut self,
        customer: Option<i64>,
        basis: Basis,
        percent: Decimal,
        from: NaiveDate,
        at: &str,
    ) -> Result<UsageRule> {
        let id = self.write(|s| {
            s.conn.execute(
                "INSERT INTO usage_rules (customer_id, basis, percent, effective_from, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![customer, basis.as_str(), percent.normalize().to_string(), from.to_string(), at],
            )?;
            Ok(s.conn.last_insert_rowid())
        })?;
        Ok(UsageRule { id, customer_id: customer, basis, percent: percent.normalize(), effective_from: from })
    }

    /// Azure usage to bill by `last_day`: every month Microsoft billed (not estimates) of a known
    /// customer, billable on the first day after it, not invoiced yet, priced by the rule in
    /// force on the usage month's last day in the customer's currency.
    pub(super) fn usage_to_bill(&self, last_day: NaiveDate, currencies: &HashMap<i64, Currency>) -> Result<Vec<(i64, UsageCharge)>> {
        let any: bool = self.conn.query_row("SELECT EXISTS (SELECT 1 FROM usage_days)", [], |r| r.get(0))?;
        if !any {
            return Ok(Vec::new());
        }
        // What was billed of each month already: how many lines, and Microsoft's sums then.
        let mut billed: HashMap<String, (u32, [Decimal; 4])> = HashMap::new();
        {
            let mut stmt = self.conn.prepare("SELECT item_key, retail, cost, cost_in_pricing_currency, free FROM usage_billed")?;
            let mut q = stmt.query([])?;
            while let Some(r) = q.next()? {
                let key: String = r.get(0)?;
                let family = UsageCharge::family(&key).to_string();
                let b = billed.entry(family).or_default();
                b.0 += 1;
                for (i, sum) in b.1.iter_mut().enumerate() {
                    *sum += col::dec(r, i + 1)?;
                }
            }
        }
        // And by meter category (none for lines issued before categories were kept).
        let mut billed_categories: HashMap<String, BTreeMap<String, [Decimal; 4]>> = HashMap::new();
        {
            let mut stmt = self.conn.prepare(
                "SELECT l.own_key, c.meter_category, c.retail, c.cost, c.cost_in_pricing_currency, c.free
                 FROM usage_line_categories c JOIN invoice_lines l ON l.id = c.invoice_line_id",
            )?;
            let mut q = stmt.query([])?;
            while let Some(r) = q.next()? {
                let key: String = r.get(0)?;
                let sums = billed_categories.entry(UsageCharge::family(&key).to_string()).or_default().entry(r.get(1)?).or_default();
                for (i, sum) in sums.iter_mut().enumerate() {
                    *sum += col::dec(r, i + 2)?;
                }
            }
        }
        let rules = self.usage_rules()?;
        let mut out = Vec::new();
        // Usage months within the catch-up reach, as for every other item a run bills: the
        // years of usage behind are not read again every month.
        let first = last_day.with_day(1).expect("the first of a month");
        let since = month_text(crate::dates::add_days(first, -super::billing::CATCH_UP_DAYS));
        for row in self.usage_rows_since(None, Some(&since), None, false)? {
            let (Some(customer), false) = (row.customer_id, row.estimate) else { continue };
            let Some(&currency) = currencies.get(&customer) else { continue };
            let Ok(month) = NaiveDate::parse_from_str(&format!("{}-01", row.month), "%Y-%m-%d") else { continue };
            let end = crate::dates::month_end(month);
            if end >= last_day {
                continue;
            }
            // A month invoiced before is billed again only for what changed since (a corrected
            // or later file), as a correction line.
            let (correction, before) = billed.get(&UsageCharge::key(&row.entitlement_id, month)).copied().unwrap_or_default();
            let mut usage = row.month_usage();
            usage.retail -= before[0];
            usage.cost -= before[1];
            usage.cost_in_pricing_currency -= before[2];
            usage.free -= before[3];
            if correction > 0 && [usage.retail, usage.cost, usage.cost_in_pricing_currency, usage.free].iter().all(|v| v.is_zero()) {
                continue;
            }
            let rule = rule_for(&rules, customer, end);
            let price = crate::azure::price(&usage, &rule, currency)?;
            let family = billed_categories.get(&UsageCharge::key(&row.entitlement_id, month));
            let categories = categories_to_bill(&row, family, &usage, |u| crate::azure::price(u, &rule, currency).map(|p| p.amount))?;
            out.push((
                customer,
                UsageCharge {
                    entitlement_id: row.entitlement_id,
                    entitlement: row.entitlement,
                    month,
                    price,
                    usage,
                    correction,
                    categories,
                },
            ));
        }
        Ok(out)
    }
}

impl Store {
    /// The Azure report of the usage months `from`..=`to` (first days).
    pub fn azure_report(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<AzureRow>> {
        let rows: Vec<UsageRow> = self
            .usage_rows_since(None, Some(&month_text(from)), None, false)?
            .into_iter()
            .filter(|r| r.month.as_str() <= month_text(to).as_str())
            .collect();
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        // What was invoiced of each month, in the invoice's currency.
        let mut invoiced: HashMap<String, (Currency, i64, Option<i64>)> = HashMap::new();
        {
            let mut stmt = self.conn.prepare(
                "SELECT l.own_key, i.currency, l.amount_minor, l.cost_minor FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
                 WHERE l.kind = 'usage'",
            )?;
            let mut q = stmt.query([])?;
            while let Some(r) = q.next()? {
                let key: String = r.get(0)?;
                let family = UsageCharge::family(&key).to_string();
                let currency = Currency::parse(&r.get::<_, String>(1)?, "currency")?;
                let e = invoiced.entry(family).or_insert((currency, 0, Some(0)));
                e.1 += r.get::<_, i64>(2)?;
                e.2 = match (e.2, r.get::<_, Option<i64>>(3)?) {
                    (Some(a), Some(b)) => Some(a + b),
                    _ => None,
                };
            }
        }
        // Each subscription's days, for the PEC watch.
        let mut days: HashMap<(String, String), Vec<crate::azure::PecDay>> = HashMap::new();
        {
            let mut stmt = self.conn.prepare(&format!(
                "SELECT a.entitlement_id, d.month, d.usage_date, d.meter_category, d.pec, d.cost
                 FROM usage_days d JOIN azure_subscriptions a ON a.id = d.azure_subscription_id
                 WHERE d.month BETWEEN ?1 AND ?2 AND {COUNTED}"
            ))?;
            let mut q = stmt.query(params![month_text(from), month_text(to)])?;
            while let Some(r) = q.next()? {
                days.entry((r.get(0)?, r.get(1)?)).or_default().push(crate::azure::PecDay {
                    date: col::date(r, 2)?,
                    meter_category: r.get(3)?,
                    pec: r.get(4)?,
                    cost: col::dec(r, 5)?,
                });
            }
        }
        let rules = self.usage_rules()?;
        let rates = self.exchange_rates()?;
        let currencies: HashMap<i64, Currency> = {
            let mut stmt = self.conn.prepare_cached("SELECT id, currency FROM customers")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, col::currency(r, "currency")?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut out = Vec::with_capacity(rows.len());
        for u in rows {
            let Ok(month) = NaiveDate::parse_from_str(&format!("{}-01", u.month), "%Y-%m-%d") else { continue };
            let end = crate::dates::month_end(month);
            let pec_stopped = days.get(&(u.entitlement_id.clone(), u.month.clone())).and_then(|d| crate::azure::pec_stopped(d));
            let currency = u.customer_id.and_then(|c| currencies.get(&c).copied());
            let (state, price, cost) = match (u.customer_id, currency, invoiced.get(&UsageCharge::key(&u.entitlement_id, month))) {
                (None, _, _) | (_, None, _) => ("no_customer", None, None),
                (Some(_), Some(_), Some(&(cur, amount, cost))) => ("billed", Some(cur.from_minor(amount)), cost.map(|c| cur.from_minor(c))),
                (Some(customer), Some(cur), None) => {
                    let p = crate::azure::price(&u.month_usage(), &rule_for(&rules, customer, end), cur)?;
                    let convert = |amount: Decimal, from: Currency, fixed: Option<Decimal>| -> Option<Decimal> {
                        let rate =
                            if from == cur { Decimal::ONE } else { fixed.or_else(|| crate::pricing::rate_on(&rates, from, cur, end))? };
                        Some(cur.round(amount * rate))
                    };
                    (
                        if u.estimate { "estimate" } else { "to_bill" },
                        convert(p.amount, p.currency, p.microsoft_rate),
                        convert(p.cost, p.cost_currency, None),
                    )
                }
            };
            let margin = match (price, cost) {
                (Some(p), Some(c)) => Some(p - c),
                _ => None,
            };
            out.push(AzureRow { usage: u, currency, price, cost_in_currency: cost, margin, state, pec_stopped });
        }
        Ok(out)
    }
}

/// A customer's Azure spend this month against their budget.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BudgetStatus {
    pub customer_id: i64,
    pub customer_name: String,
    pub currency: Currency,
    /// `YYYY-MM`.
    pub month: String,
    pub budget: Decimal,
    /// What the month's usage so far comes to at the customer's price (estimates included);
    /// `None` when an exchange rate is missing.
    pub spent: Option<Decimal>,
    pub percent: u32,
    /// 80 or 100 when the spend crossed that share of the budget.
    pub warning: Option<u32>,
}

impl Store {
    /// Set (or with `None`, remove) a customer's monthly Azure budget.
    pub fn set_usage_budget(&mut self, customer: i64, amount: Option<Decimal>, at: &str) -> Result<()> {
        self.write(|s| {
            match amount {
                Some(a) => s.conn.execute(
                    "INSERT INTO usage_budgets (customer_id, amount, set_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT (customer_id) DO UPDATE SET amount = excluded.amount, set_at = excluded.set_at",
                    params![customer, a.normalize().to_string(), at],
                )?,
                None => s.conn.execute("DELETE FROM usage_budgets WHERE customer_id = ?1", [customer])?,
            };
            Ok(())
        })
    }

    /// Every customer's budget against their Azure spend in `as_of`'s month (of one customer, or
    /// all).
    pub fn budget_statuses(&self, as_of: NaiveDate, customer: Option<i64>) -> Result<Vec<BudgetStatus>> {
        let budgets: Vec<(i64, String, String, Decimal)> = {
            let mut stmt = self.conn.prepare(
                "SELECT b.customer_id, c.name, c.currency, b.amount FROM usage_budgets b JOIN customers c ON c.id = b.customer_id
                 WHERE ?1 IS NULL OR b.customer_id = ?1 ORDER BY c.name",
            )?;
            let rows = stmt.query_map([customer], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, col::dec(r, 3)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        if budgets.is_empty() {
            return Ok(Vec::new());
        }
        let first = as_of.with_day(1).expect("the first of a month");
        let report = self.azure_report(first, crate::dates::month_end(first))?;
        let mut out = Vec::with_capacity(budgets.len());
        for (customer_id, customer_name, currency, budget) in budgets {
            let currency = Currency::parse(&currency, "currency")?;
            let mine: Vec<&AzureRow> = report.iter().filter(|r| r.usage.customer_id == Some(customer_id)).collect();
            let spent = mine.iter().try_fold(Decimal::ZERO, |sum, r| r.price.map(|p| sum + p));
            let (percent, warning) = spent.map(|s| crate::azure::budget_level(s, budget)).unwrap_or((0, None));
            out.push(BudgetStatus { customer_id, customer_name, currency, month: month_text(first), budget, spent, percent, warning });
        }
        Ok(out)
    }
}

/// A month of Azure usage in all, at the customers' prices, in the company's currency: beside
/// recurring revenue on the dashboard (usage is consumption, not recurring).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AzureMonth {
    /// `YYYY-MM`.
    pub month: String,
    pub currency: Currency,
    /// What customers pay (invoiced, or as the next run would bill it), rounded once.
    pub amount: Decimal,
    /// The partner's cost of it.
    pub cost: Decimal,
    /// Azure subscriptions with usage in the month.
    pub subscriptions: usize,
    /// Some of it is Microsoft's estimate so far (not billed by Microsoft yet).
    pub estimate: bool,
    /// Subscriptions left out of the amount: no customer has the tenant, or no exchange rate.
    pub unpriced: usize,
}

/// Azure on the dashboard: last month and this month so far.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AzureSummary {
    pub last_month: AzureMonth,
    pub this_month: AzureMonth,
}

impl Store {
    /// Last month's Azure usage and this month's so far, as of `as_of`; `None` when the book has
    /// no usage of either month.
    pub fn azure_summary(&self, as_of: NaiveDate) -> Result<Option<AzureSummary>> {
        Ok(self.azure_watch(as_of)?.0)
    }

    /// `azure_summary` and `pec_alerts` of `as_of` from one reading of the two months' usage
    /// (what the dashboard shows).
    pub fn azure_watch(&self, as_of: NaiveDate) -> Result<(Option<AzureSummary>, Vec<PecAlert>)> {
        let any: bool = self.conn.query_row("SELECT EXISTS (SELECT 1 FROM usage_days)", [], |r| r.get(0))?;
        if !any {
            return Ok((None, Vec::new()));
        }
        let this = as_of.with_day(1).expect("the first of a month");
        let last = this.checked_sub_months(chrono::Months::new(1)).unwrap_or(this);
        let report = self.azure_report(last, crate::dates::month_end(this))?;
        let alerts = pec_alerts_of(report.clone());
        if report.is_empty() {
            return Ok((None, alerts));
        }
        let to = self.company()?.currency;
        let rates = self.exchange_rates()?;
        let month = |first: NaiveDate| {
            let label = month_text(first);
            let on = crate::dates::month_end(first).min(as_of);
            let (mut amount, mut cost, mut subscriptions, mut unpriced, mut estimate) = (Decimal::ZERO, Decimal::ZERO, 0, 0, false);
            for r in report.iter().filter(|r| r.usage.month == label) {
                subscriptions += 1;
                estimate |= r.usage.estimate;
                let converted = r
                    .currency
                    .zip(r.price)
                    .zip(r.cost_in_currency)
                    .and_then(|((c, p), k)| crate::pricing::rate_on(&rates, c, to, on).map(|rate| (p * rate, k * rate)));
                match converted {
                    Some((p, k)) => {
                        amount += p;
                        cost += k;
                    }
                    None => unpriced += 1,
                }
            }
            AzureMonth { month: label, currency: to, amount: to.round(amount), cost: to.round(cost), subscriptions, estimate, unpriced }
        };
        Ok((Some(AzureSummary { last_month: month(last), this_month: month(this) }), alerts))
    }
}

/// An Azure subscription that stopped earning partner-earned credit (the PEC watch).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PecAlert {
    pub customer_id: Option<i64>,
    pub customer_name: String,
    pub entitlement_id: String,
    pub entitlement: String,
    /// `YYYY-MM`.
    pub month: String,
    pub since: NaiveDate,
    /// The credit lost since, in `currency` (Microsoft's billing currency), exact.
    pub lost: Decimal,
    pub currency: Currency,
}

impl Store {
    /// The PEC watch of `as_of`'s month and the month before: every Azure subscription that
    /// stopped earning partner-earned credit, the latest month of each first.
    pub fn pec_alerts(&self, as_of: NaiveDate) -> Result<Vec<PecAlert>> {
        Ok(self.azure_watch(as_of)?.1)
    }
}

/// The PEC watch of the rows of an Azure report: every subscription that stopped earning
/// partner-earned credit, the latest month of each first, the biggest loss first.
fn pec_alerts_of(mut rows: Vec<AzureRow>) -> Vec<PecAlert> {
    let mut seen = std::collections::HashSet::new();
    rows.sort_by(|a, b| b.usage.month.cmp(&a.usage.month));
    let mut out = Vec::new();
    for r in rows {
        let Some(p) = r.pec_stopped else { continue };
        if !seen.insert(r.usage.entitlement_id.clone()) {
            continue;
        }
        out.push(PecAlert {
            customer_id: r.usage.customer_id,
            customer_name: r.usage.customer_name,
            entitlement_id: r.usage.entitlement_id,
            entitlement: r.usage.entitlement,
            month: r.usage.month,
            since: p.since,
            lost: p.lost.normalize(),
            currency: r.usage.billing_currency,
        });
    }
    out.sort_by_key(|a| std::cmp::Reverse(a.lost));
    out
}

impl super::Tx<'_> {
    /// Keep Microsoft's sums an issued Azure usage line billed, in all and by meter category with
    /// the part of the line's amount each got (in the issuing transaction).
    pub(super) fn record_usage_billed(&self, line: &crate::billing::DraftLine, u: &UsageCharge) -> Result<()> {
        let text = |d: Decimal| d.normalize().to_string();
        self.conn
            .prepare_cached(
                "INSERT INTO usage_billed (item_key, retail, cost, cost_in_pricing_currency, free) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                line.item_key,
                text(u.usage.retail),
                text(u.usage.cost),
                text(u.usage.cost_in_pricing_currency),
                text(u.usage.free)
            ])?;
        if u.categories.is_empty() {
            return Ok(());
        }
        let (line_id, currency): (i64, String) = self.conn.query_row(
            "SELECT l.id, i.currency FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id WHERE l.own_key = ?1",
            [&line.item_key],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let currency = Currency::parse(&currency, "currency")?;
        let mut insert = self.conn.prepare_cached(
            "INSERT INTO usage_line_categories (invoice_line_id, position, meter_category, retail, free, cost, cost_in_pricing_currency,
                amount_minor)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for (i, (c, part)) in u.categories.iter().zip(&line.details).enumerate() {
            insert.execute(params![
                line_id,
                i as i64 + 1,
                c.meter_category,
                text(c.usage.retail),
                text(c.usage.free),
                text(c.usage.cost),
                text(c.usage.cost_in_pricing_currency),
                currency.to_minor(part.amount)
            ])?;
        }
        Ok(())
    }
}

/// A usage line by meter category: the month's sums less what was billed of each category
/// before, priced by `price`, largest first. Empty when the categories do not add up to the line
/// (a month billed before categories were kept).
fn categories_to_bill(
    row: &UsageRow,
    billed: Option<&BTreeMap<String, [Decimal; 4]>>,
    line: &MonthUsage,
    price: impl Fn(&MonthUsage) -> Result<Decimal>,
) -> Result<Vec<crate::azure::CategoryUsage>> {
    let mut sums: BTreeMap<&str, [Decimal; 4]> =
        row.categories.iter().map(|c| (c.meter_category.as_str(), [c.retail, c.cost, c.cost_in_pricing_currency, c.free])).collect();
    for (name, before) in billed.into_iter().flatten() {
        let s = sums.entry(name.as_str()).or_default();
        for (v, b) in s.iter_mut().zip(before) {
            *v -= *b;
        }
    }
    sums.retain(|_, s| s.iter().any(|v| !v.is_zero()));
    let total = |i: usize| sums.values().map(|s| s[i]).sum::<Decimal>();
    if [total(0), total(1), total(2), total(3)] != [line.retail, line.cost, line.cost_in_pricing_currency, line.free] {
        return Ok(Vec::new());
    }
    let mut out = Vec::with_capacity(sums.len());
    for (name, [retail, cost, cost_in_pricing_currency, free]) in sums {
        let usage = MonthUsage { retail, cost, cost_in_pricing_currency, free, ..line.clone() };
        out.push(crate::azure::CategoryUsage { meter_category: name.to_string(), amount: price(&usage)?, usage });
    }
    out.sort_by(|a, b| b.amount.cmp(&a.amount).then_with(|| a.meter_category.cmp(&b.meter_category)));
    Ok(out)
}

/// The customer a tenant's usage belongs to: by tenant id, then by domain.
fn match_customer<'a>(known: &'a [(i64, String, String, String)], tenant: &str, domain: &str) -> Option<&'a (i64, String, String, String)> {
    known.iter().find(|c| !c.2.is_empty() && c.2 == tenant).or_else(|| known.iter().find(|c| !domain.is_empty() && c.3 == domain))
}
