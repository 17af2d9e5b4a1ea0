//! The engine with plain values: scenarios as histories of events, expectations as text tables
//! of what an invoice shows ("period  kind  quantity × unit price = amount").

use super::engine::*;
use super::services::{Charge, InstalmentPlan, Service, ServiceBasis};
use crate::catalogue::{BillingPlan, ProductKey, Term};
use crate::customer::{BillingAlignment, Customer, TaxTreatment};
use crate::money::Currency;
use crate::pricing::{ExchangeRate, LockedPrice};
use crate::subscription::{term_end, Event, EventKind, RenewalChanges, Status, Subscription};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};
use std::str::FromStr;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}
fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}
fn cur(c: &str) -> Currency {
    Currency::parse(c, "c").unwrap()
}

fn customer(currency: &str, alignment: BillingAlignment) -> Customer {
    Customer {
        id: 1,
        name: "Müller & Søn".into(),
        contact_person: String::new(),
        email: String::new(),
        phone: String::new(),
        address: String::new(),
        country: "ZA".into(),
        currency: cur(currency),
        vat_number: String::new(),
        tax_treatment: TaxTreatment::Standard,
        payment_terms_days: 30,
        credit_limit: None,
        domain: "muller.onmicrosoft.com".into(),
        tenant_id: String::new(),
        billing_alignment: alignment,
        notes: String::new(),
        delivery: crate::mail::Delivery::Email,
        closed_on: None,
    }
}

/// A subscription's history, built change by change as the store would record it.
struct Story {
    sub: Subscription,
    events: Vec<Event>,
}

impl Story {
    fn bought(start: &str, term: Term, billing: BillingPlan, qty: u32, price_per_term: &str, currency: &str) -> Story {
        let start = day(start);
        let sub = Subscription {
            id: 7,
            customer_id: 1,
            product: ProductKey::new("CFQ7TTC0LDPB", "0001"),
            product_title: "Microsoft 365 Business Standard".into(),
            term,
            billing,
            quantity: qty,
            status: Status::Active,
            auto_renew: true,
            trial: false,
            purchased_on: start,
            term_start: start,
            term_end: term_end(start, term),
            ms_subscription_id: String::new(),
            price: LockedPrice {
                unit_cost: d(price_per_term),
                cost_currency: cur(currency),
                unit_price: d(price_per_term),
                price_currency: cur(currency),
                rule: String::new(),
            },
            price_override: None,
            scheduled: RenewalChanges::default(),
            ended_on: None,
            bill_from: start,
        };
        let mut s = Story { sub, events: Vec::new() };
        s.record(EventKind::Purchased, start, qty as i64);
        s
    }
    fn record(&mut self, kind: EventKind, on: NaiveDate, delta: i64) {
        let mut e = Event::capture(&self.sub, kind, on, "", delta, String::new());
        e.id = self.events.len() as i64 + 1;
        self.events.push(e);
    }
    fn seats(mut self, on: &str, qty: u32) -> Story {
        let delta = qty as i64 - self.sub.quantity as i64;
        self.sub.quantity = qty;
        self.record(EventKind::QuantityChanged, day(on), delta);
        self
    }
    fn cancel(mut self, on: &str) -> Story {
        self.sub.status = Status::Cancelled;
        self.sub.ended_on = Some(day(on));
        self.record(EventKind::Cancelled, day(on), 0);
        self
    }
    fn upgrade(mut self, on: &str, product: &str, price_per_term: &str) -> Story {
        let (p, s) = product.split_once(':').unwrap();
        self.sub.product = ProductKey::new(p, s);
        self.sub.price.unit_price = d(price_per_term);
        self.record(EventKind::Upgraded, day(on), 0);
        self
    }
    fn renew(mut self, price_per_term: &str) -> Story {
        let next = self.sub.term_end.succ_opt().unwrap();
        self.sub.term_start = next;
        self.sub.term_end = term_end(next, self.sub.term);
        self.sub.price.unit_price = d(price_per_term);
        self.record(EventKind::Renewed, next, 0);
        self
    }
    fn expire(mut self) -> Story {
        let next = self.sub.term_end.succ_opt().unwrap();
        self.sub.status = Status::Expired;
        self.record(EventKind::Expired, next, 0);
        self
    }
    fn book(self) -> SubscriptionBook {
        SubscriptionBook { subscription: self.sub, events: self.events, billed_through: None }
    }
}

