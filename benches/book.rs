//! A synthetic book of a CSP reseller for benchmarks and the crash test, built only through the
//! public API of the `seatbook` crate. Include it with `#[path = ".../benches/book.rs"] mod book;`.
//!
//! `build(store, customers, today)` sets up a South African reseller (ZAR, VAT 15 %), imports a
//! price list of 22 products × 5 term/plan rows (20 priced in ZAR, 2 in USD with exchange rates),
//! `customers` customers (about 10 % with names in Polish, Czech, Greek or Cyrillic script, 10 %
//! on calendar-month alignment, a few zero-rated), 5 subscriptions per customer (P1M/P1Y/P3Y ×
//! monthly/annual/triennial, starts spread over the previous two years, billed from the first of
//! `today`'s month or earlier), then changes on a tenth of the customers: seat increases, seat
//! decreases within the 7-day window, and new subscriptions cancelled within their window.
//! Deterministic: the same arguments give the same book.

#![allow(dead_code)]

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use seatbook::catalogue::{BillingPlan, ProductKey, Term};
use seatbook::company::CompanyFields;
use seatbook::dates::add_days;
use seatbook::money::Currency;
use seatbook::store::{NewSubscription, Store};
use seatbook::subscription::term_end;
use std::time::{Duration, Instant};

/// A small deterministic PRNG (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
    /// Uniform in `lo..=hi`.
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }
    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// What `build` made, and how long each step took.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    pub customers: usize,
    pub subscriptions: usize,
    pub seat_increases: usize,
    pub seat_decreases: usize,
    pub cancellations: usize,
    pub steps: Vec<(&'static str, Duration)>,
}

impl Summary {
    pub fn total(&self) -> Duration {
        self.steps.iter().map(|s| s.1).sum()
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} customers, {} subscriptions, {} seat increases, {} seat decreases, {} cancellations; built in {:.2} s (",
            self.customers,
            self.subscriptions,
            self.seat_increases,
            self.seat_decreases,
            self.cancellations,
            self.total().as_secs_f64()
        )?;
        for (i, (name, d)) in self.steps.iter().enumerate() {
            write!(f, "{}{name} {:.2} s", if i > 0 { ", " } else { "" }, d.as_secs_f64())?;
        }
        write!(f, ")")
    }
}

/// The five term/plan rows of every product: (TermDuration, BillingPlan, term price as a
/// multiple of the monthly base price).
const PLANS: [(&str, &str, &str); 5] =
    [("P1M", "Monthly", "1.2"), ("P1Y", "Monthly", "12"), ("P1Y", "Annual", "12"), ("P3Y", "Monthly", "36"), ("P3Y", "Triennial", "34.2")];

/// (title, monthly base price per seat, currency).
const PRODUCTS: [(&str, &str, &str); 22] = [
    ("Microsoft 365 Business Basic", "130", "ZAR"),
    ("Microsoft 365 Business Standard", "240", "ZAR"),
    ("Microsoft 365 Business Premium", "400", "ZAR"),
    ("Microsoft 365 E3", "680", "ZAR"),
    ("Microsoft 365 E5", "1100", "ZAR"),
    ("Office 365 E1", "190", "ZAR"),
    ("Office 365 E3", "440", "ZAR"),
    ("Exchange Online (Plan 1)", "75", "ZAR"),
    ("Exchange Online (Plan 2)", "150", "ZAR"),
    ("Microsoft Teams Essentials", "80", "ZAR"),
    ("Microsoft 365 Apps for business", "160", "ZAR"),
    ("Microsoft 365 Apps for enterprise", "230", "ZAR"),
    ("Microsoft Defender for Business", "60", "ZAR"),
    ("Microsoft Intune Plan 1", "150", "ZAR"),
    ("Microsoft Entra ID P1", "115", "ZAR"),
    ("Microsoft Entra ID P2", "175", "ZAR"),
    ("Power BI Pro", "265", "ZAR"),
    ("Visio Plan 2", "285", "ZAR"),
    ("Project Plan 3", "560", "ZAR"),
    ("Microsoft 365 F3", "45", "ZAR"),
    ("Microsoft 365 Copilot", "30.00", "USD"),
    ("Dynamics 365 Business Central Essentials", "70.00", "USD"),
];

