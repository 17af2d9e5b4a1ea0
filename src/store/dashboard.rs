//! Read-only figures for the desktop app's dashboard and customer page: monthly recurring
//! revenue, what is open and overdue, renewals that need a decision, the last billing run.
//! Nothing here writes; every figure is computed exactly (Decimal or integer minor units) and
//! rounded once, at the end.
//!
//! "Open" is what customers still owe on issued invoices: each invoice's total less its credit
//! notes and the payments allocated to it (both as of the day); "overdue" is what is open past
//! its due date. The status of each invoice is `crate::receivables::status`, the one rule.

use super::{col, Store};
use crate::catalogue::ProductKey;
use crate::dates::add_days;
use crate::error::{Error, Result};
use crate::money::Currency;
use crate::pricing::rate_on;
use crate::receivables::InvoiceStatus;
use crate::subscription::{window_end, RenewalChanges};
use chrono::NaiveDate;
use rusqlite::OptionalExtension;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Days ahead the dashboard looks for terms that end.
pub const RENEWAL_HORIZON_DAYS: u32 = 30;

/// An amount in one currency and, where a rate is known on the day, in the company's currency.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurrencyAmount {
    pub currency: Currency,
    pub amount: Decimal,
    /// `amount` in the company's currency at the rate in force on the day; `None` without a rate.
    pub converted: Option<Decimal>,
}

/// Open and overdue amounts, per currency and in total.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Receivables {
    /// Invoices with something left open.
    pub open_invoices: usize,
    pub overdue_invoices: usize,
    pub open: Vec<CurrencyAmount>,
    pub overdue: Vec<CurrencyAmount>,
    /// The sums in the company's currency of what could be converted.
    pub open_total: Decimal,
    pub overdue_total: Decimal,
    /// True when some currency had no exchange rate on the day and is left out of the totals.
    pub incomplete: bool,
}

/// A subscription whose price could not be converted into the company's currency.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MissingRate {
    pub subscription_id: i64,
    pub from: Currency,
    pub to: Currency,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecurringRevenue {
    pub currency: Currency,
    /// Per month, in the company's currency, rounded once to its minor unit.
    pub amount: Decimal,
    /// Paid subscriptions counted (active or suspended, not in a trial).
    pub subscriptions: usize,
    pub seats: u64,
    /// Subscriptions left out for want of an exchange rate.
    pub missing_rates: Vec<MissingRate>,
}