struct World {
    customer: Customer,
    subs: Vec<SubscriptionBook>,
    charges: Vec<Charge>,
    services: Vec<Service>,
    instalments: Vec<InstalmentPlan>,
    usage: Vec<UsageCharge>,
    rates: Vec<ExchangeRate>,
    billed: HashSet<String>,
    vat_rate: Decimal,
}

impl World {
    fn new(currency: &str) -> World {
        World {
            customer: customer(currency, BillingAlignment::Microsoft),
            subs: Vec::new(),
            charges: Vec::new(),
            services: Vec::new(),
            instalments: Vec::new(),
            usage: Vec::new(),
            rates: Vec::new(),
            billed: HashSet::new(),
            vat_rate: d("15"),
        }
    }
    fn with(mut self, s: Story) -> World {
        self.subs.push(s.book());
        self
    }
    /// Run the month; mark what it billed as billed (as issuing would).
    fn run(&mut self, month: &str) -> (Option<Draft>, Vec<Problem>) {
        let titles: HashMap<ProductKey, String> = [
            (ProductKey::new("CFQ7TTC0LDPB", "0001"), "Business Standard".to_string()),
            (ProductKey::new("CFQ7TTC0LCHC", "0002"), "Business Premium".to_string()),
        ]
        .into_iter()
        .collect();
        let month = day(&format!("{month}-01"));
        let snap = Snapshot {
            month,
            vat_rate: self.vat_rate,
            rates: &self.rates,
            billed: &self.billed,
            horizon: crate::dates::add_months(month, 0) - chrono::Duration::days(400),
            titles: &titles,
        };
        let book = CustomerBook {
            customer: self.customer.clone(),
            subscriptions: self.subs.clone(),
            charges: self.charges.clone(),
            services: self.services.clone(),
            instalments: self.instalments.clone(),
            usage: self.usage.clone(),
        };
        let (mut drafts, problems) = bill(&snap, &[book]);
        let draft = drafts.pop();
        if let Some(dr) = &draft {
            self.billed.extend(dr.lines.iter().map(|l| l.item_key.clone()));
        }
        (draft, problems)
    }
    /// The lines of a month as text.
    fn lines(&mut self, month: &str) -> String {
        let (draft, problems) = self.run(month);
        assert!(problems.is_empty(), "{problems:?}");
        draft.map(|dr| render(&dr)).unwrap_or_default()
    }
}

fn render(dr: &Draft) -> String {
    let mut s = String::new();
    for l in &dr.lines {
        let period = match (l.period_start, l.period_end) {
            (Some(a), Some(b)) => format!("{a}..{b}"),
            _ => format!("{}", l.billable_date),
        };
        s.push_str(&format!("{period} {} {} x {} = {}\n", l.kind.as_str(), l.quantity, l.unit_price.round_dp(4).normalize(), l.amount));
    }
    s.push_str(&format!("net {} vat {} total {}\n", dr.net, dr.vat, dr.total));
    s
}

#[track_caller]
fn check(actual: String, expected: &str) {
    let expected: String = expected.lines().map(str::trim).filter(|l| !l.is_empty()).map(|l| format!("{l}\n")).collect();
    assert_eq!(actual, expected, "\n--- actual ---\n{actual}--- expected ---\n{expected}");
}

// Microsoft's examples (DOMAIN §4), EUR, Business Standard at 10.08 per seat per month, P1M.

#[test]
fn microsoft_example_purchase_and_seat_increase() {
    let s = Story::bought("2021-06-18", Term::P1M, BillingPlan::Monthly, 10, "10.08", "EUR").seats("2021-06-20", 12);
    let mut w = World::new("EUR").with(s);
    // Microsoft credits 94.08 and charges 112.89 (net 18.81); Seatbook bills the difference in
    // one line, rounded once: 2 × 10.08 × 28/30 = 18.816 → 18.82 (within the one-cent tolerance).
    check(
        w.lines("2021-06"),
        "2021-06-18..2021-07-17 licence 10 x 10.08 = 100.80
         2021-06-20..2021-07-17 proration 2 x 9.408 = 18.82
         net 119.62 vat 17.94 total 137.56",
    );
    // July: the renewal is not in this history (P1M ends 17 Jul); nothing more to bill.
    check(w.lines("2021-07"), "");
}

