//! Azure usage: Microsoft's daily rated usage imported as it comes (CSV in any release's header,
//! or the Graph export's gzip JSON Lines), read a line at a time and summed per Azure
//! subscription and day, all or nothing; and the usage per customer, subscription and month.

use super::Clock;
use crate::error::LineProblems;
use crate::import::usage::{line, RowReader, Sums, SPEC};
use crate::store::Store;
pub use crate::store::{AzureRow, BudgetStatus, PecAlert, UsageImported, UsageRow};
use crate::Result;
use std::path::Path;

/// Import the usage file at `path`. A file with any bad line is refused whole, naming each;
/// the same data imported again adds nothing.
pub fn import(store: &mut Store, clock: &Clock, path: &Path) -> Result<UsageImported> {
    let file = crate::files::open(path, "file")?;
    let mut reader = RowReader::new(file, &SPEC).map_err(|e| if e.field.is_none() { e.with_field("file") } else { e })?;
    let mut problems = LineProblems::new("usage file");
    let mut sums = Sums::default();
    while let Some(row) = reader.next_row() {
        let raw = match row {
            Ok(raw) => raw,
            Err((at, p)) => {
                problems.push(at, p);
                continue;
            }
        };
        let at = raw.line;
        match line(raw) {
            Ok(l) => {
                if let Err(p) = sums.add(l) {
                    problems.push(at, p);
                }
            }
            Err(ps) => ps.into_iter().for_each(|p| problems.push(at, p)),
        }
    }
    problems.into_result()?;
    if sums.lines == 0 {
        return Err(crate::Error::invalid("file", "usage file rejected, nothing imported: it has no usage lines"));
    }
    store.import_usage(&crate::files::name_of(path), reader.format, &sums, &clock.now)
}

/// Usage per customer (or unknown tenant), Azure subscription and month: of `month` (`YYYY-MM`)
/// or every month, of one customer, or only this month's estimates.
pub fn list(store: &Store, month: Option<&str>, customer: Option<i64>, only_estimates: bool) -> Result<Vec<UsageRow>> {
    let month = match super::given(month) {
        Some(m) => {
            crate::dates::parse_month(m, "month")?;
            Some(m)
        }
        None => None,
    };
    if let Some(c) = customer {
        store.customer(c).map_err(|e| e.with_field("customer"))?;
    }
    store.usage_rows(month, customer, only_estimates)
}

/// Price a customer's Azure usage (or everyone's, without `customer`: the default rule) from
/// `on` (default today): `retail` plus `percent` (a discount is negative) or `cost` plus it.
pub fn set_rule(
    store: &mut Store,
    clock: &Clock,
    customer: Option<i64>,
    basis: &str,
    percent: &str,
    on: Option<&str>,
) -> Result<crate::azure::UsageRule> {
    if let Some(c) = customer {
        store.customer(c).map_err(|e| e.with_field("customer"))?;
    }
    let basis = crate::azure::Basis::parse(basis, "basis")?;
    let percent = crate::money::parse_percent(percent, "percent")?;
    if basis == crate::azure::Basis::Cost && percent < rust_decimal::Decimal::ZERO {
        return Err(crate::Error::bad_value("percent", "cost less a discount sells below cost: give a markup of 0 or more"));
    }
    let on = super::date_or(on, "on", clock.today)?;
    store.add_usage_rule(customer, basis, percent, on, &clock.now)
}

/// The Azure pricing rules, oldest first.
pub fn rules(store: &Store) -> Result<Vec<crate::azure::UsageRule>> {
    store.usage_rules()
}

/// Set a customer's monthly Azure budget in their currency (0 removes it); returns where this
/// month's spend stands against it.
pub fn set_budget(store: &mut Store, clock: &Clock, customer: i64, amount: &str) -> Result<Option<crate::store::BudgetStatus>> {
    store.customer(customer).map_err(|e| e.with_field("customer"))?;
    let amount = crate::money::parse_amount(amount, "amount")?;
    if amount < rust_decimal::Decimal::ZERO {
        return Err(crate::Error::bad_value("amount", "a budget cannot be negative (0 removes it)"));
    }
    store.set_usage_budget(customer, (!amount.is_zero()).then_some(amount), &clock.now)?;
    Ok(store.budget_statuses(clock.today, Some(customer))?.into_iter().next())
}

/// A customer's budget (or everyone's) against this month's Azure spend.
pub fn budgets(store: &Store, today: chrono::NaiveDate, customer: Option<i64>) -> Result<Vec<crate::store::BudgetStatus>> {
    store.budget_statuses(today, customer)
}