/// A term that ends within the horizon: the renewal is the only time seats can be cut.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RenewalDue {
    pub subscription_id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    pub product: ProductKey,
    pub product_title: String,
    pub quantity: u32,
    pub term_end: NaiveDate,
    pub auto_renew: bool,
    /// The first day of the next term, if it renews.
    pub renews_on: Option<NaiveDate>,
    /// Seat cuts for the renewal must be scheduled by this day (the term's last day).
    pub schedule_by: NaiveDate,
    /// After the renewal, seats can still be cut until this day (the renewal's 7-day window).
    pub cut_until: Option<NaiveDate>,
    pub scheduled: RenewalChanges,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LastBillingRun {
    pub month: String,
    pub issue_date: NaiveDate,
    /// When it was recorded (UTC).
    pub recorded_at: String,
    pub invoices: i64,
    pub problems: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dashboard {
    pub as_of: NaiveDate,
    pub currency: Currency,
    pub recurring: RecurringRevenue,
    /// Open customers.
    pub customers: i64,
    pub receivables: Receivables,
    /// Terms ending within the horizon, soonest first: the first `rows` asked for.
    pub renewals: Vec<RenewalDue>,
    /// How many terms end within the horizon in all.
    pub renewals_total: usize,
    pub last_run: Option<LastBillingRun>,
    /// Customers on credit stop today, and why: the first `rows` asked for.
    pub credit_stops: Vec<super::CreditStop>,
    /// How many customers are on credit stop in all.
    pub credit_stops_total: usize,
    /// Customers whose Azure spend this month crossed 80 % or 100 % of their budget.
    pub azure_budgets: Vec<super::BudgetStatus>,
    /// Azure subscriptions that stopped earning partner-earned credit this month or last.
    pub pec_alerts: Vec<super::PecAlert>,
    /// Azure usage last month and this month so far, beside recurring revenue (`None`: no usage).
    pub azure: Option<super::AzureSummary>,
}

impl Dashboard {
    /// The dashboard with its long lists (renewals, credit stops) cut to their first `rows` (all
    /// for `None`); their totals say how many there are in all.
    pub fn first_rows(mut self, rows: Option<usize>) -> Dashboard {
        if let Some(rows) = rows {
            self.renewals.truncate(rows);
            self.credit_stops.truncate(rows);
        }
        self
    }

    /// `first_rows` of a copy, without copying the rows left out.
    pub fn copy_first_rows(&self, rows: Option<usize>) -> Dashboard {
        let n = |len: usize| rows.map_or(len, |r| r.min(len));
        Dashboard {
            as_of: self.as_of,
            currency: self.currency,
            recurring: self.recurring.clone(),
            customers: self.customers,
            receivables: self.receivables.clone(),
            renewals: self.renewals[..n(self.renewals.len())].to_vec(),
            renewals_total: self.renewals_total,
            last_run: self.last_run.clone(),
            credit_stops: self.credit_stops[..n(self.credit_stops.len())].to_vec(),
            credit_stops_total: self.credit_stops_total,
            azure_budgets: self.azure_budgets.clone(),
            pec_alerts: self.pec_alerts.clone(),
            azure: self.azure.clone(),
        }
    }
}

/// Where one issued invoice stands on a day (for lists of invoices).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InvoiceState {
    pub status: InvoiceStatus,
    pub credited: Decimal,
    pub paid: Decimal,
    /// total − credited − paid (never below zero).
    pub open: Decimal,
}

impl Store {
    /// Everything the dashboard shows, as of `as_of`; its long lists (renewals, credit stops) cut
    /// to their first `rows` (all for `None`), with how many there are in all.
    pub fn dashboard(&self, as_of: NaiveDate, rows: Option<usize>) -> Result<Dashboard> {
        self.dashboard_on(as_of, rows, true)
    }

    /// `dashboard`, on this thread alone unless `both_cores` (of a book in a file, the recurring
    /// revenue and the Azure watch, half the time on a big book, are then read on a second,
    /// read-only connection meanwhile, on another core).
    pub fn dashboard_on(&self, as_of: NaiveDate, rows: Option<usize>, both_cores: bool) -> Result<Dashboard> {
        let helper = self.path.as_deref().filter(|_| both_cores).and_then(|p| Store::open_read_only(p).ok());
        std::thread::scope(|scope| {
            let other = helper.map(|h| scope.spawn(move || Ok::<_, Error>((h.recurring_revenue(as_of)?, h.azure_watch(as_of)?))));
            let company = self.company()?;
            let (renewals, renewals_total) = self.renewals_ahead_first(as_of, RENEWAL_HORIZON_DAYS, rows)?;
            // What is open on every invoice, read once for the receivables and the credit stops.
            let money = self.invoice_money(None, as_of)?;
            let credit_stops = self.credit_stops_of(&money, as_of)?;
            let receivables = self.receivables_of(&money, as_of)?;
            drop(money);
            let credit_stops_total = credit_stops.len();
            let (customers, last_run) = (self.customer_count()?, self.last_run()?);
            let azure_budgets = self.budget_statuses(as_of, None)?.into_iter().filter(|b| b.warning.is_some()).collect();
            let (recurring, (azure, pec_alerts)) = match other {
                Some(t) => t.join().map_err(|_| Error::database("the dashboard's second reading stopped"))??,
                None => (self.recurring_revenue(as_of)?, self.azure_watch(as_of)?),
            };
            Ok(Dashboard {
                as_of,
                currency: company.currency,
                recurring,
                customers,
                receivables,
                renewals,
                renewals_total,
                last_run,
                credit_stops,
                credit_stops_total,
                azure_budgets,
                azure,
                pec_alerts,
            }
            .first_rows(rows))
        })
    }