#[test]
fn microsoft_example_cancellation_after_two_days() {
    let s = Story::bought("2021-07-15", Term::P1M, BillingPlan::Monthly, 10, "10.08", "EUR").cancel("2021-07-17");
    let mut w = World::new("EUR").with(s);
    // 29 unused days of 31 (17 Jul – 14 Aug): 10 × 10.08 × 29/31 = 94.2967 → −94.30.
    check(
        w.lines("2021-07"),
        "2021-07-15..2021-08-14 licence 10 x 10.08 = 100.80
         2021-07-17..2021-08-14 proration -10 x 9.4297 = -94.30
         net 6.50 vat 0.98 total 7.48",
    );
}

#[test]
fn cancellation_on_the_first_day_is_a_full_credit() {
    let s = Story::bought("2026-03-01", Term::P1Y, BillingPlan::Monthly, 5, "120", "ZAR").cancel("2026-03-01");
    let mut w = World::new("ZAR").with(s);
    check(
        w.lines("2026-03"),
        "2026-03-01..2026-03-31 licence 5 x 10 = 50.00
         2026-03-01..2026-03-31 proration -5 x 10 = -50.00
         net 0.00 vat 0.00 total 0.00",
    );
    check(w.lines("2026-04"), "");
}

#[test]
fn cycles_anchored_on_31_january() {
    let s = Story::bought("2021-01-31", Term::P1Y, BillingPlan::Monthly, 1, "120", "ZAR");
    let mut w = World::new("ZAR").with(s);
    check(w.lines("2021-01"), "2021-01-31..2021-02-27 licence 1 x 10 = 10.00\nnet 10.00 vat 1.50 total 11.50");
    check(w.lines("2021-02"), "2021-02-28..2021-03-30 licence 1 x 10 = 10.00\nnet 10.00 vat 1.50 total 11.50");
    check(w.lines("2021-03"), "2021-03-31..2021-04-29 licence 1 x 10 = 10.00\nnet 10.00 vat 1.50 total 11.50");
}

#[test]
fn annual_plan_over_a_leap_day() {
    // P1Y billed annually from 29 Feb 2024: one cycle of 365 days to 27 Feb 2025;
    // 2 seats added on 1 Mar 2024 are charged for 364 of 365 days.
    let s = Story::bought("2024-02-29", Term::P1Y, BillingPlan::Annual, 3, "365", "ZAR").seats("2024-03-01", 5);
    let mut w = World::new("ZAR").with(s);
    check(w.lines("2024-02"), "2024-02-29..2025-02-27 licence 3 x 365 = 1095.00\nnet 1095.00 vat 164.25 total 1259.25");
    check(w.lines("2024-03"), "2024-03-01..2025-02-27 proration 2 x 364 = 728.00\nnet 728.00 vat 109.20 total 837.20");
    check(w.lines("2024-04"), "");
}

#[test]
fn triennial_and_p3y_annual_plans() {
    let tri = Story::bought("2026-01-10", Term::P3Y, BillingPlan::Triennial, 2, "900", "ZAR");
    let mut w = World::new("ZAR").with(tri);
    check(w.lines("2026-01"), "2026-01-10..2029-01-09 licence 2 x 900 = 1800.00\nnet 1800.00 vat 270.00 total 2070.00");
    check(w.lines("2026-12"), "");
    let annual = Story::bought("2026-01-10", Term::P3Y, BillingPlan::Annual, 2, "900", "ZAR");
    let mut w = World::new("ZAR").with(annual);
    check(w.lines("2026-01"), "2026-01-10..2027-01-09 licence 2 x 300 = 600.00\nnet 600.00 vat 90.00 total 690.00");
    check(w.lines("2026-12"), "");
    check(w.lines("2027-01"), "2027-01-10..2028-01-09 licence 2 x 300 = 600.00\nnet 600.00 vat 90.00 total 690.00");
    let monthly = Story::bought("2026-01-10", Term::P3Y, BillingPlan::Monthly, 1, "900", "ZAR");
    let mut w = World::new("ZAR").with(monthly);
    check(w.lines("2026-01"), "2026-01-10..2026-02-09 licence 1 x 25 = 25.00\nnet 25.00 vat 3.75 total 28.75");
}