fn product_id(i: usize) -> String {
    format!("CFQ7TTC0B{i:03}")
}

/// A price list in the format of Microsoft's (and of the sample): quoted fields, commas inside
/// descriptions, the long date form, 9999 as open-ended.
pub fn price_list() -> String {
    let mut w = csv::WriterBuilder::new().quote_style(csv::QuoteStyle::Always).from_writer(Vec::new());
    w.write_record([
        "ProductTitle",
        "ProductId",
        "SkuId",
        "SkuTitle",
        "Publisher",
        "SkuDescription",
        "UnitOfMeasure",
        "TermDuration",
        "BillingPlan",
        "Market",
        "Currency",
        "UnitPrice",
        "PricingTierRangeMin",
        "PricingTierRangeMax",
        "EffectiveStartDate",
        "EffectiveEndDate",
        "Tags",
        "ERP Price",
    ])
    .unwrap();
    for (i, (title, base, currency)) in PRODUCTS.iter().enumerate() {
        let base: Decimal = base.parse().unwrap();
        for (term, plan, factor) in PLANS {
            let price = (base * factor.parse::<Decimal>().unwrap()).round_dp(2);
            let erp = (price * Decimal::new(125, 2)).round_dp(2);
            let description = format!("{title}: licences per user, billed {}, with the {term} commitment.", plan.to_lowercase());
            let (price, erp) = (format!("{price:.2}"), format!("{erp:.2}"));
            let id = product_id(i);
            w.write_record([
                title,
                id.as_str(),
                "0001",
                title,
                "Microsoft Corporation",
                description.as_str(),
                "",
                term,
                plan,
                "ZA",
                currency,
                price.as_str(),
                "",
                "",
                "1/1/2020 12:00:00 AM",
                "12/31/9999 11:59:59 PM",
                "License",
                erp.as_str(),
            ])
            .unwrap();
        }
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

const SURNAMES: [&str; 24] = [
    "Naidoo",
    "van der Merwe",
    "Botha",
    "Dlamini",
    "Nkosi",
    "Pillay",
    "Mokoena",
    "Khumalo",
    "Smith",
    "Jacobs",
    "Pretorius",
    "Venter",
    "Ndlovu",
    "Govender",
    "Coetzee",
    "Mahlangu",
    "du Plessis",
    "Ferreira",
    "Zulu",
    "Steyn",
    "Olivier",
    "Mthembu",
    "Fourie",
    "Abrahams",
];
const TRADES: [&str; 20] = [
    "Logistics",
    "Attorneys",
    "Engineering",
    "Accounting",
    "Property Group",
    "Medical Practice",
    "Construction",
    "Consulting",
    "Trading",
    "Architects",
    "Dental Studio",
    "Wine Estate",
    "Security Services",
    "Travel",
    "Motors",
    "Printers",
    "Insurance Brokers",
    "Boerdery",
    "Electrical Contractors",
    "Plumbing",
];
const FORMS: [&str; 6] = ["(Pty) Ltd", "CC", "Inc.", "& Partners", "Holdings (Pty) Ltd", "(Edms) Bpk"];
/// Names in Polish, Czech, Greek and Cyrillic scripts: (first part, second part, legal form).
const FOREIGN: [(&[&str], &[&str], &str); 6] = [
    (
        &["Zakład Usług Księgowych", "Przedsiębiorstwo Handlowe", "Biuro Rachunkowe", "Kancelaria Prawna"],
        &["Łukasz Wiśniewski", "Żaneta Dąbrowska", "Grzegorz Kowalczyk", "Małgorzata Wójcik", "Jędrzej Źrebiec"],
        "Sp. z o.o.",
    ),
    (
        &["Účetní kancelář", "Stavební firma", "Pekařství", "Truhlářství"],
        &["Dvořák", "Řezníček", "Šťastný", "Čermák", "Nováková"],
        "s.r.o.",
    ),
    (
        &["Ελληνική Τεχνική", "Ναυτιλιακή Αιγαίου", "Φαρμακεία", "Λογιστικό Γραφείο"],
        &["Παπαδόπουλος", "Γεωργίου", "Οικονόμου", "Βασιλείου"],
        "Α.Ε.",
    ),
    (&["ООО «Северный Ветер»", "ООО «Байкал Софт»", "ООО «Волга Логистик»"], &["Москва", "Казань", "Новосибирск"], ""),
    (&["Търговска къща", "Строителна компания"], &["Петров", "Иванова", "Димитров"], "ЕООД"),
    (&["ТОВ «Київ Софт»", "ТОВ «Дніпро Агро»", "ТОВ «Львівська Кава»"], &["Київ", "Львів", "Одеса"], ""),
];
const TOWNS: [(&str, &str); 10] = [
    ("Cape Town", "8001"),
    ("Johannesburg", "2001"),
    ("Durban", "4001"),
    ("Pretoria", "0002"),
    ("Gqeberha", "6001"),
    ("Bloemfontein", "9301"),
    ("Stellenbosch", "7600"),
    ("Polokwane", "0700"),
    ("East London", "5201"),
    ("Mbombela", "1200"),
];
const STREETS: [&str; 8] =
    ["Long Street", "Main Road", "Church Street", "Voortrekker Road", "Jan Smuts Avenue", "Oxford Road", "Bree Street", "Kerk Straat"];

fn customer_name(rng: &mut Rng) -> String {
    if rng.chance(10) {
        let (a, b, form) = rng.pick(&FOREIGN);
        let (a, b) = (*rng.pick(a), *rng.pick(b));
        if form.is_empty() {
            format!("{a}, {b}")
        } else {
            format!("{a} {b} {form}")
        }
    } else {
        format!("{} {} {}", rng.pick(&SURNAMES), rng.pick(&TRADES), rng.pick(&FORMS))
    }
}

/// The customer file: name, domain, e-mail, VAT number, terms, address, alignment, tax treatment.
pub fn customer_file(rng: &mut Rng, customers: usize) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "name",
        "domain",
        "email",
        "country",
        "currency",
        "vat_number",
        "payment_terms_days",
        "address",
        "billing_alignment",
        "tax_treatment",
    ])
    .unwrap();
    for i in 0..customers {
        let name = customer_name(rng);
        let (town, code) = rng.pick(&TOWNS);
        let address = format!("{} {}, {town}, {code}", rng.between(1, 250), rng.pick(&STREETS));
        w.write_record([
            name.as_str(),
            &format!("tenant{i:05}.onmicrosoft.com"),
            &format!("accounts@tenant{i:05}.co.za"),
            "ZA",
            "ZAR",
            &format!("4{:09}", 100_000_000 + i * 7),
            ["30", "30", "30", "14", "7", "60"][rng.below(6) as usize],
            &address,
            if rng.chance(10) { "calendar" } else { "microsoft" },
            if rng.chance(3) { "zero-rated" } else { "standard" },
        ])
        .unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

/// The current term's start on `today`, as the subscription import computes it.
fn current_term_start(start: NaiveDate, term: Term, today: NaiveDate) -> NaiveDate {
    let mut s = start;
    while term_end(s, term) < today {
        s = add_days(term_end(s, term), 1);
    }
    s
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap()
}

fn first_of_previous_month(d: NaiveDate) -> NaiveDate {
    let first = first_of_month(d);
    first_of_month(add_days(first, -1))
}

/// The subscription file: 5 rows per customer.
pub fn subscription_file(rng: &mut Rng, customers: usize, today: NaiveDate) -> String {
    let pairs = [
        (Term::P1M, BillingPlan::Monthly, "P1M", "monthly"),
        (Term::P1Y, BillingPlan::Monthly, "P1Y", "monthly"),
        (Term::P1Y, BillingPlan::Annual, "P1Y", "annual"),
        (Term::P3Y, BillingPlan::Monthly, "P3Y", "monthly"),
        (Term::P3Y, BillingPlan::Triennial, "P3Y", "triennial"),
    ];
    // Weights: most of a book is P1Y billed monthly.
    let weights = [20u64, 45, 15, 10, 10];
    let month_first = first_of_month(today);
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "customer_domain",
        "product",
        "term",
        "billing",
        "quantity",
        "start",
        "price",
        "auto_renew",
        "ms_subscription_id",
        "bill_from",
    ])
    .unwrap();
    let mut n = 0u64;
    for i in 0..customers {
        for _ in 0..5 {
            n += 1;
            let mut roll = rng.below(100);
            let mut k = 0;
            while roll >= weights[k] {
                roll -= weights[k];
                k += 1;
            }
            let (term, plan, term_s, plan_s) = pairs[k];
            let product = rng.below(PRODUCTS.len() as u64) as usize;
            let quantity = match rng.below(10) {
                0..=5 => rng.between(1, 10),
                6..=8 => rng.between(11, 50),
                _ => rng.between(51, 300),
            };
            let start = add_days(today, -rng.between(0, 729));
            let term_start = current_term_start(start, term, today);
            // Billed from the first of the month, or earlier: a month of catch-up for some
            // monthly plans, the current term's charge for some annual and triennial ones.
            let bill_from = match plan {
                BillingPlan::Monthly if rng.chance(15) => first_of_previous_month(today),
                BillingPlan::Annual | BillingPlan::Triennial if rng.chance(40) => term_start.min(month_first),
                _ => month_first,
            };
            let price = if rng.chance(5) { format!("{}.{:02}", rng.between(50, 900), rng.below(100)) } else { String::new() };
            w.write_record([
                format!("tenant{i:05}.onmicrosoft.com"),
                format!("{}:0001", product_id(product)),
                term_s.to_string(),
                plan_s.to_string(),
                quantity.to_string(),
                start.to_string(),
                price,
                if rng.chance(90) { "yes" } else { "no" }.to_string(),
                format!("{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}", n, i, n % 4096, i % 4096, rng.next_u64() & 0xffff_ffff_ffff),
                bill_from.to_string(),
            ])
            .unwrap();
        }
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

/// Build the book into `store` (a new, empty database). See the module's documentation.
pub fn build(store: &mut Store, customers: usize, today: NaiveDate) -> Summary {
    let mut rng = Rng::new(0x5EA7_B00C ^ customers as u64);
    let at = format!("{today}T08:00:00Z");
    let mut summary = Summary { customers, ..Default::default() };
    let mut step = Instant::now();
    let mut lap = |summary: &mut Summary, name: &'static str| {
        summary.steps.push((name, step.elapsed()));
        step = Instant::now();
    };

    store
        .init_company(&CompanyFields {
            name: Some("Cloudwise (Pty) Ltd".into()),
            address: Some("3rd Floor, 21 Dock Road, V&A Waterfront, Cape Town, 8001".into()),
            country: Some("ZA".into()),
            currency: Some("ZAR".into()),
            vat_rate: Some("15".into()),
            vat_number: Some("4123456789".into()),
            registration_number: Some("2015/123456/07".into()),
            email: Some("billing@cloudwise.co.za".into()),
            phone: Some("+27 21 555 0100".into()),
            bank_name: Some("First National Bank".into()),
            bank_account_holder: Some("Cloudwise (Pty) Ltd".into()),
            bank_account_number: Some("62812345678".into()),
            bank_branch_code: Some("250655".into()),
            default_markup: Some("18".into()),
            ..Default::default()
        })
        .unwrap();
    let list = price_list();
    let parsed = seatbook::import::pricelist::parse(list.as_bytes(), Some("ZA"), None).unwrap();
    store.import_price_list(&parsed).unwrap();
    let (usd, zar) = (Currency::parse("USD", "from").unwrap(), Currency::parse("ZAR", "to").unwrap());
    store.set_exchange_rate(usd, zar, "18.25".parse().unwrap(), NaiveDate::from_ymd_opt(2020, 1, 1).unwrap()).unwrap();
    store.set_exchange_rate(usd, zar, "17.6543".parse().unwrap(), first_of_previous_month(today)).unwrap();
    lap(&mut summary, "company and price list");

    let file = customer_file(&mut rng, customers);
    let rows = seatbook::import::customers::parse(file.as_bytes()).unwrap();
    assert_eq!(store.import_customers(&rows).unwrap().imported, customers);
    // A new book: the customers are 1 to n, in the file's order.
    let imported: Vec<_> = (1..=customers as i64).map(|id| store.customer(id).unwrap()).collect();
    lap(&mut summary, "customers");

    let file = subscription_file(&mut rng, customers, today);
    let rows = seatbook::import::subscriptions::parse(file.as_bytes()).unwrap();
    summary.subscriptions = store.import_subscriptions(&rows, today, &at).unwrap().imported;
    // By customer, each customer's in the file's order.
    let subs = store.list_subscriptions(None, None).unwrap();
    lap(&mut summary, "subscriptions");

    // Changes on a tenth of the customers, one subscription each.
    for (c, customer) in imported.iter().enumerate() {
        if c % 10 != 3 {
            continue;
        }
        let mine = &subs[c * 5..c * 5 + 5];
        let sub = rng.pick(mine);
        assert_eq!(sub.customer_id, customer.id);
        // The first day a change is billed from: the import's event is dated on the term start.
        let lower = sub.term_start.max(sub.bill_from).min(today);
        let span = (today - lower).num_days();
        match rng.below(10) {
            0..=6 => {
                let on = add_days(lower, rng.between(0, span));
                store.change_quantity(sub.id, sub.quantity + rng.between(1, 10) as u32, on, &at).unwrap();
                summary.seat_increases += 1;
            }
            7..=8 => {
                // Seats added, then some removed within their 7-day window.
                let on = add_days(lower, rng.between(0, span));
                let added = rng.between(1, 10) as u32;
                store.change_quantity(sub.id, sub.quantity + added, on, &at).unwrap();
                let off = add_days(on, rng.between(0, (today - on).num_days().min(6)));
                store.change_quantity(sub.id, sub.quantity + added - rng.between(1, added as i64) as u32, off, &at).unwrap();
                summary.seat_increases += 1;
                summary.seat_decreases += 1;
            }
            _ => {
                // A subscription bought in the last days, cancelled within its window.
                let start = add_days(today, -rng.between(0, 6));
                let (term, billing) = if rng.chance(50) { (Term::P1M, BillingPlan::Monthly) } else { (Term::P1Y, BillingPlan::Monthly) };
                bought_and_cancelled(store, &mut rng, customer.id, (term, billing), start, (today - start).num_days(), &at);
                summary.subscriptions += 1;
                summary.cancellations += 1;
            }
        }
    }
    lap(&mut summary, "changes");
    summary
}