    /// Monthly recurring revenue on `as_of`, by the one definition the MRR report uses too
    /// (`mrr_at`): today's figure here is the report's figure for the current month.
    pub fn recurring_revenue(&self, as_of: NaiveDate) -> Result<RecurringRevenue> {
        let to = self.company()?.currency;
        let m = self.mrr_at(as_of, to, &self.exchange_rates()?)?;
        Ok(RecurringRevenue {
            currency: to,
            amount: m.mrr,
            subscriptions: m.subscriptions as usize,
            seats: u64::from(m.seats),
            missing_rates: m.unconverted.into_iter().map(|(subscription_id, from)| MissingRate { subscription_id, from, to }).collect(),
        })
    }

    /// The status and open amount of every invoice (of one customer, or all) on `as_of`, by
    /// number. An invoice dated after `as_of` is left out.
    pub fn invoice_states(&self, customer_id: Option<i64>, as_of: NaiveDate) -> Result<HashMap<String, InvoiceState>> {
        Ok(self.every_invoice_money(customer_id, as_of)?.into_iter().map(|i| (i.number.clone(), i.state(as_of))).collect())
    }

    /// Open and overdue amounts of all issued invoices on `as_of`.
    pub fn receivables(&self, as_of: NaiveDate) -> Result<Receivables> {
        self.receivables_of(&self.invoice_money(None, as_of)?, as_of)
    }

    /// `receivables` of the money of every invoice as `invoice_money` read it.
    fn receivables_of(&self, items: &[super::receivables::InvoiceMoney], as_of: NaiveDate) -> Result<Receivables> {
        let company = self.company()?;
        let rates = self.exchange_rates()?;
        let mut open: BTreeMap<Currency, i64> = BTreeMap::new();
        let mut overdue: BTreeMap<Currency, i64> = BTreeMap::new();
        let (mut open_invoices, mut overdue_invoices) = (0, 0);
        for item in items.iter().filter(|i| i.open() > 0) {
            open_invoices += 1;
            *open.entry(item.currency).or_default() += item.open();
            if item.due < as_of {
                overdue_invoices += 1;
                *overdue.entry(item.currency).or_default() += item.open();
            }
        }
        let mut incomplete = false;
        let mut convert = |sums: BTreeMap<Currency, i64>| -> (Vec<CurrencyAmount>, Decimal) {
            let mut total = Decimal::ZERO;
            let list = sums
                .into_iter()
                .map(|(currency, minor)| {
                    let amount = currency.from_minor(minor);
                    let converted = rate_on(&rates, currency, company.currency, as_of).map(|r| company.currency.round(amount * r));
                    match converted {
                        Some(c) => total += c,
                        None => incomplete = true,
                    }
                    CurrencyAmount { currency, amount, converted }
                })
                .collect();
            (list, total)
        };
        let (open, open_total) = convert(open);
        let (overdue, overdue_total) = convert(overdue);
        Ok(Receivables { open_invoices, overdue_invoices, open, overdue, open_total, overdue_total, incomplete })
    }

    /// Terms of live subscriptions that end within `within_days` of `as_of`, with the customer's
    /// name and the days by which seats can be cut.
    pub fn renewals_ahead(&self, as_of: NaiveDate, within_days: u32) -> Result<Vec<RenewalDue>> {
        Ok(self.renewals_ahead_first(as_of, within_days, None)?.0)
    }