#[test]
fn calendar_alignment_prorates_first_and_last_month() {
    let s = Story::bought("2026-03-15", Term::P1Y, BillingPlan::Monthly, 1, "120", "ZAR").seats("2026-04-10", 3);
    let mut w = World::new("ZAR").with(s);
    w.customer.billing_alignment = BillingAlignment::Calendar;
    // 15–31 March: 17 of 31 days of 10.00.
    check(w.lines("2026-03"), "2026-03-15..2026-03-31 licence 1 x 5.4839 = 5.48\nnet 5.48 vat 0.82 total 6.30");
    // April: the whole month, and 2 seats from 10 April: 21 of 30 days.
    check(
        w.lines("2026-04"),
        "2026-04-01..2026-04-30 licence 1 x 10 = 10.00
         2026-04-10..2026-04-30 proration 2 x 7 = 14.00
         net 24.00 vat 3.60 total 27.60",
    );
    check(w.lines("2026-05"), "2026-05-01..2026-05-31 licence 3 x 10 = 30.00\nnet 30.00 vat 4.50 total 34.50");
    // Catch up to March 2027: the last slice is 1–14 March, 14 of 31 days.
    let all = w.lines("2027-03");
    assert!(all.ends_with("2027-03-01..2027-03-14 licence 3 x 4.5161 = 13.55\nnet 283.55 vat 42.53 total 326.08\n"), "{all}");
    assert_eq!(all.lines().count(), 11, "June 2026 to March 2027 and the totals: {all}");
}

#[test]
fn renewal_bills_the_new_term_at_its_new_price() {
    let s = Story::bought("2026-10-01", Term::P1M, BillingPlan::Monthly, 4, "10", "ZAR").renew("12").renew("12.5").expire();
    let mut w = World::new("ZAR").with(s);
    check(w.lines("2026-10"), "2026-10-01..2026-10-31 licence 4 x 10 = 40.00\nnet 40.00 vat 6.00 total 46.00");
    check(w.lines("2026-11"), "2026-11-01..2026-11-30 licence 4 x 12 = 48.00\nnet 48.00 vat 7.20 total 55.20");
    check(w.lines("2026-12"), "2026-12-01..2026-12-31 licence 4 x 12.5 = 50.00\nnet 50.00 vat 7.50 total 57.50");
    // Expired at the end of December: January bills nothing.
    check(w.lines("2027-01"), "");
}

#[test]
fn upgrade_credits_the_old_product_and_charges_the_new() {
    let s =
        Story::bought("2026-11-01", Term::P1Y, BillingPlan::Monthly, 10, "120", "ZAR").upgrade("2026-11-21", "CFQ7TTC0LCHC:0002", "264");
    let mut w = World::new("ZAR").with(s);
    // 21–30 November: 10 of 30 days; old 10.00 a month, new 22.00 a month.
    check(
        w.lines("2026-11"),
        "2026-11-01..2026-11-30 licence 10 x 10 = 100.00
         2026-11-21..2026-11-30 proration -10 x 3.3333 = -33.33
         2026-11-21..2026-11-30 proration 10 x 7.3333 = 73.33
         net 140.00 vat 21.00 total 161.00",
    );
    check(w.lines("2026-12"), "2026-12-01..2026-12-31 licence 10 x 22 = 220.00\nnet 220.00 vat 33.00 total 253.00");
}

#[test]
fn running_a_month_twice_bills_nothing_new_and_a_skipped_month_is_caught_up() {
    let s = Story::bought("2026-09-05", Term::P1Y, BillingPlan::Monthly, 2, "120", "ZAR").seats("2026-10-20", 3);
    let mut w = World::new("ZAR").with(s);
    let sept = w.lines("2026-09");
    assert_eq!(sept, "2026-09-05..2026-10-04 licence 2 x 10 = 20.00\nnet 20.00 vat 3.00 total 23.00\n");
    assert_eq!(w.lines("2026-09"), "", "the same month again bills nothing");
    // October is skipped: November's run catches it up, each item exactly once.
    check(
        w.lines("2026-11"),
        "2026-10-05..2026-11-04 licence 2 x 10 = 20.00
         2026-10-20..2026-11-04 proration 1 x 5.1613 = 5.16
         2026-11-05..2026-12-04 licence 3 x 10 = 30.00
         net 55.16 vat 8.27 total 63.43",
    );
    assert_eq!(w.lines("2026-11"), "");
}