/// Azure usage for every tenth customer (the ones whose index ends in 7): Microsoft's billed daily
/// rated usage of `month`, two Azure subscriptions each, three meter categories, every day of the
/// month, in USD billed in ZAR at Microsoft's rate, with PEC on most of it. Matched to the
/// customers by domain. Returns the lines imported.
pub fn add_usage(store: &mut Store, month: NaiveDate, today: NaiveDate) -> u64 {
    let customers = store.list_customers(None, true, None).unwrap();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "CustomerId",
        "CustomerDomainName",
        "InvoiceNumber",
        "EntitlementId",
        "EntitlementDescription",
        "ChargeStartDate",
        "ChargeEndDate",
        "UsageDate",
        "MeterCategory",
        "UnitPrice",
        "Quantity",
        "EffectiveUnitPrice",
        "BillingPreTaxTotal",
        "BillingCurrency",
        "PricingPreTaxTotal",
        "PricingCurrency",
        "PCToBCExchangeRate",
        "PartnerEarnedCreditPercentage",
    ])
    .unwrap();
    let end = seatbook::dates::month_end(month);
    let days = (end - month).num_days() + 1;
    let rate = Decimal::new(1825, 2);
    let meters =
        [("Virtual Machines", Decimal::new(96, 3), 24), ("Storage", Decimal::new(2, 2), 500), ("Bandwidth", Decimal::new(87, 3), 40)];
    let mut lines = 0u64;
    for (c, customer) in customers.iter().enumerate() {
        if c % 10 != 7 {
            continue;
        }
        for e in 0..2 {
            for d in 0..days {
                let day = add_days(month, d);
                for (k, (meter, unit, quantity)) in meters.iter().enumerate() {
                    let pec = k != 2 || e == 0;
                    let quantity = Decimal::from(*quantity + (c as i64 + d) % 7);
                    let effective = if pec { unit * Decimal::new(85, 2) } else { *unit };
                    let pricing = quantity * effective;
                    w.write_record([
                        format!("{:08x}-1111-4000-8000-000000000000", customer.id),
                        customer.domain.clone(),
                        format!("G{:09}", month.month()),
                        format!("{:08x}-0000-4000-8000-{:012}", customer.id, e),
                        format!("{} {}", customer.name, if e == 0 { "production" } else { "test" }),
                        month.format("%m/%d/%Y").to_string(),
                        end.format("%m/%d/%Y").to_string(),
                        day.format("%m/%d/%Y").to_string(),
                        meter.to_string(),
                        unit.to_string(),
                        quantity.to_string(),
                        effective.to_string(),
                        (pricing * rate).to_string(),
                        "ZAR".into(),
                        pricing.to_string(),
                        "USD".into(),
                        rate.to_string(),
                        if pec { "15".into() } else { String::new() },
                    ])
                    .unwrap();
                    lines += 1;
                }
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("usage.csv");
    std::fs::write(&file, w.into_inner().unwrap()).unwrap();
    let clock = seatbook::app::Clock::new(today, format!("{today}T08:00:00Z"));
    let r = seatbook::app::usage::import(store, &clock, &file).unwrap();
    assert_eq!(r.lines, lines);
    lines
}

/// What a month of the reseller's work did to the book (`month_of_work`).
#[derive(Debug, Default, Clone, Copy)]
pub struct MonthOfWork {
    pub payments: usize,
    pub credit_notes: usize,
    pub seat_increases: usize,
    pub cancellations: usize,
}

/// A month of the reseller's work after the invoices `issued` on `month` (customer, number,
/// total): most customers pay in full 4 to 24 days later, one invoice in 200 is credited whole,
/// one subscription in 100 gets more seats (where its invoiced periods allow a change on the
/// 10th), and one customer in 300 buys a subscription and
/// cancels it within its window. Deterministic for a given `rng`.
pub fn month_of_work(store: &mut Store, rng: &mut Rng, month: NaiveDate, issued: &[(i64, String, Decimal)]) -> MonthOfWork {
    let at = format!("{month}T08:00:00Z");
    let mut done = MonthOfWork::default();
    for (customer, number, total) in issued {
        if rng.chance(1) && rng.chance(50) {
            let on = add_days(month, rng.between(3, 20));
            store.credit_invoice(number, &seatbook::billing::CreditMode::Whole, "seats billed in error", on, &at).unwrap();
            done.credit_notes += 1;
        } else if rng.chance(90) && *total > Decimal::ZERO {
            let on = add_days(month, rng.between(4, 24));
            store
                .add_payment(*customer, on, *total, seatbook::receivables::Method::Eft, number, std::slice::from_ref(number), &at)
                .unwrap();
            done.payments += 1;
        }
    }
    let subs = store.list_subscriptions(None, Some(seatbook::subscription::Status::Active)).unwrap();
    let on = add_days(month, 9);
    for sub in subs.iter().filter(|s| s.term_start <= on && on <= s.term_end) {
        // A subscription whose charge period from before `on` is invoiced already takes its seats
        // from the next period (the book refuses an earlier date): those are left as they are.
        if rng.below(100) == 0 && store.change_quantity(sub.id, sub.quantity + rng.between(1, 5) as u32, on, &at).is_ok() {
            done.seat_increases += 1;
        }
    }
    let customers = store.list_customers(None, false, None).unwrap();
    for c in &customers {
        if rng.below(300) != 0 {
            continue;
        }
        let start = add_days(month, rng.between(1, 20));
        bought_and_cancelled(store, rng, c.id, (Term::P1Y, BillingPlan::Monthly), start, 6, &at);
        done.cancellations += 1;
    }
    done
}

/// A subscription of one of the first 20 products bought on `start` and cancelled within
/// `within` days of it (inside Microsoft's window).
fn bought_and_cancelled(
    store: &mut Store,
    rng: &mut Rng,
    customer_id: i64,
    (term, billing): (Term, BillingPlan),
    start: NaiveDate,
    within: i64,
    at: &str,
) {
    let new = store
        .add_subscription(
            &NewSubscription {
                customer_id,
                product: ProductKey::new(&product_id(rng.below(20) as usize), "0001"),
                term,
                billing,
                quantity: rng.between(1, 25) as u32,
                start,
                auto_renew: true,
                trial: false,
                ms_subscription_id: String::new(),
                price_override: None,
            },
            at,
        )
        .unwrap();
    store.cancel_subscription(new.id, add_days(start, rng.between(0, within)), at).unwrap();
}