    /// `renewals_ahead` cut to the first `rows` (all for `None`), and how many there are in all.
    pub fn renewals_ahead_first(&self, as_of: NaiveDate, within_days: u32, rows: Option<usize>) -> Result<(Vec<RenewalDue>, usize)> {
        let (due, total) = self.renewals_due(as_of, within_days, rows)?;
        // Each customer's name: of many, read in one pass (not each customer whole, once each).
        let mut names: HashMap<i64, String> = HashMap::new();
        if due.len() > 100 {
            let mut stmt = self.conn.prepare_cached("SELECT id, name FROM customers")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                names.insert(r.get(0)?, r.get(1)?);
            }
        }
        let mut out = Vec::with_capacity(due.len());
        for s in due {
            let name = match names.get(&s.customer_id) {
                Some(n) => n.clone(),
                None => self.conn.prepare_cached("SELECT name FROM customers WHERE id = ?1")?.query_row([s.customer_id], |r| r.get(0))?,
            };
            let renews_on = s.auto_renew.then(|| add_days(s.term_end, 1));
            out.push(RenewalDue {
                subscription_id: s.id,
                customer_id: s.customer_id,
                customer_name: name,
                product: s.product,
                product_title: s.product_title,
                quantity: s.quantity,
                term_end: s.term_end,
                auto_renew: s.auto_renew,
                renews_on,
                schedule_by: s.term_end,
                cut_until: renews_on.map(window_end),
                scheduled: s.scheduled,
            });
        }
        Ok((out, total))
    }

    /// The latest billing run that issued a month.
    pub fn last_run(&self) -> Result<Option<LastBillingRun>> {
        Ok(self
            .conn
            .query_row("SELECT month, issue_date, recorded_at, invoices, problems FROM billing_runs ORDER BY id DESC LIMIT 1", [], |r| {
                Ok(LastBillingRun {
                    month: r.get("month")?,
                    issue_date: col::date(r, "issue_date")?,
                    recorded_at: r.get("recorded_at")?,
                    invoices: r.get("invoices")?,
                    problems: r.get("problems")?,
                })
            })
            .optional()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::{BillingPlan, Term};
    use crate::company::CompanyFields;
    use crate::customer::CustomerFields;
    use crate::receivables::Method;
    use crate::store::{CreditMode, NewSubscription};
    use std::str::FromStr;

    const AT: &str = "2026-11-24T09:00:00Z";

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }
    fn cur(c: &str) -> Currency {
        Currency::parse(c, "c").unwrap()
    }

    /// A ZAR reseller with one USD price-list row, so every price needs a USD→ZAR rate.
    fn store() -> Store {
        let mut s = Store::open_in_memory().unwrap();
        s.init_company(&CompanyFields {
            name: Some("Cloudwise".into()),
            country: Some("ZA".into()),
            currency: Some("ZAR".into()),
            vat_rate: Some("15".into()),
            default_markup: Some("0".into()),
            ..Default::default()
        })
        .unwrap();
        let csv = "ProductTitle,ProductId,SkuId,TermDuration,BillingPlan,Market,Currency,UnitPrice,EffectiveStartDate,EffectiveEndDate\n\
                   Basic,CFQ7TTC0LH18,0001,P1Y,Monthly,ZA,USD,120.00,11/1/2025 12:00:00 AM,12/31/9999 11:59:59 PM\n\
                   Basic,CFQ7TTC0LH18,0001,P1M,Monthly,ZA,USD,12.00,11/1/2025 12:00:00 AM,12/31/9999 11:59:59 PM\n";
        let parsed = crate::import::pricelist::parse(csv.as_bytes(), Some("ZA"), None).unwrap();
        s.import_price_list(&parsed).unwrap();
        s
    }

    fn customer(s: &mut Store, name: &str, domain: &str, terms: &str) -> i64 {
        s.add_customer(&CustomerFields {
            name: Some(name.into()),
            domain: Some(domain.into()),
            payment_terms_days: Some(terms.into()),
            ..Default::default()
        })
        .unwrap()
        .id
    }

    fn subscribe(s: &mut Store, customer_id: i64, term: Term, quantity: u32, start: &str, trial: bool) -> i64 {
        s.add_subscription(
            &NewSubscription {
                customer_id,
                product: ProductKey::new("CFQ7TTC0LH18", "0001"),
                term,
                billing: BillingPlan::Monthly,
                quantity,
                start: day(start),
                auto_renew: true,
                trial,
                ms_subscription_id: String::new(),
                price_override: None,
            },
            AT,
        )
        .unwrap()
        .id
    }

    #[test]
    fn recurring_revenue_is_seats_times_monthly_price_converted_exactly() {
        let mut s = store();
        let a = customer(&mut s, "A", "a.onmicrosoft.com", "30");
        // 3 seats at 120 USD a year = 30 USD a month; 2 seats at 12 USD a month = 24 USD.
        subscribe(&mut s, a, Term::P1Y, 3, "2026-01-10", false);
        subscribe(&mut s, a, Term::P1M, 2, "2026-11-01", false);
        // A trial is free: not counted.
        subscribe(&mut s, a, Term::P1Y, 50, "2026-11-20", true);

        // Without a rate nothing can be converted; both paid subscriptions are reported.
        let r = s.recurring_revenue(day("2026-11-24")).unwrap();
        assert_eq!((r.amount, r.subscriptions, r.missing_rates.len()), (d("0.00"), 0, 2));

        s.set_exchange_rate(cur("USD"), cur("ZAR"), d("18.1234"), day("2026-11-01")).unwrap();
        let r = s.recurring_revenue(day("2026-11-24")).unwrap();
        // 54 USD × 18.1234 = 978.6636 → 978.66 ZAR, rounded once.
        assert_eq!((r.amount, r.subscriptions, r.seats), (d("978.66"), 2, 5));
        assert!(r.missing_rates.is_empty());
        assert_eq!(r.currency, cur("ZAR"));
        // The amount is a decimal string in JSON, never a float.
        assert_eq!(serde_json::to_value(&r).unwrap()["amount"], serde_json::json!("978.66"));
    }

    #[test]
    fn cancelled_subscriptions_leave_the_recurring_revenue() {
        let mut s = store();
        s.set_exchange_rate(cur("USD"), cur("ZAR"), d("18"), day("2026-01-01")).unwrap();
        let a = customer(&mut s, "A", "a.onmicrosoft.com", "30");
        let id = subscribe(&mut s, a, Term::P1M, 2, "2026-11-20", false);
        assert_eq!(s.recurring_revenue(day("2026-11-21")).unwrap().amount, d("432.00"));
        s.suspend_subscription(id, day("2026-11-21"), AT).unwrap();
        // Suspended subscriptions are still billed.
        assert_eq!(s.recurring_revenue(day("2026-11-21")).unwrap().amount, d("432.00"));
        s.reactivate_subscription(id, day("2026-11-22"), AT).unwrap();
        s.cancel_subscription(id, day("2026-11-22"), AT).unwrap();
        assert_eq!(s.recurring_revenue(day("2026-11-22")).unwrap().amount, d("0.00"));
    }

    #[test]
    fn open_and_overdue_follow_due_dates_and_credit_notes() {
        let mut s = store();
        s.set_exchange_rate(cur("USD"), cur("ZAR"), d("18"), day("2026-01-01")).unwrap();
        let a = customer(&mut s, "A", "a.onmicrosoft.com", "30");
        let b = customer(&mut s, "B", "b.onmicrosoft.com", "0");
        subscribe(&mut s, a, Term::P1M, 1, "2026-11-01", false);
        subscribe(&mut s, b, Term::P1M, 2, "2026-11-01", false);
        let run = s.issue_month(day("2026-11-01"), day("2026-11-05"), AT).unwrap();
        assert_eq!(run.invoices.len(), 2);
        // A: 12 USD × 18 = 216.00 + 15% VAT = 248.40, due 5 Dec. B: 496.80, due 5 Nov.
        let totals: Vec<Decimal> = run.invoices.iter().map(|i| i.total).collect();
        assert_eq!(totals, vec![d("248.40"), d("496.80")]);

        let r = s.receivables(day("2026-11-05")).unwrap();
        assert_eq!((r.open_total, r.overdue_total, r.open_invoices, r.overdue_invoices), (d("745.20"), d("0.00"), 2, 0));
        // The due date itself is not late; the day after is.
        let r = s.receivables(day("2026-11-06")).unwrap();
        assert_eq!((r.open_total, r.overdue_total, r.overdue_invoices), (d("745.20"), d("496.80"), 1));
        assert!(!r.incomplete);

        // A credit note of 100.00 net (115.00 with VAT) reduces what is open.
        let b_invoice = run.invoices[1].number.clone().unwrap();
        s.credit_invoice(&b_invoice, &CreditMode::Amount(d("100")), "goodwill", day("2026-11-06"), AT).unwrap();
        let r = s.receivables(day("2026-11-06")).unwrap();
        assert_eq!((r.open_total, r.overdue_total), (d("630.20"), d("381.80")));
        // Crediting the rest closes it: no longer open, no longer overdue.
        s.credit_invoice(&b_invoice, &CreditMode::Amount(d("332")), "closed", day("2026-11-06"), AT).unwrap();
        let r = s.receivables(day("2026-11-30")).unwrap();
        assert_eq!((r.open_total, r.overdue_total, r.open_invoices), (d("248.40"), d("0.00"), 1));
        let states = s.invoice_states(None, day("2026-11-30")).unwrap();
        assert_eq!(states[&b_invoice].status, InvoiceStatus::Credited);
        assert_eq!((states[&b_invoice].credited, states[&b_invoice].open), (d("496.80"), d("0.00")));
        let a_invoice = run.invoices[0].number.clone().unwrap();
        assert_eq!(s.invoice_states(Some(a), day("2026-12-05")).unwrap()[&a_invoice].status, InvoiceStatus::Open);
        assert_eq!(s.invoice_states(Some(a), day("2026-12-06")).unwrap()[&a_invoice].status, InvoiceStatus::Overdue);
        // Only A's invoices when asked for A.
        assert_eq!(s.invoice_states(Some(a), day("2026-12-06")).unwrap().len(), 1);
    }

    #[test]
    fn payments_reduce_what_is_open() {
        let mut s = store();
        s.set_exchange_rate(cur("USD"), cur("ZAR"), d("18"), day("2026-01-01")).unwrap();
        let a = customer(&mut s, "A", "a.onmicrosoft.com", "30");
        subscribe(&mut s, a, Term::P1M, 1, "2026-11-01", false);
        let run = s.issue_month(day("2026-11-01"), day("2026-11-05"), AT).unwrap();
        let number = run.invoices[0].number.clone().unwrap();
        // 248.40 due on 5 Dec; 100.00 paid on 10 Nov.
        s.add_payment(a, day("2026-11-10"), d("100"), Method::Eft, "ref 1", &[], AT).unwrap();
        // Before the payment's date it does not count.
        assert_eq!(s.receivables(day("2026-11-09")).unwrap().open_total, d("248.40"));
        let r = s.receivables(day("2026-11-10")).unwrap();
        assert_eq!((r.open_total, r.open_invoices), (d("148.40"), 1));
        let state = &s.invoice_states(None, day("2026-11-10")).unwrap()[&number];
        assert_eq!((state.status, state.paid, state.open), (InvoiceStatus::PartlyPaid, d("100.00"), d("148.40")));
        // Past the due date the rest is overdue.
        assert_eq!(s.receivables(day("2026-12-06")).unwrap().overdue_total, d("148.40"));
        // Paid in full: nothing open, nothing overdue.
        s.add_payment(a, day("2026-12-20"), d("148.40"), Method::Eft, "ref 2", &[], AT).unwrap();
        let r = s.receivables(day("2026-12-20")).unwrap();
        assert_eq!((r.open_total, r.overdue_total, r.open_invoices), (d("0.00"), d("0.00"), 0));
        assert_eq!(s.invoice_states(None, day("2026-12-20")).unwrap()[&number].status, InvoiceStatus::Paid);
    }

    #[test]
    fn amounts_in_other_currencies_are_converted_or_flagged() {
        let mut s = store();
        // The USD→ZAR rate only exists from 10 November.
        s.set_exchange_rate(cur("USD"), cur("ZAR"), d("18"), day("2026-11-10")).unwrap();
        let u = s
            .add_customer(&CustomerFields {
                name: Some("US Inc".into()),
                domain: Some("us.onmicrosoft.com".into()),
                currency: Some("USD".into()),
                ..Default::default()
            })
            .unwrap()
            .id;
        subscribe(&mut s, u, Term::P1M, 1, "2026-11-01", false);
        s.issue_month(day("2026-11-01"), day("2026-11-05"), AT).unwrap();
        // Before the rate exists: shown in USD, left out of the total and flagged.
        let r = s.receivables(day("2026-11-06")).unwrap();
        assert_eq!(r.open, vec![CurrencyAmount { currency: cur("USD"), amount: d("13.80"), converted: None }]);
        assert_eq!((r.open_total, r.incomplete), (d("0"), true));
        // 12.00 USD + 15% = 13.80 USD = 248.40 ZAR.
        let r = s.receivables(day("2026-11-10")).unwrap();
        assert_eq!(r.open, vec![CurrencyAmount { currency: cur("USD"), amount: d("13.80"), converted: Some(d("248.40")) }]);
        assert_eq!((r.open_total, r.incomplete), (d("248.40"), false));
    }

    #[test]
    fn renewals_ahead_name_the_customer_and_the_days_to_cut_seats() {
        let mut s = store();
        let a = customer(&mut s, "Acme", "a.onmicrosoft.com", "30");
        let id = subscribe(&mut s, a, Term::P1Y, 4, "2025-12-10", false);
        subscribe(&mut s, a, Term::P1Y, 4, "2026-06-10", false);
        let due = s.renewals_ahead(day("2026-11-24"), 30).unwrap();
        assert_eq!(due.len(), 1);
        let r = &due[0];
        assert_eq!((r.subscription_id, r.customer_name.as_str(), r.quantity), (id, "Acme", 4));
        assert_eq!((r.term_end, r.schedule_by), (day("2026-12-09"), day("2026-12-09")));
        // Renews on 10 Dec; seats can be cut in its 7-day window, days 1–7: until 16 Dec.
        assert_eq!((r.renews_on, r.cut_until), (Some(day("2026-12-10")), Some(day("2026-12-16"))));
        s.set_auto_renew(id, false, day("2026-11-24"), AT).unwrap();
        let r = &s.renewals_ahead(day("2026-11-24"), 30).unwrap()[0];
        assert_eq!((r.renews_on, r.cut_until), (None, None));
    }

    #[test]
    fn dashboard_puts_it_together() {
        let mut s = store();
        let dash = s.dashboard(day("2026-11-24"), None).unwrap();
        assert_eq!((dash.customers, dash.recurring.amount, dash.last_run.clone()), (0, d("0.00"), None));
        s.set_exchange_rate(cur("USD"), cur("ZAR"), d("18"), day("2026-01-01")).unwrap();
        let a = customer(&mut s, "A", "a.onmicrosoft.com", "30");
        subscribe(&mut s, a, Term::P1M, 1, "2026-11-01", false);
        s.issue_month(day("2026-11-01"), day("2026-11-05"), AT).unwrap();
        let dash = s.dashboard(day("2026-11-24"), None).unwrap();
        assert_eq!(dash.customers, 1);
        assert_eq!(dash.recurring.amount, d("216.00"));
        assert_eq!(dash.receivables.open_total, d("248.40"));
        let run = dash.last_run.unwrap();
        assert_eq!((run.month.as_str(), run.issue_date, run.invoices, run.problems), ("2026-11", day("2026-11-05"), 1, 0));
        // The P1M term (1–30 Nov) ends within 30 days.
        assert_eq!((dash.renewals.len(), dash.renewals_total), (1, 1));
        // Cut to the first rows asked for, the count kept.
        let b = customer(&mut s, "B", "b.onmicrosoft.com", "30");
        subscribe(&mut s, b, Term::P1M, 2, "2026-11-10", false);
        let first = s.dashboard(day("2026-11-24"), Some(1)).unwrap();
        assert_eq!((first.renewals.len(), first.renewals_total), (1, 2));
        assert_eq!(first.renewals[0].customer_name, "A", "soonest first");
        assert_eq!(s.dashboard(day("2026-11-24"), None).unwrap().renewals.len(), 2);
    }
}