#[test]
fn foreign_prices_convert_at_the_rate_of_the_billable_date() {
    let s = Story::bought("2026-11-01", Term::P1Y, BillingPlan::Monthly, 10, "75.60", "USD");
    let mut w = World::new("ZAR").with(s);
    let (draft, problems) = w.run("2026-11");
    assert!(draft.is_none());
    assert_eq!(problems.len(), 1);
    assert!(problems[0].message.contains("no USD→ZAR exchange rate on or before 2026-11-01"), "{}", problems[0].message);
    w.rates.push(ExchangeRate { from: cur("USD"), to: cur("ZAR"), effective: day("2026-10-01"), rate: d("18.25") });
    w.rates.push(ExchangeRate { from: cur("USD"), to: cur("ZAR"), effective: day("2026-11-02"), rate: d("19.00") });
    let (draft, _) = w.run("2026-11");
    let draft = draft.unwrap();
    // 10 × 6.30 USD × 18.25 = 1149.75 ZAR; the rate of 1 November, not the later one.
    assert_eq!(render(&draft), "2026-11-01..2026-11-30 licence 10 x 114.975 = 1149.75\nnet 1149.75 vat 172.46 total 1322.21\n");
    assert_eq!((draft.lines[0].fx_rate, draft.lines[0].fx_from), (Some(d("18.25")), Some(cur("USD"))));
}

#[test]
fn vat_is_rounded_per_rate_on_the_sum_of_rounded_lines() {
    let mut w = World::new("ZAR");
    for (id, amount) in [(1, "0.03"), (2, "0.04"), (3, "0.03")] {
        w.charges.push(Charge {
            id,
            customer_id: 1,
            date: day("2026-11-02"),
            description: format!("Item {id}"),
            quantity: Decimal::ONE,
            unit_price: d(amount),
            currency: cur("ZAR"),
        });
    }
    // Per line VAT would be 3 × 0.0045 / 0.006 → 0.00 + 0.01 + 0.00; on the sum: 0.10 × 15 % = 0.015 → 0.02.
    let text = w.lines("2026-11");
    assert!(text.ends_with("net 0.10 vat 0.02 total 0.12\n"), "{text}");
    let mut z = World::new("ZAR");
    z.customer.tax_treatment = TaxTreatment::ZeroRated;
    z.charges.push(Charge {
        id: 1,
        customer_id: 1,
        date: day("2026-11-02"),
        description: "Migration".into(),
        quantity: d("2"),
        unit_price: d("1500"),
        currency: cur("ZAR"),
    });
    check(z.lines("2026-11"), "2026-11-02 charge 2 x 1500 = 3000.00\nnet 3000.00 vat 0.00 total 3000.00");
}

#[test]
fn services_follow_the_seat_count_and_instalments_sum_to_the_total() {
    let s = Story::bought("2026-11-01", Term::P1Y, BillingPlan::Monthly, 10, "120", "ZAR").seats("2026-11-03", 12);
    let mut w = World::new("ZAR").with(s);
    w.services.push(Service {
        id: 1,
        customer_id: 1,
        description: "Managed support".into(),
        basis: ServiceBasis::PerSeat,
        subscription_id: Some(7),
        amount: d("25"),
        currency: cur("ZAR"),
        start: day("2026-11-01"),
        end: Some(day("2026-12-31")),
    });
    w.instalments.push(InstalmentPlan {
        id: 1,
        customer_id: 1,
        description: "Deployment".into(),
        total: d("1000"),
        currency: cur("ZAR"),
        count: 3,
        start: day("2026-11-15"),
    });
    check(
        w.lines("2026-11"),
        "2026-11-01..2026-11-30 licence 10 x 10 = 100.00
         2026-11-01..2026-11-30 service 10 x 25 = 250.00
         2026-11-03..2026-11-30 proration 2 x 9.3333 = 18.67
         2026-11-15 instalment 1 x 333.33 = 333.33
         net 702.00 vat 105.30 total 807.30",
    );
    check(
        w.lines("2026-12"),
        "2026-12-01..2026-12-31 licence 12 x 10 = 120.00
         2026-12-01..2026-12-31 service 12 x 25 = 300.00
         2026-12-15 instalment 1 x 333.33 = 333.33
         net 753.33 vat 113.00 total 866.33",
    );
    // The service ended with December; the last instalment takes the remainder.
    check(
        w.lines("2027-01"),
        "2027-01-01..2027-01-31 licence 12 x 10 = 120.00
         2027-01-15 instalment 1 x 333.34 = 333.34
         net 453.34 vat 68.00 total 521.34",
    );
}

/// A month of Azure usage priced at `amount` in `currency` (cost 85 % of it).
fn usage(entitlement: &str, month: &str, amount: &str, currency: &str, microsoft_rate: Option<&str>) -> UsageCharge {
    UsageCharge {
        entitlement_id: entitlement.to_lowercase(),
        entitlement: format!("{entitlement} production"),
        month: day(&format!("{month}-01")),
        price: crate::azure::UsagePrice {
            amount: d(amount),
            currency: cur(currency),
            microsoft_rate: microsoft_rate.map(d),
            cost: d(amount) * d("0.85"),
            cost_currency: cur(currency),
        },
        usage: crate::azure::MonthUsage {
            retail: d(amount),
            free: Decimal::ZERO,
            cost: d(amount) * d("0.85"),
            cost_in_pricing_currency: d(amount) * d("0.85"),
            pricing_currency: cur(currency),
            billing_currency: cur(currency),
            rate: Decimal::ONE,
        },
        correction: 0,
        categories: Vec::new(),
    }
}

#[test]
fn azure_usage_is_billed_in_arrears_once_at_the_usage_months_rate_and_caught_up() {
    let mut w = World::new("ZAR");
    // November's usage at Microsoft's November rate (18.25); October's was never billed.
    w.usage.push(usage("E1", "2026-11", "100.004", "USD", Some("18.25")));
    w.usage.push(usage("E1", "2026-10", "10", "USD", None));
    w.rates.push(ExchangeRate { from: cur("USD"), to: cur("ZAR"), effective: day("2026-10-01"), rate: d("18.00") });
    w.rates.push(ExchangeRate { from: cur("USD"), to: cur("ZAR"), effective: day("2026-11-01"), rate: d("18.50") });
    w.rates.push(ExchangeRate { from: cur("USD"), to: cur("ZAR"), effective: day("2026-12-01"), rate: d("19.00") });
    // November's run bills October's usage (billable 1 November), not November's.
    let (nov, problems) = w.run("2026-11");
    assert!(problems.is_empty(), "{problems:?}");
    let nov = nov.unwrap();
    assert_eq!(nov.lines.len(), 1);
    let l = &nov.lines[0];
    assert_eq!((l.kind, l.description.as_str()), (LineKind::Usage, "Azure usage Oct 2026 — E1 production"));
    assert_eq!((l.period_start, l.period_end, l.billable_date), (Some(day("2026-10-01")), Some(day("2026-10-31")), day("2026-11-01")));
    // Seatbook's rate in force on 31 October (18.00), not on the billable day (18.50).
    assert_eq!((l.fx_rate, l.amount, l.cost), (Some(d("18.00")), d("180.00"), Some(d("153.00"))));
    // December's run: November's usage at Microsoft's own rate, rounded once.
    let (dec, _) = w.run("2026-12");
    let l = &dec.unwrap().lines[0];
    assert_eq!((l.description.as_str(), l.fx_rate, l.amount), ("Azure usage Nov 2026 — E1 production", Some(d("18.25")), d("1825.07")));
    assert_eq!(l.item_key, "usage:e1:2026-11");
    // Nothing twice.
    assert!(w.run("2026-12").0.is_none());
    assert!(w.run("2027-01").0.is_none());
}

#[test]
fn an_azure_line_is_shared_among_its_meter_categories_to_the_cent() {
    let mut w = World::new("ZAR");
    let mut u = usage("E1", "2026-11", "100.004", "USD", Some("18.25"));
    let part =
        |name: &str, amount: &str| crate::azure::CategoryUsage { meter_category: name.into(), usage: u.usage.clone(), amount: d(amount) };
    // 60.001 + 30.001 + 10.002 = 100.004 USD; at 18.25: 1095.02 + 547.52 + 182.54 = 1825.08,
    // one cent more than the line (1825.07): the largest part gives it back.
    u.categories = vec![part("Virtual Machines", "60.001"), part("Storage", "30.001"), part("Bandwidth", "10.002")];
    w.usage.push(u);
    let (dec, problems) = w.run("2026-12");
    assert!(problems.is_empty(), "{problems:?}");
    let l = &dec.unwrap().lines[0];
    assert_eq!(l.amount, d("1825.07"));
    let parts: Vec<(&str, Decimal)> = l.details.iter().map(|p| (p.label.as_str(), p.amount)).collect();
    assert_eq!(parts, [("Virtual Machines", d("1095.01")), ("Storage", d("547.52")), ("Bandwidth", d("182.54"))]);
}
